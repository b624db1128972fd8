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

from ._validation import (
    as_float_array,
    as_index_array,
    check_distribution,
    check_finite,
    check_in_unit_interval,
    check_logits,
    check_no_nan,
    check_nonempty,
    check_probability_scalar,
    check_reduction,
)
from .activations import log_sigmoid, log_softmax

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


def _class_last(x: np.ndarray) -> np.ndarray:
    """Move the class axis (1 for batched input) to the end."""
    return np.moveaxis(x, 1, -1)


def _batched(inp: np.ndarray, name: str = "input"):
    """Return (input with a batch axis, whether it was unbatched)."""
    if inp.ndim == 0:
        raise ValueError(f"{name}: expected shape (C,), (N, C) or (N, C, d1, ...), got a scalar")
    if inp.ndim == 1:
        return inp[None, :], True
    return inp, False


def _check_weight(weight, num_classes: int, name: str = "weight"):
    if weight is None:
        return None
    w = as_float_array(weight, name)
    if w.shape != (num_classes,):
        raise ValueError(f"{name}: expected shape ({num_classes},), one weight per class, got {w.shape}")
    check_finite(w, name)
    return w.astype(np.float64)


def _is_probability_target(inp: np.ndarray, target) -> bool:
    t = np.asarray(target)
    return t.dtype.kind == "f" and t.shape == inp.shape


def _check_index_target(target, inp_batched: np.ndarray, unbatched: bool, ignore_index: int):
    """Validate class indices against (N, C, d1, ...) input; return (N, d1, ...) int64."""
    t = as_index_array(target, "target")
    if unbatched:
        if t.ndim != 0:
            raise ValueError(f"target: expected a scalar class index for unbatched input of shape (C,), got shape {t.shape}")
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


def _reduce(per_element: np.ndarray, reduction: str, denominator: float) -> np.ndarray:
    if reduction == "none":
        return per_element
    total = per_element.sum()
    if reduction == "sum":
        return total
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.asarray(total / denominator)  # 0/0 -> NaN on purpose (all ignored)


def _weighted_nll(logp_last: np.ndarray, target: np.ndarray, weight, ignore_index: int):
    """Per-element -w[y] log p[y] (0 where ignored) and the per-element weights w[y]."""
    mask = target != ignore_index
    safe = np.where(mask, target, 0)
    picked = np.take_along_axis(logp_last, safe[..., None], axis=-1)[..., 0]
    w_t = mask.astype(np.float64) if weight is None else np.where(mask, weight[safe], 0.0)
    # where() rather than multiplication: an ignored -inf log-probability must give 0, not NaN
    nll = np.where(mask, -picked * w_t, 0.0)
    return nll, w_t, mask


def _logits_and_weight(input, weight, weight_name="weight"):
    """Validate logits of shape (C,), (N, C) or (N, C, d...) and per-class weights.

    Returns (input array, batched input, unbatched flag, C, float64 weights or None).
    """
    inp = as_float_array(input, "input")
    check_nonempty(inp, "input")
    check_logits(inp, "input")
    batched, unbatched = _batched(inp)
    num_classes = batched.shape[1]
    return inp, batched, unbatched, num_classes, _check_weight(weight, num_classes, weight_name)


def _elementwise_pair(input, target, input_name="input", target_name="target"):
    """Validate an elementwise (binary) loss's input and target: same shape, non-empty, target in [0, 1]."""
    x = as_float_array(input, input_name)
    y = as_float_array(target, target_name)
    check_nonempty(x, input_name)
    if x.shape != y.shape:
        raise ValueError(f"{target_name}: expected the same shape as {input_name} {x.shape}, got {y.shape}")
    check_in_unit_interval(y, target_name)
    return x, y


def _finish(out, reduction: str, unbatched: bool, dtype):
    out = np.asarray(out)
    if reduction == "none" and unbatched:
        out = out.reshape(())
    return out.astype(dtype)


# ----------------------------------------------------------------------------
# losses
# ----------------------------------------------------------------------------


def nll_loss(input, target, weight=None, ignore_index=-100, reduction="mean"):
    r"""Negative log-likelihood of class indices, as ``torch.nn.functional.nll_loss``.

    .. math:: \ell_n = -w_{y_n}\, x_{n, y_n}, \qquad
              \text{mean} = \frac{\sum_n \ell_n}{\sum_{n:\,y_n \ne \text{ignore}} w_{y_n}}

    Parameters
    ----------
    input : array_like, shape (C,), (N, C) or (N, C, d1, ...)
        Log-probabilities (usually ``log_softmax`` output); ``-inf`` allowed.
    target : array_like of int, shape (), (N,) or (N, d1, ...)
        Class indices in ``[0, C)`` or ``ignore_index``.
    weight : array_like, shape (C,), optional
        Per-class weights.
    ignore_index : int, default -100
        Target value that contributes neither loss nor weight.
    reduction : {'mean', 'sum', 'none'}, default 'mean'

    Returns
    -------
    numpy.ndarray
        Scalar, or per-element losses of ``target``'s shape for ``'none'``; nats;
        ``input``'s dtype. ``'mean'`` over an all-ignored batch is NaN (0/0), as in PyTorch.

    Raises
    ------
    ValueError
        Shape mismatches, indices out of range, NaN or ``+inf`` input, empty batch,
        unknown reduction.

    See Also
    --------
    cross_entropy; chapter 1 (from likelihood to loss).
    """
    check_reduction(reduction)
    inp, xb_, unbatched, _, weight = _logits_and_weight(input, weight)
    t = _check_index_target(target, xb_, unbatched, ignore_index)
    nll, w_t, _ = _weighted_nll(_class_last(xb_.astype(np.float64)), t, weight, ignore_index)
    return _finish(_reduce(nll, reduction, w_t.sum()), reduction, unbatched, inp.dtype)


def cross_entropy(input, target, weight=None, ignore_index=-100, reduction="mean", label_smoothing=0.0):
    r"""Cross-entropy between logits and a target, as ``torch.nn.functional.cross_entropy``.

    Class-index target (``log_softmax`` then ``nll_loss``, plus smoothing ``eps``):

    .. math:: \ell_n = (1-\varepsilon)\,\bigl(-w_{y_n}\log p_{n,y_n}\bigr)
              + \frac{\varepsilon}{C}\sum_c \bigl(-w_c \log p_{n,c}\bigr),
              \qquad p_n = \operatorname{softmax}(x_n)

    and ``'mean'`` divides the sum by :math:`\sum_{n\,\text{not ignored}} w_{y_n}`.

    Probability target :math:`t` (same shape as ``input``):

    .. math:: \ell_n = -\sum_c w_c\, \tilde t_{n,c} \log p_{n,c}, \qquad
              \tilde t = (1-\varepsilon)\, t + \varepsilon / C

    and ``'mean'`` divides by the number of elements (``N * d1 * ...``).

    Parameters
    ----------
    input : array_like, shape (C,), (N, C) or (N, C, d1, ...)
        Unnormalised logits (any real numbers; ``-inf`` masks a class).
    target : array_like
        Integer class indices of shape (), (N,) or (N, d1, ...), or float class
        probabilities of ``input``'s shape (each distribution summing to 1).
    weight : array_like, shape (C,), optional
        Per-class weights.
    ignore_index : int, default -100
        Class-index targets equal to it are skipped (not used for probability targets).
    reduction : {'mean', 'sum', 'none'}, default 'mean'
    label_smoothing : float in [0, 1], default 0.0

    Returns
    -------
    numpy.ndarray
        The loss in nats, in ``input``'s dtype: a scalar, or per-element losses
        for ``'none'``. ``'mean'`` over an all-ignored batch is NaN, as in PyTorch.

    Raises
    ------
    ValueError
        Shape mismatches, indices out of range, probability targets outside [0, 1]
        or not summing to 1, NaN or ``+inf`` logits, empty batch, ``label_smoothing``
        outside [0, 1], unknown reduction.
    TypeError
        Float class indices (pass integers), non-numeric input.

    Examples
    --------
    >>> float(cross_entropy([[2.0, 1.0, 0.1]], [0]))
    0.4170300162778335

    See Also
    --------
    nll_loss, cross_entropy_grad, xent_book.info.cross_entropy (on distributions);
    chapter 4 (cross-entropy and KL), chapter 11 (label smoothing).
    """
    check_reduction(reduction)
    eps = check_probability_scalar(label_smoothing, "label_smoothing")
    inp, xb_, unbatched, num_classes, weight = _logits_and_weight(input, weight)
    logp = _class_last(log_softmax(xb_.astype(np.float64), axis=1))

    if _is_probability_target(inp, target):
        t = _probability_target(target, unbatched, eps, num_classes)
        w = 1.0 if weight is None else weight
        terms = np.where(t > 0, t * logp * w, 0.0)  # 0 * log 0 counts as 0
        per = -terms.sum(axis=-1)
        out = _reduce(per, reduction, per.size)
        return _finish(out, reduction, unbatched, np.result_type(inp.dtype, np.asarray(target).dtype))

    t = _check_index_target(target, xb_, unbatched, ignore_index)
    nll, w_t, mask = _weighted_nll(logp, t, weight, ignore_index)
    per = nll
    if eps > 0:
        w = 1.0 if weight is None else weight
        smooth = np.where(mask, -(logp * w).sum(axis=-1), 0.0)
        per = (1.0 - eps) * nll + (eps / num_classes) * smooth
    return _finish(_reduce(per, reduction, w_t.sum()), reduction, unbatched, inp.dtype)


def _probability_target(target, unbatched: bool, eps: float, num_classes: int) -> np.ndarray:
    t = as_float_array(target, "target")
    check_distribution(t, "target", axis=-1 if unbatched else 1)
    t = t.astype(np.float64)
    if unbatched:
        t = t[None, :]
    t = _class_last(t)
    if eps > 0:
        t = t * (1.0 - eps) + eps / num_classes
    return t


def cross_entropy_grad(input, target, weight=None, ignore_index=-100, reduction="mean", label_smoothing=0.0):
    r"""Analytic gradient of :func:`cross_entropy` with respect to the logits.

    For one element with target distribution weights :math:`a_c` (one-hot
    :math:`(1-\varepsilon) w_{y}` on the true class plus :math:`\varepsilon w_c / C`,
    or :math:`w_c \tilde t_c` for a probability target) the loss is
    :math:`-\sum_c a_c \log p_c`, whose gradient is

    .. math:: \frac{\partial \ell}{\partial x_j} = \Bigl(\sum_c a_c\Bigr) p_j - a_j,

    which is ``p - y`` without weights or smoothing. ``'mean'`` divides by the
    same denominator as the loss; ``'none'`` returns the gradient of the sum of
    the per-element losses. Equal to PyTorch's autograd (tested).

    Parameters
    ----------
    input, target, weight, ignore_index, reduction, label_smoothing
        As :func:`cross_entropy`.

    Returns
    -------
    numpy.ndarray
        Same shape and dtype as ``input``; zero at ignored positions. Under
        ``'mean'`` an all-ignored batch gives zeros, as PyTorch's autograd does.

    See Also
    --------
    cross_entropy; chapter 6 (gradients).
    """
    check_reduction(reduction)
    eps = check_probability_scalar(label_smoothing, "label_smoothing")
    inp, xb_, unbatched, num_classes, weight = _logits_and_weight(input, weight)
    x_last = _class_last(xb_.astype(np.float64))
    p = np.exp(log_softmax(x_last, axis=-1))
    w = np.ones(num_classes) if weight is None else weight

    if _is_probability_target(inp, target):
        t = _probability_target(target, unbatched, eps, num_classes)
        a = t * w
        denom = a.shape[0] * int(np.prod(a.shape[1:-1], dtype=np.int64))
    else:
        t = _check_index_target(target, xb_, unbatched, ignore_index)
        mask = t != ignore_index
        safe = np.where(mask, t, 0)
        onehot = np.zeros_like(x_last)
        np.put_along_axis(onehot, safe[..., None], 1.0, axis=-1)
        a = ((1.0 - eps) * onehot * w[safe][..., None] + (eps / num_classes) * w) * mask[..., None]
        denom = float(np.where(mask, w[safe], 0.0).sum())

    grad = a.sum(axis=-1, keepdims=True) * p - a
    if reduction == "mean":
        grad = grad / denom if denom != 0 else np.zeros_like(grad)
    grad = np.moveaxis(grad, -1, 1)
    if unbatched:
        grad = grad[0]
    return grad.astype(inp.dtype)


def binary_cross_entropy(input, target, weight=None, reduction="mean"):
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
        Broadcastable to ``input``'s shape.
    reduction : {'mean', 'sum', 'none'}, default 'mean'
        ``'mean'`` divides by the number of elements.

    Returns
    -------
    numpy.ndarray
        Loss in nats, in the promoted dtype of ``input`` and ``target``.

    See Also
    --------
    binary_cross_entropy_with_logits; chapter 5 and chapter 7.
    """
    check_reduction(reduction)
    x, y = _elementwise_pair(input, target)
    check_in_unit_interval(x, "input")
    x64 = np.clip(x.astype(np.float64), 0.0, 1.0)
    y64 = y.astype(np.float64)
    with np.errstate(divide="ignore"):
        log_x = np.maximum(np.log(x64), -100.0)
        log_1mx = np.maximum(np.log1p(-x64), -100.0)
    loss = (y64 - 1.0) * log_1mx - y64 * log_x
    loss = _apply_elementwise_weight(loss, weight, x.shape)
    return _reduce(loss, reduction, loss.size).astype(np.result_type(x.dtype, y.dtype))


def _apply_elementwise_weight(loss: np.ndarray, weight, shape, name="weight"):
    if weight is None:
        return loss
    w = as_float_array(weight, name)
    check_finite(w, name)
    try:
        bshape = np.broadcast_shapes(w.shape, shape)
    except ValueError:
        raise ValueError(f"{name}: shape {w.shape} does not broadcast to input's shape {shape}") from None
    if bshape != tuple(shape):
        raise ValueError(f"{name}: shape {w.shape} does not broadcast to input's shape {shape}")
    return loss * w.astype(np.float64)


def binary_cross_entropy_with_logits(input, target, weight=None, reduction="mean", pos_weight=None):
    r"""Binary cross-entropy on logits, as ``torch.nn.functional.binary_cross_entropy_with_logits``.

    .. math:: \ell = w\,\bigl[(1-y)\,x - \bigl(1 + (p_w - 1)\,y\bigr)\log\sigma(x)\bigr]

    which equals :math:`-w[p_w\, y \log\sigma(x) + (1-y)\log(1-\sigma(x))]`, computed
    with the stable :func:`~xent_book.log_sigmoid`, so any finite logit gives a
    finite, accurate loss.

    Parameters
    ----------
    input : array_like
        Logits, any shape.
    target : array_like
        Same shape, values in [0, 1].
    weight : array_like, optional
        Broadcastable to ``input``'s shape.
    reduction : {'mean', 'sum', 'none'}, default 'mean'
        ``'mean'`` divides by the number of elements.
    pos_weight : array_like, optional
        Weight of positive examples, broadcast along the last (class) axis; > 1
        raises recall, < 1 raises precision.

    Returns
    -------
    numpy.ndarray
        Loss in nats, in the promoted dtype of ``input`` and ``target``.

    See Also
    --------
    binary_cross_entropy, sigmoid_focal_loss; chapter 5 (binary vs categorical).
    """
    check_reduction(reduction)
    x, y = _elementwise_pair(input, target)
    check_finite(x, "input")
    x64, y64 = x.astype(np.float64), y.astype(np.float64)
    log_sig = log_sigmoid(x64)
    if pos_weight is not None:
        pw = as_float_array(pos_weight, "pos_weight")
        check_finite(pw, "pos_weight")
        if (pw < 0).any():
            raise ValueError("pos_weight: expected non-negative weights")
        try:
            if np.broadcast_shapes(pw.shape, x.shape) != x.shape:
                raise ValueError
        except ValueError:
            raise ValueError(f"pos_weight: shape {pw.shape} does not broadcast to input's shape {x.shape}") from None
        log_sig = log_sig * ((pw.astype(np.float64) - 1.0) * y64 + 1.0)
    loss = (1.0 - y64) * x64 - log_sig
    loss = _apply_elementwise_weight(loss, weight, x.shape)
    return _reduce(loss, reduction, loss.size).astype(np.result_type(x.dtype, y.dtype))


def kl_div(input, target, reduction="mean", log_target=False):
    r"""Pointwise KL divergence terms, as ``torch.nn.functional.kl_div``.

    ``input`` holds log-probabilities :math:`\log q` (PyTorch's convention: the
    *model* goes first, as log-probabilities) and ``target`` holds :math:`p`
    (or :math:`\log p` when ``log_target=True``):

    .. math:: \ell = p\,(\log p - \log q), \quad 0 \log 0 = 0

    Reductions: ``'sum'`` is :math:`\sum` over all elements; ``'batchmean'``
    divides that by ``input.shape[0]`` and is the true mean KL(p || q) per
    sample; ``'mean'`` (PyTorch's default) divides by the number of *elements*,
    i.e. also by C, which is **not** the KL divergence.

    Parameters
    ----------
    input : array_like
        Finite log-probabilities of the model, any shape.
    target : array_like
        Same shape: probabilities in [0, 1], or log-probabilities if ``log_target``.
    reduction : {'mean', 'batchmean', 'sum', 'none'}, default 'mean'
    log_target : bool, default False

    Returns
    -------
    numpy.ndarray
        In nats, in the promoted dtype. Where the target probability is 0
        (``log_target=True`` with ``-inf``) the term is 0, its limit; PyTorch
        returns NaN there (0 * inf), the one place this function differs.

    See Also
    --------
    xent_book.info.kl_divergence (on distributions, with inf where q = 0 < p);
    chapter 4 (cross-entropy and KL).
    """
    check_reduction(reduction, ("none", "mean", "sum", "batchmean"))
    x = as_float_array(input, "input")
    t = as_float_array(target, "target")
    check_nonempty(x, "input")
    if x.shape != t.shape:
        raise ValueError(f"target: expected the same shape as input {x.shape}, got {t.shape}")
    check_no_nan(x, "input")
    if np.isinf(x).any():
        raise ValueError(
            "input: expected finite log-probabilities; for distributions with zeros use xent_book.info.kl_divergence"
        )
    x64 = x.astype(np.float64)
    if log_target:
        check_logits(t, "target")
        t64 = t.astype(np.float64)
        p = np.exp(t64)
        with np.errstate(invalid="ignore"):
            loss = np.where(p > 0, p * (t64 - x64), 0.0)
    else:
        check_in_unit_interval(t, "target")
        p = np.clip(t.astype(np.float64), 0.0, 1.0)
        with np.errstate(divide="ignore", invalid="ignore"):
            loss = np.where(p > 0, p * (np.log(np.where(p > 0, p, 1.0)) - x64), 0.0)
    dtype = np.result_type(x.dtype, t.dtype)
    if reduction == "batchmean":
        denom = x.shape[0] if x.ndim > 0 else 1
        return np.asarray(loss.sum() / denom).astype(dtype)
    return _reduce(loss, reduction, loss.size).astype(dtype)


def sigmoid_focal_loss(inputs, targets, alpha=0.25, gamma=2.0, reduction="none"):
    r"""Binary focal loss on logits, as ``torchvision.ops.sigmoid_focal_loss``.

    .. math:: \ell = \alpha_t\,(1 - p_t)^{\gamma}\,\operatorname{BCE}(x, y), \quad
              p_t = p\,y + (1-p)(1-y),\ \alpha_t = \alpha y + (1-\alpha)(1-y),\ p = \sigma(x)

    A negative ``alpha`` switches the class weighting off (torchvision's rule).
    ``1 - p_t`` is computed as ``σ(x)(1-y) + σ(-x) y`` so it stays accurate when
    ``p_t`` is close to 1.

    Parameters
    ----------
    inputs : array_like
        Logits, any shape.
    targets : array_like
        Same shape, values in [0, 1].
    alpha : float, default 0.25
        Weight of positives in [0, 1], or negative for none.
    gamma : float, default 2.0
        Focusing parameter >= 0; 0 gives (alpha-weighted) BCE.
    reduction : {'none', 'mean', 'sum'}, default 'none'

    See Also
    --------
    focal_loss; chapter 8 (class imbalance); Lin et al. (2017).
    """
    check_reduction(reduction)
    gamma = _check_gamma(gamma)
    if not np.isfinite(alpha) or alpha > 1:
        raise ValueError(f"alpha: expected a value in [0, 1] (or negative to disable), got {alpha!r}")
    x, y = _elementwise_pair(inputs, targets, "inputs", "targets")
    check_finite(x, "inputs")
    x64, y64 = x.astype(np.float64), y.astype(np.float64)
    bce = (1.0 - y64) * x64 - log_sigmoid(x64)
    p = np.exp(log_sigmoid(x64))
    one_minus_p = np.exp(log_sigmoid(-x64))
    one_minus_pt = p * (1.0 - y64) + one_minus_p * y64
    loss = bce * one_minus_pt**gamma
    if alpha >= 0:
        loss = (alpha * y64 + (1.0 - alpha) * (1.0 - y64)) * loss
    return _reduce(loss, reduction, loss.size).astype(np.result_type(x.dtype, y.dtype))


def _check_gamma(gamma) -> float:
    g = float(gamma)
    if not np.isfinite(g) or g < 0:
        raise ValueError(f"gamma: expected a finite value >= 0, got {gamma!r}")
    return g


def focal_loss(input, target, gamma=2.0, alpha=None, reduction="mean", ignore_index=-100):
    r"""Multi-class focal loss on logits (Lin et al. 2017).

    .. math:: \ell_n = -\alpha_{y_n}\,(1 - p_{n,y_n})^{\gamma} \log p_{n,y_n},
              \qquad p_n = \operatorname{softmax}(x_n)

    ``'mean'`` divides by the number of non-ignored elements (also when
    ``alpha`` is given), so ``gamma=0, alpha=None`` reproduces
    :func:`cross_entropy` exactly, ``ignore_index`` included. ``1 - p`` is
    computed as ``-expm1(log p)`` to stay accurate for confident predictions.

    Parameters
    ----------
    input : array_like, shape (C,), (N, C) or (N, C, d1, ...)
        Logits.
    target : array_like of int
        Class indices as in :func:`cross_entropy`.
    gamma : float, default 2.0
        Focusing parameter >= 0.
    alpha : array_like, shape (C,), optional
        Per-class weights :math:`\alpha_c`.
    reduction : {'mean', 'sum', 'none'}, default 'mean'
    ignore_index : int, default -100

    Returns
    -------
    numpy.ndarray
        Loss in nats, ``input``'s dtype; ``'mean'`` over an all-ignored batch is NaN.

    See Also
    --------
    sigmoid_focal_loss, cross_entropy; chapter 8 (class imbalance), chapter 12.
    """
    check_reduction(reduction)
    gamma = _check_gamma(gamma)
    inp, xb_, unbatched, _, alpha = _logits_and_weight(input, alpha, weight_name="alpha")
    t = _check_index_target(target, xb_, unbatched, ignore_index)
    logp = _class_last(log_softmax(xb_.astype(np.float64), axis=1))
    nll, w_t, mask = _weighted_nll(logp, t, alpha, ignore_index)  # -alpha_y log p_y
    safe = np.where(mask, t, 0)
    logp_t = np.take_along_axis(logp, safe[..., None], axis=-1)[..., 0]
    focal = np.where(mask, _focal_modulation(logp_t, gamma, np) * nll, 0.0)
    return _finish(_reduce(focal, reduction, mask.sum()), reduction, unbatched, inp.dtype)


# --- p - q kernel (shared with scale) ---
def _softmax_minus_target_(q, rows, target, row_scale, eps: float, num_classes: int, owned=None):
    r"""In place, ``q[i] <- row_scale[i] * (q[i] - p[i])``: the gradient of the cross-entropy at the logits.

    ``q`` (shape ``(N, K)``) holds softmax probabilities of ``K <= num_classes``
    classes (all of them, or one rank's slice of a vocabulary) and ``p_i =
    (1 - eps) e_{y_i} + eps / C`` is the smoothed one-hot target with ``C =
    num_classes``. ``target[i]`` is the column of row ``i``'s class in ``q``;
    it counts only where ``owned[i]`` is true (default: every row), so a rank
    that does not hold the class subtracts nothing but the smoothing term. Rows
    with ``row_scale`` 0 (ignored targets) become 0. Works unchanged on NumPy
    arrays and torch tensors (``rows`` is ``arange(N)`` of the same library).
    Unchecked: the callers validate. This is the ``q - e_y`` of
    :func:`cross_entropy_grad` without class weights, for the chunked and
    vocabulary-parallel losses of :mod:`xent_book.scale`.
    """
    q *= row_scale[:, None]
    hit = (1.0 - eps) * row_scale
    if owned is not None:
        hit = hit * owned
    q[rows, target] -= hit
    if eps > 0.0:
        q -= (eps / num_classes) * row_scale[:, None]
    return q


# --- focal term (shared with imbalance.focal_ce_loss) ---


def _focal_modulation(logp_t, gamma: float, xp):
    """``(1 - p_t)^gamma`` from ``log p_t``, written once for NumPy (``xp=np``) and torch (``xp=torch``).

    ``1 - p = -expm1(log p)`` stays accurate for confident predictions; it is
    floored at the smallest normal number, which changes no value (where
    ``p_t`` rounds to 1 the loss is 0 either way) but keeps torch's gradient at
    its limit 0 instead of ``0 * inf = NaN`` for ``0 < gamma < 1``.
    """
    one_minus_p = -xp.expm1(logp_t)
    tiny = xp.finfo(logp_t.dtype).tiny
    return xp.where(one_minus_p > tiny, one_minus_p, tiny) ** gamma
