"""Shared machinery of the explorers: the widget shell, throttled redraws, readouts.

Design
------
An explorer is an :class:`ipywidgets.VBox` holding its controls and one
:class:`ipywidgets.HTML` widget whose ``value`` is a small inline SVG chart plus
the numbers as text. A change of any control recomputes the numbers (pure
NumPy, microseconds) and replaces that one string: the widget, and every other
element on the page, stays where it is (an in-place redraw; no figure is
created, no output is cleared). Because the HTML widget's value is part of the
saved widget state, the static book shows each explorer's initial view.

Continuous slider drags send a burst of values. :class:`Throttle` redraws at
once on the first change (no added latency for a click or a key press) and
coalesces the rest of the burst into one trailing redraw at most every
``interval`` seconds, scheduled on the kernel's running asyncio loop. Outside an
IPython kernel (plain Python, tests, benchmarks, even with some other asyncio
loop running in the thread) every change redraws at once.

Markup conventions (relied on by the browser tests and the later in-page
JavaScript versions):

* the root ``<div class="xent-explorer xent-<kind>">``;
* each number in ``<span class="xent-readout" data-name="NAME"
  data-value="FULL_PRECISION">ROUNDED</span>``;
* the chart is ``<svg role="img" aria-label="...">`` starting with ``<title>``;
  ink (text, axes) is ``currentColor`` so the chart follows the light or dark
  theme; data series use the Okabe-Ito palette of :mod:`xent_book.plotting`.
"""

from __future__ import annotations

import asyncio
import html
import math
import time
from collections.abc import Callable

import ipywidgets as widgets
import numpy as np

from .._validation import check_positive
from ..plotting import COLORS, PALETTE

__all__ = [
    "Explorer",
    "Throttle",
    "Controls",
    "DEFAULT_INTERVAL",
    "COLORS",
    "PALETTE",
    "float_slider",
    "log_slider",
    "readout",
    "fmt",
    "full",
    "nice_max",
    "svg_open",
    "svg_text",
    "svg_rect",
    "svg_line",
    "svg_path",
    "svg_circle",
    "line_panel",
]

#: Seconds between two redraws during a continuous drag (25 per second).
DEFAULT_INTERVAL = 0.04


# --------------------------------------------------------------------------- throttling


def _in_kernel() -> bool:
    """True inside an IPython kernel (JupyterLab, nbval), whose event loop delivers the widget messages."""
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython comes with ipywidgets
        return False
    shell = get_ipython()
    return shell is not None and getattr(shell, "kernel", None) is not None


def _loop_scheduler(delay: float, callback: Callable[[], None]):
    """Schedule ``callback`` after ``delay`` s on the kernel's running asyncio loop; None outside a kernel.

    Only a kernel's loop is used: an asyncio loop that merely runs in this thread (Playwright's
    sync API keeps one running in the main thread of a pytest session, for example) would receive
    the trailing redraw but never turn while the caller waits, so the display would lag behind
    the state. Outside a kernel every change redraws at once.
    """
    if not _in_kernel():
        return None
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:
        return None
    return loop.call_later(delay, callback)


class Throttle:
    """Call ``fn`` at once, then at most once per ``interval`` seconds, always ending on the latest state.

    ``throttle()`` means "the state changed". If the last call of ``fn`` is at
    least ``interval`` old, ``fn`` runs now (leading edge). Otherwise one
    trailing call is scheduled for when the interval ends, and further changes
    before then are coalesced into it. If no scheduler is available the call
    runs now, so that the display never lags behind the state.

    Parameters
    ----------
    fn : callable
        The redraw; takes no argument.
    interval : float
        Minimum seconds between two calls; 0 disables throttling.
    clock : callable, optional
        Returns seconds (``time.perf_counter`` by default); injectable for tests.
    scheduler : callable, optional
        ``scheduler(delay, callback)`` schedules a call and returns a handle (or
        None when it cannot); by default the running asyncio loop's ``call_later``.
    """

    def __init__(self, fn, interval: float = DEFAULT_INTERVAL, clock=time.perf_counter, scheduler=None):
        self.interval = check_positive(
            interval, "interval", allow_zero=True
        )  # seconds; refuses bools, NaN, inf
        if not callable(fn):
            raise TypeError(f"fn: expected a callable (the redraw), got {type(fn).__name__}")
        self.fn = fn
        self.clock = clock
        self.scheduler = scheduler or _loop_scheduler
        self._last = -math.inf
        self._pending = None
        self.calls = 0  # how many times fn ran
        self.coalesced = 0  # changes absorbed into a pending trailing call

    @property
    def pending(self) -> bool:
        return self._pending is not None

    def __call__(self) -> None:
        if self._pending is not None:
            self.coalesced += 1
            return
        wait = self._last + self.interval - self.clock()
        if wait > 0:
            handle = self.scheduler(wait, self._trailing)
            if handle is not None:
                self._pending = handle
                return
        self._run()

    def flush(self) -> None:
        """Run a pending trailing call now (and cancel its scheduled twin)."""
        if self._pending is not None:
            handle, self._pending = self._pending, None
            cancel = getattr(handle, "cancel", None)
            if cancel is not None:
                cancel()
            self._run()

    def _trailing(self) -> None:
        if self._pending is None:  # flushed in the meantime
            return
        self._pending = None
        self._run()

    def _run(self) -> None:
        self._last = self.clock()
        self.calls += 1
        self.fn()


# --------------------------------------------------------------------------- formatting


def fmt(x: float, digits: int = 4) -> str:
    """A number for display: fixed decimals, a real minus sign, ∞ for infinities."""
    x = float(x)
    if math.isnan(x):
        return "NaN"
    if math.isinf(x):
        return "∞" if x > 0 else "−∞"
    s = f"{x:.{digits}f}"
    if s.startswith("-"):
        s = ("−" + s[1:]) if float(s) != 0 else s[1:]
    return s


def full(x: float) -> str:
    """Full-precision text for a ``data-value`` attribute (round-trips through ``float``)."""
    return repr(float(x))


def readout(name: str, value: float, label: str | None = None, unit: str = "", digits: int = 4) -> str:
    """``<span class="xent-readout" data-name=... data-value=...>`` for one number, with an optional label."""
    span = (
        f'<span class="xent-readout" data-name="{html.escape(name)}" data-value="{full(value)}">'
        f"{fmt(value, digits)}</span>"
    )
    text = span + (f"&nbsp;{html.escape(unit)}" if unit else "")
    if label is None:
        return text
    return f'<span class="xent-item">{label} = {text}</span>'


# --------------------------------------------------------------------------- SVG primitives
# Deliberately plain string building, so that a JavaScript port is a transliteration.


def _n(x: float) -> str:
    """A coordinate with 1 decimal (enough at this size); never NaN/inf in the markup."""
    x = float(x)
    if not math.isfinite(x):
        x = 0.0
    s = f"{x:.1f}"
    return s[:-2] if s.endswith(".0") else s


def svg_open(width: int, height: int, label: str) -> str:
    lab = html.escape(label, quote=True)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="100%" '
        f'style="max-width:{width}px;height:auto;display:block;font:12px sans-serif" '
        f'role="img" aria-label="{lab}"><title>{lab}</title>'
    )


def svg_text(x, y, text, anchor="middle", size=12, color="currentColor", cls=None, weight=None) -> str:
    c = f' class="{cls}"' if cls else ""
    w = f' font-weight="{weight}"' if weight else ""
    return (
        f'<text x="{_n(x)}" y="{_n(y)}" text-anchor="{anchor}" font-size="{size}" fill="{color}"{c}{w}>'
        f"{html.escape(str(text))}</text>"
    )


def svg_rect(x, y, w, h, fill, opacity=None, stroke=None, title=None, cls=None) -> str:
    """A rectangle; negative width/height are flipped; ``title`` adds a hover/screen-reader text."""
    if h < 0:
        y, h = y + h, -h
    if w < 0:
        x, w = x + w, -w
    o = f' fill-opacity="{opacity}"' if opacity is not None else ""
    s = f' stroke="{stroke}" stroke-width="2"' if stroke else ""
    c = f' class="{cls}"' if cls else ""
    head = f'<rect x="{_n(x)}" y="{_n(y)}" width="{_n(w)}" height="{_n(h)}" fill="{fill}"{o}{s}{c}'
    if title:
        return head + f"><title>{html.escape(title)}</title></rect>"
    return head + "/>"


def svg_line(x1, y1, x2, y2, color="currentColor", width=1, opacity=None, dash=None) -> str:
    o = f' stroke-opacity="{opacity}"' if opacity is not None else ""
    d = f' stroke-dasharray="{dash}"' if dash else ""
    return (
        f'<line x1="{_n(x1)}" y1="{_n(y1)}" x2="{_n(x2)}" y2="{_n(y2)}" '
        f'stroke="{color}" stroke-width="{width}"{o}{d}/>'
    )


def svg_path(xs, ys, color, width=2, dash=None, fill="none", opacity=None) -> str:
    """A polyline through screen points ``(xs[i], ys[i])``."""
    pts = " ".join(f"{_n(x)},{_n(y)}" for x, y in zip(xs, ys))
    d = f' stroke-dasharray="{dash}"' if dash else ""
    o = f' fill-opacity="{opacity}"' if opacity is not None else ""
    tag = "polygon" if fill != "none" else "polyline"
    stroke = f'stroke="{color}" stroke-width="{width}"' if color else 'stroke="none"'
    return f'<{tag} points="{pts}" fill="{fill}"{o} {stroke}{d} stroke-linejoin="round"/>'


def svg_circle(x, y, r, fill, stroke="currentColor") -> str:
    return (
        f'<circle cx="{_n(x)}" cy="{_n(y)}" r="{_n(r)}" fill="{fill}" stroke="{stroke}" stroke-width="1.5"/>'
    )


def nice_max(x: float) -> float:
    """The smallest of 1, 2, 2.5, 5 times a power of ten that is >= x (for an axis top)."""
    x = float(x)
    if not math.isfinite(x) or x <= 0:
        return 1.0
    p = 10.0 ** math.floor(math.log10(x))
    for m in (1.0, 2.0, 2.5, 5.0, 10.0):
        if m * p >= x * (1 - 1e-12):
            return m * p
    return 10.0 * p  # pragma: no cover


# --------------------------------------------------------------------------- the widget shell


class Controls(dict):
    """The explorer's controls by name (in display order); an int index gives the i-th one."""

    def __getitem__(self, key):
        if isinstance(key, int) and not isinstance(key, bool):
            return list(self.values())[key]
        return super().__getitem__(key)


_CSS = (
    "<style>.xent-explorer .xent-readouts{display:flex;flex-wrap:wrap;gap:0.25em 1.2em;"
    "font-variant-numeric:tabular-nums;margin:0.3em 0}"
    ".xent-explorer .xent-readout{font-weight:600}"
    ".xent-explorer .xent-error{color:#D55E00}</style>"
)


class Explorer(widgets.VBox):
    """Base class: controls on top, one HTML widget (SVG + readouts) below, throttled in-place redraws.

    Subclasses implement :meth:`compute` (the numbers on display, a dict, from
    the controls' current values) and :meth:`render` (the HTML string for those
    numbers), and call :meth:`_setup` at the end of ``__init__``.

    Attributes
    ----------
    sliders : Controls
        The sliders by name (also indexable by position).
    controls : Controls
        Every control (sliders, selectors) by name.
    html : ipywidgets.HTML
        The one output element; its ``value`` is replaced on every redraw.
    throttle : Throttle
        Redraw scheduling (``throttle.calls`` counts redraws).
    last_error : Exception or None
        The last exception a redraw caught (shown in the widget instead of the chart).
    """

    kind = "explorer"

    def _setup(self, controls: dict, interval: float = DEFAULT_INTERVAL, throttle_kwargs=None) -> None:
        self.controls = Controls(controls)
        self.sliders = Controls(
            (k, c)
            for k, c in controls.items()
            if isinstance(c, (widgets.FloatSlider, widgets.IntSlider, widgets.FloatLogSlider))
        )
        self.last_error = None
        self.html = widgets.HTML(layout=widgets.Layout(width="100%"))
        self.throttle = Throttle(self._redraw, interval, **(throttle_kwargs or {}))
        self._values = None
        self._redraw()  # the initial view, present in the widget state
        self.throttle.calls = 0
        for c in self.controls.values():
            c.observe(self._on_change, names="value")
        box = widgets.GridBox(
            list(self.controls.values()),
            # each control fills its column (width auto), and a column gap keeps a slider's readout
            # clear of the next control's label
            layout=widgets.Layout(
                grid_template_columns="repeat(auto-fill, minmax(300px, 1fr))",
                grid_gap="2px 18px",
                width="100%",
            ),
        )
        self.children = (box, self.html)
        self.add_class("xent-explorer-box")

    # -- to implement
    def compute(self) -> dict:  # pragma: no cover - abstract
        raise NotImplementedError

    def render(self, values: dict) -> str:  # pragma: no cover - abstract
        raise NotImplementedError

    # -- public
    def values(self) -> dict:
        """The numbers currently on display (a dict; arrays are copies)."""
        self.throttle.flush()
        return {k: (v.copy() if isinstance(v, np.ndarray) else v) for k, v in self._values.items()}

    # -- machinery
    def _on_change(self, change) -> None:
        self.throttle()

    def _redraw(self) -> None:
        try:
            values = self.compute()
            body = self.render(values)
        except Exception as exc:  # never let a slider position break the page
            self.last_error = exc
            self.html.value = (
                f'<div class="xent-explorer xent-{self.kind}">{_CSS}<p class="xent-error">'
                f"Cannot draw this state: {html.escape(str(exc))}</p></div>"
            )
            return
        self._values = values
        self.last_error = None
        self.html.value = self._wrap(body)

    def _wrap(self, body: str) -> str:
        return f'<div class="xent-explorer xent-{self.kind}">{_CSS}{body}</div>'

    def fresh_markup(self) -> str:
        """The markup for the controls' current values, computed now (for checks: equals ``html.value`` when idle)."""
        return self._wrap(self.render(self.compute()))


def float_slider(value, lo, hi, step, description, fmt_=".2f", width="auto") -> widgets.FloatSlider:
    """A continuous-update slider on ``[lo, hi]``, widened if needed to contain ``value``."""
    v = float(value)
    lo, hi = min(lo, v), max(hi, v)
    return widgets.FloatSlider(
        value=v,
        min=lo,
        max=hi,
        step=step,
        description=description,
        readout_format=fmt_,
        continuous_update=True,
        style={"description_width": "initial"},
        layout=widgets.Layout(width=width),
    )


def log_slider(value, lo, hi, description, step=0.01) -> widgets.FloatLogSlider:
    """A base-10 log slider on about ``[lo, hi]`` (widened to contain ``value``), for temperatures and weights.

    The exponent range is rounded out to multiples of ``step``, so that the
    positions the front end snaps to include 1, 10 and 0.1 exactly (otherwise
    an initial T = 1 shows as 0.998 and cannot be returned to).

    A number typed into the readout lands on that grid too (3 -> 10**0.48 =
    3.0199...): ipywidgets moves the slider handle to the typed exponent, the
    handle snaps to ``step`` and its update event sets the value. No exponent
    grid holds 2 and 3 exactly (log10(3) / log10(2) is irrational), and a much
    finer step would make the arrow keys useless (0.23 % per press at 0.001),
    so typed values stay within half a step (±1.2 %) of what was typed.
    """
    v = float(value)
    lo, hi = min(lo, v), max(hi, v)
    e_lo = math.floor(math.log10(lo) / step + 1e-6) * step
    e_hi = math.ceil(math.log10(hi) / step - 1e-6) * step
    return widgets.FloatLogSlider(
        value=v,
        base=10,
        min=round(e_lo, 10),
        max=round(e_hi, 10),
        step=step,
        description=description,
        readout_format=".3g",
        continuous_update=True,
        style={"description_width": "initial"},
        layout=widgets.Layout(width="auto"),
    )


def line_panel(box, xlim, ylim, series, xticks, yticks, xlabel, ylabel, markers=(), title=None, yfmt="{:g}"):
    """A line chart as SVG strings.

    Parameters
    ----------
    box : (x0, x1, top, bottom)
        The plot area in screen coordinates.
    xlim, ylim : (lo, hi)
        Data ranges; values outside ``ylim`` are clipped to it.
    series : list of (xs, ys, colour, dash, width, opacity)
        Curves in data coordinates (``dash`` None for solid).
    xticks, yticks : sequences of float
        Tick positions (labelled with ``{:g}`` / ``yfmt``).
    markers : list of (x, y, colour)
        Filled circles in data coordinates.

    Returns
    -------
    list of str
    """
    x0, x1, top, bottom = box
    (xa, xb_), (ya, yb) = xlim, ylim
    sx = lambda u: x0 + (u - xa) / (xb_ - xa) * (x1 - x0)
    sy = lambda u: bottom - (min(max(u, ya), yb) - ya) / (yb - ya) * (bottom - top)
    out = []
    if title:
        out.append(svg_text((x0 + x1) / 2, top - 12, title, weight="600"))
    for t in yticks:
        out.append(svg_line(x0, sy(t), x1, sy(t), opacity=0.6 if t == 0 else 0.2))
        out.append(svg_text(x0 - 5, sy(t) + 4, yfmt.format(t).replace("-", "−"), anchor="end", size=10))
    for t in xticks:
        out.append(svg_line(sx(t), bottom, sx(t), bottom + 4, opacity=0.6))
        out.append(svg_text(sx(t), bottom + 15, f"{t:g}".replace("-", "−"), size=10))
    out.append(svg_line(x0, top, x0, bottom, opacity=0.6))
    for xs, ys, colour, dash, width, opacity in series:
        pts_x = [sx(u) for u in xs]
        pts_y = [sy(u) for u in ys]
        line = svg_path(pts_x, pts_y, colour, width=width, dash=dash)
        if opacity is not None:
            line = line.replace("/>", f' stroke-opacity="{opacity}"/>')
        out.append(line)
    for x, y, colour in markers:
        out.append(svg_circle(sx(x), sy(y), 5, colour))
    out.append(svg_text((x0 + x1) / 2, bottom + 31, xlabel, size=11))
    mid = (top + bottom) / 2
    out.append(
        f'<text x="{_n(x0 - 34)}" y="{_n(mid)}" text-anchor="middle" font-size="11" fill="currentColor" '
        f'transform="rotate(-90 {_n(x0 - 34)} {_n(mid)})">{html.escape(ylabel)}</text>'
    )
    return out
