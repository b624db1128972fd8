"""The kinds of self-checking exercise and their verdicts: a number, a choice, a function.

:class:`NumberExercise`, :class:`ChoiceExercise` and :class:`FunctionExercise`
each check a reader's answer against a solution the package computes, and
export what the static page needs to check it offline. The registry that
chapters fill (``number``, ``choice``, ``function``) and the lookup
(``check``, ``get``, ``export_all``) are in :mod:`xent_book.exercises._core`.
"""

from __future__ import annotations

import copy
import math
import re
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

__all__ = ["Exercise", "NumberExercise", "ChoiceExercise", "FunctionExercise", "Verdict"]

_CHAPTER_MODULE_RE = re.compile(r"^ch\d\d$")

#: Default tolerances of a function exercise (its outputs are compared with
#: ``numpy.isclose(yours, reference, rtol, atol)`` on every case).
FUNCTION_RTOL = 1e-9
FUNCTION_ATOL = 1e-12
#: Default tolerance of a function exercise's page case, where the reader types
#: the value by hand: four significant digits.
PAGE_RTOL = 5e-4
PAGE_ATOL = 1e-9

# --------------------------------------------------------------------------- verdicts


@dataclass
class Verdict:
    """What :func:`check` says about an answer.

    ``bool(verdict)`` is ``verdict.correct``. ``status`` is ``"correct"``,
    ``"not yet"`` or ``"not implemented"`` (a function that raised
    :class:`NotImplementedError`). :func:`check` prints ``message`` once; in a
    notebook the returned verdict then displays nothing more.

    Parameters
    ----------
    label : str
        The label of the exercise the verdict is on.
    status : {"correct", "not yet", "not implemented"}
        The verdict.
    message : str
        The text shown to the reader (with the hint when not correct).
    """

    label: str
    status: str
    message: str
    _printed: bool = field(default=False, init=False, repr=False, compare=False)

    @property
    def correct(self) -> bool:
        return self.status == "correct"

    def __bool__(self) -> bool:
        return self.correct

    def __str__(self) -> str:
        return self.message

    def _ipython_display_(self) -> None:
        # check() has printed the message already; show it only if it has not.
        if not self._printed:
            print(self.message)
            self._printed = True


def _verdict(ex: Exercise, ok: bool, detail: str = "") -> Verdict:
    if ok:
        return Verdict(ex.label, "correct", f"{ex.label}: correct.")
    detail = f" {detail}" if detail else ""
    return Verdict(ex.label, "not yet", f"{ex.label}: not yet.{detail} Hint: {ex.hint}")


# --------------------------------------------------------------------------- exercises


@dataclass
class Exercise:
    """Common part of an exercise: its label, hint, and the module that registered it.

    Parameters
    ----------
    label : str
        The ``{exercise}`` block's ``:label:``, e.g. ``"ex-entropy-1"``.
    hint : str
        Shown with "not yet"; does not give the answer away.
    module : str
        The name of the module that registered the exercise (``xent_book.exercises.chNN``).
    """

    label: str
    hint: str
    module: str

    kind = "exercise"

    @property
    def chapter(self) -> str | None:
        """``"ch03"`` for an exercise registered by ``xent_book.exercises.ch03``, else None."""
        last = self.module.rsplit(".", 1)[-1]
        return last if _CHAPTER_MODULE_RE.match(last) else None

    def check(self, answer: Any) -> Verdict:  # pragma: no cover - overridden
        """The verdict on ``answer``.

        Raises
        ------
        TypeError, ValueError
            An ``answer`` of the wrong kind for this exercise (each kind says which).
        """
        raise NotImplementedError

    def export(self) -> dict:  # pragma: no cover - overridden
        raise NotImplementedError


def _as_real_array(value: Any, what: str) -> np.ndarray:
    """``value`` (a number, a NumPy array or scalar, a torch tensor) as a float64 array."""
    if isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{what} must be a number, got a bool ({value!r})")
    if hasattr(value, "detach") and hasattr(value, "cpu"):  # a torch tensor, without importing torch
        value = value.detach().cpu().numpy()
    if isinstance(value, str):
        raise TypeError(f"{what} must be a number, got the string {value!r}")
    try:
        arr = np.asarray(value)
    except Exception as exc:
        raise TypeError(f"{what} must be a number or an array of numbers, got {_short(value)}") from exc
    if arr.dtype == object or not (np.issubdtype(arr.dtype, np.number) or arr.dtype == np.bool_):
        raise TypeError(f"{what} must be a number or an array of numbers, got {_short(value)}")
    if np.iscomplexobj(arr):
        raise TypeError(f"{what} must be real, got a complex value {_short(value)}")
    return arr.astype(np.float64)


def _short(value: Any, limit: int = 120) -> str:
    if callable(value) and not hasattr(value, "shape"):
        name = getattr(value, "__name__", type(value).__name__)
        return f"the function {name}"
    text = repr(value)
    text = re.sub(r"\s+", " ", text)
    return text if len(text) <= limit else text[: limit - 3] + "..."


@dataclass
class NumberExercise(Exercise):
    """The answer is a number (or a small array of numbers) within a stated tolerance.

    Built by :func:`number`, which checks the arguments; the constructor checks none.

    Parameters
    ----------
    label : str
        The ``{exercise}`` block's ``:label:``, e.g. ``"ex-entropy-1"``.
    hint : str
        Shown with "not yet"; does not give the answer away.
    module : str
        The name of the module that registered the exercise (``xent_book.exercises.chNN``).
    solution : callable
        ``solution()`` computes the answer (called once, on first use).
    atol, rtol : float
        An answer ``a`` is correct when ``|a - s| <= atol + rtol * |s|``.
    """

    solution: Callable[[], Any] = None
    atol: float = 0.0
    rtol: float = 0.0
    _value: np.ndarray | None = field(default=None, init=False, repr=False)

    kind = "number"

    def expected(self) -> np.ndarray:
        """The reference answer, computed once by ``solution()``."""
        if self._value is None:
            self._value = _as_real_array(self.solution(), f"the solution of {self.label!r}")
        return self._value

    def check(self, answer: Any) -> Verdict:
        """Correct when ``answer`` is within the tolerance of the solution's value.

        Raises
        ------
        TypeError, ValueError
            ``answer`` is a function, or not a real number or array of real numbers.
        """
        if callable(answer) and not hasattr(answer, "shape"):
            raise TypeError(
                f"{self.label!r} is a number exercise: pass the number as answer, got {_short(answer)}"
            )
        if isinstance(answer, str):  # a verdict that says what to type, not a TypeError
            text = answer.strip().replace(",", ".") if answer.count(",") == 1 else answer.strip()
            try:
                example = f"{float(text):.12g}"
            except ValueError:
                example = "0.5"
            return _verdict(
                self,
                False,
                f"You passed the text {answer!r}: pass a number, without quotes and with a decimal point, "
                f"e.g. xb.exercises.check({self.label!r}, {example}).",
            )
        got = _as_real_array(answer, "answer")
        want = self.expected()
        if got.size == 1 and want.size == 1:
            got, want = got.reshape(()), want.reshape(())
        if got.shape != want.shape:
            return _verdict(self, False, f"Expected {_shape_words(want)}, got {_shape_words(got)}.")
        if np.isnan(got).any() and not np.isnan(want).any():
            return _verdict(self, False, "Your answer is NaN: type a finite number.")
        if np.isinf(got).any() and not np.isinf(want).any():
            return _verdict(self, False, "Your answer is infinite: type a finite number.")
        ok = bool(np.all(np.isclose(got, want, rtol=self.rtol, atol=self.atol, equal_nan=True)))
        return _verdict(
            self,
            ok,
            "" if ok else f"Your answer is outside the tolerance ({_tol_words(self.rtol, self.atol)}).",
        )

    def export(self) -> dict:
        want = self.expected()
        return {
            "kind": "number",
            "answer": _json_values(want),
            "shape": list(want.shape),
            "rtol": self.rtol,
            "atol": self.atol,
        }


@dataclass
class ChoiceExercise(Exercise):
    """The answer is one of ``options``: its 0-based index, its text, or its letter ("a", "b", ...).

    Built by :func:`choice`, which checks the arguments; the constructor checks none.

    Parameters
    ----------
    label : str
        The ``{exercise}`` block's ``:label:``, e.g. ``"ex-entropy-1"``.
    hint : str
        Shown with "not yet"; does not give the answer away.
    module : str
        The name of the module that registered the exercise (``xent_book.exercises.chNN``).
    options : tuple of str
        The choices, in the order the question lists them.
    solution : callable
        ``solution()`` returns the 0-based index of the right option (called once, on first use).
    """

    options: tuple[str, ...] = ()
    solution: Callable[[], int] = None
    _value: int | None = field(default=None, init=False, repr=False)

    kind = "choice"

    def expected(self) -> int:
        if self._value is None:
            value = self.solution()
            if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
                raise TypeError(
                    f"the solution of {self.label!r} must return an option index (int), got {_short(value)}"
                )
            if not 0 <= int(value) < len(self.options):
                raise ValueError(
                    f"the solution of {self.label!r} returned index {int(value)}, "
                    f"but there are {len(self.options)} options (0 to {len(self.options) - 1})"
                )
            self._value = int(value)
        return self._value

    def index_of(self, answer: Any) -> int:
        """The option index that ``answer`` names.

        Raises
        ------
        TypeError
            ``answer`` is neither an int nor a string (bools refused).
        ValueError
            ``answer`` names no option (an index out of range, an unknown text or letter).
        """
        n = len(self.options)
        if isinstance(answer, (bool, np.bool_)):
            raise TypeError(
                f"answer must be an option index (0 to {n - 1}) or an option's text, got {answer!r}"
            )
        if isinstance(answer, (int, np.integer)):
            if not 0 <= int(answer) < n:
                raise ValueError(f"answer must be an option index from 0 to {n - 1}, got {int(answer)}")
            return int(answer)
        if isinstance(answer, str):
            norm = " ".join(answer.split()).casefold()
            for i, option in enumerate(self.options):
                if " ".join(option.split()).casefold() == norm:
                    return i
            letter = norm.strip("()").rstrip(").")
            if len(letter) == 1 and "a" <= letter <= "z" and ord(letter) - ord("a") < n:
                return ord(letter) - ord("a")
            listing = "; ".join(f"{i}: {o!r}" for i, o in enumerate(self.options))
            raise ValueError(f"answer {answer!r} is none of the options of {self.label!r} ({listing})")
        raise TypeError(
            f"answer must be an option index (0 to {n - 1}), an option's text or its letter, got {_short(answer)}"
        )

    def check(self, answer: Any) -> Verdict:
        """Correct when ``answer`` names the right option (index, text or letter).

        Raises
        ------
        TypeError, ValueError
            As :meth:`index_of`.
        """
        return _verdict(self, self.index_of(answer) == self.expected())

    def export(self) -> dict:
        return {"kind": "choice", "options": list(self.options), "answer": self.expected()}


@dataclass
class FunctionExercise(Exercise):
    """The reader writes a function; it must match ``reference`` on every case.

    Built by :func:`function`, which checks the arguments and documents them in
    full; the constructor checks none.

    Parameters
    ----------
    label : str
        The ``{exercise}`` block's ``:label:``, e.g. ``"ex-entropy-1"``.
    hint : str
        Shown with "not yet"; does not give the answer away.
    module : str
        The name of the module that registered the exercise (``xent_book.exercises.chNN``).
    reference : callable
        The package's implementation.
    cases : callable or sequence
        The test cases as ``(args, kwargs)`` pairs, or a function returning them.
    rtol, atol : float
        Tolerance of the comparison with ``reference`` (``numpy.isclose``).
    page_case : int or None
        The case whose value the static page asks for; None: no typed value.
    page_rtol, page_atol : float
        Tolerance of that typed value.
    page_prompt : str or None
        How the page names the call; None: a literal of the case's arguments.
    """

    reference: Callable[..., Any] = None
    cases: Callable[[], Sequence] | Sequence = ()
    rtol: float = FUNCTION_RTOL
    atol: float = FUNCTION_ATOL
    page_case: int | None = 0
    page_rtol: float = PAGE_RTOL
    page_atol: float = PAGE_ATOL
    page_prompt: str | None = None

    kind = "function"

    def case_list(self) -> list[tuple[tuple, dict]]:
        """The cases as a fresh list of ``(args, kwargs)`` (new objects on every call)."""
        raw = self.cases() if callable(self.cases) else copy.deepcopy(list(self.cases))
        out = []
        for i, case in enumerate(raw):
            if not (
                isinstance(case, (tuple, list))
                and len(case) == 2
                and isinstance(case[0], (tuple, list))
                and isinstance(case[1], dict)
            ):
                raise TypeError(
                    f"case {i} of {self.label!r} must be a pair (args, kwargs), "
                    f"e.g. ((np.array([1.0, 2.0]),), {{}}), got {_short(case)}"
                )
            out.append((tuple(case[0]), dict(case[1])))
        if not out:
            raise ValueError(f"{self.label!r} has no cases")
        return out

    def check(self, answer: Any) -> Verdict:
        """Correct when the function ``answer`` matches the reference on every case.

        An exception raised by ``answer`` is reported in the verdict, not raised.

        Raises
        ------
        TypeError
            ``answer`` is not callable.
        """
        if not callable(answer):
            raise TypeError(
                f"{self.label!r} asks for a function (def my_function(...): ...), "
                f"pass the function itself as answer, got {_short(answer)}"
            )
        mine = self.case_list()
        refs = self.case_list()
        n = len(mine)
        for i, ((args, kwargs), (rargs, rkwargs)) in enumerate(zip(mine, refs)):
            where = f"On test case {i + 1} of {n}, {_call_words(args, kwargs)},"
            # Floating-point trouble becomes a recorded warning, named in the verdict.
            with warnings.catch_warnings(record=True) as caught, np.errstate(all="warn"):
                warnings.simplefilter("always")
                try:
                    got = answer(*args, **kwargs)
                except NotImplementedError:
                    return Verdict(
                        self.label,
                        "not implemented",
                        f"{self.label}: not implemented yet: your function raised NotImplementedError. "
                        "Replace the `raise NotImplementedError` line with your code, then check again.",
                    )
                except Exception as exc:
                    return _verdict(self, False, f"{where} your function raised {type(exc).__name__}: {exc}.")
            with warnings.catch_warnings(), np.errstate(all="ignore"):
                warnings.simplefilter("ignore")
                want = self.reference(*rargs, **rkwargs)
            problem = _compare(got, want, self.rtol, self.atol)
            if problem:
                warned = ""
                if caught:
                    w = caught[0]
                    warned = f" (it warned: {w.category.__name__}: {w.message})"
                return _verdict(self, False, f"{where} {problem}{warned}.")
        return _verdict(self, True)

    def page_value(self) -> np.ndarray | None:
        """The reference's value at the page case (what the page asks the reader to type)."""
        if self.page_case is None:
            return None
        args, kwargs = self.case_list()[self.page_case]
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            return _as_real_array(self.reference(*args, **kwargs), f"the reference of {self.label!r}")

    def export(self) -> dict:
        out = {"kind": "function", "cases": len(self.case_list()), "rtol": self.rtol, "atol": self.atol}
        if self.page_case is not None:
            args, kwargs = self.case_list()[self.page_case]
            value = self.page_value()
            out.update(
                {
                    "answer": _json_values(value),
                    "shape": list(value.shape),
                    "page_rtol": self.page_rtol,
                    "page_atol": self.page_atol,
                    "call": self.page_prompt or _call_words(args, kwargs, limit=400),
                }
            )
        return out


def _shape_words(arr: np.ndarray) -> str:
    return "a single number" if arr.ndim == 0 else f"an array of shape {arr.shape}"


def _tol_words(rtol: float, atol: float) -> str:
    parts = []
    if atol:
        parts.append(f"atol={atol:g}")
    if rtol:
        parts.append(f"rtol={rtol:g}")
    return ", ".join(parts) or "exact"


def _json_values(arr: np.ndarray) -> list | float | str:
    def one(x: float):
        if math.isnan(x):
            return "nan"
        if math.isinf(x):
            return "inf" if x > 0 else "-inf"
        return float(x)

    if arr.ndim == 0:
        return one(float(arr))
    return [one(float(x)) for x in arr.ravel()]


def _literal(value: Any) -> str:
    """A short Python-like literal of a case argument, for messages and the page."""
    if hasattr(value, "detach") and hasattr(value, "cpu"):
        arr = value.detach().cpu().numpy()
        return f"torch.tensor({_array_body(arr)})"
    if isinstance(value, np.ndarray):
        return f"np.array({_array_body(value)})"
    if isinstance(value, float):
        return _float_literal(value)
    return repr(value)


def _float_literal(x: float) -> str:
    if math.isnan(x):
        return "np.nan"
    if math.isinf(x):
        return "np.inf" if x > 0 else "-np.inf"
    return repr(float(x))


def _array_body(arr: np.ndarray) -> str:
    if arr.size > 24:
        return f"<{arr.dtype} array of shape {arr.shape}>"

    def rec(a):
        if a.ndim == 0:
            v = a.item()
            return _float_literal(v) if isinstance(v, float) else repr(v)
        return "[" + ", ".join(rec(x) for x in a) + "]"

    body = rec(arr)
    if arr.dtype.kind == "f" and arr.dtype != np.float64:
        body += f", dtype=np.{arr.dtype.name}"
    return body


def _call_words(args: tuple, kwargs: dict, limit: int = 160) -> str:
    parts = [_literal(a) for a in args] + [f"{k}={_literal(v)}" for k, v in kwargs.items()]
    text = "f(" + ", ".join(parts) + ")"
    return text if len(text) <= limit else text[: limit - 4] + "...)"


def _compare(got: Any, want: Any, rtol: float, atol: float) -> str:
    """Empty string when ``got`` matches ``want``; otherwise what differs (never the expected value)."""
    if want is None:
        return (
            "" if got is None else f"your function returned {_short(got)} where nothing (None) was expected"
        )
    if got is None:
        return "your function returned None (is a `return` missing?)"
    if isinstance(want, (tuple, list)) and not _is_numeric_seq(want):
        if not isinstance(got, (tuple, list)) or len(got) != len(want):
            return f"expected {len(want)} results (a tuple), got {_short(got)}"
        for j, (g, w) in enumerate(zip(got, want)):
            problem = _compare(g, w, rtol, atol)
            if problem:
                return f"result {j + 1}: {problem}"
        return ""
    try:
        g = _as_real_array(got, "your result")
    except TypeError as exc:
        return f"{exc}"
    w = _as_real_array(want, "the reference result")
    if g.shape != w.shape:
        return f"your result has shape {g.shape}, the expected one has shape {w.shape}"
    bad_nan = np.isnan(g) & ~np.isnan(w)
    if bad_nan.any():
        return "your result contains NaN where a number was expected"
    if not np.all(np.isclose(g, w, rtol=rtol, atol=atol, equal_nan=True)):
        if (np.isinf(g) & ~np.isinf(w)).any():
            return "your result contains an infinity where a finite number was expected"
        return f"your result differs from the reference beyond the tolerance ({_tol_words(rtol, atol)})"
    return ""


def _is_numeric_seq(value: Any) -> bool:
    try:
        arr = np.asarray(value)
    except Exception:
        return False
    return arr.dtype != object and np.issubdtype(arr.dtype, np.number)
