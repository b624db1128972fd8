"""Self-checking exercises of chapter 7 (numerical stability)."""

import numpy as np

from xent_book import activations
from xent_book.exercises._core import function, number

number(
    "ex-stability-1",
    solution=lambda: float(1000.0 - np.log(np.finfo(np.float64).max)),
    atol=1e-2,
    hint="exp(t) overflows in float64 when t exceeds the log of the largest float64.",
)


def _float16_gap():
    # the real threshold 25 ln 2 and the first float16 gap beyond it whose exp(-gap) rounds to 0
    real = 25 * np.log(2.0)
    gap = np.float16(real)
    while np.exp(-gap) != 0:
        gap = np.nextafter(gap, np.float16(np.inf))
    return real, float(gap), float(np.spacing(gap))


number(
    "ex-stability-2",
    # accept the real threshold and the exact float16 gap (17.34375): the midpoint of the two,
    # with a tolerance of half a float16 spacing there (both lie inside it)
    solution=lambda: (_float16_gap()[0] + _float16_gap()[1]) / 2,
    atol=_float16_gap()[2] / 2,
    hint="exp(-gap) becomes 0 once it is at most half the smallest positive float16.",
)


def _rows(seed, shape, scale):
    return np.random.default_rng(seed).normal(size=shape) * scale


function(
    "ex-stability-5",
    reference=lambda z: activations.logsumexp(z, axis=-1),
    cases=lambda: [
        ((np.array([1000.0, 1000.0]),), {}),
        ((np.array([-1000.0, -1001.0, -1002.0]),), {}),
        ((np.array([0.0, -40.0]),), {}),
        ((np.array([-np.inf, 0.0, 1.0]),), {}),
        ((_rows(0, (4, 6), 50.0),), {}),
        ((np.array([[3.0, 1.0, -2.0], [0.0, 0.0, 0.0]]),), {}),
    ],
    rtol=1e-12,
    atol=0.0,
    page_case=0,
    hint="Pull out the largest logit a: log sum exp(z) = a + log(1 + the sum of the other exp(z_j - a)).",
)
function(
    "ex-stability-6",
    reference=lambda z: activations.log_softmax(z, axis=-1),
    cases=lambda: [
        ((np.array([1000.0, 999.0, 998.0]),), {}),
        ((np.array([0.0, -200.0]),), {}),
        ((np.array([0.0, -40.0, -45.0]),), {}),
        ((_rows(1, (3, 5), 30.0),), {}),
        ((np.array([[2.0, 2.0], [-1e4, 1e4]]),), {}),
    ],
    rtol=1e-12,
    atol=1e-300,
    page_case=0,
    hint="Write log softmax(z)_k as (z_k - a) minus log1p of the other terms; do not subtract logsumexp(z) from z.",
)
