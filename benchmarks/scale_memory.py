"""Peak memory and time: chunked vs naive linear cross-entropy (forward + backward, CPU).

Usage::

    python benchmarks/scale_memory.py            # full: N = 4096, H = 512, V in {32k, 64k, 128k}
    python benchmarks/scale_memory.py --quick    # N = 1024, H = 256, V in {8k, 16k, 32k} (run_all's default)

What is measured
----------------
Each (method, V) runs in a **fresh subprocess**, so that one measurement's
freed memory cannot hide in another's allocator. In that process the inputs
(``hidden`` N x H, ``weight`` V x H, both requiring grad, and ``target``) are
built, a small warm-up pass runs (same V, ``chunk`` tokens), then the
resident-set high-water mark is reset (``/proc/self/clear_refs``, value 5) and
one forward + backward pass runs. **Peak memory** is ``VmHWM - VmRSS`` read
from ``/proc/self/status`` around that pass: the extra resident memory the loss
needed, including the gradients it returns (``grad_weight`` V x H and
``grad_hidden`` N x H, the same for both methods). glibc is told to serve every
allocation of 64 KiB or more with ``mmap`` (``MALLOC_MMAP_THRESHOLD_``) so that
freed blocks leave the resident set at once. **Time** is the median wall time of
``--repeats`` forward + backward passes in the same process (the measured pass
and ``repeats - 1`` more), on all the cores PyTorch uses by default.

The "model" column is the arithmetic: the naive pass peaks with 3 N x V float32
matrices alive (the log-softmax saved for backward, the gradient of the nll
loss and the gradient of the logits); the chunked pass holds 2 chunk x V blocks
(logits and their log-softmax) plus the gradients ``(V + N) x H``.
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


def worker(method: str, n: int, h: int, v: int, chunk: int | None, repeats: int) -> dict:
    import torch

    from xent_book.scale import chunked_linear_cross_entropy, default_chunk_size, naive_linear_cross_entropy

    torch.manual_seed(0)
    hidden = torch.randn(n, h).requires_grad_(True)
    weight = (torch.randn(v, h) / h**0.5).requires_grad_(True)
    target = torch.randint(0, v, (n,))
    chunk = chunk or default_chunk_size(n, v)

    def step(k=n):
        hidden.grad = None
        weight.grad = None
        if method == "naive":
            loss = naive_linear_cross_entropy(hidden[:k], weight, target[:k])
        else:
            loss = chunked_linear_cross_entropy(hidden[:k], weight, target[:k], chunk_size=chunk)
        loss.backward()
        return float(loss)

    step(min(n, chunk))  # warm-up: thread pools, kernels, the code path
    hidden.grad = None
    weight.grad = None
    rss0 = _status_kb("VmRSS")
    Path("/proc/self/clear_refs").write_text("5")  # reset the high-water mark
    t0 = time.perf_counter()
    loss = step()
    times = [time.perf_counter() - t0]  # the measured pass is also the first timing sample
    peak = _status_kb("VmHWM") - rss0
    for _ in range(repeats - 1):
        t0 = time.perf_counter()
        step()
        times.append(time.perf_counter() - t0)
    return dict(method=method, n=n, h=h, v=v, chunk=chunk, loss=loss, peak_kib=peak, times=times)


def measure(method, n, h, v, chunk, repeats) -> dict:
    env = dict(os.environ, MALLOC_MMAP_THRESHOLD_="65536", PYTHONPATH=str(ROOT))
    cmd = [sys.executable, __file__, "--worker", method, str(n), str(h), str(v), str(chunk or 0), str(repeats)]
    out = subprocess.run(cmd, env=env, check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def model_mib(method, n, h, v, chunk) -> float:
    if method == "naive":
        return 3 * n * v * 4 / 2**20
    return (2 * chunk * v * 4 + (v + n) * h * 4) / 2**20


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--quick", action="store_true", help="smaller sizes (N=1024, H=256, V up to 32k)")
    p.add_argument("--chunk", type=int, default=0, help="chunk size (default: xent_book.scale.default_chunk_size)")
    p.add_argument("--repeats", type=int, default=None)
    p.add_argument("--worker", nargs=6, help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.worker:
        method, n, h, v, chunk, repeats = args.worker
        res = worker(method, int(n), int(h), int(v), int(chunk) or None, int(repeats))
        print(json.dumps(res))
        return 0

    cfg = QUICK if args.quick else FULL
    repeats = args.repeats or cfg["repeats"]
    n, h = cfg["n"], cfg["h"]
    print(f"## Linear + cross-entropy, forward + backward, float32, CPU ({'quick' if args.quick else 'full'} sizes)")
    print(f"N = {n} tokens, H = {h}; peak = extra resident memory (VmHWM - VmRSS) in a fresh process; "
          f"time = median of {repeats} runs")
    print()
    print("| V | method | chunk | peak (MiB) | model (MiB) | time (s) | loss |")
    print("|---:|---|---:|---:|---:|---:|---:|")
    summary = []
    t_start = time.perf_counter()
    for v in cfg["vocabs"]:
        rows = {}
        for method in ("naive", "chunked"):
            r = measure(method, n, h, v, args.chunk, repeats)
            rows[method] = r
            chunk = r["chunk"] if method == "chunked" else n
            print(f"| {v} | {method} | {chunk} | {r['peak_kib'] / 1024:.0f} | "
                  f"{model_mib(method, n, h, v, chunk):.0f} | {statistics.median(r['times']):.2f} | {r['loss']:.6f} |",
                  flush=True)
        mem_ratio = rows["naive"]["peak_kib"] / rows["chunked"]["peak_kib"]
        time_ratio = statistics.median(rows["chunked"]["times"]) / statistics.median(rows["naive"]["times"])
        same = abs(rows["naive"]["loss"] - rows["chunked"]["loss"]) <= 1e-5 * abs(rows["naive"]["loss"])
        summary.append((v, mem_ratio, time_ratio, same))
    print()
    print("| V | naive peak / chunked peak | chunked time / naive time | losses agree (1e-5 rel.) |")
    print("|---:|---:|---:|---|")
    for v, m, t, same in summary:
        print(f"| {v} | {m:.1f}x | {t:.2f} | {'yes' if same else 'NO'} |")
    print(f"\n(total {time.perf_counter() - t_start:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
