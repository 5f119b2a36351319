#!/usr/bin/env bash
# Node.js and the schema checker of the deploy/ manifests (tests/manifest-check: kubernetes-models, the JSON schemas
# of Kubernetes v1.36, and a YAML parser), installed from the npm registry at the versions package-lock.json pins.
set -euo pipefail
dir="$(cd "$(dirname "${BASH_SOURCE[0]}")/../manifest-check" && pwd)"
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
    echo "Node.js is missing: install the Debian packages nodejs and npm (needs root and apt-get)" >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq nodejs npm >/dev/null
fi
# Installed once per lock file: a stamp holding the lock's hash says whether node_modules matches it.
stamp="$dir/node_modules/.lock-sha256"
want="$(sha256sum "$dir/package-lock.json" | cut -d' ' -f1)"
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then exit 0; fi
(cd "$dir" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
echo "$want" >"$stamp"
