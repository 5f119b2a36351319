#!/usr/bin/env bash
# Chromium for the browser tests (events page, dashboard): Playwright for .NET drives Debian's build through
# ExecutablePath=/usr/bin/chromium; `playwright install` is never run (it downloads its own browser).
set -euo pipefail
if [ -x /usr/bin/chromium ]; then exit 0; fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq chromium >/dev/null
[ -x /usr/bin/chromium ]
