#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# `linesight indicators`: a bandicoot file (keys compared with bandicoot's
# hand-computed manual/A.json when the peer data is there), numbers from the
# store, CSV output, and usage errors.
set -euo pipefail
: "${LINESIGHT:?}" "${LS_SRC_DIR:?}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

# --- a bandicoot file written here (synthetic ids) -------------------------
cat > "$tmp/ego.csv" <<'CSV'
interaction,direction,correspondent_id,datetime,call_duration,antenna_id
call,in,a,2014-08-20 20:30:37,137,t1
call,out,b,2014-08-21 20:31:42,542,t2
text,in,c,2014-08-21 21:10:31,,t2
text,out,c,2014-08-21 21:15:31,,t2
call,out,,2014-08-21 21:16:31,5,t2
CSV
printf 'antenna_id,latitude,longitude\nt1,50.9,-1.4\nt2,51.26,-1.08\n' > "$tmp/towers.csv"
"$LINESIGHT" indicators --bandicoot "$tmp/ego.csv" --antennas "$tmp/towers.csv" --groupby none \
  > "$tmp/out.json" 2> "$tmp/err.txt" || fail "indicators --bandicoot exited $?"
grep -q "ego.csv:6: record ignored: correspondent_id: empty" "$tmp/err.txt" || fail "ignored record not reported: $(cat "$tmp/err.txt")"
python3 - "$tmp/out.json" <<'PY' || fail "values of the bandicoot file"
import json, sys
d = json.load(open(sys.argv[1]))
want = {"call_duration__allweek__allday__call__mean": 339.5,
        "call_duration__allweek__allday__call__std": 202.5,
        "response_delay_text__allweek__allday__callandtext__mean": 300.0,
        "percent_initiated_conversations__allweek__allday__callandtext": 0.0,
        "number_of_antennas__allweek__allday": 2,
        "reporting__ignored_records__all": 1,
        "reporting__ignored_records__correspondent_id": 1}
for k, v in want.items():
    assert abs(d[k] - v) < 1e-9, (k, d.get(k), v)
assert d["response_rate_text__allweek__allday__callandtext"] == 1.0
PY

# --- bandicoot's own hand-computed file, when the peer data is present -------
peer="$LS_SRC_DIR/../shared/peer/bandicoot/bandicoot/tests/samples"
if [ -d "$peer" ]; then
  "$LINESIGHT" indicators --bandicoot "$peer/manual/A.csv" --antennas "$peer/towers.csv" \
    --recharges "$peer/manual/recharges/A.csv" --groupby none > "$tmp/a.json"
  python3 - "$tmp/a.json" "$peer/manual/A.json" <<'PY' || fail "manual/A.json differs"
import json, sys
got = json.load(open(sys.argv[1])); want = json.load(open(sys.argv[2]))
def flat(p, v, out):
    if isinstance(v, dict):
        for k, x in v.items(): flat(p + "__" + k if p else k, x, out)
    else: out[p] = v
f = {}; flat("", want, f)
for k, v in f.items():
    assert k in got, k
    assert abs(got[k] - v) < 1.5e-4, (k, got[k], v)
print("manual/A.json: %d keys match" % len(f))
PY
else
  echo "SKIP: $peer absent; bandicoot's expected file not compared"
fi

# --- numbers from the store ----------------------------------------------------
cat > "$tmp/events.csv" <<'CSV'
start,type,caller,callee,duration_s,caller_cell,callee_cell
2024-10-07T19:30:37Z,call,07700900001,07700900002,137,C1,C2
2024-10-08T19:31:42Z,call,07700900002,07700900001,542,C2,C3
2024-10-08T20:10:31Z,sms,07700900003,07700900001,,C4,C3
2024-10-12T10:15:31Z,sms,07700900001,07700900003,,C3,C4
CSV
"$LINESIGHT" ingest --db "$tmp/t.db" "$tmp/events.csv" > /dev/null || fail "ingest"
"$LINESIGHT" indicators --db "$tmp/t.db" --number "07700 900001" --groupby none --split-week \
  > "$tmp/n.json" || fail "indicators --number"
python3 - "$tmp/n.json" <<'PY' || fail "values of a stored number"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["name"] == "+447700900001", d["name"]
assert d["number_of_interactions__allweek__allday__call"] == 2
assert d["number_of_interaction_out__allweek__allday__text"] == 1
assert d["number_of_interactions__weekend__allday__text"] == 1     # Saturday 12 Oct
assert d["reporting__start_time"] == "2024-10-07 20:30:37"           # Europe/London (BST)
assert abs(d["percent_nocturnal__allweek__allday__call"] - 1.0) < 1e-12
PY
"$LINESIGHT" indicators --db "$tmp/t.db" --all --format csv > "$tmp/all.csv" || fail "--all csv"
[ "$(wc -l < "$tmp/all.csv")" -eq 4 ] || fail "--all csv: expected a header and 3 rows, got $(wc -l < "$tmp/all.csv") lines"
head -1 "$tmp/all.csv" | grep '^name,reporting__groupby,' >/dev/null || fail "--all csv header"

# --- usage errors: exit 2 ---------------------------------------------------------
set +e
"$LINESIGHT" indicators --db "$tmp/t.db" 2>/dev/null; [ $? -eq 2 ] || fail "no --number/--all must exit 2"
"$LINESIGHT" indicators --bandicoot "$tmp/ego.csv" --groupby month 2>/dev/null; [ $? -eq 2 ] || fail "bad --groupby must exit 2"
"$LINESIGHT" indicators --db "$tmp/t.db" --number 07700900999 2>/dev/null; [ $? -eq 1 ] || fail "unknown number must exit 1"
"$LINESIGHT" indicators --bandicoot "$tmp/missing.csv" 2>/dev/null; [ $? -ne 0 ] || fail "missing file must fail"
set -e
echo "indicators: ok"
