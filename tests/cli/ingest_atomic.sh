#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# An ingest is one transaction: kill -9 after its first file is stored (while
# it reads the second) leaves the store exactly as before, no quarantine file
# names a dataset, and a new ingest of the same files then works.
set -euo pipefail
: "${LINESIGHT:?path to the linesight binary}"
T=$(mktemp -d)
pid=
trap '[ -n "$pid" ] && kill -9 "$pid" 2> /dev/null; rm -rf "$T"' EXIT
cd "$T"
fail() { echo "FAIL: $*" >&2; exit 1; }
# Rows: enough that reading the second file takes far longer than the kill
# (under ASan+UBSan everything is ~3x slower, so fewer suffice).
ROWS=300000
[ "${LS_SANITIZED:-0}" = 1 ] && ROWS=100000
gen() { # ROWS OFFSET: events with distinct numbers and times, one bad row
  awk -v n="$1" -v off="$2" 'BEGIN {
    print "start,type,caller,callee,duration_s";
    for (i = 0; i < n; i++) {
      t = 1727740800 + off + i;
      printf "%s,call,07700%06d,07700%06d,%d\n", strftime("%Y-%m-%dT%H:%M:%SZ", t, 1), (i * 7) % 999999, (i * 13 + 5) % 999999, i % 600;
    }
    print "2024-10-01T00:00:00Z,telex,07700900001,07700900002,1";
  }'
}
gen "$ROWS" 0 > big1.csv
gen "$ROWS" 10000000 > big2.csv
printf 'start,type,caller,callee\n2024-09-01T00:00:00Z,sms,07700900001,07700900002\n' > base.csv
"$LINESIGHT" ingest --db s.db base.csv > /dev/null
before=$("$LINESIGHT" info --db s.db --json)

coproc ING { exec "$LINESIGHT" ingest --db s.db big1.csv big2.csv 2>&1; }
pid=$ING_PID
IFS= read -r line <&"${ING[0]}" || fail "ingest printed nothing"
case "$line" in
  big1.csv:*"stored $ROWS,"*) ;;
  *) fail "unexpected first line: $line" ;;
esac
kill -9 "$pid"
wait "$pid" 2> /dev/null && fail "ingest finished before it was killed"
pid=

after=$("$LINESIGHT" info --db s.db --json)
[ "$after" = "$before" ] || { diff <(echo "$before") <(echo "$after") >&2; fail "store changed by a killed ingest"; }
if ls s.db.quarantine/*.csv > /dev/null 2>&1; then fail "a killed ingest left a quarantine file"; fi

"$LINESIGHT" ingest --db s.db big1.csv big2.csv > out.txt || fail "ingest after the kill"
grep -q "^ingested 2 files .*stored $((2 * ROWS)), duplicate 0, rejected 2" out.txt || fail "$(cat out.txt)"
"$LINESIGHT" info --db s.db --json | grep "\"events\": $((2 * ROWS + 1))," >/dev/null || fail "events after re-ingest"
[ "$(ls s.db.quarantine/*.csv | wc -l)" = 2 ] || fail "quarantine files after re-ingest"
echo "ingest_atomic: ok"
