#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# linesight demo ingests the bundled sample into a fresh store and shows it.
set -euo pipefail
: "${LINESIGHT:?path to the linesight binary}"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
TMPDIR=$T LS_DEMO_DATA="$LS_SRC_DIR/tests/data" "$LINESIGHT" demo > "$T/out" || fail "demo exit $?"
grep -q 'sample_events.csv *events *read 565, stored 560, duplicate 1, rejected 4' "$T/out" || { cat "$T/out"; fail "demo ingest line"; }
grep -q '^events  *560 ' "$T/out" || fail "demo store summary"
db=$(ls "$T"/linesight-demo-*/linesight.db)
"$LINESIGHT" info --db "$db" --json | grep '"datasets": 5,' >/dev/null || fail "demo datasets"
echo "demo: ok"
