"""The chapters' bookkeeping, written once: glue, safe rounding, mean ± sd, the seed loop.

* :func:`glue` -- a computed number into the prose (MyST-NB ``glue``), as a plain
  Python int or a float rounded to a few significant digits, so that the stored
  text does not carry digits of rounding noise;
* :func:`round_down`, :func:`round_up` -- a bound rounded the safe way: "at least
  x" rounds down, "at most x" rounds up (a true 0.597 is "at least 0.59", never
  "at least 0.60");
* :func:`glue_at_least`, :func:`glue_at_most` -- the two composed;
* :func:`below` -- a small difference printed as the bound it must stay under
  (``"< 1e-15"``), never as its digits of rounding noise, which change with the
  CPU's kernels;
* :func:`mean_sd`, :func:`glue_mean_sd` -- the spread over seeds, ``"m ± s"``
  with the sample standard deviation (``ddof=1``);
* :func:`over_seeds` -- an experiment written for one seed, run on every seed of
  :func:`xent_book.reproducibility.book_seeds`, gathered into a table.

See Also
--------
xent_book.reproducibility.book_seeds : The one list of seeds.
"""

from __future__ import annotations

import numbers
import sys
from collections.abc import Callable, Iterable
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal, localcontext

import numpy as np
from numpy.typing import ArrayLike

from ._validation import as_float_array, check_finite, check_int, check_nonempty

__all__ = [
    "glue",
    "round_down",
    "round_up",
    "glue_at_least",
    "glue_at_most",
    "below",
    "mean_sd",
    "standard_error",
    "glue_mean_sd",
    "over_seeds",
]

SIGNIFICANT = 6  # glued floats keep 6 significant digits: more than any sentence prints


def _check_name(name) -> str:
    if not isinstance(name, str) or not name:
        raise TypeError(f"name: expected a non-empty string, got {name!r}")
    return name


def _plain(value, name: str, significant: int) -> int | float:
    """A plain Python int, or a finite float rounded to ``significant`` digits."""
    if isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name}: expected a number, got a bool")
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, np.ndarray) and value.ndim == 0:
        value = value.item()
    if not isinstance(value, numbers.Real):
        raise TypeError(f"{name}: expected a real number, got {type(value).__name__}")
    v = float(value)
    if not np.isfinite(v):
        raise ValueError(f"{name}: expected a finite number, got {v}")
    return float(f"{v:.{significant}g}")


GLUE_PREFIX = "application/papermill.record/"  # myst_nb.ext.glue.GLUE_PREFIX


def _glue(name: str, value) -> None:
    """Store ``value`` under ``name`` as ``myst_nb.glue(name, value, display=False)`` does.

    The same display_data output, byte for byte (tests/test_report.py compares the two), without
    importing myst-nb, whose glue module pulls in nbformat's schema validation: about 3 s of every
    chapter's run.
    """
    from IPython.core.formatters import format_display_data
    from IPython.display import display

    bundle, metadata = format_display_data(value)
    metadata["scrapbook"] = {"name": name, "mime_prefix": GLUE_PREFIX}
    display({GLUE_PREFIX + k: v for k, v in bundle.items()}, raw=True, metadata=metadata)


def glue(name: str, value: float, significant: int = SIGNIFICANT) -> int | float:
    """Glue a computed number into the chapter's prose; return what was glued.

    An integer is glued as a Python int. A float is glued rounded to
    ``significant`` significant digits, as a Python float (a glued NumPy
    scalar does not format in ``{glue:text}`name:.3f```).

    Parameters
    ----------
    name : str
        The glue key, used in the markdown as ``{glue:text}`name:.3f```.
    value : int or float
        A finite real number (NumPy scalars and 0-d arrays are accepted).
    significant : int
        Significant digits kept for a float, 1 to 17.

    Returns
    -------
    int or float
        The glued value: the int itself, or the float rounded to ``significant`` digits.

    Raises
    ------
    TypeError
        ``name`` not a non-empty string; ``value`` not a real number (a bool is refused).
    ValueError
        ``value`` NaN or infinite; ``significant`` outside [1, 17].

    See Also
    --------
    glue_at_least
    glue_at_most
    glue_mean_sd

    Notes
    -----
    CONTRIBUTING.md (numbers in prose).
    """
    name = _check_name(name)
    significant = check_int(significant, "significant", 1, 17)
    v = _plain(value, "value", significant)
    _glue(name, v)
    return v


def _round(value: float, decimals: int, rounding: str) -> float:
    v = _plain(value, "value", 17)
    if isinstance(v, int) and abs(v) > sys.float_info.max:  # exact int-float comparison
        raise ValueError(
            f"value: expected a number within float64's range, got an int of {len(str(abs(v)))} digits"
        )
    d = check_int(decimals, "decimals", 0, 15)
    # The float's shortest decimal text (repr) is the number the book prints elsewhere:
    # 0.29 stays 0.29 although its binary value is 0.28999999999999998.
    with localcontext() as ctx:
        ctx.prec = 400  # enough for every double at 15 decimals (1.8e308 has 309 digits)
        exact = Decimal(repr(v)).quantize(Decimal(1).scaleb(-d), rounding=rounding)
        # float(exact) is the nearest double; printed with `d` decimals it gives back `exact`,
        # except beyond 2**53, where the nearest double may lie on the unsafe side: step past it.
        out = float(exact)
        toward = -np.inf if rounding == ROUND_FLOOR else np.inf
        while (
            (Decimal(f"{out:.{d}f}") > exact)
            if rounding == ROUND_FLOOR
            else (Decimal(f"{out:.{d}f}") < exact)
        ):
            out = float(np.nextafter(out, toward))
    return out


def round_down(value: float, decimals: int) -> float:
    """``value`` rounded down (towards -inf) to ``decimals`` decimals: the number for "at least".

    ``round_down(0.597, 2) == 0.59``: a claim "at least 0.59" is true, where
    ordinary rounding would print a false "at least 0.60".

    Parameters
    ----------
    value : float
        A finite real number.
    decimals : int
        Decimal places, 0 to 15.

    Returns
    -------
    float
        A float whose ``f"{x:.{decimals}f}"`` text is at most ``value``.

    Raises
    ------
    TypeError
        ``value`` not a real number, ``decimals`` not an int.
    ValueError
        ``value`` not finite, ``decimals`` outside [0, 15].

    See Also
    --------
    round_up
    glue_at_least
    """
    return _round(value, decimals, ROUND_FLOOR)


def round_up(value: float, decimals: int) -> float:
    """``value`` rounded up (towards +inf) to ``decimals`` decimals: the number for "at most".

    Parameters
    ----------
    value : float
        A finite real number.
    decimals : int
        Decimal places, 0 to 15.

    Returns
    -------
    float
        A float whose ``f"{x:.{decimals}f}"`` text is at least ``value``.

    Raises
    ------
    TypeError
        ``value`` not a real number, ``decimals`` not an int.
    ValueError
        ``value`` not finite, ``decimals`` outside [0, 15].

    See Also
    --------
    round_down
    glue_at_most
    """
    return _round(value, decimals, ROUND_CEILING)


def glue_at_least(name: str, value: float, decimals: int) -> float:
    """Glue ``round_down(value, decimals)`` for a sentence "at least x"; return it.

    Print it with exactly ``decimals`` decimals: ``{glue:text}`name:.2f``` for ``decimals=2``.

    Parameters
    ----------
    name : str
        The glue key.
    value : float
        A finite real number, the quantity that is at least the printed bound.
    decimals : int
        Decimal places, 0 to 15.

    Returns
    -------
    float
        The glued bound, ``round_down(value, decimals)``.

    Raises
    ------
    TypeError, ValueError
        As :func:`glue` and :func:`round_down`.

    See Also
    --------
    round_down
    glue_at_most
    """
    name = _check_name(name)
    v = round_down(value, decimals)
    _glue(name, v)
    return v


def glue_at_most(name: str, value: float, decimals: int) -> float:
    """Glue ``round_up(value, decimals)`` for a sentence "at most x"; return it.

    Parameters
    ----------
    name : str
        The glue key.
    value : float
        A finite real number, the quantity that is at most the printed bound.
    decimals : int
        Decimal places, 0 to 15.

    Returns
    -------
    float
        The glued bound, ``round_up(value, decimals)``.

    Raises
    ------
    TypeError, ValueError
        As :func:`glue` and :func:`round_up`.

    See Also
    --------
    round_up
    glue_at_least
    """
    name = _check_name(name)
    v = round_up(value, decimals)
    _glue(name, v)
    return v


def _scalar(value, name: str) -> float:
    x = as_float_array(value, name)
    if x.ndim != 0:
        raise ValueError(f"{name}: expected a scalar, got shape {x.shape}")
    check_finite(x, name)
    return float(x)


def below(value: float, bound: float, name: str = "value") -> str:
    """``"< bound"`` for a non-negative ``value`` under ``bound``; raise if it is not under it.

    A difference of rounding noise (a gradient check's 3e-17) changes its digits
    from one CPU to the next; the bound it must stay under does not. Print the
    bound, and let this function be the assert.

    Parameters
    ----------
    value : float
        A non-negative difference, e.g. ``max |ours - torch|``.
    bound : float
        The positive tolerance the claim makes.
    name : str
        What ``value`` is, for the error message.

    Returns
    -------
    str
        ``"0 (exact)"`` when ``value == 0``, else ``"< 1e-15"``: the bound to one
        significant digit, its exponent without zero padding.

    Raises
    ------
    ValueError
        ``value`` is negative or not finite, or ``bound`` is not positive.
    AssertionError
        ``value >= bound``: the claim fails.

    Examples
    --------
    >>> below(3.1e-17, 1e-15)
    '< 1e-15'
    >>> below(0.0, 1e-15)
    '0 (exact)'
    """
    v, b = _scalar(value, name), _scalar(bound, "bound")
    if v < 0:
        raise ValueError(f"{name}: expected a non-negative difference, got {v!r}")
    if not b > 0:
        raise ValueError(f"bound: expected a positive tolerance, got {b!r}")
    if not v < b:
        raise AssertionError(f"{name} = {v:.3e} is not below the claimed bound {b:.0e}")
    if v == 0:
        return "0 (exact)"
    mantissa, exponent = f"{b:.0e}".split("e")
    return f"< {mantissa}e{int(exponent)}"  # "< 1e-8", not Python's "< 1e-08"


def _spread(values) -> np.ndarray:
    x = as_float_array(values, "values").astype(np.float64).ravel()
    check_nonempty(x, "values")
    if x.size < 2:
        raise ValueError(f"values: expected at least 2 values for a standard deviation, got {x.size}")
    check_finite(x, "values")
    with np.errstate(over="ignore", invalid="ignore"):
        finite = np.isfinite(x.mean()) and np.isfinite(x.std(ddof=1))
    if not finite:
        raise ValueError("values: their mean or standard deviation overflows float64")
    return x


def mean_sd(values: ArrayLike, digits: int = 3) -> str:
    """``"mean ± sd"`` of ``values`` (sample standard deviation, ``ddof=1``), with ``digits`` decimals.

    Parameters
    ----------
    values : array_like
        At least 2 finite values, e.g. one per seed.
    digits : int
        Decimal places, 0 to 15.

    Returns
    -------
    str
        ``f"{mean:.{digits}f} ± {sd:.{digits}f}"``.

    Raises
    ------
    TypeError
        ``values`` not real numbers, ``digits`` not an int.
    ValueError
        Fewer than 2 values, a NaN or infinite value, ``digits`` outside [0, 15].

    See Also
    --------
    glue_mean_sd
    """
    x = _spread(values)
    d = check_int(digits, "digits", 0, 15)
    return f"{x.mean():.{d}f} ± {x.std(ddof=1):.{d}f}"


def standard_error(values: ArrayLike) -> float:
    """Standard error of the mean of ``values``: sd / sqrt(n), with the sample sd (``ddof=1``).

    The spread of a mean over seeds: a paired difference ``d`` is "clearly positive"
    in the book when ``d.mean() > 2 * standard_error(d)``.

    Parameters
    ----------
    values : array_like
        At least 2 finite values, e.g. one per seed.

    Returns
    -------
    float
        As ``scipy.stats.sem(values)``.

    Raises
    ------
    TypeError, ValueError
        As :func:`mean_sd`.

    See Also
    --------
    mean_sd
    scipy.stats.sem
    """
    x = _spread(values)
    return float(x.std(ddof=1) / np.sqrt(x.size))


def glue_mean_sd(name: str, values: ArrayLike) -> tuple[float, float]:
    """Glue the mean of ``values`` as ``name`` and its sample sd as ``name + "_sd"``; return both.

    Parameters
    ----------
    name : str
        The glue key of the mean; the sd is glued as ``name + "_sd"``.
    values : array_like
        At least 2 finite values, e.g. one per seed.

    Returns
    -------
    mean : float
        The glued mean, rounded as :func:`glue` rounds.
    sd : float
        The glued sample standard deviation (``ddof=1``), rounded the same way.

    Raises
    ------
    TypeError, ValueError
        As :func:`glue` and :func:`mean_sd`.

    See Also
    --------
    mean_sd
    glue
    """
    name = _check_name(name)
    x = _spread(values)
    return glue(name, x.mean()), glue(f"{name}_sd", x.std(ddof=1))


def over_seeds(
    experiment: Callable[[int], dict], seeds: Iterable[int] | None = None
) -> dict[str, np.ndarray]:
    """Run ``experiment(seed)`` for every seed; return each of its results as an array over seeds.

    ``experiment`` takes one int seed and returns a dict of numbers (or arrays
    of a fixed shape); the result maps each key to an array whose first axis
    runs over the seeds.

    Parameters
    ----------
    experiment : callable
        ``seed -> {"name": number, ...}``, the same keys for every seed.
    seeds : iterable of int, optional
        Default :func:`xent_book.reproducibility.book_seeds` (``XENT_BOOK_SEEDS`` if set).

    Returns
    -------
    dict of str to numpy.ndarray
        Each key of ``experiment``'s dict, its values stacked with the seeds on the first axis.

    Raises
    ------
    TypeError
        ``experiment`` not callable or not returning a dict; a seed not an int.
    ValueError
        No seeds, or the keys differ between seeds.

    See Also
    --------
    xent_book.reproducibility.book_seeds
    mean_sd
    """
    from .reproducibility import book_seeds

    if not callable(experiment):
        raise TypeError(f"experiment: expected a callable seed -> dict, got {type(experiment).__name__}")
    seed_list = list(book_seeds() if seeds is None else seeds)
    if not seed_list:
        raise ValueError("seeds: expected at least one seed")
    rows = []
    for s in seed_list:
        if isinstance(s, (bool, np.bool_)) or not isinstance(s, numbers.Integral):
            raise TypeError(f"seeds: expected int seeds, got {s!r}")
        row = experiment(int(s))
        if not isinstance(row, dict):
            raise TypeError(f"experiment: expected a dict of results, got {type(row).__name__}")
        if rows and set(row) != set(rows[0]):
            raise ValueError(f"experiment: keys differ between seeds: {sorted(rows[0])} and {sorted(row)}")
        rows.append(row)
    return {k: np.asarray([r[k] for r in rows]) for k in rows[0]}
