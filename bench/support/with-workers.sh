#!/usr/bin/env bash
# Runs a benchmark command against the local stack: starts the stack, one cpu and one gpu worker (logs in
# LOG_DIR), runs the command, stops the workers.
#   bash bench/support/with-workers.sh LOG_DIR COMMAND [ARGS...]
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../../infra/env.sh"
cd "$STAGEPRUNE_ROOT"
logs="$1"
shift
mkdir -p "$logs"
npx --no-install stageprune stack up
node --import tsx workers/cpu-worker.ts > "$logs/cpu-worker.log" 2>&1 &
cpu=$!
node --import tsx workers/gpu-worker.ts > "$logs/gpu-worker.log" 2>&1 &
gpu=$!
trap 'kill $cpu $gpu 2>/dev/null || true' EXIT
"$@"
