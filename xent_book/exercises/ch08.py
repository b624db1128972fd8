"""Self-checking exercises of chapter 8 (class imbalance)."""

import numpy as np

from xent_book import imbalance
from xent_book.exercises._core import choice, function, number


def _largest_count_within_5_percent(beta=0.999):
    n = np.arange(1, 100_000)
    ratio = -np.expm1(n * np.log(beta)) / ((1 - beta) * n)  # effective number / count
    return int(n[ratio >= 0.95].max())


number(
    "ex-imbalance-1",
    solution=_largest_count_within_5_percent,
    atol=0.5,
    hint="E_n / n = (1 - beta**n) / (n (1 - beta)) falls as n grows; find where it crosses 0.95.",
)
choice(
    "ex-imbalance-3",
    options=("loss weighting", "re-sampling"),
    solution=lambda: 0,
    hint="Count how many class-9 examples a batch of 64 contains on average, and how heavily each is weighted.",
)
function(
    "ex-imbalance-4",
    reference=lambda counts, beta: imbalance.class_balanced_weights(counts, beta),
    cases=lambda: [
        ((np.array([1000, 100, 10]), 0.99), {}),
        ((np.array([1000, 599, 359, 215, 129, 77, 46, 27, 16, 10]), 0.999), {}),
        ((np.array([5, 5, 5, 5]), 0.9), {}),
        ((np.array([3, 1]), 0.0), {}),
        ((np.array([1000, 599, 10]), 1 - 1e-12), {}),
        ((np.array([1]), 0.5), {}),
    ],
    rtol=1e-9,
    atol=0.0,
    page_case=0,
    hint="Use 1 - beta**n = -expm1(n log beta); the constant factor 1 - beta disappears when you normalise.",
)
