"""Recalibration: fixing a classifier's calibration after training.

Temperature scaling (:func:`fit_temperature`, :func:`temperature_scale`) and
the one-vs-rest maps :class:`IsotonicCalibrator` and
:class:`HistogramBinningCalibrator`. The metrics that measure calibration live
in :mod:`xent_book.calibration`, which re-exports everything here (the home of
these names before the split).

Notes
-----
Chapter 10 (calibration); chapter 2 (temperature).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from ._validation import (
    check_choice,
    check_int,
    check_logits_target,
    check_positive,
    check_probabilities,
    check_temperature,
)
from .activations import _softmax_of, log_softmax
from .calibration import (
    MAX_BINS,
    STRATEGIES,
    _bin_edges,
    _bin_statistics,
    _prepare,
)

__all__ = ["fit_temperature", "temperature_scale", "IsotonicCalibrator", "HistogramBinningCalibrator"]


# --------------------------------------------------------------------------- temperature


def _nll_and_derivatives(z: np.ndarray, y: np.ndarray, beta: float):
    """Mean NLL of softmax(beta * z) and its first two derivatives in beta."""
    logp = log_softmax(beta * z, axis=1)
    p = np.exp(logp)
    zy = z[np.arange(len(y)), y]
    f = -np.mean(logp[np.arange(len(y)), y])
    mean_z = np.sum(p * z, axis=1)
    d1 = np.mean(mean_z - zy)
    d2 = np.mean(np.sum(p * (z - mean_z[:, None]) ** 2, axis=1))
    return f, d1, d2


#: Doublings of the bracket at most: 2**1100 is beyond float64, so a minimiser is found or refused.
_MAX_DOUBLINGS = 1100


def fit_temperature(logits: ArrayLike, labels: ArrayLike, tol: float = 1e-10, max_iter: int = 200) -> float:
    """The temperature T > 0 that minimises the mean NLL of ``softmax(logits / T)``.

    .. math:: T^\\star = \\arg\\min_{T>0} \\frac1N \\sum_i
              \\Big[\\log \\sum_k e^{z_{ik}/T} - z_{i y_i}/T\\Big].

    In :math:`\\beta = 1/T` the objective is convex (a log-sum-exp of
    functions linear in :math:`\\beta` minus a linear term), with derivative
    :math:`\\frac1N\\sum_i (\\mathbb E_{q_i}[z_i] - z_{iy_i})` and second
    derivative the mean variance of the logits under :math:`q_i = \\operatorname{softmax}(z_i / T)`. The root of
    the derivative is bracketed (doubling) and found by Newton's method
    safeguarded by bisection, to a relative tolerance ``tol`` in
    :math:`\\beta` (far below the 0.1 % that matters). This is Guo et al.'s
    (2017) temperature scaling, fitted on held-out (validation) logits; it
    never changes the argmax, so accuracy is unchanged.

    The fit is written out rather than handed to ``scipy.optimize.minimize_scalar``
    because it is a lesson of chapter 10: the derivative and curvature above
    are the chapter's, and the tests check the result against SciPy's bounded
    minimiser. The logits are centred per row and divided by their largest
    magnitude first (softmax is shift-invariant and :math:`T^\\star(c z) = c\\,T^\\star(z)`),
    so the bracket is reached in a bounded number of doublings for logits of
    any scale, subnormal or huge.

    Parameters
    ----------
    logits : array_like, shape (N, C)
        Finite logits (any float dtype; computed in float64), C >= 2.
    labels : array_like of int, shape (N,)
        Class indices in ``0 .. C-1``.
    tol : float, default 1e-10
        Relative tolerance on :math:`1/T`, in (0, 1).
    max_iter : int, default 200
        Newton steps at most, >= 1.

    Returns
    -------
    float
        :math:`T^\\star`, finite and > 0.

    Raises
    ------
    TypeError
        Non-numeric ``logits``, non-integer ``labels``, non-real ``tol``, non-int ``max_iter``.
    ValueError
        ``logits`` not (N, C) with N >= 1 and C >= 2, or not finite; ``labels``
        not (N,) or out of range; ``tol`` not in (0, 1); ``max_iter < 1``; no
        convergence within ``max_iter`` steps; or no finite minimiser: if the
        labels' logits are the largest of every row the NLL keeps falling as
        T -> 0, if the logits are no better than uniform on average (derivative
        >= 0 at :math:`\\beta = 0`) it keeps falling as T -> infinity, and a
        minimiser beyond the float64 range is refused as well.

    See Also
    --------
    temperature_scale

    Notes
    -----
    Chapters 10 and 11.
    """
    z, y = check_logits_target(
        logits, labels, finite=True, min_classes=2, allow_bool=True, target_name="labels"
    )
    z = z.astype(np.float64)
    rtol = check_positive(tol, "tol")
    if rtol >= 1:
        raise ValueError(f"tol: expected a relative tolerance in (0, 1), got {rtol!r}")
    n_iter = check_int(max_iter, "max_iter", 1, 10**6)
    scale = 1.0
    for centre in (False, True):  # scale into [-1, 1] (no overflow), centre each row, scale again
        if centre:
            z = z - z.mean(axis=1, keepdims=True)
        size = float(np.max(np.abs(z)))
        if size == 0.0:
            raise ValueError(
                "logits: every row is constant, so the NLL does not depend on T (no temperature to fit)"
            )
        z = z / size
        scale *= size
    _, d0, _ = _nll_and_derivatives(z, y, 0.0)
    if d0 >= 0:
        raise ValueError(
            "logits: the NLL decreases all the way to T -> infinity (on average the labels' logits are "
            "no larger than the mean logit), so there is no finite temperature to fit"
        )
    if np.all(z[np.arange(len(y)), y] >= z.max(axis=1)):
        raise ValueError(
            "logits: the NLL keeps decreasing as T -> 0 (the labels' logits are the largest in every row), "
            "so there is no finite temperature to fit"
        )
    lo, hi = 0.0, 1.0
    for _ in range(
        _MAX_DOUBLINGS
    ):  # some row's label logit is below its max, so the derivative turns positive
        if _nll_and_derivatives(z, y, hi)[1] >= 0:
            break
        lo, hi = hi, 2 * hi
    if not np.isfinite(hi) or _nll_and_derivatives(z, y, hi)[1] < 0:
        raise ValueError("logits: the NLL-minimising temperature is below the float64 range (T -> 0)")
    beta = 0.5 * (lo + hi) if not (lo < 1.0 < hi) else 1.0
    converged = False
    for _ in range(n_iter):
        _, d1, d2 = _nll_and_derivatives(z, y, beta)
        if d1 < 0:
            lo = beta
        elif d1 > 0:
            hi = beta
        else:
            converged = True
            break
        step = d1 / d2 if d2 > 0 else np.inf
        candidate = beta - step
        if not (lo < candidate < hi):
            candidate = 0.5 * (lo + hi)
        converged = abs(candidate - beta) <= rtol * candidate or (hi - lo) <= rtol * lo
        beta = candidate
        if converged:
            break
    if not converged:
        raise ValueError(
            f"max_iter: the fit did not reach tol={rtol:g} in {n_iter} Newton steps; raise max_iter"
        )
    T = scale / float(beta)
    if not (np.isfinite(T) and T > 0):
        raise ValueError(f"logits: the fitted temperature {T!r} is outside the float64 range")
    return float(T)


def temperature_scale(logits: ArrayLike, temperature: float) -> np.ndarray:
    """Return the probabilities ``softmax(logits / T)`` along the last axis.

    Parameters
    ----------
    logits : array_like, shape (..., C)
        Logits, classes along the last axis (``-inf`` masks a class).
    temperature : float
        T > 0, e.g. from :func:`fit_temperature`.

    Returns
    -------
    numpy.ndarray, shape (..., C)
        The tempered probabilities, in the input's float dtype (integers give float64).

    Raises
    ------
    TypeError, ValueError
        A temperature that is not a finite real > 0; ``logits`` as
        :func:`xent_book.softmax` refuses them (NaN, +inf, empty class axis).

    See Also
    --------
    fit_temperature

    Notes
    -----
    Chapters 2 and 10.
    """
    T = check_temperature(temperature)
    return _softmax_of(logits, -1, T, "logits")


# --------------------------------------------------------------------------- isotonic / histogram binning


def _renormalise(q: np.ndarray) -> np.ndarray:
    """Rows divided by their sum; rows summing to 0 become uniform (as scikit-learn's CalibratedClassifierCV)."""
    total = q.sum(axis=1, keepdims=True)
    uniform = np.full_like(q, 1.0 / q.shape[1])
    return np.divide(q, total, out=uniform, where=total != 0)


class _OneVsRestCalibrator:
    """Shared fit/transform: one binary map per class (one for (N,) input), then renormalise."""

    def fit(self, probs: ArrayLike, labels: ArrayLike) -> _OneVsRestCalibrator:
        """Fit one map per class (one for (N,) binary input).

        Parameters
        ----------
        probs : array_like, shape (N, C) or (N,)
            Held-out probabilities (rows summing to 1), or P(y = 1) for binary input.
        labels : array_like of int, shape (N,)
            Class indices in ``0 .. C-1`` (``{0, 1}`` for binary).

        Returns
        -------
        self
            The fitted calibrator.

        Raises
        ------
        TypeError, ValueError
            ``probs`` or ``labels`` as in :func:`calibration_bins`.
        """
        p, y, C = _prepare(probs, labels)
        self.binary_ = p.ndim == 1
        self.num_classes_ = C
        if self.binary_:
            self.maps_ = [self._fit_binary(p, y.astype(np.float64))]
        else:
            self.maps_ = [self._fit_binary(p[:, k], (y == k).astype(np.float64)) for k in range(C)]
        return self

    def transform(self, probs: ArrayLike) -> np.ndarray:
        """Recalibrate probabilities with the fitted maps.

        Parameters
        ----------
        probs : array_like, shape (N, C) or (N,)
            Probabilities of the shape seen in :meth:`fit`.

        Returns
        -------
        numpy.ndarray
            Recalibrated probabilities, float64, the shape of ``probs`` (rows
            renormalised to sum to 1 for (N, C) input).

        Raises
        ------
        sklearn.exceptions.NotFittedError
            (a ValueError) before :meth:`fit`.
        TypeError, ValueError
            ``probs`` as in :func:`calibration_bins`, or of another shape than in :meth:`fit`.
        """
        if not hasattr(self, "maps_"):
            from sklearn.exceptions import NotFittedError

            raise NotFittedError(f"probs: {type(self).__name__} must be fitted: call fit before transform")
        p = check_probabilities(probs)
        if (p.ndim == 1) != self.binary_ or (p.ndim == 2 and p.shape[1] != self.num_classes_):
            expected = "(N,)" if self.binary_ else f"(N, {self.num_classes_})"
            raise ValueError(f"probs: expected shape {expected} as in fit, got {p.shape}")
        if self.binary_:
            return np.clip(self._apply_binary(self.maps_[0], p), 0.0, 1.0)
        q = np.stack([self._apply_binary(m, p[:, k]) for k, m in enumerate(self.maps_)], axis=1)
        return _renormalise(np.clip(q, 0.0, None))

    def fit_transform(self, probs: ArrayLike, labels: ArrayLike) -> np.ndarray:
        """Fit, then recalibrate the same probabilities: ``fit(probs, labels).transform(probs)``.

        Parameters
        ----------
        probs : array_like, shape (N, C) or (N,)
            Held-out probabilities (rows summing to 1), or P(y = 1) for binary input.
        labels : array_like of int, shape (N,)
            Class indices in ``0 .. C-1`` (``{0, 1}`` for binary).

        Returns
        -------
        numpy.ndarray
            As :meth:`transform`.

        Raises
        ------
        TypeError, ValueError
            As :meth:`fit`.
        """
        return self.fit(probs, labels).transform(probs)


class IsotonicCalibrator(_OneVsRestCalibrator):
    """Isotonic-regression recalibration (Zadrozny & Elkan 2002), one-vs-rest for multiclass.

    ``fit(probs, labels)`` fits, for each class k, a non-decreasing step
    function :math:`g_k` from :math:`q_{ik}` to :math:`[y_i = k]` with
    scikit-learn's ``IsotonicRegression(out_of_bounds="clip")``;
    ``transform(probs)`` returns :math:`g_k(q_{ik})` renormalised to sum to 1
    per row (a row of zeros becomes uniform), exactly as scikit-learn's
    ``CalibratedClassifierCV(method="isotonic")`` does for C >= 3. For (N,)
    binary input a single map is fitted and returned without renormalising.
    Fit on held-out data: on training data it overfits.

    See Also
    --------
    HistogramBinningCalibrator
    fit_temperature

    Notes
    -----
    Chapter 10.
    """

    def _fit_binary(self, p, target):
        from sklearn.isotonic import IsotonicRegression

        return IsotonicRegression(out_of_bounds="clip").fit(p, target)

    def _apply_binary(self, model, p):
        return model.predict(p)


class HistogramBinningCalibrator(_OneVsRestCalibrator):
    """Histogram-binning recalibration (Zadrozny & Elkan 2001), one-vs-rest for multiclass.

    ``fit`` bins each class's probabilities :math:`q_{ik}` (the bins of
    :func:`calibration_bins`: right-closed equal-width bins, or equal-mass with
    ``strategy="quantile"``) and stores the fraction of examples of class k in
    each bin; ``transform`` replaces every probability by its bin's fraction
    (an empty bin keeps its midpoint), then renormalises rows to sum to 1 (a
    row of zeros becomes uniform). For (N,) binary input one map, no
    renormalisation.

    Parameters
    ----------
    n_bins : int, default 15
        Bins per class, M >= 1.
    strategy : {"uniform", "quantile"}, default "uniform"
        Equal-width or equal-mass bins, as in :func:`calibration_bins`.

    Raises
    ------
    TypeError
        A non-int ``n_bins``.
    ValueError
        ``n_bins`` outside [1, 10**6], unknown ``strategy``.

    See Also
    --------
    IsotonicCalibrator

    Notes
    -----
    Chapter 10.
    """

    def __init__(self, n_bins: int = 15, strategy: str = "uniform") -> None:
        self.n_bins = check_int(n_bins, "n_bins", 1, MAX_BINS)
        self.strategy = check_choice(strategy, "strategy", STRATEGIES)

    def _fit_binary(self, p, target):
        bins = _bin_statistics(p, target, _bin_edges(p, self.n_bins, self.strategy))
        midpoints = 0.5 * (bins.edges[:-1] + bins.edges[1:])
        values = np.where(bins.nonempty, bins.accuracy, midpoints)
        return bins.edges, values

    def _apply_binary(self, model, p):
        edges, values = model
        return values[np.searchsorted(edges[1:-1], p, side="left")]
