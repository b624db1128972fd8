"""Hostile input for the core modules: activations, losses, info, stability, margins (issue 9).

Every public function of these modules is called with arguments drawn from the
strategies of ``hostile_oracle`` and judged by its oracle: a finite result of
the documented dtype and shape, or a ValueError/TypeError naming the argument;
never another exception, a warning, a hang or a mutated input. Where the
input's validity is decided independently (class indices read as Python ints,
scalars by their type and value), a valid input must return the reference
value (PyTorch, or the same call with the scalar as a Python number) and an
invalid one must be refused.
"""

from __future__ import annotations

import math
import numbers

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hostile_oracle import (
    assert_refuses_or_ok,
    hostile_arrays,
    hostile_ignore_index,
    hostile_indices,
    hostile_ints,
    hostile_reductions,
    hostile_scalars,
    hostile_temperatures,
    hostile_weights,
    huge_logits,
    many_classes_logits,
)
from hypothesis import given, settings
from hypothesis import strategies as st

import xent_book as xb
from xent_book import info, margins, stability

FAST = settings(max_examples=8)

X = np.array([[1.0, -2.0, 0.5], [0.0, 3.0, -1.0]])
Y = np.array([0, 2])
P = np.array([[0.2, 0.3, 0.5], [1.0, 0.0, 0.0]])
LOGP = np.log(np.array([[0.2, 0.3, 0.5], [0.25, 0.25, 0.5]]))
B = np.array([[0.2, 0.9, 0.5], [0.0, 1.0, 0.3]])
M = np.array([-2.0, 0.0, 0.5, 3.0])

# (function, valid arguments, array arguments, options for the oracle on a return)
ARRAY_CASES = [
    (xb.softmax, dict(x=X), {}),
    (xb.log_softmax, dict(x=X), dict(inf_ok=True)),  # log 0 = -inf at a -inf logit
    (xb.logsumexp, dict(x=X), dict(inf_ok=True)),
    (xb.sigmoid, dict(x=X), {}),
    (xb.log_sigmoid, dict(x=X), dict(inf_ok=True)),
    (xb.softplus, dict(x=X), dict(inf_ok=True)),
    (xb.cross_entropy, dict(input=X, target=Y, weight=np.ones(3)), dict(inf_ok=True)),
    (xb.nll_loss, dict(input=LOGP, target=Y, weight=np.ones(3)), dict(inf_ok=True)),
    (xb.cross_entropy_grad, dict(input=X, target=Y, weight=np.ones(3)), {}),
    (xb.focal_loss, dict(input=X, target=Y, alpha=np.ones(3)), dict(inf_ok=True)),
    (xb.binary_cross_entropy, dict(input=B, target=B, weight=np.ones(3)), {}),
    (
        xb.binary_cross_entropy_with_logits,
        dict(input=X, target=B, weight=np.ones(3), pos_weight=np.ones(3)),
        {},
    ),
    (xb.kl_div, dict(input=LOGP, target=P), {}),
    (xb.sigmoid_focal_loss, dict(inputs=X, targets=B), {}),
    (info.surprisal, dict(p=B), dict(inf_ok=True)),
    (info.entropy, dict(p=P), {}),
    (info.binary_entropy, dict(p=B), {}),
    (info.cross_entropy, dict(p=P, q=P), dict(inf_ok=True)),
    (info.kl_divergence, dict(p=P, q=P), dict(inf_ok=True)),
    (stability.naive_softmax, dict(x=X), dict(nan_ok=True, inf_ok=True)),
    (stability.naive_log_softmax, dict(x=X), dict(nan_ok=True, inf_ok=True)),
    (stability.naive_logsumexp, dict(x=X), dict(nan_ok=True, inf_ok=True)),
    (stability.mp_softmax, dict(x=X), {}),
    (stability.mp_log_softmax, dict(x=X), dict(inf_ok=True)),
    (stability.mp_logsumexp, dict(x=X), dict(inf_ok=True)),
    (stability.relative_error, dict(approx=X, exact=X), dict(inf_ok=True)),
    (stability.ulp_error, dict(approx=X, exact=X), dict(inf_ok=True)),
    (margins.multiclass_margin, dict(input=X, target=Y), dict(inf_ok=True)),
    (margins.logistic_margin_loss, dict(margin=M), dict(inf_ok=True)),
    (margins.hinge_margin_loss, dict(margin=M), dict(inf_ok=True)),
    (margins.squared_hinge_margin_loss, dict(margin=M), dict(inf_ok=True)),
    (margins.squared_error_margin_loss, dict(margin=M), {}),
    (margins.zero_one_margin_loss, dict(margin=M), {}),
    (margins.multi_margin_loss, dict(input=X, target=Y, weight=np.ones(3)), dict(inf_ok=True)),
    (margins.softmax_mse_loss, dict(input=X, target=Y), {}),
]

ARRAY_PARAMS = [
    pytest.param(fn, valid, name, opts, id=f"{fn.__module__.split('.')[-1]}.{fn.__name__}-{name}")
    for fn, valid, opts in ARRAY_CASES
    for name in valid
]


def _call(fn, kwargs, arg, **opts):
    return assert_refuses_or_ok(fn, arg=arg, call_kwargs=kwargs, **opts)


@pytest.mark.parametrize(
    "fn, valid, opts",
    [pytest.param(*c, id=f"{c[0].__module__.split('.')[-1]}.{c[0].__name__}") for c in ARRAY_CASES],
)
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_valid_arguments_return_without_mutating_them(fn, valid, opts, dtype):
    kwargs = {k: v.astype(dtype) if v.dtype.kind == "f" else v for k, v in valid.items()}
    _call(fn, kwargs, None, **opts)


@pytest.mark.parametrize("fn, valid, name, opts", ARRAY_PARAMS)
@FAST
@given(data=st.data())
def test_any_array_argument_returns_or_is_refused_by_name(fn, valid, name, opts, data):
    """Anything where an array goes: a finite result, or a refusal naming an array argument."""
    value = data.draw(hostile_arrays(), label=name)
    kwargs = {**valid, name: value}
    # a shape mismatch may be reported by either array; everything else by the argument itself
    if name in ("weight", "alpha", "pos_weight"):
        # weights summing to 0 under 'mean' are refused (PyTorch's NaN/inf); huge signed ones can still
        # give a loss beyond float64 (inf) or inf - inf (NaN) in the sum, as PyTorch does
        opts = {**opts, "nan_ok": True, "inf_ok": True}
    _call(fn, kwargs, tuple(valid), **opts)


@pytest.mark.parametrize("fn, valid, name, opts", ARRAY_PARAMS)
def test_nan_in_each_array_is_refused_by_its_name(fn, valid, name, opts):
    if fn in (stability.relative_error, stability.ulp_error) and name == "approx":
        pytest.skip("a NaN approximation is documented: its error is inf")
    if np.asarray(valid[name]).dtype.kind != "f":  # checked before the cast: class indices hold no NaN
        pytest.skip("integer argument")
    value = np.array(valid[name], dtype=np.float64)
    value.flat[0] = np.nan
    kwargs = {**valid, name: value}
    _call(fn, kwargs, name, must_refuse=True)


@pytest.mark.parametrize(
    "fn, valid, name, opts",
    [p for p in ARRAY_PARAMS if p.values[2] == "target" and p.values[1]["target"].dtype.kind == "i"],
)
@FAST
@given(data=st.data())
def test_class_indices_are_read_without_wraparound(fn, valid, name, opts, data):
    """Every integer dtype, unsigned included: in range -> the torch answer; otherwise refused."""
    t = data.draw(hostile_indices(3, (2,)), label="target")
    arr = np.asarray(t) if not isinstance(t, list) or all(isinstance(v, int) for v in t) else None
    valid_t = (
        arr is not None
        and arr.dtype.kind in "iu"
        and arr.shape == (2,)
        and all(0 <= v < 3 for v in arr.tolist())
    )
    kwargs = {**valid, "target": t}
    if not valid_t:
        _call(fn, kwargs, ("target", "input"), must_refuse=True)
        return
    out = _call(fn, kwargs, None, **opts).value
    expected = fn(**{**valid, "target": arr.astype(np.int64)})
    np.testing.assert_array_equal(out, expected)
    if fn is xb.cross_entropy:
        ref = F.cross_entropy(
            torch.from_numpy(X),
            torch.from_numpy(arr.astype(np.int64)),
            weight=torch.ones(3, dtype=torch.float64),
        )
        np.testing.assert_allclose(out, ref.numpy(), rtol=1e-12)


# ---------------------------------------------------------------- scalars


def _is_real(v) -> bool:
    if isinstance(v, (bool, np.bool_)) or not isinstance(v, numbers.Real):
        return False
    try:
        return math.isfinite(float(v))
    except OverflowError:
        return False


def _is_int(v) -> bool:
    return isinstance(v, numbers.Integral) and not isinstance(v, (bool, np.bool_))


SCALAR_CASES = [
    # (function, valid kwargs, scalar name, strategy, validity, canonical Python value)
    (xb.softmax, dict(x=X), "temperature", hostile_temperatures(), lambda v: _is_real(v) and v > 0, float),
    (
        xb.log_softmax,
        dict(x=X),
        "temperature",
        hostile_temperatures(),
        lambda v: _is_real(v) and v > 0,
        float,
    ),
    (xb.softmax, dict(x=X), "axis", hostile_ints(), lambda v: _is_int(v) and -2 <= v < 2, int),
    (xb.logsumexp, dict(x=X), "keepdims", hostile_scalars(), lambda v: isinstance(v, (bool, np.bool_)), bool),
    (
        xb.cross_entropy,
        dict(input=X, target=Y),
        "label_smoothing",
        hostile_scalars(),
        lambda v: _is_real(v) and 0 <= v <= 1,
        float,
    ),
    (
        xb.cross_entropy,
        dict(input=X, target=Y),
        "reduction",
        hostile_reductions(),
        lambda v: isinstance(v, str) and v in ("none", "mean", "sum"),
        str,
    ),
    (
        xb.cross_entropy_grad,
        dict(input=X, target=Y),
        "label_smoothing",
        hostile_scalars(),
        lambda v: _is_real(v) and 0 <= v <= 1,
        float,
    ),
    (
        xb.focal_loss,
        dict(input=X, target=Y),
        "gamma",
        hostile_scalars(),
        lambda v: _is_real(v) and v >= 0,
        float,
    ),
    (
        xb.sigmoid_focal_loss,
        dict(inputs=X, targets=B),
        "gamma",
        hostile_scalars(),
        lambda v: _is_real(v) and v >= 0,
        float,
    ),
    (
        xb.sigmoid_focal_loss,
        dict(inputs=X, targets=B),
        "alpha",
        hostile_scalars(),
        lambda v: _is_real(v),  # any finite alpha, as torchvision computes it
        float,
    ),
    (
        xb.kl_div,
        dict(input=LOGP, target=P),
        "reduction",
        hostile_reductions(),
        lambda v: isinstance(v, str) and v in ("none", "mean", "sum", "batchmean"),
        str,
    ),
    (
        xb.kl_div,
        dict(input=LOGP, target=np.zeros_like(P)),
        "log_target",
        hostile_scalars(),
        lambda v: isinstance(v, (bool, np.bool_)),
        bool,
    ),
    (
        xb.binary_cross_entropy,
        dict(input=B, target=B),
        "reduction",
        hostile_reductions(),
        lambda v: isinstance(v, str) and v in ("none", "mean", "sum"),
        str,
    ),
    (
        info.entropy,
        dict(p=P),
        "base",
        hostile_scalars(),
        lambda v: v is None or _is_real(v) and v > 0 and v != 1,
        lambda v: v if v is None else float(v),
    ),
    (
        info.kl_divergence,
        dict(p=P, q=P),
        "base",
        hostile_scalars(),
        lambda v: v is None or _is_real(v) and v > 0 and v != 1,
        lambda v: v if v is None else float(v),
    ),
    (
        stability.relative_error,
        dict(approx=X, exact=X + 1),
        "floor",
        hostile_scalars(),
        lambda v: _is_real(v) and v >= 0,
        float,
    ),
    (
        stability.mp_logsumexp,
        dict(x=X),
        "dps",
        hostile_ints(),
        lambda v: _is_int(v) and 20 <= v <= 10_000,
        int,
    ),
    (margins.hinge_margin_loss, dict(margin=M), "margin_width", hostile_scalars(), _is_real, float),
    (
        margins.multi_margin_loss,
        dict(input=X, target=Y),
        "p",
        hostile_ints(),
        lambda v: _is_int(v) and v in (1, 2),
        int,
    ),
    (margins.multi_margin_loss, dict(input=X, target=Y), "margin", hostile_scalars(), _is_real, float),
]


@pytest.mark.parametrize(
    "fn, valid, name, strategy, is_valid, canonical",
    [pytest.param(*c, id=f"{c[0].__name__}-{c[2]}") for c in SCALAR_CASES],
)
@FAST
@given(data=st.data())
def test_scalar_arguments_are_checked_by_type_and_value(fn, valid, name, strategy, is_valid, canonical, data):
    """A bool is no number, a str no number, "2" no gamma; a valid scalar gives the Python number's result."""
    v = data.draw(strategy, label=name)
    kwargs = {**valid, name: v}
    if not is_valid(v):
        _call(fn, kwargs, name, must_refuse=True)
        return
    inf_ok = fn in (
        margins.hinge_margin_loss,
        margins.multi_margin_loss,
        stability.relative_error,
        xb.log_softmax,
    )
    out = _call(fn, kwargs, None, inf_ok=inf_ok).value
    expected = fn(**{**valid, name: canonical(v)})
    np.testing.assert_array_equal(out, expected)  # np.float32(2) as a base computes in float64, like 2.0


@FAST
@given(ignore_index=hostile_ignore_index(3), reduction=st.sampled_from(["mean", "sum", "none"]))
def test_ignore_index_is_an_int_and_matches_torch(ignore_index, reduction):
    target = np.array([0, 2, 2])
    x = np.array([[1.0, -2.0, 0.5], [0.0, 3.0, -1.0], [2.0, 2.0, 2.0]])
    for fn in (xb.cross_entropy, xb.nll_loss, xb.focal_loss, xb.cross_entropy_grad):
        kwargs = dict(input=x, target=target, ignore_index=ignore_index, reduction=reduction)
        if not (_is_int(ignore_index) and -(2**63) <= ignore_index < 2**63):
            _call(fn, kwargs, "ignore_index", must_refuse=True)
            continue
        out = _call(fn, kwargs, None, nan_ok=reduction == "mean").value
        if fn is xb.cross_entropy:
            ref = F.cross_entropy(
                torch.from_numpy(x),
                torch.from_numpy(target),
                ignore_index=int(ignore_index),
                reduction=reduction,
            )
            np.testing.assert_allclose(out, ref.numpy(), rtol=1e-12, equal_nan=True)


@FAST
@given(weight=hostile_weights(3))
def test_class_weights_are_finite_and_one_per_class(weight):
    """PyTorch's rule: any finite weight is answered (negative ones too), as ``F.cross_entropy`` does;
    a 'mean' whose weights sum to 0 (PyTorch's NaN/inf) is refused by name; margins keep w >= 0."""
    w = np.asarray(weight) if weight is not None and not isinstance(weight, str) else None
    finite = weight is None or (
        w is not None
        and w.shape == (3,)
        and w.dtype.kind in "fiub"
        and np.isfinite(w.astype(float)).all()
        and np.isfinite(w.astype(float).sum())
    )
    zero_mean = finite and weight is not None and float(w.astype(float)[Y].sum()) == 0
    logp = torch.log_softmax(torch.from_numpy(X), 1)
    for fn in (xb.cross_entropy, xb.nll_loss, margins.multi_margin_loss):
        inp = logp.numpy() if fn is xb.nll_loss else X
        kwargs = dict(input=inp, target=Y, weight=weight)
        signed = fn is not margins.multi_margin_loss
        ok = finite and (signed or (w is None or (w.astype(float) >= 0).all()))
        if not ok or (signed and zero_mean):
            _call(fn, kwargs, "weight", must_refuse=True)
            continue
        # a huge weight gives a loss beyond float64 (inf); an all-zero one 0/0 in margins
        out = _call(fn, kwargs, None, nan_ok=not signed, inf_ok=True).value
        if signed:
            tw = None if weight is None else torch.from_numpy(w.astype(np.float64))
            torch_fn = F.cross_entropy if fn is xb.cross_entropy else F.nll_loss
            ref = torch_fn(torch.from_numpy(inp), torch.from_numpy(Y), weight=tw)
            np.testing.assert_allclose(out, ref.numpy(), rtol=1e-12, equal_nan=True)


# ---------------------------------------------------------------- the edges of valid input


@settings(max_examples=20)
@given(x=huge_logits(2, 3))
def test_huge_valid_logits_give_torchs_finite_answer(x):
    dtype = x.dtype
    x64 = torch.from_numpy(x.astype(np.float64))
    out = _call(
        xb.cross_entropy,
        dict(input=x, target=Y, reduction="none"),
        None,
        dtype=dtype,
        shape=(2,),
        inf_ok=dtype == np.float16,
    ).value
    with np.errstate(over="ignore"):  # the float64 reference rounded to float16 may be inf
        ref = F.cross_entropy(x64, torch.from_numpy(Y), reduction="none").numpy().astype(dtype)
    np.testing.assert_allclose(out.astype(np.float64), ref.astype(np.float64), rtol=1e-3)
    for name in ("softmax", "log_softmax"):
        got = _call(
            getattr(xb, name), dict(x=x), None, dtype=dtype, shape=x.shape, inf_ok=dtype == np.float16
        ).value
        with np.errstate(over="ignore"):
            ref = getattr(torch, name)(x64, -1).numpy().astype(dtype)
        np.testing.assert_allclose(got.astype(np.float64), ref.astype(np.float64), rtol=1e-3)


def test_float16_results_beyond_65504_are_inf_without_a_warning():
    x = np.array([[6e4, -6e4], [-6e4, 6e4]], dtype=np.float16)
    out = _call(
        xb.cross_entropy,
        dict(input=x, target=np.array([1, 0]), reduction="sum"),
        None,
        dtype=np.float16,
        shape=(),
        inf_ok=True,
    ).value
    assert out == np.inf
    _call(xb.log_softmax, dict(x=x), None, dtype=np.float16, inf_ok=True)
    _call(
        margins.hinge_margin_loss, dict(margin=np.float16([-65504.0]), margin_width=100.0), None, inf_ok=True
    )


def test_a_subnormal_temperature_gives_the_argmax_limit():
    x = np.array([[1.0, 3.0, 3.0, -2.0]])
    p = _call(xb.softmax, dict(x=x, temperature=1e-310), None, dtype=np.float64, shape=x.shape).value
    np.testing.assert_array_equal(p, [[0.0, 0.5, 0.5, 0.0]])
    lp = _call(xb.log_softmax, dict(x=x, temperature=5e-324), None, inf_ok=True).value
    np.testing.assert_allclose(lp[0, 1:3], -np.log(2))
    assert np.isneginf(lp[0, [0, 3]]).all()


@pytest.mark.parametrize("smoothing", [0.0, 0.1])
def test_minus_inf_logit_on_a_zero_weight_class_adds_nothing(smoothing):
    x = np.array([[0.0, -np.inf, 1.0], [2.0, -np.inf, 0.5]])
    w = np.array([1.0, 0.0, 2.0])
    out = _call(
        xb.cross_entropy,
        dict(input=x, target=np.array([0, 2]), weight=w, label_smoothing=smoothing),
        None,
        shape=(),
    ).value
    finite = np.where(np.isinf(x), -1e4, x)  # exp(-1e4) is exactly 0 in float64
    ref = F.cross_entropy(
        torch.from_numpy(finite), torch.tensor([0, 2]), weight=torch.from_numpy(w), label_smoothing=smoothing
    )
    np.testing.assert_allclose(out, ref.numpy(), rtol=1e-14)
    # and at an ignored position, or under a zero-probability soft target
    _call(xb.cross_entropy, dict(input=x, target=np.array([2, -100]), weight=w), None, shape=())
    _call(
        xb.cross_entropy, dict(input=x, target=np.array([[0.5, 0.0, 0.5], [1.0, 0.0, 0.0]])), None, shape=()
    )


@pytest.mark.parametrize("shape, dim", [((5, 0, 0), -1), ((3, 0), -1), ((0, 4), 0), ((2, 0, 3), 1)])
@pytest.mark.parametrize("name", ["softmax", "log_softmax"])
def test_empty_class_axes_match_torch(shape, dim, name):
    got = _call(getattr(xb, name), dict(x=np.zeros(shape), axis=dim), None, dtype=np.float64).value
    assert got.shape == tuple(getattr(torch, name)(torch.zeros(shape), dim).shape)


def test_soft_target_of_another_dtype_returns_the_inputs_dtype():
    x = X.astype(np.float32)
    out = _call(xb.cross_entropy, dict(input=x, target=P), None, dtype=np.float32, shape=()).value
    ref = F.cross_entropy(torch.from_numpy(X), torch.from_numpy(P)).numpy()
    np.testing.assert_allclose(out, ref, rtol=1e-6)


def test_kl_div_with_log_target_refuses_probabilities_above_one():
    _call(xb.kl_div, dict(input=LOGP, target=np.ones_like(LOGP), log_target=True), "target", must_refuse=True)
    with np.errstate(divide="ignore"):
        log_p = np.log(P)
    out = _call(xb.kl_div, dict(input=LOGP, target=log_p, log_target=True), None, shape=()).value
    assert np.isclose(out, xb.kl_div(LOGP, P))


def test_bce_with_logits_clips_a_target_a_rounding_below_zero():
    x = np.array([30.0, -5.0])
    out = _call(
        xb.binary_cross_entropy_with_logits,
        dict(input=x, target=np.array([-1e-13, 1.0]), reduction="none"),
        None,
        shape=(2,),
    ).value
    assert (out >= 0).all()
    np.testing.assert_allclose(
        out, xb.binary_cross_entropy_with_logits(x, np.array([0.0, 1.0]), reduction="none")
    )


def test_entropy_base_float32_computes_in_float64():
    for fn, args in ((info.entropy, (P,)), (info.kl_divergence, (P, P[::-1])), (info.binary_entropy, (B,))):
        assert np.array_equal(fn(*args, base=np.float32(2)), fn(*args, base=2.0))
        assert fn(*args, base=np.float32(2)).dtype == np.float64


def test_relative_error_with_a_subnormal_reference_is_inf_quietly():
    out = _call(stability.relative_error, dict(approx=1.0, exact=5e-324), None, inf_ok=True).value
    assert out == np.inf


def test_very_many_classes_stay_exact_and_o_of_n_c():
    x = many_classes_logits(2, 100_000)
    y = np.array([3, 99_999])
    out = _call(
        xb.cross_entropy, dict(input=x, target=y, reduction="none"), None, dtype=np.float64, shape=(2,)
    ).value
    ref = F.cross_entropy(torch.from_numpy(x), torch.from_numpy(y), reduction="none").numpy()
    np.testing.assert_allclose(out, ref, rtol=1e-13)
    p = _call(xb.softmax, dict(x=x), None, dtype=np.float64, shape=x.shape).value
    np.testing.assert_allclose(p.sum(-1), 1.0, rtol=1e-13)
    _call(margins.softmax_mse_loss, dict(input=x, target=y), None, shape=())


def test_a_tensor_numpy_cannot_read_is_refused_by_name():
    _call(xb.softmax, dict(x=torch.zeros(3, requires_grad=True)), "x", must_refuse=True)
    _call(
        xb.cross_entropy,
        dict(input=X, target=torch.tensor([0, 1]).float().requires_grad_()),
        "target",
        must_refuse=True,
    )
