#!/usr/bin/env bash
# Make sure Debian's PostgreSQL server binaries are installed for the test that runs the Dagster daemon
# on a PostgreSQL-backed instance (tests/pipeline/test_pipeline_daemon.py). That test starts its own
# throwaway server (initdb into a temporary folder); nothing here starts or configures a cluster.
# Quiet and idempotent: when an initdb exists under /usr/lib/postgresql/*/bin it returns at once.
# Installing needs root (apt-get); without root it says what to run and fails, so `make test` does
# not go on without it. Used by `make test`; safe to run by hand.
set -euo pipefail

has_initdb() {
    local f
    for f in /usr/lib/postgresql/*/bin/initdb; do
        [ -x "$f" ] && return 0
    done
    return 1
}

if has_initdb; then
    exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
    echo "ensure-postgres: no PostgreSQL server (initdb under /usr/lib/postgresql/*/bin) and installing it needs root." >&2
    echo "  Run:  sudo scripts/ensure-postgres.sh" >&2
    echo "  (it runs: apt-get install --no-install-recommends postgresql)" >&2
    exit 1
fi

if ! command -v apt-get >/dev/null 2>&1; then
    echo "ensure-postgres: no PostgreSQL server and no apt-get to install it;" >&2
    echo "  install PostgreSQL so that /usr/lib/postgresql/<version>/bin/initdb exists." >&2
    exit 1
fi

"$(dirname "$0")/apt-install.sh" ensure-postgres postgresql

if ! has_initdb; then
    echo "ensure-postgres: apt-get finished but there is no initdb under /usr/lib/postgresql/*/bin." >&2
    exit 1
fi
