"""Bibliography labels that match the book's author-year citations.

``{cite}`key``` renders as "[Guo et al., 2017]" (``bibtex_reference_style:
author_year``), but pybtex's formatting styles label the bibliography
"[1]", "[2]", ... . This Sphinx extension registers the formatting style
``xent_author_year``: pybtex's ``plain`` entries, sorted by author, each
labelled as it is cited, "Guo et al., 2017" ("a", "b" appended where two
works would share a label).
"""

from __future__ import annotations

import codecs
from collections import Counter

import latexcodec  # noqa: F401  (registers the "ulatex" codec; a pybtex dependency)
from pybtex.plugin import register_plugin
from pybtex.style.formatting.plain import Style as PlainStyle
from pybtex.style.labels import BaseLabelStyle
from pybtex.style.sorting.author_year_title import SortingStyle


def _surnames(entry) -> str:
    people = entry.persons.get("author") or entry.persons.get("editor") or []
    last = [" ".join(p.prelast_names + p.last_names) for p in people]
    if not last:  # an organisation as author, e.g. {Gemma Team}
        return entry.fields.get("key", entry.fields.get("organization", entry.key))
    if len(last) == 1:
        return last[0]
    if len(last) == 2:
        return f"{last[0]} and {last[1]}"
    return f"{last[0]} et al."


def _clean(text: str) -> str:
    """LaTeX accents decoded (Del\\'etang -> Delétang), braces dropped."""
    return codecs.decode(text, "ulatex").replace("{", "").replace("}", "")


class AuthorYearLabels(BaseLabelStyle):
    """Labels "Surname, year", "A and B, year" or "A et al., year"."""

    def format_labels(self, sorted_entries):
        entries = list(sorted_entries)
        labels = [_clean(f"{_surnames(e)}, {e.fields.get('year', 'n.d.')}") for e in entries]
        count, seen = Counter(labels), Counter()
        for label in labels:
            if count[label] > 1:
                seen[label] += 1
                yield label + "abcdefghijklmnopqrstuvwxyz"[seen[label] - 1]
            else:
                yield label


class AuthorYearSorting(SortingStyle):
    """pybtex's author-year-title order, with braces ignored ({Gemma Team} under G)."""

    def sorting_key(self, entry):
        author, year, title = super().sorting_key(entry)
        return (_clean(author), year, title)


class AuthorYearStyle(PlainStyle):
    default_label_style = "xent_author_year"
    default_sorting_style = "xent_author_year"


register_plugin("pybtex.style.labels", "xent_author_year", AuthorYearLabels)
register_plugin("pybtex.style.sorting", "xent_author_year", AuthorYearSorting)
register_plugin("pybtex.style.formatting", "xent_author_year", AuthorYearStyle)


def setup(app):
    return {"parallel_read_safe": True, "parallel_write_safe": True}
