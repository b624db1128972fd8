"""Binary loss explorer: BCE with logits and its gradient as functions of the logit, live.

:class:`BinaryLossExplorer` is an anywidget (one ES module, ``static/binary.js``, in JupyterLab and
in the book's pages; chapter 5). Its readouts are :func:`binary_loss_values`, which calls the
package's :func:`xent_book.binary_cross_entropy_with_logits`.

See also: chapter 5 (binary vs categorical cross-entropy) and chapter 8 (class imbalance, ``pos_weight``).
"""

from __future__ import annotations

from typing import Any

import anywidget
import numpy as np
import traitlets

from .._validation import check_positive, check_probability_scalar, check_real
from ..activations import sigmoid
from ..losses import binary_cross_entropy_with_logits
from . import _live

__all__ = ["binary_loss_explorer", "binary_loss_values", "BinaryLossExplorer"]

Z_RANGE = (-8.0, 8.0)  # the logit slider (and the curves' axis; wider for a z set beyond it)
POS_WEIGHT_RANGE = (0.1, 10.0)  # the log-scale pos_weight slider (wider for a value set beyond it)


def _loss_and_grad(z, y, pw):
    """BCE with logits (``xb.binary_cross_entropy_with_logits``, elementwise) and d loss / d z; z may be an array.

    The gradient of PyTorch's ``pos_weight`` form is ``(1 + (pw - 1) y) sigmoid(z) - pw y``.
    """
    z = np.asarray(z, dtype=np.float64)
    loss = binary_cross_entropy_with_logits(
        z, np.full(z.shape, y), reduction="none", pos_weight=np.float64(pw)
    )
    grad = (1.0 + (pw - 1.0) * y) * sigmoid(z) - pw * y
    return loss, grad


def binary_loss_values(z: float = 0.0, y: float = 1, pos_weight: float = 1.0) -> dict:
    r"""The numbers the binary loss explorer shows at logit ``z``.

    .. math::
        \ell(z) = -\bigl[w_+\, y \log\sigma(z) + (1 - y)\log(1 - \sigma(z))\bigr],
        \qquad \frac{d\ell}{dz} = (1 + (w_+ - 1)\,y)\,\sigma(z) - w_+ y

    which is ``sigmoid(z) - y`` when ``pos_weight`` :math:`w_+ = 1`, and
    :math:`w_+(\sigma(z) - 1)` for a positive (``y = 1``). As
    ``torch.nn.functional.binary_cross_entropy_with_logits(z, y, pos_weight=w+)``,
    computed stably (no overflow for any finite ``z``).

    Parameters
    ----------
    z : float
        The logit.
    y : float, default 1
        The label, 0 or 1 (soft labels in [0, 1] also work).
    pos_weight : float, default 1.0
        Weight ``w+ >= 0`` of the positive term.

    Returns
    -------
    dict
        ``z``, ``y``, ``pos_weight``, ``p`` = sigmoid(z), ``loss`` (nats) and
        ``grad`` (d loss / d z).

    Raises
    ------
    TypeError
        ``z``, ``y`` or ``pos_weight`` not a real number (a bool, str, None, array).
    ValueError
        Non-finite ``z``, ``y`` outside [0, 1], negative or non-finite ``pos_weight``.

    See Also
    --------
    BinaryLossExplorer
    xent_book.binary_cross_entropy_with_logits

    Notes
    -----
    Chapter 5, chapter 8.
    """
    z = check_real(z, "z")
    y = check_probability_scalar(y, "y")
    pw = check_positive(pos_weight, "pos_weight", allow_zero=True)
    loss, grad = _loss_and_grad(z, y, pw)
    return {
        "z": z,
        "y": y,
        "pos_weight": pw,
        "p": float(sigmoid(z)),
        "loss": float(loss),
        "grad": float(grad),
    }


def _check_label(y) -> int:
    """A hard label for the explorer: 0 or 1 (as a real number; a soft label is refused)."""
    v = check_probability_scalar(y, "y")
    if v not in (0.0, 1.0):
        raise ValueError(f"y: the explorer takes a hard label 0 or 1, got {y!r}")
    return int(v)


def _check_slider_weight(pos_weight) -> float:
    """``pos_weight > 0``: the explorer's slider is on a log scale."""
    pw = check_positive(pos_weight, "pos_weight", allow_zero=True)
    if pw <= 0:
        raise ValueError(f"pos_weight: the explorer's log-scale slider needs a value > 0, got {pos_weight!r}")
    return pw


class BinaryLossExplorer(anywidget.AnyWidget):
    """Curves of BCE with logits and its gradient over the logit, a marker at z (anywidget).

    Display it as a cell's last expression. Its view (``static/binary.js``) recomputes the loss, the
    gradient and ``sigmoid(z)`` in the browser on every input, with no kernel round trip, and draws
    both curves for the chosen label (the other label's dashed) over z in [-8, 8] (wider when z is
    set beyond it). A logit slider, a log-scale ``pos_weight`` slider (0.1 to 10) and a label
    selector; readouts (``data-name``): ``loss``, ``grad``, ``p``, ``z``, ``pos_weight``. The
    controls are written back into the traits, so a reader can read them (``explorer.z``) or set
    them (``explorer.pos_weight = 3``) from a cell.

    Parameters
    ----------
    y : {0, 1}, default 1
        The label whose curves are drawn solid.
    pos_weight : float, default 1.0
        PyTorch's ``pos_weight`` ``w+ > 0`` (the slider is on a log scale).
    z : float, default 0.0
        The logit (finite).
    **kwargs
        Passed on to ``anywidget.AnyWidget`` (e.g. ``layout``).

    Attributes
    ----------
    z : float
    y : int
    pos_weight : float
        The synced state (traits); setting one redraws the view.

    Raises
    ------
    TypeError, ValueError
        As :func:`binary_loss_values`; a soft label (the explorer takes 0 or 1); ``pos_weight = 0``
        (the log slider needs > 0); also when a trait is set.

    See Also
    --------
    binary_loss_values, binary_loss_explorer

    Notes
    -----
    Chapter 5 (binary vs categorical).
    """

    _esm = traitlets.Unicode(_live.esm("binary")).tag(sync=True)
    _css = traitlets.Unicode(_live.css()).tag(sync=True)
    # traitlets.Any plus a validator: a bad value set from a cell is refused by the package's checks
    z = _live.Checked(0.0).tag(sync=True)
    y = _live.Checked(1).tag(sync=True)
    pos_weight = _live.Checked(1.0).tag(sync=True)

    def __init__(self, y: int = 1, pos_weight: float = 1.0, z: float = 0.0, **kwargs: Any) -> None:
        init = binary_loss_values(z, y, pos_weight)  # validates
        super().__init__(
            z=init["z"],
            y=_check_label(init["y"]),
            pos_weight=_check_slider_weight(init["pos_weight"]),
            **kwargs,
        )

    @traitlets.validate("z")
    def _valid_z(self, proposal):
        return check_real(proposal["value"], "z")

    @traitlets.validate("y")
    def _valid_y(self, proposal):
        return _check_label(proposal["value"])

    @traitlets.validate("pos_weight")
    def _valid_pos_weight(self, proposal):
        return _check_slider_weight(proposal["value"])

    def __repr__(self) -> str:  # no address: the stored notebook output is the same on every run
        return f"BinaryLossExplorer(y={self.y!r}, pos_weight={self.pos_weight!r}, z={self.z!r})"

    def values(self) -> dict:
        """The numbers on display: :func:`binary_loss_values` of the current traits.

        Returns
        -------
        dict
            As :func:`binary_loss_values`.
        """
        return binary_loss_values(self.z, self.y, self.pos_weight)


def binary_loss_explorer(
    y: int = 1, pos_weight: float = 1.0, z: float = 0.0, **kwargs: Any
) -> BinaryLossExplorer:
    """Interactive binary cross-entropy with logits and its gradient: a :class:`BinaryLossExplorer`.

    Parameters
    ----------
    y : {0, 1}, default 1
        The label whose curves are drawn solid.
    pos_weight : float, default 1.0
        ``w+ > 0``.
    z : float, default 0.0
        The logit.
    **kwargs
        Passed on to :class:`BinaryLossExplorer`.

    Returns
    -------
    BinaryLossExplorer
        The anywidget; its traits ``z``, ``y``, ``pos_weight`` hold the state and ``.values()`` the
        numbers on display (as :func:`binary_loss_values`).

    Raises
    ------
    TypeError, ValueError
        As :class:`BinaryLossExplorer`.

    See Also
    --------
    BinaryLossExplorer, binary_loss_values

    Notes
    -----
    Chapter 5 (binary vs categorical).
    """
    return BinaryLossExplorer(y, pos_weight, z, **kwargs)
