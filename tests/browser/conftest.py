"""Fixtures for the browser tests: Debian's headless Chromium driven by Playwright.

``playwright install`` cannot download browsers here, so the tests drive
``/usr/bin/chromium`` (installed by ``make browsers`` / ``scripts/ensure_chromium.sh``)
and skip with a message naming that script when it is missing.

Why hand-built fixtures and not pytest-playwright's: pytest-playwright *can* drive
``/usr/bin/chromium`` (override its ``browser_type_launch_args`` fixture to return
``{"executable_path": "/usr/bin/chromium", "args": CHROMIUM_ARGS}``, as its
documentation describes), so that is not the reason. The reasons are that it is not a
dependency of this project (it would be one more pinned dev package for about 30 lines
of fixtures), and that the tests need what it does not give: a context that aborts every
request not to 127.0.0.1 and records it (``new_offline_context``), the per-page error
records (``watch_page``), one browser shared with the JupyterLab tests, and a skip that
names ``make browsers`` when Chromium is missing. Switching would mean overriding its
``context`` and ``page`` fixtures with these anyway.

Fixtures
--------
``chromium_path``    the browser executable (skips when missing)
``browser``          one headless Chromium for the session
``book_html``        ``_build/html``, or ``$XENT_BOOK_HTML`` (skips when the book is not built)
``book_server``      base URL of ``_build/html`` served over HTTP on 127.0.0.1
``book_page``        a fresh page whose context blocks every request not to
                     127.0.0.1 and records console errors, page errors,
                     failed requests and blocked requests (``.records``)
``offline_page_factory``  makes such (context, page, records) on demand
``lab_settings``     installs the JupyterLab overrides (``install_lab_settings``)
``lab_server``       JupyterLab on 127.0.0.1 with a random token, for tests that
                     drive the notebooks live
Every test under ``tests/browser/`` is marked ``browser``.
"""

from __future__ import annotations

import functools
import http.server
import os
import secrets
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from needs import skip_or_fail

from scripts.chromium import CHROMIUM, CHROMIUM_ARGS

ROOT = Path(__file__).resolve().parents[2]
BOOK_HTML = ROOT / "_build" / "html"
LOCAL_HOSTS = {"127.0.0.1"}
ARTIFACTS = ROOT / "artifacts"
LAB_OVERRIDES = ROOT / "jupyterlab" / "overrides.json"
#: the cell toolbar off (see scripts/install_lab_settings.sh: it throws on jupyterlab-myst's cells)
LAB_PAGE_CONFIG = ROOT / "jupyterlab" / "page_config.json"


def pytest_collection_modifyitems(config, items):
    here = Path(__file__).resolve().parent
    for item in items:
        if here in Path(item.path).resolve().parents:
            item.add_marker(pytest.mark.browser)


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    """Show the latency tables: JupyterLab (test_lab_explorers.py sets ``config.xent_lab_latency``)
    and the web page (test_live_book_explorers.py sets ``config.xent_page_latency``)."""
    text = getattr(config, "xent_lab_latency", None)
    if text:
        terminalreporter.write_sep("-", "explorers in JupyterLab: latency (artifacts/lab_latency.txt)")
        terminalreporter.write(text)
    text = getattr(config, "xent_page_latency", None)
    if text:
        terminalreporter.write_sep("-", "explorers in the web page: latency (artifacts/page_latency.txt)")
        terminalreporter.write(text)


# --------------------------------------------------------------------------- browser


@pytest.fixture(scope="session")
def chromium_path() -> Path:
    if not CHROMIUM.exists():
        skip_or_fail(
            f"{CHROMIUM} is missing: run `make browsers` (scripts/ensure_chromium.sh, "
            "as root it installs Debian's chromium) to run the browser tests"
        )
    return CHROMIUM


@pytest.fixture(scope="session")
def playwright_instance():
    sync_api = pytest.importorskip(
        "playwright.sync_api", reason="playwright is not installed (pip install -e .[dev])"
    )
    pw = sync_api.sync_playwright().start()
    yield pw
    pw.stop()


@pytest.fixture(scope="session")
def browser(playwright_instance, chromium_path):
    browser = playwright_instance.chromium.launch(
        executable_path=str(chromium_path), headless=True, args=CHROMIUM_ARGS
    )
    yield browser
    browser.close()


@dataclass
class PageRecords:
    """What a page did: console errors, uncaught errors, failed and blocked requests."""

    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    failed_requests: list[str] = field(default_factory=list)
    http_errors: list[str] = field(default_factory=list)
    blocked: list[str] = field(default_factory=list)


def _is_local(url: str) -> bool:
    parts = urlsplit(url)
    if parts.scheme in ("data", "blob", "about"):
        return True
    return parts.scheme in ("http", "https", "ws") and parts.hostname in LOCAL_HOSTS


def new_offline_context(browser, **kwargs):
    """A browser context that aborts every request not to 127.0.0.1.

    Returns ``(context, records)``; the caller attaches pages with
    :func:`watch_page` (done by the ``book_page`` fixture).
    """
    records = PageRecords()
    kwargs.setdefault("viewport", {"width": 1280, "height": 900})
    context = browser.new_context(**kwargs)

    def route(route_):
        url = route_.request.url
        if _is_local(url):
            route_.continue_()
        else:
            records.blocked.append(url)
            route_.abort("blockedbyclient")

    context.route("**/*", route)
    return context, records


def watch_page(page, records: PageRecords) -> None:
    def on_console(msg):
        if msg.type == "error":
            loc = msg.location or {}
            where = loc.get("url", "")
            records.console_errors.append(f"{msg.text} [{where}]" if where else msg.text)

    def on_failed(request):
        if _is_local(request.url):
            records.failed_requests.append(f"{request.url}: {request.failure}")

    def on_response(response):
        if response.status >= 400:
            records.http_errors.append(f"{response.status} {response.url}")

    page.on("console", on_console)
    page.on("pageerror", lambda exc: records.page_errors.append(str(exc)))
    page.on("requestfailed", on_failed)
    page.on("response", on_response)


@pytest.fixture(scope="session")
def offline_page_factory(browser):
    """``make()`` -> ``(context, page, records)``: a new offline context and a watched page.

    The caller closes the context. For tests that load several pages or cache results.
    """

    def make(**kwargs):
        context, records = new_offline_context(browser, **kwargs)
        page = context.new_page()
        watch_page(page, records)
        return context, page, records

    return make


@pytest.fixture
def book_page(browser):
    """A page in an offline context; ``book_page.records`` holds what went wrong."""
    context, records = new_offline_context(browser)
    page = context.new_page()
    watch_page(page, records)
    page.records = records
    yield page
    context.close()


# --------------------------------------------------------------------------- the built book


@pytest.fixture(scope="session")
def book_html() -> Path:
    html = Path(os.environ.get("XENT_BOOK_HTML") or BOOK_HTML)
    if not (html / "index.html").exists():
        skip_or_fail(f"the book is not built ({html}/index.html is missing): run `make html` first")
    return html


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):
        pass


@pytest.fixture(scope="session")
def book_server(book_html) -> str:
    """Serve ``_build/html`` on 127.0.0.1 (random free port); yields the base URL ending in '/'."""
    handler = functools.partial(_QuietHandler, directory=str(book_html))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, name="book-http", daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


@pytest.fixture(scope="session")
def screenshot_dir() -> Path:
    path = ARTIFACTS / "screenshots"
    path.mkdir(parents=True, exist_ok=True)
    return path


# --------------------------------------------------------------------------- JupyterLab


def lab_settings_dir(prefix: Path | str | None = None) -> Path:
    """Where JupyterLab reads ``overrides.json`` for the environment at ``prefix`` (default: this venv)."""
    prefix = Path(prefix) if prefix is not None else Path(sys.prefix)
    return prefix / "share" / "jupyter" / "lab" / "settings"


def install_lab_settings(prefix: Path | str | None = None) -> Path:
    """Copy ``jupyterlab/overrides.json`` into the environment; returns the installed path.

    The same file ``scripts/install_lab_settings.sh`` installs (called by ``make lab``):
    the default kernel starts without a "Select Kernel" dialog, autosave is off
    (tests never write into the chapters), and the news pop-up is off.
    """
    target = lab_settings_dir(prefix) / "overrides.json"
    target.parent.mkdir(parents=True, exist_ok=True)
    if not target.exists() or target.read_bytes() != LAB_OVERRIDES.read_bytes():
        shutil.copyfile(LAB_OVERRIDES, target)
    conf = (
        Path(prefix if prefix is not None else sys.prefix)
        / "etc"
        / "jupyter"
        / "labconfig"
        / "page_config.json"
    )
    conf.parent.mkdir(parents=True, exist_ok=True)
    if not conf.exists() or conf.read_bytes() != LAB_PAGE_CONFIG.read_bytes():
        shutil.copyfile(LAB_PAGE_CONFIG, conf)
    # and the book's plugin jupyterlab/xent-glue with its index (issue 19), as the script does
    from scripts import lab_index

    lab_index.install(prefix if prefix is not None else sys.prefix)
    return target


@pytest.fixture(scope="session")
def lab_settings() -> Path:
    return install_lab_settings()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class LabServer:
    url: str
    token: str
    root: Path

    def notebook_url(self, relpath: str) -> str:
        return f"{self.url}lab/tree/{relpath}?token={self.token}"


@pytest.fixture(scope="session")
def lab_server(lab_settings, tmp_path_factory):
    """JupyterLab on 127.0.0.1 (random port, random token) rooted at the repository.

    Autosave is off (``lab_settings``), so driving a notebook does not change it on disk.
    """
    port = _free_port()
    token = secrets.token_hex(16)
    tmp = tmp_path_factory.mktemp("lab")
    log = tmp / "lab.log"
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
        # Hermetic: no workspace (open tabs) or user settings from other sessions
        # in ~/.jupyter; only the overrides installed by `lab_settings` apply.
        f"--LabApp.workspaces_dir={tmp / 'workspaces'}",
        f"--LabApp.user_settings_dir={tmp / 'user-settings'}",
    ]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        cmd.append("--allow-root")
    # The token goes through the environment, as in scripts/lab.sh: not on the command line.
    env = dict(os.environ, PYDEVD_DISABLE_FILE_VALIDATION="1", JUPYTER_TOKEN=token)
    with open(log, "wb") as out:
        proc = subprocess.Popen(cmd, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, env=env)
    url = f"http://127.0.0.1:{port}/"
    deadline = time.monotonic() + 60
    try:
        while True:
            if proc.poll() is not None:
                pytest.fail(f"JupyterLab exited with {proc.returncode}:\n{log.read_text()[-3000:]}")
            try:
                with urllib.request.urlopen(f"{url}api/status?token={token}", timeout=2) as r:
                    if r.status == 200:
                        break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"JupyterLab did not answer within 60 s:\n{log.read_text()[-3000:]}")
            time.sleep(0.3)
        yield LabServer(url=url, token=token, root=ROOT)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
