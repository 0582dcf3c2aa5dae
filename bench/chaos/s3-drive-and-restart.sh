#!/usr/bin/env bash
# Chaos scenario "s3-drive-and-restart" under the 20-run load (see bench/load/chaos.ts for what it does).
exec bash "$(dirname "${BASH_SOURCE[0]}")/../load/run.sh" s3-drive-and-restart
