"""Peak memory and time: chunked vs naive linear cross-entropy (forward + backward, CPU).

Usage::

    python benchmarks/scale_memory.py            # full: N = 4096, H = 512, V in {32k, 64k, 128k}
    python benchmarks/scale_memory.py --quick    # N = 1024, H = 256, V in {8k, 16k, 32k} (run_all's default)

Both methods compute the mean cross-entropy of ``hidden @ weight.T`` and its
gradients with respect to ``hidden`` (N x H) and ``weight`` (V x H), float32:
``naive`` is ``F.cross_entropy(hidden @ weight.T, target)`` and ``chunked`` is
``xent_book.scale.chunked_linear_cross_entropy`` with its default chunk size.

Peak memory
-----------
Each (method, V) pass runs in a **fresh subprocess**, so that one measurement's
freed memory cannot hide in another's allocator. The inputs are built, a small
warm-up pass runs (same V, one chunk of tokens), then the resident-set
high-water mark is reset (``/proc/self/clear_refs``, value 5) and one
forward + backward pass runs. The peak is ``VmHWM - VmRSS`` from
``/proc/self/status`` around that pass: the extra resident memory the loss
needed, including the gradients it returns (the same for both methods). glibc
is told to serve every allocation of 64 KiB or more with ``mmap``
(``MALLOC_MMAP_THRESHOLD_``) so that freed blocks leave the resident set at once.
The "model" column is the arithmetic: the naive pass peaks with 3 N x V float32
matrices alive (the log-softmax saved for the backward pass, the gradient of the
nll loss, the gradient of the logits); the chunked pass holds one chunk x V
block (reused for every chunk) plus the gradients ``(V + N) x H``.

Time
----
One more subprocess per V builds the inputs once, warms both methods up and
then alternates them, ``--repeats`` rounds of (naive, chunked), so that a change
in the machine's load hits both alike. Reported: the median wall time and the
median CPU time of the process (all its threads, ``time.process_time``), and
two wall-time ratios: the ratio of the two medians (the table's medians
divided), and the median over rounds of each round's chunked / naive ratio
(robust to a slow round, and not equal to the first). PyTorch uses its
default number of threads (the cores available).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

FULL = dict(n=4096, h=512, vocabs=(32768, 65536, 131072), repeats=3)
QUICK = dict(n=1024, h=256, vocabs=(8192, 16384, 32768), repeats=3)


def _status_kb(field: str) -> int:
    text = Path("/proc/self/status").read_text()
    return int(re.search(rf"{field}:\s+(\d+) kB", text).group(1))


def _setup(n, h, v, chunk):
    import torch

    from xent_book.scale import chunked_linear_cross_entropy, default_chunk_size, naive_linear_cross_entropy

    torch.manual_seed(0)
    hidden = torch.randn(n, h).requires_grad_(True)
    weight = (torch.randn(v, h) / h**0.5).requires_grad_(True)
    target = torch.randint(0, v, (n,))
    chunk = chunk or default_chunk_size(n, v)

    def step(method, k=n):
        hidden.grad = None
        weight.grad = None
        if method == "naive":
            loss = naive_linear_cross_entropy(hidden[:k], weight, target[:k])
        else:
            loss = chunked_linear_cross_entropy(hidden[:k], weight, target[:k], chunk_size=chunk)
        loss.backward()
        hidden.grad = None
        weight.grad = None
        return float(loss)

    return step, chunk


def worker_memory(method, n, h, v, chunk) -> dict:
    step, chunk = _setup(n, h, v, chunk)
    step(method, min(n, chunk))  # warm-up: thread pools, kernels, the code path
    rss0 = _status_kb("VmRSS")
    Path("/proc/self/clear_refs").write_text("5")  # reset the high-water mark
    loss = step(method)
    peak = _status_kb("VmHWM") - rss0
    return dict(method=method, v=v, chunk=chunk, loss=loss, peak_kib=peak)


def worker_time(n, h, v, chunk, repeats) -> dict:
    step, chunk = _setup(n, h, v, chunk)
    for method in ("naive", "chunked"):
        step(method, min(n, chunk))
    out = {"naive": {"wall": [], "cpu": []}, "chunked": {"wall": [], "cpu": []}, "chunk": chunk}
    for _ in range(repeats):
        for method in ("naive", "chunked"):
            w0, c0 = time.perf_counter(), time.process_time()
            step(method)
            out[method]["wall"].append(time.perf_counter() - w0)
            out[method]["cpu"].append(time.process_time() - c0)
    return out


def _run(args) -> dict:
    env = dict(os.environ, MALLOC_MMAP_THRESHOLD_="65536", PYTHONPATH=str(ROOT))
    out = subprocess.run(
        [sys.executable, __file__, *map(str, args)], env=env, check=True, capture_output=True, text=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def model_mib(method, n, h, v, chunk) -> float:
    if method == "naive":
        return 3 * n * v * 4 / 2**20
    return (chunk * v * 4 + (v + n) * h * 4) / 2**20


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--quick", action="store_true", help="smaller sizes (N=1024, H=256, V up to 32k)")
    p.add_argument(
        "--chunk", type=int, default=0, help="chunk size (default: xent_book.scale.default_chunk_size)"
    )
    p.add_argument("--repeats", type=int, default=None, help="timing rounds (default 3)")
    p.add_argument("--worker-memory", nargs=5, help=argparse.SUPPRESS)
    p.add_argument("--worker-time", nargs=5, help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.worker_memory:
        method, n, h, v, chunk = args.worker_memory
        print(json.dumps(worker_memory(method, int(n), int(h), int(v), int(chunk) or None)))
        return 0
    if args.worker_time:
        n, h, v, chunk, repeats = map(int, args.worker_time)
        print(json.dumps(worker_time(n, h, v, chunk or None, repeats)))
        return 0

    cfg = QUICK if args.quick else FULL
    repeats = args.repeats or cfg["repeats"]
    n, h = cfg["n"], cfg["h"]
    print(
        f"## Linear + cross-entropy, forward + backward, float32, CPU ({'quick' if args.quick else 'full'} sizes)"
    )
    print(
        f"N = {n} tokens, H = {h}. Peak: extra resident memory (VmHWM - VmRSS) of one pass in a fresh process. "
        f"Time: median of {repeats} alternating rounds in one process (wall clock and process CPU time)."
    )
    print()
    print("| V | method | chunk | peak (MiB) | model (MiB) | wall (s) | CPU (s) | loss |")
    print("|---:|---|---:|---:|---:|---:|---:|---:|")
    summary = []
    t_start = time.perf_counter()
    for v in cfg["vocabs"]:
        mem = {m: _run(["--worker-memory", m, n, h, v, args.chunk]) for m in ("naive", "chunked")}
        tim = _run(["--worker-time", n, h, v, args.chunk, repeats])
        for m in ("naive", "chunked"):
            chunk = mem[m]["chunk"] if m == "chunked" else n
            print(
                f"| {v} | {m} | {chunk} | {mem[m]['peak_kib'] / 1024:.0f} | {model_mib(m, n, h, v, chunk):.0f} | "
                f"{statistics.median(tim[m]['wall']):.2f} | {statistics.median(tim[m]['cpu']):.2f} | "
                f"{mem[m]['loss']:.6f} |",
                flush=True,
            )
        ratios = [c / a for a, c in zip(tim["naive"]["wall"], tim["chunked"]["wall"])]
        summary.append(
            (
                v,
                mem["naive"]["peak_kib"] / mem["chunked"]["peak_kib"],
                statistics.median(tim["chunked"]["wall"]) / statistics.median(tim["naive"]["wall"]),
                statistics.median(ratios),
                statistics.median(tim["chunked"]["cpu"]) / statistics.median(tim["naive"]["cpu"]),
                abs(mem["naive"]["loss"] - mem["chunked"]["loss"]) <= 1e-5 * abs(mem["naive"]["loss"]),
            )
        )
    print()
    print(
        "| V | naive peak / chunked peak | chunked / naive median wall time | median of per-round wall ratios "
        "| chunked / naive median CPU time | losses agree (1e-5 rel.) |"
    )
    print("|---:|---:|---:|---:|---:|---|")
    for v, m, t, r, c, same in summary:
        print(f"| {v} | {m:.1f}x | {t:.2f} | {r:.2f} | {c:.2f} | {'yes' if same else 'NO'} |")
    print(f"\n(total {time.perf_counter() - t_start:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
