#!/usr/bin/env bash
# Distillation settings tuned on val, never test (issue 16): the base model pruned once (uniform ratio,
# l1; 0.45 removes 72.5% of the FLOPs at 416 px), then fine-tuned on BCCD train for the same epochs and seed
# under each setting and scored on BCCD val by our evaluator. Settings are [nl-]TAU:WEIGHT:HEAD[:OUT][@LR0]
# (CWD temperature, per-level weight on P3/P4/P5, weight on the head's class/box maps, weight of output
# distillation, initial learning rate; `nl-` fine-tunes without labels); `det[@LR0]` is the detection loss alone.
#   bash bench/cwd-sweep.sh [EPOCHS=15] [OUT=tmp/cwd-sweep] [SETTINGS="det 1:10:0 ..."] [RATIO=0.45] [SEED=0]
# One seed per call: run it once per seed with the same OUT (the pruned model is shared; seed 0's files keep
# their plain names, other seeds' end in -sN).
# Prints a Markdown table; raw JSON per setting in OUT/.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../infra/env.sh"
cd "$STAGEPRUNE_ROOT"
epochs="${1:-15}"
out="${2:-tmp/cwd-sweep}"
settings="${3:-det 1:10:0 4:10:0 1:30:0 1:10:1 4:10:1 1:10:5}"
ratio="${4:-0.45}"
seed="${5:-0}"
base=models/yolov8n-bccd.onnx
sp=(npx --no-install stageprune)
mkdir -p "$out"
last_json() { tail -n 1 | node -e 'const v=JSON.parse(require("fs").readFileSync(0,"utf8"));console.log(process.argv.slice(1).map(k=>v[k]).join(" "))' "$@"; }
[ -f "$out/pruned.onnx" ] || "${sp[@]}" prune "$base" --out "$out/pruned.onnx" --ratio "$ratio" --criterion l1 > /dev/null
[ -f "$out/base.eval.json" ] || "${sp[@]}" eval "$base" --data datasets/bccd --split val --json > "$out/base.eval.json"
read -r bm bm50 < <(last_json map50_95 map50 < "$out/base.eval.json")
printf 'base model on val: mAP50-95 %.4f, mAP50 %.4f\n\n' "$bm" "$bm50"
echo "| setting | seed | mAP50-95 (val) | mAP50 (val) | fine-tune s |"
echo "|---|---|---|---|---|"
for s in $settings; do
  name="${s//:/-}"
  name="${name//@/-lr}"
  [ "$seed" = 0 ] || name="$name-s$seed"
  if [ ! -f "$out/$name.eval.json" ]; then
    lr0="${s#*@}"
    [ "$lr0" = "$s" ] && lr0=0.01
    if [ "${s%@*}" = det ]; then flags=(--no-cwd); else
      IFS=: read -r tau weight head outw <<< "$(t="${s#nl-}"; echo "${t%@*}")"
      flags=(--cwd-tau "$tau" --cwd-weight "$weight" --cwd-head "$head")
      [ -z "$outw" ] || flags+=(--output-weight "$outw")
      [ "${s#nl-}" = "$s" ] || flags+=(--no-labels)
    fi
    flags+=(--lr0 "$lr0")
    start=$SECONDS
    "${sp[@]}" finetune --student "$out/pruned.onnx" --teacher "$base" --data datasets/bccd --splits train \
      --epochs "$epochs" --imgsz 416 --seed "$seed" --out "$out/$name" "${flags[@]}" > "$out/$name.done.json" 2> "$out/$name.log"
    echo "$((SECONDS - start))" > "$out/$name.seconds"
    "${sp[@]}" model export "$out/$name/model.onnx" --out "$out/$name.deployed.onnx" > /dev/null
    "${sp[@]}" eval "$out/$name.deployed.onnx" --data datasets/bccd --split val --json > "$out/$name.eval.json"
  fi
  read -r m m50 < <(last_json map50_95 map50 < "$out/$name.eval.json")
  printf '| %s | %s | %.4f | %.4f | %s |\n' "$s" "$seed" "$m" "$m50" "$(cat "$out/$name.seconds")"
done
