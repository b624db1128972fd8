"""xent_book.info against SciPy (entr, rel_entr, stats.entropy), plus its conventions and errors."""

import numpy as np
import pytest
import scipy.special as sp
import scipy.stats as st

import xent_book as xb
from xent_book import info

RNG = np.random.default_rng(3)


def random_distributions(n, c, zeros=False):
    p = RNG.dirichlet(np.ones(c) * 0.7, size=n)
    if zeros:
        p[:, 0] = 0.0
        p /= p.sum(-1, keepdims=True)
    return p


@pytest.mark.parametrize("base", [None, 2, 10])
@pytest.mark.parametrize("zeros", [False, True])
def test_entropy_matches_scipy(base, zeros):
    p = random_distributions(20, 6, zeros)
    np.testing.assert_allclose(info.entropy(p, base=base), st.entropy(p, base=base, axis=-1), rtol=1e-13)
    scale = 1.0 if base is None else np.log(base)
    np.testing.assert_allclose(info.entropy(p, base=base), sp.entr(p).sum(-1) / scale, rtol=1e-13)


@pytest.mark.parametrize("base", [None, 2])
def test_kl_divergence_matches_rel_entr_and_scipy_stats(base):
    p, q = random_distributions(20, 5, zeros=True), random_distributions(20, 5)
    scale = 1.0 if base is None else np.log(base)
    np.testing.assert_allclose(
        info.kl_divergence(p, q, base=base), sp.rel_entr(p, q).sum(-1) / scale, rtol=1e-12
    )
    np.testing.assert_allclose(
        info.kl_divergence(p, q, base=base), st.entropy(p, q, base=base, axis=-1), rtol=1e-12
    )


def test_cross_entropy_matches_minus_xlogy():
    p, q = random_distributions(10, 4, zeros=True), random_distributions(10, 4)
    np.testing.assert_allclose(info.cross_entropy(p, q), -sp.xlogy(p, q).sum(-1), rtol=1e-13)
    np.testing.assert_allclose(
        info.cross_entropy(p, q, base=2), -sp.xlogy(p, q).sum(-1) / np.log(2), rtol=1e-13
    )


def test_zero_probability_conventions():
    assert info.entropy([1.0, 0.0]) == 0.0  # 0 log 0 = 0
    assert info.kl_divergence([0.0, 1.0], [0.5, 0.5]) == pytest.approx(np.log(2))  # p = 0 terms vanish
    assert info.kl_divergence([0.5, 0.5], [1.0, 0.0]) == np.inf  # q = 0 < p
    assert info.cross_entropy([0.5, 0.5], [1.0, 0.0]) == np.inf
    assert info.cross_entropy([1.0, 0.0], [1.0, 0.0]) == 0.0


def test_certain_outcomes_give_plus_zero_not_minus_zero():
    for value in (info.entropy([1.0, 0.0]), info.surprisal(1.0), info.binary_entropy(0.0)):
        assert value == 0.0 and not np.signbit(value)


def test_uniform_distribution_has_entropy_log_c():
    for c in (2, 3, 10, 256):
        assert info.entropy(np.full(c, 1 / c), base=2) == pytest.approx(np.log2(c))


def test_binary_entropy_is_entropy_of_two_outcomes():
    p = np.linspace(0, 1, 11)
    np.testing.assert_allclose(
        info.binary_entropy(p, base=2), info.entropy(np.stack([p, 1 - p], -1), base=2), atol=1e-15
    )
    assert info.binary_entropy(0.5, base=2) == 1.0


def test_surprisal():
    np.testing.assert_allclose(info.surprisal([1.0, 0.5, 0.25], base=2), [0.0, 1.0, 2.0])
    assert info.surprisal(0.0) == np.inf


def test_distribution_cross_entropy_equals_the_loss_on_log_probabilities():
    logits = RNG.normal(size=(8, 5))
    p = random_distributions(8, 5)
    q = xb.softmax(logits)
    # the loss with probability targets is the mean over samples of H(p, softmax(logits))
    assert xb.cross_entropy(logits, p) == pytest.approx(info.cross_entropy(p, q).mean(), rel=1e-12)


def test_broadcasting_one_model_against_many_targets():
    p = random_distributions(4, 3)
    q = np.array([0.2, 0.3, 0.5])
    np.testing.assert_allclose(info.kl_divergence(p, q), [info.kl_divergence(row, q) for row in p])


@pytest.mark.parametrize(
    "call,match",
    [
        (lambda: info.entropy([0.5, 0.6]), "p: expected each distribution along axis -1 to sum to 1"),
        (lambda: info.entropy([1.5, -0.5]), r"p: expected probabilities in \[0, 1\]"),
        (lambda: info.entropy([np.nan, 1.0]), "p: contains NaN"),
        (lambda: info.entropy(np.zeros((2, 0))), "p: expected a non-empty"),
        (lambda: info.entropy(0.5), "p: expected a distribution"),
        (lambda: info.kl_divergence([0.5, 0.5], [0.9, 0.2]), "q: expected each distribution"),
        (lambda: info.kl_divergence([0.5, 0.5], [0.2, 0.3, 0.5]), "q: expected 2 outcomes"),
        (lambda: info.cross_entropy([0.5, 0.5], [0.5, 0.5], base=1), "base: expected None"),
        (lambda: info.cross_entropy([0.5, 0.5], [0.5, 0.5], base=-2), "base"),
        (lambda: info.surprisal([2.0]), "p: expected probabilities"),
    ],
)
def test_bad_input_names_p_or_q(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_sum_tolerance_is_stated_and_applied():
    from xent_book._validation import SUM_TOLERANCE

    tol = SUM_TOLERANCE[np.dtype(np.float64)]
    info.entropy([0.5, 0.5 + tol / 2])  # accepted
    with pytest.raises(ValueError):
        info.entropy([0.5, 0.5 + tol * 2])
