"""Self-checking exercises of chapter 5 (binary vs categorical cross-entropy)."""

import numpy as np

from xent_book.exercises._core import choice, function, number

number(
    "ex-binary-1",
    solution=lambda: float(np.log(0.8 / (1 - 0.8))),
    atol=1e-3,
    hint="Set the derivative sigmoid(z) - y to zero and solve for z.",
)
choice(
    "ex-binary-2",
    options=("0", "1/4", "1/2", "1"),
    solution=lambda: 1,
    hint="The probabilities must sum to one; how evenly can four of them share it?",
)
number(
    "ex-binary-3",
    solution=lambda: float(1.0 / (1.0 + np.exp(-(1.0 - np.log(0.98 / 0.02))))),
    atol=1e-3,
    hint="pos_weight shifts the optimal logit by log(pos_weight); undo the shift before the sigmoid.",
)


def _bce_cases():
    return [
        ((np.array(3.0), np.array(0.0)), {}),
        ((np.array([-4.0, -1.0, 0.0, 0.5, 3.0]), np.array([1.0, 0.0, 1.0, 1.0, 0.0])), {}),
        ((np.array([-1000.0, 1000.0, 1000.0, -1000.0]), np.array([1.0, 0.0, 1.0, 0.0])), {}),
        ((np.array([40.0, 36.9, 20.0]), np.array([1.0, 1.0, 1.0])), {}),
        ((np.array([-2.0, 0.3, 5.0]), np.array([0.2, 0.5, 0.9])), {}),
        ((np.array([-40.0]), np.array([0.0])), {}),
    ]


def _bce_reference(z, y):
    # max(z, 0) - y z + log1p(e^-|z|): accurate in relative terms for hard labels at any z,
    # also where the loss is tiny (z = 40, y = 1 and z = -40, y = 0 alike); PyTorch's form
    # (1 - y) z - log sigmoid(z) rounds the second of these to 0
    z, y = np.asarray(z, dtype=np.float64), np.asarray(y, dtype=np.float64)
    return np.maximum(z, 0.0) - y * z + np.log1p(np.exp(-np.abs(z)))


function(
    "ex-binary-4",
    reference=_bce_reference,
    cases=_bce_cases,
    rtol=1e-12,
    # 1e-17 accepts both correct forms where the loss is below it (z = -40, y = 0: e^-40 = 4.2e-18,
    # which (1 - y) z - log sigmoid(z) rounds to 0), and still rejects log(1 + e^z) - y z at
    # z = 36.9, y = 1, whose loss 9.4e-17 it rounds to 0
    atol=1e-17,
    page_case=0,
    hint="Write softplus(z) as max(z, 0) plus a log1p of something that is never larger than 1.",
)
