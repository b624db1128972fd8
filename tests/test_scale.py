"""Tests for xent_book.scale against torch.nn.functional.cross_entropy on full logits."""

from __future__ import annotations

import math

import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st

from xent_book.scale import (
    TensorMemoryTracker,
    chunked_linear_cross_entropy,
    default_chunk_size,
    logits_bytes,
    naive_linear_cross_entropy,
    run_vocab_parallel,
    vocab_parallel_combine,
    vocab_parallel_cross_entropy,
    vocab_parallel_local_max,
    vocab_parallel_local_sums,
)


def make(n, v, h, dtype=torch.float64, seed=0, ignore_every=0, ignore_index=-100, scale=1.0):
    g = torch.Generator().manual_seed(seed)
    hidden = (scale * torch.randn(n, h, generator=g, dtype=torch.float64)).to(dtype).requires_grad_(True)
    weight = torch.randn(v, h, generator=g, dtype=torch.float64).to(dtype).requires_grad_(True)
    target = torch.randint(0, v, (n,), generator=g)
    if ignore_every:
        target[::ignore_every] = ignore_index
    return hidden, weight, target


def reference(hidden, weight, target, grad_output=None, **kw):
    """Loss and gradients from F.cross_entropy on the full logits, in float64."""
    h = hidden.detach().double().requires_grad_(True)
    w = weight.detach().double().requires_grad_(True)
    loss = F.cross_entropy(h @ w.T, target, **kw)
    go = torch.ones_like(loss) if grad_output is None else grad_output.double()
    gh, gw = torch.autograd.grad(loss, (h, w), go)
    return loss.detach(), gh, gw


def ours(hidden, weight, target, grad_output=None, **kw):
    loss = chunked_linear_cross_entropy(hidden, weight, target, **kw)
    go = torch.ones_like(loss) if grad_output is None else grad_output.to(loss.dtype)
    gh, gw = torch.autograd.grad(loss, (hidden, weight), go)
    return loss.detach(), gh, gw


def max_rel(a, b):
    """max |a - b| relative to max |b| (elementwise relative error is meaningless near 0)."""
    a, b = a.double(), b.double()
    return float((a - b).abs().max() / b.abs().max().clamp_min(1e-300))


SHAPES = [  # (N, V, H, chunk_size)
    (1, 1, 1, 1),
    (7, 5, 3, 1),
    (37, 11, 5, 8),  # chunk does not divide N
    (37, 11, 5, 37),  # one chunk, exactly N
    (37, 11, 5, 1000),  # chunk larger than N
    (64, 300, 16, 16),
    (50, 3, 7, 7),
]


@pytest.mark.parametrize("n,v,h,chunk", SHAPES)
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("eps", [0.0, 0.1, 1.0])
def test_chunked_equals_cross_entropy_float64(n, v, h, chunk, reduction, eps):
    hidden, weight, target = make(n, v, h, ignore_every=4 if n > 4 else 0)
    g = torch.Generator().manual_seed(1)
    go = (
        torch.randn(n, generator=g, dtype=torch.float64)
        if reduction == "none"
        else torch.tensor(0.7, dtype=torch.float64)
    )
    kw = dict(reduction=reduction, label_smoothing=eps)
    loss, gh, gw = ours(hidden, weight, target, go, chunk_size=chunk, **kw)
    rloss, rgh, rgw = reference(hidden, weight, target, go, **kw)
    assert loss.dtype == torch.float64 and loss.shape == rloss.shape
    torch.testing.assert_close(loss, rloss, rtol=0, atol=1e-10)
    torch.testing.assert_close(gh, rgh, rtol=0, atol=1e-10)
    torch.testing.assert_close(gw, rgw, rtol=0, atol=1e-10)


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("eps", [0.0, 0.2])
def test_chunked_float32_within_1e5_relative(reduction, eps):
    hidden, weight, target = make(96, 1000, 32, dtype=torch.float32, ignore_every=5, scale=0.3)
    loss, gh, gw = ours(hidden, weight, target, chunk_size=40, reduction=reduction, label_smoothing=eps)
    rloss, rgh, rgw = reference(hidden, weight, target, reduction=reduction, label_smoothing=eps)
    assert loss.dtype == gh.dtype == gw.dtype == torch.float32
    assert max_rel(loss, rloss) < 1e-5
    assert max_rel(gh, rgh) < 1e-5
    assert max_rel(gw, rgw) < 1e-5


def test_mean_divides_by_global_count_not_mean_of_chunk_means():
    hidden, weight, target = make(10, 6, 4)
    target[:4] = -100  # first chunk of 5 has one counted token, the second has five
    loss = chunked_linear_cross_entropy(hidden, weight, target, chunk_size=5).detach()
    per_token = F.cross_entropy(hidden @ weight.T, target, reduction="none").detach()
    assert abs(float(loss) - float(per_token.sum() / 6)) < 1e-12
    mean_of_chunk_means = (per_token[:5].sum() / 1 + per_token[5:].sum() / 5) / 2
    assert abs(float(loss) - float(mean_of_chunk_means)) > 1e-3


@pytest.mark.parametrize("eps", [0.0, 0.3])
def test_custom_ignore_index_inside_the_class_range(eps):
    hidden, weight, target = make(30, 5, 4, seed=3)
    assert (target == 2).any()
    loss, gh, gw = ours(hidden, weight, target, chunk_size=7, ignore_index=2, label_smoothing=eps)
    rloss, rgh, rgw = reference(hidden, weight, target, ignore_index=2, label_smoothing=eps)
    torch.testing.assert_close(loss, rloss, rtol=0, atol=1e-12)
    torch.testing.assert_close(gh, rgh, rtol=0, atol=1e-12)
    torch.testing.assert_close(gw, rgw, rtol=0, atol=1e-12)


@pytest.mark.parametrize("eps", [0.0, 0.1])
def test_all_ignored_gives_nan_mean_zero_sum_and_zero_gradients_as_pytorch(eps):
    hidden, weight, target = make(9, 4, 3)
    target[:] = -100
    for reduction in ("mean", "sum", "none"):
        loss, gh, gw = ours(hidden, weight, target, chunk_size=4, reduction=reduction, label_smoothing=eps)
        rloss, rgh, rgw = reference(hidden, weight, target, reduction=reduction, label_smoothing=eps)
        if reduction == "mean":
            assert math.isnan(float(loss)) and math.isnan(float(rloss))
        else:
            assert torch.equal(loss, torch.zeros_like(loss)) and torch.equal(rloss, torch.zeros_like(rloss))
        assert torch.equal(gh, rgh) and torch.equal(gw, rgw)
        assert not gh.any() and not gw.any()


def test_empty_batch_matches_pytorch():
    hidden, weight, target = make(0, 4, 3)
    with torch.no_grad():
        assert math.isnan(float(chunked_linear_cross_entropy(hidden, weight, target)))
        assert float(chunked_linear_cross_entropy(hidden, weight, target, reduction="sum")) == 0.0
    assert chunked_linear_cross_entropy(hidden, weight, target, reduction="none").shape == (0,)


@pytest.mark.parametrize("dtype", [torch.bfloat16, torch.float16])
@pytest.mark.parametrize("reduction", ["mean", "none"])
def test_half_precision_accumulates_in_float32_and_returns_input_dtype(dtype, reduction):
    hidden, weight, target = make(64, 2000, 32, dtype=dtype, ignore_every=7, scale=0.2)
    loss, gh, gw = ours(hidden, weight, target, chunk_size=24, reduction=reduction, label_smoothing=0.1)
    assert loss.dtype == gh.dtype == gw.dtype == dtype
    # reference: float64 on the very same (rounded) half-precision values
    rloss, rgh, rgw = reference(hidden, weight, target, reduction=reduction, label_smoothing=0.1)
    unit = 2.0**-8 if dtype == torch.bfloat16 else 2.0**-11  # unit roundoff of the output
    assert max_rel(loss, rloss) <= unit
    assert max_rel(gh, rgh) <= 2 * unit
    assert max_rel(gw, rgw) <= 2 * unit
    # the naive half-precision pass (logits rounded to half) is no more accurate
    naive = F.cross_entropy(
        hidden.detach() @ weight.detach().T, target, reduction=reduction, label_smoothing=0.1
    )
    assert max_rel(loss, rloss) <= max_rel(naive, rloss) + unit


def test_only_requested_gradients_and_no_grad_mode():
    hidden, weight, target = make(20, 9, 4)
    weight.requires_grad_(False)
    loss = chunked_linear_cross_entropy(hidden, weight, target, chunk_size=6)
    loss.backward()
    assert hidden.grad is not None and weight.grad is None
    with torch.no_grad():
        value = chunked_linear_cross_entropy(hidden, weight, target, chunk_size=6)
    assert not value.requires_grad and float(value) == float(loss.detach())


def test_gradients_accumulate_into_existing_grad():
    hidden, weight, target = make(20, 9, 4)
    for _ in range(2):
        chunked_linear_cross_entropy(hidden, weight, target, chunk_size=6).backward()
    _, rgh, rgw = reference(hidden, weight, target)
    torch.testing.assert_close(hidden.grad, 2 * rgh, rtol=0, atol=1e-12)
    torch.testing.assert_close(weight.grad, 2 * rgw, rtol=0, atol=1e-12)


def test_second_backward_through_the_same_graph_is_a_clear_error():
    hidden, weight, target = make(20, 9, 4)
    loss = chunked_linear_cross_entropy(hidden, weight, target, chunk_size=6)
    loss.backward(retain_graph=True)
    with pytest.raises(RuntimeError, match="backward ran twice"):
        loss.backward()


def test_chunked_never_allocates_the_full_logit_matrix():
    hidden, weight, target = make(256, 512, 8, dtype=torch.float32)
    with TensorMemoryTracker() as naive:
        naive_linear_cross_entropy(hidden, weight, target).backward()
    hidden.grad = weight.grad = None
    with TensorMemoryTracker() as chunked:
        chunked_linear_cross_entropy(hidden, weight, target, chunk_size=32).backward()
    block = logits_bytes(256, 512)
    assert naive.largest == block and naive.peak >= 3 * block
    assert chunked.largest == logits_bytes(32, 512)
    grads = (256 + 512) * 8 * 4
    # one reusable chunk block, the two gradients and a few per-token vectors
    assert chunked.peak <= logits_bytes(32, 512) + grads + 4096


@pytest.mark.slow  # ~1.7 s; make check keeps the parametrised float64 equality tests above
@settings(max_examples=40, deadline=None)
@given(
    n=st.integers(1, 40),
    v=st.integers(1, 30),
    h=st.integers(1, 6),
    chunk=st.integers(1, 50),
    eps=st.sampled_from([0.0, 0.05, 0.5]),
    reduction=st.sampled_from(["mean", "sum", "none"]),
    seed=st.integers(0, 2**16),
)
def test_property_chunked_equals_cross_entropy(n, v, h, chunk, eps, reduction, seed):
    hidden, weight, target = make(n, v, h, seed=seed, ignore_every=3 if seed % 2 else 0)
    loss, gh, gw = ours(hidden, weight, target, chunk_size=chunk, reduction=reduction, label_smoothing=eps)
    rloss, rgh, rgw = reference(hidden, weight, target, reduction=reduction, label_smoothing=eps)
    torch.testing.assert_close(loss, rloss, rtol=0, atol=1e-10, equal_nan=True)
    torch.testing.assert_close(gh, rgh, rtol=0, atol=1e-10)
    torch.testing.assert_close(gw, rgw, rtol=0, atol=1e-10)


@pytest.mark.parametrize(
    "change,error,match",
    [
        (dict(hidden=torch.zeros(5)), ValueError, "hidden: expected a 2-D"),
        (dict(weight=torch.zeros(4, 2, dtype=torch.float64)), ValueError, "weight: expected shape"),
        (dict(weight=torch.zeros(4, 3, dtype=torch.float32)), TypeError, "weight: expected the dtype"),
        (dict(hidden=torch.zeros(5, 3, dtype=torch.int64)), TypeError, "hidden: expected a floating"),
        (dict(hidden=[[0.0] * 3] * 5), TypeError, "hidden: expected a torch.Tensor"),
        (dict(target=torch.tensor([0, 1, 2, 3])), ValueError, r"target: expected shape \(5,\)"),
        (dict(target=torch.tensor([0, 1, 2, 3, 4])), ValueError, "target: class index 4 is out of range"),
        (dict(target=torch.tensor([0, 1, 2, 3, -1])), ValueError, "target: class index -1"),
        (dict(target=torch.zeros(5)), TypeError, "target: expected integer"),
        (dict(chunk_size=0), ValueError, "chunk_size: expected an int >= 1"),
        (dict(chunk_size=2.5), TypeError, "chunk_size: expected an int"),
        (dict(reduction="avg"), ValueError, "reduction: expected one of"),
        (dict(label_smoothing=1.5), ValueError, "label_smoothing: expected a value in"),
        (
            dict(hidden=torch.full((5, 3), float("nan"), dtype=torch.float64)),
            ValueError,
            "hidden: contains NaN",
        ),
        (
            dict(weight=torch.full((4, 3), float("inf"), dtype=torch.float64)),
            ValueError,
            "weight: contains NaN",
        ),
    ],
)
def test_chunked_errors_name_the_argument(change, error, match):
    kw = dict(
        hidden=torch.zeros(5, 3, dtype=torch.float64),
        weight=torch.zeros(4, 3, dtype=torch.float64),
        target=torch.tensor([0, 1, 2, 3, -100]),
    )
    kw.update(change)
    with pytest.raises(error, match=match):
        chunked_linear_cross_entropy(**kw)


def test_default_chunk_size_and_logits_bytes():
    assert logits_bytes(8192, 256000, torch.float32) == 8192 * 256000 * 4
    assert logits_bytes(8192, 128256, torch.bfloat16) == 8192 * 128256 * 2
    assert default_chunk_size(4096, 131072) == 128
    assert default_chunk_size(4096, 32768) == 512
    assert default_chunk_size(10, 50) == 10
    c = default_chunk_size(100000, 256000)
    assert c == 64 and c * 256000 <= 2**24


# --------------------------------------------------------------------------- #
# vocabulary-parallel cross-entropy
# --------------------------------------------------------------------------- #
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("eps", [0.0, 0.25])
def test_vocab_parallel_single_rank_equals_cross_entropy(reduction, eps):
    g = torch.Generator().manual_seed(0)
    x = torch.randn(12, 9, generator=g, dtype=torch.float64, requires_grad=True)
    y = torch.randint(0, 9, (12,), generator=g)
    y[[2, 7]] = -100
    go = (
        torch.randn(12, generator=g, dtype=torch.float64)
        if reduction == "none"
        else torch.tensor(1.3, dtype=torch.float64)
    )
    loss = vocab_parallel_cross_entropy(x, y, 0, reduction=reduction, label_smoothing=eps)
    (grad,) = torch.autograd.grad(loss, x, go)
    ref = F.cross_entropy(x, y, reduction=reduction, label_smoothing=eps)
    (rgrad,) = torch.autograd.grad(ref, x, go)
    torch.testing.assert_close(loss, ref, rtol=0, atol=1e-12)
    torch.testing.assert_close(grad, rgrad, rtol=0, atol=1e-12)


@pytest.mark.parametrize("ranks", [2, 3, 4])
def test_vocab_parallel_reduction_simulated_in_process(ranks):
    g = torch.Generator().manual_seed(ranks)
    x = 20 * torch.randn(16, 11, generator=g, dtype=torch.float64)  # large logits: the max shift matters
    y = torch.randint(0, 11, (16,), generator=g)
    y[0] = -100
    slices = torch.tensor_split(torch.arange(11), ranks)
    starts = [int(s[0]) for s in slices]
    m = torch.stack([vocab_parallel_local_max(x[:, s]) for s in slices]).amax(0)  # all-reduce MAX
    sums = torch.stack(
        [vocab_parallel_local_sums(x[:, s], y, st, m)[0] for s, st in zip(slices, starts)]
    ).sum(0)
    assert torch.equal(sums[:, 3], (y != -100).double())  # each counted target has exactly one owner
    loss = vocab_parallel_combine(sums, 11, y, label_smoothing=0.1)  # after all-reduce SUM
    ref = F.cross_entropy(x, y, reduction="none", label_smoothing=0.1)
    torch.testing.assert_close(loss, ref, rtol=0, atol=1e-12)


@pytest.mark.slow
def test_vocab_parallel_two_gloo_processes_match_cross_entropy():
    g = torch.Generator().manual_seed(0)
    x = 3 * torch.randn(10, 13, generator=g, dtype=torch.float64)  # 13 classes: slices of 7 and 6
    y = torch.randint(0, 13, (10,), generator=g)
    y[3] = -100
    go = torch.randn(10, generator=g, dtype=torch.float64)
    kw = dict(reduction="none", label_smoothing=0.1)
    loss, grad = run_vocab_parallel(2, x, y, grad_output=go, timeout_s=60, **kw)
    xr = x.clone().requires_grad_(True)
    ref = F.cross_entropy(xr, y, **kw)
    ref.backward(go)
    torch.testing.assert_close(loss, ref.detach(), rtol=0, atol=1e-12)
    torch.testing.assert_close(grad, xr.grad, rtol=0, atol=1e-12)


def test_vocab_parallel_float32_and_bfloat16_single_rank():
    g = torch.Generator().manual_seed(0)
    x64 = torch.randn(32, 500, generator=g, dtype=torch.float64)
    y = torch.randint(0, 500, (32,), generator=g)
    ref = F.cross_entropy(x64, y)
    l32 = vocab_parallel_cross_entropy(x64.float(), y, 0)
    assert l32.dtype == torch.float32 and abs(float(l32) - float(ref)) <= 1e-5 * abs(float(ref))
    xb = x64.to(torch.bfloat16)
    lb = vocab_parallel_cross_entropy(xb, y, 0)
    rb = F.cross_entropy(xb.double(), y)
    assert lb.dtype == torch.bfloat16 and abs(float(lb) - float(rb)) <= 2.0**-8 * abs(float(rb))


@pytest.mark.parametrize(
    "kw,error,match",
    [
        (dict(local_logits=torch.zeros(3)), ValueError, "local_logits: expected a 2-D"),
        (dict(vocab_start=2), ValueError, "vocab_start: expected 0 outside"),
        (dict(vocab_start=-1), ValueError, "vocab_start: expected an int >= 0"),
        (dict(target=torch.tensor([0, 5, 1])), ValueError, "target: class index 5"),
        (dict(target=torch.tensor([0, 1])), ValueError, r"target: expected shape \(3,\)"),
        (dict(reduction="batchmean"), ValueError, "reduction: expected one of"),
        (dict(label_smoothing=-0.1), ValueError, "label_smoothing"),
    ],
)
def test_vocab_parallel_errors_name_the_argument(kw, error, match):
    args = dict(local_logits=torch.zeros(3, 4), target=torch.tensor([0, 1, 2]), vocab_start=0)
    args.update(kw)
    with pytest.raises(error, match=match):
        vocab_parallel_cross_entropy(**args)


def test_run_vocab_parallel_rejects_bad_world_size():
    with pytest.raises(ValueError, match="world_size"):
        run_vocab_parallel(0, torch.zeros(2, 4), torch.tensor([0, 1]))
    with pytest.raises(ValueError, match="logits: expected shape"):
        run_vocab_parallel(4, torch.zeros(2, 3), torch.tensor([0, 1]))


def test_tensor_memory_tracker_counts_allocations_and_frees():
    with TensorMemoryTracker() as mem:
        a = torch.ones(1000, dtype=torch.float64)
        b = a * 2
        view = b[:10]  # a view allocates nothing
        b.add_(1)  # in place allocates nothing
        del a
        c = b + 1
    assert (mem.peak, mem.largest) == (16000, 8000)
    del b, view, c
    assert mem.current == 0


@pytest.mark.parametrize("ranks", [2, 3])
def test_vocab_parallel_head_hidden_gradient_needs_the_sum_over_ranks(ranks):
    """The loss's backward is local, but grad h of a vocabulary-parallel head is a sum over the slices."""
    g = torch.Generator().manual_seed(10 + ranks)
    h = torch.randn(9, 5, generator=g, dtype=torch.float64)
    w = 3 * torch.randn(17, 5, generator=g, dtype=torch.float64)
    y = torch.randint(0, 17, (9,), generator=g)
    y[2] = -100
    hr, wr = h.clone().requires_grad_(True), w.clone().requires_grad_(True)
    F.cross_entropy(hr @ wr.T, y, label_smoothing=0.1, reduction="sum").backward()
    # the loss op's own gradient q - p, from the package (single rank), split into the ranks' slices
    x = (h @ w.T).requires_grad_(True)
    vocab_parallel_cross_entropy(x, y, 0, reduction="sum", label_smoothing=0.1).backward()
    slices = torch.tensor_split(torch.arange(17), ranks)
    parts, grad_w = [], []
    for s in slices:  # each rank: backward through its own z_r = h @ W_r.T only
        hs = h.clone().requires_grad_(True)
        ws = w[s].clone().requires_grad_(True)
        (hs @ ws.T).backward(x.grad[:, s])
        parts.append(hs.grad)
        grad_w.append(ws.grad)
    torch.testing.assert_close(torch.cat(grad_w, 0), wr.grad, rtol=0, atol=1e-12)  # local
    torch.testing.assert_close(sum(parts), hr.grad, rtol=0, atol=1e-12)  # after the all-reduce SUM
    assert all(float((part - hr.grad).abs().max()) > 1e-3 for part in parts)  # no single rank has it


def test_bf16_chunked_memory_includes_the_float32_copies():
    hidden, weight, target = make(256, 1024, 16, dtype=torch.bfloat16)
    with TensorMemoryTracker() as mem:
        chunked_linear_cross_entropy(hidden, weight, target, chunk_size=32).backward()
    n, c, d = 256, 1024, 16
    formula = 32 * c * 4 + 2 * c * d * 4 + c * d * 2 + n * d * (4 + 2)
    assert formula <= mem.peak <= formula + 16 * 1024
