"""xent_book.margins against PyTorch, scikit-learn and mpmath (chapter 12)."""

import mpmath
import numpy as np
import pytest
import torch
import torch.nn.functional as F
from sklearn.metrics import hinge_loss, zero_one_loss

from xent_book import margins as mg

RNG = np.random.default_rng(12)


def _binary_case(n=200, scale=4.0):
    z = RNG.normal(0.0, scale, size=n)
    y = RNG.choice([-1.0, 1.0], size=n)
    return z, y, y * z


# --------------------------------------------------------------------------- multiclass_margin


def _torch_margin(z, y):
    zt = torch.from_numpy(z)
    yt = torch.from_numpy(y)
    z_y = zt.gather(1, yt[:, None])[:, 0]
    others = zt.scatter(1, yt[:, None], float("-inf"))
    return (z_y - others.max(dim=1).values).numpy()


@pytest.mark.parametrize("c", [2, 3, 10])
def test_multiclass_margin_matches_torch_gather_and_max(c):
    z = RNG.normal(0.0, 3.0, size=(50, c))
    y = RNG.integers(0, c, size=50)
    np.testing.assert_allclose(mg.multiclass_margin(z, y), _torch_margin(z, y), rtol=0, atol=0)


def test_multiclass_margin_is_positive_exactly_when_prediction_is_correct():
    z = RNG.normal(size=(500, 5))
    y = RNG.integers(0, 5, size=500)
    m = mg.multiclass_margin(z, y)
    assert np.array_equal(m > 0, z.argmax(axis=1) == y)


def test_multiclass_margin_two_classes_is_binary_margin():
    z = RNG.normal(0.0, 2.0, size=30)
    t = RNG.integers(0, 2, size=30)
    logits = np.stack([np.zeros_like(z), z], axis=1)
    np.testing.assert_allclose(mg.multiclass_margin(logits, t), (2 * t - 1) * z, rtol=0, atol=1e-15)


def test_multiclass_margin_ties_unbatched_infinities_and_dtype():
    assert float(mg.multiclass_margin([1.0, 1.0, 0.0], 0)) == 0.0
    assert mg.multiclass_margin(np.array([2.0, 1.0, 0.1]), 0).shape == ()
    assert float(mg.multiclass_margin([0.0, -np.inf, 1.0], 1)) == -np.inf
    assert float(mg.multiclass_margin([0.0, -np.inf, -np.inf], 0)) == np.inf
    out = mg.multiclass_margin(np.ones((4, 3), dtype=np.float32), np.zeros(4, dtype=np.int64))
    assert out.dtype == np.float32


@pytest.mark.parametrize(
    "args, match",
    [
        (([[1.0]], [0]), "input"),
        (([[1.0, np.nan]], [0]), "input"),
        (([[1.0, 2.0]], [2]), "target"),
        (([[1.0, 2.0]], [0, 1]), "target"),
        ((np.zeros((2, 3, 4)), [0, 1]), "input"),
    ],
)
def test_multiclass_margin_rejects_bad_input(args, match):
    with pytest.raises(ValueError, match=match):
        mg.multiclass_margin(*args)


# --------------------------------------------------------------------------- binary losses of the margin


def test_logistic_margin_loss_matches_soft_margin_loss_and_bce():
    z, y, m = _binary_case()
    ref = F.soft_margin_loss(torch.from_numpy(z), torch.from_numpy(y), reduction="none").numpy()
    np.testing.assert_allclose(mg.logistic_margin_loss(m), ref, rtol=1e-13, atol=0)
    bce = F.binary_cross_entropy_with_logits(
        torch.from_numpy(z), torch.from_numpy((y + 1) / 2), reduction="none"
    )
    # torch's BCE form (1 - t) z + log(1 + e^-z) cancels: compare to absolute float64 precision
    np.testing.assert_allclose(mg.logistic_margin_loss(m), bce.numpy(), rtol=1e-13, atol=1e-15)


@pytest.mark.parametrize("m", [-800.0, -40.0, -1e-8, 0.0, 1e-8, 40.0, 700.0])
def test_logistic_margin_loss_extremes_match_mpmath(m):
    mpmath.mp.dps = 50
    ref = float(mpmath.log1p(mpmath.exp(-mpmath.mpf(m))))
    assert float(mg.logistic_margin_loss(m)) == pytest.approx(ref, rel=1e-14, abs=0)


def test_hinge_margin_loss_mean_matches_sklearn_hinge_loss():
    z, y, m = _binary_case()
    assert float(mg.hinge_margin_loss(m).mean()) == pytest.approx(hinge_loss(y, z), rel=1e-14)


@pytest.mark.parametrize("delta", [1.0, 0.5, 2.0])
def test_hinge_and_squared_hinge_match_two_class_multi_margin_loss(delta):
    # logits (-z/2, z/2) with target (y + 1) / 2 give the binary hinge terms, divided by C = 2
    z, y, m = _binary_case()
    zt = torch.from_numpy(np.stack([-z / 2, z / 2], axis=1))
    t = torch.from_numpy(((y + 1) / 2).astype(np.int64))
    for p, fn in [(1, mg.hinge_margin_loss), (2, mg.squared_hinge_margin_loss)]:
        ref = 2 * F.multi_margin_loss(zt, t, p=p, margin=delta, reduction="none").numpy()
        np.testing.assert_allclose(fn(m, margin_width=delta), ref, rtol=1e-13, atol=1e-15)


def test_hinge_is_exactly_zero_beyond_the_margin():
    assert np.all(mg.hinge_margin_loss(np.array([1.0, 1.5, 30.0])) == 0.0)
    assert float(mg.hinge_margin_loss(0.999)) == pytest.approx(0.001)


def test_squared_error_margin_loss_matches_mse_on_sigmoid():
    z, y, m = _binary_case()
    t = (y + 1) / 2
    ref = F.mse_loss(torch.sigmoid(torch.from_numpy(z)), torch.from_numpy(t), reduction="none").numpy()
    # (sigmoid(z) - 1)^2 cancels in torch when t = 1: compare to absolute float64 precision
    np.testing.assert_allclose(mg.squared_error_margin_loss(m), ref, rtol=1e-12, atol=1e-15)
    big = mg.squared_error_margin_loss(np.array([-1000.0, 1000.0]))
    assert big[0] == 1.0 and big[1] == 0.0


@pytest.mark.parametrize("m", [-745.0, -30.0, -1.0, 0.0, 0.5, 20.0, 300.0])
def test_squared_error_margin_loss_is_relatively_accurate_against_mpmath(m):
    mpmath.mp.dps = 60
    ref = float((1 / (1 + mpmath.exp(mpmath.mpf(m)))) ** 2)
    assert float(mg.squared_error_margin_loss(m)) == pytest.approx(ref, rel=1e-14, abs=0)


def test_zero_one_margin_loss_counts_mistakes_like_sklearn():
    z, y, m = _binary_case()
    z[:5] = 0.0  # ties count as mistakes: sign(0) = 0 is not a label
    m = y * z
    assert mg.zero_one_margin_loss(m).sum() == zero_one_loss(y, np.sign(z), normalize=False)


@pytest.mark.parametrize(
    "fn",
    [
        mg.logistic_margin_loss,
        mg.hinge_margin_loss,
        mg.squared_hinge_margin_loss,
        mg.squared_error_margin_loss,
        mg.zero_one_margin_loss,
    ],
)
def test_margin_losses_keep_dtype_and_reject_nan_and_inf(fn):
    assert fn(np.array([0.5, -0.5], dtype=np.float32)).dtype == np.float32
    assert fn(np.array([0.5], dtype=np.float16)).dtype == np.float16
    with pytest.raises(ValueError, match="margin"):
        fn(np.array([0.0, np.nan]))
    with pytest.raises(ValueError, match="margin"):
        fn(np.array([np.inf]))


def test_hinge_rejects_bad_margin_width():
    with pytest.raises(ValueError, match="margin_width"):
        mg.hinge_margin_loss(0.0, margin_width=np.nan)
    with pytest.raises(TypeError, match="margin_width"):
        mg.squared_hinge_margin_loss(0.0, margin_width="1")


# --------------------------------------------------------------------------- multi_margin_loss


@pytest.mark.parametrize("p", [1, 2])
@pytest.mark.parametrize("margin", [1.0, 0.3, -0.5, 4.0])
@pytest.mark.parametrize("reduction", ["none", "mean", "sum"])
@pytest.mark.parametrize("weighted", [False, True])
def test_multi_margin_loss_matches_torch(p, margin, reduction, weighted):
    z = RNG.normal(0.0, 2.0, size=(40, 6))
    y = RNG.integers(0, 6, size=40)
    w = RNG.uniform(0.1, 3.0, size=6) if weighted else None
    ref = F.multi_margin_loss(
        torch.from_numpy(z),
        torch.from_numpy(y),
        p=p,
        margin=margin,
        weight=None if w is None else torch.from_numpy(w),
        reduction=reduction,
    ).numpy()
    out = mg.multi_margin_loss(z, y, p=p, margin=margin, weight=w, reduction=reduction)
    np.testing.assert_allclose(out, ref, rtol=1e-13, atol=1e-15)


def test_multi_margin_loss_unbatched_float32_and_zero_when_margins_are_met():
    z = np.array([1.0, 1.5, 0.1], dtype=np.float32)
    ref = F.multi_margin_loss(torch.from_numpy(z), torch.tensor(0), reduction="none")
    out = mg.multi_margin_loss(z, 0, reduction="none")
    assert out.shape == () and out.dtype == np.float32
    assert float(out) == pytest.approx(float(ref), rel=1e-6)
    assert float(mg.multi_margin_loss([[5.0, 1.0, 0.0]], [0])) == 0.0


@pytest.mark.parametrize(
    "kwargs, exc, match",
    [
        ({"p": 3}, ValueError, "p"),
        ({"margin": np.inf}, ValueError, "margin"),
        ({"weight": [1.0, 2.0]}, ValueError, "weight"),
        ({"weight": [1.0, np.nan, 1.0]}, ValueError, "weight"),
        ({"reduction": "batchmean"}, ValueError, "reduction"),
    ],
)
def test_multi_margin_loss_rejects_bad_arguments(kwargs, exc, match):
    with pytest.raises(exc, match=match):
        mg.multi_margin_loss([[1.0, 2.0, 3.0]], [0], **kwargs)


def test_multi_margin_loss_rejects_bad_input_and_target():
    with pytest.raises(ValueError, match="input"):
        mg.multi_margin_loss([[1.0, np.inf]], [0])
    with pytest.raises(ValueError, match="target"):
        mg.multi_margin_loss([[1.0, 2.0]], [-1])
    with pytest.raises(TypeError, match="target"):
        mg.multi_margin_loss([[1.0, 2.0]], [0.0])


# --------------------------------------------------------------------------- softmax_mse_loss


@pytest.mark.parametrize("reduction", ["none", "mean", "sum"])
def test_softmax_mse_loss_matches_torch_mse_on_softmax_and_one_hot(reduction):
    z = RNG.normal(0.0, 3.0, size=(64, 5))
    y = RNG.integers(0, 5, size=64)
    zt = torch.from_numpy(z)
    sq = F.mse_loss(
        torch.softmax(zt, dim=1), F.one_hot(torch.from_numpy(y), 5).double(), reduction="none"
    ).sum(dim=1)
    ref = {"none": sq, "mean": sq.mean(), "sum": sq.sum()}[reduction].numpy()
    np.testing.assert_allclose(mg.softmax_mse_loss(z, y, reduction=reduction), ref, rtol=1e-12, atol=1e-15)
    if reduction == "mean":  # C times torch's own 'mean' over N * C entries
        own = F.mse_loss(torch.softmax(zt, dim=1), F.one_hot(torch.from_numpy(y), 5).double()).item()
        assert float(mg.softmax_mse_loss(z, y)) == pytest.approx(5 * own, rel=1e-12)


def test_softmax_mse_loss_bounds_extremes_and_masked_classes():
    assert float(mg.softmax_mse_loss([1000.0, 0.0, 0.0], 1)) == pytest.approx(2.0, rel=1e-15)
    tiny = float(mg.softmax_mse_loss([40.0, 0.0], 0))  # (1 - p)^2 + p_1^2 = 2 e^-80 to first order
    assert tiny == pytest.approx(2 * np.exp(-80.0), rel=1e-12, abs=0)
    assert float(mg.softmax_mse_loss([0.0, -np.inf, 0.0], 0)) == pytest.approx(0.5)
    assert mg.softmax_mse_loss(np.zeros(3, dtype=np.float32), 0).dtype == np.float32


def test_softmax_mse_loss_rejects_bad_input():
    with pytest.raises(ValueError, match="input"):
        mg.softmax_mse_loss([[-np.inf, -np.inf]], [0])
    with pytest.raises(ValueError, match="input"):
        mg.softmax_mse_loss([[np.nan, 0.0]], [0])
    with pytest.raises(ValueError, match="target"):
        mg.softmax_mse_loss([[0.0, 0.0]], [3])
    with pytest.raises(ValueError, match="reduction"):
        mg.softmax_mse_loss([[0.0, 0.0]], [0], reduction="avg")
