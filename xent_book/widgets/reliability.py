"""Reliability explorer: temperature scaling moves a reliability diagram, the ECE and the NLL.

The binning and the ECE are :func:`xent_book.calibration.calibration_bins` and
its ``error("l1")`` (top-label confidence, 15 equal-width bins by default), so
the bars drawn are exactly the bins the printed ECE sums over.

:class:`ReliabilityExplorer` is an anywidget: its view (``static/reliability.js``) recomputes
the same bins, ECE and NLL in the browser at every temperature (tests/browser checks them
against :func:`reliability_values` to 1e-9). Building the explorer fits the NLL-optimal
temperature once.

See also: chapter 10 (calibration).
"""

from __future__ import annotations

from typing import Any

import anywidget
import numpy as np
import traitlets
from numpy.typing import ArrayLike

from .._validation import (
    as_float_array,
    check_finite,
    check_int,
    check_labels,
    check_temperature_for,
)
from ..activations import softmax
from ..calibration import calibration_bins, fit_temperature
from ..losses import cross_entropy
from . import _live

__all__ = ["reliability_explorer", "reliability_values", "ReliabilityExplorer"]

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
        Number M >= 1 of equal-width confidence bins on [0, 1].

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
    reliability_explorer
    xent_book.calibration

    Notes
    -----
    Chapter 10 (calibration).
    """
    z, y = _check_inputs(logits, labels)
    return _values(z, y, check_temperature_for(z, temperature), n_bins)


def _best_temperature(z, y) -> float:
    """``fit_temperature``, or the limit (0.0 or inf) where the NLL has no finite minimiser."""
    try:
        return fit_temperature(z, y)
    except ValueError:
        separable = bool(np.all(z[np.arange(y.size), y] >= z.max(axis=1)))
        return 0.0 if separable else float("inf")


class ReliabilityExplorer(anywidget.AnyWidget):
    """A temperature slider; the reliability diagram, confidence histogram, ECE and NLL follow (anywidget).

    Build it with :func:`reliability_explorer`. Its view (``static/reliability.js``) bins
    ``softmax(logits / T)`` and computes the ECE, NLL, accuracy and mean confidence in the browser
    on every input (no kernel round trip), from the logits and labels it holds as traits, and writes
    the temperature back: ``explorer.temperature`` reads and sets it from a cell.

    Parameters
    ----------
    logits : array_like, shape (N, C)
        Finite logits, C >= 2.
    labels : array_like of int, shape (N,)
        Classes in ``0 .. C-1``.
    temperature : float, default 1.0
        Start of the temperature slider, ``T > 0``.
    n_bins : int, default 15
        Number of equal-width confidence bins, >= 1.
    **kwargs
        Passed on to ``anywidget.AnyWidget`` (e.g. ``layout``).

    Attributes
    ----------
    logits : list of list of float, shape (N, C)
    labels : list of int, shape (N,)
        The data (read-only traits).
    temperature : float
    n_bins : int
        The synced state (traits): set them from a cell to move the view.
    best_temperature : float
        The NLL-minimising temperature (Guo et al.'s temperature scaling), shown for reference;
        0.0 or inf where the NLL keeps falling as T -> 0 (separable logits) or T -> infinity.

    Raises
    ------
    TypeError, ValueError
        As :func:`reliability_explorer`.
    """

    _esm = traitlets.Unicode(_live.esm("reliability")).tag(sync=True)
    _css = traitlets.Unicode(_live.css()).tag(sync=True)
    #: the data (read-only: build a new explorer for other logits)
    logits = traitlets.List(read_only=True).tag(sync=True)
    labels = traitlets.List(read_only=True).tag(sync=True)
    # traitlets.Any plus a validator: a bad value set from a cell is refused by the package's checks
    # (a TypeError or ValueError naming the argument), not a TraitError
    temperature = _live.Checked(1.0).tag(sync=True)
    n_bins = _live.Checked(15).tag(sync=True)
    #: T* when finite (JSON has no inf), else None and ``best_limit`` says "0" or "inf"
    best_shown = traitlets.Float(None, allow_none=True).tag(sync=True)
    best_limit = traitlets.Unicode("").tag(sync=True)

    def __init__(
        self, logits: ArrayLike, labels: ArrayLike, temperature: float = 1.0, n_bins: int = 15, **kwargs: Any
    ) -> None:
        z, y = _check_inputs(logits, labels)
        init = _values(z, y, check_temperature_for(z, temperature), n_bins)  # validates n_bins
        self._z, self._y = z, y
        self.best_temperature = _best_temperature(z, y)
        finite = 0 < self.best_temperature < np.inf
        super().__init__(
            temperature=init["temperature"],
            n_bins=init["n_bins"],
            best_shown=float(self.best_temperature) if finite else None,
            best_limit="" if finite else ("0" if self.best_temperature == 0 else "inf"),
            **kwargs,
        )
        self.set_trait("logits", z.tolist())
        self.set_trait("labels", y.tolist())

    @traitlets.validate("temperature")
    def _valid_temperature(self, proposal):
        return check_temperature_for(self._z, proposal["value"])

    @traitlets.validate("n_bins")
    def _valid_n_bins(self, proposal):
        return check_int(proposal["value"], "n_bins", 1)

    def __repr__(self) -> str:  # no address: the stored notebook output is the same on every run
        n, c = self._z.shape
        return f"ReliabilityExplorer(N={n}, C={c}, temperature={self.temperature!r}, n_bins={self.n_bins!r})"

    def values(self) -> dict:
        """The numbers on display, as :func:`reliability_values`, plus ``best_temperature``.

        Returns
        -------
        dict
            As :func:`reliability_values`, plus ``best_temperature`` (the temperature that
            minimises the held-out negative log-likelihood).
        """
        v = _values(self._z, self._y, self.temperature, self.n_bins)
        v["best_temperature"] = self.best_temperature
        return v


def reliability_explorer(
    logits: ArrayLike, labels: ArrayLike, temperature: float = 1.0, n_bins: int = 15
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
        Finite logits, C >= 2 (e.g. a model's validation logits).
    labels : array_like of int, shape (N,)
        Classes in ``0 .. C-1``.
    temperature : float, default 1.0
        Start of the temperature slider, ``T > 0``.
    n_bins : int, default 15
        Number of equal-width confidence bins, >= 1.

    Returns
    -------
    ReliabilityExplorer
        An anywidget with the traits ``temperature`` (read and set it from a cell), ``logits``,
        ``labels``, ``n_bins``; ``.best_temperature`` and ``.values()`` (as :func:`reliability_values`).

    Raises
    ------
    TypeError, ValueError
        As :func:`reliability_values`.

    See Also
    --------
    reliability_values
    xent_book.calibration

    Notes
    -----
    Chapter 10 (calibration).
    """
    return ReliabilityExplorer(logits, labels, temperature, n_bins)
