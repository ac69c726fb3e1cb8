#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Hostile strings through every export: cell names and areas (which become
# the lines' origins) and attribution sources with quotes, <, &, commas, tabs,
# line ends (LF and CRLF) and non-ASCII text. Each format must still parse in
# its reader (networkx, openpyxl, ogrinfo, csv, ElementTree) and give the
# strings back exactly.
set -euo pipefail
: "${LINESIGHT:?}"
: "${LS_SRC_DIR:?}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
py=/usr/bin/python3
"$py" -c 'import networkx, openpyxl' 2>/dev/null || fail "python3-networkx and python3-openpyxl are needed (scripts/setup)"
command -v ogrinfo >/dev/null || fail "ogrinfo is needed: gdal-bin (scripts/setup)"

"$LINESIGHT" simulate --seed 3 --scale 2000 --days 7 --out "$tmp/w" >/dev/null 2>&1 || fail "simulate"
"$py" - "$tmp/w" "$tmp/spec.json" <<'EOF'
import csv, json, os, sys
w, spec = sys.argv[1:3]
SUFFIX = ' "quoted" <tag> & amp;, comma\nnew line\r\ncrlf\ttab \u00e9 \U0001F686 ]]> --> =1+1'
AREA = ' "<&>",\nnorth'
SOURCE = 'intel "x" <y> & z,\nw'
def rewrite(name, fix):
    path = os.path.join(w, name)
    with open(path, newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    with open(path, "w", newline="", encoding="utf-8") as f:
        out = csv.DictWriter(f, fieldnames=list(rows[0].keys()))
        out.writeheader()
        for r in rows:
            fix(r)
            out.writerow(r)
def cell(r):
    r["name"] = r["cell_id"] + SUFFIX
    r["area"] = r["area"] + AREA
def attribution(r):
    if r["source"] == "intelligence":
        r["source"] = SOURCE
rewrite("cells.csv", cell)
rewrite("attributions.csv", attribution)
json.dump({"cell_suffix": SUFFIX, "source": SOURCE, "area_suffix": AREA}, open(spec, "w"))
EOF
"$LINESIGHT" ingest --db "$tmp/s.db" "$tmp/w"/*.csv >/dev/null 2>&1 || fail "ingest"
"$LINESIGHT" analyse --db "$tmp/s.db" --json "$tmp/r.json" >/dev/null 2>&1 || fail "analyse"
# the first line's origin is a hostile area name
"$py" - "$tmp/r.json" "$tmp/spec.json" <<'EOF' || fail "the analysis did not carry the hostile area into an origin"
import json, sys
r, spec = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
origin = r["lines"][0]["origin"]
assert origin.endswith(spec["area_suffix"]), origin
spec["origin"] = origin
json.dump(spec, open(sys.argv[2], "w"))
EOF
mkdir "$tmp/out"
"$LINESIGHT" export --db "$tmp/s.db" --format i2 --out "$tmp/out/x.csv" 2>/dev/null || fail "export i2"
for f in graphml gexf geojson kml xlsx; do
  "$LINESIGHT" export --db "$tmp/s.db" --format $f --out "$tmp/out/x.$f" 2>/dev/null || fail "export $f"
done
"$py" "$LS_SRC_DIR/tests/cli/export_check.py" --result "$tmp/r.json" --world "$tmp/w" --out "$tmp/out/x" \
  --hostile "$tmp/spec.json" || fail "hostile strings did not survive the exports"
echo "export_escaping: ok"
