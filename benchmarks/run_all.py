"""Run every benchmark and print one report (``make bench``).

Usage: python benchmarks/run_all.py [--full]

Prints the machine (CPU model, cores, memory, Python, PyTorch, NumPy), then the
tables of

* ``scale_memory.py``: chunked vs naive linear cross-entropy, peak memory and
  time (``--quick`` sizes unless ``--full``: the full run takes minutes);
* ``numpy_vs_torch.py``: the NumPy reference vs PyTorch's cross-entropy;
* ``notebook_times.py``: each chapter's execution time;
* ``explorer_latency.py``: input event to updated DOM for the anywidget explorers, in the
  built pages and in JupyterLab (needs ``make html`` first; reported as failed otherwise).

Each benchmark runs as its own process; a failing one is reported and the
others still run. The exit status is non-zero if any failed.
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HERE = Path(__file__).resolve().parent


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def memory_gib() -> str:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                return f"{int(line.split()[1]) / 2**20:.0f} GiB"
    except OSError:
        pass
    return "unknown"


def machine() -> str:
    import numpy
    import torch

    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    lines = [
        "## Machine",
        "",
        f"- CPU: {cpu_model()}, {cores} cores available (load average {load:.1f} at start)",
        f"- memory: {memory_gib()}",
        f"- OS: {platform.system()} {platform.release()}",
        f"- Python {platform.python_version()}, PyTorch {torch.__version__} "
        f"({torch.get_num_threads()} threads by default), NumPy {numpy.__version__}",
        f"- date: {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}",
    ]
    return "\n".join(lines)


def run(script: str, *args: str) -> int:
    path = HERE / script
    if not path.exists():
        print(f"\n({script} not present: skipped)\n")
        return 0
    print(f"\n<!-- {script} {' '.join(args)} -->", flush=True)
    t0 = time.perf_counter()
    rc = subprocess.run([sys.executable, str(path), *args], cwd=ROOT).returncode
    print(f"\n({script}: {time.perf_counter() - t0:.0f} s, exit status {rc})", flush=True)
    return rc


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--full", action="store_true", help="full sizes for scale_memory.py (several minutes)")
    args = p.parse_args(argv)
    print("# xent-book benchmarks\n")
    print(machine(), flush=True)
    codes = [
        run("scale_memory.py", *([] if args.full else ["--quick"])),
        run("numpy_vs_torch.py"),
        run("notebook_times.py"),
        run("explorer_latency.py"),
    ]
    failed = sum(c != 0 for c in codes)
    print(f"\n{len(codes) - failed} of {len(codes)} benchmarks finished without error.")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
