"""Hostile input for chapter 15's modules, xent_book.coding and xent_book.lm (issue 9 pattern).

Each test draws ONE hostile argument and keeps the others valid; the shared oracle demands a
finite result of the documented dtype and shape, or a ValueError/TypeError naming that argument.
Valid calls are compared with an independent reference.
"""

from __future__ import annotations

import numpy as np
from hostile_oracle import (
    assert_refuses_or_ok,
    hostile_arrays,
    hostile_indices,
    hostile_ints,
    hostile_scalars,
)
from hypothesis import HealthCheck, given, settings

from xent_book import coding, lm

FAST = settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
P = np.array([[0.5, 0.25, 0.25], [0.1, 0.2, 0.7]])
F4 = coding.quantise(P, precision=4)
SYM = np.array([0, 2])
Z = np.random.default_rng(0).normal(size=(2, 3, 3))
TOK = np.array([[0, 1, 2], [2, 0, -100]])


@FAST
@given(probs=hostile_arrays())
def test_quantise_hostile_probs(probs):
    assert_refuses_or_ok(coding.quantise, probs, arg="probs", dtype=np.int64)


@FAST
@given(precision=hostile_ints())
def test_quantise_hostile_precision(precision):
    assert_refuses_or_ok(coding.quantise, P, precision, arg="precision", dtype=np.int64, shape=P.shape)


@FAST
@given(symbols=hostile_indices(3, (2,)))
def test_encode_hostile_symbols(symbols):
    assert_refuses_or_ok(coding.encode, symbols, F4, arg="symbols", dtype=np.uint8)


@FAST
@given(freqs=hostile_arrays())
def test_encode_hostile_freqs(freqs):
    assert_refuses_or_ok(coding.encode, SYM, freqs, arg=("freqs", "symbols"), dtype=np.uint8)


@FAST
@given(bits=hostile_indices(2, (5,)))
def test_decode_hostile_bits(bits):
    assert_refuses_or_ok(coding.decode, bits, F4, arg="bits", dtype=np.int64, shape=(2,))


@FAST
@given(freqs=hostile_arrays())
def test_decode_hostile_freqs(freqs):
    assert_refuses_or_ok(coding.decode, np.array([1, 0, 1]), freqs, arg="freqs", dtype=np.int64)


def test_coder_valid_round_trip():
    bits = assert_refuses_or_ok(coding.encode, SYM, F4, arg=None, dtype=np.uint8).value
    out = assert_refuses_or_ok(coding.decode, bits, F4, arg=None, dtype=np.int64).value
    np.testing.assert_array_equal(out, SYM)
    ideal = -np.log2(F4[[0, 1], SYM] / 16).sum()
    assert ideal <= bits.size <= ideal + coding.overhead_bound(2, 4)


@FAST
@given(probs=hostile_arrays())
def test_ideal_code_length_hostile_probs(probs):
    assert_refuses_or_ok(coding.ideal_code_length, SYM, probs, arg=("probs", "symbols"), inf_ok=True)


@FAST
@given(symbols=hostile_indices(3, (2,)))
def test_ideal_code_length_hostile_symbols(symbols):
    out = assert_refuses_or_ok(coding.ideal_code_length, symbols, P, arg="symbols")
    if out.ok:
        s = np.asarray(symbols)
        assert out.value == -np.log2(P[[0, 1], s]).sum()


@FAST
@given(n=hostile_ints(), precision=hostile_ints())
def test_overhead_bound_hostile(n, precision):
    assert_refuses_or_ok(coding.overhead_bound, n, arg="n")
    assert_refuses_or_ok(coding.overhead_bound, 3, precision, arg="precision")


@FAST
@given(n=hostile_ints(), start=hostile_ints())
def test_load_corpus_hostile(n, start):
    assert_refuses_or_ok(lm.load_corpus, n, arg="n_bytes")
    assert_refuses_or_ok(lm.load_corpus, 5, start, arg=("start", "n_bytes"))


@FAST
@given(logits=hostile_arrays())
def test_next_token_hostile_logits(logits):
    assert_refuses_or_ok(lm.next_token_cross_entropy, logits, TOK, arg=("logits", "tokens"), nan_ok=True)


@FAST
@given(tokens=hostile_indices(3, (2, 3)))
def test_next_token_hostile_tokens(tokens):
    assert_refuses_or_ok(lm.next_token_cross_entropy, Z, tokens, arg="tokens", nan_ok=True)


@FAST
@given(ignore_index=hostile_scalars(), reduction=hostile_scalars())
def test_next_token_hostile_options(ignore_index, reduction):
    assert_refuses_or_ok(lm.next_token_cross_entropy, Z, TOK, ignore_index, arg="ignore_index", nan_ok=True)
    assert_refuses_or_ok(lm.next_token_cross_entropy, Z, TOK, -100, reduction, arg="reduction")


@FAST
@given(train=hostile_indices(4, (6,)), order=hostile_ints(), k=hostile_scalars(), v=hostile_ints())
def test_ngram_hostile(train, order, k, v):
    tg = np.array([0, 1, 3])
    assert_refuses_or_ok(lm.ngram_log_probs, train, tg, 2, 1.0, 4, arg="train", dtype=np.float64)
    assert_refuses_or_ok(lm.ngram_log_probs, tg, train, 2, 1.0, 4, arg="target", dtype=np.float64)
    assert_refuses_or_ok(lm.ngram_log_probs, tg, tg, order, 1.0, 4, arg="order", dtype=np.float64)
    assert_refuses_or_ok(lm.ngram_log_probs, tg, tg, 2, k, 4, arg="k", dtype=np.float64)
    assert_refuses_or_ok(lm.ngram_log_probs, tg, tg, 2, 1.0, v, arg=("vocab_size", "train", "target"))


@FAST
@given(tokens=hostile_indices(4, (6,)), n=hostile_ints(), merges=hostile_indices(5, (1, 2)))
def test_merges_hostile(tokens, n, merges):
    ok = np.array([1, 2, 1, 2, 3])
    assert_refuses_or_ok(lm.learn_merges, tokens, 2, 4, arg="tokens", dtype=np.int64)
    assert_refuses_or_ok(lm.learn_merges, ok, n, 4, arg="n_merges", dtype=np.int64)
    assert_refuses_or_ok(lm.apply_merges, tokens, np.array([[1, 2]]), 4, arg="tokens", dtype=np.int64)
    assert_refuses_or_ok(lm.apply_merges, ok, merges, 4, arg="merges", dtype=np.int64)


@FAST
@given(
    logits=hostile_arrays(),
    t=hostile_scalars(),
    k=hostile_scalars(),
    p=hostile_scalars(),
)
def test_sampling_distribution_hostile(logits, t, k, p):
    z = np.array([1.0, 0.0, -1.0])
    assert_refuses_or_ok(lm.sampling_distribution, logits, arg="logits", dtype=np.float64)
    assert_refuses_or_ok(lm.sampling_distribution, z, t, arg="temperature", dtype=np.float64, shape=(3,))
    assert_refuses_or_ok(lm.sampling_distribution, z, 1.0, k, arg="top_k", dtype=np.float64, shape=(3,))
    out = assert_refuses_or_ok(lm.sampling_distribution, z, 1.0, None, p, arg="top_p", dtype=np.float64)
    if out.ok:
        assert abs(out.value.sum() - 1) < 1e-12


@FAST
@given(logits=hostile_arrays(), coefficient=hostile_scalars())
def test_z_loss_hostile(logits, coefficient):
    out = assert_refuses_or_ok(lm.z_loss, logits, arg="logits", dtype=np.float64)
    if out.ok:
        assert out.value >= 0
    assert_refuses_or_ok(lm.z_loss, Z, coefficient, arg=("coefficient", "logits"), dtype=np.float64)


@FAST
@given(logits=hostile_arrays(), cap=hostile_scalars())
def test_soft_cap_hostile(logits, cap):
    out = assert_refuses_or_ok(
        lm.soft_cap, logits, 30.0, arg="logits", dtype=(np.float16, np.float32, np.float64)
    )
    if out.ok:
        assert np.all(np.abs(out.value) <= 30.0)
    out = assert_refuses_or_ok(lm.soft_cap, Z, cap, arg="cap", dtype=np.float64, shape=Z.shape)
    if out.ok:
        assert np.all(np.abs(out.value) <= out.value.dtype.type(abs(float(cap))) * (1 + 1e-15))


def test_z_loss_refuses_an_overflowing_penalty():
    import pytest

    with pytest.raises(ValueError, match="logits, coefficient: the z-loss overflows"):
        lm.z_loss(np.array([[1e200, 0.0]]))
    with pytest.raises(ValueError, match="coefficient"):
        lm.z_loss(np.array([[1e100, 0.0]]), 1e300)
