"""xent_book.lm against independent references: PyTorch's cross_entropy, counting in Python
dicts, a pure-Python byte-pair tokeniser, a sorted-list top-k/top-p (chapter 15)."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from xent_book import lm
from xent_book.activations import logsumexp, softmax


def _batch(seed, b=4, t=7, v=5):
    rng = np.random.default_rng(seed)
    z = rng.normal(size=(b, t, v)) * 3
    y = rng.integers(0, v, (b, t))
    lengths = rng.integers(1, t + 1, b)
    for i, n in enumerate(lengths):
        y[i, n:] = -100
    return z, y, lengths


@pytest.mark.parametrize("seed", range(10))
def test_next_token_loss_matches_torch(seed):
    z, y, lengths = _batch(seed)
    zt, yt = torch.from_numpy(z[:, :-1]).reshape(-1, z.shape[-1]), torch.from_numpy(y[:, 1:]).reshape(-1)
    if (yt != -100).any():
        ref = F.cross_entropy(zt, yt, ignore_index=-100).item()
        assert lm.next_token_cross_entropy(z, y) == pytest.approx(ref, rel=1e-12)
    ref_sum = F.cross_entropy(zt, yt, ignore_index=-100, reduction="sum").item()
    assert lm.next_token_cross_entropy(z, y, reduction="sum") == pytest.approx(ref_sum, rel=1e-12, abs=1e-12)
    none = lm.next_token_cross_entropy(z, y, reduction="none")
    per = F.cross_entropy(zt, yt, ignore_index=-100, reduction="none").reshape(none.shape).numpy()
    np.testing.assert_allclose(none, per, rtol=1e-12, atol=1e-15)
    seq = [per[i, : n - 1].mean() for i, n in enumerate(lengths) if n > 1]
    got = lm.next_token_cross_entropy(z, y, reduction="sequence_mean")
    assert (np.isnan(got) and not seq) or got == pytest.approx(np.mean(seq), rel=1e-12)


def test_all_padding_gives_nan_mean():
    z = np.zeros((2, 3, 4))
    y = np.full((2, 3), -100)
    assert np.isnan(lm.next_token_cross_entropy(z, y))
    assert lm.next_token_cross_entropy(z, y, reduction="sum") == 0.0


@pytest.mark.parametrize("order", [1, 2, 3])
def test_ngram_matches_dict_counts(order):
    rng = np.random.default_rng(order)
    v = 6
    train, target = rng.integers(0, v, 300), rng.integers(0, v, 50)
    k = 0.5
    got = lm.ngram_log_probs(train, target, order=order, k=k, vocab_size=v)
    pad = [0] * (order - 1)
    tr = pad + train.tolist()
    counts = Counter(tuple(tr[i : i + order]) for i in range(len(train)))
    tg = pad + target.tolist()
    for t in range(len(target)):
        ctx = tuple(tg[t : t + order - 1])
        row = np.array([counts[ctx + (x,)] for x in range(v)], dtype=float)
        np.testing.assert_allclose(got[t], np.log((row + k) / (row.sum() + k * v)), rtol=1e-12)


def _naive_bpe(ids, n_merges, base):
    ids = list(ids)
    merges = []
    for m in range(n_merges):
        pairs = Counter(zip(ids, ids[1:], strict=False))
        if not pairs or max(pairs.values()) < 2:
            break
        best = max(pairs.items(), key=lambda kv: (kv[1], -kv[0][0], -kv[0][1]))[0]
        merges.append(best)
        out, i = [], 0
        while i < len(ids):
            if i + 1 < len(ids) and (ids[i], ids[i + 1]) == best:
                out.append(base + m)
                i += 2
            else:
                out.append(ids[i])
                i += 1
        ids = out
    return merges, ids


def test_merges_match_naive_bpe_and_round_trip():
    data = np.frombuffer(lm.load_corpus(3000, start=1000), dtype=np.uint8).astype(np.int64)
    merges = lm.learn_merges(data, 40)
    ref_merges, ref_ids = _naive_bpe(data.tolist(), 40, 256)
    assert [tuple(m) for m in merges.tolist()] == ref_merges
    ids = lm.apply_merges(data, merges)
    assert ids.tolist() == ref_ids
    table = {i: [i] for i in range(256)}
    for m, (a, b) in enumerate(merges.tolist()):
        table[256 + m] = table[a] + table[b]
    assert sum((table[i] for i in ids.tolist()), []) == data.tolist()
    assert lm.apply_merges(np.array([7, 7, 7]), np.array([[7, 7]]), vocab_size=8).tolist() == [8, 7]


def _naive_filter(z, t, k, p):
    q = torch.softmax(torch.tensor(z) / t, -1).numpy()
    idx = sorted(range(len(q)), key=lambda i: (-q[i], i))
    keep = idx[:k] if k else idx
    if p is not None:
        out, mass = [], 0.0
        for i in keep:
            out.append(i)
            mass += q[i]
            if mass >= p:
                break
        keep = out
    r = np.zeros_like(q)
    r[keep] = q[keep]
    return r / r.sum()


@pytest.mark.parametrize("seed", range(20))
def test_sampling_distribution_matches_sorted_reference(seed):
    rng = np.random.default_rng(seed)
    z = rng.normal(size=9) * 2
    t = float(rng.choice([0.3, 1.0, 2.5]))
    k = int(rng.integers(1, 10)) if seed % 2 else None
    p = float(rng.choice([0.3, 0.7, 0.95])) if seed % 3 else None
    np.testing.assert_allclose(
        lm.sampling_distribution(z, temperature=t, top_k=k, top_p=p), _naive_filter(z, t, k, p), atol=1e-12
    )


def test_corpus_is_the_stdlib_text():
    from pydoc_data import topics

    text = lm.load_corpus()
    assert text.decode("utf-8") == "".join(topics.topics[k] for k in sorted(topics.topics))
    assert lm.load_corpus(10, start=5) == text[5:15]


# ---- the z-loss and logit soft-capping (chapter 15's tricks), against PyTorch and mpmath


@pytest.mark.parametrize("seed", range(5))
def test_z_loss_and_its_gradient_match_torch(seed):
    rng = np.random.default_rng(seed)
    z = rng.normal(scale=5.0, size=(3, 7, 50))
    alpha = 10.0 ** rng.uniform(-5, -1)
    t = torch.tensor(z, requires_grad=True)
    ref = alpha * (torch.logsumexp(t, -1) ** 2).mean()
    ref.backward()
    assert lm.z_loss(z, alpha) == pytest.approx(float(ref.detach()), rel=1e-13)
    # the gradient the chapter states: 2 alpha log Z softmax(z) / N, N positions
    n = z.size // z.shape[-1]
    grad = 2 * alpha * logsumexp(z, axis=-1)[..., None] * softmax(z, axis=-1) / n
    np.testing.assert_allclose(grad, t.grad.numpy(), rtol=1e-12, atol=1e-300)


def test_z_loss_edge_cases():
    assert lm.z_loss(np.zeros((4, 1))) == 0.0  # one token: log Z = 0
    assert lm.z_loss(np.full((2, 3), -800.0), 1.0) == pytest.approx(
        (-800 + np.log(3)) ** 2, rel=1e-14
    )  # no underflow
    assert lm.z_loss(np.array([[1e4, 0.0]]), 0.0) == 0.0
    with pytest.raises(ValueError, match="logits"):
        lm.z_loss(np.array([1.0, np.inf]))
    with pytest.raises(ValueError, match="logits"):
        lm.z_loss(np.zeros((0, 3)))
    with pytest.raises(ValueError, match="coefficient"):
        lm.z_loss(np.zeros(3), -1e-4)
    with pytest.raises(TypeError, match="coefficient"):
        lm.z_loss(np.zeros(3), "1e-4")


def test_soft_cap_matches_mpmath_and_torch():
    import mpmath

    z = np.array([-1e4, -300.0, -30.0, -1.0, -1e-8, 0.0, 1e-300, 0.5, 29.9, 30.0, 90.0, 1e4])
    for c in (3.0, 30.0, 50.0):
        got = lm.soft_cap(z, c)
        with mpmath.workdps(50):
            ref = [float(mpmath.mpf(c) * mpmath.tanh(mpmath.mpf(x) / c)) for x in z]
        np.testing.assert_allclose(got, ref, rtol=5e-16, atol=0)  # tanh and the product: about 2 ULPs
        t = torch.tensor(z, requires_grad=True)
        (c * torch.tanh(t / c)).sum().backward()
        assert np.all(np.abs(got) <= c) and np.all(np.sign(got) == np.sign(z))
        # the derivative 1 - tanh^2(z / c) = sech^2(z / c) is below 4 exp(-2|z| / c), nearly equal to it
        # for |z| >> c (torch's 1 - tanh^2 cancels there: a relative slack of 1e-6)
        d = t.grad.numpy()
        assert np.all(d <= 4 * np.exp(-2 * np.abs(z) / c) * (1 + 1e-6))


def test_soft_cap_refuses_bad_input():
    with pytest.raises(ValueError, match="cap"):
        lm.soft_cap([1.0], 0.0)
    with pytest.raises(ValueError, match="cap"):
        lm.soft_cap([1.0], float("inf"))
    with pytest.raises(ValueError, match="logits"):
        lm.soft_cap([np.nan], 30.0)
    with pytest.raises(TypeError, match="cap"):
        lm.soft_cap([1.0], None)
