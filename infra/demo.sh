#!/usr/bin/env bash
# Quick start, command 1: set everything up, start the local stack, check it, run the demo pipeline.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$STAGEPRUNE_ROOT"
bash infra/setup.sh
# Again after setup: the pinned Node it installed goes first on PATH for everything below.
source infra/env.sh
npx --no-install stageprune stack up
npx --no-install stageprune doctor
npx --no-install stageprune demo "$@"
