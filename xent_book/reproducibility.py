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
* :func:`setup_notebook` -- :func:`xent_book.plotting.use_book_style`, then
  :func:`single_thread`, then :func:`seed_everything`.

See also: every chapter's first cell; :mod:`xent_book.train` for the training
loop's own seeded, single-threaded context.
"""

from __future__ import annotations

import random

import numpy as np

from ._validation import check_seed

__all__ = ["seed_everything", "single_thread", "setup_notebook"]


def seed_everything(seed: int = 0) -> np.random.Generator:
    """Seed Python's, NumPy's legacy and PyTorch's generators; return ``numpy.random.default_rng(seed)``.

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


def single_thread() -> None:
    """Run PyTorch (deterministic algorithms) and the BLAS on one thread, for this process.

    Takes no argument, so it refuses nothing.
    """
    try:
        import torch

        torch.set_num_threads(1)
        torch.use_deterministic_algorithms(True)
    except ImportError:  # pragma: no cover
        pass
    try:
        from threadpoolctl import threadpool_limits

        threadpool_limits(1)
    except ImportError:  # pragma: no cover
        pass


def setup_notebook(seed: int = 0) -> np.random.Generator:
    """Make a chapter reproducible and its figures consistent; return a seeded NumPy generator.

    The composition of :func:`xent_book.plotting.use_book_style` (figure style,
    print options), :func:`single_thread` and :func:`seed_everything`.

    Raises
    ------
    TypeError, ValueError
        A bad ``seed``, as in :func:`seed_everything` (checked before anything is changed).
    """
    from .plotting import use_book_style

    s = check_seed(seed)
    use_book_style()
    single_thread()
    return seed_everything(s)
