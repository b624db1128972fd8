"""The losses in xent_book.losses against torch.nn.functional (and torchvision's focal-loss formula)."""

import zlib

import numpy as np
import pytest
import torch
import torch.nn.functional as F

import xent_book as xb

REDUCTIONS = ["mean", "sum", "none"]


def T(a):
    return None if a is None else torch.from_numpy(np.asarray(a))


def torch_ce(x, t, **kw):
    kw = {k: T(v) if k == "weight" else v for k, v in kw.items()}
    X = torch.tensor(x, dtype=torch.float64, requires_grad=True)
    loss = F.cross_entropy(X, T(t), **kw)
    loss.sum().backward()
    return loss.detach().numpy(), X.grad.numpy()


@pytest.fixture
def rng(request):
    """A generator seeded by the test's own id: each test's data is fixed, whatever runs before it."""
    return np.random.default_rng(zlib.crc32(request.node.nodeid.encode()))


def random_case(rng, shape, num_classes, ignore=False):
    """Logits of shape (N, C, d...) and class indices of shape (N, d...)."""
    x = rng.normal(size=(shape[0], num_classes) + shape[1:]) * 3
    t = rng.integers(0, num_classes, size=shape)
    if ignore:
        t.flat[::3] = -100
    return x, t


CASES = [((8,), 5), ((4, 3), 4), ((2, 3, 2), 3), ((6,), 1)]


# --- cross_entropy with class indices ---------------------------------------------------


@pytest.mark.parametrize("shape,num_classes", CASES)
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("smoothing", [0.0, 0.1, 1.0])
@pytest.mark.parametrize("ignore", [False, True])
def test_cross_entropy_and_its_gradient_match_torch(
    rng, shape, num_classes, reduction, weighted, smoothing, ignore
):
    x, t = random_case(rng, shape, num_classes, ignore)
    kw = dict(reduction=reduction, label_smoothing=smoothing)
    if weighted:
        kw["weight"] = rng.uniform(0.2, 3.0, size=num_classes)
    loss, grad = torch_ce(x, t, **kw)
    np.testing.assert_allclose(xb.cross_entropy(x, t, **kw), loss, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(xb.cross_entropy_grad(x, t, **kw), grad, rtol=1e-10, atol=1e-14)


def test_unbatched_input_gives_a_scalar_like_torch(rng):
    x = rng.normal(size=4)
    for reduction in REDUCTIONS:
        ours = xb.cross_entropy(x, 2, reduction=reduction)
        theirs = F.cross_entropy(T(x), torch.tensor(2), reduction=reduction).numpy()
        assert ours.shape == theirs.shape == ()
        np.testing.assert_allclose(ours, theirs, rtol=1e-13)
    np.testing.assert_allclose(xb.cross_entropy_grad(x, 2), torch_ce(x, np.int64(2))[1], rtol=1e-12)


def test_weighted_mean_divides_by_the_sum_of_target_weights_not_by_n():
    x = np.zeros((2, 2))
    t = np.array([0, 1])
    w = np.array([1.0, 3.0])
    # both per-element losses are log 2; weighted sum = 4 log 2; divide by 1 + 3
    assert xb.cross_entropy(x, t, weight=w) == pytest.approx(np.log(2))
    assert xb.cross_entropy(x, t, weight=w, reduction="sum") == pytest.approx(4 * np.log(2))


def test_smoothing_weights_each_class_by_its_own_weight():
    # PyTorch issue 104776: the smoothing term uses w[c], not w[y]
    x = np.array([[0.0, 1.0, 2.0]])
    w = np.array([1.0, 2.0, 5.0])
    logp = xb.log_softmax(x)[0]
    expected_sum = 0.9 * (-w[0] * logp[0]) + 0.1 / 3 * -(w * logp).sum()
    assert xb.cross_entropy(x, [0], weight=w, label_smoothing=0.1, reduction="sum") == pytest.approx(
        expected_sum
    )
    assert xb.cross_entropy(x, [0], weight=w, label_smoothing=0.1) == pytest.approx(expected_sum / w[0])


@pytest.mark.parametrize("smoothing", [0.0, 0.2])
def test_all_ignored_batch_gives_nan_mean_zero_sum_and_zero_gradient(rng, smoothing):
    x = rng.normal(size=(4, 3))
    t = np.full(4, -100)
    with torch.no_grad():
        assert np.isnan(F.cross_entropy(T(x), T(t), label_smoothing=smoothing).item())
    assert np.isnan(xb.cross_entropy(x, t, label_smoothing=smoothing))
    assert xb.cross_entropy(x, t, reduction="sum", label_smoothing=smoothing) == 0.0
    _, grad = torch_ce(x, t, label_smoothing=smoothing)
    np.testing.assert_array_equal(xb.cross_entropy_grad(x, t, label_smoothing=smoothing), grad)


def test_custom_ignore_index_is_honoured(rng):
    x, t = random_case(rng, (6,), 4)
    t[1] = 3
    loss, grad = torch_ce(x, t, ignore_index=3)
    np.testing.assert_allclose(xb.cross_entropy(x, t, ignore_index=3), loss, rtol=1e-13)
    np.testing.assert_allclose(xb.cross_entropy_grad(x, t, ignore_index=3), grad, rtol=1e-12)


@pytest.mark.parametrize("scale", [1e2, 1e4])
def test_extreme_logits_give_finite_loss_and_gradient(scale):
    x = np.array([[scale, -scale, 0.0], [-scale, scale, scale], [0.0, 0.0, -scale]], dtype=np.float32)
    t = np.array([1, 0, 2])
    loss, grad = torch_ce(x.astype(np.float64), t)
    ours = xb.cross_entropy(x, t)
    assert ours.dtype == np.float32 and np.isfinite(ours)
    np.testing.assert_allclose(ours, loss, rtol=1e-6)
    g = xb.cross_entropy_grad(x, t)
    assert np.isfinite(g).all()
    np.testing.assert_allclose(g, grad, rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("dtype,rtol", [(np.float32, 1e-6), (np.float16, 2e-3)])
def test_low_precision_input_keeps_its_dtype(rng, dtype, rtol):
    x, t = random_case(rng, (16,), 5)
    x = x.astype(dtype)
    ours = xb.cross_entropy(x, t)
    assert ours.dtype == dtype
    theirs = F.cross_entropy(torch.from_numpy(x), T(t)).item()
    np.testing.assert_allclose(float(ours), theirs, rtol=rtol)
    assert xb.cross_entropy_grad(x, t).dtype == dtype


def test_ties_give_log_c():
    assert xb.cross_entropy(np.zeros((3, 4)), [0, 1, 2]) == pytest.approx(np.log(4))


# --- cross_entropy with probability targets ----------------------------------------------


@pytest.mark.parametrize("shape,num_classes", CASES[:3])
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("smoothing", [0.0, 0.3])
def test_probability_targets_match_torch(rng, shape, num_classes, reduction, weighted, smoothing):
    x, _ = random_case(rng, shape, num_classes)
    p = xb.softmax(rng.normal(size=x.shape) * 2, axis=1)
    p[0] = 0.0
    p[0, 0] = 1.0  # a one-hot row with zeros
    kw = dict(reduction=reduction, label_smoothing=smoothing)
    if weighted:
        kw["weight"] = rng.uniform(0.2, 3.0, size=num_classes)
    loss, grad = torch_ce(x, p, **kw)
    np.testing.assert_allclose(xb.cross_entropy(x, p, **kw), loss, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(xb.cross_entropy_grad(x, p, **kw), grad, rtol=1e-10, atol=1e-14)


def test_weighted_soft_one_hot_mean_divides_by_n_unlike_class_indices(rng):
    # PyTorch issue 107680, reproduced on purpose
    x = rng.normal(size=(5, 3))
    t = np.array([0, 1, 2, 0, 1])
    w = np.array([1.0, 2.0, 4.0])
    onehot = np.eye(3)[t]
    soft = xb.cross_entropy(x, onehot, weight=w)
    hard = xb.cross_entropy(x, t, weight=w)
    assert soft == pytest.approx(xb.cross_entropy(x, t, weight=w, reduction="sum") / 5)
    assert soft != pytest.approx(hard)


# --- nll_loss ----------------------------------------------------------------------------


@pytest.mark.parametrize("shape,num_classes", CASES)
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_nll_loss_matches_torch(rng, shape, num_classes, reduction):
    x, t = random_case(rng, shape, num_classes, ignore=True)
    logp = xb.log_softmax(x, axis=1)
    w = rng.uniform(0.5, 2.0, size=num_classes)
    theirs = F.nll_loss(T(logp), T(t), weight=T(w), reduction=reduction).numpy()
    np.testing.assert_allclose(xb.nll_loss(logp, t, weight=w, reduction=reduction), theirs, rtol=1e-13)


def test_cross_entropy_is_log_softmax_then_nll_loss(rng):
    x, t = random_case(rng, (10,), 6)
    assert xb.cross_entropy(x, t) == pytest.approx(xb.nll_loss(xb.log_softmax(x), t), rel=1e-14)


# --- binary losses -------------------------------------------------------------------------


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_binary_cross_entropy_matches_torch_including_the_clamp(rng, reduction):
    p = rng.uniform(size=(6, 3))
    y = rng.uniform(size=(6, 3))
    p[0, :] = [0.0, 1.0, 0.0]
    y[0, :] = [1.0, 0.0, 0.0]
    w = rng.uniform(0.5, 2.0, size=3)
    theirs = F.binary_cross_entropy(T(p), T(y), weight=T(w), reduction=reduction).numpy()
    np.testing.assert_allclose(
        xb.binary_cross_entropy(p, y, weight=w, reduction=reduction), theirs, rtol=1e-13
    )


def test_binary_cross_entropy_clamps_each_log_at_minus_100():
    assert xb.binary_cross_entropy([0.0], [1.0]) == pytest.approx(100.0)
    assert xb.binary_cross_entropy([1.0], [1.0]) == 0.0


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("scale", [1.0, 30.0, 1e4])
def test_binary_cross_entropy_with_logits_matches_torch(rng, reduction, scale):
    z = rng.normal(size=(5, 4)) * scale
    y = rng.uniform(size=(5, 4))
    y[0] = [0.0, 1.0, 0.0, 1.0]
    w = rng.uniform(0.5, 2.0, size=(5, 1))
    pw = np.array([1.0, 3.0, 0.5, 10.0])
    theirs = F.binary_cross_entropy_with_logits(
        T(z), T(y), weight=T(w), pos_weight=T(pw), reduction=reduction
    ).numpy()
    ours = xb.binary_cross_entropy_with_logits(z, y, weight=w, pos_weight=pw, reduction=reduction)
    assert np.isfinite(ours).all()
    np.testing.assert_allclose(ours, theirs, rtol=1e-12)


def test_binary_cross_entropy_with_logits_keeps_float16():
    z = np.array([-20.0, 0.0, 9.0], dtype=np.float16)
    y = np.array([1.0, 0.0, 1.0], dtype=np.float16)
    ours = xb.binary_cross_entropy_with_logits(z, y, reduction="none")
    assert ours.dtype == np.float16
    np.testing.assert_allclose(
        ours,
        F.binary_cross_entropy_with_logits(
            torch.from_numpy(z).float(), torch.from_numpy(y).float(), reduction="none"
        ).numpy(),
        rtol=1e-3,
    )


# --- kl_div --------------------------------------------------------------------------------


@pytest.mark.filterwarnings("ignore:reduction. 'mean' divides the total loss")
@pytest.mark.parametrize("reduction", ["mean", "batchmean", "sum", "none"])
@pytest.mark.parametrize("log_target", [False, True])
def test_kl_div_matches_torch(rng, reduction, log_target):
    logq = xb.log_softmax(rng.normal(size=(4, 5)))
    p = xb.softmax(rng.normal(size=(4, 5)))
    if not log_target:  # zeros: 0 log 0 = 0 (torch uses xlogy); see the -inf test below for log targets
        p[0] = [0.0, 0.0, 1.0, 0.0, 0.0]
    target = np.log(p) if log_target else p
    with np.errstate(divide="ignore"):
        theirs = F.kl_div(T(logq), T(target), reduction=reduction, log_target=log_target).numpy()
    np.testing.assert_allclose(
        xb.kl_div(logq, target, reduction=reduction, log_target=log_target), theirs, rtol=1e-13, atol=1e-15
    )


def test_kl_div_log_target_of_minus_inf_contributes_zero_where_torch_gives_nan():
    # exp(-inf) * (-inf - x) is 0 * inf = NaN in PyTorch; the limit p log p -> 0 is the right value
    logq = xb.log_softmax(np.array([[0.0, 1.0]]))
    ours = xb.kl_div(logq, np.array([[-np.inf, 0.0]]), reduction="sum", log_target=True)
    assert ours == pytest.approx(-logq[0, 1])
    assert ours == xb.kl_div(logq, np.array([[0.0, 1.0]]), reduction="sum")


def test_kl_div_batchmean_is_the_mean_kl_divergence(rng):
    q = xb.softmax(rng.normal(size=(6, 4)))
    p = xb.softmax(rng.normal(size=(6, 4)))
    assert xb.kl_div(np.log(q), p, reduction="batchmean") == pytest.approx(
        xb.info.kl_divergence(p, q).mean(), rel=1e-12
    )


# --- focal losses --------------------------------------------------------------------------


def torchvision_sigmoid_focal_loss(inputs, targets, alpha=0.25, gamma=2.0, reduction="none"):
    """torchvision.ops.sigmoid_focal_loss, verbatim (torchvision is not installable beside this torch)."""
    p = torch.sigmoid(inputs)
    ce_loss = F.binary_cross_entropy_with_logits(inputs, targets, reduction="none")
    p_t = p * targets + (1 - p) * (1 - targets)
    loss = ce_loss * ((1 - p_t) ** gamma)
    if alpha >= 0:
        alpha_t = alpha * targets + (1 - alpha) * (1 - targets)
        loss = alpha_t * loss
    if reduction == "mean":
        loss = loss.mean()
    elif reduction == "sum":
        loss = loss.sum()
    return loss


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("alpha,gamma", [(0.25, 2.0), (-1.0, 2.0), (0.5, 0.0), (0.9, 5.0)])
def test_sigmoid_focal_loss_matches_torchvision(rng, reduction, alpha, gamma):
    z = rng.normal(size=(6, 3)) * 4
    y = (rng.uniform(size=(6, 3)) > 0.5).astype(float)
    theirs = torchvision_sigmoid_focal_loss(T(z), T(y), alpha, gamma, reduction).numpy()
    np.testing.assert_allclose(
        xb.sigmoid_focal_loss(z, y, alpha, gamma, reduction), theirs, rtol=1e-12, atol=1e-15
    )


def torch_focal(x, t, gamma, alpha=None, reduction="mean", ignore_index=-100):
    logp = torch.log_softmax(T(x), 1)
    mask = T(t) != ignore_index
    safe = torch.where(mask, T(t), 0)
    logp_t = logp.gather(1, safe.unsqueeze(1)).squeeze(1)
    a = torch.ones_like(logp_t) if alpha is None else T(alpha)[safe]
    loss = -a * (1 - logp_t.exp()) ** gamma * logp_t * mask
    if reduction == "none":
        return loss.numpy()
    return (loss.sum() / (mask.sum() if reduction == "mean" else 1)).numpy()


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("gamma", [0.0, 0.5, 2.0, 5.0])
@pytest.mark.parametrize("use_alpha", [False, True])
def test_focal_loss_matches_its_definition_in_torch(rng, reduction, gamma, use_alpha):
    x, t = random_case(rng, (9,), 4, ignore=True)
    alpha = rng.uniform(0.1, 1.0, size=4) if use_alpha else None
    ours = xb.focal_loss(x, t, gamma=gamma, alpha=alpha, reduction=reduction)
    np.testing.assert_allclose(ours, torch_focal(x, t, gamma, alpha, reduction), rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_focal_loss_with_gamma_zero_is_cross_entropy_ignore_index_included(rng, reduction):
    x, t = random_case(rng, (4, 3), 5, ignore=True)
    np.testing.assert_allclose(
        xb.focal_loss(x, t, gamma=0.0, reduction=reduction),
        xb.cross_entropy(x, t, reduction=reduction),
        rtol=1e-13,
    )


def test_focal_loss_down_weights_easy_examples():
    easy = xb.focal_loss(np.array([[6.0, 0.0]]), [0], gamma=2.0)
    assert easy < 1e-4 * xb.cross_entropy(np.array([[6.0, 0.0]]), [0])


# --- cross_entropy_grad --------------------------------------------------------------------


def test_gradient_is_p_minus_y_without_weights_or_smoothing(rng):
    x, t = random_case(rng, (5,), 4)
    g = xb.cross_entropy_grad(x, t, reduction="sum")
    np.testing.assert_allclose(g, xb.softmax(x) - np.eye(4)[t], rtol=1e-13, atol=1e-16)


def test_gradient_matches_central_finite_differences(rng):
    x, t = random_case(rng, (3, 2), 4, ignore=True)
    w = rng.uniform(0.5, 2.0, size=4)
    kw = dict(weight=w, label_smoothing=0.1)
    g = xb.cross_entropy_grad(x, t, **kw)
    h = 1e-6
    fd = np.zeros_like(x)
    for idx in np.ndindex(x.shape):
        e = np.zeros_like(x)
        e[idx] = h
        fd[idx] = (xb.cross_entropy(x + e, t, **kw) - xb.cross_entropy(x - e, t, **kw)) / (2 * h)
    np.testing.assert_allclose(g, fd, atol=1e-8)


# --- bad input -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "call,match",
    [
        (lambda: xb.cross_entropy([[1.0, 2.0]], [2]), r"target: class indices must be in \[0, 1\]"),
        (lambda: xb.cross_entropy([[1.0, 2.0]], [-1]), "target: class indices"),
        (lambda: xb.cross_entropy([[1.0, 2.0]], [0, 1]), r"target: expected shape \(1,\)"),
        (lambda: xb.cross_entropy([[1.0, 2.0]], [0], weight=[1.0]), r"weight: expected shape \(2,\)"),
        (lambda: xb.cross_entropy([[1.0, np.nan]], [0]), "input: contains NaN"),
        (lambda: xb.cross_entropy([[1.0, np.inf]], [0]), r"input: .*\+inf"),
        (lambda: xb.cross_entropy(np.zeros((0, 3)), np.zeros(0, dtype=int)), "input: expected a non-empty"),
        (lambda: xb.cross_entropy([[1.0, 2.0]], [0], reduction="avg"), "reduction: expected one of"),
        (lambda: xb.cross_entropy([[1.0, 2.0]], [0], reduction="batchmean"), "reduction: expected one of"),
        (
            lambda: xb.cross_entropy([[1.0, 2.0]], [0], label_smoothing=1.5),
            r"label_smoothing: expected a value in \[0, 1\]",
        ),
        (lambda: xb.cross_entropy([[1.0, 2.0]], [0], label_smoothing=-0.1), "label_smoothing"),
        (lambda: xb.cross_entropy([[1.0, 2.0]], [[0.7, 0.7]]), "target: expected each distribution"),
        (
            lambda: xb.cross_entropy([[1.0, 2.0]], [[1.5, -0.5]]),
            r"target: expected probabilities in \[0, 1\]",
        ),
        (lambda: xb.cross_entropy(3.0, 0), "input: expected shape"),
        (lambda: xb.nll_loss([[-1.0, -2.0]], [5]), "target: class indices"),
        (lambda: xb.binary_cross_entropy([1.2], [1.0]), r"input: expected probabilities in \[0, 1\]"),
        (lambda: xb.binary_cross_entropy([0.2], [2.0]), r"target: expected probabilities in \[0, 1\]"),
        (lambda: xb.binary_cross_entropy([0.2, 0.3], [1.0]), "target: expected the same shape"),
        (lambda: xb.binary_cross_entropy([0.2, 0.3], [1.0, 0.0], weight=[1.0, 2.0, 3.0]), "weight: shape"),
        (lambda: xb.binary_cross_entropy_with_logits([np.nan], [1.0]), "input: contains NaN"),
        (
            lambda: xb.binary_cross_entropy_with_logits([0.0, 1.0], [1.0, 0.0], pos_weight=[1.0, 2.0, 3.0]),
            "pos_weight: shape",
        ),
        (
            lambda: xb.cross_entropy([[1.0, 2.0], [0.0, 1.0]], [0, 1], weight=[1.0, -1.0]),
            "weight: the weights of the non-ignored targets sum to 0",
        ),
        (
            lambda: xb.nll_loss([[-1.0, -2.0], [-0.5, -1.0]], [0, 1], weight=[2.0, -2.0]),
            "weight: the weights of the non-ignored targets sum to 0",
        ),
        (
            lambda: xb.cross_entropy_grad([[1.0, 2.0], [0.0, 1.0]], [0, 1], weight=[1.0, -1.0]),
            "weight: the weights of the non-ignored targets sum to 0",
        ),
        (lambda: xb.kl_div([[-1.0]], [[0.5, 0.5]]), "target: expected the same shape"),
        (lambda: xb.kl_div([[-np.inf, 0.0]], [[0.0, 1.0]]), "input: expected finite"),
        (lambda: xb.kl_div([[-1.0, -1.0]], [[0.5, 0.5]], reduction="meen"), "reduction"),
        (lambda: xb.focal_loss([[1.0, 2.0]], [0], gamma=-1.0), "gamma: expected a finite value >= 0"),
        (lambda: xb.focal_loss([[1.0, 2.0]], [0], alpha=[1.0, 2.0, 3.0]), r"alpha: expected shape \(2,\)"),
        (
            lambda: xb.sigmoid_focal_loss(
                np.array([9.0], np.float16), np.array([1.001], np.float16), gamma=1.5
            ),
            "targets: a target outside",
        ),
    ],
)
def test_bad_input_raises_a_clear_value_error(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_float_class_indices_are_a_type_error():
    with pytest.raises(TypeError, match="target: class indices must have an integer dtype"):
        xb.cross_entropy([[1.0, 2.0], [0.0, 1.0]], [0.0, 1.0])


def test_soft_target_zero_probability_on_a_masked_class_contributes_zero():
    # PyTorch computes 0 * -inf = NaN here; the limit 0 log 0 = 0 is the right value
    x = np.array([[0.0, 1.0, -np.inf]])
    p = np.array([[0.5, 0.5, 0.0]])
    expected = -(0.5 * xb.log_softmax(x)[0, :2]).sum()
    assert xb.cross_entropy(x, p) == pytest.approx(expected)
    with torch.no_grad():
        assert np.isnan(F.cross_entropy(T(x), T(p)).item())


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("smoothing", [0.0, 0.1])
def test_cross_entropy_hot_path_copies_no_full_array(rng, dtype, smoothing):
    """One validation and block-wise float64 work: peak extra memory is a small fraction of the logits."""
    import tracemalloc

    x = rng.normal(size=(2048, 1000)).astype(dtype)
    t = rng.integers(0, 1000, size=2048)
    xb.cross_entropy(x, t, label_smoothing=smoothing)  # warm-up (lazy imports)
    tracemalloc.start()
    try:
        loss = xb.cross_entropy(x, t, label_smoothing=smoothing)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 0.25 * x.size * 8, (
        f"peak {peak / 1e6:.1f} MB for {x.size * 8 / 1e6:.1f} MB of float64 logits"
    )
    ref = F.cross_entropy(
        torch.from_numpy(x.astype(np.float64)), torch.from_numpy(t), label_smoothing=smoothing
    )
    np.testing.assert_allclose(loss, ref.numpy(), rtol=1e-6 if dtype == np.float32 else 1e-12)
