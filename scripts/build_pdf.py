"""Build the PDF edition, _build/pdf/xent-book.pdf, offline (``make pdf``).

1. ``jupyter-book build --builder singlehtml`` writes the whole book as one page
   into _build/pdf/work/_build/singlehtml, with the offline MathJax and widget
   manager that scripts/build_book.sh copied into _offline_static/ (so run
   ``make html`` first; ``make pdf`` does). The config is _config.yml plus this
   file as a Sphinx extension (:func:`setup`), which lets the html node handlers
   of sphinx-proof, sphinx-design and the rest serve the singlehtml builder too.
2. Headless Chromium (Debian's /usr/bin/chromium, driven by Playwright, every
   request outside 127.0.0.1 blocked) opens that page, waits until MathJax has
   typeset every formula, every image has loaded and every widget view has
   rendered from its saved state (the explorers' static views), then adds a
   title page and a table of contents whose entries link to the chapters, and
   prints with the print stylesheet (book_assets/print.css): A4, page numbers
   in the footer, each chapter on a new page, no navigation chrome, working
   links between chapters, solutions opened, and PDF bookmarks (an outline of the
   headings; Chromium builds them only for a tagged PDF, so the final print is
   tagged, which makes it about 1.6x slower; the page-number probe is not).
3. The table of contents shows page numbers: the first print is read back with
   ``pdftotext`` (poppler-utils) to find the page of each chapter title, the
   numbers go into the contents (same width as the placeholders, so nothing
   moves) and the page is printed again.

No LaTeX and no ``pdfhtml`` builder (it downloads its own browser). Checked by
tests/test_pdf.py, which also reads what the page held (_build/pdf/build-report.json:
images, formulas, widget views, each explorer's title, the chapters' ids).
Usage: python scripts/build_pdf.py [--out PATH] [--skip-html]
"""

from __future__ import annotations

import argparse
import functools
import http.server
import json
import re
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

from chromium import CHROMIUM, CHROMIUM_ARGS  # scripts/chromium.py (this script's folder is on sys.path)

ROOT = Path(__file__).resolve().parents[1]
PDF_DIR = ROOT / "_build" / "pdf"
WORK = PDF_DIR / "work"
SINGLE = WORK / "_build" / "singlehtml"
OUT = PDF_DIR / "xent-book.pdf"
LOG_DIR = ROOT / "_build" / "logs"
MATHJAX = ROOT / "_offline_static" / "offline" / "mathjax" / "tex-chtml.js"


# --------------------------------------------------------------------------- Sphinx extension


def _share_html_handlers(app) -> None:
    """Give the singlehtml builder every node handler registered for html.

    Sphinx looks up handlers by builder name first and falls back to the
    format ("html") only when the name has none; sphinx-exercise registers
    ``singlehtml=`` handlers, so without this the nodes of sphinx-proof and the
    others have no visitor in a singlehtml build ("unknown node type").
    """
    if app.builder.name != "singlehtml":
        return
    handlers = app.registry.translation_handlers
    single = handlers.setdefault("singlehtml", {})
    for node, pair in handlers.get("html", {}).items():
        single.setdefault(node, pair)


def _all_widget_state(app, pagename, templatename, context, doctree) -> None:
    """Put every chapter's saved widget state (and the widget manager) into the single page.

    myst-nb adds a notebook's widget state and the manager's scripts to that
    notebook's own page only; the single page is the root document's, so it
    would get none and every widget would stay "Loading widget...". The states
    of all notebooks are merged (model ids are unique) into one script.
    """
    if app.builder.name != "singlehtml":
        return
    from myst_nb.sphinx_ import NbMetadataCollector

    merged: dict = {}
    header: dict = {}
    loaders: list = []
    for docname, data in sorted(NbMetadataCollector.get_doc_data(app.env).items()):
        if docname == pagename:
            continue  # myst-nb added this page's own resources already
        for key, (uri, kwargs) in data.get("js_files", {}).items():
            if key == "ipywidgets_state":
                state = json.loads(kwargs["body"])  # "<\/script>" is a JSON escape of "/"
                header = {k: v for k, v in state.items() if k != "state"}
                merged.update(state.get("state", {}))
            elif key.startswith("ipywidgets_") and not any(u == uri for u, _ in loaders):
                loaders.append((uri, kwargs))
    if not merged:
        return
    body = json.dumps({**header, "state": merged}).replace("</script>", "<\\/script>")
    app.add_js_file(None, type="application/vnd.jupyter.widget-state+json", body=body)
    for uri, kwargs in loaders:
        app.add_js_file(uri, **kwargs)


def setup(app):
    """Sphinx extension used only by the PDF's singlehtml build."""
    app.connect("builder-inited", _share_html_handlers)
    app.connect("html-page-context", _all_widget_state, priority=600)
    return {"parallel_read_safe": True, "parallel_write_safe": True}


# --------------------------------------------------------------------------- helpers


def fail(msg: str) -> None:
    print(f"build_pdf: FAILED: {msg}", file=sys.stderr)
    sys.exit(1)


def step(msg: str) -> None:
    print(f"build_pdf: {msg}", flush=True)


def write_config() -> Path:
    """_config.yml plus this script as a local Sphinx extension; returns its path."""
    import yaml

    config = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
    sphinx = config.setdefault("sphinx", {})
    # local_extensions puts scripts/ on sys.path; the name must also be in
    # sphinx.config.extensions, which replaces Jupyter Book's extension list.
    local = sphinx.setdefault("local_extensions", {})
    # The book's own local extensions (book_ext/) are relative to _config.yml, and this
    # copy lives in _build/pdf/: make their paths absolute.
    for name, where in list(local.items()):
        local[name] = str((ROOT / where).resolve())
    local["build_pdf"] = str(ROOT / "scripts")
    extensions = sphinx.setdefault("config", {}).setdefault("extensions", [])
    if "build_pdf" not in extensions:
        extensions.append("build_pdf")
    path = PDF_DIR / "_config.yml"
    path.write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    return path


def build_singlehtml() -> None:
    if not MATHJAX.exists():
        fail(
            f"{MATHJAX.relative_to(ROOT)} is missing: run `make html` first "
            "(scripts/build_book.sh copies the offline MathJax and widget manager)"
        )
    config = write_config()
    shutil.rmtree(SINGLE, ignore_errors=True)
    LOG_DIR.mkdir(parents=True, exist_ok=True)
    log = LOG_DIR / "pdf-singlehtml.txt"
    cmd = [
        str(ROOT / ".venv" / "bin" / "jupyter-book"),
        "build",
        str(ROOT),
        "--builder",
        "singlehtml",
        "--path-output",
        str(WORK),
        "--config",
        str(config),
        "-n",
        "--keep-going",
    ]
    if not Path(cmd[0]).exists():
        cmd[0] = shutil.which("jupyter-book") or cmd[0]
    run = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    text = re.sub(r"\x1b\[[0-9;]*m", "", run.stdout + run.stderr)
    log.write_text(text, encoding="utf-8")
    if run.returncode != 0 or not (SINGLE / "index.html").exists():
        print("\n".join(text.splitlines()[-25:]), file=sys.stderr)
        fail(f"jupyter-book singlehtml build (log: {log.relative_to(ROOT)})")
    warnings = [ln for ln in text.splitlines() if "WARNING" in ln]
    step(f"singlehtml built ({len(warnings)} warning(s); the html build is the one that fails on warnings)")


# --------------------------------------------------------------------------- printing

# Runs in the page: waits until every image has loaded, MathJax has typeset the
# page and every widget view has rendered from its saved state; returns counts.
READY_JS = r"""
async () => {
  const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
  const out = {};
  document.querySelectorAll('img[loading="lazy"]').forEach((img) => { img.loading = 'eager'; });
  await Promise.all(Array.from(document.images).map((img) => img.complete ? null
    : new Promise((r) => { img.addEventListener('load', r); img.addEventListener('error', r); })));
  out.images = document.images.length;
  out.brokenImages = Array.from(document.images).filter((i) => !i.naturalWidth).map((i) => i.src).slice(0, 5);
  const M = window.MathJax;
  out.mathNodes = document.querySelectorAll('.math').length;
  if (M && M.startup) {
    await M.startup.promise;
    if (M.typesetPromise) { await M.typesetPromise(); }
  }
  out.mjx = document.querySelectorAll('mjx-container').length;
  out.mjxErrors = Array.from(document.querySelectorAll('mjx-merror')).map((e) => e.textContent).slice(0, 5);
  const views = document.querySelectorAll('script[type="application/vnd.jupyter.widget-view+json"]');
  const rendered = () => Array.from(views).filter((s) => {
    const prev = s.previousElementSibling;
    return prev && prev.querySelector('.jupyter-widgets, .widget-box, .widget-html, .lm-Widget')
      && prev.getBoundingClientRect().height > 0;
  }).length;
  const deadline = Date.now() + 60000;
  while (views.length && rendered() < views.length && Date.now() < deadline) { await sleep(200); }
  out.widgets = views.length;
  out.widgetsRendered = rendered();
  // The explorers (anywidget views, xent_book/widgets/static/, mounted from the widget state).
  out.explorers = Array.from(document.querySelectorAll('[data-xent-explorer]:not(script)')).map((e) => ({
    name: e.dataset.xentExplorer,
    title: ((e.querySelector('.xent-live-title') || {}).textContent || '').trim(),
    height: Math.round(e.getBoundingClientRect().height),
  }));
  // Widget labels typeset by MathJax after rendering, then the fonts.
  if (M && M.typesetPromise) { await M.typesetPromise(); }
  await document.fonts.ready;
  return out;
}
"""

# Runs in the page: title page, contents with links, chapter links made
# internal, solution dropdowns opened, light theme.
PREPARE_JS = r"""
(book) => {
  const doc = document;
  doc.documentElement.dataset.theme = 'light';
  doc.documentElement.dataset.mode = 'light';
  // Cross-references point to "intro.html#id" in a singlehtml build: make them internal.
  let links = 0;
  doc.querySelectorAll('a[href]').forEach((a) => {
    const href = a.getAttribute('href');
    const m = href.match(/^(?:\.\/)?intro\.html(#.*)$/);
    if (m) { a.setAttribute('href', m[1]); links++; }
    else if (/^(genindex|search|py-modindex)\.html/.test(href)) { a.removeAttribute('href'); }
  });
  // Solutions: open the dropdowns (sphinx-togglebutton hides them).
  doc.querySelectorAll('.toggle-hidden').forEach((e) => e.classList.remove('toggle-hidden'));
  doc.querySelectorAll('details.toggle-details, .solution details').forEach((d) => { d.open = true; });
  const article = doc.querySelector('article.bd-article') || doc.querySelector('main') || doc.body;
  const el = (tag, cls, text) => { const e = doc.createElement(tag); if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text; return e; };
  // Title page.
  const title = el('section', 'xent-pdf-title');
  title.id = 'xent-pdf-title';
  title.appendChild(el('h1', '', book.title));
  const edition = Array.from(article.querySelectorAll('em')).map((e) => e.textContent).find((t) => /Edition/.test(t));
  if (edition) title.appendChild(el('p', 'xent-pdf-subtitle', edition));
  title.appendChild(el('p', 'xent-pdf-subtitle', book.author));
  title.appendChild(el('p', 'xent-pdf-note', 'The PDF edition of the web book. Each explorer shows its initial view '
    + 'here; in the web page and in JupyterLab it is live, and the exercises check your answers.'));
  // Contents.
  const toc = el('nav', 'xent-pdf-toc');
  toc.id = 'xent-pdf-toc';
  toc.setAttribute('aria-label', 'Contents');
  toc.appendChild(el('h2', '', 'Contents'));
  const found = [];
  const missing = [];
  for (const part of book.parts) {
    if (part.caption) toc.appendChild(el('p', 'xent-pdf-part', part.caption));
    const ol = el('ol');
    for (const docname of part.docs) {
      const anchor = doc.getElementById('document-' + docname);
      // The root page (the introduction) is the page itself: no document- anchor before it.
      const section = anchor ? anchor.nextElementSibling
        : (docname === book.root ? article.querySelector('section') : null);
      const heading = section ? section.querySelector('h1, h2') : null;
      if (!section || !heading) { missing.push(docname); continue; }
      const text = Array.from(heading.childNodes).filter((n) => !(n.classList && n.classList.contains('headerlink')))
        .map((n) => n.textContent).join('').trim();
      const li = el('li');
      const a = el('a', '', text);
      a.href = '#' + section.id;
      li.appendChild(a);
      li.appendChild(el('span', 'xent-pdf-dots'));
      const num = el('span', 'xent-pdf-page', '000');
      num.dataset.doc = docname;
      li.appendChild(num);
      ol.appendChild(li);
      found.push({doc: docname, title: text, id: section.id});
    }
    toc.appendChild(ol);
  }
  article.insertBefore(toc, article.firstChild);
  article.insertBefore(title, toc);
  return {links, chapters: found, missing};
}
"""

SET_PAGES_JS = r"""
(pages) => {
  document.querySelectorAll('.xent-pdf-toc .xent-pdf-page').forEach((e) => {
    const p = pages[e.dataset.doc];
    e.textContent = p ? String(p) : '';
  });
}
"""

# Pass 1 paints only the headings (what pdftotext looks for); layout is unchanged.
PROBE_CSS = "body * { visibility: hidden !important; } h1, h1 *, h2, h2 * { visibility: visible !important; }"

FOOTER = (
    '<div style="font-size:8pt;width:100%;text-align:center;color:#444;'
    'font-family:sans-serif;"><span class="pageNumber"></span></div>'
)


def toc_root() -> str:
    """The root page of _toc.yml (the introduction)."""
    import yaml

    return yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))["root"]


def toc_parts() -> list[dict]:
    """[{caption, docs}] from _toc.yml (jb-book format), the root page (the introduction) first."""
    import yaml

    toc = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
    parts = [{"caption": "", "docs": [toc["root"]]}]

    def walk(entries, out):
        for entry in entries or []:
            if "file" in entry:
                out.append(entry["file"])
            walk(entry.get("sections"), out)

    for part in toc.get("parts", []):
        docs: list[str] = []
        walk(part.get("chapters"), docs)
        parts.append({"caption": part.get("caption", ""), "docs": docs})
    if toc.get("chapters"):
        docs = []
        walk(toc["chapters"], docs)
        parts.append({"caption": "", "docs": docs})
    return parts


def _serve(directory: Path):
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, format, *args):  # the base class's signature
            pass

    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(Quiet, directory=str(directory))
    )
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def pdf_pages_text(path: Path) -> list[str]:
    """The text of each page of a PDF (pdftotext -layout; pages split at form feeds)."""
    exe = shutil.which("pdftotext")
    if exe is None:
        return []
    run = subprocess.run([exe, "-layout", str(path), "-"], capture_output=True, text=True, check=True)
    return run.stdout.split("\f")


def chapter_pages(pages: list[str], chapters: list[dict], after: int) -> dict[str, int]:
    """{doc: 1-based page} where each chapter's title starts a line, in order, after page ``after``."""
    found: dict[str, int] = {}
    start = after
    for ch in chapters:
        words = ch["title"].split()
        pattern = re.compile(r"^\s*" + r"\s+".join(re.escape(w) for w in words) + r"\s*$", re.M)
        for i in range(start, len(pages)):
            if pattern.search(pages[i]):
                found[ch["doc"]] = i + 1
                start = i
                break
    return found


def print_pdf(out: Path) -> dict:
    from playwright.sync_api import sync_playwright

    if not CHROMIUM.exists():
        fail(f"{CHROMIUM} is missing: run `make browsers` (scripts/ensure_chromium.sh)")
    book = yaml_config()
    server = _serve(SINGLE)
    url = f"http://127.0.0.1:{server.server_address[1]}/intro.html"
    blocked: list[str] = []
    errors: list[str] = []
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
            context = browser.new_context(viewport={"width": 1100, "height": 1400}, color_scheme="light")

            def route(route_):
                parts = urlsplit(route_.request.url)
                if parts.scheme in ("data", "blob", "about") or parts.hostname == "127.0.0.1":
                    route_.continue_()
                else:
                    blocked.append(route_.request.url)
                    route_.abort("blockedbyclient")

            context.route("**/*", route)
            page = context.new_page()
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            t0 = time.monotonic()
            page.goto(url, wait_until="load", timeout=120_000)
            page.emulate_media(media="print")
            t1 = time.monotonic()
            ready = page.evaluate(READY_JS)
            step(
                f"page loaded in {t1 - t0:.0f} s, math/images/widgets ready after {time.monotonic() - t1:.0f} s"
            )
            prep = page.evaluate(
                PREPARE_JS,
                {"title": book["title"], "author": book["author"], "parts": toc_parts(), "root": toc_root()},
            )
            if prep["missing"]:
                fail(f"chapters missing from the single-page build: {prep['missing']}")
            options = dict(
                format="A4",
                print_background=True,
                display_header_footer=True,
                header_template="<div></div>",
                footer_template=FOOTER,
                margin={"top": "16mm", "bottom": "18mm", "left": "15mm", "right": "15mm"},
            )
            out.parent.mkdir(parents=True, exist_ok=True)
            # Pass 1, for the contents' page numbers only: the same layout (visibility does
            # not change layout), but only the headings are painted, which is much faster.
            t0 = time.monotonic()
            probe = out.with_name(out.stem + ".pass1.pdf")
            style = page.add_style_tag(content=PROBE_CSS)
            page.pdf(path=str(probe), **options)
            style.evaluate("(el) => el.remove()")
            first = time.monotonic() - t0
            numbers = (
                chapter_pages(pdf_pages_text(probe), prep["chapters"], after=2)
                if shutil.which("pdftotext")
                else {}
            )
            probe.unlink(missing_ok=True)
            step(f"pass 1 (page numbers of {len(numbers)} chapters): {first:.0f} s")
            for _attempt in range(2):
                # Same digits width as the placeholders: the layout does not move.
                page.evaluate(SET_PAGES_JS, {k: str(v) for k, v in numbers.items()})
                t0 = time.monotonic()
                page.pdf(path=str(out), **options, tagged=True, outline=True)
                step(f"print: {time.monotonic() - t0:.0f} s")
                if not numbers:
                    break
                final = chapter_pages(pdf_pages_text(out), prep["chapters"], after=2)
                if final == numbers:
                    break
                step("the page numbers moved; printing again with the final ones")
                numbers = final
            browser.close()
    finally:
        server.shutdown()
        server.server_close()
    report = {k: ready[k] for k in ("images", "mathNodes", "mjx", "widgets", "widgetsRendered", "explorers")}
    report.update(
        chapters=prep["chapters"], links=prep["links"], blocked=sorted(set(blocked)), page_errors=errors
    )
    # The report is written even when a check below fails, so that the PDF can be looked at.
    (out.parent / "build-report.json").write_text(json.dumps(report, indent=1) + "\n", encoding="utf-8")
    if blocked:
        fail(f"the page tried to reach outside 127.0.0.1: {sorted(set(blocked))[:5]}")
    if ready["brokenImages"]:
        fail(f"images did not load: {ready['brokenImages']}")
    if ready["mjxErrors"]:
        fail(f"MathJax errors: {ready['mjxErrors']}")
    if ready["widgets"] != ready["widgetsRendered"]:
        fail(f"only {ready['widgetsRendered']} of {ready['widgets']} widget views rendered")
    flat = [e for e in ready["explorers"] if not e["title"] or e["height"] < 50]
    if flat:
        fail(f"explorer views without a rendered chart: {flat}")
    if errors:
        step(f"warning: page errors: {errors[:3]}")
    return {
        **ready,
        "links": prep["links"],
        "chapters": len(prep["chapters"]),
        "first_print_s": first,
        "toc_pages": len(numbers),
    }


def yaml_config() -> dict:
    import yaml

    config = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
    return {"title": str(config.get("title", "")), "author": str(config.get("author", ""))}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Build _build/pdf/xent-book.pdf offline.")
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--skip-html", action="store_true", help="reuse an existing singlehtml build")
    args = parser.parse_args(argv)
    start = time.monotonic()
    PDF_DIR.mkdir(parents=True, exist_ok=True)
    if not args.skip_html:
        step("jupyter-book build --builder singlehtml ...")
        build_singlehtml()
    step("printing with Chromium (MathJax, figures, widget views) ...")
    info = print_pdf(args.out)
    step(
        f"{info['chapters']} chapters, {info['images']} images, {info['mjx']} formulas, "
        f"{info['widgetsRendered']} widget views, {info['links']} internal links, "
        f"contents page numbers for {info['toc_pages']} chapters"
    )
    step(f"done in {time.monotonic() - start:.0f} s: {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
