#!/usr/bin/env bash
# Build the book into _build/html, fully offline. Called by `make html` / `make book`.
#
#   1. npm ci (only when node_modules is missing or older than package-lock.json):
#      MathJax 3, the ipywidgets HTML manager, RequireJS and anywidget's front end
#      (the AMD build the HTML manager loads for the anywidget explorers), versions pinned in
#      package.json / package-lock.json. This is the only step that may use the
#      network (the npm registry), like `pip install` for the venv.
#   2. Copy just the files the pages load into _offline_static/offline/ (git-ignored);
#      _config.yml points mathjax_path and nb_ipywidgets_js at them.
#   2b. Export the self-checking exercises' answers (scripts/export_exercises.py runs
#      every reference solution) into _offline_static/exercises/ for xent-exercises.js.
#   3. Check the stored notebook outputs: the book renders them as they are
#      (execute_notebooks: off, see _config.yml), so an error output or a code
#      cell that was never run fails the build here.
#   4. jupyter-book build with warnings as errors (-W -n --keep-going).
#
# Quiet when all is well (one line per step); on failure it prints the log and exits non-zero.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

BIN="$ROOT/.venv/bin"
STATIC="$ROOT/_offline_static"
VENDOR="$STATIC/offline"
LOG_DIR="$ROOT/_build/logs"
mkdir -p "$LOG_DIR"

fail() {
    echo "build_book: FAILED: $*" >&2
    exit 1
}

start=$(date +%s)

# Guard against the pitfall described in _config.yml: with a source `_static/`
# folder Jupyter Book would inject every .js under the static paths into every page.
if [ -d "$ROOT/_static" ]; then
    fail "a _static/ folder exists; Jupyter Book would then add every .js file of _offline_static/ (all of MathJax) to every page. Put custom CSS/JS elsewhere or adapt scripts/build_book.sh."
fi

# 1. npm packages ------------------------------------------------------------
lock_sum=$( (sha256sum package-lock.json 2>/dev/null || shasum -a 256 package-lock.json) | cut -d' ' -f1)
stamp="node_modules/.xent-book-lock.sha256"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$lock_sum" ]; then
    echo "build_book: npm ci (offline assets, pinned in package-lock.json) ..."
    command -v npm >/dev/null 2>&1 || fail "npm is not installed (Node.js 18+ with npm fetches MathJax and the widget manager once)"
    if ! npm ci --no-audit --no-fund --ignore-scripts --loglevel=error >"$LOG_DIR/npm.log" 2>&1; then
        cat "$LOG_DIR/npm.log" >&2
        fail "npm ci"
    fi
    echo "$lock_sum" >"$stamp"
fi

# 2. copy the needed files --------------------------------------------------------
echo "build_book: copying offline assets into _offline_static/offline ..."
MJ=node_modules/mathjax/es5
HM=node_modules/@jupyter-widgets/html-manager/dist
RJ=node_modules/requirejs
AW=node_modules/anywidget
for f in "$MJ/tex-chtml.js" "$HM/embed-amd.js" "$RJ/require.js" "$AW/dist/index.js"; do
    [ -f "$f" ] || fail "$f is missing after npm ci"
done
rm -rf "$STATIC" "$ROOT/_build/html"   # no stale pages or assets from an earlier build
mkdir -p "$VENDOR/mathjax/output" "$VENDOR/html-manager" "$VENDOR/requirejs" "$VENDOR/anywidget"
# MathJax: the TeX-to-CommonHTML component, plus what it loads on demand
# relative to its own URL: TeX extensions (autoload), the CHTML fonts, the
# context menu's accessibility and speech components.
cp "$MJ/tex-chtml.js" "$VENDOR/mathjax/"
cp -r "$MJ/input" "$MJ/a11y" "$MJ/ui" "$MJ/sre" "$VENDOR/mathjax/"
cp -r "$MJ/output/chtml" "$MJ/output/chtml.js" "$VENDOR/mathjax/output/"
cp node_modules/mathjax/LICENSE "$VENDOR/mathjax/"
# ipywidgets embed manager (AMD build) and the webpack assets it references
# (Font Awesome for widget icons), copied next to it so they resolve locally.
cp "$HM"/*.woff "$HM"/*.woff2 "$HM"/*.ttf "$HM"/*.eot "$HM"/*.svg "$VENDOR/html-manager/"
# The manager validates the saved widget state with Ajv in strict mode, and Ajv warns
# twice per widget page ("strict mode: use allowUnionTypes ...") about the widget
# schema's own union types; the schema is valid JSON Schema. Switch the check off in
# our copy (the two occurrences of Ajv's test, the bundle being pinned); fail the
# build if the pinned bundle no longer has exactly two.
n=$(grep -o 'e.opts.allowUnionTypes||' "$HM/embed-amd.js" | wc -l)
[ "$n" -eq 2 ] || fail "html-manager's embed-amd.js: expected Ajv's allowUnionTypes test twice, found $n (update scripts/build_book.sh)"
sed 's/e\.opts\.allowUnionTypes||/!0||/g' "$HM/embed-amd.js" >"$VENDOR/html-manager/embed-amd.js"
[ -f node_modules/@jupyter-widgets/html-manager/LICENSE ] && cp node_modules/@jupyter-widgets/html-manager/LICENSE "$VENDOR/html-manager/"
cp "$RJ/require.js" "$VENDOR/requirejs/"
[ -f "$RJ/LICENSE" ] && cp "$RJ/LICENSE" "$VENDOR/requirejs/"
# anywidget's front end, an AMD module (define(["@jupyter-widgets/base"], ...)): the HTML manager
# asks RequireJS for the module "anywidget" before its CDN, and _config.yml's `paths` entry
# points that name here. The explorers' own ES modules travel in the saved widget state.
grep -q 'define(\["@jupyter-widgets/base"\]' "$AW/dist/index.js" \
    || fail "$AW/dist/index.js is not the AMD build the HTML manager can load (update scripts/build_book.sh)"
cp "$AW/dist/index.js" "$VENDOR/anywidget/"
[ -f "$AW/LICENSE" ] && cp "$AW/LICENSE" "$VENDOR/anywidget/"

# 2b. the self-checking exercises' answers, computed from the reference solutions
# (xent_book/exercises/chNN.py) into _offline_static/exercises/ for xent-exercises.js.
"$BIN/python" scripts/export_exercises.py --out "$STATIC/exercises" >"$LOG_DIR/export_exercises.log" 2>&1 \
    || { cat "$LOG_DIR/export_exercises.log" >&2; fail "scripts/export_exercises.py (a reference solution failed)"; }

# 3. stored notebook outputs -------------------------------------------------------
echo "build_book: checking stored notebook outputs ..."
"$BIN/python" - <<'PY' || fail "a chapter's stored outputs are not a clean run (re-execute it: make execute NB=...)"
import re
import sys
from pathlib import Path

import nbformat

STRAY = re.compile(r"\(?[-+0-9.e, ]+\)?")  # a number or a tuple of numbers
sys.path.insert(0, '.')
from scripts.book_toc import toc_docs

files = toc_docs()
problems = []
for name in files:
    path = Path(name + ".ipynb")
    if not path.exists():
        continue
    nb = nbformat.read(path, as_version=4)
    unexecuted = []
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "code" or not cell.source.strip():
            continue
        tags = cell.metadata.get("tags", [])
        if cell.get("execution_count") is None and "skip-execution" not in tags:
            unexecuted.append(str(i))
        for out in cell.get("outputs", []):
            if out.get("output_type") == "error" and "raises-exception" not in tags:
                problems.append(f"{path}: cell {i} has an error output: {out.get('ename')}: {out.get('evalue')}")
            # A glue call's return value shown as Out[]: noise on the page, and a second
            # figure target when the cell makes a figure (assign it: `_ = g(...)`).
            plain = out.get("data", {}).get("text/plain", "")
            if out.get("output_type") == "execute_result" and STRAY.fullmatch("".join(plain).strip()):
                problems.append(f"{path}: cell {i} shows a stray number as its result: {''.join(plain)[:40]}")
    if unexecuted:
        problems.append(f"{path}: code cells never executed (cell numbers): {', '.join(unexecuted)}")
for p in problems:
    print("  " + p, file=sys.stderr)
sys.exit(1 if problems else 0)
PY

# 4. jupyter-book -------------------------------------------------------------------
echo "build_book: jupyter-book build (warnings are errors) ..."
if ! "$BIN/jupyter-book" build "$ROOT" --builder html -W -n --keep-going >"$LOG_DIR/jupyter-book.log" 2>&1; then
    # Show the warnings and errors first, then the tail of the log.
    # (ANSI colours stripped: Jupyter Book forces them even into a file.)
    sed -e 's/\x1b\[[0-9;]*m//g' "$LOG_DIR/jupyter-book.log" >"$LOG_DIR/jupyter-book.txt"
    echo "---- warnings and errors ----" >&2
    grep -E "WARNING|ERROR|Error|error:|Traceback" "$LOG_DIR/jupyter-book.txt" >&2 || true
    echo "---- last lines of _build/logs/jupyter-book.txt ----" >&2
    tail -n 15 "$LOG_DIR/jupyter-book.txt" >&2
    fail "jupyter-book build (full log: _build/logs/jupyter-book.txt)"
fi
[ -f "$ROOT/_build/html/index.html" ] || fail "_build/html/index.html was not written"

echo "build_book: done in $(( $(date +%s) - start )) s: _build/html/index.html"
