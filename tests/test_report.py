"""xent_book.report: glue, safe rounding, mean ± sd, the seed loop.

References: Python's ``decimal`` (exact decimal rounding) and NumPy's ``std(ddof=1)``;
the glued values are read back from what myst-nb would display.
"""

from decimal import Decimal
from unittest import mock

import numpy as np
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from xent_book import report


@pytest.mark.parametrize(
    "value, decimals, down, up",
    [
        (0.597, 2, "0.59", "0.60"),
        (2.19, 1, "2.1", "2.2"),
        (0.0101, 3, "0.010", "0.011"),
        (0.29, 2, "0.29", "0.29"),  # 0.29 * 100 is 28.999999999999996 in floats: Decimal is exact
        (-0.597, 2, "-0.60", "-0.59"),
        (3.0, 0, "3", "3"),
        (1e-20, 3, "0.000", "0.001"),
    ],
)
def test_bounds_round_the_safe_way(value, decimals, down, up):
    assert f"{report.round_down(value, decimals):.{decimals}f}" == down
    assert f"{report.round_up(value, decimals):.{decimals}f}" == up


@given(
    st.floats(min_value=-1e6, max_value=1e6, allow_nan=False, allow_infinity=False),
    st.integers(min_value=0, max_value=8),
)
@example(0.597, 2)
@example(0.29, 2)
@example(2.675, 2)  # 2.675 is 2.67499999... in binary: round() gives 2.67, the bound must too
def test_printed_bounds_are_on_the_safe_side(x, d):
    lo, hi = f"{report.round_down(x, d):.{d}f}", f"{report.round_up(x, d):.{d}f}"
    assert Decimal(lo) <= Decimal(repr(x)) <= Decimal(hi)
    assert Decimal(hi) - Decimal(lo) <= Decimal(1).scaleb(-d)


def test_glue_passes_plain_python_numbers_to_the_notebook():
    with mock.patch("xent_book.report._glue") as glued:
        assert report.glue("a", np.int64(7)) == 7
        assert report.glue("b", np.float64(1 / 3)) == 0.333333
        assert report.glue("c", np.array(2.5e-17)) == 2.5e-17
        assert report.glue_at_least("d", 0.597, 2) == 0.59
        assert report.glue_at_most("e", 0.0101, 3) == 0.011
        m, sd = report.glue_mean_sd("f", [1.0, 2.0, 3.0])
    names = [c.args[0] for c in glued.call_args_list]
    values = [c.args[1] for c in glued.call_args_list]
    assert names == ["a", "b", "c", "d", "e", "f", "f_sd"]
    assert all(type(v) in (int, float) for v in values)
    assert (m, sd) == (2.0, 1.0)


@pytest.mark.parametrize("value", [7, 0.333333, 2.5e-17, -1.0, 10**20])
def test_glue_output_is_myst_nbs(value):
    # report._glue writes what myst_nb.glue(name, value, display=False) writes, so the book reads it
    from myst_nb.ext import glue as myst_glue

    with mock.patch("myst_nb.ext.glue.ipy_display") as theirs:
        myst_glue.glue("k", value, display=False)
    with mock.patch("IPython.display.display") as ours:
        report._glue("k", value)
    assert ours.call_args == theirs.call_args
    assert next(iter(ours.call_args.args[0])).startswith(myst_glue.GLUE_PREFIX)


@pytest.mark.parametrize(
    "args, exc, match",
    [
        (("x", float("nan")), ValueError, "finite"),
        (("x", np.inf), ValueError, "finite"),
        (("x", True), TypeError, "bool"),
        (("x", "1.0"), TypeError, "real number"),
        (("", 1.0), TypeError, "name"),
        ((3, 1.0), TypeError, "name"),
        (("x", 1.0, 0), ValueError, "significant"),
    ],
)
def test_glue_refuses_what_cannot_be_printed(args, exc, match):
    with mock.patch("xent_book.report._glue") as glued, pytest.raises(exc, match=match):
        report.glue(*args)
    glued.assert_not_called()


def test_mean_sd_matches_numpy_sample_sd():
    x = np.random.default_rng(0).normal(size=5)
    assert report.mean_sd(x, 4) == f"{x.mean():.4f} ± {x.std(ddof=1):.4f}"
    with pytest.raises(ValueError, match="at least 2"):
        report.mean_sd([1.0])
    with pytest.raises(ValueError, match="values"):
        report.mean_sd([1.0, np.nan])
    with pytest.raises(ValueError, match="decimals"):
        report.round_down(1.0, 16)


def test_over_seeds_runs_the_book_seeds_and_gathers_a_table(monkeypatch):
    monkeypatch.setenv("XENT_BOOK_SEEDS", "10,11,12,13,14")
    table = report.over_seeds(lambda s: {"seed": s, "sq": float(s) ** 2})
    np.testing.assert_array_equal(table["seed"], [10, 11, 12, 13, 14])
    np.testing.assert_array_equal(table["sq"], [100.0, 121.0, 144.0, 169.0, 196.0])
    assert report.over_seeds(lambda s: {"v": np.ones(2) * s}, seeds=[1, 2])["v"].shape == (2, 2)
    with pytest.raises(ValueError, match="keys differ"):
        report.over_seeds(lambda s: {str(s): 1}, seeds=[1, 2])
    with pytest.raises(TypeError, match="experiment"):
        report.over_seeds(lambda s: 1, seeds=[1])
    with pytest.raises(TypeError, match="experiment"):
        report.over_seeds(3)


@pytest.mark.parametrize(
    ("value", "bound", "text"),
    [
        (3.1e-17, 1e-15, "< 1e-15"),
        (0.0, 1e-15, "0 (exact)"),
        (np.float32(2e-9), 1e-8, "< 1e-8"),
        (0.99e-8, 1e-8, "< 1e-8"),
    ],
)
def test_below_prints_the_bound_not_the_noise(value, bound, text):
    assert report.below(value, bound) == text


@pytest.mark.parametrize(
    ("value", "bound", "exc", "match"),
    [
        (1e-15, 1e-15, AssertionError, "gap = 1.000e-15 is not below"),
        (2.0, 1e-15, AssertionError, "not below the claimed bound 1e-15"),
        (-1e-17, 1e-15, ValueError, "gap: expected a non-negative"),
        (float("nan"), 1e-15, ValueError, "gap"),
        (1e-17, 0.0, ValueError, "bound: expected a positive"),
        (1e-17, float("inf"), ValueError, "bound"),
        (np.zeros(2), 1e-15, ValueError, "gap: expected a scalar"),
    ],
)
def test_below_is_the_assert(value, bound, exc, match):
    with pytest.raises(exc, match=match):
        report.below(value, bound, name="gap")


@given(st.lists(st.floats(-1e6, 1e6), min_size=2, max_size=30))
@example([1.0, 1.0])  # no spread: 0
def test_standard_error_matches_scipy_sem(values):
    from scipy import stats

    assert report.standard_error(values) == pytest.approx(float(stats.sem(values)), rel=1e-9, abs=1e-12)


def test_standard_error_refuses_one_value_and_nan():
    with pytest.raises(ValueError, match="at least 2"):
        report.standard_error([1.0])
    with pytest.raises(ValueError, match="values"):
        report.standard_error([1.0, np.nan])
