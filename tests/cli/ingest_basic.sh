#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# linesight ingest / info: counts, exact quarantine content, duplicate file
# refused, the same event in two files stored once, wrong file type refused
# with nothing stored, reference tables, unsupported formats.
set -euo pipefail
: "${LINESIGHT:?path to the linesight binary}"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
cd "$T"
fail() { echo "FAIL: $*" >&2; exit 1; }
# json KEY: integer value of a top-level key in info --json
json() { "$LINESIGHT" info --db "$T/s.db" --json | sed -n "s/^  \"$1\": \([0-9]*\),\{0,1\}$/\1/p"; }
expect_exit() { # CODE CMD...
  local want=$1 got=0
  shift
  "$@" > "$T/out" 2> "$T/err" || got=$?
  [ "$got" = "$want" ] || { cat "$T/out" "$T/err" >&2; fail "exit $got, wanted $want: $*"; }
}

# a caller's return: 6 good rows (one twice), 3 bad ones
cat > a.csv <<'CSV'
start,type,caller,callee,duration_s,caller_cell
2024-10-07T13:45:12Z,call,07700 900123,+44 7700 900456,65,C1
2024-10-07T13:50:00Z,sms,07700 900123,447700900789,,C1
2024-10-07T14:00:00+01:00,call,+44 (0)7700 900123,07700900456,0,C2
2024-10-07 15:00:00,mms,07700900123,07700900456,0,
2024-10-07T16:00:00Z,fax,07700 900123,07700 900456,0,C1
2024-10-07T13:45:12Z,call,07700 900123,+44 7700 900456,65,C9
2024-10-07T17:00:00Z,call,07700 900123,"07700, 900456",30,C1
2024-10-07T18:00:00Z,call,07700 900123,07700 900456,-3,C1
2024-10-08T09:00:00Z,call,07700 900456,07700 900123,12,C3
CSV
expect_exit 0 "$LINESIGHT" ingest --db "$T/s.db" a.csv
grep -q '^a.csv: events, read 9, stored 5, duplicate 1, rejected 3' "$T/out" || { cat "$T/out"; fail "summary of a.csv"; }
[ "$(json events)" = 5 ] || fail "events: $(json events)"
[ "$(json numbers)" = 3 ] || fail "numbers: $(json numbers)"
[ "$(json datasets)" = 1 ] || fail "datasets"
[ "$(json rejected)" = 3 ] || fail "rejected"
q=$(ls "$T"/s.db.quarantine/a.csv.*.csv)
cat > want.csv <<'CSV'
file,line,reason,record
a.csv,6,"type: not call, sms or mms ('fax')","2024-10-07T16:00:00Z,fax,07700 900123,07700 900456,0,C1"
a.csv,8,"callee: not a phone number ('07700, 900456')","2024-10-07T17:00:00Z,call,07700 900123,""07700, 900456"",30,C1"
a.csv,9,duration_s: negative duration ('-3'),"2024-10-07T18:00:00Z,call,07700 900123,07700 900456,-3,C1"
CSV
diff want.csv "$q" || fail "quarantine content"
[ "$(stat -c %a "$q")" = 600 ] || fail "quarantine file mode"
"$LINESIGHT" info --db "$T/s.db" --json | grep "\"quarantine\": \"$q\"" >/dev/null || fail "dataset names its quarantine file"

# the same file again: refused, exit 2, nothing changes
before=$("$LINESIGHT" info --db "$T/s.db" --json)
expect_exit 2 "$LINESIGHT" ingest --db "$T/s.db" a.csv
grep -q 'already ingested as dataset 1' "$T/err" || fail "duplicate file message: $(cat "$T/err")"
[ "$("$LINESIGHT" info --db "$T/s.db" --json)" = "$before" ] || fail "store changed by a refused file"

# the callee's return holds the same call (another cell) and one new event
cat > b.csv <<'CSV'
type,start,callee,caller,duration_s,callee_cell
call,2024-10-07T13:45:12Z,+447700900456,07700900123,65,C5
sms,2024-10-09T10:00:00Z,07700 900123,07700 900456,0,C5
CSV
expect_exit 0 "$LINESIGHT" ingest --db "$T/s.db" b.csv
grep -q '^b.csv: events, read 2, stored 1, duplicate 1, rejected 0' "$T/out" || fail "summary of b.csv: $(cat "$T/out")"
[ "$(json events)" = 6 ] || fail "events after b.csv"
[ -z "$(ls "$T"/s.db.quarantine/b.csv.* 2>/dev/null)" ] || fail "quarantine file for a clean file"

# wrong file types: refused with exit 2, nothing stored, even with a good file first
before=$("$LINESIGHT" info --db "$T/s.db" --json)
printf '\x89PNG\r\n\x1a\n\0\0\0\rIHDR' > pic.png
printf 'name,colour\nx,blue\n' > other.csv
printf 'start,type,caller,callee\n2024-11-01T00:00:00Z,call,07700900001,07700900002\n' > c.csv
for bad in pic.png other.csv . missing.csv; do
  expect_exit 2 "$LINESIGHT" ingest --db "$T/s.db" c.csv "$bad"
  grep -q "nothing stored" "$T/err" || fail "rollback message for $bad"
  [ "$("$LINESIGHT" info --db "$T/s.db" --json)" = "$before" ] || fail "store changed by $bad"
done
grep -q "header not recognised" <("$LINESIGHT" ingest --db "$T/s.db" other.csv 2>&1) || fail "wrong header message"

# reference tables told apart by header, in one ingest
printf 'cell_id,lat,lon\nC1,51.26,-1.09\nC2,51.27,-1.10\nC3,north,-1.1\n' > cells.csv
printf 'person_id,dob,sex,flags\nP1,2008-11-19,M,looked_after\n' > persons.csv
printf 'number,person_id\n07700 900123,P1\n' > attributions.csv
printf 'address_id,lat,lon,occupant\nA1,51.26,-1.08,P1\n' > addresses.csv
expect_exit 0 "$LINESIGHT" ingest --db "$T/s.db" cells.csv persons.csv attributions.csv addresses.csv
grep -q '^cells.csv: cells, read 3, stored 2, duplicate 0, rejected 1' "$T/out" || fail "cells summary: $(cat "$T/out")"
for k in cells:2 persons:1 attributions:1 addresses:1 datasets:6 rejected:4; do
  [ "$(json "${k%%:*}")" = "${k#*:}" ] || fail "$k: $(json "${k%%:*}")"
done

# bandicoot files are not stored (usage error naming the indicators command);
# unknown formats are usage errors
expect_exit 2 "$LINESIGHT" ingest --db "$T/s.db" --format bandicoot c.csv
grep -q "indicators --bandicoot" "$T/err" || fail "bandicoot message"
expect_exit 2 "$LINESIGHT" ingest --db "$T/s.db" --format xml c.csv
expect_exit 2 "$LINESIGHT" ingest --db "$T/s.db"
expect_exit 2 "$LINESIGHT" ingest --db "$T/s.db" --tz Mars/Olympus c.csv

# a NUL byte inside a field rejects that row only, quarantined byte for byte
# (it once aborted the whole ingest: "cannot store the dictionaries")
printf 'start,type,caller,callee,duration_s,caller_cell\n2024-10-10T12:00:00Z,sms,07700900001,07700900002,0,C1\0X\n2024-10-10T12:00:01Z,sms,07700900001,07700900003,0,C2\n' > nul.csv
"$LINESIGHT" ingest --db "$T/nul.db" nul.csv > "$T/out" 2>&1 || fail "ingest of a file with a NUL byte: $(cat "$T/out")"
grep -q '^nul.csv: events, read 2, stored 1, duplicate 0, rejected 1' "$T/out" || fail "NUL summary: $(cat "$T/out")"
qn=$(ls "$T"/nul.db.quarantine/nul.csv.*.csv)
printf 'file,line,reason,record\nnul.csv,2,malformed CSV record: NUL byte in the record (field 6),"2024-10-10T12:00:00Z,sms,07700900001,07700900002,0,C1\0X"\n' > want_nul.csv
cmp want_nul.csv "$qn" || fail "NUL quarantine content"

# human info lists the datasets
"$LINESIGHT" info --db "$T/s.db" > info.txt
grep -q '^events  *6 (2024-10-07T13:00:00Z to 2024-10-09T10:00:00Z)' info.txt || { cat info.txt; fail "human info"; }
grep -q '#6 addresses' info.txt || fail "dataset list"
echo "ingest_basic: ok"
