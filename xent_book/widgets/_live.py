"""The explorers' one view: an ES module per explorer, loaded by anywidget.

Every explorer (issue 18) is an :class:`anywidget.AnyWidget` whose state is a few traits (the
numbers a reader can read and set from a cell) and whose view is ONE ES module, ``static/_core.js``
(formatting, SVG, labelled controls, the mount on the widget model) followed by the explorer's own
``static/<name>.js`` (its formulas and its chart). JupyterLab runs the module through anywidget's
lab extension; the book's pages run the same module, saved in the embedded widget state, through
the ipywidgets HTML manager and a local copy of npm anywidget's AMD build (scripts/build_book.sh,
_config.yml). The module computes the readouts in the browser (no kernel round trip);
tests/browser checks them against the ``*_values`` functions, which call the package's formulas,
and the rounded text against :func:`fmt`, the Python twin of the module's ``fmt``.
"""

from __future__ import annotations

import math
from functools import cache
from pathlib import Path

import traitlets

STATIC = Path(__file__).with_name("static")


@cache
def esm(name: str) -> str:
    """The ES module of explorer ``name``: ``_core.js`` then ``<name>.js`` (one self-contained module)."""
    return (
        (STATIC / "_core.js").read_text(encoding="utf-8")
        + "\n"
        + (STATIC / f"{name}.js").read_text(encoding="utf-8")
    )


@cache
def css() -> str:
    """The explorers' stylesheet (``static/explorer.css``), the same for every explorer."""
    return (STATIC / "explorer.css").read_text(encoding="utf-8")


def fmt(x: float, digits: int = 4) -> str:
    """A number as the explorers show it (``fmt`` in ``static/_core.js``), for the tests to compare.

    Parameters
    ----------
    x : float
        The number.
    digits : int, default 4
        Decimals, rounded as ``f"{x:.4f}"`` rounds (an exact tie goes to the even digit).

    Returns
    -------
    str
        Fixed decimals with a real minus sign (``"−0.5000"``; a value that rounds to zero has
        none), ``"∞"`` or ``"−∞"`` for the infinities, ``"NaN"``.
    """
    x = float(x)
    if math.isnan(x):
        return "NaN"
    if math.isinf(x):
        return "∞" if x > 0 else "−∞"
    s = f"{x:.{digits}f}"
    if s.startswith("-"):
        s = ("−" + s[1:]) if float(s) != 0 else s[1:]
    return s


class Checked(traitlets.Any):
    """A synced trait whose only check is the explorer's ``@traitlets.validate`` method.

    So that a bad value set from a cell is refused by the package's own checks (a TypeError or
    ValueError naming the argument, as everywhere in xent_book) instead of a TraitError; unlike
    ``traitlets.Any`` it does not let None through unchecked.
    """

    allow_none = False
