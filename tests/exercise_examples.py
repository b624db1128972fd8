"""Example exercises for tests/test_exercises.py: one of each kind.

A test fixture, not book content: the chapters' exercises live in
``xent_book/exercises/chNN.py``. Registered on import, like a chapter module.
"""

import numpy as np

from xent_book import activations, info
from xent_book.exercises._core import choice, function, number

number(
    "ex-fixture-number",
    solution=lambda: info.entropy([0.5, 0.25, 0.25], base=2),
    atol=1e-3,
    hint="Each outcome contributes p log2(1/p); add the three contributions.",
)

choice(
    "ex-fixture-choice",
    options=("H(p) grows", "H(p) shrinks", "H(p) is unchanged"),
    # Mixing p = (1, 0) towards uniform raises the entropy: computed, not typed.
    solution=lambda: int(
        np.argmax(
            [
                info.entropy([0.9, 0.1]) > info.entropy([1.0, 0.0]),
                info.entropy([0.9, 0.1]) < info.entropy([1.0, 0.0]),
                info.entropy([0.9, 0.1]) == info.entropy([1.0, 0.0]),
            ]
        )
    ),
    hint="Compare a certain outcome with a slightly uncertain one.",
)


def _lse_cases():
    return [
        ((np.array([1.0, 2.0, 3.0]),), {}),
        ((np.array([1000.0, 1000.0]),), {}),  # overflow in a naive version
        ((np.array([-1000.0, -1000.0]),), {}),  # underflow in a naive version
        ((np.array([-np.inf, 0.0]),), {}),  # a zero probability
        ((np.array([-np.inf, -np.inf]),), {}),  # every term zero: -inf
        ((np.array([[0.0, 1.0], [2.0, 5.0]]),), {}),  # a batch: reduce the last axis
    ]


function(
    "ex-fixture-function",
    reference=lambda x: activations.logsumexp(x, axis=-1),
    cases=_lse_cases,
    rtol=1e-12,
    atol=1e-12,
    page_case=1,
    hint="Subtract the largest entry before exponentiating, and add it back after the log.",
)
