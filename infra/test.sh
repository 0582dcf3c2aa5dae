#!/usr/bin/env bash
# Quick start, command 2: set everything up, then typecheck, lint and run the whole test suite. The
# integration tests start their own Temporal dev server and MinIO on free ports (nothing to start first).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$STAGEPRUNE_ROOT"
bash infra/setup.sh
# What the tests need beyond the demo: Chromium for the report's browser test (skipped, saying why, without it).
bash infra/setup-chromium.sh
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
# With arguments: those test files only, through the node runner (its closing line is the last).
if [ "$#" -gt 0 ]; then
  exec node test/run-tests.cjs "$@"
fi
# Otherwise the node suite, then the trainer's pytest suite (trainer/tests), then ONE closing line for both in
# the node runner's format, "N passed, N failed, N skipped", and a non-zero exit if either failed.
logs="$(mktemp -d)"
trap 'rm -rf "$logs"' EXIT
set +e
# tee keeps the node runner's output streaming; the processes its tests detach log to files, not this pipe.
node test/run-tests.cjs | tee "$logs/node.out"
node_rc=${PIPESTATUS[0]}
printf '\n==> trainer tests (pytest)\n'
"$STAGEPRUNE_HOME/venv/bin/python" -m pytest trainer/tests -q -p no:cacheprovider --junitxml="$logs/pytest.xml"
py_rc=$?
set -e
# One closing line: the node runner's counts (its own closing line; a run that printed none counts as one
# failure) plus pytest's (its JUnit XML; likewise). Exits non-zero if either run failed.
"$STAGEPRUNE_HOME/venv/bin/python" - "$logs/node.out" "$node_rc" "$logs/pytest.xml" "$py_rc" <<'PY'
import re
import sys
import xml.etree.ElementTree as ET

node_out, node_rc, pytest_xml, py_rc = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4])
node = (0, 1, 0)
why = ""  # the node runner's reasons for skipping, carried to the closing line
with open(node_out, errors="replace") as f:
    for line in f:
        m = re.match(r"(\d+) passed, (\d+) failed(?:, (\d+) skipped)?( \(skipped: .*\))?", line.rstrip("\n"))
        if m:
            node = (int(m[1]), int(m[2]), int(m[3] or 0))
            why = m[4] or ""
try:
    root = ET.parse(pytest_xml).getroot()
    suites = [root] if root.tag == "testsuite" else root.findall("testsuite")
    n = {k: sum(int(s.get(k, 0)) for s in suites) for k in ("tests", "failures", "errors", "skipped")}
    py = (n["tests"] - n["failures"] - n["errors"] - n["skipped"], n["failures"] + n["errors"], n["skipped"])
except (OSError, ET.ParseError):
    py = (0, 1, 0)
print(f"\nnode: {node[0]} passed, {node[1]} failed, {node[2]} skipped (exit {node_rc}); "
      f"pytest: {py[0]} passed, {py[1]} failed, {py[2]} skipped (exit {py_rc})")
failed = node[1] + py[1]
if (node_rc or py_rc) and not failed:
    failed = 1  # a runner failed without a failing test (a crash, or pytest collecting nothing)
print(f"\n{node[0] + py[0]} passed, {failed} failed, {node[2] + py[2]} skipped{why}")
sys.exit(1 if failed else 0)
PY
