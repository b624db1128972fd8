"""xent_book: reference implementations for the cross-entropy book.

The top level mirrors ``torch.nn.functional``; submodules hold one concept each
(``info``, ``calibration``, ``imbalance``, ``noise``, ...).
"""

from .activations import log_sigmoid, log_softmax, logsumexp, sigmoid, softmax, softplus

__all__ = ["softmax", "log_softmax", "logsumexp", "sigmoid", "log_sigmoid", "softplus"]
