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
    if seed is not None:  # setup_notebook(seed=None) takes the first of book_seeds()
        with pytest.raises(exc, match=r"\bseed\b"):
            xb.setup_notebook(seed=seed)


def test_setup_notebook_composes_style_threads_and_seed(restore_global_state):
    mpl.rcParams["figure.dpi"] = 72
    rng = xb.setup_notebook(seed=3)
    assert rng.random() == np.random.default_rng(3).random()
    assert torch.get_num_threads() == 1 and torch.are_deterministic_algorithms_enabled()
    assert mpl.rcParams["figure.dpi"] == 100 and np.get_printoptions()["precision"] == 4
    assert xb.setup_notebook is reproducibility.setup_notebook


# --- book_seeds: the one list of seeds, and XENT_BOOK_SEEDS ---------------------------


def test_book_seeds_default_is_the_books_seeds(monkeypatch):
    monkeypatch.delenv("XENT_BOOK_SEEDS", raising=False)
    np.testing.assert_array_equal(xb.book_seeds(), [0, 1, 2, 3, 4])
    np.testing.assert_array_equal(xb.book_seeds(8), np.arange(8))
    assert xb.book_seeds().dtype == np.int64


def test_book_seeds_reads_the_environment_for_every_chapter(monkeypatch):
    monkeypatch.setenv("XENT_BOOK_SEEDS", " 1000, 1001,1002,1003 ,1004")
    np.testing.assert_array_equal(xb.book_seeds(), [1000, 1001, 1002, 1003, 1004])
    # a chapter runs as many seeds as the list holds, whatever its own default
    np.testing.assert_array_equal(xb.book_seeds(8), [1000, 1001, 1002, 1003, 1004])
    monkeypatch.setenv("XENT_BOOK_SEEDS", "7,8,9,10,11,12")
    assert len(xb.book_seeds()) == 6


def test_setup_notebook_seeds_with_the_first_book_seed(monkeypatch, restore_global_state):
    monkeypatch.setenv("XENT_BOOK_SEEDS", "1000,1001,1002,1003,1004")
    a = xb.setup_notebook().random(3)
    np.testing.assert_array_equal(a, np.random.default_rng(1000).random(3))
    monkeypatch.delenv("XENT_BOOK_SEEDS")
    np.testing.assert_array_equal(xb.setup_notebook().random(3), np.random.default_rng(0).random(3))


@pytest.mark.parametrize(
    "text, match",
    [
        ("1,2,3,4", "at least 5"),
        ("1,2,3,4,x", "comma-separated list of integers"),
        ("1.5,2,3,4,5", "comma-separated list of integers"),
        ("1,1,2,3,4", "distinct"),
        ("-1,2,3,4,5", r"seeds in \[0"),
        (f"{2**32},2,3,4,5", r"seeds in \[0"),
    ],
)
def test_bad_seed_lists_are_refused_naming_the_variable(monkeypatch, text, match):
    monkeypatch.setenv("XENT_BOOK_SEEDS", text)
    with pytest.raises(ValueError, match="XENT_BOOK_SEEDS") as info:
        xb.book_seeds()
    assert info.match(match)


@pytest.mark.parametrize("n, exc", [(4, ValueError), (5.0, TypeError), (True, TypeError)])
def test_book_seeds_refuses_a_default_below_five(n, exc):
    with pytest.raises(exc, match=r"\bn\b"):
        xb.book_seeds(n)


def test_single_thread_sets_deterministic_algorithms_without_loading_inductor():
    """The flag eager PyTorch reads is on, and TorchInductor (seconds of imports) is not loaded."""
    import subprocess
    import sys

    code = (
        "import sys, torch\n"
        "from xent_book import reproducibility as r\n"
        "assert not torch.are_deterministic_algorithms_enabled()\n"
        "r.single_thread()\n"
        "assert torch.are_deterministic_algorithms_enabled()\n"
        "assert not torch.is_deterministic_algorithms_warn_only_enabled()\n"
        "assert torch.get_num_threads() == 1\n"
        "print('torch._inductor.config' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False", out.stderr


def test_training_switches_deterministic_algorithms_on_and_back():
    """train.fit and ensemble.fit_stacked switch the flag on while they train and restore it (a
    torch.optim optimiser imports torch._dynamo on its own, so Inductor's config is not asserted)."""
    import subprocess
    import sys

    code = (
        "import numpy as np, torch, xent_book as xb\n"
        "seen = []\n"
        "X, y = np.random.default_rng(0).normal(size=(20, 2)), np.arange(20) % 2\n"
        "m = xb.ensemble.stack_models([xb.train.make_model(2, 2, seed=0)])\n"
        "cb = lambda e, m, r: seen.append(torch.are_deterministic_algorithms_enabled())\n"
        "xb.ensemble.fit_stacked(m, X, y, epochs=2, callback=cb)\n"
        "assert seen == [True, True] and not torch.are_deterministic_algorithms_enabled()\n"
        "xb.train.fit(xb.train.make_model(2, 2, seed=0), X, y, torch.nn.functional.cross_entropy, epochs=2)\n"
        "assert not torch.are_deterministic_algorithms_enabled()\n"
        "torch.use_deterministic_algorithms(True)\n"
        "xb.ensemble.fit_stacked(m, X, y, epochs=1)\n"
        "print(torch.are_deterministic_algorithms_enabled())\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "True", out.stderr
