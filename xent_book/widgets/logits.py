"""Logits explorer: softmax with temperature, the cross-entropy loss and its gradient, live.

:class:`LogitsExplorer` is an anywidget (one ES module, ``static/logits.js``, in JupyterLab and in
the book's pages; chapter 2, and chapter 7 at extreme settings, where :func:`logits_explorer` builds
it with a wider temperature range). Its readouts are :func:`logits_explorer_values`.

See also: chapter 2 (logits, softmax and temperature) and chapter 7 (numerical stability).
"""

from __future__ import annotations

import math
from typing import Any

import anywidget
import numpy as np
import traitlets
from numpy.typing import ArrayLike

from .._validation import (
    as_float_array,
    check_class_index,
    check_finite,
    check_positive,
    check_temperature_for,
)
from ..activations import log_softmax, softmax
from ..losses import cross_entropy_grad
from . import _live

__all__ = ["logits_explorer", "logits_explorer_values", "LogitsExplorer"]

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


def _check_range(value, z: np.ndarray) -> list[float]:
    """The temperature slider's ends: two finite reals ``0 < low < high``, with ``z / low`` finite for
    logits anywhere on the sliders (``[-10, 10]``, or wider to hold ``z``)."""
    try:
        pair = isinstance(value, (list, tuple, np.ndarray)) and np.ndim(value) == 1 and len(value) == 2
    except ValueError:  # a ragged nesting
        pair = False
    if not pair:
        raise TypeError(f"temperature_range: expected a pair (low, high), got {value!r}")
    lo = check_positive(value[0], "temperature_range")
    hi = check_positive(value[1], "temperature_range")
    if lo == 0 or not lo < hi:
        raise ValueError(f"temperature_range: expected 0 < low < high, got {tuple(value)!r}")
    bound = max(LOGIT_RANGE[1], float(np.max(np.abs(z))) if z.size else 0.0)
    if not math.isfinite(bound / lo):
        raise ValueError(f"temperature_range: a low end of {lo!r} overflows logits / T")
    return [lo, hi]


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
        ``T > 0``; a log-scale slider on ``temperature_range`` (widened to hold it).
    target : int, default 0
        The true class ``y``.
    temperature_range : (float, float), default (0.05, 5.0)
        The ends of the temperature slider, ``0 < low < high`` (chapter 7 goes lower); ``z / low``
        must stay finite for logits on the sliders' range.
    **kwargs
        Passed on to ``anywidget.AnyWidget`` (e.g. ``layout``).

    Attributes
    ----------
    logits : list of float
    temperature : float
    target : int
    temperature_range : list of float
        The synced state (traits); setting one redraws the view.

    Raises
    ------
    TypeError, ValueError
        As :func:`logits_explorer_values`; more than 6 logits; a bad ``temperature_range`` (also
        when a trait is set).

    See Also
    --------
    logits_explorer_values

    Notes
    -----
    Chapter 2 (softmax and temperature), chapter 7 (numerical stability).
    """

    _esm = traitlets.Unicode(_live.esm("logits")).tag(sync=True)
    _css = traitlets.Unicode(_live.css()).tag(sync=True)
    # traitlets.Any plus a validator: a bad value set from a cell is refused by the package's checks
    # (a TypeError or ValueError naming the argument, as everywhere in xent_book), not a TraitError
    logits = _live.Checked([2.0, 1.0, 0.1]).tag(sync=True)
    temperature = _live.Checked(1.0).tag(sync=True)
    target = _live.Checked(0).tag(sync=True)
    temperature_range = _live.Checked(list(TEMPERATURE_RANGE)).tag(sync=True)

    def __init__(
        self,
        logits: ArrayLike = (2.0, 1.0, 0.1),
        temperature: float = 1.0,
        target: int = 0,
        temperature_range: tuple[float, float] = TEMPERATURE_RANGE,
        **kwargs: Any,
    ) -> None:
        init = logits_explorer_values(logits, temperature, target)  # validates
        z = init["logits"]
        if z.size > MAX_CLASSES:
            raise ValueError(f"logits: the explorer shows at most {MAX_CLASSES} classes, got {z.size}")
        super().__init__(
            logits=[float(x) for x in z],
            temperature=init["temperature"],
            target=init["target"],
            temperature_range=_check_range(temperature_range, z),
            **kwargs,
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

    @traitlets.validate("temperature_range")
    def _valid_temperature_range(self, proposal):
        return _check_range(proposal["value"], np.asarray(self.logits, dtype=np.float64))

    def __repr__(self) -> str:  # no address: the stored notebook output is the same on every run
        head = (
            f"LogitsExplorer(logits={self.logits!r}, temperature={self.temperature!r}, target={self.target!r}"
        )
        if self.temperature_range != list(TEMPERATURE_RANGE):
            head += f", temperature_range={tuple(self.temperature_range)!r}"
        return head + ")"

    def values(self) -> dict:
        """The numbers on display, as :func:`logits_explorer_values` of the current traits.

        Returns
        -------
        dict
            As :func:`logits_explorer_values`.
        """
        return logits_explorer_values(self.logits, self.temperature, self.target)


def logits_explorer(
    logits: ArrayLike = (2.0, 1.0, 0.1),
    temperature: float = 1.0,
    target: int = 0,
    temperature_range: tuple[float, float] = TEMPERATURE_RANGE,
    **kwargs: Any,
) -> LogitsExplorer:
    """Interactive softmax, loss and gradient for a handful of logits: a :class:`LogitsExplorer`.

    A slider per logit (range [-10, 10]), a log-scale temperature slider
    (``temperature_range``, 0.05 to 5 by default) and a target selector drive live bars of
    ``q = softmax(z / T)``, the loss ``-log q_y`` in nats and the gradient
    ``q - e_y`` (with respect to ``z / T``).

    Parameters
    ----------
    logits : sequence of float, default (2.0, 1.0, 0.1)
        2 to 6 initial logits (3-5 read best).
    temperature : float, default 1.0
        The initial temperature, ``T > 0``.
    target : int, default 0
        The true class ``y`` in ``[0, C)``.
    temperature_range : (float, float), default (0.05, 5.0)
        The temperature slider's ends (widened to hold ``temperature``).
    **kwargs
        Passed on to :class:`LogitsExplorer`.

    Returns
    -------
    LogitsExplorer
        The anywidget: display it as a cell's last expression. Its traits ``logits``,
        ``temperature`` and ``target`` hold the state and ``.values()`` the numbers on display
        (as :func:`logits_explorer_values`).

    Raises
    ------
    TypeError, ValueError
        As :class:`LogitsExplorer`.

    See Also
    --------
    LogitsExplorer, logits_explorer_values

    Notes
    -----
    Chapter 7 (numerical stability), at extreme logits and temperatures.
    """
    return LogitsExplorer(logits, temperature, target, temperature_range=temperature_range, **kwargs)
