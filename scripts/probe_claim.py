"""Probe one claim of a chapter on many seeds: how often would a list of 5 seeds fail its assert?

Usage: python scripts/probe_claim.py NOTEBOOK LINE EXPRS [--seeds N] [--first S]

Runs NOTEBOOK in memory (nothing is written) with ``XENT_BOOK_SEEDS`` set to N seeds from S
(default 30 from 3000, disjoint from the book's and from ``make claims``' lists), up to and including
the code cell that holds LINE, an assert written out exactly as in the cell. That one line is
disabled (its cell runs without it; every other assert still runs), and the values of EXPRS,
expressions separated by ``;`` (per-seed arrays such as ``d_platt`` or ``train_loss - H_hat``),
are printed as JSON after the cell. Draw lists of 5 from them to estimate how often the assert
would fail on a list the book has not seen, and word the claim for that population of seeds
(issue 15). Every chapter's seeds come from ``xent_book.book_seeds``, so N seeds run N draws.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

import nbformat
from nbclient import NotebookClient

PROBE = "XENT_PROBE "


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("notebook", type=Path)
    ap.add_argument("line", help="the assert line to disable, as written in the cell")
    ap.add_argument("exprs", help="expressions to print after the cell, separated by ';'")
    ap.add_argument("--seeds", type=int, default=30)
    ap.add_argument("--first", type=int, default=3000)
    args = ap.parse_args(argv)
    os.environ["XENT_BOOK_SEEDS"] = ",".join(str(s) for s in range(args.first, args.first + args.seeds))
    nb = nbformat.read(args.notebook, as_version=4)
    for i, cell in enumerate(nb.cells):
        lines = cell.source.splitlines()
        if cell.cell_type == "code" and any(ln.strip() == args.line.strip() for ln in lines):
            cell.source = "\n".join(
                (ln[: len(ln) - len(ln.lstrip())] + "pass  # probed: " + ln.strip())
                if ln.strip() == args.line.strip()
                else ln
                for ln in lines
            )
            cell.source += (
                "\nimport json as _json\nimport numpy as _np\n"
                f"print({PROBE!r} + _json.dumps({{_e: _np.asarray(eval(_e)).tolist() for _e in {args.exprs!r}.split(';')}}))"
            )
            nb.cells = nb.cells[: i + 1]
            break
    else:
        print(f"no code cell of {args.notebook} holds the line {args.line!r}", file=sys.stderr)
        return 2
    client = NotebookClient(
        nb, timeout=1800, kernel_name="python3", resources={"metadata": {"path": str(args.notebook.parent)}}
    )
    client.execute()
    for out in nb.cells[-1].get("outputs", []):
        text = out.get("text", "")
        if PROBE in text:
            print(json.dumps(json.loads(text[text.index(PROBE) + len(PROBE) :].splitlines()[0]), indent=1))
            return 0
    print("the probed cell printed nothing", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
