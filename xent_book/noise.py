"""Label noise: corrupting labels, the noise transition matrix, and noise-robust losses.

Noise model
-----------
Class-conditional noise is described by a row-stochastic transition matrix

.. math:: T_{ij} = P(\\tilde y = j \\mid y = i),

the probability that an example of clean class ``i`` carries the noisy label
``j``. Two standard kinds, both parameterised by a **flip probability**
``rate`` in [0, 1) (the probability that the observed label differs from the
clean one, whatever the clean class):

* ``"symmetric"``: with probability ``rate`` the label is replaced by one of
  the *other* ``C - 1`` classes, chosen uniformly:
  ``T = (1 - rate) I + rate / (C - 1) (1 - I)``. (Some papers instead draw the
  new label uniformly from *all* ``C`` classes, so that only
  ``rate (C - 1) / C`` of the labels actually change; that is this module's
  ``rate (C - 1) / C``.)
* ``"pair"`` (asymmetric): with probability ``rate`` class ``i`` becomes
  ``(i + 1) mod C``: ``T = (1 - rate) I + rate P`` with ``P`` the cyclic shift.

:func:`symmetric_noise` and :func:`pair_noise` draw each noisy label
independently from row ``T[y]`` of :func:`transition_matrix`, so the
corruption and the matrix agree by construction (and the tests check the
empirical frequencies against ``T``).

Robust losses
-------------
The losses that resist label noise (GCE, MAE, SCE and the forward correction)
live in :mod:`xent_book.robust_losses` and stay importable from here.

Notes
-----
Chapter 9 (label noise).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from ._validation import (
    ROW_SUM_TOLERANCE,  # noqa: F401 (importable from here, as before)
    as_float_array,
    check_choice,
    check_distribution,
    check_int,
    check_labels,
    check_nonempty,
    check_probability_scalar,
    check_seed,
    check_transition_matrix,
)
from .activations import log_softmax  # noqa: F401 (a public name here, as before)
from .robust_losses import (  # noqa: F401 (their home before the split; _-names for old imports)
    _forward_formula,
    _gce_formula,
    _mae_formula,
    _sce_formula,
    forward_corrected_cross_entropy,
    forward_corrected_loss,
    gce_loss,
    generalized_cross_entropy,
    mae_loss,
    mean_absolute_error_loss,
    sce_loss,
    symmetric_cross_entropy,
)

__all__ = [
    "NOISE_KINDS",
    "transition_matrix",
    "corrupt_labels",
    "symmetric_noise",
    "pair_noise",
    "estimate_transition_matrix",
    "generalized_cross_entropy",
    "mean_absolute_error_loss",
    "symmetric_cross_entropy",
    "forward_corrected_cross_entropy",
    "gce_loss",
    "mae_loss",
    "sce_loss",
    "forward_corrected_loss",
]

NOISE_KINDS = ("symmetric", "pair")


#: Upper limit on C for the (C, C) transition matrix (2048 classes: 32 MiB in float64).
MAX_TRANSITION_CLASSES = 2048


# ----------------------------------------------------------------------------
# noise model
# ----------------------------------------------------------------------------


def transition_matrix(kind: str, rate: float, num_classes: int) -> np.ndarray:
    r"""The noise transition matrix ``T_ij = P(noisy = j | clean = i)`` of a noise kind.

    .. math::
        T^{\text{sym}} = (1 - r) I + \frac{r}{C - 1} (\mathbf 1 \mathbf 1^\top - I), \qquad
        T^{\text{pair}}_{ij} = (1 - r) [j = i] + r [j = (i + 1) \bmod C]

    ``r`` = ``rate`` is the flip probability: ``1 - T_ii = r`` for every class.

    Parameters
    ----------
    kind : {'symmetric', 'pair'}
        The noise kind (see the module docstring).
    rate : float
        The flip probability, in [0, 1).
    num_classes : int
        C >= 2.

    Returns
    -------
    numpy.ndarray, shape (C, C)
        Row-stochastic, float64.

    Raises
    ------
    TypeError
        Non-real ``rate``, non-int ``num_classes``.
    ValueError
        Unknown ``kind``, ``rate`` outside [0, 1), ``num_classes`` outside [2, 2048].

    See Also
    --------
    symmetric_noise
    pair_noise
    corrupt_labels

    Notes
    -----
    Chapter 9 (label noise).
    """
    check_choice(kind, "kind", NOISE_KINDS)
    r = check_probability_scalar(rate, "rate", high_open=True)
    c = check_int(num_classes, "num_classes", 2, MAX_TRANSITION_CLASSES)
    if kind == "symmetric":
        T = np.full((c, c), r / (c - 1))
    else:
        T = np.zeros((c, c))
        T[np.arange(c), (np.arange(c) + 1) % c] = r
    np.fill_diagonal(T, 1.0 - r)
    return T


def corrupt_labels(labels: ArrayLike, T: ArrayLike, seed: int = 0) -> np.ndarray:
    """Draw a noisy label for each clean label ``y`` from row ``T[y]``, independently.

    Uses one uniform number per label (``numpy.random.default_rng(seed)``) and
    the inverse of the row's cumulative distribution, so the same ``labels``,
    ``T`` and ``seed`` always give the same result.

    Parameters
    ----------
    labels : array_like of int, any shape
        Clean class indices in ``[0, C)``.
    T : array_like, shape (C, C)
        Row-stochastic transition matrix.
    seed : int, default 0
        Seed of ``numpy.random.default_rng`` (one uniform number per label).

    Returns
    -------
    numpy.ndarray of int64, ``labels``' shape
        Noisy labels.

    Raises
    ------
    TypeError
        Non-numeric ``T``, non-integer ``labels``, non-int ``seed``.
    ValueError
        ``T`` not square (C >= 2), not finite, not row-stochastic or with
        entries outside [0, 1]; labels out of range; ``seed`` outside [0, 2**32 - 1].

    See Also
    --------
    transition_matrix

    Notes
    -----
    Chapter 9 (label noise).
    """
    t = check_transition_matrix(T)
    y = check_labels(labels, "labels", t.shape[0], ndim=None, nonempty=False)
    rng = np.random.default_rng(check_seed(seed))
    u = rng.random(y.shape)
    cdf = np.cumsum(t, axis=1)
    cdf[:, -1] = np.inf  # guard against a last cumulative sum of 1 - 1e-16
    # first j with u < cdf[y, j]; a zero-probability class has cdf equal to its predecessor, never chosen
    noisy = (u[..., None] >= cdf[y]).sum(axis=-1)
    return noisy.astype(np.int64)


def symmetric_noise(labels: ArrayLike, rate: float, num_classes: int, seed: int = 0) -> np.ndarray:
    """Symmetric label noise: with probability ``rate`` a label becomes one of the other classes, uniformly.

    Each label is corrupted independently, so the realised fraction of changed
    labels is ``rate`` up to sampling error (about ``sqrt(rate (1 - rate) / N)``).
    Equivalent to ``corrupt_labels(labels, transition_matrix("symmetric", rate, num_classes), seed)``.

    Parameters
    ----------
    labels : array_like of int
        Clean labels in ``[0, num_classes)``.
    rate : float
        Flip probability in [0, 1).
    num_classes : int
        C >= 2.
    seed : int, default 0
        Seed of ``numpy.random.default_rng`` (one uniform number per label).

    Returns
    -------
    numpy.ndarray of int64
        Noisy labels, ``labels``' shape.

    Raises
    ------
    TypeError, ValueError
        As :func:`transition_matrix` and :func:`corrupt_labels`.

    See Also
    --------
    transition_matrix
    pair_noise

    Notes
    -----
    Chapter 9 (label noise).
    """
    return corrupt_labels(labels, transition_matrix("symmetric", rate, num_classes), seed)


def pair_noise(labels: ArrayLike, rate: float, num_classes: int, seed: int = 0) -> np.ndarray:
    """Pair (asymmetric) label noise: with probability ``rate`` class ``i`` becomes ``(i + 1) mod C``.

    Equivalent to ``corrupt_labels(labels, transition_matrix("pair", rate, num_classes), seed)``.
    Unlike symmetric noise, ``rate >= 0.5`` makes the wrong class the majority
    label of every class, which no loss can undo without knowing ``T``.

    Parameters
    ----------
    labels : array_like of int
        Clean labels in ``[0, num_classes)``, any shape.
    rate : float
        Flip probability in [0, 1).
    num_classes : int
        C >= 2.
    seed : int, default 0
        Seed of ``numpy.random.default_rng`` (one uniform number per label).

    Returns
    -------
    numpy.ndarray of int64
        Noisy labels, ``labels``' shape.

    Raises
    ------
    TypeError, ValueError
        As :func:`transition_matrix` and :func:`corrupt_labels`.

    See Also
    --------
    transition_matrix
    symmetric_noise

    Notes
    -----
    Chapter 9 (label noise).
    """
    return corrupt_labels(labels, transition_matrix("pair", rate, num_classes), seed)


def estimate_transition_matrix(probs: ArrayLike, quantile: float | None = None) -> np.ndarray:
    r"""Anchor-point estimate of ``T`` from a model's noisy-class probabilities (Patrini et al. 2017).

    A model trained on noisy labels estimates ``p(noisy | x) = T^T p(clean | x)``.
    For an *anchor point* of class ``i`` (an ``x`` with ``p(clean = i | x) = 1``)
    this is row ``T[i]``. The anchor of class ``i`` is taken to be the example
    with the largest ``p(noisy = i | x)``:

    .. math:: \bar x_i = \arg\max_x \hat p(\tilde y = i \mid x), \qquad \hat T_{ij} = \hat p(\tilde y = j \mid \bar x_i)

    With ``quantile`` set, the examples at or above that quantile of
    ``p(noisy = i | x)`` are discarded first (``numpy.percentile`` with
    ``method='higher'``), which guards against over-confident outliers. The
    paper states the arg max; the authors' code (``NoiseEstimator`` in the
    repository giorgiop/loss-correction, ``filter_outlier=True``) discards at
    the 97th percentile on every data set but CIFAR-100.

    Parameters
    ----------
    probs : array_like, shape (N, C)
        Rows are probability vectors ``p(noisy | x_n)`` (e.g. softmax outputs on
        held-out data), summing to 1.
    quantile : float, optional
        In (0, 1]; None takes the plain arg max.

    Returns
    -------
    numpy.ndarray, shape (C, C)
        Row-stochastic float64 estimate of ``T``.

    Raises
    ------
    TypeError
        Non-numeric ``probs``, non-real ``quantile``.
    ValueError
        ``probs`` not 2-D, empty, not rows of probabilities, more than 2048
        classes; ``quantile`` outside (0, 1].

    See Also
    --------
    forward_corrected_cross_entropy

    Notes
    -----
    Chapter 9 (label noise).
    """
    p = as_float_array(probs, "probs")
    if p.ndim != 2 or p.shape[1] > MAX_TRANSITION_CLASSES:
        raise ValueError(f"probs: expected shape (N, C) with C <= {MAX_TRANSITION_CLASSES}, got {p.shape}")
    check_nonempty(p, "probs")
    check_distribution(p, "probs", axis=1)
    p = p.astype(np.float64)
    qv = None if quantile is None else check_probability_scalar(quantile, "quantile", low_open=True)
    est = np.empty((p.shape[1], p.shape[1]))
    for i in range(p.shape[1]):
        col = p[:, i]
        if qv is not None:
            thresh = np.percentile(col, 100.0 * qv, method="higher")
            kept = np.where(col >= thresh, -np.inf, col)
            if np.isneginf(kept).all():  # every value ties with the threshold
                kept = col
            col = kept
        est[i] = p[int(np.argmax(col))]
    return est / est.sum(axis=1, keepdims=True)
