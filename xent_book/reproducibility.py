"""Reproducible runs: seeding every random number generator and fixing the thread count.

Two separate concerns, each in one function, and their composition for a
chapter's first cell:

* :func:`seed_everything` -- seeds Python's ``random``, NumPy's legacy global
  generator and PyTorch's, and returns a fresh ``numpy.random.Generator``;
* :func:`single_thread` -- runs PyTorch and the BLAS (through threadpoolctl) on
  one thread with deterministic algorithms, so that sums are added in the same
  order whatever the machine's core count (stored outputs must match on every
  run for nbval); these notebooks' models are small enough that one thread is
  also the fastest;
* :func:`book_seeds` -- the one list every experiment of every chapter draws its
  seeds from: the book's own seeds by default, or the list in the environment
  variable ``XENT_BOOK_SEEDS`` (``make claims`` re-runs every chapter on seeds
  the book never printed, so that a claim is checked on held-out seeds);
* :func:`setup_notebook` -- :func:`xent_book.plotting.use_book_style`, then
  :func:`single_thread`, then :func:`seed_everything` with the first seed of
  :func:`book_seeds`.

See also: every chapter's first cell; :mod:`xent_book.train` for the training
loop's own seeded, single-threaded context.
"""

from __future__ import annotations

import os
import random

import numpy as np

from ._validation import SEED_MAX, check_int, check_seed

__all__ = ["SEEDS_VARIABLE", "MIN_SEEDS", "book_seeds", "seed_everything", "single_thread", "setup_notebook"]

SEEDS_VARIABLE = "XENT_BOOK_SEEDS"
MIN_SEEDS = 5  # a claim about an experiment rests on at least this many seeds
_SEED_STRIDE = 1_000_000  # derived seeds (data draw, initialisation, batch order) stay apart


def book_seeds(n: int = MIN_SEEDS) -> np.ndarray:
    """The seeds of an experiment: ``0, 1, ..., n - 1``, or the list in ``XENT_BOOK_SEEDS``.

    Every seed a chapter uses derives from this one list (the data draw, the
    initialisation and the batch order of seed ``s`` are ``s`` or
    ``s + k * 1_000_000`` for a small ``k``), so that setting the environment
    variable, e.g. ``XENT_BOOK_SEEDS=1000,1001,1002,1003,1004``, re-runs every
    experiment of every chapter on other seeds. A chapter then runs as many
    seeds as the list holds, whatever its default ``n``.

    Parameters
    ----------
    n : int
        How many seeds the chapter runs by default (at least 5).

    Returns
    -------
    numpy.ndarray
        Distinct int64 seeds, at least 5 of them.

    Raises
    ------
    TypeError
        ``n`` not an int.
    ValueError
        ``n`` below 5; ``XENT_BOOK_SEEDS`` set but not a comma-separated list of at
        least 5 distinct integers in ``[0, 2**32 - 1 - 10 * 1_000_000]``.

    See Also
    --------
    setup_notebook

    Notes
    -----
    ``make claims`` (CONTRIBUTING.md).
    """
    n = check_int(n, "n", MIN_SEEDS, 10_000)
    text = os.environ.get(SEEDS_VARIABLE, "").strip()
    if not text:
        return np.arange(n, dtype=np.int64)
    try:
        values = [int(part) for part in text.split(",")]
    except ValueError:
        raise ValueError(
            f"{SEEDS_VARIABLE}: expected a comma-separated list of integers such as "
            f"'1000,1001,1002,1003,1004', got {text!r}"
        ) from None
    if len(values) < MIN_SEEDS:
        raise ValueError(
            f"{SEEDS_VARIABLE}: expected at least {MIN_SEEDS} seeds, got {len(values)} ({text!r})"
        )
    if len(set(values)) != len(values):
        raise ValueError(f"{SEEDS_VARIABLE}: expected distinct seeds, got {text!r}")
    top = SEED_MAX - 10 * _SEED_STRIDE
    bad = [v for v in values if not 0 <= v <= top]
    if bad:
        raise ValueError(f"{SEEDS_VARIABLE}: expected seeds in [0, {top}], got {bad}")
    return np.asarray(values, dtype=np.int64)


def seed_everything(seed: int = 0) -> np.random.Generator:
    """Seed Python's, NumPy's legacy and PyTorch's generators; return ``numpy.random.default_rng(seed)``.

    Parameters
    ----------
    seed : int
        The seed of all four generators, in [0, 2**32 - 1].

    Returns
    -------
    numpy.random.Generator
        A fresh ``numpy.random.default_rng(seed)``.

    Raises
    ------
    TypeError
        ``seed`` not an int (a bool is refused).
    ValueError
        ``seed`` outside [0, 2**32 - 1] (the range every one of these generators accepts).
    """
    s = check_seed(seed)
    random.seed(s)
    np.random.seed(s)  # noqa: NPY002 (the legacy global generator is what this seeds)
    try:
        import torch

        torch.manual_seed(s)
    except ImportError:  # pragma: no cover - torch is a dependency
        pass
    return np.random.default_rng(s)


def _deterministic_algorithms(torch, mode: bool = True) -> None:
    """``torch.use_deterministic_algorithms(mode)``, without importing TorchInductor.

    The public call also sets ``torch._inductor.config.deterministic``, which only
    ``torch.compile`` reads (no chapter uses it), and importing that config pulls in
    ``torch._dynamo``: about 2-6 s of every chapter's run. The flag eager PyTorch reads
    is set by ``torch._C._set_deterministic_algorithms`` alone (what the public call
    does after the import, in the pinned torch); where that is missing, or Inductor is
    already loaded, the public call is used.
    """
    import sys

    setter = getattr(torch._C, "_set_deterministic_algorithms", None)
    if setter is None or "torch._inductor.config" in sys.modules:
        torch.use_deterministic_algorithms(mode)
    else:
        setter(mode, warn_only=False)


def single_thread() -> None:
    """Run PyTorch (deterministic algorithms) and the BLAS on one thread, for this process.

    Takes no argument, so it refuses nothing.
    """
    try:
        import torch

        torch.set_num_threads(1)
        _deterministic_algorithms(torch)
    except ImportError:  # pragma: no cover
        pass
    try:
        from threadpoolctl import threadpool_limits

        threadpool_limits(1)
    except ImportError:  # pragma: no cover
        pass


def setup_notebook(seed: int | None = None) -> np.random.Generator:
    """Make a chapter reproducible and its figures consistent; return a seeded NumPy generator.

    The composition of :func:`xent_book.plotting.use_book_style` (figure style,
    print options), :func:`single_thread` and :func:`seed_everything` with
    ``seed``, by default the first of :func:`book_seeds` (0 unless
    ``XENT_BOOK_SEEDS`` says otherwise), so that a chapter's illustrative random
    draws move with the held-out seeds too.

    Parameters
    ----------
    seed : int, optional
        In [0, 2**32 - 1]; ``None`` takes the first of :func:`book_seeds`.

    Returns
    -------
    numpy.random.Generator
        ``numpy.random.default_rng(seed)``, as :func:`seed_everything` returns it.

    Raises
    ------
    TypeError, ValueError
        A bad ``seed``, as in :func:`seed_everything` (checked before anything is changed).
    """
    from .plotting import use_book_style

    s = int(book_seeds()[0]) if seed is None else check_seed(seed)
    use_book_style()
    single_thread()
    return seed_everything(s)
