#!/usr/bin/env bash
# The GPU step of infra/setup.sh (run with --gpu, or by itself where a GPU is visible): onnxruntime-node's
# CUDA execution provider and the CUDA libraries it loads, from the package registries only.
#
# onnxruntime-node's own installer downloads its CUDA provider from a host outside the registries (and is
# skipped: ONNXRUNTIME_NODE_INSTALL=skip). The same two libraries ship in PyPI's onnxruntime-gpu wheel of the
# same version (CUDA 13), so: `pip download` that exact wheel (pinned file name, sha256 in versions.env),
# take libonnxruntime_providers_{shared,cuda}.so out of it (each checked against its own pinned sha256), and
# put them beside onnxruntime-node's binding, where onnxruntime's provider loader looks. The CUDA libraries
# the provider needs come from nvidia-* wheels in the project venv (torch brings cublas, cudart and cuDNN 9;
# infra/requirements-gpu.txt adds curand); runtime/cuda/ loads them by path, so nobody sets LD_LIBRARY_PATH.
#
# Idempotent: files whose sha256 matches are left alone (no download). A file that does not match is
# replaced from the verified cache ($STAGEPRUNE_HOME/cuda-provider/<version>, so `npm ci` emptying
# node_modules costs no second download) or from a fresh download; a download that does not match its
# pinned checksum is refused and nothing is installed.
#
#   bash infra/setup-gpu.sh [--versions FILE] [--target DIR] [--cache DIR] [--wheel FILE] [--no-cuda-libs]
#
# --versions: the pins (default infra/versions.env); --target: the binding folder (default onnxruntime-node's
# bin/napi-v6/linux/x64); --cache: the verified copy; --wheel: use this onnxruntime-gpu wheel instead of
# downloading it (machines without PyPI: copy the wheel over); --no-cuda-libs: the provider only.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
source "$here/env.sh"

versions="$here/versions.env"
target=""
cache=""
wheel=""
cuda_libs=1
while [ $# -gt 0 ]; do
  case "$1" in
    --versions) versions="$2"; shift 2 ;;
    --target) target="$2"; shift 2 ;;
    --cache) cache="$2"; shift 2 ;;
    --wheel) wheel="$2"; shift 2 ;;
    --no-cuda-libs) cuda_libs=0; shift ;;
    *) echo "setup-gpu: unknown argument '$1'" >&2; exit 2 ;;
  esac
done
source "$versions"
: "${ORT_GPU_VERSION:?missing in $versions}" "${ORT_GPU_WHEEL:?}" "${ORT_GPU_WHEEL_SHA256:?}"
: "${ORT_PROVIDER_CUDA_SHA256:?}" "${ORT_PROVIDER_SHARED_SHA256:?}"

ort_node="$STAGEPRUNE_ROOT/node_modules/onnxruntime-node"
target="${target:-$ort_node/bin/napi-v6/linux/x64}"
cache="${cache:-$STAGEPRUNE_HOME/cuda-provider/$ORT_GPU_VERSION}"
files=(libonnxruntime_providers_shared.so libonnxruntime_providers_cuda.so)

refuse() {
  echo "setup-gpu: $*" >&2
  exit 1
}

if [ "$(uname -s)-$(uname -m)" != "Linux-x86_64" ]; then
  refuse "the CUDA provider from the onnxruntime-gpu wheel is for Linux x86_64 only (this is $(uname -s)-$(uname -m))"
fi

# The provider is built against one onnxruntime core: it must be the version onnxruntime-node runs.
node_version="$(node -p "require('$ort_node/package.json').version" 2>/dev/null || echo none)"
[ "$node_version" = "$ORT_GPU_VERSION" ] ||
  refuse "onnxruntime-node is $node_version but the pinned onnxruntime-gpu is $ORT_GPU_VERSION: they must be the same version (update ORT_GPU_* in $versions)"

sha() { sha256sum "$1" | cut -d' ' -f1; }
pinned() {
  case "$1" in
    libonnxruntime_providers_cuda.so) echo "$ORT_PROVIDER_CUDA_SHA256" ;;
    libonnxruntime_providers_shared.so) echo "$ORT_PROVIDER_SHARED_SHA256" ;;
  esac
}
all_match() {
  local f
  for f in "${files[@]}"; do
    [ -f "$1/$f" ] && [ "$(sha "$1/$f")" = "$(pinned "$f")" ] || return 1
  done
}

tmp=""
cleanup() { [ -z "$tmp" ] || rm -rf "$tmp"; }
trap cleanup EXIT

# Fills the cache from the wheel, verifying the wheel and then each library; refuses on any mismatch.
fill_cache() {
  tmp="$(mktemp -d)"
  local whl="$wheel"
  if [ -z "$whl" ]; then
    local python="$STAGEPRUNE_HOME/venv/bin/python"
    [ -x "$python" ] || python=python3
    echo "downloading $ORT_GPU_WHEEL from PyPI (about 250 MB)"
    # Platform and interpreter pinned, so the same file (and checksum) comes whatever Python runs pip.
    "$python" -m pip download --quiet --no-deps --only-binary=:all: --platform manylinux_2_28_x86_64 \
      --python-version 3.11 --implementation cp --abi cp311 "onnxruntime-gpu==$ORT_GPU_VERSION" -d "$tmp"
    whl="$tmp/$ORT_GPU_WHEEL"
    [ -f "$whl" ] || refuse "pip download gave $(ls "$tmp"), not $ORT_GPU_WHEEL"
  fi
  local got
  got="$(sha "$whl")"
  [ "$got" = "$ORT_GPU_WHEEL_SHA256" ] ||
    refuse "$whl: sha256 $got, expected $ORT_GPU_WHEEL_SHA256 (pinned in $versions): refusing to install it"
  python3 - "$whl" "$tmp/x" "${files[@]}" <<'PY'
import os, shutil, sys, zipfile
wheel, out, names = sys.argv[1], sys.argv[2], sys.argv[3:]
os.makedirs(out, exist_ok=True)
with zipfile.ZipFile(wheel) as z:
    for name in names:
        try:
            src = z.open(f"onnxruntime/capi/{name}")
        except KeyError:
            sys.exit(f"setup-gpu: {wheel} has no onnxruntime/capi/{name}")
        with src, open(os.path.join(out, name), "wb") as dst:
            shutil.copyfileobj(src, dst, 1 << 22)
PY
  local f
  for f in "${files[@]}"; do
    got="$(sha "$tmp/x/$f")"
    [ "$got" = "$(pinned "$f")" ] ||
      refuse "$f from $whl: sha256 $got, expected $(pinned "$f") (pinned in $versions): refusing to install it"
  done
  mkdir -p "$cache"
  for f in "${files[@]}"; do
    chmod 0755 "$tmp/x/$f"
    mv -f "$tmp/x/$f" "$cache/$f"
  done
}

if all_match "$target"; then
  echo "onnxruntime CUDA provider $ORT_GPU_VERSION present in $target (sha256 verified)"
else
  for f in "${files[@]}"; do
    if [ -f "$target/$f" ] && [ "$(sha "$target/$f")" != "$(pinned "$f")" ]; then
      echo "$target/$f does not match its pinned sha256: replacing it"
    fi
  done
  if all_match "$cache"; then echo "using the verified copy in $cache"; else fill_cache; fi
  mkdir -p "$target"
  for f in "${files[@]}"; do
    [ -f "$target/$f" ] && [ "$(sha "$target/$f")" = "$(pinned "$f")" ] && continue
    # A hard link where the cache shares the file system (no second 270 MB copy), else a copy; the rename
    # makes each file appear whole.
    ln -f "$cache/$f" "$target/.$f.tmp" 2>/dev/null || cp -f "$cache/$f" "$target/.$f.tmp"
    mv -f "$target/.$f.tmp" "$target/$f"
  done
  all_match "$target" || refuse "installed files in $target do not match their pinned sha256"
  echo "installed onnxruntime CUDA provider $ORT_GPU_VERSION into $target (sha256 verified)"
fi

[ "$cuda_libs" = 1 ] || exit 0

venv="$STAGEPRUNE_HOME/venv"
[ -x "$venv/bin/python" ] || refuse "the project venv is missing ($venv): run \`bash infra/setup.sh\` first"
req="$STAGEPRUNE_ROOT/infra/requirements-gpu.txt"
req_sum="$(sha "$req")"
if [ -f "$venv/.stageprune-gpu-req" ] && [ "$(cat "$venv/.stageprune-gpu-req")" = "$req_sum" ]; then
  echo "CUDA libraries: venv matches infra/requirements-gpu.txt"
else
  "$venv/bin/pip" install --quiet --no-deps --require-hashes -r "$req"
  echo "$req_sum" > "$venv/.stageprune-gpu-req"
fi
# What the provider loads (runtime/cuda/layout.ts lists the same names): each must be in a venv nvidia-* wheel.
missing=()
for lib in libcudart.so.13 libcublasLt.so.13 libcublas.so.13 libcurand.so.10 libcudnn.so.9; do
  compgen -G "$venv/lib/python3*/site-packages/nvidia/*/lib/$lib" >/dev/null || missing+=("$lib")
done
[ ${#missing[@]} -eq 0 ] ||
  refuse "CUDA libraries missing from the venv's nvidia-* wheels: ${missing[*]} (torch's CUDA build brings cublas, cudart and cuDNN; infra/requirements-gpu.txt curand)"
echo "CUDA libraries for the provider present in $venv (cudart 13, cublas 13, curand 10, cuDNN 9)"
