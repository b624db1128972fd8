"""The in-page explorers of the built book (book_assets/xent-explorers.js), driven in headless Chromium.

Chapters 2 and 4 carry a ``<div class="xent-live" data-explorer=...>`` that the
book's own script turns into range sliders plus the explorer's view, recomputed
in the browser on every ``input`` event (no kernel). These tests move the
sliders with the keyboard and by script, read every displayed number from its
``data-value`` (full precision) and check it against xent_book: ``xb.softmax``,
``xb.cross_entropy``, ``xb.cross_entropy_grad`` for the logits explorer and
``xb.info.entropy / cross_entropy / kl_divergence`` for the entropy/KL
explorer, including the extreme settings (temperature at its minimum, logits
at the slider bounds, a q weight of 0 -> KL = inf shown as ∞). The pages are
offline (only 127.0.0.1) and must log no console error. Screenshots of each
explorer, light and dark, go to artifacts/screenshots/live_<chapter>[-dark].png.
"""

from __future__ import annotations

import math
from urllib.parse import urljoin

import numpy as np
import pytest

import xent_book as xb
from xent_book.widgets._base import fmt

pytestmark = pytest.mark.browser

CH2 = "notebooks/02_softmax_temperature"
CH4 = "notebooks/04_cross_entropy_kl"

# The JavaScript uses the same formulas as xent_book, not the same rounding
# (xent_book carries the shift's rounding error into exp), so allow a few ULPs
# on top of floating point: far stricter than the 1e-6 a reader could see.
REL, ABS = 1e-9, 1e-12

# Reads the state of one explorer: its controls and its readouts.
STATE_JS = r"""
(root) => {
  const out = {controls: {}, readouts: {}, text: {}, output: {}, valuetext: {}};
  root.querySelectorAll('input[type=range][data-control], select[data-control]').forEach((c) => {
    const name = c.dataset.control;
    out.controls[name] = c.value;
    if (c.getAttribute('aria-valuetext')) out.valuetext[name] = c.getAttribute('aria-valuetext');
    const o = c.parentElement.querySelector('output');
    if (o) out.output[name] = o.textContent;
  });
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
  out.status = (root.querySelector('[aria-live]') || {}).textContent || '';
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
    if math.isinf(a) or math.isinf(b):
        return a == b
    return math.isclose(a, b, rel_tol=REL, abs_tol=ABS)


def assert_close(shown: dict, name: str, expected: float):
    assert name in shown, f"no readout {name!r}: {sorted(shown)}"
    got = float(shown[name])
    assert close(got, float(expected)), f"{name}: page shows {got!r}, xent_book gives {float(expected)!r}"


def open_explorer(page, book_server, doc: str, kind: str):
    page.goto(urljoin(book_server, f"{doc}.html"), wait_until="load", timeout=30_000)
    root = page.locator(f'.xent-live[data-explorer="{kind}"]')
    assert root.count() == 1, f"{doc}: expected one live {kind} explorer, found {root.count()} (rebuild the book: make html)"
    page.wait_for_selector(f'.xent-live[data-explorer="{kind}"].xent-live-ready svg', timeout=10_000)
    return root.element_handle()


def state(page, root) -> dict:
    s = page.evaluate(STATE_JS, root)
    assert not s["error"], s["error"]
    return s


def no_errors(page):
    rec = page.records
    problems = rec.console_errors + [f"uncaught: {e}" for e in rec.page_errors] + rec.failed_requests + rec.http_errors
    assert not problems, "console errors / failed requests:\n" + "\n".join(problems)
    assert not rec.blocked, f"requests left the machine: {rec.blocked}"


def screenshots(page, root, doc: str, screenshot_dir, extra: str = ""):
    """Light and dark screenshots of the explorer (the theme follows prefers-color-scheme)."""
    name = doc.split("/")[-1] + extra
    paths = []
    for scheme, suffix in (("light", ""), ("dark", "-dark")):
        page.emulate_media(color_scheme=scheme)
        page.wait_for_function(f"document.documentElement.dataset.theme === '{scheme}'", timeout=5_000)
        page.wait_for_timeout(100)
        root.scroll_into_view_if_needed()
        path = screenshot_dir / f"live_{name}{suffix}.png"
        root.screenshot(path=str(path))
        paths.append(path)
    page.emulate_media(color_scheme="light")
    for p in paths:
        assert p.is_file() and p.stat().st_size > 2000, p
    return paths


# --------------------------------------------------------------------------- logits (chapter 2)


def check_logits(s: dict) -> dict:
    """Every readout of the logits explorer against xent_book, for the controls' current values."""
    c = s["controls"]
    n = sum(1 for k in c if k.startswith("z"))
    z = np.array([float(c[f"z{k}"]) for k in range(n)])
    y = int(c["target"])
    r = s["readouts"]
    t = float(r["temperature"])
    # the temperature is 10 ** (log-slider position), on the widget's exponent grid
    assert close(t, 10.0 ** float(c["log10_temperature"])), (t, c["log10_temperature"])
    probs = xb.softmax(z, temperature=t)
    loss = float(xb.cross_entropy(z[None, :] / t, np.array([y])))
    grad = xb.cross_entropy_grad(z[None, :] / t, np.array([y]))[0]
    assert_close(r, "loss", loss)
    assert_close(r, "p_target", probs[y])
    for k in range(n):
        assert_close(r, f"p{k}", probs[k])
        assert_close(r, f"grad{k}", grad[k])
    # the same numbers as the kernel-side explorer computes
    ref = xb.widgets.logits_explorer_values(z, t, y)
    assert_close(r, "loss", ref["loss"])
    # what the reader sees: rounded text, chart text alternative, bar titles, slider outputs
    assert s["text"]["loss"] == fmt(loss), (s["text"]["loss"], loss)
    assert s["status"].startswith(f"Loss {fmt(loss)} nats"), s["status"]  # announced to screen readers
    assert s["svgTitle"] == s["svgLabel"] and f"loss {fmt(loss)} nats" in s["svgLabel"], s["svgLabel"]
    assert [b for b in s["barTitles"] if b.startswith("p")] == [f"p{k} = {probs[k]:.4f}" for k in range(n)]
    for k in range(n):
        assert s["output"][f"z{k}"] == fmt(z[k], 1)
    assert s["output"]["log10_temperature"] == f"{float(f'{t:.3g}'):g}", s["output"]
    assert "temperature T" in s["valuetext"]["log10_temperature"]
    return {"z": z, "t": t, "y": y, "loss": loss, "probs": probs}


def test_logits_explorer_runs_in_the_page(book_page, book_server, screenshot_dir):
    page = book_page
    root = open_explorer(page, book_server, CH2, "logits")

    # initial view: the chapter's z = (2, 1, 0.1), T = 1, target 0
    v = check_logits(state(page, root))
    assert np.array_equal(v["z"], [2.0, 1.0, 0.1]) and v["t"] == 1.0 and v["y"] == 0
    assert fmt(v["loss"]) == "0.4170"

    # keyboard: three steps up on z0, End on z1 (the bound +10), Home on T (its minimum)
    z0 = page.locator('.xent-live [data-control="z0"]')
    z0.focus()
    for _ in range(3):
        page.keyboard.press("ArrowRight")
    v = check_logits(state(page, root))
    assert math.isclose(v["z"][0], 2.3)
    page.locator('.xent-live [data-control="z1"]').press("End")
    v = check_logits(state(page, root))
    assert v["z"][1] == 10.0 and v["y"] == 0 and v["loss"] > 7  # the target is no longer the top class
    page.locator('.xent-live [data-control="log10_temperature"]').press("Home")
    v = check_logits(state(page, root))
    assert v["t"] == 10.0 ** -1.31  # the widget's minimum, 0.04898 (log_slider grid of 0.05)
    assert v["loss"] > 150, v["loss"]  # (10 - 2.3) / T nats and a little more
    page.locator('.xent-live [data-control="log10_temperature"]').press("End")
    v = check_logits(state(page, root))
    assert math.isclose(v["t"], 10.0 ** 0.7)
    page.locator('.xent-live select[data-control="target"]').select_option("1")
    v = check_logits(state(page, root))
    assert v["y"] == 1

    # by script: logits at the bounds, T at its minimum, target the smallest logit:
    # the loss is 20 / T = 408.35 nats, p_y ~ 1e-177 (no underflow to 0, no NaN)
    page.evaluate(SET_JS, [root, {"z0": -10, "z1": 10, "z2": -10, "log10_temperature": -1.31, "target": 0}])
    v = check_logits(state(page, root))
    assert math.isclose(v["loss"], 20 / v["t"], rel_tol=1e-12)  # + log1p(e^-408), below one ULP
    assert 0 < v["probs"][0] < 1e-170
    screenshots(page, root, CH2, screenshot_dir, "-extreme")
    # all logits equal at the bound: uniform at any temperature, loss log 3
    page.evaluate(SET_JS, [root, {"z0": 10, "z1": 10, "z2": 10}])
    v = check_logits(state(page, root))
    assert math.isclose(v["loss"], math.log(3), rel_tol=1e-12)
    # the other extreme: the target alone at the top bound, T minimum: loss 0 to the last bit
    page.evaluate(SET_JS, [root, {"z0": 10, "z1": -10, "z2": -10}])
    v = check_logits(state(page, root))
    assert v["loss"] < 1e-170 and v["probs"][0] == 1.0

    # random positions on the sliders' grids
    rng = np.random.default_rng(0)
    for _ in range(15):
        vals = {f"z{k}": round(float(rng.uniform(-10, 10)), 1) for k in range(3)}
        vals["log10_temperature"] = round(float(rng.uniform(-1.31, 0.7)), 2)
        vals["target"] = int(rng.integers(0, 3))
        page.evaluate(SET_JS, [root, vals])
        check_logits(state(page, root))

    # Reset returns to the initial view
    page.locator(".xent-live .xent-live-reset").click()
    v = check_logits(state(page, root))
    assert np.array_equal(v["z"], [2.0, 1.0, 0.1]) and v["t"] == 1.0 and v["y"] == 0

    screenshots(page, root, CH2, screenshot_dir)
    no_errors(page)


# --------------------------------------------------------------------------- entropy / KL (chapter 4)


def check_entropy_kl(s: dict) -> dict:
    c = s["controls"]
    n = sum(1 for k in c if k.startswith("p"))
    wp = np.array([float(c[f"p{k}"]) for k in range(n)])
    wq = np.array([float(c[f"q{k}"]) for k in range(n)])
    base = 2 if c["base"] == "2" else None
    p = wp / wp.sum() if wp.sum() else np.full(n, 1 / n)
    q = wq / wq.sum() if wq.sum() else np.full(n, 1 / n)
    r = s["readouts"]
    h = float(xb.info.entropy(p, base=base))
    hpq = float(xb.info.cross_entropy(p, q, base=base))
    kl = float(xb.info.kl_divergence(p, q, base=base))
    kl_rev = float(xb.info.kl_divergence(q, p, base=base))
    assert_close(r, "entropy", h)
    assert_close(r, "cross_entropy", hpq)
    assert_close(r, "kl", kl)
    assert_close(r, "kl_reverse", kl_rev)
    assert_close(r, "max_entropy", math.log(n) / (math.log(2) if base else 1.0))
    for k in range(n):
        assert_close(r, f"p{k}", p[k])
        assert_close(r, f"q{k}", q[k])
    # the kernel-side explorer's numbers (xent_book.widgets.entropy_kl_values) agree
    ref = xb.widgets.entropy_kl_values(p, q, base=base)
    assert_close(r, "kl", ref["kl"])
    # Gibbs' inequality holds on the page too (rounding must not show a negative KL)
    assert float(r["kl"]) >= 0 and float(r["kl_reverse"]) >= 0, (r["kl"], r["kl_reverse"])
    # H(p, q) = H(p) + KL(p || q)
    if math.isfinite(hpq):
        assert math.isclose(hpq, h + kl, rel_tol=1e-12, abs_tol=1e-12)
    unit = "bits" if base else "nats"
    assert s["text"]["kl"] == fmt(kl) and s["text"]["cross_entropy"] == fmt(hpq)
    assert f"KL(p || q) {fmt(kl)}" in s["status"], s["status"]  # announced to screen readers
    assert s["svgTitle"] == s["svgLabel"] and f"H(p) {fmt(h)} {unit}" in s["svgLabel"], s["svgLabel"]
    for k in range(n):
        assert s["output"][f"p{k}"] == fmt(wp[k], 2)
    return {"wp": wp, "wq": wq, "p": p, "q": q, "h": h, "hpq": hpq, "kl": kl, "kl_rev": kl_rev}


def test_entropy_kl_explorer_runs_in_the_page(book_page, book_server, screenshot_dir):
    page = book_page
    root = open_explorer(page, book_server, CH4, "entropy-kl")

    # initial view: p = (0.5, 0.3, 0.2), q = (0.2, 0.3, 0.5), bits
    v = check_entropy_kl(state(page, root))
    assert np.allclose(v["p"], [0.5, 0.3, 0.2]) and np.allclose(v["q"], [0.2, 0.3, 0.5])
    assert fmt(v["h"]) == "1.4855" and fmt(v["kl"]) == "0.3966"

    # keyboard: q0 down to 0 with Home -> q0 = 0 < p0: H(p, q) = KL = inf, shown as ∞
    page.locator('.xent-live [data-control="q0"]').press("Home")
    s = state(page, root)
    v = check_entropy_kl(s)
    assert v["kl"] == math.inf and v["hpq"] == math.inf and math.isfinite(v["kl_rev"])
    assert s["readouts"]["kl"] == "inf" and s["text"]["kl"] == "∞" and s["text"]["cross_entropy"] == "∞"
    # a step back up: finite again
    page.locator('.xent-live [data-control="q0"]').press("ArrowRight")
    v = check_entropy_kl(state(page, root))
    assert math.isfinite(v["kl"]) and v["wq"][0] == 0.01

    # by script: q = p -> KL = 0 exactly (clipped at 0 as xent_book does), H(p, q) = H(p)
    page.evaluate(SET_JS, [root, {"p0": 0.5, "p1": 0.3, "p2": 0.2, "q0": 0.5, "q1": 0.3, "q2": 0.2}])
    v = check_entropy_kl(state(page, root))
    assert v["kl"] == 0.0 and v["kl_rev"] == 0.0
    # proportional weights: the same distribution up to rounding, where the unclipped sum is -8.9e-17
    page.evaluate(SET_JS, [root, {"p0": 0.01, "p1": 0.01, "p2": 0.03, "q0": 0.03, "q1": 0.03, "q2": 0.09}])
    v = check_entropy_kl(state(page, root))
    assert v["kl"] == 0.0
    # p with a zero (0 log 0 = 0), q without: finite; the reverse KL is inf
    page.evaluate(SET_JS, [root, {"p0": 1, "p1": 0, "p2": 0, "q0": 0.4, "q1": 0.3, "q2": 0.3}])
    v = check_entropy_kl(state(page, root))
    assert v["h"] == 0.0 and math.isclose(v["kl"], -math.log2(0.4)) and v["kl_rev"] == math.inf
    # the maximum: p uniform at the slider tops, q a point mass -> KL(q || p) = log C
    page.evaluate(SET_JS, [root, {"p0": 1, "p1": 1, "p2": 1, "q0": 0, "q1": 1, "q2": 0}])
    v = check_entropy_kl(state(page, root))
    assert math.isclose(v["h"], math.log2(3)) and v["kl"] == math.inf and math.isclose(v["kl_rev"], math.log2(3))
    screenshots(page, root, CH4, screenshot_dir, "-extreme")
    # all weights of p zero: shown as uniform, with a note
    page.evaluate(SET_JS, [root, {"p0": 0, "p1": 0, "p2": 0}])
    s = state(page, root)
    check_entropy_kl(s)
    assert "All weights of p are 0" in s["note"]

    # nats
    page.locator('.xent-live select[data-control="base"]').select_option("e")
    rng = np.random.default_rng(1)
    for i in range(16):
        vals = {f"{d}{k}": round(float(rng.uniform(0, 1)), 2) for d in "pq" for k in range(3)}
        if i % 4 == 0:
            vals[f"q{int(rng.integers(0, 3))}"] = 0  # sometimes a zero in q
        if i == 8:
            page.locator('.xent-live select[data-control="base"]').select_option("2")
        page.evaluate(SET_JS, [root, vals])
        check_entropy_kl(state(page, root))

    page.locator(".xent-live .xent-live-reset").click()
    v = check_entropy_kl(state(page, root))
    assert np.allclose(v["q"], [0.2, 0.3, 0.5]) and fmt(v["kl"]) == "0.3966"

    screenshots(page, root, CH4, screenshot_dir)
    no_errors(page)


# --------------------------------------------------------------------------- elsewhere


def test_pages_without_explorers_are_untouched(book_page, book_server):
    """The script is on every page (html_js_files) but acts only where a .xent-live container is."""
    page = book_page
    page.goto(urljoin(book_server, "intro.html"), wait_until="load", timeout=30_000)
    assert page.evaluate("typeof window.xentExplorers") == "object", "book_assets/xent-explorers.js did not load"
    assert page.locator(".xent-live, .xent-live-figure").count() == 0
    no_errors(page)


def test_a_bad_configuration_shows_a_message_not_an_error(book_page, book_server):
    page = book_page
    page.goto(urljoin(book_server, "intro.html"), wait_until="load", timeout=30_000)
    msg = page.evaluate(
        """() => {
          const d = document.createElement('div');
          d.className = 'xent-live'; d.dataset.explorer = 'logits'; d.dataset.logits = '1,nope';
          document.body.appendChild(d); window.xentExplorers.init();
          return d.textContent;
        }"""
    )
    assert "data-logits" in msg and "cannot start" in msg, msg
    no_errors(page)


def test_the_in_page_formulas_are_the_stable_ones(book_page, book_server):
    """Beyond the sliders' range: logits of +-1000 (a naive exp overflows) give xent_book's numbers."""
    page = book_page
    page.goto(urljoin(book_server, "intro.html"), wait_until="load", timeout=30_000)
    page.wait_for_function("typeof window.xentExplorers === 'object'")
    for z, t, y in [([1000.0, 0.0, -1000.0], 1.0, 1), ([1000.0, 1000.0, 999.0], 0.05, 2), ([-1e4, 3.0, 1e4], 7.0, 0)]:
        got = page.evaluate("([z, t, y]) => window.xentExplorers.logitsValues(z, t, y)", [z, t, y])
        za = np.array(z)
        assert close(got["loss"], float(xb.cross_entropy(za[None, :] / t, np.array([y])))), (z, t, y, got["loss"])
        for k, p in enumerate(xb.softmax(za, temperature=t)):
            assert close(got["probs"][k], p), (z, t, k, got["probs"][k], p)
    no_errors(page)
