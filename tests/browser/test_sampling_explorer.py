"""The sampling explorer of chapter 15 (``xent_book/widgets/static/sampling.js``), driven in headless Chromium.

In the built page (the anywidget's ES module from the embedded widget state, no kernel) and in
JupyterLab (the chapter run, the trait sync both ways), as a reader would: arrow keys, Home/End (T,
k and p at their limits), typed values, Reset, and controls set by script over a grid of states
that includes the extremes (T at the ends of its slider, k = 1 and k = V, p = 0.01 and p = 1, and
from Python a tiny T and a tiny p held exactly). After each step every readout (full-precision
``data-value``: ``entropy_bits``, ``n_kept``, ``kept_mass``, ``p_top``) must equal
``xent_book.widgets.sampling_values`` of the controls' values to 1e-9; the text a reader sees,
the chart's text alternative and the aria-live sentence must say the same rounded numbers.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import test_lab_any_explorers as A
import test_lab_explorers as L
import test_live_book_explorers as P

import xent_book as xb
import xent_book.widgets as xw
from xent_book.widgets._live import fmt

pytestmark = pytest.mark.browser

DOC, NB, KIND = "notebooks/15_language_models", "15_language_models.ipynb", "sampling"
READOUTS = ("entropy_bits", "n_kept", "kept_mass", "p_top")


def saved_sampling_traits(page) -> dict:
    states = page.evaluate(P.ANY_STATE_JS, "SamplingExplorer")
    assert len(states) == 1, f"expected one saved SamplingExplorer model, found {len(states)}"
    assert states[0].pop("esm"), "the saved state holds no ES module (_esm)"
    return states[0]


def check_sampling(s: dict, z: np.ndarray, initial_t=None, exact_p=None) -> dict:
    """Every readout against sampling_values (and lm + info directly) for the controls' values."""
    c, r = s["controls"], s["readouts"]
    t = P.log_temperature(s, "log10_temperature", "temperature", initial_t)
    k = int(c["top_k"])
    p = float(r["top_p"])
    assert p == float(c["top_p"]) or p == exact_p, (p, c["top_p"])  # the slider's, or a value set exactly
    assert int(r["top_k"]) == k
    ref = xw.sampling_values(z, t, k, p)
    for name in READOUTS:
        P.assert_close(r, name, ref[name])
    probs = xb.lm.sampling_distribution(z, t, k, p)  # the package's homes, once more
    P.assert_close(r, "entropy_bits", float(xb.info.entropy(probs, base=2)))
    P.assert_close(r, "p_top", probs.max())
    # what the reader sees: the rounded text, the aria-live sentence, the chart's text alternative
    h = ref["entropy_bits"]
    assert s["text"]["entropy_bits"] == fmt(h) and s["text"]["n_kept"] == str(ref["n_kept"])
    said = f"Entropy {fmt(h)} bits, {ref['n_kept']} of {z.size} tokens kept"
    assert s["status"].startswith(said), s["status"]
    assert s["svgTitle"] == s["svgLabel"] and f"entropy {h:.4f} bits" in s["svgLabel"], s["svgLabel"]
    assert s["typed"]["top_k"] == str(k) and "temperature T" in s["valuetext"]["log10_temperature"]
    assert "NaN" not in s["svgLabel"] and not any("NaN" in b for b in s["barTitles"])
    return {"t": t, "k": k, "p": p, **{n: ref[n] for n in READOUTS}}


def grid(v: int):
    for pos in (-1.31, -1.0, 0.0, 0.7):
        for k in (1, 2, v // 2, v):
            for p in (0.01, 0.5, 0.9, 1.0):
                yield {"log10_temperature": pos, "top_k": k, "top_p": p}


def test_sampling_explorer_runs_in_the_page(book_page, book_server, screenshot_dir):
    page = book_page
    root = P.open_explorer(page, book_server, DOC, KIND)
    P.appears_once(page, KIND)
    saved = saved_sampling_traits(page)
    z = np.array(saved["logits"], dtype=np.float64)
    v = z.size
    assert len(saved["tokens"]) == v and saved["temperature"] == 1.0 and saved["top_k"] == v
    assert saved["top_p"] == 0.9
    s = check_sampling(P.state(page, root), z, initial_t=1.0)
    assert s["n_kept"] < v and s["p"] == 0.9

    # keyboard: p down five steps, k to 1 (only the top token: entropy 0), back to V, T to its ends
    P.press(page, KIND, "top_p", "ArrowLeft", 5)
    assert math.isclose(check_sampling(P.state(page, root), z)["p"], 0.85)
    P.press(page, KIND, "top_k", "Home")
    s = check_sampling(P.state(page, root), z)
    assert s["k"] == 1 and s["n_kept"] == 1 and s["entropy_bits"] == 0 and s["p_top"] == 1
    P.press(page, KIND, "top_k", "End")
    assert check_sampling(P.state(page, root), z)["k"] == v
    P.press(page, KIND, "top_p", "End")  # p = 1 and k = V: the model's own distribution at T
    s = check_sampling(P.state(page, root), z)
    assert s["n_kept"] == v and math.isclose(s["kept_mass"], 1, rel_tol=1e-12)
    P.press(page, KIND, "log10_temperature", "Home")
    assert check_sampling(P.state(page, root), z)["t"] == 10.0**-1.31
    P.press(page, KIND, "log10_temperature", "End")
    s = check_sampling(P.state(page, root), z)
    assert math.isclose(s["t"], 10.0**0.7) and s["entropy_bits"] > 0.8 * math.log2(v)

    # typed values: snapped to the slider's grid and clamped to its range
    P.type_value(page, KIND, "top_p", "0.001")
    assert check_sampling(P.state(page, root), z)["p"] == 0.01
    P.type_value(page, KIND, "top_k", "3.7")
    assert check_sampling(P.state(page, root), z)["k"] == 4
    P.type_value(page, KIND, "log10_temperature", "0.2")
    assert math.isclose(check_sampling(P.state(page, root), z)["t"], 10.0 ** round(math.log10(0.2), 2))
    P.type_value(page, KIND, "top_k", "many")  # ignored: the box shows the value again
    assert check_sampling(P.state(page, root), z)["k"] == 4

    for vals in grid(v):  # by script: every corner of the three knobs
        P.set_controls(page, root, vals)
        check_sampling(P.state(page, root), z)
    P.screenshots(page, root, DOC, screenshot_dir, "-extreme")
    rng = np.random.default_rng(0)
    for _ in range(15):
        vals = {
            "log10_temperature": round(float(rng.uniform(-1.31, 0.7)), 2),
            "top_k": int(rng.integers(1, v + 1)),
            "top_p": round(float(rng.uniform(0.01, 1)), 2),
        }
        P.set_controls(page, root, vals)
        check_sampling(P.state(page, root), z)

    P.reset(page, KIND)
    s = check_sampling(P.state(page, root), z, initial_t=1.0)
    assert s["t"] == 1.0 and s["k"] == v and s["p"] == 0.9
    P.screenshots(page, root, DOC, screenshot_dir, themed=True)
    P.finish(page, KIND)


# --------------------------------------------------------------------------- JupyterLab

lab = L.lab
notebook_fingerprints = L.notebook_fingerprints
lab_window = A.lab_window


def test_sampling_explorer_in_lab(lab, lab_window, screenshot_dir):
    try:
        page, root = A.open_and_run(lab_window, NB)
        z = np.asarray(L.kernel_json(lab, NB, "explorer.logits"), dtype=np.float64)
        assert np.array_equal(z, L.kernel_json(lab, NB, "z_next.tolist()"))  # the chapter's logits
        v = z.size
        s = check_sampling(P.state(page, root), z, initial_t=1.0)
        assert s["p"] == 0.9 and s["k"] == v
        P.press(page, KIND, "top_k", "Home")  # not swallowed by JupyterLab's shortcuts
        assert check_sampling(P.state(page, root), z)["entropy_bits"] == 0
        P.press(page, KIND, "log10_temperature", "ArrowLeft", 3)
        P.type_value(page, KIND, "top_p", "0.5")
        s = check_sampling(P.state(page, root), z)
        traits = L.kernel_json(lab, NB, "[explorer.temperature, explorer.top_k, explorer.top_p]")
        assert traits == [s["t"], s["k"], s["p"]], traits  # the Python object follows the page
        for vals in grid(v):  # every corner of the three knobs
            P.set_controls(page, root, vals)
            check_sampling(P.state(page, root), z)
        # the page follows the Python object, exactly: a tiny T and p off the sliders' grids
        A.kernel_exec(lab, NB, "explorer.temperature = 1e-3\nexplorer.top_k = 7\nexplorer.top_p = 1e-6")
        page.wait_for_function(
            "(r) => r.querySelector('.xent-readout[data-name=top_p]').dataset.value === '0.000001'", arg=root
        )
        shown = P.state(page, root)["readouts"]
        ref = xw.sampling_values(z, 1e-3, 7, 1e-6)
        for name in READOUTS:
            P.assert_close(shown, name, ref[name])
        assert float(shown["temperature"]) == 1e-3 and ref["n_kept"] == 1
        A.kernel_exec(lab, NB, "explorer.temperature = 1.0\nexplorer.top_k = None\nexplorer.top_p = 1.0")
        page.wait_for_function(
            "(r) => r.querySelector('.xent-readout[data-name=top_p]').dataset.value === '1'", arg=root
        )
        s = check_sampling(P.state(page, root), z, initial_t=1.0)
        assert s["n_kept"] == v
        P.reset(page, KIND)
        s = check_sampling(P.state(page, root), z, initial_t=1.0)
        assert s["p"] == 0.9 and s["k"] == v
        A.finish(page, lab_window, NB, KIND, screenshot_dir)
    except BaseException:
        lab_window.discard()
        raise
    finally:
        L.shutdown_sessions(lab, [NB])
