#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Simulator throughput: `linesight simulate` at scale 1,000,000 people.
# Runs 1 day and D days (default 7) with the same seed and prints events,
# wall seconds, events/s over the whole run, events/s of the day loop alone
# ((events_D - events_1) / (wall_D - wall_1): world building and the static
# tables cancel out) and peak RSS, which must not grow with D.
# Usage: bench/bench_sim.sh [DAYS] [SCALE]; LINESIGHT=path overrides the binary.
set -euo pipefail
cd "$(dirname "$0")/.."
DAYS=${1:-7}
SCALE=${2:-1000000}
BIN=${LINESIGHT:-build/linesight}
[ -x "$BIN" ] || { echo "bench_sim: build first (make), or set LINESIGHT" >&2; exit 2; }
OUT=$(mktemp -d "${TMPDIR:-/tmp}/ls-bench-sim.XXXXXX")
trap 'rm -rf "$OUT"' EXIT

run() { # DAYS -> "events wall_s rss_kb cpu_s"
  rm -rf "$OUT/w"
  /usr/bin/time -f "%e %M %U %S" -o "$OUT/time" "$BIN" simulate --seed 1 --scale "$SCALE" --days "$1" \
    --out "$OUT/w" --quiet
  local events wall rss user sys
  events=$(($(wc -l < "$OUT/w/events.csv") - 1))
  read -r wall rss user sys < "$OUT/time"
  echo "$events $wall $rss $(awk -v u="$user" -v s="$sys" 'BEGIN { print u + s }')"
}

echo "bench_sim: scale $SCALE, $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg), $(date -u +%FT%TZ)"
read -r e1 w1 r1 c1 < <(run 1)
read -r eD wD rD cD < <(run "$DAYS")
bytes=$(stat -c %s "$OUT/w/events.csv" 2>/dev/null || echo 0)
awk -v e1="$e1" -v w1="$w1" -v r1="$r1" -v c1="$c1" -v eD="$eD" -v wD="$wD" -v rD="$rD" -v cD="$cD" \
  -v d="$DAYS" -v b="$bytes" 'BEGIN {
  printf "  1 day : %10d events %7.2f s wall %7.2f s cpu  %5.2f M events/s  peak RSS %4d MB\n", e1, w1, c1, e1 / w1 / 1e6, r1 / 1024
  printf "%3d days: %10d events %7.2f s wall %7.2f s cpu  %5.2f M events/s  peak RSS %4d MB  (%.0f MB of events.csv)\n", d, eD, wD, cD, eD / wD / 1e6, rD / 1024, b / 1e6
  if (wD > w1) printf "day loop: %.2f M events/s wall, %.2f M events per cpu-s ((events_%d - events_1) / (time_%d - time_1))\n", (eD - e1) / (wD - w1) / 1e6, (eD - e1) / (cD - c1) / 1e6, d, d
}'
