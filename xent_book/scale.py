"""Cross-entropy over large vocabularies, in PyTorch.

A language model's last layer maps ``N`` hidden states of width ``H`` to ``V``
logits through a weight matrix ``W`` of shape ``(V, H)``. Written naively,
``F.cross_entropy(hidden @ weight.T, target)`` materialises the ``N x V``
logit matrix, its log-softmax and, in the backward pass, a gradient of the same
size: with ``N = 8192`` tokens and ``V = 256000`` that is 8.4 GB per copy in
float32. This module holds two ways around it, both exact:

* :func:`chunked_linear_cross_entropy` processes the tokens in chunks and
  computes the gradients with respect to ``hidden`` and ``weight`` during the
  forward pass, so that only one ``chunk_size x V`` block of logits exists at a
  time (the idea of Liger Kernel's fused linear cross-entropy);
* :func:`vocab_parallel_cross_entropy` computes the loss when every process of a
  ``torch.distributed`` group holds one slice of the vocabulary (the scheme of
  Megatron-LM's tensor-parallel cross-entropy), with two all-reduces of size
  ``N`` and no communication in the backward pass. :func:`run_vocab_parallel`
  launches it on local processes for testing.

Both equal ``torch.nn.functional.cross_entropy`` on the full logits, including
``ignore_index``, ``label_smoothing`` and the reductions.

See Also
--------
Chapter 13, "Cross-entropy at scale" (``notebooks/13_cross_entropy_at_scale.ipynb``).
"""

from __future__ import annotations

import numbers
import os
import socket
import time
import weakref
from datetime import timedelta

import torch
import torch.distributed as dist

__all__ = [
    "chunked_linear_cross_entropy",
    "naive_linear_cross_entropy",
    "default_chunk_size",
    "logits_bytes",
    "vocab_parallel_cross_entropy",
    "vocab_parallel_local_max",
    "vocab_parallel_local_sums",
    "vocab_parallel_combine",
    "run_vocab_parallel",
    "TensorMemoryTracker",
]

_REDUCTIONS = ("none", "mean", "sum")
_HALF = (torch.float16, torch.bfloat16)
_FLOATS = (torch.float16, torch.bfloat16, torch.float32, torch.float64)


# --------------------------------------------------------------------------- #
# validation helpers (torch tensors; messages name the argument)
# --------------------------------------------------------------------------- #
def _check_reduction(reduction) -> str:
    if reduction not in _REDUCTIONS:
        raise ValueError(f"reduction: expected one of {_REDUCTIONS}, got {reduction!r}")
    return reduction


def _check_smoothing(label_smoothing) -> float:
    if isinstance(label_smoothing, bool) or not isinstance(label_smoothing, numbers.Real):
        raise TypeError(f"label_smoothing: expected a float in [0, 1], got {type(label_smoothing).__name__}")
    eps = float(label_smoothing)
    if not 0.0 <= eps <= 1.0:
        raise ValueError(f"label_smoothing: expected a value in [0, 1], got {eps}")
    return eps


def _check_int(value, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name}: expected an int, got {type(value).__name__}")
    return int(value)


def _check_float_tensor(x, name: str) -> None:
    if not isinstance(x, torch.Tensor):
        raise TypeError(f"{name}: expected a torch.Tensor, got {type(x).__name__}")
    if x.dtype not in _FLOATS:
        raise TypeError(f"{name}: expected a floating tensor (float16, bfloat16, float32, float64), got {x.dtype}")
    # One fast reduction; a non-finite sum (NaN/inf present, or a rare overflow
    # of finite values) triggers the exact element-wise check.
    if x.numel() and not torch.isfinite(x.sum()) and not torch.isfinite(x).all():
        raise ValueError(f"{name}: contains NaN or inf")


def _check_target(target, n: int, num_classes: int, ignore_index: int, low: int = 0) -> None:
    if not isinstance(target, torch.Tensor):
        raise TypeError(f"target: expected a torch.Tensor of class indices, got {type(target).__name__}")
    if target.dtype.is_floating_point or target.dtype in (torch.bool, torch.complex64, torch.complex128):
        raise TypeError(f"target: expected integer class indices, got dtype {target.dtype}")
    if target.dim() != 1 or target.shape[0] != n:
        raise ValueError(f"target: expected shape ({n},) to match the {n} tokens, got {tuple(target.shape)}")
    bad = (target != ignore_index) & ((target < low) | (target >= low + num_classes))
    if bad.any():
        value = int(target[bad][0])
        raise ValueError(
            f"target: class index {value} is out of range [0, {low + num_classes}) "
            f"and is not ignore_index={ignore_index}"
        )


def logits_bytes(n_tokens: int, vocab_size: int, dtype=torch.float32) -> int:
    """Bytes of one ``n_tokens x vocab_size`` logit matrix: ``N * V * itemsize``.

    The naive loss holds several such matrices at once (the logits, their
    log-softmax saved for the backward pass, and the gradient); see chapter 13.
    """
    itemsize = torch.empty((), dtype=dtype).element_size()
    return int(n_tokens) * int(vocab_size) * itemsize


def default_chunk_size(n_tokens: int, vocab_size: int, budget_elements: int = 2**24) -> int:
    """Chunk length used when ``chunk_size=None``.

    The largest power of two ``c`` with ``c * vocab_size <= budget_elements``
    (a block of 64 MiB of float32 logits by default), at least 16 and at most
    ``n_tokens``. Smaller chunks save memory; much smaller ones are slower, since
    each chunk reads the whole ``V x H`` weight twice and updates the whole
    weight gradient once.
    """
    c = 16
    while 2 * c * vocab_size <= budget_elements:
        c *= 2
    return max(1, min(c, int(n_tokens)))


# --------------------------------------------------------------------------- #
# chunked linear + cross-entropy
# --------------------------------------------------------------------------- #
def _chunk_softmax_(h, w, t, ignore_index, eps, vocab_size, buf):
    r"""One chunk's softmax, written in place into ``buf``, and its per-token losses.

    The logits ``h @ w.T`` go into the reusable block ``buf`` (c x V, the
    accumulation dtype), which is then shifted by the row maximum, exponentiated
    and normalised in place, so a chunk costs one block of memory. With the
    shifted logits :math:`s = z - \max z` and :math:`S = \sum_c e^{s_c}`, the
    loss is :math:`\log S - (1-\varepsilon) s_y - \frac{\varepsilon}{V}\sum_c s_c`
    (the maximum cancels). Returns ``(softmax, valid, safe_t, loss)``.
    """
    z = torch.matmul(h, w.T, out=buf)
    z.sub_(z.amax(dim=1, keepdim=True))
    valid = t != ignore_index
    safe_t = torch.where(valid, t, torch.zeros_like(t)).unsqueeze(1)
    loss = -(1.0 - eps) * z.gather(1, safe_t).squeeze(1)
    if eps > 0.0:
        loss = loss - (eps / vocab_size) * z.sum(dim=1)
    z.exp_()
    total = z.sum(dim=1, keepdim=True)
    loss = loss + torch.log(total.squeeze(1))
    z.div_(total)
    loss = torch.where(valid, loss, torch.zeros_like(loss))
    return z, valid, safe_t, loss


def _softmax_minus_target_(p, valid, safe_t, eps, vocab_size, row_scale):
    """Turn the softmax ``p`` in place into ``row_scale * (p - q)``, q the smoothed one-hot target (zero rows where ignored)."""
    r = torch.where(valid, row_scale, torch.zeros_like(row_scale))
    p.mul_(r.unsqueeze(1))
    p.scatter_add_(1, safe_t, (-(1.0 - eps) * r).unsqueeze(1))
    if eps > 0.0:
        p.sub_(((eps / vocab_size) * r).unsqueeze(1))
    return p


def _chunks(n, chunk_size):
    for s in range(0, n, chunk_size):
        yield s, min(s + chunk_size, n)


def _acc_dtype(dtype):
    return torch.float32 if dtype in _HALF else dtype


class _ChunkedLinearCrossEntropy(torch.autograd.Function):
    """Loss of ``hidden @ weight.T``; gradients computed in the forward pass (or recomputed for 'none')."""

    @staticmethod
    def forward(ctx, hidden, weight, target, chunk_size, ignore_index, reduction, eps, need_h, need_w):
        n, _ = hidden.shape
        vocab = weight.shape[0]
        acc = _acc_dtype(hidden.dtype)
        w = weight.to(acc)  # a float32 copy for half-precision inputs, else no copy
        valid_all = target != ignore_index
        count = int(valid_all.sum())
        losses = torch.zeros(n, dtype=acc, device=hidden.device) if reduction == "none" else None
        total = torch.zeros((), dtype=torch.float64, device=hidden.device)
        buf = torch.empty((min(chunk_size, n), vocab), dtype=acc, device=hidden.device)
        if reduction == "none":
            for s, e in _chunks(n, chunk_size):
                _, _, _, losses[s:e] = _chunk_softmax_(
                    hidden[s:e].to(acc), w, target[s:e], ignore_index, eps, vocab, buf[: e - s]
                )
            ctx.save_for_backward(hidden, weight, target)
            ctx.args = (chunk_size, ignore_index, eps, need_h, need_w)
            ctx.reduction = reduction
            return losses.to(hidden.dtype)

        # 'mean' or 'sum': every token's gradient is (softmax - q) / count times one
        # scalar grad_output, so the gradients can be finished now and scaled later.
        scale = 1.0 / count if (reduction == "mean" and count > 0) else 1.0
        grad_h = torch.empty(hidden.shape, dtype=acc, device=hidden.device) if need_h else None
        grad_w = torch.zeros((vocab, hidden.shape[1]), dtype=acc, device=hidden.device) if need_w else None
        row_scale = torch.full((min(chunk_size, n),), scale, dtype=acc, device=hidden.device)
        for s, e in _chunks(n, chunk_size):
            h = hidden[s:e].to(acc)
            p, valid, safe_t, loss = _chunk_softmax_(h, w, target[s:e], ignore_index, eps, vocab, buf[: e - s])
            total += loss.sum(dtype=torch.float64)
            if need_h or need_w:
                g = _softmax_minus_target_(p, valid, safe_t, eps, vocab, row_scale[: e - s])
                if need_h:
                    torch.matmul(g, w, out=grad_h[s:e])
                if need_w:
                    grad_w.addmm_(g.T, h)
        del buf
        if reduction == "mean":
            total = total / count if count > 0 else torch.full_like(total, float("nan"))
        ctx.reduction = reduction
        # Kept as attributes, not saved tensors, so that backward can hand them
        # over: autograd then stores them as .grad without a copy (saving them
        # would hold a second (V, H) tensor alive next to weight.grad).
        ctx.grads = [
            grad_h.to(hidden.dtype) if need_h else None,
            grad_w.to(weight.dtype) if need_w else None,
        ]
        return total.to(hidden.dtype)

    @staticmethod
    @torch.autograd.function.once_differentiable
    def backward(ctx, grad_output):
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

        # 'none': the weight gradient sum_n g_n (p_n - q_n) h_n^T depends on every
        # token's own grad_output, unknown in the forward pass, so recompute the
        # chunk logits here (one extra matmul per chunk).
        hidden, weight, target = ctx.saved_tensors
        chunk_size, ignore_index, eps, need_h, need_w = ctx.args
        n = hidden.shape[0]
        vocab = weight.shape[0]
        acc = _acc_dtype(hidden.dtype)
        w = weight.to(acc)
        go = grad_output.to(acc)
        grad_h = torch.empty(hidden.shape, dtype=acc, device=hidden.device) if need_h else None
        grad_w = torch.zeros(w.shape, dtype=acc, device=hidden.device) if need_w else None
        buf = torch.empty((min(chunk_size, n), vocab), dtype=acc, device=hidden.device)
        for s, e in _chunks(n, chunk_size):
            h = hidden[s:e].to(acc)
            p, valid, safe_t, _ = _chunk_softmax_(h, w, target[s:e], ignore_index, eps, vocab, buf[: e - s])
            g = _softmax_minus_target_(p, valid, safe_t, eps, vocab, go[s:e])
            if need_h:
                torch.matmul(g, w, out=grad_h[s:e])
            if need_w:
                grad_w.addmm_(g.T, h)
        del buf
        return (
            None if grad_h is None else grad_h.to(hidden.dtype),
            None if grad_w is None else grad_w.to(weight.dtype),
            None, None, None, None, None, None, None,
        )


def chunked_linear_cross_entropy(
    hidden,
    weight,
    target,
    chunk_size=None,
    ignore_index: int = -100,
    reduction: str = "mean",
    label_smoothing: float = 0.0,
):
    r"""Cross-entropy of ``hidden @ weight.T`` without ever holding the ``N x V`` logits.

    Equal to ``F.cross_entropy(hidden @ weight.T, target, ignore_index=...,
    reduction=..., label_smoothing=...)``. For token :math:`n` with logits
    :math:`z_n = W h_n` and label smoothing :math:`\varepsilon`,

    .. math::

        \ell_n = \operatorname{lse}(z_n) - (1-\varepsilon)\, z_{n,y_n}
                 - \frac{\varepsilon}{V}\sum_{c=1}^{V} z_{n,c},
        \qquad
        \frac{\partial \ell_n}{\partial z_n} = \operatorname{softmax}(z_n) - q_n,
        \quad q_n = (1-\varepsilon)\, e_{y_n} + \varepsilon / V,

    which is PyTorch's :math:`(1-\varepsilon)\,\mathrm{NLL} + \frac{\varepsilon}{V}
    \sum_c -\log p_c`. Ignored tokens contribute zero; ``'mean'`` divides the sum
    by the global number :math:`M` of non-ignored tokens (not a mean of chunk
    means), so an all-ignored batch gives NaN under ``'mean'`` and 0 under
    ``'sum'``, as in PyTorch.

    The tokens are processed ``chunk_size`` at a time. For ``'mean'`` and
    ``'sum'`` the forward pass also forms :math:`G = (\operatorname{softmax}(Z) -
    Q)/M` for the chunk and accumulates ``grad_hidden[chunk] = G @ W`` and
    ``grad_weight += G.T @ hidden[chunk]``; only those two gradients (``N x H``
    and ``V x H``) are kept, and the backward pass multiplies them by the scalar
    ``grad_output`` (so a second backward through the same graph is an error:
    recompute the loss instead of ``retain_graph=True``). No logits are
    recomputed. For ``'none'`` each token's
    gradient is scaled by its own ``grad_output``, unknown during the forward
    pass, so the backward pass recomputes each chunk's logits (one extra matmul
    per chunk) from the saved inputs. Peak extra memory is about one
    ``chunk_size x V`` block in the accumulation dtype plus the gradients.

    With float16 or bfloat16 inputs the logits, log-sum-exp, softmax and the
    gradient sums are computed in float32 (using a float32 copy of ``weight``),
    and the loss and the gradients are returned in the input dtype.

    Parameters
    ----------
    hidden : torch.Tensor, shape (N, H)
        Final hidden states, floating (float16, bfloat16, float32, float64).
    weight : torch.Tensor, shape (V, H)
        Output (unembedding) matrix, same dtype and device as ``hidden``.
    target : torch.Tensor, shape (N,)
        Integer class indices in ``[0, V)`` or equal to ``ignore_index``.
    chunk_size : int or None, default None
        Tokens per chunk (``>= 1``; values ``>= N`` mean one chunk). ``None`` picks
        :func:`default_chunk_size` (at most about 16M logits per chunk).
    ignore_index : int, default -100
        Target value that contributes neither loss nor gradient.
    reduction : {'mean', 'sum', 'none'}, default 'mean'
    label_smoothing : float in [0, 1], default 0.0

    Returns
    -------
    torch.Tensor
        Scalar loss in nats (shape ``(N,)`` for ``'none'``, zero at ignored
        tokens), in the dtype of ``hidden``. Differentiable with respect to
        ``hidden`` and ``weight`` (once; no double backward).

    Raises
    ------
    TypeError
        Non-tensor or non-floating ``hidden``/``weight``, non-integer ``target``
        or ``chunk_size``.
    ValueError
        Shapes that do not match, a target outside ``[0, V)`` that is not
        ``ignore_index``, ``chunk_size < 1``, an unknown ``reduction``,
        ``label_smoothing`` outside [0, 1], NaN or inf in the inputs.

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

    See Also
    --------
    naive_linear_cross_entropy : the same loss with the full logit matrix.
    vocab_parallel_cross_entropy : the vocabulary split across processes.
    Chapter 13, "Cross-entropy at scale".
    """
    _check_float_tensor(hidden, "hidden")
    _check_float_tensor(weight, "weight")
    if hidden.dim() != 2:
        raise ValueError(f"hidden: expected a 2-D tensor (N, H), got shape {tuple(hidden.shape)}")
    if weight.dim() != 2:
        raise ValueError(f"weight: expected a 2-D tensor (V, H), got shape {tuple(weight.shape)}")
    if weight.shape[1] != hidden.shape[1]:
        raise ValueError(
            f"weight: expected shape (V, {hidden.shape[1]}) to match hidden's width H = {hidden.shape[1]}, "
            f"got {tuple(weight.shape)}"
        )
    if weight.shape[0] < 1:
        raise ValueError("weight: expected at least one class (V >= 1)")
    if weight.dtype != hidden.dtype:
        raise TypeError(f"weight: expected the dtype of hidden ({hidden.dtype}), got {weight.dtype}")
    if weight.device != hidden.device:
        raise ValueError(f"weight: expected the device of hidden ({hidden.device}), got {weight.device}")
    if isinstance(target, torch.Tensor) and target.device != hidden.device:
        raise ValueError(f"target: expected the device of hidden ({hidden.device}), got {target.device}")
    ignore_index = _check_int(ignore_index, "ignore_index")
    _check_target(target, hidden.shape[0], weight.shape[0], ignore_index)
    reduction = _check_reduction(reduction)
    eps = _check_smoothing(label_smoothing)
    n = hidden.shape[0]
    if chunk_size is None:
        chunk_size = default_chunk_size(n, weight.shape[0])
    chunk_size = _check_int(chunk_size, "chunk_size")
    if chunk_size < 1:
        raise ValueError(f"chunk_size: expected an int >= 1, got {chunk_size}")
    chunk_size = max(1, min(chunk_size, n))
    target = target.long()

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


def naive_linear_cross_entropy(hidden, weight, target, ignore_index=-100, reduction="mean", label_smoothing=0.0):
    """The baseline: ``F.cross_entropy(hidden @ weight.T, target, ...)``, holding the full ``N x V`` logits.

    See Also
    --------
    chunked_linear_cross_entropy : the same value and gradients in ``chunk_size x V`` blocks.
    """
    return torch.nn.functional.cross_entropy(
        hidden @ weight.T, target, ignore_index=ignore_index, reduction=reduction, label_smoothing=label_smoothing
    )


# --------------------------------------------------------------------------- #
# a deterministic memory measure
# --------------------------------------------------------------------------- #
class TensorMemoryTracker:
    """Count the bytes of tensor storage that PyTorch operations allocate, and their peak.

    A context manager built on ``TorchDispatchMode``: every operation run inside
    it (the backward pass included) is seen; each output whose storage is new
    (not a view of, or an in-place result on, one of the operation's inputs)
    adds its storage size to ``current``, and a finaliser subtracts it when the
    storage is freed. ``peak`` is the largest ``current`` seen and ``largest``
    the biggest single storage. Tensors that existed before the block are not
    counted. Unlike the resident-set size, the numbers are exact and identical
    on every run (they count what the program asks for, not what the allocator
    and the operating system do with it), so a notebook can print them.
    Storage still alive when the block ends (for example ``.grad``) stays in
    ``current``. With ``log_min_bytes`` set, every allocation of at least that
    size is appended to ``log`` as ``(operation name, bytes, current bytes after
    it)``, which shows where the memory goes.

    Parameters
    ----------
    log_min_bytes : int, optional
        Record allocations of at least this many bytes in ``log``.

    Examples
    --------
    >>> import torch
    >>> with TensorMemoryTracker() as mem:
    ...     a = torch.ones(1000, dtype=torch.float64)
    ...     b = a * 2
    ...     del a
    ...     c = b + 1
    >>> mem.peak, mem.current, mem.largest
    (16000, 16000, 8000)

    See Also
    --------
    Chapter 13, "Cross-entropy at scale".
    """

    def __init__(self, log_min_bytes=None):
        self.current = 0
        self.peak = 0
        self.largest = 0
        self.log = []
        self.log_min_bytes = log_min_bytes
        self._live = {}
        self._mode = None

    def _free(self, key):
        self.current -= self._live.pop(key, 0)

    def _record(self, func, inputs, out):
        from torch.utils._pytree import tree_flatten

        seen = {t.untyped_storage().data_ptr() for t in tree_flatten(inputs)[0] if isinstance(t, torch.Tensor)}
        for t in tree_flatten(out)[0]:
            if not isinstance(t, torch.Tensor):
                continue
            storage = t.untyped_storage()
            key = storage.data_ptr()
            size = storage.nbytes()
            if size == 0 or key in seen or key in self._live:
                continue
            self._live[key] = size
            self.current += size
            self.peak = max(self.peak, self.current)
            self.largest = max(self.largest, size)
            if self.log_min_bytes is not None and size >= self.log_min_bytes:
                self.log.append((func.overloadpacket.__name__, size, self.current))
            weakref.finalize(storage, self._free, key)

    def __enter__(self):
        from torch.utils._python_dispatch import TorchDispatchMode

        tracker = self

        class _Mode(TorchDispatchMode):
            def __torch_dispatch__(self, func, types, args=(), kwargs=None):
                kwargs = kwargs or {}
                out = func(*args, **kwargs)
                tracker._record(func, (args, kwargs), out)
                return out

        self._mode = _Mode()
        self._mode.__enter__()
        return self

    def __exit__(self, *exc):
        self._mode.__exit__(*exc)
        self._mode = None
        return False


# --------------------------------------------------------------------------- #
# vocabulary-parallel cross-entropy (Megatron-LM scheme)
# --------------------------------------------------------------------------- #
def vocab_parallel_local_max(local_logits):
    """Step 1 on one rank: the row maxima of its logit slice, shape (N,); all-reduced with MAX."""
    return local_logits.detach().amax(dim=1)


def vocab_parallel_local_sums(local_logits, target, vocab_start, global_max, ignore_index=-100):
    r"""Step 2 on one rank: the per-token partial sums that are all-reduced with SUM.

    With :math:`s_{n,c} = z_{n,c} - m_n` (``m`` the global row maximum), returns
    a tensor of shape (N, 4) whose columns are

    * :math:`s_{n,y_n}` if this rank owns class :math:`y_n`
      (``vocab_start <= y_n < vocab_start + V_local``), else 0;
    * :math:`\sum_{c \in \text{slice}} e^{s_{n,c}}`;
    * :math:`\sum_{c \in \text{slice}} s_{n,c}` (needed only for label smoothing);
    * 1 if this rank owns :math:`y_n`, else 0 (after the SUM every non-ignored
      token must count exactly 1: a check that the target is in the vocabulary).

    The second return value is the shifted slice :math:`s` itself (reused for the
    softmax in the backward pass).
    """
    shifted = local_logits - global_max.unsqueeze(1)
    v_local = shifted.shape[1]
    local_t = target - vocab_start
    owned = (local_t >= 0) & (local_t < v_local) & (target != ignore_index)
    safe = torch.where(owned, local_t, torch.zeros_like(local_t)).unsqueeze(1)
    picked = shifted.gather(1, safe).squeeze(1)
    picked = torch.where(owned, picked, torch.zeros_like(picked))
    sums = torch.stack([picked, shifted.exp().sum(dim=1), shifted.sum(dim=1), owned.to(shifted.dtype)], dim=1)
    return sums, shifted


def vocab_parallel_combine(global_sums, vocab_size, target, ignore_index=-100, label_smoothing=0.0):
    r"""Step 3, identical on every rank: per-token losses from the all-reduced sums.

    :math:`\ell_n = \log \sum_c e^{s_{n,c}} - (1-\varepsilon) s_{n,y_n}
    - \frac{\varepsilon}{V}\sum_c s_{n,c}` (the maximum cancels), zero at
    ignored tokens. Returns shape (N,).
    """
    eps = float(label_smoothing)
    loss = torch.log(global_sums[:, 1]) - (1.0 - eps) * global_sums[:, 0]
    if eps > 0.0:
        loss = loss - (eps / vocab_size) * global_sums[:, 2]
    return torch.where(target != ignore_index, loss, torch.zeros_like(loss))


class _VocabParallelCrossEntropy(torch.autograd.Function):
    @staticmethod
    def forward(ctx, local_logits, target, vocab_start, group, ignore_index, eps):
        acc = _acc_dtype(local_logits.dtype)
        x = local_logits.to(acc)
        distributed = dist.is_available() and dist.is_initialized()
        # 1. global row maximum (for stability only: it cancels in the loss)
        m = vocab_parallel_local_max(x)
        if distributed:
            dist.all_reduce(m, op=dist.ReduceOp.MAX, group=group)
        # 2. target logit (from its owner only), sum of exp and sum of logits: one SUM all-reduce
        sums, shifted = vocab_parallel_local_sums(x, target, vocab_start, m, ignore_index)
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
        loss = vocab_parallel_combine(sums, vocab_size, target, ignore_index, eps)
        # softmax of the local slice, kept for the backward pass (no communication there)
        softmax = shifted.exp_().div_(sums[:, 1].unsqueeze(1))
        ctx.save_for_backward(softmax, target)
        ctx.vocab_start, ctx.ignore_index, ctx.eps, ctx.vocab_size = vocab_start, ignore_index, eps, vocab_size
        ctx.in_dtype = local_logits.dtype
        return loss.to(local_logits.dtype)

    @staticmethod
    @torch.autograd.function.once_differentiable
    def backward(ctx, grad_loss):
        softmax, target = ctx.saved_tensors
        eps = ctx.eps
        local_t = target - ctx.vocab_start
        valid = target != ctx.ignore_index
        owned = (local_t >= 0) & (local_t < softmax.shape[1]) & valid
        safe = torch.where(owned, local_t, torch.zeros_like(local_t)).unsqueeze(1)
        grad = softmax.clone()
        delta = torch.full(owned.shape, -(1.0 - eps), dtype=grad.dtype, device=grad.device)
        grad.scatter_add_(1, safe, torch.where(owned, delta, torch.zeros_like(delta)).unsqueeze(1))
        if eps > 0.0:
            grad.sub_(eps / ctx.vocab_size)
        g = torch.where(valid, grad_loss.to(grad.dtype), torch.zeros_like(grad_loss, dtype=grad.dtype))
        grad.mul_(g.unsqueeze(1))
        return grad.to(ctx.in_dtype), None, None, None, None, None


def vocab_parallel_cross_entropy(
    local_logits,
    target,
    vocab_start: int,
    group=None,
    ignore_index: int = -100,
    reduction: str = "mean",
    label_smoothing: float = 0.0,
):
    r"""Cross-entropy when each ``torch.distributed`` rank holds one vocabulary slice of the logits.

    Rank :math:`r` holds columns ``vocab_start : vocab_start + V_r`` of the
    ``N x V`` logits (every rank has the same ``target``). From the log-sum-exp
    identity with a shared shift :math:`m_n = \max_c z_{n,c}`,

    .. math::

        \ell_n = \log \sum_{r} \sum_{c \in r} e^{z_{n,c} - m_n} - (z_{n,y_n} - m_n),

    so the ranks need (1) an all-reduce MAX of their local maxima and (2) one
    all-reduce SUM of four (N,)-vectors: the shifted target logit (contributed
    only by the rank that owns :math:`y_n`), the local sum of exponentials, the
    local sum of logits (for label smoothing) and an ownership count (which
    checks that every target lies in some rank's slice). The backward pass,
    ``(softmax - q) * grad_output`` on the local slice, needs no communication.
    This is the scheme of Megatron-LM's ``vocab_parallel_cross_entropy``.
    Outside an initialised process group the function runs as a single rank
    (``vocab_start`` must then be 0 and the slice is the whole vocabulary).

    The same code runs unchanged in a multi-node ``torch.distributed`` job
    (``torchrun --nnodes ...`` with gloo or NCCL): only the process group
    differs; :func:`run_vocab_parallel` starts local processes for testing.

    Parameters
    ----------
    local_logits : torch.Tensor, shape (N, V_r)
        This rank's slice of the logits (float32 accumulation for half precision).
    target : torch.Tensor, shape (N,)
        Global class indices in ``[0, V)`` or ``ignore_index``, identical on all ranks.
    vocab_start : int
        Global index of this rank's first class.
    group : torch.distributed.ProcessGroup, optional
        The tensor-parallel group (default: the world).
    ignore_index : int, default -100
    reduction : {'mean', 'sum', 'none'}, default 'mean'
        ``'mean'`` divides by the number of non-ignored targets (NaN if none).
    label_smoothing : float in [0, 1], default 0.0
        PyTorch's convention, with :math:`V` the global vocabulary size.

    Returns
    -------
    torch.Tensor
        The loss in nats, identical on every rank; the gradient flows to
        ``local_logits`` only.

    Raises
    ------
    TypeError, ValueError
        Bad types or shapes, unknown ``reduction``, ``label_smoothing`` outside
        [0, 1], a negative ``vocab_start``, a target that is not ``ignore_index``
        and lies in no rank's slice (raised on every rank).

    See Also
    --------
    run_vocab_parallel : launch it on 2-4 local processes (gloo).
    Chapter 13, "Cross-entropy at scale".
    """
    _check_float_tensor(local_logits, "local_logits")
    if local_logits.dim() != 2:
        raise ValueError(f"local_logits: expected a 2-D tensor (N, V_local), got shape {tuple(local_logits.shape)}")
    vocab_start = _check_int(vocab_start, "vocab_start")
    if vocab_start < 0:
        raise ValueError(f"vocab_start: expected an int >= 0, got {vocab_start}")
    ignore_index = _check_int(ignore_index, "ignore_index")
    reduction = _check_reduction(reduction)
    eps = _check_smoothing(label_smoothing)
    if not isinstance(target, torch.Tensor) or target.dtype.is_floating_point or target.dtype == torch.bool:
        raise TypeError("target: expected a torch.Tensor of integer class indices")
    if target.dim() != 1 or target.shape[0] != local_logits.shape[0]:
        raise ValueError(f"target: expected shape ({local_logits.shape[0]},), got {tuple(target.shape)}")
    distributed = dist.is_available() and dist.is_initialized()
    if not distributed:
        if vocab_start != 0:
            raise ValueError("vocab_start: expected 0 outside an initialised torch.distributed process group")
        _check_target(target, local_logits.shape[0], local_logits.shape[1], ignore_index)
    elif ((target != ignore_index) & (target < 0)).any():
        raise ValueError(f"target: negative class index that is not ignore_index={ignore_index}")
    target = target.long()
    losses = _VocabParallelCrossEntropy.apply(local_logits, target, vocab_start, group, ignore_index, eps)
    if reduction == "none":
        return losses
    total = losses.sum(dtype=torch.float64 if losses.dtype == torch.float64 else torch.float32)
    if reduction == "sum":
        return total.to(losses.dtype)
    count = int((target != ignore_index).sum())
    return (total / count).to(losses.dtype) if count > 0 else (total * float("nan")).to(losses.dtype)


# --------------------------------------------------------------------------- #
# local launcher (gloo on 127.0.0.1)
# --------------------------------------------------------------------------- #
def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _vocab_parallel_worker(rank, world_size, port, logits, target, grad_output, kwargs, queue, timeout_s):
    os.environ.setdefault("GLOO_SOCKET_IFNAME", "lo")
    torch.set_num_threads(1)
    try:
        dist.init_process_group(
            "gloo",
            init_method=f"tcp://127.0.0.1:{port}",
            rank=rank,
            world_size=world_size,
            timeout=timedelta(seconds=timeout_s),
        )
        bounds = torch.tensor_split(torch.arange(logits.shape[1]), world_size)
        start = int(bounds[rank][0]) if len(bounds[rank]) else 0
        local = logits[:, bounds[rank]].clone().requires_grad_(True)
        loss = vocab_parallel_cross_entropy(local, target, start, **kwargs)
        loss.backward(torch.ones_like(loss) if grad_output is None else grad_output.to(loss.dtype))
        queue.put((rank, loss.detach().numpy().copy(), local.grad.numpy().copy(), None))
    except Exception as exc:  # report instead of hanging the parent
        queue.put((rank, None, None, f"{type(exc).__name__}: {exc}"))
    finally:
        if dist.is_initialized():
            dist.destroy_process_group()


def run_vocab_parallel(world_size, logits, target, grad_output=None, timeout_s: float = 60.0, **kwargs):
    """Run :func:`vocab_parallel_cross_entropy` on ``world_size`` local processes (gloo, 127.0.0.1).

    The full ``(N, V)`` logits are split into ``world_size`` contiguous
    vocabulary slices (``torch.tensor_split``, so ``V`` need not divide evenly);
    process ``r`` gets slice ``r``, computes the loss with the two all-reduces,
    and runs the backward pass with ``grad_output`` (default: ones). The processes are
    started with ``torch.multiprocessing`` (spawn) and meet on a free TCP port of
    127.0.0.1. This launcher exists to test and demonstrate the function on one
    machine; the function itself runs unchanged in a multi-node
    ``torch.distributed`` job.

    Parameters
    ----------
    world_size : int
        Number of processes, 1 to 8 (2 to 4 in the tests).
    logits : torch.Tensor, shape (N, V)
    target : torch.Tensor, shape (N,)
    grad_output : torch.Tensor, optional
        Gradient of the loss for the backward pass (shape ``(N,)`` for
        ``reduction='none'``, a scalar otherwise); default ones.
    timeout_s : float, default 60
        Wall-clock limit for the whole run; the processes are terminated after it.
    **kwargs
        ``ignore_index``, ``reduction``, ``label_smoothing`` for the loss.

    Returns
    -------
    loss : torch.Tensor
        Rank 0's loss (every rank's loss is checked to be identical).
    grad : torch.Tensor, shape (N, V)
        The per-rank gradients of their slices, concatenated along the vocabulary.

    Raises
    ------
    RuntimeError
        A process failed, the ranks disagreed, or the run exceeded ``timeout_s``.
    """
    import torch.multiprocessing as mp

    world_size = _check_int(world_size, "world_size")
    if not 1 <= world_size <= 8:
        raise ValueError(f"world_size: expected 1 to 8 local processes, got {world_size}")
    _check_float_tensor(logits, "logits")
    if logits.dim() != 2 or logits.shape[1] < world_size:
        raise ValueError(f"logits: expected shape (N, V) with V >= world_size, got {tuple(logits.shape)}")
    logits = logits.detach().cpu()
    target = target.detach().cpu()
    if grad_output is not None:
        grad_output = torch.as_tensor(grad_output).detach().cpu()
    ctx = mp.get_context("spawn")
    last_error = None
    for _attempt in range(2):  # a second try covers the rare race for the free port
        queue = ctx.SimpleQueue()
        port = _free_port()
        pc = mp.start_processes(
            _vocab_parallel_worker,
            args=(world_size, port, logits, target, grad_output, dict(kwargs), queue, timeout_s),
            nprocs=world_size,
            join=False,
            start_method="spawn",
        )
        deadline = time.monotonic() + timeout_s
        results = {}
        try:
            while len(results) < world_size and time.monotonic() < deadline:
                if not queue.empty():
                    rank, loss, grad, err = queue.get()
                    results[rank] = (loss, grad, err)
                elif all(not p.is_alive() for p in pc.processes) and queue.empty():
                    break
                else:
                    time.sleep(0.02)
        finally:
            for p in pc.processes:
                p.join(timeout=max(0.0, deadline - time.monotonic()) if len(results) == world_size else 0.5)
                if p.is_alive():
                    p.terminate()
                    p.join(timeout=5)
        errors = [r[2] for r in results.values() if r[2]]
        if len(results) == world_size and not errors:
            losses = [torch.from_numpy(results[r][0]) for r in range(world_size)]
            if not all(torch.equal(losses[0], l) for l in losses[1:]):
                raise RuntimeError("run_vocab_parallel: the ranks computed different losses")
            grad = torch.cat([torch.from_numpy(results[r][1]) for r in range(world_size)], dim=1)
            return losses[0], grad
        last_error = errors or [f"only {len(results)} of {world_size} processes reported within {timeout_s} s"]
        # retry only what a lost race for the port looks like, not errors of the computation
        if errors and not any(k in e.lower() for e in errors for k in ("address", "network", "connect", "store")):
            break
    raise RuntimeError(f"run_vocab_parallel failed: {'; '.join(last_error)}")
