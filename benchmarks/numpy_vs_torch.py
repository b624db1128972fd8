"""The NumPy reference ``xent_book.cross_entropy`` against ``torch.nn.functional.cross_entropy``.

Usage: python benchmarks/numpy_vs_torch.py [--n 8192] [--c 1000] [--repeats 7]

Both compute the forward loss on the same float64 logits (N x C) and class
indices; the table gives the median wall time of ``--repeats`` calls of each
(after one warm-up call), their ratio, and the largest absolute difference of
the per-sample losses (``reduction='none'``) and of the mean. PyTorch runs on
one thread, as the book's notebooks do (``xb.setup_notebook``), so that the
comparison is single-threaded on both sides.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def median_time(fn, repeats):
    fn()
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--n", type=int, default=8192)
    p.add_argument("--c", type=int, default=1000)
    p.add_argument("--repeats", type=int, default=7)
    args = p.parse_args(argv)

    import numpy as np
    import torch
    import torch.nn.functional as F

    import xent_book as xb

    torch.set_num_threads(1)
    rng = np.random.default_rng(0)
    logits = rng.normal(scale=3.0, size=(args.n, args.c))
    target = rng.integers(0, args.c, size=args.n)
    target_ignored = target.copy()
    target_ignored[::10] = -100
    x_t, y_t, yi_t = torch.from_numpy(logits), torch.from_numpy(target), torch.from_numpy(target_ignored)

    cases = [
        ("mean", {}, target, y_t),
        ("none", dict(reduction="none"), target, y_t),
        ("mean, eps = 0.1, 10% ignored", dict(label_smoothing=0.1), target_ignored, yi_t),
    ]
    print(f"## xent_book.cross_entropy (NumPy) vs torch.nn.functional.cross_entropy, float64, "
          f"N = {args.n}, C = {args.c}, forward only")
    print(f"median of {args.repeats} calls; PyTorch on 1 thread")
    print()
    print("| case | NumPy (ms) | PyTorch (ms) | NumPy / PyTorch | max abs difference |")
    print("|---|---:|---:|---:|---:|")
    for name, kw, y_np, y_torch in cases:
        ours = xb.cross_entropy(logits, y_np, **kw)
        ref = F.cross_entropy(x_t, y_torch, **kw).numpy()
        diff = float(np.max(np.abs(np.asarray(ours, dtype=np.float64) - ref)))
        t_np = median_time(lambda: xb.cross_entropy(logits, y_np, **kw), args.repeats)
        t_torch = median_time(lambda: F.cross_entropy(x_t, y_torch, **kw), args.repeats)
        print(f"| {name} | {1e3 * t_np:.1f} | {1e3 * t_torch:.1f} | {t_np / t_torch:.2f} | {diff:.1e} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
