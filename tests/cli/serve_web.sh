#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Browser tests of the console (tests/web/console.mjs): starts a server on a
# free loopback port over a small analysed world, runs playwright-core with
# Debian's Chromium against it, stops the server and cleans up. Screenshots
# are kept in $LS_BUILD_DIR/test-artifacts/web. scripts/setup installs
# chromium, node and the npm packages; `make` builds the console
# (scripts/build-web: web/console/dist).
set -euo pipefail
: "${LINESIGHT:?}" "${LS_SRC_DIR:?}"
web_tests="$LS_SRC_DIR/tests/web"
for need in /usr/bin/chromium node; do
  command -v "$need" >/dev/null || { echo "serve_web: $need is missing: run scripts/setup"; exit 1; }
done
[ -d "$web_tests/node_modules/playwright-core" ] ||
  { echo "serve_web: playwright-core is missing: run scripts/setup"; exit 1; }
[ -f "$LS_SRC_DIR/web/console/dist/index.html" ] ||
  { echo "serve_web: the console is not built (web/console/dist): run make or scripts/build-web"; exit 1; }
artifacts="${LS_BUILD_DIR:-$PWD}/test-artifacts/web"
mkdir -p "$artifacts"
tmp=$(mktemp -d)
server_pid=
cleanup() {
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  rm -rf "$tmp"
}
trap cleanup EXIT
cd "$tmp"
db="$tmp/t.db"
pw="correct horse battery"
"$LINESIGHT" simulate --seed 5 --scale 300 --out world >/dev/null 2>&1
"$LINESIGHT" ingest --db "$db" world/*.csv >/dev/null
"$LINESIGHT" analyse --db "$db" --json result.json >/dev/null 2>&1
for u in "nat analyst national" "boss admin national" "officer officer Hampshire" "press press Hampshire" "carer safeguarding Hampshire"; do
  read -r name role force <<<"$u"
  echo "$pw" | "$LINESIGHT" user add --db "$db" --name "$name" --role "$role" --force "$force" >/dev/null
done
top=$(jq -r '.lines[0].id' result.json)
[ -n "$top" ] && [ "$top" != null ] || { echo "serve_web: the analysis found no line"; exit 1; }

"$LINESIGHT" serve --db "$db" --port 0 --bind 127.0.0.1 --web "$LS_SRC_DIR/web" >server.out 2>server.err &
server_pid=$!
for _ in $(seq 1 100); do grep -q 'serving http' server.out 2>/dev/null && break; sleep 0.1; done
port=$(sed -nE 's#.*http://127\.0\.0\.1:([0-9]+)/.*#\1#p' server.out)
[ -n "$port" ] || { echo "serve_web: the server did not start"; cat server.err; exit 1; }

LS_URL="http://127.0.0.1:$port" LS_PASSWORD="$pw" LS_LINE="$top" LS_ARTIFACTS="$artifacts" \
  HOME="$tmp" timeout 300 node "$web_tests/console.mjs"
