#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Load benchmark of `linesight serve` (issue 7; figures in docs/performance.md):
#   bench/serve_load.sh          # BENCH_SECONDS=15 per run, BENCH_CONNECTIONS=200
#   BENCH_OUT=dir                # work folder (default bench/out/serve)
#   BENCH_REUSE=1                # reuse the world of an earlier run in BENCH_OUT,
#                                # its store as it was before that run's load
#                                # (back-to-back comparisons start equal)
#   BENCH_PATHS="lines line"     # which runs (default all four)
#   BENCH_CONSOLE=0              # skip the console draw times
# Builds a default-size simulated world (~1.1M events), analyses it, starts
# the server on a loopback port and drives it with wrk (Debian's package,
# installed here when missing, never by make test): the line list and the
# top line's page at 200 concurrent connections, as a national analyst and
# as a force analyst (whose list is cut by the force's areas). Every request
# writes an audit entry; the chain is verified afterwards. Then the console
# draws generated networks in Chromium (bench/console_draw.mjs) and prints
# the draw times.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${LINESIGHT:-${BUILD:-build}/linesight}
SECONDS_PER_RUN=${BENCH_SECONDS:-15}
CONNECTIONS=${BENCH_CONNECTIONS:-200}
OUT=${BENCH_OUT:-bench/out/serve}
[ -x "$BIN" ] || { echo "bench: build linesight first (make), or set LINESIGHT" >&2; exit 2; }
if ! command -v wrk >/dev/null 2>&1; then
  echo "bench: installing wrk"
  sudo_cmd=()
  if [ "$(id -u)" -ne 0 ]; then sudo_cmd=(sudo); fi
  "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends wrk >/dev/null ||
    { "${sudo_cmd[@]}" apt-get update -qq && "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends wrk >/dev/null; }
fi

if [ "${BENCH_REUSE:-0}" != 1 ] || [ ! -f "$OUT/t0.db" ]; then
  rm -rf "$OUT"
  BENCH_REUSE=0
fi
mkdir -p "$OUT"
server_pid=
cleanup() {
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
}
trap cleanup EXIT

pw="bench pass phrase one"
if [ "$BENCH_REUSE" != 1 ]; then
  echo "bench: simulating and analysing the default world"
  "$BIN" simulate --seed 7 --scale 20000 --out "$OUT/world" >/dev/null 2>&1
  "$BIN" ingest --db "$OUT/t.db" "$OUT"/world/*.csv >/dev/null
  "$BIN" analyse --db "$OUT/t.db" --json "$OUT/result.json" >/dev/null 2>&1
  origin=$(jq -r '.lines[0].origin' "$OUT/result.json")
  echo "$pw" | "$BIN" user add --db "$OUT/t.db" --name national --role analyst --force national >/dev/null
  echo "$pw" | "$BIN" user add --db "$OUT/t.db" --name local --role analyst --force Benchshire >/dev/null
  "$BIN" user area --db "$OUT/t.db" --force Benchshire "$origin" >/dev/null
  cp "$OUT/t.db" "$OUT/t0.db"
else
  echo "bench: reusing the world and store in $OUT"
  rm -f "$OUT/t.db-wal" "$OUT/t.db-shm"
  cp "$OUT/t0.db" "$OUT/t.db"
fi
top=$(jq -r '.lines[0].id' "$OUT/result.json")

# a reused folder holds the last run's server.out: gone before the start,
# or the wait below could read the old address (the shell truncates the
# file in the child, after this script has moved on)
rm -f "$OUT/server.out" "$OUT/server.err"
"$BIN" serve --db "$OUT/t.db" --port 0 --bind 127.0.0.1 --web web >"$OUT/server.out" 2>"$OUT/server.err" &
server_pid=$!
for _ in $(seq 1 100); do grep -q 'serving http' "$OUT/server.out" 2>/dev/null && break; sleep 0.1; done
port=$(sed -nE 's#.*http://127\.0\.0\.1:([0-9]+)/.*#\1#p' "$OUT/server.out")
[ -n "$port" ] || { echo "bench: the server did not start" >&2; cat "$OUT/server.err" >&2; exit 1; }
url="http://127.0.0.1:$port"

login() { # user -> session token
  curl -s -c "$OUT/cookies.$1" -H 'Content-Type: application/json' \
    -d "{\"user\":\"$1\",\"password\":\"$pw\"}" "$url/api/login" >/dev/null
  awk '$6 == "ls_session" { print $7 }' "$OUT/cookies.$1"
}

# run NAME USER PATH: wrk at $CONNECTIONS connections; prints one table row
run() {
  local name=$1 token path=$3
  token=$(login "$2")
  [ -n "$token" ] || { echo "bench: $2 could not log in" >&2; exit 1; }
  local code
  code=$(curl -s -o /dev/null -w '%{http_code}' -H "Cookie: ls_session=$token" "$url$path")
  [ "$code" = 200 ] || { echo "bench: $path answered $code" >&2; exit 1; }
  wrk -t2 -c"$CONNECTIONS" -d"${SECONDS_PER_RUN}s" --latency -H "Cookie: ls_session=$token" \
    "$url$path" >"$OUT/wrk.$name" 2>&1
  if grep -q 'Non-2xx' "$OUT/wrk.$name"; then
    echo "bench: $name had failed answers:" >&2
    grep 'Non-2xx' "$OUT/wrk.$name" >&2
    exit 1
  fi
  awk -v name="$name" '
    /^ +50%/ { p50 = $2 } /^ +99%/ { p99 = $2 } /^Requests\/sec/ { rps = $2 }
    /requests in/ { n = $1 } /Socket errors/ { errs = $0 }
    END { printf "%-22s %10s %10s %10s %9s  %s\n", name, p50, p99, rps, n, errs }' "$OUT/wrk.$name"
}

paths=${BENCH_PATHS:-lines line lines-force line-force}
echo "bench: wrk, $CONNECTIONS connections, ${SECONDS_PER_RUN} s each, $(nproc) cores (wrk shares them)"
echo "bench: load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-22s %10s %10s %10s %9s\n' "path" "p50" "p99" "req/s" "requests"
for p in $paths; do
  case $p in
  lines) run "lines (national)" national /api/lines ;;
  line) run "line $top (national)" national "/api/lines/$top" ;;
  lines-force) run "lines (force)" local /api/lines ;;
  line-force) run "line $top (force)" local "/api/lines/$top" ;;
  *) echo "bench: unknown path '$p' in BENCH_PATHS" >&2; exit 2 ;;
  esac
done
echo "bench: load average after: $(cut -d' ' -f1-3 /proc/loadavg)"

"$BIN" audit verify --db "$OUT/t.db" | head -1
echo "bench: audit batches: $(sqlite3 "$OUT/t.db" 'SELECT COUNT(DISTINCT at) FROM audit_log') distinct times for $(sqlite3 "$OUT/t.db" 'SELECT COUNT(*) FROM audit_log') entries"

# the console's network chart at several sizes (Chromium, playwright-core
# from tests/web; scripts/setup installs both)
if [ "${BENCH_CONSOLE:-1}" = 0 ]; then
  echo "bench: console draw times skipped (BENCH_CONSOLE=0)"
elif [ -d tests/web/node_modules/playwright-core ] && [ -x /usr/bin/chromium ] && [ -f web/console/dist/index.html ]; then
  LS_URL="$url" LS_USER=national LS_PASSWORD="$pw" LS_LINE="$top" \
    NODE_PATH=tests/web/node_modules node bench/console_draw.mjs
else
  echo "bench: console draw times skipped (run scripts/setup and make)"
fi
