#!/usr/bin/env bash
# Chromium for the report's browser test (test/report/report-browser.test.ts), which infra/test.sh runs and the
# demo does not: Debian's chromium package at /usr/bin/chromium (STAGEPRUNE_CHROMIUM names another), driven by
# playwright-core, whose own browser download cannot reach its host here. Installed only as root with apt-get;
# elsewhere this says what to install, and the test is skipped with that reason in the suite's closing line.
set -euo pipefail
chromium="${STAGEPRUNE_CHROMIUM:-/usr/bin/chromium}"
printf '\n==> %s\n' "Chromium for the report's browser test ($chromium)"
if [ -x "$chromium" ]; then
  echo "chromium present: $("$chromium" --version 2>/dev/null || echo "$chromium")"
elif [ -z "${STAGEPRUNE_CHROMIUM:-}" ] && command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium >/dev/null
  echo "installed $(/usr/bin/chromium --version 2>/dev/null || echo chromium)"
else
  echo "chromium missing at $chromium and not installed from here (needs root and apt-get): install it with"
  echo "  sudo apt-get install chromium   (Debian/Ubuntu; or name a Chromium binary with STAGEPRUNE_CHROMIUM=PATH)"
  echo "until then the report's browser test is skipped, the reason in the tests' closing line"
fi
