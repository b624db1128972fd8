"""Small seeded datasets for the training chapters.

Every loader returns a :class:`Split`: float64 features and int64 labels for a
train, a validation and a test part, ready for ``torch.from_numpy``. The same
arguments (including ``seed``) always give the same arrays, bit for bit, on
every machine: the data are drawn from one ``numpy.random.default_rng(seed)``
and the splits are stratified (every class is split in the same proportions)
by scikit-learn's ``train_test_split(stratify=...)``, through :func:`stratified_split`.

* :func:`gaussian_blobs` -- isotropic Gaussian clusters (2-D: centres on a circle).
* :func:`spirals` -- interleaved noisy spirals, a non-linear problem.
* :func:`long_tailed_blobs` -- blobs whose training counts follow
  :func:`long_tailed_counts` (validation and test balanced, as in CIFAR-LT).
* :func:`load_digits_split` -- scikit-learn's bundled 8x8 digits (no download),
  standardised with the training mean and standard deviation.

See Also: chapters 8 (class imbalance), 9 (label noise), 10 (calibration) and
11 (label smoothing).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, fields

import numpy as np
from numpy.typing import ArrayLike

from ._validation import (
    MAX_CLASSES,
    SEED_MAX,
    as_float_array,
    check_bool,
    check_choice,
    check_finite,
    check_int,
    check_labels,
    check_positive,
    check_seed,
)

#: Upper limits that keep these teaching datasets in memory (and every loop short).
MAX_SAMPLES = 10**5
MAX_FEATURES = 10**4
MAX_ELEMENTS = 10**7  # n_samples * n_features

MAX_COUNT = 2**53  # counts stay exact in float64
MAX_SCALE = 1e6  # cluster_std, separation: features stay far inside float32's range (a reader may cast)

__all__ = [
    "Split",
    "long_tailed_counts",
    "gaussian_blobs",
    "spirals",
    "long_tailed_blobs",
    "load_digits_split",
    "stack_splits",
    "stratified_split",
]


@dataclass(frozen=True)
class Split:
    """A train / validation / test split.

    Features are float64 arrays of shape ``(n, n_features)``; labels are int64
    arrays of shape ``(n,)`` with values in ``0 .. num_classes - 1``.
    ``split["X_train"]`` works as well as ``split.X_train``, and
    :meth:`as_dict` returns the six arrays in a plain dict.

    Parameters
    ----------
    X_train : numpy.ndarray of float64, shape (n_train, n_features)
        Training features.
    y_train : numpy.ndarray of int64, shape (n_train,)
        Training labels.
    X_val : numpy.ndarray of float64, shape (n_val, n_features)
        Validation features.
    y_val : numpy.ndarray of int64, shape (n_val,)
        Validation labels.
    X_test : numpy.ndarray of float64, shape (n_test, n_features)
        Test features.
    y_test : numpy.ndarray of int64, shape (n_test,)
        Test labels.
    num_classes : int
        The number of classes C (a part may lack some of them).
    """

    X_train: np.ndarray
    y_train: np.ndarray
    X_val: np.ndarray
    y_val: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray
    num_classes: int

    @property
    def n_features(self) -> int:
        """Number of input features ``D`` (the columns of ``X_train``)."""
        return int(self.X_train.shape[1])

    def __getitem__(self, key: str) -> np.ndarray | int:
        if not isinstance(key, str) or key not in {f.name for f in fields(self)}:
            raise KeyError(key)
        return getattr(self, key)

    def as_dict(self) -> dict:
        """The six arrays as a dict (refuses nothing).

        Returns
        -------
        dict
            ``{"X_train": ..., "y_train": ..., "X_val": ..., "y_val": ..., "X_test": ..., "y_test": ...}``.
        """
        return {k: getattr(self, k) for k in ("X_train", "y_train", "X_val", "y_val", "X_test", "y_test")}

    def class_counts(self, part: str = "train") -> np.ndarray:
        """Number of examples of each class in one part of the split.

        Parameters
        ----------
        part : {"train", "val", "test"}, default "train"
            Which part to count.

        Returns
        -------
        numpy.ndarray
            The count of each class: int64, shape (C,).

        Raises
        ------
        ValueError
            ``part`` not one of "train", "val", "test".
        """
        check_choice(part, "part", ("train", "val", "test"))
        return np.bincount(getattr(self, f"y_{part}"), minlength=self.num_classes)

    def __repr__(self) -> str:  # short: never dump arrays into a notebook
        return (
            f"Split(num_classes={self.num_classes}, n_features={self.n_features}, "
            f"train={len(self.y_train)}, val={len(self.y_val)}, test={len(self.y_test)})"
        )


def stack_splits(splits: Iterable[Split]) -> dict[str, np.ndarray]:
    """The arrays of several splits of the same sizes, stacked along a new leading (seed) axis.

    ``stack_splits([s0, s1, ...])["X_train"]`` has shape ``(len(splits), n_train, n_features)``,
    ``["y_train"]`` shape ``(len(splits), n_train)``; the same for ``val`` and ``test``.

    Parameters
    ----------
    splits : iterable of Split
        At least one split; all with the same part shapes and ``num_classes``.

    Returns
    -------
    dict of str to numpy.ndarray
        The six keys of :meth:`Split.as_dict`, each array with a leading axis of
        length ``len(splits)``.

    Raises
    ------
    TypeError
        An element that is not a :class:`Split`.
    ValueError
        No splits, or splits whose parts differ in shape or number of classes.
    """
    splits = list(splits)
    if not splits:
        raise ValueError("splits: expected at least one Split")
    for i, s in enumerate(splits):
        if not isinstance(s, Split):
            raise TypeError(f"splits[{i}]: expected a Split, got {type(s).__name__}")
    first = splits[0]
    out = {}
    for key, a in first.as_dict().items():
        for i, s in enumerate(splits[1:], 1):
            if s[key].shape != a.shape or s.num_classes != first.num_classes:
                raise ValueError(
                    f"splits[{i}]: {key} of shape {s[key].shape} ({s.num_classes} classes) differs from "
                    f"splits[0]'s {a.shape} ({first.num_classes} classes)"
                )
        out[key] = np.stack([s[key] for s in splits])
    return out


# --------------------------------------------------------------------------- checks


def _check_fractions(val_fraction, test_fraction) -> tuple[float, float]:
    v = check_positive(val_fraction, "val_fraction", allow_zero=True)
    t = check_positive(test_fraction, "test_fraction", allow_zero=True)
    if v + t >= 1:
        raise ValueError(f"val_fraction + test_fraction: expected a sum < 1, got {v + t!r}")
    return v, t


def _check_scale(value, name: str, allow_zero: bool = False) -> float:
    """A length of the feature space (a standard deviation, a distance): finite, > 0 (or >= 0), <= MAX_SCALE."""
    v = check_positive(value, name, allow_zero=allow_zero)
    if v > MAX_SCALE:
        raise ValueError(
            f"{name}: expected a value <= {MAX_SCALE:g} (features stay within float32's range), got {v!r}"
        )
    return v


def _check_size(n: int, d: int, names: str) -> None:
    if n * d > MAX_ELEMENTS:
        raise ValueError(f"{names}: expected at most {MAX_ELEMENTS} feature values in all, got {n} x {d}")


# --------------------------------------------------------------------------- splitting


def _split(
    X: np.ndarray, y: np.ndarray, num_classes: int, v: float, t: float, seed: int, names: str
) -> Split:
    """Two stratified ``train_test_split`` calls: test off the whole, then validation off the rest."""
    from sklearn.model_selection import train_test_split
    from sklearn.utils import shuffle

    n = len(y)
    n_test, n_val = int(round(n * t)), int(round(n * v))
    parts = {}
    rest_X, rest_y = X, y
    try:
        for part, size in (("test", n_test), ("val", n_val)):
            if size == 0:
                parts[part] = (X[:0], y[:0])
                continue
            rest_X, part_X, rest_y, part_y = train_test_split(
                rest_X, rest_y, test_size=size, stratify=rest_y, random_state=seed
            )
            parts[part] = (part_X, part_y)
    except ValueError as exc:  # too few examples of a class for the requested parts
        raise ValueError(f"{names}: too few examples per class for a stratified split ({exc})") from None
    if n_test == 0 and n_val == 0:
        rest_X, rest_y = shuffle(X, y, random_state=seed)
    parts["train"] = (rest_X, rest_y)
    out = {}
    for part, (Xp, yp) in parts.items():
        out[f"X_{part}"] = np.ascontiguousarray(Xp, dtype=np.float64)
        out[f"y_{part}"] = np.ascontiguousarray(yp, dtype=np.int64)
    return Split(num_classes=num_classes, **out)


def _check_sample_counts(n_samples, num_classes) -> tuple[int, int]:
    n = check_int(n_samples, "n_samples", 1, MAX_SAMPLES)
    return n, check_int(num_classes, "num_classes", 2, n)


def _split_generated(X, y, C: int, v: float, t: float, seed: int) -> Split:
    """The split of a generated dataset: seeded with ``seed + 1`` (mod 2**32), after the data's own draws."""
    return _split(X, y, C, v, t, (seed + 1) % (SEED_MAX + 1), "n_samples, val_fraction, test_fraction")


def stratified_split(
    X: ArrayLike,
    y: ArrayLike,
    num_classes: int,
    val_fraction: float = 0.2,
    test_fraction: float = 0.2,
    seed: int = 0,
) -> Split:
    """Split ``(X, y)`` into train / validation / test, stratified by class (scikit-learn).

    A thin wrapper around ``sklearn.model_selection.train_test_split(stratify=...)``:
    ``round(n * test_fraction)`` examples go to test, then ``round(n * val_fraction)``
    of the rest to validation, each call with ``random_state=seed``; scikit-learn
    shares each part among the classes in proportion to their counts and returns
    every part shuffled, so batches are not sorted by class.

    Parameters
    ----------
    X : array, shape (n, d)
        Finite features (stored as float64).
    y : int array, shape (n,)
        Class labels in ``0 .. num_classes - 1``.
    num_classes : int
        C >= 1.
    val_fraction, test_fraction : float
        Fractions of the data, >= 0, with a sum < 1.
    seed : int
        In [0, 2**32 - 1].

    Returns
    -------
    Split
        The three parts, each shuffled.

    Raises
    ------
    TypeError
        ``X`` not numeric, ``y`` not integer, non-int ``num_classes`` or ``seed``,
        non-real fractions.
    ValueError
        ``X`` not 2-D, empty or not finite; ``y`` not of shape (n,); a label
        outside ``0 .. num_classes - 1``; fractions negative or summing to >= 1;
        a class with too few examples for the requested parts; a bad ``seed``.

    See Also
    --------
    gaussian_blobs
    load_digits_split

    Notes
    -----
    Chapters 8-11.
    """
    v, t = _check_fractions(val_fraction, test_fraction)
    C = check_int(num_classes, "num_classes", 1, MAX_CLASSES)
    s = check_seed(seed)
    Xa = as_float_array(X, "X")
    if Xa.ndim != 2 or Xa.shape[0] == 0:
        raise ValueError(f"X: expected a non-empty array of shape (n, d), got {Xa.shape}")
    check_finite(Xa, "X")
    ya = check_labels(y, "y", C)
    if ya.shape != (Xa.shape[0],):
        raise ValueError(f"y: expected shape ({Xa.shape[0]},), one label per row of X, got {ya.shape}")
    return _split(Xa, ya, C, v, t, s, "X, y, val_fraction, test_fraction")


# --------------------------------------------------------------------------- long tail


def long_tailed_counts(num_classes: int, imbalance_ratio: float, n_max: int) -> np.ndarray:
    """Per-class counts of an exponentially long-tailed dataset.

    .. math:: n_c = \\left\\lfloor n_{\\max}\\, \\rho^{-c/(C-1)} \\right\\rfloor,
              \\qquad c = 0, \\dots, C-1,

    with :math:`\\rho` = ``imbalance_ratio`` = :math:`n_0 / n_{C-1}`, the
    profile of CIFAR-10/100-LT (Cao et al. 2019, Cui et al. 2019; computed as
    their code does, ``int(n_max * (1 / rho) ** (c / (C - 1)))``). Counts are at
    least 1. This is the one definition in the package;
    ``xent_book.imbalance`` re-exports it.

    Parameters
    ----------
    num_classes : int
        C >= 1 (with C = 1 the single count is ``n_max``).
    imbalance_ratio : float
        :math:`\\rho \\ge 1`; 1 gives a balanced dataset.
    n_max : int
        Size of the largest (first) class, >= 1.

    Returns
    -------
    numpy.ndarray of int64, shape (C,)
        Non-increasing counts, ``n_0 = n_max``.

    Raises
    ------
    TypeError
        ``num_classes`` or ``n_max`` not an int, ``imbalance_ratio`` not a real number.
    ValueError
        ``num_classes`` outside [1, 10**6], ``imbalance_ratio < 1`` or not finite,
        ``n_max`` outside [1, 2**53].

    See Also
    --------
    long_tailed_blobs

    Notes
    -----
    Chapter 8 (class imbalance).

    Examples
    --------
    >>> long_tailed_counts(10, 100, 5000).tolist()
    [5000, 2997, 1796, 1077, 645, 387, 232, 139, 83, 50]
    """
    C = check_int(num_classes, "num_classes", 1, MAX_CLASSES)
    n_max = check_int(n_max, "n_max", 1, MAX_COUNT)
    rho = check_positive(imbalance_ratio, "imbalance_ratio")
    if rho < 1:
        raise ValueError(f"imbalance_ratio: expected a value >= 1 (n_max / n_min), got {rho!r}")
    if C == 1:
        return np.array([n_max], dtype=np.int64)
    factor = 1.0 / rho
    counts = [max(1, int(n_max * factor ** (c / (C - 1.0)))) for c in range(C)]
    return np.array(counts, dtype=np.int64)


# --------------------------------------------------------------------------- datasets


def _blob_centres(
    num_classes: int, n_features: int, separation: float, rng: np.random.Generator
) -> np.ndarray:
    if n_features == 2:
        angles = 2 * np.pi * np.arange(num_classes) / num_classes
        return separation * np.stack([np.cos(angles), np.sin(angles)], axis=1)
    directions = rng.normal(size=(num_classes, n_features))
    directions /= np.linalg.norm(directions, axis=1, keepdims=True)
    return separation * directions


def gaussian_blobs(
    n_samples: int = 600,
    num_classes: int = 3,
    n_features: int = 2,
    cluster_std: float = 1.0,
    separation: float = 2.0,
    val_fraction: float = 0.2,
    test_fraction: float = 0.2,
    seed: int = 0,
) -> Split:
    """Isotropic Gaussian clusters, one per class, equally many points per class.

    Class ``c`` is :math:`\\mathcal N(\\mu_c, s^2 I)` (``s`` = ``cluster_std``) with
    :math:`\\|\\mu_c\\| =` ``separation``; in 2-D the centres sit evenly on a
    circle, otherwise in random directions (drawn from ``seed``). Smaller
    ``separation / cluster_std`` means more overlap, so a higher Bayes error.

    Parameters
    ----------
    n_samples : int
        Total number of points before splitting (divided as evenly as possible).
    num_classes : int
        C >= 2.
    n_features : int
        Dimension d >= 1.
    cluster_std : float
        The standard deviation :math:`s > 0` of each coordinate.
    separation : float
        Distance of each centre from the origin, >= 0.
    val_fraction, test_fraction : float
        Stratified fractions for validation and test.
    seed : int
        Seeds the draws of the points (and of the centres when d > 2); the
        split uses ``seed + 1``. In [0, 2**32 - 1].

    Returns
    -------
    Split
        Float64 features of shape (n, d), int64 labels.

    Raises
    ------
    TypeError
        An int argument that is not an int, a real argument that is not real.
    ValueError
        ``n_samples`` outside [1, 10**5], ``num_classes`` outside [2, n_samples],
        ``n_features`` outside [1, 10**4] or ``n_samples * n_features > 10**7``,
        ``cluster_std`` not in (0, 1e6], ``separation`` not in [0, 1e6], bad
        fractions (see :func:`stratified_split`), too few points per class for
        the split, ``seed`` outside [0, 2**32 - 1].

    See Also
    --------
    spirals
    long_tailed_blobs

    Notes
    -----
    Chapters 8-11.
    """
    n, C = _check_sample_counts(n_samples, num_classes)
    d = check_int(n_features, "n_features", 1, MAX_FEATURES)
    _check_size(n, d, "n_samples * n_features")
    std = _check_scale(cluster_std, "cluster_std")
    sep = _check_scale(separation, "separation", allow_zero=True)
    v, t = _check_fractions(val_fraction, test_fraction)
    s = check_seed(seed)
    rng = np.random.default_rng(s)
    centres = _blob_centres(C, d, sep, rng)
    y = np.arange(n) % C
    X = centres[y] + std * rng.normal(size=(n, d))
    return _split_generated(X, y, C, v, t, s)


def spirals(
    n_samples: int = 600,
    num_classes: int = 3,
    noise: float = 0.2,
    turns: float = 1.0,
    val_fraction: float = 0.2,
    test_fraction: float = 0.2,
    seed: int = 0,
) -> Split:
    """Interleaved 2-D spirals, one arm per class (a non-linear problem).

    Point ``i`` of class ``c`` has radius :math:`r \\in [0.1, 1]` (evenly
    spaced) and angle :math:`\\theta = 2\\pi (c / C + \\text{turns}\\, r)`,
    plus Gaussian noise of standard deviation ``noise`` (radians) on the
    angle, as in the CS231n spiral data.

    Parameters
    ----------
    n_samples : int
        Total number of points (split evenly between classes).
    num_classes : int
        C >= 2.
    noise : float
        Angular noise, >= 0.
    turns : float
        How many times each arm winds round, > 0.
    val_fraction, test_fraction : float
        Stratified fractions for validation and test, >= 0, with a sum < 1.
    seed : int
        Seeds the angular noise; the split uses ``seed + 1``. In [0, 2**32 - 1].

    Returns
    -------
    Split
        Float64 features of shape (n, 2), int64 labels.

    Raises
    ------
    TypeError
        An int argument that is not an int, a real argument that is not real.
    ValueError
        ``n_samples`` outside [1, 10**5], ``num_classes`` outside [2, n_samples],
        ``noise`` not in [0, 1e6], ``turns`` not in (0, 1e6], bad fractions, too
        few points per class for the split, ``seed`` outside [0, 2**32 - 1].

    See Also
    --------
    gaussian_blobs

    Notes
    -----
    Chapters 10-11.
    """
    n, C = _check_sample_counts(n_samples, num_classes)
    sigma = _check_scale(noise, "noise", allow_zero=True)
    k = _check_scale(turns, "turns")
    v, t = _check_fractions(val_fraction, test_fraction)
    s = check_seed(seed)
    rng = np.random.default_rng(s)
    i = np.arange(n)
    y = i % C
    # position along the arm: evenly spaced within each class, as np.linspace(0.1, 1.0, n_c) computes it
    rank, n_c = i // C, n // C + (y < n % C)
    step = 0.9 / np.maximum(n_c - 1, 1)
    r = np.where(n_c > 1, np.where(rank == n_c - 1, 1.0, rank * step + 0.1), 0.55)
    theta = 2 * np.pi * (y / C + k * r) + sigma * rng.normal(size=n)
    X = np.stack([r * np.cos(theta), r * np.sin(theta)], axis=1)
    return _split_generated(X, y, C, v, t, s)


def long_tailed_blobs(
    num_classes: int = 10,
    imbalance_ratio: float = 100.0,
    n_max: int = 500,
    n_features: int = 2,
    cluster_std: float = 1.0,
    separation: float = 3.0,
    n_val_per_class: int = 50,
    n_test_per_class: int = 100,
    seed: int = 0,
) -> Split:
    """Gaussian blobs with a long-tailed training set and balanced val / test sets.

    The training set has :func:`long_tailed_counts` ``(num_classes,
    imbalance_ratio, n_max)`` points of each class; validation and test have
    ``n_val_per_class`` and ``n_test_per_class`` per class, drawn from the same
    class-conditional distributions (the CIFAR-LT protocol: a long-tailed
    training set, a balanced test set, so plain test accuracy is the balanced
    accuracy). Class centres as in :func:`gaussian_blobs`.

    Parameters
    ----------
    num_classes : int
        C >= 2.
    imbalance_ratio : float
        :math:`n_0 / n_{C-1} \\ge 1`.
    n_max : int
        Training count of class 0.
    n_features : int
        Dimension d >= 1.
    cluster_std : float
        The standard deviation of each coordinate, > 0.
    separation : float
        Distance of each centre from the origin, >= 0.
    n_val_per_class, n_test_per_class : int
        Balanced validation / test sizes per class (>= 0).
    seed : int
        Seeds the centres (when d > 2), the points and their order; in [0, 2**32 - 1].

    Returns
    -------
    Split
        Shuffled float64 features, int64 labels.

    Raises
    ------
    TypeError
        An int argument that is not an int, a real argument that is not real.
    ValueError
        ``num_classes`` < 2, bad ``imbalance_ratio`` or ``n_max`` (see
        :func:`long_tailed_counts`), ``n_features`` outside [1, 10**4],
        ``cluster_std`` not in (0, 1e6], ``separation`` not in [0, 1e6],
        negative per-class sizes, more than 10**7 feature values in all,
        ``seed`` outside [0, 2**32 - 1].

    See Also
    --------
    long_tailed_counts

    Notes
    -----
    Chapter 8 (class imbalance).
    """
    C = check_int(num_classes, "num_classes", 2, MAX_CLASSES)
    d = check_int(n_features, "n_features", 1, MAX_FEATURES)
    std = _check_scale(cluster_std, "cluster_std")
    sep = _check_scale(separation, "separation", allow_zero=True)
    n_val = check_int(n_val_per_class, "n_val_per_class", 0, MAX_SAMPLES)
    n_test = check_int(n_test_per_class, "n_test_per_class", 0, MAX_SAMPLES)
    counts = long_tailed_counts(C, imbalance_ratio, n_max)
    _check_size(
        int(counts.sum()) + C * (n_val + n_test), d, "n_max, n_val_per_class, n_test_per_class, n_features"
    )
    rng = np.random.default_rng(check_seed(seed))
    centres = _blob_centres(C, d, sep, rng)

    def draw(per_class):
        y = np.repeat(np.arange(C), per_class)
        X = centres[y] + std * rng.normal(size=(len(y), d))
        perm = rng.permutation(len(y))
        return np.ascontiguousarray(X[perm], dtype=np.float64), np.ascontiguousarray(y[perm], dtype=np.int64)

    X_train, y_train = draw(counts)
    X_val, y_val = draw(np.full(C, n_val))
    X_test, y_test = draw(np.full(C, n_test))
    return Split(X_train, y_train, X_val, y_val, X_test, y_test, num_classes=C)


def load_digits_split(
    val_fraction: float = 0.2,
    test_fraction: float = 0.2,
    standardize: bool = True,
    seed: int = 0,
) -> Split:
    """Load scikit-learn's bundled handwritten digits (1797 images of 8x8 pixels, 10 classes).

    Nothing is downloaded: the data ship with scikit-learn. The 64 pixel
    intensities (0-16) are split stratified and, if ``standardize``, shifted and
    scaled by the *training* mean and standard deviation of each pixel (pixels
    that are constant in the training set are only shifted), so no statistic
    leaks from validation or test.

    Parameters
    ----------
    val_fraction, test_fraction : float
        Stratified fractions for validation and test, >= 0, with a sum < 1.
    standardize : bool
        Whether to standardise each pixel with the training mean and standard
        deviation (False keeps the raw intensities 0-16).
    seed : int
        The ``random_state`` of the split, in [0, 2**32 - 1].

    Returns
    -------
    Split
        Float64 features of shape (n, 64), int64 labels 0-9.

    Raises
    ------
    TypeError
        Non-real fractions, a non-bool ``standardize``, a non-int ``seed``.
    ValueError
        Fractions negative or summing to >= 1, ``seed`` outside [0, 2**32 - 1].

    Notes
    -----
    Chapters 6 (gradients) and 9 (label noise).
    """
    from sklearn.datasets import load_digits

    v, t = _check_fractions(val_fraction, test_fraction)
    standardize = check_bool(standardize, "standardize")
    s = check_seed(seed)
    digits = load_digits()
    split = _split(digits.data, digits.target, 10, v, t, s, "val_fraction, test_fraction")
    if not standardize:
        return split
    X_train = split.X_train.astype(np.float64)
    mean = X_train.mean(axis=0)
    std = X_train.std(axis=0)
    std[std == 0] = 1.0

    def scale(X):
        return np.ascontiguousarray((X.astype(np.float64) - mean) / std, dtype=np.float64)

    return Split(
        scale(split.X_train),
        split.y_train,
        scale(split.X_val),
        split.y_val,
        scale(split.X_test),
        split.y_test,
        num_classes=10,
    )
