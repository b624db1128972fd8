#!/usr/bin/env bash
# Make sure poppler-utils (pdftotext, pdfinfo, pdftoppm) is installed: scripts/build_pdf.py
# reads the first print back with pdftotext to number the contents, and tests/test_pdf.py
# checks the PDF's text and renders pages with pdftoppm. Called by `make pdf` and `make browsers`.
# Missing and not installable: a failure under CI, a skip elsewhere (scripts/ensure_apt.sh).
exec bash "$(dirname "$0")/ensure_apt.sh" ensure_poppler \
    'command -v pdftotext >/dev/null 2>&1 && command -v pdftoppm >/dev/null 2>&1' poppler-utils
