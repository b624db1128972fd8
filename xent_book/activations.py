"""Softmax, log-softmax, log-sum-exp and the sigmoid, computed stably.

All functions accept float16, float32 and float64 arrays (integers are
promoted to float64), compute in float64 and return the input's dtype, as
PyTorch does on the CPU with its wider accumulator.

The stable algorithm (Blanchard, Higham & Higham 2021)
------------------------------------------------------
With ``a = max_i x_i`` attained at index ``k``::

    logsumexp(x) = a + log1p(sum_{i != k} exp(x_i - a))
    log_softmax(x)_i = (x_i - a) - log1p(sum_{i != k} exp(x_i - a))
    softmax(x)_i = exp(x_i - a) / (1 + sum_{i != k} exp(x_i - a))

Every ``exp`` has a non-positive argument, so nothing overflows; ``log1p``
keeps full relative accuracy when one logit dominates; and dividing (rather
than computing ``exp(x_i - logsumexp(x))``) keeps softmax accurate to a few
units in the last place.

See also: chapter 2 (softmax and temperature) and chapter 7 (numerical stability).
"""

from __future__ import annotations

import numpy as np

from ._validation import as_float_array, check_axis, check_logits, check_no_nan, check_temperature

__all__ = ["softmax", "log_softmax", "logsumexp", "sigmoid", "log_sigmoid", "softplus"]


def _prepare(x, axis, temperature=1.0, name="x"):
    arr = as_float_array(x, name)
    check_logits(arr, name)
    t = check_temperature(temperature)
    scalar = arr.ndim == 0
    work = arr.reshape(1) if scalar else arr
    ax = check_axis(axis, work.ndim)
    if work.shape[ax] == 0:
        raise ValueError(f"{name}: the axis {axis} has length 0, so there is no distribution to normalise")
    x64 = work.astype(np.float64)
    if t != 1.0:
        x64 = x64 / t
    return arr, x64, ax, scalar


def _stable_parts(x64: np.ndarray, axis: int, allow_all_masked: bool = False):
    """Return (a, (z, z_err), e, s_rest).

    ``a`` is the max, ``z + z_err`` the shifted logits ``x - a`` held exactly as
    a rounded value plus its rounding error, ``e = exp(x - a)`` and ``s_rest``
    the sum of ``e`` without one argmax.
    """
    k = np.argmax(x64, axis=axis)
    k = np.expand_dims(k, axis)
    a = np.take_along_axis(x64, k, axis=axis)
    all_masked = np.isneginf(a)
    if all_masked.any() and not allow_all_masked:
        raise ValueError("x: every logit of a slice is -inf, so its softmax is undefined (0/0)")
    shift = np.where(all_masked, 0.0, a)
    with np.errstate(invalid="ignore"):
        z = x64 - shift
        # TwoSum: z + z_err == x - a exactly. The rounding of the shift would
        # otherwise be amplified by exp (an absolute error in z is a relative
        # error in exp(z)): up to 2**9 ULPs for logits of different magnitudes.
        back = z - x64
        z_err = (x64 - (z - back)) + (-shift - back)
    z_err = np.where(np.isfinite(z), z_err, 0.0)
    e = np.exp(z)
    e = e + e * z_err  # exp(z + z_err) to first order; |z_err| <= 2**-43
    np.put_along_axis(e, k, 0.0, axis=axis)
    s_rest = e.sum(axis=axis, keepdims=True)
    np.put_along_axis(e, k, np.where(all_masked, 0.0, 1.0), axis=axis)
    return a, (z, z_err), e, s_rest


def logsumexp(x, axis=-1, keepdims=False):
    r"""Log of the sum of exponentials, ``log(sum_i exp(x_i))``, without overflow.

    .. math:: \operatorname{LSE}(x) = a + \log\bigl(1 + \textstyle\sum_{i\ne k} e^{x_i - a}\bigr),
              \quad a = \max_i x_i = x_k

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
        A slice of only ``-inf`` gives ``-inf``, as in PyTorch and SciPy.

    Raises
    ------
    ValueError
        NaN or ``+inf`` in ``x``; an empty axis.

    Examples
    --------
    >>> float(logsumexp([1000.0, 1000.0]))  # naive: inf
    1000.6931471805599

    See Also
    --------
    scipy.special.logsumexp, torch.logsumexp; chapter 7 (numerical stability).
    """
    arr, x64, ax, scalar = _prepare(x, axis)
    a, _, _, s_rest = _stable_parts(x64, ax, allow_all_masked=True)
    out = a + np.log1p(s_rest)
    if not keepdims:
        out = np.squeeze(out, axis=ax)
        if scalar:
            out = out.reshape(())
    elif scalar:
        out = out.reshape(())
    return out.astype(arr.dtype)


def log_softmax(x, axis=-1, temperature=1.0):
    r"""Logarithm of the softmax, ``log softmax(x / T)``, computed stably.

    .. math:: \log\sigma(x)_i = \frac{x_i}{T} - \operatorname{LSE}\Bigl(\frac{x}{T}\Bigr)

    Parameters
    ----------
    x : array_like
        Logits, any shape; ``-inf`` marks an impossible class.
    axis : int, default -1
        The class axis (``dim`` in ``torch.log_softmax``).
    temperature : float, default 1.0
        ``T > 0``; the logits are divided by it first.

    Returns
    -------
    numpy.ndarray
        Log-probabilities in nats (all <= 0), same shape and dtype as ``x``.

    Raises
    ------
    ValueError
        NaN or ``+inf`` logits, a slice of only ``-inf``, non-positive temperature.

    See Also
    --------
    softmax, torch.nn.functional.log_softmax; chapter 7.
    """
    arr, x64, ax, scalar = _prepare(x, axis, temperature)
    _, (z, z_err), _, s_rest = _stable_parts(x64, ax)
    out = z + (z_err - np.log1p(s_rest))
    return out.reshape(arr.shape).astype(arr.dtype)


def softmax(x, axis=-1, temperature=1.0):
    r"""Softmax with temperature: ``exp(x_i / T) / sum_j exp(x_j / T)``.

    .. math:: \sigma(x)_i = \frac{e^{(x_i - a)/T}}{\sum_j e^{(x_j - a)/T}},\quad a = \max_j x_j

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
        ``T > 0``.

    Returns
    -------
    numpy.ndarray
        Probabilities in [0, 1] summing to 1 along ``axis``, same shape and dtype as ``x``.

    Raises
    ------
    ValueError
        NaN or ``+inf`` logits, a slice of only ``-inf``, non-positive temperature.

    Examples
    --------
    >>> softmax([1.0, 2.0, 3.0]).round(4)
    array([0.09  , 0.2447, 0.6652])

    See Also
    --------
    log_softmax, torch.softmax; chapter 2 (logits, softmax and temperature).
    """
    arr, x64, ax, scalar = _prepare(x, axis, temperature)
    _, _, e, s_rest = _stable_parts(x64, ax)
    out = e / (1.0 + s_rest)
    return out.reshape(arr.shape).astype(arr.dtype)


def sigmoid(x):
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

    See Also
    --------
    log_sigmoid, torch.sigmoid; chapter 5 (binary vs categorical).
    """
    arr = as_float_array(x, "x")
    check_no_nan(arr, "x")
    x64 = arr.astype(np.float64)
    e = np.exp(-np.abs(x64))
    out = np.where(x64 >= 0, 1.0 / (1.0 + e), e / (1.0 + e))
    return out.astype(arr.dtype)


def log_sigmoid(x):
    r"""``log(sigmoid(x)) = min(x, 0) - log1p(exp(-|x|))``, accurate for any ``x``.

    Parameters
    ----------
    x : array_like
        Real values (``-inf`` gives ``-inf``).

    Returns
    -------
    numpy.ndarray
        Values <= 0 in nats, same shape and dtype as ``x``.

    See Also
    --------
    sigmoid, torch.nn.functional.logsigmoid; chapter 5 and chapter 7.
    """
    arr = as_float_array(x, "x")
    check_no_nan(arr, "x")
    x64 = arr.astype(np.float64)
    out = np.minimum(x64, 0.0) - np.log1p(np.exp(-np.abs(x64)))
    return out.astype(arr.dtype)


def softplus(x):
    r"""``log(1 + exp(x)) = max(x, 0) + log1p(exp(-|x|))``, the negative of ``log_sigmoid(-x)``.

    See Also
    --------
    torch.nn.functional.softplus; chapter 5.
    """
    arr = as_float_array(x, "x")
    check_no_nan(arr, "x")
    x64 = arr.astype(np.float64)
    out = np.maximum(x64, 0.0) + np.log1p(np.exp(-np.abs(x64)))
    return out.astype(arr.dtype)
