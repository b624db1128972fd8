"""The self-checking exercises' registry, lookup and export.

Chapter modules (``xent_book/exercises/chNN.py``) register their exercises on
import with :func:`number`, :func:`choice` and :func:`function`; the reader
calls :func:`check` (``xb.exercises.check(label, answer)``), which finds every
chapter module itself. ``scripts/export_exercises.py`` runs every reference
solution at build time (:func:`export_all`) so that the static page can check
answers offline. The kinds of exercise and their verdicts are in
:mod:`xent_book.exercises._kinds`. How a chapter writes its exercises: see the
docstring of ``xent_book/exercises/__init__.py``.

Answers are never typed: a number's ``solution`` and a choice's ``solution``
are functions that compute the answer, a function exercise's ``reference`` is
the package's implementation.
"""

from __future__ import annotations

import difflib
import importlib
import inspect
import pkgutil
import re
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from .._validation import check_positive
from ._kinds import (
    _CHAPTER_MODULE_RE,
    FUNCTION_ATOL,
    FUNCTION_RTOL,
    PAGE_ATOL,
    PAGE_RTOL,
    ChoiceExercise,
    Exercise,
    FunctionExercise,
    NumberExercise,
    Verdict,
    _short,
    _tol_words,
)

__all__ = [
    "Exercise",
    "NumberExercise",
    "ChoiceExercise",
    "FunctionExercise",
    "Verdict",
    "number",
    "choice",
    "function",
    "check",
    "get",
    "labels",
    "describe",
    "load_chapters",
    "import_errors",
    "export_all",
]

_LABEL_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:-]*$")

# --------------------------------------------------------------------------- registry

_REGISTRY: dict[str, Exercise] = {}
_IMPORT_ERRORS: dict[str, str] = {}
_LOADED = False


def _caller_module() -> str:
    frame = inspect.currentframe()
    try:
        f = frame.f_back.f_back  # the caller of number()/choice()/function()
        while f is not None and f.f_globals.get("__name__") == __name__:
            f = f.f_back
        return f.f_globals.get("__name__", "__main__") if f is not None else "__main__"
    finally:
        del frame


def _check_label(label: Any) -> str:
    if not isinstance(label, str) or not _LABEL_RE.match(label):
        raise ValueError(
            f"label must be the exercise block's :label: (letters, digits, '-', e.g. 'ex-entropy-1'), got {label!r}"
        )
    return label


def _check_hint(label: str, hint: Any) -> str:
    if not isinstance(hint, str) or not hint.strip():
        raise ValueError(
            f"hint of {label!r} must be a non-empty string (a nudge that does not give the answer away)"
        )
    return hint.strip()


def _check_callable(label: str, name: str, value: Any, why: str) -> Callable:
    if not callable(value):
        raise TypeError(f"{name}= of {label!r} must be a function ({why}), got {_short(value)}")
    return value


def _check_tol(label: str, name: str, value: Any) -> float:
    return check_positive(value, f"{name}= of {label!r}", allow_zero=True)


def _register(ex: Exercise) -> Exercise:
    old = _REGISTRY.get(ex.label)
    if old is not None and old.module != ex.module:
        raise ValueError(
            f"exercise label {ex.label!r} is registered twice: by {old.module} and by {ex.module}"
        )
    _REGISTRY[ex.label] = ex  # the same module again (a reload) replaces its own entry
    return ex


def number(
    label: str,
    *,
    solution: Callable[[], Any],
    hint: str,
    atol: float | None = None,
    rtol: float | None = None,
) -> NumberExercise:
    """Register an exercise whose answer is a number.

    Parameters
    ----------
    label : str
        The ``{exercise}`` block's ``:label:``, e.g. ``"ex-entropy-1"``.
    solution : callable
        ``solution()`` computes the answer (never type it): a real number, or
        a small array when the question asks for several numbers.
    hint : str
        Shown with "not yet"; must not give the answer away.
    atol, rtol : float, optional
        The tolerance the question states; at least one is required. An answer
        ``a`` is correct when ``|a - s| <= atol + rtol * |s|`` (``numpy.isclose``).

    Returns
    -------
    NumberExercise
        The registered exercise.

    Raises
    ------
    ValueError
        A bad label, an empty hint, no tolerance, or a label already registered
        by another module.
    TypeError
        ``solution`` is not callable.
    """
    label = _check_label(label)
    _check_callable(label, "solution", solution, "lambda: ..., so that the answer is computed, not typed")
    if atol is None and rtol is None:
        raise ValueError(
            f"number exercise {label!r} needs a tolerance: give atol= or rtol= (as the question states)"
        )
    return _register(
        NumberExercise(
            label=label,
            hint=_check_hint(label, hint),
            module=_caller_module(),
            solution=solution,
            atol=_check_tol(label, "atol", 0.0 if atol is None else atol),
            rtol=_check_tol(label, "rtol", 0.0 if rtol is None else rtol),
        )
    )


def choice(label: str, *, options: Sequence[str], solution: Callable[[], int], hint: str) -> ChoiceExercise:
    """Register a multiple-choice exercise.

    Parameters
    ----------
    label : str
        The ``{exercise}`` block's ``:label:``.
    options : sequence of str
        The choices, in the order the question lists them (at least two).
    solution : callable
        ``solution()`` returns the 0-based index of the right option, computed
        where possible.
    hint : str
        Shown with "not yet"; must not give the answer away.

    Returns
    -------
    ChoiceExercise
        The registered exercise. The reader answers with the index, the
        option's text, or its letter (``"a"`` for the first option).

    Raises
    ------
    ValueError
        A bad label, an empty hint, fewer than two options, empty or repeated
        options, or a label already registered by another module.
    TypeError
        ``options`` is not a sequence of strings, or ``solution`` is not callable.
    """
    label = _check_label(label)
    if isinstance(options, str) or not isinstance(options, Sequence):
        raise TypeError(f"options= of {label!r} must be a sequence of strings, got {_short(options)}")
    options = tuple(options)
    if len(options) < 2 or not all(isinstance(o, str) and o.strip() for o in options):
        raise ValueError(f"options= of {label!r} must hold at least two non-empty strings, got {options!r}")
    if len({" ".join(o.split()).casefold() for o in options}) != len(options):
        raise ValueError(f"options= of {label!r} must be distinct, got {options!r}")
    _check_callable(
        label, "solution", solution, "lambda: index, so that the answer is computed where possible"
    )
    return _register(
        ChoiceExercise(
            label=label,
            hint=_check_hint(label, hint),
            module=_caller_module(),
            options=options,
            solution=solution,
        )
    )


def function(
    label: str,
    *,
    reference: Callable[..., Any],
    cases: Callable[[], Sequence] | Sequence,
    hint: str,
    rtol: float = FUNCTION_RTOL,
    atol: float = FUNCTION_ATOL,
    page_case: int | None = 0,
    page_rtol: float = PAGE_RTOL,
    page_atol: float = PAGE_ATOL,
    page_prompt: str | None = None,
) -> FunctionExercise:
    """Register an exercise in which the reader writes a function.

    Parameters
    ----------
    label : str
        The ``{exercise}`` block's ``:label:``, e.g. ``"ex-stability-2"``.
    reference : callable
        The package's implementation; the reader's function must match it.
    cases : callable or sequence
        ``cases()`` returns a list of ``(args, kwargs)`` pairs, edge cases
        included; called afresh for every check, so a function that changes its
        input in place cannot spoil the reference's input.
    hint : str
        Shown with "not yet"; must not give the answer away.
    rtol, atol : float
        The reader's output ``y`` matches the reference's ``r`` on a case when
        the shapes agree and ``numpy.isclose(y, r, rtol, atol, equal_nan=True)``
        holds everywhere (infinities must match in sign). Defaults 1e-9, 1e-12.
    page_case : int or None
        The case whose value the static page asks the reader to type
        (``reference(*args, **kwargs)`` must be a number or a small array);
        None: the page only points to JupyterLab.
    page_rtol, page_atol : float
        Tolerance of that typed value (default: four significant digits).
    page_prompt : str, optional
        How the page names the call; default a literal such as
        ``f(np.array([1000.0, 1000.0]))``.

    Returns
    -------
    FunctionExercise
        The registered exercise.

    Raises
    ------
    ValueError
        A bad label, an empty hint, a negative or non-finite tolerance, or a
        label already registered by another module.
    TypeError
        ``reference`` is not callable, ``cases`` is neither a function nor a
        sequence, ``page_case`` is not an int or None, ``page_prompt`` not a string,
        a tolerance not a number.
    """
    label = _check_label(label)
    _check_callable(label, "reference", reference, "the package's implementation")
    if not callable(cases) and (isinstance(cases, str) or not isinstance(cases, Sequence)):
        raise TypeError(
            f"cases= of {label!r} must be a function returning a list of (args, kwargs), got {_short(cases)}"
        )
    if page_case is not None and (
        isinstance(page_case, bool) or not isinstance(page_case, (int, np.integer))
    ):
        raise TypeError(f"page_case= of {label!r} must be a case index or None, got {page_case!r}")
    if page_prompt is not None and not isinstance(page_prompt, str):
        raise TypeError(f"page_prompt= of {label!r} must be a string, got {page_prompt!r}")
    return _register(
        FunctionExercise(
            label=label,
            hint=_check_hint(label, hint),
            module=_caller_module(),
            reference=reference,
            cases=cases,
            rtol=_check_tol(label, "rtol", rtol),
            atol=_check_tol(label, "atol", atol),
            page_case=None if page_case is None else int(page_case),
            page_rtol=_check_tol(label, "page_rtol", page_rtol),
            page_atol=_check_tol(label, "page_atol", page_atol),
            page_prompt=page_prompt,
        )
    )


# --------------------------------------------------------------------------- lookup


def load_chapters() -> None:
    """Import every ``xent_book.exercises.chNN`` module (once); failures are kept in :func:`import_errors`."""
    global _LOADED
    if _LOADED:
        return
    package = importlib.import_module("xent_book.exercises")
    for info in sorted(pkgutil.iter_modules(package.__path__), key=lambda m: m.name):
        if not _CHAPTER_MODULE_RE.match(info.name):
            continue
        name = f"xent_book.exercises.{info.name}"
        try:
            importlib.import_module(name)
        except Exception as exc:
            _IMPORT_ERRORS[name] = f"{type(exc).__name__}: {exc}"
    _LOADED = True


def import_errors() -> dict[str, str]:
    """``{module: error}`` for chapter modules that failed to import (empty when all is well).

    Returns
    -------
    dict of str to str
        A copy: each failed module's name and its ``"ErrorType: message"``.
    """
    load_chapters()
    return dict(_IMPORT_ERRORS)


def labels() -> list[str]:
    """Every registered exercise label, sorted.

    Returns
    -------
    list of str
        The labels of every chapter module that imported.
    """
    load_chapters()
    return sorted(_REGISTRY)


def get(label: str) -> Exercise:
    """The exercise registered under ``label``.

    Parameters
    ----------
    label : str
        An exercise's label, e.g. ``"ex-entropy-1"``.

    Returns
    -------
    Exercise
        The registered exercise (a number, choice or function exercise).

    Raises
    ------
    TypeError
        ``label`` is not a string.
    ValueError
        No such label; the message names the closest registered labels.
    """
    if not isinstance(label, str):
        raise TypeError(f"label must be a string such as 'ex-entropy-1', got {_short(label)}")
    if label not in _REGISTRY:
        load_chapters()
    if label in _REGISTRY:
        return _REGISTRY[label]
    close = difflib.get_close_matches(label, list(_REGISTRY), n=3, cutoff=0.6)
    msg = f"label: no exercise is labelled {label!r}"
    if close:
        msg += "; did you mean " + " or ".join(repr(c) for c in close) + "?"
    else:
        msg += f" ({len(_REGISTRY)} exercises are registered; xb.exercises.labels() lists them)"
    if _IMPORT_ERRORS:
        msg += ". These chapter modules failed to import: " + "; ".join(
            f"{m} ({e})" for m, e in sorted(_IMPORT_ERRORS.items())
        )
    raise ValueError(msg)


def check(label: str, answer: Any) -> Verdict:
    """Check a reader's answer to exercise ``label``; print and return the verdict.

    Parameters
    ----------
    label : str
        The exercise's label, as the chapter shows it (``"ex-entropy-1"``).
    answer : object
        A number (number exercises), an option index, text or letter (choice
        exercises), or a function (function exercises: it is run on every test
        case, edge cases included, and compared with the package's reference).

    Returns
    -------
    Verdict
        ``status`` "correct", "not yet" (with the hint, which does not give the
        answer away) or "not implemented" (the function raised
        NotImplementedError). Truthy when correct.

    Raises
    ------
    ValueError
        Unknown label (the message names the closest labels), or a choice that
        names no option.
    TypeError
        An answer of the wrong kind (a function for a number exercise, ...).
    """
    verdict = get(label).check(answer)
    print(verdict.message)
    verdict._printed = True
    return verdict


def describe(label: str) -> str:
    """What exercise ``label`` expects (kind, tolerance, options, number of test cases); printed and returned.

    Parameters
    ----------
    label : str
        An exercise's label, e.g. ``"ex-entropy-1"``.

    Returns
    -------
    str
        The one-line description that was printed.

    Raises
    ------
    TypeError, ValueError
        As :func:`get`.
    """
    ex = get(label)
    if isinstance(ex, NumberExercise):
        text = f"{label}: a number, within {_tol_words(ex.rtol, ex.atol)}."
    elif isinstance(ex, ChoiceExercise):
        opts = "; ".join(f"{i} ({chr(97 + i)}): {o}" for i, o in enumerate(ex.options))
        text = f"{label}: one of the options, by index, letter or text: {opts}."
    else:
        text = (
            f"{label}: a function, checked against the reference on {len(ex.case_list())} test cases "
            f"(rtol={ex.rtol:g}, atol={ex.atol:g})."
        )
    print(text)
    return text


def export_all(strict: bool = True) -> dict:
    """Run every reference solution; the JSON-ready data the static page checks against.

    Parameters
    ----------
    strict : bool, default True
        Refuse to export when a chapter module failed to import; with False the
        exercises of such a module are left out.

    Returns
    -------
    dict
        ``{"version": 1, "exercises": {label: {...}}}``; each entry has
        ``label``, ``kind``, ``chapter``, ``hint`` and the kind's fields
        (``answer`` with ``rtol``/``atol``, ``options``, or the function's page case).

    Raises
    ------
    RuntimeError
        ``strict`` and a chapter module failed to import.
    """
    load_chapters()
    if strict and _IMPORT_ERRORS:
        raise RuntimeError(
            "chapter exercise modules failed to import: "
            + "; ".join(f"{m}: {e}" for m, e in sorted(_IMPORT_ERRORS.items()))
        )
    out = {}
    for label in sorted(_REGISTRY):
        ex = _REGISTRY[label]
        entry = {"label": label, "chapter": ex.chapter, "hint": ex.hint}
        entry.update(ex.export())
        out[label] = entry
    return {"version": 1, "exercises": out}
