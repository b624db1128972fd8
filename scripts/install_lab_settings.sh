#!/usr/bin/env bash
# Install the book's JupyterLab settings (jupyterlab/overrides.json) into the venv:
#   .venv/share/jupyter/lab/settings/overrides.json
# - the default kernel starts without a "Select Kernel" dialog,
# - autosave is off, so experimenting (or a browser test) never rewrites a chapter,
# - no news pop-up, no update check, no extension manager (they would go online).
# Called by scripts/lab.sh (make lab); tests/browser/conftest.py does the same
# in Python (install_lab_settings). Usage: install_lab_settings.sh [PREFIX]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PREFIX="${1:-$ROOT/.venv}"
SRC="$ROOT/jupyterlab/overrides.json"
DEST="$PREFIX/share/jupyter/lab/settings"
[ -d "$PREFIX" ] || { echo "install_lab_settings: $PREFIX does not exist (run make venv)" >&2; exit 1; }
mkdir -p "$DEST"
if ! cmp -s "$SRC" "$DEST/overrides.json"; then
    cp "$SRC" "$DEST/overrides.json"
    echo "install_lab_settings: installed $DEST/overrides.json"
fi
