#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Browser test of the public report page (tests/web/public.mjs) with and
# without JavaScript, against a server on a free loopback port; then checks
# in the store that both reports arrived as intelligence items from the
# public, escaped text kept as text. Screenshots in
# $LS_BUILD_DIR/test-artifacts/web. scripts/setup installs chromium, node
# and the npm package.
set -euo pipefail
: "${LINESIGHT:?}" "${LS_SRC_DIR:?}"
web_tests="$LS_SRC_DIR/tests/web"
for need in /usr/bin/chromium node; do
  command -v "$need" >/dev/null || { echo "public_web: $need is missing: run scripts/setup"; exit 1; }
done
[ -d "$web_tests/node_modules/playwright-core" ] ||
  { echo "public_web: playwright-core is missing: run scripts/setup"; exit 1; }
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
"$LINESIGHT" info --db "$db" >/dev/null
"$LINESIGHT" serve --db "$db" --port 0 --bind 127.0.0.1 --web "$LS_SRC_DIR/web" >server.out 2>server.err &
server_pid=$!
for _ in $(seq 1 100); do grep -q 'serving http' server.out 2>/dev/null && break; sleep 0.1; done
port=$(sed -nE 's#.*http://127\.0\.0\.1:([0-9]+)/.*#\1#p' server.out)
[ -n "$port" ] || { echo "public_web: the server did not start"; cat server.err; exit 1; }
LS_URL="http://127.0.0.1:$port" LS_ARTIFACTS="$artifacts" HOME="$tmp" timeout 300 node "$web_tests/public.mjs"
n=$(sqlite3 "$db" "SELECT COUNT(*) FROM intel_items WHERE source = 'public'")
[ "$n" = 3 ] || { echo "public_web: $n reports stored, want 3"; exit 1; }
sqlite3 "$db" "SELECT signs FROM intel_items WHERE category = 'cuckooing'" | grep -qx 'visitors_odd_hours,neighbour_not_seen' ||
  { echo "public_web: the form's signs were not stored"; exit 1; }
sqlite3 "$db" "SELECT description FROM intel_items" | grep -qF '<script>alert(1)</script>' ||
  { echo "public_web: the scripted text was not kept as text"; exit 1; }
echo "public_web: ok"
