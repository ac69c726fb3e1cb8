#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# linesight demo runs the main job end to end (on a small world here):
# simulate, ingest, analyse, evaluate, week-of-action report.
set -euo pipefail
: "${LINESIGHT:?path to the linesight binary}"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fail() { echo "FAIL: $*" >&2; cat "$T/out" >&2 || true; exit 1; }
cd "$T"
LS_DEMO_DATA="$LS_SRC_DIR/share/demo" "$LINESIGHT" demo --scale 3000 --days 14 > "$T/out" || fail "demo exit $?"
for want in "== 1. Simulate" "== 2. Ingest" "== 3. Analyse" "== 4. Evaluate" "== 5. A week of action"; do
  grep -F -- "$want" "$T/out" >/dev/null || fail "demo lacks step '$want'"
done
[ -s linesight-demo/linesight.db ] || fail "no demo store"
[ -s linesight-demo/result.json ] || fail "no analysis result"
[ -s linesight-demo/world/truth.json ] || fail "no ground truth"
# the evaluation step printed a deal-number score, and it is a good one
"$LINESIGHT" evaluate --truth linesight-demo/world/truth.json --result linesight-demo/result.json --json \
  > "$T/eval.json" || fail "evaluate"
/usr/bin/python3 - "$T/eval.json" <<'PY' || fail "deal-number F1 below 0.9 in the demo"
import json, sys
e = json.load(open(sys.argv[1]))
tasks = e.get("tasks", e)
f1 = None
if isinstance(tasks, list):
    f1 = next(t["f1"] for t in tasks if t.get("task", t.get("name")) in ("deal_numbers", "deal numbers"))
else:
    f1 = tasks["deal_numbers"]["f1"]
sys.exit(0 if f1 >= 0.9 else 1)
PY
"$LINESIGHT" info --db linesight-demo/linesight.db --json > "$T/info.json"
grep '"datasets": 5,' "$T/info.json" >/dev/null || fail "demo store holds 5 datasets"
grep -E "arrests?" "$T/out" >/dev/null || fail "no week-of-action report"
# a second run replaces the earlier demo store instead of refusing duplicates
LS_DEMO_DATA="$LS_SRC_DIR/share/demo" "$LINESIGHT" demo --scale 3000 --days 14 > "$T/out" || fail "second demo run"
echo "demo: ok"
