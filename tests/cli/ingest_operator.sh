#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# linesight ingest --format operator: two returns of different layouts in one
# ingest (summaries, mirror records counted as duplicates, quarantine, the
# dataset's format), the same returns refused again, and the usage errors
# (no mapping, a mapping without the format, bandicoot).
set -euo pipefail
: "${LINESIGHT:?path to the linesight binary}"
: "${LS_SRC_DIR:?path to the repository}"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
cd "$T"
fail() { echo "FAIL: $*" >&2; exit 1; }
json() { "$LINESIGHT" info --db "$T/s.db" --json | sed -n "s/^  \"$1\": \([0-9]*\),\{0,1\}$/\1/p"; }
expect_exit() { # CODE CMD...
  local want=$1 got=0
  shift
  "$@" > "$T/out" 2> "$T/err" || got=$?
  [ "$got" = "$want" ] || { cat "$T/out" "$T/err" >&2; fail "exit $got, wanted $want: $*"; }
}
D="$LS_SRC_DIR/tests/data/operator"
M="$LS_SRC_DIR/share/mappings"
cp "$D/return_a.csv" "$D/return_b.csv" .

expect_exit 0 "$LINESIGHT" ingest --db "$T/s.db" --format operator \
  --mapping "$M/uk-return-a.map" return_a.csv --mapping "$M/uk-return-b.map" return_b.csv
grep -q '^return_a.csv: events, read 5, stored 3, duplicate 0, rejected 2' out || fail "return A: $(cat out)"
# B's MT records of A's call and sms are the other side of stored events
grep -q '^return_b.csv: events, read 4, stored 1, duplicate 2, rejected 1' out || fail "return B: $(cat out)"
[ "$(json events)" = 4 ] || fail "events: $(json events)"
[ "$(json datasets)" = 2 ] || fail "datasets: $(json datasets)"
[ "$(json rejected)" = 3 ] || fail "rejected: $(json rejected)"
[ "$("$LINESIGHT" info --db "$T/s.db" --json | grep -c '"format": "operator"')" = 2 ] ||
  fail "datasets do not record the operator format"
q=$(ls "$T"/s.db.quarantine/return_a.csv.*.csv)
grep -q '^return_a.csv,5,' "$q" || fail "unknown service Fax not quarantined: $(cat "$q")"

# the same returns again: refused, nothing changes
before=$("$LINESIGHT" info --db "$T/s.db" --json)
expect_exit 2 "$LINESIGHT" ingest --db "$T/s.db" --format operator --mapping "$M/uk-return-a.map" return_a.csv
grep -q 'already ingested' err || fail "duplicate return: $(cat err)"
[ "$("$LINESIGHT" info --db "$T/s.db" --json)" = "$before" ] || fail "store changed by a refused return"

# usage errors: exit 2, no store written
expect_exit 2 "$LINESIGHT" ingest --db "$T/u.db" --format operator return_a.csv
grep -q 'needs --mapping' err || fail "no mapping: $(cat err)"
expect_exit 2 "$LINESIGHT" ingest --db "$T/u.db" --mapping "$M/uk-return-a.map" return_a.csv
grep -q 'only with --format operator' err || fail "mapping without operator: $(cat err)"
expect_exit 2 "$LINESIGHT" ingest --db "$T/u.db" --format bandicoot return_a.csv
grep -q 'indicators --bandicoot' err || fail "bandicoot: $(cat err)"
# a return read with the other layout's mapping: refused, nothing stored
expect_exit 2 "$LINESIGHT" ingest --db "$T/u.db" --format operator --mapping "$M/uk-return-b.map" return_a.csv
grep -q "missing column" err || fail "wrong layout: $(cat err)"
[ ! -e "$T/u.db" ] || [ "$("$LINESIGHT" info --db "$T/u.db" --json | sed -n 's/^  "datasets": \([0-9]*\),\{0,1\}$/\1/p')" = 0 ] ||
  fail "wrong layout stored something"
echo "ingest_operator: ok"
