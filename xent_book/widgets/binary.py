"""Binary loss explorer: BCE with logits and its gradient as functions of the logit.

See also: chapter 5 (binary vs categorical cross-entropy) and chapter 8 (class imbalance, ``pos_weight``).
"""

from __future__ import annotations

from typing import Any

import ipywidgets as widgets
import numpy as np

from .._validation import check_positive, check_probability_scalar, check_real
from ..activations import sigmoid
from ..losses import binary_cross_entropy_with_logits
from ._base import (
    COLORS,
    DEFAULT_INTERVAL,
    Explorer,
    float_slider,
    line_panel,
    log_slider,
    nice_max,
    readout,
    svg_open,
)

__all__ = ["binary_loss_explorer", "binary_loss_values", "BinaryLossExplorer"]

Z_RANGE = (-8.0, 8.0)
POS_WEIGHT_RANGE = (0.1, 10.0)
_GRID = np.linspace(*Z_RANGE, 161)


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
    binary_loss_explorer
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


class BinaryLossExplorer(Explorer):
    """Curves of BCE-with-logits and its gradient over z in [-8, 8], a marker at the current z.

    Build it with :func:`binary_loss_explorer`.

    Parameters
    ----------
    y : {0, 1}, default 1
        The label whose curves are drawn solid.
    pos_weight : float, default 1.0
        Start of the ``pos_weight`` slider, > 0.
    z : float, default 0.0
        Start of the logit slider.
    interval : float, default 0.04
        Minimum seconds between two redraws during a drag (0: redraw on every change).
    **throttle_kwargs
        ``clock`` and ``scheduler`` of the redraw ``Throttle`` (injectable for tests).

    Raises
    ------
    TypeError, ValueError
        As :func:`binary_loss_explorer`.
    """

    kind = "binary"

    def __init__(
        self,
        y: int = 1,
        pos_weight: float = 1.0,
        z: float = 0.0,
        interval: float = DEFAULT_INTERVAL,
        **throttle_kwargs: Any,
    ) -> None:
        super().__init__()
        init = binary_loss_values(z, y, pos_weight)
        if init["y"] not in (0.0, 1.0):
            raise ValueError(f"y: the explorer takes a hard label 0 or 1, got {y!r}")
        if init["pos_weight"] <= 0:
            raise ValueError(f"pos_weight: the explorer's slider needs a value > 0, got {pos_weight!r}")
        controls = {
            "z": float_slider(init["z"], *Z_RANGE, 0.1, "logit z", ".1f"),
            "pos_weight": log_slider(init["pos_weight"], *POS_WEIGHT_RANGE, "pos_weight w+"),
            "y": widgets.Dropdown(
                options=[("y = 0 (negative)", 0), ("y = 1 (positive)", 1)],
                value=int(init["y"]),
                description="label y",
                style={"description_width": "initial"},
            ),
        }
        self._setup(controls, interval, throttle_kwargs)

    def compute(self) -> dict:
        c = self.controls
        v = binary_loss_values(c["z"].value, c["y"].value, c["pos_weight"].value)
        v["curve_z"] = _GRID
        v["curve_loss"], v["curve_grad"] = _loss_and_grad(_GRID, v["y"], v["pos_weight"])
        return v

    def render(self, v: dict) -> str:
        return _render_binary(v)


def _render_binary(v: dict) -> str:
    z, y, pw = v["z"], int(v["y"]), v["pos_weight"]
    other_loss, other_grad = _loss_and_grad(_GRID, 1 - y, pw)
    W, H = 540, 236
    label = (
        f"Binary cross-entropy with logits for label y = {y}, pos_weight {pw:.3g}, as a function of the logit z "
        f"from −8 to 8. At z = {z:.2f}: sigmoid {v['p']:.4f}, loss {v['loss']:.4f} nats, gradient {v['grad']:+.4f}."
    )
    out = [svg_open(W, H, label)]
    lmax = nice_max(max(float(v["curve_loss"].max()), float(other_loss.max())))
    out += line_panel(
        (54, 260, 30, 182),
        Z_RANGE,
        (0.0, lmax),
        [
            (_GRID, other_loss, COLORS["neutral"], "4,3", 1.5, 0.7),
            (_GRID, v["curve_loss"], COLORS["model"], None, 2.5, None),
        ],
        (-8, -4, 0, 4, 8),
        (0.0, lmax / 2, lmax),
        "logit z",
        "loss (nats)",
        markers=[(z, v["loss"], COLORS["target"])],
        title=f"loss, y = {y} (dashed: y = {1 - y})",
    )
    gmin = -max(pw, 1.0)
    glo = -nice_max(-gmin)
    out += line_panel(
        (326, 532, 30, 182),
        Z_RANGE,
        (glo, 1.0),
        [
            (_GRID, other_grad, COLORS["neutral"], "4,3", 1.5, 0.7),
            (_GRID, v["curve_grad"], COLORS["gradient"], None, 2.5, None),
        ],
        (-8, -4, 0, 4, 8),
        (glo, 0.0, 1.0),
        "logit z",
        "d loss / dz",
        markers=[(z, v["grad"], COLORS["target"])],
        title="gradient σ(z) − y (× w+ if y = 1)",
    )
    out.append("</svg>")
    out.append(
        '<div class="xent-readouts">'
        + readout("loss", v["loss"], "loss", "nats")
        + readout("grad", v["grad"], "d loss/dz")
        + readout("p", v["p"], "σ(z)")
        + readout("z", z, "z", digits=2)
        + readout("pos_weight", pw, "w+", digits=3)
        + "</div>"
    )
    return "".join(out)


def binary_loss_explorer(
    y: int = 1, pos_weight: float = 1.0, z: float = 0.0, **kwargs: Any
) -> BinaryLossExplorer:
    """Interactive binary cross-entropy with logits and its gradient, as curves of the logit.

    A logit slider (z in [-8, 8]) moves a marker along the loss and gradient
    curves for the chosen label (the other label's curves dashed); a log-scale
    ``pos_weight`` slider (0.1 to 10) scales the positive term (PyTorch's
    ``pos_weight``). Readouts (``data-name``): ``loss``, ``grad``, ``p``, ``z``,
    ``pos_weight``.

    Parameters
    ----------
    y : {0, 1}, default 1
    pos_weight : float, default 1.0
        Start of the log-scale ``pos_weight`` slider (w+ > 0).
    z : float, default 0.0
        Start of the logit slider.
    **kwargs
        ``interval`` (seconds between redraws during a drag).

    Returns
    -------
    BinaryLossExplorer
        An ``ipywidgets.VBox`` with ``.sliders`` (``"z"``, ``"pos_weight"``),
        ``.controls`` (plus ``"y"``) and ``.values()`` (as :func:`binary_loss_values`,
        plus the curves ``curve_z``, ``curve_loss``, ``curve_grad``).

    Raises
    ------
    TypeError, ValueError
        As :func:`binary_loss_values`; a soft label (the explorer takes 0 or 1);
        ``pos_weight = 0`` (the log slider needs > 0); a bad ``interval``.

    See Also
    --------
    binary_loss_values

    Notes
    -----
    Chapter 5 (binary vs categorical), chapter 8 (class imbalance).
    """
    return BinaryLossExplorer(y, pos_weight, z, **kwargs)
