#!/usr/bin/env bash
# PostgreSQL server binaries (initdb, postgres, pg_ctl) for the LISTEN/NOTIFY adapter tests. The fixture starts its
# own throwaway server (free port, temporary directory); this only installs the Debian package when it is missing.
set -euo pipefail
if compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null; then
  exit 0
fi
if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "PostgreSQL is missing: install the Debian package 'postgresql' (needs root and apt-get)" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq postgresql >/dev/null
compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null
