"""The arithmetic coder against an exact reference (fractions): decode(encode(x)) == x, and
sum -log2 f/T <= L <= that sum + overhead_bound, computed exactly (chapter 15)."""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pytest

from xent_book import coding


def _case(rng, n, v, conc, precision):
    p = rng.dirichlet(np.ones(v) * conc, size=n)
    f = coding.quantise(p, precision=precision)
    s = np.array([rng.choice(v, p=f[t] / f[t].sum()) for t in range(n)], dtype=np.int64)
    return p, f, s


@pytest.mark.parametrize("seed", range(40))
def test_round_trip_and_exact_bounds(seed):
    rng = np.random.default_rng(seed)
    n, v = int(rng.integers(1, 80)), int(rng.integers(2, 12))
    precision = int(rng.integers(4, 17))
    _, f, s = _case(rng, n, v, float(rng.choice([0.02, 1.0, 20.0])), precision)
    bits = coding.encode(s, f)
    assert bits.dtype == np.uint8 and set(np.unique(bits)) <= {0, 1}
    np.testing.assert_array_equal(coding.decode(bits, f), s)
    prod = Fraction(1)
    for t in range(n):
        prod *= Fraction(int(f[t, s[t]]), int(f[t].sum()))
    length = bits.size
    assert Fraction(1, 2**length) <= prod  # L >= -log2 prod, exactly
    eps = 1 - Fraction(1, 2 ** (coding.STATE_BITS - 2 - precision))
    assert Fraction(1, 2 ** (length - 2)) >= prod * eps**n  # L <= -log2 prod + 2 + n eps, exactly
    assert length <= coding.ideal_code_length(s, f) + coding.overhead_bound(n, precision) + 1e-9


def test_improbable_symbols_and_long_text():
    rng = np.random.default_rng(1)
    n, v = 3000, 256
    p = np.full((n, v), 1e-9)
    p[:, 0] = 1 - 1e-9 * (v - 1)
    f = coding.quantise(p)
    s = rng.integers(0, v, n)  # mostly improbable symbols: long codes, many pending bits
    bits = coding.encode(s, f)
    np.testing.assert_array_equal(coding.decode(bits, f), s)
    ideal = coding.ideal_code_length(s, f)
    assert ideal <= bits.size <= ideal + coding.overhead_bound(n)
    s0 = np.zeros(n, dtype=np.int64)  # the probable symbol everywhere: a few bits in all
    b0 = coding.encode(s0, f)
    np.testing.assert_array_equal(coding.decode(b0, f), s0)
    assert b0.size <= coding.ideal_code_length(s0, f) + 2


def test_quantise_rows_and_cost():
    rng = np.random.default_rng(2)
    p = rng.dirichlet(np.ones(50), size=100)
    f = coding.quantise(p, precision=12)
    assert f.dtype == np.int64 and (f >= 1).all() and (f.sum(axis=1) == 4096).all()
    s = rng.integers(0, 50, 100)
    ref = -sum(math.log2(p[t, s[t]]) for t in range(100))
    assert coding.ideal_code_length(s, p) == pytest.approx(ref, rel=1e-12)
    assert coding.quantise(np.array([0.25, 0.75]), precision=2).tolist() == [1, 3]


def test_refusals():
    f = coding.quantise(np.full((2, 2), 0.5), precision=4)
    with pytest.raises(ValueError, match="symbols"):
        coding.encode(np.array([0, 2]), f)
    with pytest.raises(ValueError, match="freqs"):
        coding.encode(np.array([0, 1]), np.array([[1, 2], [2, 2]]))
    with pytest.raises(ValueError, match="bits"):
        coding.decode(np.array([0, 2]), f)
    with pytest.raises(ValueError, match="precision"):
        coding.quantise(np.full(8, 1 / 8), precision=2)
