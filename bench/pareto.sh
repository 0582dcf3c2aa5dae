#!/usr/bin/env bash
# The compression-quality comparison of issue 16 in one command (hours on 2 CPUs; run it in the background):
# starts the local stack, one cpu and one gpu worker (logs under OUT), runs bench/pareto.ts with the given
# arguments, stops the workers. Resumable: run it again with the same --out and finished runs are kept.
#   nohup bash bench/pareto.sh --budgets 0.7 --seeds 0,1,2 --tp-python /work/devvenv/bin/python \
#       --out tmp/pareto > tmp/pareto.log 2>&1 &
# Torch-Pruning's recipe (config tp) needs a development venv with ultralytics and torch-pruning
# (never a product dependency); leave tp out of --configs without one.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
out=tmp/pareto
for ((i = 1; i <= $#; i++)); do [ "${!i}" = --out ] && { j=$((i + 1)); out="${!j}"; }; done
exec bash "$here/support/with-workers.sh" "$out" npx --no-install tsx "$here/pareto.ts" "$@"
