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

from ._validation import check_int, check_positive

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
    Takes no argument, so it refuses nothing.
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
    """Label an axes (always with units, e.g. ``"loss (nats)"``) and return it.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        The axes to label.
    xlabel, ylabel : str
        The axis labels, with units.
    title : str, optional
        The axes' title; ``None`` or ``""`` sets none.

    Returns
    -------
    matplotlib.axes.Axes
        ``ax`` itself.

    Raises
    ------
    TypeError
        ``xlabel``, ``ylabel`` or ``title`` (unless None) not a str.
    """
    for name, value in (("xlabel", xlabel), ("ylabel", ylabel)):
        if not isinstance(value, str):
            raise TypeError(f"{name}: expected a str (with units), got {type(value).__name__}")
    if title is not None and not isinstance(title, str):
        raise TypeError(f"title: expected a str or None, got {type(title).__name__}")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if title:
        ax.set_title(title)
    return ax


def new_figure(
    ncols: int = 1, nrows: int = 1, width: float = 6.4, height: float = 3.6, **kwargs: Any
) -> tuple[Figure, Any]:
    """``plt.subplots`` with the book's default size and a constrained layout (returns ``(fig, axes)``).

    Parameters
    ----------
    ncols, nrows : int
        Columns and rows of the grid of axes, 1 to 20.
    width, height : float
        Figure size in inches, in (0, 50].
    **kwargs
        Passed on to ``matplotlib.pyplot.subplots`` (e.g. ``sharex=True``).

    Returns
    -------
    fig : matplotlib.figure.Figure
        The new figure.
    axes : matplotlib.axes.Axes or numpy.ndarray of Axes
        As ``plt.subplots`` returns them: one Axes for a 1 x 1 grid, else an array.

    Raises
    ------
    TypeError, ValueError
        ``ncols``/``nrows`` not an int in [1, 20], ``width``/``height`` not a real in (0, 50] (inches).
    """
    import matplotlib.pyplot as plt

    ncols = check_int(ncols, "ncols", 1, 20)
    nrows = check_int(nrows, "nrows", 1, 20)
    for name, value in (("width", width), ("height", height)):
        if check_positive(value, name) > 50:
            raise ValueError(f"{name}: expected at most 50 inches, got {value!r}")

    return plt.subplots(nrows, ncols, figsize=(width, height), layout="constrained", **kwargs)
