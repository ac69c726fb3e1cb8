#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Simulator throughput (issue 3): `linesight simulate` at scale 1,000,000.
# Runs 1 day and D days (default 7) with the same seed, REPEAT times each
# (default 3, alternating), and prints for the fastest run of each: events,
# wall and CPU seconds (user + sys, all threads), events/s over the whole
# run; then the day loop's rate from the difference of the two
# ((events_D - events_1) / (wall_D - wall_1): world building and the static
# tables cancel out), and peak RSS, which must not grow with D.
# The best of several runs, because this 2-core machine is shared: the
# load average is printed before and after; CPU seconds are the figures to
# compare between loaded runs.
# Usage: bench/bench_sim.sh [DAYS] [SCALE]; REPEAT=n; LINESIGHT=path overrides the binary.
set -euo pipefail
cd "$(dirname "$0")/.."
DAYS=${1:-7}
SCALE=${2:-1000000}
REPEAT=${REPEAT:-3}
BIN=${LINESIGHT:-build/linesight}
[ -x "$BIN" ] || { echo "bench_sim: build first (make), or set LINESIGHT" >&2; exit 2; }
OUT=$(mktemp -d "${TMPDIR:-/tmp}/ls-bench-sim.XXXXXX")
trap 'rm -rf "$OUT"' EXIT

run() { # DAYS -> "events wall_s rss_kb cpu_s bytes"
  rm -rf "$OUT/w"
  /usr/bin/time -f "%e %M %U %S" -o "$OUT/time" "$BIN" simulate --seed 1 --scale "$SCALE" --days "$1" \
    --out "$OUT/w" --quiet
  local events wall rss user sys
  events=$(($(wc -l < "$OUT/w/events.csv") - 1))
  read -r wall rss user sys < "$OUT/time"
  echo "$events $wall $rss $(awk -v u="$user" -v s="$sys" 'BEGIN { print u + s }') $(stat -c %s "$OUT/w/events.csv")"
}

# best D -> keeps the fastest run of D days in best_<D> and the largest RSS
declare -A best
keep() { # DAYS LINE
  local d=$1 line=$2 old=${best[$1]:-}
  if [ -z "$old" ] || awk -v a="$(cut -d' ' -f2 <<< "$line")" -v b="$(cut -d' ' -f2 <<< "$old")" \
    'BEGIN { exit !(a < b) }'; then
    best[$d]=$line
  fi
  local rss
  rss=$(cut -d' ' -f3 <<< "$line")
  if [ "$rss" -gt "${maxrss[$d]:-0}" ]; then maxrss[$d]=$rss; fi
}
declare -A maxrss

echo "bench_sim: scale $SCALE, $(nproc) cores, best of $REPEAT, load average $(cut -d' ' -f1-3 /proc/loadavg), $(date -u +%FT%TZ)"
for _ in $(seq "$REPEAT"); do
  keep 1 "$(run 1)"
  keep "$DAYS" "$(run "$DAYS")"
done
read -r e1 w1 _ c1 _ <<< "${best[1]}"
read -r eD wD _ cD bytes <<< "${best[$DAYS]}"
awk -v e1="$e1" -v w1="$w1" -v r1="${maxrss[1]}" -v c1="$c1" -v eD="$eD" -v wD="$wD" -v rD="${maxrss[$DAYS]}" \
  -v cD="$cD" -v d="$DAYS" -v b="$bytes" 'BEGIN {
  printf "  1 day : %10d events %7.2f s wall %7.2f s cpu  %5.2f M events/s  peak RSS %4d MB\n", e1, w1, c1, e1 / w1 / 1e6, r1 / 1024
  printf "%3d days: %10d events %7.2f s wall %7.2f s cpu  %5.2f M events/s  peak RSS %4d MB  (%.0f MB of events.csv)\n", d, eD, wD, cD, eD / wD / 1e6, rD / 1024, b / 1e6
  if (wD > w1) printf "day loop: %.2f M events/s wall, %.2f M events per cpu-s ((events_%d - events_1) / (time_%d - time_1))\n", (eD - e1) / (wD - w1) / 1e6, (eD - e1) / (cD - c1) / 1e6, d, d
}'
echo "bench_sim: load average after $(cut -d' ' -f1-3 /proc/loadavg)"
