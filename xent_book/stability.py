"""Numerical stability: naive implementations to contrast, an exact reference, error measures.

Three groups of functions, all used by chapter 7:

* ``naive_softmax``, ``naive_log_softmax``, ``naive_logsumexp``: the textbook
  formulas evaluated literally, **in the input's dtype**. They overflow
  (``exp(1000) = inf``, then ``inf / inf = nan``) and underflow
  (``log(0) = -inf``) exactly where a reader's first implementation would.
  **Do not use them**: they exist to be compared with :func:`xent_book.softmax`,
  :func:`xent_book.log_softmax` and :func:`xent_book.logsumexp`. They return
  what plain NumPy returns (``inf``, ``nan``, ``-inf``) but without its
  ``RuntimeWarning``: the overflow is the lesson, not an accident.
* ``mp_softmax``, ``mp_log_softmax``, ``mp_logsumexp``: the exact values,
  computed with mpmath at ``dps`` significant decimal digits from the inputs
  taken as exact binary numbers, and rounded once to float64. Slow (a few
  microseconds per exponential): keep inputs small.
* ``relative_error`` and ``ulp_error``: how far a computed result is from the
  reference, relative to its size or in units in the last place of a dtype.

See also: chapter 7 (numerical stability).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, DTypeLike

from ._validation import as_float_array, check_axis, check_int, check_no_nan, check_positive

__all__ = [
    "naive_softmax",
    "naive_log_softmax",
    "naive_logsumexp",
    "mp_softmax",
    "mp_log_softmax",
    "mp_logsumexp",
    "relative_error",
    "ulp_error",
]


# --------------------------------------------------------------------------
# Naive implementations (do not use)
# --------------------------------------------------------------------------

#: What the naive formulas do at their limits is the lesson: no RuntimeWarning about it.
_NAIVE_ERRSTATE = dict(over="ignore", under="ignore", invalid="ignore", divide="ignore")


def _naive_input(x, axis) -> tuple[np.ndarray, int]:
    arr = as_float_array(x, "x")
    check_no_nan(arr, "x")
    if arr.ndim == 0:
        raise ValueError("x: expected at least one dimension (a vector of logits), got a scalar")
    ax = check_axis(axis, arr.ndim)
    return arr, ax


def naive_softmax(x: ArrayLike, axis: int = -1) -> np.ndarray:
    r"""Softmax as written in textbooks, ``exp(x) / sum(exp(x))``, in ``x``'s dtype. **Do not use**.

    .. math:: \operatorname{softmax}(x)_k = \frac{e^{x_k}}{\sum_j e^{x_j}}

    No shift by the maximum: ``exp`` overflows to ``inf`` once a logit exceeds
    about 709.78 (float64), 88.72 (float32) or 11.09 (float16), and the result
    is then ``nan`` (``inf / inf``); if every logit is below about -745
    (float64) all exponentials underflow to 0 and the result is ``nan`` (0/0).

    Parameters
    ----------
    x : array_like
        Logits, any shape with at least one dimension; float16/32/64 keep their dtype.
    axis : int, default -1
        The class axis.

    Returns
    -------
    numpy.ndarray
        Same shape and dtype as ``x``; may contain ``nan``.

    Raises
    ------
    ValueError
        NaN in ``x``, a scalar ``x``, ``axis`` out of range, a ragged nested list.
    TypeError
        Non-real ``x``, a non-int ``axis``.

    See Also
    --------
    xent_book.softmax : The stable version.

    Notes
    -----
    Chapter 7 (numerical stability).
    """
    arr, ax = _naive_input(x, axis)
    with np.errstate(**_NAIVE_ERRSTATE):
        e = np.exp(arr)
        return e / np.sum(e, axis=ax, keepdims=True, dtype=arr.dtype)


def naive_log_softmax(x: ArrayLike, axis: int = -1) -> np.ndarray:
    r"""``log(naive_softmax(x))`` in ``x``'s dtype. **Do not use**.

    .. math:: \log\operatorname{softmax}(x)_k = \log \frac{e^{x_k}}{\sum_j e^{x_j}}

    Besides the overflow of :func:`naive_softmax`, the logarithm of a
    probability that underflowed to 0 is ``-inf``: this happens for a gap of
    about 745 (float64) or 104 (float32) between a logit and the largest one,
    where the exact answer (about minus the gap) is perfectly representable.

    Parameters
    ----------
    x : array_like
        Logits, any shape with at least one dimension.
    axis : int, default -1
        The class axis.

    Returns
    -------
    numpy.ndarray
        Same shape and dtype as ``x``, in nats; may contain ``-inf`` and ``nan``.

    Raises
    ------
    ValueError, TypeError
        As :func:`naive_softmax`.

    See Also
    --------
    xent_book.log_softmax : The stable version.

    Notes
    -----
    Chapter 7.
    """
    p = naive_softmax(x, axis=axis)
    with np.errstate(**_NAIVE_ERRSTATE):
        return np.log(p)


def naive_logsumexp(x: ArrayLike, axis: int = -1) -> np.ndarray:
    r"""``log(sum(exp(x)))`` evaluated literally, in ``x``'s dtype. **Do not use**.

    .. math:: \operatorname{LSE}(x) = \log \sum_j e^{x_j}

    ``inf`` as soon as one ``exp`` overflows (``x_j`` above about 709.78 in
    float64), ``-inf`` when all underflow (every ``x_j`` below about -745).

    Parameters
    ----------
    x : array_like
        Values, any shape with at least one dimension.
    axis : int, default -1
        Axis to reduce.

    Returns
    -------
    numpy.ndarray
        ``x``'s shape without ``axis``, in ``x``'s dtype.

    Raises
    ------
    ValueError, TypeError
        As :func:`naive_softmax`.

    See Also
    --------
    xent_book.logsumexp : The stable version.
    scipy.special.logsumexp

    Notes
    -----
    Chapter 7.
    """
    arr, ax = _naive_input(x, axis)
    with np.errstate(**_NAIVE_ERRSTATE):
        return np.log(np.sum(np.exp(arr), axis=ax, dtype=arr.dtype))


# --------------------------------------------------------------------------
# mpmath reference
# --------------------------------------------------------------------------


def _mp_input(x, axis, dps, allow_empty: bool = False) -> tuple[np.ndarray, int]:
    check_int(dps, "dps", 20, 10_000)  # at least 20 decimal digits for a float64 reference
    arr = as_float_array(x, "x")
    check_no_nan(arr, "x")
    if np.isposinf(arr).any():
        raise ValueError("x: expected logits < +inf, found +inf")
    if arr.ndim == 0:
        raise ValueError("x: expected at least one dimension (a vector of logits), got a scalar")
    ax = check_axis(axis, arr.ndim)
    if arr.shape[ax] == 0 and not allow_empty:
        raise ValueError(f"x: the axis {axis} has length 0")
    # float16/32 values are exactly representable in float64
    rows = np.moveaxis(arr.astype(np.float64), ax, -1)
    return rows, ax


def _mp_rows(rows, dps, row_fn, keep_axis=True):
    import mpmath

    flat = rows.reshape(-1, rows.shape[-1])
    out = np.empty(flat.shape if keep_axis else flat.shape[:1], dtype=np.float64)
    with mpmath.workdps(dps):
        for r, row in enumerate(flat):
            out[r] = row_fn(mpmath, [mpmath.mpf(float(v)) for v in row])
    return out


def _lse_row(mp, xs):
    finite = [v for v in xs if v != mp.ninf]
    if not finite:
        return float("-inf")
    a = max(finite)
    k = xs.index(a)
    rest = mp.fsum(mp.exp(v - a) for j, v in enumerate(xs) if j != k and v != mp.ninf)
    return float(a + mp.log1p(rest))


def _log_softmax_row(mp, xs):
    if all(v == mp.ninf for v in xs):
        raise ValueError("x: every logit of a slice is -inf, so its softmax is undefined (0/0)")
    out = []
    for i, xi in enumerate(xs):
        if xi == mp.ninf:
            out.append(float("-inf"))
            continue
        # log softmax_i = -log(1 + sum_{j != i} exp(x_j - x_i)): every difference is exact
        # at this precision, and log1p keeps full relative accuracy when the sum is tiny.
        s = mp.fsum(mp.exp(xj - xi) for j, xj in enumerate(xs) if j != i and xj != mp.ninf)
        out.append(float(-mp.log1p(s)))
    return out


def _softmax_row(mp, xs):
    if all(v == mp.ninf for v in xs):
        raise ValueError("x: every logit of a slice is -inf, so its softmax is undefined (0/0)")
    out = []
    for i, xi in enumerate(xs):
        if xi == mp.ninf:
            out.append(0.0)
            continue
        s = mp.fsum(mp.exp(xj - xi) for j, xj in enumerate(xs) if j != i and xj != mp.ninf)
        out.append(float(1 / (1 + s)))
    return out


def mp_logsumexp(x: ArrayLike, axis: int = -1, dps: int = 50) -> np.ndarray:
    r"""Exact ``log(sum(exp(x)))`` with mpmath, rounded once to float64.

    .. math:: \operatorname{LSE}(x) = a + \operatorname{log1p}\Bigl(\sum_{j \ne k} e^{x_j - a}\Bigr),
              \quad a = x_k = \max_j x_j

    evaluated in ``dps``-digit arithmetic, where every step is exact to far
    beyond float64's 16 digits; the inputs are taken as the exact binary
    numbers they store (float16/32 inputs are widened exactly).

    Parameters
    ----------
    x : array_like
        Values, at least one dimension; ``-inf`` entries contribute nothing.
    axis : int, default -1
        Axis to reduce.
    dps : int, default 50
        Decimal digits of the working precision (at least 20).

    Returns
    -------
    numpy.ndarray
        The log-sum-exp in nats, float64, ``x``'s shape without ``axis``; ``-inf`` for a slice of only
        ``-inf`` and for an empty axis (the log of an empty sum), as
        :func:`xent_book.logsumexp`, ``scipy.special.logsumexp`` and
        ``torch.logsumexp`` give.

    Raises
    ------
    ValueError
        NaN or ``+inf`` in ``x``, a scalar ``x``, ``dps`` outside
        [20, 10000], ``axis`` out of range, a ragged nested list.
    TypeError
        Non-real ``x``; a non-int ``axis`` or ``dps``.

    See Also
    --------
    xent_book.logsumexp
    scipy.special.logsumexp

    Notes
    -----
    Chapter 7 (numerical stability).
    """
    rows, _ = _mp_input(x, axis, dps, allow_empty=True)
    if rows.shape[-1] == 0:
        return np.full(rows.shape[:-1], -np.inf)
    out = _mp_rows(rows, dps, _lse_row, keep_axis=False)
    return out.reshape(rows.shape[:-1])


def mp_log_softmax(x: ArrayLike, axis: int = -1, dps: int = 50) -> np.ndarray:
    r"""Exact log-softmax with mpmath, rounded once to float64.

    .. math:: \log\operatorname{softmax}(x)_k = -\operatorname{log1p}\Bigl(\sum_{j \ne k} e^{x_j - x_k}\Bigr)

    This form has no cancellation: the result for the dominant logit, about
    ``-exp(-gap)``, keeps full relative accuracy however tiny it is. Cost is
    quadratic in the number of classes (use it on short vectors).

    Parameters
    ----------
    x : array_like
        Logits, at least one dimension; ``-inf`` gives ``-inf``.
    axis : int, default -1
        The class axis.
    dps : int, default 50
        Decimal digits of the working precision (at least 20).

    Returns
    -------
    numpy.ndarray
        Log-probabilities in nats, float64, same shape as ``x``.

    Raises
    ------
    ValueError
        NaN or ``+inf`` in ``x``, a slice of only ``-inf``, a scalar ``x``, an empty
        axis, ``dps`` outside [20, 10000], ``axis`` out of range, a ragged nested list.
    TypeError
        Non-real ``x``; a non-int ``axis`` or ``dps``.

    See Also
    --------
    xent_book.log_softmax

    Notes
    -----
    Chapter 7 (numerical stability).
    """
    rows, ax = _mp_input(x, axis, dps)
    out = _mp_rows(rows, dps, _log_softmax_row)
    return np.moveaxis(out.reshape(rows.shape), -1, ax)


def mp_softmax(x: ArrayLike, axis: int = -1, dps: int = 50) -> np.ndarray:
    r"""Exact softmax with mpmath, rounded once to float64.

    .. math:: \operatorname{softmax}(x)_k = \frac{1}{1 + \sum_{j \ne k} e^{x_j - x_k}}

    Parameters
    ----------
    x : array_like
        Logits, at least one dimension; ``-inf`` gives probability 0.
    axis : int, default -1
        The class axis.
    dps : int, default 50
        Decimal digits of the working precision (at least 20).

    Returns
    -------
    numpy.ndarray
        Probabilities, float64, same shape as ``x`` (values below float64's
        smallest subnormal round to 0).

    Raises
    ------
    ValueError
        NaN or ``+inf`` in ``x``, a slice of only ``-inf``, a scalar ``x``, an empty
        axis, ``dps`` outside [20, 10000], ``axis`` out of range, a ragged nested list.
    TypeError
        Non-real ``x``; a non-int ``axis`` or ``dps``.

    See Also
    --------
    xent_book.softmax

    Notes
    -----
    Chapter 7 (numerical stability).
    """
    rows, ax = _mp_input(x, axis, dps)
    out = _mp_rows(rows, dps, _softmax_row)
    return np.moveaxis(out.reshape(rows.shape), -1, ax)


# --------------------------------------------------------------------------
# Error measures
# --------------------------------------------------------------------------


def _error_inputs(approx, exact) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    a = as_float_array(approx, "approx")
    e = as_float_array(exact, "exact")
    check_no_nan(e, "exact")
    try:
        a64, e64 = np.broadcast_arrays(a.astype(np.float64), e.astype(np.float64))
    except ValueError as exc:
        raise ValueError(f"approx and exact: shapes {a.shape} and {e.shape} do not broadcast") from exc
    return a, a64, e64


def relative_error(approx: ArrayLike, exact: ArrayLike, floor: float = 0.0) -> np.ndarray:
    r"""Relative error ``|approx - exact| / max(|exact|, floor)``, elementwise, in float64.

    Conventions for the special values: equal values (including equal
    infinities and ``0 == 0``) have error 0; a nonzero ``approx`` for
    ``exact == 0`` (with ``floor == 0``), any mismatch involving an infinity,
    and a NaN ``approx`` have error ``+inf`` (a NaN is never "close").

    Parameters
    ----------
    approx : array_like
        Computed values (any float dtype; NaN allowed).
    exact : array_like
        Reference values, broadcastable against ``approx`` (no NaN).
    floor : float, default 0.0
        Denominators below it are replaced by it. Passing the smallest normal
        number of ``approx``'s dtype (``np.finfo(dtype).tiny``) measures results
        in the subnormal range, where a format has fewer significant bits, by
        their absolute error, instead of calling a correctly rounded
        subnormal 100 % wrong.

    Returns
    -------
    numpy.ndarray
        The relative error, float64, the broadcast shape, >= 0; ``+inf`` also where the ratio is
        beyond float64's range (a subnormal reference).

    Raises
    ------
    ValueError
        NaN in ``exact``; shapes that do not broadcast; a ``floor`` that is
        negative or not finite; a ragged nested list.
    TypeError
        Non-real arrays; a non-real (or bool, or str) ``floor``.

    See Also
    --------
    ulp_error

    Notes
    -----
    Chapter 7 (numerical stability).
    """
    floor = check_positive(floor, "floor", allow_zero=True)
    _, a64, e64 = _error_inputs(approx, exact)
    out = np.full(a64.shape, np.inf)
    same = a64 == e64
    denom = np.maximum(np.abs(e64), floor)
    ok = ~same & np.isfinite(a64) & np.isfinite(e64) & (denom > 0)
    out[same] = 0.0
    with np.errstate(over="ignore"):  # |approx - exact| / subnormal: inf, the limit
        out[ok] = np.abs(a64[ok] - e64[ok]) / denom[ok]
    return out


def ulp_error(approx: ArrayLike, exact: ArrayLike, dtype: DTypeLike | None = None) -> np.ndarray:
    r"""Error in units in the last place: ``|approx - exact| / ulp(exact)`` in ``dtype``.

    ``ulp(exact)`` is the spacing of ``dtype``'s floating-point numbers at
    ``exact`` rounded to ``dtype`` (``np.spacing``), so a correctly rounded
    result has error <= 0.5 and "a few ULPs" means the last one or two bits.
    Subnormal results are measured with the subnormal spacing (so an answer
    flushed to 0 counts as many ULPs off). Equal values, including equal
    infinities, have error 0; a mismatched infinity or a NaN ``approx`` gives
    ``+inf``.

    Parameters
    ----------
    approx : array_like
        Computed values.
    exact : array_like
        Reference values, ideally more accurate than ``dtype`` (e.g. float64
        from :func:`mp_softmax` for a float32 ``approx``); broadcastable. When
        ``exact`` is itself rounded to ``dtype`` (a float64 reference for a
        float64 ``approx``), the error is a whole number of ULPs and may differ
        by up to 0.5 from the error against the unrounded value (a correctly
        rounded result then scores 0).
    dtype : numpy dtype, optional
        The format whose ULP is the unit; default ``approx``'s dtype.

    Returns
    -------
    numpy.ndarray
        The error in ulps, float64, the broadcast shape, >= 0.

    Raises
    ------
    ValueError
        NaN in ``exact``; shapes that do not broadcast; a ``dtype`` other than
        float16, float32 or float64; a ragged nested list.
    TypeError
        Non-real arrays; a ``dtype`` that is not a NumPy dtype.

    See Also
    --------
    relative_error

    Notes
    -----
    Chapter 7 (numerical stability).

    Examples
    --------
    >>> float(ulp_error(np.float32(1.0) + np.spacing(np.float32(1.0)), 1.0))
    1.0
    """
    a, a64, e64 = _error_inputs(approx, exact)
    try:
        dt = np.dtype(a.dtype if dtype is None else dtype)
    except (TypeError, ValueError):
        raise TypeError(f"dtype: expected float16, float32 or float64, got {dtype!r}") from None
    if dt not in (np.dtype(np.float16), np.dtype(np.float32), np.dtype(np.float64)):
        raise ValueError(f"dtype: expected float16, float32 or float64, got {dt}")
    out = np.full(a64.shape, np.inf)
    same = a64 == e64
    ok = ~same & np.isfinite(a64) & np.isfinite(e64)
    with np.errstate(over="ignore", invalid="ignore"):
        unit = np.spacing(np.abs(e64[ok]).astype(dt)).astype(np.float64)
    # an exact value beyond dtype's largest finite number rounds to inf: use the last finite spacing
    big = ~np.isfinite(unit)
    if big.any():
        top = np.finfo(dt).max
        unit[big] = float(top) - float(np.nextafter(top, dt.type(0)))
    out[same] = 0.0
    with np.errstate(over="ignore"):  # a difference beyond float64's range: inf ULPs
        out[ok] = np.abs(a64[ok] - e64[ok]) / unit
    return out
