"""PyTorch's rule (issue 17), checked as an oracle over the combinations PyTorch's OpInfo samples cover.

Inputs come from ``torch.testing.make_tensor`` (the generator OpInfo uses, floats in [-9, 9]); class
weights are drawn by hypothesis from [-9, 9] in steps of 0.5, so that weights summing exactly to 0
are common (PyTorch's NaN/inf) while any other sum is at least 0.5 away from 0 (no cancellation
that would make the comparison meaningless). For every reduction, ignore_index, label_smoothing and
probability target: where PyTorch's float64 answer is finite, ours equals it to rtol 1e-10; where it
is NaN or inf, ours is a ValueError naming ``weight``.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import example, given, settings
from hypothesis import strategies as st

import xent_book as xb

HALVES = st.integers(-18, 18).map(lambda k: k / 2.0)
FAST = settings(max_examples=10, deadline=None)
RANDOM = settings(max_examples=5, deadline=None, derandomize=False, database=None)
SHAPES = [(5, 4), (3, 4, 2), (4,)]  # batched, spatial (N, C, d1), unbatched (C,)


def _inputs(seed, shape, soft):
    g = torch.Generator().manual_seed(seed)
    x = torch.testing.make_tensor(shape, dtype=torch.float64, device="cpu", low=-9, high=9)
    c = shape[1] if len(shape) > 1 else shape[0]
    if soft:
        t = torch.softmax(
            torch.randn(shape, generator=g, dtype=torch.float64) * 3, dim=1 if len(shape) > 1 else 0
        )
    else:
        tshape = (shape[0],) + shape[2:] if len(shape) > 1 else ()
        t = torch.randint(0, c, tshape, generator=g)
    return x, t


def _close(ours, ref, w, terms):
    # the loss is sum(w_i l_i) / sum(w_i): an absolute slack scaled by sum|w_i l_i| / |sum w_i| covers
    # the summation order of the numerator when its terms cancel
    np.testing.assert_allclose(ours, ref, rtol=1e-10, atol=1e-10 * terms)


def _check(w, seed, shape_i, soft, eps, ignore):
    shape = SHAPES[shape_i]
    torch.manual_seed(seed)
    x, t = _inputs(seed, shape, soft)
    w_t = torch.tensor(w, dtype=torch.float64)
    ignore_index = -100
    if ignore and not soft and t.ndim > 0:
        ignore_index = int(t.flatten()[0])  # a class that occurs, as OpInfo's ignore_index samples
    for reduction in ("mean", "sum", "none"):
        kw = dict(weight=w_t, reduction=reduction, ignore_index=ignore_index, label_smoothing=eps)
        ref = F.cross_entropy(x, t, **kw).numpy()
        logp = torch.log_softmax(x, dim=1 if x.ndim > 1 else 0)
        ref_nll = (
            None if soft else F.nll_loss(logp, t, weight=w_t, reduction=reduction, ignore_index=ignore_index)
        )
        np_kw = dict(weight=np.array(w), reduction=reduction, ignore_index=ignore_index, label_smoothing=eps)
        terms = float(F.cross_entropy(x, t, weight=w_t.abs(), reduction="sum", label_smoothing=eps)) + 1.0
        if np.all(np.isfinite(ref)):
            _close(xb.cross_entropy(x.numpy(), t.numpy(), **np_kw), ref, w, terms)
        else:
            with pytest.raises(ValueError, match="weight"):
                xb.cross_entropy(x.numpy(), t.numpy(), **np_kw)
        if ref_nll is not None:
            nkw = dict(weight=np.array(w), reduction=reduction, ignore_index=ignore_index)
            if torch.isfinite(ref_nll).all():
                _close(xb.nll_loss(logp.numpy(), t.numpy(), **nkw), ref_nll.numpy(), w, terms)
            else:
                with pytest.raises(ValueError, match="weight"):
                    xb.nll_loss(logp.numpy(), t.numpy(), **nkw)
        # the analytic gradient against autograd, where the loss is finite
        if np.all(np.isfinite(ref)):
            xg = x.clone().requires_grad_(True)
            (g,) = torch.autograd.grad(F.cross_entropy(xg, t, **kw).sum(), xg)
            grad = xb.cross_entropy_grad(x.numpy(), t.numpy(), **np_kw)
            np.testing.assert_allclose(grad, g.numpy(), rtol=1e-9, atol=1e-10 * terms)


_STRATEGY = dict(
    w=st.lists(HALVES, min_size=4, max_size=4),
    seed=st.integers(0, 2**16),
    shape_i=st.integers(0, len(SHAPES) - 1),
    soft=st.booleans(),
    eps=st.sampled_from([0.0, 0.1, 0.5]),
    ignore=st.booleans(),
)

# the failures of issue 17, replayed: negative weights refused; weights summing to 0 a silent NaN
test_cross_entropy_and_nll_loss_are_torch_or_refused = FAST(
    given(**_STRATEGY)(
        example(w=[-1.0, 2.0, -3.0, 0.5], seed=0, shape_i=0, soft=False, eps=0.0, ignore=False)(
            example(w=[1.0, -1.0, 1.0, -1.0], seed=1, shape_i=0, soft=False, eps=0.0, ignore=False)(
                example(w=[1.0, -1.0, 1.0, -1.0], seed=2, shape_i=1, soft=False, eps=0.1, ignore=True)(
                    example(w=[2.0, -2.0, 0.0, 0.0], seed=3, shape_i=0, soft=True, eps=0.1, ignore=False)(
                        example(w=[0.0, 0.0, 0.0, 0.0], seed=4, shape_i=2, soft=False, eps=0.0, ignore=False)(
                            _check
                        )
                    )
                )
            )
        )
    )
)
test_cross_entropy_and_nll_loss_are_torch_or_refused_randomized = RANDOM(given(**_STRATEGY)(_check))


def _check_binary(w, pw, seed):
    x = torch.testing.make_tensor((4, 3), dtype=torch.float64, device="cpu", low=-9, high=9)
    g = torch.Generator().manual_seed(seed)
    y = torch.rand((4, 3), generator=g, dtype=torch.float64)
    w_t, pw_t = torch.tensor(w[:3], dtype=torch.float64), torch.tensor(pw, dtype=torch.float64)
    for reduction in ("mean", "sum", "none"):
        ref = F.binary_cross_entropy_with_logits(x, y, weight=w_t, pos_weight=pw_t, reduction=reduction)
        ours = xb.binary_cross_entropy_with_logits(
            x.numpy(), y.numpy(), weight=np.array(w[:3]), pos_weight=np.array(pw), reduction=reduction
        )
        np.testing.assert_allclose(ours, ref.numpy(), rtol=1e-10, atol=1e-12)


_BINARY = dict(
    w=st.lists(HALVES, min_size=3, max_size=3),
    pw=st.lists(HALVES, min_size=3, max_size=3),
    seed=st.integers(0, 99),
)
test_bce_with_logits_is_torch_for_signed_weights = FAST(
    given(**_BINARY)(example(w=[-9.0, 0.0, 4.5], pw=[-1.0, 0.0, 9.0], seed=0)(_check_binary))
)
test_bce_with_logits_is_torch_for_signed_weights_randomized = RANDOM(given(**_BINARY)(_check_binary))
