# Sourced by bench/load/run.sh (and by hand before the other bench/load scripts): the production profile's
# loopback ports for the benchmarks, away from a dev stack on the defaults.
export STAGEPRUNE_TEMPORAL_ADDRESS="${STAGEPRUNE_TEMPORAL_ADDRESS:-127.0.0.1:27233}"
export STAGEPRUNE_TEMPORAL_UI_PORT="${STAGEPRUNE_TEMPORAL_UI_PORT:-28233}"
export STAGEPRUNE_S3_ENDPOINT="${STAGEPRUNE_S3_ENDPOINT:-http://127.0.0.1:29000}"
export STAGEPRUNE_S3_CONSOLE_PORT="${STAGEPRUNE_S3_CONSOLE_PORT:-29001}"
export STAGEPRUNE_PG_PORT="${STAGEPRUNE_PG_PORT:-55432}"
