"""The binary losses on probabilities and logits, exactly as PyTorch computes them.

``binary_cross_entropy`` and ``binary_cross_entropy_with_logits`` follow
``torch.nn.functional``; ``sigmoid_focal_loss`` follows
``torchvision.ops.sigmoid_focal_loss``. NumPy, float64 inside, the promoted
input dtype out. Importable from :mod:`xent_book.losses` too (their home
before the split).

Notes
-----
Chapter 5 (binary vs categorical), chapter 7 (stability), chapter 8 (focal loss).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from ._kernels import (
    _reduce,
)
from ._validation import (
    as_float_array,
    cast_result,
    check_broadcast_weight,
    check_finite,
    check_in_unit_interval,
    check_nonempty,
    check_positive,
    check_real,
    check_reduction,
)
from .activations import (
    _log_sigmoid64,
)

__all__ = ["binary_cross_entropy", "binary_cross_entropy_with_logits", "sigmoid_focal_loss"]


def _elementwise_pair(input, target, input_name: str = "input", target_name: str = "target"):
    """Validate an elementwise (binary) loss's input and target: same shape, non-empty, target in [0, 1].

    Returns ``(x, y, y64)`` with ``y64`` the float64 target clipped to [0, 1]
    (a target a rounding below 0 must not give a negative loss).
    """
    x = as_float_array(input, input_name)
    y = as_float_array(target, target_name)
    check_nonempty(x, input_name)
    if x.shape != y.shape:
        raise ValueError(f"{target_name}: expected the same shape as {input_name} {x.shape}, got {y.shape}")
    check_in_unit_interval(y, target_name)
    return x, y, np.clip(y.astype(np.float64), 0.0, 1.0)


def _bce_with_logits64(x64: np.ndarray, y64: np.ndarray, pos_weight=None, log_sigmoid_x=None) -> np.ndarray:
    """Unchecked: the elementwise BCE on logits, ``(1 - y) x - (1 + (p_w - 1) y) log sigmoid(x)``, float64.

    The one home of the formula (:func:`binary_cross_entropy_with_logits`,
    :func:`sigmoid_focal_loss`); ``log_sigmoid_x`` may pass ``log sigmoid(x)``
    when the caller has it already.
    """
    log_sig = _log_sigmoid64(x64) if log_sigmoid_x is None else log_sigmoid_x
    if pos_weight is not None:
        with np.errstate(over="ignore"):
            log_sig = log_sig * ((pos_weight - 1.0) * y64 + 1.0)
    return (1.0 - y64) * x64 - log_sig


def _check_gamma(gamma) -> float:
    return check_positive(gamma, "gamma", allow_zero=True)


def binary_cross_entropy(
    input: ArrayLike, target: ArrayLike, weight: ArrayLike | None = None, reduction: str = "mean"
) -> np.ndarray:
    r"""Binary cross-entropy on probabilities, as ``torch.nn.functional.binary_cross_entropy``.

    .. math:: \ell = -w\,\bigl[y \max(\log x, -100) + (1-y)\max(\log(1-x), -100)\bigr]

    PyTorch clamps each log at -100 so that ``x = 0`` or ``x = 1`` gives a large
    finite loss (at most 100 nats per element) instead of ``inf``, and so that
    ``0 * log 0`` is 0 rather than NaN. The clamp also means the loss stops
    growing once a probability has rounded to 0 or 1: work from logits
    (:func:`binary_cross_entropy_with_logits`) to keep the information.

    Parameters
    ----------
    input : array_like
        Probabilities in [0, 1], any shape.
    target : array_like
        Same shape as ``input``, values in [0, 1].
    weight : array_like, optional
        Finite (a negative weight makes that element's loss a reward, as in
        PyTorch), broadcastable to ``input``'s shape.
    reduction : {'mean', 'sum', 'none'}, default 'mean'
        ``'mean'`` divides by the number of elements.

    Returns
    -------
    numpy.ndarray
        Loss in nats (>= 0 for non-negative weights), in the promoted dtype of
        ``input`` and ``target``.

    Raises
    ------
    ValueError
        ``input`` or ``target`` outside [0, 1] (beyond rounding) or NaN;
        different shapes; empty input; a non-finite or non-broadcasting
        ``weight``; unknown ``reduction``; a ragged nested list.
    TypeError
        Non-real arrays; a non-str ``reduction``.

    See Also
    --------
    binary_cross_entropy_with_logits

    Notes
    -----
    Chapter 5 and chapter 7.
    """
    check_reduction(reduction)
    x, y, y64 = _elementwise_pair(input, target)
    check_in_unit_interval(x, "input")
    w = check_broadcast_weight(weight, x.shape, signed=True)
    x64 = np.clip(x.astype(np.float64), 0.0, 1.0)
    with np.errstate(divide="ignore"):
        log_x = np.maximum(np.log(x64), -100.0)
        log_1mx = np.maximum(np.log1p(-x64), -100.0)
    loss = (y64 - 1.0) * log_1mx - y64 * log_x
    if w is not None:
        with np.errstate(over="ignore"):
            loss = loss * w
    return cast_result(_reduce(loss, reduction), np.result_type(x.dtype, y.dtype))


def binary_cross_entropy_with_logits(
    input: ArrayLike,
    target: ArrayLike,
    weight: ArrayLike | None = None,
    reduction: str = "mean",
    pos_weight: ArrayLike | None = None,
) -> np.ndarray:
    r"""Binary cross-entropy on logits, as ``torch.nn.functional.binary_cross_entropy_with_logits``.

    .. math:: \ell = w\,\bigl[(1-y)\,x - \bigl(1 + (p_w - 1)\,y\bigr)\log\sigma(x)\bigr]

    which equals :math:`-w[p_w\, y \log\sigma(x) + (1-y)\log(1-\sigma(x))]`, computed
    with the stable log-sigmoid kernel, so any finite logit gives a finite,
    accurate loss.

    Parameters
    ----------
    input : array_like
        Finite logits, any shape.
    target : array_like
        Same shape, values in [0, 1] (a rounding below 0 or above 1 is clipped).
    weight : array_like, optional
        Finite (negative allowed, as in PyTorch: that element's loss becomes a
        reward), broadcastable to ``input``'s shape.
    reduction : {'mean', 'sum', 'none'}, default 'mean'
        ``'mean'`` divides by the number of elements.
    pos_weight : array_like, optional
        Weight of positive examples (finite; negative allowed, as in PyTorch,
        rewarding a positive's loss), broadcast along the last
        (class) axis; > 1 raises recall, < 1 raises precision.

    Returns
    -------
    numpy.ndarray
        Loss in nats (>= 0 for non-negative weights), in the promoted dtype of
        ``input`` and ``target``;
        in float16 a loss beyond 65504 is ``inf``.

    Raises
    ------
    ValueError
        NaN or infinite ``input``; ``target`` outside [0, 1] or NaN; different
        shapes; empty input; a non-finite or non-broadcasting
        ``weight`` or ``pos_weight``; unknown ``reduction``; a ragged nested list.
    TypeError
        Non-real arrays; a non-str ``reduction``.

    See Also
    --------
    binary_cross_entropy
    sigmoid_focal_loss

    Notes
    -----
    Chapter 5 (binary vs categorical).
    """
    check_reduction(reduction)
    x, y, y64 = _elementwise_pair(input, target)
    check_finite(x, "input")
    w = check_broadcast_weight(weight, x.shape, signed=True)
    pw = check_broadcast_weight(pos_weight, x.shape, "pos_weight", signed=True)
    loss = _bce_with_logits64(x.astype(np.float64), y64, pw)
    if w is not None:
        with np.errstate(over="ignore"):
            loss = loss * w
    return cast_result(_reduce(loss, reduction), np.result_type(x.dtype, y.dtype))


def sigmoid_focal_loss(
    inputs: ArrayLike, targets: ArrayLike, alpha: float = 0.25, gamma: float = 2.0, reduction: str = "none"
) -> np.ndarray:
    r"""Binary focal loss on logits, as ``torchvision.ops.sigmoid_focal_loss``.

    .. math:: \ell = \alpha_t\,(1 - q_t)^{\gamma}\,\operatorname{BCE}(x, y), \quad
              q_t = q\,y + (1-q)(1-y),\ \alpha_t = \alpha y + (1-\alpha)(1-y),\ q = \sigma(x)

    (Lin et al. write :math:`p_t`; the book keeps :math:`p` for the data.)
    A negative ``alpha`` switches the class weighting off (torchvision's rule);
    an ``alpha`` above 1 gives negatives the negative weight ``1 - alpha``, as
    torchvision computes it. The targets are used as given, as torchvision
    does (a float16 target that rounds to 1.001 is not clipped to 1).
    ``1 - q_t`` is computed as ``σ(x)(1-y) + σ(-x) y`` so it stays accurate when
    ``q_t`` is close to 1.

    Parameters
    ----------
    inputs : array_like
        Finite logits, any shape.
    targets : array_like
        Same shape, values in [0, 1].
    alpha : float, default 0.25
        Weight of positives (usually in [0, 1]; any finite real is computed
        as torchvision does), or negative for none.
    gamma : float, default 2.0
        Focusing parameter >= 0; 0 gives (alpha-weighted) BCE.
    reduction : {'none', 'mean', 'sum'}, default 'none'

    Returns
    -------
    numpy.ndarray
        Loss in nats, in the promoted dtype of ``inputs`` and ``targets``.

    Raises
    ------
    ValueError
        Non-finite ``inputs``; ``targets`` outside [0, 1]; different shapes;
        empty input; ``alpha`` or ``gamma`` not finite; ``gamma`` < 0; a target
        above 1 (by rounding) where ``1 - q_t < 0`` and ``gamma`` is not an
        integer (torchvision's NaN); unknown ``reduction``; a ragged nested list.
    TypeError
        Non-real arrays; a non-real (or bool, or str) ``alpha`` or ``gamma``;
        a non-str ``reduction``.

    See Also
    --------
    focal_loss

    Notes
    -----
    Chapter 8 (class imbalance). Lin et al. (2017).
    """
    check_reduction(reduction)
    gamma = _check_gamma(gamma)
    alpha = check_real(alpha, "alpha")
    x, y, _ = _elementwise_pair(inputs, targets, "inputs", "targets")
    check_finite(x, "inputs")
    y64 = y.astype(np.float64)  # as given, as torchvision computes (no clipping of a rounding above 1)
    x64 = x.astype(np.float64)
    log_p, log_1mp = _log_sigmoid64(x64), _log_sigmoid64(-x64)
    bce = _bce_with_logits64(x64, y64, log_sigmoid_x=log_p)
    one_minus_pt = np.exp(log_p) * (1.0 - y64) + np.exp(log_1mp) * y64
    if gamma != int(gamma) and (one_minus_pt < 0).any():
        raise ValueError(
            "targets: a target outside [0, 1] by rounding makes 1 - q_t negative, and its power "
            f"gamma={gamma!r} is undefined (torchvision answers NaN); clip the targets to [0, 1]"
        )
    with np.errstate(over="ignore"):
        loss = bce * one_minus_pt**gamma
        if alpha >= 0:
            loss = (alpha * y64 + (1.0 - alpha) * (1.0 - y64)) * loss
    return cast_result(_reduce(loss, reduction), np.result_type(x.dtype, y.dtype))
