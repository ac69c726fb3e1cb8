#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Analysis benchmark (issue 4; figures go to docs/performance.md):
#   bench/bench_analysis.sh [EVENTS.csv]    # default: the ingest bench's 10M file
# On the same file, from the page cache:
#   1. DuckDB (npm @duckdb/node-api, 2 threads): a per-number feature table
#      straight from the CSV (bench/duckdb_features.mjs);
#   2. linesight analyse FILE.csv --timings: load (CSV reader) and analysis
#      (features + scoring + continuity + roles + later stages), wall and
#      CPU, the feature stage's wall time, the analysis's peak memory over
#      the loaded events, and the whole run's peak RSS;
#   3. linesight analyse --db (after an ingest): the same from the store.
# Prints the figures and the ratios against DuckDB, by wall time and by CPU
# time (on a shared, loaded machine the CPU ratio is the steadier one).
# Not part of make test.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${LINESIGHT:-${BUILD:-build}/linesight}
OUT=bench/out
mkdir -p "$OUT"
CSV=${1:-bench/data/events_10000000.csv}
[ -x "$BIN" ] || { echo "bench: build linesight first (make), or set LINESIGHT" >&2; exit 2; }
if [ ! -s "$CSV" ]; then
  echo "bench: $CSV missing; run bench/run once (it generates the 10M-row file)" >&2
  exit 2
fi
cat "$CSV" > /dev/null
ROWS=$(($(wc -l < "$CSV") - 1))
echo "bench: $CSV: $ROWS rows, $(nproc) cores, load average $(cut -d' ' -f1 /proc/loadavg)"

duck=""
if [ -d bench/node_modules/@duckdb/node-api ]; then
  (cd bench && /usr/bin/time -f "%U %S" -o "out/time.duckfeat" node duckdb_features.mjs "../$CSV" 2) \
    > "$OUT/log.duckfeat" 2>&1 || true
  duck=$(awk '/duckdb_seconds/ {print $2}' "$OUT/log.duckfeat")
  duck_cpu=$(awk '{print $1 + $2}' "$OUT/time.duckfeat" 2>/dev/null || true)
  echo "duckdb features: ${duck:-failed} s, cpu ${duck_cpu:-?} s for the whole node process" \
    "($(awk '/duckdb_numbers/ {print $2}' "$OUT/log.duckfeat") numbers)"
else
  echo "bench: DuckDB not installed (run bench/run once); skipped"
fi

/usr/bin/time -f "%e %M %U %S" -o "$OUT/time.analyse" "$BIN" analyse "$CSV" --timings --top 0 \
  --json "$OUT/analysis.json" > /dev/null 2> "$OUT/log.analyse"
grep -E "events: load|stages" "$OUT/log.analyse"
read -r wall rss usr sys < "$OUT/time.analyse"
cpu=$(awk -v u="$usr" -v s="$sys" 'BEGIN {print u + s}')
feat=$(sed -n 's/.*features \([0-9.]*\) s.*/\1/p' "$OUT/log.analyse")
echo "linesight analyse (CSV): wall $wall s, cpu $cpu s, peak RSS $((rss / 1024)) MB" \
  "($(awk -v r="$rss" -v n="$ROWS" 'BEGIN {printf "%.0f", r * 1024 / n}') bytes/event, input included)"

if [ "${BENCH_STORE:-1}" = 1 ]; then
  rm -f "$OUT"/an.db "$OUT"/an.db-* "$OUT"/an.db.quarantine
  "$BIN" ingest --db "$OUT/an.db" "$CSV" > /dev/null 2>&1
  /usr/bin/time -f "%e %M" -o "$OUT/time.analysedb" "$BIN" analyse --db "$OUT/an.db" --timings --top 0 \
    > /dev/null 2> "$OUT/log.analysedb"
  grep "events: load" "$OUT/log.analysedb"
  read -r wall2 rss2 < "$OUT/time.analysedb"
  echo "linesight analyse (store): wall $wall2 s, peak RSS $((rss2 / 1024)) MB"
fi
if [ -n "$duck" ]; then
  awk -v d="$duck" -v w="$wall" -v f="$feat" -v dc="$duck_cpu" -v c="$cpu" 'BEGIN {
    printf "ratio DuckDB features / linesight feature stage: %.2f (target >= 4)\n", d / f
    printf "ratio DuckDB features / linesight whole analysis from CSV: %.2f wall (target >= 1)", d / w
    if (dc > 0) printf ", %.2f cpu", dc / c
    printf "\n" }'
  if [ -n "${wall2:-}" ]; then
    awk -v d="$duck" -v w="$wall2" 'BEGIN {printf "ratio linesight from the store / DuckDB features: %.2f (target <= 2)\n", w / d}'
  fi
fi
