#!/usr/bin/env bash
# Builds what the production-shaped local stack needs beyond the default setup (run it after
# infra/setup.sh): the Temporal server, temporal-sql-tool and the Temporal Web UI server, each from its Go
# module, into $STAGEPRUNE_HOME/bin with a version stamp; and checks that the PostgreSQL server is
# installed (Debian: `apt-get install -y postgresql`). Idempotent; the first build takes several minutes
# and about 1.5 GiB of Go module cache, later runs skip what is current. The default setup and CI never
# run this.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
source "$STAGEPRUNE_ROOT/infra/versions.env"
cd "$STAGEPRUNE_ROOT"
bin="$STAGEPRUNE_HOME/bin"
mkdir -p "$bin"

step() { printf '\n==> %s\n' "$*"; }
stamp_ok() { [ -f "$1" ] && [ "$(cat "$1")" = "$2" ]; }

# `go install pkg@version` names a binary after its folder (the server and the UI are both `server`): build
# each into its own folder, then move it to its name.
go_build() { # module version package name
  local tmp
  tmp="$(mktemp -d)"
  GOTOOLCHAIN="$GO_TOOLCHAIN" GOFLAGS=-buildvcs=false GOBIN="$tmp" go install "$3@$2"
  mv "$tmp/$(basename "$3")" "$bin/$4"
  rmdir "$tmp"
}

step "Temporal server $TEMPORAL_SERVER_VERSION and temporal-sql-tool, from $TEMPORAL_SERVER_MODULE ($GO_TOOLCHAIN)"
if stamp_ok "$bin/.temporal-server-version" "$TEMPORAL_SERVER_VERSION" && [ -x "$bin/temporal-server" ] &&
  [ -x "$bin/temporal-sql-tool" ]; then
  echo "temporal-server $TEMPORAL_SERVER_VERSION present"
else
  go_build "$TEMPORAL_SERVER_MODULE" "$TEMPORAL_SERVER_VERSION" "$TEMPORAL_SERVER_MODULE/cmd/server" temporal-server
  go_build "$TEMPORAL_SERVER_MODULE" "$TEMPORAL_SERVER_VERSION" "$TEMPORAL_SERVER_MODULE/cmd/tools/sql" temporal-sql-tool
  echo "$TEMPORAL_SERVER_VERSION" > "$bin/.temporal-server-version"
fi
"$bin/temporal-server" --version

step "Temporal Web UI server $TEMPORAL_UI_VERSION, from $TEMPORAL_UI_MODULE"
if stamp_ok "$bin/.temporal-ui-version" "$TEMPORAL_UI_VERSION" && [ -x "$bin/temporal-ui-server" ]; then
  echo "temporal-ui-server $TEMPORAL_UI_VERSION present"
else
  go_build "$TEMPORAL_UI_MODULE" "$TEMPORAL_UI_VERSION" "$TEMPORAL_UI_MODULE/cmd/server" temporal-ui-server
  echo "$TEMPORAL_UI_VERSION" > "$bin/.temporal-ui-version"
fi

step "PostgreSQL server (Debian package postgresql)"
pg_bin="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)"
if [ -n "$pg_bin" ] && [ -x "$pg_bin/postgres" ] && [ -x "$pg_bin/initdb" ]; then
  echo "postgres $("$pg_bin/postgres" --version | awk '{print $3}') at $pg_bin"
else
  echo "PostgreSQL server not found: install it with \`apt-get install -y postgresql\` (as root), then run again" >&2
  exit 1
fi

step "production setup done: npx --no-install stageprune stack up --profile production"
