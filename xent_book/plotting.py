"""Figure style and notebook set-up shared by every chapter.

Nothing here runs at import: a notebook calls :func:`setup_notebook` once in
its first code cell.

The palette is Okabe & Ito's colour-blind-safe set. Figures are drawn with a
transparent background and mid-grey text and axes, so that they read on both
the light and the dark theme of the book.

See also: every chapter's first cell.
"""

from __future__ import annotations

import random

import numpy as np

__all__ = ["PALETTE", "COLORS", "setup_notebook", "seed_everything", "style_axes", "new_figure"]

#: Okabe-Ito colour-blind-safe palette (hex), in the order used for series.
PALETTE = (
    "#0072B2",  # blue
    "#E69F00",  # orange
    "#009E73",  # bluish green
    "#CC79A7",  # reddish purple
    "#56B4E9",  # sky blue
    "#D55E00",  # vermillion
    "#F0E442",  # yellow (use for fills, not thin lines)
    "#000000",  # black
)

#: Named roles, so that chapters agree: the model's probabilities are always
#: blue, the target always orange, gradients green, errors vermillion.
COLORS = {
    "model": PALETTE[0],
    "target": PALETTE[1],
    "gradient": PALETTE[2],
    "alt": PALETTE[3],
    "light": PALETTE[4],
    "error": PALETTE[5],
    "neutral": "#7f7f7f",
}

#: Mid-grey that stays legible on white and on the dark theme's near-black.
INK = "#7f7f7f"


def seed_everything(seed: int = 0) -> np.random.Generator:
    """Seed Python's, NumPy's legacy and PyTorch's generators; return a fresh ``numpy.random.Generator``."""
    random.seed(seed)
    np.random.seed(seed)
    try:
        import torch

        torch.manual_seed(seed)
    except ImportError:  # pragma: no cover - torch is a dependency
        pass
    return np.random.default_rng(seed)


def setup_notebook(seed: int = 0) -> np.random.Generator:
    """Make a chapter reproducible and its figures consistent; return a seeded NumPy generator.

    * seeds Python, NumPy and PyTorch;
    * runs PyTorch and the BLAS on one thread, so that sums are added in the
      same order whatever the machine's core count (stored outputs must match
      on every run for nbval); these notebooks' models are small enough that
      one thread is also the fastest;
    * sets the matplotlib style: colour-blind-safe palette, transparent
      background, grey ink that works in light and dark themes, PNG at 100 dpi
      plus an SVG-free inline backend (PNG bytes are not compared by nbval);
    * sets NumPy's print options to 4 decimals.
    """
    import matplotlib as mpl

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
    np.set_printoptions(precision=4, suppress=True)
    mpl.rcParams.update(
        {
            "axes.prop_cycle": mpl.cycler(color=list(PALETTE)),
            "figure.figsize": (6.4, 3.6),
            "figure.dpi": 100,
            "savefig.dpi": 100,
            "figure.facecolor": "none",
            "axes.facecolor": "none",
            "savefig.facecolor": "none",
            "savefig.transparent": True,
            "axes.edgecolor": INK,
            "axes.labelcolor": INK,
            "xtick.color": INK,
            "ytick.color": INK,
            "text.color": INK,
            "legend.frameon": False,
            "axes.spines.top": False,
            "axes.spines.right": False,
            "axes.grid": True,
            "grid.color": INK,
            "grid.alpha": 0.25,
            "font.size": 10,
            "svg.hashsalt": "xent-book",
        }
    )
    return seed_everything(seed)


def style_axes(ax, xlabel: str, ylabel: str, title: str | None = None):
    """Label an axes (always with units, e.g. ``"loss (nats)"``) and return it."""
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if title:
        ax.set_title(title)
    return ax


def new_figure(ncols: int = 1, nrows: int = 1, width: float = 6.4, height: float = 3.6, **kwargs):
    """``plt.subplots`` with the book's default size and a constrained layout."""
    import matplotlib.pyplot as plt

    return plt.subplots(nrows, ncols, figsize=(width, height), layout="constrained", **kwargs)
