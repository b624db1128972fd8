"""Export the self-checking exercises' answers for the static page (issue 10).

Runs every reference solution in ``xent_book/exercises/chNN.py`` and writes

* ``OUT/xent-exercises.json``: ``{"version": 1, "exercises": {label: {...}}}``
  (kind, chapter, hint, and the answer with its tolerance, the options, or a
  function exercise's page case);
* ``OUT/xent-exercises-data.js``: the same object as ``window.XENT_EXERCISES``,
  which book_assets/xent-exercises.js loads with a <script> tag, so that the
  check also works from file:// pages, with no server.

Called by scripts/build_book.sh with ``--out _offline_static/exercises`` (Sphinx
copies it to ``_build/html/_static/exercises/``). Nobody types an answer: they
all come from running the solutions here.

Usage: python scripts/export_exercises.py [--out DIR]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--out",
        type=Path,
        default=ROOT / "_offline_static" / "exercises",
        help="folder to write into (default: _offline_static/exercises)",
    )
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    from xent_book import exercises

    try:
        data = exercises.export_all(strict=True)
    except Exception as exc:
        print(f"export_exercises: FAILED: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
    text = json.dumps(data, indent=1, sort_keys=True, allow_nan=False, ensure_ascii=False)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "xent-exercises.json").write_text(text + "\n", encoding="utf-8")
    (args.out / "xent-exercises-data.js").write_text(f"window.XENT_EXERCISES = {text};\n", encoding="utf-8")
    n = len(data["exercises"])
    print(
        f"export_exercises: {n} exercise(s) -> {args.out.relative_to(ROOT) if args.out.is_relative_to(ROOT) else args.out}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
