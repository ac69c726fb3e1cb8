#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# linesight simulate: the six files with their headers, byte-identical
# output for the same options, a different world for another seed, the
# config file and its errors, and the output read back by `ingest` with
# nothing rejected.
set -euo pipefail
: "${LINESIGHT:?path to the linesight binary}"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
cd "$T"
fail() { echo "FAIL: $*" >&2; exit 1; }
expect_exit() { # CODE CMD...
  local want=$1 got=0
  shift
  "$@" > "$T/out" 2> "$T/err" || got=$?
  [ "$got" = "$want" ] || { cat "$T/out" "$T/err" >&2; fail "exit $got, wanted $want: $*"; }
}

expect_exit 0 "$LINESIGHT" simulate --seed 5 --scale 1500 --days 4 --out a
expect_exit 0 "$LINESIGHT" simulate --seed 5 --scale 1500 --days 4 --out b --quiet
expect_exit 0 "$LINESIGHT" simulate --seed 6 --scale 1500 --days 4 --out c --quiet
for f in events.csv cells.csv persons.csv attributions.csv addresses.csv truth.json; do
  [ -s "a/$f" ] || fail "a/$f missing or empty"
  cmp -s "a/$f" "b/$f" || fail "$f differs between two runs with the same seed"
done
cmp -s a/events.csv c/events.csv && fail "seeds 5 and 6 gave the same events"

[ "$(head -1 a/events.csv)" = "start,type,caller,callee,duration_s,caller_cell,callee_cell,caller_imei,callee_imei" ] ||
  fail "events header: $(head -1 a/events.csv)"
[ "$(head -1 a/cells.csv)" = "cell_id,lat,lon,azimuth,name,area" ] || fail "cells header"
[ "$(head -1 a/persons.csv)" = "person_id,dob,sex,flags" ] || fail "persons header"
[ "$(head -1 a/attributions.csv)" = "number,person_id,from,to,source" ] || fail "attributions header"
[ "$(head -1 a/addresses.csv)" = "address_id,lat,lon,cell_id,occupant,flags" ] || fail "addresses header"

# rows: E.164 UK mobiles, 15-digit IMEIs, times in order
awk -F, 'NR > 1 && ($3 !~ /^\+447[0-9]+$/ || $4 !~ /^\+447[0-9]+$/ || length($3) != 13 || length($4) != 13) {
           print "bad number: " $0; exit 1 }
         NR > 1 && $8 != "" && ($8 !~ /^[0-9]+$/ || length($8) != 15) { print "bad imei: " $0; exit 1 }
         NR > 1 && $1 < prev { print "out of order: " $0; exit 1 }
         NR > 1 { prev = $1 }' a/events.csv || fail "event rows"
[ "$(wc -l < a/events.csv)" -gt 5000 ] || fail "too few events"

# truth.json: the contract keys, numbers that occur in the events
for key in '"seed": 5' '"lines"' '"line_id"' '"brand"' '"origin"' '"destination"' '"numbers"' \
  '"holders"' '"runners"' '"customers"' '"cuckoo_addresses"' '"juvenile_runners"' '"decoys"' \
  '"taxi"' '"takeaway"' '"bulk_sms"'; do
  grep -q "$key" a/truth.json || fail "truth.json lacks $key"
done
deal=$(grep -A1 '"numbers": \[' a/truth.json | grep -o '+447[0-9]*' | head -1)
[ -n "$deal" ] || fail "no deal number in truth.json"
grep -q ",$deal," a/events.csv || fail "deal number $deal not in events"

# config file: presets, overrides, and errors naming the line
printf 'difficulty = hard\nadverts_max = 3\n' > hard.conf
expect_exit 0 "$LINESIGHT" simulate --seed 5 --scale 1500 --days 3 --config hard.conf --out h --quiet
grep -q '"difficulty": "hard"' h/truth.json || fail "config preset not applied"
printf 'seed = 1\nbogus_key = 3\n' > bad.conf
expect_exit 2 "$LINESIGHT" simulate --seed 5 --out x --config bad.conf
grep -q 'bad.conf:2' "$T/err" || fail "config error does not name the line: $(cat "$T/err")"
expect_exit 2 "$LINESIGHT" simulate --seed 5 --scale 1500
expect_exit 2 "$LINESIGHT" simulate --seed five --out x
expect_exit 2 "$LINESIGHT" simulate --out x --difficulty easy
expect_exit 2 "$LINESIGHT" simulate --out x --set customers_min=500 --set customers_max=100

# the files are what `ingest` reads, every row accepted
expect_exit 0 "$LINESIGHT" ingest --db "$T/s.db" a/events.csv a/cells.csv a/persons.csv a/attributions.csv a/addresses.csv
grep -q 'rejected 0$' "$T/out" || fail "ingest rejected rows: $(cat "$T/out")"
echo "simulate: ok"
