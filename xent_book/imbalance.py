"""Class imbalance: re-weighting, re-sampling, logit adjustment and the metrics to judge them.

A long-tailed training set has class counts ``n_1 >= n_2 >= ... >= n_C``
whose ratio ``n_1 / n_C`` (the *imbalance ratio*) can reach 100 or more.
Plain cross-entropy then minimises the *average* error, which the head
classes dominate; the fixes here change either the loss (weights, a focal
factor, a prior added to the logits) or the data (re-sampling), or they
correct the trained model's logits afterwards.

This module holds the data side (class priors and weights, re-sampling)
and the metrics, thin wrappers around scikit-learn's ``recall_score`` and
``balanced_accuracy_score``. The losses (logit adjustment, the PyTorch focal
loss) and :func:`fit_linear_remedies` live in :mod:`xent_book.imbalance_losses`
and stay importable from here.

Notes
-----
Chapter 8 (class imbalance).
"""

from __future__ import annotations

import warnings

import numpy as np
from numpy.typing import ArrayLike

from ._validation import (
    MAX_CLASSES,
    check_array,
    check_int,
    check_labels,
    check_probability_scalar,
    check_real,
    check_seed,
)
from .activations import softmax
from .data import long_tailed_counts  # the one definition lives in data; re-exported here
from .imbalance_losses import (  # noqa: F401 (their home before the split; _-names for old imports)
    MAX_GAMMA,
    REMEDY_KEYS,
    _add_offset,
    _class_axis,
    _log_prior_offset,
    fit_linear_remedies,
    focal_ce_loss,
    logit_adjusted_cross_entropy,
    logit_adjusted_loss,
    posthoc_logit_adjustment,
)

#: Upper limit on ``num_samples`` of :func:`balanced_resample_indices` (the result is allocated).
MAX_SAMPLES = 10**8

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
    "fit_linear_remedies",
]


# ----------------------------------------------------------------------------
# input checks
# ----------------------------------------------------------------------------


def _check_counts(counts) -> np.ndarray:
    """Per-class counts: the array checks of :func:`check_array`, and the rule of this module, all > 0."""
    arr = check_array(
        counts, "counts", ndim=1, expected="a 1-D array of per-class counts", nonempty=True, values="finite"
    ).astype(np.float64)
    if (arr <= 0).any():
        raise ValueError(
            f"counts: expected every class count > 0, got min {float(arr.min()):.6g} "
            "(a class with no examples has no weight to give)"
        )
    return arr


def class_priors_from_counts(counts: ArrayLike) -> np.ndarray:
    """Empirical class priors ``pi_c = n_c / sum_k n_k`` (float64, sums to 1).

    Computed as ``(n / max n) / sum(n / max n)``, so counts near the float64
    limits (1e308, subnormals) neither overflow nor give 0/0.

    Parameters
    ----------
    counts : array_like, shape (C,)
        Number (or effective number) of training examples per class, all > 0.

    Returns
    -------
    numpy.ndarray, shape (C,)
        The priors ``pi``, float64, positive, summing to 1.

    Raises
    ------
    TypeError
        Non-numeric ``counts``.
    ValueError
        ``counts`` not 1-D, empty, non-finite or with an entry <= 0.

    See Also
    --------
    logit_adjusted_cross_entropy

    Notes
    -----
    Chapter 8 (class imbalance).
    """
    n = _check_counts(counts)
    r = n / n.max()
    return r / r.sum()


# ----------------------------------------------------------------------------
# class weights
# ----------------------------------------------------------------------------


def inverse_frequency_weights(counts: ArrayLike) -> np.ndarray:
    r"""Class weights proportional to ``1 / n_c``, normalised to sum to ``C``.

    .. math:: w_c = C \, \frac{1 / n_c}{\sum_k 1 / n_k}

    With this normalisation a balanced data set gets ``w_c = 1`` for every
    class, so the weights can be passed as ``weight=`` to
    ``torch.nn.functional.cross_entropy`` (or :func:`xent_book.cross_entropy`)
    without changing the learning rate's scale on balanced data. Note that the
    ``'mean'`` reduction of a weighted cross-entropy divides by the sum of the
    weights of the batch's targets, so under ``'mean'`` only the weights'
    ratios matter.

    Computed as ``C (min n / n_c) / sum_k (min n / n_k)``: no overflow for
    subnormal counts; a weight below the float64 range (a count more than
    1e308 times the smallest) rounds to 0.

    Parameters
    ----------
    counts : array_like, shape (C,)
        Number (or effective number) of training examples per class, all > 0.

    Returns
    -------
    numpy.ndarray, shape (C,)
        Positive float64 weights summing to ``C``.

    Raises
    ------
    TypeError
        Non-numeric ``counts``.
    ValueError
        ``counts`` not 1-D, empty, non-finite or with an entry <= 0.

    See Also
    --------
    class_balanced_weights

    Notes
    -----
    Chapter 8 (class imbalance).
    """
    n = _check_counts(counts)
    r = n.min() / n
    return r * (n.shape[0] / r.sum())


def class_balanced_weights(counts: ArrayLike, beta: float = 0.999) -> np.ndarray:
    r"""Class-balanced weights from the effective number of samples (Cui et al. 2019).

    The effective number of ``n`` samples is :math:`E_n = (1 - \beta^n) / (1 - \beta)`;
    each class is weighted by its inverse, normalised to sum to ``C``:

    .. math:: w_c = C \, \frac{(1 - \beta) / (1 - \beta^{n_c})}{\sum_k (1 - \beta) / (1 - \beta^{n_k})}

    ``beta = 0`` gives ``E_n = 1`` and equal weights (plain cross-entropy);
    as ``beta -> 1``, ``E_n -> n`` and the weights tend to
    :func:`inverse_frequency_weights`. ``1 - beta^n`` is computed as
    ``-expm1(n log(beta))``, so ``beta`` close to 1 keeps full precision, and
    the normalisation is ``C softmax(-log(1 - beta^n))``, so extreme counts
    (subnormal, 1e308) give finite weights.

    Parameters
    ----------
    counts : array_like, shape (C,)
        Examples per class, all > 0 (need not be integers).
    beta : float, default 0.999
        In [0, 1). Cui et al. use 0.9, 0.99, 0.999 or 0.9999.

    Returns
    -------
    numpy.ndarray, shape (C,)
        Positive float64 weights summing to ``C``.

    Raises
    ------
    TypeError
        Non-numeric ``counts``, non-real ``beta``.
    ValueError
        ``beta`` outside [0, 1); bad ``counts`` as in :func:`inverse_frequency_weights`.

    See Also
    --------
    inverse_frequency_weights

    Notes
    -----
    Chapter 8 (class imbalance).
    """
    n = _check_counts(counts)
    b = check_probability_scalar(beta, "beta", high_open=True)
    if b == 0.0:
        return np.ones_like(n)
    # log(1 - beta**n) = log(-expm1(n log beta)); where n log beta underflows, 1 - beta**n ~ n |log beta|
    x = n * np.log(b)
    with np.errstate(divide="ignore"):
        log_e = np.where(x > -1e-300, np.log(n) + np.log(-np.log(b)), np.log(-np.expm1(x)))
    return n.shape[0] * softmax(-log_e)


# ----------------------------------------------------------------------------
# metrics (scikit-learn)
# ----------------------------------------------------------------------------


def _check_label_pair(y_true, y_pred, num_classes):
    if num_classes is not None:
        num_classes = check_int(num_classes, "num_classes", 1, MAX_CLASSES)
    t = check_labels(y_true, "y_true", num_classes)
    p = check_labels(y_pred, "y_pred", num_classes)
    if t.shape != p.shape:
        raise ValueError(f"y_pred: expected the shape of y_true {t.shape}, got {p.shape}")
    if num_classes is None:
        num_classes = int(max(t.max(), p.max())) + 1
        if num_classes > MAX_SAMPLES:
            raise ValueError(
                f"y_true, y_pred: labels up to {num_classes - 1}; pass num_classes to bound them"
            )
    return t, p, int(num_classes)


def _check_zero_division(value) -> float:
    if isinstance(value, float | np.floating) and np.isnan(value):
        return float("nan")
    return check_real(value, "zero_division")


def per_class_recall(
    y_true: ArrayLike, y_pred: ArrayLike, num_classes: int | None = None, zero_division: float = np.nan
) -> np.ndarray:
    r"""Recall of every class: ``TP_c / (number of examples of class c)``.

    .. math:: \mathrm{recall}_c = \frac{\#\{i : y_i = c,\ \hat y_i = c\}}{\#\{i : y_i = c\}}

    A thin wrapper around ``sklearn.metrics.recall_score(average=None)`` over
    the labels ``0 .. C-1``.

    Parameters
    ----------
    y_true, y_pred : array_like of int, shape (N,)
        True and predicted class indices in ``[0, num_classes)``.
    num_classes : int, optional
        Number of classes ``C``; default ``max(y_true, y_pred) + 1``.
    zero_division : float, default nan
        The value reported for a class with no example in ``y_true`` (its
        recall is undefined), as scikit-learn's argument of that name.

    Returns
    -------
    numpy.ndarray, shape (C,), float64
        NaN only for absent classes with the default ``zero_division``.

    Raises
    ------
    TypeError
        Labels that are not integers, a non-int ``num_classes``, a non-real ``zero_division``.
    ValueError
        Shapes that differ or are not 1-D, empty input, labels out of range,
        ``num_classes`` outside [1, 10**6], an infinite ``zero_division``.

    See Also
    --------
    balanced_accuracy

    Notes
    -----
    Chapter 8 (class imbalance).
    """
    from sklearn.metrics import recall_score

    t, p, c = _check_label_pair(y_true, y_pred, num_classes)
    z = _check_zero_division(zero_division)
    r = recall_score(t, p, labels=np.arange(c), average=None, zero_division=np.nan)
    return np.where(np.isnan(r), z, r).astype(np.float64)


def balanced_accuracy(y_true: ArrayLike, y_pred: ArrayLike, num_classes: int | None = None) -> float:
    r"""Balanced accuracy: the mean of the per-class recalls over the classes present in ``y_true``.

    .. math:: \mathrm{BA} = \frac{1}{|\mathcal{C}|} \sum_{c \in \mathcal{C}} \mathrm{recall}_c,
              \quad \mathcal{C} = \{c : c \text{ occurs in } y_{\text{true}}\}

    On a test set with equally many examples per class it equals the plain
    accuracy; it is ``1 - `` the *balanced error* of Menon et al. 2021.
    ``sklearn.metrics.balanced_accuracy_score``, after the label checks here;
    its warning that ``y_pred`` holds a class absent from ``y_true`` is silenced,
    since skipping such classes is the definition above.

    Parameters
    ----------
    y_true, y_pred : array_like of int, shape (N,)
        True and predicted class indices.
    num_classes : int, optional
        Only used to check the label range.

    Returns
    -------
    float
        The balanced accuracy, in [0, 1].

    Raises
    ------
    TypeError, ValueError
        As :func:`per_class_recall`.

    See Also
    --------
    per_class_recall

    Notes
    -----
    Chapter 8 (class imbalance).
    """
    from sklearn.metrics import balanced_accuracy_score

    t, p, _ = _check_label_pair(y_true, y_pred, num_classes)
    with warnings.catch_warnings():
        warnings.filterwarnings(
            "ignore", message="y_pred contains classes not in y_true", category=UserWarning
        )
        # one class in both y_true and y_pred: its recall is well defined, the warning is about a
        # confusion matrix this function does not return
        warnings.filterwarnings("ignore", message="A single label was found", category=UserWarning)
        return float(balanced_accuracy_score(t, p))


# ----------------------------------------------------------------------------
# re-sampling
# ----------------------------------------------------------------------------


def class_balanced_sample_weights(
    labels: ArrayLike, num_classes: int | None = None, power: float = 1.0
) -> np.ndarray:
    r"""Per-example sampling probabilities that re-balance the classes.

    .. math:: P(\text{draw } i) \propto n_{y_i}^{-a}, \qquad a = \text{power}

    so that class ``c`` is drawn with probability proportional to
    ``n_c^{1 - a}``: ``power = a = 1`` gives class-balanced sampling (every
    class equally often), ``a = 0`` the usual instance-balanced sampling and
    ``a = 0.5`` square-root sampling (``q`` is kept for the model's
    probabilities). Use the result as
    ``torch.utils.data.WeightedRandomSampler(weights, num_samples)`` or with
    :func:`balanced_resample_indices`.

    Parameters
    ----------
    labels : array_like of int, shape (N,)
        Training labels, class indices >= 0.
    num_classes : int, optional
        Default ``labels.max() + 1``.
    power : float, default 1.0
        The exponent ``a``, in [0, 1].

    Returns
    -------
    numpy.ndarray, shape (N,), float64
        Non-negative, summing to 1.

    Raises
    ------
    TypeError
        Non-integer ``labels``, non-int ``num_classes``, non-real ``power``.
    ValueError
        ``labels`` not 1-D, empty or out of range; ``num_classes`` outside
        [1, 10**6]; ``power`` outside [0, 1].

    See Also
    --------
    balanced_resample_indices

    Notes
    -----
    Chapter 8 (class imbalance).
    """
    c = None if num_classes is None else check_int(num_classes, "num_classes", 1, MAX_CLASSES)
    y = check_labels(labels, "labels", c)
    q = check_probability_scalar(power, "power")
    counts = np.bincount(y).astype(np.float64)
    w = counts[y] ** (-q)
    return w / w.sum()


def balanced_resample_indices(
    labels: ArrayLike,
    num_samples: int | None = None,
    seed: int = 0,
    power: float = 1.0,
    num_classes: int | None = None,
) -> np.ndarray:
    """Draw indices with replacement by :func:`class_balanced_sample_weights` (a re-sampled epoch).

    ``X[idx], y[idx]`` is a training set in which (for ``power = 1``) every
    class appears about equally often: tail examples are repeated, head
    examples are skipped.

    Parameters
    ----------
    labels : array_like of int, shape (N,)
        Training labels, class indices >= 0.
    num_samples : int, optional
        Length of the result; default ``N``.
    seed : int, default 0
        Seed of ``numpy.random.default_rng``.
    power : float, default 1.0
        See :func:`class_balanced_sample_weights`.
    num_classes : int, optional
        Default ``labels.max() + 1``.

    Returns
    -------
    numpy.ndarray of int64, shape (num_samples,)
        Indices into ``labels``.

    Raises
    ------
    TypeError, ValueError
        As :func:`class_balanced_sample_weights`; ``num_samples`` not an int
        in [1, 10**8]; ``seed`` not an int in [0, 2**32 - 1].

    See Also
    --------
    class_balanced_sample_weights

    Notes
    -----
    Chapter 8 (class imbalance).
    """
    w = class_balanced_sample_weights(labels, num_classes=num_classes, power=power)
    n = w.shape[0] if num_samples is None else check_int(num_samples, "num_samples", 1, MAX_SAMPLES)
    rng = np.random.default_rng(check_seed(seed))
    return rng.choice(w.shape[0], size=n, replace=True, p=w).astype(np.int64)
