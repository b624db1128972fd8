"""The divergence loss of ``torch.nn.functional``: ``kl_div``, with PyTorch's reductions.

Importable from :mod:`xent_book.losses` too (its home before the split).

Notes
-----
Chapter 4 (cross-entropy and KL).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from ._kernels import (
    _reduce,
)
from ._validation import (
    RANGE_TOLERANCE,
    as_float_array,
    cast_result,
    check_bool,
    check_in_unit_interval,
    check_logits,
    check_no_nan,
    check_nonempty,
    check_reduction,
)

__all__ = ["kl_div"]


def kl_div(
    input: ArrayLike, target: ArrayLike, reduction: str = "mean", log_target: bool = False
) -> np.ndarray:
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
        Same shape: probabilities in [0, 1], or log-probabilities (<= 0,
        ``-inf`` allowed) if ``log_target``.
    reduction : {'mean', 'batchmean', 'sum', 'none'}, default 'mean'
        ``'mean'`` averages over every element (PyTorch's default, which is not the
        KL divergence); ``'batchmean'`` divides the sum by ``input.shape[0]`` (the KL
        per example); ``'sum'`` sums; ``'none'`` returns the pointwise terms.
    log_target : bool, default False
        Whether ``target`` holds log-probabilities rather than probabilities.

    Returns
    -------
    numpy.ndarray
        In nats, in the promoted dtype. Where the target probability is 0
        (``log_target=True`` with ``-inf``) the term is 0, its limit; PyTorch
        returns NaN there (0 * inf), the one place this function differs.

    Raises
    ------
    ValueError
        Non-finite ``input``; a target outside [0, 1] (or, with ``log_target``,
        a log-probability above 0 beyond rounding, NaN or ``+inf``); different
        shapes; empty input; unknown ``reduction``; a ragged nested list.
    TypeError
        Non-real arrays; a non-bool ``log_target``; a non-str ``reduction``.

    See Also
    --------
    xent_book.info.kl_divergence : On distributions, with inf where q = 0 < p.

    Notes
    -----
    Chapter 4 (cross-entropy and KL).
    """
    check_reduction(reduction, ("none", "mean", "sum", "batchmean"))
    log_target = check_bool(log_target, "log_target")
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
    loss = np.zeros(x.shape)
    if log_target:
        check_logits(t, "target")
        tol = RANGE_TOLERANCE.get(t.dtype, 1e-12)
        if t.size and t.max() > tol:
            with np.errstate(over="ignore"):  # a log-target of 800 is a probability of inf
                p_max = float(np.exp(np.float64(t.max())))
            raise ValueError(
                f"target: with log_target=True expected log-probabilities <= 0, got {float(t.max()):.6g} "
                f"(a probability of {p_max:.6g})"
            )
        log_p = np.minimum(t.astype(np.float64), 0.0)
        p = np.exp(log_p)
        np.multiply(p, log_p - x64, out=loss, where=p > 0)
    else:
        check_in_unit_interval(t, "target")
        p = np.clip(t.astype(np.float64), 0.0, 1.0)
        log_p = np.zeros(x.shape)
        np.log(p, out=log_p, where=p > 0)
        np.multiply(p, log_p - x64, out=loss, where=p > 0)
    dtype = np.result_type(x.dtype, t.dtype)
    if reduction == "batchmean":
        return cast_result(_reduce(loss, "mean", x.shape[0] if x.ndim > 0 else 1), dtype)
    return cast_result(_reduce(loss, reduction), dtype)
