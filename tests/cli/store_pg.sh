#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# The PostgreSQL store, end to end, on a throwaway cluster (scripts/pg-test:
# initdb + pg_ctl in a temporary directory on 127.0.0.1, removed afterwards):
#  1. every generic store test (test_store_backends) on PostgreSQL;
#  2. `--db postgresql://...` for ingest, info, analyse, user, audit and
#     serve, with the same analysis result as on SQLite;
#  3. two concurrent ingests of overlapping files: no event lost or doubled.
set -euo pipefail
: "${LINESIGHT:?}" "${LS_SRC_DIR:?}" "${LS_BUILD_DIR:?}"
fail() { echo "FAIL: $*" >&2; exit 1; }

if [ -z "${LS_PG_URI:-}" ]; then
  # re-run this script inside a cluster of its own
  exec "$LS_SRC_DIR/scripts/pg-test" run bash "$0" "$@"
fi

tmp=$(mktemp -d)
server_pid=
cleanup() {
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  rm -rf "$tmp"
}
trap cleanup EXIT
cd "$tmp" # the PostgreSQL ingest writes its quarantine files to the working directory

# --- 1. the generic store tests -------------------------------------------
unit="$LS_BUILD_DIR/tests/test_store_backends"
[ -x "$unit" ] || fail "$unit not built"
LS_STORE_BACKEND=postgresql "$unit" >"$tmp/unit.txt" 2>&1 || { cat "$tmp/unit.txt"; fail "store tests on PostgreSQL"; }

# --- 2. the commands on PostgreSQL and on SQLite ---------------------------
"$LINESIGHT" simulate --seed 11 --scale 200 --days 7 --out "$tmp/sim" >/dev/null
files=("$tmp/sim/events.csv" "$tmp/sim/cells.csv" "$tmp/sim/persons.csv" "$tmp/sim/attributions.csv"
       "$tmp/sim/addresses.csv")
"$LINESIGHT" ingest --db "$LS_PG_URI" "${files[@]}" >"$tmp/ingest_pg.txt" || fail "ingest into PostgreSQL"
"$LINESIGHT" ingest --db "$tmp/s.db" "${files[@]}" >"$tmp/ingest_sq.txt" || fail "ingest into SQLite"
"$LINESIGHT" info --db "$LS_PG_URI" --json >"$tmp/info_pg.json" || fail "info on PostgreSQL"
"$LINESIGHT" info --db "$tmp/s.db" --json >"$tmp/info_sq.json" || fail "info on SQLite"
grep -q '"backend": "postgresql"' "$tmp/info_pg.json" || fail "info: backend is not postgresql"
password=$(sed -n 's|^postgresql://[^:]*:\([^@]*\)@.*|\1|p' <<<"$LS_PG_URI")
[ -n "$password" ] || fail "test URI has no password to look for"
if grep -q "$password" "$tmp/info_pg.json" "$tmp/ingest_pg.txt"; then fail "the password is printed"; fi
for key in events numbers datasets rejected; do
  a=$(grep -m1 "\"$key\":" "$tmp/info_pg.json") || fail "info: no $key"
  b=$(grep -m1 "\"$key\":" "$tmp/info_sq.json")
  [ "$a" = "$b" ] || fail "info differs between backends: $a vs $b"
done
events=$(sed -n 's/^  "events": \([0-9]*\),$/\1/p' "$tmp/info_pg.json")
[ "${events:-0}" -gt 1000 ] || fail "too few events stored: ${events:-none}"

"$LINESIGHT" analyse --db "$LS_PG_URI" --json "$tmp/r_pg.json" >/dev/null || fail "analyse on PostgreSQL"
"$LINESIGHT" analyse --db "$tmp/s.db" --json "$tmp/r_sq.json" >/dev/null || fail "analyse on SQLite"
# identical results, apart from the time each was generated
diff <(grep -v '"generated":' "$tmp/r_pg.json") <(grep -v '"generated":' "$tmp/r_sq.json") >/dev/null ||
  fail "analysis results differ between PostgreSQL and SQLite"

echo "correct horse battery staple" | "$LINESIGHT" user add --db "$LS_PG_URI" --name ana --role analyst --force Kent \
  >/dev/null || fail "user add on PostgreSQL"
"$LINESIGHT" audit verify --db "$LS_PG_URI" >/dev/null || fail "audit verify on PostgreSQL"

# serve on PostgreSQL: a login works (tests/cli/serve_api.sh covers the API)
"$LINESIGHT" serve --db "$LS_PG_URI" --port 0 --bind 127.0.0.1 --web "$LS_SRC_DIR/web" >serve.out 2>serve.err &
server_pid=$!
for _ in $(seq 1 100); do grep -q 'serving http' serve.out 2>/dev/null && break; sleep 0.1; done
port=$(sed -nE 's#.*http://127\.0\.0\.1:([0-9]+)/.*#\1#p' serve.out)
[ -n "$port" ] || { cat serve.err; fail "serve on PostgreSQL did not start"; }
code=$(curl -s -o login.json -w '%{http_code}' -H 'Content-Type: application/json' \
  -d '{"user":"ana","password":"correct horse battery staple"}' "http://127.0.0.1:$port/api/login")
[ "$code" = 200 ] || fail "login through serve on PostgreSQL: HTTP $code $(head -c 200 login.json)"
code=$(curl -s -o login.json -w '%{http_code}' -H 'Content-Type: application/json' \
  -d '{"user":"ana","password":"wrong"}' "http://127.0.0.1:$port/api/login")
[ "$code" = 401 ] || fail "a wrong password through serve on PostgreSQL: HTTP $code"
kill "$server_pid"
wait "$server_pid" 2>/dev/null || true
server_pid=

# --- 3. two ingests at once, of files that share a fifth of their events ---
psql -q -X "$LS_PG_URI" -c "CREATE SCHEMA conc" >/dev/null || fail "cannot create a schema"
sep='?'
if [[ $LS_PG_URI == *\?* ]]; then sep='&'; fi
conc="$LS_PG_URI${sep}options=-csearch_path%3Dconc"
n=$(($(wc -l <"$tmp/sim/events.csv") - 1))
part=$((n * 6 / 10))
sed -n "1p;2,$((part + 1))p" "$tmp/sim/events.csv" >"$tmp/a.csv"
sed -n "1p;$((n - part + 2)),\$p" "$tmp/sim/events.csv" >"$tmp/b.csv"
"$LINESIGHT" ingest --db "$conc" "$tmp/a.csv" >"$tmp/ca.txt" 2>&1 &
pa=$!
"$LINESIGHT" ingest --db "$conc" "$tmp/b.csv" >"$tmp/cb.txt" 2>&1 &
pb=$!
ra=0 rb=0
wait $pa || ra=$?
wait $pb || rb=$?
[ $ra -eq 0 ] && [ $rb -eq 0 ] || { cat "$tmp/ca.txt" "$tmp/cb.txt"; fail "concurrent ingests exited $ra and $rb"; }
both=$("$LINESIGHT" info --db "$conc" --json | sed -n 's/^  "events": \([0-9]*\),$/\1/p')
[ "$both" = "$events" ] || fail "concurrent ingests stored $both events, one ingest of the whole file $events"
stored() { sed -n 's/.*events, read [0-9]*, stored \([0-9]*\),.*/\1/p' "$1"; }
[ $(($(stored "$tmp/ca.txt") + $(stored "$tmp/cb.txt"))) -eq "$events" ] ||
  fail "the two ingests' stored counts do not add up to $events"
echo "store_pg: ok ($events events; store tests, commands and concurrent ingests on PostgreSQL)"
