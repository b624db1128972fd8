#!/usr/bin/env bash
# Install the book's JupyterLab settings (jupyterlab/overrides.json) into the venv:
#   .venv/share/jupyter/lab/settings/overrides.json
# - the default kernel starts without a "Select Kernel" dialog,
# - autosave is off, so experimenting (or a browser test) never rewrites a chapter,
# - no news pop-up, no update check, no extension manager (they would go online);
# - JupyterLab's floating cell toolbar off (jupyterlab/page_config.json, into
#   .venv/etc/jupyter/labconfig/): its overlap check reads a rendered markdown cell's
#   inputArea.renderedInput, which jupyterlab-myst's markdown cells do not have, and throws
#   "Cannot read properties of undefined (reading 'node')" whenever such a cell is active;
# and the book's plugin jupyterlab/xent-glue (the glued numbers, citations and chapter
# references that jupyterlab-myst leaves as keys) with its index, by scripts/lab_index.py:
#   .venv/share/jupyter/labextensions/xent-glue/
# Called by scripts/lab.sh (make lab); tests/browser/conftest.py does the same
# in Python (install_lab_settings). The index is read from references.bib with pybtex
# (a dev package, installed by make from the lock). Usage: install_lab_settings.sh [PREFIX]
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
CONF="$PREFIX/etc/jupyter/labconfig"
mkdir -p "$CONF"
if ! cmp -s "$ROOT/jupyterlab/page_config.json" "$CONF/page_config.json"; then
    cp "$ROOT/jupyterlab/page_config.json" "$CONF/page_config.json"
    echo "install_lab_settings: installed $CONF/page_config.json"
fi
PY="$PREFIX/bin/python"
[ -x "$PY" ] || PY="$ROOT/.venv/bin/python"
"$PY" "$ROOT/scripts/lab_index.py" --install "$PREFIX" >/dev/null
