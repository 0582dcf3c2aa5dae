#!/usr/bin/env bash
# The AMC benchmark in the background (hours of CPU on a small machine): logs and results under tmp/.
#   bash bench/amc.sh [args of bench/amc.ts]      e.g. bash bench/amc.sh --episodes 100 --seeds 1,2
#   tail -f tmp/amc-bench.log                     follow it; results in tmp/amc-bench.json
# and the per-episode cost breakdown (in the foreground, a minute or two):
#   npx tsx bench/amc-episode-cost.ts
set -euo pipefail
cd "$(dirname "$0")/.."
source infra/env.sh
mkdir -p tmp
nohup nice -n 10 npx tsx bench/amc.ts "$@" > tmp/amc-bench.log 2>&1 &
echo "started (pid $!): tail -f tmp/amc-bench.log"
