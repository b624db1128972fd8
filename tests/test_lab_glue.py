"""The chapters' glue roles, citations and references resolve in JupyterLab (issue 19).

jupyterlab-myst shows ``{glue:text}`key:spec``` as "key:spec"; the plugin ``jupyterlab/xent-glue``
replaces it with the notebook's stored value, formatted as the book does. Here:

* its formatter (JavaScript) against MyST-NB's own ``format_plain_text`` (Python's ``format``)
  on every stored glue value of every chapter with every spec the chapters use, and on a grid of
  edge values (ties, negative zero, subnormals, 1e16, inf, huge ints) and specs (fill, align, sign,
  ``z``, ``#``, ``0``, width, grouping, precision, every type); refusals must agree too;
* every chapter's glue role names a stored glue output and sits outside math and code (KaTeX
  would show it raw there, and no plugin can reach inside a formula);
* every ``{cite}`` key and every ``{ref}`` target in another chapter is in the plugin's index.

The browser test (tests/browser/test_lab_myst.py) opens every chapter in JupyterLab.
"""

from __future__ import annotations

import json
import random
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from myst_nb.core.variables import format_plain_text
from needs import skip_or_fail

from scripts import lab_index

ROOT = Path(__file__).resolve().parents[1]
NODE = shutil.which("node")
RUNNER = ROOT / "tests" / "lab_glue_format.js"
CHAPTERS = lab_index.chapters()
NOTEBOOKS = {p.name: lab_index._notebook(p) for p in CHAPTERS}


def _python(text: str, spec: str) -> str:
    try:
        return format_plain_text(text, spec)
    except (ValueError, TypeError, OverflowError):
        return "ERROR"


def _node(cases: list[tuple[str, str]], tmp_path: Path) -> list[str]:
    if NODE is None:
        skip_or_fail("node is not installed (the lab plugin's formatter is tested with Node)")
    path = tmp_path / "cases.json"
    path.write_text(json.dumps(cases))
    done = subprocess.run(
        [NODE, str(RUNNER), str(path)], capture_output=True, text=True, check=True, timeout=120
    )
    return json.loads(done.stdout)


EDGE_FLOATS = [
    0.0, -0.0, 0.5, 1.5, 2.5, -2.5, 0.125, 0.375, -0.0625, 1 / 3, 2 / 3, 0.1, 0.2, 0.3, 1.0, 10.0, 100.0,
    9.5, 99.5, 0.05, 0.005, 0.0005, 0.045, 1.005, 2.675, 9.9999995, 0.00009999995, 0.0001, 0.00001, 1e-5,
    1.25e-5, 123.456, 1234.5, 12345.678, 123456789.0, 1e15, 1e16, 9999999999999998.0, 1e17, 1.5e300,
    1e308, 1.7976931348623157e308, 5e-324, 2.2250738585072014e-308, 1e-310, -1e-7, -0.0004, 0.99999,
    0.999999, 0.9999995, 999999.5, 4.35, 0.0263, 3.55271e-15, -10.0044, 2**53 + 0.0, 2.0**70,
]  # fmt: skip
EDGE_TEXTS = [
    "7", "-7", "0", "00", "-0", "+5", "- 3", "100000000000000000000", "-123456789012345678901234567890",
    "0x1F", "1_000", "1_000.5", "1.", ".5", "1e5", "1E-3", "inf", "-inf", "nan", "True", "False", "None",
    "'abc'", '"0.25"', "'3'", "np.float64(0.5)", "abc", " 2.5", "2.5 ", "1e400", "-1e400", "007",
]  # fmt: skip
SPECS = [
    "", "s", "d", ",d", "_d", ",", "_", ".0f", ".1f", ".2f", ".3f", ".4f", "+.3f", " .2f", "-.2f", ".0e",
    ".1e", ".2e", ".3E", "e", "E", "f", "F", "g", "G", ".2g", ".3g", ".6G", ".12g", ".17g", "#.3g", "#g",
    ".0%", ".1%", "%", ",.0f", ",.2f", "_.1f", "10.3f", "<10.2f", "^11.1f", "=+12.3f", "*>12,.2f",
    "012.3f", "012,.2f", "015,.1e", "0=8d", "08,d", "09_d", "010,", "#x", "#X", "#b", "#o", "_x", "_b",
    "x", "o", "b", ",x", ".3", ".1", ".0", "#.0f", "#.0e", "#.3", "z.1f", "z.0f", "z.2e", "z+.1f",
    ">8", "<8s", "^9s", ".3s", "+s", "=8s", "n", ".3n", ",n", "zd", ".2d", "#.1%", "+08.2f", " 07.1f",
    ".20f", ".30e", ".25g", "q", "10", "<", "x<12.3f",
]  # fmt: skip


def _cases() -> list[tuple[str, str]]:
    texts = set(EDGE_TEXTS)
    texts |= {repr(x) for x in EDGE_FLOATS} | {repr(-x) for x in EDGE_FLOATS}
    rng = random.Random(19)
    for _ in range(400):
        x = rng.uniform(-1, 1) * 10.0 ** rng.randint(-12, 22)
        texts.add(repr(x))
        texts.add(f"{x:.6g}")  # the way most chapters store a value
        texts.add(str(rng.randint(-(10 ** rng.randint(1, 25)), 10 ** rng.randint(1, 25))))
    for _ in range(200):  # exact ties in binary: k / 2**j, where round-half-even matters
        texts.add(repr(rng.randint(-4000, 4000) / 2 ** rng.randint(1, 12)))
    cases = [(t, s) for t in sorted(texts) for s in SPECS]
    specs = {r.spec for nb in NOTEBOOKS.values() for r in lab_index.glue_roles(nb)}
    for nb in NOTEBOOKS.values():
        for value in lab_index.glue_values(nb).values():
            cases += [(value, s) for s in sorted(specs | {"s", ""})]
    return cases


def test_formatter_is_pythons_format(tmp_path):
    cases = _cases()
    got = _node(cases, tmp_path)
    wrong = [(t, s, p, g) for (t, s), g in zip(cases, got) if (p := _python(t, s)) != g]
    assert len(cases) > 50_000
    assert not wrong, f"{len(wrong)} of {len(cases)} differ (text, spec, Python, JS): {wrong[:15]}"


def test_formatter_formats_a_few_known_values(tmp_path):
    cases = [
        ("0.125", ".2f"),
        ("2.5", ".0f"),
        ("1234567", ",d"),
        ("0.8413", ".0%"),
        ("1e-05", ".1e"),
        ("5", ".3f"),
    ]
    assert _node(cases, tmp_path) == ["0.12", "2", "1,234,567", "84%", "1.0e-05", "5.000"]


@pytest.mark.parametrize("name", sorted(NOTEBOOKS))
def test_every_glue_role_resolves_outside_math_and_code(name):
    nb = NOTEBOOKS[name]
    values = lab_index.glue_values(nb)
    roles = lab_index.glue_roles(nb)
    assert roles, "every chapter glues its numbers"
    for r in roles:
        where = f"{name}, cell {r.cell}: {{{r.role}}}`{r.body}`"
        assert not r.in_math, f"{where} is inside math: KaTeX shows it raw in JupyterLab (and the page)"
        assert not r.in_code, f"{where} is inside a code block"
        assert r.key in values, f"{where}: no stored glue output {r.key!r} (re-execute the chapter)"
        assert lab_index.book_text(r, values)


def test_glue_inside_math_is_found():
    nb = {
        "cells": [{"cell_type": "markdown", "source": "a $S = 2^{{glue:text}`k:d`}$ and {glue:text}`m:.2f`"}]
    }
    roles = lab_index.glue_roles(nb)
    assert [(r.key, r.spec, r.in_math) for r in roles] == [("k", "d", True), ("m", ".2f", False)]


def test_glue_in_a_code_block_is_not_prose_but_a_directive_body_is():
    source = (
        "```{exercise}\n{glue:text}`a:.1f`\n```\n\n```python\n{glue:text}`b`\n```\n\nthen {glue:text}`c`\n"
    )
    roles = lab_index.glue_roles({"cells": [{"cell_type": "markdown", "source": source}]})
    assert [(r.key, r.in_code) for r in roles] == [("a", False), ("b", True), ("c", False)]


INDEX = lab_index.index()


def _role_targets(role: str) -> set[tuple[str, str]]:
    out = set()
    for name, nb in NOTEBOOKS.items():
        for cell in nb["cells"]:
            if cell["cell_type"] == "markdown":
                for m in re.finditer(r"\{" + role + r"\}`([^`]+)`", lab_index._text(cell["source"])):
                    out |= {(name, k.strip()) for k in m.group(1).split(",")}
    return out


def test_every_citation_has_the_books_label():
    cites = _role_targets("cite")
    assert len(cites) > 50
    missing = sorted(k for _, k in cites if k not in INDEX["citations"])
    assert not missing, f"{{cite}} keys not in references.bib: {missing}"
    assert INDEX["citations"]["cui2019classbalanced"]["label"] == "Cui et al., 2019"
    assert all(c["label"] and c["title"] for c in INDEX["citations"].values())


def test_every_reference_to_a_heading_in_another_chapter_is_in_the_index():
    local = {}
    for name, nb in NOTEBOOKS.items():
        text = "\n".join(lab_index._text(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown")
        local[name] = set(re.findall(r"^\(([^)]+)\)=", text, re.M)) | set(
            re.findall(r":label:\s*(\S+)", text)
        )
    refs = _role_targets("ref")
    assert len(refs) > 50
    missing = sorted(
        (name, k) for name, k in refs if k not in INDEX["labels"] and k not in local[name] and "<" not in k
    )
    assert not missing, f"{{ref}} targets the lab index cannot name: {missing}"
    assert INDEX["labels"]["ch-cross-entropy-kl"] == "4. Cross-entropy and KL divergence"


def test_install_puts_the_extension_and_its_index_where_jupyterlab_finds_it(tmp_path):
    dest = lab_index.install(tmp_path)
    pkg = json.loads((dest / "package.json").read_text())
    assert pkg["name"] == "xent-glue" and dest.name == "xent-glue"
    assert (dest / pkg["jupyterlab"]["_build"]["load"]).is_file()
    assert json.loads((dest / "static" / "index.json").read_text()) == json.loads(json.dumps(INDEX))
    mtime = (dest / "static" / "index.json").stat().st_mtime_ns
    lab_index.install(tmp_path)  # unchanged: not rewritten
    assert (dest / "static" / "index.json").stat().st_mtime_ns == mtime


def test_lab_setup_installs_the_plugin():
    sh = (ROOT / "scripts" / "install_lab_settings.sh").read_text()
    assert "scripts/lab_index.py" in sh and "--install" in sh


def test_lab_setup_turns_the_cell_toolbar_off(tmp_path):
    """jupyterlab-myst's markdown cells have no ``renderedInput``: JupyterLab's cell toolbar throws on them.

    ``install_lab_settings.sh`` installs ``jupyterlab/page_config.json``, which disables the cell
    toolbar's plugin, where JupyterLab reads it (``PREFIX/etc/jupyter/labconfig``); the browser tests'
    lab fixtures do the same and fail on any page error.
    """
    subprocess.run(["bash", str(ROOT / "scripts" / "install_lab_settings.sh"), str(tmp_path)], check=True)
    installed = json.loads((tmp_path / "etc" / "jupyter" / "labconfig" / "page_config.json").read_text())
    assert installed == json.loads((ROOT / "jupyterlab" / "page_config.json").read_text())
    assert installed["disabledExtensions"] == {"@jupyterlab/cell-toolbar-extension:plugin": True}
    assert (tmp_path / "share" / "jupyter" / "lab" / "settings" / "overrides.json").is_file()


def test_figure_numbers_in_the_lab_are_the_books():
    """The lab index numbers each figure as the built book does (``{numref}`` shows "Fig. 15.3").

    Read from every figure caption of the built pages: ``<span class="caption-number">Fig. 15.3
    </span>`` inside the figure whose id is the figure's name.
    """
    html = ROOT / "_build" / "html" / "notebooks"
    if not html.is_dir():
        skip_or_fail("the book is not built (_build/html is missing): run `make html` first")
    book = {}
    figure = re.compile(
        r'<figure[^>]*\bid="([^"]+)"[^>]*>.*?<span class="caption-number">(Fig\. [\d.]+?)\.?\s*</span>', re.S
    )
    for page in sorted(html.glob("[0-9][0-9]_*.html")):
        for name, number in figure.findall(page.read_text(encoding="utf-8")):
            book[name] = number
    assert book, "no numbered figure found in the built chapters"
    assert lab_index.figures() == book
