#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Browser tests of the console's intelligence items and diversion texts
# (tests/web/intel_messages.mjs): starts a server on a free loopback port
# over a small analysed world with one child's number among the top line's
# customers, runs the "review" phase (a public report graded and linked and
# seen on the line page; a campaign planned, created by an analyst and
# approved by a supervisor), sends the campaign through a real Kannel with
# its fake SMSC (`linesight message send`: the console cannot send), then
# the "sent" phase (the console shows it delivered). Stops the server and
# Kannel and cleans up. Screenshots in $LS_BUILD_DIR/test-artifacts/web.
set -euo pipefail
: "${LINESIGHT:?}" "${LS_SRC_DIR:?}"
web_tests="$LS_SRC_DIR/tests/web"
for need in /usr/bin/chromium node; do
  command -v "$need" >/dev/null || { echo "serve_intel_web: $need is missing: run scripts/setup"; exit 1; }
done
for b in /usr/sbin/bearerbox /usr/sbin/smsbox /usr/lib/kannel/test/fakesmsc; do
  [ -x "$b" ] || { echo "serve_intel_web: $b is missing: run scripts/setup (kannel, kannel-extras)"; exit 1; }
done
[ -d "$web_tests/node_modules/playwright-core" ] ||
  { echo "serve_intel_web: playwright-core is missing: run scripts/setup"; exit 1; }
[ -f "$LS_SRC_DIR/web/console/dist/index.html" ] ||
  { echo "serve_intel_web: the console is not built (web/console/dist): run make or scripts/build-web"; exit 1; }
artifacts="${LS_BUILD_DIR:-$PWD}/test-artifacts/web"
mkdir -p "$artifacts"
tmp=$(mktemp -d)
server_pid=
kannel=
cleanup() {
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  if [ -n "$kannel" ]; then "$LS_SRC_DIR/scripts/kannel" stop "$kannel" >/dev/null 2>&1 || true; fi
  rm -rf "$tmp"
}
trap cleanup EXIT
cd "$tmp"
db="$tmp/t.db"
pw="correct horse battery"
"$LINESIGHT" simulate --seed 5 --scale 300 --out world >/dev/null 2>&1
"$LINESIGHT" ingest --db "$db" world/*.csv >/dev/null
"$LINESIGHT" analyse --db "$db" --json result.json >/dev/null 2>&1
for u in "nat analyst national" "sue supervisor national" "officer officer Hampshire"; do
  read -r name role force <<<"$u"
  echo "$pw" | "$LINESIGHT" user add --db "$db" --name "$name" --role "$role" --force "$force" >/dev/null
done
top=$(jq -r '.lines[0].id' result.json)
[ -n "$top" ] && [ "$top" != null ] || { echo "serve_intel_web: the analysis found no line"; exit 1; }

# one customer becomes a child (left out of the texts); the browser puts a
# second on the do-not-contact list, written as a UK caller would
"$LINESIGHT" message plan --db "$db" --line "$top" --json >plan0.json
n0=$(jq '.recipients | length' plan0.json)
[ "$n0" -ge 4 ] || { echo "serve_intel_web: too few customers to test with: $n0"; exit 1; }
child=$(jq -r '.recipients[0]' plan0.json)
dnc=$(jq -r '.recipients[1]' plan0.json)
printf 'person_id,dob,sex\nPCHILD1,2010-05-01,male\n' >persons_child.csv
printf 'number,person_id\n%s,PCHILD1\n' "$child" >attr_child.csv
"$LINESIGHT" ingest --db "$db" persons_child.csv attr_child.csv >/dev/null
n=$((n0 - 2))

"$LINESIGHT" serve --db "$db" --port 0 --bind 127.0.0.1 --web "$LS_SRC_DIR/web" >server.out 2>server.err &
server_pid=$!
for _ in $(seq 1 100); do grep -q 'serving http' server.out 2>/dev/null && break; sleep 0.1; done
port=$(sed -nE 's#.*http://127\.0\.0\.1:([0-9]+)/.*#\1#p' server.out)
[ -n "$port" ] || { echo "serve_intel_web: the server did not start"; cat server.err; exit 1; }

browser() { # browser PHASE
  LS_URL="http://127.0.0.1:$port" LS_PASSWORD="$pw" LS_LINE="$top" LS_ARTIFACTS="$artifacts" \
    LS_PHASE="$1" LS_STATE="$tmp/state.json" LS_RECIPIENTS="$n" LS_DNC="${dnc/+44/0}" \
    HOME="$tmp" timeout 300 node "$web_tests/intel_messages.mjs"
}
browser review
campaign=$(jq -r .campaign state.json)

# the console's approved campaign, sent as the operations host would
kannel="$tmp/kannel"
"$LS_SRC_DIR/scripts/kannel" start "$kannel" >/dev/null
"$LINESIGHT" message send --db "$db" --campaign "$campaign" --gateway "$kannel/gateway.conf" >send.out 2>&1 ||
  { echo "serve_intel_web: message send failed"; cat send.out; exit 1; }
got=$("$LS_SRC_DIR/scripts/kannel" count "$kannel")
[ "$got" = "$n" ] || { echo "serve_intel_web: the fake SMSC received $got texts, want $n"; exit 1; }
if "$LS_SRC_DIR/scripts/kannel" received "$kannel" | awk '{print $1}' | grep -xF -e "$child" -e "$dnc" >/dev/null; then
  echo "serve_intel_web: the child or the do-not-contact number was texted"
  exit 1
fi
browser sent
echo "serve_intel_web: ok ($n texts)"
