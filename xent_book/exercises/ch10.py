"""Self-checking exercises of chapter 10 (calibration)."""

import numpy as np
from scipy.stats import binom

from xent_book import calibration
from xent_book.exercises._core import function, number


def _expected_one_bin_ece(n):
    # E|Ybar - 1/2| for Ybar the fraction of positives among n fair coin flips: the exact binomial mean
    k = np.arange(n + 1)
    return float(np.sum(binom.pmf(k, n, 0.5) * np.abs(k / n - 0.5)))


number(
    "ex-calibration-2",
    solution=lambda: _expected_one_bin_ece(25),
    atol=1e-3,
    hint="With one bin the ECE is |fraction of positives - 0.5|; average it over the binomial distribution "
    "of the number of positives.",
)


def _ece_cases():
    rng = np.random.default_rng(10)
    q = rng.dirichlet(np.ones(4), size=40)
    return [
        ((q, rng.integers(0, 4, size=40)), {}),
        ((np.array([[0.5, 0.5], [1.0, 0.0], [0.2, 0.8], [1 / 3, 2 / 3]]), np.array([0, 0, 1, 0])), {}),
        ((rng.dirichlet(np.full(5, 0.3), size=200), rng.integers(0, 5, size=200)), {}),
        ((np.tile([0.7, 0.2, 0.1], (10, 1)), np.zeros(10, dtype=int)), {}),
        # confidences on bin edges (right-closed bins) and exactly 1
        ((np.array([[e, 1 - e, 0.0] for e in np.linspace(0, 1, 16)[8:]]), np.array([0, 1] * 4)), {}),
    ]


function(
    "ex-calibration-4",
    reference=lambda probs, labels: calibration.expected_calibration_error(probs, labels, n_bins=15),
    cases=_ece_cases,
    rtol=1e-9,
    atol=1e-12,
    page_case=1,
    hint="Confidence = row maximum, correct = argmax equals the label; bins ((m-1)/15, m/15] with 0 in the "
    "first (np.searchsorted on the inner edges); weight each bin's |accuracy - confidence| by its share.",
)
