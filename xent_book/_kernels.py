"""Shared row kernels of the losses: one home for the plumbing several modules use.

Private and unchecked (the public functions validate first): the reduction of
per-element losses, the final cast, the in-place ``q - p`` gradient kernel of
the cross-entropy and the focal modulation ``(1 - q_t)^gamma``. Used by
:mod:`xent_book.losses`, :mod:`xent_book.margins`, :mod:`xent_book.noise`,
:mod:`xent_book.imbalance` and :mod:`xent_book.scale`.
"""

from __future__ import annotations

import numpy as np

from ._validation import cast_result


def _class_last(x: np.ndarray) -> np.ndarray:
    """Move the class axis (1 for batched input) to the end."""
    return np.moveaxis(x, 1, -1)


def _batched(inp: np.ndarray, name: str = "input") -> tuple[np.ndarray, bool]:
    """Return (input with a batch axis, whether it was unbatched)."""
    if inp.ndim == 0:
        raise ValueError(f"{name}: expected shape (C,), (N, C) or (N, C, d1, ...), got a scalar")
    if inp.ndim == 1:
        return inp[None, :], True
    return inp, False


def _reduce(per_element: np.ndarray, reduction: str, denominator: float | None = None) -> np.ndarray:
    """The one reduction of the package's losses: 'none', 'sum', or 'mean' = sum / ``denominator``.

    ``denominator`` defaults to the number of elements. A zero denominator
    (an all-ignored batch) gives NaN quietly, as in PyTorch. Unchecked. A torch
    tensor (the training losses of :mod:`xent_book.noise`) is reduced by torch's
    own ``mean``/``sum`` (no ``denominator``).
    """
    if reduction == "none":
        return per_element
    if not isinstance(per_element, (np.ndarray, np.generic)):  # a torch tensor: its own mean/sum
        return per_element.mean() if reduction == "mean" else per_element.sum()
    with np.errstate(over="ignore"):  # a sum beyond float64's range is inf, its rounded value
        total = per_element.sum()
    if reduction == "sum":
        return np.asarray(total)
    denominator = per_element.size if denominator is None else denominator
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.asarray(total / denominator)  # 0/0 -> NaN on purpose (all ignored)


def _finish(out, reduction: str, unbatched: bool, dtype) -> np.ndarray:
    """Drop the batch axis of an unbatched ``'none'`` result and cast to ``dtype`` (float16 overflow -> inf)."""
    out = np.asarray(out)
    if reduction == "none" and unbatched:
        out = out.reshape(())
    return cast_result(out, dtype)


# --- q - p kernel (shared with scale) ---
def _softmax_minus_target_(q, rows, target, row_scale, eps: float, num_classes: int, owned=None):
    r"""In place, ``q[i] <- row_scale[i] * (q[i] - p[i])``: the gradient of the cross-entropy at the logits.

    ``q`` (shape ``(N, C')``) holds softmax probabilities of ``C' <= num_classes``
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
    """``(1 - q_t)^gamma`` from ``log q_t``, written once for NumPy (``xp=np``) and torch (``xp=torch``).

    ``1 - q = -expm1(log q)`` stays accurate for confident predictions; it is
    floored at the smallest normal number, which changes no value (where
    ``q_t`` rounds to 1 the loss is 0 either way) but keeps torch's gradient at
    its limit 0 instead of ``0 * inf = NaN`` for ``0 < gamma < 1``.
    """
    one_minus_p = -xp.expm1(logp_t)
    tiny = xp.finfo(logp_t.dtype).tiny
    return xp.where(one_minus_p > tiny, one_minus_p, tiny) ** gamma
