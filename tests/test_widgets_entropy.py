"""The entropy explorers (chapters 3 and 4) and chapter 7's logits explorer, anywidget explorers.

Their ``*_values`` functions are tested against scipy and PyTorch in test_widgets.py. Here: the
anywidgets' traits, refusals and saved state, the chapters' cells (each explorer once, with the
current module), and the ES modules' own formulas (``static/entropy.js``, ``static/logits.js``, run
in Node) against ``entropy_values``, ``entropy_kl_values`` and ``logits_explorer_values`` to 1e-9
over sweeps that include the extremes (weights from 1e-300 to 1e300, zeros, point masses, q_k = 0
where p_k > 0, bases 2, e, 10 and 1.5; logits to +-1e4 at temperatures down to 1e-3), the readouts
of the rendered view included.
"""

from __future__ import annotations

import itertools
import json
import math
import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

import xent_book.widgets as xw
from xent_book.widgets import _live
from xent_book.widgets._live import fmt

ROOT = Path(__file__).resolve().parents[1]
REL, ABS = 1e-9, 1e-12
NODE = shutil.which("node")


def _close(a, b):
    a, b = float(a), float(b)
    if math.isinf(a) or math.isinf(b):
        return a == b
    return math.isclose(a, b, rel_tol=REL, abs_tol=ABS)


# --------------------------------------------------------------------------- the anywidgets


def test_entropy_explorer_traits_values_and_refusals():
    ex = xw.entropy_explorer(p=(0.5, 0.3, 0.2), base=2)
    assert isinstance(ex, xw.EntropyExplorer)
    assert ex.p == [0.5, 0.3, 0.2] and ex.base == 2.0
    assert repr(ex) == "EntropyExplorer(p=[0.5, 0.3, 0.2], base=2.0)"  # no address
    assert ex.values()["entropy"] == xw.entropy_values((0.5, 0.3, 0.2), 2)["entropy"]
    ex.p, ex.base = np.array([0, 0, 0, 5]), None  # another number of outcomes; nats
    assert ex.p == [0.0, 0.0, 0.0, 5.0] and ex.base == math.e
    v = ex.values()
    assert v["entropy"] == 0.0 and v["unit"] == "nats" and v["max_entropy"] == math.log(4)
    ex.p = [0, 0, 0, 0]  # the sliders can reach it: shown as uniform, with a note
    assert ex.values()["entropy"] == pytest.approx(math.log(4)) and "All weights of p" in ex.values()["note"]
    for name, bad, exc in [
        ("p", [1.0], ValueError),
        ("p", [1.0, -0.1], ValueError),
        ("p", [1.0, np.nan], ValueError),
        ("p", [1.0] * 9, ValueError),
        ("p", [1e308, 1e308], ValueError),  # the sum overflows
        ("p", "0.5,0.5", TypeError),
        ("p", None, TypeError),
        ("base", 1.0, ValueError),
        ("base", 0.5, ValueError),
        ("base", True, TypeError),
    ]:
        with pytest.raises(exc, match=name):
            setattr(ex, name, bad)
    assert ex.p == [0.0] * 4 and ex.base == math.e  # refused values change nothing
    with pytest.raises(ValueError, match="p"):
        xw.EntropyExplorer(p=(0, 0))  # all zero defines no distribution to start from
    with pytest.raises(ValueError, match="p"):
        xw.EntropyExplorer(p=np.ones(9))
    assert xw.entropy_explorer(base=10).values()["unit"] == "hartleys"
    assert xw.entropy_explorer(p=(2, 6, 2)).p == [0.2, 0.6, 0.2]  # the sliders start normalised


def test_entropy_kl_explorer_traits_values_and_refusals():
    ex = xw.entropy_kl_explorer(p=(0.6, 0.3, 0.1), q=(0.2, 0.3, 0.5), base=2)
    assert isinstance(ex, xw.EntropyKLExplorer)
    v = ex.values()
    assert f"{v['entropy']:.4f}" == "1.2955" and f"{v['kl']:.4f}" == "0.7188"
    assert f"{v['kl_reverse']:.4f}" == "0.8440"
    ex.q = [0, 1, 1]  # q_0 = 0 < p_0: infinite
    assert ex.values()["kl"] == math.inf and ex.values()["cross_entropy"] == math.inf
    with pytest.raises(ValueError, match="p: expected 3 weights to match q"):
        ex.p = [1, 1]
    with pytest.raises(ValueError, match="q: expected 3"):
        ex.q = [1, 1, 1, 1]
    with ex.hold_trait_notifications():  # both at once: checked against each other at the end
        ex.p, ex.q = [1, 1, 1, 1], [1, 2, 3, 4]
    assert len(ex.values()["p"]) == 4 and ex.values()["kl"] > 0
    with pytest.raises(ValueError, match="q"):
        with ex.hold_trait_notifications():
            ex.p = [1, 1]
    assert ex.p == [1.0, 1.0, 1.0, 1.0]  # rolled back
    with pytest.raises(ValueError, match="q"):
        xw.EntropyKLExplorer(p=(1, 1), q=(1, 1, 1))
    assert repr(xw.EntropyKLExplorer()) == "EntropyKLExplorer(p=[0.5, 0.3, 0.2], q=[0.2, 0.3, 0.5], base=2.0)"


def test_chapter_7_logits_explorer_and_its_temperature_range():
    ex = xw.logits_explorer(
        logits=(10.0, -10.0, 0.0), temperature=0.05, target=1, temperature_range=(1e-3, 5)
    )
    assert isinstance(ex, xw.LogitsExplorer) and ex.temperature_range == [1e-3, 5.0]
    assert ex.values()["loss"] == pytest.approx(400.0, rel=1e-12)
    assert repr(ex).endswith("temperature_range=(0.001, 5.0))")
    assert repr(xw.LogitsExplorer()) == "LogitsExplorer(logits=[2.0, 1.0, 0.1], temperature=1.0, target=0)"
    ex.temperature = 1e-3
    assert ex.values()["loss"] == pytest.approx(20 / 1e-3, rel=1e-12)  # no overflow
    for bad, exc in [
        ((0, 1), ValueError),
        ((2, 1), ValueError),
        ((1e-320, 1), ValueError),
        ("ab", TypeError),
    ]:
        with pytest.raises(exc, match="temperature_range"):
            ex.temperature_range = bad
    assert ex.temperature_range == [1e-3, 5.0]


@pytest.mark.parametrize(
    "make, kind",
    [
        (lambda: xw.EntropyExplorer(p=(1, 1, 1)), "entropy"),
        (lambda: xw.EntropyKLExplorer(p=(1, 1, 1), q=(1, 2, 3)), "entropy"),
        (lambda: xw.logits_explorer(logits=(1 / 3, 0, 1), temperature_range=(1e-3, 5)), "logits"),
    ],
)
def test_the_state_is_one_module_and_the_same_on_every_build(make, kind):
    a, b = make().get_state(), make().get_state()
    a.pop("layout"), b.pop("layout")  # the layout model's id is random
    assert json.dumps(a, sort_keys=True) == json.dumps(b, sort_keys=True)
    assert a["_esm"] == _live.esm(kind) and a["_esm"].count("export default") == 1
    assert "import " not in a["_esm"] and "function mount(" in a["_esm"] and a["_css"] == _live.css()
    back = json.loads(json.dumps(a))
    assert back.get("p", back.get("logits"))[0] == 1 / 3  # exact round trip


@pytest.mark.parametrize(
    "notebook, call, kind, cls",
    [
        ("03_entropy.ipynb", "entropy_explorer", "entropy", "EntropyExplorer"),
        ("04_cross_entropy_kl.ipynb", "entropy_kl_explorer", "entropy-kl", "EntropyKLExplorer"),
        ("07_numerical_stability.ipynb", "logits_explorer", "logits", "LogitsExplorer"),
    ],
)
def test_the_chapter_shows_the_explorer_once_with_the_current_module(notebook, call, kind, cls):
    nb = json.loads((ROOT / "notebooks" / notebook).read_text(encoding="utf-8"))
    code = "\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code")
    assert len(re.findall(rf"\bwidgets\.({call}|{cls})\(", code)) == 1
    state = nb["metadata"]["widgets"]["application/vnd.jupyter.widget-state+json"]["state"]
    anys = [m for m in state.values() if m["model_name"] == "AnyModel"]
    assert len(anys) == 1 and anys[0]["state"]["_anywidget_id"].endswith("." + cls)
    module = "entropy" if kind.startswith("entropy") else kind
    assert anys[0]["state"]["_esm"] == _live.esm(module), f"re-execute {notebook} (stale module)"
    assert anys[0]["state"]["_css"] == _live.css(), f"re-execute {notebook} (stale stylesheet)"
    assert not [m for m in state.values() if m["model_name"] == "HTMLModel"]  # no Python-drawn view


# --------------------------------------------------------------------------- the ES modules' formulas

NODE_DRIVER = r"""
const cases = JSON.parse(require("fs").readFileSync(process.argv[2], "utf8"));
const readouts = (html) => Object.fromEntries(
  [...html.matchAll(/data-name="(\w+)" data-value="([^"]+)"/g)].map((m) => [m[1], m[2]]));
const out = (v, keys) => Object.fromEntries(keys.map((k) => [k, full(v[k])]));
console.log(JSON.stringify(cases.map(CALL)));
"""

ENTROPY_CALL = """([w, base]) => {
  const v = entropyValues(w, base), html = renderEntropy(v);
  return {...out(v, ["entropy", "maxEntropy", "perplexity"]), p: v.p.map(full), unit: v.unit, note: v.note,
          html, shown: readouts(html)};
}"""

ENTROPY_KL_CALL = """([wp, wq, base]) => {
  const v = entropyKLValues(wp, wq, base), html = renderEntropyKL(v);
  return {...out(v, ["entropy", "crossEntropy", "kl", "klReverse", "maxEntropy"]), p: v.p.map(full),
          q: v.q.map(full), unit: v.unit, note: v.note, html, shown: readouts(html)};
}"""

LOGITS_CALL = """([z, t, y]) => {
  const v = logitsValues(z, t, y), html = renderLogits(v);
  return {loss: full(v.loss), probs: v.probs.map(full), grad: v.grad.map(full), html, shown: readouts(html)};
}"""


def _run_module(tmp_path, kind: str, call: str, cases: list) -> list[dict]:
    src = _live.esm(kind).replace("export default", "const _default =") + NODE_DRIVER.replace("CALL", call)
    script = tmp_path / "drive.js"
    script.write_text("const document = {};\n" + src)
    (tmp_path / "cases.json").write_text(json.dumps(cases))
    res = subprocess.run(
        [NODE, str(script), str(tmp_path / "cases.json")],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return json.loads(res.stdout)


def _clean_svg(html: str) -> None:
    assert "NaN" not in html and "Infinity" not in html and "undefined" not in html and "null" not in html
    assert re.search(r'<svg [^>]*role="img" aria-label="[^"]+"', html) and "<title>" in html


# weights a reader or a cell can give: zeros, point masses, tiny and huge scales, ties
WEIGHTS = [
    (0.5, 0.3, 0.2),
    (1.0, 0.0, 0.0),
    (0.0, 0.0, 0.0),
    (1.0, 1.0, 1.0),
    (0.01, 0.0, 0.99),
    (1e-300, 1.0, 0.0),
    (1e-300, 2e-300, 3e-300),
    (1e300, 1.0, 1e300),
    (1 - 1e-12, 1e-12),
    (0.25, 0.25, 0.25, 0.25, 0.0, 0.0, 0.0, 1e-9),
    tuple(np.random.default_rng(0).uniform(0, 1, 8).round(2)),
    (0.0, 5.0),
]
BASES = (2.0, math.e, 10.0, 1.5)


@pytest.mark.skipif(NODE is None, reason="node is not installed")
def test_the_entropy_module_formulas_equal_entropy_values_over_a_sweep(tmp_path):
    cases = [(list(w), b) for w in WEIGHTS for b in BASES]
    got = _run_module(tmp_path, "entropy", ENTROPY_CALL, cases)
    for (w, base), g in zip(cases, got, strict=True):
        ex = xw.EntropyExplorer(p=(1, 1)) if sum(w) else None
        pn = xw.entropy.normalise_weights(w, "p", allow_zero=True)
        ref = xw.entropy_values(pn, base)
        for js, py in (("entropy", "entropy"), ("maxEntropy", "max_entropy"), ("perplexity", "perplexity")):
            assert _close(g[js], ref[py]), (js, w, base, g[js], ref[py])
            assert _close(g["shown"][py], ref[py]), (py, w, base)  # the rendered readouts too
        assert all(_close(a, b) for a, b in zip(g["p"], ref["p"], strict=True)), (w, g["p"])
        assert g["unit"] == ref["unit"] and bool(g["note"]) == (sum(w) == 0)
        assert float(g["shown"]["entropy"]) >= 0
        _clean_svg(g["html"])
        if ex is not None:  # the anywidget's values() are the same numbers
            ex.p, ex.base = list(w), base
            assert _close(ex.values()["entropy"], g["entropy"])


@pytest.mark.skipif(NODE is None, reason="node is not installed")
def test_the_entropy_kl_module_formulas_equal_entropy_kl_values_over_a_sweep(tmp_path):
    pairs = [(a, b) for a, b in itertools.product(WEIGHTS, repeat=2) if len(a) == len(b)]
    cases = [(list(a), list(b), base) for a, b in pairs for base in (2.0, math.e, 10.0)]
    got = _run_module(tmp_path, "entropy", ENTROPY_KL_CALL, cases)
    n_inf = 0
    for (wp, wq, base), g in zip(cases, got, strict=True):
        p = xw.entropy.normalise_weights(wp, "p", allow_zero=True)
        q = xw.entropy.normalise_weights(wq, "q", allow_zero=True)
        ref = xw.entropy_kl_values(p, q, base)
        for js, py in (
            ("entropy", "entropy"),
            ("crossEntropy", "cross_entropy"),
            ("kl", "kl"),
            ("klReverse", "kl_reverse"),
            ("maxEntropy", "max_entropy"),
        ):
            assert _close(g[js], ref[py]), (js, wp, wq, base, g[js], ref[py])
            assert _close(g["shown"][py], ref[py]), (py, wp, wq, base)
        assert float(g["kl"]) >= 0 and float(g["klReverse"]) >= 0
        n_inf += math.isinf(ref["kl"])
        _clean_svg(g["html"])
    assert n_inf > 10  # the sweep reaches q_k = 0 < p_k


@pytest.mark.skipif(NODE is None, reason="node is not installed")
def test_the_logits_module_formulas_equal_logits_explorer_values_at_the_extremes(tmp_path):
    zs = [
        [10.0, -10.0, 0.0],
        [1000.0, 0.0, -1000.0],
        [1000.0, 1000.0, 999.0],
        [-1e4, 3.0, 1e4],
        [0.0, 0.0],
        [5.0, -5.0, 2.5, 1e-9, -7.0, 10.0],
    ]
    ts = (1e-3, 0.05, 10.0**-1.31, 1.0, 5.0, 100.0)
    cases = [(z, t, y) for z in zs for t in ts for y in range(len(z))]
    got = _run_module(tmp_path, "logits", LOGITS_CALL, cases)
    for (z, t, y), g in zip(cases, got, strict=True):
        ref = xw.logits_explorer_values(z, t, y)
        assert _close(g["loss"], ref["loss"]), (z, t, y, g["loss"], ref["loss"])
        assert _close(g["shown"]["loss"], ref["loss"])
        for k in range(len(z)):
            assert _close(g["probs"][k], ref["probs"][k]), (z, t, y, k)
            assert _close(g["grad"][k], ref["grad"][k]), (z, t, y, k)
            assert _close(g["shown"][f"p{k}"], ref["probs"][k]) and _close(
                g["shown"][f"grad{k}"], ref["grad"][k]
            )
        _clean_svg(g["html"])


def _svg_texts(markup: str) -> list[tuple[float, float, str, str]]:
    """(x, y, text-anchor, text) of every <text> element of a chart."""
    return [
        (float(x), float(y), a, t)
        for x, y, a, t in re.findall(
            r'<text x="([-0-9.]+)" y="([-0-9.]+)" text-anchor="(\w+)"[^>]*>([^<]*)</text>', markup
        )
    ]


@pytest.mark.skipif(NODE is None, reason="node is not installed")
def test_the_logits_chart_puts_a_negative_gradients_number_above_the_zero_line(tmp_path):
    # the target's gradient is about -1: below its bar, the number would meet the class label "k (y)"
    cases = [([-4.0, 4.0, 0.5], 1.0, 0), ([8.0, -8.0, 0.0], 1.0, 1), ([10.0, -10.0, 0.0], 0.05, 1)]
    got = _run_module(tmp_path, "logits", LOGITS_CALL, cases)
    for (z, t, y), g in zip(cases, got, strict=True):
        grad = float(g["grad"][y])
        assert grad < -0.99
        texts = _svg_texts(g["html"])
        zero_y = (
            next(yy for x, yy, a, s in texts if a == "end" and s == "0" and x > 300) - 4
        )  # right panel's 0
        label_y = next(yy for x, yy, a, s in texts if s == f"{y} (y)" and x > 300)
        (number_y,) = [yy for x, yy, a, s in texts if s == fmt(grad, 3) and x > 300]
        assert number_y < zero_y < label_y, (z, t, y)
