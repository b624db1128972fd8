"""The PDF edition, _build/pdf/xent-book.pdf (``make pdf``, scripts/build_pdf.py).

Read back with poppler-utils (pdftotext, pdfinfo, pdfimages, pdftoppm):
every chapter title is present, starts a page, and is listed in the contents
with its right page number and a working link; no raw TeX survives; page
numbers in the footer; no navigation chrome; every figure and every explorer's
static view is there; long code lines wrap instead of being cut off. A few
pages are rendered to PNG under artifacts/pdf/ for a human to look at.

``make test`` builds the PDF once before the tests (Makefile: test depends on
pdf). Skipped, with the command to run, when the PDF or poppler is missing.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from functools import cache
from pathlib import Path

import pytest
from needs import skip_or_fail

from scripts.book_toc import toc_docs

# Checks on the built PDF, not unit tests: `make test` runs them after `make pdf`; `make check` leaves them out.
pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
PDF = ROOT / "_build" / "pdf" / "xent-book.pdf"
SINGLE = ROOT / "_build" / "pdf" / "work" / "_build" / "singlehtml" / "intro.html"
ARTIFACTS = ROOT / "artifacts" / "pdf"
DOCS = toc_docs()  # the root page (the introduction) first: every page is listed in the contents


def _tool(name: str) -> str:
    exe = shutil.which(name)
    if exe is None:
        skip_or_fail(
            f"{name} is missing: run `make browsers` (scripts/ensure_poppler.sh installs poppler-utils)"
        )
    return exe


@pytest.fixture(scope="module")
def pdf() -> Path:
    if not PDF.exists():
        skip_or_fail("the PDF is not built (_build/pdf/xent-book.pdf is missing): run `make pdf`")
    return PDF


@cache
def _pages(path: Path) -> list[str]:
    out = subprocess.run(
        [_tool("pdftotext"), "-layout", str(path), "-"], capture_output=True, text=True, check=True
    )
    pages = out.stdout.split("\f")
    if pages and not pages[-1].strip():
        pages = pages[:-1]
    return pages


@pytest.fixture(scope="module")
def pages(pdf) -> list[str]:
    return _pages(pdf)


def _title(doc: str) -> str:
    """The page's title from its source: the first '# ' heading."""
    path = ROOT / f"{doc}.ipynb"
    if path.exists():
        nb = json.loads(path.read_text(encoding="utf-8"))
        text = "\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown")
    else:
        text = (ROOT / f"{doc}.md").read_text(encoding="utf-8")
    m = re.search(r"^# (.+)$", text, re.M)
    assert m, f"{doc} has no '# ' title"
    return re.sub(r"[`*]", "", m.group(1)).strip()


def _line_re(title: str) -> re.Pattern:
    return re.compile(r"^\s*" + r"\s+".join(re.escape(w) for w in title.split()) + r"\s*$", re.M)


def _flat(text: str) -> str:
    return re.sub(r"\s+", "", text)


def test_pdf_is_a4_with_plausible_page_count(pdf, pages):
    info = subprocess.run([_tool("pdfinfo"), str(pdf)], capture_output=True, text=True, check=True).stdout
    assert "(A4)" in info
    n = int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))
    assert n == len(pages)
    # title page + contents + each chapter on its own page(s); a chapter is < 40 pages
    assert len(DOCS) + 2 <= n <= 40 * len(DOCS), n


def test_title_page_and_contents(pages):
    assert "Cross-Entropy, Exactly" in pages[0]
    assert "Contents" in pages[1]


@pytest.mark.parametrize("doc", DOCS)
def test_chapter_starts_a_page_listed_in_the_contents(pages, doc):
    title = _title(doc)
    pattern = _line_re(title)
    starts = [
        i for i, p in enumerate(pages) if i > 1 and pattern.search("\n".join(p.strip("\n").splitlines()[:3]))
    ]
    assert starts, f"{title!r} starts no page of the PDF"
    # the contents (pages 2..) list the title with the page number where the chapter starts
    toc = "\n".join(pages[1:3])
    m = re.search(r"^\s*" + r"\s+".join(re.escape(w) for w in title.split()) + r"[\s.]*?(\d+)\s*$", toc, re.M)
    assert m, f"{title!r} is not in the contents with a page number"
    assert int(m.group(1)) - 1 in starts, (
        f"contents say page {m.group(1)} for {title!r}; it starts on {[s + 1 for s in starts]}"
    )


def test_page_numbers_in_the_footer(pages):
    numbered = sum(
        1
        for i, p in enumerate(pages)
        if [ln.strip() for ln in p.splitlines() if ln.strip()][-1:] == [str(i + 1)]
    )
    assert numbered >= 0.95 * len(pages), f"{numbered} of {len(pages)} pages end with their page number"


HIDDEN_INPUT = {"remove-input", "remove-cell", "hide-input"}


def _code_lines(visible_only: bool = False) -> set[str]:
    """Lines of the chapters' code cells (``visible_only``: those the PDF prints)."""
    lines = set()
    for doc in DOCS:
        path = ROOT / f"{doc}.ipynb"
        if path.exists():
            nb = json.loads(path.read_text(encoding="utf-8"))
            for c in nb["cells"]:
                hidden = HIDDEN_INPUT & set(c.get("metadata", {}).get("tags", []))
                if c["cell_type"] == "code" and not (visible_only and hidden):
                    lines.update(_flat(ln) for ln in "".join(c["source"]).splitlines())
    return lines


def test_no_raw_tex(pages):
    code = _code_lines()
    bad = []
    for i, page in enumerate(pages):
        for line in page.splitlines():
            if re.search(r"\\frac|\\begin|\\end\{|\$\$|\\\(|\\\[|\\mathbf|\\sum|\\log\b", line):
                if _flat(line) not in code:  # TeX inside a printed code cell is code, not math
                    bad.append(f"page {i + 1}: {line.strip()[:80]}")
    assert not bad, "raw TeX in the PDF:\n" + "\n".join(bad[:10])


def test_no_navigation_chrome_or_unrendered_widgets(pages):
    text = "\n".join(pages)
    for chrome in (
        "Search this book",
        "Skip to main content",
        "Built offline: math",
        "Back to top",
        "Loading widget",
        "Error displaying widget",
        "Show code cell",
        "Ctrl+K",
        "previous\n",
    ):
        assert chrome not in text, chrome


def test_every_figure_and_explorer_view(pdf, pages):
    html = SINGLE.read_text(encoding="utf-8")
    n_img = len(re.findall(r"<img\s", html))
    listing = subprocess.run(
        [_tool("pdfimages"), "-list", str(pdf)], capture_output=True, text=True, check=True
    ).stdout
    n_pdf = sum(1 for ln in listing.splitlines()[2:] if ln.split()[2:3] == ["image"])
    assert n_img > 0 and n_pdf >= n_img, (n_img, n_pdf)
    text = _flat("\n".join(pages))
    captions = re.findall(r'<figcaption>\s*<p><span class="caption-text">(.*?)</span>', html, re.S)
    for cap in captions:
        plain = re.sub(r"<[^>]+>", "", cap)
        words = _flat(re.sub(r"&[a-z]+;|&#\d+;", "", plain))[:40]
        if "\\" not in words and "$" not in words:
            assert words in text, f"figure caption not in the PDF: {plain[:60]!r}"
    # each explorer's static view: the build recorded each explorer's rendered title; it is in the PDF
    report = json.loads((PDF.parent / "build-report.json").read_text(encoding="utf-8"))
    containers = len(re.findall(r'<(?!script)[a-z]+[^>]*data-xent-explorer="', html))
    # the anywidget explorers (xent_book/widgets/static/) are drawn from the saved widget state
    anywidgets = len(re.findall(r'"_anywidget_id":', html))
    assert len(report["explorers"]) == containers + anywidgets > 0
    for ex in report["explorers"]:
        assert ex["title"] and _flat(ex["title"]) in text, f"explorer view missing from the PDF: {ex}"
    assert report["widgets"] == report["widgetsRendered"]
    assert report["mjx"] >= report["mathNodes"] > 0


def test_long_code_lines_wrap(pages):
    text = _flat("\n".join(pages))
    longest = sorted((ln for ln in _code_lines(visible_only=True) if len(ln) > 90), key=len, reverse=True)[
        :15
    ]
    missing = [ln[-25:] for ln in longest if ln[-25:] not in text]
    assert not missing, f"ends of long code lines missing (cut off?): {missing}"


def test_internal_links_between_chapters(pdf):
    raw = pdf.read_bytes()
    link_dests = {m.decode() for m in re.findall(rb"/Subtype /Link[^>]*?/Dest /([^\s/>\]]+)", raw)}
    dests = subprocess.run(
        [_tool("pdfinfo"), "-dests", str(pdf)], capture_output=True, text=True, check=True
    ).stdout
    named = set(re.findall(r'"([^"]*)"\s*$', dests, re.M))
    html = SINGLE.read_text(encoding="utf-8")
    chapter_ids = []
    for doc in DOCS[1:]:  # the root page is the page itself: no document- anchor before it
        m = re.search(r'<span id="document-' + re.escape(doc) + r'"></span><section[^>]*id="([^"]+)"', html)
        assert m, f"{doc} is not in the single-page build"
        chapter_ids.append(m.group(1))
    decode = lambda s: re.sub(r"#([0-9A-Fa-f]{2})", lambda h: chr(int(h.group(1), 16)), s)
    link_dests = {decode(d) for d in link_dests}
    for cid in chapter_ids:
        assert cid in named, f"no PDF destination for chapter {cid!r}"
        assert cid in link_dests, f"no link in the PDF leads to chapter {cid!r}"
    # cross-references in the text ("see chapter 7") are links inside the PDF, not to a web page
    article = html.split("<article", 1)[-1]
    refs = set(re.findall(r'<a class="reference internal" href="(?:intro\.html)?#([^"]+)"', article))
    refs = {r for r in refs if not r.startswith("document-")}
    assert refs, "the single-page build has no internal cross-references"
    missing = sorted(refs - link_dests - {"main-content"})
    assert not missing, f"cross-references that are no link in the PDF: {missing[:10]}"
    assert b"/URI (intro.html" not in raw and b"/URI (http://127.0.0.1" not in raw
    dangling = sorted(d for d in link_dests if d not in named)
    assert not dangling, f"links to missing destinations: {dangling[:10]}"


def test_render_pages_to_png(pdf, pages):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for old in ARTIFACTS.glob("page-*.png"):
        old.unlink()
    first_figure = next((i + 1 for i, p in enumerate(pages) if i > 2 and re.search(r"\bFig\. \d+", p)), 3)
    picks = sorted({1, 2, 3, first_figure, len(pages)})
    pdftoppm = _tool("pdftoppm")
    from PIL import Image

    coloured_pages = 0
    for n in picks:
        subprocess.run(
            [
                pdftoppm,
                "-r",
                "50",
                "-png",
                "-f",
                str(n),
                "-l",
                str(n),
                str(pdf),
                str(ARTIFACTS / f"page-{n:03d}"),
            ],
            check=True,
        )
        png = next(ARTIFACTS.glob(f"page-{n:03d}*.png"))
        import numpy as np

        px = np.asarray(Image.open(png).convert("RGB"), dtype=np.int64).reshape(-1, 3)
        # ink: visibly darker than paper (at 50 dpi a short last page of text is grey, not black;
        # the page number alone is a few dozen such pixels)
        assert (px.sum(axis=1) < 600).sum() > 200, f"page {n} looks blank ({png})"
        coloured_pages += bool(((px.max(axis=1) - px.min(axis=1)) > 80).any())
    assert coloured_pages, "no rendered page has colour (figures in the Okabe-Ito palette)"


def test_pdf_has_bookmarks_for_the_chapters(pdf):
    """The final print is tagged with an outline: a reader's PDF viewer shows bookmarks."""
    raw = pdf.read_bytes()
    assert b"/Outlines" in raw and b"/StructTreeRoot" in raw
    # the outline's entries are the headings: at least one per listed page
    assert raw.count(b"/Parent") >= len(DOCS)


def test_anywidget_explorers_print_once_as_a_picture(pdf, pages):
    """An anywidget explorer prints once: its title, chart and readouts, without its sliders, value
    boxes, Reset button or screen-reader sentence (book_assets/print.css). Every explorer is an
    anywidget (issue 18)."""
    report = json.loads((PDF.parent / "build-report.json").read_text(encoding="utf-8"))
    titles = [ex["title"] for ex in report["explorers"]]
    assert len(titles) == 8, report["explorers"]  # chapters 2, 3, 4, 5, 7, 8, 10 and 15
    lines = [ln.strip() for ln in "\n".join(pages).splitlines()]
    for title in titles:
        where = [i for i, ln in enumerate(lines) if ln == title]
        assert len(where) == 1, f"{title!r} printed {len(where)} times"
        after = lines[where[0] : where[0] + 80]
        # the explorer's own lines: up to the chapter's next paragraph about it
        after = after[: next((i for i, ln in enumerate(after) if ln.startswith("The explorer")), len(after))]
        assert "Reset" not in after, f"{title!r}: the Reset button is printed"
        assert not any("type a value" in ln or re.match(r"(Loss|ECE) \d", ln) for ln in after), (
            f"{title!r}: a control or the screen-reader sentence is printed"
        )
        assert any("=" in ln for ln in after), f"{title!r}: no readouts printed"
