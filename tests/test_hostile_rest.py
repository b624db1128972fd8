"""Hostile input for the public functions no other hostile suite reaches (issue 9): ensemble,
exercises, published, the calibrators' fit_transform and chapter 13's exercise helpers.

As in the other ``tests/test_hostile_*.py`` suites, each test draws ONE hostile argument
and keeps the others valid; the shared oracle (``hostile_oracle``) then demands a finite
result of the documented dtype and shape, or a ValueError/TypeError naming that argument,
and never another exception, a warning, a hang or a mutated input. Valid calls are
compared with an independent reference.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hostile_oracle import (
    assert_refuses_or_ok,
    hostile_arrays,
    hostile_float_arrays,
    hostile_indices,
    hostile_ints,
    hostile_scalars,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from xent_book import calibration, ensemble, exercises, published, train
from xent_book.exercises import _core
from xent_book.exercises import ch13 as ex13

FAST = settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
S, N, D, C = 2, 6, 3, 3
_rng = np.random.default_rng(0)
X = _rng.normal(size=(N, D))
Y = np.arange(N) % C
NOT_CALLABLE = st.sampled_from([1, "f", None, np.zeros(2), [len]])


def _models():
    return [train.make_model(D, C, hidden=(4,), seed=s) for s in range(S)]


def _stacked():
    return ensemble.stack_models(_models())


# --------------------------------------------------------------------------- ensemble


@FAST
@given(
    models=st.sampled_from(
        [[], [1, 2], "ab", None, 3, [torch.nn.ReLU()], [torch.nn.Linear(2, 2), torch.nn.Linear(3, 2)]]
    )
)
def test_stack_models_hostile_models(models):
    assert_refuses_or_ok(ensemble.stack_models, models, arg="models", must_refuse=True)


@FAST
@given(dropout=hostile_scalars())
def test_stack_models_hostile_dropout(dropout):
    assert_refuses_or_ok(ensemble.stack_models, _models(), dropout, arg="dropout")


def test_stack_models_matches_each_model_alone():
    models = _models()
    stacked = assert_refuses_or_ok(ensemble.stack_models, models, arg=None).value
    z = ensemble.predict_logits_stacked(stacked, X)
    for s, m in enumerate(models):
        with torch.no_grad():
            np.testing.assert_allclose(z[s], m(torch.from_numpy(X)).double().numpy(), rtol=1e-6, atol=1e-6)


FIT_VALID = dict(epochs=1, lr=0.01, batch_size=None, weight_decay=0.0, l1=0.0, seed=0, optimizer="adam")
FIT_HOSTILE = {
    "X": st.one_of(hostile_arrays(), hostile_float_arrays((N, D))),
    "y": hostile_indices(C, (N,)),
    "epochs": hostile_ints().filter(lambda v: not (isinstance(v, int | np.integer) and 3 < v < 10**7)),
    "lr": hostile_scalars(),
    "batch_size": hostile_ints(),
    "weight_decay": hostile_scalars(),
    "l1": hostile_scalars(),
    "seed": hostile_ints(),
    "optimizer": st.sampled_from(["adam", "sgd", "Adam", "", None, 1, ["adam"]]),
    "loss_fn": NOT_CALLABLE,
    "augment": NOT_CALLABLE,
    "callback": NOT_CALLABLE,
}


@settings(max_examples=5, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(which=st.sampled_from(sorted(FIT_HOSTILE)), data=st.data())
def test_fit_stacked_hostile_argument(which, data):
    kw = dict(FIT_VALID, X=X, y=Y)
    kw[which] = data.draw(FIT_HOSTILE[which], label=which)
    names = {"X": ("X", "y"), "y": ("y", "X")}.get(which, (which,))
    assert_refuses_or_ok(ensemble.fit_stacked, _stacked(), **kw, arg=names, timeout=10)


@FAST
@given(X_val=hostile_arrays(), y_val=hostile_indices(C, (N,)), which=st.sampled_from(["X_val", "y_val"]))
def test_fit_stacked_hostile_validation_data(X_val, y_val, which):
    kw = dict(FIT_VALID, X=X, y=Y, X_val=X, y_val=Y)
    kw[which] = X_val if which == "X_val" else y_val
    assert_refuses_or_ok(ensemble.fit_stacked, _stacked(), **kw, arg=("X_val", "y_val"))


@pytest.mark.parametrize("model", [None, "model", torch.nn.Linear(D, C)])
def test_fit_and_predict_refuse_a_model_that_is_not_stacked(model):
    assert_refuses_or_ok(ensemble.fit_stacked, model, X, Y, epochs=1, arg="model", must_refuse=True)
    assert_refuses_or_ok(ensemble.predict_logits_stacked, model, X, arg="model", must_refuse=True)


def test_fit_stacked_valid_matches_torch_cross_entropy():
    model = _stacked()
    out = assert_refuses_or_ok(
        ensemble.fit_stacked, model, X, Y, epochs=2, lr=0.01, X_val=X, y_val=Y, arg=None, dtype=None
    ).value
    assert out["train_loss"].shape == (2, S) and out["val_nll"].shape == (2, S)
    z = torch.from_numpy(ensemble.predict_logits_stacked(model, X))
    ref = [F.cross_entropy(z[s], torch.from_numpy(Y)).item() for s in range(S)]
    np.testing.assert_allclose(out["val_nll"][-1], ref, rtol=1e-5)


@FAST
@given(X=st.one_of(hostile_arrays(), hostile_float_arrays((N, D)), hostile_float_arrays((S, N, D))))
def test_predict_logits_stacked_hostile_X(X):
    def check(z):
        assert z.shape[0] == S and z.shape[-1] == C

    assert_refuses_or_ok(
        ensemble.predict_logits_stacked, _stacked(), X, arg="X", dtype=np.float64, check=check
    )


@FAST
@given(
    x=st.one_of(
        hostile_float_arrays((N, D)).map(torch.from_numpy),
        st.sampled_from(
            [
                torch.zeros(N, D + 1),
                torch.zeros(S + 1, N, D),
                torch.zeros(N, D, dtype=torch.long),
                torch.zeros(D),
                X,
                None,
                "x",
                torch.full((N, D), float("nan")),
            ]
        ),
    )
)
def test_stacked_forward_hostile_x(x):
    model = _stacked()
    assert_refuses_or_ok(model.forward, x, arg="x")


@FAST
@given(p=st.one_of(hostile_scalars(), hostile_ints()))
def test_stacked_weight_norm_hostile_p(p):
    model = _stacked()

    def check(v):
        ref = sum((w.detach().double().abs() ** float(p)).sum(dim=(1, 2)) for w in model.weights)
        torch.testing.assert_close(v.detach().double(), ref, rtol=1e-5, atol=0)

    assert_refuses_or_ok(model.weight_norm, p, arg="p", check=check)


def test_stacked_weight_norm_matches_torch_norm():
    model = _stacked()
    ref = sum(torch.linalg.vector_norm(w.detach(), ord=2, dim=(1, 2)) ** 2 for w in model.weights)
    torch.testing.assert_close(model.weight_norm(2).detach(), ref)


# --------------------------------------------------------------------------- exercises


@pytest.fixture
def registry():
    """Registration adds to the module-level registry: restore it after each test."""
    saved = dict(_core._REGISTRY)
    yield
    _core._REGISTRY.clear()
    _core._REGISTRY.update(saved)


LABELS = st.one_of(
    st.sampled_from(
        [
            "",
            "ex nope",
            "ex-entropy-99",
            None,
            1,
            b"ex-entropy-1",
            ["ex-entropy-1"],
            float("nan"),
            "ex-entropy-1\n",
        ]
    ),
    st.text(max_size=5),
)
ANSWERS = st.one_of(
    hostile_scalars(), hostile_arrays(), st.sampled_from([len, lambda x: x, "a", "z", -1, 10**30])
)


def _by_kind():
    exercises.load_chapters()
    out = {}
    for label in exercises.labels():
        out.setdefault(type(exercises.get(label)).__name__, label)
    return out


KINDS = _by_kind()


@FAST
@given(label=LABELS)
def test_get_describe_check_hostile_label(label):
    for fn, extra in ((exercises.get, ()), (exercises.describe, ()), (exercises.check, (0.5,))):
        assert_refuses_or_ok(fn, label, *extra, arg="label")


@pytest.mark.parametrize("kind", sorted(KINDS))
@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(answer=ANSWERS)
def test_check_hostile_answer_of_each_kind(kind, answer):
    label = KINDS[kind]
    ex = exercises.get(label)

    def verdict(v):
        assert v.status in ("correct", "not yet", "not implemented") and isinstance(v.message, str)

    assert_refuses_or_ok(ex.check, answer, arg="answer", check=verdict)
    assert_refuses_or_ok(exercises.check, label, answer, arg="answer", check=verdict)


@FAST
@given(answer=ANSWERS)
def test_choice_index_of_hostile_answer(answer):
    ex = exercises.get(KINDS["ChoiceExercise"])

    def in_range(i):
        assert isinstance(i, int) and 0 <= i < len(ex.options)

    assert_refuses_or_ok(ex.index_of, answer, arg="answer", check=in_range)


def test_check_valid_answers_are_correct():
    for label in KINDS.values():
        ex = exercises.get(label)
        right = ex.reference if isinstance(ex, exercises.FunctionExercise) else ex.expected()
        assert assert_refuses_or_ok(ex.check, right, arg=None).value.correct


REGISTER = {"number": exercises.number, "choice": exercises.choice, "function": exercises.function}
REG_VALID = {
    "number": dict(label="ex-hostile-1", solution=lambda: 1.0, hint="think", atol=1e-3),
    "choice": dict(label="ex-hostile-2", options=("a one", "a two"), solution=lambda: 0, hint="think"),
    "function": dict(label="ex-hostile-3", reference=math.exp, cases=[((1.0,), {})], hint="think"),
}
REG_HOSTILE = {
    "label": LABELS,
    "solution": NOT_CALLABLE,
    "reference": NOT_CALLABLE,
    "hint": st.sampled_from(["", "  ", None, 1, ["h"]]),
    "atol": hostile_scalars(),
    "rtol": hostile_scalars(),
    "options": st.sampled_from(["ab", ("one",), ("a", "a"), ("a", ""), (1, 2), None, 3]),
    "cases": st.sampled_from(["cases", 3, None]),
    "page_case": st.sampled_from([1.5, "0", True, [0]]),
    "page_prompt": st.sampled_from([1, b"f(x)", ["f"]]),
    "page_rtol": hostile_scalars(),
}
REG_PARAMS = [
    (kind, arg)
    for kind, kw in REG_VALID.items()
    for arg in REG_HOSTILE
    if arg in kw or (kind == "function" and arg.startswith("page_")) or (kind == "number" and arg == "rtol")
]


@pytest.mark.parametrize("kind, arg", REG_PARAMS, ids=[f"{k}-{a}" for k, a in REG_PARAMS])
@settings(
    max_examples=8,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(data=st.data())
def test_registration_hostile_argument(registry, kind, arg, data):
    kw = dict(REG_VALID[kind])
    kw[arg] = data.draw(REG_HOSTILE[arg], label=arg)
    assert_refuses_or_ok(REGISTER[kind], **kw, arg=arg)


@pytest.mark.parametrize("strict", [True, False, 1, "yes", None])
def test_export_all_hostile_strict(strict):
    def check(out):
        assert out["version"] == 1 and set(out["exercises"]) == set(exercises.labels())

    assert_refuses_or_ok(exercises.export_all, strict, arg="strict", check=check)


# --------------------------------------------------------------------------- published


@FAST
@given(
    key=st.one_of(
        st.sampled_from(["", "nope", "guo2017calibration", None, 1, ["k"], b"k", float("nan")]),
        st.text(max_size=8),
    )
)
def test_published_get_hostile_key(key):
    stored = isinstance(key, str) and key in published.PUBLISHED
    assert_refuses_or_ok(published.get, key, arg="key", must_refuse=not stored)


def test_published_get_every_key():
    for key, result in published.PUBLISHED.items():
        assert assert_refuses_or_ok(published.get, key, arg=None).value is result
        assert math.isfinite(result.value)


# --------------------------------------------------------------------------- calibrators' fit_transform

PROBS = _rng.dirichlet(np.ones(C), size=N)


@pytest.mark.parametrize(
    "calibrator", [calibration.IsotonicCalibrator, calibration.HistogramBinningCalibrator]
)
@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(probs=hostile_arrays(), labels=hostile_indices(C, (N,)), which=st.sampled_from(["probs", "labels"]))
def test_fit_transform_hostile(calibrator, probs, labels, which):
    kw = {"probs": PROBS, "labels": Y, which: probs if which == "probs" else labels}

    def same_as_fit_then_transform(out):
        ref = calibrator().fit(kw["probs"], kw["labels"]).transform(kw["probs"])
        np.testing.assert_allclose(out, ref)

    assert_refuses_or_ok(
        calibrator().fit_transform,
        **kw,
        arg=("probs", "labels"),
        dtype=np.float64,
        check=same_as_fit_then_transform,
    )


# --------------------------------------------------------------------------- chapter 13's exercise helpers


@FAST
@given(n=hostile_ints(), v=hostile_ints(), which=st.sampled_from(["n_tokens", "vocab_size"]))
def test_naive_peak_gib_hostile(n, v, which):
    kw = {"n_tokens": 4096, "vocab_size": 1000, which: n if which == "n_tokens" else v}

    def check(gib):
        assert gib == 3 * 4 * kw["n_tokens"] * kw["vocab_size"] / 2**30

    assert_refuses_or_ok(ex13.naive_peak_gib, **kw, arg=which, check=check)


@FAST
@given(x=hostile_ints(), which=st.sampled_from(["n_tokens", "vocab_size", "d", "chunk_size"]))
def test_chunked_peak_bytes_hostile(x, which):
    kw = {"n_tokens": 4096, "vocab_size": 1000, "d": 64, "chunk_size": 512, which: x}

    def check(b):
        assert (
            b == 4 * kw["chunk_size"] * kw["vocab_size"] + 4 * (kw["n_tokens"] + kw["vocab_size"]) * kw["d"]
        )

    assert_refuses_or_ok(ex13.chunked_peak_bytes, **kw, arg=which, check=check)


def test_stacked_forward_refuses_logits_that_overflow():
    """Finite input whose logits overflow float64 gets a clear error naming x, never a silent inf."""
    model = _stacked()
    x = torch.full((N, D), -np.finfo(np.float64).max, dtype=model.weights[0].dtype)
    with pytest.raises(ValueError, match="x: the logits overflowed"):
        model.forward(x)
    assert torch.isfinite(model.forward(torch.zeros(N, D, dtype=model.weights[0].dtype))).all()


@FAST
@given(P=st.one_of(hostile_float_arrays((N, C)), hostile_float_arrays()))
def test_fit_stacked_hostile_soft_targets(P):
    # y as target distributions (N, C): hostile values and shapes are refused naming y
    assert_refuses_or_ok(ensemble.fit_stacked, _stacked(), X, P, **FIT_VALID, arg="y", timeout=10)


@FAST
@given(
    losses=st.sampled_from(
        [[], [F.cross_entropy], [F.cross_entropy] * (S + 1), [F.cross_entropy, 1], (None,) * S]
    )
)
def test_fit_stacked_hostile_loss_per_model(losses):
    assert_refuses_or_ok(
        ensemble.fit_stacked, _stacked(), X, Y, **FIT_VALID, loss_fn=losses, arg="loss_fn", must_refuse=True
    )


def test_fit_stacked_soft_targets_and_loss_list_match_torch():
    # valid: one-hot targets with one cross-entropy per model train exactly as integer labels
    runs = []
    for target, loss_fn in ((Y, None), (np.eye(C)[Y], [F.cross_entropy] * S)):
        model = _stacked()
        assert_refuses_or_ok(ensemble.fit_stacked, model, X, target, **FIT_VALID, loss_fn=loss_fn, arg=None)
        runs.append(ensemble.predict_logits_stacked(model, X))
    np.testing.assert_allclose(runs[0], runs[1], rtol=1e-12, atol=1e-12)
