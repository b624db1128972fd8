"""softmax, log_softmax, logsumexp, sigmoid, log_sigmoid against PyTorch and SciPy."""

import numpy as np
import pytest
import scipy.special as sp
import torch

import xent_book as xb

RNG = np.random.default_rng(20261125)
SHAPES = [(5,), (4, 7), (3, 4, 5), (2, 3, 4, 2)]
TOL = {np.float64: 1e-12, np.float32: 2e-6, np.float16: 2e-3}


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("dtype", [np.float64, np.float32, np.float16])
@pytest.mark.parametrize("axis", [-1, 0])
def test_softmax_and_log_softmax_match_torch(shape, dtype, axis):
    x = (RNG.normal(size=shape) * 4).astype(dtype)
    t = torch.from_numpy(x.astype(np.float64))
    p, lp = xb.softmax(x, axis=axis), xb.log_softmax(x, axis=axis)
    assert p.dtype == dtype and lp.dtype == dtype and p.shape == x.shape
    np.testing.assert_allclose(p, torch.softmax(t, axis).numpy(), rtol=TOL[dtype], atol=TOL[dtype] * 1e-3)
    np.testing.assert_allclose(lp, torch.log_softmax(t, axis).numpy(), rtol=TOL[dtype], atol=TOL[dtype])


@pytest.mark.parametrize("dtype", [np.float32, np.float16])
def test_low_precision_output_matches_torch_in_that_dtype(dtype):
    x = (RNG.normal(size=(6, 5)) * 3).astype(dtype)
    ours = xb.log_softmax(x).astype(np.float64)
    exact = torch.log_softmax(torch.from_numpy(x.astype(np.float64)), -1).numpy()
    # computed in float64 and rounded once: within one unit in the last place of the exact value
    ulp = np.spacing(np.abs(exact).astype(dtype)).astype(np.float64)
    assert np.all(np.abs(ours - exact) <= ulp)
    # and as close to the truth as PyTorch's own low-precision kernel, or closer
    theirs = torch.log_softmax(torch.from_numpy(x), -1).double().numpy()
    assert np.abs(ours - exact).max() <= np.abs(theirs - exact).max() + 1e-30


@pytest.mark.parametrize("keepdims", [False, True])
@pytest.mark.parametrize("axis", [0, 1, -1])
def test_logsumexp_matches_scipy_and_torch(axis, keepdims):
    x = RNG.normal(size=(3, 4, 5)) * 10
    ours = xb.logsumexp(x, axis=axis, keepdims=keepdims)
    np.testing.assert_allclose(ours, sp.logsumexp(x, axis=axis, keepdims=keepdims), rtol=1e-13)
    np.testing.assert_allclose(
        ours, torch.logsumexp(torch.from_numpy(x), axis, keepdim=keepdims).numpy(), rtol=1e-13
    )


def test_temperature_divides_the_logits():
    x = RNG.normal(size=(4, 6))
    for t in (0.05, 0.5, 1.0, 3.0, 100.0):
        np.testing.assert_allclose(xb.softmax(x, temperature=t), xb.softmax(x / t), rtol=1e-13)
        np.testing.assert_allclose(
            xb.log_softmax(x, temperature=t),
            torch.log_softmax(torch.from_numpy(x / t), -1).numpy(),
            rtol=1e-12,
            atol=1e-14,
        )


@pytest.mark.parametrize("scale", [1e2, 1e3, 1e4])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_extreme_logits_give_finite_results_matching_torch(scale, dtype):
    x = np.array([[scale, -scale, 0.0, scale * 0.999], [-scale, -scale, -scale, -scale]], dtype=dtype)
    p, lp, lse = xb.softmax(x), xb.log_softmax(x), xb.logsumexp(x)
    assert np.isfinite(p).all() and np.isfinite(lp).all() and np.isfinite(lse).all()
    np.testing.assert_allclose(p.sum(-1), 1.0, rtol=1e-6)
    t = torch.from_numpy(x.astype(np.float64))
    np.testing.assert_allclose(lp, torch.log_softmax(t, -1).numpy(), rtol=1e-6)


def test_ties_split_probability_equally():
    np.testing.assert_array_equal(xb.softmax([3.0, 3.0, 3.0, 3.0]), np.full(4, 0.25))
    np.testing.assert_allclose(xb.softmax([5.0, 5.0, -np.inf]), [0.5, 0.5, 0.0])


def test_a_single_class_has_probability_one():
    assert xb.softmax(np.array([[7.0]]))[0, 0] == 1.0
    assert xb.log_softmax(np.array([[-7.0]]))[0, 0] == 0.0


def test_minus_inf_logits_mask_classes():
    lp = xb.log_softmax([0.0, -np.inf, 0.0])
    assert lp[1] == -np.inf and np.allclose(lp[[0, 2]], np.log(0.5))
    assert xb.logsumexp([-np.inf, -np.inf]) == -np.inf


def test_sigmoid_and_log_sigmoid_match_torch_everywhere():
    x = np.concatenate([RNG.normal(size=50) * 20, [-1e4, -800.0, -40.0, 0.0, 40.0, 800.0, 1e4]])
    t = torch.from_numpy(x)
    np.testing.assert_allclose(xb.sigmoid(x), torch.sigmoid(t).numpy(), rtol=1e-14, atol=0)
    np.testing.assert_allclose(xb.log_sigmoid(x), torch.nn.functional.logsigmoid(t).numpy(), rtol=1e-14)
    np.testing.assert_allclose(xb.softplus(x), np.logaddexp(0.0, x), rtol=1e-14)
    assert xb.sigmoid(np.float16(3.0)).dtype == np.float16


@pytest.mark.parametrize("func", [xb.softmax, xb.log_softmax, xb.logsumexp])
def test_nan_and_plus_inf_logits_are_rejected(func):
    with pytest.raises(ValueError, match="x: contains NaN"):
        func([1.0, np.nan])
    with pytest.raises(ValueError, match=r"x: .*\+inf"):
        func([1.0, np.inf])


@pytest.mark.parametrize("temperature", [0.0, -1.0, np.inf, np.nan])
def test_non_positive_temperature_is_rejected(temperature):
    with pytest.raises(ValueError, match="temperature"):
        xb.softmax([1.0, 2.0], temperature=temperature)


def test_bad_types_and_axes_are_rejected():
    with pytest.raises(TypeError, match="temperature"):
        xb.softmax([1.0], temperature="hot")
    with pytest.raises(TypeError, match="x"):
        xb.softmax(["a", "b"])
    with pytest.raises(ValueError, match="axis"):
        xb.softmax([[1.0, 2.0]], axis=2)


@pytest.mark.parametrize(
    "shape, dim", [((3, 0), -1), ((5, 0, 0), -1), ((0, 4), -1), ((0, 4), 0), ((2, 0, 3), 1)]
)
@pytest.mark.parametrize("name", ["softmax", "log_softmax"])
def test_empty_arrays_give_empty_results_as_in_torch(shape, dim, name):
    ours = getattr(xb, name)(np.zeros(shape), axis=dim)
    theirs = getattr(torch, name)(torch.zeros(shape, dtype=torch.float64), dim)
    assert ours.shape == tuple(theirs.shape) and ours.dtype == np.float64


def test_logsumexp_of_an_empty_axis_is_minus_inf_as_in_torch():
    ours = xb.logsumexp(np.zeros((5, 0)), axis=-1)
    theirs = torch.logsumexp(torch.zeros((5, 0), dtype=torch.float64), -1).numpy()
    np.testing.assert_array_equal(ours, theirs)


def test_all_minus_inf_slice_has_no_softmax():
    with pytest.raises(ValueError, match="-inf"):
        xb.softmax([-np.inf, -np.inf])
