"""Self-checking exercises of chapter 11 (label smoothing)."""

import numpy as np

from xent_book import info, losses
from xent_book.exercises._core import function, number


def _smoothed(y, num_classes, eps):
    # the target whose cross-entropy is PyTorch's label_smoothing=eps: recovered from the package's loss,
    # whose gradient with respect to the logits is q - p, so p = softmax(z) - gradient at any z (here z = 0)
    y = np.asarray(y)
    z = np.zeros((len(y), num_classes))
    grad = losses.cross_entropy_grad(z, y, label_smoothing=eps, reduction="sum")
    return np.full_like(z, 1.0 / num_classes) - grad


def _target_entropy(num_classes, eps):
    return float(info.entropy(_smoothed([0], num_classes, eps)[0]))


number(
    "ex-ls-1",
    solution=lambda: _target_entropy(5, 0.1),
    atol=1e-4,
    hint="Write out the five entries of the smoothed target first; the entropy is a sum of p log(1/p).",
)
function(
    "ex-ls-3",
    reference=_smoothed,
    cases=lambda: [
        ((np.array([0, 2, 1]), 3, 0.1), {}),
        ((np.array([4, 0, 4, 1]), 5, 0.0), {}),
        ((np.array([1, 0]), 2, 1.0), {}),
        ((np.arange(10), 10, 0.25), {}),
    ],
    rtol=1e-12,
    atol=1e-15,
    page_case=0,
    hint="Start from the one-hot rows; the uniform share eps / C goes to every class, the true one included.",
)
number(
    "ex-ls-4",
    solution=lambda: (1 - 0.75) * 5 / (5 - 1),
    atol=1e-3,
    hint="Set the true class's entry of the smoothed target equal to a and solve for eps.",
)
