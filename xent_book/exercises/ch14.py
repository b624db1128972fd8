"""Self-checking exercises of chapter 14 (regularisation and generalisation)."""

import numpy as np

from xent_book import info, losses
from xent_book.exercises._core import function, number

number(
    "ex-regularisation-1",
    solution=lambda: float(info.binary_entropy(0.8)),
    atol=1e-3,
    hint="No model beats the true conditional distribution; its expected loss is an entropy, in nats.",
)


def _l2_penalised_loss(logits, target, weights, lam):
    return float(losses.cross_entropy(logits, target)) + 0.5 * lam * float(np.sum(np.square(weights)))


function(
    "ex-regularisation-2",
    reference=_l2_penalised_loss,
    cases=lambda: [
        (
            (
                np.array([[2.0, 1.0, 0.1], [0.5, 2.5, -1.0]]),
                np.array([0, 2]),
                np.array([1.0, -2.0, 0.5]),
                0.1,
            ),
            {},
        ),
        ((np.array([[1e4, 0.0, -1e4]]), np.array([1]), np.zeros(3), 1.0), {}),  # extreme logits
        ((np.array([[-1e4, 1e4]]), np.array([0]), np.array([[3.0, 4.0]]), 0.0), {}),  # no penalty
        ((np.zeros((4, 5)), np.arange(4), np.ones((2, 2)), 2.0), {}),  # uniform prediction: ln 5 + 4
    ],
    rtol=1e-9,
    page_case=0,
    page_prompt=(
        "l2_penalised_loss(np.array([[2.0, 1.0, 0.1], [0.5, 2.5, -1.0]]), np.array([0, 2]), "
        "np.array([1.0, -2.0, 0.5]), 0.1)"
    ),
    hint="Mean cross-entropy from a stable log-softmax, plus lam / 2 times the sum of squared weights.",
)
