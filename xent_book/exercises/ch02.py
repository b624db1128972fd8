"""Self-checking exercises of chapter 2 (logits, softmax and temperature)."""

import numpy as np
from scipy import optimize

from xent_book import activations
from xent_book.exercises._core import choice, function, number

_Z = np.array([2.0, 1.0, 0.1])


def _softmax_t(z, T):
    return activations.softmax(np.asarray(z, dtype=np.float64), temperature=T)


def _grad_z(z, y, T):
    # d/dz of -log softmax(z / T)_y = (softmax(z / T) - e_y) / T
    q = _softmax_t(z, T)
    return (q - np.eye(q.shape[-1])[y]) / T


function(
    "ex-softmax-1",
    reference=_softmax_t,
    cases=lambda: [
        ((_Z, 0.5), {}),
        ((_Z, 1.0), {}),
        ((np.array([1000.0, 999.0, -1000.0]), 1.0), {}),  # exp(1000) overflows: shift first
        ((np.array([-np.inf, 0.0, 1.0]), 2.0), {}),  # an impossible class
        ((np.array([3.0, 2.5, 2.5, -1.0]), 0.01), {}),  # a small temperature
        ((np.array([0.3, -0.2]), 50.0), {}),  # a large one
    ],
    rtol=1e-9,
    atol=1e-300,
    page_case=0,
    page_prompt="softmax_t(np.array([2.0, 1.0, 0.1]), 0.5)",
    hint="Divide by T first, then subtract the largest scaled logit before exponentiating.",
)

number(
    "ex-softmax-2",
    solution=lambda: optimize.brentq(lambda t: _softmax_t(_Z, t)[0] - 0.9, 0.05, 5.0, xtol=1e-12),
    atol=1e-3,
    hint="The top probability falls as T grows; bisect on T between a small and a large temperature.",
)

_TIE_OPTIONS = ("(1, 0, 0)", "(1/2, 1/2, 0)", "(1/3, 1/3, 1/3)", "the limit does not exist")
_TIE_VALUES = (np.array([1.0, 0.0, 0.0]), np.array([0.5, 0.5, 0.0]), np.full(3, 1 / 3))


def _tie_limit():
    # the option closest to softmax(z / T) at a tiny temperature
    limit = _softmax_t(np.array([1.0, 1.0, 0.0]), 1e-3)
    return int(np.argmin([np.abs(limit - v).max() for v in _TIE_VALUES]))


choice(
    "ex-softmax-3",
    options=_TIE_OPTIONS,
    solution=_tie_limit,
    hint="What happens to the gap between the two tied logits when it is divided by T?",
)

function(
    "ex-softmax-4",
    reference=_grad_z,
    cases=lambda: [
        ((_Z, 0, 0.5), {}),
        ((_Z, 2, 1.0), {}),
        ((_Z, 1, 3.0), {}),
        ((np.array([5.0, -2.0, 0.0, 1.0]), 3, 0.25), {}),
    ],
    rtol=1e-9,
    atol=1e-12,
    page_case=0,
    page_prompt="grad_z(np.array([2.0, 1.0, 0.1]), 0, 0.5)",
    hint="Start from the gradient with respect to the scaled logits z / T, then apply the chain rule once.",
)
