#!/usr/bin/env bash
# Make sure Debian's Chromium is installed for the browser tests (tests/browser/).
# Called by `make browsers` (and so by `make test`).
#
# Playwright's own browser download (`playwright install`) does not work here,
# so the tests drive /usr/bin/chromium from the distribution instead.
# If Chromium is missing and cannot be installed (not root, no apt-get, no
# network), print why. Under CI (the CI variable set) that is a failure
# (exit 1): the browser tests must never skip there. Elsewhere exit 0: the
# browser tests then skip with a message that names this script.
set -uo pipefail

CHROMIUM=/usr/bin/chromium

if [ -x "$CHROMIUM" ]; then
    exit 0
fi

why=""
if [ "$(id -u)" -ne 0 ]; then
    why="not running as root"
elif ! command -v apt-get >/dev/null 2>&1; then
    why="apt-get is not available"
fi

if [ -n "$why" ]; then
    echo "ensure_chromium: $CHROMIUM is missing and cannot be installed ($why)." >&2
    echo "ensure_chromium: install it with 'sudo apt-get install -y chromium chromium-driver';" >&2
    if [ -n "${CI:-}" ]; then
        echo "ensure_chromium: CI is set, so this is an error: the browser tests must run in CI." >&2
        exit 1
    fi
    echo "ensure_chromium: until then the browser tests (tests/browser/) are skipped." >&2
    exit 0
fi

echo "ensure_chromium: installing chromium and chromium-driver with apt-get (about a minute) ..."
log=$(mktemp)
if DEBIAN_FRONTEND=noninteractive apt-get update >"$log" 2>&1 \
   && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium chromium-driver >>"$log" 2>&1 \
   && [ -x "$CHROMIUM" ]; then
    echo "ensure_chromium: installed $("$CHROMIUM" --version 2>/dev/null || echo chromium)"
    rm -f "$log"
else
    echo "ensure_chromium: could not install chromium; last lines of the apt-get log:" >&2
    tail -n 15 "$log" >&2
    rm -f "$log"
    if [ -n "${CI:-}" ]; then
        echo "ensure_chromium: CI is set, so this is an error: the browser tests must run in CI." >&2
        exit 1
    fi
    echo "ensure_chromium: the browser tests (tests/browser/) will be skipped." >&2
fi
exit 0
