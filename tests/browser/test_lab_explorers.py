"""JupyterLab for the explorers' browser tests: the server, one page, the kernel helpers.

Every explorer is an anywidget (issue 18); the tests that drive them in JupyterLab are
test_lab_any_explorers.py (chapters 2 and 10), test_entropy_explorers.py (3, 4 and 7),
test_binary_focal_explorers.py (5 and 8) and test_sampling_explorer.py (15). This module holds what
they share: one JupyterLab (``lab_server``: 127.0.0.1, random token, kernel started without a
dialog, autosave off), a page kept between chapters (``LabWindow``: File > Open from Path, then File
> Close and Shut Down Notebook, so one kernel runs at a time; a failed chapter's page is thrown
away), ``kernel_json`` (a silent user expression on a second client) and the check that every
explorer cell of a chapter is covered. The last test checks that no notebook file was written
(bytes and mtime).
"""

from __future__ import annotations

import ast
import hashlib
import json
import os
import re
import time
import urllib.request
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = ROOT / "notebooks"
ARTIFACTS = ROOT / "artifacts"

#: Page timeouts (ms), generous for CI's 2 shared cores.
LOAD_TIMEOUT = 90_000
RUN_TIMEOUT = 180_000
UPDATE_TIMEOUT = 30_000

EXPLORER_CALL = re.compile(r"\bwidgets\.(\w+_explorer|\w+Explorer)\(")
#: The explorers' chapters and calls: driven by test_lab_any_explorers.py unless noted.
ANYWIDGET_CALLS = {
    ("02_softmax_temperature.ipynb", "LogitsExplorer"),
    ("10_calibration.ipynb", "reliability_explorer"),
    ("15_language_models.ipynb", "SamplingExplorer"),
    ("05_binary_vs_categorical.ipynb", "BinaryLossExplorer"),  # test_binary_focal_explorers.py
    ("08_class_imbalance.ipynb", "FocalExplorer"),
    ("03_entropy.ipynb", "EntropyExplorer"),  # test_entropy_explorers.py
    ("04_cross_entropy_kl.ipynb", "EntropyKLExplorer"),
    ("07_numerical_stability.ipynb", "logits_explorer"),
}
#: the chapters the lab tests open
EXPLORER_NOTEBOOKS = sorted({nb for nb, _ in ANYWIDGET_CALLS})


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


# --------------------------------------------------------------------------- fixtures


def _fingerprint(path: Path) -> tuple[str, int]:
    return hashlib.sha256(path.read_bytes()).hexdigest(), path.stat().st_mtime_ns


@pytest.fixture(scope="module")
def notebook_fingerprints() -> dict:
    """Bytes and mtime of every chapter this module opens, taken before JupyterLab sees them."""
    return {nb: _fingerprint(NOTEBOOKS / nb) for nb in EXPLORER_NOTEBOOKS}


@pytest.fixture(scope="module")
def lab(lab_server, notebook_fingerprints):
    """The session's JupyterLab, with its settings checked; every kernel is shut down afterwards."""
    autosave = lab_setting(lab_server, "@jupyterlab/docmanager-extension:plugin", "autosave")
    assert autosave is False, "autosave must be off: the tests would write into the chapters"
    assert lab_setting(lab_server, "@jupyterlab/notebook-extension:tracker", "autoStartDefaultKernel") is True
    yield lab_server
    shutdown_sessions(lab_server, EXPLORER_NOTEBOOKS)


# --------------------------------------------------------------------------- tests


def test_every_explorer_chapter_is_covered():
    """A new explorer cell in a chapter must get a live test here."""
    found = set()
    for path in sorted(NOTEBOOKS.glob("*.ipynb")):
        nb = json.loads(path.read_text())
        for cell in nb["cells"]:
            if cell["cell_type"] == "code":
                found |= {(path.name, m.group(1)) for m in EXPLORER_CALL.finditer("".join(cell["source"]))}
    assert found == ANYWIDGET_CALLS


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


def test_notebooks_not_written(notebook_fingerprints):
    """Driving the chapters (autosave off, contexts closed unsaved) left every file as it was."""
    changed = [nb for nb, fp in notebook_fingerprints.items() if _fingerprint(NOTEBOOKS / nb) != fp]
    assert not changed, f"JupyterLab wrote into {changed}"
