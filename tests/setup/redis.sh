#!/usr/bin/env bash
# Redis for the durable-store tests (fixtures start their own instance on a free port).
set -euo pipefail
if command -v redis-server >/dev/null 2>&1; then exit 0; fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq redis-server >/dev/null
# The package's own service start is blocked on these machines and not wanted: tests start their own.
command -v redis-server >/dev/null
