# Sourced by every script that installs or runs stageprune. Defaults only; the caller's environment wins.
STAGEPRUNE_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export STAGEPRUNE_ROOT
export STAGEPRUNE_HOME="${STAGEPRUNE_HOME:-$STAGEPRUNE_ROOT/.stageprune}"
# onnxruntime-node's install script downloads CUDA libraries from outside the registries and fails here;
# CPU inference needs none of it.
export ONNXRUNTIME_NODE_INSTALL=skip
# The pinned Node that infra/setup.sh installs (infra/setup-node.sh) goes first on PATH, so npm, npx, node,
# the workers and every child process the tests start run on it. Sourcing again (after setup installed it)
# adds it then.
if [ -x "$STAGEPRUNE_HOME/node/bin/node" ]; then
  case "$PATH" in
    "$STAGEPRUNE_HOME/node/bin:"*) ;;
    *) export PATH="$STAGEPRUNE_HOME/node/bin:$PATH" ;;
  esac
fi
