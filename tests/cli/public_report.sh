#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# The public report page's server side: a report by JSON and by a plain
# form POST (no JavaScript), stored as intelligence items with source
# "public"; nothing identifying kept or logged (no address, user agent or
# cookie, no time of day); oversized, malformed and scripted input refused
# or escaped; the in-memory rate limit; analysts grading (3x5x2) and linking
# items, and another force not seeing them.
set -euo pipefail
: "${LINESIGHT:?}" "${LS_SRC_DIR:?}"
tmp=$(mktemp -d)
server_pid=
cleanup() {
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  rm -rf "$tmp"
}
trap cleanup EXIT
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
cd "$tmp"
db="$tmp/t.db"
pw="correct horse battery"
for u in "hants analyst Hampshire" "kent analyst Kent" "press press Hampshire"; do
  read -r n r f <<<"$u"
  echo "$pw" | "$LINESIGHT" user add --db "$db" --name "$n" --role "$r" --force "$f" >/dev/null
done
"$LINESIGHT" user area --db "$db" --force Hampshire Southampton >/dev/null

"$LINESIGHT" serve --db "$db" --port 0 --bind 127.0.0.1 --web "$LS_SRC_DIR/web" >server.out 2>server.err &
server_pid=$!
for _ in $(seq 1 100); do grep -q 'serving http' server.out 2>/dev/null && break; sleep 0.1; done
port=$(sed -nE 's#.*http://127\.0\.0\.1:([0-9]+)/.*#\1#p' server.out)
[ -n "$port" ] || { echo "server did not start"; cat server.err; exit 1; }
U="http://127.0.0.1:$port"
UA="CanaryAgent/7.7 (linesight-test-ua-4242)"
code() { # code METHOD PATH [curl args] -> status; body in body.out, headers in headers.out
  local m=$1 p=$2
  shift 2
  curl -s -o body.out -D headers.out -w '%{http_code}' -A "$UA" -H 'X-Forwarded-For: 203.0.113.77' -X "$m" "$@" "$U$p"
}
json() { code POST /api/public/reports -H 'Content-Type: application/json' --data-binary "$1"; }
expect() { [ "$1" = "$3" ] || fail "$2: expected $1, got $3 ($(head -c 200 body.out))"; }

# ---- the page, without a session or cookie ---------------------------------------
expect 200 "GET /report" "$(code GET /report)"
grep -q '<form id="report" method="post" action="/report"' body.out || fail "the page has no plain form"
grep -qi '999' body.out || fail "no emergency advice"
grep -qi 'Crimestoppers' body.out || fail "no anonymous-line advice"
grep -c '<label for=' body.out | awk '$1 < 15 {exit 1}' || fail "form controls without labels"
grep -Eq 'src="https?://|href="https?://' body.out && fail "the page loads something from another host"
grep -qi '^set-cookie' headers.out && fail "GET /report set a cookie"

# ---- by JSON (the page's script) ---------------------------------------------------
expect 201 "JSON report" "$(json '{"category":"cuckooing","signs":["visitors_odd_hours","neighbour_not_seen"],"area":"Southampton","postcode":"SO14 7DU","when":"most nights this week","description":"Many visitors at odd hours; the neighbour has not been seen."}')"
grep -qi '^set-cookie' headers.out && fail "the JSON report set a cookie"
expect 201 "JSON report with a map point" "$(json '{"category":"child_travelling_alone","signs":["travelling_alone","cash_or_phones"],"area":"Southampton","lat":50.9,"lon":-1.4,"description":"A boy of about 14 on the 11pm train most nights with two phones."}')"
expect 400 "unknown category" "$(json '{"category":"x","area":"Southampton","description":"z"}')"
expect 400 "unknown sign" "$(json '{"category":"other","signs":["nope"],"area":"Southampton","description":"z"}')"
expect 400 "no description" "$(json '{"category":"other","area":"Southampton"}')"
expect 400 "bad postcode" "$(json '{"category":"other","area":"Southampton","postcode":"NOT A PC","description":"z"}')"
expect 400 "half a map point" "$(json '{"category":"other","area":"Southampton","lat":50,"description":"z"}')"
expect 400 "control characters" "$(json '{"category":"other","area":"South\u0001ampton","description":"z"}')"
expect 400 "malformed JSON" "$(json '{"category":')"
long=$(head -c 4001 /dev/zero | tr '\0' 'a')
expect 400 "description over 4000" "$(json "{\"category\":\"other\",\"area\":\"Southampton\",\"description\":\"$long\"}")"
head -c 1100000 /dev/zero | tr '\0' 'a' >big.txt
expect 413 "body over 1 MiB" "$(code POST /api/public/reports -H 'Content-Type: application/json' --data-binary @big.txt)"

# ---- by plain form POST (no JavaScript) ----------------------------------------------
form() { code POST /report -H 'Content-Type: application/x-www-form-urlencoded' --data-binary "$1"; }
expect 200 "form report" "$(form 'category=drug_dealing&sign=older_friends&sign=cash_or_phones&area=Southampton&postcode=&lat=&lon=&when=Saturday&description=%3Cscript%3Ealert(1)%3C%2Fscript%3E+dealing+by+the+park')"
grep -q 'Thank you' body.out || fail "form: no thank-you page"
grep -qi '^content-type: text/html' headers.out || fail "form: not an HTML answer"
grep -qi '^set-cookie' headers.out && fail "the form report set a cookie"
expect 400 "form with a bad sign" "$(form 'category=other&sign=%3Cb%3Ebad%3C%2Fb%3E&area=Southampton&description=x')"
grep -q '<b>bad' body.out && fail "the error page echoes markup unescaped"
grep -q 'not sent' body.out || fail "form error page"
expect 400 "form without area" "$(form 'category=other&description=x')"
expect 400 "malformed form" "$(form 'category&&=')"
expect 415 "form as text/plain" "$(code POST /report -H 'Content-Type: text/plain' --data-binary 'category=other')"

# ---- nothing identifying stored or logged -----------------------------------------------
sqlite3 "$db" "SELECT COUNT(*) FROM intel_items WHERE source = 'public'" | grep -qx 3 || fail "stored reports: $(sqlite3 "$db" 'SELECT COUNT(*) FROM intel_items')"
sqlite3 "$db" "SELECT received_on FROM intel_items" | grep -qvE '^[0-9]{4}-[0-9]{2}-[0-9]{2}$' && fail "a report keeps more than the day"
sqlite3 "$db" .dump >dump.sql
for canary in 127.0.0.1 203.0.113.77 CanaryAgent linesight-test-ua-4242; do
  grep -q "$canary" dump.sql && fail "the store holds '$canary'"
  cat "$db"* | grep -aq "$canary" && fail "the database files hold '$canary'"
  # (the server's own "serving http://127.0.0.1:PORT/" line is its address, not a client's)
  grep -v '^linesight: serving' server.out server.err | grep -q "$canary" && fail "the server logged '$canary'"
done

# ---- rate limit: 10 a window per client, in memory ------------------------------------
for i in $(seq 1 8); do json '{"category":"other","area":"Southampton","description":"flood"}' >/dev/null; done
expect 429 "eleventh report from one client" "$(json '{"category":"other","area":"Southampton","description":"flood"}')"
grep -qi '^retry-after:' headers.out || fail "429 without Retry-After"
expect 429 "the form is limited too" "$(form 'category=other&area=Southampton&description=x')"

# ---- analysts: list, grade (3x5x2), link; another force sees nothing ----------------------
login() {
  curl -s -o "$1.login" -c "$1.jar" -H 'Content-Type: application/json' \
    -d "{\"user\":\"$1\",\"password\":\"$pw\"}" "$U/api/login" >/dev/null
  sed -nE 's/.*"csrf":"([0-9a-f]+)".*/\1/p' "$1.login" >"$1.csrf"
}
for u in hants kent press; do login "$u"; done
post() { # post USER PATH BODY
  code POST "$2" -b "$1.jar" -H "X-CSRF-Token: $(cat "$1.csrf")" -H 'Content-Type: application/json' -d "$3"
}
expect 200 "list new items" "$(code GET '/api/intel?status=new' -b hants.jar)"
[ "$(jq '.items | length' body.out)" -ge 3 ] || fail "Hampshire sees $(jq '.items | length' body.out) items"
jq -e '[.items[] | select(.description | test("<script>"))] | length == 1' body.out >/dev/null || fail "scripted text not kept as text"
id=$(jq -r '[.items[] | select(.category == "cuckooing")][0].id' body.out)
jq -e '[.items[] | select(.category == "cuckooing")][0] | .signs == ["visitors_odd_hours","neighbour_not_seen"] and .postcode == "SO14 7DU" and .grading == null and .source == "public"' body.out >/dev/null ||
  fail "item fields: $(jq -c '.items[0]' body.out)"
expect 200 "Kent lists" "$(code GET /api/intel -b kent.jar)"
[ "$(jq '.items | length' body.out)" = 0 ] || fail "Kent sees Hampshire's items"
expect 404 "Kent reads a Hampshire item" "$(code GET "/api/intel/$id" -b kent.jar)"
expect 404 "Kent grades a Hampshire item" "$(post kent "/api/intel/$id/grade" '{"source_evaluation":2,"intelligence_assessment":"C","handling_code":"P"}')"
expect 403 "press may not read items" "$(code GET /api/intel -b press.jar)"
expect 400 "grade E is fine but 4 is not" "$(post hants "/api/intel/$id/grade" '{"source_evaluation":4,"intelligence_assessment":"C","handling_code":"P"}')"
expect 400 "assessment F" "$(post hants "/api/intel/$id/grade" '{"source_evaluation":2,"intelligence_assessment":"F","handling_code":"P"}')"
expect 400 "handling C without conditions" "$(post hants "/api/intel/$id/grade" '{"source_evaluation":2,"intelligence_assessment":"C","handling_code":"C"}')"
expect 200 "grade 2C P" "$(post hants "/api/intel/$id/grade" '{"source_evaluation":2,"intelligence_assessment":"C","handling_code":"P"}')"
jq -e '.status == "graded" and .grading.code == "2CP" and .grading.graded_by == "hants"' body.out >/dev/null || fail "grading: $(jq -c .grading body.out)"
expect 200 "link to an address" "$(post hants "/api/intel/$id/links" '{"kind":"address","ref":"A0042"}')"
expect 200 "link to a number" "$(post hants "/api/intel/$id/links" '{"kind":"number","ref":"07700 900123"}')"
expect 200 "link to a line" "$(post hants "/api/intel/$id/links" '{"kind":"line","ref":"LS-0001"}')"
expect 400 "link to a bad kind" "$(post hants "/api/intel/$id/links" '{"kind":"car","ref":"x"}')"
jq -e '[.links[].ref] | sort == ["+447700900123","A0042","LS-0001"]' body.out >/dev/null 2>&1 ||
  { code GET "/api/intel/$id" -b hants.jar >/dev/null; jq -e '[.links[].ref] | sort == ["+447700900123","A0042","LS-0001"]' body.out >/dev/null || fail "links: $(jq -c .links body.out)"; }
expect 200 "items of a line" "$(code GET '/api/intel?kind=line&ref=LS-0001' -b hants.jar)"
[ "$(jq '.items | length' body.out)" = 1 ] || fail "line view items: $(jq '.items | length' body.out)"
expect 200 "items of an address" "$(code GET '/api/intel?kind=address&ref=A0042' -b hants.jar)"
[ "$(jq '.items[0].id' body.out)" = "$id" ] || fail "address view"
expect 200 "unlink" "$(post hants "/api/intel/$id/unlink" '{"kind":"line","ref":"LS-0001"}')"
expect 403 "grading without the CSRF token" "$(code POST "/api/intel/$id/grade" -b hants.jar -H 'Content-Type: application/json' -d '{}')"
expect 200 "the first API's list" "$(code GET /api/reports -b hants.jar)"
[ "$(jq '.reports | length' body.out)" -ge 3 ] || fail "/api/reports"

"$LINESIGHT" audit verify --db "$db" >/dev/null || fail "audit chain"
[ "$fails" = 0 ] || { echo "public_report: $fails failures"; exit 1; }
echo "public_report: ok"
