"""Self-checking exercises: ``xb.exercises.check(label, answer)``.

Each chapter registers its exercises in ``xent_book/exercises/chNN.py`` (NN the
chapter's two-digit number); :func:`check` finds them all::

    import xent_book as xb
    xb.exercises.check("ex-entropy-1", 1.5)          # a number, within the stated tolerance
    xb.exercises.check("ex-entropy-2", 2)            # a choice: index, letter or option text
    xb.exercises.check("ex-stability-2", my_lse)     # a function, run on every test case

The verdict is "correct" or "not yet" with a hint that does not give the
answer away; a function that still raises NotImplementedError is told so.
In the static page the same exercises are checked by book_assets/xent-exercises.js
against answers that scripts/export_exercises.py computes at build time.

Writing a chapter's exercises
-----------------------------
``xent_book/exercises/chNN.py`` registers them on import::

    from xent_book.exercises._core import choice, function, number

    number("ex-entropy-1", solution=lambda: info.entropy([0.5, 0.25, 0.25], base=2),
           atol=1e-3, hint="Each outcome contributes p log2(1/p).")
    choice("ex-entropy-2", options=("grows", "shrinks", "is unchanged"),
           solution=lambda: 0, hint="...")
    function("ex-stability-2", reference=stability.logsumexp,
             cases=lambda: [((np.array([1000.0, 1000.0]),), {}), ...],
             rtol=1e-12, atol=0.0, page_case=0, hint="...")

Solutions are computed, never typed; the label is the ``{exercise}`` block's
``:label:``; the hint must not give the answer away; the question states the
tolerance. The chapter's exercise block ends with::

    Check it: `xb.exercises.check("ex-entropy-1", answer)` in JupyterLab, or below.

    <div class="xent-check" data-xent-check="ex-entropy-1"></div>

In the page a function exercise asks for the value of the reader's function
at ``cases()[page_case]`` (within ``page_rtol``/``page_atol``, by default four
significant digits). tests/test_exercises.py runs every solution through its
check, a wrong answer and a NotImplementedError stub, and checks that each
chapter has at least two such divs.
"""

from ._core import (
    ChoiceExercise,
    Exercise,
    FunctionExercise,
    NumberExercise,
    Verdict,
    check,
    choice,
    describe,
    export_all,
    function,
    get,
    import_errors,
    labels,
    load_chapters,
    number,
)

__all__ = [
    "check",
    "describe",
    "labels",
    "get",
    "number",
    "choice",
    "function",
    "Verdict",
    "Exercise",
    "NumberExercise",
    "ChoiceExercise",
    "FunctionExercise",
    "load_chapters",
    "import_errors",
    "export_all",
]
