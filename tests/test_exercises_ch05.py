"""The checker of exercise ex-binary-4 accepts every correct answer and is as accurate as they are."""

import mpmath
import numpy as np
import pytest

import xent_book as xb
from xent_book.exercises import ch05


def taught(z, y):  # the solution's formula
    return np.maximum(z, 0) - y * z + np.log1p(np.exp(-np.abs(z)))


def pytorch_form(z, y):  # PyTorch's (1 - y) z - log sigmoid(z), as xb computes it
    return xb.binary_cross_entropy_with_logits(z, y, reduction="none")


def naive(z, y):
    with np.errstate(over="ignore"):
        return np.log(1 + np.exp(z)) - y * z


def log1p_naive(z, y):  # no overflow guard
    with np.errstate(over="ignore"):
        return np.log1p(np.exp(z)) - y * z


@pytest.mark.parametrize("answer", [taught, pytorch_form])
def test_both_correct_forms_accepted(answer):
    assert xb.exercises.check("ex-binary-4", answer).correct


@pytest.mark.parametrize("answer", [naive, log1p_naive, lambda z, y: np.logaddexp(0, z) - y * z])
def test_inaccurate_answers_rejected(answer):
    assert not xb.exercises.check("ex-binary-4", answer).correct


@pytest.mark.parametrize(
    ("z", "y"), [(-40.0, 0.0), (-37.0, 0.0), (40.0, 1.0), (36.9, 1.0), (20.0, 1.0), (-3.0, 0.0)]
)
def test_reference_is_relatively_accurate(z, y):
    exact = float(mpmath.log1p(mpmath.exp(-abs(mpmath.mpf(z)))) + max(z, 0.0) - y * z)
    ref = float(ch05._bce_reference(np.array(z), np.array(y)))
    assert ref == pytest.approx(exact, rel=1e-14)


def test_pytorch_form_rounds_the_tiny_loss_to_zero():
    # why the checker needs its own reference and a small absolute tolerance
    assert float(pytorch_form(np.array(-40.0), np.array(0.0))) == 0.0
    assert float(taught(np.array(-40.0), np.array(0.0))) > 4e-18
