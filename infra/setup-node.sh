#!/usr/bin/env bash
# The first step of infra/setup.sh: the pinned Node (infra/versions.env) under $STAGEPRUNE_HOME/node, on
# Linux x64, from the npm package that ships the Node binary (the only registry this machine reaches).
# infra/env.sh puts $STAGEPRUNE_HOME/node/bin first on PATH, so npm, npx, node and every child process
# run on it. Elsewhere the machine's node is used, with a message naming the Node to install when it is
# older than 24. Idempotent: nothing is fetched when the pinned version is in place.
#
#   $STAGEPRUNE_HOME/node/bin/node -> ../dist/node-v<version>/bin/node
#   $STAGEPRUNE_HOME/node/dist/node-v<version>/   the package's contents (bin/node, include/, share/)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
source "$here/env.sh"
source "$here/versions.env"

node_home="$STAGEPRUNE_HOME/node"
want="v$NODE_VERSION"
stamp="$node_home/.stageprune-node"

node_major() { "$1" --version 2>/dev/null | sed -n 's/^v\([0-9]*\)\..*/\1/p'; }

platform="$(uname -s)-$(uname -m)"
if [ "$platform" != "Linux-x86_64" ] || [ -e /lib/ld-musl-x86_64.so.1 ]; then
  have="$(command -v node >/dev/null && node --version || echo none)"
  major="$(command -v node >/dev/null && node_major node || echo 0)"
  if [ "${major:-0}" -ge 24 ]; then
    echo "using this machine's node $have (the pinned Node $NODE_VERSION is installed on glibc Linux x64 only)"
    exit 0
  fi
  echo "stageprune runs and is tested on Node 24 LTS ($NODE_VERSION); this machine ($platform) has node $have." >&2
  echo "The pinned Node is installed automatically on glibc Linux x64 only: install Node 24 LTS yourself" >&2
  echo "(https://nodejs.org/en/download, or e.g. \`nvm install 24\`), put it first on PATH and rerun." >&2
  # Node >= 20.9 still runs stageprune (package.json engines); older cannot.
  if [ "${major:-0}" -ge 21 ] || { [ "${major:-0}" -eq 20 ] && node -e 'process.exit(+process.versions.node.split(".")[1] >= 9 ? 0 : 1)'; }; then
    echo "continuing with node $have (untested)" >&2
    exit 0
  fi
  exit 1
fi

if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$NODE_VERSION $NODE_INTEGRITY" ] &&
  [ "$("$node_home/bin/node" --version 2>/dev/null)" = "$want" ]; then
  echo "node $NODE_VERSION present ($node_home/bin/node)"
  exit 0
fi

# Bootstrapping needs some npm (any version) to fetch the package; the machine's node runs it.
if ! command -v npm >/dev/null; then
  echo "npm is needed once to fetch $NODE_PACKAGE@$NODE_VERSION; install any Node >= 20.9 with npm and rerun" >&2
  exit 1
fi
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
echo "fetching $NODE_PACKAGE@$NODE_VERSION from the npm registry"
# Run from the empty temp folder so the project's package.json plays no part.
tgz="$(cd "$tmp" && npm pack "$NODE_PACKAGE@$NODE_VERSION" --silent --no-audit --no-fund | tail -n 1)"
tgz="$tmp/$tgz"
[ -f "$tgz" ] || {
  echo "npm pack gave no tarball for $NODE_PACKAGE@$NODE_VERSION" >&2
  exit 1
}

# NODE_INTEGRITY is npm's SRI string (sha512-<base64>): compare it with the tarball's sha512, in hex.
expected="$(printf '%s' "${NODE_INTEGRITY#sha512-}" | base64 -d | od -An -v -tx1 | tr -d ' \n')"
actual="$(sha512sum "$tgz" | cut -d' ' -f1)"
if [ "${NODE_INTEGRITY%%-*}" != sha512 ] || [ "$expected" != "$actual" ]; then
  echo "integrity check failed for $NODE_PACKAGE@$NODE_VERSION: expected $NODE_INTEGRITY (infra/versions.env)," >&2
  echo "the downloaded tarball's sha512 is $actual; nothing was installed" >&2
  exit 1
fi

mkdir -p "$tmp/x"
tar -xzf "$tgz" -C "$tmp/x"
got="$("$tmp/x/package/bin/node" --version 2>&1)" || {
  echo "the pinned node does not run on this machine: $got" >&2
  echo "(Node 24's Linux build needs glibc >= 2.28); install Node 24 LTS another way and put it first on PATH" >&2
  exit 1
}
if [ "$got" != "$want" ]; then
  echo "$NODE_PACKAGE@$NODE_VERSION contains node $got, expected $want" >&2
  exit 1
fi

# Swap in the new version: unpack beside any old one, repoint the symlink, then drop the old ones.
mkdir -p "$node_home/dist" "$node_home/bin"
rm -rf "$node_home/dist/node-$want"
mv "$tmp/x/package" "$node_home/dist/node-$want"
ln -sfn "../dist/node-$want/bin/node" "$node_home/bin/node"
for old in "$node_home"/dist/node-v*; do
  [ "$old" = "$node_home/dist/node-$want" ] || rm -rf "$old"
done
echo "$NODE_VERSION $NODE_INTEGRITY" > "$stamp"
echo "node $NODE_VERSION installed ($node_home/bin/node)"
