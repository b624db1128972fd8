"""Input-to-DOM latency of the explorers, in the built book's pages and in JupyterLab (headless Chromium).

For each explorer measured, a slider is focused and the arrow keys are pressed ``--presses`` times
(right and left in turn, each press waited for); a probe in the page records, for every press, the
time from the ``keydown`` event to the first change of the explorer's readouts in the DOM
(a ``MutationObserver``), so the same clock measures every kind of view:

* ``anywidget``: the ES module of ``xent_book/widgets/static/`` (every explorer: chapters 2, 3, 4, 5,
  7, 8, 10 and 15) redraws in the browser, in the page (from the saved widget state) and in
  JupyterLab alike, with no kernel round trip.

Prints one table (p50, p90, max in ms; budget p90 < 16 ms, one frame at 60 Hz) and writes it to
``artifacts/explorer_latency.txt``. Everything stays on 127.0.0.1.

Usage: python benchmarks/explorer_latency.py [--presses N] [--html _build/html] [--no-lab]
(the book must be built: make html; JupyterLab needs the overrides that ``make lab`` installs).
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import http.server
import json
import os
import secrets
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from scripts.chromium import CHROMIUM, CHROMIUM_ARGS  # noqa: E402

FRAME_MS = 16.0

# (label, chapter, root selector, slider selector): what is pressed and whose readouts are watched
PAGE_CASES = [
    ("logits (ch 2)", "anywidget", "02_softmax_temperature", ".xent-anywidget", '[data-control="z1"]'),
    (
        "reliability (ch 10)",
        "anywidget",
        "10_calibration",
        ".xent-anywidget",
        '[data-control="log10_temperature"]',
    ),
    (
        "sampling (ch 15)",
        "anywidget",
        "15_language_models",
        ".xent-anywidget",
        '[data-control="top_p"]',  # starts at 0.9: the presses stay inside [0.01, 1]
    ),
    ("binary (ch 5)", "anywidget", "05_binary_vs_categorical", ".xent-anywidget", '[data-control="z"]'),
    ("focal (ch 8)", "anywidget", "08_class_imbalance", ".xent-anywidget", '[data-control="p_t"]'),
    ("entropy (ch 3)", "anywidget", "03_entropy", ".xent-anywidget", '[data-control="p1"]'),
    ("entropy-kl (ch 4)", "anywidget", "04_cross_entropy_kl", ".xent-anywidget", '[data-control="q1"]'),
    (
        "logits (ch 7)",
        "anywidget",
        "07_numerical_stability",
        ".xent-anywidget",
        '[data-control="z2"]',  # z0 starts at the bound 10 in this chapter
    ),
]
LAB_CASES = [
    ("logits (ch 2)", "anywidget", "02_softmax_temperature", ".xent-anywidget", '[data-control="z1"]'),
    (
        "reliability (ch 10)",
        "anywidget",
        "10_calibration",
        ".xent-anywidget",
        '[data-control="log10_temperature"]',
    ),
    (
        "sampling (ch 15)",
        "anywidget",
        "15_language_models",
        ".xent-anywidget",
        '[data-control="top_p"]',  # starts at 0.9: the presses stay inside [0.01, 1]
    ),
    ("binary (ch 5)", "anywidget", "05_binary_vs_categorical", ".xent-anywidget", '[data-control="z"]'),
    ("focal (ch 8)", "anywidget", "08_class_imbalance", ".xent-anywidget", '[data-control="p_t"]'),
    ("entropy (ch 3)", "anywidget", "03_entropy", ".xent-anywidget", '[data-control="p1"]'),
    ("entropy-kl (ch 4)", "anywidget", "04_cross_entropy_kl", ".xent-anywidget", '[data-control="q1"]'),
    (
        "logits (ch 7)",
        "anywidget",
        "07_numerical_stability",
        ".xent-anywidget",
        '[data-control="z2"]',  # z0 starts at the bound 10 in this chapter
    ),
]

ARM_JS = r"""
([rootSel, key]) => {
  const root = document.querySelector(rootSel);
  const snap = () => JSON.stringify([...root.querySelectorAll('.xent-readout')].map(e => e.dataset.value));
  const before = snap();
  const st = window.__probe = {t0: null, t1: null};
  const onKey = (ev) => { if (st.t0 === null && ev.key === key) st.t0 = performance.now(); };
  document.addEventListener('keydown', onKey, true);
  const obs = new MutationObserver(() => {
    if (st.t1 !== null || st.t0 === null || snap() === before) return;
    st.t1 = performance.now();
    obs.disconnect();
    document.removeEventListener('keydown', onKey, true);
  });
  obs.observe(root, {childList: true, subtree: true, characterData: true, attributes: true});
}
"""


def measure(page, root_sel: str, slider_sel: str, presses: int) -> list[float]:
    handle = page.locator(f"{root_sel} {slider_sel}").first
    handle.scroll_into_view_if_needed()
    out = []
    for i in range(presses):
        key = "ArrowRight" if (i // 2) % 2 == 0 else "ArrowLeft"  # stays near the start, never at a bound
        handle.focus()
        page.evaluate(ARM_JS, [root_sel, key])
        page.keyboard.press(key)
        page.wait_for_function("() => window.__probe.t1 !== null", timeout=30_000)
        probe = page.evaluate("() => window.__probe")
        out.append(probe["t1"] - probe["t0"])
        page.wait_for_timeout(60)  # a pause between presses, as a reader leaves
    return out


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def book_server(html: Path):
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(html)))
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{srv.server_port}/"
    finally:
        srv.shutdown()


@contextlib.contextmanager
def lab_server():
    port, token = _free_port(), secrets.token_hex(16)
    tmp = Path(tempfile.mkdtemp(prefix="xent-lab-"))
    cmd = [
        sys.executable,
        "-m",
        "jupyterlab",
        "--no-browser",
        "--ip=127.0.0.1",
        f"--port={port}",
        f"--ServerApp.root_dir={ROOT}",
        "--ServerApp.port_retries=0",
        "--LabApp.news_url=",
        f"--LabApp.workspaces_dir={tmp / 'workspaces'}",
        f"--LabApp.user_settings_dir={tmp / 'user-settings'}",
    ]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        cmd.append("--allow-root")
    env = dict(os.environ, JUPYTER_TOKEN=token, PYDEVD_DISABLE_FILE_VALIDATION="1")
    log = open(tmp / "lab.log", "wb")
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, env=env)
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + 60
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"JupyterLab exited: {(tmp / 'lab.log').read_text()[-2000:]}")
            with contextlib.suppress(OSError):
                with urllib.request.urlopen(f"{url}api/status?token={token}", timeout=2) as r:
                    if r.status == 200:
                        break
            if time.monotonic() > deadline:
                raise RuntimeError("JupyterLab did not answer within 60 s")
            time.sleep(0.3)
        yield url, token
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


def _menu(page, top: str, item: str) -> None:
    page.locator(".lm-MenuBar-itemLabel").get_by_text(top, exact=True).click()
    page.locator(".lm-Menu-itemLabel").get_by_text(item, exact=True).click()


def _sessions(url: str, token: str, notebook: str) -> list[dict]:
    """The server's sessions of ``notebooks/<notebook>.ipynb`` (REST API)."""
    req = urllib.request.Request(f"{url}api/sessions", headers={"Authorization": f"token {token}"})
    with urllib.request.urlopen(req, timeout=30) as r:
        sessions = json.loads(r.read())
    return [s for s in sessions if s.get("path") == f"notebooks/{notebook}.ipynb"]


def _wait_for_kernel(page, url: str, token: str, notebook: str, timeout: float = 120.0) -> None:
    """Wait until the chapter's kernel has started and is idle, as tests/browser/test_lab_explorers.py does.

    The execution indicator alone can read idle before the kernel is up, and Run All pressed then
    runs nothing. Waits with ``page.wait_for_timeout``: the route handler runs in this process.
    """
    deadline = time.monotonic() + timeout
    while True:
        found = _sessions(url, token, notebook)
        if found and (found[0].get("kernel") or {}).get("execution_state") == "idle":
            return
        if page.locator(".jp-Dialog").count():
            raise RuntimeError(
                f"a dialog blocks {notebook} (are the lab settings installed? make lab): "
                f"{page.locator('.jp-Dialog').first.inner_text()!r}"
            )
        if time.monotonic() > deadline:
            raise RuntimeError(f"no idle kernel for {notebook} after {timeout:.0f} s: {found}")
        page.wait_for_timeout(250)


def lab_run_all(page, url: str, token: str, notebook: str, root_sel: str) -> None:
    """Open a chapter in a fresh workspace (autosave off: nothing is written), run all cells, wait."""
    page.goto(f"{url}lab?reset&token={token}")
    page.wait_for_selector(".jp-Launcher", timeout=120_000)
    _menu(page, "File", "Open from Path…")
    page.locator(".jp-Dialog input").fill(f"notebooks/{notebook}.ipynb")
    page.locator(".jp-Dialog input").press("Enter")
    page.locator(".lm-TabBar-tab.lm-mod-current .lm-TabBar-tabLabel").get_by_text(
        f"{notebook}.ipynb", exact=True
    ).wait_for(timeout=120_000)
    _wait_for_kernel(page, url, token, notebook)
    page.wait_for_selector(".jp-Notebook-ExecutionIndicator[data-status=idle]", timeout=120_000)
    _menu(page, "Edit", "Clear Outputs of All Cells")
    _menu(page, "Run", "Run All Cells")
    page.wait_for_selector(f"{root_sel} .xent-readout", timeout=180_000)
    page.wait_for_function(
        "() => ![...document.querySelectorAll('.jp-InputPrompt')].some(e => e.textContent.includes('*'))",
        timeout=180_000,
    )


def lab_shutdown(url: str, token: str, notebook: str) -> None:
    """Shut the chapter's session (and kernel) down, unsaved."""
    for s in _sessions(url, token, notebook):
        req = urllib.request.Request(
            f"{url}api/sessions/{s['id']}", method="DELETE", headers={"Authorization": f"token {token}"}
        )
        urllib.request.urlopen(req, timeout=30).close()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--presses", type=int, default=40)
    ap.add_argument("--html", type=Path, default=ROOT / "_build" / "html")
    ap.add_argument("--no-lab", action="store_true", help="only the built pages")
    args = ap.parse_args()
    if not (args.html / "index.html").exists():
        print(f"{args.html} is not built: run make html", file=sys.stderr)
        return 2
    from playwright.sync_api import sync_playwright

    rows = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        context.route(
            "**/*",
            lambda r: (
                r.continue_()
                if r.request.url.split(":")[0] in ("blob", "data") or "//127.0.0.1" in r.request.url
                else r.abort()
            ),
        )
        page = context.new_page()
        with book_server(args.html) as base:
            for label, view, doc, root_sel, slider_sel in PAGE_CASES:
                page.goto(f"{base}notebooks/{doc}.html", wait_until="load")
                page.wait_for_selector(f"{root_sel} .xent-readout", timeout=30_000)
                rows.append(("page", label, view, measure(page, root_sel, slider_sel, args.presses)))
        if not args.no_lab:
            with lab_server() as (url, token):
                for label, view, doc, root_sel, slider_sel in LAB_CASES:
                    print(f"JupyterLab: {label} ...", file=sys.stderr, flush=True)
                    lab_run_all(page, url, token, doc, root_sel)
                    rows.append(
                        ("JupyterLab", label, view, measure(page, root_sel, slider_sel, args.presses))
                    )
                    page.goto("about:blank")
                    lab_shutdown(url, token, doc)  # one kernel at a time on the 2 cores
        browser.close()

    lines = [
        f"{'where':<12}{'explorer':<22}{'view':<13}{'presses':>8}{'p50 ms':>8}{'p90 ms':>8}{'max ms':>8}",
    ]
    for where, label, view, ms in rows:
        a = np.array(ms)
        lines.append(
            f"{where:<12}{label:<22}{view:<13}{a.size:>8}{np.median(a):>8.1f}{np.percentile(a, 90):>8.1f}{a.max():>8.1f}"
        )
    lines.append(
        f"(key press to the first change of the readouts in the DOM; budget p90 < {FRAME_MS:g} ms; "
        f"{os.cpu_count()} CPUs, headless Chromium)"
    )
    text = "\n".join(lines) + "\n"
    print(text, end="")
    (ROOT / "artifacts").mkdir(exist_ok=True)
    (ROOT / "artifacts" / "explorer_latency.txt").write_text(text)
    slow = [(w, lab, v) for w, lab, v, ms in rows if v == "anywidget" and np.percentile(ms, 90) >= FRAME_MS]
    return 1 if slow else 0


if __name__ == "__main__":
    sys.exit(main())
