#!/usr/bin/env bash
# Quick start, command 2: set everything up, then typecheck, lint and run the whole test suite. The
# integration tests start their own Temporal dev server and MinIO on free ports (nothing to start first).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$STAGEPRUNE_ROOT"
bash infra/setup.sh
printf '\n==> typecheck\n'
npx --no-install tsc --noEmit -p .
printf '\n==> lint\n'
npx --no-install eslint .
npx --no-install prettier --check . --log-level warn
printf '\n==> tests\n'
node test/run-tests.cjs "$@"
