"""The loss of ``hidden @ weight.T`` in chunks of tokens, and the memory arithmetic of the naive loss.

See Also
--------
xent_book.scale : The subpackage overview.

Notes
-----
Chapter 13, "Cross-entropy at scale".
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import torch

from .._kernels import _softmax_minus_target_
from .._validation import (
    check_float_tensor,
    check_ignore_index,
    check_index_tensor,
    check_int,
    check_probability_scalar,
    check_reduction,
    check_torch_dtype,
)

__all__ = ["chunked_linear_cross_entropy", "naive_linear_cross_entropy", "default_chunk_size", "logits_bytes"]

_HALF = (torch.float16, torch.bfloat16)


def acc_dtype(dtype: torch.dtype) -> torch.dtype:
    """The accumulation dtype: float32 for float16/bfloat16 inputs, else the input's own."""
    return torch.float32 if dtype in _HALF else dtype


def logits_bytes(n_tokens: int, vocab_size: int, dtype: torch.dtype = torch.float32) -> int:
    """Count the bytes of one ``n_tokens x vocab_size`` logit matrix: ``N * C * itemsize``.

    The naive loss holds several such matrices at once (the log-softmax saved
    for the backward pass, the gradient of the NLL, the gradient of the logits).

    Parameters
    ----------
    n_tokens : int >= 0
        Number of tokens ``N``.
    vocab_size : int >= 0
        Number of classes ``C``.
    dtype : torch.dtype, default torch.float32
        Element type of the matrix.

    Returns
    -------
    int
        Bytes (not MiB).

    Raises
    ------
    TypeError
        ``n_tokens`` or ``vocab_size`` not an int (bools and floats refused),
        ``dtype`` not a ``torch.dtype``.
    ValueError
        ``n_tokens`` or ``vocab_size`` negative.

    Notes
    -----
    Chapter 13, section 13.1.
    """
    n = check_int(n_tokens, "n_tokens", 0)
    v = check_int(vocab_size, "vocab_size", 0)
    return n * v * check_torch_dtype(dtype).itemsize


def default_chunk_size(n_tokens: int, vocab_size: int, budget_elements: int = 2**24) -> int:
    """Chunk length used when ``chunk_size=None``.

    The largest power of two ``c`` with ``c * vocab_size <= budget_elements``
    (a block of 64 MiB of float32 logits by default), at least 16, then capped
    at ``n_tokens`` (and at least 1). Smaller chunks save memory; much smaller
    ones are slower, since each chunk reads the whole ``C x d`` weight twice and
    updates the whole weight gradient once. Computed in closed form, without a
    loop.

    Parameters
    ----------
    n_tokens : int >= 0
        Number of tokens ``N``; the chunk length never exceeds it.
    vocab_size : int >= 1
        Number of classes ``C``, the length of each row of logits.
    budget_elements : int >= 1, default 2**24
        Logits one chunk may hold.

    Returns
    -------
    int
        A chunk length in ``[1, max(n_tokens, 1)]``.

    Raises
    ------
    TypeError
        An argument that is not an int (floats, NaN and inf included).
    ValueError
        ``n_tokens < 0``, ``vocab_size < 1`` or ``budget_elements < 1``.
    """
    n = check_int(n_tokens, "n_tokens", 0)
    v = check_int(vocab_size, "vocab_size", 1)
    budget = check_int(budget_elements, "budget_elements", 1)
    rows = budget // v
    c = 1 << (rows.bit_length() - 1) if rows >= 16 else 16
    return max(1, min(c, n))


def _check_linear_inputs(
    hidden: torch.Tensor,
    weight: torch.Tensor,
    target: torch.Tensor,
    ignore_index: int,
    reduction: str,
    label_smoothing: float,
) -> tuple[torch.Tensor, int, str, float]:
    """Validate the arguments shared by the naive and chunked losses; return (target int64, ignore_index, reduction, eps)."""
    check_float_tensor(hidden, "hidden", 2, "(N, d)")
    check_float_tensor(weight, "weight", 2, "(C, d)")
    if weight.shape[1] != hidden.shape[1]:
        raise ValueError(
            f"weight: expected shape (C, {hidden.shape[1]}) to match hidden's width d = {hidden.shape[1]}, "
            f"got {tuple(weight.shape)}"
        )
    if weight.shape[0] < 1:
        raise ValueError("weight: expected at least one class (C >= 1)")
    if weight.dtype != hidden.dtype:
        raise TypeError(f"weight: expected the dtype of hidden ({hidden.dtype}), got {weight.dtype}")
    if weight.device != hidden.device:
        raise ValueError(f"weight: expected the device of hidden ({hidden.device}), got {weight.device}")
    if isinstance(target, torch.Tensor) and target.device != hidden.device:
        raise ValueError(f"target: expected the device of hidden ({hidden.device}), got {target.device}")
    ignore_index = check_ignore_index(ignore_index)
    target = check_index_tensor(
        target, "target", hidden.shape[0], weight.shape[0], ignore_index, "weight.shape[0]"
    )
    reduction = check_reduction(reduction)
    eps = check_probability_scalar(label_smoothing, "label_smoothing")
    return target, ignore_index, reduction, eps


def check_finite_result(out: torch.Tensor, name: str, what: str, nan_ok: bool = False) -> torch.Tensor:
    """Refuse (naming the input ``name``) a result that overflowed; NaN passes only where documented (``nan_ok``)."""
    if nan_ok or bool(torch.isfinite(out).all()):
        return out
    raise ValueError(
        f"{name}: {what} overflows {out.dtype} (inf or NaN); scale the input down or use a wider dtype"
    )


def _check_finite_loss(loss: torch.Tensor, count: int, reduction: str) -> torch.Tensor:
    """Finite inputs can still overflow in ``hidden @ weight.T`` or in the cast back to half precision."""
    return check_finite_result(
        loss, "hidden", "the loss of hidden @ weight.T", reduction == "mean" and count == 0
    )


# --------------------------------------------------------------------------- #
# one chunk
# --------------------------------------------------------------------------- #
def _chunk_softmax_(
    h: torch.Tensor,
    w: torch.Tensor,
    t: torch.Tensor,
    ignore_index: int,
    eps: float,
    vocab_size: int,
    buf: torch.Tensor,
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
    r"""One chunk's softmax, written in place into ``buf``, and its per-token losses.

    The logits ``h @ w.T`` go into the reusable block ``buf`` (c x C, the
    accumulation dtype), which is then shifted by the row maximum, exponentiated
    and normalised in place, so a chunk costs one block of memory. With the
    shifted logits :math:`s = z - \max z` and :math:`S = \sum_k e^{s_k}`, the
    loss is :math:`\log S - (1-\varepsilon) s_y - \frac{\varepsilon}{C}\sum_k s_k`
    (the maximum cancels). Returns ``(softmax, valid, safe_t, loss)``.
    """
    z = torch.matmul(h, w.T, out=buf)
    z.sub_(z.amax(dim=1, keepdim=True))
    valid = t != ignore_index
    safe_t = torch.where(valid, t, torch.zeros_like(t))
    loss = -(1.0 - eps) * z.gather(1, safe_t.unsqueeze(1)).squeeze(1)
    if eps > 0.0:
        loss = loss - (eps / vocab_size) * z.sum(dim=1)
    z.exp_()
    total = z.sum(dim=1, keepdim=True)
    loss = loss + torch.log(total.squeeze(1))
    z.div_(total)
    loss = torch.where(valid, loss, torch.zeros_like(loss))
    return z, valid, safe_t, loss


def _chunk_gradient_(
    q: torch.Tensor,
    valid: torch.Tensor,
    safe_t: torch.Tensor,
    eps: float,
    vocab_size: int,
    row_scale: torch.Tensor,
) -> torch.Tensor:
    """Turn the softmax ``q`` in place into ``row_scale * (q - p)``, zero rows where ignored (the one q - p kernel)."""
    r = torch.where(valid, row_scale, torch.zeros_like(row_scale))
    rows = torch.arange(q.shape[0], device=q.device)
    return _softmax_minus_target_(q, rows, safe_t, r, eps, vocab_size)


def _chunks(n: int, chunk_size: int) -> Iterator[tuple[int, int]]:
    for s in range(0, n, chunk_size):
        yield s, min(s + chunk_size, n)


class _ChunkedLinearCrossEntropy(torch.autograd.Function):
    """Loss of ``hidden @ weight.T``; gradients formed in the forward pass (or recomputed for 'none')."""

    @staticmethod
    def forward(
        ctx: Any,
        hidden: torch.Tensor,
        weight: torch.Tensor,
        target: torch.Tensor,
        chunk_size: int,
        ignore_index: int,
        reduction: str,
        eps: float,
        need_h: bool,
        need_w: bool,
    ) -> torch.Tensor:
        n = hidden.shape[0]
        vocab = weight.shape[0]
        acc = acc_dtype(hidden.dtype)
        w = weight.to(acc)  # a float32 copy for half-precision inputs, else no copy
        count = int((target != ignore_index).sum())
        buf = torch.empty((min(chunk_size, n), vocab), dtype=acc, device=hidden.device)
        if reduction == "none":
            losses = torch.zeros(n, dtype=acc, device=hidden.device)
            for s, e in _chunks(n, chunk_size):
                _, _, _, losses[s:e] = _chunk_softmax_(
                    hidden[s:e].to(acc), w, target[s:e], ignore_index, eps, vocab, buf[: e - s]
                )
            _check_finite_loss(losses.to(hidden.dtype), count, reduction)
            ctx.save_for_backward(hidden, weight, target)
            ctx.args = (chunk_size, ignore_index, eps, need_h, need_w)
            ctx.reduction = reduction
            return losses.to(hidden.dtype)

        # 'mean' or 'sum': every token's gradient is (q - p) / count times one
        # scalar grad_output, so the gradients can be finished now and scaled later.
        total = torch.zeros((), dtype=torch.float64, device=hidden.device)
        scale = 1.0 / count if (reduction == "mean" and count > 0) else 1.0
        grad_h = torch.empty(hidden.shape, dtype=acc, device=hidden.device) if need_h else None
        grad_w = torch.zeros((vocab, hidden.shape[1]), dtype=acc, device=hidden.device) if need_w else None
        row_scale = torch.full((min(chunk_size, n),), scale, dtype=acc, device=hidden.device)
        for s, e in _chunks(n, chunk_size):
            h = hidden[s:e].to(acc)
            q, valid, safe_t, loss = _chunk_softmax_(
                h, w, target[s:e], ignore_index, eps, vocab, buf[: e - s]
            )
            total += loss.sum(dtype=torch.float64)
            if need_h or need_w:
                g = _chunk_gradient_(q, valid, safe_t, eps, vocab, row_scale[: e - s])
                if need_h:
                    torch.matmul(g, w, out=grad_h[s:e])
                if need_w:
                    grad_w.addmm_(g.T, h)
        del buf
        if reduction == "mean":
            total = total / count if count > 0 else torch.full_like(total, float("nan"))
        _check_finite_loss(total.to(hidden.dtype), count, reduction)
        ctx.reduction = reduction
        # Kept as attributes, not saved tensors, so that backward can hand them
        # over: autograd then stores them as .grad without a copy (saving them
        # would hold a second (C, d) tensor alive next to weight.grad).
        ctx.grads = [
            grad_h.to(hidden.dtype) if need_h else None,
            grad_w.to(weight.dtype) if need_w else None,
        ]
        return total.to(hidden.dtype)

    @staticmethod
    @torch.autograd.function.once_differentiable
    def backward(ctx: Any, grad_output: torch.Tensor) -> tuple[torch.Tensor | None, ...]:
        if ctx.reduction != "none":
            if ctx.grads is None:
                raise RuntimeError(
                    "chunked_linear_cross_entropy: backward ran twice through the same graph; the gradients "
                    "computed in the forward pass were handed over the first time. Recompute the loss instead "
                    "of using retain_graph=True."
                )
            grad_h, grad_w = ctx.grads
            ctx.grads = None
            if not (grad_output.numel() == 1 and float(grad_output) == 1.0):
                for g in (grad_h, grad_w):
                    if g is not None:
                        g.mul_(grad_output.to(g.dtype))
            return grad_h, grad_w, None, None, None, None, None, None, None

        # 'none': the weight gradient sum_i g_i (q_i - p_i) h_i^T depends on every
        # token's own grad_output, unknown in the forward pass, so recompute the
        # chunk logits here (one extra matmul per chunk).
        hidden, weight, target = ctx.saved_tensors
        chunk_size, ignore_index, eps, need_h, need_w = ctx.args
        n = hidden.shape[0]
        vocab = weight.shape[0]
        acc = acc_dtype(hidden.dtype)
        w = weight.to(acc)
        go = grad_output.to(acc)
        grad_h = torch.empty(hidden.shape, dtype=acc, device=hidden.device) if need_h else None
        grad_w = torch.zeros(w.shape, dtype=acc, device=hidden.device) if need_w else None
        buf = torch.empty((min(chunk_size, n), vocab), dtype=acc, device=hidden.device)
        for s, e in _chunks(n, chunk_size):
            h = hidden[s:e].to(acc)
            q, valid, safe_t, _ = _chunk_softmax_(h, w, target[s:e], ignore_index, eps, vocab, buf[: e - s])
            g = _chunk_gradient_(q, valid, safe_t, eps, vocab, go[s:e])
            if need_h:
                torch.matmul(g, w, out=grad_h[s:e])
            if need_w:
                grad_w.addmm_(g.T, h)
        del buf
        return (
            None if grad_h is None else grad_h.to(hidden.dtype),
            None if grad_w is None else grad_w.to(weight.dtype),
            None,
            None,
            None,
            None,
            None,
            None,
            None,
        )


def chunked_linear_cross_entropy(
    hidden: torch.Tensor,
    weight: torch.Tensor,
    target: torch.Tensor,
    chunk_size: int | None = None,
    ignore_index: int = -100,
    reduction: str = "mean",
    label_smoothing: float = 0.0,
) -> torch.Tensor:
    r"""Cross-entropy of ``hidden @ weight.T`` without ever holding the ``N x C`` logits.

    Equal to ``F.cross_entropy(hidden @ weight.T, target, ignore_index=...,
    reduction=..., label_smoothing=...)``. For token :math:`i` with logits
    :math:`z_i = W h_i`, model distribution :math:`q_i = \operatorname{softmax}(z_i)`
    and label smoothing :math:`\varepsilon`,

    .. math::

        \ell_i = \log \sum_{k=0}^{C-1} e^{z_{ik}} - (1-\varepsilon)\, z_{i y_i}
                 - \frac{\varepsilon}{C}\sum_{k} z_{ik},
        \qquad
        \frac{\partial \ell_i}{\partial z_i} = q_i - p_i,
        \quad p_i = (1-\varepsilon)\, e_{y_i} + \varepsilon / C,

    which is PyTorch's :math:`(1-\varepsilon)\,\mathrm{NLL} + \frac{\varepsilon}{C}
    \sum_k -\log q_k`, in nats. Ignored tokens contribute zero; ``'mean'`` divides the sum
    by the global number :math:`M` of non-ignored tokens (not a mean of chunk
    means), so an all-ignored batch gives NaN under ``'mean'`` and 0 under
    ``'sum'``, as in PyTorch.

    The tokens are processed ``chunk_size`` at a time. For ``'mean'`` and
    ``'sum'`` the forward pass also forms :math:`G = (Q - P)/M` for the chunk and
    accumulates ``grad_hidden[chunk] = G @ W`` and ``grad_weight += G.T @
    hidden[chunk]``; only those two gradients (``N x d`` and ``C x d``) are kept,
    and the backward pass multiplies them by the scalar ``grad_output`` (so a
    second backward through the same graph is an error: recompute the loss
    instead of ``retain_graph=True``). No logits are recomputed. For ``'none'``
    each token's gradient is scaled by its own ``grad_output``, unknown during
    the forward pass, so the backward pass recomputes each chunk's logits (one
    extra matmul per chunk) from the saved inputs. Peak extra memory is about
    one ``chunk_size x C`` block in the accumulation dtype plus the gradients.

    With float16 or bfloat16 inputs the logits, log-sum-exp, softmax and the
    gradient sums are computed in float32 (using a float32 copy of ``weight``),
    and the loss and the gradients are returned in the input dtype.

    Parameters
    ----------
    hidden : torch.Tensor, shape (N, d)
        Final hidden states, floating (float16, bfloat16, float32, float64).
    weight : torch.Tensor, shape (C, d)
        Output (unembedding) matrix, same dtype and device as ``hidden``.
    target : torch.Tensor, shape (N,)
        Integer class indices in ``[0, C)`` or equal to ``ignore_index``.
    chunk_size : int or None, default None
        Tokens per chunk (``>= 1``; values ``>= N`` mean one chunk). ``None`` picks
        :func:`default_chunk_size` (at most about 16M logits per chunk).
    ignore_index : int, default -100
        Target value that contributes neither loss nor gradient.
    reduction : {'mean', 'sum', 'none'}, default 'mean'
    label_smoothing : float in [0, 1], default 0.0
        The smoothing :math:`\varepsilon` of the target, PyTorch's convention.

    Returns
    -------
    torch.Tensor
        Scalar loss in nats (shape ``(N,)`` for ``'none'``, zero at ignored
        tokens), in the dtype of ``hidden``. Differentiable with respect to
        ``hidden`` and ``weight`` (once; no double backward).

    Raises
    ------
    TypeError
        Non-tensor or non-floating ``hidden``/``weight``, ``weight`` of another
        dtype, a ``target`` that is not an integer tensor, a non-int
        ``chunk_size`` or ``ignore_index``, a non-real ``label_smoothing``.
    ValueError
        Shapes that do not match, a target outside ``[0, C)`` that is not
        ``ignore_index``, ``chunk_size < 1``, an ``ignore_index`` outside int64,
        an unknown ``reduction``, ``label_smoothing`` outside [0, 1], NaN or inf
        in ``hidden`` or ``weight``, devices that differ, and logits
        ``hidden @ weight.T`` that overflow (named as ``hidden``).

    See Also
    --------
    naive_linear_cross_entropy : The same loss with the full logit matrix.
    xent_book.losses.cross_entropy_grad : The gradient q - p at the logits (NumPy).
    vocab_parallel_cross_entropy : The vocabulary split across processes.

    Notes
    -----
    Chapter 13, "Cross-entropy at scale".

    Examples
    --------
    >>> import torch, torch.nn.functional as F
    >>> g = torch.Generator().manual_seed(0)
    >>> h = torch.randn(10, 4, generator=g, dtype=torch.float64)
    >>> w = torch.randn(7, 4, generator=g, dtype=torch.float64)
    >>> y = torch.randint(0, 7, (10,), generator=g)
    >>> a = chunked_linear_cross_entropy(h, w, y, chunk_size=3)
    >>> bool(torch.allclose(a, F.cross_entropy(h @ w.T, y), rtol=0, atol=1e-12))
    True
    """
    target, ignore_index, reduction, eps = _check_linear_inputs(
        hidden, weight, target, ignore_index, reduction, label_smoothing
    )
    n = hidden.shape[0]
    if chunk_size is None:
        chunk_size = default_chunk_size(n, weight.shape[0])
    chunk_size = min(check_int(chunk_size, "chunk_size", 1), max(n, 1))

    need_h = torch.is_grad_enabled() and hidden.requires_grad
    need_w = torch.is_grad_enabled() and weight.requires_grad
    if n == 0:
        # As PyTorch: an empty batch has no non-ignored token.
        if reduction == "none":
            return (hidden @ weight.T).sum(dim=1)
        value = float("nan") if reduction == "mean" else 0.0
        return (hidden.sum() * 0 + weight.sum() * 0 + value).to(hidden.dtype)
    return _ChunkedLinearCrossEntropy.apply(
        hidden, weight, target, chunk_size, ignore_index, reduction, eps, need_h, need_w
    )


def naive_linear_cross_entropy(
    hidden: torch.Tensor,
    weight: torch.Tensor,
    target: torch.Tensor,
    ignore_index: int = -100,
    reduction: str = "mean",
    label_smoothing: float = 0.0,
) -> torch.Tensor:
    """The baseline: ``F.cross_entropy(hidden @ weight.T, target, ...)``, holding the full ``N x C`` logits.

    The arguments and their checks are those of :func:`chunked_linear_cross_entropy`
    (without ``chunk_size``); the loss is in nats, in the dtype of ``hidden``.

    Parameters
    ----------
    hidden : torch.Tensor, shape (N, d)
        Final hidden states, floating.
    weight : torch.Tensor, shape (C, d)
        Output (unembedding) matrix, same dtype and device as ``hidden``.
    target : torch.Tensor, shape (N,)
        Integer class indices in ``[0, C)`` or equal to ``ignore_index``.
    ignore_index : int, default -100
        Target value that contributes neither loss nor gradient.
    reduction : {'mean', 'sum', 'none'}, default 'mean'
        As in ``F.cross_entropy``.
    label_smoothing : float in [0, 1], default 0.0
        As in ``F.cross_entropy``.

    Returns
    -------
    torch.Tensor
        The loss in nats (shape ``(N,)`` for ``'none'``), in the dtype of ``hidden``.

    Raises
    ------
    TypeError, ValueError
        As :func:`chunked_linear_cross_entropy`.

    See Also
    --------
    chunked_linear_cross_entropy : The same value and gradients in ``chunk_size x C`` blocks.
    """
    target, ignore_index, reduction, eps = _check_linear_inputs(
        hidden, weight, target, ignore_index, reduction, label_smoothing
    )
    loss = torch.nn.functional.cross_entropy(
        hidden @ weight.T, target, ignore_index=ignore_index, reduction=reduction, label_smoothing=eps
    )
    _check_finite_loss(loss.detach(), int((target != ignore_index).sum()), reduction)
    return loss
