"""The binary loss explorer (chapter 5) and the focal explorer (chapter 8), anywidget explorers.

Their ``*_values`` functions are tested against PyTorch in test_widgets.py. Here: the anywidgets'
traits, refusals and saved state, the chapters' cells, and the ES modules' own formulas
(``static/binary.js``, ``static/focal.js``, run in Node) against ``binary_loss_values`` and
``focal_values`` to 1e-9 over sweeps that include the extremes (|z| = 40 and 700, ``pos_weight``
from 1e-6 to 1e6; q_y from 1e-300 to 1, gamma up to 50), the readouts of the rendered view included.
"""

from __future__ import annotations

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

ROOT = Path(__file__).resolve().parents[1]
REL, ABS = 1e-9, 1e-12
NODE = shutil.which("node")


def _close(a, b):
    a, b = float(a), float(b)
    if math.isinf(a) or math.isinf(b):
        return a == b
    return math.isclose(a, b, rel_tol=REL, abs_tol=ABS)


# --------------------------------------------------------------------------- the anywidgets


def test_binary_explorer_traits_values_and_refusals():
    ex = xw.binary_loss_explorer(y=1, pos_weight=1.0)
    assert isinstance(ex, xw.BinaryLossExplorer)
    assert ex.z == 0.0 and ex.y == 1 and ex.pos_weight == 1.0
    assert repr(ex) == "BinaryLossExplorer(y=1, pos_weight=1.0, z=0.0)"  # no address
    assert ex.values()["loss"] == math.log(2)
    ex.z, ex.y, ex.pos_weight = 40, 0.0, 3
    assert ex.z == 40.0 and ex.y == 0 and isinstance(ex.y, int) and ex.pos_weight == 3.0
    assert ex.values() == xw.binary_loss_values(40.0, 0, 3.0)
    for name, bad, exc in [
        ("z", np.nan, ValueError),
        ("z", np.inf, ValueError),
        ("z", None, TypeError),
        ("z", "1", TypeError),
        ("y", 0.5, ValueError),
        ("y", 2, ValueError),
        ("y", True, TypeError),
        ("pos_weight", 0.0, ValueError),
        ("pos_weight", -1.0, ValueError),
        ("pos_weight", np.inf, ValueError),
        ("pos_weight", [1.0], TypeError),
    ]:
        with pytest.raises(exc, match=name):
            setattr(ex, name, bad)
    assert (ex.z, ex.y, ex.pos_weight) == (40.0, 0, 3.0)  # refused values change nothing
    for kw, exc in [({"y": 0.5}, ValueError), ({"pos_weight": 0.0}, ValueError), ({"z": np.nan}, ValueError)]:
        with pytest.raises(exc, match=next(iter(kw))):
            xw.BinaryLossExplorer(**kw)


def test_focal_explorer_traits_values_and_refusals():
    ex = xw.focal_explorer(gamma=2.0)
    assert isinstance(ex, xw.FocalExplorer)
    assert ex.gamma == 2.0 and ex.p_t == 0.6
    assert repr(ex) == "FocalExplorer(gamma=2.0, p_t=0.6)"
    assert ex.values() == xw.focal_values(0.6, 2.0)
    ex.gamma, ex.p_t = 0, 1
    assert ex.gamma == 0.0 and ex.p_t == 1.0 and ex.values()["focal"] == 0.0
    ex.p_t = 1e-300  # below the slider's 0.01: held exactly
    assert ex.values()["ce"] == pytest.approx(300 * math.log(10), rel=1e-12)
    for name, bad, exc in [
        ("gamma", -0.1, ValueError),
        ("gamma", np.nan, ValueError),
        ("gamma", True, TypeError),
        ("p_t", 0.0, ValueError),
        ("p_t", 1.1, ValueError),
        ("p_t", "0.5", TypeError),
    ]:
        with pytest.raises(exc, match=name):
            setattr(ex, name, bad)
    assert (ex.gamma, ex.p_t) == (0.0, 1e-300)
    with pytest.raises(ValueError, match="p_t"):
        xw.FocalExplorer(p_t=0.0)


@pytest.mark.parametrize(
    "make, kind",
    [
        (lambda: xw.BinaryLossExplorer(pos_weight=1 / 3), "binary"),
        (lambda: xw.FocalExplorer(p_t=1 / 3), "focal"),
    ],
)
def test_the_state_is_one_module_and_the_same_on_every_build(make, kind):
    a, b = make().get_state(), make().get_state()
    a.pop("layout"), b.pop("layout")  # the layout model's id is random
    assert json.dumps(a, sort_keys=True) == json.dumps(b, sort_keys=True)
    assert a["_esm"] == _live.esm(kind) and a["_esm"].count("export default") == 1
    assert "import " not in a["_esm"] and "function mount(" in a["_esm"] and a["_css"] == _live.css()
    back = json.loads(json.dumps(a))
    assert back.get("pos_weight", back.get("p_t")) == 1 / 3  # exact round trip


@pytest.mark.parametrize(
    "notebook, call, kind",
    [
        ("05_binary_vs_categorical.ipynb", "BinaryLossExplorer", "binary"),
        ("08_class_imbalance.ipynb", "FocalExplorer", "focal"),
    ],
)
def test_the_chapter_shows_the_explorer_once_with_the_current_module(notebook, call, kind):
    nb = json.loads((ROOT / "notebooks" / notebook).read_text(encoding="utf-8"))
    code = "\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code")
    md = "\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown")
    assert len(re.findall(rf"\bwidgets\.{call}\(", code)) == 1
    assert f'data-xent-explorer="{kind}"' not in md and "_explorer(" not in code  # one view: the anywidget's
    state = nb["metadata"]["widgets"]["application/vnd.jupyter.widget-state+json"]["state"]
    anys = [m for m in state.values() if m["model_name"] == "AnyModel"]
    assert len(anys) == 1
    assert anys[0]["state"]["_esm"] == _live.esm(kind), f"re-execute {notebook} (stale module)"
    assert anys[0]["state"]["_css"] == _live.css(), f"re-execute {notebook} (stale stylesheet)"
    assert not [m for m in state.values() if m["model_name"] == "HTMLModel"]  # no Python-drawn view


# --------------------------------------------------------------------------- the ES modules' formulas

NODE_DRIVER = r"""
const cases = JSON.parse(require("fs").readFileSync(process.argv[2], "utf8"));
const readouts = (html) => Object.fromEntries(
  [...html.matchAll(/data-name="(\w+)" data-value="([^"]+)"/g)].map((m) => [m[1], Number(m[2])]));
console.log(JSON.stringify(cases.map(CALL)));
"""

BINARY_CALL = """([z, y, pw]) => {
  const v = binaryValues(z, y, pw), html = renderBinary(v);
  return {loss: v.loss, grad: v.grad, p: v.p, html, shown: readouts(html)};
}"""

FOCAL_CALL = """([p, g]) => {
  const v = focalValues(p, g), html = renderFocal(v);
  return {focal: v.focal, ce: v.ce, factor: v.factor, html, shown: readouts(html)};
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
    assert "NaN" not in html and "Infinity" not in html and "undefined" not in html
    assert re.search(r'<svg [^>]*role="img" aria-label="[^"]+"', html) and "<title>" in html


ZS = (-700.0, -40.0, -30.0, -17.0, -8.0, -2.5, -0.3, -1e-9, 0.0, 1e-9, 0.1, 0.55, 3.0, 8.0, 17.0, 40.0, 700.0)
PWS = (1e-6, 0.1, 10.0**-0.37, 1.0, 3.0, 10.0, 1e6)


@pytest.mark.skipif(NODE is None, reason="node is not installed")
def test_the_binary_module_formulas_equal_binary_loss_values_over_a_sweep(tmp_path):
    cases = [(z, y, pw) for z in ZS for y in (0, 1) for pw in PWS]
    got = _run_module(tmp_path, "binary", BINARY_CALL, cases)
    for (z, y, pw), g in zip(cases, got, strict=True):
        ref = xw.binary_loss_values(z, y, pw)
        for name in ("loss", "grad", "p"):
            assert _close(g[name], ref[name]), (name, z, y, pw, g[name], ref[name])
            assert _close(g["shown"][name], ref[name]), (name, z, y, pw)  # the rendered readouts too
        assert g["shown"]["z"] == z and g["shown"]["pos_weight"] == pw
        _clean_svg(g["html"])
        half = 8 if abs(z) <= 8 else {17.0: 20, 30.0: 50, 40.0: 50, 700.0: 1000}[abs(z)]  # the axis holds z
        assert f">\u2212{half:g}</text>" in g["html"] and f">{half:g}</text>" in g["html"], (z, half)


@pytest.mark.skipif(NODE is None, reason="node is not installed")
def test_the_focal_module_formulas_equal_focal_values_over_a_sweep(tmp_path):
    ps = (1e-300, 1e-12, 0.01, 0.3, 0.6, 0.9, 0.999, 1 - 1e-12, 1.0)
    cases = [(p, g) for p in ps for g in (0.0, 0.1, 0.5, 1.0, 2.0, 5.0, 50.0)]
    got = _run_module(tmp_path, "focal", FOCAL_CALL, cases)
    for (p, gamma), g in zip(cases, got, strict=True):
        ref = xw.focal_values(p, gamma)
        for name in ("focal", "ce", "factor"):
            assert _close(g[name], ref[name]), (name, p, gamma, g[name], ref[name])
            assert _close(g["shown"][name], ref[name]), (name, p, gamma)
        assert g["shown"]["p_t"] == p and g["shown"]["gamma"] == gamma
        _clean_svg(g["html"])
    # notation.md: q is the model; chapter 8 writes q_y for Lin et al.'s p_t (the trait and data-name keep p_t)
    html = got[0]["html"]
    for text in (
        "focal factor (1 − q_y)^γ",
        ">q_y</text>",
        "(1 − q<sub>y</sub>)<sup>γ</sup>",
        "true-class probability q_y",
    ):
        assert text in html, text
    assert "p_t" not in html.replace('data-name="p_t"', "") and "p<sub>t" not in html
    assert "q_y (true class)" in _live.esm("focal")  # the slider's label
