"""The explorers of the built book's pages, driven in headless Chromium (the page helpers live here).

Every explorer is an anywidget (xent_book/widgets/static/): the page mounts its ES module from the
embedded widget state, with no kernel. These tests (chapters 2 and 10 here; 3, 4 and 7 in
test_entropy_explorers.py; 5 and 8 in test_binary_focal_explorers.py; 15 in
test_sampling_explorer.py) move the controls with the keyboard, type values into the value boxes,
set them by script (the extremes included), press Reset, and after each step read every displayed
number from its ``data-value`` (full precision) and check it against xent_book (and PyTorch where it
has the formula) to 1e-9. Each explorer appears once on its page: one saved anywidget model and its
one view.

The pages are offline (only 127.0.0.1; everything else is aborted and recorded) and
must log no console error. The latency from each input event to the updated DOM
(layout included) is recorded by the module (``xentExplorers.measure``); its
p90 must stay under 16 ms (one frame) per explorer, and the table is printed in the
terminal summary (and written to artifacts/page_latency.txt). Screenshots of each
explorer, light and dark, go to artifacts/screenshots/live_<chapter>[-extreme][-dark].png.

``XENT_BOOK_HTML`` (see conftest.py) points the tests at another build.
"""

from __future__ import annotations

import math
import re
from pathlib import Path
from urllib.parse import urljoin

import numpy as np
import pytest
import torch
import torch.nn.functional as F

import xent_book as xb
import xent_book.widgets as xw
from xent_book import calibration as cal
from xent_book.widgets._live import fmt

pytestmark = pytest.mark.browser

CH = {
    "logits": "notebooks/02_softmax_temperature",
    "reliability": "notebooks/10_calibration",
}

# The JavaScript uses the same formulas as xent_book, not the same rounding
# (xent_book carries the shift's rounding error into exp), so allow a few ULPs
# on top of floating point: far stricter than the 1e-6 a reader could see.
REL, ABS = 1e-9, 1e-12
FRAME_MS = 16.0

# Reads the state of one explorer: its controls and its readouts.
STATE_JS = r"""
(root) => {
  const out = {controls: {}, readouts: {}, text: {}, typed: {}, valuetext: {}};
  root.querySelectorAll('input[type=range][data-control], select[data-control]').forEach((c) => {
    const name = c.dataset.control;
    out.controls[name] = c.value;
    if (c.getAttribute('aria-valuetext')) out.valuetext[name] = c.getAttribute('aria-valuetext');
  });
  root.querySelectorAll('input[data-typed]').forEach((b) => { out.typed[b.dataset.typed] = b.value; });
  out.unlabelled = Array.from(root.querySelectorAll('input, select, button')).filter((c) =>
    !(c.labels && c.labels.length) && !c.getAttribute('aria-label') && !(c.textContent || '').trim()).length;
  root.querySelectorAll('.xent-readout[data-name]').forEach((r) => {
    out.readouts[r.dataset.name] = r.dataset.value;
    out.text[r.dataset.name] = r.textContent;
  });
  const svg = root.querySelector('svg');
  out.svgLabel = svg ? svg.getAttribute('aria-label') : null;
  out.svgTitle = svg && svg.firstElementChild && svg.firstElementChild.tagName === 'title'
    ? svg.firstElementChild.textContent : null;
  out.barTitles = svg ? Array.from(svg.querySelectorAll('rect > title')).map((t) => t.textContent) : [];
  out.note = (root.querySelector('.xent-note') || {}).textContent || '';
  out.error = (root.querySelector('.xent-error') || {}).textContent || '';
  const live = root.querySelector('[aria-live]');
  out.status = live ? live.textContent : null;
  return out;
}
"""

# Sets controls by script, as a reader's drag would (value, then a bubbling `input` event).
SET_JS = r"""
([root, values]) => {
  for (const [name, value] of Object.entries(values)) {
    const c = root.querySelector(`[data-control="${name}"]`);
    if (!c) throw new Error('no control ' + name);
    c.value = String(value);
    c.dispatchEvent(new Event(c.tagName === 'SELECT' ? 'change' : 'input', {bubbles: true}));
  }
}
"""


def close(a: float, b: float) -> bool:
    if math.isinf(a) or math.isinf(b) or math.isnan(a) or math.isnan(b):
        return a == b or (math.isnan(a) and math.isnan(b))
    return math.isclose(a, b, rel_tol=REL, abs_tol=ABS)


def assert_close(shown: dict, name: str, expected: float):
    assert name in shown, f"no readout {name!r}: {sorted(shown)}"
    got = float(shown[name])
    assert close(got, float(expected)), f"{name}: page shows {got!r}, xent_book gives {float(expected)!r}"


# --------------------------------------------------------------------------- page helpers


LATENCY: dict[str, list[tuple[float, float]]] = {}


@pytest.fixture(scope="module", autouse=True)
def latency_summary(request):
    """After the module: the page latency table, into the terminal summary and artifacts/page_latency.txt."""
    yield
    if not LATENCY:
        return
    lines = [
        f"{'explorer':<14}{'events':>8}{'median ms':>11}{'p90 ms':>9}{'max ms':>9}{'p90 with layout':>17}"
    ]
    for kind, pairs in LATENCY.items():
        a, lay = np.array([p[0] for p in pairs]), np.array([p[1] for p in pairs])
        lines.append(
            f"{kind:<14}{a.size:>8}{np.median(a):>11.2f}{np.percentile(a, 90):>9.2f}{a.max():>9.2f}"
            f"{np.percentile(lay, 90):>17.2f}"
        )
    text = (
        "\n".join(lines)
        + f"\n(from the input event's timestamp to the updated DOM; budget p90 < {FRAME_MS:g} ms, "
        "one frame; the last column adds the forced layout)\n"
    )
    request.config.xent_page_latency = text
    artifacts = Path(__file__).resolve().parents[2] / "artifacts"
    artifacts.mkdir(exist_ok=True)
    (artifacts / "page_latency.txt").write_text(text)


def open_explorer(page, book_server, doc: str, kind: str):
    page.goto(urljoin(book_server, f"{doc}.html"), wait_until="load", timeout=30_000)
    sel = f'.xent-live[data-xent-explorer="{kind}"]'
    page.wait_for_selector(f"{sel}.xent-live-ready", timeout=15_000)  # an anywidget view mounts after load
    root = page.locator(sel)
    assert root.count() == 1, (
        f"{doc}: expected one live {kind} explorer, found {root.count()} (rebuild the book: make html)"
    )
    page.wait_for_selector(f"{sel}.xent-live-ready", timeout=10_000)
    err = page.locator(f"{sel} .xent-error")
    assert err.count() == 0, f"{doc}: {err.first.text_content()}"
    page.wait_for_selector(f"{sel} svg", timeout=10_000)
    page.evaluate("() => { window.xentExplorers.measure = true; window.xentExplorers.timings = []; }")
    return root.element_handle()


def finish(page, kind: str):
    """Record the page's latencies for the summary and check the one-frame budget."""
    timings = page.evaluate("() => window.xentExplorers.timings")
    ms = [t["ms"] for t in timings]
    assert len(ms) >= 10, f"only {len(ms)} timed input events"
    LATENCY.setdefault(kind, []).extend((t["ms"], t["layoutMs"]) for t in timings)
    p90 = float(np.percentile(ms, 90))
    assert p90 < FRAME_MS, (
        f"{kind}: p90 latency {p90:.1f} ms from input event to updated DOM (budget {FRAME_MS} ms)"
    )
    no_errors(page)


def state(page, root) -> dict:
    s = page.evaluate(STATE_JS, root)
    assert not s["error"], s["error"]
    assert s["unlabelled"] == 0, "a control without a label"
    assert s["status"], "no aria-live summary"
    return s


def set_controls(page, root, values: dict):
    page.evaluate(SET_JS, [root, values])


def type_value(page, kind: str, name: str, text: str):
    box = page.locator(f'.xent-live[data-xent-explorer="{kind}"] input[data-typed="{name}"]')
    box.fill(text)
    box.press("Enter")


def press(page, kind: str, name: str, key: str, times: int = 1):
    c = page.locator(f'.xent-live[data-xent-explorer="{kind}"] [data-control="{name}"]')
    c.focus()
    for _ in range(times):
        page.keyboard.press(key)


def select(page, kind: str, name: str, value: str):
    page.locator(f'.xent-live[data-xent-explorer="{kind}"] select[data-control="{name}"]').select_option(
        value
    )


def reset(page, kind: str):
    page.locator(f'.xent-live[data-xent-explorer="{kind}"] .xent-live-reset').click()


# The traits of the anywidget explorers saved in the page (embedded widget state), by class name.
ANY_STATE_JS = r"""
(cls) => {
  const out = [];
  document.querySelectorAll('script[type="application/vnd.jupyter.widget-state+json"]').forEach((s) => {
    const models = JSON.parse(s.textContent).state || {};
    for (const id in models) {
      const st = models[id].state || {};
      if (models[id].model_name === 'AnyModel' && String(st._anywidget_id || '').endsWith('.' + cls)) {
        const t = {};
        for (const k in st) { if (!k.startsWith('_') && typeof st[k] !== 'string' || k === 'best_limit') t[k] = st[k]; }
        delete t.layout; delete t.tooltip; delete t.tabbable;
        t.esm = typeof st._esm === 'string' && st._esm.length > 1000;
        out.push(t);
      }
    }
  });
  return out;
}
"""

ANYWIDGET_CLASS = {
    "logits": "LogitsExplorer",
    "reliability": "ReliabilityExplorer",
    "binary": "BinaryLossExplorer",  # test_binary_focal_explorers.py
    "focal": "FocalExplorer",
    "entropy": "EntropyExplorer",  # test_entropy_explorers.py (chapters 3, 4 and 7)
    "entropy-kl": "EntropyKLExplorer",
}


def saved_traits(page, kind: str) -> dict:
    """The one saved anywidget model of this explorer: its ES module travels in the state, no HTML view."""
    states = page.evaluate(ANY_STATE_JS, ANYWIDGET_CLASS[kind])
    assert len(states) == 1, f"{kind}: expected one saved {ANYWIDGET_CLASS[kind]} model, found {len(states)}"
    assert states[0].pop("esm"), f"{kind}: the saved state holds no ES module (_esm)"
    return states[0]


def appears_once(page, kind: str):
    """One explorer on the page: one anywidget view, and no other explorer markup."""
    assert page.locator(f'[data-xent-explorer="{kind}"]:not(script)').count() == 1
    assert page.locator(".xent-anywidget").count() == 1
    assert page.locator(".xent-live:not(.xent-anywidget), .widget-html .xent-explorer").count() == 0


def no_errors(page):
    rec = page.records
    problems = (
        rec.console_errors
        + [f"uncaught: {e}" for e in rec.page_errors]
        + rec.failed_requests
        + rec.http_errors
    )
    assert not problems, "console errors / failed requests:\n" + "\n".join(problems)
    assert not rec.blocked, f"requests left the machine: {rec.blocked}"


THEME_JS = r"""
(root) => {
  const lum = (c) => { const m = c.match(/[\d.]+/g).map(Number); return 0.2126 * m[0] + 0.7152 * m[1] + 0.0722 * m[2]; };
  const fig = root.querySelector('.xent-live-figure'), svg = root.querySelector('svg text');
  return {text: lum(getComputedStyle(fig).color), ink: lum(getComputedStyle(svg).fill)};
}
"""


def screenshots(page, root, doc: str, screenshot_dir, extra: str = "", themed: bool = False):
    """Light and dark screenshots of the explorer (the theme follows prefers-color-scheme).

    ``themed``: also check that the text and the chart's ink follow the theme (dark on light, light on dark).
    """
    name = doc.split("/")[-1] + extra
    paths = []
    for scheme, suffix in (("light", ""), ("dark", "-dark")):
        page.emulate_media(color_scheme=scheme)
        page.wait_for_function(f"document.documentElement.dataset.theme === '{scheme}'", timeout=5_000)
        page.wait_for_timeout(100)
        if themed:
            lum = page.evaluate(THEME_JS, root)
            dark_ink = lum["text"] < 128 and lum["ink"] < 128
            assert dark_ink == (scheme == "light"), f"{doc}: the explorer is not themed for {scheme}: {lum}"
        root.scroll_into_view_if_needed()
        path = screenshot_dir / f"live_{name}{suffix}.png"
        root.screenshot(path=str(path))
        paths.append(path)
    page.emulate_media(color_scheme="light")
    for p in paths:
        assert p.is_file() and p.stat().st_size > 2000, p
    return paths


def log_temperature(s: dict, control: str, readout: str, initial: float | None = None) -> float:
    """The value of a log slider: 10 ** position once moved, the exact initial value before."""
    t = float(s["readouts"][readout])
    pos = float(s["controls"][control])
    assert close(t, 10.0**pos) or (initial is not None and t == initial), (t, pos)
    assert s["typed"][control] == f"{float(f'{t:.3g}'):g}", (s["typed"], t)
    return t


# --------------------------------------------------------------------------- logits (chapter 2; chapter 7 in test_entropy_explorers.py)


def check_logits(s: dict, initial_t: float | None = None) -> dict:
    """Every readout of the logits explorer against xent_book and PyTorch, for the controls' current values."""
    c = s["controls"]
    n = sum(1 for k in c if k.startswith("z"))
    z = np.array([float(c[f"z{k}"]) for k in range(n)])
    y = int(c["target"])
    r = s["readouts"]
    t = log_temperature(s, "log10_temperature", "temperature", initial_t)
    probs = xb.softmax(z, temperature=t)
    loss = float(xb.cross_entropy(z[None, :] / t, np.array([y])))
    grad = xb.cross_entropy_grad(z[None, :] / t, np.array([y]))[0]
    assert_close(r, "loss", loss)
    assert_close(r, "p_target", probs[y])
    for k in range(n):
        assert_close(r, f"p{k}", probs[k])
        assert_close(r, f"grad{k}", grad[k])
    zt = torch.tensor(z / t, requires_grad=True)
    torch_loss = F.cross_entropy(zt[None, :], torch.tensor([y]))
    torch_loss.backward()
    assert_close(r, "loss", torch_loss.item())
    for k in range(n):
        assert_close(r, f"grad{k}", zt.grad[k].item())
    ref = xw.logits_explorer_values(z, t, y)  # the kernel-side explorer's numbers
    assert_close(r, "loss", ref["loss"])
    # what the reader sees: rounded text, chart text alternative, bar titles, value boxes
    assert s["text"]["loss"] == fmt(loss), (s["text"]["loss"], loss)
    assert s["status"].startswith(f"Loss {fmt(loss)} nats"), s["status"]  # announced to screen readers
    assert s["svgTitle"] == s["svgLabel"] and f"loss {fmt(loss)} nats" in s["svgLabel"], s["svgLabel"]
    assert [b for b in s["barTitles"] if b.startswith("q")] == [f"q{k} = {probs[k]:.4f}" for k in range(n)]
    for k in range(n):
        assert s["typed"][f"z{k}"] == fmt(z[k], 1)
    assert "temperature T" in s["valuetext"]["log10_temperature"]
    return {"z": z, "t": t, "y": y, "loss": loss, "probs": probs}


def test_logits_explorer_runs_in_the_page(book_page, book_server, screenshot_dir):
    page, kind = book_page, "logits"
    root = open_explorer(page, book_server, CH["logits"], kind)

    # initial view: the chapter's z = (2, 1, 0.1), T = 1, target 0: the saved traits of the anywidget
    appears_once(page, kind)
    saved = saved_traits(page, kind)
    assert saved.pop("temperature_range", [0.05, 5.0]) == [
        0.05,
        5.0,
    ]  # the default (a state saved before it: none)
    assert saved == {"logits": [2.0, 1.0, 0.1], "temperature": 1.0, "target": 0}, saved
    s = state(page, root)
    v = check_logits(s, initial_t=1.0)
    assert np.array_equal(v["z"], [2.0, 1.0, 0.1]) and v["t"] == 1.0 and v["y"] == 0
    assert fmt(v["loss"]) == "0.4170"

    # keyboard: three steps up on z0, End on z1 (the bound +10), Home on T (its minimum)
    press(page, kind, "z0", "ArrowRight", 3)
    v = check_logits(state(page, root))
    assert math.isclose(v["z"][0], 2.3)
    press(page, kind, "z1", "End")
    v = check_logits(state(page, root))
    assert v["z"][1] == 10.0 and v["y"] == 0 and v["loss"] > 7  # the target is no longer the top class
    press(page, kind, "log10_temperature", "Home")
    v = check_logits(state(page, root))
    assert v["t"] == 10.0**-1.31  # the slider's minimum, 0.04898 (logSlider's exponent grid, static/_core.js)
    assert v["loss"] > 150, v["loss"]
    press(page, kind, "log10_temperature", "End")
    v = check_logits(state(page, root))
    assert math.isclose(v["t"], 10.0**0.7)
    select(page, kind, "target", "1")
    v = check_logits(state(page, root))
    assert v["y"] == 1

    # typed values: onto the slider's grid, clamped to its range, as ipywidgets does
    type_value(page, kind, "z2", "3.14159")
    v = check_logits(state(page, root))
    assert v["z"][2] == 3.1
    type_value(page, kind, "z0", "-99")
    v = check_logits(state(page, root))
    assert v["z"][0] == -10.0
    type_value(page, kind, "log10_temperature", "3")
    v = check_logits(state(page, root))
    assert v["t"] == 10.0**0.48  # 3.0199: the exponent grid (logSlider in static/_core.js)
    type_value(page, kind, "z1", "not a number")  # ignored: the box shows the value again
    s = state(page, root)
    assert s["typed"]["z1"] == "10.0"
    check_logits(s)

    # by script: logits at the bounds, T at its minimum, target the smallest logit:
    # the loss is 20 / T = 408.35 nats, p_y ~ 1e-177 (no underflow to 0, no NaN)
    set_controls(page, root, {"z0": -10, "z1": 10, "z2": -10, "log10_temperature": -1.31, "target": 0})
    v = check_logits(state(page, root))
    assert math.isclose(v["loss"], 20 / v["t"], rel_tol=1e-12)
    assert 0 < v["probs"][0] < 1e-170
    screenshots(page, root, CH["logits"], screenshot_dir, "-extreme")
    set_controls(page, root, {"z0": 10, "z1": 10, "z2": 10})  # all equal: uniform, loss log 3
    v = check_logits(state(page, root))
    assert math.isclose(v["loss"], math.log(3), rel_tol=1e-12)
    set_controls(
        page, root, {"z0": 10, "z1": -10, "z2": -10}
    )  # the target alone on top: loss 0 to the last bit
    v = check_logits(state(page, root))
    assert v["loss"] < 1e-170 and v["probs"][0] == 1.0

    rng = np.random.default_rng(0)  # random positions on the sliders' grids
    for _ in range(15):
        vals = {f"z{k}": round(float(rng.uniform(-10, 10)), 1) for k in range(3)}
        vals["log10_temperature"] = round(float(rng.uniform(-1.31, 0.7)), 2)
        vals["target"] = int(rng.integers(0, 3))
        set_controls(page, root, vals)
        check_logits(state(page, root))

    reset(page, kind)  # Reset returns to the initial view
    v = check_logits(state(page, root), initial_t=1.0)
    assert np.array_equal(v["z"], [2.0, 1.0, 0.1]) and v["t"] == 1.0 and v["y"] == 0

    screenshots(page, root, CH["logits"], screenshot_dir, themed=True)
    finish(page, kind)


# --------------------------------------------------------------------------- reliability (chapter 10)


def check_reliability(
    s: dict, z: np.ndarray, y: np.ndarray, n_bins: int, initial_t: float | None = None
) -> dict:
    r = s["readouts"]
    t = log_temperature(s, "log10_temperature", "temperature", initial_t)
    probs = xb.softmax(z, axis=1, temperature=t)
    assert_close(r, "ece", cal.expected_calibration_error(probs, y, n_bins=n_bins))
    nll = F.cross_entropy(torch.from_numpy(z / t), torch.from_numpy(y)).item()
    assert_close(r, "nll", nll)
    assert_close(r, "nll", float(xb.cross_entropy(z / t, y)))
    assert_close(r, "accuracy", float(np.mean(probs.argmax(axis=1) == y)))
    assert_close(r, "mean_confidence", float(probs.max(axis=1).mean()))
    ref = xw.reliability_values(z, y, t, n_bins)
    for name in ("ece", "nll", "accuracy", "mean_confidence"):
        assert_close(r, name, ref[name])
    bins = cal.calibration_bins(probs, y, n_bins)
    titles = [b for b in s["barTitles"] if b.startswith("bin") and "accuracy" in b]
    expected = [
        f"bin {m}: accuracy {bins.accuracy[m]:.4f}, confidence {bins.confidence[m]:.4f}, n = {bins.counts[m]}"
        for m in range(n_bins)
        if bins.counts[m]
    ]
    assert titles == expected, (titles, expected)  # the bars are xent_book's bins
    assert s["status"].startswith(f"ECE {fmt(ref['ece'])}, NLL {fmt(nll)} nats"), s["status"]
    assert s["svgTitle"] == s["svgLabel"] and f"expected calibration error {ref['ece']:.4f}" in s["svgLabel"]
    return {"t": t, "ece": ref["ece"], "nll": nll}


def test_reliability_explorer_runs_in_the_page(book_page, book_server, screenshot_dir):
    page, kind = book_page, "reliability"
    root = open_explorer(page, book_server, CH["reliability"], kind)
    appears_once(page, kind)
    data = saved_traits(page, kind)  # the logits and labels the explorer computes on (its traits)
    assert data["temperature"] == 1.0 and data["best_limit"] == ""
    z, y = np.array(data["logits"], dtype=np.float64), np.array(data["labels"], dtype=np.int64)
    assert z.ndim == 2 and z.shape[0] == y.size >= 100
    n_bins = data["n_bins"]
    s = state(page, root)
    t_star = cal.fit_temperature(z, y)  # temperature scaling's T*, shown for reference
    assert_close(s["readouts"], "best_temperature", t_star)
    assert_close(s["readouts"], "best_temperature", data["best_shown"])
    v = check_reliability(s, z, y, n_bins, initial_t=1.0)
    assert v["t"] == 1.0

    press(page, kind, "log10_temperature", "ArrowRight", 5)
    check_reliability(state(page, root), z, y, n_bins)
    press(page, kind, "log10_temperature", "Home")  # T = 0.1: every prediction near certain
    v = check_reliability(state(page, root), z, y, n_bins)
    assert v["t"] == 0.1
    press(page, kind, "log10_temperature", "End")  # T = 10: near uniform
    v = check_reliability(state(page, root), z, y, n_bins)
    assert v["t"] == 10.0
    type_value(page, kind, "log10_temperature", f"{t_star:.6f}")  # type T*: the NLL is near its minimum
    v = check_reliability(state(page, root), z, y, n_bins)
    assert abs(math.log10(v["t"] / t_star)) <= 0.005 + 1e-12
    nll_star = v["nll"]
    for pos in np.arange(-1.0, 1.0001, 0.1):
        set_controls(page, root, {"log10_temperature": round(float(pos), 2)})
        v = check_reliability(state(page, root), z, y, n_bins)
        assert v["nll"] >= nll_star - 1e-4  # T* minimises the NLL (up to the grid)
    screenshots(page, root, CH["reliability"], screenshot_dir, "-extreme")
    reset(page, kind)
    v = check_reliability(state(page, root), z, y, n_bins, initial_t=1.0)
    assert v["t"] == 1.0
    screenshots(page, root, CH["reliability"], screenshot_dir, themed=True)
    finish(page, kind)


# --------------------------------------------------------------------------- the reliability module


def test_the_reliability_module_formulas_at_the_extremes(book_page, book_server):
    """The chapter 10 module's binning beyond the chapter's data: logits so large that confidences
    are 1 to the last bit, at T = 0.1, 1, 10 (the module exposes reliabilityValues once mounted)."""
    page = book_page
    open_explorer(page, book_server, CH["reliability"], "reliability")
    page.wait_for_function("typeof window.xentExplorers.reliabilityValues === 'function'")
    rng = np.random.default_rng(0)
    z = rng.normal(size=(64, 4)) * 30  # large logits: confidences at 1 to the last bit
    y = rng.integers(4, size=64)
    for t in (0.1, 1.0, 10.0):
        got = page.evaluate(
            "([z, y, t]) => window.xentExplorers.reliabilityValues(z, y, t, 15)",
            [z.tolist(), y.tolist(), t],
        )
        ref = xw.reliability_values(z, y, t, 15)
        for js, py in (
            ("ece", "ece"),
            ("nll", "nll"),
            ("accuracy", "accuracy"),
            ("meanConfidence", "mean_confidence"),
        ):
            assert close(got[js], ref[py]), (t, js, got[js], ref[py])
        assert got["counts"] == ref["bin_counts"].tolist()
    no_errors(page)


def _mixed_calibration_logits():
    """Over-confident bins at high confidence, under-confident ones at low confidence."""
    rng = np.random.default_rng(3)
    n, c = 2000, 10
    y = rng.integers(c, size=n)
    z = rng.normal(size=(n, c))
    z[np.arange(n), y] += rng.normal(1.5, 1.5, size=n)
    return z, y


def _svg_texts(markup: str):
    return [
        (float(x), float(y), a, t)
        for x, y, a, t in re.findall(
            r'<text x="([-0-9.]+)" y="([-0-9.]+)" text-anchor="(\w+)"[^>]*>([^<]*)</text>', markup
        )
    ]


def test_the_reliability_chart_rules(book_page, book_server):
    """The module's chart (static/reliability.js): every gap an outlined, hatched box drawn after the
    bars, in both directions; the acc / conf labels never overlap; the hatching stays in its box."""
    page = book_page
    open_explorer(page, book_server, CH["reliability"], "reliability")
    page.wait_for_function("typeof window.xentExplorers.renderReliability === 'function'")
    z, y = _mixed_calibration_logits()
    render = "([z, y, t]) => window.xentExplorers.renderReliability(window.xentExplorers.reliabilityValues(z, y, t, 15))"
    v = xw.reliability_values(z, y, 1.0)
    nonempty = v["bin_counts"] > 0
    gaps = v["bin_accuracy"][nonempty] - v["bin_confidence"][nonempty]
    assert (gaps > 0).any() and (gaps < 0).any()  # both kinds of bins are on display
    value = page.evaluate(render, [z.tolist(), y.tolist(), 1.0])
    error = xb.COLORS["error"]
    assert value.count('<g class="xent-gap">') == int(nonempty.sum()) + 1  # and the legend's swatch
    assert not re.search(f'<(rect|path|polygon)[^>]*fill="{error}"', value)
    assert "fill-opacity" not in value and "gap to confidence" in value
    assert value.rindex(f'fill="{xb.COLORS["model"]}"><title>bin') < value.index('<g class="xent-gap">')
    for t in (0.3, 1.0, 1.1, 3.0, 10.0):
        vt = xw.reliability_values(z, y, t)
        markup = page.evaluate(render, [z.tolist(), y.tolist(), t])
        texts = {text: (x, yy, a) for x, yy, a, text in _svg_texts(markup) if text in ("acc", "conf")}
        left, right = ("acc", "conf") if vt["accuracy"] <= vt["mean_confidence"] else ("conf", "acc")
        (xl, yl, al), (xr, yr, ar) = texts[left], texts[right]
        assert al == "end" and ar == "start" and yl == yr and xl < xr, (t, texts)
        assert xr + 4 * 6 <= 540
    for box in [
        (10.0, 20.0, 14.0, 3.0),
        (54.0, 30.0, 14.0, 170.0),
        (0.5, 0.5, 40.0, 40.0),
        (3.0, 7.0, 14.0, -9.0),
    ]:
        x, yb, w, h = box
        if h < 0:
            yb, h = yb + h, -h
        d = page.evaluate("(b) => window.xentExplorers.hatch(...b)", list(box))
        pts = np.array(re.findall(r"[ML]([-0-9.]+) ([-0-9.]+)", d), dtype=float)
        assert len(pts) >= 2 and len(pts) % 2 == 0
        assert np.all(pts[:, 0] >= x - 0.05) and np.all(pts[:, 0] <= x + w + 0.05)
        assert np.all(pts[:, 1] >= yb - 0.05) and np.all(pts[:, 1] <= yb + h + 0.05)
        starts, ends = pts[0::2], pts[1::2]
        np.testing.assert_allclose(
            ends - starts, np.abs(ends[:, :1] - starts[:, :1]) * np.array([1.0, -1.0]), atol=0.11
        )  # 45 degrees
    no_errors(page)
