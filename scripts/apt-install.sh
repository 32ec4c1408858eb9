#!/usr/bin/env bash
# Installs Debian packages once for a test prerequisite; apt's chatter (debconf notes, progress) goes to
# a log that is shown only when something fails.
# Usage: scripts/apt-install.sh WHO PACKAGE...   (WHO names the calling script in its messages)
set -euo pipefail
who=$1
shift
echo "$who: installing $* (Debian packages, once)..." >&2
export DEBIAN_FRONTEND=noninteractive
log=$(mktemp)
trap 'rm -f "$log"' EXIT
if ! { apt-get update -qq && apt-get install -y -qq --no-install-recommends "$@"; } >"$log" 2>&1; then
    cat "$log" >&2
    echo "$who: apt-get failed (output above)." >&2
    exit 1
fi
