#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# The HTTP API against a real server on a loopback port: every route without
# a session (401), every role on every route (403 where it lacks the right),
# another force's records (404), CSRF and Origin checks, SQL metacharacters
# and path traversal in parameters, body and header limits, login rate
# limiting, cookie flags and security headers, and the audit chain (intact,
# then broken by an edited row).
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

# a small synthetic world, analysed into the store
"$LINESIGHT" simulate --seed 11 --scale 300 --out world >/dev/null 2>&1
"$LINESIGHT" ingest --db "$db" world/*.csv >/dev/null
"$LINESIGHT" analyse --db "$db" >/dev/null 2>&1

add_user() { echo "$pw" | "$LINESIGHT" user add --db "$db" --name "$1" --role "$2" --force "$3" >/dev/null; }
add_user boss admin national
add_user nat analyst national
add_user hants analyst Hampshire
add_user kent analyst Kent
add_user officer officer Hampshire
add_user carer safeguarding Hampshire
add_user press press Hampshire

"$LINESIGHT" serve --db "$db" --port 0 --bind 127.0.0.1 --web "$LS_SRC_DIR/web" >server.out 2>server.err &
server_pid=$!
for _ in $(seq 1 100); do grep -q 'serving http' server.out 2>/dev/null && break; sleep 0.1; done
port=$(sed -nE 's#.*http://127\.0\.0\.1:([0-9]+)/.*#\1#p' server.out)
[ -n "$port" ] || { echo "server did not start"; cat server.err; exit 1; }
U="http://127.0.0.1:$port"

# code METHOD PATH [curl args...] -> prints the HTTP status
code() {
  local m=$1 p=$2
  shift 2
  curl -s -o body.json -w '%{http_code}' --path-as-is -X "$m" "$@" "$U$p"
}
expect() { # expect WANT WHAT GOT
  if [ "$1" != "$3" ]; then fail "$2: expected $1, got $3 ($(head -c 200 body.json 2>/dev/null))"; fi
}
login() { # login USER -> cookie jar USER.jar, token in USER.csrf
  local c
  c=$(curl -s -o "$1.login" -w '%{http_code}' -c "$1.jar" -H 'Content-Type: application/json' \
    -d "{\"user\":\"$1\",\"password\":\"$pw\"}" "$U/api/login")
  [ "$c" = 200 ] || { fail "login $1: $c"; return; }
  sed -nE 's/.*"csrf":"([0-9a-f]+)".*/\1/p' "$1.login" >"$1.csrf"
}
for u in boss nat hants kent officer carer press; do login "$u"; done

# ---- cookie and headers --------------------------------------------------
curl -s -D login.headers -o /dev/null -H 'Content-Type: application/json' \
  -d "{\"user\":\"nat\",\"password\":\"$pw\"}" "$U/api/login"
grep -qi '^Set-Cookie: ls_session=[0-9a-f]\{64\}; Path=/; HttpOnly; SameSite=Strict; Max-Age=' login.headers ||
  fail "session cookie flags: $(grep -i set-cookie login.headers)"
for h in "Content-Security-Policy: default-src 'none'; script-src 'self'" "X-Content-Type-Options: nosniff" \
  "X-Frame-Options: DENY" "Referrer-Policy: no-referrer" "Cache-Control: no-store"; do
  grep -qiF "$h" login.headers || fail "header missing: $h"
done
code POST /api/login -H 'Content-Type: application/json' -d "{\"user\":\"nat\",\"password\":\"wrong password\"}" >/dev/null
expect 401 "wrong password" "$(code POST /api/login -H 'Content-Type: application/json' -d '{"user":"nat","password":"wrong password"}')"
expect 415 "login as a form post" "$(code POST /api/login -d "user=nat&password=$pw")"

# ---- the lines to test with ------------------------------------------------
code GET /api/lines -b nat.jar >/dev/null
line=$(sed -nE 's/^[^[]*\[\{"id":"(LS-[0-9]+)".*/\1/p' body.json)
[ -n "$line" ] || { fail "no line in the analysis: $(head -c 300 body.json)"; exit 1; }
# the top line's first destination belongs to Hampshire; Kent polices elsewhere
dest=$(jq -r '.lines[0].destinations[0] // .lines[0].origin' body.json)
"$LINESIGHT" user area --db "$db" --force Hampshire "$dest" >/dev/null
"$LINESIGHT" user area --db "$db" --force Kent "Nowhere-on-the-map" >/dev/null
op="2024-10%20intensification"

# ---- every route: method path permission (must match server_routes.c) -----
routes=(
  "POST /api/login public"
  "POST /api/logout session"
  "GET /api/session session"
  "GET /api/lines lines"
  "GET /api/lines/$line lines"
  "GET /api/lines/$line/network lines"
  "GET /api/lines/$line/map lines"
  "GET /api/safeguarding safeguarding"
  "GET /api/operations operations_read"
  "GET /api/operations/$op/report operations_read"
  "POST /api/operations/$op/results operations_write"
  "POST /api/analyse analyse"
  "GET /api/users admin"
  "POST /api/users admin"
  "GET /api/audit admin"
  "GET /api/audit/verify admin"
  "POST /api/public/reports public"
  "GET /api/reports reports_read"
  "GET /api/intel reports_read"
  "GET /api/intel/$line reports_read"
  "POST /api/intel/$line/grade intel_grade"
  "POST /api/intel/$line/links intel_grade"
  "POST /api/intel/$line/unlink intel_grade"
  "GET /api/messages/plan messages"
  "GET /api/messages/campaigns messages"
  "POST /api/messages/campaigns messages"
  "GET /api/messages/campaigns/$line messages"
  "POST /api/messages/campaigns/$line/approve messages_approve"
  "POST /api/messages/campaigns/$line/cancel messages"
  "GET /api/messages/dnc messages"
  "POST /api/messages/dnc messages"
  "GET /report public"
  "POST /report public"
  "GET / public"
)
# the table above covers every route of the server
tested=$(printf '%s\n' "${routes[@]}" | sed "s#/$line#/*#; s#/$op/#/*/#")
while read -r m p; do
  grep -qF "$m $p " <<<"$tested" || fail "route $m $p is not tested here"
done < <(sed -nE 's/^ *\{"(GET|POST)", "([^"]+)", LS__PERM_[A-Z_]+,.*/\1 \2/p' "$LS_SRC_DIR/src/server/server_routes.c")
[ "$(sed -nE 's/^ *\{"(GET|POST)", "([^"]+)", LS__PERM_[A-Z_]+,.*/x/p' "$LS_SRC_DIR/src/server/server_routes.c" | wc -l)" -eq "${#routes[@]}" ] ||
  fail "route table and test list differ in length"

# no session: 401 on every /api/ path but the public ones
for r in "${routes[@]}"; do
  read -r m p perm <<<"$r"
  case "$p" in /api/*) ;; *) continue ;; esac
  [ "$perm" = public ] && continue
  expect 401 "$m $p without a session" "$(code "$m" "$p" -H 'Content-Type: application/json' -d '{}')"
done
expect 401 "an unknown /api/ path without a session" "$(code GET /api/nothing-here)"
expect 401 "a forged session cookie" "$(code GET /api/lines -b "ls_session=$(printf 'a%.0s' $(seq 64))")"

# role x permission: who may do what (the model of issue 7)
declare -A may=(
  [boss]="session lines safeguarding operations_read operations_write analyse admin reports_read intel_grade messages messages_approve"
  [nat]="session lines safeguarding operations_read analyse reports_read intel_grade messages"
  [officer]="session operations_read operations_write"
  [carer]="session safeguarding"
  [press]="session operations_read"
)
for u in boss nat officer carer press; do
  for r in "${routes[@]}"; do
    read -r m p perm <<<"$r"
    case "$perm" in public | session) continue ;; esac
    args=(-b "$u.jar" -H "X-CSRF-Token: $(cat "$u.csrf")" -H 'Content-Type: application/json' -d '{}')
    [ "$m" = GET ] && args=(-b "$u.jar")
    got=$(code "$m" "$p" "${args[@]}")
    if [[ " ${may[$u]} " == *" $perm "* ]]; then
      [ "$got" = 403 ] && fail "$u ($perm) refused on $m $p"
      [ "$got" = 401 ] && fail "$u signed in but 401 on $m $p"
    else
      expect 403 "$u without $perm on $m $p" "$got"
    fi
  done
done

# ---- data and force scoping -----------------------------------------------
expect 200 "national analyst reads the line" "$(code GET "/api/lines/$line" -b nat.jar)"
grep -q '"timeline"' body.json || fail "line detail has no timeline"
expect 200 "Hampshire analyst reads a Hampshire line" "$(code GET "/api/lines/$line" -b hants.jar)"
expect 404 "Kent analyst reads a Hampshire line" "$(code GET "/api/lines/$line" -b kent.jar)"
expect 404 "Kent analyst reads its network" "$(code GET "/api/lines/$line/network" -b kent.jar)"
expect 404 "Kent analyst reads its map" "$(code GET "/api/lines/$line/map" -b kent.jar)"
code GET /api/lines -b kent.jar >/dev/null
grep -q "\"$line\"" body.json && fail "Kent's line list shows a Hampshire line"
expect 200 "network" "$(code GET "/api/lines/$line/network" -b hants.jar)"
[ "$(jq '.nodes | length' body.json)" -gt 1 ] || fail "network has no nodes"
jq -e '.edges[0] | has("source") and has("target") and has("weight")' body.json >/dev/null || fail "network edges"
jq -e '[.nodes[].role] | index("deal") != null' body.json >/dev/null || fail "network has no deal node"
expect 200 "map" "$(code GET "/api/lines/$line/map" -b hants.jar)"
jq -e '.cells | length > 0' body.json >/dev/null || fail "map has no cells"
expect 404 "a line that does not exist" "$(code GET /api/lines/LS-9999 -b nat.jar)"

# operations: an officer records for their force; others' forces are refused
hdr=(-b officer.jar -H "X-CSRF-Token: $(cat officer.csrf)" -H 'Content-Type: application/json')
expect 201 "officer adds results" "$(code POST "/api/operations/$op/results" "${hdr[@]}" \
  -d '{"records":[{"date":"2024-10-08","kind":"arrest","age_band":"under_18","sex":"male","count":3},
                   {"date":"2024-10-08","kind":"seizure","category":"cash","value_gbp":"1250.50"}]}')"
expect 403 "officer records for another force" "$(code POST "/api/operations/$op/results" "${hdr[@]}" \
  -d '{"records":[{"date":"2024-10-08","kind":"arrest","force":"Kent"}]}')"
expect 400 "an invalid record" "$(code POST "/api/operations/$op/results" "${hdr[@]}" \
  -d '{"records":[{"date":"2024-10-32","kind":"arrest"}]}')"
grep -q '"field":"date"' body.json || fail "invalid record names no field: $(cat body.json)"
expect 200 "report" "$(code GET "/api/operations/$op/report" -b press.jar)"
[ "$(jq '.arrests.total' body.json)" = 3 ] || fail "report arrests: $(head -c 200 body.json)"
[ "$(jq '.cash_gbp' body.json)" = 1250.5 ] || fail "report cash: $(head -c 300 body.json)"
expect 404 "Kent's report of a Hampshire-only operation" "$(code GET "/api/operations/$op/report" -b kent.jar)"
expect 404 "a force user asking for another force's totals" \
  "$(code GET "/api/operations/$op/report?force=Kent" -b press.jar)"

# ---- CSRF and origin --------------------------------------------------------
body='{"records":[{"date":"2024-10-09","kind":"warrant"}]}'
expect 403 "POST without X-CSRF-Token" "$(code POST "/api/operations/$op/results" -b officer.jar -H 'Content-Type: application/json' -d "$body")"
expect 403 "POST with another session's token" "$(code POST "/api/operations/$op/results" -b officer.jar -H "X-CSRF-Token: $(cat nat.csrf)" -H 'Content-Type: application/json' -d "$body")"
expect 403 "POST from another origin" "$(code POST "/api/operations/$op/results" "${hdr[@]}" -H 'Origin: http://evil.example' -d "$body")"
expect 201 "POST with the token, same origin" "$(code POST "/api/operations/$op/results" "${hdr[@]}" -H "Origin: $U" -d "$body")"

# ---- hostile parameters -------------------------------------------------------
for p in "/api/lines/'%20OR%201=1--" "/api/lines/LS-0001%27;DROP%20TABLE%20users;--" \
  "/api/lines/..%2f..%2fetc%2fpasswd" "/api/lines/../../etc/passwd" "/api/lines/%00" \
  "/api/operations/x';DELETE%20FROM%20audit_log;--/report" "/api/operations/..%2F..%2F/report"; do
  got=$(code GET "$p" -b nat.jar)
  case "$got" in 400 | 404) ;; *) fail "hostile path $p answered $got" ;; esac
done
expect 404 "SQL in a query parameter" "$(code GET "/api/operations/$op/report?force='%20OR%20'1'='1" -b press.jar)"
expect 400 "SQL in the audit filter limit" "$(code GET "/api/audit?limit=1;DROP%20TABLE%20users" -b boss.jar)"
expect 200 "SQL in the audit filter actor" "$(code GET "/api/audit?actor=x'%20OR%20'1'='1" -b boss.jar)"
[ "$(jq '.entries | length' body.json)" = 0 ] || fail "audit actor filter matched injected SQL"
for p in /../../etc/passwd /..%2f..%2fetc%2fpasswd /.git/config /web/../README.md "/%2e%2e/%2e%2e/etc/passwd"; do
  got=$(code GET "$p")
  [ "$got" = 404 ] || fail "static path traversal $p answered $got"
done
expect 401 "user list survived" "$(code GET /api/users)"
code GET /api/users -b boss.jar >/dev/null
[ "$(jq '.users | length' body.json)" = 7 ] || fail "users table changed: $(cat body.json)"

# ---- limits --------------------------------------------------------------------
head -c 1100000 /dev/zero | tr '\0' 'a' >big.body
expect 413 "an oversized body" "$(code POST "/api/operations/$op/results" "${hdr[@]}" --data-binary @big.body)"
expect 413 "an oversized body without a session" "$(code POST /api/login -H 'Content-Type: application/json' --data-binary @big.body)"
got=$(code GET /api/session -b nat.jar -H "X-Big: $(head -c 40000 /dev/zero | tr '\0' 'b')")
case "$got" in 413 | 431 | 400) ;; *) fail "oversized headers answered $got" ;; esac

# ---- public reports: no session, nothing identifying kept ----------------------
expect 201 "a public report" "$(code POST /api/public/reports -H 'Content-Type: application/json' \
  -d "{\"category\":\"cuckooing\",\"area\":\"$dest\",\"description\":\"many visitors at odd hours\"}")"
expect 400 "a public report with an unknown category" "$(code POST /api/public/reports -H 'Content-Type: application/json' \
  -d '{"category":"x","area":"y","description":"z"}')"
expect 200 "analyst reads public reports" "$(code GET /api/reports -b hants.jar)"
[ "$(jq '.reports | length' body.json)" = 1 ] || fail "Hampshire does not see the report from its area"
code GET /api/reports -b kent.jar >/dev/null
[ "$(jq '.reports | length' body.json)" = 0 ] || fail "Kent sees a Hampshire report"
expect 200 "public report page" "$(code GET /report)"

# ---- rate limit on failed logins ---------------------------------------------------
for i in $(seq 1 10); do
  code POST /api/login -H 'Content-Type: application/json' -d '{"user":"kent","password":"not the password"}' >/dev/null
done
expect 429 "eleventh failed login" "$(code POST /api/login -H 'Content-Type: application/json' -d "{\"user\":\"kent\",\"password\":\"$pw\"}")"

# ---- logout ---------------------------------------------------------------------------
expect 200 "logout" "$(code POST /api/logout -b hants.jar -H "X-CSRF-Token: $(cat hants.csrf)")"
expect 401 "the session after logout" "$(code GET /api/lines -b hants.jar)"

# ---- the audit trail ---------------------------------------------------------------
# many reads at once go through the group commit (server_audit.c): each one
# is answered only with its entry written, one entry per answer, one chain
code GET /api/audit/verify -b boss.jar >/dev/null
before=$(jq '.entries' body.json)
n=0
tok=$(awk '$6 == "ls_session" { print $7 }' nat.jar)
for i in $(seq 1 60); do printf '%s\n' "$U/api/lines" "$U/api/lines/$line"; done >urls
xargs -P 24 -n 1 curl -s -o /dev/null -w '%{http_code}\n' -H "Cookie: ls_session=$tok" <urls >codes
n=$(grep -c '^200$' codes || true)
[ "$n" = 120 ] || fail "concurrent reads: $n of 120 answered 200 ($(sort codes | uniq -c | tr '\n' ' '))"
expect 200 "audit verify over HTTP" "$(code GET /api/audit/verify -b boss.jar)"
[ "$(jq '.entries' body.json)" = $((before + 120)) ] ||
  fail "concurrent reads: $(jq '.entries' body.json) entries, expected $((before + 120))"
[ "$(jq '.intact' body.json)" = true ] || fail "audit chain not intact: $(cat body.json)"
code GET "/api/audit?record=$line" -b boss.jar >/dev/null
jq -e '[.entries[] | select(.actor == "hants" and .action == "read")] | length > 0' body.json >/dev/null ||
  fail "reading a line was not audited"
kill "$server_pid"
wait "$server_pid" 2>/dev/null || true
server_pid=
"$LINESIGHT" audit verify --db "$db" >verify.out || fail "audit verify of an untouched log: $(cat verify.out)"
"$LINESIGHT" audit show --db "$db" --record kent --action login_failed >show.out
[ "$(wc -l <show.out)" -ge 10 ] || fail "audit show --record kent: $(wc -l <show.out) lines"
sqlite3 "$db" "UPDATE audit_log SET records = 'nothing' WHERE seq = 5"
if "$LINESIGHT" audit verify --db "$db" >verify.out 2>verify.err; then fail "an edited audit row verified"; else
  [ $? -eq 1 ] || fail "audit verify exit code"
fi
grep -q "entry 5" verify.err || fail "verify did not name the edited entry: $(cat verify.err)"

if [ "$fails" -gt 0 ]; then echo "serve_api: $fails failures"; exit 1; fi
echo "serve_api: ok"
