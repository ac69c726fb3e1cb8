#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# `linesight report`: the published text (exact lines), the section 7 JSON
# (exact totals), a self-contained HTML page, a PDF read back by poppler
# (pdftotext, pdftoppm) and an XLSX opened by openpyxl, from the week-of-action
# fixtures in tests/data/ops/ (four forces and units, BTP and SEROCU among them).
set -euo pipefail
: "${LINESIGHT:?path to the linesight binary}" "${LS_SRC_DIR:?repository root}"
data="$LS_SRC_DIR/tests/data/ops"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
db="$tmp/t.db"
op="2024-10 intensification"
fail() { echo "report.sh: FAIL: $*" >&2; exit 1; }
py=/usr/bin/python3
[ -x "$py" ] || fail "needs /usr/bin/python3 (scripts/setup installs python3-openpyxl)"

"$LINESIGHT" results import --db "$db" "$data/week1_hampshire_tvp.csv" "$data/week1_btp_serocu.csv" \
  "$data/week2_hampshire_btp.csv" > "$tmp/import.out"
grep -qx "$data/week1_btp_serocu.csv: 20 records imported" "$tmp/import.out" || fail "import summary: $(cat "$tmp/import.out")"

# text: exact, line for line
"$LINESIGHT" report --db "$db" --operation "$op" --national > "$tmp/national.txt"
diff -u "$data/expected_national.txt" "$tmp/national.txt" || fail "national text differs"
"$LINESIGHT" report --db "$db" --operation "$op" --force hampshire --format text --out "$tmp/hants.txt"
diff -u "$data/expected_hampshire.txt" "$tmp/hants.txt" || fail "Hampshire text differs"

# json: the section 7 keys, exact totals
"$LINESIGHT" report --db "$db" --operation "$op" --format json > "$tmp/all.json"
"$py" - "$tmp/all.json" <<'PY' || fail "json totals"
import json, sys
r = json.load(open(sys.argv[1]))
for k in ["operation", "forces", "arrests", "safeguarded", "warrants", "stop_searches", "cash_gbp", "phones",
          "weapons", "drugs", "other_items", "visits", "lines_closed", "messages_sent", "networks_disrupted"]:
    assert k in r, k
assert r["forces"] == ["BTP", "Hampshire", "SEROCU", "Thames Valley"], r["forces"]
assert r["arrests"] == {"total": 28, "under_18": 9, "male": 23, "female": 4, "adult": 19}, r["arrests"]
assert r["safeguarded"] == {"total": 11, "adult_male": 2, "adult_female": 3, "juvenile": 6}
assert r["stop_searches"] == {"total": 18, "out_of_area": 10}
assert r["cash_gbp"] == 154972.5 and r["cash_pence"] == 15497250, r["cash_gbp"]
assert r["weapons"] == {"total": 7, "by_type": {"knife": 3, "machete": 2, "firearm": 1, "zombie knife": 1}}
d = {x["drug"]: x for x in r["drugs"]}
assert d["crack"]["wraps"] == 299 and d["crack"]["value_gbp"] == 600.0 and d["crack"]["weight_g"] == 12.25
assert d["cocaine"]["weight_g"] == 1250.125 and d["cocaine"]["unquantified_items"] == 1
assert d["ketamine"] == {"drug": "ketamine", "value_gbp": None, "weight_g": None, "wraps": None,
                         "unquantified_items": 2, "seizures": 2, "value_pence": None, "weight_mg": None}
o = {x["item"]: x for x in r["other_items"]}
assert o["Rolex watch"]["count"] == 4 and o["Rolex watch"]["value_gbp"] == 8000.0
assert r["visits"] == {"cuckooed_address": 11, "school": 4, "landlord": 5, "vehicle_check": 12}
assert (r["lines_closed"], r["messages_sent"], r["networks_disrupted"], r["warrants"]) == (8, 750, 2, 13)
assert "by_force" not in r
PY
"$LINESIGHT" report --db "$db" --operation "$op" --force BTP --format json > "$tmp/btp.json"
"$py" - "$tmp/btp.json" <<'PY' || fail "json for one force"
import json, sys
r = json.load(open(sys.argv[1]))
assert r["forces"] == ["BTP"] and r["arrests"]["under_18"] == 4 and r["cash_gbp"] == 1250.5, r
PY
"$LINESIGHT" report --db "$db" --operation "$op" --national --format json > "$tmp/nat.json"
"$py" - "$tmp/nat.json" <<'PY' || fail "json national shares"
import json, sys
r = json.load(open(sys.argv[1]))
f = {x["force"]: x for x in r["by_force"]}
assert sorted(f) == ["BTP", "Hampshire", "SEROCU", "Thames Valley"]
assert sum(x["arrests"]["total"] for x in f.values()) == r["arrests"]["total"]
assert sum(x["cash_pence"] for x in f.values()) == r["cash_pence"]
assert f["Hampshire"]["share"]["arrests"] == 0.4286, f["Hampshire"]["share"]
PY

# html: self-contained, with the figures and the three charts
"$LINESIGHT" report --db "$db" --operation "$op" --national --format html --out "$tmp/r.html"
for want in "28 arrests, including 9 aged under 18" "£154,972.50 in cash seized" "4 Rolex watches: 1 valued at £8,000" \
            "Seizures by type" "Arrests by age band" "by force" "<svg"; do
  grep -qF "$want" "$tmp/r.html" || fail "html lacks '$want'"
done
if grep -qE 'src=|href=|url\(|<script|<link' "$tmp/r.html"; then fail "html refers to something outside itself"; fi

# pdf: read back by poppler, and rendered
"$LINESIGHT" report --db "$db" --operation "$op" --national --format pdf --out "$tmp/r.pdf"
head -c 5 "$tmp/r.pdf" | grep '%PDF-' >/dev/null || fail "not a PDF"
command -v pdftotext >/dev/null || fail "needs pdftotext (poppler-utils; scripts/setup installs it)"
pdftotext -layout "$tmp/r.pdf" "$tmp/r.txt"
for want in "28 arrests, including 9 aged under 18" "£154,972.50 in cash seized" "Seizures by type" \
            "Arrests by age band" "Arrests and people safeguarded by force" "SEROCU" "64.5%"; do
  grep -qF "$want" "$tmp/r.txt" || fail "pdf text lacks '$want'"
done
pdftoppm -png -r 40 -f 1 -l 1 "$tmp/r.pdf" "$tmp/page"
[ -s "$tmp/page-1.png" ] || fail "pdf page did not render"

# xlsx: opened by a reader that is not ours
"$LINESIGHT" report --db "$db" --operation "$op" --format xlsx --out "$tmp/r.xlsx"
unzip -l "$tmp/r.xlsx" | grep 'xl/worksheets/sheet2.xml' >/dev/null || fail "xlsx lacks two sheets"
"$py" - "$tmp/r.xlsx" <<'PY' || fail "xlsx contents"
import sys, openpyxl
wb = openpyxl.load_workbook(sys.argv[1])
assert wb.sheetnames == ["Totals", "Records"], wb.sheetnames
t = {row[0]: row[1] for row in wb["Totals"].iter_rows(values_only=True) if row[0]}
assert t["Arrests"] == 28 and t["People safeguarded"] == 11, t
assert abs(t["Cash seized (GBP)"] - 154972.5) < 1e-9
rec = list(wb["Records"].iter_rows(values_only=True))
assert rec[0][:4] == ("operation", "force", "date", "kind"), rec[0]
assert len(rec) == 1 + 61, len(rec)
PY

# compare two weeks of action
"$LINESIGHT" report --db "$db" --compare "$op" "2025-03 intensification" > "$tmp/cmp.txt"
grep -qE '^arrests +28 +18  -10 \(-35\.7%\)$' "$tmp/cmp.txt" || fail "compare: $(cat "$tmp/cmp.txt")"
"$LINESIGHT" report --db "$db" --compare "$op" "2025-03 intensification" --format json > "$tmp/cmp.json"
"$py" - "$tmp/cmp.json" <<'PY' || fail "compare json"
import json, sys
c = {x["measure"]: x for x in json.load(open(sys.argv[1]))["changes"]}
assert (c["arrests"]["before"], c["arrests"]["after"], c["arrests"]["change"]) == (28, 18, -10)
assert c["cash_gbp"]["before_pence"] == 15497250 and c["cash_gbp"]["after_pence"] == 1250000
PY

# usage and lookup errors: exit 2 with one clear line
set +e
"$LINESIGHT" report --db "$db" --operation "no such week" 2> "$tmp/err"; rc=$?
[ $rc -eq 2 ] && grep -q "no results recorded for operation 'no such week'" "$tmp/err" || fail "unknown operation: rc=$rc $(cat "$tmp/err")"
"$LINESIGHT" report --db "$db" --operation "$op" --format pdf 2> "$tmp/err"; rc=$?
[ $rc -eq 2 ] && grep -q -- "--out" "$tmp/err" || fail "pdf without --out: rc=$rc"
"$LINESIGHT" report --db "$db" --operation "$op" --force BTP --national 2> "$tmp/err"; rc=$?
[ $rc -eq 2 ] || fail "--force with --national: rc=$rc"
"$LINESIGHT" report --db "$db" --operation "$op" --format docx 2> "$tmp/err"; rc=$?
[ $rc -eq 2 ] || fail "unknown format: rc=$rc"
set -e
echo "report.sh: ok"
