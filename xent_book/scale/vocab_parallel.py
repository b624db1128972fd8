"""Cross-entropy when the vocabulary is split across the ranks of a ``torch.distributed`` group (Megatron-LM's scheme).

Notes
-----
Chapter 13, "Cross-entropy at scale", section 13.4.
"""

from __future__ import annotations

from typing import Any

import torch
import torch.distributed as dist

from .._kernels import _softmax_minus_target_
from .._validation import (
    check_float_tensor,
    check_ignore_index,
    check_index_tensor,
    check_int64,
    check_probability_scalar,
    check_reduction,
)
from .chunked import acc_dtype, check_finite_result

__all__ = [
    "vocab_parallel_cross_entropy",
    "vocab_parallel_local_max",
    "vocab_parallel_local_sums",
    "vocab_parallel_combine",
]


def _local_sums(
    local_logits: torch.Tensor,
    target: torch.Tensor,
    vocab_start: int,
    global_max: torch.Tensor,
    ignore_index: int,
) -> tuple[torch.Tensor, torch.Tensor]:
    shifted = local_logits - global_max.unsqueeze(1)
    v_local = shifted.shape[1]
    local_t = target - vocab_start
    owned = (local_t >= 0) & (local_t < v_local) & (target != ignore_index)
    safe = torch.where(owned, local_t, torch.zeros_like(local_t))
    picked = shifted.gather(1, safe.unsqueeze(1)).squeeze(1)
    picked = torch.where(owned, picked, torch.zeros_like(picked))
    sums = torch.stack([picked, shifted.exp().sum(dim=1), shifted.sum(dim=1), owned.to(shifted.dtype)], dim=1)
    return sums, shifted


def _combine(
    global_sums: torch.Tensor, vocab_size: float, target: torch.Tensor, ignore_index: int, eps: float
) -> torch.Tensor:
    loss = torch.log(global_sums[:, 1]) - (1.0 - eps) * global_sums[:, 0]
    if eps > 0.0:
        loss = loss - (eps / vocab_size) * global_sums[:, 2]
    return torch.where(target != ignore_index, loss, torch.zeros_like(loss))


def vocab_parallel_local_max(local_logits: torch.Tensor) -> torch.Tensor:
    """Step 1 on one rank: the row maxima of its logit slice, shape (N,); all-reduced with MAX.

    Parameters
    ----------
    local_logits : torch.Tensor, shape (N, C_r), floating, finite, C_r >= 1
        This rank's slice of the logits: ``C_r`` of the ``C`` classes for ``N`` tokens.

    Returns
    -------
    torch.Tensor, shape (N,)
        Detached: the maximum only shifts the log-sum-exp and cancels in the loss.

    Raises
    ------
    TypeError
        ``local_logits`` not a floating tensor.
    ValueError
        ``local_logits`` not 2-D, with no column, or with NaN or inf.
    """
    check_float_tensor(local_logits, "local_logits", 2, "(N, C_r)")
    if local_logits.shape[1] < 1:
        raise ValueError("local_logits: expected at least one class in the slice (C_r >= 1)")
    return local_logits.detach().amax(dim=1)


def vocab_parallel_local_sums(
    local_logits: torch.Tensor,
    target: torch.Tensor,
    vocab_start: int,
    global_max: torch.Tensor,
    ignore_index: int = -100,
) -> tuple[torch.Tensor, torch.Tensor]:
    r"""Step 2 on one rank: the per-token partial sums that are all-reduced with SUM.

    With :math:`s_{ik} = z_{ik} - m_i` (``m`` the global row maximum), returns
    a tensor of shape (N, 4) whose columns are

    * :math:`s_{i y_i}` if this rank owns class :math:`y_i`
      (``vocab_start <= y_i < vocab_start + C_r``), else 0;
    * :math:`\sum_{k \in \text{slice}} e^{s_{ik}}`;
    * :math:`\sum_{k \in \text{slice}} s_{ik}` (needed only for label smoothing);
    * 1 if this rank owns :math:`y_i`, else 0 (after the SUM every non-ignored
      token must count exactly 1: a check that the target is in the vocabulary).

    The second return value is the shifted slice :math:`s` itself (reused for the
    softmax in the backward pass).

    Parameters
    ----------
    local_logits : torch.Tensor, shape (N, C_r)
        This rank's slice of the logits, floating and finite.
    target : torch.Tensor, shape (N,)
        Global class indices (>= 0) or ``ignore_index``.
    vocab_start : int >= 0
        Global index of this rank's first class.
    global_max : torch.Tensor, shape (N,)
        The all-reduced row maxima, at least this slice's own.
    ignore_index : int, default -100
        Tokens with this target are owned by no rank (columns 0 and 3 are 0).

    Returns
    -------
    sums : torch.Tensor, shape (N, 4)
        The four columns above, in ``local_logits``' dtype.
    shifted : torch.Tensor, shape (N, C_r)
        The shifted slice :math:`s = z - m`.

    Raises
    ------
    TypeError
        Non-tensor or non-floating ``local_logits``/``global_max``, non-integer
        ``target``, non-int ``vocab_start`` or ``ignore_index``.
    ValueError
        Wrong shapes, NaN or inf, a negative ``vocab_start`` or target, a
        ``global_max`` below this slice's own row maximum.
    """
    check_float_tensor(local_logits, "local_logits", 2, "(N, C_r)")
    n = local_logits.shape[0]
    check_float_tensor(global_max, "global_max", 1, "(N,)")
    if global_max.shape[0] != n:
        raise ValueError(
            f"global_max: expected shape ({n},), one maximum per token, got {tuple(global_max.shape)}"
        )
    vocab_start = check_int64(vocab_start, "vocab_start", 0)
    ignore_index = check_ignore_index(ignore_index)
    target = check_index_tensor(target, "target", n, None, ignore_index)
    if local_logits.shape[1] and bool((global_max < local_logits.detach().amax(dim=1)).any()):
        raise ValueError(
            "global_max: expected the all-reduced maximum, >= this slice's row maximum in every row"
        )
    sums, shifted = _local_sums(
        local_logits, target, vocab_start, global_max.to(local_logits.dtype), ignore_index
    )
    check_finite_result(sums, "global_max", "local_logits - global_max")
    return sums, shifted


def vocab_parallel_combine(
    global_sums: torch.Tensor,
    vocab_size: int,
    target: torch.Tensor,
    ignore_index: int = -100,
    label_smoothing: float = 0.0,
) -> torch.Tensor:
    r"""Step 3, identical on every rank: per-token losses from the all-reduced sums.

    :math:`\ell_i = \log \sum_k e^{s_{ik}} - (1-\varepsilon) s_{i y_i}
    - \frac{\varepsilon}{C}\sum_k s_{ik}` (the maximum cancels), in nats, zero
    at ignored tokens.

    Parameters
    ----------
    global_sums : torch.Tensor, shape (N, 4)
        The SUM all-reduce of :func:`vocab_parallel_local_sums` over the ranks.
    vocab_size : int in [1, 2**63)
        The global number of classes ``C``.
    target : torch.Tensor, shape (N,)
        Global class indices in ``[0, C)`` or ``ignore_index``.
    ignore_index : int, default -100
        Tokens with this target get loss 0.
    label_smoothing : float in [0, 1], default 0.0
        The smoothing :math:`\varepsilon`, PyTorch's convention with ``C = vocab_size``.

    Returns
    -------
    torch.Tensor, shape (N,)
        The per-token losses in nats, in ``global_sums``' dtype.

    Raises
    ------
    TypeError
        Non-tensor or non-floating ``global_sums``, non-integer ``target``,
        non-int ``vocab_size`` or ``ignore_index``, non-real ``label_smoothing``.
    ValueError
        Wrong shapes, NaN or inf, a sum of exponentials (column 1) that is not
        positive, ``vocab_size < 1``, ``label_smoothing`` outside [0, 1].
    """
    check_float_tensor(global_sums, "global_sums", 2, "(N, 4)")
    if global_sums.shape[1] != 4:
        raise ValueError(f"global_sums: expected shape (N, 4), got {tuple(global_sums.shape)}")
    vocab_size = check_int64(vocab_size, "vocab_size", 1)
    ignore_index = check_ignore_index(ignore_index)
    target = check_index_tensor(
        target, "target", global_sums.shape[0], vocab_size, ignore_index, "vocab_size"
    )
    eps = check_probability_scalar(label_smoothing, "label_smoothing")
    if bool((global_sums[:, 1] <= 0).any()):
        raise ValueError("global_sums: column 1 (the sum of exponentials) must be > 0 in every row")
    return check_finite_result(
        _combine(global_sums, vocab_size, target, ignore_index, eps), "global_sums", "the loss"
    )


class _VocabParallelCrossEntropy(torch.autograd.Function):
    @staticmethod
    def forward(
        ctx: Any,
        local_logits: torch.Tensor,
        target: torch.Tensor,
        vocab_start: int,
        group: dist.ProcessGroup | None,
        ignore_index: int,
        eps: float,
    ) -> torch.Tensor:
        acc = acc_dtype(local_logits.dtype)
        x = local_logits.to(acc)
        distributed = dist.is_available() and dist.is_initialized()
        # 1. global row maximum (for stability only: it cancels in the loss)
        m = x.detach().amax(dim=1)
        if distributed:
            dist.all_reduce(m, op=dist.ReduceOp.MAX, group=group)
        # 2. target logit (from its owner only), sum of exp and sum of logits: one SUM all-reduce
        sums, shifted = _local_sums(x, target, vocab_start, m, ignore_index)
        vocab = torch.tensor([float(x.shape[1])], dtype=torch.float64, device=x.device)
        if distributed:
            dist.all_reduce(sums, op=dist.ReduceOp.SUM, group=group)
            if eps > 0.0:
                dist.all_reduce(vocab, op=dist.ReduceOp.SUM, group=group)
        # identical on every rank after the all-reduce, so all ranks raise together
        unowned = (target != ignore_index) & (sums[:, 3] != 1)
        if unowned.any():
            value = int(target[unowned][0])
            raise ValueError(f"target: class index {value} is not in any rank's vocabulary slice")
        vocab_size = float(vocab.item())
        loss = _combine(sums, vocab_size, target, ignore_index, eps)
        # softmax of the local slice, kept for the backward pass (no communication there)
        softmax = shifted.exp_().div_(sums[:, 1].unsqueeze(1))
        ctx.save_for_backward(softmax, target)
        ctx.vocab_start, ctx.ignore_index, ctx.eps, ctx.vocab_size = (
            vocab_start,
            ignore_index,
            eps,
            vocab_size,
        )
        ctx.in_dtype = local_logits.dtype
        return check_finite_result(loss.to(local_logits.dtype), "local_logits", "the loss")

    @staticmethod
    @torch.autograd.function.once_differentiable
    def backward(ctx: Any, grad_loss: torch.Tensor) -> tuple[torch.Tensor | None, ...]:
        softmax, target = ctx.saved_tensors
        local_t = target - ctx.vocab_start
        valid = target != ctx.ignore_index
        owned = (local_t >= 0) & (local_t < softmax.shape[1]) & valid
        safe = torch.where(owned, local_t, torch.zeros_like(local_t))
        g = torch.where(valid, grad_loss.to(softmax.dtype), torch.zeros_like(grad_loss, dtype=softmax.dtype))
        rows = torch.arange(softmax.shape[0], device=softmax.device)
        grad = _softmax_minus_target_(softmax.clone(), rows, safe, g, ctx.eps, ctx.vocab_size, owned)
        return grad.to(ctx.in_dtype), None, None, None, None, None


def vocab_parallel_cross_entropy(
    local_logits: torch.Tensor,
    target: torch.Tensor,
    vocab_start: int,
    group: dist.ProcessGroup | None = None,
    ignore_index: int = -100,
    reduction: str = "mean",
    label_smoothing: float = 0.0,
) -> torch.Tensor:
    r"""Cross-entropy when each ``torch.distributed`` rank holds one vocabulary slice of the logits.

    Rank :math:`r` holds columns ``vocab_start : vocab_start + C_r`` of the
    ``N x C`` logits (every rank has the same ``target``). From the log-sum-exp
    identity with a shared shift :math:`m_i = \max_k z_{ik}`,

    .. math::

        \ell_i = \log \sum_{r} \sum_{k \in r} e^{z_{ik} - m_i} - (z_{i y_i} - m_i),

    so the ranks need (1) an all-reduce MAX of their local maxima and (2) one
    all-reduce SUM of four (N,)-vectors: the shifted target logit (contributed
    only by the rank that owns :math:`y_i`), the local sum of exponentials, the
    local sum of logits (for label smoothing) and an ownership count (which
    checks that every target lies in some rank's slice). The loss's own
    backward pass, ``(q - p) * grad_output`` on the local slice, needs no
    communication. In a vocabulary-parallel output layer ``z = h @ W_r.T`` the
    gradient of the hidden states, :math:`\sum_r (Q_r - P_r) W_r`, is a sum
    over the slices and still needs an all-reduce (which Megatron-LM's column-
    parallel linear layer performs); the gradient of ``W_r`` stays local. This
    is the scheme of Megatron-LM's ``vocab_parallel_cross_entropy``. Outside an
    initialised process group the function runs as a single rank
    (``vocab_start`` must then be 0 and the slice is the whole vocabulary).

    The same code runs unchanged in a multi-node ``torch.distributed`` job
    (``torchrun --nnodes ...`` with gloo or NCCL): only the process group
    differs; :func:`run_vocab_parallel` starts local processes for testing.

    Parameters
    ----------
    local_logits : torch.Tensor, shape (N, C_r)
        This rank's slice of the logits (float32 accumulation for half precision).
    target : torch.Tensor, shape (N,)
        Global class indices in ``[0, C)`` or ``ignore_index``, identical on all ranks.
    vocab_start : int
        Global index of this rank's first class.
    group : torch.distributed.ProcessGroup, optional
        The tensor-parallel group (default: the world).
    ignore_index : int, default -100
        Tokens with this target add no loss and no gradient.
    reduction : {'mean', 'sum', 'none'}, default 'mean'
        ``'mean'`` divides by the number of non-ignored targets (NaN if none).
    label_smoothing : float in [0, 1], default 0.0
        PyTorch's convention, with :math:`C` the global vocabulary size.

    Returns
    -------
    torch.Tensor
        The loss in nats, identical on every rank; the gradient flows to
        ``local_logits`` only.

    Raises
    ------
    TypeError
        Non-tensor or non-floating ``local_logits``, non-integer ``target``,
        non-int ``vocab_start`` or ``ignore_index``, non-real ``label_smoothing``.
    ValueError
        Wrong shapes, NaN or inf in ``local_logits``, an unknown ``reduction``,
        ``label_smoothing`` outside [0, 1], a negative ``vocab_start`` (or a
        non-zero one outside a process group), a target that is not
        ``ignore_index`` and lies in no rank's slice (raised on every rank).

    See Also
    --------
    run_vocab_parallel : Launch it on 2-4 local processes (gloo).

    Notes
    -----
    Chapter 13, "Cross-entropy at scale".
    """
    check_float_tensor(local_logits, "local_logits", 2, "(N, C_r)")
    if local_logits.shape[1] < 1:
        raise ValueError("local_logits: expected at least one class in the slice (C_r >= 1)")
    vocab_start = check_int64(vocab_start, "vocab_start", 0)
    ignore_index = check_ignore_index(ignore_index)
    reduction = check_reduction(reduction)
    eps = check_probability_scalar(label_smoothing, "label_smoothing")
    distributed = dist.is_available() and dist.is_initialized()
    n = local_logits.shape[0]
    if not distributed:
        if vocab_start != 0:
            raise ValueError("vocab_start: expected 0 outside an initialised torch.distributed process group")
        target = check_index_tensor(
            target, "target", n, local_logits.shape[1], ignore_index, "local_logits.shape[1]"
        )
    else:
        target = check_index_tensor(target, "target", n, None, ignore_index)
    losses = _VocabParallelCrossEntropy.apply(local_logits, target, vocab_start, group, ignore_index, eps)
    if reduction == "none":
        return losses
    total = losses.sum(dtype=torch.float64 if losses.dtype == torch.float64 else torch.float32)
    if reduction == "sum":
        return check_finite_result(total.to(losses.dtype), "local_logits", "the summed loss")
    count = int((target != ignore_index).sum())
    return (total / count).to(losses.dtype) if count > 0 else (total * float("nan")).to(losses.dtype)
