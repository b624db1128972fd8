"""Tests for xent_book.reproducibility: seeding, the thread count, and setup_notebook's composition."""

import random

import matplotlib as mpl
import numpy as np
import pytest
import torch

import xent_book as xb
from xent_book import reproducibility


@pytest.fixture
def restore_global_state():
    threads, det = torch.get_num_threads(), torch.are_deterministic_algorithms_enabled()
    rc = mpl.rcParams.copy()
    opts = np.get_printoptions()
    yield
    torch.set_num_threads(threads)
    torch.use_deterministic_algorithms(det)
    mpl.rcParams.update(rc)
    np.set_printoptions(**opts)


def test_seed_everything_seeds_python_numpy_and_torch():
    draws = []
    for _ in range(2):
        rng = xb.seed_everything(7)
        draws.append((random.random(), np.random.random(), torch.rand(1).item(), rng.random()))  # noqa: NPY002
    assert draws[0] == draws[1]
    assert draws[0][3] == np.random.default_rng(7).random()
    xb.seed_everything(8)
    assert random.random() != draws[0][0]


@pytest.mark.parametrize(
    "seed, exc",
    [
        (-1, ValueError),
        (2**32, ValueError),
        (1.0, TypeError),
        (True, TypeError),
        ("0", TypeError),
        (None, TypeError),
    ],
)
def test_bad_seeds_are_refused_naming_seed(seed, exc):
    with pytest.raises(exc, match=r"\bseed\b"):
        xb.seed_everything(seed)
    with pytest.raises(exc, match=r"\bseed\b"):
        xb.setup_notebook(seed=seed)


def test_setup_notebook_composes_style_threads_and_seed(restore_global_state):
    mpl.rcParams["figure.dpi"] = 72
    rng = xb.setup_notebook(seed=3)
    assert rng.random() == np.random.default_rng(3).random()
    assert torch.get_num_threads() == 1 and torch.are_deterministic_algorithms_enabled()
    assert mpl.rcParams["figure.dpi"] == 100 and np.get_printoptions()["precision"] == 4
    assert xb.setup_notebook is reproducibility.setup_notebook
