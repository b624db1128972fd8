"""Self-checking exercises in the page (book_assets/xent-exercises.js), in headless Chromium.

Outside requests are blocked (``offline_page_factory``): the answers come from the
build-time export, not from a server.

* A test page built here from the fixture exercises (tests/exercise_examples.py)
  and the committed script: typing the right and a wrong answer gives the two
  verdicts for a number, a choice and a function's page case, by keyboard only;
  typed expressions (3/2, log(2)) and unreadable input.
* The built book (_build/html): every ``data-xent-check`` div on every page
  becomes an answer box; for each exercise the answer computed here, in Python,
  from xent_book.exercises is "Correct." and a wrong one "Not yet." with the
  hint; the verdict is legible (WCAG contrast >= 4.5) in the light and dark themes.
"""

from __future__ import annotations

import functools
import http.server
import importlib
import json
import shutil
import threading
from pathlib import Path

import numpy as np
import pytest

import xent_book as xb
from xent_book.exercises import _core

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
HTML = ROOT / "_build" / "html"
ASSETS = ROOT / "book_assets"
FIXTURE_LABELS = ["ex-fixture-number", "ex-fixture-choice", "ex-fixture-function"]


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):
        pass


def _serve(directory: Path):
    handler = functools.partial(_Quiet, directory=str(directory))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return server, thread


@pytest.fixture(scope="module")
def fixture_site(tmp_path_factory):
    """A page with the three fixture exercises, the committed script and CSS, and their export."""
    importlib.import_module("tests.exercise_examples")
    site = tmp_path_factory.mktemp("exercise-site")
    (site / "_static" / "exercises").mkdir(parents=True)
    shutil.copy(ASSETS / "xent-exercises.js", site / "_static")
    shutil.copy(ASSETS / "xent-exercises.css", site / "_static")
    # Only the fixture's entries, in export_all's format (chapters are checked on the built book below).
    data = {"version": 1, "exercises": {}}
    for label in FIXTURE_LABELS:
        ex = xb.exercises.get(label)
        data["exercises"][label] = {"label": label, "chapter": ex.chapter, "hint": ex.hint, **ex.export()}
    (site / "_static" / "exercises" / "xent-exercises-data.js").write_text(
        "window.XENT_EXERCISES = " + json.dumps(data, allow_nan=False) + ";\n"
    )
    divs = "\n".join(
        f'<section><h2>{lab}</h2><div class="xent-check" data-xent-check="{lab}"></div></section>'
        for lab in FIXTURE_LABELS
    )
    (site / "index.html").write_text(
        '<!doctype html><html lang="en" data-content_root="./"><head><meta charset="utf-8">'
        '<title>exercises</title><link rel="stylesheet" href="_static/xent-exercises.css">'
        '<script defer src="_static/xent-exercises.js"></script></head>'
        f"<body><main>{divs}</main></body></html>\n"
    )
    server, thread = _serve(site)
    yield f"http://127.0.0.1:{server.server_address[1]}/index.html"
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


@pytest.fixture
def offline(offline_page_factory):
    context, page, records = offline_page_factory()
    page.records = records
    yield page
    context.close()
    assert not records.blocked, f"requests left 127.0.0.1: {records.blocked}"
    assert not records.console_errors, records.console_errors
    assert not records.page_errors, records.page_errors
    assert not records.failed_requests, records.failed_requests
    assert not records.http_errors, records.http_errors


def _box(page, label):
    return page.locator(f'.xent-check[data-xent-check="{label}"]')


def _verdict(page, label) -> tuple[str, str]:
    v = _box(page, label).locator(".xent-check-verdict")
    return v.get_attribute("data-xent-verdict"), v.inner_text().strip()


def _type_and_check(page, label, text, use_enter=True):
    box = _box(page, label)
    field = box.locator("input[type=text]")
    field.fill("")
    field.focus()
    page.keyboard.type(text)
    if use_enter:
        page.keyboard.press("Enter")
    else:
        page.keyboard.press("Tab")  # focus moves to the Check button
        assert page.evaluate("document.activeElement.dataset.xentButton") == label
        page.keyboard.press("Space")
    return _verdict(page, label)


def _load(page, url):
    page.goto(url)
    page.wait_for_function(
        "() => Array.from(document.querySelectorAll('.xent-check')).every(d => d.dataset.xentReady)",
        timeout=15000,
    )


def test_fixture_page_right_and_wrong_answers(offline, fixture_site):
    page = offline
    _load(page, fixture_site)
    for label in FIXTURE_LABELS:
        assert _box(page, label).get_attribute("data-xent-ready") == xb.exercises.get(label).kind
        verdict = _box(page, label).locator(".xent-check-verdict")
        assert verdict.get_attribute("aria-live") == "polite"
        assert verdict.get_attribute("role") == "status"

    hint = xb.exercises.get("ex-fixture-number").hint
    assert _type_and_check(page, "ex-fixture-number", "1.5") == ("correct", "Correct.")
    assert _type_and_check(page, "ex-fixture-number", "1.6") == ("not-yet", f"Not yet. Hint: {hint}")
    assert _type_and_check(page, "ex-fixture-number", "3/2", use_enter=False) == ("correct", "Correct.")
    assert _type_and_check(page, "ex-fixture-number", "1.5009")[0] == "correct"  # atol = 1e-3
    assert _type_and_check(page, "ex-fixture-number", "1.5011")[0] == "not-yet"
    status, text = _type_and_check(page, "ex-fixture-number", "one and a half")
    assert status == "invalid" and "as a number" in text
    status, text = _type_and_check(page, "ex-fixture-number", "1.5, 2")
    assert status == "invalid" and "one number" in text
    status, text = _type_and_check(page, "ex-fixture-number", "1,5")
    assert status == "invalid" and "decimal point" in text and "1.5" in text
    for typed in ("NaN", "inf", "1e400", "1/0", "-1/0", "0/0", "log(0)"):  # refused, never "Correct."
        status, text = _type_and_check(page, "ex-fixture-number", typed)
        assert status == "invalid" and "finite number" in text, typed

    # function: the value at the page case, f([1000, 1000]) = 1000 + log 2
    fn_hint = xb.exercises.get("ex-fixture-function").hint
    assert _type_and_check(page, "ex-fixture-function", "1000.693") == ("correct", "Correct.")
    assert _type_and_check(page, "ex-fixture-function", "1000 + log(2)") == ("correct", "Correct.")
    status, text = _type_and_check(page, "ex-fixture-function", "inf")  # overflow is what it teaches to avoid
    assert status == "invalid" and "finite number" in text
    assert _type_and_check(page, "ex-fixture-function", "1000") == ("not-yet", f"Not yet. Hint: {fn_hint}")
    note = _box(page, "ex-fixture-function").inner_text()
    assert 'xb.exercises.check("ex-fixture-function", your_function)' in note and "6 test inputs" in note
    assert "f(np.array([1000.0, 1000.0]))" in note

    # choice, by keyboard only: tab into the group, arrows pick, Enter checks
    ch_hint = xb.exercises.get("ex-fixture-choice").hint
    box = _box(page, "ex-fixture-choice")
    box.locator("button").focus()
    page.keyboard.press("Enter")
    assert _verdict(page, "ex-fixture-choice") == ("invalid", "Choose an option first.")
    box.locator("input[type=radio]").nth(0).focus()
    page.keyboard.press("ArrowDown")  # moves to and selects option b
    page.keyboard.press("Enter")
    assert _verdict(page, "ex-fixture-choice") == ("not-yet", f"Not yet. Hint: {ch_hint}")
    page.keyboard.press("ArrowUp")  # option a, the right one
    page.keyboard.press("Enter")
    assert _verdict(page, "ex-fixture-choice") == ("correct", "Correct.")


def test_typed_number_parser(offline, fixture_site):
    page = offline
    _load(page, fixture_site)
    cases = {
        "0.693": [0.693],
        "6.93e-1": [0.693],
        "-1/3": [-1 / 3],
        "\u22121/3": [-1 / 3],
        "log(2)": [float(np.log(2))],
        "2^-3": [0.125],
        "-2^2": [-4.0],
        "sqrt(2)/2": [2**0.5 / 2],
        "[1, 2.5]": [1.0, 2.5],
        "1e3; pi": [1000.0, float(np.pi)],
        "log2(8)": [3.0],
        "exp(1) - e": [0.0],
    }
    for text, want in cases.items():
        got = page.evaluate("(t) => window.xentExercises.parseNumbers(t)", text)
        assert got == pytest.approx(want, rel=1e-15, abs=1e-15), text
    assert page.evaluate("() => window.xentExercises.parseNumbers('inf')[0] === Infinity")
    for bad in ("", "2e", "log 2", "1 +", "(1", "x", "1.5.2"):
        with pytest.raises(Exception, match="Error"):
            page.evaluate("(t) => window.xentExercises.parseNumbers(t)", bad)


# --------------------------------------------------------------------------- the built book


def _pages_with_checks() -> list[str]:
    if not HTML.is_dir():
        return []
    return sorted(
        p.relative_to(HTML).as_posix()
        for p in HTML.rglob("*.html")
        if "_static" not in p.parts and "data-xent-check" in p.read_text(encoding="utf-8")
    )


def _right_text(ex) -> str:
    vals = ex.expected() if isinstance(ex, _core.NumberExercise) else ex.page_value()
    return ", ".join(repr(float(v)) for v in np.atleast_1d(vals).ravel())


def _wrong_text(ex) -> str:
    vals = ex.expected() if isinstance(ex, _core.NumberExercise) else ex.page_value()
    return ", ".join(repr(float(v) * 1.5 + 1.0) for v in np.atleast_1d(vals).ravel())


def test_built_book_has_exercise_pages(book_html):
    assert (book_html / "_static" / "exercises" / "xent-exercises-data.js").exists(), (
        "scripts/build_book.sh did not export the answers"
    )
    assert _pages_with_checks(), "no page of the built book has a data-xent-check div"


@pytest.mark.parametrize("relpath", _pages_with_checks() or ["(book not built)"])
def test_built_page_checks_right_and_wrong(offline, book_server, relpath):
    if relpath == "(book not built)":
        pytest.skip("the book is not built, or no page has a data-xent-check div yet")
    page = offline
    _load(page, book_server + relpath)
    labels = page.eval_on_selector_all(".xent-check", "els => els.map(e => e.dataset.xentCheck)")
    ready = page.eval_on_selector_all(".xent-check", "els => els.map(e => e.dataset.xentReady)")
    assert "error" not in ready, dict(zip(labels, ready))
    for label in labels:
        ex = xb.exercises.get(label)
        wrong = f"Not yet. Hint: {ex.hint}"
        if isinstance(ex, _core.ChoiceExercise):
            radios = _box(page, label).locator("input[type=radio]")
            assert radios.count() == len(ex.options)
            radios.nth((ex.expected() + 1) % len(ex.options)).check()
            _box(page, label).locator("button").click()
            assert _verdict(page, label) == ("not-yet", wrong), label
            radios.nth(ex.expected()).check()
            _box(page, label).locator("button").click()
            assert _verdict(page, label) == ("correct", "Correct."), label
        elif isinstance(ex, _core.FunctionExercise) and ex.page_case is None:
            assert _box(page, label).locator("input").count() == 0
        else:
            assert _type_and_check(page, label, _wrong_text(ex)) == ("not-yet", wrong), label
            assert _type_and_check(page, label, _right_text(ex)) == ("correct", "Correct."), label


def _contrast_js() -> str:
    return r"""
    (sel) => {
      const lum = (c) => {
        const m = c.match(/rgba?\(([^)]+)\)/); if (!m) return null;
        const [r, g, b] = m[1].split(',').slice(0, 3).map(Number).map(v => {
          v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); });
        return 0.2126 * r + 0.7152 * g + 0.0722 * b;
      };
      const bgOf = (el) => {
        for (let e = el; e; e = e.parentElement) {
          const c = getComputedStyle(e).backgroundColor;
          if (c && !/rgba\(.*,\s*0\)$/.test(c) && c !== 'transparent') return c;
        }
        return 'rgb(255, 255, 255)';
      };
      return Array.from(document.querySelectorAll(sel)).map((el) => {
        const fg = lum(getComputedStyle(el).color), bg = lum(bgOf(el));
        const [hi, lo] = fg > bg ? [fg, bg] : [bg, fg];
        return {text: el.textContent.slice(0, 30), ratio: (hi + 0.05) / (lo + 0.05)};
      });
    }
    """


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_built_page_legible_in_both_themes(offline, book_server, theme, screenshot_dir):
    pages = _pages_with_checks()
    if not pages:
        pytest.skip("no page of the built book has a data-xent-check div yet")
    page = offline
    _load(page, book_server + pages[0])
    page.evaluate(
        "(t) => { document.documentElement.dataset.theme = t; document.documentElement.dataset.mode = t; }",
        theme,
    )
    selectors = ".xent-check .xent-check-verdict, .xent-check .xent-check-title, .xent-check label, .xent-check-button"
    seen = set()
    # every message state, in both themes: correct, not yet, and a refused input
    for label in page.eval_on_selector_all(".xent-check", "els => els.map(e => e.dataset.xentCheck)"):
        ex = xb.exercises.get(label)
        box = _box(page, label)
        if isinstance(ex, _core.ChoiceExercise):
            if box.locator("input[type=radio]").count() == 0:
                continue
            box.locator("button").click()  # nothing chosen: "Choose an option first."
            states = [_verdict(page, label)[0]]
            _measure(page, theme, label, states[-1], selectors)
            for option in ((ex.expected() + 1) % len(ex.options), ex.expected()):
                box.locator("input[type=radio]").nth(option).check()
                box.locator("button").click()
                states.append(_verdict(page, label)[0])
                _measure(page, theme, label, states[-1], selectors)
        elif box.locator("input").count():
            states = []
            for typed in ("one and a half", _wrong_text(ex), _right_text(ex)):
                states.append(_type_and_check(page, label, typed)[0])
                _measure(page, theme, label, states[-1], selectors)
        else:
            continue
        seen |= set(states)
        if seen >= {"correct", "not-yet", "invalid"}:
            box.scroll_into_view_if_needed()
            box.screenshot(path=str(screenshot_dir / f"exercise-{theme}.png"))
            break
    assert seen >= {"correct", "not-yet", "invalid"}, seen


def _measure(page, theme, label, state, selectors):
    for item in page.evaluate(_contrast_js(), selectors):
        if item["text"].strip():
            assert item["ratio"] >= 4.5, f"{theme}, {label}, {state}: {item}"
