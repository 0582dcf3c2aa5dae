#!/usr/bin/env bash
# Quick start, command 2: set everything up, then typecheck, lint and run the whole test suite. The
# integration tests start their own Temporal dev server and MinIO on free ports (nothing to start first).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$STAGEPRUNE_ROOT"
bash infra/setup.sh
# Again after setup: the pinned Node it installed goes first on PATH for everything below.
source infra/env.sh
# The Node test (test/infra/node-pin.test.ts) then checks that the suite really runs on the pinned Node.
if [ -x "$STAGEPRUNE_HOME/node/bin/node" ]; then
  source infra/versions.env
  export STAGEPRUNE_EXPECT_NODE="$NODE_VERSION"
fi
printf '\n==> typecheck\n'
npx --no-install tsc --noEmit -p .
printf '\n==> lint\n'
npx --no-install eslint .
npx --no-install prettier --check . --log-level warn
printf '\n==> tests\n'
node test/run-tests.cjs "$@"
