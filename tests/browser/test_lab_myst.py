"""Every chapter opened in JupyterLab reads as the book does: no raw MyST, no unresolved glue (issue 19).

``make lab``'s set-up (``lab_server``: jupyterlab-myst from the lock, the overrides and the
``xent-glue`` plugin installed by ``install_lab_settings``), headless Chromium with every request
not to 127.0.0.1 blocked. Each chapter is opened with File > Open from Path, as a reader would, and
once every markdown cell is rendered the test reads the text a reader sees (KaTeX's hidden MathML
copy and code left out; folded solutions included, they unfold) and checks:

* no raw role (``{glue:text}``, ``{cite}``, ``{ref}`` ... followed by a backtick), no directive
  fence, no ``(label)=`` line, no ``:label:``/``:class:`` option, no glue body ("key:.3f");
* no "Citation Not Found" / "Cross Reference Not Found" marker left;
* every glue role of the chapter shows the text the book shows (MyST-NB's format_plain_text of
  the stored value, scripts/lab_index.py), and a few known numbers appear by value;
* every solution is folded (a closed ``<details>``) and every exercise is shown as one.

Nothing is written: autosave is off and notebooks are closed unsaved (checked at the end).
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from pathlib import Path

import pytest
from test_lab_explorers import wait_for_kernel

from scripts import lab_index

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
CHAPTERS = [p.name for p in lab_index.chapters()]
TIMEOUT = 90_000

#: text a reader sees in the rendered markdown: KaTeX's MathML copy (read by screen readers, not
#: shown), code and editors left out
VISIBLE_TEXT = """
(root) => {
  const skip = (el) => el.closest('.katex-mathml, code, pre, .cm-editor, style, script');
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  const out = [];
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    if (!skip(n.parentElement)) out.push(n.nodeValue);
  }
  return out.join('');
}
"""

RAW = [
    (re.compile(r"\{[a-z][\w:-]*\}`"), "a raw role"),
    (re.compile(r"\{glue"), "glue syntax"),
    (re.compile(r"`{3,}\s*\{|:{3,}\s*\{"), "a directive fence"),
    (re.compile(r"(^|\n)\s*\([\w.:-]+\)=", re.M), "a (label)= target"),
    (re.compile(r"(^|\n)\s*:(label|class|name|nonumber):", re.M), "a directive option"),
    (re.compile(r"Citation Not Found|Cross Reference Not Found"), "an unresolved reference"),
]


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def fingerprints():
    return {name: _sha(ROOT / "notebooks" / name) for name in CHAPTERS}


@pytest.fixture(scope="module")
def lab_page(lab_server, offline_page_factory, fingerprints):
    context, page, records = offline_page_factory()
    page.set_default_timeout(TIMEOUT)
    page.goto(f"{lab_server.url}lab?reset&token={lab_server.token}")
    page.wait_for_selector(".jp-Launcher")
    page.records = records
    page.lab = lab_server
    yield page
    context.close()


def _menu(page, top: str, item: str) -> None:
    page.locator(".lm-MenuBar-itemLabel").get_by_text(top, exact=True).click()
    page.locator(".lm-Menu-itemLabel").get_by_text(item, exact=True).click()


def _open(page, name: str) -> None:
    _menu(page, "File", "Open from Path…")
    page.locator(".jp-Dialog input").fill(f"notebooks/{name}")
    page.locator(".jp-Dialog input").press("Enter")
    page.locator(".lm-TabBar-tab.lm-mod-current .lm-TabBar-tabLabel").get_by_text(name, exact=True).wait_for()


def _close(page, name: str) -> None:
    # the kernel JupyterLab started for the chapter settles first: shutting it down while its
    # start-up requests are in flight logs "Canceled future for create_subshell_request ..."
    wait_for_kernel(page, page.lab, name, TIMEOUT / 1e3)
    page.wait_for_selector(".jp-Notebook-ExecutionIndicator[data-status=idle]")
    _menu(page, "File", "Close and Shut Down Notebook…")
    page.locator(".jp-Dialog button").get_by_text("Ok", exact=True).click()
    page.wait_for_selector(".jp-NotebookPanel", state="detached")


def _expected(name: str):
    nb = lab_index._notebook(ROOT / "notebooks" / name)
    values = lab_index.glue_values(nb)
    roles = [r for r in lab_index.glue_roles(nb) if not r.in_code]
    text = {r.body: lab_index.book_text(r, values) for r in roles}
    markdown = sum(c["cell_type"] == "markdown" for c in nb["cells"])
    return nb, roles, text, markdown


@pytest.mark.parametrize("name", CHAPTERS)
def test_chapter_reads_as_in_the_book(lab_page, name):
    page = lab_page
    nb, roles, expected, n_markdown = _expected(name)
    _open(page, name)
    try:
        panel = ".jp-NotebookPanel:not(.lm-mod-hidden)"
        page.wait_for_function(
            "([sel, n]) => document.querySelectorAll(sel + ' .jp-MarkdownCell .myst').length >= n",
            arg=[panel, n_markdown],
        )
        # the plugin has resolved every glue role and every citation/reference marker
        page.wait_for_function(
            """([sel, n]) => {
                const p = document.querySelector(sel);
                return p.querySelectorAll('span[data-xent-glue]').length >= n &&
                  !p.querySelector('span[title="Citation Not Found"], span[title="Cross Reference Not Found"]');
            }""",
            arg=[panel, len(roles)],
        )
        shown = page.eval_on_selector_all(
            f"{panel} span[data-xent-glue]", "els => els.map(e => [e.dataset.xentGlue, e.textContent])"
        )
        text = page.eval_on_selector(panel + " .jp-Notebook", VISIBLE_TEXT)
        solutions = page.eval_on_selector_all(
            f"{panel} .jp-MarkdownCell .myst details.myst-exercise", "els => els.map(e => e.open)"
        )
        exercises = page.locator(f"{panel} .jp-MarkdownCell .myst aside.myst-exercise").count()
    finally:
        _close(page, name)

    assert Counter(b for b, _ in shown) == Counter(r.body for r in roles), "one value per glue role"
    wrong = [(b, t, expected[b]) for b, t in shown if t != expected[b]]
    assert not wrong, f"{name}: glue shown != the book's text (body, lab, book): {wrong[:10]}"
    for pattern, what in RAW:
        m = pattern.search(text)
        assert not m, f"{name}: {what} is visible: ...{text[max(0, m.start() - 60) : m.end() + 60]!r}..."
    bodies = sorted({r.body for r in roles if ":" in r.body}, key=len, reverse=True)
    raw = [b for b in bodies if b in text]
    assert not raw, f"{name}: glue keys shown raw: {raw[:10]}"
    # a few numbers by value, as the reader reads them
    for body in list(expected)[:5]:
        assert expected[body] in text
    source = "\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown")
    n_solutions = len(re.findall(r"^(`{3,}|:{3,})\{solution\}", source, re.M))
    n_exercises = len(re.findall(r"^(`{3,}|:{3,})\{exercise\}", source, re.M))
    assert solutions == [False] * n_solutions, f"{name}: every solution folded ({solutions})"
    assert exercises == n_exercises


def test_known_numbers_are_the_stored_ones(lab_page):
    """Chapter 8's first glued numbers by value (and the value changes with the stored output)."""
    name = "08_class_imbalance.ipynb"
    nb, _, expected, _ = _expected(name)
    assert lab_index.glue_values(nb)["n_train"] == "2478"
    assert expected["n_train:,d"] == "2,478"
    _open(page := lab_page, name)
    try:
        page.wait_for_selector("span[data-xent-glue='n_train:,d']")
        assert page.text_content("span[data-xent-glue='n_train:,d']") == "2,478"
        page.wait_for_selector("span.xent-resolved[data-xent-cite='cui2019classbalanced']")
        cites = page.eval_on_selector_all(
            "span[data-xent-cite='cui2019classbalanced']", "els => els.map(e => e.textContent)"
        )
        assert cites and set(cites) == {"Cui et al., 2019"}
        assert (
            page.text_content("span[data-xent-ref='ch-cross-entropy-kl']")
            == "4. Cross-entropy and KL divergence"
        )
    finally:
        _close(page, name)


def test_no_page_errors_and_nothing_written(lab_page, fingerprints):
    assert not lab_page.records.page_errors
    assert not lab_page.records.blocked, "the lab stays offline"
    changed = [n for n in CHAPTERS if _sha(ROOT / "notebooks" / n) != fingerprints[n]]
    assert not changed, f"JupyterLab wrote into {changed}"
