"""Figures, tables and exercises numbered within their chapter: "Exercise 8.3", "Fig. 11.2".

Sphinx numbers enumerable nodes across the whole book unless the toctree is
section-numbered, and the book's chapters carry their numbers in their titles
("# 8. Class imbalance") instead. After Sphinx has assigned its book-wide
numbers (``env-get-updated``), this extension renumbers each chapter's nodes
1, 2, ... in their order in the chapter, prefixed by the chapter's number taken
from its file name (``notebooks/08_class_imbalance`` -> 8). Pages that are not
numbered chapters (the front matter, the appendix) keep Sphinx's numbers.
Cross-references ({numref}) read the same table, so they stay in step.
"""

from __future__ import annotations

import re

CHAPTER = re.compile(r"^notebooks/(\d+)_")


def renumber(app, env):
    for docname, by_type in env.toc_fignumbers.items():
        m = CHAPTER.match(docname)
        if not m:
            continue
        chapter = int(m.group(1))
        for numbers in by_type.values():
            order = sorted(numbers, key=lambda node_id: numbers[node_id])
            for i, node_id in enumerate(order, start=1):
                numbers[node_id] = (chapter, i)
    return []


def setup(app):
    # priority > 500: after sphinx.environment.collectors.toctree assigns the numbers
    app.connect("env-get-updated", renumber, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
