"""Identities of the book, property-tested with hypothesis.

Gibbs' inequality, KL >= 0 with equality iff p = q, H(p, q) = H(p) + KL(p || q),
shift invariance of softmax, and the gradient q - e_y (against finite
differences and autograd).
"""

import numpy as np
import scipy.stats
import torch
import torch.nn.functional as F
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

import xent_book as xb
from xent_book import info

finite = st.floats(min_value=-50, max_value=50, allow_nan=False, allow_infinity=False)


@st.composite
def distributions(draw, c=None, min_c=2, max_c=6, allow_zeros=True):
    c = c or draw(st.integers(min_c, max_c))
    low = 0.0 if allow_zeros else 1e-3
    w = draw(arrays(np.float64, c, elements=st.floats(low, 1.0)))
    assume(w.sum() > 1e-3)
    return w / w.sum()


@st.composite
def distribution_pairs(draw, allow_zeros_in_q=False):
    p = draw(distributions())
    q = draw(distributions(c=len(p), allow_zeros=allow_zeros_in_q))
    return p, q


@given(distribution_pairs())
def test_gibbs_inequality_cross_entropy_is_at_least_entropy(pq):
    p, q = pq
    assert info.cross_entropy(p, q) >= info.entropy(p) - 1e-12


@given(distribution_pairs())
def test_kl_is_non_negative_before_the_clamp(pq):
    """Gibbs' inequality on the unclamped sum (info clamps the rounding below 0 away, so test before it)."""
    p, q = pq
    unclamped = float(info._kl_terms(p, q).sum())
    assert unclamped >= -1e-15
    np.testing.assert_allclose(unclamped, scipy.stats.entropy(p, q), rtol=1e-9, atol=1e-15)  # independent
    # the clamp removes only that rounding
    assert info.kl_divergence(p, q) == max(unclamped, 0.0)


@given(distributions())
def test_kl_is_zero_for_identical_distributions(p):
    assert info.kl_divergence(p, p) <= 1e-15


@given(distribution_pairs())
def test_kl_is_zero_only_when_p_equals_q(pq):
    p, q = pq
    assume(np.abs(p - q).max() > 1e-3)
    assert info.kl_divergence(p, q) > 0.0


@given(distribution_pairs(), st.sampled_from([None, 2]))
def test_cross_entropy_decomposes_into_entropy_plus_kl(pq, base):
    p, q = pq
    lhs = info.cross_entropy(p, q, base=base)
    rhs = info.entropy(p, base=base) + info.kl_divergence(p, q, base=base)
    assert abs(lhs - rhs) <= 1e-9 * max(1.0, abs(lhs))


@given(distributions())
def test_entropy_is_between_zero_and_log_c(p):
    assert -1e-15 <= info.entropy(p) <= np.log(len(p)) + 1e-12


@given(arrays(np.float64, st.integers(1, 8), elements=finite), st.floats(-1e3, 1e3))
def test_softmax_is_invariant_to_adding_a_constant(x, c):
    np.testing.assert_allclose(xb.softmax(x + c), xb.softmax(x), rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(xb.log_softmax(x + c), xb.log_softmax(x), rtol=1e-9, atol=1e-9)


@given(arrays(np.float64, st.integers(1, 8), elements=finite), st.floats(0.05, 20.0))
def test_softmax_is_a_distribution_for_any_temperature(x, t):
    p = xb.softmax(x, temperature=t)
    assert np.all(p >= 0) and abs(p.sum() - 1.0) < 1e-12
    assert p[np.argmax(x)] == p.max()  # temperature never changes the predicted class


@st.composite
def logits_and_target(draw):
    n = draw(st.integers(1, 4))
    c = draw(st.integers(2, 5))
    x = draw(arrays(np.float64, (n, c), elements=st.floats(-8, 8)))
    t = np.array(draw(st.lists(st.integers(0, c - 1), min_size=n, max_size=n)))
    return x, t


@settings(max_examples=25)  # each example runs torch autograd
@given(logits_and_target(), st.sampled_from(["mean", "sum"]), st.floats(0.0, 1.0))
def test_gradient_equals_autograd(xt, reduction, smoothing):
    x, t = xt
    X = torch.tensor(x, requires_grad=True)
    F.cross_entropy(X, torch.from_numpy(t), reduction=reduction, label_smoothing=smoothing).backward()
    np.testing.assert_allclose(
        xb.cross_entropy_grad(x, t, reduction=reduction, label_smoothing=smoothing),
        X.grad.numpy(),
        rtol=1e-9,
        atol=1e-12,
    )


@given(logits_and_target())
def test_gradient_is_p_minus_y_and_matches_finite_differences(xt):
    x, t = xt
    g = xb.cross_entropy_grad(x, t, reduction="sum")
    np.testing.assert_allclose(g, xb.softmax(x) - np.eye(x.shape[1])[t], atol=1e-12)
    h = 1e-6
    for idx in np.ndindex(x.shape):
        e = np.zeros_like(x)
        e[idx] = h
        fd = (xb.cross_entropy(x + e, t, reduction="sum") - xb.cross_entropy(x - e, t, reduction="sum")) / (
            2 * h
        )
        assert abs(fd - g[idx]) < 1e-6


@given(logits_and_target())
def test_gradient_rows_sum_to_zero(xt):
    x, t = xt
    np.testing.assert_allclose(xb.cross_entropy_grad(x, t).sum(axis=1), 0.0, atol=1e-15)
