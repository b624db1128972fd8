"""Focal loss explorer: the focal factor (1 - q_y)^gamma and the focal loss against cross-entropy.

q_y is the model's probability of the true class (Lin et al. write p_t; the
argument and the readout's ``data-name`` keep the name ``p_t``).

See also: chapter 8 (class imbalance) and chapter 12 (alternatives to cross-entropy); Lin et al. (2017).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .._validation import check_positive, check_probability_scalar
from ..losses import focal_loss
from ._base import (
    COLORS,
    DEFAULT_INTERVAL,
    Explorer,
    float_slider,
    line_panel,
    readout,
    svg_open,
)

__all__ = ["focal_explorer", "focal_values", "FocalExplorer"]

GAMMA_RANGE = (0.0, 5.0)
P_RANGE = (0.01, 1.0)
Y_MAX = 5.0  # the loss panel's top (nats); CE at p_t = 0.01 is 4.6
_GRID = np.linspace(P_RANGE[0], 1.0, 199)


def _curves(p, gamma):
    """(1 - p)^gamma, -log p and the focal loss (``xb.focal_loss``); p may be an array in (0, 1].

    The focal loss is ``xb.focal_loss`` on the two-class logits ``(log p, log(1 - p))`` with
    target 0, whose softmax is ``(p, 1 - p)``: the book's one implementation of the formula.
    """
    p = np.asarray(p, dtype=np.float64)
    shape = p.shape
    p = p.reshape(-1)
    with np.errstate(divide="ignore"):  # p = 1: log(1 - p) = -inf, an impossible second class
        logits = np.stack([np.log(p), np.log1p(-p)], axis=1)
    target = np.zeros(p.size, dtype=np.int64)
    focal = focal_loss(logits, target, gamma=gamma, reduction="none") + 0.0
    ce = focal_loss(logits, target, gamma=0.0, reduction="none") + 0.0  # + 0.0: -0.0 (p = 1) -> 0.0
    factor = (1.0 - p) ** gamma  # 0 ** 0 = 1: gamma = 0 is plain cross-entropy
    return factor.reshape(shape), ce.reshape(shape), focal.reshape(shape)


def focal_values(p_t: float = 0.6, gamma: float = 2.0) -> dict:
    r"""The numbers the focal explorer shows at the model's probability ``p_t`` = :math:`q_y` of the true class.

    .. math::
        \mathrm{CE} = -\log q_y, \qquad
        \mathrm{FL} = -(1 - q_y)^{\gamma} \log q_y = (1 - q_y)^{\gamma}\,\mathrm{CE}

    (Lin et al. 2017, without the class weight alpha). ``gamma = 0`` gives
    cross-entropy; the factor down-weights well-classified examples (large
    ``p_t``), e.g. at ``p_t = 0.9``, ``gamma = 2`` by 100x.

    Parameters
    ----------
    p_t : float, default 0.6
        Probability of the true class, in (0, 1].
    gamma : float, default 2.0
        Focusing parameter >= 0.

    Returns
    -------
    dict
        ``p_t``, ``gamma``, ``factor`` (1 - q_y)^gamma, ``ce`` and ``focal``
        in nats (equal to ``xb.focal_loss`` on the logits ``log p`` with
        ``alpha=None``, and to ``xb.sigmoid_focal_loss(logit(p_t), 1, alpha=-1)``).

    Raises
    ------
    TypeError
        ``p_t`` or ``gamma`` not a real number (a bool, str, None, array).
    ValueError
        ``p_t`` outside (0, 1]; negative or non-finite ``gamma``.

    See Also
    --------
    focal_explorer
    xent_book.focal_loss
    xent_book.sigmoid_focal_loss

    Notes
    -----
    Chapter 8.
    """
    p = check_probability_scalar(p_t, "p_t", low_open=True)
    g = check_positive(gamma, "gamma", allow_zero=True)
    factor, ce, focal = _curves(p, g)
    return {"p_t": p, "gamma": g, "factor": float(factor), "ce": float(ce), "focal": float(focal)}


class FocalExplorer(Explorer):
    """Curves of CE and focal loss over p_t, and of the factor; gamma and p_t sliders.

    Build it with :func:`focal_explorer`.

    Parameters
    ----------
    gamma : float, default 2.0
        Start of the focusing-parameter slider, >= 0.
    p_t : float, default 0.6
        Start of the true-class probability slider, in (0, 1].
    interval : float, default 0.04
        Minimum seconds between two redraws during a drag (0: redraw on every change).
    **throttle_kwargs
        ``clock`` and ``scheduler`` of the redraw ``Throttle`` (injectable for tests).

    Raises
    ------
    TypeError, ValueError
        As :func:`focal_explorer`.
    """

    kind = "focal"

    def __init__(
        self, gamma: float = 2.0, p_t: float = 0.6, interval: float = DEFAULT_INTERVAL, **throttle_kwargs: Any
    ) -> None:
        super().__init__()
        init = focal_values(p_t, gamma)
        controls = {
            "gamma": float_slider(init["gamma"], *GAMMA_RANGE, 0.1, "focusing γ", ".1f"),
            "p_t": float_slider(max(init["p_t"], P_RANGE[0]), *P_RANGE, 0.01, "q_y (true class)", ".2f"),
        }
        self._setup(controls, interval, throttle_kwargs)

    def compute(self) -> dict:
        c = self.controls
        v = focal_values(c["p_t"].value, c["gamma"].value)
        v["curve_p"] = _GRID
        v["curve_factor"], v["curve_ce"], v["curve_focal"] = _curves(_GRID, v["gamma"])
        return v

    def render(self, v: dict) -> str:
        return _render_focal(v)


def _render_focal(v: dict) -> str:
    p, g = v["p_t"], v["gamma"]
    W, H = 540, 236
    label = (
        f"Cross-entropy −log q_y and focal loss with γ = {g:.2g} as functions of the true-class probability q_y, "
        f"and the focal factor (1 − q_y)^γ. At q_y = {p:.2f}: CE {v['ce']:.4f} nats, focal {v['focal']:.4f} nats, "
        f"factor {v['factor']:.4f}."
    )
    out = [svg_open(W, H, label)]
    xt = (0.0, 0.25, 0.5, 0.75, 1.0)
    out += line_panel(
        (54, 260, 30, 182),
        (0.0, 1.0),
        (0.0, Y_MAX),
        [
            (v["curve_p"], v["curve_ce"], COLORS["neutral"], "5,3", 2, None),
            (v["curve_p"], v["curve_focal"], COLORS["alt"], None, 2.5, None),
        ],
        xt,
        (0, 1, 2, 3, 4, 5),
        "q_y",
        "loss (nats)",
        markers=[(p, v["ce"], COLORS["neutral"]), (p, v["focal"], COLORS["alt"])],
        title=f"focal (γ = {g:.1f}) vs CE (dashed)",
    )
    out += line_panel(
        (326, 532, 30, 182),
        (0.0, 1.0),
        (0.0, 1.0),
        [(v["curve_p"], v["curve_factor"], COLORS["model"], None, 2.5, None)],
        xt,
        (0.0, 0.5, 1.0),
        "q_y",
        "factor",
        markers=[(p, v["factor"], COLORS["model"])],
        title="focal factor (1 − q_y)^γ",
    )
    out.append("</svg>")
    out.append(
        '<div class="xent-readouts">'
        + readout("focal", v["focal"], "focal", "nats")
        + readout("ce", v["ce"], "CE", "nats")
        + readout("factor", v["factor"], "(1 − q<sub>y</sub>)<sup>γ</sup>")
        + readout("p_t", p, "q<sub>y</sub>", digits=2)
        + readout("gamma", g, "γ", digits=1)
        + "</div>"
    )
    return "".join(out)


def focal_explorer(gamma: float = 2.0, p_t: float = 0.6, **kwargs: Any) -> FocalExplorer:
    """Interactive focal loss: how (1 - q_y)^gamma discounts well-classified examples.

    A gamma slider (0 to 5) redraws the focal loss and the factor as curves
    of the true-class probability q_y in (0, 1] (cross-entropy dashed for
    comparison; the loss axis is clipped at 5 nats); a q_y slider (``"p_t"``,
    0.01 to 1) moves the markers. Readouts
    (``data-name``): ``focal``, ``ce``, ``factor``, ``p_t``, ``gamma``.

    Parameters
    ----------
    gamma : float, default 2.0
        Start of the focusing-parameter slider, >= 0.
    p_t : float, default 0.6
        Start of the true-class probability slider, in (0, 1].
    **kwargs
        ``interval`` (seconds between redraws during a drag).

    Returns
    -------
    FocalExplorer
        An ``ipywidgets.VBox`` with ``.sliders`` (``"gamma"``, ``"p_t"``) and
        ``.values()`` (as :func:`focal_values`, plus the curves).

    Raises
    ------
    TypeError, ValueError
        As :func:`focal_values`; a bad ``interval``.

    See Also
    --------
    focal_values

    Notes
    -----
    Chapter 8 (class imbalance), chapter 12 (alternatives).
    """
    return FocalExplorer(gamma, p_t, **kwargs)
