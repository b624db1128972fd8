"""Tests for xent_book.stability, and the accuracy of xb.softmax / log_softmax / logsumexp.

The accuracy tests compare the package's stable functions with an mpmath
reference (50 digits, rounded once to float64) for logits anywhere in
[-1e4, 1e4], in float32 and float64, on random and adversarial inputs, and
state the measured worst error in ULPs (units in the last place).

Measured worst errors (150 rows x 8 logits per case, the cases below):

=================  =========  ===========  =========================
input dtype        softmax    log_softmax  logsumexp
=================  =========  ===========  =========================
float32            0.50       0.50         0.50
float64            2.00       2.00         1.00 (except where it
                                           cancels to ~0, see below)
=================  =========  ===========  =========================

float32 inputs are computed in float64 and rounded once, hence <= 0.5 ULP
(plus a hair). In float64 the shift ``z = x - max(x)`` is rounded, and exp
turns an absolute error in z into the same relative error of the result: for
logits of different magnitudes that alone would cost up to 2**9 = 512 ULPs.
``xb.softmax`` and ``xb.log_softmax`` therefore carry the shift's rounding
error (TwoSum) into exp and the log (see ``activations._softmax_blocks``); the
tests below hold them to a few ULPs everywhere.
"""

from __future__ import annotations

import math

import mpmath
import numpy as np
import pytest
import scipy.special
from hypothesis import given, settings
from hypothesis import strategies as hst

import xent_book as xb
from xent_book import stability as st

#: float32 inputs: computed in float64, rounded once (measured worst 0.50 ULP).
MAX_ULPS_FLOAT32 = 1.0
#: float64, the "few ULPs" target: met by logsumexp (measured 1.00) and by
#: softmax/log_softmax (measured 2.00) for any logits in [-1e4, 1e4].
MAX_ULPS_FLOAT64 = 4.0

N_ROWS, N_CLASSES = 150, 8


# --------------------------------------------------------------------------
# Inputs
# --------------------------------------------------------------------------


def _random_cases(seed=0):
    rng = np.random.default_rng(seed)
    n, c = N_ROWS, N_CLASSES
    out = {}
    for scale in (1e-3, 1.0, 100.0, 1e4):
        out[f"uniform, |x| <= {scale:g}"] = rng.uniform(-scale, scale, size=(n, c))
    x = rng.standard_normal((n, c)) * 10 ** rng.uniform(-3, 4, size=(n, 1))
    out["gaussian, scales 1e-3 to 1e4"] = np.clip(x, -1e4, 1e4)
    return out


def _adversarial_cases(seed=1):
    rng = np.random.default_rng(seed)
    n, c = N_ROWS, N_CLASSES
    out = {}
    base = rng.uniform(-1e4, 1e4, size=(n, 1))
    ties = np.repeat(base, c, axis=1)
    ties[:, c // 2 :] -= rng.uniform(0, 50, size=(n, 1))  # two groups of tied logits
    out["ties"] = ties
    out["all equal"] = np.repeat(rng.uniform(-1e4, 1e4, size=(n, 1)), c, axis=1)
    dominant = rng.uniform(-5, 5, size=(n, c))
    dominant[:, 0] += rng.uniform(0, 800, size=n)
    out["one dominant logit"] = dominant
    x = rng.uniform(-1e4, 1e4, size=(n, c))
    x[rng.random((n, c)) < 0.3] = -np.inf
    x[:, 0] = np.where(np.isneginf(x[:, 0]), 0.0, x[:, 0])  # at least one finite logit per row
    out["-inf entries"] = x
    a = rng.uniform(-1e4, 1e4, size=(n, 1))
    x = a - rng.uniform(0, 700, size=(n, c))
    x[:, 0] = a[:, 0]
    out["gaps below 700, one binade"] = x
    out["extremes +-1e4"] = np.array([[1e4, -1e4, 1e4, -1e4, 0.0, 1e4 - 1, -1e4 + 1, 5e3]] * 2)
    # log-sum-exp cancels to ~0: eight logits near -log 8 (an ill-conditioned output)
    out["logsumexp cancels to ~0"] = -np.log(c) + rng.uniform(-1e-12, 1e-12, size=(n, c))
    return out


# Cases where float64 inputs already meet MAX_ULPS_FLOAT64 for softmax / log_softmax:
SIMILAR_MAGNITUDE = {
    "uniform, |x| <= 0.001",
    "uniform, |x| <= 1",
    "ties",
    "all equal",
    "-inf entries",
    "gaps below 700, one binade",
    "extremes +-1e4",
    "logsumexp cancels to ~0",
}
# Where the exact log-sum-exp is ~0, no float64 algorithm has a small relative error
# (condition number |x| / |lse| ~ 1e13); there we check the absolute error instead.
ILL_CONDITIONED_LSE = {"logsumexp cancels to ~0"}

_CASES = {**_random_cases(), **_adversarial_cases()}
_REFERENCE_CACHE: dict = {}


def _reference(case: str, dtype):
    key = (case, np.dtype(dtype).name)
    if key not in _REFERENCE_CACHE:
        x = _CASES[case].astype(dtype)
        _REFERENCE_CACHE[key] = (x, st.mp_softmax(x), st.mp_log_softmax(x), st.mp_logsumexp(x))
    return _REFERENCE_CACHE[key]


def _worst(fn, x, ref):
    return float(st.ulp_error(fn(x), ref).max())


# --------------------------------------------------------------------------
# xb.softmax, xb.log_softmax, xb.logsumexp against the mpmath reference
# --------------------------------------------------------------------------


@pytest.mark.slow  # mpmath on 150 rows per case
@pytest.mark.parametrize("case", sorted(_CASES))
def test_float32_softmax_log_softmax_logsumexp_are_correctly_rounded(case):
    x, sm, lsm, lse = _reference(case, np.float32)
    for name, fn, ref in [
        ("softmax", xb.softmax, sm),
        ("log_softmax", xb.log_softmax, lsm),
        ("logsumexp", xb.logsumexp, lse),
    ]:
        out = fn(x)
        assert out.dtype == np.float32
        worst = _worst(fn, x, ref)
        assert worst <= MAX_ULPS_FLOAT32, f"{name} on {case}: {worst:.2f} ULPs"


@pytest.mark.slow  # mpmath on 150 rows per case
@pytest.mark.parametrize("case", sorted(set(_CASES) - ILL_CONDITIONED_LSE))
def test_float64_logsumexp_within_a_few_ulps_unless_it_cancels(case):
    x, _, _, lse = _reference(case, np.float64)
    worst = _worst(xb.logsumexp, x, lse)
    assert worst <= MAX_ULPS_FLOAT64, f"logsumexp on {case}: {worst:.2f} ULPs"


@pytest.mark.parametrize("case", sorted(ILL_CONDITIONED_LSE))
def test_float64_logsumexp_that_cancels_is_accurate_relative_to_the_inputs(case):
    x, _, _, lse = _reference(case, np.float64)
    err = np.abs(xb.logsumexp(x) - lse)
    # absolute error within an ULP of the largest |x| (measured 0.41); the relative error is not small
    unit = np.spacing(np.abs(x).max(axis=-1))
    assert np.all(err <= MAX_ULPS_FLOAT64 * unit)
    assert np.all(np.abs(lse) < 1e-11)


@pytest.mark.parametrize("case", sorted(SIMILAR_MAGNITUDE))
def test_float64_softmax_and_log_softmax_within_a_few_ulps_for_similar_magnitudes(case):
    x, sm, lsm, _ = _reference(case, np.float64)
    for name, fn, ref in [("softmax", xb.softmax, sm), ("log_softmax", xb.log_softmax, lsm)]:
        worst = _worst(fn, x, ref)
        assert worst <= MAX_ULPS_FLOAT64, f"{name} on {case}: {worst:.2f} ULPs"


def test_float64_softmax_and_log_softmax_within_a_few_ulps_everywhere():
    worst = 0.0
    for case in _CASES:
        x, sm, lsm, _ = _reference(case, np.float64)
        worst = max(worst, _worst(xb.softmax, x, sm), _worst(xb.log_softmax, x, lsm))
    assert worst <= MAX_ULPS_FLOAT64, f"worst {worst:.2f} ULPs"


def _logit_vectors(width):
    """Vectors of 1-6 logits in [-1e4, 1e4]: arbitrary floats, -inf, and (the hard case for
    the shift x - max) a large logit with others of smaller magnitude within 750 below it."""
    finite = hst.floats(-1e4, 1e4, width=width, allow_subnormal=False)
    arbitrary = hst.lists(hst.one_of(finite, finite, finite, hst.just(-np.inf)), min_size=1, max_size=6)
    small = hst.floats(-1.0, 1.0, width=width, allow_subnormal=False)
    near_top = hst.builds(
        lambda top, smalls, gaps: [top] + [s_ * (top / 2) for s_ in smalls] + [top - g for g in gaps],
        hst.floats(1.0, 750.0, width=width),
        hst.lists(small, min_size=1, max_size=3),
        hst.lists(hst.floats(0.0, 750.0, width=width), max_size=2),
    )
    return hst.one_of(arbitrary, near_top).filter(lambda v: any(np.isfinite(v)))


@pytest.mark.slow  # mpmath on 150 rows per case
@settings(max_examples=150, deadline=None, derandomize=True)
@given(_logit_vectors(64))
def test_float64_accuracy_holds_on_hypothesis_generated_logits(values):
    x = np.array(values, dtype=np.float64)
    assert st.ulp_error(xb.softmax(x), st.mp_softmax(x)).max() <= MAX_ULPS_FLOAT64
    assert st.ulp_error(xb.log_softmax(x), st.mp_log_softmax(x)).max() <= MAX_ULPS_FLOAT64
    exact, got = st.mp_logsumexp(x), xb.logsumexp(x)
    # a few ULPs of the result or, where it cancels towards 0, of the largest |x| (see ILL_CONDITIONED_LSE)
    input_ulp = np.spacing(np.abs(x[np.isfinite(x)]).max())
    assert st.ulp_error(got, exact) <= MAX_ULPS_FLOAT64 or abs(got - exact) <= MAX_ULPS_FLOAT64 * input_ulp


@pytest.mark.slow  # mpmath on 150 rows per case
@settings(max_examples=150, deadline=None, derandomize=True)
@given(_logit_vectors(32))
def test_float32_accuracy_holds_on_hypothesis_generated_logits(values):
    x = np.array(values, dtype=np.float32)
    for fn, ref in [
        (xb.softmax, st.mp_softmax),
        (xb.log_softmax, st.mp_log_softmax),
        (xb.logsumexp, st.mp_logsumexp),
    ]:
        assert st.ulp_error(fn(x), ref(x)).max() <= MAX_ULPS_FLOAT32


def test_softmax_of_a_dominant_logit_keeps_the_tiny_probabilities_accurate():
    # softmax([0, -700]) = [1 / (1 + e^-700), e^-700 / (1 + e^-700)]: both representable
    x = np.array([0.0, -700.0])
    expected = np.array([1.0, math.exp(-700.0)])  # e^-700 + 1 rounds to 1 exactly
    assert np.all(st.ulp_error(xb.softmax(x), expected) <= 1)
    assert np.all(st.ulp_error(xb.log_softmax(x), [-math.exp(-700.0), -700.0]) <= 1)


# --------------------------------------------------------------------------
# The mpmath reference itself
# --------------------------------------------------------------------------


def test_mp_logsumexp_matches_scipy_on_benign_inputs():
    rng = np.random.default_rng(3)
    x = rng.standard_normal((50, 6)) * 3
    np.testing.assert_allclose(st.mp_logsumexp(x), scipy.special.logsumexp(x, axis=-1), rtol=1e-14)
    np.testing.assert_allclose(st.mp_logsumexp(x, axis=0), scipy.special.logsumexp(x, axis=0), rtol=1e-14)


def test_mp_softmax_and_log_softmax_match_scipy_on_benign_inputs():
    rng = np.random.default_rng(4)
    x = rng.standard_normal((4, 5, 3)) * 3
    for axis in (0, 1, -1):
        np.testing.assert_allclose(
            st.mp_softmax(x, axis=axis), scipy.special.softmax(x, axis=axis), rtol=1e-13
        )
        np.testing.assert_allclose(
            st.mp_log_softmax(x, axis=axis), scipy.special.log_softmax(x, axis=axis), rtol=1e-13
        )
        assert st.mp_softmax(x, axis=axis).shape == x.shape


def test_mp_reference_is_correctly_rounded_on_values_known_in_closed_form():
    # log-sum-exp of n equal logits c is c + log n; the reference must round it correctly
    with mpmath.workdps(40):
        assert st.mp_logsumexp([2.0, 2.0, 2.0]) == float(2 + mpmath.log(3))
    # log_softmax of the dominant logit is -log1p(e^-50) = -1.9287e-22, at full relative accuracy
    assert st.mp_log_softmax([0.0, -50.0])[0] == -math.log1p(math.exp(-50.0))
    assert st.mp_softmax([0.0, 0.0, 0.0, 0.0]).tolist() == [0.25] * 4


def test_mp_reference_handles_infinities_and_huge_logits():
    assert st.mp_logsumexp([-np.inf, -np.inf]) == -np.inf
    assert st.mp_logsumexp([1e4, -np.inf]) == 1e4
    np.testing.assert_array_equal(st.mp_softmax([0.0, -np.inf]), [1.0, 0.0])
    np.testing.assert_array_equal(st.mp_log_softmax([0.0, -np.inf]), [0.0, -np.inf])
    # no overflow at 1e4: softmax([1e4, 1e4 - 1]) = [1 / (1 + e^-1), e^-1 / (1 + e^-1)]
    np.testing.assert_allclose(st.mp_softmax([1e4, 1e4 - 1]), scipy.special.softmax([1.0, 0.0]), rtol=1e-15)


def test_mp_reference_widens_float32_inputs_exactly():
    x32 = np.array([0.1, 0.2, 0.3], dtype=np.float32)
    ref = st.mp_logsumexp(x32)
    assert ref.dtype == np.float64
    assert ref == st.mp_logsumexp(x32.astype(np.float64))


@pytest.mark.parametrize("fn", [st.mp_softmax, st.mp_log_softmax, st.mp_logsumexp])
def test_mp_reference_rejects_bad_input(fn):
    with pytest.raises(ValueError, match="x: contains NaN"):
        fn([0.0, np.nan])
    with pytest.raises(ValueError, match=r"x: .*\+inf"):
        fn([0.0, np.inf])
    with pytest.raises(ValueError, match="x: expected at least one dimension"):
        fn(1.0)
    with pytest.raises(ValueError, match="dps"):
        fn([0.0, 1.0], dps=10)
    with pytest.raises(TypeError, match="dps"):
        fn([0.0, 1.0], dps=50.0)


@pytest.mark.parametrize("fn", [st.mp_softmax, st.mp_log_softmax])
def test_mp_softmax_rejects_an_all_masked_slice(fn):
    with pytest.raises(ValueError, match="every logit of a slice is -inf"):
        fn([[0.0, 1.0], [-np.inf, -np.inf]])


# --------------------------------------------------------------------------
# Naive implementations: correct on benign inputs, break where the chapter says
# --------------------------------------------------------------------------


def test_naive_functions_agree_with_the_stable_ones_on_benign_inputs():
    rng = np.random.default_rng(5)
    x = rng.standard_normal((10, 4))
    np.testing.assert_allclose(st.naive_softmax(x), xb.softmax(x), rtol=1e-14)
    np.testing.assert_allclose(st.naive_log_softmax(x), xb.log_softmax(x), rtol=1e-13)
    np.testing.assert_allclose(st.naive_logsumexp(x), xb.logsumexp(x), rtol=1e-14)
    np.testing.assert_allclose(st.naive_softmax(x, axis=0), scipy.special.softmax(x, axis=0), rtol=1e-14)


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
def test_naive_functions_compute_in_the_input_dtype(dtype):
    x = np.array([0.5, 1.0, 2.0], dtype=dtype)
    for fn in (st.naive_softmax, st.naive_log_softmax, st.naive_logsumexp):
        assert fn(x).dtype == dtype


@pytest.mark.parametrize(
    "dtype, fits, overflows",
    [
        (np.float64, 709.0, 710.0),
        (np.float32, 88.0, 89.0),
        (np.float16, 11.0, 11.1),
    ],
)
def test_naive_softmax_overflows_to_nan_just_above_log_of_the_largest_float(dtype, fits, overflows):
    with np.errstate(over="ignore", invalid="ignore"):
        ok = st.naive_softmax(np.array([fits, 0.0], dtype=dtype))
        bad = st.naive_softmax(np.array([overflows, 0.0], dtype=dtype))
        lse = st.naive_logsumexp(np.array([overflows, 0.0], dtype=dtype))
    assert np.all(np.isfinite(ok))
    assert np.isnan(bad[0])
    assert lse == np.inf
    # the stable version is fine
    np.testing.assert_allclose(
        xb.softmax(np.array([overflows, 0.0], dtype=dtype)).astype(np.float64),
        [1.0, math.exp(-float(np.asarray(overflows, dtype=dtype)))],
        rtol=1e-3,
        atol=1e-7,
    )


def test_naive_softmax_of_very_negative_logits_is_0_over_0():
    with np.errstate(invalid="ignore"):
        out = st.naive_softmax([-800.0, -801.0])
    assert np.all(np.isnan(out))
    np.testing.assert_allclose(xb.softmax([-800.0, -801.0]), scipy.special.softmax([1.0, 0.0]), rtol=1e-15)


@pytest.mark.parametrize(
    "dtype, gap_ok, gap_underflows", [(np.float64, 744.0, 746.0), (np.float32, 103.0, 104.0)]
)
def test_naive_log_softmax_underflows_to_minus_inf_at_the_documented_gap(dtype, gap_ok, gap_underflows):
    with np.errstate(divide="ignore"):
        ok = st.naive_log_softmax(np.array([0.0, -gap_ok], dtype=dtype))
        bad = st.naive_log_softmax(np.array([0.0, -gap_underflows], dtype=dtype))
    assert np.isfinite(ok[1])
    assert bad[1] == -np.inf
    assert xb.log_softmax(np.array([0.0, -gap_underflows], dtype=dtype))[1] == -gap_underflows


def test_naive_functions_reject_nan_and_scalars():
    for fn in (st.naive_softmax, st.naive_log_softmax, st.naive_logsumexp):
        with pytest.raises(ValueError, match="x: contains NaN"):
            fn([1.0, np.nan])
        with pytest.raises(ValueError, match="x: expected at least one dimension"):
            fn(3.0)
        with pytest.raises(ValueError, match="axis"):
            fn([1.0, 2.0], axis=1)


# --------------------------------------------------------------------------
# Error measures
# --------------------------------------------------------------------------


def test_ulp_error_counts_units_in_the_last_place():
    one32 = np.float32(1.0)
    assert st.ulp_error(one32 + np.spacing(one32), 1.0) == 1.0
    assert st.ulp_error(np.float32(1.0) + 3 * np.spacing(one32), 1.0) == 3.0
    assert st.ulp_error(1.0 + 2 * np.spacing(1.0), 1.0) == 2.0
    # the unit follows dtype: 1 + 2**-52 is 2**-29 of a float32 ULP
    assert st.ulp_error(1.0 + 2.0**-52, 1.0, dtype=np.float32) == 2.0**-29
    # subnormals: the spacing is the smallest subnormal
    assert st.ulp_error(0.0, 5e-324) == 1.0


def test_ulp_error_special_values():
    err = st.ulp_error([0.0, np.inf, -np.inf, np.nan, np.inf, 1.0], [0.0, np.inf, -np.inf, 1.0, 1.0, -np.inf])
    np.testing.assert_array_equal(err, [0.0, 0.0, 0.0, np.inf, np.inf, np.inf])
    # a finite exact value beyond float16's range: the last finite spacing is the unit
    assert np.isfinite(st.ulp_error(np.float16(65504.0), 70000.0))


def test_relative_error_definition_and_special_values():
    np.testing.assert_allclose(st.relative_error([1.1, -2.0], [1.0, -2.5]), [0.1, 0.2], rtol=1e-12)
    err = st.relative_error([0.0, 1e-300, np.inf, np.nan, -np.inf, 3.0], [0.0, 0.0, np.inf, 1.0, 1.0, np.inf])
    np.testing.assert_array_equal(err, [0.0, np.inf, 0.0, np.inf, np.inf, np.inf])
    assert st.relative_error(np.ones((2, 3)), np.ones(3)).shape == (2, 3)


def test_error_measures_reject_bad_input():
    with pytest.raises(ValueError, match="exact: contains NaN"):
        st.relative_error([1.0], [np.nan])
    with pytest.raises(ValueError, match="approx and exact"):
        st.ulp_error([1.0, 2.0], [1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match="dtype"):
        st.ulp_error([1.0], [1.0], dtype=np.int64)


def test_relative_error_floor_measures_subnormal_results_by_their_absolute_error():
    tiny = float(np.finfo(np.float32).tiny)
    exact, approx = 7e-46, np.float32(0.0)  # correctly rounded to float32: 0.5 ULP, but 100 % relative error
    assert st.relative_error(approx, exact) == 1.0
    assert st.relative_error(approx, exact, floor=tiny) == pytest.approx(7e-46 / tiny)
    # above the floor nothing changes
    assert st.relative_error(1.1, 1.0, floor=tiny) == st.relative_error(1.1, 1.0)
    for bad in (-1.0, np.nan, np.inf):
        with pytest.raises(ValueError, match="floor"):
            st.relative_error(1.0, 1.0, floor=bad)
    for bad in ("1", True, None):
        with pytest.raises(TypeError, match="floor"):
            st.relative_error(1.0, 1.0, floor=bad)
