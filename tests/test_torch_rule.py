"""PyTorch's rule (issue 17): where ``torch.nn.functional`` answers a finite number, the package gives it;
where PyTorch answers NaN/inf from an undefined operation, the package refuses, naming the argument.

Class weights, ``pos_weight`` and ``alpha`` are drawn from [-9, 9], as PyTorch's OpInfo samples draw
them. The module also holds one test per defect of issue 17 (each fails without its fix).
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import scipy.special
import torch
import torch.nn.functional as F
from hypothesis import example, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import xent_book as xb
from xent_book import calibration, imbalance, noise, stability

T = torch.from_numpy
SIGNED = st.floats(-9, 9, allow_nan=False)
FAST = settings(max_examples=25, deadline=None)
# The randomized twin of each property test: new examples on every run, CI included, with a fixed
# budget (the profile of tests/conftest.py derandomizes under CI, which replays the same examples
# forever; a failure found here is added as an @example to the derandomized test).
RANDOM = settings(max_examples=15, deadline=None, derandomize=False, database=None)


def _signed(n):
    return hnp.arrays(np.float64, (n,), elements=SIGNED)


def _case(seed, n=5, c=4):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(n, c)) * 3, rng.integers(0, c, size=n)


# ---------------------------------------------------------------- signed weights match PyTorch


def _cross_entropy_nll_and_grad_match_torch_for_signed_weights(w, seed, eps, ignore):
    x, t = _case(seed)
    if ignore:
        t[1] = -100
    xt = T(x).requires_grad_(True)
    for reduction in ("mean", "sum", "none"):
        mask = t != -100
        denom = w[np.where(mask, t, 0)][mask].sum()
        ref = F.cross_entropy(xt, T(t), weight=T(w), reduction=reduction, label_smoothing=eps)
        if reduction == "mean" and denom == 0:
            with pytest.raises(ValueError, match="weight: the weights of the non-ignored targets sum to 0"):
                xb.cross_entropy(x, t, weight=w, reduction=reduction, label_smoothing=eps)
            continue
        ours = xb.cross_entropy(x, t, weight=w, reduction=reduction, label_smoothing=eps)
        np.testing.assert_allclose(ours, ref.detach().numpy(), rtol=1e-9, atol=1e-12)
        (g,) = torch.autograd.grad(ref.sum(), xt)
        grad = xb.cross_entropy_grad(x, t, weight=w, reduction=reduction, label_smoothing=eps)
        np.testing.assert_allclose(grad, g.numpy(), rtol=1e-8, atol=1e-10)
        logp = torch.log_softmax(T(x), 1)
        nll = xb.nll_loss(logp.numpy(), t, weight=w, reduction=reduction)
        np.testing.assert_allclose(
            nll, F.nll_loss(logp, T(t), weight=T(w), reduction=reduction), rtol=1e-9, atol=1e-12
        )


test_cross_entropy_nll_and_grad_match_torch_for_signed_weights = FAST(
    given(w=_signed(4), seed=st.integers(0, 2**16), eps=st.sampled_from([0.0, 0.1]), ignore=st.booleans())(
        example(w=np.array([1.0, -1.0, 2.0, -2.0]), seed=0, eps=0.0, ignore=False)(
            _cross_entropy_nll_and_grad_match_torch_for_signed_weights
        )
    )
)
test_cross_entropy_nll_and_grad_match_torch_for_signed_weights_randomized = RANDOM(
    given(w=_signed(4), seed=st.integers(0, 2**16), eps=st.sampled_from([0.0, 0.1]), ignore=st.booleans())(
        _cross_entropy_nll_and_grad_match_torch_for_signed_weights
    )
)


def _cross_entropy_with_probability_target_matches_torch_for_signed_weights(w, seed):
    x, _ = _case(seed)
    p = scipy.special.softmax(np.random.default_rng(seed + 1).normal(size=x.shape), axis=1)
    for reduction in ("mean", "sum", "none"):
        ref = F.cross_entropy(T(x), T(p), weight=T(w), reduction=reduction)
        np.testing.assert_allclose(
            xb.cross_entropy(x, p, weight=w, reduction=reduction), ref, rtol=1e-9, atol=1e-12
        )


test_cross_entropy_with_probability_target_matches_torch_for_signed_weights = FAST(
    given(w=_signed(4), seed=st.integers(0, 2**16))(
        _cross_entropy_with_probability_target_matches_torch_for_signed_weights
    )
)
test_cross_entropy_with_probability_target_matches_torch_for_signed_weights_randomized = RANDOM(
    given(w=_signed(4), seed=st.integers(0, 2**16))(
        _cross_entropy_with_probability_target_matches_torch_for_signed_weights
    )
)


def _torch_focal(x, t, gamma, alpha):
    logp = torch.log_softmax(T(x), 1).gather(1, T(t)[:, None])[:, 0]
    return (-T(alpha)[T(t)] * (1 - logp.exp()) ** gamma * logp).mean()


def _focal_loss_and_its_torch_twin_accept_signed_alpha(alpha, seed, gamma):
    x, t = _case(seed)
    ref = _torch_focal(x, t, gamma, alpha)
    np.testing.assert_allclose(xb.focal_loss(x, t, gamma=gamma, alpha=alpha), ref, rtol=1e-9, atol=1e-12)
    twin = imbalance.focal_ce_loss(gamma=gamma, alpha=alpha)(T(x), T(t))
    np.testing.assert_allclose(twin.detach().numpy(), ref, rtol=1e-9, atol=1e-12)


test_focal_loss_and_its_torch_twin_accept_signed_alpha = FAST(
    given(alpha=_signed(4), seed=st.integers(0, 2**16), gamma=st.sampled_from([0.0, 0.5, 2.0]))(
        _focal_loss_and_its_torch_twin_accept_signed_alpha
    )
)
test_focal_loss_and_its_torch_twin_accept_signed_alpha_randomized = RANDOM(
    given(alpha=_signed(4), seed=st.integers(0, 2**16), gamma=st.sampled_from([0.0, 0.5, 2.0]))(
        _focal_loss_and_its_torch_twin_accept_signed_alpha
    )
)


def _binary_losses_match_torch_for_signed_weight_and_pos_weight(w, pw, seed):
    rng = np.random.default_rng(seed)
    x, y = rng.normal(size=(4, 3)) * 4, rng.uniform(size=(4, 3))
    for reduction in ("mean", "sum", "none"):
        ref = F.binary_cross_entropy_with_logits(
            T(x), T(y), weight=T(w), pos_weight=T(pw), reduction=reduction
        )
        ours = xb.binary_cross_entropy_with_logits(x, y, weight=w, pos_weight=pw, reduction=reduction)
        np.testing.assert_allclose(ours, ref, rtol=1e-9, atol=1e-12)
        p = scipy.special.expit(x)
        ref = F.binary_cross_entropy(T(p), T(y), weight=T(w), reduction=reduction)
        np.testing.assert_allclose(
            xb.binary_cross_entropy(p, y, weight=w, reduction=reduction), ref, rtol=1e-9, atol=1e-12
        )


test_binary_losses_match_torch_for_signed_weight_and_pos_weight = FAST(
    given(w=_signed(3), pw=_signed(3), seed=st.integers(0, 2**16))(
        _binary_losses_match_torch_for_signed_weight_and_pos_weight
    )
)
test_binary_losses_match_torch_for_signed_weight_and_pos_weight_randomized = RANDOM(
    given(w=_signed(3), pw=_signed(3), seed=st.integers(0, 2**16))(
        _binary_losses_match_torch_for_signed_weight_and_pos_weight
    )
)


def _torchvision_focal(x, y, alpha, gamma):
    """torchvision.ops.sigmoid_focal_loss, written out (torchvision is not installed)."""
    x, y = T(np.asarray(x, np.float64)), T(np.asarray(y, np.float64))
    p = torch.sigmoid(x)
    ce = F.binary_cross_entropy_with_logits(x, y, reduction="none")
    p_t = p * y + (1 - p) * (1 - y)
    loss = ce * (1 - p_t) ** gamma
    if alpha >= 0:
        loss = (alpha * y + (1 - alpha) * (1 - y)) * loss
    return loss.numpy()


def _sigmoid_focal_loss_accepts_any_finite_alpha_as_torchvision(alpha, seed):
    rng = np.random.default_rng(seed)
    x, y = rng.normal(size=6) * 3, rng.uniform(size=6)
    np.testing.assert_allclose(
        xb.sigmoid_focal_loss(x, y, alpha=alpha), _torchvision_focal(x, y, alpha, 2.0), rtol=1e-9, atol=1e-12
    )


test_sigmoid_focal_loss_accepts_any_finite_alpha_as_torchvision = FAST(
    given(alpha=SIGNED, seed=st.integers(0, 2**16))(
        _sigmoid_focal_loss_accepts_any_finite_alpha_as_torchvision
    )
)
test_sigmoid_focal_loss_accepts_any_finite_alpha_as_torchvision_randomized = RANDOM(
    given(alpha=SIGNED, seed=st.integers(0, 2**16))(
        _sigmoid_focal_loss_accepts_any_finite_alpha_as_torchvision
    )
)


@pytest.mark.parametrize(
    "call",
    [
        lambda: xb.cross_entropy([[1.0, 2.0], [0.0, 1.0]], [0, 1], weight=[3.0, -3.0]),
        lambda: xb.nll_loss([[-1.0, -2.0], [-0.5, -1.0]], [0, 1], weight=[3.0, -3.0]),
        lambda: xb.cross_entropy_grad([[1.0, 2.0], [0.0, 1.0]], [0, 1], weight=[3.0, -3.0]),
    ],
)
def test_a_weighted_mean_over_weights_summing_to_zero_is_refused_where_torch_answers_nan_or_inf(call):
    ref = F.cross_entropy(
        torch.tensor([[1.0, 2.0], [0.0, 1.0]]), torch.tensor([0, 1]), weight=torch.tensor([3.0, -3.0])
    )
    assert not torch.isfinite(ref)
    with pytest.raises(ValueError, match="weight: the weights of the non-ignored targets sum to 0"):
        call()
    # 'sum' and 'none' stay PyTorch's finite answers
    assert np.isfinite(
        xb.cross_entropy([[1.0, 2.0], [0.0, 1.0]], [0, 1], weight=[3.0, -3.0], reduction="sum")
    )


# ---------------------------------------------------------------- the defects of issue 17


def test_logsumexp_of_an_empty_axis_is_minus_inf_as_scipy_and_torch():
    x = np.zeros((3, 0))
    expected = scipy.special.logsumexp(x, axis=1)
    np.testing.assert_array_equal(expected, torch.logsumexp(T(x), 1).numpy())
    np.testing.assert_array_equal(xb.logsumexp(x, axis=1), expected)
    np.testing.assert_array_equal(stability.mp_logsumexp(x, axis=1), expected)


@pytest.mark.parametrize("q", [5e-324, 1e-320, 1e-310])
@pytest.mark.parametrize("logits, target", [([[0.0, 1.0, -1.0]], [2]), ([[0.0, 0.0]], [1])])
def test_generalized_cross_entropy_with_a_subnormal_q_is_the_cross_entropy(q, logits, target):
    ce = float(xb.cross_entropy(logits, target))
    assert float(noise.generalized_cross_entropy(logits, target, q=q)) == pytest.approx(ce, rel=1e-12)
    twin = noise.gce_loss(q=q)(torch.tensor(logits, dtype=torch.float64), torch.tensor(target))
    assert float(twin) == pytest.approx(ce, rel=1e-12)


def test_generalized_cross_entropy_keeps_its_value_for_ordinary_q():
    x, t = _case(3)
    logp_y = np.log(scipy.special.softmax(x, axis=1)[np.arange(len(t)), t])
    for q in (1e-300, 1e-8, 0.7, 1.0):
        np.testing.assert_allclose(
            noise.generalized_cross_entropy(x, t, q=q, reduction="none"),
            -np.expm1(q * logp_y) / q,
            rtol=1e-14,
        )


def test_sigmoid_focal_loss_uses_a_float16_target_above_one_as_given():
    x = np.array([1e4, -1e4, -1e4], dtype=np.float16)
    y = np.array([0.5, 1.001, 0.25], dtype=np.float16)  # 1.001 rounds to 1.0009766 in float16
    assert y[1] > 1
    ours = xb.sigmoid_focal_loss(x, y, reduction="none")
    ref = _torchvision_focal(x.astype(np.float64), y.astype(np.float64), 0.25, 2.0)
    np.testing.assert_allclose(ours.astype(np.float64), ref, rtol=1e-3)
    with pytest.raises(ValueError, match="targets: a target outside"):
        xb.sigmoid_focal_loss(np.array([9.0], np.float16), np.array([1.001], np.float16), gamma=1.5)


@pytest.mark.parametrize(
    "call",
    [
        lambda: xb.kl_div([[-1.0]], [[800.0]], log_target=True),
        lambda: noise.symmetric_cross_entropy([[0.0, 1.0, -np.inf]], [2], alpha=0.0),
        lambda: imbalance.balanced_accuracy([1, 1, 1], [1, 1, 1]),
    ],
    ids=["kl_div-log-target-800", "sce-alpha0-masked-label", "balanced-accuracy-one-label"],
)
def test_no_warning_leaks(call):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        try:
            call()
        except ValueError:
            pass  # a clear refusal is fine (kl_div refuses a log-probability above 0)


def test_valid_edge_values_after_the_warning_fixes():
    assert float(noise.symmetric_cross_entropy([[0.0, 1.0, -np.inf]], [2], alpha=0.0)) == pytest.approx(4.0)
    assert imbalance.balanced_accuracy([1, 1, 1], [1, 1, 1]) == 1.0
    with pytest.raises(ValueError, match=r"a probability of inf"):
        xb.kl_div([[-1.0]], [[800.0]], log_target=True)


@pytest.mark.parametrize(
    "call",
    [
        lambda x: calibration.temperature_scale(x, 1.0),
        lambda x: noise.mean_absolute_error_loss(x, [0]),
        lambda x: noise.forward_corrected_cross_entropy(x, [0], np.eye(2)),
        lambda x: noise.generalized_cross_entropy(x, [0]),
    ],
)
@pytest.mark.parametrize("bad", [[[np.nan, 1.0]], [[-np.inf, -np.inf]]])
def test_messages_name_the_argument_logits(call, bad):
    with pytest.raises(ValueError, match=r"^logits: ") as info:
        call(bad)
    if np.isneginf(bad).all():
        assert "slice of logits" in str(info.value)


# ---------------------------------------------------------------- every failure ever found, replayed


def _priors_are_a_distribution_or_refused_without_a_warning(priors):
    x = np.zeros((2, len(priors)))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        try:
            out = imbalance.posthoc_logit_adjustment(x, priors)
        except ValueError as err:
            assert str(err).startswith(("class_priors:", "tau:"))
            return
    assert np.isfinite(out).all()


_PRIORS = hnp.arrays(np.float64, st.integers(1, 4), elements=st.floats(0, 1.8e308))
# found by a randomized run: the sum of two priors near 1.8e308 overflowed with a RuntimeWarning
test_priors_are_a_distribution_or_refused_without_a_warning = FAST(
    given(priors=_PRIORS)(
        example(priors=np.array([1.7e308, 1.7e308]))(
            example(priors=np.array([0.5, 0.5]))(_priors_are_a_distribution_or_refused_without_a_warning)
        )
    )
)
test_priors_are_a_distribution_or_refused_without_a_warning_randomized = RANDOM(
    given(priors=_PRIORS)(_priors_are_a_distribution_or_refused_without_a_warning)
)


# ---------------------------------------------------------------- one error type per condition


@pytest.mark.parametrize(
    "call",
    [
        lambda v: xb.cross_entropy([[1.0, 2.0]], [0], reduction=v),
        lambda v: calibration.expected_calibration_error([[0.4, 0.6]], [1], norm=v),
        lambda v: calibration.expected_calibration_error([[0.4, 0.6]], [1], strategy=v),
    ],
)
def test_a_string_option_is_type_checked_then_value_checked(call):
    with pytest.raises(TypeError):
        call(1)
    with pytest.raises(ValueError):
        call("no-such-option")


@pytest.mark.parametrize(
    "call",
    [
        lambda: xb.cross_entropy([[1.0, 2.0], [1.0]], [0, 1]),
        lambda: xb.cross_entropy([[1.0, 2.0], [0.0, 1.0]], [[0], [0, 1]]),
        lambda: imbalance.balanced_accuracy([[0], [0, 1]], [0, 1]),
        lambda: noise.mean_absolute_error_loss([[1.0, 2.0]], [[0], [0, 1]]),
    ],
)
def test_a_ragged_list_is_a_value_error_everywhere(call):
    with pytest.raises(ValueError, match="ragged"):
        call()
