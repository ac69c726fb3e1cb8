#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Analysis scaling benchmark (issue 4: "linear scaling 1M -> 10M -> 50M
# events"; figures go to docs/performance.md):
#   bench/bench_scaling.sh [SIZES]     # default: 1000000 10000000 50000000
# For each size, the bench generator's file (bench/gen_events.c, the same
# law as the ingest bench's 10M file; generated into bench/data/ when
# missing: 3 GB for 50M) is read from the page cache by
#   linesight analyse FILE.csv --timings --top 0 --json OUT
# and the script prints, per size: the whole command's wall time and peak
# RSS, the load (CSV reader) and analysis wall and CPU times, each per
# event, the analysis's own peak memory per event over the loaded events,
# and the stages' wall times (features, scoring, continuity, roles, ...).
# Linear scaling shows as flat microseconds per event down the table.
# Sizes run one after another (the machine is shared). Not part of make test.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${LINESIGHT:-${BUILD:-build}/linesight}
DATA=bench/data
OUT=bench/out
mkdir -p "$DATA" "$OUT"
[ -x "$BIN" ] || { echo "bench: build linesight first (make), or set LINESIGHT" >&2; exit 2; }
SIZES=${*:-1000000 10000000 50000000}
cc -O2 -o "$OUT/gen_events" bench/gen_events.c -lm
echo "bench: $(nproc) cores, load average $(cut -d' ' -f1 /proc/loadavg)"
printf '%10s %9s %9s %8s %8s %8s %8s %8s %6s\n' events "wall s" "us/ev" "load us" "anl us" "anl cpu" "B/ev" "RSS MB" "lines"
for n in $SIZES; do
  csv="$DATA/events_$n.csv"
  if [ ! -s "$csv" ]; then
    echo "bench: generating $n rows into $csv" >&2
    "$OUT/gen_events" "$n" > "$csv.tmp"
    mv "$csv.tmp" "$csv"
  fi
  cat "$csv" > /dev/null
  /usr/bin/time -f "%e %M" -o "$OUT/time.scaling" "$BIN" analyse "$csv" --timings --top 0 \
    --json "$OUT/scaling.json" > /dev/null 2> "$OUT/log.scaling"
  read -r wall rss < "$OUT/time.scaling"
  line=$(grep "events: load" "$OUT/log.scaling")
  # "N events: load L s (cpu C), analysis A s (cpu D; ...), memory ... (B bytes an event)"
  load=$(sed -n 's/.*load \([0-9.]*\) s.*/\1/p' <<< "$line")
  anl=$(sed -n 's/.*analysis \([0-9.]*\) s.*/\1/p' <<< "$line")
  anl_cpu=$(sed -n 's/.*analysis [0-9.]* s (cpu \([0-9.]*\);.*/\1/p' <<< "$line")
  bpe=$(sed -n 's/.*(\([0-9]*\) bytes an event).*/\1/p' <<< "$line")
  lines=$(grep -o '"id": "LS-' "$OUT/scaling.json" | wc -l)
  awk -v n="$n" -v w="$wall" -v l="$load" -v a="$anl" -v c="$anl_cpu" -v b="$bpe" -v r="$rss" -v k="$lines" 'BEGIN {
    printf "%10d %9.2f %9.3f %8.3f %8.3f %8.3f %8s %8d %6d\n", n, w, w * 1e6 / n, l * 1e6 / n, a * 1e6 / n,
      c * 1e6 / n, b, r / 1024, k }'
  grep "stages" "$OUT/log.scaling" | sed 's/^linesight analyse: /           /'
done
