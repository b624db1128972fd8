"""What JupyterLab needs to show a chapter as the book does (issue 19), and its installation.

jupyterlab-myst renders MyST in JupyterLab, but three things it cannot know:

* the ``{glue:text}`` numbers: the notebook's own stored glue outputs hold them; the plugin
  ``jupyterlab/xent-glue`` reads them from the open notebook, live, and formats them as MyST-NB
  does (:func:`myst_nb.core.variables.format_plain_text`);
* ``{cite}`` keys: the book labels them "Cui et al., 2019" from ``references.bib``;
* ``{ref}`` targets in another chapter: the book shows the target's heading; and ``{numref}``
  targets, the chapters' figures, which the book numbers "Fig. 15.3".

This script writes the last two into ``index.json`` beside the plugin, and installs the plugin
into an environment's ``share/jupyter/labextensions`` (``scripts/install_lab_settings.sh`` and
the browser tests' ``install_lab_settings`` call :func:`install`). It is also the reference the
tests read: :func:`glue_roles` lists every glue role of a chapter with the text the book shows
for it.

Usage: python scripts/lab_index.py [--install PREFIX] [--check]
  --install PREFIX  copy jupyterlab/xent-glue and its index into PREFIX (default: .venv)
  --check           list, per chapter, the glue roles and whether each resolves
"""

from __future__ import annotations

import argparse
import filecmp
import json
import re
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
EXTENSION = ROOT / "jupyterlab" / "xent-glue"
NAME = "xent-glue"
GLUE_PREFIX = "application/papermill.record/"

#: ``{glue:text}`key:spec``` and its short forms, as MyST writes a role.
GLUE_ROLE = re.compile(r"\{(glue(?::(?:text|any))?)\}`([^`]+)`")
LABEL = re.compile(r"^\(([A-Za-z0-9_.:\-]+)\)=\s*$")
HEADING = re.compile(r"^#{1,6}\s+(.+?)\s*$")


def chapters() -> list[Path]:
    return sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))


def _text(source) -> str:
    return "".join(source) if isinstance(source, list) else source


def _notebook(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def glue_values(nb: dict) -> dict[str, str]:
    """``{name: text/plain}`` of every glue output, as MyST-NB reads them (the last one wins)."""
    values = {}
    for cell in nb["cells"]:
        if cell["cell_type"] != "code":
            continue
        for out in cell.get("outputs", []):
            scrapbook = out.get("metadata", {}).get("scrapbook")
            if not scrapbook or "name" not in scrapbook:
                continue
            text = out.get("data", {}).get(scrapbook.get("mime_prefix", "") + "text/plain")
            if text is not None:
                values[scrapbook["name"]] = _text(text)
    return values


@dataclass(frozen=True)
class GlueRole:
    cell: int  # index of the markdown cell
    role: str  # glue, glue:any or glue:text
    body: str  # what jupyterlab-myst shows in its place: "key:spec"
    key: str
    spec: str
    in_math: bool  # inside $...$ / $$...$$: KaTeX shows it raw, no plugin can reach it
    in_code: bool  # inside `code` or a code block: not a role at all


def _code_lines(lines: list[str]) -> set[int]:
    """Indices of the lines inside fenced code blocks (```{directive} bodies are markdown)."""
    stack, code = [], set()
    for i, line in enumerate(lines):
        m = re.match(r"^\s*(`{3,}|~{3,})\s*(.*)$", line)
        if stack and stack[-1][2] == "code":
            fence, _, _ = stack[-1]
            if m and not m.group(2) and m.group(1)[0] == fence[0] and len(m.group(1)) >= len(fence):
                stack.pop()
            else:
                code.add(i)
            continue
        if not m:
            continue
        if not m.group(2) and stack and m.group(1)[0] == stack[-1][0][0]:
            stack.pop()
        else:
            stack.append((m.group(1), i, "directive" if m.group(2).startswith("{") else "code"))
    return code


def _math_spans(text: str) -> list[tuple[int, int]]:
    display = [m.span() for m in re.finditer(r"\$\$.+?\$\$", text, re.S)]
    inline = [
        m.span()
        for m in re.finditer(r"(?<!\$)\$(?!\$)[^$\n]+?\$", text)
        if not any(a <= m.start() < b for a, b in display)
    ]
    return display + inline


def glue_roles(nb: dict) -> list[GlueRole]:
    """Every glue role in the markdown cells of ``nb``, in order."""
    roles = []
    for i, cell in enumerate(nb["cells"]):
        if cell["cell_type"] != "markdown":
            continue
        text = _text(cell["source"])
        code = _code_lines(text.splitlines())
        math = _math_spans(text)
        for m in GLUE_ROLE.finditer(text):
            role, body = m.group(1), m.group(2)
            if role == "glue:text" and ":" in body:
                key, _, spec = body.rpartition(":")
            else:
                key, spec = body, "s"
            roles.append(
                GlueRole(
                    cell=i,
                    role=role,
                    body=body,
                    key=key,
                    spec=spec,
                    in_math=any(a <= m.start() < b for a, b in math),
                    in_code=text.count("\n", 0, m.start()) in code,
                )
            )
    return roles


def book_text(role: GlueRole, values: dict[str, str]) -> str:
    """The text the book shows for ``role`` (MyST-NB's own formatting)."""
    from myst_nb.core.variables import format_plain_text

    if role.key not in values:
        raise KeyError(f"no glue output named {role.key!r}")
    if role.role != "glue:text":
        return values[role.key]
    return format_plain_text(values[role.key], role.spec)


# --------------------------------------------------------------------------- the index


def _heading_after(lines: list[str], i: int) -> str | None:
    for line in lines[i + 1 :]:
        if not line.strip():
            continue
        m = HEADING.match(line)
        return _plain(m.group(1)) if m else None
    return None


def _plain(heading: str) -> str:
    """A heading as the book's cross-references show it: emphasis and code marks dropped."""
    text = re.sub(r"`([^`]*)`", r"\1", heading)
    return re.sub(r"(\*\*|__|\*|_)(\S.*?\S|\S)\1", r"\2", text)


def labels() -> dict[str, str]:
    """``{label: heading}`` for every ``(label)=`` before a heading in the chapters and pages."""
    out = {}
    sources = [
        (p, [_text(c["source"]) for c in _notebook(p)["cells"] if c["cell_type"] == "markdown"])
        for p in chapters()
    ]
    sources += [(p, [p.read_text(encoding="utf-8")]) for p in sorted(ROOT.glob("*.md"))]
    for _, texts in sources:
        for text in texts:
            lines = text.splitlines()
            for i, line in enumerate(lines):
                m = LABEL.match(line)
                if m:
                    heading = _heading_after(lines, i)
                    if heading:
                        out[m.group(1)] = heading
    return out


def citations() -> dict[str, dict[str, str]]:
    """``{key: {"label": "Cui et al., 2019", "title": the reference}}`` from references.bib."""
    sys.path.insert(0, str(ROOT))
    from pybtex.database import parse_file
    from pybtex.plugin import find_plugin

    from book_ext import xent_bibstyle

    bib = parse_file(str(ROOT / "references.bib"))
    style = find_plugin("pybtex.style.formatting", "xent_author_year")()
    out = {}
    for entry in style.format_entries(bib.entries.values()):
        source = bib.entries[entry.key]
        label = xent_bibstyle._clean(
            f"{xent_bibstyle._surnames(source)}, {source.fields.get('year', 'n.d.')}"
        )
        out[entry.key] = {"label": label, "title": entry.text.render_as("text")}
    return out


def figures() -> dict[str, str]:
    """``{name: "Fig. 15.3"}`` for every named figure of the chapters, as the book numbers them.

    The chapters' figures are code cells with ``mystnb.figure`` metadata (a name and a caption);
    ``book_ext/xent_numbering.py`` numbers them 1, 2, ... in their order in the chapter, after
    the chapter's number from its file name, and Sphinx's ``numfig_format`` writes "Fig. %s".
    """
    out = {}
    for path in chapters():
        chapter = int(path.name[:2])
        k = 0
        for cell in _notebook(path)["cells"]:
            figure = cell.get("metadata", {}).get("mystnb", {}).get("figure")
            if cell["cell_type"] == "code" and figure and figure.get("name"):
                k += 1
                out[figure["name"]] = f"Fig. {chapter}.{k}"
    return out


def index() -> dict:
    """What the plugin reads: ``labels`` (headings, and figures for ``{numref}``) and ``citations``."""
    return {"labels": {**labels(), **figures()}, "citations": citations()}


def install(prefix: Path | str | None = None) -> Path:
    """Copy the plugin into ``PREFIX/share/jupyter/labextensions/xent-glue`` with a fresh index."""
    prefix = Path(prefix) if prefix is not None else Path(sys.prefix)
    dest = prefix / "share" / "jupyter" / "labextensions" / NAME
    for src in EXTENSION.rglob("*"):
        if src.is_file():
            target = dest / src.relative_to(EXTENSION)
            target.parent.mkdir(parents=True, exist_ok=True)
            if not target.exists() or not filecmp.cmp(src, target, shallow=False):
                shutil.copyfile(src, target)
    data = json.dumps(index(), indent=1, sort_keys=True, ensure_ascii=False) + "\n"
    target = dest / "static" / "index.json"
    if not target.exists() or target.read_text(encoding="utf-8") != data:
        target.write_text(data, encoding="utf-8")
    return dest


def check() -> int:
    bad = 0
    for path in chapters():
        nb = _notebook(path)
        values = glue_values(nb)
        roles = glue_roles(nb)
        problems = []
        for r in roles:
            if r.in_math or r.in_code:
                problems.append(
                    f"cell {r.cell}: {{{r.role}}}`{r.body}` inside {'math' if r.in_math else 'code'}"
                )
                continue
            try:
                book_text(r, values)
            except Exception as exc:
                problems.append(f"cell {r.cell}: {{{r.role}}}`{r.body}`: {exc}")
        print(f"{path.name}: {len(roles)} glue roles, {len(values)} glue outputs, {len(problems)} problems")
        for p in problems:
            print("    " + p)
        bad += len(problems)
    return 1 if bad else 0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--install", metavar="PREFIX", nargs="?", const=str(ROOT / ".venv"))
    ap.add_argument("--check", action="store_true")
    args = ap.parse_args(argv)
    if args.install:
        print(f"lab_index: installed {install(args.install)}")
    if args.check or not args.install:
        return check()
    return 0


if __name__ == "__main__":
    sys.exit(main())
