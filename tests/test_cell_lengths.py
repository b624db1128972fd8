"""Issue 21's targets for the code a reader sees, over every chapter (scripts/cell_stats.py).

Visible code cells (not tagged remove-input, hide-input or remove-cell): median at most 12
non-blank lines, none over 40 without a ``# long cell:`` comment saying why, and no function
defined in two chapters (a helper copied between notebooks belongs in the package).
"""

import json

from scripts import cell_stats


def test_every_chapter_meets_the_cell_targets(capsys):
    assert cell_stats.main([]) == 0, capsys.readouterr().out


def test_the_check_sees_a_long_cell_and_a_copied_helper(tmp_path):
    def notebook(name, *sources):
        cells = [
            {"cell_type": "code", "metadata": {}, "source": s, "outputs": [], "execution_count": None}
            for s in sources
        ]
        path = tmp_path / name
        path.write_text(json.dumps({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}))
        return path

    long_cell = "\n".join(f"x{i} = {i}" for i in range(41))
    a = notebook("01_a.ipynb", "def helper():\n    return 1\n", "y = 1\n")
    b = notebook("02_b.ipynb", "def helper():\n    return 2\n", "z = 2\n")
    c = notebook("03_c.ipynb", long_cell, "w = 3\n")
    assert cell_stats.main([str(a)]) == 0
    assert cell_stats.main([str(a), str(b)]) == 1  # helper() in two chapters
    assert cell_stats.main([str(c)]) == 1  # a 41-line cell without '# long cell:'
    assert cell_stats.main([str(c), "--max-lines", "41", "--median", "21"]) == 0
