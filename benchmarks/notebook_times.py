"""Wall time of each chapter, executed top to bottom in a fresh kernel (nothing is written back).

Usage: python benchmarks/notebook_times.py [NOTEBOOK ...]   (default: notebooks/*.ipynb)

Executes like ``scripts/execute_notebooks.py`` (nbclient, python3 kernel, the
notebook's folder as working directory) but on an in-memory copy, so the
stored outputs are untouched. The time includes the kernel's start (about
0.5 s) and is compared with the book's budget of 25 s per chapter (240 s for all) on an idle 2-core machine.
"""

from __future__ import annotations

import glob
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BUDGET_S = 25.0
TOTAL_BUDGET_S = 240.0


def run(path: Path, timeout: int = 300) -> tuple[float, str]:
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(
        nb, timeout=timeout, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}
    )
    t0 = time.perf_counter()
    try:
        # the kernel's own stderr (a start-up notice about TCP transport) would
        # interleave with the table
        client.execute(stderr=subprocess.DEVNULL)
        status = "ok"
    except Exception as exc:  # report and go on with the next chapter
        status = f"error: {type(exc).__name__}"
    return time.perf_counter() - t0, status


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    paths = [Path(p) for p in argv] or [
        Path(p) for p in sorted(glob.glob(str(ROOT / "notebooks" / "*.ipynb")))
    ]
    os.environ.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")
    print(f"## Notebook execution times (fresh kernel each, budget {BUDGET_S:.0f} s)")
    print()
    print("| notebook | wall time (s) | within budget | status |")
    print("|---|---:|---|---|")
    total = 0.0
    failures = 0
    for path in paths:
        elapsed, status = run(path)
        total += elapsed
        failures += status != "ok"
        print(
            f"| {path.name} | {elapsed:.1f} | {'yes' if elapsed < BUDGET_S else 'NO'} | {status} |",
            flush=True,
        )
    print(
        f"| total | {total:.1f} | {'yes' if total < TOTAL_BUDGET_S else 'NO'} (budget {TOTAL_BUDGET_S:.0f} s) | |"
    )
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
