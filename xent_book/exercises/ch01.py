"""Self-checking exercises of chapter 1 (from likelihood to loss)."""

import numpy as np

from xent_book import info, losses
from xent_book.exercises._core import function, number


def _first_zero_power_of_half(dtype):
    # smallest n with 2**-n == 0 in dtype: one more than the exponent of the smallest subnormal
    tiny = np.nextafter(dtype(0), dtype(1))
    return int(-np.log2(np.float64(tiny))) + 1


def _coin_nll(theta, flips):
    flips = np.asarray(flips, dtype=np.float64)
    return float(losses.binary_cross_entropy(np.full(flips.shape, float(theta)), flips))


number(
    "ex-likelihood-1",
    solution=lambda: _first_zero_power_of_half(np.float64),
    atol=0,
    hint="The product after n samples is 2^-n. Which power of two is the smallest positive float64 (a subnormal)?",
)

function(
    "ex-likelihood-2",
    reference=_coin_nll,
    cases=lambda: [
        ((0.3, np.array([1, 0, 0, 1, 1, 0, 1])), {}),
        ((0.5, np.array([0, 1])), {}),
        ((0.9, np.ones(5)), {}),  # heads only: the tails term must vanish
        ((1e-6, np.array([0, 0, 0, 1])), {}),  # a probability near 0
        ((0.75, np.zeros(3)), {}),  # tails only
    ],
    rtol=1e-9,
    atol=0.0,
    page_case=0,
    page_prompt="coin_nll(0.3, np.array([1, 0, 0, 1, 1, 0, 1]))",
    hint="Each head costs -log(theta) and each tail -log(1 - theta); average over the flips.",
)

number(
    "ex-likelihood-3",
    solution=lambda: float(info.binary_entropy(7 / 10)),
    atol=1e-3,
    hint="The best constant prediction is the frequency of heads; evaluate the mean log loss there, in nats.",
)
