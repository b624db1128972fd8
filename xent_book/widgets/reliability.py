"""Reliability explorer: temperature scaling moves a reliability diagram, the ECE and the NLL.

The binning and the ECE are :func:`xent_book.calibration.calibration_bins` and
its ``error("l1")`` (top-label confidence, 15 equal-width bins by default), so
the bars drawn are exactly the bins the printed ECE sums over.

A redraw computes ``xb.softmax`` and ``xb.cross_entropy`` of ``logits / T`` (the
package's one softmax, not a copy): a few ms for 10,000 x 10 logits.
Building the explorer also fits the NLL-optimal temperature once.

See also: chapter 10 (calibration).
"""

from __future__ import annotations

import json
from typing import Any

import ipywidgets as widgets
import numpy as np
from numpy.typing import ArrayLike

from .._validation import (
    as_float_array,
    check_finite,
    check_int,
    check_labels,
    check_positive,
    check_temperature,
    check_temperature_for,
)
from ..activations import softmax
from ..calibration import calibration_bins, fit_temperature
from ..losses import cross_entropy
from ._base import (
    COLORS,
    DEFAULT_INTERVAL,
    Explorer,
    _n,
    log_slider,
    readout,
    svg_line,
    svg_open,
    svg_rect,
    svg_text,
)

__all__ = ["reliability_explorer", "reliability_values", "ReliabilityExplorer", "page_data_markup"]

TEMPERATURE_RANGE = (0.1, 10.0)


def _check_inputs(logits, labels):
    z = as_float_array(logits, "logits").astype(np.float64)
    if z.ndim != 2 or z.shape[0] == 0 or z.shape[1] < 2:
        raise ValueError(f"logits: expected shape (N, C) with N >= 1 and C >= 2, got {z.shape}")
    check_finite(z, "logits")
    y = check_labels(labels, "labels", z.shape[1])
    if y.shape != (z.shape[0],):
        raise ValueError(f"labels: expected shape ({z.shape[0]},) to match logits, got {y.shape}")
    return z, y


def _values(z, y, t, n_bins):
    """The numbers on display at temperature ``t``: ``xb.softmax`` / ``xb.cross_entropy`` of ``z / t``,
    binned by :func:`xent_book.calibration.calibration_bins` (exactly the bins the ECE sums over)."""
    probs = softmax(z, axis=1, temperature=t)
    bins = calibration_bins(probs, y, n_bins)
    conf = probs.max(axis=1)
    return {
        "temperature": t,
        "n_bins": bins.n_bins,
        "ece": bins.error("l1"),
        "nll": float(cross_entropy(z / t, y)),
        "accuracy": float(np.mean(probs.argmax(axis=1) == y)),
        "mean_confidence": float(conf.mean()),
        "bin_edges": bins.edges,
        "bin_confidence": bins.confidence,
        "bin_accuracy": bins.accuracy,
        "bin_counts": bins.counts,
    }


def reliability_values(
    logits: ArrayLike, labels: ArrayLike, temperature: float = 1.0, n_bins: int = 15
) -> dict:
    r"""The numbers the reliability explorer shows for ``softmax(logits / T)``.

    .. math::
        \mathrm{ECE} = \sum_m \frac{|B_m|}{N}\,\bigl|\mathrm{acc}(B_m) - \mathrm{conf}(B_m)\bigr|,
        \qquad \mathrm{NLL} = -\frac1N \sum_i \log \operatorname{softmax}(z_i / T)_{y_i}

    with top-label confidences :math:`\max_k q_{ik}`, :math:`q_i = \operatorname{softmax}(z_i / T)`, in ``n_bins`` equal-width
    bins, as :func:`xent_book.calibration.expected_calibration_error`.

    Parameters
    ----------
    logits : array_like, shape (N, C)
        Finite logits, C >= 2.
    labels : array_like of int, shape (N,)
        Classes in ``0 .. C-1``.
    temperature : float, default 1.0
        ``T > 0``.
    n_bins : int, default 15

    Returns
    -------
    dict
        ``temperature``, ``n_bins``, ``ece`` (a probability gap in [0, 1]),
        ``nll`` (mean, nats), ``accuracy``, ``mean_confidence``, and per bin
        ``bin_edges`` (M + 1,), ``bin_confidence``, ``bin_accuracy`` (0 where
        empty), ``bin_counts`` (M,).

    Raises
    ------
    TypeError
        ``logits`` not an array of real numbers; ``labels`` not integer class
        labels (floats, bools, ragged lists); ``temperature`` or ``n_bins`` of
        the wrong type.
    ValueError
        Bad shapes, non-finite logits, labels out of range (unsigned values
        included, checked before any cast); ``T <= 0``, non-finite, or so small
        that ``logits / T`` overflows; ``n_bins < 1``.

    See Also
    --------
    reliability_explorer, xent_book.calibration; chapter 10 (calibration).
    """
    z, y = _check_inputs(logits, labels)
    return _values(z, y, check_temperature_for(z, temperature), n_bins)


def page_data_markup(
    logits: ArrayLike,
    labels: ArrayLike,
    temperature: float = 1.0,
    n_bins: int = 15,
    best_temperature: float | None = None,
) -> str:
    """The explorer's data as ``<script type="application/json" class="xent-explorer-data">``.

    ``{"logits": [[...], ...], "labels": [...], "temperature": T, "n_bins": M,
    "best_temperature": T* or null}`` with every float written by ``repr`` (it round-trips),
    so that the web page computes on exactly the numbers the kernel does. ``best_temperature``
    (from :func:`xent_book.calibration.fit_temperature`) is null when not finite.

    Raises
    ------
    TypeError, ValueError
        As :func:`reliability_values` for ``logits``, ``labels``, ``temperature``
        and ``n_bins``; ``best_temperature`` not None or a real number.
    """
    z, y = _check_inputs(logits, labels)
    best = best_temperature
    if best is not None and not (isinstance(best, (float, np.floating)) and best == np.inf):
        best = check_positive(best, "best_temperature", allow_zero=True)  # 0.0 and inf: no finite T*
    best = None if best is None or not 0 < best < np.inf else float(best)
    data = {
        "logits": z.tolist(),
        "labels": y.tolist(),
        "temperature": check_temperature(temperature),
        "n_bins": check_int(n_bins, "n_bins", 1),
        "best_temperature": best,
    }
    return (
        '<script type="application/json" class="xent-explorer-data" data-xent-explorer="reliability">'
        + json.dumps(data, separators=(",", ":"), allow_nan=False)
        + "</script>"
    )


def _best_temperature(z, y) -> float:
    """``fit_temperature``, or the limit (0.0 or inf) where the NLL has no finite minimiser."""
    try:
        return fit_temperature(z, y)
    except ValueError:
        separable = bool(np.all(z[np.arange(y.size), y] >= z.max(axis=1)))
        return 0.0 if separable else float("inf")


class ReliabilityExplorer(Explorer):
    """A temperature slider; the reliability diagram, confidence histogram, ECE and NLL follow.

    Build it with :func:`reliability_explorer`.

    Raises
    ------
    TypeError, ValueError
        As :func:`reliability_explorer`.
    """

    kind = "reliability"

    def __init__(
        self,
        logits: ArrayLike,
        labels: ArrayLike,
        temperature: float = 1.0,
        n_bins: int = 15,
        interval: float = DEFAULT_INTERVAL,
        **throttle_kwargs: Any,
    ) -> None:
        super().__init__()
        self._z, self._y = _check_inputs(logits, labels)
        init = _values(
            self._z, self._y, check_temperature_for(self._z, temperature), n_bins
        )  # validates n_bins
        self._n_bins = init["n_bins"]
        #: the NLL-minimising temperature (Guo et al.'s temperature scaling), shown for reference;
        #: 0.0 or inf where the NLL keeps falling as T -> 0 (separable logits) or T -> infinity
        self.best_temperature = _best_temperature(self._z, self._y)
        controls = {"temperature": log_slider(init["temperature"], *TEMPERATURE_RANGE, "temperature T")}
        self._setup(controls, interval, throttle_kwargs)
        #: the logits and labels as JSON, for the live explorer of the web page
        #: (book_assets/xent-explorers.js reads them from the page's saved widget state)
        self.page_data = widgets.HTML(
            page_data_markup(self._z, self._y, temperature, self._n_bins, self.best_temperature),
            layout=widgets.Layout(display="none"),
        )
        self.children = (*self.children, self.page_data)

    def compute(self) -> dict:
        v = _values(self._z, self._y, self.controls["temperature"].value, self._n_bins)
        v["best_temperature"] = self.best_temperature
        return v

    def render(self, v: dict) -> str:
        return _render_reliability(v)


def _hatch(x, y, w, h, spacing=5.0) -> str:
    """Path data of 45-degree hatching inside the rectangle ``(x, y, w, h)`` (screen units).

    The lines are ``x + y = c`` for ``c`` on a fixed grid of ``spacing``, so the hatching of
    neighbouring rectangles lines up.
    """
    if h < 0:
        y, h = y + h, -h
    if w <= 0 or h <= 0:
        return ""
    xa, xb, ya, yb = x, x + w, y, y + h
    segs = []
    c = np.ceil((xa + ya) / spacing) * spacing
    while c < xb + yb:
        lo, hi = max(xa, c - yb), min(xb, c - ya)
        if hi > lo:
            segs.append(f"M{_n(lo)} {_n(c - lo)}L{_n(hi)} {_n(c - hi)}")
        c += spacing
    return "".join(segs)


def _gap(x, y, w, h, colour) -> str:
    """The gap between a bin's accuracy and its mean confidence: an outlined, hatched box.

    Drawn the same way whether it lies above the accuracy bar (over-confident bin) or over it
    (under-confident bin): thin lines, no fill, so it never blends with the bar into a new colour.
    """
    if h < 0:
        y, h = y + h, -h
    d = _hatch(x, y, w, h)
    hatch = f'<path d="{d}" stroke="{colour}" stroke-width="1.6" fill="none"/>' if d else ""
    box = (
        f'<rect x="{_n(x)}" y="{_n(y)}" width="{_n(w)}" height="{_n(h)}" fill="none" '
        f'stroke="{colour}" stroke-width="1.5" class="xent-gap"/>'
    )
    return f'<g class="xent-gap">{hatch}{box}</g>'


def _render_reliability(v: dict) -> str:
    edges, acc, conf, counts = v["bin_edges"], v["bin_accuracy"], v["bin_confidence"], v["bin_counts"]
    M = counts.size
    W, H = 540, 268
    label = (
        f"Reliability diagram at temperature {v['temperature']:.3g} with {M} confidence bins: "
        f"expected calibration error {v['ece']:.4f}, negative log-likelihood {v['nll']:.4f} nats, "
        f"accuracy {v['accuracy']:.4f}, mean confidence {v['mean_confidence']:.4f}. Per non-empty bin, accuracy / mean confidence: "
        + "; ".join(f"{acc[m]:.2f} / {conf[m]:.2f}" for m in range(M) if counts[m] > 0)
        + "."
    )
    out = [svg_open(W, H, label)]

    # left: reliability diagram
    x0, x1, top, bottom = 54, 264, 30, 200
    sx = lambda u: x0 + u * (x1 - x0)
    sy = lambda u: bottom - u * (bottom - top)
    out.append(svg_text((x0 + x1) / 2, 16, "reliability: accuracy per confidence bin", weight="600"))
    for t in (0.0, 0.5, 1.0):
        out.append(svg_line(x0, sy(t), x1, sy(t), opacity=0.6 if t == 0 else 0.2))
        out.append(svg_text(x0 - 5, sy(t) + 4, f"{t:g}", anchor="end", size=10))
        out.append(svg_text(sx(t), bottom + 15, f"{t:g}", size=10))
    gaps = []
    for m in range(M):
        if counts[m] == 0:
            continue
        a, b = sx(edges[m]), sx(edges[m + 1])
        out.append(
            svg_rect(
                a,
                sy(acc[m]),
                b - a,
                sy(0) - sy(acc[m]),
                COLORS["model"],
                stroke=None,
                title=f"bin {m}: accuracy {acc[m]:.4f}, confidence {conf[m]:.4f}, n = {counts[m]}",
            )
        )
        lo, hi = sorted((acc[m], conf[m]))
        gaps.append(_gap(a, sy(hi), b - a, sy(lo) - sy(hi), COLORS["error"]))
    out.extend(gaps)  # after all bars: a gap is never covered by the next bin's bar
    out.append(svg_line(sx(0), sy(0), sx(1), sy(1), dash="4,3", width=1.5))
    out.append(svg_text((x0 + x1) / 2, bottom + 31, "confidence (top-label probability)", size=11))
    out.append(
        f'<text x="{x0 - 34}" y="{(top + bottom) / 2}" text-anchor="middle" font-size="11" fill="currentColor" '
        f'transform="rotate(-90 {x0 - 34} {(top + bottom) / 2})">accuracy</text>'
    )
    # legend below the axis label, outside the data
    ly = H - 14
    out.append(svg_rect(x0 - 30, ly, 10, 10, COLORS["model"]))
    out.append(svg_text(x0 - 16, ly + 9, "accuracy", anchor="start", size=10))
    out.append(_gap(x0 + 40, ly, 10, 10, COLORS["error"]))
    out.append(svg_text(x0 + 54, ly + 9, "gap to confidence", anchor="start", size=10))
    out.append(svg_line(x0 + 148, ly + 5, x0 + 166, ly + 5, dash="4,3", width=1.5))
    out.append(svg_text(x0 + 170, ly + 9, "perfect calibration", anchor="start", size=10))

    # right: share of examples per bin
    x0, x1 = 322, 510  # room on the right for a marker label at confidence 1
    sx = lambda u: x0 + u * (x1 - x0)
    share = counts / counts.sum()
    smax = max(0.25, float(np.ceil(share.max() * 4) / 4))
    sy2 = lambda u: bottom - u / smax * (bottom - top)
    out.append(svg_text((x0 + x1) / 2, 16, "share of examples per bin", weight="600"))
    for t in (0.0, smax / 2, smax):
        out.append(svg_line(x0, sy2(t), x1, sy2(t), opacity=0.6 if t == 0 else 0.2))
        out.append(svg_text(x0 - 5, sy2(t) + 4, f"{t:g}", anchor="end", size=10))
    for t in (0.0, 0.5, 1.0):
        out.append(svg_text(sx(t), bottom + 15, f"{t:g}", size=10))
    for m in range(M):
        if counts[m]:
            a, b = sx(edges[m]), sx(edges[m + 1])
            out.append(
                svg_rect(
                    a + 0.5,
                    sy2(share[m]),
                    b - a - 1,
                    sy2(0) - sy2(share[m]),
                    COLORS["neutral"],
                    title=f"bin {m}: {counts[m]} examples",
                )
            )
    markers = [(v["accuracy"], COLORS["model"], "acc"), (v["mean_confidence"], COLORS["error"], "conf")]
    for value, colour, _ in markers:
        out.append(svg_line(sx(value), top, sx(value), bottom, color=colour, width=2))
    # labels on the outer sides of the two lines (the left one ends left of its line, the right one
    # starts right of its line), so they never overlap, however close accuracy and confidence are
    (lv, lc, ln), (rv, rc, rn) = sorted(markers, key=lambda mk: mk[0])
    out.append(svg_text(sx(lv) - 3, top - 3, ln, anchor="end", size=9, color=lc))
    out.append(svg_text(sx(rv) + 3, top - 3, rn, anchor="start", size=9, color=rc))
    out.append(svg_text((x0 + x1) / 2, bottom + 31, "confidence", size=11))
    out.append("</svg>")
    out.append(
        '<div class="xent-readouts">'
        + readout("ece", v["ece"], "ECE")
        + readout("nll", v["nll"], "NLL", "nats")
        + readout("accuracy", v["accuracy"], "accuracy")
        + readout("mean_confidence", v["mean_confidence"], "mean confidence")
        + readout("temperature", v["temperature"], "T", digits=3)
        + (
            readout("best_temperature", v["best_temperature"], "T* (min NLL)", digits=3)
            if "best_temperature" in v
            else ""
        )
        + "</div>"
    )
    best = v.get("best_temperature")
    if best is not None and not 0 < best < float("inf"):
        limit = "0" if best == 0 else "∞"
        out.append(
            f'<div class="xent-note">No finite T minimises the NLL of these logits: it keeps falling as T → {limit}.</div>'
        )
    return "".join(out)


def reliability_explorer(
    logits: ArrayLike, labels: ArrayLike, temperature: float = 1.0, n_bins: int = 15, **kwargs: Any
) -> ReliabilityExplorer:
    """Interactive temperature scaling: the reliability diagram, ECE and NLL as T moves.

    A log-scale temperature slider (0.1 to 10) redraws the reliability
    diagram of ``softmax(logits / T)`` (accuracy per confidence bin, its gap
    to the bin's mean confidence, the diagonal of perfect calibration) and the
    share of examples per bin, and prints the ECE and the NLL.
    The NLL-minimising temperature (:func:`xent_book.calibration.fit_temperature`)
    is shown for reference. Readouts (``data-name``): ``ece``, ``nll``,
    ``accuracy``, ``mean_confidence``, ``temperature``, ``best_temperature``.

    Parameters
    ----------
    logits : array_like, shape (N, C)
    labels : array_like of int, shape (N,)
    temperature : float, default 1.0
    n_bins : int, default 15
    **kwargs
        ``interval`` (seconds between redraws during a drag).

    Returns
    -------
    ReliabilityExplorer
        An ``ipywidgets.VBox`` with ``.sliders`` (``"temperature"``),
        ``.best_temperature`` and ``.values()`` (as :func:`reliability_values`).

    Raises
    ------
    TypeError, ValueError
        As :func:`reliability_values`; a bad ``interval``.

    See Also
    --------
    reliability_values, xent_book.calibration; chapter 10 (calibration).
    """
    return ReliabilityExplorer(logits, labels, temperature, n_bins, **kwargs)
