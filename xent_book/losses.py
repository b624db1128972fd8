"""The cross-entropy family of losses, exactly as ``torch.nn.functional`` computes them.

NumPy reference implementations: float64 inside, the input's dtype out.
Argument names, defaults, shapes and reductions follow PyTorch, including the
details a textbook formula leaves out:

* ``'mean'`` for class-index targets divides by the **sum of the weights of the
  non-ignored targets**, not by N; an all-ignored batch gives NaN (0/0), as in
  PyTorch, and ``'sum'`` gives 0.
* label smoothing mixes the one-hot target with the uniform distribution; with
  ``weight`` each class's log-probability in the smoothing term is weighted by
  its own ``w[c]`` (PyTorch issue 104776).
* probability ("soft") targets divide ``'mean'`` by the number of elements,
  whatever the weights (PyTorch issue 107680); ``ignore_index`` does not apply.

Shapes: ``input`` is ``(C,)`` (unbatched), ``(N, C)`` or ``(N, C, d1, ...)``;
class-index ``target`` is ``()``, ``(N,)`` or ``(N, d1, ...)``; a probability
target has ``input``'s shape. Losses are in nats.

See also: chapter 4 (cross-entropy and KL), chapter 5 (binary vs categorical),
chapter 6 (gradients), chapter 8 (focal loss).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from ._kernels import (
    _batched,
    _class_last,
    _finish,
    _focal_modulation,
    _reduce,
    _softmax_minus_target_,
)
from ._validation import (
    as_array,
    as_float_array,
    as_index_array,
    cast_result,
    check_class_weight,
    check_distribution,
    check_ignore_index,
    check_logits,
    check_nonempty,
    check_probability_scalar,
    check_reduction,
    check_row_max,
)
from .activations import (
    _class_rows,
    _log_softmax_picked,
    _log_softmax_rows,
    _row_max,
    _softmax_rows,
)
from .binary_losses import (
    _bce_with_logits64,  # noqa: F401 (its home before the split)
    _check_gamma,
    _elementwise_pair,  # noqa: F401
    binary_cross_entropy,
    binary_cross_entropy_with_logits,
    sigmoid_focal_loss,
)
from .divergences import kl_div

__all__ = [
    "cross_entropy",
    "nll_loss",
    "binary_cross_entropy",
    "binary_cross_entropy_with_logits",
    "kl_div",
    "sigmoid_focal_loss",
    "focal_loss",
    "cross_entropy_grad",
]


# ----------------------------------------------------------------------------
# shared plumbing
# ----------------------------------------------------------------------------


def _target_array(target) -> np.ndarray:
    return as_array(target, "target", "class indices or class probabilities")


def _is_probability_target(inp: np.ndarray, t: np.ndarray) -> bool:
    return t.dtype.kind == "f" and t.shape == inp.shape


def _check_index_target(
    t: np.ndarray, inp_batched: np.ndarray, unbatched: bool, ignore_index: int
) -> np.ndarray:
    """Validate class indices against (N, C, d1, ...) input; return (N, d1, ...) int64."""
    t = as_index_array(t, "target")
    if unbatched:
        if t.ndim != 0:
            raise ValueError(
                f"target: expected a scalar class index for unbatched input of shape (C,), got shape {t.shape}"
            )
        t = t[None]
    expected = (inp_batched.shape[0],) + inp_batched.shape[2:]
    if t.shape != expected:
        raise ValueError(
            f"target: expected shape {expected} to match input of shape {inp_batched.shape}, got {t.shape}"
        )
    num_classes = inp_batched.shape[1]
    bad = (t != ignore_index) & ((t < 0) | (t >= num_classes))
    if bad.any():
        raise ValueError(
            f"target: class indices must be in [0, {num_classes - 1}] or equal ignore_index={ignore_index}, "
            f"found {int(t[bad].flat[0])}"
        )
    return t


def _weighted_nll(logp_y: np.ndarray, target: np.ndarray, weight, ignore_index: int):
    """Per-element ``-w[y] log q[y]`` (0 where ignored or ``w[y] = 0``) and the per-element weights ``w[y]``.

    Weights may be negative (as in PyTorch): ``-w[y] log q[y]`` is then <= 0.
    """
    mask = target != ignore_index
    safe = np.where(mask, target, 0)
    w_t = mask.astype(np.float64) if weight is None else np.where(mask, weight[safe], 0.0)
    nll = np.zeros(logp_y.shape)
    # only where w != 0: an ignored or zero-weight -inf log-probability gives 0, not 0 * inf = NaN
    with np.errstate(over="ignore"):  # huge weights: inf, the rounded value
        np.multiply(np.negative(logp_y), w_t, out=nll, where=w_t != 0)
    return nll, w_t, mask


def _mean_denominator(w_t: np.ndarray, mask: np.ndarray, reduction: str, name: str = "weight") -> float:
    """The ``'mean'`` denominator, the sum of the non-ignored targets' weights, refused where it is 0.

    Weights of both signs can cancel: PyTorch then divides by 0 and answers
    NaN or inf, an undefined operation, so the package refuses it, naming
    ``name``. An all-ignored batch keeps PyTorch's documented NaN (0/0 with
    nothing to average).
    """
    with np.errstate(over="ignore"):
        denom = float(w_t.sum())
    if reduction == "mean" and denom == 0 and mask.any():
        raise ValueError(
            f"{name}: the weights of the non-ignored targets sum to 0, so the weighted 'mean' is "
            "undefined (PyTorch answers NaN or inf); use reduction='sum' or 'none', or other weights"
        )
    return denom


def _logits(input, weight, weight_name: str = "weight"):
    """Validate logits of shape (C,), (N, C) or (N, C, d...) and per-class weights, once.

    Returns ``(inp, batched, unbatched, C, weight, x2, k, a)``: the input
    array, its batched view, whether it was unbatched, the class count, the
    float64 weights or None, the ``(rows, C)`` logits with classes last (a
    view for (C,) and (N, C) input) and their row argmax ``k`` and maxima
    ``a`` (NaN and ``+inf`` are refused through ``a``).
    """
    inp = as_float_array(input, "input")
    check_nonempty(inp, "input")
    batched, unbatched = _batched(inp)
    num_classes = batched.shape[1]
    w = check_class_weight(weight, num_classes, weight_name, signed=True)
    x2 = _class_rows(batched, 1)
    k, a = _row_max(x2)
    check_row_max(a, "input")
    return inp, batched, unbatched, num_classes, w, x2, k, a


def _refuse_masked_rows(a: np.ndarray, used: np.ndarray | None = None) -> None:
    """A row of only ``-inf`` logits has no softmax: refuse it where it counts (``used``)."""
    masked = np.isneginf(a) if used is None else np.isneginf(a) & used
    if masked.any():
        raise ValueError("input: every logit of a row is -inf, so its softmax is undefined (0/0)")


def _probability_target(t: np.ndarray, unbatched: bool, eps: float, num_classes: int) -> np.ndarray:
    """Validate probability targets and return them as float64 ``(rows, C)``, smoothed by ``eps``."""
    t = as_float_array(t, "target")
    check_distribution(t, "target", axis=-1 if unbatched else 1)
    rows = _class_rows(t[None, :] if unbatched else t, 1)
    rows = np.clip(rows.astype(np.float64), 0.0, 1.0)  # rounding below 0 or above 1 adds nothing negative
    if eps > 0:
        rows = rows * (1.0 - eps) + eps / num_classes
    return rows


# ----------------------------------------------------------------------------
# losses
# ----------------------------------------------------------------------------


def nll_loss(
    input: ArrayLike,
    target: ArrayLike,
    weight: ArrayLike | None = None,
    ignore_index: int = -100,
    reduction: str = "mean",
) -> np.ndarray:
    r"""Negative log-likelihood of class indices, as ``torch.nn.functional.nll_loss``.

    .. math:: \ell_n = -w_{y_n}\, x_{n, y_n}, \qquad
              \text{mean} = \frac{\sum_n \ell_n}{\sum_{n:\,y_n \ne \text{ignore}} w_{y_n}}

    Parameters
    ----------
    input : array_like, shape (C,), (N, C) or (N, C, d1, ...)
        Log-probabilities (usually ``log_softmax`` output); ``-inf`` allowed.
    target : array_like of int, shape (), (N,) or (N, d1, ...)
        Class indices in ``[0, C)`` or ``ignore_index`` (any integer dtype).
    weight : array_like, shape (C,), optional
        Per-class weights, any finite reals (as in PyTorch); a negative weight
        turns that class's loss into a reward, and ``'mean'`` divides by the weights' sum, whatever its sign.
    ignore_index : int, default -100
        Target value that contributes neither loss nor weight.
    reduction : {'mean', 'sum', 'none'}, default 'mean'

    Returns
    -------
    numpy.ndarray
        Scalar, or per-element losses of ``target``'s shape for ``'none'``; nats;
        ``input``'s dtype. ``'mean'`` over an all-ignored batch is NaN (0/0), as in
        PyTorch. A class of weight 0 contributes 0,
        even at a ``-inf`` log-probability.

    Raises
    ------
    ValueError
        Shape mismatches; indices out of range (also unsigned ones beyond int64);
        NaN or ``+inf`` input; empty or 0-d input; non-finite or wrongly
        shaped ``weight``; under ``'mean'``, weights of the non-ignored targets
        summing to 0 (PyTorch's NaN/inf); unknown ``reduction``; a ragged nested list.
    TypeError
        Non-real ``input``; non-integer ``target`` (float, bool, str); an
        ``ignore_index`` that is not an int; a non-str ``reduction``.

    See Also
    --------
    cross_entropy

    Notes
    -----
    Chapter 1 (from likelihood to loss).
    """
    check_reduction(reduction)
    ignore_index = check_ignore_index(ignore_index)
    inp = as_float_array(input, "input")
    check_nonempty(inp, "input")
    check_logits(inp, "input")
    batched, unbatched = _batched(inp)
    weight = check_class_weight(weight, batched.shape[1], signed=True)
    t = _check_index_target(_target_array(target), batched, unbatched, ignore_index)
    safe = np.where(t != ignore_index, t, 0)
    logp_y = np.take_along_axis(_class_last(batched), safe[..., None], axis=-1)[..., 0].astype(np.float64)
    nll, w_t, mask = _weighted_nll(logp_y, t, weight, ignore_index)
    denom = _mean_denominator(w_t, mask, reduction)
    return _finish(_reduce(nll, reduction, denom), reduction, unbatched, inp.dtype)


def cross_entropy(
    input: ArrayLike,
    target: ArrayLike,
    weight: ArrayLike | None = None,
    ignore_index: int = -100,
    reduction: str = "mean",
    label_smoothing: float = 0.0,
) -> np.ndarray:
    r"""Cross-entropy between logits and a target, as ``torch.nn.functional.cross_entropy``.

    Class-index target (``log_softmax`` then ``nll_loss``, plus smoothing ``eps``):

    .. math:: \ell_n = (1-\varepsilon)\,\bigl(-w_{y_n}\log q_{n,y_n}\bigr)
              + \frac{\varepsilon}{C}\sum_c \bigl(-w_c \log q_{n,c}\bigr),
              \qquad q_n = \operatorname{softmax}(x_n)

    and ``'mean'`` divides the sum by :math:`\sum_{n\,\text{not ignored}} w_{y_n}`.

    Probability target :math:`p` (same shape as ``input``):

    .. math:: \ell_n = -\sum_c w_c\, \tilde p_{n,c} \log q_{n,c}, \qquad
              \tilde p = (1-\varepsilon)\, p + \varepsilon / C

    and ``'mean'`` divides by the number of elements (``N * d1 * ...``).

    The logits are validated once and go through the private kernel
    :func:`xent_book.activations._log_softmax_picked`, which forms only the
    picked log-probabilities (and the smoothing sum), block by block.

    Parameters
    ----------
    input : array_like, shape (C,), (N, C) or (N, C, d1, ...)
        Unnormalised logits (any real numbers; ``-inf`` masks a class).
    target : array_like
        Integer class indices of shape (), (N,) or (N, d1, ...) (any integer
        dtype), or float class probabilities of ``input``'s shape (each
        distribution summing to 1).
    weight : array_like, shape (C,), optional
        Per-class weights, any finite reals (as in PyTorch); a negative weight
        turns that class's loss into a reward, and ``'mean'`` divides by the
        weights' sum, whatever its sign.
    ignore_index : int, default -100
        Class-index targets equal to it are skipped (not used for probability targets).
    reduction : {'mean', 'sum', 'none'}, default 'mean'
    label_smoothing : float in [0, 1], default 0.0
        The smoothing :math:`\varepsilon`: the target is mixed with the uniform
        distribution, :math:`(1-\varepsilon)\,p + \varepsilon / C` (0 leaves it as is).

    Returns
    -------
    numpy.ndarray
        The loss in nats, in ``input``'s dtype (also for a probability target
        of another dtype): a scalar, or per-element losses for ``'none'``.
        ``'mean'`` over an all-ignored batch is NaN, as in PyTorch. A ``-inf``
        logit gives ``+inf`` where its class has target mass and positive
        weight, and adds nothing where the class's weight or mass is 0 (PyTorch
        gives NaN there). In float16 a loss beyond 65504 is ``inf``.

    Raises
    ------
    ValueError
        Shape mismatches; indices out of range (also unsigned ones beyond
        int64); probability targets outside [0, 1] or not summing to 1; NaN or
        ``+inf`` logits; a row of only ``-inf`` logits that is used; empty or
        0-d input; non-finite or wrongly shaped ``weight``; under ``'mean'``
        with class indices, weights of the non-ignored targets summing to 0;
        ``label_smoothing`` outside [0, 1]; unknown ``reduction``; a ragged
        nested list.
    TypeError
        Float class indices (pass integers) and bool, str or object targets;
        non-numeric input; an ``ignore_index`` that is not an int; a non-real
        ``label_smoothing``; a non-str ``reduction``.

    See Also
    --------
    nll_loss
    cross_entropy_grad
    xent_book.info.cross_entropy : On distributions.

    Notes
    -----
    Chapter 4 (cross-entropy and KL), chapter 11 (label smoothing).

    Examples
    --------
    >>> round(float(cross_entropy([[2.0, 1.0, 0.1]], [0])), 12)
    0.417030016278
    """
    check_reduction(reduction)
    eps = check_probability_scalar(label_smoothing, "label_smoothing")
    ignore_index = check_ignore_index(ignore_index)
    inp, xb_, unbatched, num_classes, weight, x2, k, a = _logits(input, weight)
    t_arr = _target_array(target)

    if _is_probability_target(inp, t_arr):
        t = _probability_target(t_arr, unbatched, eps, num_classes)
        _refuse_masked_rows(a)
        logp = _log_softmax_rows(x2, k, a, np.empty(x2.shape))
        tw = t if weight is None else t * weight
        terms = np.zeros_like(logp)
        with np.errstate(over="ignore"):
            np.multiply(tw, logp, out=terms, where=tw != 0)  # 0 * log 0 counts as 0
            per = -terms.sum(axis=-1).reshape((xb_.shape[0],) + xb_.shape[2:])
        return _finish(_reduce(per, reduction), reduction, unbatched, inp.dtype)

    t = _check_index_target(t_arr, xb_, unbatched, ignore_index)
    flat = t.reshape(-1)
    mask = flat != ignore_index
    _refuse_masked_rows(a, mask)
    logp_y, smooth = _log_softmax_picked(x2, k, a, np.where(mask, flat, 0), weight, eps > 0)
    nll, w_t, _ = _weighted_nll(logp_y, flat, weight, ignore_index)
    denom = _mean_denominator(w_t, mask, reduction)
    per = nll
    if eps > 0:
        smooth_loss = np.zeros(flat.shape)
        np.negative(smooth, out=smooth_loss, where=mask)
        with np.errstate(over="ignore"):
            per = (1.0 - eps) * nll + (eps / num_classes) * smooth_loss
    return _finish(_reduce(per.reshape(t.shape), reduction, denom), reduction, unbatched, inp.dtype)


def cross_entropy_grad(
    input: ArrayLike,
    target: ArrayLike,
    weight: ArrayLike | None = None,
    ignore_index: int = -100,
    reduction: str = "mean",
    label_smoothing: float = 0.0,
) -> np.ndarray:
    r"""Analytic gradient of :func:`cross_entropy` with respect to the logits.

    For one element with target distribution weights :math:`a_c` (one-hot
    :math:`(1-\varepsilon) w_{y}` on the true class plus :math:`\varepsilon w_c / C`,
    or :math:`w_c \tilde p_c` for a probability target :math:`p`) the loss is
    :math:`-\sum_c a_c \log q_c`, with :math:`q = \operatorname{softmax}(x)` the
    model's probabilities, whose gradient is

    .. math:: \frac{\partial \ell}{\partial x_j} = \Bigl(\sum_c a_c\Bigr) q_j - a_j,

    which is ``q - e_y`` for a class index without weights or smoothing (then
    computed by the in-place kernel :func:`_softmax_minus_target_`), and
    ``q - p`` for an unweighted probability target. ``'mean'`` divides by the
    same denominator as the loss; ``'none'`` returns the gradient of the sum of
    the per-element losses. Equal to PyTorch's autograd (tested). A negative
    class weight (any finite real is accepted, as in PyTorch) flips the sign of
    that class's term, so descent pushes its probability down; under ``'mean'``
    the gradient is divided by the signed sum of the weights, refused where
    that sum is 0.

    Parameters
    ----------
    input : array_like, shape (C,), (N, C) or (N, C, d1, ...)
        Logits, as in :func:`cross_entropy`.
    target : array_like
        Class indices or class probabilities, as in :func:`cross_entropy`.
    weight : array_like, shape (C,), optional
        Per-class weights, as in :func:`cross_entropy`.
    ignore_index : int, default -100
        Class-index targets equal to it get a zero gradient.
    reduction : {'mean', 'sum', 'none'}, default 'mean'
        The reduction of the loss that is differentiated.
    label_smoothing : float in [0, 1], default 0.0
        As in :func:`cross_entropy`.

    Returns
    -------
    numpy.ndarray
        Same shape and dtype as ``input``; zero at ignored positions. Under
        ``'mean'`` an all-ignored batch gives zeros, as PyTorch's autograd does.

    Raises
    ------
    ValueError, TypeError
        As :func:`cross_entropy`.

    See Also
    --------
    cross_entropy

    Notes
    -----
    Chapter 6 (gradients).
    """
    check_reduction(reduction)
    eps = check_probability_scalar(label_smoothing, "label_smoothing")
    ignore_index = check_ignore_index(ignore_index)
    inp, xb_, unbatched, num_classes, weight, x2, k, a = _logits(input, weight)
    t_arr = _target_array(target)
    n_rows = x2.shape[0]

    if _is_probability_target(inp, t_arr):
        t = _probability_target(t_arr, unbatched, eps, num_classes)
        _refuse_masked_rows(a)
        p = _softmax_rows(x2, k, a, np.empty(x2.shape))
        coef = t if weight is None else t * weight
        grad = coef.sum(axis=-1, keepdims=True) * p - coef
        if reduction == "mean":
            grad /= n_rows
    else:
        t = _check_index_target(t_arr, xb_, unbatched, ignore_index)
        flat = t.reshape(-1)
        mask = flat != ignore_index
        _refuse_masked_rows(a, mask)
        safe = np.where(mask, flat, 0)
        if mask.all():
            p = _softmax_rows(x2, k, a, np.empty(x2.shape))
        else:  # ignored rows (their logits may be all -inf) have gradient 0
            p = np.zeros(x2.shape)
            p[mask] = _softmax_rows(x2[mask], k[mask], a[mask], np.empty((int(mask.sum()), num_classes)))
        w = np.ones(num_classes) if weight is None else weight
        w_t = np.where(mask, w[safe], 0.0)
        denom = _mean_denominator(w_t, mask, reduction)
        scale = 1.0 / denom if (reduction == "mean" and denom != 0) else (0.0 if reduction == "mean" else 1.0)
        if weight is None:
            grad = _softmax_minus_target_(p, np.arange(n_rows), safe, mask * scale, eps, num_classes)
        else:
            coef = (eps / num_classes) * w * mask[:, None]
            coef[np.arange(n_rows), safe] += (1.0 - eps) * w_t
            grad = (coef.sum(axis=-1, keepdims=True) * p - coef) * scale
    grad = grad.reshape((xb_.shape[0],) + xb_.shape[2:] + (num_classes,))
    grad = np.moveaxis(grad, -1, 1)
    if unbatched:
        grad = grad[0]
    return cast_result(grad, inp.dtype)


def focal_loss(
    input: ArrayLike,
    target: ArrayLike,
    gamma: float = 2.0,
    alpha: ArrayLike | None = None,
    reduction: str = "mean",
    ignore_index: int = -100,
) -> np.ndarray:
    r"""Multi-class focal loss on logits (Lin et al. 2017).

    .. math:: \ell_n = -\alpha_{y_n}\,(1 - q_{n,y_n})^{\gamma} \log q_{n,y_n},
              \qquad q_n = \operatorname{softmax}(x_n)

    ``'mean'`` divides by the number of non-ignored elements (also when
    ``alpha`` is given), so ``gamma=0, alpha=None`` reproduces
    :func:`cross_entropy` exactly, ``ignore_index`` included. ``1 - q`` is
    computed as ``-expm1(log q)`` to stay accurate for confident predictions.

    Parameters
    ----------
    input : array_like, shape (C,), (N, C) or (N, C, d1, ...)
        Logits.
    target : array_like of int
        Class indices as in :func:`cross_entropy`.
    gamma : float, default 2.0
        Focusing parameter >= 0.
    alpha : array_like, shape (C,), optional
        Per-class weights :math:`\alpha_c`, any finite reals (negative makes
        that class's loss a reward); ``'mean'`` still divides by the count.
    reduction : {'mean', 'sum', 'none'}, default 'mean'
    ignore_index : int, default -100
        Targets equal to it add no loss and are not counted by ``'mean'``.

    Returns
    -------
    numpy.ndarray
        Loss in nats, ``input``'s dtype; ``'mean'`` over an all-ignored batch is NaN.

    Raises
    ------
    ValueError
        As :func:`cross_entropy` (with ``alpha`` for ``weight``); ``gamma`` < 0
        or not finite.
    TypeError
        As :func:`cross_entropy`; a non-real (or bool, or str) ``gamma``.

    See Also
    --------
    sigmoid_focal_loss
    cross_entropy

    Notes
    -----
    Chapter 8 (class imbalance), chapter 12.
    """
    check_reduction(reduction)
    gamma = _check_gamma(gamma)
    ignore_index = check_ignore_index(ignore_index)
    inp, xb_, unbatched, _, alpha, x2, k, a = _logits(input, alpha, weight_name="alpha")
    t = _check_index_target(_target_array(target), xb_, unbatched, ignore_index)
    flat = t.reshape(-1)
    mask = flat != ignore_index
    _refuse_masked_rows(a, mask)
    logp_t, _ = _log_softmax_picked(x2, k, a, np.where(mask, flat, 0), None, False)
    nll, _, _ = _weighted_nll(logp_t, flat, alpha, ignore_index)  # -alpha_y log q_y
    focal = np.zeros(flat.shape)
    np.multiply(_focal_modulation(logp_t, gamma, np), nll, out=focal, where=mask)
    return _finish(_reduce(focal.reshape(t.shape), reduction, mask.sum()), reduction, unbatched, inp.dtype)
