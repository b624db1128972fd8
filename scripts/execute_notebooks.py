"""Re-execute notebooks in place, so that stored outputs match the package.

Usage: python scripts/execute_notebooks.py [NOTEBOOK ...]   (default: notebooks/*.ipynb)

The outputs are what nbval compares against on every test run, so this is the
one command to run after changing a chapter or a function it uses
(``make execute``). Widget state is stored so that the rendered book can show
each explorer's initial view; volatile metadata (timestamps) is dropped, and
consecutive prints to one stream are stored as one output.
It prints each notebook's wall time.
"""

from __future__ import annotations

import glob
import os
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]


def coalesce_streams(outputs: list) -> list:
    """Merge consecutive stream outputs of the same stream into one.

    How a cell's printing is split into messages depends on timing (the kernel flushes
    when it likes), so the stored notebook would change shape from run to run.
    """
    merged: list = []
    for out in outputs:
        last = merged[-1] if merged else None
        if (
            out.get("output_type") == "stream"
            and last is not None
            and last.get("output_type") == "stream"
            and last.get("name") == out.get("name")
        ):
            last["text"] = "".join(last["text"]) + "".join(out["text"])
        else:
            merged.append(out)
    return merged


def execute(path: Path, timeout: int = 300) -> float:
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(
        nb,
        timeout=timeout,
        kernel_name="python3",
        resources={"metadata": {"path": str(path.parent)}},
        store_widget_state=True,
        record_timing=False,
    )
    start = time.perf_counter()
    client.execute()
    elapsed = time.perf_counter() - start
    for cell in nb.cells:
        cell.metadata.pop("execution", None)
        if cell.cell_type == "code":
            cell.outputs = coalesce_streams(cell.outputs)
    nb.metadata.pop("papermill", None)
    nbformat.write(nb, path)
    return elapsed


def main(argv: list[str]) -> int:
    paths = [Path(p) for p in argv] or [
        Path(p) for p in sorted(glob.glob(str(ROOT / "notebooks" / "*.ipynb")))
    ]
    os.environ.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")
    for path in paths:
        print(f"executing {path.name} ...", flush=True)
        elapsed = execute(path)
        print(f"  {elapsed:6.1f} s", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
