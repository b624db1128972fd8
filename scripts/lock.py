"""Regenerate requirements/book.lock, the book's whole environment with hashes (``make lock``).

Usage: python scripts/lock.py [--find-links DIR] [--output requirements/book.lock]

Runs ``uv pip compile`` on pyproject.toml with the ``dev`` extras, universal (every platform's
markers), hashes for every file, the versions now installed as preferences (so that the lock is
the environment the stored outputs were checked in), and without torch (installed before the
lock: the CPU build, see README) or this project (installed with ``--no-deps -e .``).

uv ignores the upper bound of ``requires-python`` and so also resolves for Python >= 3.12, and
for platforms where PyPI's torch is a CUDA build: entries whose markers hold on no supported
platform under Python 3.11 are dropped, and so are the CUDA builds' own packages (nvidia-*,
cuda-*, triton). ``--find-links`` points at a folder holding the CPU torch wheel (the
default, /opt/wheels, is where this project's machines keep it), so that the resolution sees the
CPU build's dependencies.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
from importlib import metadata
from pathlib import Path

from packaging.markers import Marker

ROOT = Path(__file__).resolve().parents[1]
PYTHON = "3.11.7"
# Python 3.11 on the platforms a reader may use.
ENVIRONMENTS = [
    {"sys_platform": p, "platform_system": s, "os_name": o, "platform_machine": m}
    for p, s, o, m in [
        ("linux", "Linux", "posix", "x86_64"),
        ("linux", "Linux", "posix", "aarch64"),
        ("darwin", "Darwin", "posix", "arm64"),
        ("win32", "Windows", "nt", "AMD64"),
    ]
]


# Dependencies of PyPI's CUDA builds of torch only (the book uses the CPU build, installed first).
CUDA_ONLY = re.compile(r"^(nvidia-|cuda-|triton==)")


def applies(marker: str) -> bool:
    """Whether ``marker`` holds for Python 3.11 on at least one supported platform."""
    m = Marker(marker)
    base = {
        "python_version": "3.11",
        "python_full_version": PYTHON,
        "implementation_name": "cpython",
        "platform_python_implementation": "CPython",
    }
    return any(m.evaluate({**base, **env}) for env in ENVIRONMENTS)


def prune(text: str) -> tuple[str, list[str]]:
    """Drop the lock's entries (requirement line, hashes, comments) that apply nowhere."""
    blocks, current = [], []
    for line in text.splitlines(keepends=True):
        if re.match(r"^[A-Za-z0-9_.\-]+==", line) and current:
            blocks.append(current)
            current = []
        current.append(line)
    blocks.append(current)
    kept, dropped = [], []
    for block in blocks:
        head = block[0]
        m = re.match(r"^([A-Za-z0-9_.\-]+==\S+)\s*;\s*(.*?)\s*\\?\s*$", head)
        if CUDA_ONLY.match(head) or (m and not applies(m.group(2))):
            dropped.append(head.split()[0])
            continue
        kept.append("".join(block))
    return "".join(kept), dropped


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--find-links", default="/opt/wheels")
    ap.add_argument("--output", type=Path, default=ROOT / "requirements" / "book.lock")
    args = ap.parse_args(argv)
    uv = shutil.which("uv", path=str(Path(sys.executable).parent)) or shutil.which("uv")
    if uv is None:
        sys.exit("lock: uv not found (it is one of the dev tools: make installs it)")
    skip = {"torch", "xent-book", "pip", "setuptools", "wheel"}
    prefs = [
        f"{d.metadata['Name']}=={d.version}"
        for d in metadata.distributions()
        if d.metadata["Name"].lower().replace("_", "-") not in skip
    ]
    with tempfile.TemporaryDirectory() as tmp:
        constraints = Path(tmp) / "installed.txt"
        constraints.write_text("\n".join(sorted(prefs)) + "\n")
        out = Path(tmp) / "book.lock"
        cmd = [uv, "pip", "compile", "pyproject.toml", "--extra", "dev", "--generate-hashes", "--universal"]
        cmd += ["--python-version", PYTHON, "--no-emit-package", "torch", "--no-emit-package", "xent-book"]
        cmd += ["--constraint", str(constraints), "--no-header", "--quiet", "-o", str(out)]
        if args.find_links and Path(args.find_links).is_dir():
            cmd += ["--find-links", args.find_links]
        subprocess.run(cmd, cwd=ROOT, check=True)
        # the preferences file is a temporary path: name what it holds instead
        text, dropped = prune(out.read_text().replace(f"-c {constraints}", "the installed versions"))
    header = (
        "# The book's whole environment, with hashes: make installs it in hash-checking mode\n"
        "# (torch first, then this file, then the project with --no-deps). Regenerate: make lock\n"
        "# (scripts/lock.py). Python 3.11; torch is not here (see README: the CPU build).\n"
    )
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(header + text)
    n = len(re.findall(r"^[A-Za-z0-9_.\-]+==", text, re.M))
    print(
        f"lock: {n} packages -> {args.output}; dropped (CUDA-only, or no Python 3.11 platform): {len(dropped)}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
