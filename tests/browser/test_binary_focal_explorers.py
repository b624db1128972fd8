"""The binary loss explorer (chapter 5) and the focal explorer (chapter 8), driven in headless Chromium.

Both are anywidget explorers (``xent_book/widgets/static/binary.js`` and ``focal.js``). In the built
page (the ES module from the embedded widget state, no kernel) and in JupyterLab (the chapter run,
the trait sync both ways), as a reader would: arrow keys, Home/End, typed values, the label
selector, Reset, and controls set by script over a grid that includes the sliders' corners; from
Python, values beyond the sliders (|z| = 40, ``pos_weight`` 1e-6 and 1e6, q_y = 1e-300, gamma = 50),
held exactly. After each step every readout (full-precision ``data-value``) must equal
``binary_loss_values`` / ``focal_values`` (and xent_book's losses and PyTorch's autograd) to 1e-9;
the text a reader sees, the chart's text alternative and the aria-live sentence say the same rounded
numbers; each explorer appears once on its page, themed in light and dark.

The input-to-DOM latencies (p50, p90) go to ``artifacts/binary_focal_latency.txt``.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
import test_lab_any_explorers as A
import test_lab_explorers as L
import test_live_book_explorers as P
import torch
import torch.nn.functional as F

import xent_book as xb
import xent_book.widgets as xw
from xent_book.widgets._live import fmt

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
BINARY = ("notebooks/05_binary_vs_categorical", "05_binary_vs_categorical.ipynb", "binary")
FOCAL = ("notebooks/08_class_imbalance", "08_class_imbalance.ipynb", "focal")
TIMINGS: dict[tuple[str, str], list[float]] = {}


@pytest.fixture(scope="module", autouse=True)
def latency_report():
    yield
    if not TIMINGS:
        return
    lines = [f"{'where':<12}{'explorer':<10}{'events':>8}{'p50 ms':>9}{'p90 ms':>9}{'max ms':>9}"]
    for (where, kind), ms in TIMINGS.items():
        a = np.array(ms)
        lines.append(
            f"{where:<12}{kind:<10}{a.size:>8}{np.median(a):>9.2f}{np.percentile(a, 90):>9.2f}{a.max():>9.2f}"
        )
    (ROOT / "artifacts").mkdir(exist_ok=True)
    text = "\n".join(lines) + "\n(input event to updated DOM, anywidget modules)\n"
    (ROOT / "artifacts" / "binary_focal_latency.txt").write_text(text)


def record(page, where: str, kind: str) -> None:
    TIMINGS.setdefault((where, kind), []).extend(
        t["ms"] for t in page.evaluate("() => window.xentExplorers.timings") if t["kind"] == kind
    )


# --------------------------------------------------------------------------- checks


def check_binary(s: dict, initial_pw=None, exact_z=None) -> dict:
    """Every readout against xent_book, PyTorch's autograd and binary_loss_values, for the controls' values."""
    c, r = s["controls"], s["readouts"]
    z, y = float(r["z"]), int(c["y"])
    assert z == float(c["z"]) or z == exact_z, (z, c["z"])  # the slider's, or a value set exactly
    pw = P.log_temperature(s, "log10_pos_weight", "pos_weight", initial_pw)
    loss = float(
        xb.binary_cross_entropy_with_logits(
            np.array([z]), np.array([float(y)]), reduction="none", pos_weight=np.array([pw])
        )[0]
    )
    zt = torch.tensor([z], dtype=torch.float64, requires_grad=True)
    tl = F.binary_cross_entropy_with_logits(
        zt, torch.tensor([float(y)], dtype=torch.float64), pos_weight=torch.tensor([pw], dtype=torch.float64)
    )
    tl.backward()
    P.assert_close(r, "loss", loss)
    P.assert_close(r, "loss", tl.item())
    P.assert_close(r, "grad", zt.grad.item())
    P.assert_close(r, "p", float(xb.sigmoid(np.array(z))))
    ref = xw.binary_loss_values(z, y, pw)
    for name in ("loss", "grad", "p"):
        P.assert_close(r, name, ref[name])
    assert s["text"]["loss"] == fmt(loss) and s["status"].startswith(f"Loss {fmt(loss)} nats"), s["status"]
    assert s["svgTitle"] == s["svgLabel"] and f"loss {fmt(loss)} nats" in s["svgLabel"], s["svgLabel"]
    assert s["typed"]["z"] == fmt(z, 1) and "pos_weight w+" in s["valuetext"]["log10_pos_weight"]
    return {"z": z, "y": y, "pw": pw, "loss": loss, "grad": ref["grad"]}


def check_focal(s: dict, exact_p=None, exact_gamma=None) -> dict:
    """Every readout against xent_book's focal losses and focal_values, for the controls' values."""
    c, r = s["controls"], s["readouts"]
    p, gamma = float(r["p_t"]), float(r["gamma"])
    assert p == float(c["p_t"]) or p == exact_p, (p, c["p_t"])
    assert gamma == float(c["gamma"]) or gamma == exact_gamma, (gamma, c["gamma"])
    with np.errstate(divide="ignore"):  # q_y = 1: the other class has logit -inf
        logits = np.array([[np.log(p), np.log1p(-p)]])
    focal = float(xb.focal_loss(logits, np.array([0]), gamma=gamma, reduction="none")[0]) + 0.0
    ce = float(xb.cross_entropy(logits, np.array([0]), reduction="none")[0])
    P.assert_close(r, "focal", focal)
    P.assert_close(r, "ce", ce)
    P.assert_close(r, "ce", -math.log(p))
    P.assert_close(r, "factor", (1 - p) ** gamma)
    if 0.001 < p < 1:  # torchvision's binary form on the logit of q_y, without alpha
        z = math.log(p / (1 - p))
        P.assert_close(
            r, "focal", float(xb.sigmoid_focal_loss(np.array([z]), np.array([1.0]), alpha=-1, gamma=gamma)[0])
        )
    ref = xw.focal_values(p, gamma)
    for name in ("focal", "ce", "factor"):
        P.assert_close(r, name, ref[name])
    assert s["status"].startswith(f"Focal {fmt(focal)} nats"), s["status"]
    assert s["svgTitle"] == s["svgLabel"] and f"focal {fmt(focal)} nats" in s["svgLabel"], s["svgLabel"]
    assert s["typed"]["gamma"] == fmt(gamma, 1) and s["typed"]["p_t"] == fmt(p, 2)
    return {"p": p, "gamma": gamma, "focal": focal, "ce": ce}


BINARY_EXTREMES = [
    (z, y, pw)
    for z in (-700.0, -40.0, -1e-9, 0.0, 17.0, 40.0, 700.0)
    for y in (0, 1)
    for pw in (1e-6, 1.0, 1e6)
]
FOCAL_EXTREMES = [(p, g) for p in (1e-300, 1e-12, 0.5, 1 - 1e-12, 1.0) for g in (0.0, 0.5, 2.0, 5.0, 50.0)]


def module_formulas(page, kind: str) -> None:
    """The module's formulas beyond the sliders' ranges give the package's numbers (no overflow, no NaN)."""
    if kind == "binary":
        for z, y, pw in BINARY_EXTREMES:
            got = page.evaluate("([z, y, pw]) => window.xentExplorers.binaryValues(z, y, pw)", [z, y, pw])
            ref = xw.binary_loss_values(z, y, pw)
            for name in ("loss", "grad", "p"):
                assert P.close(got[name], ref[name]), (z, y, pw, name, got[name], ref[name])
    else:
        for p, g in FOCAL_EXTREMES:
            got = page.evaluate("([p, g]) => window.xentExplorers.focalValues(p, g)", [p, g])
            ref = xw.focal_values(p, g)
            for name in ("focal", "ce", "factor"):
                assert P.close(got[name], ref[name]), (p, g, name, got[name], ref[name])


# --------------------------------------------------------------------------- the page


def test_binary_explorer_runs_in_the_page(book_page, book_server, screenshot_dir):
    page, (doc, _, kind) = book_page, BINARY
    root = P.open_explorer(page, book_server, doc, kind)
    P.appears_once(page, kind)
    assert P.saved_traits(page, kind) == {"z": 0, "y": 1, "pos_weight": 1}
    v = check_binary(P.state(page, root), initial_pw=1.0)
    assert v["z"] == 0.0 and v["y"] == 1 and v["pw"] == 1.0 and math.isclose(v["loss"], math.log(2))

    P.press(page, kind, "z", "ArrowLeft", 4)
    assert math.isclose(check_binary(P.state(page, root))["z"], -0.4)
    P.press(page, kind, "z", "Home")
    v = check_binary(P.state(page, root))
    assert v["z"] == -8.0 and v["loss"] > 8
    P.press(page, kind, "log10_pos_weight", "End")  # w+ = 10: the positive term weighs 10x
    v = check_binary(P.state(page, root))
    assert v["pw"] == 10.0 and math.isclose(
        v["grad"], 10 * (float(xb.sigmoid(np.array(-8.0))) - 1), rel_tol=1e-12
    )
    P.select(page, kind, "y", "0")
    v = check_binary(P.state(page, root))
    assert v["y"] == 0 and v["loss"] < 1e-3  # pos_weight does not touch a negative
    P.type_value(page, kind, "z", "7.96")  # snapped to the slider's grid
    assert check_binary(P.state(page, root))["z"] == 8.0
    P.type_value(page, kind, "log10_pos_weight", "0.1")
    assert check_binary(P.state(page, root))["pw"] == 0.1
    P.type_value(page, kind, "log10_pos_weight", "-1")  # not a weight: ignored
    assert check_binary(P.state(page, root))["pw"] == 0.1
    for z in (-8, 8):  # by script: every corner
        for pos in (-1, 1):
            for y in (0, 1):
                P.set_controls(page, root, {"z": z, "log10_pos_weight": pos, "y": y})
                check_binary(P.state(page, root))
    P.screenshots(page, root, doc, screenshot_dir, "-extreme")
    rng = np.random.default_rng(5)
    for _ in range(15):
        vals = {
            "z": round(float(rng.uniform(-8, 8)), 1),
            "log10_pos_weight": round(float(rng.uniform(-1, 1)), 2),
            "y": int(rng.integers(0, 2)),
        }
        P.set_controls(page, root, vals)
        check_binary(P.state(page, root))
    P.reset(page, kind)
    v = check_binary(P.state(page, root), initial_pw=1.0)
    assert v["z"] == 0.0 and v["y"] == 1 and v["pw"] == 1.0
    P.screenshots(page, root, doc, screenshot_dir, themed=True)
    module_formulas(page, kind)
    record(page, "page", kind)
    P.finish(page, kind)


def test_focal_explorer_runs_in_the_page(book_page, book_server, screenshot_dir):
    page, (doc, _, kind) = book_page, FOCAL
    root = P.open_explorer(page, book_server, doc, kind)
    P.appears_once(page, kind)
    assert P.saved_traits(page, kind) == {"gamma": 2, "p_t": 0.6}
    v = check_focal(P.state(page, root))
    assert v["p"] == 0.6 and v["gamma"] == 2.0

    P.press(page, kind, "gamma", "Home")  # gamma = 0: the focal loss is cross-entropy
    v = check_focal(P.state(page, root))
    assert v["gamma"] == 0 and v["focal"] == v["ce"]
    P.press(page, kind, "gamma", "ArrowRight", 3)
    assert math.isclose(check_focal(P.state(page, root))["gamma"], 0.3)
    P.press(page, kind, "p_t", "End")  # q_y = 1: both losses 0 (no -0, no NaN)
    v = check_focal(P.state(page, root))
    assert v["p"] == 1.0 and v["focal"] == 0.0 and v["ce"] == 0.0
    P.press(page, kind, "p_t", "Home")
    v = check_focal(P.state(page, root))
    assert v["p"] == 0.01 and math.isclose(v["ce"], -math.log(0.01))
    P.type_value(page, kind, "gamma", "5")
    P.type_value(page, kind, "p_t", "0.904")
    v = check_focal(P.state(page, root))
    assert v["gamma"] == 5.0 and v["p"] == 0.9
    P.type_value(page, kind, "p_t", "0")  # clamped to the minimum 0.01 (q_y = 0 has an infinite loss)
    assert check_focal(P.state(page, root))["p"] == 0.01
    for g in (0, 5):
        for p in (0.01, 1):
            P.set_controls(page, root, {"gamma": g, "p_t": p})
            check_focal(P.state(page, root))
    P.screenshots(page, root, doc, screenshot_dir, "-extreme")
    rng = np.random.default_rng(8)
    for _ in range(15):
        vals = {"gamma": round(float(rng.uniform(0, 5)), 1), "p_t": round(float(rng.uniform(0.01, 1)), 2)}
        P.set_controls(page, root, vals)
        check_focal(P.state(page, root))
    P.reset(page, kind)
    v = check_focal(P.state(page, root))
    assert v["p"] == 0.6 and v["gamma"] == 2.0
    P.screenshots(page, root, doc, screenshot_dir, themed=True)
    module_formulas(page, kind)
    record(page, "page", kind)
    P.finish(page, kind)


# --------------------------------------------------------------------------- JupyterLab

lab = L.lab
notebook_fingerprints = L.notebook_fingerprints
lab_window = A.lab_window


def wait_value(page, root, name: str, x: float) -> None:
    """Wait until the readout ``name`` shows ``x`` (a trait set from Python reached the view)."""
    page.wait_for_function(
        "([r, name, x]) => Number(r.querySelector(`.xent-readout[data-name=${name}]`).dataset.value) === x",
        arg=[root, name, x],
    )


def test_binary_explorer_in_lab(lab, lab_window, screenshot_dir):
    _, nb, kind = BINARY
    try:
        page, root = A.open_and_run(lab_window, nb)
        v = check_binary(P.state(page, root), initial_pw=1.0)
        assert v["z"] == 0.0 and v["y"] == 1
        P.press(page, kind, "z", "ArrowRight", 3)  # not swallowed by JupyterLab's shortcuts
        assert math.isclose(check_binary(P.state(page, root))["z"], 0.3)
        P.select(page, kind, "y", "0")
        P.type_value(page, kind, "log10_pos_weight", "3")
        v = check_binary(P.state(page, root))
        traits = L.kernel_json(lab, nb, "[explorer.z, explorer.y, explorer.pos_weight]")
        assert traits == [v["z"], 0, v["pw"]], traits  # the Python object follows the page
        for z in (-8, 8):
            for pos in (-1, 1):
                for y in (0, 1):
                    P.set_controls(page, root, {"z": z, "log10_pos_weight": pos, "y": y})
                    check_binary(P.state(page, root))
        # the page follows the Python object, exactly, beyond the sliders: a wider z axis and slider
        for z, pw in ((40.0, 1e6), (-40.0, 1e-6), (0.55, 3.0)):
            A.kernel_exec(lab, nb, f"explorer.z = {z!r}\nexplorer.pos_weight = {pw!r}\nexplorer.y = 1")
            wait_value(page, root, "pos_weight", pw)
            wait_value(page, root, "z", z)
            s = P.state(page, root)
            ref = xw.binary_loss_values(z, 1, pw)
            for name in ("loss", "grad", "p"):
                P.assert_close(s["readouts"], name, ref[name])
            assert float(s["readouts"]["pos_weight"]) == pw and s["text"]["loss"] == fmt(ref["loss"])
            axis = page.evaluate("(r) => r.querySelector('[data-control=z]').max", root)
            assert float(axis) == 50, axis  # widened at z = 40, and kept
        P.reset(page, kind)
        v = check_binary(P.state(page, root), initial_pw=1.0)
        assert v["z"] == 0.0 and v["y"] == 1 and v["pw"] == 1.0
        record(page, "JupyterLab", kind)
        A.finish(page, lab_window, nb, kind, screenshot_dir)
    except BaseException:
        lab_window.discard()
        raise
    finally:
        L.shutdown_sessions(lab, [nb])


def test_focal_explorer_in_lab(lab, lab_window, screenshot_dir):
    _, nb, kind = FOCAL
    try:
        page, root = A.open_and_run(lab_window, nb)
        v = check_focal(P.state(page, root))
        assert v["p"] == 0.6 and v["gamma"] == 2.0
        P.press(page, kind, "gamma", "ArrowRight", 2)  # not swallowed by JupyterLab's shortcuts
        P.type_value(page, kind, "p_t", "0.9")
        v = check_focal(P.state(page, root))
        assert math.isclose(v["gamma"], 2.2) and v["p"] == 0.9
        assert L.kernel_json(lab, nb, "[explorer.gamma, explorer.p_t]") == [v["gamma"], 0.9]
        for g in (0, 5):
            for p in (0.01, 1):
                P.set_controls(page, root, {"gamma": g, "p_t": p})
                check_focal(P.state(page, root))
        # from Python, beyond the sliders, exactly: a longer gamma slider, a q_y below 0.01
        A.kernel_exec(lab, nb, "explorer.gamma = 50.0\nexplorer.p_t = 1e-300")
        wait_value(page, root, "p_t", 1e-300)
        v = check_focal(P.state(page, root), exact_p=1e-300)
        assert v["gamma"] == 50 and math.isclose(v["focal"], 300 * math.log(10), rel_tol=1e-12)
        assert float(page.evaluate("(r) => r.querySelector('[data-control=gamma]').max", root)) == 50
        A.kernel_exec(lab, nb, "explorer.gamma = 0.25\nexplorer.p_t = 1")
        wait_value(page, root, "p_t", 1.0)
        v = check_focal(P.state(page, root), exact_gamma=0.25)
        assert v["focal"] == 0.0 and v["ce"] == 0.0
        P.reset(page, kind)
        v = check_focal(P.state(page, root))
        assert v["p"] == 0.6 and v["gamma"] == 2.0
        record(page, "JupyterLab", kind)
        A.finish(page, lab_window, nb, kind, screenshot_dir)
    except BaseException:
        lab_window.discard()
        raise
    finally:
        L.shutdown_sessions(lab, [nb])
