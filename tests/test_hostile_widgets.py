"""Hostile input for every public function of xent_book.widgets (issue 9), through the shared oracle.

Each test draws ONE hostile argument and keeps the others valid, so that a refusal
must name that argument (as the caller wrote it). A returned result is compared with
an independent reference (PyTorch, or xent_book's own module for the concept), so a
silently wrong number fails as well as a NaN, a hang, a leaked warning, a mutated
input or an exception that is not a ValueError/TypeError naming the argument.
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
    hostile_temperatures,
    many_classes_logits,
)
from hypothesis import given, settings
from hypothesis import strategies as st

import xent_book as xb
import xent_book.widgets as xw

FAST = settings(max_examples=10, deadline=None)
REL = 1e-9


def near(a, b, rel=REL, abs_=1e-12):
    a, b = float(a), float(b)
    assert a == b or math.isclose(a, b, rel_tol=rel, abs_tol=abs_), (a, b)


def torch_ce(z, y, t=1.0):
    zt = torch.as_tensor(np.asarray(z, dtype=np.float64)) / t
    return F.cross_entropy(zt.reshape(-1, zt.shape[-1]), torch.as_tensor(np.atleast_1d(y)).long()).item()


# --------------------------------------------------------------------------- logits explorer


def check_logits_values(v):
    near(v["loss"], torch_ce(v["logits"], v["target"], v["temperature"]))
    assert np.isclose(v["probs"].sum(), 1.0, rtol=0, atol=1e-12)
    assert v["probs"].dtype == np.float64 and v["grad"].shape == v["logits"].shape


@FAST
@given(logits=hostile_arrays())
def test_logits_values_hostile_logits(logits):
    assert_refuses_or_ok(xw.logits_explorer_values, logits, 1.0, 0, arg="logits", check=check_logits_values)


@FAST
@given(t=hostile_temperatures())
def test_logits_values_hostile_temperature(t):
    assert_refuses_or_ok(
        xw.logits_explorer_values, (2.0, 1.0, 0.1), t, 1, arg="temperature", check=check_logits_values
    )


@FAST
@given(y=st.one_of(hostile_scalars(), hostile_ints()))
def test_logits_values_hostile_target(y):
    assert_refuses_or_ok(
        xw.logits_explorer_values, (2.0, 1.0, 0.1), 1.0, y, arg="target", check=check_logits_values
    )


def test_logits_values_huge_logits_and_many_classes():
    for z, t in (([1e4, -1e4, 0.0], 1.0), ([6e4, -6e4, 0.0], 0.05), (np.array([1e300, -1e300]), 1.0)):
        assert_refuses_or_ok(
            xw.logits_explorer_values, z, t, 1, arg=("logits", "temperature"), check=check_logits_values
        )
    z = many_classes_logits(1, 100_000)[0]
    assert_refuses_or_ok(xw.logits_explorer_values, z, 1.0, 99_999, check=check_logits_values)


# --------------------------------------------------------------------------- entropy / KL explorers


def _dist(w):
    w = np.asarray(w, dtype=np.float64)
    return w / w.sum()


def check_entropy_values(v):
    p = v["p"]
    base = v["base"]
    ref = float(-(torch.special.xlogy(torch.from_numpy(p), torch.from_numpy(p))).sum()) / (
        1.0 if base is None else math.log(float(base))
    )
    near(v["entropy"], ref)
    assert -1e-12 <= v["entropy"] <= v["max_entropy"] * (1 + 1e-12) + 1e-12


@FAST
@given(p=hostile_arrays())
def test_entropy_values_hostile_p(p):
    assert_refuses_or_ok(xw.entropy_values, p, 2, arg="p", check=check_entropy_values)


@FAST
@given(base=hostile_scalars())
def test_entropy_values_hostile_base(base):
    assert_refuses_or_ok(xw.entropy_values, (0.5, 0.3, 0.2), base, arg="base", check=check_entropy_values)


def check_entropy_kl_values(v):
    p, q = torch.from_numpy(v["p"]), torch.from_numpy(v["q"])
    lb = 1.0 if v["base"] is None else math.log(float(v["base"]))
    hpq = float(-(torch.special.xlogy(p, q)).sum()) / lb
    near(v["cross_entropy"], hpq)
    kl = float(F.kl_div(q.log(), p, reduction="sum")) / lb
    if math.isfinite(kl):
        near(v["kl"], max(kl, 0.0), abs_=1e-12)
    else:
        assert v["kl"] == math.inf
    assert v["kl"] >= 0


@FAST
@given(p=hostile_arrays(), which=st.sampled_from(["p", "q"]))
def test_entropy_kl_values_hostile_distribution(p, which):
    kw = {"p": (0.5, 0.3, 0.2), "q": (0.2, 0.3, 0.5), which: p}
    assert_refuses_or_ok(
        xw.entropy_kl_values, kw["p"], kw["q"], 2, arg=which, inf_ok=True, check=check_entropy_kl_values
    )


@FAST
@given(base=hostile_scalars())
def test_entropy_kl_values_hostile_base(base):
    assert_refuses_or_ok(
        xw.entropy_kl_values,
        (0.5, 0.3, 0.2),
        (0.2, 0.3, 0.5),
        base,
        arg="base",
        check=check_entropy_kl_values,
    )


def test_entropy_kl_values_mismatched_lengths_name_q():
    assert_refuses_or_ok(xw.entropy_kl_values, (0.5, 0.5), (0.2, 0.3, 0.5), 2, arg="q", must_refuse=True)


# --------------------------------------------------------------------------- binary / focal explorers


def check_binary_values(v):
    z = torch.tensor([v["z"]], dtype=torch.float64, requires_grad=True)
    loss = F.binary_cross_entropy_with_logits(
        z,
        torch.tensor([v["y"]], dtype=torch.float64),
        pos_weight=torch.tensor([v["pos_weight"]], dtype=torch.float64),
    )
    loss.backward()
    near(v["loss"], loss.item())
    near(v["grad"], z.grad.item())
    assert v["loss"] >= 0


@FAST
@given(x=hostile_scalars(), which=st.sampled_from(["z", "y", "pos_weight"]))
def test_binary_values_hostile_scalars(x, which):
    kw = {"z": 0.5, "y": 1, "pos_weight": 2.0, which: x}
    assert_refuses_or_ok(xw.binary_loss_values, **kw, arg=which, check=check_binary_values)


def test_binary_values_huge_logits():
    for z in (1e4, -1e4, 6e4, -6e4, 1e300, -1e300):
        assert_refuses_or_ok(xw.binary_loss_values, z, 1, 3.0, check=check_binary_values)


def check_focal_values(v):
    p, g = v["p_t"], v["gamma"]
    near(v["ce"], -math.log(p) + 0.0)
    near(v["focal"], (1 - p) ** g * -math.log(p), rel=1e-9, abs_=1e-300)
    assert 0 <= v["focal"] <= v["ce"] + 1e-300


@FAST
@given(x=hostile_scalars(), which=st.sampled_from(["p_t", "gamma"]))
def test_focal_values_hostile_scalars(x, which):
    kw = {"p_t": 0.6, "gamma": 2.0, which: x}
    assert_refuses_or_ok(xw.focal_values, **kw, arg=which, check=check_focal_values)


# --------------------------------------------------------------------------- reliability explorer


def _rel_data(n=40, c=4, seed=0):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(n, c)) * 2, rng.integers(c, size=n)


def check_reliability(z, y, t=1.0, n_bins=15):
    def check(v):
        probs = xb.softmax(np.asarray(z, dtype=np.float64), axis=1, temperature=t)
        near(v["ece"], xb.calibration.expected_calibration_error(probs, y, n_bins=n_bins))
        near(v["nll"], torch_ce(z, y, t))
        assert 0 <= v["ece"] <= 1 and v["bin_counts"].sum() == len(y)

    return check


@FAST
@given(logits=st.one_of(hostile_arrays(), hostile_float_arrays(shape=(4, 3))))
def test_reliability_values_hostile_logits(logits):
    y = np.array([0, 1, 2, 0])
    # labels that do not fit the drawn logits (fewer classes or rows) are a refusal naming labels
    assert_refuses_or_ok(
        xw.reliability_values, logits, y, arg=("logits", "labels"), check=check_reliability(logits, y)
    )


@FAST
@given(labels=hostile_indices(num_classes=4, shape=(40,)))
def test_reliability_values_hostile_labels(labels):
    z, _ = _rel_data()
    assert_refuses_or_ok(xw.reliability_values, z, labels, arg="labels", check=check_reliability(z, labels))


@FAST
@given(t=hostile_temperatures())
def test_reliability_values_hostile_temperature(t):
    z, y = _rel_data()
    assert_refuses_or_ok(xw.reliability_values, z, y, t, arg="temperature", check=check_reliability(z, y, t))


@FAST
@given(m=hostile_ints())
def test_reliability_values_hostile_n_bins(m):
    z, y = _rel_data()
    assert_refuses_or_ok(
        xw.reliability_values,
        z,
        y,
        1.0,
        m,
        arg="n_bins",
        timeout=5.0,
        check=check_reliability(z, y, 1.0, m) if isinstance(m, int) and 0 < m < 10**6 else None,
    )


def test_reliability_values_huge_logits_and_many_classes():
    z, y = _rel_data()
    for scale in (1e4, 6e4):
        assert_refuses_or_ok(xw.reliability_values, z * scale, y, check=check_reliability(z * scale, y))
    big = many_classes_logits(2, 100_000)
    assert_refuses_or_ok(
        xw.reliability_values, big, np.array([0, 99_999]), check=check_reliability(big, [0, 99_999])
    )


# --------------------------------------------------------------------------- the explorers themselves


#: the anywidget explorers (no drag interval: their view redraws in the browser)
ANYWIDGETS = {
    "LogitsExplorer": (xw.LogitsExplorer, {"logits": (2.0, 1.0, 0.1), "temperature": 1.0, "target": 0}),
    "logits_explorer": (
        xw.logits_explorer,
        {"logits": (10.0, -10.0, 0.0), "temperature": 0.05, "target": 1, "temperature_range": (0.001, 5.0)},
    ),
    "entropy_explorer": (xw.entropy_explorer, {"p": (0.5, 0.3, 0.2), "base": 2}),
    "EntropyExplorer": (xw.EntropyExplorer, {"p": (0.5, 0.3, 0.2), "base": 2}),
    "entropy_kl_explorer": (xw.entropy_kl_explorer, {"p": (0.5, 0.3, 0.2), "q": (0.2, 0.3, 0.5), "base": 2}),
    "EntropyKLExplorer": (xw.EntropyKLExplorer, {"p": (0.6, 0.3, 0.1), "q": (0.2, 0.3, 0.5), "base": 2}),
    "reliability_explorer": (
        xw.reliability_explorer,
        {"logits": _rel_data()[0], "labels": _rel_data()[1], "temperature": 1.0, "n_bins": 15},
    ),
    "binary_loss_explorer": (xw.binary_loss_explorer, {"y": 1, "pos_weight": 1.0, "z": 0.0}),
    "BinaryLossExplorer": (xw.BinaryLossExplorer, {"y": 1, "pos_weight": 1.0, "z": 0.0}),
    "focal_explorer": (xw.focal_explorer, {"gamma": 2.0, "p_t": 0.6}),
    "FocalExplorer": (xw.FocalExplorer, {"gamma": 2.0, "p_t": 0.6}),
}
#: the anywidget explorers' synced state a reader can set from a cell (besides a temperature)
TRAITS = {
    "BinaryLossExplorer": ("z", "y", "pos_weight"),
    "FocalExplorer": ("gamma", "p_t"),
    "LogitsExplorer": ("logits", "target", "temperature_range"),
    "EntropyExplorer": ("p", "base"),
    "EntropyKLExplorer": ("p", "q", "base"),
}


def _no_nan(values: dict) -> None:
    for k, v in values.items():
        if isinstance(v, str):  # a unit or a note
            continue
        assert not np.any(np.isnan(np.asarray(v, dtype=float))), k


@settings(max_examples=30, deadline=None)
@given(name=st.sampled_from(sorted(ANYWIDGETS)), data=st.data())
def test_every_anywidget_explorer_refuses_or_builds(name, data):
    """One hostile argument per call: the explorer builds (its traits give finite numbers), or refuses."""
    factory, kw = ANYWIDGETS[name]
    which = data.draw(st.sampled_from(sorted(kw)))
    kw = dict(kw)
    kw[which] = data.draw(st.one_of(hostile_scalars(), hostile_arrays()))
    # logits that do not fit the labels (fewer classes or rows) are a refusal naming either
    arg = ("logits", "labels") if which in ("logits", "labels") and name == "reliability_explorer" else which
    assert_refuses_or_ok(factory, **kw, arg=arg, check=lambda ex: _no_nan(ex.values()))


@settings(max_examples=30, deadline=None)
@given(
    name=st.sampled_from(sorted(n for n, (f, kw) in ANYWIDGETS.items() if "temperature" in kw)),
    x=st.one_of(hostile_scalars(), hostile_ints()),
)
def test_a_hostile_temperature_set_from_a_cell_is_refused_or_shown(name, x):
    """``explorer.temperature = x`` from a cell: refused naming the temperature, or a finite view."""
    factory, kw = ANYWIDGETS[name]
    ex = factory(**kw)

    def assign(value):
        ex.temperature = value
        return ex

    assert_refuses_or_ok(assign, x, arg="temperature", check=lambda e: _no_nan(e.values()))


@settings(max_examples=40, deadline=None)
@given(name=st.sampled_from(sorted(TRAITS)), data=st.data())
def test_a_hostile_trait_set_from_a_cell_is_refused_or_shown(name, data):
    """``explorer.z = x`` (any trait) from a cell: refused naming the trait, or finite numbers; a refusal changes nothing."""
    cls, kw = ANYWIDGETS[name]
    ex = cls(**kw)
    which = data.draw(st.sampled_from(TRAITS[name]))
    x = data.draw(st.one_of(hostile_scalars(), hostile_ints(), hostile_arrays()))
    before = {t: getattr(ex, t) for t in TRAITS[name]}

    def assign(value):
        try:
            setattr(ex, which, value)
        except (TypeError, ValueError):
            assert {t: getattr(ex, t) for t in TRAITS[name]} == before  # the state is as it was
            raise
        return ex

    assert_refuses_or_ok(assign, x, arg=which, check=lambda e: _no_nan(e.values()))


def _plant_nan(*a, **k):
    return np.full(np.shape(a[0])[0], np.nan)


def _plant_wrong(*a, **k):
    from xent_book.losses import focal_loss

    return focal_loss(*a, **k) * (1 + 1e-6)


def _plant_warning(*a, **k):
    from xent_book.losses import focal_loss

    np.log(np.zeros(1))  # divide by zero: a leaked RuntimeWarning
    return focal_loss(*a, **k)


def _plant_index_error(*a, **k):
    raise IndexError("index 3 is out of bounds")


def _plant_unnamed(*a, **k):
    raise ValueError("expected a finite value")


def _plant_hang(*a, **k):
    while True:
        pass


@pytest.mark.parametrize(
    "plant, match",
    [
        (_plant_nan, "NaN"),
        (_plant_wrong, r"\("),
        (_plant_warning, "warning"),
        (_plant_index_error, "IndexError"),
        (_plant_unnamed, "naming none"),
        (_plant_hang, "hung"),
    ],
    ids=["nan", "wrong-number", "warning", "wrong-exception", "unnamed-argument", "hang"],
)
def test_the_suite_catches_each_kind_of_planted_defect(monkeypatch, plant, match):
    """Plant each kind of defect in the focal explorer's formula: the oracle and the reference check fail."""
    import xent_book.widgets.focal as focal

    monkeypatch.setattr(focal, "focal_loss", plant)
    with pytest.raises(AssertionError, match=match):
        assert_refuses_or_ok(
            xw.focal_values,
            0.5,
            2.0,
            arg=None if plant is not _plant_unnamed else "gamma",
            check=check_focal_values,
            timeout=0.5,
        )
