"""Logits explorer: softmax with temperature, the cross-entropy loss and its gradient, live.

:class:`LogitsExplorer` is the anywidget explorer (one ES module, ``static/logits.js``, in
JupyterLab and in the book's pages; chapter 2). :func:`logits_explorer` still builds the older
ipywidgets view, :class:`LegacyLogitsExplorer` (an SVG drawn in Python, with its page twin in
book_assets/xent-explorers.js), for chapter 7 until that chapter moves to the anywidget one
(issue 18).

See also: chapter 2 (logits, softmax and temperature) and chapter 7 (numerical stability).
"""

from __future__ import annotations

from typing import Any

import anywidget
import ipywidgets as widgets
import numpy as np
import traitlets
from numpy.typing import ArrayLike

from .._validation import as_float_array, check_class_index, check_finite, check_temperature_for
from ..activations import log_softmax, softmax
from ..losses import cross_entropy_grad
from . import _live
from ._base import (
    COLORS,
    DEFAULT_INTERVAL,
    Explorer,
    float_slider,
    fmt,
    log_slider,
    readout,
    svg_line,
    svg_open,
    svg_rect,
    svg_text,
)

__all__ = ["logits_explorer", "logits_explorer_values", "LogitsExplorer", "LegacyLogitsExplorer"]

LOGIT_RANGE = (-10.0, 10.0)
TEMPERATURE_RANGE = (0.05, 5.0)
MAX_CLASSES = 6


def _check_logits_vector(logits) -> np.ndarray:
    z = as_float_array(logits, "logits").astype(np.float64)
    if z.ndim != 1 or z.size < 2:
        raise ValueError(f"logits: expected a 1-D array of at least 2 logits, got shape {z.shape}")
    check_finite(z, "logits")
    return z


def logits_explorer_values(
    logits: ArrayLike = (2.0, 1.0, 0.1), temperature: float = 1.0, target: int = 0
) -> dict:
    r"""The numbers the logits explorer shows: softmax probabilities, the loss and its gradient.

    .. math::
        q = \operatorname{softmax}(z / T), \qquad
        \ell = -\log q_y, \qquad
        \frac{\partial \ell}{\partial (z_k / T)} = q_k - [k = y], \qquad
        \frac{\partial \ell}{\partial z_k} = \frac{q_k - [k = y]}{T}

    Parameters
    ----------
    logits : array_like, shape (C,)
        Finite logits ``z``, C >= 2.
    temperature : float, default 1.0
        ``T > 0``.
    target : int, default 0
        The true class ``y`` in ``[0, C)``.

    Returns
    -------
    dict
        ``logits`` (C,), ``temperature``, ``target``, ``probs`` (C,),
        ``log_probs`` (C,) in nats, ``loss`` (float, nats; equals
        ``xb.cross_entropy(z / T, y)``), ``grad`` (C,) ``q - e_y``, the gradient
        with respect to the scaled logits ``z / T`` (``xb.cross_entropy_grad``),
        and ``grad_logits`` (C,) ``(q - e_y) / T``, the gradient with respect to
        the sliders' ``z``.

    Raises
    ------
    TypeError
        ``logits`` not an array of real numbers; ``temperature`` not a real
        number; ``target`` not an integer (a bool, float or str).
    ValueError
        Non-finite logits, fewer than 2 or not 1-D, a ragged list; a target out
        of range; ``T <= 0``, non-finite, or so small that ``z / T`` overflows.

    See Also
    --------
    logits_explorer

    Notes
    -----
    Chapter 2 (softmax and temperature), chapter 6 (gradients).
    """
    z = _check_logits_vector(logits)
    t = check_temperature_for(z, temperature)
    y = check_class_index(target, "target", z.size)
    probs = softmax(z, temperature=t)
    log_probs = log_softmax(z, temperature=t)
    grad = cross_entropy_grad((z / t)[None, :], np.array([y]))[0]  # the one home of q - e_y
    return {
        "logits": z,
        "temperature": t,
        "target": y,
        "probs": probs,
        "log_probs": log_probs,
        "loss": float(-log_probs[y]),
        "grad": grad,
        "grad_logits": grad / t,
    }


class LogitsExplorer(anywidget.AnyWidget):
    """A slider per logit, a temperature slider, a target selector; bars of q and of q - e_y (anywidget).

    Display it as a cell's last expression. Its view (``static/logits.js``) recomputes
    ``q = softmax(z / T)``, the loss ``-log q_y`` in nats and ``q - e_y`` in the browser on every
    input, with no kernel round trip, and writes the controls back into the traits, so a reader can
    read them (``explorer.temperature``) or set them (``explorer.logits = [3, 0, -1]``) from a cell.
    Readouts (``data-name``): ``loss``, ``p_target``, ``temperature``, ``p0``.., ``grad0``..

    Parameters
    ----------
    logits : sequence of float, default (2.0, 1.0, 0.1)
        2 to 6 finite logits; sliders on [-10, 10] (widened to hold them).
    temperature : float, default 1.0
        ``T > 0``; a log-scale slider on about [0.05, 5].
    target : int, default 0
        The true class ``y``.
    **kwargs
        Passed on to ``anywidget.AnyWidget`` (e.g. ``layout``).

    Attributes
    ----------
    logits : list of float
    temperature : float
    target : int
        The synced state (traits); setting one redraws the view.

    Raises
    ------
    TypeError, ValueError
        As :func:`logits_explorer_values`; more than 6 logits (also when a trait is set).

    See Also
    --------
    logits_explorer_values

    Notes
    -----
    Chapter 2 (softmax and temperature).
    """

    _esm = traitlets.Unicode(_live.esm("logits")).tag(sync=True)
    _css = traitlets.Unicode(_live.css()).tag(sync=True)
    # traitlets.Any plus a validator: a bad value set from a cell is refused by the package's checks
    # (a TypeError or ValueError naming the argument, as everywhere in xent_book), not a TraitError
    logits = _live.Checked([2.0, 1.0, 0.1]).tag(sync=True)
    temperature = _live.Checked(1.0).tag(sync=True)
    target = _live.Checked(0).tag(sync=True)

    def __init__(
        self, logits: ArrayLike = (2.0, 1.0, 0.1), temperature: float = 1.0, target: int = 0, **kwargs: Any
    ) -> None:
        init = logits_explorer_values(logits, temperature, target)  # validates
        z = init["logits"]
        if z.size > MAX_CLASSES:
            raise ValueError(f"logits: the explorer shows at most {MAX_CLASSES} classes, got {z.size}")
        super().__init__(
            logits=[float(x) for x in z], temperature=init["temperature"], target=init["target"], **kwargs
        )

    @traitlets.validate("logits")
    def _valid_logits(self, proposal):
        z = _check_logits_vector(proposal["value"])
        if z.size > MAX_CLASSES:
            raise ValueError(f"logits: the explorer shows at most {MAX_CLASSES} classes, got {z.size}")
        return [float(x) for x in z]

    @traitlets.validate("temperature")
    def _valid_temperature(self, proposal):
        return check_temperature_for(np.asarray(self.logits, dtype=np.float64), proposal["value"])

    @traitlets.validate("target")
    def _valid_target(self, proposal):
        return check_class_index(proposal["value"], "target", len(self.logits))

    def __repr__(self) -> str:  # no address: the stored notebook output is the same on every run
        return f"LogitsExplorer(logits={self.logits!r}, temperature={self.temperature!r}, target={self.target!r})"

    def values(self) -> dict:
        """The numbers on display, as :func:`logits_explorer_values` of the current traits."""
        return logits_explorer_values(self.logits, self.temperature, self.target)


class LegacyLogitsExplorer(Explorer):
    """The ipywidgets logits explorer (Python-drawn SVG) that chapter 7 still shows (issue 18).

    Build it with :func:`logits_explorer`.

    Parameters
    ----------
    logits : sequence of float, default (2.0, 1.0, 0.1)
        2 to 6 initial logits.
    temperature : float, default 1.0
        Start of the temperature slider, ``T > 0``.
    target : int, default 0
        The true class ``y`` in ``[0, C)``.
    interval : float, default 0.04
        Minimum seconds between two redraws during a drag (0: redraw on every change).
    **throttle_kwargs
        ``clock`` and ``scheduler`` of the redraw ``Throttle`` (injectable for tests).

    Raises
    ------
    TypeError, ValueError
        As :func:`logits_explorer`.
    """

    kind = "logits"

    def __init__(
        self,
        logits: ArrayLike = (2.0, 1.0, 0.1),
        temperature: float = 1.0,
        target: int = 0,
        interval: float = DEFAULT_INTERVAL,
        **throttle_kwargs: Any,
    ) -> None:
        super().__init__()
        init = logits_explorer_values(logits, temperature, target)  # validates
        z = init["logits"]
        if z.size > MAX_CLASSES:
            raise ValueError(f"logits: the explorer shows at most {MAX_CLASSES} classes, got {z.size}")
        controls = {
            f"z{k}": float_slider(v, *LOGIT_RANGE, 0.1, f"logit z{k}", ".1f") for k, v in enumerate(z)
        }
        controls["temperature"] = log_slider(init["temperature"], *TEMPERATURE_RANGE, "temperature T")
        controls["target"] = widgets.Dropdown(
            options=[(f"class {k}", k) for k in range(z.size)],
            value=init["target"],
            description="target y",
            style={"description_width": "initial"},
        )
        self._n = z.size
        self._setup(controls, interval, throttle_kwargs)

    def compute(self) -> dict:
        c = self.controls
        z = [c[f"z{k}"].value for k in range(self._n)]
        return logits_explorer_values(z, c["temperature"].value, c["target"].value)

    def render(self, v: dict) -> str:
        return _render_logits(v)


def _render_logits(v: dict) -> str:
    """SVG: probability bars (left) and gradient bars (right), then the readouts."""
    p, g, y, n = v["probs"], v["grad"], v["target"], v["probs"].size
    W, H = 540, 230
    top, bottom = 34, 186  # plot area (screen y)
    panels = ((46, 258), (318, 530))
    label = (
        f"Softmax probabilities at temperature {v['temperature']:.3g}: "
        + ", ".join(f"class {k} {p[k]:.4f}" for k in range(n))
        + f". Target class {y}; loss {v['loss']:.4f} nats. Gradient q minus e_y: "
        + ", ".join(
            f"class {k} " + f"{g[k]:+.4f}".replace("-", "−") for k in range(n)
        )  # as the page's signed()
        + "."
    )
    out = [svg_open(W, H, label)]

    # left: probabilities in [0, 1]
    x0, x1 = panels[0]
    sy = lambda u: bottom - u * (bottom - top)
    out.append(svg_text((x0 + x1) / 2, 14, "probability q = softmax(z / T)", size=12, weight="600"))
    for tick in (0.0, 0.5, 1.0):
        out.append(svg_line(x0, sy(tick), x1, sy(tick), opacity=0.2 if tick else 0.6))
        out.append(svg_text(x0 - 5, sy(tick) + 4, f"{tick:g}", anchor="end", size=10))
    slot = (x1 - x0) / n
    bw = slot * 0.62
    for k in range(n):
        cx = x0 + slot * (k + 0.5)
        colour = COLORS["target"] if k == y else COLORS["model"]
        out.append(svg_rect(cx - bw / 2, sy(p[k]), bw, sy(0) - sy(p[k]), colour, title=f"q{k} = {p[k]:.4f}"))
        out.append(svg_text(cx, sy(p[k]) - 4, fmt(p[k], 3), size=10))
        out.append(svg_text(cx, bottom + 15, f"{k}" + (" (y)" if k == y else ""), size=11))
    out.append(svg_text((x0 + x1) / 2, H - 10, "class k", size=11))

    # right: gradient q - e_y in [-1, 1]
    x0, x1 = panels[1]
    mid = (top + bottom) / 2
    gy = lambda u: mid - u * (bottom - top) / 2
    out.append(svg_text((x0 + x1) / 2, 14, "gradient q − e_y  (∂loss/∂(z/T))", size=12, weight="600"))
    for tick in (-1.0, 0.0, 1.0):
        out.append(svg_line(x0, gy(tick), x1, gy(tick), opacity=0.6 if tick == 0 else 0.2))
        out.append(svg_text(x0 - 5, gy(tick) + 4, fmt(tick, 0), anchor="end", size=10))
    for k in range(n):
        cx = x0 + slot * (k + 0.5)
        out.append(
            svg_rect(
                cx - bw / 2,
                gy(max(g[k], 0.0)),
                bw,
                abs(gy(g[k]) - gy(0.0)),
                COLORS["gradient"],
                title=f"grad{k} = {g[k]:+.4f}",
            )
        )
        # the number sits above the bar's top or, for a negative bar, above the zero line: below a bar
        # near -1 it would run into the class labels (as in book_assets/xent-explorers.js)
        out.append(svg_text(cx, gy(max(g[k], 0.0)) - 4, fmt(g[k], 3), size=10))
        out.append(svg_text(cx, bottom + 15, f"{k}" + (" (y)" if k == y else ""), size=11))
    out.append(svg_text((x0 + x1) / 2, H - 10, "class k", size=11))
    out.append("</svg>")

    items = [
        readout("loss", v["loss"], "loss −log q<sub>y</sub>", "nats"),
        readout("p_target", v["probs"][y], f"q<sub>{y}</sub>"),
        readout("temperature", v["temperature"], "T", digits=3),
    ]
    probs = ", ".join(readout(f"p{k}", p[k]) for k in range(n))
    grads = ", ".join(readout(f"grad{k}", g[k]) for k in range(n))
    out.append(
        '<div class="xent-readouts">' + "".join(items) + "</div>"
        f'<div class="xent-readouts"><span class="xent-item">q = [{probs}]</span>'
        f'<span class="xent-item">q − e<sub>y</sub> = [{grads}]</span></div>'
    )
    return "".join(out)


def logits_explorer(
    logits: ArrayLike = (2.0, 1.0, 0.1), temperature: float = 1.0, target: int = 0, **kwargs: Any
) -> LegacyLogitsExplorer:
    """Interactive softmax, loss and gradient for a handful of logits.

    A slider per logit (range [-10, 10]), a log-scale temperature slider
    (0.05 to 5) and a target selector drive live bars of
    ``q = softmax(z / T)``, the loss ``-log q_y`` in nats and the gradient
    ``q - e_y`` (with respect to ``z / T``). Numbers are in the elements with
    class ``xent-readout`` (``data-name``: ``loss``, ``p_target``,
    ``temperature``, ``p0``.., ``grad0``..).

    Parameters
    ----------
    logits : sequence of float, default (2.0, 1.0, 0.1)
        2 to 6 initial logits (3-5 read best).
    temperature : float, default 1.0
        Start of the temperature slider, ``T > 0``.
    target : int, default 0
        The true class ``y`` in ``[0, C)``.
    **kwargs
        ``interval`` (seconds between redraws during a drag, default 0.04).

    Returns
    -------
    LegacyLogitsExplorer
        An ``ipywidgets.VBox``: display it as a cell's last expression.
        ``.sliders`` / ``.controls`` hold the controls by name (``"z0"``, ...,
        ``"temperature"``, ``"target"``); ``.values()`` the numbers on display
        (as :func:`logits_explorer_values`).

    Raises
    ------
    TypeError, ValueError
        As :func:`logits_explorer_values`; more than 6 logits; a bad ``interval``.

    See Also
    --------
    LogitsExplorer : The anywidget explorer, chapter 2.
    logits_explorer_values

    Notes
    -----
    Chapter 7 (numerical stability).
    """
    return LegacyLogitsExplorer(logits, temperature, target, **kwargs)
