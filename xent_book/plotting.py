"""Figure style shared by every chapter: the palette, the matplotlib settings, axis helpers.

Nothing here runs at import: a notebook calls :func:`xent_book.setup_notebook`
(in :mod:`xent_book.reproducibility`) once in its first code cell, which
applies :func:`use_book_style`.

The palette is Okabe & Ito's colour-blind-safe set. Figures are drawn with a
transparent background and mid-grey text and axes, so that they read on both
the light and the dark theme of the book.

See also: every chapter's first cell.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = ["PALETTE", "COLORS", "use_book_style", "style_axes", "new_figure"]

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


def use_book_style() -> None:
    """Set the book's matplotlib style and NumPy's print options (4 decimals).

    Colour-blind-safe palette, transparent background, grey ink that works in
    light and dark themes, PNG at 100 dpi (PNG bytes are not compared by nbval).
    """
    import matplotlib as mpl

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


def style_axes(ax: Axes, xlabel: str, ylabel: str, title: str | None = None) -> Axes:
    """Label an axes (always with units, e.g. ``"loss (nats)"``) and return it."""
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if title:
        ax.set_title(title)
    return ax


def new_figure(
    ncols: int = 1, nrows: int = 1, width: float = 6.4, height: float = 3.6, **kwargs: Any
) -> tuple[Figure, Any]:
    """``plt.subplots`` with the book's default size and a constrained layout (returns ``(fig, axes)``)."""
    import matplotlib.pyplot as plt

    return plt.subplots(nrows, ncols, figsize=(width, height), layout="constrained", **kwargs)
