"""The explorers live in JupyterLab, driven in headless Chromium like a reader would.

For every chapter with an ipywidgets explorer cell: open it in JupyterLab (127.0.0.1,
random token, kernel started without a dialog, autosave off), clear the stored
outputs, run all cells, wait for the kernel and for the explorer to render;
then move sliders with the keyboard (focus the handle, ArrowRight/ArrowLeft)
and type a value into a slider's readout (fill + Enter). After each change the
readouts (``<span class="xent-readout" data-name data-value>``, see
``xent_book/widgets/_base.py``) must (a) change and (b) equal what
``xent_book`` computes, in this process, for the inputs read back from the page:
the full-precision ``data-value`` to 1e-9 relative and the displayed text to
its last digit.

The end-to-end latency, from the key press (a ``keydown`` listener) to the
readouts changing in the DOM (a ``MutationObserver``) and to the next frame,
is measured in the page with ``performance.now()`` and written to
``artifacts/lab_latency.txt`` (and printed with ``pytest -s``). It is a report,
not a timing test: only a generous sanity bound is asserted.

A screenshot of each explorer cell goes to ``artifacts/screenshots/lab_<notebook>.png``.
The last test checks that no notebook file was written (bytes and mtime).

Set-up: one JupyterLab (``lab_server``) and one page for the module; each
chapter is opened with File > Open from Path and closed with File > Close and
Shut Down Notebook, so one kernel runs at a time (a failed chapter's page is
thrown away). The anywidget explorers (chapters 2 and 10) are driven by
test_lab_any_explorers.py.

Behaviour worth knowing: a number typed into a log slider's readout (the
temperature, ``pos_weight``) is snapped by ipywidgets to the slider's exponent
grid (3 -> 10**0.48 = 3.0199...); the tests expect exactly that.
"""

from __future__ import annotations

import ast
import hashlib
import json
import math
import os
import re
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

import xent_book as xb
from xent_book import info
from xent_book import widgets as W
from xent_book.widgets._base import fmt

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = ROOT / "notebooks"
ARTIFACTS = ROOT / "artifacts"

#: Page timeouts (ms), generous for CI's 2 shared cores.
LOAD_TIMEOUT = 90_000
RUN_TIMEOUT = 180_000
UPDATE_TIMEOUT = 30_000
#: Sanity bound on one key press -> updated view (not a timing test).
LATENCY_BOUND_MS = 5_000

EXPLORER_CALL = re.compile(r"\bwidgets\.(\w+_explorer|\w+Explorer)\(")
#: The anywidget explorers' chapters: driven by test_lab_any_explorers.py.
ANYWIDGET_CALLS = {
    ("02_softmax_temperature.ipynb", "LogitsExplorer"),
    ("10_calibration.ipynb", "reliability_explorer"),
    ("15_language_models.ipynb", "SamplingExplorer"),
    ("05_binary_vs_categorical.ipynb", "BinaryLossExplorer"),  # test_binary_focal_explorers.py
    ("08_class_imbalance.ipynb", "FocalExplorer"),
}
LOG_STEP = 0.01  # exponent step of the explorers' log sliders (xent_book.widgets._base.log_slider)


# --------------------------------------------------------------------------- expected values


def _close(a: float, b: float, rel: float = 1e-9) -> bool:
    return math.isclose(a, b, rel_tol=rel, abs_tol=1e-12)


def _class_index(text: str) -> int:
    """'class 2' -> 2, 'y = 1 (positive)' -> 1."""
    m = re.search(r"(\d+)", text)
    assert m, f"no class index in the dropdown value {text!r}"
    return int(m.group(1))


def _base(text: str) -> float:
    if "base 2" in text:
        return 2.0
    if "base e" in text:
        return math.e
    raise AssertionError(f"unknown unit in the dropdown value {text!r}")


def expect_logits(inp: dict, ctx: dict) -> dict:
    n = sum(1 for k in inp if k.startswith("logit z"))
    z = [inp[f"logit z{k}"] for k in range(n)]
    t, y = inp["temperature T"], _class_index(inp["target y"])
    v = W.logits_explorer_values(z, t, y)
    # independently of the widget module: the library's loss and gradient
    zt = np.array([z]) / t
    assert _close(v["loss"], float(xb.cross_entropy(zt, np.array([y]))), 1e-12)
    assert np.allclose(
        v["grad"], xb.cross_entropy_grad(zt, np.array([y]), reduction="sum")[0], rtol=1e-12, atol=1e-15
    )
    out = {"loss": v["loss"], "p_target": v["probs"][y], "temperature": t}
    out.update({f"p{k}": v["probs"][k] for k in range(n)})
    out.update({f"grad{k}": v["grad"][k] for k in range(n)})
    return out


def _weights(inp: dict, label: str) -> list[float]:
    n = sum(1 for k in inp if k.startswith(f"{label} weight "))
    return [inp[f"{label} weight {k}"] for k in range(n)]


def expect_entropy(inp: dict, ctx: dict) -> dict:
    w, base = _weights(inp, "p"), _base(inp["unit"])
    v = W.entropy_values(w, base)
    p = np.asarray(w) / np.sum(w)
    assert _close(v["entropy"], float(info.entropy(p, base=base)), 1e-12)
    out = {"entropy": v["entropy"], "max_entropy": v["max_entropy"], "perplexity": v["perplexity"]}
    out.update({f"p{k}": x for k, x in enumerate(v["p"])})
    return out


def expect_entropy_kl(inp: dict, ctx: dict) -> dict:
    wp, wq, base = _weights(inp, "p"), _weights(inp, "q"), _base(inp["unit"])
    v = W.entropy_kl_values(wp, wq, base)
    p, q = np.asarray(wp) / np.sum(wp), np.asarray(wq) / np.sum(wq)
    assert _close(v["kl"], float(info.kl_divergence(p, q, base=base)), 1e-12)
    assert _close(v["cross_entropy"], v["entropy"] + v["kl"], 1e-12)
    out = {k: v[k] for k in ("entropy", "kl", "cross_entropy", "max_entropy")}
    out.update({f"p{k}": x for k, x in enumerate(v["p"])})
    out.update({f"q{k}": x for k, x in enumerate(v["q"])})
    return out


# --------------------------------------------------------------------------- chapters


@dataclass(frozen=True)
class Action:
    """One reader action on a slider named by its label."""

    slider: str
    key: str | None = None  # "ArrowRight" / "ArrowLeft": keyboard on the handle
    text: str | None = None  # typed into the readout, then Enter
    changes: tuple[str, ...] = ()  # readouts that must change

    def describe(self) -> str:
        return f"{self.key} on '{self.slider}'" if self.key else f"type {self.text} into '{self.slider}'"


@dataclass(frozen=True)
class Chapter:
    notebook: str
    factory: str
    expected: object  # (inputs, ctx) -> {readout name: value}
    actions: tuple[Action, ...]
    #: log sliders: label -> the readout (data-name) that shows their value at full precision
    log_sliders: tuple[tuple[str, str], ...] = ()
    context: object = None  # (lab, notebook) -> ctx dict, from the kernel

    @property
    def stem(self) -> str:
        return Path(self.notebook).stem


CHAPTERS = (
    Chapter(
        "03_entropy.ipynb",
        "entropy_explorer",
        expect_entropy,
        (
            Action("p weight 0", key="ArrowRight", changes=("entropy", "perplexity", "p0")),
            Action("p weight 2", key="ArrowLeft", changes=("entropy", "p2")),
            Action("p weight 1", text="0.05", changes=("entropy", "perplexity", "p1")),
        ),
    ),
    Chapter(
        "04_cross_entropy_kl.ipynb",
        "entropy_kl_explorer",
        expect_entropy_kl,
        (
            Action("q weight 0", key="ArrowRight", changes=("kl", "cross_entropy", "q0")),
            Action("p weight 1", key="ArrowLeft", changes=("entropy", "kl", "p1")),
            Action("q weight 2", text="0.7", changes=("kl", "cross_entropy", "q2")),
        ),
    ),
    Chapter(
        # starts at T = 0.05, the slider's minimum: ArrowLeft would not move it
        "07_numerical_stability.ipynb",
        "logits_explorer",
        expect_logits,
        (
            Action("temperature T", key="ArrowRight", changes=("loss", "temperature", "p1")),
            Action("logit z0", key="ArrowLeft", changes=("loss", "p1")),
            Action("logit z1", text="9.5", changes=("loss", "p0", "p1")),
        ),
        log_sliders=(("temperature T", "temperature"),),
    ),
)

LATENCIES: list[tuple[str, str, float, float, float]] = []
PHASES: list[tuple[str, float, float, float]] = []  # notebook, open + kernel (s), run all (s), interact (s)


# --------------------------------------------------------------------------- Jupyter server helpers


def _api(lab, method: str, path: str):
    req = urllib.request.Request(
        f"{lab.url}{path}", method=method, headers={"Authorization": f"token {lab.token}"}
    )
    with urllib.request.urlopen(req, timeout=30) as r:
        body = r.read()
    return json.loads(body) if body else None


def lab_setting(lab, plugin: str, key: str):
    """A setting as the front end gets it: the user's value, else the default (where overrides.json lands)."""
    reply = _api(lab, "GET", f"lab/api/settings/{plugin}")
    if key in reply.get("settings", {}):
        return reply["settings"][key]
    return reply["schema"]["properties"][key]["default"]


def sessions_for(lab, notebook: str) -> list[dict]:
    rel = f"notebooks/{notebook}"
    return [s for s in _api(lab, "GET", "api/sessions") if s.get("path") == rel]


def wait_for_kernel(page, lab, notebook: str, timeout: float) -> None:
    """Wait until the notebook's kernel (started by JupyterLab without a dialog) is idle.

    Waits with ``page.wait_for_timeout``, not ``time.sleep``: the offline context
    routes every request through this process, so a sleeping test stalls the page.
    """
    deadline = time.monotonic() + timeout
    while True:
        found = sessions_for(lab, notebook)
        if found and found[0]["kernel"]["execution_state"] == "idle":
            return
        dialog = page.locator(".jp-Dialog")
        if dialog.count():
            pytest.fail(
                f"a dialog blocks {notebook} (is autoStartDefaultKernel installed?): {dialog.first.inner_text()!r}"
            )
        assert time.monotonic() < deadline, f"no idle kernel for {notebook} after {timeout:.0f} s: {found}"
        page.wait_for_timeout(250)


def shutdown_sessions(lab, notebooks) -> None:
    """Shut the notebooks' sessions (and kernels) down, so that chapters do not pile up kernels."""
    paths = {f"notebooks/{nb}" for nb in notebooks}
    for s in _api(lab, "GET", "api/sessions"):
        if s.get("path") in paths:
            _api(lab, "DELETE", f"api/sessions/{s['id']}")


def _runtime_dirs() -> list[Path]:
    """Where the server's kernels keep their connection files: the runtime dir for this
    environment (the lab_server fixture passes it on), then with JUPYTER_PLATFORM_DIRS flipped."""
    from jupyter_core import paths

    dirs = [Path(paths.jupyter_runtime_dir())]
    old = os.environ.get("JUPYTER_PLATFORM_DIRS")
    os.environ["JUPYTER_PLATFORM_DIRS"] = "" if old else "1"
    try:
        dirs.append(Path(paths.jupyter_runtime_dir()))
    finally:
        if old is None:
            del os.environ["JUPYTER_PLATFORM_DIRS"]
        else:
            os.environ["JUPYTER_PLATFORM_DIRS"] = old
    return dirs


def kernel_json(lab, notebook: str, expression: str):
    """Evaluate ``expression`` (JSON-able) in the notebook's kernel as a user expression.

    A silent request on a separate client: it adds nothing to the notebook or its history.
    """
    from jupyter_client import BlockingKernelClient

    (session,) = sessions_for(lab, notebook)
    kid = session["kernel"]["id"]
    candidates = [d / f"kernel-{kid}.json" for d in _runtime_dirs()]
    conn = next((c for c in candidates if c.exists()), None)
    assert conn is not None, f"no connection file for kernel {kid} in {candidates}"
    kc = BlockingKernelClient()
    kc.load_connection_file(str(conn))
    kc.start_channels()
    try:
        kc.wait_for_ready(timeout=30)
        expr = f"__import__('json').dumps({expression})"
        msg_id = kc.execute("", silent=True, store_history=False, user_expressions={"v": expr})
        while True:
            reply = kc.get_shell_msg(timeout=60)
            if reply["parent_header"].get("msg_id") == msg_id:
                break
        result = reply["content"]["user_expressions"]["v"]
        assert result["status"] == "ok", f"kernel expression failed: {result}"
        return json.loads(ast.literal_eval(result["data"]["text/plain"]))
    finally:
        kc.stop_channels()


# --------------------------------------------------------------------------- page helpers

RUN_DONE_JS = r"""
() => {
  const status = document.querySelector('.jp-Notebook-ExecutionIndicator');
  const prompts = [...document.querySelectorAll('.jp-Notebook .jp-InputPrompt')].map(e => e.textContent);
  // errors are rendered as stderr text; a warning on stderr is not one
  const errors = [...document.querySelectorAll('.jp-RenderedText[data-mime-type="application/vnd.jupyter.stderr"]')]
      .map(e => e.textContent).filter(t => /Traceback|\w+(Error|Exception)\b/.test(t));
  if (errors.length) return {error: errors[0].slice(0, 2000)};
  const explorer = document.querySelector('.xent-explorer-box .widget-html-content .xent-explorer');
  const busy = prompts.some(t => t.includes('*'));
  if (explorer && !busy && status && status.dataset.status === 'idle') return {ok: true};
  return false;
}
"""

STATE_JS = """
root => ({
  sliders: [...root.querySelectorAll('.widget-slider')].map(s => ({
      label: s.querySelector('.widget-label').textContent,
      readout: s.querySelector('.widget-readout').textContent,
  })),
  dropdowns: [...root.querySelectorAll('.widget-dropdown')].map(d => ({
      label: d.querySelector('.widget-label').textContent,
      value: d.querySelector('select').value,
  })),
  readouts: [...root.querySelectorAll('.widget-html-content .xent-readout')].map(e =>
      [e.dataset.name, e.dataset.value, e.textContent]),
  error: (root.querySelector('.widget-html-content .xent-error') || {}).textContent || null,
})
"""

# Arm a probe: the time of the keydown of `key`, of the first DOM change of the readouts, and of the next frame.
ARM_JS = """
(root, key) => {
  const content = root.querySelector('.widget-html-content');
  const snap = () => JSON.stringify([...content.querySelectorAll('.xent-readout')].map(e => [e.dataset.name, e.dataset.value]));
  const before = snap();
  const st = window.__xentProbe = {tKey: null, tDom: null, tFrame: null};
  const onKey = ev => { if (st.tKey === null && ev.key === key) st.tKey = performance.now(); };
  document.addEventListener('keydown', onKey, true);
  const obs = new MutationObserver(() => {
    if (st.tDom !== null || snap() === before) return;
    st.tDom = performance.now();
    obs.disconnect();
    document.removeEventListener('keydown', onKey, true);
    requestAnimationFrame(() => { st.tFrame = performance.now(); });
  });
  obs.observe(content, {childList: true, subtree: true, characterData: true, attributes: true});
}
"""


def _number(text: str) -> float:
    return float(text.strip().replace("\u2212", "-"))


def read_state(box) -> dict:
    state = box.evaluate(STATE_JS)
    assert state["error"] is None, f"the explorer shows an error: {state['error']}"
    state["values"] = {name: float(value) for name, value, _ in state["readouts"]}
    state["texts"] = {name: text for name, _, text in state["readouts"]}
    return state


def slider(box, label: str):
    loc = box.locator(".widget-slider").filter(
        has=box.page.locator(".widget-label").get_by_text(label, exact=True)
    )
    assert loc.count() == 1, f"expected one slider labelled {label!r}, found {loc.count()}"
    return loc


def inputs_from_page(chapter: Chapter, state: dict) -> dict:
    """The explorer's inputs as the page shows them.

    Linear sliders: their readout (its format has the step's decimals, so it is
    the value). Log sliders: the explorer's full-precision readout of that
    value, checked against the slider's 3-significant-digit readout.
    """
    logs = dict(chapter.log_sliders)
    inp = {}
    for s in state["sliders"]:
        shown = _number(s["readout"])
        if s["label"] in logs:
            full = state["values"][logs[s["label"]]]
            assert abs(full - shown) <= 0.0051 * abs(full), (
                f"slider {s['label']!r} reads {s['readout']} but the explorer shows {full!r}"
            )
            inp[s["label"]] = full
        else:
            inp[s["label"]] = shown
    for d in state["dropdowns"]:
        inp[d["label"]] = d["value"]
    return inp


def check_readouts(chapter: Chapter, state: dict, ctx: dict, where: str) -> dict:
    inp = inputs_from_page(chapter, state)
    expected = chapter.expected(inp, ctx)
    shown = state["values"]
    assert set(shown) == set(expected), f"{where}: readouts {sorted(shown)} vs checked {sorted(expected)}"
    for name, value in expected.items():
        got = shown[name]
        assert _close(got, float(value)), (
            f"{where}: {name} shows {got!r}, xent_book gives {float(value)!r} for {inp}"
        )
        text = state["texts"][name]
        digits = len(text.split(".")[1]) if "." in text else 0
        assert text == fmt(value, digits), (
            f"{where}: {name} displays {text!r}, expected {fmt(value, digits)!r}"
        )
    return inp


def act(page, box, chapter: Chapter, action: Action, before: dict) -> dict:
    """Do one action, wait for the readouts to change; returns the new state (and records the latency)."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    s = slider(box, action.slider)
    key = action.key or "Enter"
    readout = s.locator(".widget-readout")
    if action.text is not None:
        readout.fill(action.text)  # no keydown of Enter yet: the probe is armed after this
    else:
        s.locator(".noUi-handle").focus()
    box.evaluate(ARM_JS, key)
    t0 = time.perf_counter()
    if action.text is not None:
        readout.press("Enter")
    else:
        page.keyboard.press(key)
    try:
        page.wait_for_function("() => window.__xentProbe.tFrame !== null", timeout=UPDATE_TIMEOUT)
    except PlaywrightTimeout:
        pytest.fail(
            f"{chapter.stem}: {action.describe()}: the readouts did not change within {UPDATE_TIMEOUT / 1e3:.0f} s"
        )
    wall = (time.perf_counter() - t0) * 1e3
    probe = page.evaluate("() => window.__xentProbe")
    assert probe["tKey"] is not None, f"{action.describe()}: the key press was not seen in the page"
    dom, frame = probe["tDom"] - probe["tKey"], probe["tFrame"] - probe["tKey"]
    LATENCIES.append((chapter.stem, action.describe(), dom, frame, wall))
    assert 0 <= dom < LATENCY_BOUND_MS, f"{action.describe()}: {dom:.0f} ms from the key press to the update"
    page.wait_for_selector(".jp-Notebook-ExecutionIndicator[data-status=idle]", timeout=UPDATE_TIMEOUT)
    after = read_state(box)
    changed = {n for n in after["values"] if after["values"][n] != before["values"].get(n)}
    missing = set(action.changes) - changed
    assert not missing, (
        f"{action.describe()}: readouts {sorted(missing)} did not change (changed: {sorted(changed)})"
    )
    return after


# --------------------------------------------------------------------------- fixtures


def _fingerprint(path: Path) -> tuple[str, int]:
    return hashlib.sha256(path.read_bytes()).hexdigest(), path.stat().st_mtime_ns


@pytest.fixture(scope="module")
def notebook_fingerprints() -> dict:
    """Bytes and mtime of every chapter this module opens, taken before JupyterLab sees them."""
    return {c.notebook: _fingerprint(NOTEBOOKS / c.notebook) for c in CHAPTERS}


@pytest.fixture(scope="module")
def lab(lab_server, notebook_fingerprints):
    """The session's JupyterLab, with its settings checked; every kernel is shut down afterwards."""
    autosave = lab_setting(lab_server, "@jupyterlab/docmanager-extension:plugin", "autosave")
    assert autosave is False, "autosave must be off: the tests would write into the chapters"
    assert lab_setting(lab_server, "@jupyterlab/notebook-extension:tracker", "autoStartDefaultKernel") is True
    yield lab_server
    shutdown_sessions(lab_server, [c.notebook for c in CHAPTERS])


# --------------------------------------------------------------------------- tests


def test_every_explorer_chapter_is_covered():
    """A new explorer cell in a chapter must get a live test here."""
    found = set()
    for path in sorted(NOTEBOOKS.glob("*.ipynb")):
        nb = json.loads(path.read_text())
        for cell in nb["cells"]:
            if cell["cell_type"] == "code":
                found |= {(path.name, m.group(1)) for m in EXPLORER_CALL.finditer("".join(cell["source"]))}
    assert found == {(c.notebook, c.factory) for c in CHAPTERS} | ANYWIDGET_CALLS


def menu(page, top: str, item: str) -> None:
    page.locator(".lm-MenuBar-itemLabel").get_by_text(top, exact=True).click()
    page.locator(".lm-Menu-itemLabel").get_by_text(item, exact=True).click()


class LabWindow:
    """One JupyterLab page for the chapters, one notebook open at a time.

    Loading JupyterLab costs seconds, so the page is kept between chapters:
    each chapter is opened with File > Open from Path and closed with File >
    Close and Shut Down Notebook (unsaved: nothing is written). After a failure
    the page is thrown away and the next chapter starts a fresh one.
    """

    def __init__(self, lab, factory):
        self.lab, self.factory = lab, factory
        self.context = self.page = self.records = None

    def get(self):
        if self.page is None:
            self.context, self.page, self.records = self.factory()
            self.page.set_default_timeout(LOAD_TIMEOUT)
            # ?reset: an empty workspace, so that no earlier notebook reopens (and starts a kernel)
            self.page.goto(f"{self.lab.url}lab?reset&token={self.lab.token}")
            self.page.wait_for_selector(".jp-Launcher", timeout=LOAD_TIMEOUT)
        return self.page

    def open(self, notebook: str) -> None:
        page = self.get()
        menu(page, "File", "Open from Path…")
        page.locator(".jp-Dialog input").fill(f"notebooks/{notebook}")
        page.locator(".jp-Dialog input").press("Enter")
        page.locator(".lm-TabBar-tab.lm-mod-current .lm-TabBar-tabLabel").get_by_text(
            notebook, exact=True
        ).wait_for()
        wait_for_kernel(page, self.lab, notebook, LOAD_TIMEOUT / 1e3)
        page.wait_for_selector(".jp-Notebook-ExecutionIndicator[data-status=idle]", timeout=LOAD_TIMEOUT)
        assert page.locator(".jp-NotebookPanel").count() == 1, "another notebook is still open"

    def close_notebook(self, notebook: str) -> None:
        page = self.page
        menu(page, "File", "Close and Shut Down Notebook…")
        page.locator(".jp-Dialog button").get_by_text("Ok", exact=True).click()
        page.wait_for_selector(".jp-NotebookPanel", state="detached", timeout=UPDATE_TIMEOUT)
        shutdown_sessions(self.lab, [notebook])  # normally done already by the menu command

    def discard(self) -> None:
        if self.context is not None:
            self.context.close()  # no beforeunload prompt: an unsaved notebook is simply dropped
        self.context = self.page = self.records = None


@pytest.fixture(scope="module")
def lab_window(lab, offline_page_factory):
    window = LabWindow(lab, offline_page_factory)
    yield window
    window.discard()


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda c: c.stem)
def test_explorer_live_in_lab(chapter, lab, lab_window, screenshot_dir):
    t_start = time.perf_counter()
    try:
        lab_window.open(chapter.notebook)
        page, records = lab_window.page, lab_window.records
        seen_errors, seen_blocked = len(records.page_errors), len(records.blocked)
        assert page.locator(".jp-Dialog").count() == 0, "a dialog (kernel selection?) blocks the notebook"
        chapter_paths = {f"notebooks/{c.notebook}" for c in CHAPTERS}
        running = [s["path"] for s in _api(lab, "GET", "api/sessions") if s["path"] in chapter_paths]
        assert running == [f"notebooks/{chapter.notebook}"], (
            f"kernels of other chapters are running: {running}"
        )
        t_open = time.perf_counter()

        # clear the stored outputs, so that whatever explorer shows up comes from this run
        menu(page, "Edit", "Clear Outputs of All Cells")
        assert page.locator(".jp-OutputArea-output").count() == 0
        menu(page, "Run", "Run All Cells")
        done = page.wait_for_function(RUN_DONE_JS, timeout=RUN_TIMEOUT).json_value()
        assert "error" not in done, f"{chapter.notebook} failed in JupyterLab:\n{done['error']}"

        t_run = time.perf_counter()
        box = page.locator(".xent-explorer-box")
        assert box.count() == 1
        box.scroll_into_view_if_needed()
        ctx = chapter.context(lab, chapter.notebook) if chapter.context else {}

        state = read_state(box)
        inp = check_readouts(chapter, state, ctx, "initial view")
        for action in chapter.actions:
            log_label = dict(chapter.log_sliders).get(action.slider)
            state = act(page, box, chapter, action, state)
            new = check_readouts(chapter, state, ctx, action.describe())
            # the moved input itself: one step of the slider, or the typed number
            if action.text is not None and log_label:
                # ipywidgets' FloatLogSlider snaps a typed value to its exponent grid (3 -> 10**0.48 = 3.0199...)
                snapped = 10.0 ** (round(math.log10(float(action.text)) / LOG_STEP) * LOG_STEP)
                assert _close(new[action.slider], snapped, 1e-12), (
                    action.describe(),
                    new[action.slider],
                    snapped,
                )
            elif action.text is not None:
                assert _close(new[action.slider], float(action.text), 1e-15), (
                    action.describe(),
                    new[action.slider],
                )
            elif log_label:
                e0, e1 = math.log10(inp[action.slider]), math.log10(new[action.slider])
                sign = 1 if action.key == "ArrowRight" else -1
                assert abs((e1 - e0) - sign * LOG_STEP) < 1e-9, (
                    action.describe(),
                    inp[action.slider],
                    new[action.slider],
                )
            else:
                sign = 1 if action.key == "ArrowRight" else -1
                step = 10.0 ** -len(state_readout(state, action.slider).split(".")[1])
                assert abs((new[action.slider] - inp[action.slider]) - sign * step) < 1e-9, action.describe()
            inp = new

        PHASES.append((chapter.stem, t_open - t_start, t_run - t_open, time.perf_counter() - t_run))
        box.scroll_into_view_if_needed()
        page.locator(".jp-Cell", has=box).screenshot(path=str(screenshot_dir / f"lab_{chapter.stem}.png"))
        assert not records.page_errors[seen_errors:], records.page_errors[seen_errors:]
        assert not records.blocked[seen_blocked:], (
            f"requests left 127.0.0.1: {records.blocked[seen_blocked:]}"
        )
        lab_window.close_notebook(chapter.notebook)
    except BaseException:
        lab_window.discard()
        raise
    finally:
        shutdown_sessions(lab, [chapter.notebook])


def state_readout(state: dict, label: str) -> str:
    return next(s["readout"] for s in state["sliders"] if s["label"] == label)


def test_latency_report(request):
    """Write the latency table (shown in the terminal summary too); runs after the chapters."""
    if not LATENCIES:
        pytest.skip("no chapter was driven")
    lines = [
        "Explorers in JupyterLab: key press -> readouts updated (DOM) and -> next frame, in the page "
        "(performance.now); wall = Playwright key press to the page noticing (CDP round trips included).",
        f"{'notebook':<28} {'action':<42} {'DOM ms':>8} {'frame ms':>9} {'wall ms':>8}",
    ]
    for stem, what, dom, frame, wall in LATENCIES:
        lines.append(f"{stem:<28} {what:<42} {dom:8.1f} {frame:9.1f} {wall:8.1f}")
    doms = sorted(d for _, _, d, _, _ in LATENCIES)
    lines.append(
        f"median DOM latency {doms[len(doms) // 2]:.1f} ms, max {doms[-1]:.1f} ms over {len(doms)} actions"
    )
    lines += ["", f"{'notebook':<28} {'open + kernel s':>16} {'run all s':>10} {'interact s':>11}"]
    lines += [f"{stem:<28} {a:16.1f} {b:10.1f} {c:11.1f}" for stem, a, b, c in PHASES]
    text = "\n".join(lines) + "\n"
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "lab_latency.txt").write_text(text)
    request.config.xent_lab_latency = text  # printed by tests/browser/conftest.py's terminal summary


def test_notebooks_not_written(notebook_fingerprints):
    """Driving the chapters (autosave off, contexts closed unsaved) left every file as it was."""
    changed = [nb for nb, fp in notebook_fingerprints.items() if _fingerprint(NOTEBOOKS / nb) != fp]
    assert not changed, f"JupyterLab wrote into {changed}"
