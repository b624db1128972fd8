"""Noise-robust losses: generalized cross-entropy, MAE, symmetric cross-entropy, forward correction.

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

The noise models these losses are meant for (transition matrices, label
corruption, the anchor-point estimate of ``T``) live in :mod:`xent_book.noise`,
which re-exports every name here (their home before the split).

Notes
-----
Chapter 9 (label noise).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from numpy.typing import ArrayLike

from ._kernels import _reduce
from ._validation import (
    check_logits_target,
    check_logits_target_tensors,
    check_probability_scalar,
    check_real,
    check_reduction,
    check_transition_matrix,
)
from .activations import _log_softmax_of, logsumexp

__all__ = [
    "generalized_cross_entropy",
    "mean_absolute_error_loss",
    "symmetric_cross_entropy",
    "forward_corrected_cross_entropy",
    "gce_loss",
    "mae_loss",
    "sce_loss",
    "forward_corrected_loss",
]


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
