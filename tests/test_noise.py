"""xent_book.noise: corruption statistics, the transition matrix, the anchor estimator, robust losses vs formulas and autograd."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F

import xent_book as xb
from xent_book import noise as nz

RNG = np.random.default_rng(9)


def logits_and_target(n=16, c=6, scale=3.0, rng=RNG):
    return rng.normal(size=(n, c)) * scale, rng.integers(0, c, size=n)


def p_y(x, y):
    p = xb.softmax(x, axis=1)
    return p[np.arange(len(y)), y]


# ------------------------------------------------------------------ transition matrices


def test_symmetric_transition_matrix_flips_to_other_classes_uniformly():
    T = nz.transition_matrix("symmetric", 0.4, 5)
    np.testing.assert_allclose(np.diag(T), 0.6)
    np.testing.assert_allclose(T[~np.eye(5, dtype=bool)], 0.1)
    np.testing.assert_allclose(T.sum(1), 1.0, rtol=1e-15)


def test_pair_transition_matrix_moves_mass_to_the_next_class_cyclically():
    T = nz.transition_matrix("pair", 0.3, 4)
    expected = np.array([[0.7, 0.3, 0, 0], [0, 0.7, 0.3, 0], [0, 0, 0.7, 0.3], [0.3, 0, 0, 0.7]])
    np.testing.assert_allclose(T, expected, rtol=1e-15)


@pytest.mark.parametrize("kind", ["symmetric", "pair"])
def test_transition_matrix_with_rate_zero_is_the_identity(kind):
    np.testing.assert_array_equal(nz.transition_matrix(kind, 0.0, 3), np.eye(3))


@pytest.mark.parametrize(
    "kind, rate, c, exc, match",
    [
        ("uniform", 0.1, 3, ValueError, "kind"),
        ("symmetric", 1.0, 3, ValueError, "rate"),
        ("pair", -0.1, 3, ValueError, "rate"),
        ("pair", float("nan"), 3, ValueError, "rate"),
        ("symmetric", 0.2, 1, ValueError, "num_classes"),
        ("symmetric", 0.2, 3.0, TypeError, "num_classes"),
    ],
)
def test_transition_matrix_rejects_bad_arguments(kind, rate, c, exc, match):
    with pytest.raises(exc, match=match):
        nz.transition_matrix(kind, rate, c)


# ------------------------------------------------------------------ corruption statistics


@pytest.mark.parametrize("fn, kind", [(nz.symmetric_noise, "symmetric"), (nz.pair_noise, "pair")])
@pytest.mark.parametrize("rate", [0.2, 0.45])
def test_empirical_transition_frequencies_match_T_within_sampling_error(fn, kind, rate):
    c, per_class = 5, 20000
    y = np.repeat(np.arange(c), per_class)
    noisy = fn(y, rate, c, seed=1)
    counts = np.zeros((c, c))
    np.add.at(counts, (y, noisy), 1)
    freq = counts / per_class
    T = nz.transition_matrix(kind, rate, c)
    se = np.sqrt(T * (1 - T) / per_class)
    assert np.all(np.abs(freq - T) <= 5 * se + 1e-12)  # exact zeros stay exactly zero
    # the overall flip fraction is rate (binomial, 5 standard errors)
    assert abs(np.mean(noisy != y) - rate) < 5 * np.sqrt(rate * (1 - rate) / y.size)


def test_corruption_is_deterministic_given_the_seed_and_keeps_shape_and_dtype():
    y = RNG.integers(0, 4, size=(30, 2))
    a = nz.symmetric_noise(y, 0.3, 4, seed=7)
    np.testing.assert_array_equal(a, nz.symmetric_noise(y, 0.3, 4, seed=7))
    assert not np.array_equal(a, nz.symmetric_noise(y, 0.3, 4, seed=8))
    assert a.shape == y.shape and a.dtype == np.int64
    np.testing.assert_array_equal(nz.pair_noise(y, 0.0, 4), y)


def test_symmetric_noise_never_keeps_a_label_it_flips():
    # the flipped labels are uniform over the *other* classes: no mass on the clean class beyond 1 - rate
    y = np.zeros(50000, dtype=np.int64)
    noisy = nz.symmetric_noise(y, 0.9, 10, seed=0)
    assert abs(np.mean(noisy == 0) - 0.1) < 5 * np.sqrt(0.09 / 50000)


def test_corrupt_labels_never_draws_a_zero_probability_class():
    T = np.array([[0.5, 0.0, 0.5], [0.0, 1.0, 0.0], [0.0, 0.25, 0.75]])
    y = np.repeat(np.arange(3), 5000)
    noisy = nz.corrupt_labels(y, T, seed=2)
    assert (
        not np.any((y == 0) & (noisy == 1))
        and np.all(noisy[y == 1] == 1)
        and not np.any((y == 2) & (noisy == 0))
    )


@pytest.mark.parametrize(
    "T, match",
    [
        (np.eye(3)[:2], "square"),
        (np.full((3, 3), 0.5), "row-stochastic"),
        (np.array([[1.5, -0.5], [0.0, 1.0]]), r"\[0, 1\]"),
        (np.array([[np.nan, 1.0], [0.0, 1.0]]), "NaN"),
    ],
)
def test_corrupt_labels_rejects_bad_transition_matrices(T, match):
    with pytest.raises(ValueError, match=match):
        nz.corrupt_labels([0, 1], T)


def test_corruption_rejects_labels_out_of_range_and_float_labels():
    with pytest.raises(ValueError, match="labels"):
        nz.symmetric_noise([0, 3], 0.2, 3)
    with pytest.raises(ValueError, match="labels"):
        nz.pair_noise([-1, 0], 0.2, 3)
    with pytest.raises(TypeError, match="labels"):
        nz.symmetric_noise([0.0, 1.0], 0.2, 3)


# ------------------------------------------------------------------ anchor-point estimator


@pytest.mark.parametrize("kind", ["symmetric", "pair"])
def test_estimate_transition_matrix_is_exact_when_anchor_points_exist(kind):
    c = 4
    T = nz.transition_matrix(kind, 0.3, c)
    clean = RNG.dirichlet(np.ones(c), size=200)
    clean[:c] = np.eye(c)  # one perfect anchor per class
    noisy = clean @ T  # p(noisy | x) = T^T p(clean | x)
    np.testing.assert_allclose(nz.estimate_transition_matrix(noisy), T, rtol=1e-12, atol=1e-15)


def test_estimate_transition_matrix_with_a_quantile_skips_the_outliers():
    c = 3
    T = nz.transition_matrix("symmetric", 0.2, c)
    clean = RNG.dirichlet(np.ones(c) * 0.3, size=400)
    clean[:c] = np.eye(c)
    noisy = clean @ T
    est = nz.estimate_transition_matrix(noisy, quantile=0.97)
    np.testing.assert_allclose(est.sum(1), 1.0, rtol=1e-14)
    # each row is the example at (just below) the 97th percentile of its column, never the max itself
    for i in range(c):
        col = noisy[:, i]
        thresh = np.percentile(col, 97, method="higher")
        j = np.argmax(np.where(col >= thresh, -np.inf, col))
        np.testing.assert_allclose(est[i], noisy[j])
    assert np.abs(est - T).max() < 0.15


@pytest.mark.parametrize(
    "probs, quantile, match",
    [
        (np.full((3, 2), 0.4), None, "probs"),
        (np.full(3, 1 / 3), None, "probs"),
        (np.full((3, 2), 0.5), 0.0, "quantile"),
        (np.full((3, 2), 0.5), 1.5, "quantile"),
    ],
)
def test_estimate_transition_matrix_rejects_bad_input(probs, quantile, match):
    with pytest.raises(ValueError, match=match):
        nz.estimate_transition_matrix(probs, quantile=quantile)


# ------------------------------------------------------------------ NumPy losses against direct formulas


@pytest.mark.parametrize("q", [0.1, 0.5, 0.7, 1.0])
def test_generalized_cross_entropy_matches_its_formula(q):
    x, y = logits_and_target()
    np.testing.assert_allclose(
        nz.generalized_cross_entropy(x, y, q=q, reduction="none"), (1 - p_y(x, y) ** q) / q, rtol=1e-11
    )


def test_generalized_cross_entropy_tends_to_cross_entropy_as_q_tends_to_zero():
    x, y = logits_and_target(scale=2.0)
    ce = xb.cross_entropy(x, y, reduction="none")
    np.testing.assert_allclose(nz.generalized_cross_entropy(x, y, q=1e-9, reduction="none"), ce, atol=1e-6)
    gaps = [
        np.abs(nz.generalized_cross_entropy(x, y, q=q, reduction="none") - ce).max()
        for q in (0.5, 0.1, 1e-2, 1e-4)
    ]
    assert all(a > b for a, b in zip(gaps, gaps[1:]))


def test_generalized_cross_entropy_at_q_one_is_one_minus_p_y_and_half_the_mae():
    x, y = logits_and_target()
    gce1 = nz.generalized_cross_entropy(x, y, q=1.0, reduction="none")
    np.testing.assert_allclose(gce1, 1 - p_y(x, y), rtol=1e-13, atol=1e-15)
    np.testing.assert_allclose(
        nz.mean_absolute_error_loss(x, y, reduction="none"), 2 * gce1, rtol=1e-13, atol=1e-15
    )


def test_mean_absolute_error_loss_is_the_l1_distance_to_the_one_hot_label():
    x, y = logits_and_target()
    l1 = np.abs(xb.softmax(x, axis=1) - np.eye(x.shape[1])[y]).sum(1)
    np.testing.assert_allclose(
        nz.mean_absolute_error_loss(x, y, reduction="none"), l1, rtol=1e-12, atol=1e-15
    )


def test_mae_is_symmetric_its_sum_over_labels_is_constant():
    x, _ = logits_and_target(n=5, c=4)
    total = sum(nz.mean_absolute_error_loss(x, np.full(5, j), reduction="none") for j in range(4))
    np.testing.assert_allclose(total, 2 * (4 - 1), rtol=1e-13)


@pytest.mark.parametrize("alpha, beta, A", [(0.1, 1.0, -4.0), (1.0, 0.0, -4.0), (0.5, 2.0, -6.0)])
def test_symmetric_cross_entropy_matches_alpha_ce_plus_beta_rce(alpha, beta, A):
    x, y = logits_and_target()
    p = xb.softmax(x, axis=1)
    onehot = np.eye(x.shape[1])[y]
    rce = -(p * np.where(onehot > 0, 0.0, A)).sum(1)  # -sum_k p_k log q_k with log 0 := A, log 1 = 0
    expected = alpha * xb.cross_entropy(x, y, reduction="none") + beta * rce
    np.testing.assert_allclose(
        nz.symmetric_cross_entropy(x, y, alpha, beta, A, reduction="none"), expected, rtol=1e-12, atol=1e-15
    )
    np.testing.assert_allclose(rce, -A * (1 - p_y(x, y)), rtol=1e-12, atol=1e-15)


def test_forward_correction_with_identity_is_cross_entropy():
    x, y = logits_and_target()
    for reduction in ("mean", "sum", "none"):
        np.testing.assert_allclose(
            nz.forward_corrected_cross_entropy(x, y, np.eye(6), reduction=reduction),
            xb.cross_entropy(x, y, reduction=reduction),
            rtol=1e-13,
        )


@pytest.mark.parametrize("kind", ["symmetric", "pair"])
def test_forward_correction_matches_minus_log_of_p_times_T(kind):
    x, y = logits_and_target()
    T = nz.transition_matrix(kind, 0.35, 6)
    expected = -np.log((xb.softmax(x, axis=1) @ T)[np.arange(len(y)), y])
    np.testing.assert_allclose(
        nz.forward_corrected_cross_entropy(x, y, T, reduction="none"), expected, rtol=1e-12
    )


def test_forward_correction_is_accurate_where_the_naive_product_underflows():
    x = np.array([[0.0, -800.0, -800.0]])
    T = np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.5, 0.5]])
    # -log(p_1 + 0.5 p_2), p_1 = p_2 = e^-800 / Z: 800 - log(1.5) (naive: -log(0) = inf)
    np.testing.assert_allclose(nz.forward_corrected_cross_entropy(x, [1], T), 800 - np.log(1.5), rtol=1e-14)


def test_losses_keep_float32_and_float16():
    x, y = logits_and_target()
    for dtype in (np.float32, np.float16):
        xd = x.astype(dtype)
        for out in (
            nz.generalized_cross_entropy(xd, y),
            nz.mean_absolute_error_loss(xd, y),
            nz.symmetric_cross_entropy(xd, y),
            nz.forward_corrected_cross_entropy(xd, y, np.eye(6)),
        ):
            assert out.dtype == dtype


# ------------------------------------------------------------------ PyTorch callables against the NumPy references and autograd

TORCH_PAIRS = [
    (
        lambda: nz.gce_loss(0.7, reduction="none"),
        lambda x, y: nz.generalized_cross_entropy(x, y, 0.7, reduction="none"),
    ),
    (
        lambda: nz.gce_loss(0.2, reduction="none"),
        lambda x, y: nz.generalized_cross_entropy(x, y, 0.2, reduction="none"),
    ),
    (lambda: nz.mae_loss(reduction="none"), lambda x, y: nz.mean_absolute_error_loss(x, y, reduction="none")),
    (
        lambda: nz.sce_loss(0.1, 1.0, -4.0, reduction="none"),
        lambda x, y: nz.symmetric_cross_entropy(x, y, 0.1, 1.0, -4.0, reduction="none"),
    ),
    (
        lambda: nz.forward_corrected_loss(nz.transition_matrix("pair", 0.3, 6), reduction="none"),
        lambda x, y: nz.forward_corrected_cross_entropy(
            x, y, nz.transition_matrix("pair", 0.3, 6), reduction="none"
        ),
    ),
]


@pytest.mark.parametrize("make_torch, numpy_ref", TORCH_PAIRS)
def test_torch_losses_match_the_numpy_references(make_torch, numpy_ref):
    x, y = logits_and_target()
    ours = make_torch()(torch.from_numpy(x), torch.from_numpy(y)).numpy()
    np.testing.assert_allclose(ours, numpy_ref(x, y), rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("reduction", ["mean", "sum"])
def test_torch_losses_reduce_like_the_numpy_references(reduction):
    x, y = logits_and_target()
    T = nz.transition_matrix("symmetric", 0.4, 6)
    xt, yt = torch.from_numpy(x), torch.from_numpy(y)
    pairs = [
        (nz.gce_loss(0.7, reduction)(xt, yt), nz.generalized_cross_entropy(x, y, 0.7, reduction)),
        (nz.mae_loss(reduction)(xt, yt), nz.mean_absolute_error_loss(x, y, reduction)),
        (
            nz.sce_loss(0.1, 1.0, -4.0, reduction)(xt, yt),
            nz.symmetric_cross_entropy(x, y, 0.1, 1.0, -4.0, reduction),
        ),
        (
            nz.forward_corrected_loss(T, reduction)(xt, yt),
            nz.forward_corrected_cross_entropy(x, y, T, reduction),
        ),
    ]
    for t, n in pairs:
        assert t.item() == pytest.approx(float(n), rel=1e-12)


def analytic_grad(name, p, y, **kw):
    onehot = np.eye(p.shape[1])[y]
    py = p[np.arange(len(y)), y][:, None]
    if name == "gce":
        return py ** kw["q"] * (p - onehot)  # p_y^q times the CE gradient
    if name == "mae":
        return 2 * py * (p - onehot)
    if name == "sce":
        return kw["alpha"] * (p - onehot) + kw["beta"] * (-kw["A"]) * py * (p - onehot)
    if name == "forward":
        T = kw["T"]
        r_y = (p @ T)[np.arange(len(y)), y][:, None]
        return p - p * T[:, y].T / r_y
    raise KeyError(name)


@pytest.mark.parametrize(
    "name, factory, kw",
    [
        ("gce", nz.gce_loss, {"q": 0.7}),
        ("gce", nz.gce_loss, {"q": 1.0}),
        ("mae", nz.mae_loss, {}),
        ("sce", nz.sce_loss, {"alpha": 0.1, "beta": 1.0, "A": -4.0}),
        ("forward", nz.forward_corrected_loss, {"T": nz.transition_matrix("symmetric", 0.4, 6)}),
        ("forward", nz.forward_corrected_loss, {"T": nz.transition_matrix("pair", 0.3, 6)}),
    ],
)
def test_torch_loss_gradients_match_the_analytic_gradients(name, factory, kw):
    x, y = logits_and_target()
    xt = torch.from_numpy(x).requires_grad_()
    factory(**kw, reduction="sum")(xt, torch.from_numpy(y)).backward()
    expected = analytic_grad(name, xb.softmax(x, axis=1), y, **kw)
    np.testing.assert_allclose(xt.grad.numpy(), expected, rtol=1e-10, atol=1e-14)


def test_gce_gradient_tends_to_the_cross_entropy_gradient_as_q_tends_to_zero():
    x, y = logits_and_target()
    a = torch.from_numpy(x).requires_grad_()
    b = torch.from_numpy(x).requires_grad_()
    nz.gce_loss(1e-9, "sum")(a, torch.from_numpy(y)).backward()
    F.cross_entropy(b, torch.from_numpy(y), reduction="sum").backward()
    np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), atol=1e-6)


def test_forward_corrected_loss_with_identity_has_the_cross_entropy_gradient():
    x, y = logits_and_target()
    a = torch.from_numpy(x).requires_grad_()
    b = torch.from_numpy(x).requires_grad_()
    nz.forward_corrected_loss(np.eye(6))(a, torch.from_numpy(y)).backward()
    F.cross_entropy(b, torch.from_numpy(y)).backward()
    np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), rtol=1e-12, atol=1e-16)


def test_torch_losses_work_in_float32():
    x, y = logits_and_target()
    xt = torch.from_numpy(x.astype(np.float32))
    out = nz.forward_corrected_loss(nz.transition_matrix("symmetric", 0.2, 6))(xt, torch.from_numpy(y))
    assert out.dtype == torch.float32


# ------------------------------------------------------------------ errors


@pytest.mark.parametrize("q", [0.0, -0.5, 1.5, float("nan")])
def test_gce_rejects_q_outside_zero_one(q):
    x, y = logits_and_target()
    with pytest.raises(ValueError, match="q"):
        nz.generalized_cross_entropy(x, y, q=q)
    with pytest.raises(ValueError, match="q"):
        nz.gce_loss(q)


@pytest.mark.parametrize(
    "fn",
    [
        nz.generalized_cross_entropy,
        nz.mean_absolute_error_loss,
        nz.symmetric_cross_entropy,
        lambda x, y: nz.forward_corrected_cross_entropy(x, y, np.eye(6)),
    ],
)
def test_losses_reject_labels_out_of_range_and_bad_shapes(fn):
    x, y = logits_and_target()
    with pytest.raises(ValueError, match="target"):
        fn(x, np.where(y == 0, 6, y) if (y == 0).any() else np.r_[y[:-1], 6])
    with pytest.raises(ValueError, match="target"):
        fn(x, y[:-1])
    with pytest.raises(ValueError, match="logits"):
        fn(x[0], y[0])
    with pytest.raises(ValueError, match="logits"):
        fn(np.where(x > 0, np.nan, x), y)


@pytest.mark.parametrize(
    "T, match",
    [
        (np.eye(5), r"\(6, 6\)"),
        (np.full((6, 6), 0.2), "row-stochastic"),
        (np.eye(6)[:, :5], "square"),
    ],
)
def test_forward_correction_rejects_T_of_the_wrong_shape_or_not_row_stochastic(T, match):
    x, y = logits_and_target()
    with pytest.raises(ValueError, match=match):
        nz.forward_corrected_cross_entropy(x, y, T)
    if T.shape[0] == T.shape[1] and match != r"\(6, 6\)":
        with pytest.raises(ValueError, match=match):
            nz.forward_corrected_loss(T)
    with pytest.raises(ValueError, match="logits"):
        nz.forward_corrected_loss(np.eye(5))(torch.zeros(2, 6), torch.tensor([0, 1]))


@pytest.mark.parametrize(
    "kwargs, match",
    [({"alpha": -0.1}, "alpha"), ({"beta": -1.0}, "beta"), ({"A": 0.0}, "A"), ({"A": float("inf")}, "A")],
)
def test_sce_rejects_bad_hyperparameters(kwargs, match):
    x, y = logits_and_target()
    with pytest.raises(ValueError, match=match):
        nz.symmetric_cross_entropy(x, y, **kwargs)
    with pytest.raises(ValueError, match=match):
        nz.sce_loss(**kwargs)


def test_losses_reject_bad_reduction():
    x, y = logits_and_target()
    with pytest.raises(ValueError, match="reduction"):
        nz.mean_absolute_error_loss(x, y, reduction="batchmean")
    with pytest.raises(ValueError, match="reduction"):
        nz.mae_loss(reduction="avg")


# ------------------------------------------------------------------ independent references
# Written with torch and scipy alone (no xent_book function on the reference side), following each
# paper's own code: the package's NumPy and torch losses share their formulas, so comparing the two
# with each other cannot catch a wrong formula.


def _independent_inputs(seed, n=12, c=5):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, c)) * rng.choice([0.5, 3.0, 20.0])
    y = rng.integers(0, c, size=n)
    return x, y, torch.from_numpy(x), torch.from_numpy(y)


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("q", [0.1, 0.7, 1.0])
def test_gce_matches_zhang_and_sabuncus_code(seed, q):
    x, y, xt, yt = _independent_inputs(seed)
    Yg = torch.gather(
        F.softmax(xt, dim=1), 1, yt.unsqueeze(1)
    )  # their truncated-loss code, without truncation
    ref = ((1 - Yg**q) / q).mean().item()
    assert float(nz.generalized_cross_entropy(x, y, q=q)) == pytest.approx(ref, rel=1e-9, abs=1e-15)


@pytest.mark.parametrize("seed", range(4))
def test_mae_matches_the_l1_distance_computed_with_scipy(seed):
    from scipy.special import softmax

    x, y, _, _ = _independent_inputs(seed)
    onehot = (np.arange(x.shape[1]) == y[:, None]).astype(float)
    ref = np.abs(softmax(x, axis=1) - onehot).sum(axis=1)
    np.testing.assert_allclose(
        nz.mean_absolute_error_loss(x, y, reduction="none"), ref, rtol=1e-9, atol=1e-15
    )


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("alpha, beta, A", [(0.1, 1.0, -4.0), (1.0, 0.5, np.log(1e-4))])
def test_sce_matches_wang_et_als_code(seed, alpha, beta, A):
    # Wang et al. (2019), official SCELoss: the one-hot label is clamped at exp(A) before the log
    x, y, xt, yt = _independent_inputs(seed)
    c = x.shape[1]
    ce = F.cross_entropy(xt, yt)
    pred = F.softmax(xt, dim=1)
    label = torch.clamp(F.one_hot(yt, c).double(), min=float(np.exp(A)), max=1.0)
    rce = -torch.sum(pred * torch.log(label), dim=1)
    ref = (alpha * ce + beta * rce.mean()).item()
    got = float(nz.symmetric_cross_entropy(x, y, alpha=alpha, beta=beta, A=A))
    assert got == pytest.approx(ref, rel=1e-9)


@pytest.mark.parametrize("seed", range(4))
def test_forward_correction_matches_patrini_et_als_product(seed):
    # Patrini et al. (2017): p(noisy | x) = softmax(f(x)) @ T, then the negative log-likelihood
    x, y, xt, yt = _independent_inputs(seed, c=4)
    rng = np.random.default_rng(100 + seed)
    T = rng.dirichlet(np.ones(4) * 2, size=4)
    ref = F.nll_loss(torch.log(F.softmax(xt, dim=1) @ torch.from_numpy(T)), yt).item()
    assert float(nz.forward_corrected_cross_entropy(x, y, T)) == pytest.approx(ref, rel=1e-9)


@pytest.mark.parametrize("c", [2, 3, 7])
@pytest.mark.parametrize("rate", [0.0, 0.25, 0.6])
def test_transition_matrices_match_an_entrywise_construction(c, rate):
    sym = [[1 - rate if i == j else rate / (c - 1) for j in range(c)] for i in range(c)]
    pair = [[1 - rate if j == i else (rate if j == (i + 1) % c else 0.0) for j in range(c)] for i in range(c)]
    np.testing.assert_allclose(nz.transition_matrix("symmetric", rate, c), sym, rtol=1e-15, atol=0)
    np.testing.assert_allclose(nz.transition_matrix("pair", rate, c), pair, rtol=1e-15, atol=0)
