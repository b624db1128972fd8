"""Focal loss explorer: the focal factor (1 - q_y)^gamma and the focal loss against cross-entropy, live.

:class:`FocalExplorer` is an anywidget (one ES module, ``static/focal.js``, in JupyterLab and in the
book's pages; chapter 8). Its readouts are :func:`focal_values`, which calls the package's
:func:`xent_book.focal_loss`.

q_y is the model's probability of the true class (Lin et al. write p_t; the
argument and the readout's ``data-name`` keep the name ``p_t``).

See also: chapter 8 (class imbalance) and chapter 12 (alternatives to cross-entropy); Lin et al. (2017).
"""

from __future__ import annotations

from typing import Any

import anywidget
import numpy as np
import traitlets

from .._validation import check_positive, check_probability_scalar
from ..losses import focal_loss
from . import _live

__all__ = ["focal_explorer", "focal_values", "FocalExplorer"]

GAMMA_RANGE = (0.0, 5.0)  # the gamma slider (longer for a value set beyond it)
P_RANGE = (0.01, 1.0)  # the q_y slider and the curves' axis; the loss axis stops at 5 nats (CE at 0.01: 4.6)


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
    FocalExplorer
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


class FocalExplorer(anywidget.AnyWidget):
    """Curves of CE and the focal loss over q_y, and of the focal factor; gamma and q_y sliders (anywidget).

    Display it as a cell's last expression. Its view (``static/focal.js``) recomputes the focal
    loss, cross-entropy and the factor ``(1 - q_y)^gamma`` in the browser on every input, with no
    kernel round trip, and draws them as curves of the true-class probability ``q_y`` in (0, 1]
    (cross-entropy dashed; the loss axis is clipped at 5 nats). A gamma slider (0 to 5) and a
    ``q_y`` slider (trait ``p_t``, 0.01 to 1); readouts (``data-name``): ``focal``, ``ce``,
    ``factor``, ``p_t``, ``gamma``. The controls are written back into the traits, so a reader can
    read them (``explorer.gamma``) or set them (``explorer.p_t = 0.9``) from a cell.

    Parameters
    ----------
    gamma : float, default 2.0
        Focusing parameter >= 0 (the slider widens to hold a value above 5).
    p_t : float, default 0.6
        Probability ``q_y`` of the true class, in (0, 1] (a value below the slider's 0.01 set from
        a cell is held exactly).
    **kwargs
        Passed on to ``anywidget.AnyWidget`` (e.g. ``layout``).

    Attributes
    ----------
    gamma : float
    p_t : float
        The synced state (traits); setting one redraws the view.

    Raises
    ------
    TypeError, ValueError
        As :func:`focal_values` (also when a trait is set).

    See Also
    --------
    focal_values, focal_explorer

    Notes
    -----
    Chapter 8 (class imbalance).
    """

    _esm = traitlets.Unicode(_live.esm("focal")).tag(sync=True)
    _css = traitlets.Unicode(_live.css()).tag(sync=True)
    # traitlets.Any plus a validator: a bad value set from a cell is refused by the package's checks
    gamma = _live.Checked(2.0).tag(sync=True)
    p_t = _live.Checked(0.6).tag(sync=True)

    def __init__(self, gamma: float = 2.0, p_t: float = 0.6, **kwargs: Any) -> None:
        init = focal_values(p_t, gamma)  # validates
        super().__init__(gamma=init["gamma"], p_t=init["p_t"], **kwargs)

    @traitlets.validate("gamma")
    def _valid_gamma(self, proposal):
        return check_positive(proposal["value"], "gamma", allow_zero=True)

    @traitlets.validate("p_t")
    def _valid_p_t(self, proposal):
        return check_probability_scalar(proposal["value"], "p_t", low_open=True)

    def __repr__(self) -> str:  # no address: the stored notebook output is the same on every run
        return f"FocalExplorer(gamma={self.gamma!r}, p_t={self.p_t!r})"

    def values(self) -> dict:
        """The numbers on display: :func:`focal_values` of the current traits.

        Returns
        -------
        dict
            As :func:`focal_values`.
        """
        return focal_values(self.p_t, self.gamma)


def focal_explorer(gamma: float = 2.0, p_t: float = 0.6, **kwargs: Any) -> FocalExplorer:
    """Interactive focal loss, how (1 - q_y)^gamma discounts well-classified examples: a :class:`FocalExplorer`.

    Parameters
    ----------
    gamma : float, default 2.0
        Focusing parameter >= 0.
    p_t : float, default 0.6
        Probability of the true class, in (0, 1].
    **kwargs
        Passed on to :class:`FocalExplorer`.

    Returns
    -------
    FocalExplorer
        The anywidget; its traits ``gamma`` and ``p_t`` hold the state and ``.values()`` the numbers
        on display (as :func:`focal_values`).

    Raises
    ------
    TypeError, ValueError
        As :func:`focal_values`.

    See Also
    --------
    FocalExplorer, focal_values

    Notes
    -----
    Chapter 8 (class imbalance).
    """
    return FocalExplorer(gamma, p_t, **kwargs)
