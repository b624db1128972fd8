"""How long are the code cells a reader sees? (issue 21's targets)

For every chapter, the visible code cells (not tagged ``remove-input``,
``hide-input`` or ``remove-cell``) are counted in non-blank lines. Printed per
chapter: the number of visible code cells, their median and largest length,
and the functions a chapter defines that another chapter defines too (a helper
copied between notebooks belongs in the package).

    .venv/bin/python scripts/cell_stats.py [--max-lines 40] [--median 12] [notebooks/NN_x.ipynb ...]

Exit status 1 when a target is missed: a median above ``--median``, a cell
above ``--max-lines`` without a ``# long cell:`` comment saying why, or a
function defined in two chapters.
"""

from __future__ import annotations

import argparse
import ast
import json
import re
import statistics
import sys
from collections import defaultdict
from pathlib import Path

HIDDEN = {"remove-input", "hide-input", "remove-cell"}
LONG_OK = re.compile(r"^\s*#\s*long cell:", re.MULTILINE)


def visible_code_cells(path: Path) -> list[str]:
    """The source of each code cell of ``path`` whose input the reader sees."""
    nb = json.loads(path.read_text(encoding="utf-8"))
    out = []
    for cell in nb["cells"]:
        if cell["cell_type"] != "code":
            continue
        if HIDDEN & set(cell.get("metadata", {}).get("tags", [])):
            continue
        out.append("".join(cell["source"]))
    return out


def n_lines(source: str) -> int:
    return sum(1 for line in source.splitlines() if line.strip())


def defined_functions(source: str) -> set[str]:
    try:
        tree = ast.parse(source)
    except SyntaxError:  # IPython magics
        return set()
    return {n.name for n in tree.body if isinstance(n, ast.FunctionDef)}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("notebooks", nargs="*", type=Path)
    ap.add_argument("--max-lines", type=int, default=40)
    ap.add_argument("--median", type=float, default=12)
    args = ap.parse_args(argv)
    paths = args.notebooks or sorted(Path("notebooks").glob("[0-9][0-9]_*.ipynb"))
    failed = False
    owners: dict[str, set[str]] = defaultdict(set)
    print(f"{'chapter':<36}{'cells':>6}{'median':>8}{'max':>6}  over {args.max_lines} lines")
    all_lengths = []
    for path in paths:
        cells = visible_code_cells(path)
        lengths = [n_lines(c) for c in cells]
        all_lengths += lengths
        for c in cells:
            for name in defined_functions(c):
                owners[name].add(path.stem)
        long = [
            i for i, (c, n) in enumerate(zip(cells, lengths)) if n > args.max_lines and not LONG_OK.search(c)
        ]
        med = statistics.median(lengths) if lengths else 0
        failed |= bool(long) or med > args.median
        print(f"{path.stem:<36}{len(cells):>6}{med:>8.1f}{max(lengths, default=0):>6}  {long or ''}")
    if all_lengths:
        print(f"{'all':<36}{len(all_lengths):>6}{statistics.median(all_lengths):>8.1f}{max(all_lengths):>6}")
    shared = {k: sorted(v) for k, v in owners.items() if len(v) > 1}
    for name, where in sorted(shared.items()):
        print(f"defined in {len(where)} chapters: {name}() in {', '.join(where)}")
    failed |= bool(shared)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
