"""Tests of xent_book.widgets: the values functions against PyTorch and xent_book, the
anywidget explorers' traits and saved state, the chapters' explorer cells.

No browser here (tests/browser/ drives the real front end); the ES modules' formulas run in
Node in test_widgets_entropy.py, test_widgets_binary_focal.py and test_widgets_sampling.py.
"""

from __future__ import annotations

import json
import math
import re

import numpy as np
import pytest
import torch
import torch.nn.functional as F
import traitlets

import xent_book as xb
from xent_book import widgets as xw

# --------------------------------------------------------------------------- helpers


def torch_logits_reference(z, t, y):
    zt = torch.tensor(z, dtype=torch.float64, requires_grad=True)
    scaled = (zt / t).detach().requires_grad_(True)
    loss = F.cross_entropy(scaled[None], torch.tensor([y]))
    loss.backward()
    loss_z = F.cross_entropy((zt / t)[None], torch.tensor([y]))
    loss_z.backward()
    return torch.softmax(zt.detach() / t, -1).numpy(), loss.item(), scaled.grad.numpy(), zt.grad.numpy()


# --------------------------------------------------------------------------- logits explorer


@pytest.mark.parametrize("seed", range(5))
def test_logits_values_match_torch_autograd_on_random_inputs(seed):
    rng = np.random.default_rng(seed)
    c = int(rng.integers(2, 7))
    z = rng.uniform(-10, 10, c)
    t = float(np.exp(rng.uniform(np.log(0.05), np.log(5))))
    y = int(rng.integers(c))
    v = xw.logits_explorer_values(z, t, y)
    probs, loss, grad_scaled, grad_z = torch_logits_reference(z, t, y)
    np.testing.assert_allclose(v["probs"], probs, rtol=1e-12, atol=1e-300)
    assert v["loss"] == pytest.approx(loss, rel=1e-12, abs=1e-15)
    np.testing.assert_allclose(v["grad"], grad_scaled, rtol=1e-10, atol=1e-15)
    np.testing.assert_allclose(v["grad_logits"], grad_z, rtol=1e-10, atol=1e-15)


def test_logits_values_equal_xent_book_cross_entropy_and_its_gradient():
    z, t, y = np.array([2.0, -1.0, 0.5, 3.0]), 0.7, 2
    v = xw.logits_explorer_values(z, t, y)
    assert v["loss"] == pytest.approx(float(xb.cross_entropy(z / t, np.array(y))), rel=1e-14)
    np.testing.assert_allclose(v["grad"], xb.cross_entropy_grad(z / t, np.array(y)), rtol=1e-13, atol=1e-16)
    np.testing.assert_allclose(v["probs"], xb.softmax(z, temperature=t), rtol=1e-15)


def test_logits_default_view_numbers():
    v = xw.logits_explorer_values()
    np.testing.assert_allclose(v["probs"], [0.659001, 0.242433, 0.098566], atol=1e-6)
    assert v["loss"] == pytest.approx(0.417030, abs=1e-6)
    assert v["grad"].sum() == pytest.approx(0.0, abs=1e-15)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (dict(logits=[1.0, np.nan, 0.0]), "logits"),
        (dict(logits=[1.0, np.inf, 0.0]), "logits"),
        (dict(logits=[1.0]), "logits"),
        (dict(logits=[[1.0, 2.0]]), "logits"),
        (dict(temperature=0.0), "temperature"),
        (dict(temperature=-1.0), "temperature"),
        (dict(target=3), "target"),
        (dict(target=-1), "target"),
    ],
)
def test_logits_values_reject_bad_input_naming_the_argument(kwargs, match):
    with pytest.raises(ValueError, match=match):
        xw.logits_explorer_values(**{"logits": (2.0, 1.0, 0.1), **kwargs})


def test_logits_values_reject_a_float_target():
    with pytest.raises(TypeError, match="target"):
        xw.logits_explorer_values((2.0, 1.0, 0.1), 1.0, 0.5)


def test_logits_explorer_rejects_too_many_classes():
    with pytest.raises(ValueError, match="logits"):
        xw.logits_explorer(logits=np.zeros(7))


# --------------------------------------------------------------------------- entropy / KL explorers

from scipy import stats  # noqa: E402


@pytest.mark.parametrize("seed", range(5))
@pytest.mark.parametrize("base", [2, None, math.e, 10])
def test_entropy_kl_values_match_scipy_and_torch_on_random_weights(seed, base):
    rng = np.random.default_rng(seed)
    c = int(rng.integers(2, 9))
    wp, wq = rng.uniform(0, 3, c), rng.uniform(0.01, 3, c)
    v = xw.entropy_kl_values(wp, wq, base)
    p, q = wp / wp.sum(), wq / wq.sum()
    np.testing.assert_allclose(v["p"], p, rtol=1e-15)
    np.testing.assert_allclose(v["q"], q, rtol=1e-15)
    assert v["entropy"] == pytest.approx(stats.entropy(wp, base=base), rel=1e-12)
    assert v["kl"] == pytest.approx(stats.entropy(wp, wq, base=base), rel=1e-10, abs=1e-15)
    log_b = 1.0 if base is None else math.log(base)
    ce_torch = -(torch.tensor(p) * torch.log(torch.tensor(q))).sum().item() / log_b
    assert v["cross_entropy"] == pytest.approx(ce_torch, rel=1e-12)
    assert v["cross_entropy"] == pytest.approx(v["entropy"] + v["kl"], rel=1e-12)
    assert v["max_entropy"] == pytest.approx(math.log(c) / log_b, rel=1e-15)
    e = xw.entropy_values(wp, base)
    assert e["entropy"] == v["entropy"]
    assert e["perplexity"] == pytest.approx(math.exp(stats.entropy(wp)), rel=1e-12)


def test_entropy_kl_values_units_and_known_numbers():
    v = xw.entropy_kl_values((1, 1), (1, 3), base=2)
    assert v["unit"] == "bits" and v["entropy"] == pytest.approx(1.0, rel=1e-15)
    assert v["cross_entropy"] == pytest.approx(-0.5 * math.log2(0.25) - 0.5 * math.log2(0.75), rel=1e-14)
    assert xw.entropy_kl_values((1, 1), (1, 3), base=None)["unit"] == "nats"
    assert xw.entropy_values((0, 0, 5), base=2)["entropy"] == 0.0
    assert xw.entropy_values((2, 2, 2, 2), base=2)["entropy"] == pytest.approx(2.0, rel=1e-15)


def test_entropy_kl_values_give_inf_kl_where_q_is_zero_and_p_is_not():
    v = xw.entropy_kl_values((1, 1, 0), (1, 0, 1), base=2)
    assert v["kl"] == math.inf and v["cross_entropy"] == math.inf and v["entropy"] == pytest.approx(1.0)
    v = xw.entropy_kl_values((1, 0, 0), (1, 0, 1), base=2)  # p_i = 0 where q_i = 0: finite
    assert v["kl"] == pytest.approx(1.0) and v["entropy"] == 0.0


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (dict(p=(1, -1, 1)), "p"),
        (dict(q=(1, np.nan, 1)), "q"),
        (dict(q=(1, np.inf, 1)), "q"),
        (dict(p=(0, 0, 0)), "p"),
        (dict(q=(1, 1)), "q"),
        (dict(p=(1,), q=(1,)), "p"),
        (dict(base=1), "base"),
        (dict(base=-2), "base"),
    ],
)
def test_entropy_kl_values_reject_bad_input_naming_the_argument(kwargs, match):
    with pytest.raises(ValueError, match=match):
        xw.entropy_kl_values(**{"p": (0.5, 0.3, 0.2), "q": (0.2, 0.3, 0.5), **kwargs})


# --------------------------------------------------------------------------- binary loss explorer


def torch_bce_reference(z, y, pw):
    zt = torch.tensor(z, dtype=torch.float64, requires_grad=True)
    loss = F.binary_cross_entropy_with_logits(
        zt, torch.tensor(float(y), dtype=torch.float64), pos_weight=torch.tensor(pw, dtype=torch.float64)
    )
    loss.backward()
    return loss.item(), zt.grad.item()


@pytest.mark.parametrize("seed", range(8))
def test_binary_loss_values_match_torch_autograd(seed):
    rng = np.random.default_rng(seed)
    z = float(rng.uniform(-30, 30))
    y = float(rng.integers(2)) if seed % 2 else float(rng.uniform())  # hard and soft labels
    pw = float(np.exp(rng.uniform(np.log(0.1), np.log(10))))
    v = xw.binary_loss_values(z, y, pw)
    loss, grad = torch_bce_reference(z, y, pw)
    assert v["loss"] == pytest.approx(loss, rel=1e-12, abs=1e-14)
    assert v["grad"] == pytest.approx(grad, rel=1e-12, abs=1e-14)
    assert v["p"] == pytest.approx(torch.sigmoid(torch.tensor(z, dtype=torch.float64)).item(), rel=1e-14)
    xb_loss = xb.binary_cross_entropy_with_logits(np.array([z]), np.array([y]), pos_weight=np.array([pw]))
    assert v["loss"] == pytest.approx(float(xb_loss), rel=1e-13, abs=1e-15)


def test_binary_loss_gradient_is_sigmoid_minus_y_scaled_by_pos_weight_for_positives():
    for z in (-3.0, 0.0, 2.5):
        s = 1.0 / (1.0 + math.exp(-z))
        assert xw.binary_loss_values(z, 0, 4.0)["grad"] == pytest.approx(s, rel=1e-14)
        assert xw.binary_loss_values(z, 1, 4.0)["grad"] == pytest.approx(4.0 * (s - 1.0), rel=1e-14)
        assert xw.binary_loss_values(z, 1, 1.0)["grad"] == pytest.approx(s - 1.0, rel=1e-14)
    assert xw.binary_loss_values(0.0, 1, 1.0)["loss"] == pytest.approx(math.log(2), rel=1e-15)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (dict(z=np.nan), "z"),
        (dict(z=np.inf), "z"),
        (dict(y=2), "y"),
        (dict(y=-0.5), "y"),
        (dict(pos_weight=-1.0), "pos_weight"),
        (dict(pos_weight=np.inf), "pos_weight"),
    ],
)
def test_binary_loss_values_reject_bad_input_naming_the_argument(kwargs, match):
    with pytest.raises(ValueError, match=match):
        xw.binary_loss_values(**{"z": 0.0, "y": 1, "pos_weight": 1.0, **kwargs})


def test_binary_loss_explorer_rejects_soft_label():
    with pytest.raises(ValueError, match="y"):
        xw.binary_loss_explorer(y=0.5)


# --------------------------------------------------------------------------- focal explorer


@pytest.mark.parametrize("p_t", [0.01, 0.3, 0.6, 0.9, 0.999, 1.0])
@pytest.mark.parametrize("gamma", [0.0, 0.5, 2.0, 5.0])
def test_focal_values_match_xent_book_focal_losses_and_torch(p_t, gamma):
    v = xw.focal_values(p_t, gamma)
    pt = torch.tensor(p_t, dtype=torch.float64)
    assert v["ce"] == pytest.approx(-torch.log(pt).item(), rel=1e-15, abs=0)
    assert v["focal"] == pytest.approx((-((1 - pt) ** gamma) * torch.log(pt)).item(), rel=1e-14, abs=0)
    assert v["factor"] == pytest.approx(((1 - pt) ** gamma).item(), rel=1e-14, abs=0)
    # multi-class focal loss on logits (log p_t, log(1 - p_t)) with target 0
    logits = np.array([[math.log(p_t), math.log1p(-p_t) if p_t < 1 else -np.inf]])
    if p_t < 1:
        fl = float(xb.focal_loss(logits, np.array([0]), gamma=gamma))
        assert v["focal"] == pytest.approx(fl, rel=1e-12, abs=1e-15)
        z = math.log(p_t) - math.log1p(-p_t)
        sfl = float(xb.sigmoid_focal_loss(np.array([z]), np.array([1.0]), alpha=-1, gamma=gamma)[0])
        assert v["focal"] == pytest.approx(sfl, rel=1e-10, abs=1e-15)


def test_focal_values_edges():
    assert xw.focal_values(1.0, 2.0) == {"p_t": 1.0, "gamma": 2.0, "factor": 0.0, "ce": 0.0, "focal": 0.0}
    v = xw.focal_values(1.0, 0.0)
    assert v["factor"] == 1.0 and v["focal"] == 0.0 and math.copysign(1, v["ce"]) == 1.0
    v = xw.focal_values(0.9, 2.0)
    assert v["ce"] / v["focal"] == pytest.approx(100.0, rel=1e-12)  # the docstring's 100x
    assert xw.focal_values(0.3, 0.0)["focal"] == xw.focal_values(0.3, 0.0)["ce"]


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (dict(p_t=0.0), "p_t"),
        (dict(p_t=1.1), "p_t"),
        (dict(p_t=np.nan), "p_t"),
        (dict(gamma=-0.1), "gamma"),
        (dict(gamma=np.inf), "gamma"),
    ],
)
def test_focal_values_reject_bad_input_naming_the_argument(kwargs, match):
    with pytest.raises(ValueError, match=match):
        xw.focal_values(**{"p_t": 0.5, "gamma": 2.0, **kwargs})


# --------------------------------------------------------------------------- reliability explorer


def _overconfident_logits(seed=0, n=600, c=5):
    rng = np.random.default_rng(seed)
    y = rng.integers(c, size=n)
    z = rng.normal(size=(n, c)) * 1.5
    z[np.arange(n), y] += rng.normal(2.0, 1.5, size=n)
    return z * 2.5, y


@pytest.mark.parametrize("seed", range(3))
@pytest.mark.parametrize("t", [0.5, 1.0, 3.0])
@pytest.mark.parametrize("n_bins", [5, 15])
def test_reliability_values_match_torchmetrics_and_torch(seed, t, n_bins):
    from torchmetrics.functional.classification import multiclass_calibration_error

    z, y = _overconfident_logits(seed)
    v = xw.reliability_values(z, y, t, n_bins)
    probs = torch.softmax(torch.tensor(z) / t, dim=1)
    ece_tm = multiclass_calibration_error(
        probs, torch.tensor(y), num_classes=z.shape[1], n_bins=n_bins, norm="l1"
    )
    assert v["ece"] == pytest.approx(ece_tm.item(), abs=1e-6)  # torchmetrics: float32 confidences
    nll = F.cross_entropy(torch.tensor(z) / t, torch.tensor(y)).item()
    assert v["nll"] == pytest.approx(nll, rel=1e-12)
    assert v["nll"] == pytest.approx(float(xb.cross_entropy(z / t, y)), rel=1e-13)
    assert v["ece"] == pytest.approx(
        xb.calibration.expected_calibration_error(xb.softmax(z, temperature=t), y, n_bins=n_bins),
        rel=1e-12,
        abs=1e-15,
    )
    assert v["accuracy"] == pytest.approx((probs.argmax(1).numpy() == y).mean(), abs=0)
    assert v["bin_counts"].sum() == len(y) and v["bin_edges"].size == n_bins + 1


def test_reliability_bins_match_scikit_learn_calibration_curve():
    from sklearn.calibration import calibration_curve

    z, y = _overconfident_logits(1)
    v = xw.reliability_values(z, y, 1.7, 10)
    p = xb.softmax(z, temperature=1.7)
    correct = (p.argmax(1) == y).astype(int)
    prob_true, prob_pred = calibration_curve(correct, p.max(1), n_bins=10)
    nonempty = v["bin_counts"] > 0
    np.testing.assert_allclose(v["bin_accuracy"][nonempty], prob_true, rtol=1e-12)
    np.testing.assert_allclose(v["bin_confidence"][nonempty], prob_pred, rtol=1e-12)


@pytest.mark.parametrize(
    "args, match",
    [
        ((np.zeros((4, 1)), [0, 0, 0, 0]), "logits"),
        ((np.zeros(4), [0, 0, 0, 0]), "logits"),
        ((np.full((2, 3), np.nan), [0, 1]), "logits"),
        ((np.zeros((2, 3)), [0, 3]), "labels"),
        ((np.zeros((2, 3)), [0, 1, 2]), "labels"),
    ],
)
def test_reliability_values_reject_bad_input_naming_the_argument(args, match):
    with pytest.raises(ValueError, match=match):
        xw.reliability_values(*args)
    with pytest.raises(ValueError, match="temperature"):
        xw.reliability_values(np.zeros((2, 3)), [0, 1], temperature=0.0)
    with pytest.raises(ValueError, match="n_bins"):
        xw.reliability_values(np.zeros((2, 3)), [0, 1], n_bins=0)
    with pytest.raises(TypeError, match="labels"):
        xw.reliability_values(np.zeros((2, 3)), [0.0, 1.0])


def test_reliability_explorer_temperature_trait_updates_ece_and_nll():
    z, y = _overconfident_logits(0)
    ex = xw.reliability_explorer(z, y)
    r0 = ex.values()
    assert r0["ece"] == xw.reliability_values(z, y)["ece"]
    ex.temperature = ex.best_temperature  # as a reader's cell would
    r1 = ex.values()
    expected = xw.reliability_values(z, y, ex.best_temperature)
    assert r1["ece"] == expected["ece"] and r1["nll"] == expected["nll"]
    assert r1["nll"] < r0["nll"] and r1["ece"] < r0["ece"]  # temperature scaling helps these logits
    assert r1["accuracy"] == r0["accuracy"]  # and never changes the argmax
    assert r1["best_temperature"] == pytest.approx(xb.calibration.fit_temperature(z, y), rel=1e-12)
    assert ex.best_shown == ex.best_temperature and ex.best_limit == ""
    with pytest.raises(ValueError, match="temperature"):
        ex.temperature = 0.0
    with pytest.raises(TypeError, match="n_bins"):
        ex.n_bins = 2.5
    with pytest.raises(traitlets.TraitError, match="read-only"):
        ex.logits = z[:10].tolist()  # the data is fixed: build a new explorer for other logits
    assert ex.temperature == ex.best_temperature  # a refused value leaves the state as it was


@pytest.mark.parametrize("t", [0.1, 10.0])
def test_reliability_explorer_survives_temperature_bounds_and_saturated_confidences(t):
    z, y = _overconfident_logits(2)
    z[:5] *= 40  # confidences that round to exactly 1.0
    ex = xw.reliability_explorer(z, y, temperature=t)
    v = ex.values()
    assert 0 <= v["ece"] <= 1 and np.isfinite(v["nll"])


# --------------------------------------------------------------------------- shared behaviour


def test_reliability_explorer_without_a_finite_best_temperature_says_which_limit():
    rng = np.random.default_rng(0)
    z, y = rng.normal(size=(300, 4)), rng.integers(4, size=300)
    z[np.arange(300), y] -= 1.0  # worse than uniform: the NLL falls as T -> infinity
    ex = xw.reliability_explorer(z, y)
    assert ex.best_temperature == math.inf and ex.best_shown is None and ex.best_limit == "inf"
    z[np.arange(300), y] += 20.0  # separable: the NLL falls as T -> 0
    ex = xw.reliability_explorer(z, y)
    assert ex.best_temperature == 0.0 and ex.best_shown is None and ex.best_limit == "0"
    json.dumps(ex.get_state(), allow_nan=False)  # no inf in the saved state


# --------------------------------------------------------------------------- properties over the sliders' whole domains

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

_logit = st.floats(-10, 10, allow_nan=False)
_temperature = st.floats(0.049, 5.02)


@settings(max_examples=200, deadline=None)
@given(z=st.lists(_logit, min_size=2, max_size=6), t=_temperature, data=st.data())
def test_logits_values_are_finite_and_consistent_over_the_slider_domain(z, t, data):
    y = data.draw(st.integers(0, len(z) - 1))
    v = xw.logits_explorer_values(z, t, y)
    assert np.all(np.isfinite(v["probs"])) and np.isfinite(v["loss"]) and np.all(np.isfinite(v["grad"]))
    assert v["probs"].sum() == pytest.approx(1.0, abs=1e-12)
    assert abs(v["grad"].sum()) < 1e-12 and v["grad"][y] <= 0
    assert v["loss"] >= 0 and v["loss"] == pytest.approx(-v["log_probs"][y], rel=1e-15)
    assert v["loss"] <= (max(z) - z[y]) / t + math.log(len(z)) + 1e-9  # -log p_y <= (max - z_y)/T + log C


_weight = st.floats(0, 1, allow_nan=False)


@settings(max_examples=200, deadline=None)
@given(
    w=st.lists(st.tuples(_weight, _weight), min_size=2, max_size=8).filter(
        lambda w: sum(a for a, _ in w) > 0 and sum(b for _, b in w) > 0
    ),
    base=st.sampled_from([2, math.e]),
)
def test_entropy_kl_values_obey_gibbs_and_the_decomposition(w, base):
    p, q = [a for a, _ in w], [b for _, b in w]
    v = xw.entropy_kl_values(p, q, base)
    assert 0 <= v["entropy"] <= v["max_entropy"] + 1e-12
    assert v["kl"] >= 0 and not math.isnan(v["kl"]) and not math.isnan(v["cross_entropy"])
    if math.isfinite(v["kl"]):
        assert v["cross_entropy"] == pytest.approx(v["entropy"] + v["kl"], rel=1e-9, abs=1e-12)
    else:
        assert v["cross_entropy"] == math.inf


@settings(max_examples=200, deadline=None)
@given(z=st.floats(-8, 8), y=st.sampled_from([0, 1]), pw=st.floats(0.09, 11))
def test_binary_loss_values_are_finite_with_the_right_gradient_sign(z, y, pw):
    v = xw.binary_loss_values(z, y, pw)
    assert np.isfinite(v["loss"]) and v["loss"] >= 0
    assert (v["grad"] < 0) if y == 1 else (v["grad"] > 0)  # pushes z towards the label


@settings(max_examples=200, deadline=None)
@given(p=st.floats(0.01, 1.0), g=st.floats(0, 5))
def test_focal_never_exceeds_cross_entropy(p, g):
    v = xw.focal_values(p, g)
    assert 0 <= v["focal"] <= v["ce"] + 1e-15 and 0 <= v["factor"] <= 1


# --------------------------------------------------------------------------- the anywidget explorers

ANYWIDGET_CALLS = {  # the call in a chapter -> its ES module (static/<module>.js)
    "LogitsExplorer": "logits",
    "logits_explorer": "logits",  # chapter 7: a LogitsExplorer with a wider temperature range
    "EntropyExplorer": "entropy",
    "EntropyKLExplorer": "entropy",  # static/entropy.js draws both
    "reliability_explorer": "reliability",
    "SamplingExplorer": "sampling",
    "BinaryLossExplorer": "binary",
    "FocalExplorer": "focal",
}


def test_the_anywidget_chapters_show_each_explorer_once():
    """Every chapter with an explorer (2, 3, 4, 5, 7, 8, 10, 15) builds one anywidget, saved with the current module."""
    import json
    from pathlib import Path

    from xent_book.widgets import _live

    seen = set()
    for path in sorted((Path(__file__).resolve().parents[1] / "notebooks").glob("*.ipynb")):
        nb = json.loads(path.read_text(encoding="utf-8"))
        code = "\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code")
        for call, kind in ANYWIDGET_CALLS.items():
            if re.search(rf"\bwidgets\.{call}\(", code):
                seen.add((path.name, kind))
                state = nb["metadata"]["widgets"]["application/vnd.jupyter.widget-state+json"]["state"]
                anys = [m for m in state.values() if m["model_name"] == "AnyModel"]
                assert len(anys) == 1, path.name
                # the page runs the module saved in the chapter: re-execute it after changing static/*.js
                assert anys[0]["state"]["_esm"] == _live.esm(kind), f"{path.name}: re-execute (stale module)"
                assert anys[0]["state"]["_css"] == _live.css(), f"{path.name}: re-execute (stale stylesheet)"
    assert seen == {
        ("02_softmax_temperature.ipynb", "logits"),
        ("10_calibration.ipynb", "reliability"),
        ("15_language_models.ipynb", "sampling"),
        ("05_binary_vs_categorical.ipynb", "binary"),
        ("08_class_imbalance.ipynb", "focal"),
        ("03_entropy.ipynb", "entropy"),
        ("04_cross_entropy_kl.ipynb", "entropy"),
        ("07_numerical_stability.ipynb", "logits"),
    }


def test_logits_explorer_traits_values_and_refusals():
    ex = xw.LogitsExplorer(logits=(2.0, 1.0, 0.1), temperature=1.0, target=0)
    assert ex.logits == [2.0, 1.0, 0.1] and ex.temperature == 1.0 and ex.target == 0
    assert repr(ex) == "LogitsExplorer(logits=[2.0, 1.0, 0.1], temperature=1.0, target=0)"  # no address
    v = ex.values()
    ref = xw.logits_explorer_values((2.0, 1.0, 0.1), 1.0, 0)
    assert v["loss"] == ref["loss"] and np.array_equal(v["grad"], ref["grad"])
    ex.temperature = 0.5
    ex.logits = np.array([3, -1, 0.5, 2])  # another number of classes: the view rebuilds its sliders
    ex.target = 3
    assert ex.logits == [3.0, -1.0, 0.5, 2.0] and isinstance(ex.target, int)
    assert ex.values()["loss"] == xw.logits_explorer_values([3, -1, 0.5, 2], 0.5, 3)["loss"]
    for name, bad, exc in [
        ("temperature", 0.0, ValueError),
        ("temperature", True, TypeError),
        ("target", 4, ValueError),
        ("target", 1.0, TypeError),
        ("logits", [1.0, np.nan], ValueError),
        ("logits", [0.0] * 7, ValueError),
    ]:
        with pytest.raises(exc, match=name):
            setattr(ex, name, bad)
    assert ex.temperature == 0.5 and ex.target == 3  # refused values leave the state as it was
    with pytest.raises(ValueError, match="logits"):
        xw.LogitsExplorer(logits=np.zeros(7))


def test_the_anywidget_state_is_one_module_and_the_same_on_every_build():
    """The saved state holds the explorer's one ES module and its numbers, exactly, with no run-to-run noise."""
    import json

    from xent_book.widgets import _live

    z, y = _overconfident_logits(1, n=50)
    z[0, 0] = 1 / 3  # a float with no short decimal form
    for make, name in (
        (lambda: xw.LogitsExplorer(), "logits"),
        (lambda: xw.reliability_explorer(z, y), "reliability"),
    ):
        a, b = make().get_state(), make().get_state()
        a.pop("layout"), b.pop("layout")  # the layout model's id is random
        assert json.dumps(a, sort_keys=True) == json.dumps(b, sort_keys=True)
        assert (
            a["_esm"] == _live.esm(name) and "export default" in a["_esm"] and "function mount(" in a["_esm"]
        )
        assert a["_esm"].count("export default") == 1 and "import " not in a["_esm"]  # self-contained
        assert (
            a["_css"] == _live.css() and "--jp-" in a["_css"] and "--pst-" in a["_css"]
        )  # lab and page themes
    state = xw.reliability_explorer(z, y).get_state()
    back = json.loads(json.dumps(state))
    assert np.array_equal(np.array(back["logits"]), z) and back["labels"] == y.tolist()  # exact round trip
    assert back["temperature"] == 1.0 and back["n_bins"] == 15


def test_the_modules_ship_as_package_data():
    import tomllib
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    cfg = tomllib.loads((root / "pyproject.toml").read_text())
    globs = cfg["tool"]["setuptools"]["package-data"]["xent_book.widgets"]
    static = root / "xent_book" / "widgets" / "static"
    shipped = {p.name for g in globs for p in static.glob(g.split("/", 1)[1])}
    assert shipped == {p.name for p in static.iterdir() if p.is_file()}
    assert any(d.startswith("anywidget") for d in cfg["project"]["dependencies"])
