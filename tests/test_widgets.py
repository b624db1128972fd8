"""Tests of xent_book.widgets: the values functions against PyTorch and xent_book,
extreme slider positions, in-place redraws that follow the controls, throttling.

No browser here (tests/browser/ drives the real front end): a control's
``.value`` is set in-process, which fires the same observers a front-end
change fires, and the numbers are read back from the HTML readouts.
"""

from __future__ import annotations

import json
import math
import re
from html.parser import HTMLParser

import numpy as np
import pytest
import torch
import torch.nn.functional as F
import traitlets
from ipywidgets import FloatLogSlider

import xent_book as xb
from xent_book import widgets as xw
from xent_book.widgets._base import Throttle

# --------------------------------------------------------------------------- helpers


class _Readouts(HTMLParser):
    """Collect data-name -> (data-value, shown text) of every .xent-readout element."""

    def __init__(self):
        super().__init__()
        self.found = {}
        self._current = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if "xent-readout" in (a.get("class") or "").split():
            self._current = a["data-name"]
            self.found[self._current] = [a["data-value"], ""]

    def handle_data(self, data):
        if self._current is not None:
            self.found[self._current][1] += data

    def handle_endtag(self, tag):
        self._current = None


def readouts(explorer) -> dict:
    """name -> full-precision value parsed from the explorer's HTML."""
    parser = _Readouts()
    parser.feed(explorer.html.value)
    return {k: float(v) for k, (v, _) in parser.found.items()}


def shown(explorer) -> dict:
    """name -> the rounded text on display."""
    parser = _Readouts()
    parser.feed(explorer.html.value)
    return {k: t for k, (_, t) in parser.found.items()}


def assert_clean_markup(explorer):
    """No NaN anywhere in the markup, readouts parse, the chart has a text alternative."""
    value = explorer.html.value
    assert explorer.last_error is None, explorer.last_error
    assert "xent-error" not in value.replace(".xent-explorer .xent-error", "")
    assert "nan" not in value.lower().replace("nats", "").replace("nans", ""), "NaN in the markup"
    assert re.search(r'<svg [^>]*role="img" aria-label="[^"]+"', value)
    assert "<title>" in value
    vals = readouts(explorer)
    assert vals and not any(math.isnan(v) for v in vals.values())


def torch_logits_reference(z, t, y):
    zt = torch.tensor(z, dtype=torch.float64, requires_grad=True)
    scaled = (zt / t).detach().requires_grad_(True)
    loss = F.cross_entropy(scaled[None], torch.tensor([y]))
    loss.backward()
    loss_z = F.cross_entropy((zt / t)[None], torch.tensor([y]))
    loss_z.backward()
    return torch.softmax(zt.detach() / t, -1).numpy(), loss.item(), scaled.grad.numpy(), zt.grad.numpy()


# --------------------------------------------------------------------------- throttle


class FakeClock:
    def __init__(self):
        self.t = 0.0

    def __call__(self):
        return self.t


class FakeScheduler:
    def __init__(self):
        self.queue = []

    def __call__(self, delay, callback):
        handle = _Handle(delay, callback)
        self.queue.append(handle)
        return handle

    def run_all(self):
        queue, self.queue = self.queue, []
        for h in queue:
            if not h.cancelled:
                h.callback()


class _Handle:
    def __init__(self, delay, callback):
        self.delay, self.callback, self.cancelled = delay, callback, False

    def cancel(self):
        self.cancelled = True


def test_throttle_runs_first_change_at_once_and_coalesces_a_burst_into_one_trailing_call():
    clock, sched, calls = FakeClock(), FakeScheduler(), []
    th = Throttle(lambda: calls.append(clock.t), interval=0.04, clock=clock, scheduler=sched)
    th()
    assert calls == [0.0]  # leading edge: no added latency
    clock.t = 0.01
    for _ in range(10):  # a drag: ten values within the interval
        th()
    assert calls == [0.0] and th.pending and th.coalesced == 9
    assert len(sched.queue) == 1 and sched.queue[0].delay == pytest.approx(0.03)
    clock.t = 0.04
    sched.run_all()
    assert calls == [0.0, 0.04] and not th.pending  # one trailing redraw with the final state
    clock.t = 0.2
    th()
    assert calls == [0.0, 0.04, 0.2]  # a later, isolated change is immediate again


def test_throttle_without_a_scheduler_never_lags():
    clock, calls = FakeClock(), []
    th = Throttle(lambda: calls.append(1), interval=10.0, clock=clock, scheduler=lambda d, cb: None)
    for _ in range(5):
        th()
    assert len(calls) == 5


def test_throttle_flush_runs_pending_call_once_and_cancels_the_scheduled_one():
    clock, sched, calls = FakeClock(), FakeScheduler(), []
    th = Throttle(lambda: calls.append(1), interval=1.0, clock=clock, scheduler=sched)
    th()
    th()
    th.flush()
    assert len(calls) == 2 and sched.queue[0].cancelled
    sched.run_all()
    assert len(calls) == 2


def test_throttle_rejects_bad_interval():
    for bad in (-1, float("nan"), float("inf")):
        with pytest.raises(ValueError, match="interval"):
            Throttle(lambda: None, interval=bad)
    for bad in (True, "0.1", None):
        with pytest.raises(TypeError, match="interval"):
            Throttle(lambda: None, interval=bad)
    with pytest.raises(TypeError, match="fn"):
        Throttle(None)


def test_explorer_values_flush_a_pending_redraw():
    clock, sched = FakeClock(), FakeScheduler()
    ex = xw.logits_explorer(interval=1.0, clock=clock, scheduler=sched)
    ex.sliders["z0"].value = 5.0  # leading edge: drawn at once
    ex.sliders["z1"].value = 4.0  # within the interval: scheduled
    assert ex.throttle.pending
    stale = readouts(ex)["p0"]
    v = ex.values()  # flushes
    assert not ex.throttle.pending
    assert v["logits"][0] == 5.0 and v["logits"][1] == 4.0
    assert readouts(ex)["p0"] != stale


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


def test_logits_explorer_initial_view_is_in_the_widget_state():
    ex = xw.logits_explorer()
    state = ex.html.get_state()
    assert 'data-name="loss"' in state["value"]
    r = readouts(ex)
    assert r["loss"] == pytest.approx(0.41703001627783354, rel=1e-15)
    assert shown(ex)["loss"] == "0.4170"
    assert_clean_markup(ex)


def test_logits_explorer_labels_follow_the_book_notation():
    # notation.md: q is the model (q = softmax(z / T)), e_y the one-hot target, p the data; the page
    # script book_assets/xent-explorers.js writes the same labels (tests/browser/test_live_book_explorers.py)
    markup = xw.logits_explorer(target=1).html.value
    for text in (
        "probability q = softmax(z / T)",
        "gradient q − e_y  (∂loss/∂(z/T))",
        "Gradient q minus e_y:",
        "loss −log q<sub>y</sub>",
        "q<sub>1</sub>",
        ">q = [",
        "q − e<sub>y</sub> = [",
        "q0 = ",
    ):
        assert text in markup, text
    for old in ("p − y", "p minus y", "log p<sub>", "p<sub>1</sub>", ">p = [", "probability p"):
        assert old not in markup, old


def test_logits_explorer_controls_have_descriptions_and_api():
    ex = xw.logits_explorer(logits=(1.0, 2.0, 3.0, 4.0), temperature=2.0, target=3)
    assert list(ex.controls) == ["z0", "z1", "z2", "z3", "temperature", "target"]
    assert list(ex.sliders) == ["z0", "z1", "z2", "z3", "temperature"]
    assert ex.sliders[0] is ex.sliders["z0"]
    assert all(c.description for c in ex.controls.values())
    assert ex.sliders["temperature"].value == pytest.approx(2.0)
    assert ex.values()["target"] == 3


def test_logits_explorer_slider_change_updates_readouts_in_place():
    ex = xw.logits_explorer()
    html_widget, children, before = ex.html, ex.children, ex.html.value
    ex.sliders["z1"].value = 4.0
    assert ex.html is html_widget and ex.children == children  # same widgets: redrawn in place
    assert ex.html.value != before
    expected = xw.logits_explorer_values([2.0, 4.0, 0.1], 1.0, 0)
    r = readouts(ex)
    assert r["loss"] == pytest.approx(expected["loss"], rel=1e-15)
    assert r["p1"] == pytest.approx(expected["probs"][1], rel=1e-15)
    assert r["grad0"] == pytest.approx(expected["grad"][0], rel=1e-15)
    ex.controls["target"].value = 1
    assert readouts(ex)["loss"] == pytest.approx(
        xw.logits_explorer_values([2.0, 4.0, 0.1], 1.0, 1)["loss"], rel=1e-15
    )
    ex.sliders["temperature"].value = 0.5
    assert readouts(ex)["temperature"] == pytest.approx(0.5)
    np.testing.assert_allclose(
        ex.values()["probs"], xb.softmax(np.array([2.0, 4.0, 0.1]), temperature=0.5), rtol=1e-12
    )


def test_logits_explorer_creates_no_figures_and_no_outputs(monkeypatch):
    import IPython.display
    import matplotlib.pyplot as plt

    displayed = []
    monkeypatch.setattr(IPython.display, "display", lambda *a, **k: displayed.append(a))
    monkeypatch.setattr(IPython.display, "clear_output", lambda *a, **k: displayed.append("clear"))
    from ipywidgets.widgets.widget import _instances  # every live widget model

    figs = plt.get_fignums()
    ex = xw.logits_explorer()
    n_widgets = len(_instances)
    for x in np.linspace(-10, 10, 21):
        ex.sliders["z2"].value = float(x)
    ex.controls["target"].value = 2
    assert len(_instances) == n_widgets  # no widget (Output, HTML, Image...) created by an update
    assert plt.get_fignums() == figs
    assert displayed == []
    assert ex.throttle.calls == 22  # one redraw per change (no loop running: nothing coalesced)


@pytest.mark.parametrize("t", [0.05, 5.0])
@pytest.mark.parametrize(
    "z", [(10.0, -10.0, -10.0), (-10.0, 10.0, 10.0), (10.0, 10.0, 10.0), (-10.0, -10.0, 10.0)]
)
@pytest.mark.parametrize("y", [0, 2])
def test_logits_explorer_survives_extreme_slider_positions(t, z, y):
    ex = xw.logits_explorer()
    ex.controls["target"].value = y
    ex.sliders["temperature"].value = t
    for k, v in enumerate(z):
        ex.sliders[k].value = v
    assert_clean_markup(ex)
    vals = ex.values()
    assert np.isfinite(vals["loss"]) and np.all(np.isfinite(vals["grad"]))
    _, loss, grad, _ = torch_logits_reference(vals["logits"], vals["temperature"], y)
    assert vals["loss"] == pytest.approx(loss, rel=1e-12, abs=1e-15)  # torch rounds -log(1 - 1e-174) to 0
    np.testing.assert_allclose(vals["grad"], grad, rtol=1e-10, atol=1e-300)


def test_logits_explorer_extreme_loss_is_about_400_nats_at_the_corner():
    ex = xw.logits_explorer(logits=(-10.0, 10.0, 10.0), temperature=0.05, target=0)
    t = ex.sliders["temperature"].value
    assert readouts(ex)["loss"] == pytest.approx(20.0 / t + math.log(2.0), rel=1e-12)


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


def test_entropy_kl_explorer_slider_change_updates_readouts_in_place():
    ex = xw.entropy_kl_explorer()
    html_widget, children = ex.html, ex.children
    assert readouts(ex)["kl"] == pytest.approx(xw.entropy_kl_values()["kl"], rel=1e-15)
    assert_clean_markup(ex)
    ex.sliders["q0"].value = 0.5
    ex.sliders["p2"].value = 0.0
    expected = xw.entropy_kl_values((0.5, 0.3, 0.0), (0.5, 0.3, 0.5), 2)
    r = readouts(ex)
    for name in ("entropy", "kl", "cross_entropy"):
        assert r[name] == pytest.approx(expected[name], rel=1e-14), name
    assert r["q0"] == pytest.approx(0.5 / 1.3, rel=1e-14)
    ex.controls["base"].value = math.e
    assert readouts(ex)["entropy"] == pytest.approx(expected["entropy"] * math.log(2), rel=1e-14)
    assert "nats" in ex.html.value
    assert ex.html is html_widget and ex.children == children
    assert list(ex.sliders) == ["p0", "p1", "p2", "q0", "q1", "q2"]
    assert all(c.description for c in ex.controls.values())


def test_entropy_kl_explorer_shows_infinite_kl_and_all_zero_weights_without_error():
    ex = xw.entropy_kl_explorer(p=(0.5, 0.5, 0.0), q=(1.0, 0.0, 0.0))
    r, s = readouts(ex), shown(ex)
    assert r["kl"] == math.inf and s["kl"] == "∞" and s["cross_entropy"] == "∞"
    assert ex.last_error is None and "→" in ex.html.value
    for k in range(3):
        ex.sliders[f"p{k}"].value = 0.0
    assert "All weights of p are 0" in ex.html.value
    assert readouts(ex)["entropy"] == pytest.approx(math.log2(3), rel=1e-14)
    for k in range(3):
        ex.sliders[f"q{k}"].value = 0.0
    assert readouts(ex)["kl"] == 0.0
    assert_clean_markup(ex)


def test_entropy_explorer_one_hot_and_uniform_extremes():
    ex = xw.entropy_explorer(p=(1.0, 0.0, 0.0, 0.0), base=2)
    assert readouts(ex)["entropy"] == 0.0 and readouts(ex)["perplexity"] == 1.0
    assert_clean_markup(ex)
    for k in range(4):
        ex.sliders[k].value = 1.0
    r = readouts(ex)
    assert r["entropy"] == pytest.approx(2.0, rel=1e-15) and r["max_entropy"] == pytest.approx(2.0, rel=1e-15)
    assert r["perplexity"] == pytest.approx(4.0, rel=1e-14)
    for k in range(4):
        ex.sliders[k].value = 0.0
    assert_clean_markup(ex)
    assert ex.values()["entropy"] == pytest.approx(2.0)


def test_entropy_explorers_accept_unnormalised_initial_weights_and_reject_too_many():
    ex = xw.entropy_kl_explorer(p=(2, 6, 2), q=(1, 1, 2), base=None)
    np.testing.assert_allclose(ex.values()["p"], [0.2, 0.6, 0.2], rtol=1e-15)
    assert ex.controls["base"].value == math.e and ex.values()["unit"] == "nats"
    assert xw.entropy_explorer(base=10).values()["unit"] == "hartleys"
    with pytest.raises(ValueError, match="p"):
        xw.entropy_explorer(p=np.ones(9))


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


def _run_on_a_fresh_loop(coro_fn):
    """``asyncio.run(coro_fn())`` on a thread of its own.

    The browser tests' Playwright sync API keeps an event loop running in pytest's main
    thread for the whole session, and ``asyncio.run`` refuses to start inside a running
    loop; a thread has no loop of its own, whatever ran before.
    """
    import asyncio
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coro_fn()).result()


def test_a_drag_burst_on_a_kernels_running_loop_redraws_twice_and_ends_on_the_final_state(monkeypatch):
    import asyncio

    import xent_book.widgets._base as base

    monkeypatch.setattr(base, "_in_kernel", lambda: True)  # as in JupyterLab's kernel
    ex = xw.logits_explorer(interval=0.3)  # long enough that 10 in-process changes fall inside it

    async def drag():
        for x in np.linspace(-5, 5, 10):
            ex.sliders["z0"].value = float(x)  # as comm messages handled on the kernel's loop
        assert ex.throttle.calls == 1 and ex.throttle.pending
        await asyncio.sleep(0.5)

    _run_on_a_fresh_loop(drag)
    assert ex.throttle.calls == 2 and not ex.throttle.pending and ex.throttle.coalesced == 8
    assert ex.html.value == ex.fresh_markup()
    assert readouts(ex)["p0"] == pytest.approx(
        xw.logits_explorer_values([5.0, 1.0, 0.1])["probs"][0], rel=1e-15
    )


def test_a_running_loop_outside_a_kernel_redraws_every_change_at_once():
    """Playwright's sync API keeps an asyncio loop running in pytest's main thread: outside a kernel
    the throttle must not schedule on it (it would never turn, and the display would lag the state)."""

    ex = xw.logits_explorer(interval=0.3)

    async def drag():
        for x in np.linspace(-5, 5, 10):
            ex.sliders["z0"].value = float(x)
        assert not ex.throttle.pending and ex.throttle.calls == 10
        assert ex.html.value == ex.fresh_markup()

    _run_on_a_fresh_loop(drag)


ALL_EXPLORERS = {
    "logits": lambda: xw.logits_explorer(),
    "entropy": lambda: xw.entropy_explorer(),
    "entropy_kl": lambda: xw.entropy_kl_explorer(),
}


@pytest.mark.parametrize("name", list(ALL_EXPLORERS))
def test_every_explorer_follows_the_markup_conventions(name):
    ex = ALL_EXPLORERS[name]()
    value = ex.html.value
    assert value.startswith('<div class="xent-explorer xent-')
    assert value.count("<svg") == 1 and value.count("</svg>") == 1
    assert "currentColor" in value  # ink follows the theme
    assert "#fff" not in value.lower() and "#000000" not in value  # no hard-coded ink
    assert re.search(r'class="xent-readout" data-name="[a-z_0-9]+" data-value="[-+0-9.einf]+"', value)
    assert_clean_markup(ex)
    assert ex.html.value == ex.fresh_markup()
    assert all(isinstance(c.description, str) and c.description for c in ex.controls.values())
    assert all(s.continuous_update for s in ex.sliders.values())
    for s in ex.sliders.values():
        if isinstance(s, FloatLogSlider):  # exponents on the step grid: 1 (10**0) is a reachable position
            assert (0 - s.min) / s.step == pytest.approx(round((0 - s.min) / s.step), abs=1e-9)
    assert ex.throttle.calls == 0  # built once: the initial view is not a redraw
    from ipywidgets.embed import embed_data

    state = embed_data(views=[ex])["manager_state"]["state"]
    html_states = [m["state"].get("value") for m in state.values() if m["model_name"] == "HTMLModel"]
    assert value in html_states  # the static book shows the initial view


def test_a_failing_redraw_is_shown_in_the_widget_not_raised(monkeypatch):
    ex = xw.logits_explorer()

    def boom(values):
        raise RuntimeError("broken renderer")

    monkeypatch.setattr(ex, "render", boom)
    ex.sliders["temperature"].value = 2.0
    assert isinstance(ex.last_error, RuntimeError)
    assert 'class="xent-error"' in ex.html.value and "broken renderer" in ex.html.value


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


@pytest.mark.parametrize("name", list(ALL_EXPLORERS))
def test_every_control_at_every_end_redraws_in_place_without_error(name):
    from ipywidgets.widgets.widget import _instances

    ex = ALL_EXPLORERS[name]()
    html_widget, children, n_widgets = ex.html, ex.children, len(_instances)
    redraws = 0
    for cname, control in ex.controls.items():
        if cname in ex.sliders:
            ends = (
                [control.min, control.max]
                if not isinstance(control, FloatLogSlider)
                else [control.base**control.min, control.base**control.max]
            )
        else:
            ends = [value for _, value in control.options]
        for v in ends:
            if control.value == v:
                continue
            control.value = v
            redraws += 1
            assert_clean_markup(ex)
            assert ex.html.value == ex.fresh_markup()
    assert redraws >= len(ex.controls) and ex.throttle.calls == redraws
    assert ex.html is html_widget and ex.children == children and len(_instances) == n_widgets


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


# --------------------------------------------------------------------------- chart layout (no overlaps)


def _svg_texts(value: str) -> list[tuple[float, float, str, str]]:
    """(x, y, text-anchor, text) of every <text> element of the chart."""
    return [
        (float(x), float(y), anchor, text)
        for x, y, anchor, text in re.findall(
            r'<text x="([-0-9.]+)" y="([-0-9.]+)" text-anchor="(\w+)"[^>]*>([^<]*)</text>', value
        )
    ]


@pytest.mark.parametrize("target", [0, 1])
def test_logits_explorer_negative_gradient_labels_sit_above_the_zero_line(target):
    # the target's gradient is about -1: below its bar, the number would meet the class label "k (y)"
    ex = xw.logits_explorer(
        logits=(-4.0, 4.0, 0.5) if target == 0 else (8.0, -8.0, 0.0), temperature=1.0, target=target
    )
    g = ex.values()["grad"][target]
    assert g < -0.99
    texts = _svg_texts(ex.html.value)
    zero_y = (
        next(y for x, y, a, t in texts if a == "end" and t == "0" and x > 300) - 4
    )  # the "0" tick of the right panel
    class_label_y = next(y for x, y, a, t in texts if t == f"{target} (y)" and x > 300)
    (label_y,) = [y for x, y, a, t in texts if t == xw._base.fmt(g, 3) and x > 300]
    assert label_y < zero_y < class_label_y


# --------------------------------------------------------------------------- the web page's live explorers

# explorer factory -> the page script's explorer name (book_assets/xent-explorers.js)
PAGE_KIND = {
    "logits_explorer": "logits",
    "entropy_explorer": "entropy",
    "entropy_kl_explorer": "entropy-kl",
}
# the factory's keyword -> the container's data attribute
PAGE_ATTR = {
    "logits": "logits",
    "temperature": "temperature",
    "target": "target",
    "p": "p",
    "q": "q",
    "base": "base",
}


def _explorer_calls(nb):
    import ast

    for cell in nb["cells"]:
        if cell["cell_type"] != "code":
            continue
        for node in ast.walk(ast.parse("".join(cell["source"]))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in PAGE_KIND
            ):
                kwargs = {}
                for kw in node.keywords:
                    try:
                        kwargs[kw.arg] = ast.literal_eval(kw.value)
                    except ValueError:
                        pass
                yield node.func.attr, kwargs


def test_every_explorer_a_chapter_shows_has_a_live_container_with_its_settings():
    """Each explorer call in a chapter has a data-xent-explorer container of its kind, with the same settings."""
    import json
    from pathlib import Path

    found = 0
    for path in sorted((Path(__file__).resolve().parents[1] / "notebooks").glob("*.ipynb")):
        nb = json.loads(path.read_text(encoding="utf-8"))
        md = "\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown")
        containers = re.findall(r'<div class="xent-live" (data-xent-explorer="[^"]+"[^>]*)>', md)
        parsed = [dict(re.findall(r'data-([a-z-]+)="([^"]*)"', c)) for c in containers]
        for factory, kwargs in _explorer_calls(nb):
            found += 1
            kind = PAGE_KIND[factory]
            mine = [c for c in parsed if c["xent-explorer"] == kind]
            assert mine, (
                f'{path.name}: {factory}(...) has no <div class="xent-live" data-xent-explorer="{kind}">'
            )
            for key, value in kwargs.items():
                attr = PAGE_ATTR[key]
                want = (
                    ",".join(f"{float(v):g}" for v in value)
                    if isinstance(value, tuple)
                    else f"{float(value):g}"
                )
                assert any(
                    attr in c and ",".join(f"{float(x):g}" for x in c[attr].split(",")) == want for c in mine
                ), f'{path.name}: {factory}({key}={value!r}) but no {kind} container has data-{attr}="{want}"'
    assert found >= 3, found  # chapters 3, 4, 7 (2, 5, 8, 10, 15: anywidget explorers, no container)


# --------------------------------------------------------------------------- the anywidget explorers

ANYWIDGET_CALLS = {
    "LogitsExplorer": "logits",
    "reliability_explorer": "reliability",
    "SamplingExplorer": "sampling",
    "BinaryLossExplorer": "binary",
    "FocalExplorer": "focal",
}


def test_the_anywidget_chapters_show_each_explorer_once():
    """Chapters 2, 5, 8, 10 and 15 build an anywidget explorer and hold no page-script container of it (one view)."""
    import json
    from pathlib import Path

    from xent_book.widgets import _live

    seen = set()
    for path in sorted((Path(__file__).resolve().parents[1] / "notebooks").glob("*.ipynb")):
        nb = json.loads(path.read_text(encoding="utf-8"))
        code = "\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code")
        md = "\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown")
        for call, kind in ANYWIDGET_CALLS.items():
            if re.search(rf"\bwidgets\.{call}\(", code):
                seen.add((path.name, kind))
                assert f'data-xent-explorer="{kind}"' not in md, f"{path.name}: a second {kind} explorer"
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
