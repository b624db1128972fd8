#!/usr/bin/env bash
# Make sure Debian's Chromium is installed for the browser tests (tests/browser/)
# and the PDF build. Called by `make browsers` (and so by `make test`).
# Playwright's own browser download (`playwright install`) does not work here,
# so the tests drive /usr/bin/chromium from the distribution instead.
# Missing and not installable: a failure under CI, a skip elsewhere (scripts/ensure_apt.sh).
exec bash "$(dirname "$0")/ensure_apt.sh" ensure_chromium '[ -x /usr/bin/chromium ]' chromium chromium-driver
