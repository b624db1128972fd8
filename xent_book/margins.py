r"""Cross-entropy's relatives as functions of the margin (chapter 12).

A classifier is right on an example when its **margin** is positive:

* binary, labels :math:`y \in \{-1, +1\}` and one logit :math:`z`: :math:`m = y z`;
* multi-class, logits :math:`z \in \mathbb{R}^C` and class :math:`y`:
  :math:`m = z_y - \max_{j \ne y} z_j` (:func:`multiclass_margin`).

In the binary case every loss below is a function of :math:`m` alone, which is
what makes them comparable on one plot:

============================  =====================================  =====================
loss                          :math:`\ell(m)`                        torch / sklearn
============================  =====================================  =====================
logistic (cross-entropy)      :math:`\log(1 + e^{-m})`, nats         ``F.soft_margin_loss``
hinge                         :math:`\max(0, 1 - m)`                 ``sklearn.metrics.hinge_loss``
squared hinge                 :math:`\max(0, 1 - m)^2`
squared error on probability  :math:`(1 - \sigma(m))^2 = \sigma(-m)^2`  ``F.mse_loss(sigmoid(z), t)``
zero-one                      :math:`[m \le 0]`
============================  =====================================  =====================

The multi-class losses mirror PyTorch: :func:`multi_margin_loss` is
``torch.nn.functional.multi_margin_loss`` (the Weston-Watkins hinge), and
:func:`softmax_mse_loss` is the squared error between the softmax and the
one-hot target (the multi-class Brier score used as a loss).

All functions compute in float64 and return the input's dtype.

See Also: chapter 12 (alternatives and relatives); :func:`xent_book.focal_loss`.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from ._kernels import _finish, _reduce
from ._validation import (
    as_float_array,
    as_index_array,
    cast_result,
    check_class_weight,
    check_finite,
    check_int,
    check_logits,
    check_nonempty,
    check_real,
    check_reduction,
    check_row_max,
)
from .activations import _log_sigmoid64, _log_softmax_picked, _row_max, _softmax_rows, sigmoid
from .losses import _refuse_masked_rows

__all__ = [
    "multiclass_margin",
    "logistic_margin_loss",
    "hinge_margin_loss",
    "squared_hinge_margin_loss",
    "squared_error_margin_loss",
    "zero_one_margin_loss",
    "multi_margin_loss",
    "softmax_mse_loss",
]


# --------------------------------------------------------------------------- helpers


def _margin_array(margin) -> np.ndarray:
    m = as_float_array(margin, "margin")
    check_finite(m, "margin")
    return m


def _batched_logits(input):
    """Validate logits of shape (C,) or (N, C); return (float array, (N, C) float64 view, unbatched)."""
    inp = as_float_array(input, "input")
    check_nonempty(inp, "input")
    if inp.ndim not in (1, 2):
        raise ValueError(f"input: expected logits of shape (C,) or (N, C), got shape {inp.shape}")
    unbatched = inp.ndim == 1
    x = inp[None, :] if unbatched else inp
    return inp, x.astype(np.float64), unbatched


def _class_targets(target, n: int, num_classes: int, unbatched: bool) -> np.ndarray:
    t = as_index_array(target, "target")
    expected = () if unbatched else (n,)
    if t.shape != expected:
        raise ValueError(
            f"target: expected shape {expected} (one class index per row of input), got {t.shape}"
        )
    t = t.reshape(n)
    if t.size and (t.min() < 0 or t.max() >= num_classes):
        raise ValueError(
            f"target: class indices must lie in [0, {num_classes - 1}], got values in [{t.min()}, {t.max()}]"
        )
    return t


# --------------------------------------------------------------------------- the margin


def multiclass_margin(input: ArrayLike, target: ArrayLike) -> np.ndarray:
    r"""The multi-class margin :math:`m = z_y - \max_{j \ne y} z_j`.

    Positive exactly when the true class has the strictly largest logit; its
    size is the logit gap to the strongest competitor. For two classes with
    logits :math:`(0, z)` and :math:`y = 1` it is :math:`z`, the binary margin
    :math:`y z` with labels in :math:`\{-1, +1\}`.

    Parameters
    ----------
    input : array_like, shape (C,) or (N, C)
        Logits, C >= 2; ``-inf`` marks an impossible class.
    target : array_like of int, shape () or (N,)
        True classes in ``[0, C)``.

    Returns
    -------
    numpy.ndarray
        Shape () or (N,), in logit units, ``input``'s dtype. ``-inf`` if the
        true class's logit is ``-inf``, ``+inf`` if all others are.

    Raises
    ------
    ValueError
        NaN or ``+inf`` logits, fewer than 2 classes, bad target shape or range.
    TypeError
        Non-real ``input``; non-integer ``target`` (float, bool, str).

    See Also
    --------
    multi_margin_loss

    Notes
    -----
    Chapter 12.

    Examples
    --------
    >>> float(multiclass_margin([2.0, 1.0, 0.1], 0))
    1.0
    """
    inp, x, unbatched = _batched_logits(input)
    check_logits(inp, "input")
    if x.shape[1] < 2:
        raise ValueError(f"input: a margin needs at least 2 classes, got shape {inp.shape}")
    n, c = x.shape
    t = _class_targets(target, n, c, unbatched)
    rows = np.arange(n)
    z_y = x[rows, t]
    others = x.copy()
    others[rows, t] = -np.inf
    with np.errstate(invalid="ignore"):
        m = z_y - others.max(axis=1)
    m = np.where(np.isneginf(z_y), -np.inf, m)
    return cast_result(m[0] if unbatched else m, inp.dtype)


# --------------------------------------------------------------------------- binary losses of the margin


def logistic_margin_loss(margin: ArrayLike) -> np.ndarray:
    r"""Logistic loss of the margin, :math:`\log(1 + e^{-m})`: binary cross-entropy.

    With :math:`m = y z`, :math:`y \in \{-1, +1\}`, this is
    ``binary_cross_entropy_with_logits(z, (y + 1) / 2)`` and, averaged,
    ``torch.nn.functional.soft_margin_loss(z, y)``. Computed as
    ``softplus(-m)``, accurate for large :math:`|m|`.

    Parameters
    ----------
    margin : array_like
        Margins :math:`m` (finite), any shape.

    Returns
    -------
    numpy.ndarray
        Loss in nats, > 0, same shape and dtype; about :math:`-m` for
        :math:`m \ll 0` and :math:`e^{-m}` for :math:`m \gg 0`.

    Raises
    ------
    ValueError
        NaN or infinite margins.
    TypeError
        Non-real ``margin`` (complex, str, object, None).

    See Also
    --------
    hinge_margin_loss
    squared_error_margin_loss

    Notes
    -----
    Chapter 12, chapter 5 (binary).
    """
    m = _margin_array(margin)
    return cast_result(-_log_sigmoid64(m.astype(np.float64)), m.dtype)  # softplus(-m)


def hinge_margin_loss(margin: ArrayLike, margin_width: float = 1.0) -> np.ndarray:
    r"""Hinge loss of the margin, :math:`\max(0, \Delta - m)` with :math:`\Delta` = ``margin_width``.

    The support vector machine's loss: exactly zero (and with zero gradient)
    once the margin exceeds :math:`\Delta`, linear below it. Its mean over
    :math:`m = y z` is ``sklearn.metrics.hinge_loss(y, z)`` for :math:`\Delta = 1`.

    Parameters
    ----------
    margin : array_like
        Margins :math:`m` (finite), any shape.
    margin_width : float, default 1.0
        :math:`\Delta`, the margin the loss asks for.

    Returns
    -------
    numpy.ndarray
        Loss >= 0 (logit units), same shape and dtype.

    Raises
    ------
    ValueError
        NaN or infinite margins; a non-finite ``margin_width``.
    TypeError
        Non-real ``margin``; a non-real (or bool) ``margin_width``.

    See Also
    --------
    multi_margin_loss
    squared_hinge_margin_loss

    Notes
    -----
    Chapter 12.
    """
    m = _margin_array(margin)
    delta = check_real(margin_width, "margin_width")
    with np.errstate(over="ignore"):  # beyond float64's range the loss is inf
        return cast_result(np.maximum(0.0, delta - m.astype(np.float64)), m.dtype)


def squared_hinge_margin_loss(margin: ArrayLike, margin_width: float = 1.0) -> np.ndarray:
    r"""Squared hinge loss of the margin, :math:`\max(0, \Delta - m)^2`.

    Differentiable at :math:`m = \Delta`; ``multi_margin_loss(..., p=2)`` is
    its multi-class form.

    Parameters
    ----------
    margin : array_like
        Margins (finite), any shape.
    margin_width : float, default 1.0
        :math:`\Delta`, the margin the loss asks for.

    Returns
    -------
    numpy.ndarray
        Loss >= 0, same shape and dtype.

    Raises
    ------
    ValueError
        NaN or infinite margins; a non-finite ``margin_width``.
    TypeError
        Non-real ``margin``; a non-real (or bool) ``margin_width``.

    See Also
    --------
    hinge_margin_loss

    Notes
    -----
    Chapter 12.
    """
    m = _margin_array(margin)
    delta = check_real(margin_width, "margin_width")
    with np.errstate(over="ignore"):  # beyond float64's range the loss is inf
        return cast_result(np.maximum(0.0, delta - m.astype(np.float64)) ** 2, m.dtype)


def squared_error_margin_loss(margin: ArrayLike) -> np.ndarray:
    r"""Squared error of the predicted probability, as a function of the margin: :math:`\sigma(-m)^2`.

    For one logit :math:`z` with :math:`q = \sigma(z)` and a 0/1 target
    :math:`t`, :math:`(q - t)^2 = (1 - \sigma(m))^2 = \sigma(-m)^2` with
    :math:`m = (2t - 1) z`: ``F.mse_loss(torch.sigmoid(z), t, reduction='none')``.
    Bounded by 1, so a single confidently wrong example cannot dominate, but
    its slope :math:`-2\sigma(-m)^2\sigma(m)` also vanishes as :math:`m \to -\infty`.

    Parameters
    ----------
    margin : array_like
        Margins (finite), any shape.

    Returns
    -------
    numpy.ndarray
        Loss in [0, 1] (squared probability), same shape and dtype.

    Raises
    ------
    ValueError
        NaN or infinite margins.
    TypeError
        Non-real ``margin``.

    See Also
    --------
    softmax_mse_loss
    logistic_margin_loss

    Notes
    -----
    Chapter 12, chapter 10 (Brier score).
    """
    m = _margin_array(margin)
    with np.errstate(under="ignore"):
        return cast_result(sigmoid(-m.astype(np.float64)) ** 2, m.dtype)


def zero_one_margin_loss(margin: ArrayLike) -> np.ndarray:
    r"""The zero-one loss of the margin, :math:`[m \le 0]`: 1 for a mistake (ties count as mistakes).

    The quantity every other loss here is a surrogate for; its gradient is zero
    almost everywhere, so it cannot be trained directly.

    Parameters
    ----------
    margin : array_like
        Margins (finite), any shape.

    Returns
    -------
    numpy.ndarray
        0.0 or 1.0, same shape and dtype.

    Raises
    ------
    ValueError
        NaN or infinite margins.
    TypeError
        Non-real ``margin``.

    See Also
    --------
    hinge_margin_loss

    Notes
    -----
    Chapter 12.
    """
    m = _margin_array(margin)
    return (m <= 0).astype(m.dtype)


# --------------------------------------------------------------------------- multi-class, as torch


def multi_margin_loss(
    input: ArrayLike,
    target: ArrayLike,
    p: int = 1,
    margin: float = 1.0,
    weight: ArrayLike | None = None,
    reduction: str = "mean",
) -> np.ndarray:
    r"""Multi-class hinge loss, exactly as ``torch.nn.functional.multi_margin_loss``.

    .. math:: \ell_n = \frac{w_{y_n}}{C} \sum_{j \ne y_n} \max(0,\ \Delta - x_{n,y_n} + x_{n,j})^p

    (Weston & Watkins's hinge: every wrong class within :math:`\Delta` of the
    true one contributes). Note the division by the number of classes ``C`` and
    that, as in PyTorch's implementation, the class weight multiplies the
    powered term (PyTorch's documentation writes it inside the power).
    ``'mean'`` divides the sum by ``N`` (not by a sum of weights).

    Parameters
    ----------
    input : array_like, shape (C,) or (N, C)
        Scores (logits).
    target : array_like of int, shape () or (N,)
        True classes in ``[0, C)``.
    p : {1, 2}, default 1
        Power of each hinge term.
    margin : float, default 1.0
        :math:`\Delta`.
    weight : array_like, shape (C,), optional
        Per-class weights :math:`w_c` (finite); default all ones.
    reduction : {'mean', 'sum', 'none'}, default 'mean'

    Returns
    -------
    numpy.ndarray
        Loss (score units, or squared for ``p=2``) in ``input``'s dtype: a scalar,
        or shape (N,) / () with ``'none'``.

    Raises
    ------
    ValueError
        Non-finite scores, ``p`` not 1 or 2, non-finite ``margin``, bad ``weight``
        shape, bad target shape or range, unknown ``reduction``.
    TypeError
        Non-real ``input``; non-integer ``target``; a non-int ``p``; a non-real ``margin``; a non-str ``reduction``.

    See Also
    --------
    hinge_margin_loss
    multiclass_margin

    Notes
    -----
    Chapter 12.

    Examples
    --------
    >>> round(float(multi_margin_loss([[1.0, 1.5, 0.1]], [0])), 4)  # (1.5 + 0.1) / 3
    0.5333
    """
    check_reduction(reduction)
    p = check_int(p, "p", 1, 2)  # only p == 1 and p == 2, as in PyTorch
    delta = check_real(margin, "margin")
    inp, x, unbatched = _batched_logits(input)
    check_finite(inp, "input")
    n, c = x.shape
    t = _class_targets(target, n, c, unbatched)
    w = check_class_weight(weight, c)
    w = np.ones(c) if w is None else w
    rows = np.arange(n)
    with np.errstate(over="ignore"):  # beyond float64's range the loss is inf
        terms = np.maximum(0.0, delta - x[rows, t][:, None] + x) ** p
        terms[rows, t] = 0.0
        per_sample = w[t] * terms.sum(axis=1) / c
        return _finish(_reduce(per_sample, reduction), reduction, unbatched, inp.dtype)


def softmax_mse_loss(input: ArrayLike, target: ArrayLike, reduction: str = "mean") -> np.ndarray:
    r"""Squared error between the softmax and the one-hot target (the Brier score as a loss).

    .. math:: \ell_n = \sum_{k=0}^{C-1} \bigl(\operatorname{softmax}(x_n)_k - [k = y_n]\bigr)^2
              = (1 - q_{n,y_n})^2 + \sum_{k \ne y_n} q_{n,k}^2, \qquad q_n = \operatorname{softmax}(x_n)

    Bounded in :math:`[0, 2]`. ``'mean'`` averages over the N samples, so it
    equals ``F.mse_loss(softmax(x), one_hot(y), reduction='sum') / N`` (and
    ``C`` times ``F.mse_loss``'s own ``'mean'``, which averages over all
    ``N * C`` entries).

    Parameters
    ----------
    input : array_like, shape (C,) or (N, C)
        Logits; ``-inf`` marks an impossible class.
    target : array_like of int, shape () or (N,)
        True classes in ``[0, C)``.
    reduction : {'mean', 'sum', 'none'}, default 'mean'

    Returns
    -------
    numpy.ndarray
        Loss in [0, 2] (squared probability), ``input``'s dtype.

    Raises
    ------
    ValueError
        NaN or ``+inf`` logits, a row of only ``-inf``, bad target, unknown ``reduction``.
    TypeError
        Non-real ``input``; non-integer ``target``; a non-str ``reduction``.

    See Also
    --------
    squared_error_margin_loss
    xent_book.calibration.brier_score

    Notes
    -----
    Chapter 12, chapter 10.
    """
    check_reduction(reduction)
    inp, x, unbatched = _batched_logits(input)
    n, c = x.shape
    k, a = _row_max(x)
    check_row_max(a, "input")
    t = _class_targets(target, n, c, unbatched)
    _refuse_masked_rows(a)
    prob = _softmax_rows(x, k, a, np.empty(x.shape))
    # (1 - q_y) as -expm1(log q_y): accurate when q_y is close to 1
    logp_y, _ = _log_softmax_picked(x, k, a, t, None, False)
    one_minus_py = -np.expm1(logp_y)
    with np.errstate(under="ignore"):
        others = prob**2
    others[np.arange(n), t] = 0.0
    per_sample = one_minus_py**2 + others.sum(axis=1)
    return _finish(_reduce(per_sample, reduction), reduction, unbatched, inp.dtype)
