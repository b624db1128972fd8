"""Hostile input for every public function of xent_book.scale (issue 9), through the shared oracle.

Each test draws ONE hostile argument and keeps the others valid, so that a
refusal must name that argument. Returned results are compared with
``F.cross_entropy`` on the full logits in float64 wherever the function
computes a loss, so a silently wrong number fails as well as a NaN, a hang, a
warning, a mutated input or an exception that names no argument.
"""

from __future__ import annotations

import numbers

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hostile_oracle import (
    assert_refuses_or_ok,
    hostile_float_arrays,
    hostile_ignore_index,
    hostile_indices,
    hostile_ints,
    hostile_reductions,
    hostile_scalars,
    huge_logits,
)
from hypothesis import given, settings
from hypothesis import strategies as st

from xent_book import scale

N, D, C = 3, 2, 4
FAST = settings(max_examples=15, deadline=None)


def as_torch(x):
    """NumPy arrays of a dtype torch knows become tensors (uint64 included); everything else is passed as is."""
    if isinstance(x, np.ndarray) and x.dtype.kind in "biuf":
        try:
            return torch.from_numpy(x.copy())
        except TypeError:
            return x
    return x


def valid():
    g = torch.Generator().manual_seed(0)
    h = torch.randn(N, D, generator=g, dtype=torch.float64)
    w = torch.randn(C, D, generator=g, dtype=torch.float64)
    y = torch.tensor([0, 3, -100])
    return h, w, y


def is_int(v, minimum, maximum=2**63 - 1):
    return isinstance(v, numbers.Integral) and not isinstance(v, (bool, np.bool_)) and minimum <= v <= maximum


def reference(logits, target, **kw):
    return F.cross_entropy(logits.detach().double(), target.long(), **kw)


def loss_check(logits, target, reduction="mean", rtol=1e-6, **kw):
    """A returned loss equals F.cross_entropy on the float64 logits (NaN where PyTorch gives NaN)."""

    def check(out):
        ref = reference(logits, target, reduction=reduction, **kw)
        torch.testing.assert_close(out.double(), ref, rtol=rtol, atol=rtol, equal_nan=True)

    return check


def all_ignored_mean(target, ignore_index, reduction):
    return (
        reduction == "mean"
        and isinstance(target, torch.Tensor)
        and bool((target.long() == ignore_index).all())
    )


# --------------------------------------------------------------------------- arithmetic
@FAST
@given(
    n=hostile_ints(),
    v=hostile_ints(),
    dtype=st.sampled_from([torch.float32, torch.bfloat16, torch.int64, np.float32, "float32", None, 4]),
)
def test_logits_bytes(n, v, dtype):
    ok = is_int(n, 0, np.inf) and is_int(v, 0, np.inf) and isinstance(dtype, torch.dtype)

    def check(r):
        assert isinstance(r, int) and r == int(n) * int(v) * dtype.itemsize >= 0

    assert_refuses_or_ok(
        scale.logits_bytes,
        n,
        v,
        dtype,
        arg=None if ok else ("n_tokens", "vocab_size", "dtype"),
        check=check,
        must_refuse=not ok,
    )


@FAST
@given(n=hostile_ints(), v=hostile_ints(), budget=st.one_of(hostile_ints(), st.sampled_from([np.inf, 1e30])))
def test_default_chunk_size_terminates_and_bounds(n, v, budget):
    ok = is_int(n, 0, np.inf) and is_int(v, 1, np.inf) and is_int(budget, 1, np.inf)

    def check(c):
        assert isinstance(c, int) and 1 <= c <= max(int(n), 1)
        assert c == int(n) or c & (c - 1) == 0  # a power of two unless capped at n_tokens
        assert c == int(n) or c == 16 or c * int(v) <= int(budget)

    assert_refuses_or_ok(
        scale.default_chunk_size,
        n,
        v,
        budget,
        arg=None if ok else ("n_tokens", "vocab_size", "budget_elements"),
        check=check,
        must_refuse=not ok,
        timeout=2,
    )


@pytest.mark.parametrize(
    "args", [(10, 0), (10, -5), (10, 2.0), (10, np.nan), (10, 100, np.inf), (10, 100, 0)]
)
def test_default_chunk_size_issue_examples_refuse(args):
    assert_refuses_or_ok(
        scale.default_chunk_size, *args, arg=("vocab_size", "budget_elements"), must_refuse=True, timeout=2
    )


def test_logits_bytes_negative_refused():
    assert_refuses_or_ok(scale.logits_bytes, -1, 10, arg="n_tokens", must_refuse=True)


# --------------------------------------------------------------------------- the linear losses
LINEAR = [scale.chunked_linear_cross_entropy, scale.naive_linear_cross_entropy]


def _call_linear(fn, **kw):
    h, w, y = valid()
    args = dict(hidden=h, weight=w, target=y)
    args.update(kw)
    return args


@pytest.mark.parametrize("fn", LINEAR, ids=lambda f: f.__name__)
@FAST
@given(hidden=st.one_of(hostile_float_arrays(), hostile_float_arrays((N, D)), huge_logits(N, D)))
def test_linear_hostile_hidden(fn, hidden):
    args = _call_linear(fn, hidden=as_torch(hidden))
    h = args["hidden"]
    # a valid hidden of another dtype than weight is refused naming weight
    logits = (
        h.double() @ args["weight"].T
        if isinstance(h, torch.Tensor) and h.dim() == 2 and h.shape == (N, D)
        else None
    )
    out = assert_refuses_or_ok(
        fn,
        **args,
        arg=("hidden", "weight", "target"),
        dtype=np.float64,
        shape=(),
        check=None if logits is None else loss_check(logits, args["target"]),
    )
    assert out.refused or (isinstance(h, torch.Tensor) and h.dtype == torch.float64)


@pytest.mark.parametrize("fn", LINEAR, ids=lambda f: f.__name__)
@FAST
@given(weight=st.one_of(hostile_float_arrays(), hostile_float_arrays((C, D), np.float64), huge_logits(C, D)))
def test_linear_hostile_weight(fn, weight):
    args = _call_linear(fn, weight=as_torch(weight))
    w = args["weight"]
    logits = (
        args["hidden"] @ w.T
        if isinstance(w, torch.Tensor) and w.shape == (C, D) and w.dtype == torch.float64
        else None
    )
    assert_refuses_or_ok(
        fn,
        **args,
        arg="weight",
        dtype=np.float64,
        shape=(),
        check=None if logits is None else loss_check(logits, args["target"]),
    )


@pytest.mark.parametrize("fn", LINEAR, ids=lambda f: f.__name__)
@FAST
@given(target=hostile_indices(num_classes=C, shape=(N,)))
def test_linear_hostile_target(fn, target):
    args = _call_linear(fn, target=as_torch(target))
    t = args["target"]
    logits = args["hidden"] @ args["weight"].T
    nan_ok = all_ignored_mean(t, -100, "mean")
    assert_refuses_or_ok(
        fn,
        **args,
        arg="target",
        dtype=np.float64,
        shape=(),
        nan_ok=nan_ok,
        check=loss_check(logits, t) if isinstance(t, torch.Tensor) else None,
    )


@pytest.mark.parametrize("fn", LINEAR, ids=lambda f: f.__name__)
@FAST
@given(ignore_index=hostile_ignore_index(C), reduction=st.sampled_from(["mean", "sum", "none"]))
def test_linear_hostile_ignore_index(fn, ignore_index, reduction):
    args = _call_linear(fn, target=torch.tensor([0, 3, 1]), ignore_index=ignore_index, reduction=reduction)
    h, w, y = args["hidden"], args["weight"], args["target"]
    ok = is_int(ignore_index, -(2**63))
    kw = dict(ignore_index=int(ignore_index), reduction=reduction) if ok else {}
    assert_refuses_or_ok(
        fn,
        **args,
        arg=None if ok else "ignore_index",
        dtype=np.float64,
        shape=(N,) if reduction == "none" else (),
        must_refuse=not ok,
        check=loss_check(h @ w.T, y, **kw) if ok else None,
    )


@pytest.mark.parametrize("fn", LINEAR, ids=lambda f: f.__name__)
@FAST
@given(reduction=hostile_reductions(), label_smoothing=hostile_scalars())
def test_linear_hostile_reduction_and_smoothing(fn, reduction, label_smoothing):
    args = _call_linear(fn, reduction=reduction)
    ok_red = isinstance(reduction, str) and reduction in ("none", "mean", "sum")
    if not ok_red:
        assert_refuses_or_ok(fn, **args, arg="reduction", must_refuse=True)
        return
    args["label_smoothing"] = label_smoothing
    ok = (
        isinstance(label_smoothing, numbers.Real)
        and not isinstance(label_smoothing, (bool, np.bool_))
        and 0 <= label_smoothing <= 1
    )
    h, w, y = args["hidden"], args["weight"], args["target"]
    assert_refuses_or_ok(
        fn,
        **args,
        arg=None if ok else "label_smoothing",
        must_refuse=not ok,
        dtype=np.float64,
        check=loss_check(h @ w.T, y, reduction=reduction, label_smoothing=float(label_smoothing))
        if ok
        else None,
    )


@FAST
@given(chunk_size=st.one_of(hostile_ints(), st.none()))
def test_chunked_hostile_chunk_size(chunk_size):
    args = _call_linear(None, chunk_size=chunk_size)
    ok = chunk_size is None or is_int(chunk_size, 1, np.inf)
    h, w, y = args["hidden"], args["weight"], args["target"]
    assert_refuses_or_ok(
        scale.chunked_linear_cross_entropy,
        **args,
        arg=None if ok else "chunk_size",
        must_refuse=not ok,
        dtype=np.float64,
        shape=(),
        check=loss_check(h @ w.T, y) if ok else None,
    )


def test_chunked_very_many_classes_and_float16_extremes():
    g = torch.Generator().manual_seed(1)
    h = torch.randn(2, 3, generator=g, dtype=torch.float64)
    w = torch.randn(100_000, 3, generator=g, dtype=torch.float64)
    y = torch.tensor([5, 99_999])
    assert_refuses_or_ok(
        scale.chunked_linear_cross_entropy,
        h,
        w,
        y,
        arg=None,
        dtype=np.float64,
        shape=(),
        check=loss_check(h @ w.T, y),
        timeout=10,
    )
    # float16 hidden states at 6e4: the float32 accumulator holds the logits; the naive loss overflows
    # float16 and must refuse (naming hidden) rather than return inf or NaN
    h16 = torch.tensor([[6e4, 6e4], [1.0, 0.0]], dtype=torch.float16)
    w16 = torch.tensor([[1.0, 1.0], [0.0, 1.0], [0.5, 0.5]], dtype=torch.float16)
    y16 = torch.tensor([0, 2])
    out = assert_refuses_or_ok(
        scale.chunked_linear_cross_entropy, h16, w16, y16, arg=None, dtype=np.float16, inf_ok=False
    )
    assert torch.isfinite(out.value)
    assert_refuses_or_ok(scale.naive_linear_cross_entropy, h16, w16, y16, arg="hidden")


def test_overflowing_float32_logits_are_refused_not_nan():
    h = torch.full((2, 2), 1e20)
    w = torch.full((3, 2), 1e20)
    for fn in LINEAR:
        assert_refuses_or_ok(fn, h, w, torch.tensor([0, 1]), arg="hidden", must_refuse=True)


# --------------------------------------------------------------------------- vocabulary parallel
@FAST
@given(
    local_logits=st.one_of(hostile_float_arrays(), hostile_float_arrays((N, C)), huge_logits(N, C)),
    target=st.one_of(st.just(None), hostile_indices(num_classes=C, shape=(N,))),
)
def test_vocab_parallel_cross_entropy_hostile(local_logits, target):
    x = as_torch(local_logits)
    y = torch.tensor([0, 3, -100]) if target is None else as_torch(target)
    names = ("local_logits", "target")  # a shape mismatch may name either
    checkable = isinstance(x, torch.Tensor) and x.shape == (N, C) and isinstance(y, torch.Tensor)
    out = assert_refuses_or_ok(
        scale.vocab_parallel_cross_entropy,
        x,
        y,
        0,
        arg=names,
        nan_ok=all_ignored_mean(y, -100, "mean"),
        shape=(),
        check=loss_check(x, y, rtol=2e-3) if checkable else None,
    )
    if out.ok:
        assert out.value.dtype == x.dtype


@FAST
@given(vocab_start=hostile_ints(), ignore_index=hostile_ignore_index(C), reduction=hostile_reductions())
def test_vocab_parallel_scalars_hostile(vocab_start, ignore_index, reduction):
    x = torch.randn(N, C, dtype=torch.float64, generator=torch.Generator().manual_seed(2))
    y = torch.tensor([0, 3, 1])
    out = assert_refuses_or_ok(
        scale.vocab_parallel_cross_entropy,
        x,
        y,
        vocab_start,
        ignore_index=ignore_index,
        reduction=reduction,
        arg=("vocab_start", "ignore_index", "reduction", "target"),
    )
    if out.ok:
        assert vocab_start == 0 and reduction in ("none", "mean", "sum")
        kw = dict(reduction=reduction, ignore_index=int(ignore_index))
        torch.testing.assert_close(out.value, reference(x, y, **kw), rtol=1e-12, atol=1e-12)


@FAST
@given(local_logits=st.one_of(hostile_float_arrays(), huge_logits(N, C)))
def test_local_max_hostile(local_logits):
    x = as_torch(local_logits)
    out = assert_refuses_or_ok(scale.vocab_parallel_local_max, x, arg="local_logits")
    if out.ok:
        assert torch.equal(out.value, x.amax(dim=1))


@FAST
@given(
    global_max=st.one_of(hostile_float_arrays(), hostile_float_arrays((N,), np.float64)),
    vocab_start=hostile_ints(),
    target=hostile_indices(num_classes=C, shape=(N,)),
    which=st.sampled_from(["global_max", "vocab_start", "target"]),
)
def test_local_sums_hostile(global_max, vocab_start, target, which):
    x = torch.randn(N, C, dtype=torch.float64, generator=torch.Generator().manual_seed(3))
    args = dict(local_logits=x, target=torch.tensor([0, 3, -100]), vocab_start=0, global_max=x.amax(dim=1))
    args[which] = as_torch({"global_max": global_max, "vocab_start": vocab_start, "target": target}[which])
    out = assert_refuses_or_ok(scale.vocab_parallel_local_sums, **args, arg=which)
    if out.ok:
        sums, shifted = out.value
        assert sums.shape == (N, 4) and bool(torch.isfinite(sums).all())


@FAST
@given(
    global_sums=st.one_of(hostile_float_arrays(), hostile_float_arrays((N, 4), np.float64)),
    vocab_size=hostile_ints(),
    which=st.sampled_from(["global_sums", "vocab_size"]),
)
def test_combine_hostile(global_sums, vocab_size, which):
    x = torch.randn(N, C, dtype=torch.float64, generator=torch.Generator().manual_seed(4))
    y = torch.tensor([0, 3, -100])
    good, _ = scale.vocab_parallel_local_sums(x, y, 0, x.amax(dim=1))
    args = dict(global_sums=good, vocab_size=C, target=y)
    args[which] = as_torch({"global_sums": global_sums, "vocab_size": vocab_size}[which])
    # an empty or short global_sums no longer matches target: either name is right
    names = (which, "target") if which == "global_sums" else which
    out = assert_refuses_or_ok(scale.vocab_parallel_combine, **args, arg=names, shape=(N,))
    if out.ok and which == "vocab_size":
        torch.testing.assert_close(out.value, reference(x, y, reduction="none"), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize(
    "kw,name",
    [
        (dict(world_size=0), "world_size"),
        (dict(world_size=9), "world_size"),
        (dict(world_size=2.0), "world_size"),
        (dict(world_size=True), "world_size"),
        (dict(timeout_s=0.0), "timeout_s"),
        (dict(timeout_s=np.nan), "timeout_s"),
        (dict(logits=np.zeros((2, 4))), "logits"),
        (dict(logits=torch.zeros(2, 1)), "logits"),
        (dict(logits=torch.full((2, 4), np.nan)), "logits"),
        (dict(target=[0, 1]), "target"),
    ],
)
def test_run_vocab_parallel_refuses_before_starting_processes(kw, name):
    args = dict(world_size=2, logits=torch.zeros(2, 4), target=torch.tensor([0, 1]))
    args.update(kw)
    assert_refuses_or_ok(scale.run_vocab_parallel, **args, arg=name, must_refuse=True, timeout=2)


@FAST
@given(log_min_bytes=st.one_of(hostile_ints(), st.none()))
def test_memory_tracker_hostile(log_min_bytes):
    ok = log_min_bytes is None or is_int(log_min_bytes, 0, np.inf)
    out = assert_refuses_or_ok(
        scale.TensorMemoryTracker, log_min_bytes, arg=None if ok else "log_min_bytes", must_refuse=not ok
    )
    if out.ok:  # entering the tracker is tested in test_scale.py (its first use costs seconds of imports)
        assert out.value.log_min_bytes == (None if log_min_bytes is None else int(log_min_bytes))


@pytest.mark.parametrize("width", [0, 1, 2, 3, 5])
def test_combine_refuses_sums_of_the_wrong_width(width):
    y = torch.tensor([0, 3, -100])
    sums = torch.ones(N, width, dtype=torch.float64)
    assert_refuses_or_ok(
        scale.vocab_parallel_combine, sums, C, y, label_smoothing=0.1, arg="global_sums", must_refuse=True
    )
