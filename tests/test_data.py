"""Tests for xent_book.data: determinism, shapes, dtypes, stratification, the long-tail formula."""

import numpy as np
import pytest

from xent_book import data

LOADERS = [
    lambda seed: data.gaussian_blobs(n_samples=300, num_classes=3, seed=seed),
    lambda seed: data.spirals(n_samples=300, num_classes=3, seed=seed),
    lambda seed: data.long_tailed_blobs(num_classes=5, imbalance_ratio=10, n_max=100, seed=seed),
    lambda seed: data.load_digits_split(seed=seed),
]


@pytest.mark.parametrize("load", LOADERS)
def test_loaders_are_deterministic_float64_int64_and_disjoint_sizes(load):
    a, b = load(0), load(0)
    for key, arr in a.as_dict().items():
        np.testing.assert_array_equal(arr, b[key])
        if key.startswith("X"):
            assert arr.dtype == np.float64 and arr.ndim == 2 and arr.flags["C_CONTIGUOUS"]
        else:
            assert arr.dtype == np.int64 and arr.ndim == 1
            assert arr.min() >= 0 and arr.max() < a.num_classes
    assert len(a.X_train) == len(a.y_train) and len(a.X_test) == len(a.y_test)
    c = load(1)
    assert not np.array_equal(a.X_train, c.X_train)


def test_blobs_split_is_stratified_and_partitions_the_data():
    s = data.gaussian_blobs(n_samples=600, num_classes=3, val_fraction=0.2, test_fraction=0.25, seed=3)
    assert len(s.y_train) + len(s.y_val) + len(s.y_test) == 600
    np.testing.assert_array_equal(s.class_counts("test"), [50, 50, 50])
    np.testing.assert_array_equal(s.class_counts("val"), [40, 40, 40])
    np.testing.assert_array_equal(s.class_counts("train"), [110, 110, 110])
    every = np.concatenate([s.X_train, s.X_val, s.X_test])
    assert len(np.unique(every, axis=0)) == 600  # no point in two parts
    # training labels are shuffled, not sorted by class
    assert np.any(np.diff(s.y_train) < 0)


def test_blobs_centres_lie_at_the_requested_separation():
    s = data.gaussian_blobs(
        n_samples=30000,
        num_classes=4,
        cluster_std=0.5,
        separation=3.0,
        val_fraction=0.0,
        test_fraction=0.0,
        seed=0,
    )
    for c in range(4):
        centre = s.X_train[s.y_train == c].mean(axis=0)
        assert abs(np.linalg.norm(centre) - 3.0) < 0.03
        assert abs(s.X_train[s.y_train == c].std(axis=0).mean() - 0.5) < 0.02


def test_spirals_radius_in_unit_disc_and_classes_balanced():
    s = data.spirals(n_samples=300, num_classes=3, noise=0.0, seed=0)
    r = np.linalg.norm(np.concatenate([s.X_train, s.X_val, s.X_test]), axis=1)
    assert r.min() >= 0.1 - 1e-6 and r.max() <= 1.0 + 1e-6
    np.testing.assert_array_equal(
        s.class_counts("train") + s.class_counts("val") + s.class_counts("test"), [100] * 3
    )


def test_long_tailed_counts_match_cifar10_lt():
    # CIFAR-10-LT with ratio 100 (Cao et al. 2019, LDAM-DRW code): these counts
    assert data.long_tailed_counts(10, 100, 5000).tolist() == [
        5000,
        2997,
        1796,
        1077,
        645,
        387,
        232,
        139,
        83,
        50,
    ]
    # ratio 10
    assert data.long_tailed_counts(10, 10, 5000).tolist() == [
        5000,
        3871,
        2997,
        2320,
        1796,
        1391,
        1077,
        834,
        645,
        500,
    ]


def test_long_tailed_counts_formula_edges():
    counts = data.long_tailed_counts(7, 20.0, 1000)
    expected = np.floor(1000 * 20.0 ** (-np.arange(7) / 6) + 1e-9)
    np.testing.assert_array_equal(counts, expected)
    assert counts.dtype == np.int64
    assert np.all(np.diff(counts) <= 0)
    assert data.long_tailed_counts(4, 1, 50).tolist() == [50] * 4
    assert data.long_tailed_counts(1, 100, 50).tolist() == [50]
    assert data.long_tailed_counts(3, 1000, 2).tolist() == [2, 1, 1]  # at least one example


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (dict(num_classes=0, imbalance_ratio=10, n_max=10), "num_classes"),
        (dict(num_classes=3, imbalance_ratio=0.5, n_max=10), "imbalance_ratio"),
        (dict(num_classes=3, imbalance_ratio=float("nan"), n_max=10), "imbalance_ratio"),
        (dict(num_classes=3, imbalance_ratio=10, n_max=0), "n_max"),
    ],
)
def test_long_tailed_counts_rejects_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        data.long_tailed_counts(**kwargs)


def test_long_tailed_blobs_train_follows_counts_val_test_balanced():
    s = data.long_tailed_blobs(
        num_classes=6, imbalance_ratio=50, n_max=200, n_val_per_class=7, n_test_per_class=11, seed=2
    )
    np.testing.assert_array_equal(s.class_counts("train"), data.long_tailed_counts(6, 50, 200))
    np.testing.assert_array_equal(s.class_counts("val"), [7] * 6)
    np.testing.assert_array_equal(s.class_counts("test"), [11] * 6)


def test_digits_standardised_with_training_statistics():
    s = data.load_digits_split(seed=0)
    assert s.n_features == 64 and s.num_classes == 10
    assert len(s.y_train) + len(s.y_val) + len(s.y_test) == 1797
    mean = s.X_train.astype(np.float64).mean(axis=0)
    std = s.X_train.astype(np.float64).std(axis=0)
    assert np.abs(mean).max() < 1e-5
    nonconstant = std > 0
    np.testing.assert_allclose(std[nonconstant], 1.0, atol=1e-5)
    raw = data.load_digits_split(seed=0, standardize=False)
    assert raw.X_train.max() == 16.0


def test_split_mapping_access_and_errors():
    s = data.gaussian_blobs(n_samples=60, seed=0)
    assert s["X_val"] is s.X_val
    assert "train=" in repr(s) and "array" not in repr(s)
    with pytest.raises(KeyError):
        s["X_bogus"]
    with pytest.raises(ValueError, match="part"):
        s.class_counts("dev")


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: data.gaussian_blobs(n_samples=0), "n_samples"),
        (lambda: data.gaussian_blobs(num_classes=1), "num_classes"),
        (lambda: data.gaussian_blobs(cluster_std=0.0), "cluster_std"),
        (lambda: data.gaussian_blobs(val_fraction=0.5, test_fraction=0.5), "val_fraction \\+ test_fraction"),
        (lambda: data.spirals(noise=-1.0), "noise"),
        (lambda: data.spirals(turns=0), "turns"),
        (lambda: data.long_tailed_blobs(n_test_per_class=-1), "n_test_per_class"),
        (lambda: data.load_digits_split(test_fraction=-0.1), "test_fraction"),
    ],
)
def test_loaders_reject_bad_arguments(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_integer_arguments_must_be_ints():
    with pytest.raises(TypeError, match="n_samples"):
        data.gaussian_blobs(n_samples=10.5)


def test_stratified_split_partitions_and_keeps_class_proportions():
    rng = np.random.default_rng(0)
    y = np.repeat([0, 1, 2], [50, 30, 20])
    X = rng.normal(size=(100, 3))
    s = data.stratified_split(X, y, 3, val_fraction=0.2, test_fraction=0.3, seed=4)
    np.testing.assert_array_equal(s.class_counts("test"), [15, 9, 6])
    np.testing.assert_array_equal(s.class_counts("val"), [10, 6, 4])
    np.testing.assert_array_equal(s.class_counts("train"), [25, 15, 10])
    rows = np.concatenate([s.X_train, s.X_val, s.X_test])
    np.testing.assert_array_equal(np.sort(rows, axis=0), np.sort(X, axis=0))
    # every row keeps its own label
    lookup = {tuple(x): c for x, c in zip(X, y)}
    for part in ("train", "val", "test"):
        assert all(lookup[tuple(x)] == c for x, c in zip(s[f"X_{part}"], s[f"y_{part}"]))


@pytest.mark.parametrize(
    "y, exc",
    [
        (np.array([0, 1, 3, 1]), ValueError),  # >= num_classes: refused, not dropped
        (np.array([0, 1, -1, 1]), ValueError),  # negative
        (np.array([0.0, 1.0, 1.5, 1.0]), TypeError),  # float labels: refused, not truncated
        (np.array([0, 1, 2**64 - 100, 1], dtype=np.uint64), ValueError),  # would wrap to -100
        (np.array([0, 1]), ValueError),  # wrong length
    ],
)
def test_stratified_split_refuses_bad_labels(y, exc):
    with pytest.raises(exc, match=r"\by\b"):
        data.stratified_split(np.zeros((4, 2)), y, 3)


def test_stratified_split_too_few_examples_names_the_arguments():
    with pytest.raises(ValueError, match="test_fraction"):
        data.gaussian_blobs(n_samples=4, num_classes=4)
    with pytest.raises(ValueError, match="seed"):
        data.gaussian_blobs(seed=-1)
    with pytest.raises(TypeError, match="standardize"):
        data.load_digits_split(standardize="yes")


def test_stack_splits_stacks_each_part_along_a_seed_axis():
    splits = [data.gaussian_blobs(n_samples=60, num_classes=3, seed=s) for s in (0, 1)]
    stacked = data.stack_splits(splits)
    assert set(stacked) == {"X_train", "y_train", "X_val", "y_val", "X_test", "y_test"}
    for key, a in stacked.items():
        assert a.shape == (2,) + splits[0][key].shape
        np.testing.assert_array_equal(a[1], splits[1][key])


def test_stack_splits_refuses_mismatched_and_non_splits():
    with pytest.raises(ValueError, match="at least one"):
        data.stack_splits([])
    with pytest.raises(TypeError, match=r"splits\[1\]"):
        data.stack_splits([data.gaussian_blobs(n_samples=60, num_classes=3, seed=0), "x"])
    a = data.gaussian_blobs(n_samples=60, num_classes=3, seed=0)
    b = data.gaussian_blobs(n_samples=90, num_classes=3, seed=0)
    with pytest.raises(ValueError, match=r"splits\[1\]: X_train"):
        data.stack_splits([a, b])
