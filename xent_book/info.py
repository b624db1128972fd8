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

import numbers

import numpy as np

from ._validation import as_float_array, check_distribution, check_in_unit_interval, check_nonempty

__all__ = ["surprisal", "entropy", "cross_entropy", "kl_divergence", "binary_entropy"]


def _log_base(base):
    if base is None:
        return 1.0
    if isinstance(base, (bool, np.bool_)) or not isinstance(base, numbers.Real):
        raise TypeError(f"base: expected None (nats) or a positive number such as 2 (bits), got {type(base).__name__}")
    if not np.isfinite(base) or base <= 0 or base == 1:
        raise ValueError(f"base: expected None (nats) or a positive number != 1 such as 2 (bits), got {base!r}")
    return float(np.log(base))


def _distribution(p, name):
    arr = as_float_array(p, name)
    if arr.ndim == 0:
        raise ValueError(f"{name}: expected a distribution along the last axis, got a scalar")
    check_nonempty(arr, name)
    check_distribution(arr, name, axis=-1)
    return arr


def _pair(p, q):
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


def _xlogy(x, y):
    """x log y with 0 log y = 0 (y may be 0)."""
    with np.errstate(divide="ignore"):
        return np.where(x > 0, x * np.log(np.where(x > 0, y, 1.0)), 0.0)


def surprisal(p, base=None):
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

    See Also
    --------
    entropy; chapter 3 (entropy).
    """
    arr = as_float_array(p, "p")
    check_in_unit_interval(arr, "p")
    with np.errstate(divide="ignore"):
        return -np.log(np.clip(arr.astype(np.float64), 0.0, 1.0)) / _log_base(base) + 0.0  # + 0.0: no -0.0


def entropy(p, base=None):
    r"""Shannon entropy :math:`H(p) = -\sum_i p_i \log p_i` along the last axis.

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
        float64 entropy; a 0-d array for a single distribution.

    Examples
    --------
    >>> float(entropy([0.5, 0.5], base=2))
    1.0

    See Also
    --------
    scipy.stats.entropy, scipy.special.entr; chapter 3 (entropy).
    """
    arr = _distribution(p, "p").astype(np.float64)
    return -_xlogy(arr, arr).sum(axis=-1) / _log_base(base) + 0.0  # + 0.0: no -0.0


def binary_entropy(p, base=None):
    r"""Entropy of a Bernoulli(p) variable, :math:`-p\log p - (1-p)\log(1-p)`, elementwise.

    Parameters
    ----------
    p : array_like
        Probabilities of success in [0, 1], any shape.
    base : float, optional
        ``None`` for nats, ``2`` for bits (maximum 1 bit at p = 1/2).

    See Also
    --------
    entropy; chapter 3 (entropy), chapter 5 (binary cross-entropy).
    """
    arr = as_float_array(p, "p")
    check_in_unit_interval(arr, "p")
    a = np.clip(arr.astype(np.float64), 0.0, 1.0)
    return -(_xlogy(a, a) + _xlogy(1.0 - a, 1.0 - a)) / _log_base(base) + 0.0  # + 0.0: no -0.0


def cross_entropy(p, q, base=None):
    r"""Cross-entropy :math:`H(p, q) = -\sum_i p_i \log q_i` along the last axis.

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
        float64; ``+inf`` where some ``q_i = 0 < p_i``.

    See Also
    --------
    xent_book.cross_entropy (the loss on logits); chapter 4.
    """
    p_arr, q_arr = _pair(p, q)
    return -_xlogy(p_arr.astype(np.float64), q_arr.astype(np.float64)).sum(axis=-1) / _log_base(base)


def kl_divergence(p, q, base=None):
    r"""Kullback-Leibler divergence :math:`\mathrm{KL}(p\,\|\,q) = \sum_i p_i \log(p_i / q_i)`.

    Always >= 0, and 0 exactly when ``p == q``; not symmetric. Terms with
    ``p_i = 0`` are 0; ``q_i = 0 < p_i`` gives ``+inf``.

    Parameters
    ----------
    p, q : array_like, shape (..., C)
        Distributions along the last axis (broadcasting).
    base : float, optional
        ``None`` for nats, ``2`` for bits.

    Returns
    -------
    numpy.ndarray
        float64, >= 0.

    See Also
    --------
    scipy.special.rel_entr, xent_book.kl_div (PyTorch's pointwise form); chapter 4.
    """
    p_arr, q_arr = _pair(p, q)
    p64, q64 = p_arr.astype(np.float64), q_arr.astype(np.float64)
    p64, q64 = np.broadcast_arrays(p64, q64)
    with np.errstate(divide="ignore"):
        terms = np.where(p64 > 0, p64 * (np.log(np.where(p64 > 0, p64, 1.0)) - np.log(np.where(p64 > 0, q64, 1.0))), 0.0)
    # rounding can leave -1e-17 for p == q: KL is non-negative by Gibbs' inequality
    return np.maximum(terms.sum(axis=-1), 0.0) / _log_base(base)
