"""Entropy and KL explorers: H(p) against its maximum, and H(p, q) = H(p) + KL(p || q).

Both take unnormalised non-negative weights (one slider per outcome) and
normalise them for display, so that every slider position is a valid
distribution. All-zero weights (every slider at 0) are shown as the uniform
distribution, with a note.

See also: chapter 3 (entropy) and chapter 4 (cross-entropy and KL divergence).
"""

from __future__ import annotations

import math
from typing import Any

import ipywidgets as widgets
import numpy as np
from numpy.typing import ArrayLike

from .._validation import as_float_array, check_explorer_base, check_finite
from ..info import cross_entropy as info_cross_entropy
from ..info import entropy as info_entropy
from ..info import kl_divergence as info_kl_divergence
from ._base import (
    COLORS,
    DEFAULT_INTERVAL,
    Explorer,
    float_slider,
    fmt,
    nice_max,
    readout,
    svg_line,
    svg_open,
    svg_rect,
    svg_text,
)

__all__ = [
    "entropy_kl_explorer",
    "entropy_kl_values",
    "EntropyKLExplorer",
    "entropy_explorer",
    "entropy_values",
    "EntropyExplorer",
]

MAX_OUTCOMES = 8
#: Units by base, for labels and the base selector.
UNITS = {2.0: "bits", math.e: "nats", 10.0: "hartleys"}


def _unit(base) -> str:
    if base is None:
        return "nats"
    return UNITS.get(float(base), f"base-{float(base):g} units")


def normalise_weights(w: ArrayLike, name: str, allow_zero: bool = False) -> np.ndarray:
    """Non-negative finite weights -> a distribution (float64). All zeros: error, or uniform if ``allow_zero``."""
    arr = as_float_array(w, name).astype(np.float64)
    if arr.ndim != 1 or arr.size < 2:
        raise ValueError(f"{name}: expected a 1-D array of at least 2 weights, got shape {arr.shape}")
    check_finite(arr, name)
    if (arr < 0).any():
        raise ValueError(f"{name}: expected non-negative weights, found {float(arr.min()):.6g}")
    total = arr.sum()
    if total == 0:
        if allow_zero:
            return np.full(arr.size, 1.0 / arr.size)
        raise ValueError(f"{name}: the weights sum to 0, so they do not define a distribution")
    return arr / total


def entropy_values(p: ArrayLike = (0.5, 0.3, 0.2), base: float | None = 2) -> dict:
    r"""The numbers the entropy explorer shows.

    .. math:: H(p) = -\sum_k p_k \log_b p_k \le \log_b C

    Parameters
    ----------
    p : array_like, shape (C,)
        Non-negative weights (C >= 2), normalised here to a distribution.
    base : float or None, default 2
        Logarithm base: 2 for bits, ``None`` or ``math.e`` for nats.

    Returns
    -------
    dict
        ``p`` (C,) normalised; ``entropy`` H(p), ``max_entropy`` log_b C (in
        the unit of ``base``); ``perplexity`` b^H(p) = e^H (an effective number
        of outcomes, between 1 and C); ``unit``; ``base``.

    Raises
    ------
    TypeError
        ``p`` not an array of real numbers; ``base`` not None or a real number.
    ValueError
        Negative or non-finite weights, all zero, fewer than 2, not 1-D, a ragged
        list; a base that is not finite or not > 1.

    See Also
    --------
    entropy_explorer
    xent_book.info.entropy

    Notes
    -----
    Chapter 3 (entropy).
    """
    pn = normalise_weights(p, "p")
    check_explorer_base(base)
    h = float(info_entropy(pn, base=base))
    hmax = float(math.log(pn.size) / (1.0 if base is None else math.log(base)))
    h_nats = float(info_entropy(pn))
    return {
        "p": pn,
        "entropy": h,
        "max_entropy": hmax,
        "perplexity": math.exp(h_nats),
        "unit": _unit(base),
        "base": base,
    }


def entropy_kl_values(
    p: ArrayLike = (0.5, 0.3, 0.2), q: ArrayLike = (0.2, 0.3, 0.5), base: float | None = 2
) -> dict:
    r"""The numbers the entropy/KL explorer shows: H(p), H(p, q) and KL(p || q).

    .. math::
        H(p, q) = -\sum_k p_k \log_b q_k = H(p) + \mathrm{KL}(p \,\|\, q),
        \qquad \mathrm{KL}(p \,\|\, q) = \sum_k p_k \log_b \frac{p_k}{q_k} \ge 0

    Parameters
    ----------
    p, q : array_like, shape (C,)
        Non-negative weights (C >= 2), each normalised here to a distribution:
        ``p`` is the data (true) distribution, ``q`` the model's.
    base : float or None, default 2
        2 for bits, ``None`` or ``math.e`` for nats.

    Returns
    -------
    dict
        ``p``, ``q`` (C,) normalised; ``entropy`` H(p), ``cross_entropy``
        H(p, q), ``kl`` KL(p || q) (``inf`` where some ``q_k = 0 < p_k``),
        ``max_entropy`` log_b C; ``unit``; ``base``. Computed with
        :mod:`xent_book.info`.

    Raises
    ------
    TypeError
        ``p`` or ``q`` not an array of real numbers; ``base`` not None or a real number.
    ValueError
        Negative or non-finite weights, all zero, fewer than 2, not 1-D, a ragged
        list, different lengths (named ``q``); a base that is not finite or not > 1.

    See Also
    --------
    entropy_kl_explorer
    xent_book.info

    Notes
    -----
    Chapter 4 (cross-entropy and KL divergence).
    """
    pn = normalise_weights(p, "p")
    qn = normalise_weights(q, "q")
    if pn.size != qn.size:
        raise ValueError(f"q: expected {pn.size} weights to match p, got {qn.size}")
    check_explorer_base(base)
    return {
        "p": pn,
        "q": qn,
        "entropy": float(info_entropy(pn, base=base)),
        "cross_entropy": float(info_cross_entropy(pn, qn, base=base)),
        "kl": float(info_kl_divergence(pn, qn, base=base)),
        "max_entropy": float(math.log(pn.size) / (1.0 if base is None else math.log(base))),
        "unit": _unit(base),
        "base": base,
    }


def _base_selector(base) -> widgets.Dropdown:
    options = [("bits (base 2)", 2.0), ("nats (base e)", math.e)]
    b = math.e if base is None else float(base)
    if b not in dict((v, k) for k, v in options):
        options.append((f"{_unit(b)} (base {b:g})", b))
    return widgets.Dropdown(
        options=options, value=b, description="unit", style={"description_width": "initial"}
    )


def _weight_sliders(prefix: str, w, label: str) -> dict:
    return {
        f"{prefix}{k}": float_slider(v, 0.0, 1.0, 0.01, f"{label} weight {k}", ".2f") for k, v in enumerate(w)
    }


def _check_size(pn, name):
    if pn.size > MAX_OUTCOMES:
        raise ValueError(f"{name}: the explorer shows at most {MAX_OUTCOMES} outcomes, got {pn.size}")


class EntropyKLExplorer(Explorer):
    """Sliders for p and q; bars of both, and H(p, q) as the stacked bar H(p) + KL(p || q).

    Build it with :func:`entropy_kl_explorer`.

    Parameters
    ----------
    p, q : sequence of float
        Starting weights of the data and model distributions, 2 to 8 each (same length).
    base : float or None, default 2
        2 for bits, None or ``math.e`` for nats.
    interval : float, default 0.04
        Minimum seconds between two redraws during a drag (0: redraw on every change).
    **throttle_kwargs
        ``clock`` and ``scheduler`` of the redraw ``Throttle`` (injectable for tests).

    Raises
    ------
    TypeError, ValueError
        As :func:`entropy_kl_explorer`.
    """

    kind = "entropy-kl"

    def __init__(
        self,
        p: ArrayLike = (0.5, 0.3, 0.2),
        q: ArrayLike = (0.2, 0.3, 0.5),
        base: float | None = 2,
        interval: float = DEFAULT_INTERVAL,
        **throttle_kwargs: Any,
    ) -> None:
        super().__init__()
        init = entropy_kl_values(p, q, base)  # validates
        _check_size(init["p"], "p")
        self._n = init["p"].size
        controls = {**_weight_sliders("p", init["p"], "p"), **_weight_sliders("q", init["q"], "q")}
        controls["base"] = _base_selector(base)
        self._setup(controls, interval, throttle_kwargs)

    def compute(self) -> dict:
        c = self.controls
        wp = [c[f"p{k}"].value for k in range(self._n)]
        wq = [c[f"q{k}"].value for k in range(self._n)]
        p, q = normalise_weights(wp, "p", allow_zero=True), normalise_weights(wq, "q", allow_zero=True)
        v = entropy_kl_values(p, q, c["base"].value)
        v["note"] = _zero_note(("p", wp), ("q", wq))
        return v

    def render(self, v: dict) -> str:
        return _render_entropy_kl(v)


class EntropyExplorer(Explorer):
    """Sliders for p; bars of p and its entropy against the maximum log C.

    Build it with :func:`entropy_explorer`.

    Parameters
    ----------
    p : sequence of float
        Starting weights, 2 to 8.
    base : float or None, default 2
        2 for bits, None or ``math.e`` for nats.
    interval : float, default 0.04
        Minimum seconds between two redraws during a drag (0: redraw on every change).
    **throttle_kwargs
        ``clock`` and ``scheduler`` of the redraw ``Throttle`` (injectable for tests).

    Raises
    ------
    TypeError, ValueError
        As :func:`entropy_explorer`.
    """

    kind = "entropy"

    def __init__(
        self,
        p: ArrayLike = (0.5, 0.3, 0.2),
        base: float | None = 2,
        interval: float = DEFAULT_INTERVAL,
        **throttle_kwargs: Any,
    ) -> None:
        super().__init__()
        init = entropy_values(p, base)
        _check_size(init["p"], "p")
        self._n = init["p"].size
        controls = _weight_sliders("p", init["p"], "p")
        controls["base"] = _base_selector(base)
        self._setup(controls, interval, throttle_kwargs)

    def compute(self) -> dict:
        c = self.controls
        wp = [c[f"p{k}"].value for k in range(self._n)]
        v = entropy_values(normalise_weights(wp, "p", allow_zero=True), c["base"].value)
        v["note"] = _zero_note(("p", wp))
        return v

    def render(self, v: dict) -> str:
        return _render_entropy(v)


def _zero_note(*named) -> str:
    zero = [name for name, w in named if sum(w) == 0]
    return f"All weights of {' and '.join(zero)} are 0: shown as uniform." if zero else ""


# --------------------------------------------------------------------------- SVG


def _distribution_bars(out, series, top, bottom, x0, x1, vmax):
    """Grouped bars: series = [(name, values, colour), ...] over the same outcomes."""
    n = series[0][1].size
    sy = lambda u: bottom - u / vmax * (bottom - top)
    for tick in (0.0, vmax / 2, vmax):
        out.append(svg_line(x0, sy(tick), x1, sy(tick), opacity=0.6 if tick == 0 else 0.2))
        out.append(svg_text(x0 - 5, sy(tick) + 4, f"{tick:g}", anchor="end", size=10))
    slot = (x1 - x0) / n
    m = len(series)
    bw = slot * 0.7 / m
    for k in range(n):
        left = x0 + slot * k + slot * 0.15
        for j, (name, vals, colour) in enumerate(series):
            x = left + j * bw
            u = min(vals[k], vmax)
            out.append(
                svg_rect(x + 1, sy(u), bw - 2, sy(0) - sy(u), colour, title=f"{name}{k} = {vals[k]:.4f}")
            )
            out.append(svg_text(x + bw / 2, sy(u) - 4, fmt(vals[k], 2), size=9))
        out.append(svg_text(x0 + slot * (k + 0.5), bottom + 14, str(k), size=11))


def _legend(out, x, y, items):
    for name, colour in items:
        out.append(svg_rect(x, y - 9, 10, 10, colour))
        out.append(svg_text(x + 14, y, name, anchor="start", size=11))
        x += 16 + 7 * len(name)


def _render_entropy_kl(v: dict) -> str:
    p, q, unit = v["p"], v["q"], v["unit"]
    h, hpq, kl, hmax = v["entropy"], v["cross_entropy"], v["kl"], v["max_entropy"]
    W, H = 540, 262
    label = (
        "p = "
        + ", ".join(f"{x:.4f}" for x in p)
        + "; q = "
        + ", ".join(f"{x:.4f}" for x in q)
        + f". Entropy H(p) {fmt(h)} {unit}, cross-entropy H(p, q) {fmt(hpq)} {unit}"
        + f" = H(p) + KL(p || q), with KL {fmt(kl)} {unit}."
    )
    out = [svg_open(W, H, label)]
    out.append(svg_text(W / 2, 14, "distributions p (data) and q (model)", weight="600"))
    _legend(out, W / 2 - 75, 32, [("p (data)", COLORS["target"]), ("q (model)", COLORS["model"])])
    vmax = 1.0 if max(p.max(), q.max()) > 0.5 else 0.5
    _distribution_bars(
        out, [("p", p, COLORS["target"]), ("q", q, COLORS["model"])], 52, 148, 46, W - 10, vmax
    )
    out.append(svg_text(W / 2, 176, "outcome i", size=11))

    # stacked bar: H(p, q) = H(p) + KL(p || q), on an axis that shows log C
    x0, x1, yb, hb = 46, W - 30, 216, 22
    cap = 4 * hmax
    axis_max = nice_max(min(max(hpq, hmax), cap))
    sx = lambda u: x0 + min(u, axis_max) / axis_max * (x1 - x0)
    out.append(svg_text(x0, 196, f"H(p, q) = H(p) + KL(p ‖ q)   ({unit})", anchor="start", weight="600"))
    lx = 330
    for name, colour in (
        ("H(p)", COLORS["target"]),
        ("KL(p ‖ q)", COLORS["error"]),
    ):  # the stacked bar's legend
        out.append(svg_rect(lx, 196 - 9, 10, 10, colour))
        out.append(svg_text(lx + 14, 196, name, anchor="start", size=11))
        lx += 22 + 7 * len(name)
    out.append(svg_rect(x0, yb, sx(h) - x0, hb, COLORS["target"], title=f"H(p) = {fmt(h)} {unit}"))
    out.append(
        svg_rect(sx(h), yb, sx(h + kl) - sx(h), hb, COLORS["error"], title=f"KL(p || q) = {fmt(kl)} {unit}")
    )
    if hpq > axis_max:  # clipped (or infinite): an arrow says "continues"
        out.append(svg_text(x1 + 4, yb + 16, "→", anchor="start", size=14, color=COLORS["error"]))
    xm = sx(hmax)
    out.append(svg_line(xm, yb - 4, xm, yb + hb + 4, width=2, dash="3,2"))
    out.append(svg_text(xm, yb + hb + 16, f"log C = {fmt(hmax, 3)}", size=10))
    for tick in (0.0, axis_max):
        out.append(svg_text(sx(tick), yb + hb + 16, f"{tick:g}", size=10))
    out.append(svg_line(x0, yb + hb, x1, yb + hb, opacity=0.6))
    out.append("</svg>")
    out.append(
        '<div class="xent-readouts">'
        + readout("entropy", h, "H(p)", unit)
        + readout("kl", kl, "KL(p ‖ q)", unit)
        + readout("cross_entropy", hpq, "H(p, q)", unit)
        + readout("max_entropy", hmax, "log C", unit)
        + "</div>"
        + '<div class="xent-readouts"><span class="xent-item">p = ['
        + ", ".join(readout(f"p{k}", x) for k, x in enumerate(p))
        + ']</span><span class="xent-item">q = ['
        + ", ".join(readout(f"q{k}", x) for k, x in enumerate(q))
        + "]</span></div>"
    )
    if v.get("note"):
        out.append(f'<div class="xent-note">{v["note"]}</div>')
    return "".join(out)


def _render_entropy(v: dict) -> str:
    p, unit, h, hmax = v["p"], v["unit"], v["entropy"], v["max_entropy"]
    W, H = 540, 250
    label = (
        "p = "
        + ", ".join(f"{x:.4f}" for x in p)
        + f". Entropy H(p) {fmt(h)} {unit} of a maximum log C = {fmt(hmax)} {unit}; perplexity {fmt(v['perplexity'], 3)}."
    )
    out = [svg_open(W, H, label)]
    out.append(svg_text(W / 2, 14, "distribution p", weight="600"))
    vmax = 1.0 if p.max() > 0.5 else 0.5
    _distribution_bars(out, [("p", p, COLORS["model"])], 34, 130, 46, W - 10, vmax)
    out.append(svg_text(W / 2, 158, "outcome i", size=11))
    x0, x1, yb, hb = 46, W - 30, 192, 22
    axis_max = nice_max(hmax)
    sx = lambda u: x0 + u / axis_max * (x1 - x0)
    out.append(svg_text(W / 2, 180, f"entropy H(p) against its maximum log C   ({unit})", weight="600"))
    out.append(svg_rect(x0, yb, sx(hmax) - x0, hb, "none", stroke="currentColor"))
    out.append(svg_rect(x0, yb, sx(h) - x0, hb, COLORS["model"], title=f"H(p) = {fmt(h)} {unit}"))
    out.append(svg_text(sx(hmax), yb + hb + 16, f"log C = {fmt(hmax, 3)}", size=10))
    out.append(svg_text(x0, yb + hb + 16, "0", size=10))
    out.append("</svg>")
    out.append(
        '<div class="xent-readouts">'
        + readout("entropy", h, "H(p)", unit)
        + readout("max_entropy", hmax, "log C", unit)
        + readout("perplexity", v["perplexity"], "perplexity", digits=3)
        + '</div><div class="xent-readouts"><span class="xent-item">p = ['
        + ", ".join(readout(f"p{k}", x) for k, x in enumerate(p))
        + "]</span></div>"
    )
    if v.get("note"):
        out.append(f'<div class="xent-note">{v["note"]}</div>')
    return "".join(out)


# --------------------------------------------------------------------------- factories


def entropy_kl_explorer(
    p: ArrayLike = (0.5, 0.3, 0.2), q: ArrayLike = (0.2, 0.3, 0.5), base: float | None = 2, **kwargs: Any
) -> EntropyKLExplorer:
    """Interactive H(p), H(p, q) and KL(p || q) for two adjustable distributions.

    One slider of unnormalised weight per outcome for ``p`` (data) and ``q``
    (model), normalised for display; a unit selector (bits / nats). Shows both
    distributions as bars and ``H(p, q) = H(p) + KL(p || q)`` as a stacked bar
    with ``log C`` marked. Readouts (``data-name``): ``entropy``, ``kl``,
    ``cross_entropy``, ``max_entropy``, ``p0``.., ``q0``... A ``q_k = 0`` where
    ``p_k > 0`` gives ``KL = inf`` (shown as ∞).

    Parameters
    ----------
    p, q : sequence of float
        2 to 8 non-negative weights each (same length).
    base : float or None, default 2
        2 for bits, None or ``math.e`` for nats.
    **kwargs
        ``interval`` (seconds between redraws during a drag).

    Returns
    -------
    EntropyKLExplorer
        An ``ipywidgets.VBox`` with ``.sliders`` (``"p0"``.., ``"q0"``..),
        ``.controls`` (plus ``"base"``) and ``.values()`` (as :func:`entropy_kl_values`).

    Raises
    ------
    TypeError, ValueError
        As :func:`entropy_kl_values`; more than 8 outcomes; a bad ``interval``.

    See Also
    --------
    entropy_kl_values
    entropy_explorer

    Notes
    -----
    Chapter 4 (cross-entropy and KL divergence).
    """
    return EntropyKLExplorer(p, q, base, **kwargs)


def entropy_explorer(
    p: ArrayLike = (0.5, 0.3, 0.2), base: float | None = 2, **kwargs: Any
) -> EntropyExplorer:
    """Interactive entropy of one distribution, against its maximum ``log C``.

    One slider of unnormalised weight per outcome; bars of ``p``; a bar of
    ``H(p)`` inside the outline of ``log C`` (reached by the uniform
    distribution). Readouts: ``entropy``, ``max_entropy``, ``perplexity``, ``p0``...

    Parameters
    ----------
    p : sequence of float
        2 to 8 non-negative weights.
    base : float or None, default 2
        2 for bits, None or ``math.e`` for nats.
    **kwargs
        ``interval`` (seconds between redraws during a drag).

    Returns
    -------
    EntropyExplorer
        An ``ipywidgets.VBox`` with ``.sliders``, ``.controls`` and ``.values()``
        (as :func:`entropy_values`).

    Raises
    ------
    TypeError, ValueError
        As :func:`entropy_values`; more than 8 outcomes; a bad ``interval``.

    See Also
    --------
    entropy_values
    entropy_kl_explorer

    Notes
    -----
    Chapter 3 (entropy).
    """
    return EntropyExplorer(p, base, **kwargs)
