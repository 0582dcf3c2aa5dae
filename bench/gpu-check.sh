#!/usr/bin/env bash
# The GPU check (issue 14): one prepared script for a machine with an NVIDIA GPU, in two parts that run
# independently, each within 8 minutes, each writing one JSON file (schemas: bench/gpu-check/schema.ts).
#
#   bash bench/gpu-check.sh python [--out DIR] [--device cuda|cpu] [--dry-run]
#       Part (a), Python only: needs trainer/, models/, bench/gpu-check/ and datasets/bccd (about 32 MB) and a
#       Python with torch >= 2.11 built for CUDA plus the trainer's onnx, numpy and pillow (no Node, no
#       onnxruntime, no network). A short fine-tune with AMP on the GPU against the same on the CPU, and the
#       base and -50% FLOPs models' latency through the trainer's ONNX->torch module, fp32/fp16, batch 1/8/32.
#       Python: $PYTHON, else the project venv's, else python3. Writes DIR/gpu-check-python.json.
#   bash bench/gpu-check.sh node [--out DIR] [--device cuda|cpu] [--dry-run]
#       Part (b), onnxruntime-node: needs the full setup with the CUDA provider (`bash infra/setup.sh --gpu`).
#       BCCD test mAP of the base model on CPU and CUDA in fp32 and fp16 (must agree within 0.002), images/s,
#       and latency at batch 1/8/32 of the base and pruned models. Writes DIR/gpu-check-node.json.
#
# --dry-run: a few images and runs, in seconds on a CPU (with --device cpu: what the tests run). DIR defaults
# to ./gpu-check-results. Exit status: 0 when something was measured (the JSON's status says ok or partial).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
part="${1:-}"
[ $# -gt 0 ] && shift
out="gpu-check-results"
args=()
while [ $# -gt 0 ]; do
  case "$1" in
    --out) out="$2"; shift 2 ;;
    --device) args+=(--device "$2"); shift 2 ;;
    --dry-run) args+=(--dry-run); shift ;;
    *) echo "gpu-check: unknown argument '$1'" >&2; exit 2 ;;
  esac
done
mkdir -p "$out"
out="$(cd "$out" && pwd)"
# A part that overruns is stopped: 8 minutes each (each also skips what is due after 7 minutes itself).
limit=480

case "$part" in
  python)
    python="${PYTHON:-}"
    if [ -z "$python" ]; then
      if [ -x "$root/.stageprune/venv/bin/python" ]; then python="$root/.stageprune/venv/bin/python"; else python=python3; fi
    fi
    timeout "$limit" "$python" "$root/bench/gpu-check/gpu_check_python.py" --out "$out/gpu-check-python.json" "${args[@]}"
    ;;
  node)
    source "$root/infra/env.sh"
    cd "$root"
    timeout "$limit" node --import tsx bench/gpu-check/gpu-check-node.ts --out "$out/gpu-check-node.json" "${args[@]}"
    ;;
  *)
    echo "usage: bash bench/gpu-check.sh python|node [--out DIR] [--device cuda|cpu] [--dry-run]" >&2
    exit 2
    ;;
esac
