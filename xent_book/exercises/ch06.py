"""Self-checking exercises of chapter 6 (gradients)."""

import numpy as np

from xent_book import activations, losses
from xent_book.exercises._core import function, number


def _mse_softmax_grad_norm():
    z, y = np.array([8.0, 0.0, 0.0]), 2
    q = activations.softmax(z)
    jac = np.diag(q) - np.outer(q, q)  # d softmax / dz, symmetric
    return float(np.linalg.norm(jac.T @ (q - np.eye(3)[y])))


number(
    "ex-gradients-2",
    solution=lambda: float(np.log((1 - 0.1 + 0.1 / 10) / (0.1 / 10))),
    atol=1e-3,
    hint="At the optimum q equals the smoothed target; the logit gap is the log of the ratio of two entries.",
)
number(
    "ex-gradients-3",
    solution=_mse_softmax_grad_norm,
    rtol=1e-3,
    hint="Build J = diag(q) - q q^T from q = softmax(z), multiply by q - e_y and take the Euclidean norm.",
)


def _grad_cases():
    rng = np.random.default_rng(0)
    return [
        ((np.array([[2.0, 1.0, 0.0]]), np.array([0])), {}),
        ((rng.normal(scale=2.0, size=(16, 7)), rng.integers(0, 7, size=16)), {}),
        ((np.array([[1000.0, -1000.0, 0.0], [-1000.0, -1000.0, -1000.0]]), np.array([1, 2])), {}),
        ((np.array([[0.0, 0.0], [50.0, -50.0]]), np.array([0, 0])), {}),
    ]


function(
    "ex-gradients-4",
    reference=lambda z, y: losses.cross_entropy_grad(z, y),
    cases=_grad_cases,
    rtol=1e-10,
    atol=1e-15,
    page_case=0,
    hint="The gradient is softmax(z) minus the one-hot rows, divided by the batch size; shift by the row max first.",
)
