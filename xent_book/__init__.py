"""xent_book: reference implementations for the cross-entropy book.

The top level mirrors ``torch.nn.functional`` (softmax, the losses and their
gradient); submodules hold one concept each and load on first use, so that
``import xent_book`` stays fast::

    import xent_book as xb
    xb.cross_entropy(logits, target)      # as torch.nn.functional.cross_entropy
    xb.info.entropy(p, base=2)            # information theory on distributions
    xb.calibration.expected_calibration_error(probs, labels)
"""

from importlib import import_module
from importlib.metadata import version as _version

__version__ = _version("xent-book")

from .activations import log_sigmoid, log_softmax, logsumexp, sigmoid, softmax, softplus
from .plotting import COLORS, PALETTE
from .reproducibility import book_seeds, seed_everything, setup_notebook

_SUBMODULES = (
    "activations",
    "losses",
    "info",
    "plotting",
    "data",
    "train",
    "imbalance",
    "imbalance_losses",
    "noise",
    "robust_losses",
    "calibration",
    "widgets",
    "scale",
    "stability",
    "margins",
    "published",
    "exercises",
    "reproducibility",
    "ensemble",
    "report",
    "coding",
    "lm",
)

__all__ = [
    "softmax",
    "log_softmax",
    "logsumexp",
    "sigmoid",
    "log_sigmoid",
    "softplus",
    "PALETTE",
    "COLORS",
    "setup_notebook",
    "seed_everything",
    "book_seeds",
    *_SUBMODULES,
]


def __getattr__(name):
    if name in _SUBMODULES:
        module = import_module(f".{name}", __name__)
        globals()[name] = module
        return module
    raise AttributeError(f"module 'xent_book' has no attribute {name!r}")


from .losses import (  # noqa: E402
    binary_cross_entropy,
    binary_cross_entropy_with_logits,
    cross_entropy,
    cross_entropy_grad,
    focal_loss,
    kl_div,
    nll_loss,
    sigmoid_focal_loss,
)

__all__ += [
    "cross_entropy",
    "nll_loss",
    "binary_cross_entropy",
    "binary_cross_entropy_with_logits",
    "kl_div",
    "sigmoid_focal_loss",
    "focal_loss",
    "cross_entropy_grad",
]
