#!/usr/bin/env bash
# Make sure Debian's headless-capable Chromium is installed for the browser tests (tests/browser/).
# Quiet and idempotent: when /usr/bin/chromium (and the DejaVu font the reports ask for) is there it
# returns at once. Installing needs root (apt-get); without root it says what to run and fails, so
# `make test` does not go on without it. Used by `make test`; safe to run by hand.
set -euo pipefail

CHROMIUM=/usr/bin/chromium
FONT=/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf  # print.css sets "DejaVu Sans"

if [ -n "${BBIC_CHROMIUM:-}" ]; then
    # a browser of one's own (not Debian): the tests use it, nothing is installed
    [ -x "$BBIC_CHROMIUM" ] && exit 0
    echo "ensure-chromium: BBIC_CHROMIUM=$BBIC_CHROMIUM is not an executable file." >&2
    exit 1
fi

if [ -x "$CHROMIUM" ] && [ -f "$FONT" ]; then
    exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
    echo "ensure-chromium: $CHROMIUM or the DejaVu fonts are missing and installing them needs root." >&2
    echo "  Run:  sudo scripts/ensure-chromium.sh" >&2
    echo "  (it runs: apt-get install --no-install-recommends chromium fonts-dejavu-core)" >&2
    exit 1
fi

if ! command -v apt-get >/dev/null 2>&1; then
    echo "ensure-chromium: $CHROMIUM is missing and there is no apt-get to install it;" >&2
    echo "  install Chromium so that $CHROMIUM exists (the browser tests run it headless)," >&2
    echo "  or point BBIC_CHROMIUM at a Chromium binary for the tests." >&2
    exit 1
fi

"$(dirname "$0")/apt-install.sh" ensure-chromium chromium fonts-dejavu-core

if [ ! -x "$CHROMIUM" ] || [ ! -f "$FONT" ]; then
    echo "ensure-chromium: apt-get finished but $CHROMIUM or $FONT is still missing." >&2
    exit 1
fi
