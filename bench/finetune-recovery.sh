#!/usr/bin/env bash
# Recovery after pruning, three ways: the base model pruned with the staged default (backbone 0.3, neck 0.2,
# head 0.1; l1), then fine-tuned for the same epochs with (a) the detection loss only, (b) detection + CWD from
# the unpruned teacher, (c) CWD only, without labels. Every model is scored on BCCD test by our evaluator.
# Run (repository root, after infra/setup.sh):
#   bash bench/finetune-recovery.sh [MODEL=models/yolov8n-bccd.onnx] [EPOCHS=10] [OUT=runs/recovery]
# Env: IMGSZ (default: the model's input size), THREADS (default 2). Prints a Markdown table; raw JSON in OUT/.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source infra/env.sh
model="${1:-models/yolov8n-bccd.onnx}"
epochs="${2:-10}"
out="${3:-runs/recovery}"
threads="${THREADS:-2}"
sp=(npx --no-install stageprune)
mkdir -p "$out"
json_field() { node -e 'const l=require("fs").readFileSync(0,"utf8").trim().split("\n").pop();const v=JSON.parse(l);console.log(process.argv.slice(1).map(k=>k.split(".").reduce((o,p)=>o[p],v)).join(" "))' "$@"; }
imgsz="${IMGSZ:-$("${sp[@]}" model stats "$model" --json | json_field inputShape.3)}"

"${sp[@]}" prune "$model" --out "$out/pruned.onnx" --criterion l1 --stages backbone=0.3,neck=0.2,head=0.1 --json > "$out/prune.json"

finetune() { # name, extra flags...
  local name="$1"; shift
  local start=$SECONDS
  "${sp[@]}" finetune --student "$out/pruned.onnx" --teacher "$model" --data datasets/bccd --epochs "$epochs" \
    --imgsz "$imgsz" --seed 0 --device cpu --threads "$threads" --workers 1 --out "$out/$name" "$@" \
    > "$out/$name.done.json" 2> "$out/$name.log"
  echo "$name: $((SECONDS - start)) s" >&2
}
finetune det --no-cwd
finetune det-cwd
finetune cwd-only --no-labels

row() { # label, model, eval json to write
  "${sp[@]}" eval "$2" --split test --imgsz "$imgsz" --json > "$3"
  local stats; stats="$("${sp[@]}" model stats "$2" --json | json_field params flops)"
  local maps; maps="$(json_field map50_95 map50 < "$3")"
  # shellcheck disable=SC2086 # word splitting of the two-field strings is the point
  set -- "$1" $stats $maps
  printf '| %s | %s | %.3f | %.4f | %.4f |\n' "$1" "$2" "$(node -e "console.log($3/1e9)")" "$4" "$5"
}
echo "| model ($epochs fine-tune epochs, imgsz $imgsz) | params | GFLOPs | mAP50-95 | mAP50 |"
echo "|---|---|---|---|---|"
row "base (before pruning)" "$model" "$out/base.eval.json"
row "pruned, no fine-tune" "$out/pruned.onnx" "$out/pruned.eval.json"
row "fine-tuned: detection loss only" "$out/det/model.onnx" "$out/det.eval.json"
row "fine-tuned: detection + CWD" "$out/det-cwd/model.onnx" "$out/det-cwd.eval.json"
row "fine-tuned: CWD only, no labels" "$out/cwd-only/model.onnx" "$out/cwd-only.eval.json"
