#!/usr/bin/env bash
# Makes sure PostgreSQL's server binaries (initdb, pg_ctl, postgres) are on this machine, so the
# conformance and end-to-end suites can start their own throwaway cluster. Installs Debian's
# postgresql package when they are missing and we are allowed to (root); otherwise says how.
set -euo pipefail
find_bin() {
  for d in /usr/lib/postgresql/*/bin; do
    [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ] && { echo "$d"; return 0; }
  done
  command -v initdb >/dev/null 2>&1 && dirname "$(command -v initdb)" && return 0
  return 1
}
if bin=$(find_bin); then
  echo "postgres: server binaries in $bin"
  exit 0
fi
if [ "$(id -u)" = 0 ]; then
  echo "postgres: installing Debian's postgresql package (server binaries for the test clusters)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq postgresql >/dev/null
  # The package starts a system cluster we do not use; the tests run their own.
  (command -v pg_ctlcluster >/dev/null && for c in /etc/postgresql/*/main; do v=$(basename "$(dirname "$c")"); pg_ctlcluster "$v" main stop 2>/dev/null || true; done) || true
  bin=$(find_bin) || { echo "postgres: install finished but initdb is still missing" >&2; exit 1; }
  echo "postgres: server binaries in $bin"
else
  echo "postgres: server binaries not found. Install them (Debian: sudo apt-get install -y postgresql) and re-run." >&2
  exit 1
fi
