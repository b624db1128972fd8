"""xent_book.imbalance against scikit-learn, PyTorch, mpmath and the published formulas."""

import warnings

import mpmath
import numpy as np
import pytest
import torch
import torch.nn.functional as F
from sklearn.metrics import balanced_accuracy_score, recall_score
from sklearn.utils.class_weight import compute_class_weight

import xent_book as xb
from xent_book import imbalance as im

RNG = np.random.default_rng(8)
COUNTS = np.array([5000, 2997, 1796, 1077, 645, 387, 232, 139, 83, 50])


def random_priors(c, rng=RNG):
    p = rng.dirichlet(np.ones(c))
    return p / p.sum()


# ------------------------------------------------------------------ re-export


def test_long_tailed_counts_is_the_data_modules_function():
    assert im.long_tailed_counts is xb.data.long_tailed_counts
    assert im.long_tailed_counts(10, 100, 5000).tolist() == COUNTS.tolist()


# ------------------------------------------------------------------ class weights


def test_inverse_frequency_weights_are_proportional_to_sklearn_balanced_weights_and_sum_to_C():
    y = np.repeat(np.arange(len(COUNTS)), COUNTS)
    sk = compute_class_weight("balanced", classes=np.arange(len(COUNTS)), y=y)  # N / (C n_c)
    w = im.inverse_frequency_weights(COUNTS)
    np.testing.assert_allclose(w, sk * len(COUNTS) / sk.sum(), rtol=1e-14)
    assert w.sum() == pytest.approx(len(COUNTS), rel=1e-14)
    np.testing.assert_allclose(w[-1] / w[0], 5000 / 50, rtol=1e-14)


def test_inverse_frequency_weights_of_a_balanced_set_are_ones():
    np.testing.assert_array_equal(im.inverse_frequency_weights([7, 7, 7]), np.ones(3))


@pytest.mark.parametrize("beta", [0.5, 0.9, 0.99, 0.999, 0.9999, 1 - 1e-9])
def test_class_balanced_weights_match_cui_formula_in_high_precision(beta):
    mpmath.mp.dps = 50
    b = mpmath.mpf(beta)
    raw = [(1 - b) / (1 - b ** int(n)) for n in COUNTS]
    total = sum(raw)
    expected = np.array([float(r * len(COUNTS) / total) for r in raw])
    np.testing.assert_allclose(im.class_balanced_weights(COUNTS, beta), expected, rtol=1e-12)


def test_class_balanced_weights_beta_zero_gives_equal_weights():
    np.testing.assert_array_equal(im.class_balanced_weights(COUNTS, 0.0), np.ones(len(COUNTS)))


def test_class_balanced_weights_tend_to_inverse_frequency_as_beta_tends_to_one():
    inv = im.inverse_frequency_weights(COUNTS)
    gaps = [np.max(np.abs(im.class_balanced_weights(COUNTS, 1 - 10.0**-k) - inv)) for k in (2, 4, 6, 8, 10)]
    assert all(a > b for a, b in zip(gaps, gaps[1:]))  # monotone approach
    assert gaps[-1] < 1e-6


def test_class_balanced_weights_interpolate_between_equal_and_inverse_frequency():
    ratios = [
        im.class_balanced_weights(COUNTS, b)[-1] / im.class_balanced_weights(COUNTS, b)[0]
        for b in (0.0, 0.9, 0.99, 0.999, 0.9999)
    ]
    assert ratios[0] == 1.0
    assert all(a < b for a, b in zip(ratios, ratios[1:]))
    assert ratios[-1] < 5000 / 50


@pytest.mark.parametrize("beta", [-0.1, 1.0, 1.5, float("nan")])
def test_class_balanced_weights_reject_beta_outside_unit_interval(beta):
    with pytest.raises(ValueError, match="beta"):
        im.class_balanced_weights(COUNTS, beta)


@pytest.mark.parametrize(
    "fn",
    [im.inverse_frequency_weights, lambda c: im.class_balanced_weights(c, 0.9), im.class_priors_from_counts],
)
@pytest.mark.parametrize("counts", [[10, 0, 3], [10, -1, 3], [], [[1, 2]], [1, float("inf")]])
def test_weights_reject_bad_counts(fn, counts):
    with pytest.raises(ValueError, match="counts"):
        fn(counts)


def test_class_priors_from_counts():
    np.testing.assert_allclose(im.class_priors_from_counts([1, 3]), [0.25, 0.75])


# ------------------------------------------------------------------ logit adjustment


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("tau", [0.0, 0.5, 1.0, 2.0])
def test_logit_adjusted_cross_entropy_matches_torch_cross_entropy_on_shifted_logits(tau, reduction):
    n, c = 16, 6
    x = RNG.normal(size=(n, c)) * 3
    y = RNG.integers(0, c, size=n)
    pi = random_priors(c)
    ref = F.cross_entropy(
        torch.from_numpy(x) + tau * torch.log(torch.from_numpy(pi)), torch.from_numpy(y), reduction=reduction
    )
    ours = im.logit_adjusted_cross_entropy(x, y, pi, tau=tau, reduction=reduction)
    np.testing.assert_allclose(ours, ref.numpy(), rtol=1e-12, atol=1e-14)
    # the training loss computes the same thing
    torch_loss = im.logit_adjusted_loss(pi, tau=tau, reduction=reduction)(
        torch.from_numpy(x), torch.from_numpy(y)
    )
    np.testing.assert_allclose(torch_loss.numpy(), ours, rtol=1e-12, atol=1e-14)


def test_logit_adjusted_cross_entropy_handles_spatial_and_unbatched_inputs():
    pi = random_priors(4)
    x = RNG.normal(size=(3, 4, 5))
    y = RNG.integers(0, 4, size=(3, 5))
    ref = F.cross_entropy(
        torch.from_numpy(x) + torch.log(torch.from_numpy(pi))[None, :, None], torch.from_numpy(y)
    )
    np.testing.assert_allclose(im.logit_adjusted_cross_entropy(x, y, pi), ref.numpy(), rtol=1e-12)
    x1 = RNG.normal(size=4)
    ref1 = F.cross_entropy(torch.from_numpy(x1) + torch.log(torch.from_numpy(pi)), torch.tensor(2))
    np.testing.assert_allclose(im.logit_adjusted_cross_entropy(x1, 2, pi), ref1.numpy(), rtol=1e-12)


def test_logit_adjusted_cross_entropy_with_uniform_priors_is_cross_entropy():
    x = RNG.normal(size=(8, 5))
    y = RNG.integers(0, 5, size=8)
    np.testing.assert_allclose(
        im.logit_adjusted_cross_entropy(x, y, np.full(5, 0.2)), xb.cross_entropy(x, y), rtol=1e-13
    )


def test_logit_adjusted_cross_entropy_keeps_float32():
    x = RNG.normal(size=(8, 5)).astype(np.float32)
    y = RNG.integers(0, 5, size=8)
    pi = random_priors(5)
    out = im.logit_adjusted_cross_entropy(x, y, pi, reduction="none")
    assert out.dtype == np.float32
    ref = F.cross_entropy(
        torch.from_numpy(x) + torch.log(torch.from_numpy(pi)).float(), torch.from_numpy(y), reduction="none"
    )
    np.testing.assert_allclose(out, ref.numpy(), rtol=2e-6)


def test_logit_adjusted_loss_gradient_is_softmax_of_adjusted_logits_minus_onehot():
    pi = random_priors(5)
    x = torch.from_numpy(RNG.normal(size=(6, 5))).requires_grad_()
    y = torch.from_numpy(RNG.integers(0, 5, size=6))
    im.logit_adjusted_loss(pi, tau=1.0, reduction="sum")(x, y).backward()
    q = torch.softmax(x.detach() + torch.log(torch.from_numpy(pi)), dim=1)
    np.testing.assert_allclose(x.grad.numpy(), (q - F.one_hot(y, 5)).numpy(), rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize(
    "priors, match",
    [
        ([0.5, 0.4, 0.2], "to sum to 1"),
        ([0.5, 0.5, 0.0], "> 0"),
        ([1.2, -0.2, 0.0], r"probabilities in \[0, 1\]"),
        ([1.7e308, 1.7e308], r"probabilities in \[0, 1\]"),  # once an overflow warning in the sum
        ([[0.5, 0.5]], "1-D"),
        ([0.5, float("nan"), 0.5], "NaN"),
    ],
)
def test_logit_adjustment_rejects_bad_priors(priors, match):
    x = RNG.normal(size=(2, 3))
    with pytest.raises(ValueError, match=match):
        im.logit_adjusted_cross_entropy(x, [0, 1], priors)
    with pytest.raises(ValueError, match="class_priors"):
        im.posthoc_logit_adjustment(x, priors)
    with pytest.raises(ValueError, match="class_priors"):
        im.logit_adjusted_loss(priors)


def test_logit_adjustment_rejects_prior_count_that_differs_from_class_count():
    with pytest.raises(ValueError, match="class_priors: has 4 entries"):
        im.logit_adjusted_cross_entropy(np.zeros((2, 3)), [0, 1], np.full(4, 0.25))
    with pytest.raises(ValueError, match="class_priors: has 4 entries"):
        im.posthoc_logit_adjustment(np.zeros((2, 3)), np.full(4, 0.25))
    with pytest.raises(ValueError, match="logits"):
        im.logit_adjusted_loss(np.full(4, 0.25))(torch.zeros(2, 3), torch.tensor([0, 1]))


@pytest.mark.parametrize("tau", [float("nan"), float("inf")])
def test_logit_adjustment_rejects_non_finite_tau(tau):
    with pytest.raises(ValueError, match="tau"):
        im.posthoc_logit_adjustment(np.zeros((2, 3)), np.full(3, 1 / 3), tau=tau)


def test_logit_adjusted_cross_entropy_rejects_bad_reduction_and_targets():
    with pytest.raises(ValueError, match="reduction"):
        im.logit_adjusted_cross_entropy(np.zeros((2, 3)), [0, 1], np.full(3, 1 / 3), reduction="avg")
    with pytest.raises(ValueError, match="target"):
        im.logit_adjusted_cross_entropy(np.zeros((2, 3)), [0, 3], np.full(3, 1 / 3))


def test_posthoc_logit_adjustment_subtracts_tau_log_prior_and_favours_the_tail():
    pi = im.class_priors_from_counts(COUNTS)
    x = RNG.normal(size=(5, 10))
    for tau in (0.0, 1.0, 1.5):
        np.testing.assert_allclose(
            im.posthoc_logit_adjustment(x, pi, tau=tau), x - tau * np.log(pi)[None, :], rtol=1e-15, atol=1e-15
        )
    # equal logits: the rarest class wins after the adjustment
    assert int(np.argmax(im.posthoc_logit_adjustment(np.zeros(10), pi))) == 9
    assert im.posthoc_logit_adjustment(x.astype(np.float32), pi).dtype == np.float32


def test_posthoc_adjustment_of_a_prior_trained_bayes_classifier_recovers_the_balanced_one():
    # p(y|x) = p(x|y) pi_y / Z: subtracting log pi from log p(y|x) leaves log p(x|y) up to a constant.
    pi = im.class_priors_from_counts(COUNTS)
    log_lik = RNG.normal(size=(50, 10))
    logits = log_lik + np.log(pi)
    np.testing.assert_array_equal(im.posthoc_logit_adjustment(logits, pi).argmax(1), log_lik.argmax(1))


# ------------------------------------------------------------------ focal loss for training


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("gamma", [0.0, 0.5, 1.0, 2.0, 5.0])
@pytest.mark.parametrize("with_alpha", [False, True])
def test_focal_ce_loss_matches_the_numpy_focal_loss(gamma, reduction, with_alpha):
    n, c = 12, 5
    x = RNG.normal(size=(n, c)) * 4
    y = RNG.integers(0, c, size=n)
    alpha = RNG.uniform(0.1, 2.0, size=c) if with_alpha else None
    ours = im.focal_ce_loss(gamma=gamma, alpha=alpha, reduction=reduction)(
        torch.from_numpy(x), torch.from_numpy(y)
    )
    np.testing.assert_allclose(
        ours.numpy(),
        xb.focal_loss(x, y, gamma=gamma, alpha=alpha, reduction=reduction),
        rtol=1e-12,
        atol=1e-15,
    )


def test_focal_ce_loss_with_gamma_zero_is_cross_entropy_value_and_gradient():
    x = torch.from_numpy(RNG.normal(size=(7, 4))).requires_grad_()
    y = torch.from_numpy(RNG.integers(0, 4, size=7))
    loss = im.focal_ce_loss(gamma=0.0)(x, y)
    loss.backward()
    x2 = x.detach().clone().requires_grad_()
    ref = F.cross_entropy(x2, y)
    ref.backward()
    assert loss.item() == pytest.approx(ref.item(), rel=1e-14)
    np.testing.assert_allclose(x.grad.numpy(), x2.grad.numpy(), rtol=1e-12, atol=1e-16)


def test_focal_ce_loss_gradient_matches_the_analytic_formula():
    # d/dz of -(1-p)^g log p_y = (1-p)^g [1 - g p log p / (1-p)] (p_vec - e_y)... checked via p_y-chain rule:
    # dl/dp_y = g (1-p)^(g-1) log p - (1-p)^g / p ; dp_y/dz = p_y (e_y - p)
    g = 2.0
    x = torch.from_numpy(RNG.normal(size=(6, 5))).requires_grad_()
    y = torch.from_numpy(RNG.integers(0, 5, size=6))
    im.focal_ce_loss(gamma=g, reduction="sum")(x, y).backward()
    p = torch.softmax(x.detach(), 1)
    py = p.gather(1, y[:, None])
    dl_dpy = g * (1 - py) ** (g - 1) * torch.log(py) - (1 - py) ** g / py
    expected = dl_dpy * py * (F.one_hot(y, 5) - p)
    np.testing.assert_allclose(x.grad.numpy(), expected.numpy(), rtol=1e-10, atol=1e-14)


@pytest.mark.parametrize("gamma", [0.0, 0.5, 1.0, 2.0])
@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_focal_ce_loss_is_finite_for_confident_predictions(gamma, dtype):
    # row 0: p_y rounds to exactly 1 (loss 0, gradient 0); row 1: confidently wrong
    x = torch.tensor([[800.0, 0.0, 0.0], [0.0, 60.0, 0.0]], dtype=dtype, requires_grad=True)
    loss = im.focal_ce_loss(gamma=gamma, reduction="none")(x, torch.tensor([0, 0]))
    loss.sum().backward()
    assert torch.isfinite(loss).all() and torch.isfinite(x.grad).all()
    assert loss[0].item() == 0.0 and torch.all(x.grad[0] == 0)
    np.testing.assert_allclose(
        loss[1].item(), xb.focal_loss(x.detach().double().numpy()[1:], [0], gamma=gamma), rtol=1e-6
    )


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"gamma": -1.0}, "gamma"),
        ({"gamma": float("nan")}, "gamma"),
        ({"alpha": [[1.0, 2.0]]}, "alpha"),
        ({"alpha": [1.0, np.inf]}, "alpha"),
        ({"reduction": "avg"}, "reduction"),
    ],
)
def test_focal_ce_loss_rejects_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        im.focal_ce_loss(**kwargs)


# ------------------------------------------------------------------ metrics


@pytest.mark.parametrize("trial", range(5))
def test_per_class_recall_and_balanced_accuracy_match_sklearn(trial):
    rng = np.random.default_rng(trial)
    c = 7
    y_true = rng.integers(0, c, size=200)
    y_pred = np.where(rng.random(200) < 0.6, y_true, rng.integers(0, c, size=200))
    np.testing.assert_allclose(
        im.per_class_recall(y_true, y_pred, c),
        recall_score(y_true, y_pred, labels=np.arange(c), average=None),
        rtol=1e-15,
    )
    assert im.balanced_accuracy(y_true, y_pred) == pytest.approx(
        balanced_accuracy_score(y_true, y_pred), rel=1e-15
    )


def test_metrics_with_a_class_missing_from_y_true_agree_with_sklearn():
    y_true = np.array([0, 0, 1, 1, 1, 3])
    y_pred = np.array([0, 2, 1, 1, 0, 2])
    r = im.per_class_recall(y_true, y_pred, num_classes=4)
    ref = recall_score(y_true, y_pred, labels=np.arange(4), average=None, zero_division=np.nan)
    np.testing.assert_array_equal(np.isnan(r), np.isnan(ref))
    np.testing.assert_allclose(r[~np.isnan(r)], ref[~np.isnan(ref)])
    assert im.per_class_recall(y_true, y_pred, num_classes=4, zero_division=0.0)[2] == 0.0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # sklearn warns that y_pred has a class not in y_true
        ref_ba = balanced_accuracy_score(y_true, y_pred)
    assert im.balanced_accuracy(y_true, y_pred) == pytest.approx(ref_ba, rel=1e-15)


def test_balanced_accuracy_equals_accuracy_on_a_balanced_test_set_and_not_on_an_imbalanced_one():
    y_true = np.repeat(np.arange(4), 25)
    y_pred = np.where(RNG.random(100) < 0.7, y_true, 0)
    assert im.balanced_accuracy(y_true, y_pred) == pytest.approx(np.mean(y_true == y_pred), rel=1e-15)
    y_lt = np.array([0] * 90 + [1] * 10)
    assert im.balanced_accuracy(y_lt, np.zeros(100, dtype=int)) == 0.5  # accuracy would be 0.9


@pytest.mark.parametrize(
    "y_true, y_pred, exc, match",
    [
        ([0, 1, 2], [0, 1], ValueError, "y_pred"),
        ([[0, 1]], [[0, 1]], ValueError, "1-D"),
        ([0, 1, 5], [0, 1, 2], ValueError, "y_true"),
        ([0, 1, 2], [0, -1, 2], ValueError, "y_pred"),
        ([0.0, 1.0], [0, 1], TypeError, "y_true"),
        ([], [], ValueError, "y_true"),
    ],
)
def test_metrics_reject_bad_labels(y_true, y_pred, exc, match):
    with pytest.raises(exc, match=match):
        im.per_class_recall(
            np.asarray(y_true, dtype=float if exc is TypeError else int),
            np.asarray(y_pred, dtype=int),
            num_classes=3,
        )


# ------------------------------------------------------------------ re-sampling


@pytest.mark.parametrize("power", [0.0, 0.5, 1.0])
def test_class_balanced_sample_weights_give_class_mass_proportional_to_count_power(power):
    y = np.repeat(np.arange(len(COUNTS)), COUNTS)
    w = im.class_balanced_sample_weights(y, power=power)
    assert w.shape == y.shape and w.sum() == pytest.approx(1.0, rel=1e-14)
    mass = np.bincount(y, weights=w)
    expected = COUNTS ** (1.0 - power)
    np.testing.assert_allclose(mass, expected / expected.sum(), rtol=1e-12)


def test_balanced_resample_indices_are_deterministic_and_roughly_balanced():
    y = np.repeat(np.arange(len(COUNTS)), COUNTS)
    idx = im.balanced_resample_indices(y, seed=3)
    np.testing.assert_array_equal(idx, im.balanced_resample_indices(y, seed=3))
    assert not np.array_equal(idx, im.balanced_resample_indices(y, seed=4))
    freq = np.bincount(y[idx], minlength=10) / len(idx)
    se = np.sqrt(0.1 * 0.9 / len(idx))
    assert np.all(np.abs(freq - 0.1) < 5 * se)
    assert len(im.balanced_resample_indices(y, num_samples=100)) == 100


def test_resampling_rejects_bad_arguments():
    with pytest.raises(ValueError, match="power"):
        im.class_balanced_sample_weights([0, 1], power=1.5)
    with pytest.raises(ValueError, match="labels"):
        im.class_balanced_sample_weights([0, 1, 4], num_classes=3)
    with pytest.raises(ValueError, match="num_samples"):
        im.balanced_resample_indices([0, 1], num_samples=0)


# ------------------------------------------------------------------ many remedies at once


def _small_problem(n=40, d=3, c=4, seed=0):
    rng = np.random.default_rng(seed)
    X, y = rng.normal(size=(n, d)), np.arange(n) % c
    y[: n // 2] = 0  # imbalanced
    return X, y, 0.1 * rng.normal(size=(d, c)), 0.1 * rng.normal(size=c)


def _alone(X, y, W0, b0, loss_fn, steps, lr, optimizer):
    """One torch.nn.Linear trained by itself with a PyTorch loss: the reference."""
    lin = torch.nn.Linear(W0.shape[0], W0.shape[1], dtype=torch.float64)
    with torch.no_grad():
        lin.weight.copy_(torch.from_numpy(W0.T))
        lin.bias.copy_(torch.from_numpy(b0))
    opt = (
        torch.optim.Adam(lin.parameters(), lr=lr)
        if optimizer == "adam"
        else torch.optim.SGD(lin.parameters(), lr=lr)
    )
    Xt, yt = torch.from_numpy(X), torch.from_numpy(y)
    for _ in range(steps):
        opt.zero_grad()
        loss_fn(lin(Xt), yt).backward()
        opt.step()
    return lin.weight.detach().numpy().T, lin.bias.detach().numpy()


@pytest.mark.parametrize("optimizer, lr", [("adam", 0.05), ("gd", 0.5)])
def test_fit_linear_remedies_matches_each_pytorch_loss_trained_alone(optimizer, lr):
    X, y, W0, b0 = _small_problem()
    counts = np.bincount(y, minlength=4).astype(float)
    w, pri = im.inverse_frequency_weights(counts), im.class_priors_from_counts(counts)
    idx = im.balanced_resample_indices(y, seed=3)
    drawn = np.bincount(idx, minlength=len(y)).astype(float)
    wt = torch.from_numpy(w)
    remedies = {
        "ce": ({}, F.cross_entropy, X, y),
        "weights": ({"sample_weight": w[y]}, lambda z, t: F.cross_entropy(z, t, weight=wt), X, y),
        "resampled": ({"sample_weight": drawn}, F.cross_entropy, X[idx], y[idx]),
        "focal": ({"gamma": 2.0}, im.focal_ce_loss(gamma=2.0), X, y),
        "focal alpha": (
            {"sample_weight": w[y], "gamma": 0.5, "divide_by_weight": False},
            im.focal_ce_loss(gamma=0.5, alpha=w),
            X,
            y,
        ),
        "logit-adjusted": ({"logit_offset": 1.5 * np.log(pri)}, im.logit_adjusted_loss(pri, tau=1.5), X, y),
    }
    fit = im.fit_linear_remedies(
        X,
        y,
        {k: v[0] for k, v in remedies.items()},
        W0,
        b0,
        steps=15,
        lr=lr,
        optimizer=optimizer,
        X_eval=X[:5],
    )
    for m, (_, loss_fn, Xm, ym) in enumerate(remedies.values()):
        W, b = _alone(Xm, ym, W0, b0, loss_fn, 15, lr, optimizer)
        np.testing.assert_allclose(fit["weight"][m], W, rtol=1e-10, atol=1e-12)
        np.testing.assert_allclose(fit["bias"][m], b, rtol=1e-10, atol=1e-12)
        np.testing.assert_allclose(fit["eval_logits"][-1, m], X[:5] @ W + b, rtol=1e-10, atol=1e-12)
        np.testing.assert_allclose(fit["train_logits"][-1, m], X @ W + b, rtol=1e-10, atol=1e-12)


def test_fit_linear_remedies_records_the_requested_steps_and_shapes():
    X, y, W0, _ = _small_problem()
    fit = im.fit_linear_remedies(
        X, y, {"a": {}, "b": {"gamma": 1.0}}, W0, steps=4, record_at=[1, 4], X_eval=X[:3]
    )
    assert fit["train_logits"].shape == (2, 2, 40, 4) and fit["eval_logits"].shape == (2, 2, 3, 4)
    assert fit["weight"].shape == (2, 3, 4) and fit["bias"].shape == (2, 4)
    one = im.fit_linear_remedies(X, y, {"a": {}}, W0, steps=1)  # edge: one step, zero start bias
    W, b = _alone(X, y, W0, np.zeros(4), F.cross_entropy, 1, 0.1, "adam")
    np.testing.assert_allclose(one["weight"][0], W, rtol=1e-12)
    np.testing.assert_allclose(fit["train_logits"][1], fit["train_logits"][1])  # finite, no NaN
    assert "eval_logits" not in one and one["train_logits"].shape == (1, 1, 40, 4)


@pytest.mark.parametrize(
    "change, exc, match",
    [
        ({"remedies": []}, TypeError, "remedies"),
        ({"remedies": {}}, ValueError, "remedies"),
        ({"remedies": {"a": {"bogus": 1}}}, ValueError, "unknown settings"),
        ({"remedies": {"a": {"sample_weight": -np.ones(40)}}}, ValueError, "non-negative"),
        ({"remedies": {"a": {"sample_weight": np.zeros(40)}}}, ValueError, "positive, finite sum"),
        ({"remedies": {"a": {"sample_weight": np.ones(39)}}}, ValueError, "sample_weight"),
        ({"remedies": {"a": {"gamma": 101.0}}}, ValueError, "gamma"),
        ({"remedies": {"a": {"divide_by_weight": 1}}}, TypeError, "divide_by_weight"),
        ({"remedies": {"a": {"logit_offset": np.ones(5)}}}, ValueError, "logit_offset"),
        ({"y": np.arange(40) % 5}, ValueError, "y"),
        ({"X": np.ones((40, 2))}, ValueError, "X"),
        ({"steps": 0}, ValueError, "steps"),
        ({"lr": -1.0}, ValueError, "lr"),
        ({"optimizer": "sgd"}, ValueError, "optimizer"),
        ({"record_at": [2, 1]}, ValueError, "record_at"),
        ({"record_at": [1, 9]}, ValueError, "record_at"),
        ({"record_at": [1.0]}, TypeError, "record_at"),
    ],
)
def test_fit_linear_remedies_rejects_bad_arguments(change, exc, match):
    X, y, W0, _ = _small_problem()
    kw = dict(X=X, y=y, remedies={"a": {}}, init_weight=W0, steps=3) | change
    with pytest.raises(exc, match=match):
        im.fit_linear_remedies(**kw)


def test_fit_linear_remedies_refuses_logits_that_overflow():
    X, y, W0, _ = _small_problem()
    with pytest.raises(ValueError, match="init_weight, init_bias, remedies, lr"):
        im.fit_linear_remedies(X * 1e160, y, {"a": {}}, W0 * 1e160, steps=2)
