"""Self-checking exercises of chapter 12 (alternatives and relatives)."""

import numpy as np

from xent_book import activations, margins
from xent_book.exercises._core import function, number


def _log_z_hat(z_sampled, r_sampled):
    z = np.asarray(z_sampled, dtype=np.float64)
    r = np.asarray(r_sampled, dtype=np.float64)
    return float(activations.logsumexp(z - np.log(r)) - np.log(z.size))


function(
    "ex-alternatives-4",
    reference=_log_z_hat,
    cases=lambda: [
        ((np.array([1.0, 2.0, 0.5]), np.array([0.2, 0.5, 0.3])), {}),
        ((np.array([1e4, 1e4 - 1.0]), np.array([0.5, 0.5])), {}),  # exp would overflow
        ((np.array([-1e4, 0.0, 3.0]), np.array([1e-300, 0.4, 0.6])), {}),  # a tiny proposal probability
        ((np.zeros(1000), np.full(1000, 1e-3)), {}),  # uniform: log Z_hat = log 1000
    ],
    rtol=1e-9,
    page_case=0,
    page_prompt="log_z_hat(np.array([1.0, 2.0, 0.5]), np.array([0.2, 0.5, 0.3]))",
    hint="Divide by r inside the exponent (subtract log r), then take a stable log-sum-exp and subtract log k.",
)

number(
    "ex-alternatives-5",
    solution=lambda: float(margins.logistic_margin_loss(np.array([-2.0]))[0] / np.log(2.0)),
    atol=1e-3,
    hint="The cross-entropy of logits (0, z) for class 1 is log(1 + e^{-z}); convert nats to bits.",
)
