"""Self-checking exercises of chapter 4 (cross-entropy and KL divergence)."""

import numpy as np

from xent_book import info
from xent_book.exercises._core import choice, function, number


def _kl(p, q):
    return float(info.kl_divergence(np.asarray(p, dtype=np.float64), np.asarray(q, dtype=np.float64)))


number(
    "ex-ckl-1",
    solution=lambda: np.array([_kl([0.5, 0.5], [0.9, 0.1]), _kl([0.9, 0.1], [0.5, 0.5])]),
    atol=1e-3,
    hint="KL(p || q) averages log(p/q) under p; the other direction averages log(q/p) under q. Natural logarithms.",
)

function(
    "ex-ckl-2",
    reference=_kl,
    cases=lambda: [
        ((np.array([0.5, 0.3, 0.2]), np.array([0.2, 0.3, 0.5])), {}),
        ((np.array([0.7, 0.2, 0.1]), np.array([0.7, 0.2, 0.1])), {}),  # q = p: 0
        ((np.array([0.5, 0.5, 0.0]), np.array([0.25, 0.25, 0.5])), {}),  # p_k = 0: the term vanishes
        ((np.array([0.5, 0.5]), np.array([1.0, 0.0])), {}),  # q_k = 0 < p_k: +inf
        ((np.array([1e-9, 1 - 1e-9]), np.array([0.5, 0.5])), {}),
    ],
    rtol=1e-9,
    atol=1e-12,
    page_case=0,
    page_prompt="kl(np.array([0.5, 0.3, 0.2]), np.array([0.2, 0.3, 0.5]))",
    hint="Sum p log(p/q) over the outcomes with p > 0; if q is 0 where p is not, the answer is infinite.",
)

_P = np.array([0.5, 0.3, 0.2])
_REPORTS = (_P, np.array([1.0, 0.0, 0.0]), np.full(3, 1 / 3))


def _best_linear_report():
    # the report with the smallest expected linear penalty -sum_k p_k q_k
    return int(np.argmin([-np.sum(_P * r) for r in _REPORTS]))


choice(
    "ex-ckl-4",
    options=("q = p", "q = (1, 0, 0)", "q = (1/3, 1/3, 1/3)"),
    solution=_best_linear_report,
    hint="The expected penalty is linear in q: where on the simplex is a linear function smallest?",
)
