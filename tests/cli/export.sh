#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# `linesight export` on a small simulated world: every format, for all lines
# and for one line, read back by readers we did not write (networkx, openpyxl,
# GDAL's ogrinfo, python's csv) and checked against counts derived
# independently from the analysis JSON and the world's CSVs
# (tests/cli/export_check.py); usage and input errors give exit code 2; a
# failed export leaves no file behind.
set -euo pipefail
: "${LINESIGHT:?}"
: "${LS_SRC_DIR:?}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

# Debian's python, not a pyenv one first on PATH: the readers are its packages
py=/usr/bin/python3
"$py" -c 'import networkx, openpyxl' 2>/dev/null || fail "python3-networkx and python3-openpyxl are needed (scripts/setup)"
command -v ogrinfo >/dev/null || fail "ogrinfo is needed: gdal-bin (scripts/setup)"

"$LINESIGHT" simulate --seed 3 --scale 2000 --days 7 --out "$tmp/w" >/dev/null 2>&1 || fail "simulate"
"$LINESIGHT" ingest --db "$tmp/s.db" "$tmp/w"/*.csv >/dev/null 2>&1 || fail "ingest"

# nothing analysed yet: an input error
set +e
"$LINESIGHT" export --db "$tmp/s.db" --format graphml --out "$tmp/none.graphml" 2>"$tmp/err.txt"
[ $? -eq 2 ] || fail "export before analyse: want exit 2"
set -e
grep -q "analyse" "$tmp/err.txt" || fail "export before analyse does not say to analyse"

"$LINESIGHT" analyse --db "$tmp/s.db" --json "$tmp/r.json" >/dev/null 2>&1 || fail "analyse"

# Cuckooed addresses and safeguarding cases: save a run that adds, where this
# analysis found none, the world's own (truth.json), and always one address
# the addresses table lacks and one case tied to no line, so that every
# sheet, layer and link kind and the unplaced path are exercised.
"$py" - "$tmp/s.db" "$tmp/w/truth.json" "$tmp/r.json" <<'EOF'
import json, sqlite3, sys
db, truth, out = sys.argv[1:4]
con = sqlite3.connect(db)
created, text = con.execute("SELECT created, json FROM analysis_runs ORDER BY id DESC LIMIT 1").fetchone()
r, t = json.loads(text), json.load(open(truth))
if not r["cuckoo_addresses"]:
    for l in r["lines"]:
        for tl in t["lines"]:
            if set(tl["numbers"]) & set(l["numbers"]):
                for a in tl["cuckoo_addresses"]:
                    r["cuckoo_addresses"].append({"address": a, "line": l["id"], "score": 0.8,
                                                  "explain": ["runner phones overnight nearby"]})
r["cuckoo_addresses"].append({"address": "A-NOT-IN-TABLE", "line": r["lines"][0]["id"],
                              "score": 0.55, "explain": ["test: no coordinates"]})
if not r["safeguarding"]:
    for n in t["juvenile_runners"]:
        r["safeguarding"].append({"subject": n, "reasons": ["juvenile runner"], "priority": "high"})
r["safeguarding"].append({"subject": "P-TEST", "reasons": ["no line"], "priority": "low"})
con.execute("INSERT INTO analysis_runs (created, json) VALUES (?, ?)", (created, json.dumps(r)))
con.commit()
json.dump(r, open(out, "w"))
EOF

export_all() { # dir [options]
  local d=$1
  shift
  mkdir -p "$d"
  "$LINESIGHT" export --db "$tmp/s.db" --format i2 --out "$d/x.csv" "$@" 2>"$d/log.txt" || fail "export i2 $*"
  for f in graphml gexf geojson kml xlsx; do
    "$LINESIGHT" export --db "$tmp/s.db" --format $f --out "$d/x.$f" "$@" 2>>"$d/log.txt" || fail "export $f $*"
  done
  [ -s "$d/x-entities.csv" ] && [ -s "$d/x-links.csv" ] || fail "i2 did not write its two files"
  ! ls "$d"/*.tmp >/dev/null 2>&1 || fail "a temporary file was left in $d"
}

export_all "$tmp/all"
"$py" "$LS_SRC_DIR/tests/cli/export_check.py" --result "$tmp/r.json" --world "$tmp/w" --out "$tmp/all/x" \
  || fail "the exports of all lines do not read back as the analysis"
grep -q "cuckooed addresses (1 without coordinates left out)" "$tmp/all/log.txt" \
  || fail "the address without coordinates was not reported"

line=$("$py" -c 'import json,sys; print(json.load(open(sys.argv[1]))["lines"][1]["id"])' "$tmp/r.json")
export_all "$tmp/one" --line "$line" --handling P
"$py" "$LS_SRC_DIR/tests/cli/export_check.py" --result "$tmp/r.json" --world "$tmp/w" --out "$tmp/one/x" \
  --line "$line" || fail "the exports of line $line do not read back as the analysis"
grep -q ",P$(printf '\r')\$" "$tmp/one/x-links.csv" || fail "--handling P not written"
if grep -q "line:LS-0001," "$tmp/one/x-entities.csv" && [ "$line" != LS-0001 ]; then
  fail "--line $line exported another line"
fi

# an analysis that found nothing exports empty files in every format (its
# arrays are empty, often NULL: the sanitizer build once stopped in qsort)
mkdir -p "$tmp/empty"
printf 'start,type,caller,callee\n' >"$tmp/empty/e.csv"
"$LINESIGHT" ingest --db "$tmp/empty/s.db" "$tmp/empty/e.csv" >/dev/null 2>&1 || fail "ingest of an empty file"
"$LINESIGHT" analyse --db "$tmp/empty/s.db" >/dev/null 2>&1 || fail "analyse of an empty store"
for f in i2 graphml gexf geojson kml xlsx; do
  "$LINESIGHT" export --db "$tmp/empty/s.db" --format $f --out "$tmp/empty/x.$f" 2>"$tmp/empty/log.txt" \
    || fail "export $f of an empty analysis: $(cat "$tmp/empty/log.txt")"
done

# usage and input errors
code() { set +e; "$@" >/dev/null 2>&1; local c=$?; set -e; echo $c; }
[ "$(code "$LINESIGHT" export --db "$tmp/s.db" --format dot --out "$tmp/x")" = 2 ] || fail "unknown format: want 2"
[ "$(code "$LINESIGHT" export --db "$tmp/s.db" --format kml)" = 2 ] || fail "no --out: want 2"
[ "$(code "$LINESIGHT" export --db "$tmp/s.db" --out "$tmp/x.kml")" = 2 ] || fail "no --format: want 2"
[ "$(code "$LINESIGHT" export --db "$tmp/s.db" --format kml --out "$tmp/x.kml" --line LS-9999)" = 2 ] \
  || fail "unknown line: want 2"
[ "$(code "$LINESIGHT" export --db "$tmp/s.db" --format i2 --out "$tmp/x" --handling X)" = 2 ] \
  || fail "bad handling code: want 2"
[ ! -e "$tmp/x.kml" ] || fail "a failed export left a file"
[ "$(code "$LINESIGHT" export --db "$tmp/s.db" --format kml --out "$tmp/no/such/dir/x.kml")" = 1 ] \
  || fail "unwritable output: want 1"
echo "export: ok"
