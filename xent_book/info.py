"""Information theory on probability distributions: surprisal, entropy, cross-entropy, KL.

Distributions lie along the **last axis**: an ``(N, C)`` array is N
distributions over C outcomes and gives an ``(N,)`` result. Every entry must
be in [0, 1] and every distribution must sum to 1 (within
``xent_book._validation.SUM_TOLERANCE``); errors name ``p`` or ``q``.

Units: ``base=None`` gives nats (natural log), ``base=2`` bits; any base > 0,
!= 1 works. Zeros follow information theory's conventions:

* ``0 log 0 = 0``, so impossible outcomes add nothing to ``H(p)``;
* where ``q = 0 < p`` the cross-entropy and KL divergence are ``+inf``
  (returned, not raised): the model calls impossible what happens;
* terms with ``p = 0`` are 0 whatever ``q`` is.

See also: chapter 3 (entropy) and chapter 4 (cross-entropy and KL divergence).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike
from scipy.special import xlogy

from ._validation import (
    as_float_array,
    check_distribution,
    check_in_unit_interval,
    check_log_base,
    check_nonempty,
)

__all__ = ["surprisal", "entropy", "cross_entropy", "kl_divergence", "binary_entropy"]


def _distribution(p, name: str) -> np.ndarray:
    arr = as_float_array(p, name)
    if arr.ndim == 0:
        raise ValueError(f"{name}: expected a distribution along the last axis, got a scalar")
    check_nonempty(arr, name)
    check_distribution(arr, name, axis=-1)
    return arr


def _pair(p, q) -> tuple[np.ndarray, np.ndarray]:
    p_arr, q_arr = _distribution(p, "p"), _distribution(q, "q")
    if p_arr.shape[-1] != q_arr.shape[-1]:
        raise ValueError(
            f"q: expected {p_arr.shape[-1]} outcomes along the last axis to match p, got {q_arr.shape[-1]}"
        )
    try:
        np.broadcast_shapes(p_arr.shape, q_arr.shape)
    except ValueError:
        raise ValueError(f"q: shape {q_arr.shape} does not broadcast with p's shape {p_arr.shape}") from None
    return p_arr, q_arr


def _kl_terms(p64: np.ndarray, q64: np.ndarray) -> np.ndarray:
    """Unchecked: the terms ``p log p - p log q`` of KL(p || q), before the sum and the clamp at 0.

    0 where ``p = 0``, ``+inf`` where ``q = 0 < p``. Exposed for the tests of
    Gibbs' inequality, which check the unclamped sum.
    """
    return xlogy(p64, p64) - xlogy(p64, q64)


def surprisal(p: ArrayLike, base: float | None = None) -> np.ndarray:
    r"""Surprisal (self-information) of an outcome of probability ``p``: :math:`-\log p`.

    Parameters
    ----------
    p : array_like
        Probabilities in [0, 1], any shape (elementwise; no normalisation required).
    base : float, optional
        ``None`` for nats, ``2`` for bits.

    Returns
    -------
    numpy.ndarray
        Same shape, float64, >= 0; ``+inf`` where ``p = 0``.

    Raises
    ------
    ValueError
        ``p`` outside [0, 1] (beyond rounding) or NaN; ``base`` not finite, <= 0 or 1;
        a ragged nested list.
    TypeError
        Non-real ``p``; a non-real (or bool, or str) ``base``.

    See Also
    --------
    entropy

    Notes
    -----
    Chapter 3 (entropy).
    """
    arr = as_float_array(p, "p")
    check_in_unit_interval(arr, "p")
    log_b = check_log_base(base)
    with np.errstate(divide="ignore"):  # -log 0 = +inf, the limit
        return -np.log(np.clip(arr.astype(np.float64), 0.0, 1.0)) / log_b + 0.0  # + 0.0: no -0.0


def entropy(p: ArrayLike, base: float | None = None) -> np.ndarray:
    r"""Shannon entropy :math:`H(p) = -\sum_k p_k \log p_k` along the last axis.

    Bounded by :math:`0 \le H(p) \le \log C`, with the maximum exactly at the
    uniform distribution. ``0 log 0 = 0``.

    Parameters
    ----------
    p : array_like, shape (..., C)
        Distributions along the last axis.
    base : float, optional
        ``None`` for nats, ``2`` for bits.

    Returns
    -------
    numpy.ndarray, shape (...)
        The entropy, float64; a 0-d array for a single distribution.

    Raises
    ------
    ValueError
        ``p`` not a distribution along the last axis (entries outside [0, 1], NaN,
        a sum off 1 by more than the tolerance); a scalar or empty ``p``; a bad ``base``.
    TypeError
        Non-real ``p``; a non-real (or bool, or str) ``base``.

    See Also
    --------
    scipy.stats.entropy
    scipy.special.entr

    Notes
    -----
    Chapter 3 (entropy).

    Examples
    --------
    >>> float(entropy([0.5, 0.5], base=2))
    1.0
    """
    log_b = check_log_base(base)
    arr = _distribution(p, "p").astype(np.float64)
    return -xlogy(arr, arr).sum(axis=-1) / log_b + 0.0  # + 0.0: no -0.0


def binary_entropy(p: ArrayLike, base: float | None = None) -> np.ndarray:
    r"""Entropy of a Bernoulli(p) variable, :math:`-p\log p - (1-p)\log(1-p)`, elementwise.

    Parameters
    ----------
    p : array_like
        Probabilities of success in [0, 1], any shape.
    base : float, optional
        ``None`` for nats, ``2`` for bits (maximum 1 bit at p = 1/2).

    Returns
    -------
    numpy.ndarray
        Same shape as ``p``, float64, in [0, log 2] nats (0 at p = 0 and p = 1).

    Raises
    ------
    ValueError
        ``p`` outside [0, 1] (beyond rounding) or NaN; ``base`` not finite, <= 0 or 1;
        a ragged nested list.
    TypeError
        Non-real ``p``; a non-real (or bool, or str) ``base``.

    See Also
    --------
    entropy

    Notes
    -----
    Chapter 3 (entropy), chapter 5 (binary cross-entropy).
    """
    arr = as_float_array(p, "p")
    check_in_unit_interval(arr, "p")
    log_b = check_log_base(base)
    a = np.clip(arr.astype(np.float64), 0.0, 1.0)
    return -(xlogy(a, a) + xlogy(1.0 - a, 1.0 - a)) / log_b + 0.0  # + 0.0: no -0.0


def cross_entropy(p: ArrayLike, q: ArrayLike, base: float | None = None) -> np.ndarray:
    r"""Cross-entropy :math:`H(p, q) = -\sum_k p_k \log q_k` along the last axis.

    The expected surprisal under the model ``q`` of outcomes drawn from ``p``;
    :math:`H(p, q) = H(p) + \mathrm{KL}(p \,\|\, q) \ge H(p)` (Gibbs' inequality).

    Parameters
    ----------
    p : array_like, shape (..., C)
        The true (data) distributions.
    q : array_like, shape (..., C)
        The model's distributions; broadcasts against ``p``.
    base : float, optional
        ``None`` for nats, ``2`` for bits.

    Returns
    -------
    numpy.ndarray
        The cross-entropy, float64; ``+inf`` where some ``q_k = 0 < p_k``.

    Raises
    ------
    ValueError
        ``p`` or ``q`` not a distribution along the last axis (entries outside [0, 1],
        NaN, a sum off 1 by more than the tolerance); scalar or empty arrays; different
        numbers of outcomes or shapes that do not broadcast; a bad ``base``.
    TypeError
        Non-real ``p`` or ``q``; a non-real (or bool, or str) ``base``.

    See Also
    --------
    xent_book.cross_entropy : The loss on logits.

    Notes
    -----
    Chapter 4.
    """
    log_b = check_log_base(base)
    p_arr, q_arr = _pair(p, q)
    return -xlogy(p_arr.astype(np.float64), q_arr.astype(np.float64)).sum(axis=-1) / log_b


def kl_divergence(p: ArrayLike, q: ArrayLike, base: float | None = None) -> np.ndarray:
    r"""Kullback-Leibler divergence :math:`\mathrm{KL}(p\,\|\,q) = \sum_k p_k \log(p_k / q_k)`.

    Always >= 0, and 0 exactly when ``p == q``; not symmetric. Terms with
    ``p_k = 0`` are 0; ``q_k = 0 < p_k`` gives ``+inf``.

    Parameters
    ----------
    p, q : array_like, shape (..., C)
        Distributions along the last axis (broadcasting).
    base : float, optional
        ``None`` for nats, ``2`` for bits.

    Returns
    -------
    numpy.ndarray
        The divergence, float64, >= 0.

    Raises
    ------
    ValueError
        ``p`` or ``q`` not a distribution along the last axis (entries outside [0, 1],
        NaN, a sum off 1 by more than the tolerance); scalar or empty arrays; different
        numbers of outcomes or shapes that do not broadcast; a bad ``base``.
    TypeError
        Non-real ``p`` or ``q``; a non-real (or bool, or str) ``base``.

    See Also
    --------
    scipy.special.rel_entr
    xent_book.kl_div : PyTorch's pointwise form.

    Notes
    -----
    Chapter 4.
    """
    log_b = check_log_base(base)
    p_arr, q_arr = _pair(p, q)
    terms = _kl_terms(p_arr.astype(np.float64), q_arr.astype(np.float64))
    # rounding can leave -1e-17 where p and q nearly agree: KL >= 0 by Gibbs' inequality, so clamp
    return np.maximum(terms.sum(axis=-1), 0.0) / log_b
