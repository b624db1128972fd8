"""Class imbalance: re-weighting, re-sampling, logit adjustment and the metrics to judge them.

A long-tailed training set has class counts ``n_1 >= n_2 >= ... >= n_C``
whose ratio ``n_1 / n_C`` (the *imbalance ratio*) can reach 100 or more.
Plain cross-entropy then minimises the *average* error, which the head
classes dominate; the fixes here change either the loss (weights, a focal
factor, a prior added to the logits) or the data (re-sampling), or they
correct the trained model's logits afterwards.

NumPy functions are float64 references; the ``*_loss`` factories return
PyTorch callables ``loss(logits, target)`` for :func:`xent_book.train.fit`,
built on the same formula as their NumPy reference.

See also: chapter 8 (class imbalance).
"""

from __future__ import annotations

import numbers

import numpy as np

from ._validation import (
    as_float_array,
    as_index_array,
    check_finite,
    check_nonempty,
    check_probability_scalar,
    check_reduction,
)
from ._validation import check_real as _check_real_scalar
from .data import long_tailed_counts  # the one definition lives in data; re-exported here

__all__ = [
    "long_tailed_counts",
    "class_priors_from_counts",
    "inverse_frequency_weights",
    "class_balanced_weights",
    "logit_adjusted_cross_entropy",
    "logit_adjusted_loss",
    "posthoc_logit_adjustment",
    "focal_ce_loss",
    "per_class_recall",
    "balanced_accuracy",
    "class_balanced_sample_weights",
    "balanced_resample_indices",
]


# ----------------------------------------------------------------------------
# input checks
# ----------------------------------------------------------------------------


def _check_counts(counts) -> np.ndarray:
    arr = as_float_array(counts, "counts").astype(np.float64)
    if arr.ndim != 1:
        raise ValueError(f"counts: expected a 1-D array of per-class counts, got shape {arr.shape}")
    check_nonempty(arr, "counts")
    check_finite(arr, "counts")
    if (arr <= 0).any():
        raise ValueError(
            f"counts: expected every class count > 0, got min {float(arr.min()):.6g} "
            "(a class with no examples has no weight to give)"
        )
    return arr


def _check_priors(class_priors) -> np.ndarray:
    arr = as_float_array(class_priors, "class_priors").astype(np.float64)
    if arr.ndim != 1:
        raise ValueError(f"class_priors: expected a 1-D array (one prior per class), got shape {arr.shape}")
    check_nonempty(arr, "class_priors")
    check_finite(arr, "class_priors")
    if (arr <= 0).any():
        raise ValueError(
            f"class_priors: expected every prior > 0 (log of the prior is used), got min {float(arr.min()):.6g}"
        )
    if abs(arr.sum() - 1.0) > 1e-6:
        raise ValueError(f"class_priors: expected priors summing to 1 (tolerance 1e-06), got sum {arr.sum():.6g}")
    return arr


def _class_axis(ndim: int) -> int:
    # torch's convention: input (C,), (N, C) or (N, C, d1, ...): classes on axis 1 unless 1-D.
    return 0 if ndim == 1 else 1


def _log_prior_offset(class_priors, tau) -> np.ndarray:
    """``tau * log(pi)``: the one formula behind every logit adjustment here."""
    return _check_real_scalar(tau, "tau") * np.log(_check_priors(class_priors))


def _broadcast_offset(offset: np.ndarray, logits: np.ndarray, name: str = "logits") -> np.ndarray:
    if logits.ndim == 0:
        raise ValueError(f"{name}: expected shape (C,), (N, C) or (N, C, d1, ...), got a scalar")
    ax = _class_axis(logits.ndim)
    if logits.shape[ax] != offset.shape[0]:
        raise ValueError(
            f"class_priors: has {offset.shape[0]} entries but {name} has {logits.shape[ax]} classes "
            f"(axis {ax} of shape {logits.shape})"
        )
    shape = [1] * logits.ndim
    shape[ax] = offset.shape[0]
    return offset.reshape(shape)


def class_priors_from_counts(counts) -> np.ndarray:
    """Empirical class priors ``pi_c = n_c / sum_k n_k`` (float64, sums to 1).

    Raises
    ------
    ValueError
        ``counts`` not 1-D, empty, non-finite or with an entry <= 0.
    """
    n = _check_counts(counts)
    return n / n.sum()


# ----------------------------------------------------------------------------
# class weights
# ----------------------------------------------------------------------------


def inverse_frequency_weights(counts) -> np.ndarray:
    r"""Class weights proportional to ``1 / n_c``, normalised to sum to ``C``.

    .. math:: w_c = C \, \frac{1 / n_c}{\sum_k 1 / n_k}

    With this normalisation a balanced data set gets ``w_c = 1`` for every
    class, so the weights can be passed as ``weight=`` to
    ``torch.nn.functional.cross_entropy`` (or :func:`xent_book.cross_entropy`)
    without changing the learning rate's scale on balanced data. Note that the
    ``'mean'`` reduction of a weighted cross-entropy divides by the sum of the
    weights of the batch's targets, so under ``'mean'`` only the weights'
    ratios matter.

    Parameters
    ----------
    counts : array_like, shape (C,)
        Number (or effective number) of training examples per class, all > 0.

    Returns
    -------
    numpy.ndarray, shape (C,), float64
        Positive weights summing to ``C``.

    Raises
    ------
    ValueError
        ``counts`` not 1-D, empty, non-finite or with an entry <= 0.

    See Also
    --------
    class_balanced_weights; chapter 8 (class imbalance).
    """
    n = _check_counts(counts)
    inv = 1.0 / n
    return inv * (n.shape[0] / inv.sum())


def class_balanced_weights(counts, beta=0.999) -> np.ndarray:
    r"""Class-balanced weights from the effective number of samples (Cui et al. 2019).

    The effective number of ``n`` samples is :math:`E_n = (1 - \beta^n) / (1 - \beta)`;
    each class is weighted by its inverse, normalised to sum to ``C``:

    .. math:: w_c = C \, \frac{(1 - \beta) / (1 - \beta^{n_c})}{\sum_k (1 - \beta) / (1 - \beta^{n_k})}

    ``beta = 0`` gives ``E_n = 1`` and equal weights (plain cross-entropy);
    as ``beta -> 1``, ``E_n -> n`` and the weights tend to
    :func:`inverse_frequency_weights`. ``1 - beta^n`` is computed as
    ``-expm1(n log(beta))``, so ``beta`` close to 1 keeps full precision.

    Parameters
    ----------
    counts : array_like, shape (C,)
        Examples per class, all > 0 (need not be integers).
    beta : float, default 0.999
        In [0, 1). Cui et al. use 0.9, 0.99, 0.999 or 0.9999.

    Returns
    -------
    numpy.ndarray, shape (C,), float64
        Positive weights summing to ``C``.

    Raises
    ------
    ValueError
        ``beta`` outside [0, 1); bad ``counts`` as in :func:`inverse_frequency_weights`.

    See Also
    --------
    inverse_frequency_weights; chapter 8 (class imbalance).
    """
    n = _check_counts(counts)
    b = check_probability_scalar(beta, "beta", high_open=True)
    if b == 0.0:
        return np.ones_like(n)
    one_minus_beta_n = -np.expm1(n * np.log(b))  # 1 - beta**n, accurate for beta near 1
    w = (1.0 - b) / one_minus_beta_n
    return w * (n.shape[0] / w.sum())


# ----------------------------------------------------------------------------
# logit adjustment (Menon et al. 2021)
# ----------------------------------------------------------------------------


def logit_adjusted_cross_entropy(logits, target, class_priors, tau=1.0, reduction="mean"):
    r"""Logit-adjusted cross-entropy (Menon et al. 2021): cross-entropy on ``f + tau log pi``.

    .. math:: \ell(f, y) = -\log \frac{e^{f_y + \tau \log \pi_y}}{\sum_k e^{f_k + \tau \log \pi_k}}

    Adding the log-prior during training makes the head classes' logits
    "pre-paid": the network only learns the part of the score that the prior
    does not explain, which is what a *balanced* test set needs. At test time
    one predicts ``argmax_y f_y`` (the un-adjusted logits). ``tau = 0`` is
    plain cross-entropy.

    Parameters
    ----------
    logits : array_like, shape (C,), (N, C) or (N, C, d1, ...)
        Unadjusted logits ``f``.
    target : array_like of int
        Class indices, shape ``()``, ``(N,)`` or ``(N, d1, ...)`` as for
        :func:`xent_book.cross_entropy`.
    class_priors : array_like, shape (C,)
        Training class frequencies ``pi``: positive, summing to 1.
    tau : float, default 1.0
        Scale of the adjustment.
    reduction : {'mean', 'sum', 'none'}, default 'mean'

    Returns
    -------
    numpy.ndarray
        Loss in nats, in ``logits``' dtype.

    Raises
    ------
    ValueError
        Priors not positive or not summing to 1, ``len(class_priors)`` not the
        number of classes, non-finite ``tau``, and whatever
        :func:`xent_book.cross_entropy` rejects.

    See Also
    --------
    logit_adjusted_loss (the PyTorch training loss), posthoc_logit_adjustment;
    chapter 8 (class imbalance).
    """
    from .losses import cross_entropy

    check_reduction(reduction)
    x = as_float_array(logits, "logits")
    offset = _broadcast_offset(_log_prior_offset(class_priors, tau), x)
    adjusted = (x.astype(np.float64) + offset).astype(x.dtype)
    return cross_entropy(adjusted, target, reduction=reduction)


def logit_adjusted_loss(class_priors, tau=1.0, reduction="mean"):
    """Return the PyTorch training loss ``loss(logits, target)`` of :func:`logit_adjusted_cross_entropy`.

    ``loss(logits, target) = F.cross_entropy(logits + tau * log(pi), target, reduction=reduction)``
    with the offset ``tau * log(pi)`` computed once, in float64, by the same
    function as the NumPy reference, and cast to the logits' dtype.

    Parameters
    ----------
    class_priors : array_like, shape (C,)
        Positive, summing to 1.
    tau : float, default 1.0
    reduction : {'mean', 'sum', 'none'}, default 'mean'

    Returns
    -------
    callable
        ``loss(logits: Tensor (N, C), target: LongTensor (N,)) -> Tensor``.

    See Also
    --------
    logit_adjusted_cross_entropy; chapter 8 (class imbalance).
    """
    import torch
    import torch.nn.functional as F

    check_reduction(reduction)
    offset64 = torch.from_numpy(_log_prior_offset(class_priors, tau))
    num_classes = offset64.shape[0]

    def loss(logits, target):
        if logits.shape[_class_axis(logits.dim())] != num_classes:
            raise ValueError(f"logits: expected {num_classes} classes (one per prior), got shape {tuple(logits.shape)}")
        shape = [1] * logits.dim()
        shape[_class_axis(logits.dim())] = num_classes
        return F.cross_entropy(logits + offset64.to(logits.dtype).reshape(shape), target, reduction=reduction)

    return loss


def posthoc_logit_adjustment(logits, class_priors, tau=1.0):
    r"""Post-hoc logit adjustment (Menon et al. 2021): ``f - tau log pi``.

    A model trained with plain cross-entropy estimates ``p(y | x)``, which
    contains the training prior; subtracting ``tau log pi_y`` from its logits
    and taking the argmax approximates the balanced-error Bayes classifier
    ``argmax_y p(x | y)`` (for ``tau = 1``). Nothing is retrained.

    Parameters
    ----------
    logits : array_like, shape (C,), (N, C) or (N, C, d1, ...)
        Logits of a model trained on data with class priors ``class_priors``.
    class_priors : array_like, shape (C,)
        Positive, summing to 1.
    tau : float, default 1.0

    Returns
    -------
    numpy.ndarray
        Adjusted logits, same shape and dtype as ``logits``.

    Raises
    ------
    ValueError
        Bad priors or ``tau`` (see :func:`logit_adjusted_cross_entropy`),
        NaN or ``+inf`` logits.

    See Also
    --------
    logit_adjusted_cross_entropy; chapter 8 (class imbalance).
    """
    from ._validation import check_logits

    x = as_float_array(logits, "logits")
    check_logits(x, "logits")
    offset = _broadcast_offset(_log_prior_offset(class_priors, tau), x)
    return (x.astype(np.float64) - offset).astype(x.dtype)


# ----------------------------------------------------------------------------
# focal loss for training (PyTorch)
# ----------------------------------------------------------------------------


def focal_ce_loss(gamma=2.0, alpha=None, reduction="mean"):
    r"""Return a PyTorch multi-class focal loss ``loss(logits, target)`` for training.

    .. math:: \ell(f, y) = -\alpha_y \, (1 - p_y)^\gamma \log p_y, \qquad p = \operatorname{softmax}(f)

    computed from ``log_softmax``, with ``1 - p_y = -expm1(log p_y)`` as in
    the NumPy reference, so a confident correct prediction stays accurate. ``gamma = 0`` and no
    ``alpha`` is plain cross-entropy. Matches :func:`xent_book.focal_loss`
    (the NumPy reference) with the same arguments.

    Parameters
    ----------
    gamma : float, default 2.0
        Focusing parameter, >= 0.
    alpha : array_like of shape (C,), optional
        Per-class weights ``alpha_y`` (e.g. :func:`class_balanced_weights`).
        Under ``'mean'`` the loss is divided by ``N`` (not by the sum of the
        weights, unlike a weighted cross-entropy).
    reduction : {'mean', 'sum', 'none'}, default 'mean'

    Returns
    -------
    callable
        ``loss(logits: Tensor (N, C), target: LongTensor (N,)) -> Tensor``.

    Raises
    ------
    ValueError
        ``gamma`` negative or not finite; ``alpha`` not 1-D, negative or not finite.

    See Also
    --------
    xent_book.focal_loss; chapter 8 (class imbalance).
    """
    import torch
    import torch.nn.functional as F

    check_reduction(reduction)
    if isinstance(gamma, (bool, np.bool_)) or not isinstance(gamma, numbers.Real):
        raise TypeError(f"gamma: expected a real number, got {type(gamma).__name__}")
    g = float(gamma)
    if not np.isfinite(g) or g < 0:
        raise ValueError(f"gamma: expected a finite value >= 0, got {g!r}")
    alpha_t = None
    if alpha is not None:
        a = as_float_array(alpha, "alpha").astype(np.float64)
        if a.ndim != 1:
            raise ValueError(f"alpha: expected a 1-D array of per-class weights, got shape {a.shape}")
        check_finite(a, "alpha")
        if (a < 0).any():
            raise ValueError("alpha: expected weights >= 0")
        alpha_t = torch.from_numpy(a)

    def loss(logits, target):
        logp_y = F.log_softmax(logits, dim=1).gather(1, target.unsqueeze(1)).squeeze(1)
        # 1 - p_y, floored at the smallest normal number: where p_y rounds to 1 the loss is 0 either
        # way (log p_y = 0), and the floor keeps the gradient at its limit 0 instead of 0 * inf = NaN
        # for 0 < gamma < 1. (1 - p)^0 = 1, so gamma = 0 is exactly cross-entropy.
        one_minus_p = (-torch.expm1(logp_y)).clamp_min(torch.finfo(logp_y.dtype).tiny)
        values = -(one_minus_p ** g) * logp_y
        if alpha_t is not None:
            values = values * alpha_t.to(logits.dtype)[target]
        if reduction == "mean":
            return values.mean()
        if reduction == "sum":
            return values.sum()
        return values

    return loss


# ----------------------------------------------------------------------------
# metrics
# ----------------------------------------------------------------------------


def _check_num_classes(num_classes):
    if isinstance(num_classes, (bool, np.bool_)) or not isinstance(num_classes, numbers.Integral):
        raise TypeError(f"num_classes: expected an int, got {type(num_classes).__name__}")
    if num_classes < 1:
        raise ValueError(f"num_classes: expected >= 1, got {num_classes}")
    return int(num_classes)


def _check_labels(labels, name, num_classes):
    y = as_index_array(labels, name)
    if y.ndim != 1:
        raise ValueError(f"{name}: expected a 1-D array of class indices, got shape {y.shape}")
    check_nonempty(y, name)
    c = int(y.max()) + 1 if num_classes is None else _check_num_classes(num_classes)
    if y.min() < 0 or y.max() >= c:
        raise ValueError(f"{name}: labels must lie in [0, {c - 1}], got values in [{y.min()}, {y.max()}]")
    return y, c


def _check_label_pair(y_true, y_pred, num_classes):
    t = as_index_array(y_true, "y_true")
    p = as_index_array(y_pred, "y_pred")
    if t.ndim != 1 or p.ndim != 1:
        raise ValueError(f"y_true, y_pred: expected 1-D label arrays, got shapes {t.shape} and {p.shape}")
    if t.shape != p.shape:
        raise ValueError(f"y_pred: expected the shape of y_true {t.shape}, got {p.shape}")
    check_nonempty(t, "y_true")
    num_classes = int(max(t.max(), p.max())) + 1 if num_classes is None else _check_num_classes(num_classes)
    for name, arr in (("y_true", t), ("y_pred", p)):
        if arr.min() < 0 or arr.max() >= num_classes:
            raise ValueError(
                f"{name}: labels must lie in [0, {num_classes - 1}], got values in [{arr.min()}, {arr.max()}]"
            )
    return t, p, int(num_classes)


def per_class_recall(y_true, y_pred, num_classes=None, zero_division=np.nan) -> np.ndarray:
    r"""Recall of every class: ``TP_c / (number of examples of class c)``.

    .. math:: \mathrm{recall}_c = \frac{\#\{i : y_i = c,\ \hat y_i = c\}}{\#\{i : y_i = c\}}

    Parameters
    ----------
    y_true, y_pred : array_like of int, shape (N,)
        True and predicted class indices in ``[0, num_classes)``.
    num_classes : int, optional
        Number of classes ``C``; default ``max(y_true, y_pred) + 1``.
    zero_division : float, default nan
        The value reported for a class with no example in ``y_true`` (its
        recall is undefined); scikit-learn's ``recall_score(average=None,
        zero_division=...)`` has the same argument.

    Returns
    -------
    numpy.ndarray, shape (C,), float64

    Raises
    ------
    ValueError
        Shapes that differ or are not 1-D, empty input, labels out of range.

    See Also
    --------
    balanced_accuracy; chapter 8 (class imbalance).
    """
    t, p, c = _check_label_pair(y_true, y_pred, num_classes)
    support = np.bincount(t, minlength=c).astype(np.float64)
    hits = np.bincount(t[t == p], minlength=c).astype(np.float64)
    out = np.full(c, float(zero_division))
    present = support > 0
    out[present] = hits[present] / support[present]
    return out


def balanced_accuracy(y_true, y_pred, num_classes=None) -> float:
    r"""Balanced accuracy: the mean of the per-class recalls over the classes present in ``y_true``.

    .. math:: \mathrm{BA} = \frac{1}{|\mathcal{C}|} \sum_{c \in \mathcal{C}} \mathrm{recall}_c,
              \quad \mathcal{C} = \{c : c \text{ occurs in } y_{\text{true}}\}

    On a test set with equally many examples per class it equals the plain
    accuracy; it is ``1 - `` the *balanced error* of Menon et al. 2021. Same
    value as ``sklearn.metrics.balanced_accuracy_score`` (which also skips
    classes absent from ``y_true``).

    Parameters
    ----------
    y_true, y_pred : array_like of int, shape (N,)
    num_classes : int, optional
        Only used to check the label range.

    Returns
    -------
    float

    See Also
    --------
    per_class_recall; chapter 8 (class imbalance).
    """
    r = per_class_recall(y_true, y_pred, num_classes)
    return float(np.nanmean(r))


# ----------------------------------------------------------------------------
# re-sampling
# ----------------------------------------------------------------------------


def class_balanced_sample_weights(labels, num_classes=None, power=1.0) -> np.ndarray:
    r"""Per-example sampling probabilities that re-balance the classes.

    .. math:: P(\text{draw } i) \propto n_{y_i}^{-q}

    so that class ``c`` is drawn with probability proportional to
    ``n_c^{1 - q}``: ``power = q = 1`` gives class-balanced sampling (every
    class equally often), ``q = 0`` the usual instance-balanced sampling and
    ``q = 0.5`` square-root sampling. Use the result as
    ``torch.utils.data.WeightedRandomSampler(weights, num_samples)`` or with
    :func:`balanced_resample_indices`.

    Parameters
    ----------
    labels : array_like of int, shape (N,)
    num_classes : int, optional
        Default ``labels.max() + 1``.
    power : float, default 1.0
        ``q``, in [0, 1].

    Returns
    -------
    numpy.ndarray, shape (N,), float64
        Non-negative, summing to 1.

    See Also
    --------
    balanced_resample_indices; chapter 8 (class imbalance).
    """
    y, c = _check_labels(labels, "labels", num_classes)
    q = check_probability_scalar(power, "power")
    counts = np.bincount(y, minlength=c).astype(np.float64)
    w = counts[y] ** (-q)
    return w / w.sum()


def balanced_resample_indices(labels, num_samples=None, seed=0, power=1.0, num_classes=None) -> np.ndarray:
    """Indices drawn with replacement by :func:`class_balanced_sample_weights` (a re-sampled epoch).

    ``X[idx], y[idx]`` is a training set in which (for ``power = 1``) every
    class appears about equally often: tail examples are repeated, head
    examples are skipped.

    Parameters
    ----------
    labels : array_like of int, shape (N,)
    num_samples : int, optional
        Length of the result; default ``N``.
    seed : int, default 0
        Seed of ``numpy.random.default_rng``.
    power : float, default 1.0
        See :func:`class_balanced_sample_weights`.
    num_classes : int, optional

    Returns
    -------
    numpy.ndarray of int64, shape (num_samples,)

    See Also
    --------
    class_balanced_sample_weights; chapter 8 (class imbalance).
    """
    w = class_balanced_sample_weights(labels, num_classes=num_classes, power=power)
    n = w.shape[0] if num_samples is None else num_samples
    if isinstance(n, (bool, np.bool_)) or not isinstance(n, numbers.Integral) or n < 1:
        raise ValueError(f"num_samples: expected a positive int, got {num_samples!r}")
    rng = np.random.default_rng(seed)
    return rng.choice(w.shape[0], size=int(n), replace=True, p=w).astype(np.int64)
