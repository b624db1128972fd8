"""Calibration: measuring it (ECE, MCE, classwise ECE, Brier) and fixing it (temperature, isotonic, histogram binning).

A classifier is *calibrated* when, among the inputs to which it gives
confidence :math:`p`, a fraction :math:`p` is classified correctly. The
metrics here bin predictions by confidence and compare each bin's mean
confidence with its accuracy.

Two kinds of input
------------------
* ``probs`` of shape ``(N, C)`` (rows are distributions, ``C >= 2``) with
  class labels ``(N,)`` in ``0 .. C-1``: **top-label** semantics, as in
  Guo et al. (2017) and torchmetrics' ``MulticlassCalibrationError``. The
  confidence of example ``i`` is :math:`\\max_k q_{ik}` (``q`` the model's
  probabilities, ``probs``) and its "accuracy" is
  1 if :math:`\\arg\\max_k q_{ik} = y_i` (first maximum on ties), else 0.
* ``probs`` of shape ``(N,)`` with labels in ``{0, 1}``: **binary** semantics,
  as in torchmetrics' ``BinaryCalibrationError`` and scikit-learn's
  ``calibration_curve``. The confidence is :math:`q_i = P(y_i = 1)` and the
  "accuracy" is the label itself, so a bin compares the mean predicted
  probability with the fraction of positives.

Bin convention
--------------
With ``strategy="uniform"`` the ``M`` bins are right-closed,
:math:`B_1 = [0, 1/M]`, :math:`B_m = ((m-1)/M, m/M]` for ``m >= 2``
(Guo et al. 2017; scikit-learn's ``calibration_curve``, whose
``np.searchsorted(edges[1:-1], conf)`` is used here, so a confidence exactly
on an edge such as 0.5 goes to the lower bin, and 1.0 to the last bin).
With ``strategy="quantile"`` the edges are the percentiles
``np.percentile(conf, linspace(0, 1, M + 1) * 100)`` of the confidences
(equal-mass bins, "adaptive ECE"), binned the same way.

*torchmetrics differs on ties only*: it uses
``bucketize(conf, linspace(0, 1, M + 1), right=True) - 1``, which makes bins
*left*-closed, :math:`[(m-1)/M, m/M)`, and puts a confidence of exactly 1.0
in an extra bin of its own. Away from the edges the two agree to rounding
(torchmetrics computes multiclass confidences in float32).

Unlike torchmetrics, inputs outside [0, 1] are an error here, not logits:
pass ``xb.softmax(logits)``.

See Also: chapter 10 (calibration) and chapter 11 (label smoothing).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import ArrayLike

if TYPE_CHECKING:
    from matplotlib.axes import Axes

from ._validation import (
    check_bool,
    check_choice,
    check_int,
    check_labels,
    check_probabilities,
)
from .activations import _softmax_of, log_softmax, softmax  # noqa: F401 (softmax: public name here)

__all__ = [
    "CalibrationBins",
    "calibration_bins",
    "expected_calibration_error",
    "classwise_calibration_error",
    "brier_score",
    "reliability_diagram",
    "fit_temperature",  # noqa: F822 (in xent_book.recalibration, found by __getattr__)
    "temperature_scale",  # noqa: F822 (in xent_book.recalibration, found by __getattr__)
    "IsotonicCalibrator",  # noqa: F822 (in xent_book.recalibration, found by __getattr__)
    "HistogramBinningCalibrator",  # noqa: F822 (in xent_book.recalibration, found by __getattr__)
]

NORMS = ("l1", "l2", "max")
STRATEGIES = ("uniform", "quantile")
#: Upper limit on ``n_bins`` (the bins' arrays are allocated).
MAX_BINS = 10**6
#: Upper limit on ``n_bins`` of :func:`reliability_diagram` (one bar per bin).
MAX_DIAGRAM_BINS = 100


# --------------------------------------------------------------------------- validation


def _prepare(probs, labels):
    """Return (probs64, labels, num_classes): validated inputs."""
    p = check_probabilities(probs)
    C = 2 if p.ndim == 1 else p.shape[1]
    y = check_labels(labels, "labels", C, allow_bool=True, nonempty=False, shape=(p.shape[0],))
    return p, y, C


def _confidence_and_accuracy(p: np.ndarray, y: np.ndarray):
    if p.ndim == 1:
        return p, y.astype(np.float64)
    return p.max(axis=1), (p.argmax(axis=1) == y).astype(np.float64)


# --------------------------------------------------------------------------- binning


@dataclass(frozen=True)
class CalibrationBins:
    """Per-bin statistics of a calibration measurement (length ``n_bins``, edges ``n_bins + 1``).

    Parameters
    ----------
    edges : numpy.ndarray, shape (M + 1,)
        Bin edges; bin ``m`` is ``(edges[m], edges[m + 1]]`` (the first also contains ``edges[0]``).
    confidence : numpy.ndarray, shape (M,)
        Mean confidence in each bin (0 where the bin is empty).
    accuracy : numpy.ndarray, shape (M,)
        Accuracy (top-label) or fraction of positives (binary) in each bin (0 where empty).
    counts : numpy.ndarray of int64, shape (M,)
        Number of examples in each bin.

    See Also
    --------
    calibration_bins : Computes them.
    """

    edges: np.ndarray
    confidence: np.ndarray
    accuracy: np.ndarray
    counts: np.ndarray

    @property
    def n_bins(self) -> int:
        """The number of bins, M."""
        return len(self.counts)

    @property
    def proportions(self) -> np.ndarray:
        """:math:`|B_m| / N`."""
        return self.counts / self.counts.sum()

    @property
    def gaps(self) -> np.ndarray:
        """:math:`|\\mathrm{acc}(B_m) - \\mathrm{conf}(B_m)|` (0 for empty bins)."""
        return np.abs(self.accuracy - self.confidence)

    @property
    def nonempty(self) -> np.ndarray:
        """Boolean mask (M,) of the bins that hold at least one example."""
        return self.counts > 0

    def error(self, norm: str = "l1") -> float:
        """Return the calibration error of these bins.

        Parameters
        ----------
        norm : {"l1", "l2", "max"}, default "l1"
            The weighted mean gap (ECE), the root weighted mean squared gap, or
            the largest gap over the non-empty bins (MCE).

        Returns
        -------
        float
            A probability gap in [0, 1].

        Raises
        ------
        ValueError
            ``norm`` not one of "l1", "l2", "max".
        """
        check_choice(norm, "norm", NORMS)
        w, g = self.proportions, self.gaps
        if norm == "l1":
            return float(np.sum(w * g))
        if norm == "l2":
            return float(np.sqrt(np.sum(w * g**2)))
        return float(np.max(g[self.nonempty]))


def _bin_edges(conf: np.ndarray, n_bins: int, strategy: str) -> np.ndarray:
    if strategy == "uniform":
        return np.linspace(0.0, 1.0, n_bins + 1)
    return np.percentile(conf, np.linspace(0.0, 1.0, n_bins + 1) * 100)  # exactly as scikit-learn


def _bin_statistics(conf: np.ndarray, acc: np.ndarray, edges: np.ndarray) -> CalibrationBins:
    n_bins = len(edges) - 1
    ids = np.searchsorted(edges[1:-1], conf, side="left")
    counts = np.bincount(ids, minlength=n_bins)
    sum_conf = np.bincount(ids, weights=conf, minlength=n_bins)
    sum_acc = np.bincount(ids, weights=acc, minlength=n_bins)
    return _bins_from_sums(edges, counts, sum_conf, sum_acc)


def _bins_from_sums(edges, counts, sum_conf, sum_acc) -> CalibrationBins:
    safe = np.maximum(counts, 1)
    return CalibrationBins(
        edges=edges,
        confidence=np.where(counts > 0, sum_conf / safe, 0.0),
        accuracy=np.where(counts > 0, sum_acc / safe, 0.0),
        counts=counts.astype(np.int64),
    )


def calibration_bins(
    probs: ArrayLike, labels: ArrayLike, n_bins: int = 15, strategy: str = "uniform"
) -> CalibrationBins:
    """Bin predictions by confidence; return each bin's mean confidence, accuracy and count.

    Parameters
    ----------
    probs : array_like, shape (N, C) or (N,)
        Distributions (rows summing to 1) with top-label semantics, or P(y = 1)
        for binary input (see the module docstring).
    labels : array_like of int, shape (N,)
        Class indices in ``0 .. C-1`` (``{0, 1}`` for binary).
    n_bins : int, default 15
        M >= 1.
    strategy : {"uniform", "quantile"}, default "uniform"
        Equal-width bins ``((m-1)/M, m/M]`` or equal-mass bins at the
        percentiles of the confidences.

    Returns
    -------
    CalibrationBins
        ``edges`` (M + 1,), ``confidence``, ``accuracy``, ``counts`` (M,).
        For binary input ``accuracy`` is scikit-learn's ``prob_true`` and
        ``confidence`` its ``prob_pred`` (on the non-empty bins).

    Raises
    ------
    TypeError
        Non-numeric ``probs``, non-integer ``labels`` (bool labels are read as
        0/1), non-int ``n_bins``.
    ValueError
        Empty input, shape mismatch, rows that are not distributions (or NaN),
        labels out of range, ``n_bins`` outside [1, 10**6], unknown ``strategy``.

    See Also
    --------
    expected_calibration_error
    reliability_diagram

    Notes
    -----
    Chapter 10.
    """
    M = check_int(n_bins, "n_bins", 1, MAX_BINS)
    check_choice(strategy, "strategy", STRATEGIES)
    p, y, _ = _prepare(probs, labels)
    conf, acc = _confidence_and_accuracy(p, y)
    return _bin_statistics(conf, acc, _bin_edges(conf, M, strategy))


def expected_calibration_error(
    probs: ArrayLike, labels: ArrayLike, n_bins: int = 15, norm: str = "l1", strategy: str = "uniform"
) -> float:
    """Expected calibration error (ECE), its l2 version, or the maximum calibration error (MCE).

    .. math::
        \\mathrm{ECE} = \\sum_{m=1}^{M} \\frac{|B_m|}{N}
            \\left|\\mathrm{acc}(B_m) - \\mathrm{conf}(B_m)\\right|, \\quad
        \\mathrm{ECE}_2 = \\Big(\\sum_m \\frac{|B_m|}{N}
            (\\mathrm{acc}(B_m) - \\mathrm{conf}(B_m))^2\\Big)^{1/2}, \\quad
        \\mathrm{MCE} = \\max_{m:\\,|B_m|>0} |\\mathrm{acc}(B_m) - \\mathrm{conf}(B_m)|.

    With ``strategy="quantile"`` this is the adaptive (equal-mass) ECE.
    Matches torchmetrics' ``CalibrationError`` (``norm`` "l1", "l2", "max")
    except for confidences exactly on a bin edge (see the module docstring).

    Parameters
    ----------
    probs : array_like, shape (N, C) or (N,)
        Probabilities (rows summing to 1), or P(y = 1) for binary.
    labels : array_like of int, shape (N,)
        Class indices in ``0 .. C-1`` (``{0, 1}`` for binary).
    n_bins : int, default 15
        Guo et al.'s M = 15 is the default, as in torchmetrics.
    norm : {"l1", "l2", "max"}, default "l1"
        The weighted mean gap (ECE), the root weighted mean squared gap, or the
        largest gap over non-empty bins (MCE).
    strategy : {"uniform", "quantile"}, default "uniform"
        Equal-width or equal-mass bins, as in :func:`calibration_bins`.

    Returns
    -------
    float
        A probability gap in [0, 1] (not a percentage).

    Raises
    ------
    ValueError
        As :func:`calibration_bins`, and an unknown ``norm``.

    See Also
    --------
    classwise_calibration_error
    brier_score

    Notes
    -----
    Chapter 10.

    Examples
    --------
    >>> round(expected_calibration_error([0.25, 0.25, 0.55, 0.75, 0.75], [0, 0, 1, 1, 1], n_bins=2), 4)
    0.29
    """
    check_choice(norm, "norm", NORMS)
    return calibration_bins(probs, labels, n_bins, strategy).error(norm)


def classwise_calibration_error(
    probs: ArrayLike, labels: ArrayLike, n_bins: int = 15, norm: str = "l1", strategy: str = "uniform"
) -> float:
    """Classwise ECE (Kull et al. 2019): the binary calibration error of each class, averaged.

    .. math::
        \\text{classwise-ECE} = \\frac{1}{C} \\sum_{k=0}^{C-1} \\sum_{m=1}^{M}
            \\frac{|B_{m,k}|}{N} \\left| \\bar y_k(B_{m,k}) - \\bar q_k(B_{m,k}) \\right|,

    where :math:`B_{m,k}` bins the examples by the model's :math:`q_{ik}`,
    :math:`\\bar q_k` is their mean there, and
    :math:`\\bar y_k` is the fraction of them whose label is ``k``: one-vs-rest
    binary ECE per class, with ``norm`` and ``strategy`` as in
    :func:`expected_calibration_error`. Unlike the top-label ECE it looks at
    every class's probability, not only the largest. A (N,) binary input is
    treated as the two columns ``[1 - p, p]``.

    Parameters
    ----------
    probs : array_like, shape (N, C) or (N,)
        Probabilities (rows summing to 1), or P(y = 1) for binary.
    labels : array_like of int, shape (N,)
        Class indices in ``0 .. C-1`` (``{0, 1}`` for binary).
    n_bins : int, default 15
        M >= 1 bins per class.
    norm : {"l1", "l2", "max"}, default "l1"
        The per-class error, as in :func:`expected_calibration_error`.
    strategy : {"uniform", "quantile"}, default "uniform"
        Equal-width bins (the same edges for every class) or equal-mass bins
        at each class's own percentiles.

    Returns
    -------
    float
        The mean over classes of the per-class error, a probability gap in [0, 1].

    Raises
    ------
    TypeError, ValueError
        As :func:`expected_calibration_error`.

    See Also
    --------
    expected_calibration_error

    Notes
    -----
    Chapter 10.
    """
    M = check_int(n_bins, "n_bins", 1, MAX_BINS)
    check_choice(norm, "norm", NORMS)
    check_choice(strategy, "strategy", STRATEGIES)
    p, y, C = _prepare(probs, labels)
    if p.ndim == 1:
        p = np.stack([1.0 - p, p], axis=1)
    n = len(y)
    if strategy == "uniform":  # one set of edges for every class
        ids = np.searchsorted(_bin_edges(p[:, 0], M, strategy)[1:-1], p, side="left")
    else:  # each class's own percentiles, all at once (np.percentile per column, as _bin_edges)
        interior = np.percentile(p, np.linspace(0.0, 1.0, M + 1)[1:-1] * 100, axis=0)  # (M - 1, C)
        if M <= 64:  # searchsorted(side="left") = the number of edges strictly below the value
            ids = np.zeros(p.shape, dtype=np.int64)
            for edge in interior:
                ids += edge < p
        else:
            ids = np.stack([np.searchsorted(interior[:, k], p[:, k], side="left") for k in range(C)], axis=1)
    flat = (ids + M * np.arange(C)).ravel()
    acc = np.zeros_like(p)
    acc[np.arange(n), y] = 1.0
    counts = np.bincount(flat, minlength=M * C).reshape(C, M)
    sum_conf = np.bincount(flat, weights=p.ravel(), minlength=M * C).reshape(C, M)
    sum_acc = np.bincount(flat, weights=acc.ravel(), minlength=M * C).reshape(C, M)
    safe = np.maximum(counts, 1)
    gaps = np.where(counts > 0, np.abs(sum_acc / safe - sum_conf / safe), 0.0)  # as CalibrationBins.gaps
    weights = counts / n
    if norm == "l1":
        errors = np.sum(weights * gaps, axis=1)
    elif norm == "l2":
        errors = np.sqrt(np.sum(weights * gaps**2, axis=1))
    else:
        errors = np.max(np.where(counts > 0, gaps, 0.0), axis=1)
    return float(np.mean(errors))


def brier_score(probs: ArrayLike, labels: ArrayLike) -> float:
    """Brier score: mean squared distance between the predicted distribution and the one-hot label.

    .. math:: \\mathrm{BS} = \\frac{1}{N} \\sum_{i=1}^{N} \\sum_{k=0}^{C-1} (q_{ik} - [y_i = k])^2
              \\in [0, 2],

    and for binary (N,) input :math:`\\frac1N \\sum_i (q_i - y_i)^2 \\in [0, 1]`,
    scikit-learn's ``brier_score_loss``. (For C = 2 columns the multiclass
    score is twice the binary one.) A proper scoring rule: minimised in
    expectation by the true conditional distribution.

    Computed as :math:`\\|q_i - e_{y_i}\\|^2` with one entry of a copy of ``probs``
    shifted, so memory is O(N C) whatever C (no identity matrix).

    Parameters
    ----------
    probs : array_like, shape (N, C) or (N,)
        Probabilities (rows summing to 1), or P(y = 1) for binary.
    labels : array_like of int, shape (N,)
        Class indices in ``0 .. C-1`` (``{0, 1}`` for binary).

    Returns
    -------
    float
        The score, in [0, 2] for (N, C) input and in [0, 1] for binary input.

    Raises
    ------
    TypeError
        Non-numeric ``probs``, non-integer ``labels``.
    ValueError
        As :func:`calibration_bins` (bad shapes, rows that are not
        distributions, labels out of range, empty input).

    See Also
    --------
    expected_calibration_error

    Notes
    -----
    Chapter 10.
    """
    p, y, _ = _prepare(probs, labels)  # p is a fresh float64 copy
    if p.ndim == 1:
        return float(np.mean((p - y) ** 2))
    p[np.arange(len(y)), y] -= (
        1.0  # q - e_y in place (p holds the model's q): O(N C) memory, no identity matrix
    )
    return float(np.mean(np.einsum("ij,ij->i", p, p)))


# --------------------------------------------------------------------------- figure


def reliability_diagram(
    probs: ArrayLike,
    labels: ArrayLike,
    n_bins: int = 15,
    ax: Any = None,
    strategy: str = "uniform",
    show_counts: bool = True,
    label: str | None = None,
) -> Axes:
    """Draw a reliability diagram: accuracy per confidence bin against the diagonal.

    Bars show each non-empty bin's accuracy (fraction of positives for binary
    input); outlined, hatched vermillion boxes (no fill, so they look the same
    above and over a bar) show the gap to the bin's mean confidence
    (above a bar: overconfident; inside it: underconfident); the dashed
    diagonal is perfect calibration; the legend gives the ECE (l1, same bins).
    With ``show_counts`` the number of examples per bin is drawn as well: as a
    histogram in a second axes underneath when ``ax`` is None or a pair
    ``(ax, count_ax)``, or as a grey outline (bottom quarter) on a twin y-axis when ``ax`` is a
    single Axes.

    Parameters
    ----------
    probs : array_like, shape (N, C) or (N,)
        As :func:`calibration_bins`.
    labels : array_like of int, shape (N,)
        As :func:`calibration_bins`.
    n_bins : int, default 15
        As :func:`calibration_bins` (at most 100 here).
    ax : matplotlib.axes.Axes or tuple of two Axes, optional
        Where to draw (the second of a pair receives the counts); a new figure otherwise.
    strategy : {"uniform", "quantile"}, default "uniform"
        As :func:`calibration_bins`.
    show_counts : bool, default True
        Whether to draw the number of examples per bin.
    label : str, optional
        Prefix for the legend entry of the bars (e.g. a model's name).

    Returns
    -------
    matplotlib.axes.Axes
        The reliability axes (its figure is ``ax.figure``).

    Raises
    ------
    TypeError, ValueError
        As :func:`calibration_bins`; ``n_bins`` > 100; a non-bool ``show_counts``,
        a ``label`` that is not a str.

    See Also
    --------
    calibration_bins

    Notes
    -----
    Chapter 10.
    """
    import matplotlib.pyplot as plt

    from .plotting import COLORS

    if check_int(n_bins, "n_bins", 1) > MAX_DIAGRAM_BINS:
        raise ValueError(f"n_bins: a diagram shows at most {MAX_DIAGRAM_BINS} bars, got {n_bins}")
    show_counts = check_bool(show_counts, "show_counts")
    if label is not None and not isinstance(label, str):
        raise TypeError(f"label: expected a str or None, got {type(label).__name__}")
    bins = calibration_bins(probs, labels, n_bins, strategy)
    ece = bins.error("l1")
    count_ax = None
    twin = False
    if ax is None:
        if show_counts:
            _, (ax, count_ax) = plt.subplots(
                2, 1, figsize=(4.2, 4.8), sharex=True, height_ratios=(3, 1), layout="constrained"
            )
        else:
            _, ax = plt.subplots(figsize=(4.2, 3.8), layout="constrained")
    elif isinstance(ax, (tuple, list, np.ndarray)):
        ax, count_ax = ax
        if not show_counts:
            count_ax.set_visible(False)
            count_ax = None
    elif show_counts:
        count_ax, twin = ax.twinx(), True
    left, widths = bins.edges[:-1], np.diff(bins.edges)
    keep = bins.nonempty
    binary = np.ndim(probs) == 1
    xlabel = "predicted probability of class 1" if binary else "confidence (top-label probability)"
    name = f"{label}: accuracy" if label else ("fraction of positives" if binary else "accuracy")
    if twin:  # counts first, behind the bars
        count_ax.step(
            bins.edges,
            np.append(bins.counts, bins.counts[-1]),
            where="post",
            color=COLORS["neutral"],
            linewidth=1,
        )
        count_ax.set_ylabel("count")
        count_ax.set_ylim(0, 4 * max(bins.counts.max(), 1))  # keep the outline in the bottom quarter
        count_ax.grid(False)
    ax.bar(
        left[keep],
        bins.accuracy[keep],
        width=widths[keep],
        align="edge",
        color=COLORS["model"],
        edgecolor="white",
        linewidth=0.5,
        label=name,
    )
    gap_bottom = np.minimum(bins.accuracy, bins.confidence)[keep]
    # the gap as an outlined, hatched box without fill: the same vermillion above a bar (overconfident)
    # as over it (underconfident), as in the legend (a translucent fill would turn purple over the bars)
    ax.bar(
        left[keep],
        bins.gaps[keep],
        bottom=gap_bottom,
        width=widths[keep],
        align="edge",
        facecolor="none",
        hatch="//",
        edgecolor=COLORS["error"],
        linewidth=1.0,
        label=f"gap (ECE = {ece:.4f})",
    )
    ax.plot([0, 1], [0, 1], linestyle="--", color=COLORS["neutral"], linewidth=1, label="perfect calibration")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.set_ylabel("fraction of positives" if binary else "accuracy")
    ax.legend(loc="upper left", fontsize=8, frameon=True, facecolor="white", edgecolor="none", framealpha=0.8)
    if count_ax is not None and not twin:
        count_ax.bar(
            left,
            bins.counts,
            width=widths,
            align="edge",
            color=COLORS["neutral"],
            edgecolor="white",
            linewidth=0.5,
        )
        count_ax.set_xlim(0, 1)
        count_ax.set_ylabel("count")
        count_ax.set_xlabel(xlabel)
        ax.set_xlabel("")
    else:
        ax.set_xlabel(xlabel)
    return ax


# The recalibrators live in xent_book.recalibration (which imports this module's checks), and stay
# importable from here: looked up on first use (PEP 562), so either module may be imported first.
_RECALIBRATION_NAMES = frozenset(
    {
        "fit_temperature",
        "temperature_scale",
        "IsotonicCalibrator",
        "HistogramBinningCalibrator",
        "_OneVsRestCalibrator",
        "_renormalise",
        "_nll_and_derivatives",
        "_MAX_DOUBLINGS",
    }
)


def __getattr__(name: str):
    if name in _RECALIBRATION_NAMES:
        from . import recalibration

        return getattr(recalibration, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | _RECALIBRATION_NAMES)
