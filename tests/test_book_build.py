"""Checks on the built book (_build/html), without a browser.

Run after `make html` (``make test`` builds first); skipped when the book is not built.
The browser tests (tests/browser/) check the same pages rendered in Chromium.
"""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from scripts.book_toc import toc_docs

# Checks on the built book, not unit tests: `make test` runs them after building; `make check` (the fast loop) leaves
# them out, as their ~5 s of CPU would take it past its 60 s budget.
pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
HTML = ROOT / "_build" / "html"

CDN_HOSTS = (
    "cdn.jsdelivr.net",
    "unpkg.com",
    "cdnjs.cloudflare.com",
    "mathjax.org",
    "cdn.mathjax.org",
    "polyfill.io",
    "ajax.googleapis.com",
    "fonts.googleapis.com",
    "fonts.gstatic.com",
    "code.jquery.com",
    "stackpath.bootstrapcdn.com",
    "cdn.plot.ly",
    "requirejs.org",
)

OFFLINE = "_static/offline"
MATHJAX = f"{OFFLINE}/mathjax/tex-chtml.js"
EMBED_AMD = f"{OFFLINE}/html-manager/embed-amd.js"
REQUIRE = f"{OFFLINE}/requirejs/require.js"


DOCS = toc_docs()
CHAPTERS = [d for d in DOCS if d.startswith("notebooks/")]


@pytest.fixture(scope="module")
def html() -> Path:
    if not (HTML / "index.html").exists():
        pytest.skip("the book is not built (_build/html/index.html is missing): run `make html` first")
    return HTML


class _Refs(HTMLParser):
    """Collects src/href of <script>, <link>, <img>, <a> and the text of inline scripts."""

    def __init__(self):
        super().__init__()
        self.scripts: list[str] = []
        self.links: list[str] = []
        self.imgs: list[str] = []
        self.anchors: list[str] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if "id" in a:
            self.ids.add(a["id"])
        if tag == "script" and a.get("src"):
            self.scripts.append(a["src"])
        elif tag == "link" and a.get("href"):
            self.links.append(a["href"])
        elif tag == "img" and a.get("src"):
            self.imgs.append(a["src"])
        elif tag == "a" and a.get("href"):
            self.anchors.append(a["href"])


def parse(path: Path) -> _Refs:
    refs = _Refs()
    refs.feed(path.read_text(encoding="utf8"))
    return refs


def all_pages(html: Path) -> list[Path]:
    return sorted(p for p in html.rglob("*.html") if "_static" not in p.parts and "_sources" not in p.parts)


def test_toc_lists_15_chapters_then_back_matter():
    assert DOCS[0] == "intro"
    assert len(CHAPTERS) == 15
    assert [Path(c).name[:2] for c in CHAPTERS] == [f"{i:02d}" for i in range(1, 16)]
    assert DOCS[-2:] == ["appendix_benchmarks", "references"]
    for doc in DOCS:
        assert (ROOT / f"{doc}.ipynb").exists() or (ROOT / f"{doc}.md").exists(), doc


@pytest.mark.parametrize("doc", DOCS)
def test_every_toc_page_is_built(html, doc):
    assert (html / f"{doc}.html").is_file(), f"{doc}.html is missing from _build/html"


def test_no_page_references_a_cdn(html):
    offenders = []
    for page in all_pages(html):
        text = page.read_text(encoding="utf8")
        for host in CDN_HOSTS:
            if host in text:
                offenders.append(f"{page.relative_to(html)}: {host}")
    assert not offenders, "pages must load nothing from the internet:\n" + "\n".join(offenders)


def test_no_page_loads_an_external_script_or_stylesheet(html):
    offenders = []
    for page in all_pages(html):
        refs = parse(page)
        for url in refs.scripts + refs.links + refs.imgs:
            if urlsplit(url).scheme in ("http", "https") or url.startswith("//"):
                offenders.append(f"{page.relative_to(html)}: {url}")
    assert not offenders, "\n".join(offenders)


@pytest.mark.parametrize(
    "relpath",
    [
        MATHJAX,
        EMBED_AMD,
        REQUIRE,
        f"{OFFLINE}/mathjax/output/chtml/fonts/woff-v2/MathJax_Main-Regular.woff",
        f"{OFFLINE}/mathjax/input/tex/extensions/ams.js",
    ],
)
def test_offline_assets_are_in_the_build(html, relpath):
    path = html / relpath
    assert path.is_file() and path.stat().st_size > 0, (
        f"{relpath} is missing: scripts/build_book.sh copies it"
    )


def test_pages_with_math_load_the_local_mathjax(html):
    with_math = 0
    for page in all_pages(html):
        text = page.read_text(encoding="utf8")
        if 'class="math' not in text:
            continue
        with_math += 1
        scripts = [urlsplit(s).path for s in parse(page).scripts]
        assert any(s.endswith(MATHJAX) for s in scripts), (
            f"{page.relative_to(html)} does not load {MATHJAX}: {scripts}"
        )
    assert with_math >= 1, "no page has math: the intro does, so the math was not rendered"


def test_pages_with_widgets_load_the_local_widget_manager(html):
    for page in all_pages(html):
        text = page.read_text(encoding="utf8")
        if "application/vnd.jupyter.widget-view+json" not in text:
            continue
        assert "application/vnd.jupyter.widget-state+json" in text, (
            f"{page.relative_to(html)}: widget views without state"
        )
        scripts = [urlsplit(s).path for s in parse(page).scripts]
        for needed in (REQUIRE, EMBED_AMD):
            assert any(s.endswith(needed) for s in scripts), (
                f"{page.relative_to(html)} does not load {needed}"
            )


def test_offline_scripts_are_only_the_entry_points(html):
    """Only the three entry points are <script>s; the rest loads on demand.

    Guards against Jupyter Book's habit of adding every .js under a static path
    to every page (see _config.yml and scripts/build_book.sh).
    """
    allowed = {MATHJAX, EMBED_AMD, REQUIRE}
    for page in all_pages(html):
        for src in parse(page).scripts:
            path = urlsplit(src).path
            if "/offline/" in path:
                assert any(path.endswith(a) for a in allowed), f"{page.relative_to(html)} loads {src}"


@pytest.mark.parametrize("doc", CHAPTERS)
def test_chapter_links_its_notebook_for_download(html, doc):
    page = html / f"{doc}.html"
    assert page.is_file(), f"{doc}.html is missing"
    name = Path(doc).name
    hrefs = [
        h
        for h in parse(page).anchors
        if unquote(urlsplit(h).path).endswith(f"_sources/notebooks/{name}.ipynb")
    ]
    assert hrefs, f"{doc}.html has no download link to its .ipynb"
    target = (page.parent / urlsplit(hrefs[0]).path).resolve()
    assert target.is_file(), f"the download link {hrefs[0]} of {doc}.html points at a missing file"
    nb = json.loads(target.read_text(encoding="utf8"))
    assert nb.get("nbformat") == 4 and nb.get("cells"), f"{target} is not a notebook"


def test_internal_links_resolve(html):
    """Every relative link of every page points at an existing file and, if it has one, an existing anchor."""
    problems = []
    ids_cache: dict[Path, set[str]] = {}
    for page in all_pages(html):
        for href in parse(page).anchors:
            parts = urlsplit(href)
            if parts.scheme or href.startswith(("//", "mailto:", "javascript:")):
                continue
            target = page if not parts.path else (page.parent / unquote(parts.path)).resolve()
            if target.is_dir():
                target = target / "index.html"
            if not target.exists():
                problems.append(f"{page.relative_to(html)}: {href} (no such file)")
                continue
            if parts.fragment and target.suffix == ".html":
                if target not in ids_cache:
                    ids_cache[target] = parse(target).ids
                if unquote(parts.fragment) not in ids_cache[target]:
                    problems.append(f"{page.relative_to(html)}: {href} (no such anchor)")
    assert not problems, "\n".join(problems)


def test_local_scripts_stylesheets_and_images_exist(html):
    """Every relative src/href of a <script>, <link> or <img> points at a file of the build."""
    problems = []
    for page in all_pages(html):
        refs = parse(page)
        for url in refs.scripts + refs.links + refs.imgs:
            parts = urlsplit(url)
            if parts.scheme or url.startswith("//") or not parts.path:
                continue
            if not (page.parent / unquote(parts.path)).resolve().is_file():
                problems.append(f"{page.relative_to(html)}: {url}")
    assert not problems, "missing files:\n" + "\n".join(problems)


def test_index_opens_the_intro(html):
    text = (html / "index.html").read_text(encoding="utf8")
    assert "intro.html" in text


def test_bibliography_lists_the_cited_works(html):
    text = (html / "references.html").read_text(encoding="utf8").lower()
    for needle in ("a mathematical theory of communication", "on calibration of modern neural networks"):
        assert needle in text, f"references.html lacks {needle!r}"


def test_bibliography_labels_read_like_the_citations(html):
    """Citations are author-year ("[Guo et al., 2017]"): so are the bibliography's labels."""
    text = (html / "references.html").read_text(encoding="utf8")
    labels = re.findall(r'<span class="label"><span class="fn-bracket">\[</span>(.*?)<span', text)
    assert len(labels) > 40, "no bibliography labels found in references.html"
    numbered = [label for label in labels if label.isdigit()]
    assert not numbered, f"numbered bibliography labels: {numbered[:5]}"
    assert "Guo et al., 2017" in labels and "Delétang et al., 2024" in labels, labels[:8]


def test_no_raw_dollar_math_in_pages(html):
    """Unparsed $...$ math (a missing MyST extension) would reach the page as text."""
    pattern = re.compile(r"(?<![\\$\w])\$[^$\s<>][^$<>]{0,80}\\[a-zA-Z]+[^$<>]*\$")
    problems = []
    for page in all_pages(html):
        text = page.read_text(encoding="utf8")
        # drop code blocks and scripts: a literal dollar there is fine
        text = re.sub(r"<(pre|script|code)\b.*?</\1>", "", text, flags=re.S)
        for m in pattern.finditer(text):
            problems.append(f"{page.relative_to(html)}: {m.group(0)[:60]}")
    assert not problems, "\n".join(problems)


def test_exercises_and_figures_are_numbered_within_their_chapter(html):
    """Chapter 8's third exercise is "Exercise 8.3", not a book-wide "Exercise 37" (book_ext/)."""
    for page in sorted((html / "notebooks").glob("[0-9][0-9]_*.html")):
        chapter = int(page.name[:2])
        text = page.read_text(encoding="utf8")
        text = re.sub(r"<(pre|script|code)\b.*?</\1>", "", text, flags=re.S)
        for kind in ("Exercise", "Fig."):
            found = re.findall(rf"{re.escape(kind)} (\d+(?:\.\d+)?)", text)
            wrong = sorted({n for n in found if not n.startswith(f"{chapter}.")})
            assert not wrong, f"{page.name}: {kind} numbered {wrong} (expected {chapter}.k)"
        numbers = sorted({int(n.split(".")[1]) for n in re.findall(rf"Exercise ({chapter}\.\d+)", text)})
        assert numbers == list(range(1, len(numbers) + 1)), f"{page.name}: exercises {numbers}"
