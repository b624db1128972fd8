"""The self-checking exercises (xent_book.exercises): framework, chapter modules, export.

* every reference solution passes its own check (fixture and chapter modules);
* a wrong answer fails, a NotImplementedError stub gets the clear message;
* hints do not contain the answer;
* unknown labels and bad registrations raise clear errors;
* the build-time export (scripts/export_exercises.py) holds the values the
  references compute;
* every chapter notebook has at least two ``data-xent-check`` divs whose labels
  its own chapter module registers.
The page side (book_assets/xent-exercises.js) is tested in tests/browser/test_exercises_page.py.
"""

from __future__ import annotations

import importlib
import json
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import xent_book as xb
from scripts.book_toc import toc_docs
from xent_book.exercises import _core

ROOT = Path(__file__).resolve().parents[1]
FIXTURE = "tests.exercise_examples"

importlib.import_module(FIXTURE)
CHAPTER_LABELS = [lab for lab in xb.exercises.labels() if xb.exercises.get(lab).chapter]
ALL_LABELS = xb.exercises.labels()
FIXTURE_LABELS = ["ex-fixture-number", "ex-fixture-choice", "ex-fixture-function"]


def right_answer(ex):
    if isinstance(ex, _core.NumberExercise):
        return ex.expected()
    if isinstance(ex, _core.ChoiceExercise):
        return ex.expected()
    return ex.reference


def wrong_answer(ex):
    if isinstance(ex, _core.NumberExercise):
        want = ex.expected()
        return want + 10 * (ex.atol + ex.rtol * np.abs(want)) + 1.0
    if isinstance(ex, _core.ChoiceExercise):
        return (ex.expected() + 1) % len(ex.options)

    def off(*args, **kwargs):
        out = ex.reference(*args, **kwargs)
        return np.asarray(out, dtype=np.float64) * (1 + 1e-3) + 1e-3

    return off


# --------------------------------------------------------------------------- every exercise


def test_chapter_modules_import():
    assert xb.exercises.import_errors() == {}


@pytest.mark.parametrize("label", ALL_LABELS)
def test_reference_solution_passes(label, capsys):
    ex = xb.exercises.get(label)
    verdict = xb.exercises.check(label, right_answer(ex))
    assert verdict.status == "correct", verdict.message
    assert verdict and verdict.correct
    assert capsys.readouterr().out.strip() == f"{label}: correct."


@pytest.mark.parametrize("label", ALL_LABELS)
def test_wrong_answer_fails_with_hint(label, capsys):
    ex = xb.exercises.get(label)
    verdict = xb.exercises.check(label, wrong_answer(ex))
    assert verdict.status == "not yet", verdict.message
    assert not verdict
    assert verdict.message.startswith(f"{label}: not yet.")
    assert verdict.message.endswith(f"Hint: {ex.hint}")
    assert capsys.readouterr().out.strip() == verdict.message


@pytest.mark.parametrize("label", ALL_LABELS)
def test_hint_does_not_give_the_answer_away(label):
    ex = xb.exercises.get(label)
    hint = ex.hint.casefold()
    if isinstance(ex, _core.ChoiceExercise):
        assert ex.options[ex.expected()].casefold() not in hint
        return
    if isinstance(ex, _core.NumberExercise):
        values = ex.expected().ravel()
    else:
        values = ex.page_value().ravel() if ex.page_case is not None else np.array([])
    for v in values:
        if not np.isfinite(v) or float(v).is_integer():
            continue  # small integers (2 bits, 1 class) appear in hints for other reasons
        for digits in (3, 4, 5, 6):
            assert f"{v:.{digits}g}" not in hint, f"the hint of {label} contains its answer {v:.{digits}g}"


@pytest.mark.parametrize("label", [lab for lab in ALL_LABELS if xb.exercises.get(lab).kind == "function"])
def test_not_implemented_stub_gets_clear_message(label, capsys):
    def stub(*args, **kwargs):
        raise NotImplementedError

    verdict = xb.exercises.check(label, stub)
    assert verdict.status == "not implemented"
    assert not verdict
    assert "not implemented yet" in verdict.message
    assert "NotImplementedError" in verdict.message
    assert "Hint" not in verdict.message
    assert capsys.readouterr().out.strip() == verdict.message


# --------------------------------------------------------------------------- the framework


def test_number_tolerance_is_the_stated_one():
    ex = xb.exercises.get("ex-fixture-number")
    assert np.isclose(float(ex.expected()), 1.5)
    assert xb.exercises.check("ex-fixture-number", 1.5009)
    assert not xb.exercises.check("ex-fixture-number", 1.5011)
    assert xb.exercises.check("ex-fixture-number", np.float32(1.5))
    assert xb.exercises.check("ex-fixture-number", np.array([1.5]))  # a size-1 array is a number
    assert not xb.exercises.check("ex-fixture-number", np.nan)
    assert not xb.exercises.check("ex-fixture-number", np.inf)
    assert "NaN" in xb.exercises.check("ex-fixture-number", float("nan")).message
    assert "shape" in xb.exercises.check("ex-fixture-number", [1.5, 1.5]).message


def test_number_rejects_non_numbers():
    verdict = xb.exercises.check("ex-fixture-number", "1.5")  # a verdict saying what to type (issue 19)
    assert not verdict.correct and "the text '1.5'" in verdict.message
    with pytest.raises(TypeError, match="number exercise: pass the number"):
        xb.exercises.check("ex-fixture-number", lambda: 1.5)
    with pytest.raises(TypeError, match="bool"):
        xb.exercises.check("ex-fixture-number", True)


def test_number_accepts_a_torch_scalar():
    torch = pytest.importorskip("torch")
    assert xb.exercises.check("ex-fixture-number", torch.tensor(1.5))


def test_choice_answers_by_index_text_or_letter():
    right = xb.exercises.get("ex-fixture-choice").expected()
    assert right == 0
    for answer in (0, np.int64(0), "H(p) grows", "  h(p)   GROWS ", "a", "(a)", "A"):
        assert xb.exercises.check("ex-fixture-choice", answer), answer
    for answer in (1, 2, "H(p) shrinks", "b", "c"):
        assert not xb.exercises.check("ex-fixture-choice", answer), answer
    with pytest.raises(ValueError, match="from 0 to 2, got 3"):
        xb.exercises.check("ex-fixture-choice", 3)
    with pytest.raises(ValueError, match="none of the options"):
        xb.exercises.check("ex-fixture-choice", "H(p) doubles")
    with pytest.raises(ValueError, match="none of the options"):
        xb.exercises.check("ex-fixture-choice", "d")
    with pytest.raises(TypeError, match="option index"):
        xb.exercises.check("ex-fixture-choice", True)
    with pytest.raises(TypeError, match="option index"):
        xb.exercises.check("ex-fixture-choice", 0.0)


def naive_lse(x):
    return np.log(np.sum(np.exp(x), axis=-1))


def shifted_lse(x):  # stable, but NaN when every entry is -inf
    m = np.max(x, axis=-1, keepdims=True)
    return (m + np.log(np.sum(np.exp(x - m), axis=-1, keepdims=True)))[..., 0]


def good_lse(x):
    m = np.max(x, axis=-1, keepdims=True)
    m = np.where(np.isfinite(m), m, 0.0)
    return (m + np.log(np.sum(np.exp(x - m), axis=-1, keepdims=True)))[..., 0]


def test_function_is_checked_on_every_case_edge_cases_included(capsys):
    assert xb.exercises.check("ex-fixture-function", good_lse)
    naive = xb.exercises.check("ex-fixture-function", naive_lse)
    assert naive.status == "not yet"
    assert "test case 2 of 6" in naive.message and "np.array([1000.0, 1000.0])" in naive.message
    assert "infinity" in naive.message and "overflow" in naive.message  # the warning it raised is named
    shifted = xb.exercises.check("ex-fixture-function", shifted_lse)
    assert shifted.status == "not yet"
    assert "test case 5 of 6" in shifted.message and "NaN" in shifted.message
    capsys.readouterr()


def test_function_messages_never_show_the_expected_value(capsys):
    ex = xb.exercises.get("ex-fixture-function")
    page = float(ex.page_value())
    msg = xb.exercises.check("ex-fixture-function", naive_lse).message
    assert f"{page:.4g}" not in msg and repr(page) not in msg
    capsys.readouterr()


def test_function_wrong_shape_none_and_exceptions(capsys):
    shape = xb.exercises.check("ex-fixture-function", lambda x: good_lse(x)[..., None])
    assert "shape" in shape.message
    none = xb.exercises.check("ex-fixture-function", lambda x: None)
    assert "returned None" in none.message
    boom = xb.exercises.check("ex-fixture-function", lambda x: 1 / 0)
    assert boom.status == "not yet" and "ZeroDivisionError" in boom.message
    with pytest.raises(TypeError, match="asks for a function"):
        xb.exercises.check("ex-fixture-function", 1.0)
    capsys.readouterr()


def test_function_input_mutation_cannot_spoil_the_reference(capsys):
    def sneaky(x):
        out = good_lse(x)
        x[...] = 0.0  # changes its own copy only
        return out

    assert xb.exercises.check("ex-fixture-function", sneaky)
    capsys.readouterr()


def test_verdict_prints_once_in_a_notebook(capsys):
    verdict = xb.exercises.check("ex-fixture-number", 1.5)
    verdict._ipython_display_()  # the notebook's display of the returned value adds nothing
    assert capsys.readouterr().out == "ex-fixture-number: correct.\n"
    fresh = _core.Verdict("x", "correct", "x: correct.")
    fresh._ipython_display_()
    assert capsys.readouterr().out == "x: correct.\n"
    assert str(verdict) == "ex-fixture-number: correct."


def test_unknown_label_names_close_labels():
    with pytest.raises(
        ValueError, match=r"no exercise is labelled 'ex-fixture-numbr'; did you mean 'ex-fixture-number'"
    ):
        xb.exercises.check("ex-fixture-numbr", 1.5)
    with pytest.raises(ValueError, match=r"xb.exercises.labels\(\) lists them"):
        xb.exercises.check("zzzz", 1.5)
    with pytest.raises(TypeError, match="label must be a string"):
        xb.exercises.check(3, 1.5)


def test_describe(capsys):
    assert "atol=0.001" in xb.exercises.describe("ex-fixture-number")
    assert "1 (b): H(p) shrinks" in xb.exercises.describe("ex-fixture-choice")
    assert "6 test cases" in xb.exercises.describe("ex-fixture-function")
    capsys.readouterr()


def test_registration_errors():
    ok = dict(solution=lambda: 1.0, hint="h", atol=0.1)
    with pytest.raises(ValueError, match="needs a tolerance"):
        _core.number("ex-t-1", solution=lambda: 1.0, hint="h")
    with pytest.raises(TypeError, match="computed, not typed"):
        _core.number("ex-t-1", solution=1.0, hint="h", atol=0.1)
    with pytest.raises(ValueError, match="label must be"):
        _core.number("ex t 1", **ok)
    with pytest.raises(ValueError, match="hint"):
        _core.number("ex-t-1", solution=lambda: 1.0, hint="  ", atol=0.1)
    with pytest.raises(ValueError, match="atol"):
        _core.number("ex-t-1", solution=lambda: 1.0, hint="h", atol=-1.0)
    with pytest.raises(ValueError, match="at least two"):
        _core.choice("ex-t-2", options=("only",), solution=lambda: 0, hint="h")
    with pytest.raises(ValueError, match="distinct"):
        _core.choice("ex-t-2", options=("a", "A "), solution=lambda: 0, hint="h")
    with pytest.raises(TypeError, match="sequence of strings"):
        _core.choice("ex-t-2", options="ab", solution=lambda: 0, hint="h")
    with pytest.raises(TypeError, match="reference"):
        _core.function("ex-t-3", reference=None, cases=[], hint="h")
    with pytest.raises(TypeError, match="page_case"):
        _core.function("ex-t-3", reference=abs, cases=[((1.0,), {})], hint="h", page_case=True)
    # the same label from another module is an error; the same module again (a reload) is not
    with pytest.raises(ValueError, match="registered twice"):
        _core.number("ex-fixture-number", **ok)
    assert not any(lab.startswith("ex-t-") for lab in _core._REGISTRY)


def test_bad_solutions_are_caught_when_run():
    try:
        bad = _core.choice("ex-t-4", options=("x", "y"), solution=lambda: 2, hint="h")
        with pytest.raises(ValueError, match="returned index 2"):
            bad.expected()
        badcase = _core.function("ex-t-5", reference=abs, cases=lambda: [(1.0, {})], hint="h")
        with pytest.raises(TypeError, match="must be a pair"):
            badcase.case_list()
    finally:
        _core._REGISTRY.pop("ex-t-4", None)
        _core._REGISTRY.pop("ex-t-5", None)


@pytest.mark.slow  # a fresh Python process: ~4 s of CPU
def test_lazy_submodule():
    code = "import sys, xent_book as xb; assert 'xent_book.exercises' not in sys.modules; xb.exercises.labels(); print('ok')"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "ok"


# --------------------------------------------------------------------------- the export


def test_export_holds_the_reference_values():
    data = xb.exercises.export_all()
    json.dumps(data, allow_nan=False)  # plain JSON: the page parses it
    ex = data["exercises"]
    assert ex["ex-fixture-number"]["answer"] == pytest.approx(1.5)
    assert ex["ex-fixture-number"]["atol"] == 1e-3
    assert ex["ex-fixture-choice"]["answer"] == 0
    assert ex["ex-fixture-choice"]["options"][0] == "H(p) grows"
    f = ex["ex-fixture-function"]
    assert f["answer"] == pytest.approx(1000 + np.log(2), rel=1e-15)
    assert f["call"] == "f(np.array([1000.0, 1000.0]))"
    assert f["cases"] == 6
    for label in CHAPTER_LABELS:
        assert ex[label]["chapter"] == xb.exercises.get(label).chapter
        assert "hint" in ex[label]


@pytest.mark.slow  # a fresh Python process: ~4 s of CPU
def test_export_script_writes_json_and_js(tmp_path):
    out = tmp_path / "exercises"
    run = subprocess.run(
        [sys.executable, "scripts/export_exercises.py", "--out", str(out)],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert run.returncode == 0, run.stderr
    data = json.loads((out / "xent-exercises.json").read_text())
    js = (out / "xent-exercises-data.js").read_text()
    assert js.startswith("window.XENT_EXERCISES = ")
    assert json.loads(js[len("window.XENT_EXERCISES = ") :].rstrip().rstrip(";")) == data
    assert set(data["exercises"]) == set(CHAPTER_LABELS)  # the fixture is not book content


# --------------------------------------------------------------------------- the chapters

CHAPTERS = [d for d in toc_docs() if d.startswith("notebooks/")]
CHECK_DIV = re.compile(r"""<div\s+class=["']xent-check["']\s+data-xent-check=["']([^"']+)["']\s*>\s*</div>""")
EXERCISE_LABEL = re.compile(r":label:\s*(\S+)")
# Chapters that do not have their two self-checking exercises yet are reported
# as XFAIL (with the reason) while this is True; every chapter has them now (issue 10).
PENDING_CHAPTERS_ALLOWED = False


def _markdown(doc: str) -> str:
    nb = json.loads((ROOT / f"{doc}.ipynb").read_text())
    return "\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown")


@pytest.mark.parametrize("doc", CHAPTERS)
def test_chapter_has_two_self_checking_exercises(doc, request):
    number = re.match(r"notebooks/(\d\d)_", doc).group(1)
    text = _markdown(doc)
    found = CHECK_DIV.findall(text)
    problems = []
    if len(found) < 2:
        problems.append(f"{doc} has {len(found)} data-xent-check div(s); it needs at least 2")
    if text.count("data-xent-check") != len(found):
        problems.append(
            f"{doc}: a data-xent-check div is not written as "
            '<div class="xent-check" data-xent-check="LABEL"></div>'
        )
    block_labels = set(EXERCISE_LABEL.findall(text))
    for label in found:
        if label not in _core._REGISTRY:
            problems.append(f"{doc}: {label!r} is not registered in xent_book/exercises/ch{number}.py")
            continue
        ex = xb.exercises.get(label)
        if ex.chapter != f"ch{number}":
            problems.append(f"{doc}: {label!r} is registered by {ex.module}, not by ch{number}")
        if label not in block_labels:
            problems.append(f"{doc}: {label!r} is the :label: of no exercise block in this chapter")
    orphans = [
        lab for lab in CHAPTER_LABELS if xb.exercises.get(lab).chapter == f"ch{number}" and lab not in found
    ]
    if orphans:
        problems.append(f"ch{number}.py registers {orphans} with no data-xent-check div in {doc}")
    if problems and PENDING_CHAPTERS_ALLOWED:
        pytest.xfail("; ".join(problems))
    assert not problems, "\n".join(problems)


def test_a_string_answer_gets_a_verdict_that_says_what_to_type():
    label = "ex-likelihood-1"
    want = float(xb.exercises.get(label).expected())
    verdict = xb.exercises.check(label, f"{want:g}")
    assert not verdict.correct and "without quotes" in verdict.message and f"{want:g})" in verdict.message
    comma = xb.exercises.check(label, "0,84")
    assert not comma.correct and "decimal point" in comma.message and "0.84)" in comma.message


@pytest.mark.parametrize("answer", [float("nan"), float("inf"), -float("inf"), 1e400])
def test_a_non_finite_answer_is_told_to_type_a_finite_number(answer):
    verdict = xb.exercises.check("ex-likelihood-1", answer)
    assert not verdict.correct and "finite number" in verdict.message


def test_stability_2_accepts_the_exact_float16_gap():
    # the first float16 gap whose exp(-gap) rounds to 0 is 17.34375; 25 ln 2 is the real threshold
    import numpy as np

    import xent_book as xb
    from xent_book.exercises import ch07

    real, gap16, spacing = ch07._float16_gap()
    assert gap16 == 17.34375 and np.exp(-np.float16(gap16)) == 0
    assert np.exp(-np.nextafter(np.float16(gap16), np.float16(0))) != 0
    for answer in (gap16, real):
        assert xb.exercises.check("ex-stability-2", answer)
    for answer in (17.3, 17.36):
        assert not xb.exercises.check("ex-stability-2", answer)
