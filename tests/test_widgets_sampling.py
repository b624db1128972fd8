"""The sampling explorer (chapter 15): ``sampling_values`` against an independent reference
(PyTorch's softmax, a sort-and-cumsum top-k/top-p as Hugging Face's logits warpers write it, SciPy's
entropy), its edge cases and refusals; the anywidget's traits, state and chapter cell; and the ES
module's own formulas (``static/sampling.js``, run in Node) against ``sampling_values`` to 1e-9.
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
import scipy.stats
import torch

import xent_book as xb
import xent_book.widgets as xw
from xent_book.widgets import _live

ROOT = Path(__file__).resolve().parents[1]
REL, ABS = 1e-9, 1e-12


def _reference(z, t, k, p):
    """softmax(z / T) in torch; top-k then top-p by sorting (descending, stable) and cumsum."""
    q = torch.softmax(torch.tensor(z, dtype=torch.float64) / t, -1)
    order = torch.argsort(-torch.tensor(z, dtype=torch.float64), stable=True)
    sq = q[order]
    keep = torch.ones_like(sq, dtype=torch.bool)
    if k is not None:
        keep[k:] = False
    if p is not None and p < 1:  # p = 1 keeps all
        keep &= (torch.cumsum(sq, 0) - sq) < p  # the mass ranked above is below p
        keep[0] = True
    mask = torch.zeros_like(keep)
    mask[order] = keep
    kept_q = torch.where(mask, q, torch.zeros_like(q))
    probs = (kept_q / kept_q.sum()).numpy()
    return {
        "probs": probs,
        "entropy_bits": float(scipy.stats.entropy(probs, base=2)),
        "n_kept": int(mask.sum()),
        "kept_mass": float(kept_q.sum()),
        "p_top": float(probs.max()),
    }


def _close(a, b):
    return math.isclose(float(a), float(b), rel_tol=REL, abs_tol=ABS)


@pytest.mark.parametrize("seed", range(30))
def test_sampling_values_match_torch_and_scipy(seed):
    rng = np.random.default_rng(seed)
    v = int(rng.integers(2, 40))
    z = rng.normal(size=v) * float(rng.choice([0.5, 3.0, 10.0]))
    t = float(rng.choice([0.05, 0.3, 1.0, 2.5, 5.0]))
    k = int(rng.integers(1, v + 3)) if seed % 2 else None
    p = float(rng.choice([0.01, 0.3, 0.7, 0.95, 1.0])) if seed % 3 else None
    got, ref = xw.sampling_values(z, t, k, p), _reference(z, t, k, p)
    np.testing.assert_allclose(got["probs"], ref["probs"], rtol=1e-12, atol=1e-15)
    for name in ("entropy_bits", "n_kept", "kept_mass", "p_top"):
        assert _close(got[name], ref[name]), (name, got[name], ref[name])
    np.testing.assert_array_equal(got["probs"], xb.lm.sampling_distribution(z, t, k, p))  # one home
    assert got["top_k"] == (v if k is None else min(k, v)) and got["top_p"] == (1.0 if p is None else p)


def test_sampling_values_at_the_extremes():
    z = np.array([2.0, 1.0, 1.0, -1.0, -3.0])
    full = xw.sampling_values(z)
    assert full["n_kept"] == 5 and full["kept_mass"] == pytest.approx(1, abs=1e-15)
    assert full["entropy_bits"] == pytest.approx(float(xb.info.entropy(xb.softmax(z), base=2)), rel=1e-12)
    for kw in ({"top_k": 1}, {"top_p": 1e-9}, {"temperature": 1e-3}, {"temperature": 5e-324}):
        v = xw.sampling_values(z, **kw)
        assert v["entropy_bits"] == 0 and v["p_top"] == 1 and v["probs"][0] == 1, kw
    assert (
        xw.sampling_values(z, top_k=1)["n_kept"] == 1
        and xw.sampling_values(z, temperature=1e-3)["n_kept"] == 5
    )
    ties = xw.sampling_values(z, top_k=2)  # tokens 1 and 2 tie: the lower index is kept
    assert ties["kept"].tolist() == [True, True, False, False, False]
    assert ties["order"].tolist() == [0, 1, 2, 3, 4]
    hot = xw.sampling_values(z, temperature=1e6)
    assert hot["entropy_bits"] == pytest.approx(math.log2(5), rel=1e-9)
    # top-p = 1 and k >= V keep everything; p exactly at a cumulative mass keeps no further token
    assert xw.sampling_values(z, top_k=99, top_p=1.0)["n_kept"] == 5
    q = xb.softmax(np.log([0.5, 0.25, 0.25]))
    assert xw.sampling_values(np.log(q), top_p=0.5)["n_kept"] == 1
    assert xw.sampling_values(np.log(q), top_p=0.75)["n_kept"] == 2


@pytest.mark.parametrize(
    "kwargs, exc, match",
    [
        ({"logits": [1.0]}, ValueError, "logits"),
        ({"logits": [[1.0, 2.0]]}, ValueError, "logits"),
        ({"logits": [1.0, np.inf]}, ValueError, "logits"),
        ({"logits": [1.0, np.nan]}, ValueError, "logits"),
        ({"logits": np.zeros(513)}, ValueError, "logits"),
        ({"logits": ["a", "b"]}, TypeError, "logits"),
        ({"temperature": 0.0}, ValueError, "temperature"),
        ({"temperature": np.inf}, ValueError, "temperature"),
        ({"temperature": True}, TypeError, "temperature"),
        ({"top_k": 0}, ValueError, "top_k"),
        ({"top_k": 2.0}, TypeError, "top_k"),
        ({"top_p": 0.0}, ValueError, "top_p"),
        ({"top_p": 1.5}, ValueError, "top_p"),
        ({"top_p": "0.5"}, TypeError, "top_p"),
    ],
)
def test_sampling_values_refuse_bad_input_naming_the_argument(kwargs, exc, match):
    kw = {"logits": [1.0, 0.0, -1.0]} | kwargs
    with pytest.raises(exc, match=match):
        xw.sampling_values(**kw)


# --------------------------------------------------------------------------- the anywidget


def test_sampling_explorer_traits_values_and_refusals():
    z = np.array([2.0, 1.0, 0.5, -1.0])
    ex = xw.SamplingExplorer(z, ["a", " ", "\n", "b"], temperature=0.5, top_p=0.9)
    assert ex.logits == z.tolist() and ex.tokens == ["a", " ", "\n", "b"]
    assert ex.temperature == 0.5 and ex.top_k == 4 and ex.top_p == 0.9
    assert repr(ex) == "SamplingExplorer(V=4, temperature=0.5, top_k=4, top_p=0.9)"  # no address
    ref = xw.sampling_values(z, 0.5, None, 0.9)
    assert ex.values()["entropy_bits"] == ref["entropy_bits"]
    ex.top_k, ex.top_p, ex.temperature = 2, None, 2
    assert ex.top_k == 2 and ex.top_p == 1.0 and ex.temperature == 2.0
    ex.top_k = 10  # k >= V keeps all: stored as V
    assert ex.top_k == 4 and ex.values()["n_kept"] == 4
    for name, bad, exc in [
        ("temperature", 0.0, ValueError),
        ("temperature", True, TypeError),
        ("top_k", 0, ValueError),
        ("top_k", 1.0, TypeError),
        ("top_p", 0.0, ValueError),
        ("top_p", 2.0, ValueError),
    ]:
        with pytest.raises(exc, match=name):
            setattr(ex, name, bad)
    assert ex.temperature == 2.0 and ex.top_k == 4 and ex.top_p == 1.0  # refused values change nothing
    with pytest.raises(ValueError, match="tokens"):
        xw.SamplingExplorer(z, ["a", "b"])
    with pytest.raises(TypeError, match="tokens"):
        xw.SamplingExplorer(z, "abcd")
    with pytest.raises(TypeError, match="tokens"):
        xw.SamplingExplorer(z, [1, 2, 3, 4])
    assert xw.SamplingExplorer(z).tokens == ["0", "1", "2", "3"]


def test_sampling_explorer_state_is_one_module_and_the_same_on_every_build():
    z = np.array([1 / 3, 2.0, -1.0])
    a, b = xw.SamplingExplorer(z).get_state(), xw.SamplingExplorer(z).get_state()
    a.pop("layout"), b.pop("layout")
    assert json.dumps(a, sort_keys=True) == json.dumps(b, sort_keys=True)
    assert a["_esm"] == _live.esm("sampling") and a["_esm"].count("export default") == 1
    assert "import " not in a["_esm"] and a["_css"] == _live.css()
    assert json.loads(json.dumps(a))["logits"] == z.tolist()  # exact round trip


def test_chapter_15_shows_the_explorer_once_with_the_current_module():
    path = ROOT / "notebooks" / "15_language_models.ipynb"
    nb = json.loads(path.read_text(encoding="utf-8"))
    code = "\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code")
    md = "\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown")
    assert len(re.findall(r"\bwidgets\.SamplingExplorer\(", code)) == 1
    assert 'data-xent-explorer="sampling"' not in md  # one view: the anywidget's
    state = nb["metadata"]["widgets"]["application/vnd.jupyter.widget-state+json"]["state"]
    anys = [m for m in state.values() if m["model_name"] == "AnyModel"]
    assert len(anys) == 1
    assert anys[0]["state"]["_esm"] == _live.esm("sampling"), "re-execute chapter 15 (stale module)"
    assert anys[0]["state"]["_css"] == _live.css(), "re-execute chapter 15 (stale stylesheet)"


# --------------------------------------------------------------------------- the ES module's formulas

NODE = shutil.which("node")

NODE_DRIVER = r"""
const cases = JSON.parse(require("fs").readFileSync(process.argv[2], "utf8"));
const out = cases.map(([z, t, k, p]) => {
  const v = samplingValues(z, t, k, p);
  return {entropy_bits: v.entropyBits, n_kept: v.nKept, kept_mass: v.keptMass, p_top: v.pTop,
          probs: v.probs, order: v.order, svg: renderSampling(v, z.map((_, i) => "t" + i))};
});
console.log(JSON.stringify(out));
"""


def _sweep():
    rng = np.random.default_rng(7)
    cases = []
    for v in (2, 5, 95):
        z = (rng.normal(size=v) * 4).round(6)
        for t in (10.0**-1.31, 0.05, 0.3, 1.0, 10.0**0.7, 5e-324, 1e6):
            for k in (1, 2, v // 2 or 1, v):
                for p in (1e-9, 0.01, 0.5, 0.9, 1.0):
                    cases.append((z.tolist(), t, k, p))
    ties = [1.0, 1.0, 1.0, 0.0]
    cases += [(ties, 1.0, k, p) for k in (1, 2, 4) for p in (0.25, 0.5, 0.75, 1.0)]
    return cases


@pytest.mark.skipif(NODE is None, reason="node is not installed")
def test_the_module_formulas_equal_sampling_values_over_a_sweep(tmp_path):
    src = _live.esm("sampling").replace("export default", "const _default =") + NODE_DRIVER
    script = tmp_path / "drive.js"
    script.write_text("const document = {};\n" + src)
    cases = _sweep()
    (tmp_path / "cases.json").write_text(json.dumps(cases))
    res = subprocess.run(
        [NODE, str(script), str(tmp_path / "cases.json")],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    got = json.loads(res.stdout)
    for (z, t, k, p), g in zip(cases, got, strict=True):
        ref = xw.sampling_values(z, t, k, p)
        for name in ("entropy_bits", "n_kept", "kept_mass", "p_top"):
            assert _close(g[name], ref[name]), (name, t, k, p, g[name], ref[name])
        np.testing.assert_allclose(g["probs"], ref["probs"], rtol=REL, atol=ABS)
        assert g["order"] == ref["order"].tolist()
        assert "NaN" not in g["svg"] and "Infinity" not in g["svg"]
