"""Interactive explorers for the chapters.

Every explorer is an anywidget (issue 18): :class:`LogitsExplorer`, chapters 2 and 7;
:class:`EntropyExplorer`, chapter 3; :class:`EntropyKLExplorer`, chapter 4;
:class:`BinaryLossExplorer`, chapter 5; :class:`FocalExplorer`, chapter 8;
:class:`ReliabilityExplorer`, chapter 10; :class:`SamplingExplorer`, chapter 15. Traits hold the
state, and one ES module per explorer (``static/``, see ``_live``) draws the view and computes the
readouts, in JupyterLab and in the book's pages alike.

Each has a pure ``*_values`` function computing the numbers it shows, tested
against PyTorch and the rest of ``xent_book``.

=========================  ==============================  =======
explorer                   values function                 chapter
=========================  ==============================  =======
``LogitsExplorer``         ``logits_explorer_values``      2
``logits_explorer``        ``logits_explorer_values``      7
``EntropyExplorer``        ``entropy_values``              3
``EntropyKLExplorer``      ``entropy_kl_values``           4
``BinaryLossExplorer``     ``binary_loss_values``          5
``FocalExplorer``          ``focal_values``                8
``reliability_explorer``   ``reliability_values``          10
``SamplingExplorer``       ``sampling_values``             15
=========================  ==============================  =======

See ``xent_book/widgets/static/_core.js`` for the markup conventions (CSS classes and
data attributes) that the browser tests rely on.
"""

from .binary import BinaryLossExplorer, binary_loss_explorer, binary_loss_values
from .entropy import (
    EntropyExplorer,
    EntropyKLExplorer,
    entropy_explorer,
    entropy_kl_explorer,
    entropy_kl_values,
    entropy_values,
)
from .focal import FocalExplorer, focal_explorer, focal_values
from .logits import LogitsExplorer, logits_explorer, logits_explorer_values
from .sampling import SamplingExplorer, sampling_values

__all__ = [
    "logits_explorer",
    "logits_explorer_values",
    "LogitsExplorer",
    "entropy_explorer",
    "entropy_values",
    "EntropyExplorer",
    "entropy_kl_explorer",
    "entropy_kl_values",
    "EntropyKLExplorer",
    "binary_loss_explorer",
    "binary_loss_values",
    "BinaryLossExplorer",
    "focal_explorer",
    "focal_values",
    "FocalExplorer",
    "reliability_explorer",
    "reliability_values",
    "ReliabilityExplorer",
    "sampling_values",
    "SamplingExplorer",
]

_LAZY = {"reliability_explorer", "reliability_values", "ReliabilityExplorer"}


def __getattr__(name):
    # the reliability explorer needs xent_book.calibration: import it on first use only
    if name in _LAZY:
        from . import reliability

        return getattr(reliability, name)
    raise AttributeError(f"module 'xent_book.widgets' has no attribute {name!r}")
