"""Tests for xent_book.train: determinism, the loss is what is minimised, history, errors."""

import functools

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from xent_book import data, train


@pytest.fixture(scope="module")
def blobs():
    return data.gaussian_blobs(n_samples=300, num_classes=3, separation=2.5, seed=0)


def _fit(split, **kwargs):
    model = train.make_model(split.n_features, split.num_classes, hidden=kwargs.pop("hidden", (16,)), seed=1)
    args = dict(epochs=5, lr=1e-2, batch_size=32, seed=0, progress=False)
    args.update(kwargs)
    history = train.fit(model, split.X_train, split.y_train, F.cross_entropy, **args)
    return model, history


def test_make_model_softmax_regression_and_mlp_shapes():
    lin = train.make_model(4, 3, hidden=())
    assert len(lin) == 1 and isinstance(lin[0], torch.nn.Linear)
    assert train.make_model(4, 3, hidden=None)[0].weight.shape == (3, 4)
    mlp = train.make_model(4, 3, hidden=(8, 5), dropout=0.1)
    assert [type(m).__name__ for m in mlp] == [
        "Linear",
        "ReLU",
        "Dropout",
        "Linear",
        "ReLU",
        "Dropout",
        "Linear",
    ]
    assert mlp(torch.zeros(2, 4, dtype=torch.float64)).shape == (2, 3)
    # float64 weights: the printed digits of a trained model do not depend on the CPU's kernels
    assert all(p.dtype == torch.float64 for p in mlp.parameters())


def test_make_model_is_seeded_and_leaves_global_rng_alone():
    torch.manual_seed(123)
    before = torch.rand(1)
    torch.manual_seed(123)
    a = train.make_model(4, 3, seed=7)
    after = torch.rand(1)
    assert torch.equal(before, after)
    b = train.make_model(4, 3, seed=7)
    c = train.make_model(4, 3, seed=8)
    assert all(torch.equal(p, q) for p, q in zip(a.parameters(), b.parameters()))
    assert not torch.equal(a[0].weight, c[0].weight)


@pytest.mark.slow
def test_fit_is_bitwise_deterministic(blobs):
    m1, h1 = _fit(blobs, hidden=(16,), X_val=blobs.X_val, y_val=blobs.y_val)
    m2, h2 = _fit(blobs, hidden=(16,), X_val=blobs.X_val, y_val=blobs.y_val)
    assert h1 == h2
    for p, q in zip(m1.parameters(), m2.parameters()):
        assert torch.equal(p, q)
    _, h3 = _fit(blobs, hidden=(16,), seed=5)
    assert h3["train_loss"] != h1["train_loss"]


def test_fit_restores_global_state(blobs):
    threads = torch.get_num_threads()
    torch.manual_seed(0)
    expected = torch.rand(3)
    torch.manual_seed(0)
    _fit(blobs, hidden=(8,), epochs=2)
    assert torch.equal(torch.rand(3), expected)
    assert torch.get_num_threads() == threads


def test_fit_matches_a_hand_written_loop(blobs):
    """Same batches, same optimiser: fit is exactly a textbook loop."""
    model, _ = _fit(blobs, hidden=(), epochs=3, batch_size=50, optimizer="sgd", lr=0.05, weight_decay=1e-3)
    ref = train.make_model(blobs.n_features, 3, hidden=(), seed=1)
    X = torch.from_numpy(blobs.X_train)
    y = torch.from_numpy(blobs.y_train)
    g = torch.Generator().manual_seed(0)
    opt = torch.optim.SGD(ref.parameters(), lr=0.05, momentum=0.9, weight_decay=1e-3)
    for _ in range(3):
        order = torch.randperm(len(X), generator=g)
        for s in range(0, len(X), 50):
            idx = order[s : s + 50]
            opt.zero_grad()
            F.cross_entropy(ref(X[idx]), y[idx]).backward()
            opt.step()
    for p, q in zip(model.parameters(), ref.parameters()):
        torch.testing.assert_close(p, q, rtol=0, atol=0)


def test_fit_history_keys_lengths_and_values(blobs):
    calls = []

    def eval_fn(model):
        calls.append(model.training)
        return {"test_acc": train.evaluate(model, blobs.X_test, blobs.y_test)["acc"]}

    model, h = _fit(blobs, epochs=4, X_val=blobs.X_val, y_val=blobs.y_val, eval_fn=eval_fn)
    assert set(h) == {"epoch", "train_loss", "train_acc", "val_loss", "val_nll", "val_acc", "test_acc"}
    assert all(len(v) == 4 for v in h.values())
    assert h.epoch == [1.0, 2.0, 3.0, 4.0]
    assert calls == [False] * 4  # eval mode
    # last-epoch validation numbers equal an independent evaluation of the final model
    logits = torch.from_numpy(train.predict_logits(model, blobs.X_val))
    y = torch.from_numpy(blobs.y_val)
    assert h.val_nll[-1] == pytest.approx(float(F.cross_entropy(logits, y)), rel=1e-6)
    assert h.val_acc[-1] == pytest.approx(float((logits.argmax(1) == y).double().mean()))
    assert h.val_loss[-1] == pytest.approx(h.val_nll[-1], rel=1e-5)  # loss_fn is cross-entropy here
    assert h.test_acc[-1] == train.evaluate(model, blobs.X_test, blobs.y_test)["acc"]
    assert h.train_loss[-1] < h.train_loss[0]
    assert 0 <= min(h.train_acc) <= max(h.train_acc) <= 1
    assert h.best_epoch("val_acc", mode="max") in h.epoch
    assert "epochs=4" in repr(h)


def test_fit_accepts_any_loss_callable_and_soft_targets(blobs):
    smooth = functools.partial(F.cross_entropy, label_smoothing=0.2)
    model = train.make_model(2, 3, hidden=(), seed=0)
    h = train.fit(model, blobs.X_train, blobs.y_train, smooth, epochs=30, lr=0.05, progress=False)
    # label smoothing's loss is bounded below by the entropy of the smoothed target (> 0)
    eps, C = 0.2, 3
    target_entropy = -(
        (1 - eps + eps / C) * np.log(1 - eps + eps / C) + (C - 1) * (eps / C) * np.log(eps / C)
    )
    assert min(h.train_loss) > target_entropy
    soft = np.full((len(blobs.y_train), 3), 0.1, dtype=np.float32)
    soft[np.arange(len(soft)), blobs.y_train] = 0.8
    h2 = train.fit(
        train.make_model(2, 3, hidden=(), seed=0),
        blobs.X_train,
        soft,
        F.cross_entropy,
        epochs=3,
        progress=False,
        X_val=blobs.X_val,
        y_val=blobs.y_val,
    )
    assert len(h2.train_acc) == 3


def test_fit_sample_weights_resample(blobs):
    seen = []

    def recording_loss(logits, target):
        seen.append(target.clone())
        return F.cross_entropy(logits, target)

    # weight only on class 0 and 1, twice as much on class 1
    w = np.select([blobs.y_train == 0, blobs.y_train == 1], [1.0, 2.0], 0.0)
    model = train.make_model(2, 3, hidden=(), seed=0)
    train.fit(
        model,
        blobs.X_train,
        blobs.y_train,
        recording_loss,
        epochs=20,
        batch_size=60,
        progress=False,
        sample_weights=w,
    )
    labels = torch.cat(seen).numpy()
    assert len(labels) == 20 * len(blobs.y_train)
    counts = np.bincount(labels, minlength=3)
    assert counts[2] == 0
    assert counts[1] / counts[0] == pytest.approx(2.0, rel=0.1)


def test_predict_logits_is_float64_and_batching_does_not_matter(blobs):
    model = train.make_model(2, 3, hidden=(8,), dropout=0.5, seed=0)
    a = train.predict_logits(model, blobs.X_test)
    b = train.predict_logits(model, blobs.X_test, batch_size=7)
    assert a.dtype == np.float64 and a.shape == (len(blobs.X_test), 3)
    np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-7)
    np.testing.assert_array_equal(a, train.predict_logits(model, blobs.X_test))  # dropout off


def test_progress_bar_goes_to_stderr_and_disappears(blobs, capsys):
    _fit(blobs, epochs=2, progress=True)
    out, err = capsys.readouterr()
    assert out == ""
    assert "epochs" in err


@pytest.mark.parametrize(
    "kwargs, exc, match",
    [
        (dict(epochs=0), ValueError, "epochs"),
        (dict(lr=0.0), ValueError, "lr"),
        (dict(batch_size=0), ValueError, "batch_size"),
        (dict(weight_decay=-1.0), ValueError, "weight_decay"),
        (dict(optimizer="rmsprop"), ValueError, "optimizer"),
        (dict(X_val=np.zeros((3, 2), np.float32)), ValueError, "X_val, y_val"),
        (dict(sample_weights=np.ones(5)), ValueError, "sample_weights"),
        (dict(sample_weights=-np.ones(180)), ValueError, "sample_weights"),
        (dict(epochs=1.5), TypeError, "epochs"),
    ],
)
def test_fit_rejects_bad_arguments(blobs, kwargs, exc, match):
    with pytest.raises(exc, match=match):
        _fit(blobs, **kwargs)


def test_fit_rejects_bad_data_and_losses(blobs):
    model = train.make_model(2, 3, hidden=())
    with pytest.raises(ValueError, match="y: expected 180"):
        train.fit(model, blobs.X_train, blobs.y_train[:-1], F.cross_entropy, progress=False)
    with pytest.raises(TypeError, match="y: class indices"):
        train.fit(model, blobs.X_train, blobs.y_train.astype(float), F.cross_entropy, progress=False)
    with pytest.raises(ValueError, match="X: expected shape"):
        train.fit(model, blobs.X_train[:, 0], blobs.y_train, F.cross_entropy, progress=False)
    with pytest.raises(ValueError, match="loss_fn: expected a scalar"):
        train.fit(
            model,
            blobs.X_train,
            blobs.y_train,
            functools.partial(F.cross_entropy, reduction="none"),
            epochs=1,
            progress=False,
        )
    with pytest.raises(ValueError, match="loss_fn: the loss became"):
        train.fit(
            model, blobs.X_train, blobs.y_train, lambda z, t: z.sum() * float("nan"), epochs=1, progress=False
        )
    with pytest.raises(TypeError, match="loss_fn"):
        train.fit(model, blobs.X_train, blobs.y_train, "cross_entropy", progress=False)


def test_make_model_and_helpers_reject_bad_arguments():
    with pytest.raises(ValueError, match="num_classes"):
        train.make_model(2, 1)
    with pytest.raises(ValueError, match="hidden"):
        train.make_model(2, 3, hidden=(0,))
    with pytest.raises(ValueError, match="dropout"):
        train.make_model(2, 3, dropout=1.0)
    with pytest.raises(ValueError, match="X"):
        train.predict_logits(train.make_model(2, 3), np.zeros((0, 2)))
    h = train.History()
    h.append(epoch=1, loss=0.5)
    with pytest.raises(ValueError, match="val_nll"):
        h.best_epoch()
    with pytest.raises(ValueError, match="mode"):
        h.best_epoch("loss", mode="median")


def test_best_epoch_skips_nan_and_refuses_all_nan():
    h = train.History()
    for epoch, v in enumerate([np.nan, 0.5, 0.2, np.nan, 0.3], start=1):
        h.append(epoch=epoch, val_nll=v)
    assert h.best_epoch() == 3
    assert h.best_epoch(mode="max") == 2
    g = train.History()
    g.append(epoch=1, val_nll=float("nan"))
    with pytest.raises(ValueError, match="key"):
        g.best_epoch()


def test_evaluate_uses_cross_entropy_and_refuses_label_minus_one(blobs):
    from xent_book import losses

    model = train.make_model(2, 3, hidden=(), seed=0)
    out = train.evaluate(model, blobs.X_test, blobs.y_test)
    z = train.predict_logits(model, blobs.X_test)
    ref = F.cross_entropy(torch.from_numpy(z), torch.from_numpy(blobs.y_test)).item()
    assert out["nll"] == pytest.approx(ref, rel=1e-12)
    assert out["nll"] == pytest.approx(float(losses.cross_entropy(z, blobs.y_test)), rel=1e-15)
    y = blobs.y_test.copy()
    y[0] = -1
    with pytest.raises(ValueError, match=r"\by\b"):
        train.evaluate(model, blobs.X_test, y)


def test_fit_refuses_labels_beyond_the_models_logits_and_non_modules(blobs):
    model = train.make_model(2, 3, hidden=(), seed=0)
    y = blobs.y_train.copy()
    y[0] = 3
    with pytest.raises(ValueError, match=r"\by\b"):
        train.fit(model, blobs.X_train, y, F.cross_entropy, epochs=1, progress=False)
    with pytest.raises(TypeError, match="model"):
        train.fit("model", blobs.X_train, blobs.y_train, F.cross_entropy, epochs=1, progress=False)
    with pytest.raises(ValueError, match=r"\bX\b"):
        train.fit(
            train.make_model(5, 3), blobs.X_train, blobs.y_train, F.cross_entropy, epochs=1, progress=False
        )
