#!/usr/bin/env bash
# Load and chaos test of the production-profile stack (docs/BENCHMARKS.md, "Production profile: load and
# chaos"). Brings the stack up on its own loopback ports (so a dev stack on the defaults is left alone),
# runs one scenario per argument, 20 concurrent compressModel runs each, and writes one JSON per scenario.
#   bash bench/load/run.sh [none|kill-workers|temporal-restart|postgres-restart|s3-drive-and-restart|s3-outage ...]
# Environment: RUNS (20), CPU_WORKERS (2), GPU_WORKERS (2), TIMEOUT_MIN (30), KEEP_STACK=1 to leave it up.
# Needs `bash infra/setup.sh` and `bash infra/setup-production.sh` first. Not part of CI (minutes per
# scenario on 2 cores).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../../infra/env.sh"
cd "$STAGEPRUNE_ROOT"
source bench/load/ports.sh
export STAGEPRUNE_CPU_WORKERS="${CPU_WORKERS:-2}" STAGEPRUNE_GPU_WORKERS="${GPU_WORKERS:-2}"
out="$STAGEPRUNE_HOME/production/bench"
mkdir -p "$out"
scenarios=("$@")
[ ${#scenarios[@]} -gt 0 ] || scenarios=(none)

npx --no-install stageprune stack up --profile production
for s in "${scenarios[@]}"; do
  printf '\n==> scenario %s: %s runs\n' "$s" "${RUNS:-20}"
  npx --no-install tsx bench/load/load-test.ts --runs "${RUNS:-20}" --chaos "$s" \
    --timeout-min "${TIMEOUT_MIN:-30}" --out "$out/$s.json" | tee "$out/$s.summary.json"
done
[ "${KEEP_STACK:-0}" = 1 ] || npx --no-install stageprune stack down --profile production
echo "results in $out"
