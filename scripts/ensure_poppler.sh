#!/usr/bin/env bash
# Make sure poppler-utils (pdftotext, pdfinfo, pdftoppm) is installed: scripts/build_pdf.py
# reads the first print back with pdftotext to number the contents, and tests/test_pdf.py
# checks the PDF's text and renders pages with pdftoppm. Called by `make pdf` and `make browsers`.
#
# Like scripts/ensure_chromium.sh: if it is missing and cannot be installed (not root,
# no apt-get, no network), print why. Under CI (the CI variable set) that is a failure
# (exit 1), as for Chromium. Elsewhere exit 0; the PDF then has no page numbers in its
# contents and tests/test_pdf.py skips with a message naming this script.
set -uo pipefail

if command -v pdftotext >/dev/null 2>&1 && command -v pdftoppm >/dev/null 2>&1; then
    exit 0
fi

why=""
if [ "$(id -u)" -ne 0 ]; then
    why="not running as root"
elif ! command -v apt-get >/dev/null 2>&1; then
    why="apt-get is not available"
fi
if [ -n "$why" ]; then
    echo "ensure_poppler: pdftotext/pdftoppm are missing and cannot be installed ($why)." >&2
    echo "ensure_poppler: install them with 'sudo apt-get install -y poppler-utils'." >&2
    [ -n "${CI:-}" ] && { echo "ensure_poppler: CI is set, so this is an error." >&2; exit 1; }
    exit 0
fi

echo "ensure_poppler: installing poppler-utils with apt-get ..."
log=$(mktemp)
if DEBIAN_FRONTEND=noninteractive apt-get update >"$log" 2>&1 \
   && DEBIAN_FRONTEND=noninteractive apt-get install -y poppler-utils >>"$log" 2>&1 \
   && command -v pdftotext >/dev/null 2>&1; then
    echo "ensure_poppler: installed $(pdftotext -v 2>&1 | head -n 1)"
    rm -f "$log"
else
    echo "ensure_poppler: could not install poppler-utils; last lines of the apt-get log:" >&2
    tail -n 15 "$log" >&2
    rm -f "$log"
    [ -n "${CI:-}" ] && { echo "ensure_poppler: CI is set, so this is an error." >&2; exit 1; }
fi
exit 0
