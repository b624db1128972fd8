"""Hostile input for the sampling explorer (chapter 15), through the shared oracle (issue 9).

One hostile argument per call, the others valid: a refusal must be a ValueError/TypeError naming
that argument; a returned result is checked against xent_book.lm.sampling_distribution and
xent_book.info.entropy (the package's homes of the formulas), and must hold no NaN.
"""

from __future__ import annotations

import math

import numpy as np
from hostile_oracle import (
    assert_refuses_or_ok,
    hostile_arrays,
    hostile_ints,
    hostile_scalars,
    hostile_temperatures,
)
from hypothesis import given, settings
from hypothesis import strategies as st

import xent_book as xb
import xent_book.widgets as xw

FAST = settings(max_examples=15, deadline=None)
Z = np.array([2.0, 1.0, 0.5, -1.0])


def check_values(v):
    probs = xb.lm.sampling_distribution(v["logits"], v["temperature"], v["top_k"], v["top_p"])
    np.testing.assert_array_equal(v["probs"], probs)
    h = float(xb.info.entropy(probs, base=2))
    assert v["entropy_bits"] == h and 0 <= h <= math.log2(probs.size) + 1e-12
    assert 1 <= v["n_kept"] <= probs.size and 0 < v["kept_mass"] <= 1 + 1e-12
    assert v["p_top"] == probs.max() and not np.isnan(v["tempered"]).any()


@FAST
@given(logits=hostile_arrays())
def test_sampling_values_hostile_logits(logits):
    assert_refuses_or_ok(xw.sampling_values, logits, arg="logits", check=check_values)


@FAST
@given(t=hostile_temperatures())
def test_sampling_values_hostile_temperature(t):
    assert_refuses_or_ok(xw.sampling_values, Z, t, arg="temperature", check=check_values)


@FAST
@given(k=st.one_of(hostile_ints(), hostile_scalars()))
def test_sampling_values_hostile_top_k(k):
    assert_refuses_or_ok(xw.sampling_values, Z, 1.0, k, arg="top_k", check=check_values)


@FAST
@given(p=hostile_scalars())
def test_sampling_values_hostile_top_p(p):
    assert_refuses_or_ok(xw.sampling_values, Z, 1.0, None, p, arg="top_p", check=check_values)


def _no_nan(ex):
    v = ex.values()
    check_values(v)
    assert ex.top_k == v["top_k"] and ex.top_p == v["top_p"]


KW = {"logits": Z, "tokens": ["a", "b", "c", "d"], "temperature": 1.0, "top_k": None, "top_p": 0.9}


@settings(max_examples=30, deadline=None)
@given(data=st.data())
def test_sampling_explorer_refuses_or_builds(data):
    which = data.draw(st.sampled_from(sorted(KW)))
    kw = dict(KW)
    kw[which] = data.draw(st.one_of(hostile_scalars(), hostile_arrays(), hostile_ints()))
    # tokens that do not fit the drawn logits are a refusal naming either
    arg = ("logits", "tokens") if which == "logits" else which
    assert_refuses_or_ok(xw.SamplingExplorer, **kw, arg=arg, check=_no_nan)


@settings(max_examples=30, deadline=None)
@given(
    name=st.sampled_from(["temperature", "top_k", "top_p"]), x=st.one_of(hostile_scalars(), hostile_ints())
)
def test_a_hostile_knob_set_from_a_cell_is_refused_or_shown(name, x):
    ex = xw.SamplingExplorer(Z)

    def assign(value):
        setattr(ex, name, value)
        return ex

    assert_refuses_or_ok(assign, x, arg=name, check=_no_nan)
