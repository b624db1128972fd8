#!/usr/bin/env bash
# `make lab`: JupyterLab for experimenting with the chapters.
#   - listens on 127.0.0.1 only, port 8888 if free, else a random free port
#     (override with LAB_PORT=...);
#   - token authentication ON with a fresh random token (override with LAB_TOKEN=...);
#     the full URL is printed; the token reaches the server through the environment
#     (JUPYTER_TOKEN), never the command line, where other local users could read it
#     with `ps` (a process's environment is readable by its owner only);
#   - opens notebooks/01_likelihood_to_loss.ipynb;
#   - opens a browser only when there is a display (--no-browser otherwise);
#   - --allow-root only when running as root;
#   - installs the book's JupyterLab settings first (kernel starts by itself,
#     autosave off so the stored chapters are not overwritten, no news pop-up).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
PY="$ROOT/.venv/bin/python"
[ -x "$PY" ] || { echo "lab: .venv is missing: run 'make venv' (or 'make lab')" >&2; exit 1; }

bash "$ROOT/scripts/install_lab_settings.sh" "$ROOT/.venv"

port_free() {
    "$PY" - "$1" <<'PY'
import socket, sys
s = socket.socket()
try:
    s.bind(("127.0.0.1", int(sys.argv[1])))
except OSError:
    sys.exit(1)
finally:
    s.close()
PY
}

if [ -n "${LAB_PORT:-}" ]; then
    PORT="$LAB_PORT"
elif port_free 8888; then
    PORT=8888
else
    PORT=$("$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
fi
TOKEN="${LAB_TOKEN:-$("$PY" -c 'import secrets; print(secrets.token_hex(24))')}"
NOTEBOOK="notebooks/01_likelihood_to_loss.ipynb"

args=(
    --ip=127.0.0.1
    --port="$PORT"
    --ServerApp.port_retries=0
    --ServerApp.root_dir="$ROOT"
    --LabApp.news_url=
    # Workspaces (the open tabs) are kept per project, inside the venv, so Lab
    # opens on chapter 1 rather than on the layout of another Jupyter session.
    --LabApp.workspaces_dir="$ROOT/.venv/share/jupyter/lab/workspaces"
)
if [ "$(id -u)" -eq 0 ]; then
    args+=(--allow-root)
fi
if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ] && [ "$(uname -s)" != "Darwin" ]; then
    args+=(--no-browser)
fi

URL="http://127.0.0.1:$PORT/lab/tree/$NOTEBOOK?token=$TOKEN"
echo "lab: JupyterLab on 127.0.0.1:$PORT (Ctrl+C to stop)."
echo "lab: open this URL (the token is the password):"
echo
echo "    $URL"
echo
export PYDEVD_DISABLE_FILE_VALIDATION=1
export JUPYTER_TOKEN="$TOKEN"
exec "$ROOT/.venv/bin/jupyter-lab" "${args[@]}" "$NOTEBOOK"
