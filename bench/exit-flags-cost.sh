#!/usr/bin/env bash
# What bin/exit-deadlock.cjs's V8 flags (no Maglev, no concurrent Sparkplug) cost the CLI: three verbs,
# each run through the real bin (flags on) and through the same entry without the flags, in interleaved
# rounds; prints the median seconds per verb and variant.
#   bash bench/exit-flags-cost.sh [ROUNDS=7]
set -euo pipefail
cd "$(dirname "$0")/.."
source infra/env.sh
rounds="${1:-7}"
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
# The bin's body without its first line (the flags).
without='require("tsx/cjs"); require("./cli/main.ts").main(process.argv.slice(1)).then((c) => process.exit(c))'
verbs=(
  "model stats models/yolov8n-bccd.onnx --json"
  "prune models/yolov8n-bccd.onnx --out $out/p.onnx --ratio 0.5 --json"
  "eval models/yolov8n-bccd.onnx --split test --imgsz 416 --threads 1 --json"
)
seconds() {
  local s e
  s=$(date +%s.%N)
  "$@" > /dev/null 2>&1
  e=$(date +%s.%N)
  echo "$e - $s" | bc
}
for ((r = 0; r < rounds; r++)); do
  for i in "${!verbs[@]}"; do
    # shellcheck disable=SC2086
    echo "$i with $(seconds node bin/stageprune.cjs ${verbs[$i]})" >> "$out/t"
    # shellcheck disable=SC2086
    echo "$i without $(seconds node -e "$without" ${verbs[$i]})" >> "$out/t"
  done
done
for i in "${!verbs[@]}"; do
  for v in with without; do
    med=$(awk -v i="$i" -v v="$v" '$1 == i && $2 == v { print $3 }' "$out/t" | sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }')
    printf '%-8s %-8s flags  median %.3f s over %d rounds\n' "${verbs[$i]%% *}" "$v" "$med" "$rounds"
  done
done
