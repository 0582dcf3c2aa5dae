# Sourced by every script that installs or runs stageprune. Defaults only; the caller's environment wins.
STAGEPRUNE_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export STAGEPRUNE_ROOT
export STAGEPRUNE_HOME="${STAGEPRUNE_HOME:-$STAGEPRUNE_ROOT/.stageprune}"
# onnxruntime-node's install script downloads CUDA libraries from outside the registries and fails here;
# CPU inference needs none of it.
export ONNXRUNTIME_NODE_INSTALL=skip
export AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED="${AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED:-true}"
