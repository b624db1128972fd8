"""Re-run every chapter on seeds the book never printed; every assert must still pass.

Usage: python scripts/check_claims.py [--seeds 1000,1001,1002,1003,1004] [NOTEBOOK ...]

Each chapter derives all its seeds from ``xent_book.book_seeds()``, which reads
``XENT_BOOK_SEEDS``. This script sets that variable to a held-out list (by
default ``HELD_OUT``, disjoint from the book's seeds 0-7), executes every chapter
in memory (the stored notebooks are not touched and no output is compared), and
fails if any cell raises: an assert that backs a claim in the prose held only
for the printed seeds. ``make claims`` runs it; ``make test`` runs it too.
"""

from __future__ import annotations

import argparse
import glob
import os
import subprocess
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

ROOT = Path(__file__).resolve().parents[1]
HELD_OUT = "1000,1001,1002,1003,1004"


def run(path: Path, timeout: int = 600) -> tuple[bool, float, str]:
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(
        nb, timeout=timeout, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}
    )
    start = time.perf_counter()
    try:
        client.execute(stderr=subprocess.DEVNULL)  # the kernel's start-up notice, not a result
    except CellExecutionError as exc:
        lines = [ln for ln in str(exc).splitlines() if ln.strip()]
        return False, time.perf_counter() - start, "\n".join(lines[-12:])
    return True, time.perf_counter() - start, ""


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", default=os.environ.get("XENT_BOOK_CLAIM_SEEDS", HELD_OUT))
    parser.add_argument("notebooks", nargs="*")
    args = parser.parse_args(argv)
    os.environ["XENT_BOOK_SEEDS"] = args.seeds
    os.environ.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")
    import xent_book as xb

    seeds = xb.book_seeds()  # refuses a bad list before any kernel starts
    print(f"claims on held-out seeds XENT_BOOK_SEEDS={','.join(map(str, seeds))}", flush=True)
    paths = [Path(p) for p in args.notebooks] or [
        Path(p) for p in sorted(glob.glob(str(ROOT / "notebooks" / "*.ipynb")))
    ]
    failed = []
    for path in paths:
        ok, elapsed, why = run(path)
        print(f"  {'ok  ' if ok else 'FAIL'} {path.name:40s} {elapsed:6.1f} s", flush=True)
        if not ok:
            print("    " + why.replace("\n", "\n    "), flush=True)
            failed.append(path.name)
    if failed:
        print(f"{len(failed)} chapter(s) make a claim that fails on these seeds: {', '.join(failed)}")
        return 1
    print(f"every claim of {len(paths)} chapter(s) holds on these seeds")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
