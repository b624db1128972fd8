"""Self-checking exercises of chapter 3 (entropy)."""

import numpy as np

from xent_book import info
from xent_book.exercises._core import function, number


def _entropy_bits(p):
    return float(info.entropy(np.asarray(p, dtype=np.float64), base=2))


number(
    "ex-entropy-1",
    solution=lambda: np.array([_entropy_bits(np.full(6, 1 / 6)), _entropy_bits([0.1] * 5 + [0.5])]),
    atol=1e-3,
    hint="Each face contributes p log2(1/p); a fair die is uniform over its faces.",
)

function(
    "ex-entropy-2",
    reference=_entropy_bits,
    cases=lambda: [
        ((np.array([0.5, 0.25, 0.125, 0.125, 0.0]),), {}),  # an impossible outcome: 0 log 0 = 0
        ((np.array([1.0, 0.0, 0.0]),), {}),  # certain: 0 bits
        ((np.full(8, 1 / 8),), {}),  # uniform: log2 8
        ((np.array([0.6, 0.3, 0.1]),), {}),
        ((np.array([1e-12, 1 - 1e-12]),), {}),  # nearly certain
    ],
    rtol=1e-9,
    atol=1e-12,
    page_case=0,
    page_prompt="entropy_bits(np.array([0.5, 0.25, 0.125, 0.125, 0.0]))",
    hint="Sum -p log2 p over the outcomes with p > 0 only; an outcome that never happens adds nothing.",
)


def _conditional_entropy_bits():
    p_x = np.array([0.5, 0.5])
    rows = np.array([[0.9, 0.1], [0.5, 0.5]])  # p(y | x)
    return float(np.sum(p_x * info.entropy(rows, base=2)))


number(
    "ex-entropy-4",
    solution=_conditional_entropy_bits,
    atol=1e-3,
    hint="Average, over the two kinds of input, the entropy of the label's distribution for that kind.",
)
