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
Each loss is written once as a function of the log-probability of the
labelled class (or of all log-probabilities), shared by the NumPy reference
(float64) and the PyTorch training callable (``*_loss`` factories, for
:func:`xent_book.train.fit`). With the model's ``q = softmax(logits)`` and label ``y``
(``e_y`` its one-hot vector; ``a`` is the argument ``q`` of the GCE functions):

=========================================  ====================================================
cross-entropy                              ``-log q_y``
:func:`generalized_cross_entropy`          ``(1 - q_y^a) / a`` (Zhang & Sabuncu 2018)
:func:`mean_absolute_error_loss`           ``sum_k |q_k - (e_y)_k| = 2 (1 - q_y)``
:func:`symmetric_cross_entropy`            ``alpha (-log q_y) - beta A (1 - q_y)`` (Wang et al. 2019)
:func:`forward_corrected_cross_entropy`    ``-log sum_k q_k T_{k y}`` (Patrini et al. 2017)
=========================================  ====================================================

See also: chapter 9 (label noise).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from numpy.typing import ArrayLike

from ._kernels import _reduce
from ._validation import (
    ROW_SUM_TOLERANCE,  # noqa: F401 (importable from here, as before)
    as_float_array,
    check_choice,
    check_distribution,
    check_int,
    check_labels,
    check_logits_target,
    check_logits_target_tensors,
    check_nonempty,
    check_probability_scalar,
    check_real,
    check_reduction,
    check_seed,
    check_transition_matrix,
)
from .activations import _log_softmax_of, log_softmax, logsumexp  # noqa: F401 (log_softmax: public name here)

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


# ----------------------------------------------------------------------------
# the loss formulas, written once for NumPy and PyTorch
# ----------------------------------------------------------------------------


def _gce_formula(logp_y, q, xp):
    # (1 - q_y^a) / a = -expm1(a log q_y) / a (a is the argument q): exact as q -> 0 (no 1 - 1 cancellation).
    # Where a log q_y is subnormal (a subnormal q such as 5e-324) the product keeps too few bits; there
    # expm1(z) / z = 1 to double precision, so the value is its q -> 0 limit, the cross-entropy -log q_y.
    z = q * logp_y
    return xp.where(xp.abs(z) < xp.finfo(z.dtype).tiny, -logp_y, -xp.expm1(z) / q)


def _mae_formula(logp_y, xp):
    # sum_k |q_k - (e_y)_k| = (1 - q_y) + sum_{k != y} q_k = 2 (1 - q_y)
    return -2.0 * xp.expm1(logp_y)


def _sce_formula(logp_y, alpha, beta, A, xp):
    # alpha CE + beta RCE with RCE = -sum_k q_k log (e_y)_k, log 0 := A  ->  -A (1 - q_y)
    rce = beta * A * xp.expm1(logp_y)
    # alpha = 0 drops the CE term: 0 * (-log 0) would be NaN at a masked (-inf) label
    return rce if alpha == 0 else alpha * (-logp_y) + rce


def _forward_formula(logp, logT, y, lse):
    # -log (q^T T)_y = -LSE_k (log q_k + log T_{k y}): only the labelled column of T, O(N C) memory
    return -lse(logp + logT[:, y].T)


def _numpy_logp_y(logits, target):
    x, y = check_logits_target(logits, target)
    logp = _log_softmax_of(x.astype(np.float64), 1, 1.0, "logits")
    return x.dtype, logp, np.take_along_axis(logp, y[:, None], axis=1)[:, 0], y


def _as_out(value, dtype):
    with np.errstate(over="ignore"):  # a float16 loss beyond 65504 is inf, as in PyTorch
        return np.asarray(value, dtype=np.float64).astype(dtype)


def _torch_logp_y(logits, target):
    import torch.nn.functional as F

    check_logits_target_tensors(logits, target)
    target = target.long()
    logp = F.log_softmax(logits, dim=1)
    return logp, logp.gather(1, target.unsqueeze(1)).squeeze(1)


# ----------------------------------------------------------------------------
# NumPy references
# ----------------------------------------------------------------------------


def generalized_cross_entropy(
    logits: ArrayLike, target: ArrayLike, q: float = 0.7, reduction: str = "mean"
) -> np.ndarray:
    r"""Generalized cross-entropy ``(1 - q_y^a) / a`` (Zhang & Sabuncu 2018), ``a`` the argument ``q``.

    .. math:: L_a(f, y) = \frac{1 - q_y^{\,a}}{a}, \qquad q = \operatorname{softmax}(f)

    (the paper writes the exponent :math:`q`; the book keeps :math:`q` for the
    model and calls it :math:`a`, as chapter 9 does). A Box-Cox transform of
    ``q_y``: as ``a -> 0`` it tends to cross-entropy ``-log q_y``; at ``a = 1``
    it is ``1 - q_y`` (half of
    :func:`mean_absolute_error_loss`). Bounded by ``1 / a``, so a mislabeled
    example cannot dominate the loss. Its gradient is ``q_y^a`` times that of
    cross-entropy. Computed as ``-expm1(a log q_y) / a``.

    Parameters
    ----------
    logits : array_like, shape (N, C)
        Logits (``-inf`` masks a class); computed in float64.
    target : array_like of int, shape (N,)
        Class indices in ``[0, C)``.
    q : float, default 0.7
        The exponent :math:`a` (the paper's :math:`q`), in (0, 1].
    reduction : {'mean', 'sum', 'none'}, default 'mean'
        The mean over the N examples, their sum, or the (N,) losses.

    Returns
    -------
    numpy.ndarray
        Loss (dimensionless; nats only in the limit ``q -> 0``), in ``logits``' dtype.

    Raises
    ------
    TypeError
        Non-numeric ``logits``, non-integer ``target``, non-real ``q``.
    ValueError
        ``q`` outside (0, 1], labels out of range, wrong shapes, empty, NaN or
        ``+inf`` logits, unknown ``reduction``.

    See Also
    --------
    gce_loss : PyTorch.

    Notes
    -----
    Chapter 9 (label noise).
    """
    check_reduction(reduction)
    qq = check_probability_scalar(q, "q", low_open=True)
    dtype, _, logp_y, _ = _numpy_logp_y(logits, target)
    return _as_out(_reduce(_gce_formula(logp_y, qq, np), reduction), dtype)


def mean_absolute_error_loss(logits: ArrayLike, target: ArrayLike, reduction: str = "mean") -> np.ndarray:
    r"""Mean absolute error between ``softmax(logits)`` and the one-hot label: ``sum_k |q_k - (e_y)_k| = 2 (1 - q_y)``.

    The convention of Ghosh et al. 2017 (the L1 distance of the probability
    vector to the one-hot vector, which is twice ``1 - q_y``); some code
    bases drop the factor 2 -- that is ``generalized_cross_entropy(q=1)``.
    MAE is symmetric (``sum_j L(f, j)`` is the constant ``2 (C - 1)``), hence
    robust to symmetric noise, but its gradient ``2 q_y (q - e_y)`` vanishes
    on examples the model gets badly wrong, so it trains slowly.

    Parameters
    ----------
    logits : array_like, shape (N, C)
        Logits (``-inf`` masks a class); computed in float64.
    target : array_like of int, shape (N,)
        Class indices in ``[0, C)``.
    reduction : {'mean', 'sum', 'none'}, default 'mean'
        The mean over the N examples, their sum, or the (N,) losses.

    Returns
    -------
    numpy.ndarray
        The loss, in [0, 2], in ``logits``' dtype.

    Raises
    ------
    TypeError
        Non-numeric ``logits``, non-integer ``target``.
    ValueError
        Logits not (N, C), empty, NaN or ``+inf``; ``target`` not (N,) or out
        of range; unknown ``reduction``.

    See Also
    --------
    mae_loss : PyTorch.

    Notes
    -----
    Chapter 9 (label noise).
    """
    check_reduction(reduction)
    dtype, _, logp_y, _ = _numpy_logp_y(logits, target)
    return _as_out(_reduce(_mae_formula(logp_y, np), reduction), dtype)


def symmetric_cross_entropy(
    logits: ArrayLike,
    target: ArrayLike,
    alpha: float = 0.1,
    beta: float = 1.0,
    A: float = -4.0,
    reduction: str = "mean",
) -> np.ndarray:
    r"""Symmetric cross-entropy ``alpha CE + beta RCE`` (Wang et al. 2019).

    .. math:: \ell = \alpha\,(-\log q_y) + \beta\,\underbrace{(-A)(1 - q_y)}_{\text{RCE}}

    The reverse cross-entropy ``RCE = H(q, e_y) = -sum_k q_k log (e_y)_k`` swaps
    the roles of the prediction ``q = softmax(logits)`` and the one-hot label
    ``e_y``; its ``log 0`` is replaced by the constant ``A`` (default -4), which
    gives ``-A (1 - q_y)``. Defaults are the paper's CIFAR-10 setting.

    Parameters
    ----------
    logits : array_like, shape (N, C)
        Logits (``-inf`` masks a class); computed in float64.
    target : array_like of int, shape (N,)
        Class indices in ``[0, C)``.
    alpha : float, default 0.1
        Weight of cross-entropy, >= 0.
    beta : float, default 1.0
        Weight of the reverse cross-entropy, >= 0.
    A : float, default -4.0
        Stand-in for ``log 0``, < 0.
    reduction : {'mean', 'sum', 'none'}, default 'mean'
        The mean over the N examples, their sum, or the (N,) losses.

    Returns
    -------
    numpy.ndarray
        The loss, in ``logits``' dtype.

    Raises
    ------
    TypeError
        Non-real ``alpha``, ``beta`` or ``A``; bad types as in :func:`mean_absolute_error_loss`.
    ValueError
        Negative or non-finite ``alpha``/``beta``, ``A >= 0``, weights so large
        that the loss overflows float64, bad logits or labels as in
        :func:`mean_absolute_error_loss`.

    See Also
    --------
    sce_loss : PyTorch.

    Notes
    -----
    Chapter 9 (label noise).
    """
    check_reduction(reduction)
    a, b, aa = _check_sce(alpha, beta, A)
    dtype, _, logp_y, _ = _numpy_logp_y(logits, target)
    with np.errstate(over="ignore"):
        out = _reduce(_sce_formula(logp_y, a, b, aa, np), reduction)
    if not np.isfinite(out).all():
        raise ValueError(f"alpha, beta, A: the loss overflows float64 (alpha={a!r}, beta={b!r}, A={aa!r})")
    return _as_out(out, dtype)


def _check_sce(alpha, beta, A):
    a = check_real(alpha, "alpha")
    b = check_real(beta, "beta")
    aa = check_real(A, "A")
    if a < 0:
        raise ValueError(f"alpha: expected a value >= 0, got {a!r}")
    if b < 0:
        raise ValueError(f"beta: expected a value >= 0, got {b!r}")
    if aa >= 0:
        raise ValueError(f"A: expected a negative stand-in for log 0, got {aa!r}")
    return a, b, aa


def _numpy_lse_last(x):
    return logsumexp(x, axis=1)


def forward_corrected_cross_entropy(
    logits: ArrayLike, target: ArrayLike, T: ArrayLike, reduction: str = "mean"
) -> np.ndarray:
    r"""Forward loss correction (Patrini et al. 2017): cross-entropy of the noisy label under ``T^T q``.

    .. math:: \ell(f, \tilde y) = -\log \sum_k q_k\, T_{k \tilde y}, \qquad q = \operatorname{softmax}(f)

    The model's ``q`` estimates the *clean* class; multiplying by ``T`` turns
    it into a distribution over *noisy* labels, which is what the training
    labels are. Minimising this on noisy data recovers the clean
    ``p(y | x)`` when ``T`` is right and invertible. ``T = I`` is plain
    cross-entropy. Computed as ``-LSE_k(log q_k + log T_{k y})``; a noisy
    label that ``T`` makes impossible gives ``+inf``.

    Parameters
    ----------
    logits : array_like, shape (N, C)
        Logits (``-inf`` masks a class); computed in float64.
    target : array_like of int, shape (N,)
        Noisy labels, class indices in ``[0, C)``.
    T : array_like, shape (C, C)
        Row-stochastic, ``T_ij = P(noisy = j | clean = i)``.
    reduction : {'mean', 'sum', 'none'}, default 'mean'
        The mean over the N examples, their sum, or the (N,) losses.

    Returns
    -------
    numpy.ndarray
        Loss in nats, ``logits``' dtype.

    Raises
    ------
    TypeError
        Non-numeric ``T``; bad types as in :func:`mean_absolute_error_loss`.
    ValueError
        ``T`` not (C, C), not finite or not row-stochastic; bad logits or labels
        as in :func:`mean_absolute_error_loss`.

    See Also
    --------
    forward_corrected_loss : PyTorch.
    estimate_transition_matrix

    Notes
    -----
    Chapter 9 (label noise).
    """
    check_reduction(reduction)
    dtype, logp, _, y = _numpy_logp_y(logits, target)
    t = check_transition_matrix(T, num_classes=logp.shape[1])
    with np.errstate(divide="ignore"):
        logT = np.log(t)
    values = _forward_formula(logp, logT, y, _numpy_lse_last)
    return _as_out(_reduce(values, reduction), dtype)


# ----------------------------------------------------------------------------
# PyTorch training losses (same formulas)
# ----------------------------------------------------------------------------


def gce_loss(q: float = 0.7, reduction: str = "mean") -> Callable:
    """Return the PyTorch loss ``loss(logits (N, C), target (N,))`` of :func:`generalized_cross_entropy`.

    Parameters
    ----------
    q : float, default 0.7
        The exponent :math:`a`, in (0, 1].
    reduction : {'mean', 'sum', 'none'}, default 'mean'
        The mean over the N examples, their sum, or the (N,) losses.

    Returns
    -------
    callable
        ``loss(logits, target) -> torch.Tensor``, for :func:`xent_book.train.fit`.

    Raises
    ------
    TypeError, ValueError
        ``q`` or ``reduction`` as :func:`generalized_cross_entropy` refuses them;
        the returned loss refuses logits that are not finite floating (N, C)
        tensors and targets that are not (N,) integer indices in ``[0, C)``.
    """
    import torch

    check_reduction(reduction)
    qq = check_probability_scalar(q, "q", low_open=True)

    def loss(logits, target):
        _, logp_y = _torch_logp_y(logits, target)
        return _reduce(_gce_formula(logp_y, qq, torch), reduction)

    return loss


def mae_loss(reduction: str = "mean") -> Callable:
    """Return the PyTorch loss ``loss(logits (N, C), target (N,))`` of :func:`mean_absolute_error_loss`.

    The loss is ``2 (1 - q_y)``.

    Parameters
    ----------
    reduction : {'mean', 'sum', 'none'}, default 'mean'
        The mean over the N examples, their sum, or the (N,) losses.

    Returns
    -------
    callable
        ``loss(logits, target) -> torch.Tensor``, for :func:`xent_book.train.fit`.

    Raises
    ------
    ValueError
        Unknown ``reduction``; the returned loss as in :func:`gce_loss`.
    """
    import torch

    check_reduction(reduction)

    def loss(logits, target):
        _, logp_y = _torch_logp_y(logits, target)
        return _reduce(_mae_formula(logp_y, torch), reduction)

    return loss


def sce_loss(alpha: float = 0.1, beta: float = 1.0, A: float = -4.0, reduction: str = "mean") -> Callable:
    """Return the PyTorch loss ``loss(logits (N, C), target (N,))`` of :func:`symmetric_cross_entropy`.

    Parameters
    ----------
    alpha : float, default 0.1
        Weight of cross-entropy, >= 0.
    beta : float, default 1.0
        Weight of the reverse cross-entropy, >= 0.
    A : float, default -4.0
        Stand-in for ``log 0``, < 0.
    reduction : {'mean', 'sum', 'none'}, default 'mean'
        The mean over the N examples, their sum, or the (N,) losses.

    Returns
    -------
    callable
        ``loss(logits, target) -> torch.Tensor``, for :func:`xent_book.train.fit`.

    Raises
    ------
    TypeError, ValueError
        ``alpha``, ``beta``, ``A`` or ``reduction`` as :func:`symmetric_cross_entropy`
        refuses them; the returned loss as in :func:`gce_loss`.
    """
    import torch

    check_reduction(reduction)
    a, b, aa = _check_sce(alpha, beta, A)

    def loss(logits, target):
        _, logp_y = _torch_logp_y(logits, target)
        return _reduce(_sce_formula(logp_y, a, b, aa, torch), reduction)

    return loss


def forward_corrected_loss(T: ArrayLike, reduction: str = "mean") -> Callable:
    """Return the PyTorch loss ``loss(logits (N, C), noisy_target (N,))`` of :func:`forward_corrected_cross_entropy`.

    ``T`` is checked once here (square, row-stochastic) and its logarithm kept
    in float64; it is cast to the logits' dtype at each call.

    Parameters
    ----------
    T : array_like, shape (C, C)
        Row-stochastic, ``T_ij = P(noisy = j | clean = i)``.
    reduction : {'mean', 'sum', 'none'}, default 'mean'
        The mean over the N examples, their sum, or the (N,) losses.

    Returns
    -------
    callable
        ``loss(logits, target) -> torch.Tensor``, for :func:`xent_book.train.fit`.

    Raises
    ------
    TypeError, ValueError
        ``T`` or ``reduction`` as :func:`forward_corrected_cross_entropy` refuses
        them; the returned loss refuses logits with another number of classes
        than ``T`` and bad targets as in :func:`gce_loss`.
    """
    import torch

    check_reduction(reduction)
    t = check_transition_matrix(T)
    with np.errstate(divide="ignore"):
        logT64 = torch.from_numpy(np.log(t))
    c = t.shape[0]

    def loss(logits, target):
        check_logits_target_tensors(logits, target)
        if logits.shape[1] != c:
            raise ValueError(f"logits: expected shape (N, {c}) to match T, got {tuple(logits.shape)}")
        logp, _ = _torch_logp_y(logits, target)
        target = target.long()
        values = _forward_formula(logp, logT64.to(logits.dtype), target, lambda z: torch.logsumexp(z, dim=1))
        return _reduce(values, reduction)

    return loss
