"""Hostile input for the chapters' bookkeeping: xent_book.report and book_seeds.

As in the other ``tests/test_hostile_*.py`` suites, each test draws ONE hostile argument
and keeps the others valid; the shared oracle (``hostile_oracle``) demands a result or a
ValueError/TypeError naming that argument, and never another exception, a warning, a hang
or a mutated input. Valid calls are compared with an independent reference
(``decimal`` for the rounding, NumPy for the spread).
"""

from __future__ import annotations

import numbers
from decimal import Decimal
from unittest import mock

import numpy as np
import pytest
from hostile_oracle import (
    assert_refuses_or_ok,
    hostile_arrays,
    hostile_float_arrays,
    hostile_ints,
    hostile_scalars,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from xent_book import report, reproducibility

FAST = settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
NAMES = st.sampled_from(["", None, 1, b"x", ["x"]])


@pytest.fixture(autouse=True)
def _no_kernel():
    with mock.patch("xent_book.report._glue"):
        yield


@FAST
@given(value=hostile_scalars())
def test_glue_hostile_value(value):
    out = assert_refuses_or_ok(report.glue, "x", value, arg="value")
    if out.value is not None:
        assert type(out.value) in (int, float) and (type(out.value) is int or np.isfinite(out.value))


@FAST
@given(name=NAMES)
def test_glue_hostile_name(name):
    assert_refuses_or_ok(report.glue, name, 1.0, arg="name", must_refuse=True)


@FAST
@given(significant=hostile_ints())
def test_glue_hostile_significant(significant):
    assert_refuses_or_ok(report.glue, "x", 1.0, significant, arg="significant")


@FAST
@given(value=hostile_scalars(), decimals=st.one_of(hostile_ints(), st.integers(0, 15)))
def test_round_down_and_up_hostile(value, decimals):
    down = assert_refuses_or_ok(report.round_down, value, decimals, arg=("value", "decimals"))
    up = assert_refuses_or_ok(report.round_up, value, decimals, arg=("value", "decimals"))
    least = assert_refuses_or_ok(report.glue_at_least, "x", value, decimals, arg=("value", "decimals"))
    most = assert_refuses_or_ok(report.glue_at_most, "x", value, decimals, arg=("value", "decimals"))
    assert (down.value is None) == (up.value is None) == (least.value is None) == (most.value is None)
    if down.value is not None:
        exact = Decimal(int(value)) if isinstance(value, numbers.Integral) else Decimal(repr(float(value)))
        assert Decimal(f"{down.value:.{decimals}f}") <= exact <= Decimal(f"{up.value:.{decimals}f}")
        assert (least.value, most.value) == (down.value, up.value)


@FAST
@given(values=st.one_of(hostile_arrays(), hostile_float_arrays()))
def test_mean_sd_hostile_values(values):
    out = assert_refuses_or_ok(report.mean_sd, values, arg="values")
    if out.value is not None:
        x = np.asarray(values, dtype=np.float64).ravel()
        assert out.value == f"{x.mean():.3f} ± {x.std(ddof=1):.3f}"
    assert_refuses_or_ok(report.glue_mean_sd, "x", values, arg="values")


@FAST
@given(values=st.one_of(hostile_arrays(), hostile_float_arrays()))
def test_standard_error_hostile_values(values):
    out = assert_refuses_or_ok(report.standard_error, values, arg="values")
    if out.value is not None:
        x = np.asarray(values, dtype=np.float64).ravel()
        assert out.value == pytest.approx(x.std(ddof=1) / np.sqrt(x.size), rel=1e-12)


@FAST
@given(digits=hostile_ints())
def test_mean_sd_hostile_digits(digits):
    assert_refuses_or_ok(report.mean_sd, [1.0, 2.0], digits, arg="digits")


@FAST
@given(experiment=st.sampled_from([None, 1, "f", lambda s: s, lambda s: [s]]))
def test_over_seeds_hostile_experiment(experiment):
    assert_refuses_or_ok(report.over_seeds, experiment, [0, 1], arg="experiment", must_refuse=True)


@FAST
@given(seeds=st.sampled_from([[], [0.5], [True], ["1"], [None]]))
def test_over_seeds_hostile_seeds(seeds):
    assert_refuses_or_ok(report.over_seeds, lambda s: {"s": s}, seeds, arg="seeds", must_refuse=True)


@FAST
@given(n=hostile_ints())
def test_book_seeds_hostile_n(n):
    out = assert_refuses_or_ok(reproducibility.book_seeds, n, arg="n")
    if out.value is not None:
        np.testing.assert_array_equal(out.value, np.arange(n))


@FAST
@given(text=st.text(st.characters(blacklist_characters="\x00", blacklist_categories=("Cs",)), max_size=12))
def test_book_seeds_hostile_environment(text):
    with mock.patch.dict("os.environ", {"XENT_BOOK_SEEDS": text}):
        out = assert_refuses_or_ok(reproducibility.book_seeds, arg="XENT_BOOK_SEEDS")
    if out.value is not None:
        assert len(out.value) >= 5 and len(set(out.value.tolist())) == len(out.value)


@FAST
@given(value=hostile_scalars())
def test_below_hostile_value(value):
    # The largest finite bound: every finite value the oracle accepts lies under it,
    # so a return is "< 2e308" or "0 (exact)" and never the claim's AssertionError.
    out = assert_refuses_or_ok(report.below, value, np.finfo(np.float64).max, arg="value")
    if out.value is not None:
        assert out.value in ("0 (exact)", "< 2e308")


@FAST
@given(bound=hostile_scalars())
def test_below_hostile_bound(bound):
    # value 0 is under every positive bound, so only a bad bound can be refused.
    out = assert_refuses_or_ok(report.below, 0.0, bound, arg="bound")
    if out.value is not None:
        assert out.value == "0 (exact)"


@FAST
@given(name=NAMES)
def test_below_hostile_name(name):
    assert_refuses_or_ok(report.below, 0.0, 1e-8, name, arg="name")
