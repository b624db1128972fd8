"""The book's pages in table-of-contents order, read from _toc.yml (jb-book format).

Used by scripts/build_book.sh (to check the stored outputs of every chapter)
and by the build and browser tests (to visit every page).
"""

from __future__ import annotations

from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def toc_docs(root: Path = ROOT) -> list[str]:
    """Document names (no suffix) in _toc.yml order, the root page first."""
    toc = yaml.safe_load((root / "_toc.yml").read_text())
    docs = [toc["root"]]

    def walk(entries):
        for entry in entries or []:
            if "file" in entry:
                docs.append(entry["file"])
            walk(entry.get("sections"))

    for part in toc.get("parts", []):
        walk(part.get("chapters"))
    walk(toc.get("chapters"))
    return docs
