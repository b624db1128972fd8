"""Self-checking exercises of chapter 9 (label noise)."""

import numpy as np
from scipy.optimize import brentq

from xent_book import noise
from xent_book.exercises._core import function, number


def _noisy_accuracy(a, r, C):
    # expected accuracy against symmetric-noise labels of a classifier with clean accuracy a
    return (1 - r - r / (C - 1)) * a + r / (C - 1)


number(
    "ex-noise-1",
    solution=lambda: _noisy_accuracy(0.9, 0.4, 10),
    atol=1e-3,
    hint="Split by whether the prediction is right: a right prediction matches the noisy label with "
    "probability 1 - r, a wrong one only if the flip landed on it.",
)
number(
    "ex-noise-3",
    # the rate where the smallest eigenvalue of the (symmetric) matrix crosses zero
    solution=lambda: float(
        brentq(
            lambda r: np.linalg.eigvalsh(noise.transition_matrix("symmetric", r, 10)).min(),
            0.5,
            0.99,
            xtol=1e-12,
        )
    ),
    atol=1e-3,
    hint="Write T as c I + d 11^T; one eigenvalue is 1, the other C - 1 are equal. When is that one zero?",
)


def _forward_cases():
    rng = np.random.default_rng(9)
    sym = noise.transition_matrix("symmetric", 0.4, 4)
    pair = noise.transition_matrix("pair", 0.3, 4)
    return [
        ((np.array([[2.0, -1.0, 0.5, 0.0], [0.0, 0.0, 0.0, 0.0]]), np.array([0, 3]), sym), {}),
        ((rng.normal(0, 3, size=(6, 4)), rng.integers(0, 4, size=6), pair), {}),
        ((np.array([[1000.0, -1000.0, 0.0, 0.0], [-1000.0, 1000.0, 0.0, 0.0]]), np.array([1, 0]), sym), {}),
        ((rng.normal(0, 2, size=(5, 4)), rng.integers(0, 4, size=5), np.eye(4)), {}),
        # the noisy label 2 can only come from classes 1 and 2, whose probabilities underflow
        ((np.array([[1000.0, -1000.0, -1000.0, 0.0]]), np.array([2]), pair), {}),
    ]


function(
    "ex-noise-4",
    reference=lambda z, y, T: noise.forward_corrected_cross_entropy(z, y, T, reduction="none"),
    cases=_forward_cases,
    rtol=1e-9,
    atol=1e-12,
    page_case=0,
    hint="Never form exp(z): take log q = z - logsumexp(z), add log T[k, noisy label] and take one more "
    "logsumexp over k.",
)
