#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Cuckooed addresses, juvenile runners, safeguarding, explain and referrals on
# a small simulated world (seed 42, not a training seed), from CSV files and
# from a store: the evaluation lists the new tasks, every safeguarding entry
# is tied to a line, explain traces numbers, people, addresses and lines to
# their sources, referrals are written.
set -euo pipefail
: "${LINESIGHT:?}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

"$LINESIGHT" simulate --seed 42 --scale 4000 --days 14 --out "$tmp/w" >/dev/null 2>&1 || fail "simulate"
w="$tmp/w"
files=("$w/events.csv" "$w/cells.csv" "$w/persons.csv" "$w/attributions.csv" "$w/addresses.csv")
"$LINESIGHT" analyse "${files[@]}" --json "$tmp/r.json" >"$tmp/summary.txt" || fail "analyse"
grep -q "^safeguarding:" "$tmp/summary.txt" || fail "summary has no safeguarding list"
"$LINESIGHT" evaluate --truth "$w/truth.json" --result "$tmp/r.json" >"$tmp/eval.txt" || fail "evaluate"
cat "$tmp/eval.txt"
for task in cuckoo_addresses juvenile_runners; do
  grep -q "^$task " "$tmp/eval.txt" || fail "evaluate has no $task"
done
# the bars of this small world (measured 1.0 / 1.0; the seeds 1-5 table is in docs/analysis.md)
awk '$1 == "cuckoo_addresses" {exit !($4 >= 0.9)}' "$tmp/eval.txt" || fail "cuckoo_addresses F1 below 0.9"
awk '$1 == "juvenile_runners" {exit !($2 >= 0.9)}' "$tmp/eval.txt" || fail "juvenile_runners precision below 0.9"

# every person on the safeguarding list is tied to a line: attributed to one
# of its runner or deal numbers, or the occupant of a listed cuckooed address
python3 - "$tmp/r.json" "$w/attributions.csv" "$w/addresses.csv" <<'PY' || fail "an unlinked person was flagged"
import csv, json, sys
r = json.load(open(sys.argv[1]))
linked = set()
for line in r["lines"]:
    linked.update(line["numbers"]); linked.update(line["runners"])
people = {a["person_id"] for a in csv.DictReader(open(sys.argv[2])) if a["number"] in linked}
occupants = {a["occupant"] for a in csv.DictReader(open(sys.argv[3]))
             if a["address_id"] in {c["address"] for c in r["cuckoo_addresses"]}}
bad = [g["subject"] for g in r["safeguarding"]
       if g["person"] and g["person"] not in people | occupants
       or not g["person"] and g["subject"] not in linked]
assert not bad, bad
assert all(g["priority"] in ("high", "medium", "low") and g["reasons"] for g in r["safeguarding"])
prio = [("high", "medium", "low").index(g["priority"]) for g in r["safeguarding"]]
assert prio == sorted(prio), "children first"
PY

# explain: a line, a runner, a person on the list, a cuckooed address
"$LINESIGHT" explain LS-0001 "${files[@]}" >"$tmp/x.txt" || fail "explain line"
grep -q "harm components" "$tmp/x.txt" || fail "explain line: no harm components"
grep -q "events.csv" "$tmp/x.txt" || fail "explain line: no source"
runner=$(python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); print([n for l in r["lines"] for n in l["runners"]][0])' "$tmp/r.json")
"$LINESIGHT" explain "$runner" "${files[@]}" >"$tmp/x.txt" || fail "explain runner"
grep -q "runner of LS-" "$tmp/x.txt" || fail "explain runner: no role"
grep -q "trip\|night of" "$tmp/x.txt" || fail "explain runner: no movement"
addr=$(python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); print(r["cuckoo_addresses"][0]["address"] if r["cuckoo_addresses"] else "")' "$tmp/r.json")
if [ -n "$addr" ]; then
  "$LINESIGHT" explain "$addr" "${files[@]}" >"$tmp/x.txt" || fail "explain address"
  grep -q "overnight" "$tmp/x.txt" || fail "explain address: no nights"
  # contact with the runners' own numbers names the home; its facts come
  # from the events and the attributions (the occupant's numbers)
  grep "runners' own numbers" "$tmp/x.txt" | grep "attributions.csv" >/dev/null \
    || fail "explain address: no sourced contact with the runners"
fi
set +e
"$LINESIGHT" explain P99999999 "${files[@]}" >/dev/null 2>"$tmp/err.txt"; rc=$?
set -e
[ $rc -ne 0 ] || fail "explain of an unknown subject succeeded"
grep -q "P99999999" "$tmp/err.txt" || fail "explain: error does not name the subject"

# referrals from a store, with dataset names as sources
"$LINESIGHT" ingest --db "$tmp/s.db" "${files[@]}" >/dev/null 2>&1 || fail "ingest"
"$LINESIGHT" referrals --db "$tmp/s.db" --out "$tmp/ref" >/dev/null || fail "referrals"
[ -s "$tmp/ref/referrals.csv" ] && [ -s "$tmp/ref/evidence.csv" ] || fail "referrals: CSV missing"
n=$(($(wc -l <"$tmp/ref/referrals.csv") - 1))
[ "$n" -eq "$(ls "$tmp/ref" | grep -c '^referral-.*\.html$')" ] || fail "referrals: one page per row"
grep -q "(dataset " "$tmp/ref/evidence.csv" || fail "referrals: sources lack dataset names"

set +e
"$LINESIGHT" referrals "${files[@]}" >/dev/null 2>&1; [ $? -eq 2 ] || fail "referrals without --out: want exit 2"
"$LINESIGHT" analyse "${files[@]}" --harm-weight colour=1 >/dev/null 2>&1; [ $? -eq 2 ] || fail "bad --harm-weight: want exit 2"
set -e
echo "explain: ok"
