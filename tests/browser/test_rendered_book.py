"""The built book (_build/html) rendered in headless Chromium, with the internet blocked.

For every page: math is typeset by the local MathJax, every image loaded, the
widget views rendered from the embedded state, the live explorers started, the console shows no errors
(other than the documented allow-list), no request left 127.0.0.1, and the
navigation links (previous/next, table of contents) lead to existing pages in
_toc.yml order. Screenshots are saved under artifacts/screenshots/ for a
human to look at: each page in full in the light theme, its top in the dark
theme, and its first widget in the dark theme.

Each page is loaded once (``rendered``, cached per session); the tests below
assert on what was recorded, so each failure names one page and one property.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import pytest

from scripts.book_toc import toc_docs

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
HTML = ROOT / "_build" / "html"

# Console messages (and failed local requests) that are known and harmless:
# {regex searched in the message: why it is harmless}. Keep each one justified.
CONSOLE_ALLOW: dict[str, str] = {
    # Empty on purpose. The messages seen while setting the book up were fixed
    # at their cause instead of being allowed here:
    # - 404s for the widget manager's Font Awesome files: RequireJS is pointed at
    #   our copy (the inline script in _config.yml, nb_ipywidgets_js);
    # - "Cannot read properties of undefined (reading 'Queue')": the widget
    #   library calls MathJax 2's Hub.Queue; _config.yml installs a shim;
    # - "Got invalid theme mode": html_context.default_mode is set to auto.
}


DOCS = toc_docs()


def built_pages() -> list[str]:
    """Every HTML page of the build (as 'notebooks/03_entropy'), toc order first."""
    if not HTML.is_dir():
        return DOCS
    found = {
        p.relative_to(HTML).with_suffix("").as_posix()
        for p in HTML.rglob("*.html")
        if "_static" not in p.parts and "_sources" not in p.parts
    }
    # index.html only redirects to the root page; genindex/search are Sphinx's own.
    extra = sorted(found - set(DOCS) - {"index", "genindex", "search"})
    return DOCS + extra


PAGES = built_pages()

# Runs in the page after it loaded: waits for MathJax and the widget manager,
# then reports what the page shows.
INSPECT_JS = r"""
async () => {
  const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
  const out = {};
  const mathNodes = document.querySelectorAll('.math, span.math, div.math');
  out.mathNodes = mathNodes.length;
  out.hasMathJax = typeof window.MathJax === 'object' && !!window.MathJax.startup;
  if (mathNodes.length && out.hasMathJax) {
    try { await window.MathJax.startup.promise; } catch (e) { out.mathjaxError = String(e); }
  }
  out.mjxContainers = document.querySelectorAll('mjx-container').length;
  out.mjxErrors = Array.from(document.querySelectorAll('mjx-merror')).map((e) => e.getAttribute('data-mjx-error') || e.textContent).slice(0, 5);
  // Widgets: one view script per widget output; the manager inserts the view before it.
  const views = document.querySelectorAll('script[type="application/vnd.jupyter.widget-view+json"]');
  out.widgetViews = views.length;
  const deadline = Date.now() + 15000;
  const rendered = () => Array.from(views).filter((s) => {
    const prev = s.previousElementSibling;
    return prev && prev.querySelector('.jupyter-widgets, .widget-box, .widget-html, .widget-slider, .lm-Widget')
      && prev.getBoundingClientRect().height > 0;
  }).length;
  while (views.length && rendered() < views.length && Date.now() < deadline) { await sleep(100); }
  out.widgetsRendered = rendered();
  const bodyText = document.body.innerText;
  out.loadingWidget = /Loading widget/i.test(bodyText);
  out.widgetErrors = Array.from(document.querySelectorAll('.jupyter-widgets.widget-error, .widget-error')).length
    + (/Error displaying widget/i.test(bodyText) ? 1 : 0);
  // Raw TeX left in the text (outside code): \( \) \[ \] or $...$ with a TeX command.
  const clone = document.querySelector('main, article, body').cloneNode(true);
  clone.querySelectorAll('pre, code, script, style, mjx-container, .highlight, textarea').forEach((e) => e.remove());
  const text = clone.textContent;
  const raw = [];
  for (const re of [/\\\(.{0,40}/g, /\\\[.{0,40}/g, /\$\$.{0,40}/g, /\$[^$\s][^$]{0,60}\\[A-Za-z]+[^$]{0,20}\$/g]) {
    for (const m of text.matchAll(re)) raw.push(m[0]);
  }
  out.rawTex = raw.slice(0, 5);
  out.images = Array.from(document.images).map((img) => ({
    src: img.currentSrc || img.src, complete: img.complete, width: img.naturalWidth,
  }));
  out.prev = (document.querySelector('a.left-prev') || {}).href || null;
  out.next = (document.querySelector('a.right-next') || {}).href || null;
  out.tocLinks = Array.from(document.querySelectorAll('nav.bd-docs-nav a.reference.internal, .bd-sidebar-primary a.reference.internal'))
    .map((a) => a.href);
  out.contentLinks = Array.from(document.querySelectorAll('article a.reference.internal'))
    .map((a) => a.href);
  // the book's live explorers (anywidget views, xent_book/widgets/static/): every one mounted, none shows an error
  const live = Array.from(document.querySelectorAll('.xent-live'));
  out.liveExplorers = live.map((e) => ({
    name: e.dataset.xentExplorer || null,
    anywidget: e.classList.contains('xent-anywidget'),
    ready: e.classList.contains('xent-live-ready') && !!e.querySelector('svg'),
    error: (e.querySelector('.xent-error') || {}).textContent || null,
  }));
  out.title = document.title;
  out.blocks = BLOCKS_JS();
  return out;
}
"""

# Code, printed output and tables against the text column (book_assets/xent-code.js
# wraps code and output lines): which of them are wider than the box they sit in.
BLOCKS_JS = r"""
() => {
  const wide = (e) => e.scrollWidth - e.clientWidth > 1;
  const pres = Array.from(document.querySelectorAll('div.cell_input pre, div.cell_output pre, div.highlight pre'));
  return {
    pres: pres.length,
    unwrapped: pres.filter((p) => !p.classList.contains('xent-wrapped')).length,
    widePres: pres.filter(wide).map((p) => (p.textContent.split('\n').sort((a, b) => b.length - a.length)[0] || '').slice(0, 60)),
    wideTables: Array.from(document.querySelectorAll('article table'))
      .filter((t) => t.getBoundingClientRect().width > t.parentElement.getBoundingClientRect().width + 1
                     && !(t.parentElement.scrollWidth > t.parentElement.clientWidth && getComputedStyle(t.parentElement).overflowX === 'auto'))
      .map((t) => t.textContent.trim().slice(0, 60)),
    wideMath: Array.from(document.querySelectorAll('mjx-container[display="true"]'))
      .filter(wide).map((m) => (m.textContent || '').slice(0, 40)),
    pageOverflow: document.documentElement.scrollWidth - document.documentElement.clientWidth,
  };
}
"""


@dataclass
class Rendered:
    doc: str
    url: str
    info: dict
    records: object
    screenshots: list[Path] = field(default_factory=list)


_CACHE: dict[str, Rendered] = {}


def _safe(doc: str) -> str:
    return doc.replace("/", "__")


@pytest.fixture
def rendered(request, offline_page_factory, book_server, screenshot_dir):
    """Load one page (from the test's ``doc`` parameter), inspect it, screenshot it; cached."""
    doc = request.node.callspec.params["doc"]
    if doc in _CACHE:
        return _CACHE[doc]
    if not (HTML / f"{doc}.html").exists():
        pytest.fail(f"{doc}.html is not in the build")
    context, page, records = offline_page_factory()
    try:
        url = urljoin(book_server, f"{doc}.html")
        page.goto(url, wait_until="load", timeout=30_000)
        try:
            page.wait_for_load_state("networkidle", timeout=10_000)
        except Exception:  # a page that keeps polling still gets inspected
            pass
        info = page.evaluate(INSPECT_JS.replace("BLOCKS_JS()", f"({BLOCKS_JS.strip()})()"))
        result = Rendered(doc=doc, url=url, info=info, records=records)
        light = screenshot_dir / f"{_safe(doc)}-light.png"
        page.screenshot(path=str(light), full_page=True)
        # Dark theme the way a reader gets it: the theme's default mode is "auto"
        # (_config.yml), so it follows the system's prefers-color-scheme.
        page.emulate_media(color_scheme="dark")
        page.wait_for_function("document.documentElement.dataset.theme === 'dark'", timeout=5_000)
        page.wait_for_timeout(150)
        # The top of the page, plus the first widget when there is one (where
        # dark-mode contrast goes wrong first); a second full-page shot would
        # double the cost of the long chapters.
        dark = screenshot_dir / f"{_safe(doc)}-dark.png"
        page.evaluate("window.scrollTo(0, 0)")
        page.screenshot(path=str(dark))
        result.screenshots = [light, dark]
        if info["widgetViews"]:
            view = page.locator('script[type="application/vnd.jupyter.widget-view+json"]').first
            view.evaluate(
                "(s) => (s.previousElementSibling || s.parentElement).scrollIntoView({block: 'center'})"
            )
            dark_widget = screenshot_dir / f"{_safe(doc)}-dark-widget.png"
            page.screenshot(path=str(dark_widget))
            result.screenshots.append(dark_widget)
    finally:
        context.close()
    _CACHE[doc] = result
    return result


def _local_file(url: str) -> Path:
    path = unquote(urlsplit(url).path).lstrip("/")
    target = HTML / path
    return target / "index.html" if target.is_dir() or path == "" else target


@pytest.mark.parametrize("doc", PAGES)
def test_math_is_typeset(rendered, doc):
    info = rendered.info
    if info["mathNodes"]:
        assert info["hasMathJax"], f"{doc}: page has math but MathJax did not load (offline copy missing?)"
        assert "mathjaxError" not in info, info.get("mathjaxError")
        assert info["mjxContainers"] >= info["mathNodes"], (
            f"{doc}: {info['mathNodes']} math elements but only {info['mjxContainers']} typeset"
        )
    assert not info["mjxErrors"], f"{doc}: TeX errors: {info['mjxErrors']}"
    assert not info["rawTex"], f"{doc}: raw TeX left in the text: {info['rawTex']}"


@pytest.mark.parametrize("doc", PAGES)
def test_every_image_loaded(rendered, doc):
    broken = [img["src"] for img in rendered.info["images"] if not img["complete"] or img["width"] == 0]
    assert not broken, f"{doc}: images that did not load: {broken}"


@pytest.mark.parametrize("doc", PAGES)
def test_widget_views_render(rendered, doc):
    info = rendered.info
    assert not info["loadingWidget"], f"{doc}: a 'Loading widget' placeholder is left"
    assert info["widgetErrors"] == 0, f"{doc}: a widget failed to render"
    assert info["widgetsRendered"] == info["widgetViews"], (
        f"{doc}: {info['widgetViews']} widget outputs, {info['widgetsRendered']} rendered "
        "(is the widget state stored? scripts/execute_notebooks.py stores it)"
    )


@pytest.mark.parametrize("doc", PAGES)
def test_live_explorers_start(rendered, doc):
    """Each explorer is an anywidget view that mounted and drew its chart (tests/browser/test_live_book_explorers.py
    and the other explorer tests check their numbers)."""
    for ex in rendered.info["liveExplorers"]:
        assert ex["name"], f"{doc}: a .xent-live element without data-xent-explorer"
        assert ex["anywidget"], f"{doc}: a .xent-live element that is not an anywidget view ({ex['name']})"
        assert not ex["error"], f"{doc}: the {ex['name']} explorer: {ex['error']}"
        assert ex["ready"], f"{doc}: the {ex['name']} explorer did not start"


def _unexpected(messages: list[str]) -> list[str]:
    return [m for m in messages if not any(re.search(p, m) for p in CONSOLE_ALLOW)]


@pytest.mark.parametrize("doc", PAGES)
def test_no_console_errors(rendered, doc):
    rec = rendered.records
    problems = _unexpected(rec.console_errors) + [f"uncaught: {e}" for e in rec.page_errors]
    assert not problems, f"{doc}: console errors:\n" + "\n".join(problems)


@pytest.mark.parametrize("doc", PAGES)
def test_no_request_leaves_the_machine(rendered, doc):
    rec = rendered.records
    assert not rec.blocked, f"{doc}: the page tried to reach the internet: {rec.blocked}"
    failed = _unexpected(rec.failed_requests + rec.http_errors)
    assert not failed, f"{doc}: local requests that failed: {failed}"


@pytest.mark.parametrize("doc", PAGES)
def test_navigation_links_resolve(rendered, doc):
    info = rendered.info
    links = [u for u in [info["prev"], info["next"]] + info["tocLinks"] + info["contentLinks"] if u]
    missing = sorted({u for u in links if not _local_file(u).is_file()})
    assert not missing, f"{doc}: links to missing pages: {missing}"
    if doc in DOCS:
        i = DOCS.index(doc)

        def doc_of(url):
            return unquote(urlsplit(url).path).lstrip("/").removesuffix(".html") if url else None

        expected_prev = DOCS[i - 1] if i > 0 else None
        expected_next = DOCS[i + 1] if i + 1 < len(DOCS) else None
        assert doc_of(info["prev"]) == expected_prev, f"{doc}: previous link {info['prev']}"
        assert doc_of(info["next"]) == expected_next, f"{doc}: next link {info['next']}"
        toc_targets = {doc_of(u) for u in info["tocLinks"]}
        assert set(DOCS) <= toc_targets | {"intro"}, f"{doc}: the sidebar lacks {set(DOCS) - toc_targets}"


@pytest.mark.parametrize("doc", PAGES)
def test_screenshots_saved(rendered, doc):
    for shot in rendered.screenshots:
        assert shot.is_file() and shot.stat().st_size > 1000, shot


@pytest.mark.parametrize("doc", PAGES)
def test_code_and_output_fit_the_column(rendered, doc):
    """At 1280 px every code block and printed output wraps inside the column, and every display equation fits."""
    b = rendered.info["blocks"]
    assert b["unwrapped"] == 0, (
        f"{doc}: {b['unwrapped']} of {b['pres']} code/output blocks not wrapped by xent-code.js"
    )
    assert not b["widePres"], f"{doc}: blocks wider than the column: {b['widePres']}"
    assert not b["wideTables"], f"{doc}: tables wider than the column: {b['wideTables']}"
    assert not b["wideMath"], (
        f"{doc}: display equations wider than the column (break them into lines): {b['wideMath']}"
    )
    assert b["pageOverflow"] <= 0, f"{doc}: the page scrolls sideways by {b['pageOverflow']} px"


PHONE_PAGES = [d for d in PAGES if d.startswith("notebooks/")][:3] + ["appendix_benchmarks"]


@pytest.mark.parametrize("doc", PHONE_PAGES)
def test_code_fits_a_phone(offline_page_factory, book_server, doc):
    """At a phone's 390 px, code and output still wrap inside the column, and copying gives the code as written."""
    context, page, _ = offline_page_factory(viewport={"width": 390, "height": 844})
    try:
        page.goto(urljoin(book_server, f"{doc}.html"), wait_until="load", timeout=30_000)
        page.wait_for_function("document.querySelectorAll('pre.xent-wrapped').length > 0", timeout=10_000)
        b = page.evaluate(BLOCKS_JS)
        # what the copy button copies: the text of a detached clone, as the block's source
        copied = page.evaluate(
            """() => Array.from(document.querySelectorAll('div.cell_input pre')).slice(0, 5)
                 .map((p) => [p.cloneNode(true).innerText, p.textContent])"""
        )
    finally:
        context.close()
    assert b["unwrapped"] == 0 and not b["widePres"], f"{doc}: at 390 px: {b}"
    for clone_text, text in copied:
        assert clone_text == text and "\n" in text.strip() or len(text.strip().splitlines()) == 1


MATH_JS = r"""
() => {
  const block = (m) => { let b = m.parentElement; while (b && getComputedStyle(b).display.startsWith('inline')) b = b.parentElement; return b; };
  const scrolls = (e) => { for (let a = e.parentElement; a; a = a.parentElement) {
      if (a.scrollWidth > a.clientWidth + 1 && ['auto', 'scroll'].includes(getComputedStyle(a).overflowX)) return true; } return false; };
  const display = Array.from(document.querySelectorAll('mjx-container[display="true"]'));
  const inline = Array.from(document.querySelectorAll('mjx-container:not([display])'));
  return {
    display: display.length,
    shrunk: display.filter((m) => m.style.fontSize).length,
    wideDisplay: display.filter((m) => m.scrollWidth - m.clientWidth > 1 && !m.classList.contains('xent-math-scroll'))
      .map((m) => m.textContent.slice(0, 40)),
    wideInline: inline.filter((m) => !m.classList.contains('xent-math-inline-scroll') && !scrolls(m)
      && m.getBoundingClientRect().right > block(m).getBoundingClientRect().right + 1).map((m) => m.textContent.slice(0, 40)),
    pageOverflow: document.documentElement.scrollWidth - document.documentElement.clientWidth,
  };
}
"""

MATH_PHONE_PAGES = [
    "notebooks/03_entropy",
    "notebooks/04_cross_entropy_kl",
    "notebooks/05_binary_vs_categorical",
]


@pytest.mark.parametrize("doc", MATH_PHONE_PAGES)
def test_math_fits_a_phone(offline_page_factory, book_server, doc):
    """At 390 px every equation fits its column (book_assets/xent-page.js): a display equation
    in a smaller font, or scrolling inside its own box; an inline one on a line of its own."""
    context, page, _ = offline_page_factory(viewport={"width": 390, "height": 844})
    try:
        page.goto(urljoin(book_server, f"{doc}.html"), wait_until="load", timeout=30_000)
        page.wait_for_function("document.documentElement.dataset.xentMathFitted > 0", timeout=15_000)
        m = page.evaluate(MATH_JS)
    finally:
        context.close()
    assert m["display"] > 0 and m["shrunk"] > 0, f"{doc}: no display equation needed fitting: {m}"
    assert not m["wideDisplay"], f"{doc}: display equations past the column at 390 px: {m['wideDisplay']}"
    assert not m["wideInline"], f"{doc}: inline equations past the column at 390 px: {m['wideInline']}"
    assert m["pageOverflow"] <= 0, f"{doc}: the page scrolls sideways by {m['pageOverflow']} px"


def test_search_from_file_logs_no_errors(browser):
    """A reader who opens the book from disk (file://) can search it with no console errors."""
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    errors = []
    page.on("console", lambda m: m.type == "error" and errors.append(m.text))
    page.on("pageerror", lambda e: errors.append(str(e)))
    try:
        page.goto((HTML / "search.html").as_uri() + "?q=entropy", wait_until="load")
        page.wait_for_function("document.querySelectorAll('#search-results li').length > 3", timeout=15_000)
        page.wait_for_timeout(500)  # summaries would be fetched now
        hits = page.evaluate("document.querySelectorAll('#search-results li').length")
    finally:
        page.close()
    assert hits > 3
    assert not errors, f"search from file:// logged: {errors[:3]}"


def test_wide_screen_has_one_search_box(book_page, book_server):
    """At 1280 px the theme's top band (a second search box and nothing else) is hidden; search stays reachable."""
    book_page.goto(urljoin(book_server, "intro.html"), wait_until="load")
    header = "(() => { const h = document.getElementById('pst-header'); return !!h && h.getBoundingClientRect().height > 0; })()"
    search = """Array.from(document.querySelectorAll('.search-button, .search-button-field'))
        .filter((b) => b.getBoundingClientRect().height > 0).length"""
    assert not book_page.evaluate(header)
    assert book_page.evaluate(search) == 1, "one visible search box at 1280 px"
    book_page.set_viewport_size({"width": 390, "height": 844})
    book_page.wait_for_timeout(200)
    assert book_page.evaluate(search) >= 1, "a search button on a phone"


def test_widget_page_logs_no_warnings(book_page, book_server):
    """A page with saved widgets logs no warning (Ajv's strict-mode notice is switched off in the build)."""
    warnings = []
    book_page.on("console", lambda m: m.type == "warning" and warnings.append(m.text))
    book_page.goto(urljoin(book_server, "notebooks/03_entropy.html"), wait_until="load")
    book_page.wait_for_function(  # chapter 3's explorer is an anywidget view (no .jupyter-widgets class)
        "document.querySelector('.xent-anywidget svg, .widget-box, .jupyter-widgets') !== null",
        timeout=15_000,
    )
    book_page.wait_for_timeout(500)
    assert not warnings, f"console warnings: {warnings[:3]}"
