"""Softmax, log-softmax, log-sum-exp and the sigmoid, computed stably.

All functions accept float16, float32 and float64 arrays (integers and bools
are promoted to float64), compute in float64 and return the input's dtype, as
PyTorch does on the CPU with its wider accumulator.

The stable algorithm (Blanchard, Higham & Higham 2021)
------------------------------------------------------
With ``a = max_j x_j`` attained at index ``m`` (class indices ``j, k`` are 0-based)::

    logsumexp(x) = a + log1p(sum_{j != m} exp(x_j - a))
    log_softmax(x)_k = (x_k - a) - log1p(sum_{j != m} exp(x_j - a))
    softmax(x)_k = exp(x_k - a) / (1 + sum_{j != m} exp(x_j - a))

Every ``exp`` has a non-positive argument, so nothing overflows; ``log1p``
keeps full relative accuracy when one logit dominates; and dividing (rather
than computing ``exp(x_k - logsumexp(x))``) keeps softmax accurate to a few
units in the last place.

The kernel
----------
:func:`_softmax_blocks` is the one implementation of the formulas above; the
public functions here and the losses in :mod:`xent_book.losses` call it after
validating their arguments once. It walks the rows in blocks that stay in the
CPU cache, so each pass over a block is cheap and the only float64 copy is a
block at a time. For float64 input the shift ``x - a`` is rounded, and ``exp``
turns that absolute error into a relative one (up to 2**9 ULPs for logits of
different magnitudes); the kernel then carries the rounding error (TwoSum) into
``exp`` and the log. For float16/float32 input the shift is exact to far below
the output's precision, so the compensation, which would not change the result,
is skipped.

See also: chapter 2 (softmax and temperature) and chapter 7 (numerical stability).
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
from numpy.typing import ArrayLike

from ._validation import (
    as_float_array,
    cast_result,
    check_axis,
    check_no_nan,
    check_row_max,
    check_temperature,
)

__all__ = ["softmax", "log_softmax", "logsumexp", "sigmoid", "log_sigmoid", "softplus"]

#: Elements per block of the kernel: three float64 buffers of this size stay in L2 cache.
_BLOCK = 1 << 15


# ----------------------------------------------------------------------------
# private, unchecked kernels (also used by xent_book.losses)
# ----------------------------------------------------------------------------


def _class_rows(arr: np.ndarray, axis: int) -> np.ndarray:
    """``arr`` with ``axis`` moved last and reshaped to ``(rows, C)`` (a view when it can be)."""
    moved = np.moveaxis(arr, axis, -1)
    return moved.reshape(int(np.prod(moved.shape[:-1], dtype=np.int64)), moved.shape[-1])


def _row_max(x2: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``(k, a)``: the argmax of each row of ``x2`` (rows, C >= 1) and its value (NaN/+inf propagate)."""
    k = np.argmax(x2, axis=1)
    a = x2[np.arange(x2.shape[0]), k].astype(np.float64)
    return k, a


def _divide_by_temperature(
    x2: np.ndarray, a: np.ndarray, k: np.ndarray, t: float
) -> tuple[np.ndarray, np.ndarray]:
    """``(x2 / t, its row maxima)`` in float64; a tiny ``t`` that would overflow shifts first.

    For ``t`` so small that ``x / t`` overflows, ``(x - a) / t`` (every entry
    <= 0) has the same softmax and tends to the one-hot argmax, the limit
    ``T -> 0``. Unchecked: ``a``, ``k`` from :func:`_row_max`, ``t`` > 0 finite.
    """
    x64 = x2.astype(np.float64)
    with np.errstate(over="ignore"):
        y = x64 / t
    if t < 1.0 and (np.isposinf(y).any() or (np.isneginf(y) & ~np.isneginf(x64)).any()):
        shift = np.where(np.isneginf(a), 0.0, a)
        with np.errstate(over="ignore", invalid="ignore"):
            y = (x64 - shift[:, None]) / t
    return y, y[np.arange(y.shape[0]), k]


def _softmax_blocks(x2: np.ndarray, k: np.ndarray, a: np.ndarray) -> Iterator[tuple]:
    """The stable softmax kernel. **Unchecked**: callers validate first.

    Parameters
    ----------
    x2 : ndarray, shape (R, C), C >= 1
        Logits with the classes last, float16/32/64, no NaN or ``+inf``
        (``-inf`` allowed; a row of only ``-inf`` is allowed and gives
        ``s_rest = 0``, ``a = -inf``: the caller decides what that means).
    k, a : ndarray, shape (R,)
        The argmax of each row and its float64 value (:func:`_row_max`).

    Yields
    ------
    (lo, hi, z, err, e, s_rest)
        For rows ``lo:hi``: ``z = x - a`` in float64; ``err`` its rounding
        error (``z + err == x - a`` exactly; ``None`` for float16/32 input,
        where it is negligible; 0 at ``-inf``); ``e = exp(z)`` with 0 at the
        argmax; ``s_rest = sum(e * (1 + err))``, the sum without the argmax.
        ``z``, ``err`` and ``e`` are scratch buffers reused by the next block:
        use them before advancing the iterator (they may be modified in place).
    """
    n_rows, n_classes = x2.shape
    compensate = x2.dtype == np.float64
    step = max(1, min(n_rows, _BLOCK // max(n_classes, 1)))
    zb, eb = np.empty((step, n_classes)), np.empty((step, n_classes))
    tb = np.empty((step, n_classes)) if compensate else None
    xb = None if compensate else np.empty((step, n_classes))
    shift = np.where(np.isneginf(a), 0.0, a)[:, None]  # a row of only -inf: shift by 0
    with np.errstate(invalid="ignore", under="ignore"):
        for lo in range(0, n_rows, step):
            hi = min(lo + step, n_rows)
            n = hi - lo
            z, e, sh = zb[:n], eb[:n], shift[lo:hi]
            if compensate:
                xs = x2[lo:hi]
            else:
                xs = xb[:n]
                np.copyto(xs, x2[lo:hi])
            np.subtract(xs, sh, out=z)
            err = None
            if compensate:  # TwoSum of x + (-a): err = (x - (z - bb)) - (bb + a), bb = z - x
                err = tb[:n]
                np.subtract(z, xs, out=err)
                np.subtract(z, err, out=e)
                np.subtract(xs, e, out=e)
                np.add(err, sh, out=err)
                np.subtract(e, err, out=err)
            np.exp(z, out=e)
            e[np.arange(n), k[lo:hi]] = 0.0
            s_rest = e.sum(axis=1)
            if compensate:
                corr = np.einsum("ij,ij->i", e, err)
                if np.isnan(corr).any():  # -inf logits: their error is 0 (it came out as NaN)
                    err[np.isnan(err)] = 0.0
                    corr = np.einsum("ij,ij->i", e, err)
                s_rest += corr
            yield lo, hi, z, err, e, s_rest


def _logsumexp_rows(x2: np.ndarray, k: np.ndarray, a: np.ndarray) -> np.ndarray:
    """Unchecked: ``logsumexp`` of each row, float64 shape (R,); ``-inf`` for a row of only ``-inf``."""
    out = np.empty(x2.shape[0])
    for lo, hi, _, _, _, s_rest in _softmax_blocks(x2, k, a):
        out[lo:hi] = a[lo:hi] + np.log1p(s_rest)
    return out


def _log_softmax_rows(x2: np.ndarray, k: np.ndarray, a: np.ndarray, out: np.ndarray) -> np.ndarray:
    """Unchecked: ``log_softmax`` of each row into ``out`` (R, C), any float dtype (rounded once)."""
    with np.errstate(over="ignore"):
        for lo, hi, z, err, _, s_rest in _softmax_blocks(x2, k, a):
            log_s = np.log1p(s_rest)[:, None]
            if err is None:
                np.subtract(z, log_s, out=out[lo:hi], casting="same_kind")
            else:
                np.subtract(err, log_s, out=err)
                np.add(z, err, out=out[lo:hi], casting="same_kind")
    return out


def _softmax_rows(x2: np.ndarray, k: np.ndarray, a: np.ndarray, out: np.ndarray) -> np.ndarray:
    """Unchecked: ``softmax`` of each row into ``out`` (R, C); rows of only ``-inf`` must be refused before."""
    for lo, hi, _, err, e, s_rest in _softmax_blocks(x2, k, a):
        e[np.arange(hi - lo), k[lo:hi]] = 1.0
        if err is not None:  # exp(z + err) = e (1 + err) to first order; |err| <= 2**-43
            np.multiply(e, err, out=err)
            e += err
        np.divide(e, (1.0 + s_rest)[:, None], out=out[lo:hi], casting="same_kind")
    return out


def _log_softmax_picked(
    x2: np.ndarray, k: np.ndarray, a: np.ndarray, idx: np.ndarray, weight: np.ndarray | None, smooth: bool
) -> tuple[np.ndarray, np.ndarray | None]:
    """Unchecked: ``(log p[r, idx[r]], sum_c w_c log p[r, c] or None)`` for each row, float64.

    The cross-entropy hot path: only the picked log-probability (and, for
    label smoothing, the weighted sum over classes) is formed, never the whole
    ``log_softmax``. ``idx`` must lie in ``[0, C)`` (put any class at ignored
    rows); ``weight`` (C,) non-negative or None. A class of weight 0 adds
    nothing to the sum, even where its logit is ``-inf``.
    """
    n_rows = x2.shape[0]
    picked = np.empty(n_rows)
    total = np.empty(n_rows) if smooth else None
    cols = None
    if smooth and weight is not None and not weight.all():
        cols = np.flatnonzero(weight)
    w_sum = float(x2.shape[1] if weight is None else weight.sum())
    for lo, hi, z, err, _, s_rest in _softmax_blocks(x2, k, a):
        log_s = np.log1p(s_rest)
        rows = np.arange(hi - lo)
        zy = z[rows, idx[lo:hi]]
        if err is not None:
            zy = zy + err[rows, idx[lo:hi]]
        picked[lo:hi] = zy - log_s
        if smooth:
            if err is not None:
                z += err  # z + err, the exact shift to double precision
            if weight is None:
                wz = z.sum(axis=1)
            elif cols is None:
                wz = z @ weight
            else:
                wz = z[:, cols] @ weight[cols]
            total[lo:hi] = wz - w_sum * log_s
    return picked, total


# ----------------------------------------------------------------------------
# public functions
# ----------------------------------------------------------------------------


def _prepare(x, axis, temperature, name: str = "x"):
    """Validate ``x``, ``axis`` and ``temperature`` once; return what the kernels need.

    Returns ``(arr, work, ax, x2, k, a)``: the input array, its at-least-1-d
    version, the axis, the ``(rows, C)`` logits (divided by the temperature),
    and their row argmax and maxima. ``x2`` is None when the class axis or the
    batch is empty (the result is then empty, as in PyTorch).
    """
    arr = as_float_array(x, name)
    t = check_temperature(temperature)
    work = arr.reshape(1) if arr.ndim == 0 else arr
    ax = check_axis(axis, arr.ndim)
    x2 = _class_rows(work, ax)
    if x2.size == 0:
        check_no_nan(arr, name)
        return arr, work, ax, None, None, None
    k, a = _row_max(x2)
    check_row_max(a, name)
    if t != 1.0:
        x2, a = _divide_by_temperature(x2, a, k, t)
    return arr, work, ax, x2, k, a


def _refuse_all_masked(a: np.ndarray, name: str) -> None:
    if np.isneginf(a).any():
        raise ValueError(
            f"{name}: every logit of a slice of {name} is -inf, so its softmax is undefined (0/0)"
        )


def _restore(flat: np.ndarray, work: np.ndarray, ax: int, shape: tuple) -> np.ndarray:
    """Undo :func:`_class_rows` on a ``(rows, C)`` result."""
    moved_shape = np.moveaxis(work, ax, -1).shape
    return np.moveaxis(flat.reshape(moved_shape), -1, ax).reshape(shape)


def logsumexp(x: ArrayLike, axis: int = -1, keepdims: bool = False) -> np.ndarray:
    r"""Log of the sum of exponentials, ``log(sum_j exp(x_j))``, without overflow.

    .. math:: \operatorname{LSE}(x) = a + \log\bigl(1 + \textstyle\sum_{j\ne m} e^{x_j - a}\bigr),
              \quad a = \max_j x_j = x_m

    Parameters
    ----------
    x : array_like
        Real values; ``-inf`` entries contribute nothing.
    axis : int, default -1
        Axis to reduce.
    keepdims : bool, default False
        Keep the reduced axis with length 1 (``torch.logsumexp``'s ``keepdim``).

    Returns
    -------
    numpy.ndarray
        ``x``'s shape without ``axis`` (or with length 1 there), in ``x``'s dtype.
        A slice of only ``-inf``, or an empty axis, gives ``-inf`` (the log of an
        empty sum), as in PyTorch.

    Raises
    ------
    ValueError
        NaN or ``+inf`` in ``x``; ``axis`` out of range; a ragged nested list.
    TypeError
        Non-real ``x`` (complex, str, object, None); a non-int ``axis`` or a
        non-bool ``keepdims``.

    See Also
    --------
    scipy.special.logsumexp
    torch.logsumexp

    Notes
    -----
    Chapter 7 (numerical stability).

    Examples
    --------
    >>> float(logsumexp([1000.0, 1000.0]))  # naive: inf
    1000.6931471805599
    """
    from ._validation import check_bool

    keepdims = check_bool(keepdims, "keepdims")
    arr, work, ax, x2, k, a = _prepare(x, axis, 1.0)
    moved = np.moveaxis(work, ax, -1).shape[:-1]
    flat = np.full(int(np.prod(moved, dtype=np.int64)), -np.inf) if x2 is None else _logsumexp_rows(x2, k, a)
    out = flat.reshape(moved)
    if keepdims:
        out = np.expand_dims(out, ax)
    if arr.ndim == 0:
        out = out.reshape(())
    return cast_result(out, arr.dtype)


def log_softmax(x: ArrayLike, axis: int = -1, temperature: float = 1.0) -> np.ndarray:
    r"""Logarithm of the softmax, ``log softmax(x / T)``, computed stably.

    .. math:: \log\operatorname{softmax}(x / T)_k = \frac{x_k}{T} - \operatorname{LSE}\Bigl(\frac{x}{T}\Bigr)

    Parameters
    ----------
    x : array_like
        Logits, any shape; ``-inf`` marks an impossible class.
    axis : int, default -1
        The class axis (``dim`` in ``torch.log_softmax``).
    temperature : float, default 1.0
        ``T > 0``; the logits are divided by it first. A tiny ``T`` (even a
        subnormal one) gives the limit: 0 at the argmax, ``-inf`` elsewhere.

    Returns
    -------
    numpy.ndarray
        Log-probabilities in nats (all <= 0), same shape and dtype as ``x``;
        empty if ``x`` is (an empty class axis too, as in PyTorch). In float16,
        values below -65504 round to ``-inf``.

    Raises
    ------
    ValueError
        NaN or ``+inf`` logits, a slice of only ``-inf``, a temperature that is
        not finite and > 0, ``axis`` out of range, a ragged nested list.
    TypeError
        Non-real ``x``; a non-int ``axis``; a non-real (or bool) temperature.

    See Also
    --------
    softmax
    torch.nn.functional.log_softmax

    Notes
    -----
    Chapter 7.
    """
    return _log_softmax_of(x, axis, temperature, "x")


def _log_softmax_of(x, axis: int, temperature: float, name: str) -> np.ndarray:
    """:func:`log_softmax` with the caller's argument name in its messages (e.g. ``logits``)."""
    arr, work, ax, x2, k, a = _prepare(x, axis, temperature, name)
    if x2 is None:
        return np.empty(arr.shape, dtype=arr.dtype)
    _refuse_all_masked(a, name)
    flat = _log_softmax_rows(x2, k, a, np.empty(x2.shape, dtype=arr.dtype))
    return _restore(flat, work, ax, arr.shape)


def softmax(x: ArrayLike, axis: int = -1, temperature: float = 1.0) -> np.ndarray:
    r"""Softmax with temperature: ``exp(x_k / T) / sum_j exp(x_j / T)``.

    .. math:: \operatorname{softmax}(x / T)_k = \frac{e^{(x_k - a)/T}}{\sum_j e^{(x_j - a)/T}},\quad a = \max_j x_j

    Shifting all logits by a constant does not change the result; a small
    temperature sharpens the distribution towards the argmax, a large one
    flattens it towards uniform.

    Parameters
    ----------
    x : array_like
        Logits, any shape; ``-inf`` gives probability 0.
    axis : int, default -1
        The class axis (``dim`` in ``torch.softmax``).
    temperature : float, default 1.0
        ``T > 0``. A tiny ``T`` (even a subnormal one) gives the limit, the
        argmax one-hot (ties share the mass equally).

    Returns
    -------
    numpy.ndarray
        Probabilities in [0, 1] summing to 1 along ``axis``, same shape and dtype
        as ``x``; empty if ``x`` is (an empty class axis too, as in PyTorch).

    Raises
    ------
    ValueError
        NaN or ``+inf`` logits, a slice of only ``-inf``, a temperature that is
        not finite and > 0, ``axis`` out of range, a ragged nested list.
    TypeError
        Non-real ``x``; a non-int ``axis``; a non-real (or bool) temperature.

    See Also
    --------
    log_softmax
    torch.softmax

    Notes
    -----
    Chapter 2 (logits, softmax and temperature).

    Examples
    --------
    >>> softmax([1.0, 2.0, 3.0]).round(4)
    array([0.09  , 0.2447, 0.6652])
    """
    return _softmax_of(x, axis, temperature, "x")


def _softmax_of(x, axis: int, temperature: float, name: str) -> np.ndarray:
    """:func:`softmax` with the caller's argument name in its messages (e.g. ``logits``)."""
    arr, work, ax, x2, k, a = _prepare(x, axis, temperature, name)
    if x2 is None:
        return np.empty(arr.shape, dtype=arr.dtype)
    _refuse_all_masked(a, name)
    flat = _softmax_rows(x2, k, a, np.empty(x2.shape, dtype=arr.dtype))
    return _restore(flat, work, ax, arr.shape)


def _log_sigmoid64(x64: np.ndarray) -> np.ndarray:
    """Unchecked kernel: ``log sigmoid(x) = min(x, 0) - log1p(exp(-|x|))`` of a float64 array (no NaN).

    The one home of the formula: :func:`log_sigmoid`, :func:`softplus` and the
    binary losses of :mod:`xent_book.losses` call it.
    """
    with np.errstate(under="ignore"):
        return np.minimum(x64, 0.0) - np.log1p(np.exp(-np.abs(x64)))


def _elementwise_input(x) -> tuple[np.ndarray, np.ndarray]:
    arr = as_float_array(x, "x")
    check_no_nan(arr, "x")
    return arr, arr.astype(np.float64)


def sigmoid(x: ArrayLike) -> np.ndarray:
    r"""The logistic function ``1 / (1 + exp(-x))``, without overflow.

    Computed as ``1 / (1 + e^{-|x|})`` for ``x >= 0`` and ``e^{-|x|} / (1 + e^{-|x|})``
    otherwise, so no exponential has a positive argument.

    Parameters
    ----------
    x : array_like
        Real values (``±inf`` allowed: they give 1 and 0).

    Returns
    -------
    numpy.ndarray
        Values in [0, 1], same shape and dtype as ``x``.

    Raises
    ------
    ValueError
        NaN in ``x``; a ragged nested list.
    TypeError
        Non-real ``x`` (complex, str, object, None).

    See Also
    --------
    log_sigmoid
    torch.sigmoid

    Notes
    -----
    Chapter 5 (binary vs categorical).
    """
    arr, x64 = _elementwise_input(x)
    with np.errstate(under="ignore"):
        e = np.exp(-np.abs(x64))
    out = np.where(x64 >= 0, 1.0 / (1.0 + e), e / (1.0 + e))
    return cast_result(out, arr.dtype)


def log_sigmoid(x: ArrayLike) -> np.ndarray:
    r"""``log(sigmoid(x)) = min(x, 0) - log1p(exp(-|x|))``, accurate for any ``x``.

    Parameters
    ----------
    x : array_like
        Real values (``-inf`` gives ``-inf``).

    Returns
    -------
    numpy.ndarray
        Values <= 0 in nats, same shape and dtype as ``x`` (float16: below
        -65504 is ``-inf``).

    Raises
    ------
    ValueError
        NaN in ``x``; a ragged nested list.
    TypeError
        Non-real ``x``.

    See Also
    --------
    sigmoid
    torch.nn.functional.logsigmoid

    Notes
    -----
    Chapter 5 and chapter 7.
    """
    arr, x64 = _elementwise_input(x)
    return cast_result(_log_sigmoid64(x64), arr.dtype)


def softplus(x: ArrayLike) -> np.ndarray:
    r"""``log(1 + exp(x)) = max(x, 0) + log1p(exp(-|x|))``, the negative of ``log_sigmoid(-x)``.

    Parameters
    ----------
    x : array_like
        Real values (``+inf`` gives ``+inf``).

    Returns
    -------
    numpy.ndarray
        Values >= 0 in nats, same shape and dtype as ``x``.

    Raises
    ------
    ValueError
        NaN in ``x``; a ragged nested list.
    TypeError
        Non-real ``x``.

    See Also
    --------
    torch.nn.functional.softplus

    Notes
    -----
    Chapter 5.
    """
    arr, x64 = _elementwise_input(x)
    return cast_result(-_log_sigmoid64(-x64), arr.dtype)
