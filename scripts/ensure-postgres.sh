#!/usr/bin/env bash
# Part of `npm test`: the store tests also run against a real PostgreSQL server, which they
# start themselves (initdb in a temp dir, 127.0.0.1 only). Installs the Debian package when
# its server binaries are missing and we may (root, apt-get); otherwise says what to do.
set -euo pipefail
[[ "${SKIP_POSTGRES:-}" == "1" ]] && exit 0
if [[ -n "${PG_BIN:-}" && -x "$PG_BIN/initdb" ]] || command -v initdb >/dev/null 2>&1 || compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null; then
  exit 0
fi
if [[ "$(id -u)" -eq 0 ]] && command -v apt-get >/dev/null 2>&1; then
  echo "PostgreSQL server binaries not found: installing the Debian package (postgresql)" >&2
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
  exit 0
fi
echo "PostgreSQL server binaries (initdb, postgres) are needed by the store tests:" >&2
echo "  sudo apt-get install -y postgresql   (or set PG_BIN, or SKIP_POSTGRES=1 to skip that half)" >&2
exit 1
