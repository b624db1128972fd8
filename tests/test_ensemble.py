"""xent_book.ensemble: S seeds trained at once equal S models trained alone."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from xent_book import ensemble
from xent_book.train import make_model

SEEDS = (0, 1, 2)


def _data(rng, n=40, d=3, c=4, per_seed=False):
    shape = (len(SEEDS), n, d) if per_seed else (n, d)
    X = rng.normal(size=shape)
    y = rng.integers(0, c, size=shape[:-1])
    return X, y


def _train_alone(model, X, y, epochs, lr, weight_decay=0.0, l1=0.0, optimizer="adam"):
    """Reference: one model, plain Adam (or SGD with momentum 0.9), full batch, the same objective."""
    if optimizer == "adam":
        opt = torch.optim.Adam(model.parameters(), lr=lr, weight_decay=weight_decay)
    else:
        opt = torch.optim.SGD(model.parameters(), lr=lr, momentum=0.9, weight_decay=weight_decay)
    Xt, yt = torch.from_numpy(X), torch.from_numpy(y)
    for _ in range(epochs):
        loss = F.cross_entropy(model(Xt), yt)
        if l1 > 0:
            loss = loss + l1 * sum(m.weight.abs().sum() for m in model if isinstance(m, torch.nn.Linear))
        opt.zero_grad()
        loss.backward()
        opt.step()
    with torch.no_grad():
        return model(Xt).double().numpy()


@pytest.mark.parametrize("per_seed", [False, True])
@pytest.mark.parametrize(
    ("weight_decay", "l1"),
    [
        pytest.param(
            0.0, 0.0, marks=pytest.mark.slow
        ),  # make check keeps one penalty; test_sgd_... covers no penalty
        (1e-2, 0.0),
        pytest.param(0.0, 1e-3, marks=pytest.mark.slow),
    ],
)
def test_each_stacked_seed_follows_its_own_model_trained_alone(per_seed, weight_decay, l1):
    rng = np.random.default_rng(0)
    X, y = _data(rng, per_seed=per_seed)
    stacked = ensemble.stack_models([make_model(3, 4, hidden=(8,), seed=s) for s in SEEDS])
    hist = ensemble.fit_stacked(stacked, X, y, epochs=30, lr=0.05, weight_decay=weight_decay, l1=l1)
    z = ensemble.predict_logits_stacked(stacked, X)
    for i, s in enumerate(SEEDS):
        Xi, yi = (X[i], y[i]) if per_seed else (X, y)
        alone = _train_alone(make_model(3, 4, hidden=(8,), seed=s), Xi, yi, 30, 0.05, weight_decay, l1)
        np.testing.assert_allclose(z[i], alone, rtol=1e-4, atol=1e-5)
    assert hist["train_loss"].shape == (30, len(SEEDS))
    assert np.all(hist["train_loss"][-1] < hist["train_loss"][0])


def test_sgd_seeds_follow_their_models_trained_alone():
    rng = np.random.default_rng(5)
    X, y = _data(rng, per_seed=True)
    stacked = ensemble.stack_models([make_model(3, 4, hidden=(), seed=s) for s in SEEDS])
    ensemble.fit_stacked(stacked, X, y, epochs=20, lr=0.1, optimizer="sgd")
    z = ensemble.predict_logits_stacked(stacked, X)
    for i, s in enumerate(SEEDS):
        alone = _train_alone(make_model(3, 4, hidden=(), seed=s), X[i], y[i], 20, 0.1, optimizer="sgd")
        np.testing.assert_allclose(z[i], alone, rtol=1e-4, atol=1e-5)
    with pytest.raises(ValueError, match="optimizer"):
        ensemble.fit_stacked(stacked, X, y, optimizer="lbfgs")


def test_validation_metrics_are_each_seeds_mean_cross_entropy_and_accuracy():
    rng = np.random.default_rng(1)
    X, y = _data(rng)
    Xv, yv = _data(rng, n=25)
    stacked = ensemble.stack_models([make_model(3, 4, hidden=(), seed=s) for s in SEEDS])
    hist = ensemble.fit_stacked(stacked, X, y, epochs=5, lr=0.1, batch_size=16, X_val=Xv, y_val=yv)
    z = ensemble.predict_logits_stacked(stacked, Xv)
    nll = [F.cross_entropy(torch.from_numpy(z[i]), torch.from_numpy(yv)).item() for i in range(len(SEEDS))]
    np.testing.assert_allclose(hist["val_nll"][-1], nll, rtol=1e-5)
    np.testing.assert_allclose(hist["val_acc"][-1], (z.argmax(-1) == yv).mean(axis=1))


def test_dropout_and_augmentation_are_seeded_so_a_rerun_is_identical():
    rng = np.random.default_rng(2)
    X, y = _data(rng)

    def jitter(x, gen):
        return x + 0.1 * torch.randn(x.shape, generator=gen)

    runs = []
    for _ in range(2):
        stacked = ensemble.stack_models([make_model(3, 4, hidden=(8,), seed=s) for s in SEEDS], dropout=0.3)
        ensemble.fit_stacked(stacked, X, y, epochs=5, batch_size=10, augment=jitter, seed=7)
        runs.append(ensemble.predict_logits_stacked(stacked, X))
    np.testing.assert_array_equal(runs[0], runs[1])


def test_bad_arguments_are_refused_with_their_names():
    stacked = ensemble.stack_models([make_model(3, 4, hidden=(8,), seed=s) for s in SEEDS])
    X, y = _data(np.random.default_rng(3))
    with pytest.raises(ValueError, match="models"):
        ensemble.stack_models([])
    with pytest.raises(ValueError, match="models"):
        ensemble.stack_models([make_model(3, 4, hidden=(8,)), make_model(3, 4, hidden=(9,))])
    with pytest.raises(ValueError, match="dropout"):
        ensemble.stack_models([make_model(3, 4)], dropout=1.0)
    with pytest.raises(ValueError, match="X"):
        ensemble.fit_stacked(stacked, X[None], y)
    with pytest.raises(TypeError, match="y"):
        ensemble.fit_stacked(stacked, X, y.astype(float))
    with pytest.raises(ValueError, match="epochs"):
        ensemble.fit_stacked(stacked, X, y, epochs=0)
    with pytest.raises(ValueError, match="lr"):
        ensemble.fit_stacked(stacked, X, y, lr=0.0)
    with pytest.raises(ValueError, match="l1"):
        ensemble.fit_stacked(stacked, X, y, l1=-1.0)
    with pytest.raises(ValueError, match="X"):
        ensemble.predict_logits_stacked(stacked, X[:2, :, None])


def test_callback_sees_every_epoch_with_that_epochs_metrics_in_eval_mode():
    rng = np.random.default_rng(4)
    X, y = _data(rng)
    stacked = ensemble.stack_models([make_model(3, 4, hidden=(8,), seed=s) for s in SEEDS], dropout=0.5)
    seen = []

    def record(epoch, model, metrics):
        seen.append((epoch, model.training, metrics["val_nll"].copy()))

    hist = ensemble.fit_stacked(stacked, X, y, epochs=4, X_val=X, y_val=y, callback=record)
    assert [e for e, _, _ in seen] == [1, 2, 3, 4]
    assert not any(training for _, training, _ in seen)
    np.testing.assert_array_equal(np.stack([m for _, _, m in seen]), hist["val_nll"])


def _train_alone_smoothed(model, X, y, epochs, lr, weight_decay, label_smoothing):
    """Reference: one model, plain Adam with its own weight decay, on PyTorch's smoothed loss."""
    opt = torch.optim.Adam(model.parameters(), lr=lr, weight_decay=weight_decay)
    Xt, yt = torch.from_numpy(X), torch.from_numpy(y)
    for _ in range(epochs):
        loss = F.cross_entropy(model(Xt), yt, label_smoothing=label_smoothing)
        opt.zero_grad()
        loss.backward()
        opt.step()
    with torch.no_grad():
        return model(Xt).double().numpy()


@pytest.mark.parametrize(
    ("weight_decay", "label_smoothing"),
    [
        ([0.0, 1e-2, 5e-2], 0.0),  # per-model weight decay, no smoothing
        (0.0, [0.0, 0.1, 0.3]),  # per-model smoothing
        (1e-2, 0.2),  # one smoothing for all, the optimiser's own decay
        ([3e-2, 0.0, 1e-2], np.array([0.2, 0.05, 0.0])),  # both per model, an array
    ],
)
def test_per_model_weight_decay_and_label_smoothing_follow_each_model_trained_alone(
    weight_decay, label_smoothing
):
    rng = np.random.default_rng(6)
    X, y = _data(rng, per_seed=True)
    stacked = ensemble.stack_models([make_model(3, 4, hidden=(8,), seed=s) for s in SEEDS])
    ensemble.fit_stacked(
        stacked, X, y, epochs=30, lr=0.05, weight_decay=weight_decay, label_smoothing=label_smoothing
    )
    z = ensemble.predict_logits_stacked(stacked, X)
    wd = np.broadcast_to(weight_decay, len(SEEDS))
    eps = np.broadcast_to(label_smoothing, len(SEEDS))
    for i, s in enumerate(SEEDS):
        model = make_model(3, 4, hidden=(8,), seed=s)
        alone = _train_alone_smoothed(model, X[i], y[i], 30, 0.05, float(wd[i]), float(eps[i]))
        np.testing.assert_allclose(z[i], alone, rtol=1e-4, atol=1e-5)


def test_per_model_values_equal_to_a_scalar_train_like_the_scalar():
    rng = np.random.default_rng(7)
    X, y = _data(rng)
    runs = []
    for wd, eps in ((1e-2, 0.1), ([1e-2] * len(SEEDS), [0.1] * len(SEEDS))):
        stacked = ensemble.stack_models([make_model(3, 4, hidden=(8,), seed=s) for s in SEEDS])
        ensemble.fit_stacked(stacked, X, y, epochs=10, batch_size=16, weight_decay=wd, label_smoothing=eps)
        runs.append(ensemble.predict_logits_stacked(stacked, X))
    np.testing.assert_allclose(runs[0], runs[1], rtol=1e-9, atol=1e-12)  # the same up to rounding


def test_default_label_smoothing_leaves_the_default_path_bit_for_bit():
    rng = np.random.default_rng(8)
    X, y = _data(rng)
    runs = []
    for kw in ({}, {"label_smoothing": 0.0, "weight_decay": 0.0}):
        stacked = ensemble.stack_models([make_model(3, 4, hidden=(8,), seed=s) for s in SEEDS])
        ensemble.fit_stacked(stacked, X, y, epochs=5, batch_size=16, **kw)
        runs.append(ensemble.predict_logits_stacked(stacked, X))
    np.testing.assert_array_equal(runs[0], runs[1])


@pytest.mark.parametrize("kind", ["labels", "labels per seed", "soft", "mini-batch"])
def test_default_loss_all_models_at_once_gives_the_per_model_gradients_bit_for_bit(kind):
    # the default loss is computed for every model in one log_softmax; a custom loss_fn runs
    # F.cross_entropy model by model. The trained weights must be identical, not merely close
    # (so that switching paths changes no chapter's digits).
    rng = np.random.default_rng(9)
    X, y = _data(rng, per_seed=kind == "labels per seed")
    if kind == "soft":
        y = rng.dirichlet(np.ones(4), size=len(X))
    kw = {"batch_size": 16} if kind == "mini-batch" else {}
    runs = []
    for loss_fn in (None, lambda z, t: F.cross_entropy(z, t)):
        stacked = ensemble.stack_models([make_model(3, 4, hidden=(8,), seed=s) for s in SEEDS])
        hist = ensemble.fit_stacked(stacked, X, y, loss_fn=loss_fn, epochs=8, lr=0.05, **kw)
        runs.append((list(stacked.parameters()), hist["train_loss"]))
    (p_all, loss_all), (p_each, loss_each) = runs
    assert all(torch.equal(a, b) for a, b in zip(p_all, p_each))
    np.testing.assert_allclose(loss_all, loss_each, rtol=1e-14)  # the mean itself: up to summation order


def test_bad_per_model_values_are_refused_with_their_names():
    stacked = ensemble.stack_models([make_model(3, 4, hidden=(8,), seed=s) for s in SEEDS])
    X, y = _data(np.random.default_rng(9))
    for bad in ([0.1, 0.2], [0.1, -0.1, 0.0], [0.0, np.nan, 0.0], np.zeros((3, 1))):
        with pytest.raises(ValueError, match="weight_decay"):
            ensemble.fit_stacked(stacked, X, y, epochs=1, weight_decay=bad)
        with pytest.raises(ValueError, match="label_smoothing"):
            ensemble.fit_stacked(stacked, X, y, epochs=1, label_smoothing=bad)
    with pytest.raises(ValueError, match="label_smoothing"):
        ensemble.fit_stacked(stacked, X, y, epochs=1, label_smoothing=[0.0, 1.5, 0.0])
    with pytest.raises(ValueError, match="label_smoothing"):
        ensemble.fit_stacked(stacked, X, y, epochs=1, label_smoothing=1.01)
    with pytest.raises(ValueError, match="label_smoothing"):
        ensemble.fit_stacked(
            stacked, X, y, epochs=1, loss_fn=lambda z, t: F.cross_entropy(z, t), label_smoothing=0.1
        )
    with pytest.raises(TypeError, match="label_smoothing"):
        ensemble.fit_stacked(stacked, X, y, epochs=1, label_smoothing="0.1")


def _train_alone_adamw(model, X, y, epochs, lr, weight_decay):
    """Reference: one model, torch.optim.AdamW (decoupled decay), full batch."""
    opt = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=weight_decay)
    Xt, yt = torch.from_numpy(X), torch.from_numpy(y)
    for _ in range(epochs):
        loss = F.cross_entropy(model(Xt), yt)
        opt.zero_grad()
        loss.backward()
        opt.step()
    with torch.no_grad():
        return model(Xt).double().numpy()


@pytest.mark.parametrize("weight_decay", [0.5, [0.0, 0.5, 2.0]])
def test_adamw_scalar_and_per_model_decay_follow_torch_adamw_trained_alone(weight_decay):
    rng = np.random.default_rng(10)
    X, y = _data(rng, per_seed=True)
    stacked = ensemble.stack_models([make_model(3, 4, hidden=(8,), seed=s) for s in SEEDS])
    ensemble.fit_stacked(stacked, X, y, epochs=30, lr=0.05, weight_decay=weight_decay, optimizer="adamw")
    z = ensemble.predict_logits_stacked(stacked, X)
    wd = np.broadcast_to(weight_decay, len(SEEDS))
    for i, s in enumerate(SEEDS):
        alone = _train_alone_adamw(make_model(3, 4, hidden=(8,), seed=s), X[i], y[i], 30, 0.05, float(wd[i]))
        np.testing.assert_allclose(z[i], alone, rtol=1e-9, atol=1e-12)


def test_adamw_decay_differs_from_adams_coupled_l2():
    # the same strength, coupled (Adam) and decoupled (AdamW), gives different weights; without decay they agree
    rng = np.random.default_rng(11)
    X, y = _data(rng)
    runs = {}
    for opt, wd in (("adam", 0.5), ("adamw", 0.5), ("adam", 0.0), ("adamw", 0.0)):
        stacked = ensemble.stack_models([make_model(3, 4, hidden=(8,), seed=s) for s in SEEDS])
        ensemble.fit_stacked(stacked, X, y, epochs=20, lr=0.05, weight_decay=wd, optimizer=opt)
        runs[opt, wd] = ensemble.predict_logits_stacked(stacked, X)
    assert np.abs(runs["adam", 0.5] - runs["adamw", 0.5]).max() > 1e-2
    np.testing.assert_allclose(runs["adam", 0.0], runs["adamw", 0.0], rtol=1e-12, atol=1e-12)


def _train_alone_with(model, X, target, epochs, lr, loss_fn):
    """Reference: one model, plain Adam, full batch, its own loss (labels or target distributions)."""
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    Xt, tt = torch.from_numpy(X), torch.from_numpy(target)
    for _ in range(epochs):
        loss = loss_fn(model(Xt), tt)
        opt.zero_grad()
        loss.backward()
        opt.step()
    with torch.no_grad():
        return model(Xt).double().numpy()


def _mae(z, y):
    # 2 (1 - q_y), a loss unlike cross-entropy
    return (2 * (1 - torch.softmax(z, -1).gather(-1, y[:, None]))).mean()


def test_one_loss_per_model_trains_each_model_on_its_own_loss():
    rng = np.random.default_rng(12)
    X, y = _data(rng, per_seed=True)
    losses = [F.cross_entropy, _mae, lambda z, t: F.cross_entropy(z, t, label_smoothing=0.3)]
    stacked = ensemble.stack_models([make_model(3, 4, hidden=(8,), seed=s) for s in SEEDS])
    ensemble.fit_stacked(stacked, X, y, loss_fn=losses, epochs=25, lr=0.05)
    z = ensemble.predict_logits_stacked(stacked, X)
    for i, (s, fn) in enumerate(zip(SEEDS, losses, strict=True)):
        alone = _train_alone_with(make_model(3, 4, hidden=(8,), seed=s), X[i], y[i], 25, 0.05, fn)
        np.testing.assert_allclose(z[i], alone, rtol=1e-9, atol=1e-12)
    # a list of one loss repeated is the single loss
    runs = []
    for loss_fn in (_mae, [_mae] * len(SEEDS)):
        stacked = ensemble.stack_models([make_model(3, 4, hidden=(8,), seed=s) for s in SEEDS])
        ensemble.fit_stacked(stacked, X, y, loss_fn=loss_fn, epochs=5)
        runs.append(ensemble.predict_logits_stacked(stacked, X))
    np.testing.assert_array_equal(runs[0], runs[1])


@pytest.mark.parametrize("temperature", [1.0, 4.0])
def test_soft_targets_train_as_torch_cross_entropy_against_the_distribution(temperature):
    # distillation: the students learn a teacher's probabilities, per model (S, N, C), at a temperature
    rng = np.random.default_rng(13)
    X, _ = _data(rng, per_seed=True)
    P = torch.softmax(torch.from_numpy(rng.normal(size=(len(SEEDS), X.shape[1], 4)) * 2), -1).numpy()
    T = temperature

    def distil(z, p):
        return T**2 * F.cross_entropy(z / T, p)

    stacked = ensemble.stack_models([make_model(3, 4, hidden=(), seed=s) for s in SEEDS])
    hist = ensemble.fit_stacked(stacked, X, P, loss_fn=distil, epochs=30, lr=0.05)
    z = ensemble.predict_logits_stacked(stacked, X)
    for i, s in enumerate(SEEDS):
        alone = _train_alone_with(make_model(3, 4, hidden=(), seed=s), X[i], P[i], 30, 0.05, distil)
        np.testing.assert_allclose(z[i], alone, rtol=1e-9, atol=1e-12)
    assert np.all(hist["train_loss"][-1] < hist["train_loss"][0])


def test_one_hot_soft_targets_equal_labels_and_smoothing_smooths_them_as_torch():
    rng = np.random.default_rng(14)
    X, y = _data(rng)
    runs = []
    for target, eps in ((y, 0.0), (np.eye(4)[y], 0.0), (y, 0.2), (np.eye(4)[y], 0.2)):
        stacked = ensemble.stack_models([make_model(3, 4, hidden=(8,), seed=s) for s in SEEDS])
        ensemble.fit_stacked(stacked, X, target, epochs=10, batch_size=16, label_smoothing=eps)
        runs.append(ensemble.predict_logits_stacked(stacked, X))
    np.testing.assert_allclose(runs[0], runs[1], rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(runs[2], runs[3], rtol=1e-9, atol=1e-12)
    assert np.abs(runs[0] - runs[2]).max() > 1e-3  # smoothing did something


def test_bad_loss_lists_and_soft_targets_are_refused_with_their_names():
    stacked = ensemble.stack_models([make_model(3, 4, hidden=(8,), seed=s) for s in SEEDS])
    X, y = _data(np.random.default_rng(15))
    with pytest.raises(ValueError, match="loss_fn"):
        ensemble.fit_stacked(stacked, X, y, epochs=1, loss_fn=[F.cross_entropy] * 2)
    with pytest.raises(TypeError, match=r"loss_fn\[1\]"):
        ensemble.fit_stacked(stacked, X, y, epochs=1, loss_fn=[F.cross_entropy, "ce", F.cross_entropy])
    with pytest.raises(TypeError, match="loss_fn"):
        ensemble.fit_stacked(stacked, X, y, epochs=1, loss_fn="cross_entropy")
    with pytest.raises(ValueError, match="label_smoothing"):
        ensemble.fit_stacked(stacked, X, y, epochs=1, loss_fn=[F.cross_entropy] * 3, label_smoothing=0.1)
    P = np.full((X.shape[0], 4), 0.25)
    for bad in (P * 2, P - 0.25 + np.eye(4)[y] * 1.5 - 0.5, np.where(P > 0, np.nan, P), P[:, :3], P[:-1]):
        with pytest.raises(ValueError, match="y"):
            ensemble.fit_stacked(stacked, X, bad, epochs=1)
    with pytest.raises(ValueError, match="y"):  # per seed: (S, N, C), not (S + 1, N, C)
        ensemble.fit_stacked(stacked, X, np.stack([P] * 4), epochs=1)
    with pytest.raises(TypeError, match="y"):  # float labels of the labels' shape stay refused
        ensemble.fit_stacked(stacked, X, y.astype(float), epochs=1)
