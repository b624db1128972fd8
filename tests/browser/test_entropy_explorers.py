"""The entropy explorers (chapters 3 and 4) and chapter 7's logits explorer, driven in headless Chromium.

All three are anywidget explorers (``xent_book/widgets/static/entropy.js`` for chapters 3 and 4,
``logits.js`` for chapter 7). In the built page (the ES module from the embedded widget state, no
kernel) and in JupyterLab (the chapter run, the trait sync both ways), as a reader would: arrow keys,
Home/End, typed values, the unit selector, Reset, and controls set by script over grids that include
the sliders' corners (point masses, all weights 0, q_k = 0 < p_k, T = 0.001); from Python, values
beyond the sliders (a weight of 2.5 or 1e-300, another number of outcomes, T = 1e-4), held exactly.
After each step every readout (full-precision ``data-value``) must equal ``entropy_values``,
``entropy_kl_values`` or ``logits_explorer_values`` (and scipy's entropy, xent_book's losses and
PyTorch's autograd) to 1e-9; the text a reader sees, the chart's text alternative and the aria-live
sentence say the same rounded numbers; each explorer appears once on its page, themed in light and
dark.

The input-to-DOM latencies (p50, p90) go to ``artifacts/entropy_latency.txt``.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
import test_lab_any_explorers as A
import test_lab_explorers as L
import test_live_book_explorers as P
from scipy import stats

import xent_book as xb
import xent_book.widgets as xw
from xent_book.widgets._live import fmt

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
ENTROPY = ("notebooks/03_entropy", "03_entropy.ipynb", "entropy")
ENTROPY_KL = ("notebooks/04_cross_entropy_kl", "04_cross_entropy_kl.ipynb", "entropy-kl")
STABILITY = ("notebooks/07_numerical_stability", "07_numerical_stability.ipynb", "logits")
E = repr(math.e)  # the unit selector's value for nats (JavaScript's String(Math.E))
TIMINGS: dict[tuple[str, str], list[float]] = {}


@pytest.fixture(scope="module", autouse=True)
def latency_report():
    yield
    if not TIMINGS:
        return
    lines = [f"{'where':<12}{'explorer':<14}{'events':>8}{'p50 ms':>9}{'p90 ms':>9}{'max ms':>9}"]
    for (where, kind), ms in TIMINGS.items():
        a = np.array(ms)
        lines.append(
            f"{where:<12}{kind:<14}{a.size:>8}{np.median(a):>9.2f}{np.percentile(a, 90):>9.2f}{a.max():>9.2f}"
        )
    (ROOT / "artifacts").mkdir(exist_ok=True)
    text = "\n".join(lines) + "\n(input event to updated DOM, anywidget modules)\n"
    (ROOT / "artifacts" / "entropy_latency.txt").write_text(text)


def record(page, where: str, kind: str, name: str | None = None) -> None:
    TIMINGS.setdefault((where, name or kind), []).extend(
        t["ms"] for t in page.evaluate("() => window.xentExplorers.timings") if t["kind"] == kind
    )


# --------------------------------------------------------------------------- checks


def _weights(s: dict, name: str, exact) -> np.ndarray:
    """The weights the view computes with: the sliders' positions, or weights set exactly from Python."""
    c = s["controls"]
    n = sum(1 for k in c if k.startswith(name) and k[len(name) :].isdigit())
    w = np.array([float(c[f"{name}{k}"]) for k in range(n)])
    if exact is not None:
        exact = np.asarray(exact, dtype=np.float64)
        assert exact.shape == w.shape and np.allclose(exact, w, rtol=0, atol=0.005 + 1e-12), (exact, w)
        w = exact
    for k in range(n):
        assert s["typed"][f"{name}{k}"] == fmt(w[k], 2), (s["typed"], w)
    return w


def _distribution(w: np.ndarray) -> np.ndarray:
    return w / w.sum() if w.sum() else np.full(w.size, 1 / w.size)


def _base(s: dict) -> float:
    b = float(s["controls"]["base"])
    return math.e if b == float(E) else b


def check_entropy(s: dict, exact=None) -> dict:
    """Every readout of chapter 3's explorer against scipy, xent_book.info and entropy_values."""
    r, base = s["readouts"], _base(s)
    w = _weights(s, "p", exact)
    p = _distribution(w)
    h = float(xb.info.entropy(p, base=base))
    P.assert_close(r, "entropy", h)
    P.assert_close(r, "entropy", stats.entropy(p, base=base) if p.max() < 1 else 0.0)
    P.assert_close(r, "max_entropy", math.log(w.size) / math.log(base))
    P.assert_close(r, "perplexity", math.exp(float(xb.info.entropy(p))))
    for k in range(w.size):
        P.assert_close(r, f"p{k}", p[k])
    ref = xw.entropy_values(p, base)
    for name in ("entropy", "max_entropy", "perplexity"):
        P.assert_close(r, name, ref[name])
    assert float(r["entropy"]) >= 0
    assert s["text"]["entropy"] == fmt(h) and f"H(p) {fmt(h)}" in s["status"], s["status"]
    assert s["svgTitle"] == s["svgLabel"] and f"Entropy H(p) {fmt(h)} {ref['unit']}" in s["svgLabel"]
    assert ("All weights of p are 0" in s["note"]) == (w.sum() == 0)
    return {"w": w, "p": p, "h": h, "base": base}


def check_entropy_kl(s: dict, exact_p=None, exact_q=None) -> dict:
    """Every readout of chapter 4's explorer against scipy, xent_book.info and entropy_kl_values."""
    r, base = s["readouts"], _base(s)
    wp, wq = _weights(s, "p", exact_p), _weights(s, "q", exact_q)
    p, q = _distribution(wp), _distribution(wq)
    h = float(xb.info.entropy(p, base=base))
    hpq = float(xb.info.cross_entropy(p, q, base=base))
    kl = float(xb.info.kl_divergence(p, q, base=base))
    kl_rev = float(xb.info.kl_divergence(q, p, base=base))
    for name, value in (("entropy", h), ("cross_entropy", hpq), ("kl", kl), ("kl_reverse", kl_rev)):
        P.assert_close(r, name, value)
    P.assert_close(
        r, "kl", stats.entropy(p, q, base=base)
    )  # scipy: an independent KL (inf where q_k = 0 < p_k)
    P.assert_close(r, "kl_reverse", stats.entropy(q, p, base=base))
    P.assert_close(r, "max_entropy", math.log(wp.size) / math.log(base))
    for k in range(wp.size):
        P.assert_close(r, f"p{k}", p[k])
        P.assert_close(r, f"q{k}", q[k])
    ref = xw.entropy_kl_values(p, q, base)
    for name in ("entropy", "cross_entropy", "kl", "kl_reverse", "max_entropy"):
        P.assert_close(r, name, ref[name])
    assert float(r["kl"]) >= 0 and float(r["kl_reverse"]) >= 0
    if math.isfinite(hpq):
        assert math.isclose(hpq, h + kl, rel_tol=1e-12, abs_tol=1e-12)
    assert s["text"]["kl"] == fmt(kl) and s["text"]["cross_entropy"] == fmt(hpq)
    assert f"KL(p || q) {fmt(kl)}" in s["status"] and f"KL(q || p) {fmt(kl_rev)}" in s["status"], s["status"]
    assert s["svgTitle"] == s["svgLabel"] and f"H(p) {fmt(h)} {ref['unit']}" in s["svgLabel"], s["svgLabel"]
    return {"wp": wp, "wq": wq, "p": p, "q": q, "h": h, "hpq": hpq, "kl": kl, "kl_rev": kl_rev}


def module_formulas(page) -> None:
    """The modules' formulas beyond the sliders' ranges give the package's numbers (no overflow, no NaN)."""
    api = "window.xentExplorers"
    for w in ([1e-300, 1.0, 0.0], [1e300, 1.0, 1e300], [1 - 1e-12, 1e-12], [0.0, 0.0, 0.0]):
        for base in (2.0, math.e, 10.0):
            got = page.evaluate(f"([w, b]) => {api}.entropyValues(w, b)", [w, base])
            ref = xw.entropy_values(xw.entropy.normalise_weights(w, "p", allow_zero=True), base)
            for js, py in (
                ("entropy", "entropy"),
                ("maxEntropy", "max_entropy"),
                ("perplexity", "perplexity"),
            ):
                assert P.close(got[js], ref[py]), (w, base, js, got[js], ref[py])
    for wp, wq in (([1.0, 1.0, 0.0], [1e-300, 0.0, 1.0]), ([1e300, 1.0], [1.0, 1e300])):
        got = page.evaluate(f"([p, q]) => {api}.entropyKLValues(p, q, 2)", [wp, wq])
        ref = xw.entropy_kl_values(wp, wq, 2)
        for js, py in (("entropy", "entropy"), ("kl", "kl"), ("klReverse", "kl_reverse")):
            want = ref[py]
            assert (got[js] is None and math.isinf(want)) or P.close(got[js], want), (
                wp,
                wq,
                js,
                got[js],
                want,
            )


def logits_formulas(page) -> None:
    """Chapter 7's module at logits and temperatures far beyond its sliders: xent_book's numbers."""
    for z, t, y in [
        ([1000.0, 0.0, -1000.0], 1.0, 1),
        ([1000.0, 1000.0, 999.0], 0.05, 2),
        ([-1e4, 3.0, 1e4], 7.0, 0),
        ([10.0, -10.0, 0.0], 1e-3, 1),
        ([10.0, -10.0, 0.0], 1e-6, 1),
    ]:
        got = page.evaluate("([z, t, y]) => window.xentExplorers.logitsValues(z, t, y)", [z, t, y])
        ref = xw.logits_explorer_values(z, t, y)
        assert P.close(got["loss"], ref["loss"]), (z, t, y, got["loss"], ref["loss"])
        for k in range(len(z)):
            assert P.close(got["probs"][k], ref["probs"][k]) and P.close(got["grad"][k], ref["grad"][k]), (
                z,
                t,
                k,
            )


# --------------------------------------------------------------------------- the page


def test_entropy_explorer_runs_in_the_page(book_page, book_server, screenshot_dir):
    page, (doc, _, kind) = book_page, ENTROPY
    root = P.open_explorer(page, book_server, doc, kind)
    P.appears_once(page, kind)
    assert P.saved_traits(page, kind) == {"p": [0.5, 0.3, 0.2], "base": 2}
    v = check_entropy(P.state(page, root))
    assert np.allclose(v["p"], [0.5, 0.3, 0.2]) and fmt(v["h"]) == "1.4855"

    P.press(page, kind, "p0", "End")
    check_entropy(P.state(page, root))
    P.press(page, kind, "p1", "Home")
    P.press(page, kind, "p2", "Home")
    v = check_entropy(P.state(page, root))
    assert v["h"] == 0.0  # a point mass: 0 log 0 = 0, no NaN
    P.press(page, kind, "p2", "ArrowRight", 2)
    assert check_entropy(P.state(page, root))["w"][2] == 0.02
    P.type_value(page, kind, "p1", "0.333")  # onto the slider's grid
    assert check_entropy(P.state(page, root))["w"][1] == 0.33
    P.type_value(page, kind, "p2", "7")  # clamped to the slider's top
    assert check_entropy(P.state(page, root))["w"][2] == 1.0
    P.type_value(page, kind, "p2", "not a number")  # ignored: the box shows the value again
    assert check_entropy(P.state(page, root))["w"][2] == 1.0
    P.set_controls(page, root, {"p0": 1, "p1": 1, "p2": 1})  # uniform: the maximum log C
    v = check_entropy(P.state(page, root))
    assert math.isclose(v["h"], math.log2(3), rel_tol=1e-15)
    P.set_controls(page, root, {"p0": 0, "p1": 0, "p2": 0})  # all zero: shown as uniform, with a note
    check_entropy(P.state(page, root))
    P.screenshots(page, root, doc, screenshot_dir, "-extreme")
    P.select(page, kind, "base", E)
    v = check_entropy(P.state(page, root))
    assert v["base"] == math.e and math.isclose(v["h"], math.log(3), rel_tol=1e-15)
    rng = np.random.default_rng(3)
    for i in range(16):
        vals = {f"p{k}": round(float(rng.uniform(0, 1)), 2) for k in range(3)}
        if i % 4 == 0:
            vals[f"p{int(rng.integers(0, 3))}"] = 0
        if i == 8:
            vals["base"] = "2"
        P.set_controls(page, root, vals)
        check_entropy(P.state(page, root))
    P.reset(page, kind)
    v = check_entropy(P.state(page, root))
    assert np.allclose(v["p"], [0.5, 0.3, 0.2]) and v["base"] == 2 and fmt(v["h"]) == "1.4855"
    P.screenshots(page, root, doc, screenshot_dir, themed=True)
    module_formulas(page)
    record(page, "page", kind)
    P.finish(page, kind)


def test_entropy_kl_explorer_runs_in_the_page(book_page, book_server, screenshot_dir):
    page, (doc, _, kind) = book_page, ENTROPY_KL
    root = P.open_explorer(page, book_server, doc, kind)
    P.appears_once(page, kind)
    saved = P.saved_traits(page, kind)
    assert np.allclose(saved.pop("p"), [0.6, 0.3, 0.1], rtol=1e-15) and saved == {
        "q": [0.2, 0.3, 0.5],
        "base": 2,
    }
    v = check_entropy_kl(P.state(page, root))
    # chapter 4's defaults: two distributions whose KL differs in the two directions
    assert fmt(v["h"]) == "1.2955" and fmt(v["kl"]) == "0.7188" and fmt(v["kl_rev"]) == "0.8440"

    P.press(page, kind, "q0", "Home")  # q0 = 0 < p0: H(p, q) = KL = inf, shown as ∞
    s = P.state(page, root)
    v = check_entropy_kl(s)
    assert v["kl"] == math.inf and v["hpq"] == math.inf and math.isfinite(v["kl_rev"])
    assert s["readouts"]["kl"] == "inf" and s["text"]["kl"] == "∞" and s["text"]["cross_entropy"] == "∞"
    P.press(page, kind, "q0", "ArrowRight")
    v = check_entropy_kl(P.state(page, root))
    assert math.isfinite(v["kl"]) and v["wq"][0] == 0.01
    P.type_value(page, kind, "q1", "0.004")  # onto the grid: 0
    assert check_entropy_kl(P.state(page, root))["wq"][1] == 0.0
    P.set_controls(page, root, {"p0": 0.5, "p1": 0.3, "p2": 0.2, "q0": 0.5, "q1": 0.3, "q2": 0.2})
    v = check_entropy_kl(P.state(page, root))
    assert v["kl"] == 0.0 and v["kl_rev"] == 0.0
    # proportional weights: the same distribution up to rounding (the unclamped sum is -8.9e-17)
    P.set_controls(page, root, {"p0": 0.01, "p1": 0.01, "p2": 0.03, "q0": 0.03, "q1": 0.03, "q2": 0.09})
    assert check_entropy_kl(P.state(page, root))["kl"] == 0.0
    P.set_controls(page, root, {"p0": 1, "p1": 0, "p2": 0, "q0": 0.4, "q1": 0.3, "q2": 0.3})
    v = check_entropy_kl(P.state(page, root))
    assert v["h"] == 0.0 and math.isclose(v["kl"], -math.log2(0.4)) and v["kl_rev"] == math.inf
    P.set_controls(page, root, {"p0": 1, "p1": 1, "p2": 1, "q0": 0, "q1": 1, "q2": 0})
    v = check_entropy_kl(P.state(page, root))
    assert v["kl"] == math.inf and math.isclose(v["kl_rev"], math.log2(3))
    P.screenshots(page, root, doc, screenshot_dir, "-extreme")
    P.set_controls(page, root, {"p0": 0, "p1": 0, "p2": 0, "q0": 0, "q1": 0, "q2": 0})
    s = P.state(page, root)
    check_entropy_kl(s)
    assert "All weights of p and q are 0" in s["note"]
    P.select(page, kind, "base", E)
    rng = np.random.default_rng(1)
    for i in range(16):
        vals = {f"{d}{k}": round(float(rng.uniform(0, 1)), 2) for d in "pq" for k in range(3)}
        if i % 4 == 0:
            vals[f"q{int(rng.integers(0, 3))}"] = 0
        if i == 8:
            vals["base"] = "2"
        P.set_controls(page, root, vals)
        check_entropy_kl(P.state(page, root))
    P.reset(page, kind)
    v = check_entropy_kl(P.state(page, root))
    assert np.allclose(v["p"], [0.6, 0.3, 0.1]) and fmt(v["kl"]) == "0.7188" and fmt(v["kl_rev"]) == "0.8440"
    P.screenshots(page, root, doc, screenshot_dir, themed=True)
    module_formulas(page)
    record(page, "page", kind)
    P.finish(page, kind)


def test_chapter_7_logits_explorer_runs_in_the_page(book_page, book_server, screenshot_dir):
    """Chapter 7: the logits explorer at (10, -10, 0) and T = 0.05 (exactly), its slider down to T = 0.001."""
    page, (doc, _, kind) = book_page, STABILITY
    root = P.open_explorer(page, book_server, doc, kind)
    P.appears_once(page, kind)
    saved = P.saved_traits(page, kind)
    assert saved == {
        "logits": [10, -10, 0],
        "temperature": 0.05,
        "target": 1,
        "temperature_range": [0.001, 5],
    }
    v = P.check_logits(P.state(page, root), initial_t=0.05)
    assert np.array_equal(v["z"], [10.0, -10.0, 0.0]) and v["t"] == 0.05 and v["y"] == 1
    assert math.isclose(v["loss"], 400.0, rel_tol=1e-12)  # (10 - (-10)) / 0.05, no overflow
    P.press(page, kind, "log10_temperature", "Home")  # T = 0.001: q_y underflows to 0, the loss does not
    s = P.state(page, root)
    v = P.check_logits(s)
    assert v["t"] == 10.0**-3 and math.isclose(v["loss"], 20 / v["t"], rel_tol=1e-12)
    assert float(s["readouts"]["p_target"]) == 0.0 and s["text"]["loss"] == "20000.0000"
    P.press(page, kind, "log10_temperature", "ArrowRight", 3)
    assert math.isclose(P.check_logits(P.state(page, root))["t"], 10.0**-2.97)
    P.press(page, kind, "z1", "ArrowLeft", 5)  # already at the bound: stays
    P.press(page, kind, "z2", "PageUp")
    P.check_logits(P.state(page, root))
    P.type_value(page, kind, "log10_temperature", "1e-5")  # below the range: clamped to its minimum
    assert P.check_logits(P.state(page, root))["t"] == 10.0**-3
    P.type_value(page, kind, "log10_temperature", "0.05")
    assert P.check_logits(P.state(page, root))["t"] == 10.0 ** round(math.log10(0.05), 2)
    for z0 in (-10, -5, 0, 5, 10):
        for pos in (-3, -1.31, 0.7):
            P.set_controls(page, root, {"z0": z0, "z1": -10, "z2": 10, "log10_temperature": pos, "target": 1})
            P.check_logits(P.state(page, root))
    P.screenshots(page, root, doc, screenshot_dir, "-extreme")
    rng = np.random.default_rng(7)
    for _ in range(10):
        vals = {f"z{k}": round(float(rng.uniform(-10, 10)), 1) for k in range(3)}
        vals["log10_temperature"] = round(float(rng.uniform(-3, 0.7)), 2)
        vals["target"] = int(rng.integers(0, 3))
        P.set_controls(page, root, vals)
        P.check_logits(P.state(page, root))
    P.reset(page, kind)
    v = P.check_logits(P.state(page, root), initial_t=0.05)
    assert v["t"] == 0.05 and math.isclose(v["loss"], 400.0, rel_tol=1e-12)
    P.screenshots(page, root, doc, screenshot_dir, themed=True)
    logits_formulas(page)
    record(page, "page", kind, "logits (ch 7)")
    P.finish(page, "logits (ch 7)")


# --------------------------------------------------------------------------- JupyterLab

lab = L.lab
notebook_fingerprints = L.notebook_fingerprints
lab_window = A.lab_window


def wait_value(page, root, name: str, x: float) -> None:
    """Wait until the readout ``name`` shows ``x`` (a trait set from Python reached the view)."""
    page.wait_for_function(
        "([r, name, x]) => { const e = r.querySelector(`.xent-readout[data-name=${name}]`);"
        " return e !== null && Number(e.dataset.value) === x; }",  # none while a two-trait change is half-way
        arg=[root, name, x],
    )


def test_entropy_explorer_in_lab(lab, lab_window, screenshot_dir):
    _, nb, kind = ENTROPY
    try:
        page, root = A.open_and_run(lab_window, nb)
        v = check_entropy(P.state(page, root))
        assert fmt(v["h"]) == "1.4855"
        P.press(page, kind, "p0", "ArrowRight", 3)  # not swallowed by JupyterLab's shortcuts
        P.type_value(page, kind, "p1", "0.05")
        P.select(page, kind, "base", E)
        v = check_entropy(P.state(page, root))
        assert list(v["w"]) == [0.53, 0.05, 0.2] and v["base"] == math.e
        traits = L.kernel_json(lab, nb, "[explorer.p, explorer.base]")
        assert traits == [[0.53, 0.05, 0.2], math.e], traits  # the Python object follows the page
        for corner in ({"p0": 0, "p1": 0, "p2": 0}, {"p0": 1, "p1": 0, "p2": 0}, {"p0": 1, "p1": 1, "p2": 1}):
            P.set_controls(page, root, corner)
            check_entropy(P.state(page, root))
        # the page follows the Python object, exactly, beyond the sliders: longer sliders, four outcomes
        A.kernel_exec(lab, nb, "explorer.p = [2.5, 0.0, 1e-300, 0.125]\nexplorer.base = 2")
        wait_value(page, root, "max_entropy", 2.0)
        v = check_entropy(P.state(page, root), exact=[2.5, 0.0, 1e-300, 0.125])
        assert float(page.evaluate("(r) => r.querySelector('[data-control=p0]').max", root)) == 2.5
        P.press(page, kind, "p3", "ArrowRight")
        v = check_entropy(
            P.state(page, root), exact=[2.5, 0.0, 1e-300, 0.14]
        )  # 0.125 sits at 0.13 on the grid
        assert L.kernel_json(lab, nb, "explorer.p") == [2.5, 0.0, 1e-300, 0.14]
        P.reset(page, kind)
        v = check_entropy(
            P.state(page, root), exact=[2.5, 0.0, 1e-300, 0.125]
        )  # Reset: the state it was built on
        record(page, "JupyterLab", kind)
        A.finish(page, lab_window, nb, kind, screenshot_dir)
    except BaseException:
        lab_window.discard()
        raise
    finally:
        L.shutdown_sessions(lab, [nb])


def test_entropy_kl_explorer_in_lab(lab, lab_window, screenshot_dir):
    _, nb, kind = ENTROPY_KL
    try:
        page, root = A.open_and_run(lab_window, nb)
        v = check_entropy_kl(P.state(page, root))
        assert fmt(v["kl"]) == "0.7188" and fmt(v["kl_rev"]) == "0.8440"
        P.press(page, kind, "q0", "ArrowLeft", 3)  # not swallowed by JupyterLab's shortcuts
        P.type_value(page, kind, "p2", "0.7")
        v = check_entropy_kl(P.state(page, root))
        assert v["wq"][0] == 0.17 and v["wp"][2] == 0.7
        traits = L.kernel_json(lab, nb, "[explorer.q, explorer.p[2]]")
        assert traits == [[0.17, 0.3, 0.5], 0.7], traits
        P.press(page, kind, "q0", "Home")
        v = check_entropy_kl(P.state(page, root))
        assert v["kl"] == math.inf
        rng = np.random.default_rng(4)
        for _ in range(8):
            vals = {f"{d}{k}": round(float(rng.uniform(0, 1)), 2) for d in "pq" for k in range(3)}
            P.set_controls(page, root, vals)
            check_entropy_kl(P.state(page, root))
        # from Python: four outcomes at once (p and q checked together), a q_k = 0 < p_k, nats
        A.kernel_exec(
            lab,
            nb,
            "with explorer.hold_trait_notifications():\n"
            "    explorer.p = [1.0, 1.0, 1.0, 1e-300]\n    explorer.q = [0.0, 2.0, 1.0, 1.0]\n"
            "explorer.base = None",
        )
        wait_value(page, root, "max_entropy", math.log(4))
        v = check_entropy_kl(
            P.state(page, root), exact_p=[1.0, 1.0, 1.0, 1e-300], exact_q=[0.0, 2.0, 1.0, 1.0]
        )
        assert v["kl"] == math.inf and math.isfinite(v["kl_rev"])
        assert float(page.evaluate("(r) => r.querySelector('[data-control=q1]').max", root)) == 2
        record(page, "JupyterLab", kind)
        A.finish(page, lab_window, nb, kind, screenshot_dir)
    except BaseException:
        lab_window.discard()
        raise
    finally:
        L.shutdown_sessions(lab, [nb])


def test_chapter_7_logits_explorer_in_lab(lab, lab_window, screenshot_dir):
    _, nb, kind = STABILITY
    try:
        page, root = A.open_and_run(lab_window, nb)
        v = P.check_logits(P.state(page, root), initial_t=0.05)
        assert math.isclose(v["loss"], 400.0, rel_tol=1e-12)
        P.press(page, kind, "log10_temperature", "Home")  # not swallowed by JupyterLab's shortcuts
        v = P.check_logits(P.state(page, root))
        assert v["t"] == 10.0**-3 and math.isclose(v["loss"], 20000.0, rel_tol=1e-12)
        P.press(page, kind, "z0", "ArrowLeft", 4)
        v = P.check_logits(P.state(page, root))
        traits = L.kernel_json(lab, nb, "[explorer.logits, explorer.temperature, explorer.target]")
        assert traits == [list(v["z"]), v["t"], 1], traits
        for pos in (-3, -1.31, 0, 0.7):
            P.set_controls(page, root, {"z0": 10, "z1": -10, "z2": 0, "log10_temperature": pos})
            P.check_logits(P.state(page, root))
        # from Python, below the slider: a wider slider, exactly T = 1e-4 (the loss 2e5 nats)
        A.kernel_exec(lab, nb, "explorer.logits = [10.0, -10.0, 0.0]\nexplorer.temperature = 1e-4")
        wait_value(page, root, "temperature", 1e-4)
        s = P.state(page, root)
        ref = xw.logits_explorer_values([10.0, -10.0, 0.0], 1e-4, 1)
        P.assert_close(s["readouts"], "loss", ref["loss"])
        P.assert_close(s["readouts"], "loss", 2e5)
        P.assert_close(
            s["readouts"], "loss", float(xb.cross_entropy(np.array([[1e5, -1e5, 0.0]]), np.array([1])))
        )
        assert (
            float(page.evaluate("(r) => r.querySelector('[data-control=log10_temperature]').min", root)) == -4
        )
        P.reset(page, kind)
        v = P.check_logits(P.state(page, root), initial_t=0.05)
        assert v["t"] == 0.05
        record(page, "JupyterLab", kind, "logits (ch 7)")
        A.finish(page, lab_window, nb, "logits (ch 7)", screenshot_dir)
    except BaseException:
        lab_window.discard()
        raise
    finally:
        L.shutdown_sessions(lab, [nb])
