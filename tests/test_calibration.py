"""Tests for xent_book.calibration against torchmetrics, scikit-learn, SciPy and direct formulas."""

import numpy as np
import pytest
import scipy.optimize
import scipy.special
import torch
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.calibration import CalibratedClassifierCV, calibration_curve
from sklearn.frozen import FrozenEstimator
from sklearn.metrics import brier_score_loss
from torchmetrics.classification import BinaryCalibrationError, MulticlassCalibrationError
from torchmetrics.functional.classification import calibration_error

from xent_book import calibration as cal


def _softmax(z):
    return scipy.special.softmax(z, axis=1)


def _random_problem(seed, n=400, C=5, scale=3.0, signal=1.5):
    """Logits with some signal, labels drawn from a distribution near the softmax (so T* is finite)."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, C, n)
    z = scale * rng.normal(size=(n, C))
    z[np.arange(n), y] += signal * scale
    return z, y


# --------------------------------------------------------------------------- torchmetrics


def test_torchmetrics_docstring_example_binary():
    preds = [0.25, 0.25, 0.55, 0.75, 0.75]
    target = [0, 0, 1, 1, 1]
    assert round(cal.expected_calibration_error(preds, target, n_bins=2, norm="l1"), 4) == 0.2900
    assert round(cal.expected_calibration_error(preds, target, n_bins=2, norm="l2"), 4) == 0.2918
    assert round(cal.expected_calibration_error(preds, target, n_bins=2, norm="max"), 4) == 0.3167
    for norm in ("l1", "l2", "max"):
        ref = BinaryCalibrationError(n_bins=2, norm=norm)(torch.tensor(preds), torch.tensor(target))
        assert cal.expected_calibration_error(preds, target, n_bins=2, norm=norm) == pytest.approx(
            float(ref), abs=1e-6
        )


@pytest.mark.parametrize("norm", ["l1", "l2", "max"])
@pytest.mark.parametrize("n_bins", [1, 2, 10, 15, 37])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_multiclass_ece_matches_torchmetrics(norm, n_bins, seed):
    z, y = _random_problem(seed, n=300, C=4)
    p = _softmax(z)
    ref = MulticlassCalibrationError(num_classes=4, n_bins=n_bins, norm=norm)(
        torch.tensor(p), torch.tensor(y)
    )
    # torchmetrics works in float32
    assert cal.expected_calibration_error(p, y, n_bins=n_bins, norm=norm) == pytest.approx(
        float(ref), abs=2e-6
    )


@pytest.mark.parametrize("norm", ["l1", "l2", "max"])
@pytest.mark.parametrize("seed", [0, 1])
def test_binary_ece_matches_torchmetrics(norm, seed):
    rng = np.random.default_rng(seed)
    p = rng.uniform(size=500)
    y = (rng.uniform(size=500) < p**1.5).astype(np.int64)
    ref = calibration_error(torch.tensor(p), torch.tensor(y), task="binary", n_bins=15, norm=norm)
    assert cal.expected_calibration_error(p, y, n_bins=15, norm=norm) == pytest.approx(float(ref), abs=1e-9)


# --------------------------------------------------------------------------- scikit-learn


@pytest.mark.parametrize("strategy", ["uniform", "quantile"])
@pytest.mark.parametrize("n_bins", [3, 10, 15])
def test_binary_bins_match_sklearn_calibration_curve(strategy, n_bins):
    rng = np.random.default_rng(n_bins)
    p = rng.beta(0.7, 0.7, size=400)
    y = (rng.uniform(size=400) < p).astype(int)
    prob_true, prob_pred = calibration_curve(y, p, n_bins=n_bins, strategy=strategy)
    bins = cal.calibration_bins(p, y, n_bins=n_bins, strategy=strategy)
    np.testing.assert_allclose(bins.accuracy[bins.nonempty], prob_true, rtol=1e-12)
    np.testing.assert_allclose(bins.confidence[bins.nonempty], prob_pred, rtol=1e-12)
    assert bins.counts.sum() == 400 and len(bins.edges) == n_bins + 1


@pytest.mark.parametrize("strategy", ["uniform", "quantile"])
def test_top_label_bins_match_sklearn_on_correctness(strategy):
    z, y = _random_problem(3, n=500, C=6)
    p = _softmax(z)
    conf, correct = p.max(1), (p.argmax(1) == y).astype(int)
    prob_true, prob_pred = calibration_curve(correct, conf, n_bins=10, strategy=strategy)
    bins = cal.calibration_bins(p, y, n_bins=10, strategy=strategy)
    np.testing.assert_allclose(bins.accuracy[bins.nonempty], prob_true, rtol=1e-12)
    np.testing.assert_allclose(bins.confidence[bins.nonempty], prob_pred, rtol=1e-12)


def test_adaptive_ece_direct_formula():
    """Adaptive ECE = the ECE formula over percentile (equal-mass) bins."""
    z, y = _random_problem(4, n=600, C=3)
    p = _softmax(z)
    conf, acc = p.max(1), (p.argmax(1) == y)
    edges = np.percentile(conf, np.linspace(0, 1, 11) * 100)
    expected = 0.0
    for m in range(10):
        lower = -np.inf if m == 0 else edges[m]
        upper = np.inf if m == 9 else edges[m + 1]
        in_bin = (conf > lower) & (conf <= upper)
        if in_bin.any():
            expected += in_bin.mean() * abs(acc[in_bin].mean() - conf[in_bin].mean())
    got = cal.expected_calibration_error(p, y, n_bins=10, strategy="quantile")
    assert got == pytest.approx(expected, rel=1e-12)
    bins = cal.calibration_bins(p, y, n_bins=10, strategy="quantile")
    assert bins.counts.tolist() == [60] * 10  # equal mass without ties


def test_brier_matches_sklearn_binary_and_formula_multiclass():
    rng = np.random.default_rng(5)
    p = rng.uniform(size=200)
    y = rng.integers(0, 2, 200)
    assert cal.brier_score(p, y) == pytest.approx(brier_score_loss(y, p), rel=1e-12)
    z, yc = _random_problem(6, n=200, C=4)
    P = _softmax(z)
    expected = sum(((P[i] - np.eye(4)[yc[i]]) ** 2).sum() for i in range(200)) / 200
    assert cal.brier_score(P, yc) == pytest.approx(expected, rel=1e-12)
    # two columns: twice the binary score
    P2 = np.stack([1 - p, p], axis=1)
    assert cal.brier_score(P2, y) == pytest.approx(2 * brier_score_loss(y, p), rel=1e-12)
    assert cal.brier_score(np.eye(3), [0, 1, 2]) == 0.0
    assert cal.brier_score(np.eye(3), [1, 2, 0]) == 2.0


def test_classwise_ece_direct_formula():
    z, y = _random_problem(7, n=300, C=4)
    p = _softmax(z)
    edges = np.linspace(0, 1, 16)
    per_class = []
    for k in range(4):
        pk, yk = p[:, k], (y == k)
        total = 0.0
        for m in range(15):
            in_bin = (pk > edges[m]) & (pk <= edges[m + 1]) if m else (pk <= edges[1])
            if in_bin.any():
                total += in_bin.mean() * abs(yk[in_bin].mean() - pk[in_bin].mean())
        per_class.append(total)
    assert cal.classwise_calibration_error(p, y) == pytest.approx(np.mean(per_class), rel=1e-12)
    # differs from top-label ECE in general
    assert cal.classwise_calibration_error(p, y) != pytest.approx(cal.expected_calibration_error(p, y))


def test_classwise_binary_input_uses_both_columns():
    rng = np.random.default_rng(8)
    p = rng.uniform(size=100)
    y = rng.integers(0, 2, 100)
    expected = cal.classwise_calibration_error(np.stack([1 - p, p], 1), y, n_bins=5)
    assert cal.classwise_calibration_error(p, y, n_bins=5) == pytest.approx(expected, rel=1e-12)


# --------------------------------------------------------------------------- edge cases


def test_bin_edges_are_right_closed_and_zero_in_first_bin():
    # 0.5 sits on the edge of 2 bins: it belongs to the lower bin (0, 0.5]; 1.0 to the last; 0.0 to the first
    bins = cal.calibration_bins([0.0, 0.5, 0.5, 1.0], [0, 1, 0, 1], n_bins=2)
    assert bins.counts.tolist() == [3, 1]
    np.testing.assert_allclose(bins.confidence, [1 / 3, 1.0])
    np.testing.assert_allclose(bins.accuracy, [1 / 3, 1.0])
    assert cal.expected_calibration_error([0.0, 0.5, 0.5, 1.0], [0, 1, 0, 1], n_bins=2) == 0.0
    # scikit-learn agrees on ties
    prob_true, prob_pred = calibration_curve([0, 1, 0, 1], [0.0, 0.5, 0.5, 1.0], n_bins=2)
    np.testing.assert_allclose(prob_true, [1 / 3, 1.0])


def test_ties_differ_from_torchmetrics_left_closed_bins_as_documented():
    preds, target = [0.5, 0.5, 0.9], [1, 1, 1]
    ours = cal.expected_calibration_error(preds, target, n_bins=2)
    # ours: (0, 0.5] holds the two 0.5s (gap 0.5), (0.5, 1] holds 0.9 (gap 0.1)
    assert ours == pytest.approx((2 * 0.5 + 0.1) / 3)
    # torchmetrics: [0.5, 1) holds all three: |1 - 0.6333| = 0.3667
    tm = float(BinaryCalibrationError(n_bins=2)(torch.tensor(preds), torch.tensor(target)))
    assert tm == pytest.approx(1 - (0.5 + 0.5 + 0.9) / 3, abs=1e-6)


def test_all_confidences_in_one_bin_and_empty_bins():
    p = np.full(10, 0.73)
    y = np.array([1] * 7 + [0] * 3)
    bins = cal.calibration_bins(p, y, n_bins=15)
    assert bins.counts.sum() == 10 and bins.nonempty.sum() == 1
    assert np.all(bins.confidence[~bins.nonempty] == 0) and np.all(bins.accuracy[~bins.nonempty] == 0)
    assert cal.expected_calibration_error(p, y) == pytest.approx(0.03)
    assert cal.expected_calibration_error(p, y, norm="max") == pytest.approx(0.03)
    assert cal.expected_calibration_error(p, y, norm="l2") == pytest.approx(0.03)
    # quantile bins with all-equal confidences: every edge equal, all in one bin, same ECE
    assert cal.expected_calibration_error(p, y, strategy="quantile") == pytest.approx(0.03)


def test_one_bin_ece_is_the_gap_between_mean_confidence_and_accuracy():
    z, y = _random_problem(9, n=100, C=3)
    p = _softmax(z)
    expected = abs(p.max(1).mean() - (p.argmax(1) == y).mean())
    assert cal.expected_calibration_error(p, y, n_bins=1) == pytest.approx(expected, rel=1e-12)


def test_perfect_confident_predictions_have_zero_error():
    p = np.eye(4)[[0, 1, 2, 3, 1]]
    y = np.array([0, 1, 2, 3, 1])
    for norm in ("l1", "l2", "max"):
        assert cal.expected_calibration_error(p, y, norm=norm) == 0.0
    assert cal.expected_calibration_error(p, (y + 1) % 4) == 1.0


def test_dtypes_and_norm_ordering():
    z, y = _random_problem(10, n=200, C=3)
    p = _softmax(z)
    e64 = cal.expected_calibration_error(p, y)
    e32 = cal.expected_calibration_error(p.astype(np.float32), y.astype(np.int32))
    assert isinstance(e64, float) and e32 == pytest.approx(e64, abs=1e-6)
    l1, l2, mx = (cal.expected_calibration_error(p, y, norm=n) for n in ("l1", "l2", "max"))
    assert l1 <= l2 <= mx


@pytest.mark.parametrize(
    "args, kwargs, exc, match",
    [
        (([0.2, 0.8], [0, 1]), dict(n_bins=0), ValueError, "n_bins"),
        (([0.2, 0.8], [0, 1]), dict(n_bins=2.0), TypeError, "n_bins"),
        (([0.2, 0.8], [0, 1]), dict(norm="l3"), ValueError, "norm"),
        (([0.2, 0.8], [0, 1]), dict(strategy="kmeans"), ValueError, "strategy"),
        (([[0.2, 0.7], [0.5, 0.5]], [0, 1]), {}, ValueError, "probs: expected each distribution"),
        (([0.2, 1.3], [0, 1]), {}, ValueError, "probs: expected probabilities in"),
        (([0.2, np.nan], [0, 1]), {}, ValueError, "probs: contains NaN"),
        (
            ([[0.5, 0.5], [0.5, 0.5]], [0, 2]),
            {},
            ValueError,
            r"labels: expected class labels with values in \[0, 1\]",
        ),
        (([0.2, 0.8], [0, 2]), {}, ValueError, r"labels: expected class labels with values in \[0, 1\]"),
        (([0.2, 0.8], [0, 1, 1]), {}, ValueError, "labels: expected shape"),
        (([0.2, 0.8], [0.0, 1.0]), {}, TypeError, "labels"),
        ((np.zeros(0), np.zeros(0, int)), {}, ValueError, "probs: expected at least one"),
        ((np.zeros((2, 1)), [0, 0]), {}, ValueError, "probs: expected C >= 2"),
        ((np.zeros((2, 2, 2)), [0, 0]), {}, ValueError, "probs: expected shape"),
    ],
)
def test_metrics_reject_bad_input(args, kwargs, exc, match):
    with pytest.raises(exc, match=match):
        cal.expected_calibration_error(*args, **kwargs)
    if "norm" not in kwargs:
        with pytest.raises(exc, match=match):
            cal.calibration_bins(*args, **kwargs)
        with pytest.raises(exc, match=match):
            cal.classwise_calibration_error(*args, **kwargs)


def test_brier_rejects_bad_input():
    with pytest.raises(ValueError, match="labels"):
        cal.brier_score([[0.5, 0.5]], [3])
    with pytest.raises(ValueError, match="probs"):
        cal.brier_score([], [])


# --------------------------------------------------------------------------- temperature


def _nll(z, y, T):
    return np.mean(scipy.special.logsumexp(z / T, axis=1) - z[np.arange(len(y)), y] / T)


@pytest.mark.parametrize("seed, scale, signal", [(0, 3.0, 1.5), (1, 10.0, 0.8), (2, 0.3, 2.0), (3, 1.0, 0.2)])
def test_fit_temperature_matches_scipy_and_a_grid(seed, scale, signal):
    z, y = _random_problem(seed, n=500, C=5, scale=scale, signal=signal)
    T = cal.fit_temperature(z, y)
    assert isinstance(T, float) and T > 0
    ref = scipy.optimize.minimize_scalar(
        lambda lt: _nll(z, y, np.exp(lt)), bracket=(-3, 3), method="brent", tol=1e-12
    )
    assert T == pytest.approx(np.exp(ref.x), rel=1e-6)
    grid = np.exp(np.linspace(np.log(T) - 0.05, np.log(T) + 0.05, 2001))  # steps of 0.005 %
    best = grid[np.argmin([_nll(z, y, t) for t in grid])]
    assert T == pytest.approx(best, rel=1e-4)
    # the derivative in 1/T vanishes at the optimum
    p = _softmax(z / T)
    grad = np.mean((p * z).sum(1) - z[np.arange(len(y)), y])
    assert abs(grad) < 1e-8 * np.abs(z).mean()


def test_fit_temperature_recovers_a_known_temperature():
    """Labels drawn from softmax(z / 2): the fitted T of many examples is close to 2."""
    rng = np.random.default_rng(11)
    z = 4 * rng.normal(size=(20000, 4))
    p = _softmax(z / 2.0)
    y = (rng.uniform(size=(20000, 1)) > p.cumsum(1)).sum(1)
    assert cal.fit_temperature(z, y) == pytest.approx(2.0, rel=0.03)


def test_fit_temperature_is_invariant_to_logit_shifts_and_float32():
    z, y = _random_problem(12)
    T = cal.fit_temperature(z, y)
    assert cal.fit_temperature(z + 100.0, y) == pytest.approx(T, rel=1e-8)
    assert cal.fit_temperature(3 * z, y) == pytest.approx(3 * T, rel=1e-8)
    assert cal.fit_temperature(z.astype(np.float32), y) == pytest.approx(T, rel=1e-5)


def test_fit_temperature_lowers_nll_and_keeps_argmax():
    z, y = _random_problem(13, scale=6.0, signal=0.6)  # overconfident logits
    T = cal.fit_temperature(z, y)
    assert T > 1
    assert _nll(z, y, T) < _nll(z, y, 1.0)
    q = cal.temperature_scale(z, T)
    np.testing.assert_allclose(q, _softmax(z / T), rtol=1e-12)
    np.testing.assert_array_equal(q.argmax(1), z.argmax(1))


def test_fit_temperature_errors():
    with pytest.raises(ValueError, match="T -> 0"):
        cal.fit_temperature(np.array([[2.0, 0.0], [0.0, 3.0]]), [0, 1])  # separable
    with pytest.raises(ValueError, match="T -> infinity"):
        cal.fit_temperature(np.array([[2.0, 0.0], [0.0, 3.0]]), [1, 0])  # anti-correlated
    with pytest.raises(ValueError, match="logits: expected shape"):
        cal.fit_temperature(np.zeros(3), [0, 0, 0])
    with pytest.raises(ValueError, match="logits: expected at least one"):
        cal.fit_temperature(np.zeros((0, 3)), np.zeros(0, int))
    with pytest.raises(ValueError, match="logits: expected finite"):
        cal.fit_temperature(np.array([[np.inf, 0.0]]), [0])
    with pytest.raises(ValueError, match="labels"):
        cal.fit_temperature(np.zeros((2, 3)), [0, 3])
    with pytest.raises(ValueError, match="temperature"):
        cal.temperature_scale(np.zeros((2, 3)), 0.0)


# --------------------------------------------------------------------------- recalibration


class _FixedProbs(ClassifierMixin, BaseEstimator):
    """A fitted 'classifier' whose predict_proba returns the rows of a stored matrix (X is the row index)."""

    def __init__(self, probs=None):
        self.probs = probs

    def fit(self, X, y):
        self.classes_ = np.arange(self.probs.shape[1])
        return self

    def predict_proba(self, X):
        return self.probs[np.asarray(X, dtype=int).ravel()]

    def predict(self, X):
        return self.predict_proba(X).argmax(1)


def test_isotonic_matches_sklearn_calibrated_classifier():
    z, y = _random_problem(14, n=400, C=4, scale=4.0, signal=0.5)
    p = _softmax(z)
    X = np.arange(400)[:, None]
    est = _FixedProbs(p).fit(X, y)
    ref = CalibratedClassifierCV(FrozenEstimator(est), method="isotonic").fit(X, y).predict_proba(X)
    ours = cal.IsotonicCalibrator().fit_transform(p, y)
    np.testing.assert_allclose(ours, ref, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(ours.sum(1), 1.0)
    # recalibration on the same data lowers the ECE
    assert cal.expected_calibration_error(ours, y) < cal.expected_calibration_error(p, y)


def test_isotonic_binary_is_monotone_and_in_unit_interval():
    rng = np.random.default_rng(15)
    p = rng.uniform(size=300)
    y = (rng.uniform(size=300) < p**3).astype(int)
    iso = cal.IsotonicCalibrator().fit(p, y)
    grid = np.linspace(0, 1, 101)
    q = iso.transform(grid)
    assert np.all(np.diff(q) >= 0) and q.min() >= 0 and q.max() <= 1
    from sklearn.isotonic import IsotonicRegression

    np.testing.assert_allclose(q, IsotonicRegression(out_of_bounds="clip").fit(p, y).predict(grid))


def test_histogram_binning_maps_to_bin_fractions():
    p = np.array([0.05, 0.1, 0.3, 0.35, 0.4, 0.95])
    y = np.array([0, 1, 0, 0, 1, 1])
    hb = cal.HistogramBinningCalibrator(n_bins=4).fit(p, y)
    # bins [0, .25], (.25, .5], (.5, .75] (empty -> midpoint 0.625), (.75, 1]
    np.testing.assert_allclose(
        hb.transform(np.array([0.0, 0.25, 0.26, 0.6, 1.0])), [0.5, 0.5, 1 / 3, 0.625, 1.0]
    )
    # after binning, the training data are perfectly calibrated in those bins
    q = hb.transform(p)
    assert cal.expected_calibration_error(q, y, n_bins=4) == pytest.approx(0.0, abs=1e-12)


def test_histogram_binning_multiclass_renormalises_and_quantile():
    z, y = _random_problem(16, n=500, C=3, scale=5.0, signal=0.5)
    p = _softmax(z)
    for strategy in ("uniform", "quantile"):
        q = cal.HistogramBinningCalibrator(n_bins=10, strategy=strategy).fit_transform(p, y)
        np.testing.assert_allclose(q.sum(1), 1.0)
        assert cal.expected_calibration_error(q, y) < cal.expected_calibration_error(p, y)
    # one-vs-rest: before renormalisation, column k is the bin fraction of class k
    hb = cal.HistogramBinningCalibrator(n_bins=5).fit(p, y)
    col = hb._apply_binary(hb.maps_[1], p[:, 1])
    bins = cal.calibration_bins(p[:, 1], (y == 1).astype(int), n_bins=5)
    ids = np.searchsorted(bins.edges[1:-1], p[:, 1])
    np.testing.assert_allclose(col, bins.accuracy[ids])


def test_renormalise_zero_rows_become_uniform():
    q = cal._renormalise(np.array([[0.0, 0.0, 0.0], [1.0, 1.0, 2.0]]))
    np.testing.assert_allclose(q, [[1 / 3] * 3, [0.25, 0.25, 0.5]])


def test_calibrators_errors():
    with pytest.raises(ValueError, match="fit"):  # sklearn NotFittedError
        cal.IsotonicCalibrator().transform([0.5])
    iso = cal.IsotonicCalibrator().fit(np.array([[0.2, 0.8], [0.6, 0.4]]), [1, 0])
    with pytest.raises(ValueError, match="probs: expected shape"):
        iso.transform([0.3])
    with pytest.raises(ValueError, match="n_bins"):
        cal.HistogramBinningCalibrator(n_bins=0)
    with pytest.raises(ValueError, match="strategy"):
        cal.HistogramBinningCalibrator(strategy="equal")


# --------------------------------------------------------------------------- figure


def test_reliability_diagram_draws_labelled_axes():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    z, y = _random_problem(17, n=300, C=3, scale=5.0, signal=0.5)
    p = _softmax(z)
    ax = cal.reliability_diagram(p, y, n_bins=10)
    ece = cal.expected_calibration_error(p, y, n_bins=10)
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert any(f"ECE = {ece:.4f}" in t for t in labels)
    assert ax.get_ylabel() == "accuracy"
    assert len(ax.figure.axes) == 2 and ax.figure.axes[1].get_xlabel().startswith("confidence")
    heights = [r.get_height() for r in ax.containers[0]]
    bins = cal.calibration_bins(p, y, n_bins=10)
    np.testing.assert_allclose(heights, bins.accuracy[bins.nonempty])
    plt.close("all")
    fig, axes = plt.subplots(1, 2)
    out = cal.reliability_diagram(
        np.linspace(0, 1, 50), np.arange(50) % 2, ax=axes[1], show_counts=False, label="m"
    )
    assert out is axes[1] and out.get_ylabel() == "fraction of positives" and out.get_xlabel()
    assert len(fig.axes) == 2
    out = cal.reliability_diagram(p, y, ax=axes[0])  # counts on a twin axis
    assert len(fig.axes) == 3 and fig.axes[2].get_ylabel() == "count"
    plt.close("all")
    fig, axes = plt.subplots(2, 2)
    out = cal.reliability_diagram(p, y, ax=(axes[0, 0], axes[1, 0]))
    assert (
        out is axes[0, 0]
        and axes[1, 0].get_ylabel() == "count"
        and axes[1, 0].get_xlabel().startswith("conf")
    )
    assert sum(r.get_height() for r in axes[1, 0].containers[0]) == len(y)
    plt.close("all")


def test_reliability_diagram_gap_looks_the_same_above_and_over_the_bars():
    # the gap boxes have no fill (a translucent fill turns purple over a blue bar, unlike the legend)
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.colors as mcolors
    import matplotlib.pyplot as plt

    from xent_book.plotting import COLORS

    p = np.array([0.3, 0.35, 0.9, 0.95])  # binary: one underconfident, one overconfident bin
    y = np.array([1, 1, 0, 1])
    ax = cal.reliability_diagram(p, y, n_bins=2, show_counts=False)
    gaps = ax.containers[1]
    assert len(gaps) == 2
    for patch in gaps:
        assert patch.get_facecolor()[3] == 0.0
        assert mcolors.same_color(patch.get_edgecolor()[:3], COLORS["error"])
    plt.close("all")


# --------------------------------------------------------------------------- properties

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402


@st.composite
def _predictions(draw):
    n = draw(st.integers(1, 60))
    C = draw(st.integers(2, 6))
    seed = draw(st.integers(0, 2**32 - 1))
    scale = draw(st.sampled_from([0.1, 1.0, 5.0, 30.0]))
    r = np.random.default_rng(seed)
    p = _softmax(scale * r.normal(size=(n, C)))
    y = r.integers(0, C, n)
    return p, y


@settings(max_examples=60, deadline=None)
@given(_predictions(), st.integers(1, 40), st.sampled_from(["uniform", "quantile"]))
def test_property_bins_partition_the_data_and_norms_are_ordered(pred, n_bins, strategy):
    p, y = pred
    bins = cal.calibration_bins(p, y, n_bins=n_bins, strategy=strategy)
    assert bins.counts.sum() == len(y) and len(bins.edges) == n_bins + 1
    assert np.all(np.diff(bins.edges) >= 0)
    l1, l2, mx = (
        cal.expected_calibration_error(p, y, n_bins, norm, strategy) for norm in ("l1", "l2", "max")
    )
    assert 0 <= l1 <= l2 + 1e-12 and l2 <= mx + 1e-12 and mx <= 1
    # ECE of one bin <= ECE of any binning (triangle inequality on the weighted gaps), for uniform bins
    if strategy == "uniform":
        assert cal.expected_calibration_error(p, y, n_bins=1) <= l1 + 1e-12
    # the order of the examples does not matter
    perm = np.random.default_rng(0).permutation(len(y))
    assert cal.expected_calibration_error(p[perm], y[perm], n_bins, "l1", strategy) == pytest.approx(
        l1, abs=1e-12
    )
    assert 0 <= cal.classwise_calibration_error(p, y, n_bins, "l1", strategy) <= 1
    assert 0 <= cal.brier_score(p, y) <= 2


@settings(max_examples=40, deadline=None)
@given(_predictions())
def test_property_fitted_temperature_is_a_minimum(pred):
    p, y = pred
    z = np.log(p)
    z_y = z[np.arange(len(y)), y]
    if np.all(z_y >= z.max(axis=1)) or np.mean(z.mean(axis=1) - z_y) >= 0:
        with pytest.raises(ValueError, match="T ->"):
            cal.fit_temperature(z, y)
        return
    T = cal.fit_temperature(z, y)
    assert T > 0
    best = _nll(z, y, T)
    for factor in (0.99, 1.01):
        assert best <= _nll(z, y, T * factor) + 1e-12


@pytest.mark.parametrize("strategy", ["uniform", "quantile"])
@pytest.mark.parametrize("norm", ["l1", "l2", "max"])
@pytest.mark.parametrize("n_bins", [1, 3, 15, 80])
def test_classwise_ece_is_the_mean_of_one_vs_rest_binary_ece(strategy, norm, n_bins):
    # the vectorised classwise ECE against C separate binary ECEs (scikit-learn's binning, one class at a time)
    rng = np.random.default_rng(n_bins)
    p = rng.dirichlet(np.ones(4) * 0.7, size=120)
    p[:10] = np.round(p[:10], 1)
    p[:10] /= p[:10].sum(1, keepdims=True)  # ties and values on bin edges
    y = rng.integers(0, 4, size=120)
    per_class = [
        cal.expected_calibration_error(p[:, k], (y == k).astype(int), n_bins, norm, strategy)
        for k in range(4)
    ]
    got = cal.classwise_calibration_error(p, y, n_bins, norm, strategy)
    assert got == pytest.approx(np.mean(per_class), rel=1e-12, abs=1e-15)
