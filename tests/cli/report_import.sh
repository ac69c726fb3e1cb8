#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# `linesight results import|list`: a file with bad rows is refused whole with
# file, line and column for each; --skip-bad imports the rest and quarantines
# the bad rows beside the store; the same file twice is refused.
set -euo pipefail
: "${LINESIGHT:?path to the linesight binary}" "${LS_SRC_DIR:?repository root}"
data="$LS_SRC_DIR/tests/data/ops"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
db="$tmp/t.db"
fail() { echo "report_import.sh: FAIL: $*" >&2; exit 1; }
cp "$data/bad_rows.csv" "$tmp/bad.csv"

set +e
"$LINESIGHT" results import --db "$db" "$tmp/bad.csv" > "$tmp/out" 2> "$tmp/err"; rc=$?
set -e
[ $rc -eq 2 ] || fail "bad file: exit $rc, want 2"
for want in \
  "bad.csv:3:8: value_gbp: '12.345': more than two decimal places" \
  "bad.csv:5:4: kind: 'arest': not a kind" \
  "bad.csv:6:3: date: '2024-02-30': no such day in that month" \
  "bad.csv:7:6: item: missing" \
  "bad.csv:8:11: age_band: 'child': not an age band (under_18, adult)" \
  "bad.csv:9:9: weight_g: '10': does not apply to a seizure other than drugs" \
  "bad.csv:11:" \
  "nothing imported: 7 bad rows of 10"; do
  grep -qF "$want" "$tmp/err" || fail "stderr lacks '$want': $(cat "$tmp/err")"
done
"$LINESIGHT" results list --db "$db" > "$tmp/list"
grep -q "no week-of-action results recorded" "$tmp/list" || fail "refused file left records: $(cat "$tmp/list")"

"$LINESIGHT" results import --db "$db" --skip-bad "$tmp/bad.csv" > "$tmp/out" 2> "$tmp/err"
grep -q "3 records imported, 7 bad rows quarantined in $tmp/bad-" "$tmp/out" || fail "skip-bad: $(cat "$tmp/out")"
q=$(ls "$tmp"/bad-*.quarantine.csv)
[ "$(wc -l < "$q")" -eq 8 ] || fail "quarantine should hold a header and 7 rows"
head -1 "$q" | grep '^line,reason,operation,force,date,kind' >/dev/null || fail "quarantine header: $(head -1 "$q")"
grep -q '^5,"kind: .arest.: not a kind' "$q" || fail "quarantine row for line 5"

set +e
"$LINESIGHT" results import --db "$db" --skip-bad "$tmp/bad.csv" 2> "$tmp/err"; rc=$?
set -e
[ $rc -eq 2 ] && grep -q "already imported" "$tmp/err" || fail "duplicate file: exit $rc $(cat "$tmp/err")"

"$LINESIGHT" results import --db "$db" "$data/week1_hampshire_tvp.csv" > /dev/null
"$LINESIGHT" results list --db "$db" > "$tmp/list"
grep -qE '^2024-10 intensification +41  2024-10-07  2024-10-13  Hampshire, Thames Valley$' "$tmp/list" \
  || fail "list: $(cat "$tmp/list")"
grep -qE '^2024-11 follow-up +3 ' "$tmp/list" || fail "list lacks the follow-up: $(cat "$tmp/list")"
"$LINESIGHT" results list --db "$db" --json | grep '"records": 41' >/dev/null || fail "list --json"
echo "report_import.sh: ok"
