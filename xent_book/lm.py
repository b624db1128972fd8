"""Cross-entropy in language models (chapter 15): the loss of a sequence, a corpus on every
machine, n-gram baselines, a pair tokeniser, the sampling transforms, and two tricks of
large-model training that change the loss (the z-loss and logit soft-capping).

NumPy, float64 inside.
"""

from __future__ import annotations

import numpy as np

from ._validation import (
    as_float_array,
    as_index_array,
    check_choice,
    check_finite,
    check_ignore_index,
    check_int,
    check_logits,
    check_positive,
    check_probability_scalar,
)
from .activations import log_softmax, logsumexp

__all__ = [
    "load_corpus",
    "next_token_cross_entropy",
    "ngram_log_probs",
    "learn_merges",
    "apply_merges",
    "sampling_distribution",
    "z_loss",
    "soft_cap",
]

_REDUCTIONS = ("mean", "sequence_mean", "sum", "none")


def load_corpus(n_bytes: int | None = None, start: int = 0) -> bytes:
    """Return Python's own documentation text (``pydoc_data.topics``, standard library) as UTF-8 bytes.

    The topics are joined in sorted key order, so the text is the same on every
    machine with the same Python minor version.

    Parameters
    ----------
    n_bytes : int or None
        Length of the slice (None: to the end).
    start : int
        First byte of the slice (>= 0).

    Returns
    -------
    bytes
        The slice ``[start, start + n_bytes)`` of the text's UTF-8 encoding.

    Raises
    ------
    TypeError
        If ``n_bytes`` or ``start`` is not an int.
    ValueError
        If either is negative or the slice runs past the end of the text.

    See Also
    --------
    ngram_log_probs : The baselines trained on it (chapter 15).
    """
    from pydoc_data import topics

    start = check_int(start, "start", 0)
    text = "".join(topics.topics[k] for k in sorted(topics.topics)).encode("utf-8")
    if n_bytes is None:
        if start > len(text):
            raise ValueError(f"start: expected <= {len(text)}, got {start}")
        return text[start:]
    n_bytes = check_int(n_bytes, "n_bytes", 0)
    if start + n_bytes > len(text):
        raise ValueError(f"n_bytes: start + n_bytes must be <= {len(text)}, got {start + n_bytes}")
    return text[start : start + n_bytes]


def next_token_cross_entropy(
    logits: np.ndarray, tokens: np.ndarray, ignore_index: int = -100, reduction: str = "mean"
) -> np.ndarray:
    """Next-token cross-entropy of a batch of sequences, targets shifted inside.

    ``loss[b, t] = -log softmax(logits[b, t])[tokens[b, t + 1]]`` for ``t < T - 1``;
    positions whose target equals ``ignore_index`` (padding) are left out.

    Parameters
    ----------
    logits : array_like, shape (B, T, V)
        Position ``t``'s logits predict token ``t + 1``.
    tokens : array_like of int, shape (B, T)
        The sequences, padded with ``ignore_index``.
    ignore_index : int
        The padding value.
    reduction : {'mean', 'sequence_mean', 'sum', 'none'}
        'mean': over all real target tokens (``F.cross_entropy``'s mean on the
        flattened batch); 'sequence_mean': the mean of each sequence's mean (sequences
        without a target are left out); 'sum'; 'none': shape (B, T - 1), 0 where ignored.

    Returns
    -------
    np.ndarray (float64)
        Nats; NaN for a mean with no real target.

    Raises
    ------
    TypeError
        If an argument has the wrong type.
    ValueError
        If the shapes disagree, a target is out of range, ``logits`` is not finite,
        or ``reduction`` is unknown.

    See Also
    --------
    xent_book.losses.cross_entropy : The per-token loss (chapter 15).
    """
    reduction = check_choice(reduction, "reduction", _REDUCTIONS)
    ignore_index = check_ignore_index(ignore_index)
    z = as_float_array(logits, "logits").astype(np.float64)
    check_finite(z, "logits")
    y = as_index_array(tokens, "tokens")
    if z.ndim != 3 or z.shape[-1] == 0:
        raise ValueError(f"logits: expected shape (B, T, V) with V >= 1, got {z.shape}")
    if y.shape != z.shape[:2]:
        raise ValueError(f"tokens: expected shape {z.shape[:2]} to match logits, got {y.shape}")
    target = y[:, 1:]
    keep = target != ignore_index
    v = z.shape[-1]
    if keep.any() and (target[keep].min() < 0 or target[keep].max() >= v):
        raise ValueError(f"tokens: expected values in [0, {v}) or ignore_index")
    if keep.size:
        logp = np.asarray(log_softmax(z[:, :-1], axis=-1), dtype=np.float64)
        picked = np.take_along_axis(logp, np.where(keep, target, 0)[..., None], axis=-1)[..., 0]
    else:
        picked = np.zeros(keep.shape)
    loss = np.where(keep, -picked, 0.0)
    if reduction == "none":
        return loss
    if reduction == "sum":
        return np.float64(loss.sum())
    if reduction == "mean":
        count = keep.sum()
        return np.float64(loss.sum() / count) if count else np.float64(np.nan)
    lengths = keep.sum(axis=1)
    has = lengths > 0
    if not has.any():
        return np.float64(np.nan)
    return np.float64((loss.sum(axis=1)[has] / lengths[has]).mean())


def _contexts(padded: np.ndarray, order: int, vocab_size: int, n: int) -> np.ndarray:
    key = np.zeros(n, dtype=np.int64)
    for j in range(order - 1):
        key = key * vocab_size + padded[j : j + n]
    return key


def ngram_log_probs(
    train: np.ndarray, target: np.ndarray, order: int, k: float = 1.0, vocab_size: int = 256
) -> np.ndarray:
    """Add-k smoothed n-gram model: ``q(x | c) = (count(c, x) + k) / (count(c) + k V)``.

    The context of position ``t`` is the ``order - 1`` symbols before it, the
    text padded in front with symbol 0 (both in ``train`` and in ``target``).

    Parameters
    ----------
    train : array_like of int, shape (N,)
        Training symbols in ``[0, vocab_size)``.
    target : array_like of int, shape (n,)
        The text to predict.
    order : int
        1 (unigram) to 4.
    k : float
        Pseudo-count, 0 < k <= 1e6.
    vocab_size : int
        V, 1 to 65536.

    Returns
    -------
    np.ndarray of float64, shape (n, V)
        Row ``t``: log q(. | context of t), nats.

    Raises
    ------
    TypeError
        If an argument has the wrong type.
    ValueError
        If a symbol is out of range, an array is not 1-D, or ``order``, ``k`` or
        ``vocab_size`` is out of range.

    See Also
    --------
    next_token_cross_entropy : The loss of these models (chapter 15).
    """
    order = check_int(order, "order", 1, 4)
    k = check_positive(k, "k")
    if k > 1e6:
        raise ValueError(f"k: expected a pseudo-count <= 1e6, got {k!r}")
    vocab_size = check_int(vocab_size, "vocab_size", 1, 65536)
    arrays = []
    for name, a in (("train", train), ("target", target)):
        x = as_index_array(a, name)
        if x.ndim != 1:
            raise ValueError(f"{name}: expected a 1-D array, got shape {x.shape}")
        if x.size and (x.min() < 0 or x.max() >= vocab_size):
            raise ValueError(f"{name}: expected symbols in [0, {vocab_size})")
        arrays.append(x)
    tr, tg = arrays
    pad = np.zeros(order - 1, dtype=np.int64)
    c_tr = _contexts(np.concatenate([pad, tr]), order, vocab_size, tr.size)
    c_tg = _contexts(np.concatenate([pad, tg]), order, vocab_size, tg.size)
    rows, inv = np.unique(c_tg, return_inverse=True)
    counts = np.zeros((rows.size, vocab_size), dtype=np.float64)
    if rows.size and tr.size:
        pos = np.clip(np.searchsorted(rows, c_tr), 0, rows.size - 1)
        hit = rows[pos] == c_tr
        np.add.at(counts, (pos[hit], tr[hit]), 1.0)
    logq = np.log(counts + k) - np.log(counts.sum(axis=1, keepdims=True) + k * vocab_size)
    return logq[inv.reshape(-1)] if tg.size else np.zeros((0, vocab_size))


def learn_merges(tokens: np.ndarray, n_merges: int, vocab_size: int = 256) -> np.ndarray:
    """Byte-pair merges: repeatedly fuse the most frequent adjacent pair into a new token.

    Merge ``m`` creates token ``vocab_size + m``; ties go to the smallest pair code.

    Parameters
    ----------
    tokens : array_like of int, shape (N,)
        Symbols in ``[0, vocab_size)`` (e.g. bytes).
    n_merges : int
        Number of merges, 0 to 4096 (fewer if no pair repeats).
    vocab_size : int
        The base vocabulary (1 to 65536).

    Returns
    -------
    np.ndarray of int64, shape (M, 2)
        The merged pairs in order.

    Raises
    ------
    TypeError
        If an argument has the wrong type.
    ValueError
        If ``tokens`` is not 1-D or has out-of-range symbols, or ``n_merges``
        or ``vocab_size`` is out of range.

    See Also
    --------
    apply_merges : Tokenise another text with these merges (chapter 15).
    """
    n_merges = check_int(n_merges, "n_merges", 0, 4096)
    vocab_size = check_int(vocab_size, "vocab_size", 1, 65536)
    x = _check_ids(tokens, "tokens", vocab_size)
    merges = []
    for m in range(n_merges):
        if x.size < 2:
            break
        big = vocab_size + n_merges
        codes = x[:-1] * big + x[1:]
        uniq, cnt = np.unique(codes, return_counts=True)
        if cnt.max() < 2:
            break
        best = int(uniq[np.argmax(cnt)])
        pair = (best // big, best % big)
        merges.append(pair)
        x = _merge(x, pair, vocab_size + m)
    return np.array(merges, dtype=np.int64).reshape(-1, 2)


def _check_ids(tokens, name: str, vocab_size: int) -> np.ndarray:
    x = as_index_array(tokens, name)
    if x.ndim != 1:
        raise ValueError(f"{name}: expected a 1-D array, got shape {x.shape}")
    if x.size and (x.min() < 0 or x.max() >= vocab_size):
        raise ValueError(f"{name}: expected symbols in [0, {vocab_size})")
    return x


def _merge(x: np.ndarray, pair: tuple[int, int], new: int) -> np.ndarray:
    a, b = pair
    hits = np.flatnonzero((x[:-1] == a) & (x[1:] == b))
    take = []
    last = -2
    for i in hits.tolist():  # left to right, no overlaps ("aaa" -> "Xa")
        if i > last + 1:
            take.append(i)
            last = i
    if not take:
        return x
    take = np.array(take)
    out = x.copy()
    out[take] = new
    drop = np.zeros(x.size, dtype=bool)
    drop[take + 1] = True
    return out[~drop]


def apply_merges(tokens: np.ndarray, merges: np.ndarray, vocab_size: int = 256) -> np.ndarray:
    """Tokenise with learned merges, applied in order (merge ``m`` makes token ``vocab_size + m``).

    Parameters
    ----------
    tokens : array_like of int, shape (N,)
        Symbols in ``[0, vocab_size)``.
    merges : array_like of int, shape (M, 2)
        From :func:`learn_merges` (pair entries < ``vocab_size + m`` for merge ``m``).
    vocab_size : int
        The base vocabulary.

    Returns
    -------
    np.ndarray of int64, shape (N',)
        Token ids in ``[0, vocab_size + M)``.

    Raises
    ------
    TypeError
        If an argument has the wrong type.
    ValueError
        If the shapes or values are out of range.

    See Also
    --------
    learn_merges : Where the merges come from (chapter 15).
    """
    vocab_size = check_int(vocab_size, "vocab_size", 1, 65536)
    x = _check_ids(tokens, "tokens", vocab_size)
    mg = as_index_array(merges, "merges")
    if mg.ndim != 2 or mg.shape[1] != 2 or mg.shape[0] > 4096:
        raise ValueError(f"merges: expected shape (M, 2) with M <= 4096, got {mg.shape}")
    for m, (a, b) in enumerate(mg.tolist()):
        if not (0 <= a < vocab_size + m and 0 <= b < vocab_size + m):
            raise ValueError(f"merges: pair {m} refers to a token not yet made")
        if x.size >= 2:
            x = _merge(x, (a, b), vocab_size + m)
    return x


def sampling_distribution(
    logits: np.ndarray, temperature: float = 1.0, top_k: int | None = None, top_p: float | None = None
) -> np.ndarray:
    r"""The distribution a sampler draws from: softmax(z / T), then top-k, then top-p, renormalised.

    .. math::
        q = \operatorname{softmax}(z / T), \qquad
        K = \{\text{the } k \text{ largest } q_i\} \cap
            \{i : \textstyle\sum_{j \text{ ranked above } i} q_j < p\}, \qquad
        \tilde q_i = \frac{q_i\,[i \in K]}{\sum_{j \in K} q_j}

    top-k keeps the ``k`` most probable tokens (Fan et al. 2018); top-p (nucleus,
    Holtzman et al. 2020) keeps the smallest set of most probable tokens whose
    probability reaches ``p``. Tokens are ranked by logit, ties broken by index;
    the most probable token is always kept. Applied to the last axis.

    Parameters
    ----------
    logits : array_like, shape (..., V)
        Next-token logits ``z``, the vocabulary on the last axis.
    temperature : float
        T > 0.
    top_k : int or None
        1 <= k; None (or k >= V) keeps all.
    top_p : float or None
        0 < p <= 1; None (or p = 1) keeps all.

    Returns
    -------
    np.ndarray of float64, shape of ``logits``
        The renormalised distribution: each row sums to 1 and is 0 outside the kept tokens.

    Raises
    ------
    TypeError
        If an argument has the wrong type.
    ValueError
        If ``logits`` is empty, has NaN/+inf or a row of only -inf, or a knob is out of range.

    See Also
    --------
    xent_book.activations.softmax : The distribution before the filters (chapter 15).
    """
    q, keep = _sampling_parts(logits, temperature, top_k, top_p)
    q = np.where(keep, q, 0.0)
    return q / q.sum(axis=-1, keepdims=True)


def _sampling_parts(logits, temperature, top_k, top_p) -> tuple[np.ndarray, np.ndarray]:
    """The checked arguments' ``softmax(z / T)`` and the mask of the tokens top-k and top-p keep.

    The one home of the filters: :func:`sampling_distribution` renormalises ``q`` on the mask, and
    ``xent_book.widgets.sampling_values`` reads the kept count and mass from it.
    """
    temperature = check_positive(temperature, "temperature")
    z = as_float_array(logits, "logits").astype(np.float64)
    check_logits(z, "logits")
    if z.ndim == 0 or z.size == 0:
        raise ValueError(f"logits: expected a non-empty array with a class axis, got shape {z.shape}")
    if np.isneginf(z).all(axis=-1).any():
        raise ValueError("logits: a row has only -inf entries")
    if top_k is not None:
        top_k = check_int(top_k, "top_k", 1)
    if top_p is not None:
        top_p = check_probability_scalar(top_p, "top_p", low_open=True)
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        shifted = (z - z.max(axis=-1, keepdims=True)) / temperature  # <= 0: no overflow for tiny T
        q = np.exp(np.asarray(log_softmax(shifted, axis=-1), dtype=np.float64))
    v = z.shape[-1]
    # ranked by logit (the order of q at any T; ties, and tokens whose q underflows to 0, by index)
    order = np.argsort(-z, axis=-1, kind="stable")
    sq = np.take_along_axis(q, order, axis=-1)
    keep_sorted = np.ones_like(sq, dtype=bool)
    if top_k is not None and top_k < v:
        keep_sorted[..., top_k:] = False
    if top_p is not None and top_p < 1:  # p = 1 keeps all (not only the tokens before 1 - 1e-12)
        before = np.cumsum(sq, axis=-1) - sq  # mass of the tokens ranked above
        keep_sorted &= before < top_p * (1 - 1e-12)
        keep_sorted[..., 0] = True
    keep = np.zeros_like(keep_sorted)
    np.put_along_axis(keep, order, keep_sorted, axis=-1)
    return q, keep


def z_loss(logits: np.ndarray, coefficient: float = 1e-4) -> float:
    r"""The z-loss: a penalty on the log-normaliser of the softmax, averaged over positions.

    .. math::
        \alpha \, \frac{1}{N} \sum_{i=1}^{N} (\log Z_i)^2, \qquad
        \log Z_i = \log \sum_{v} e^{z_{iv}}

    added to the cross-entropy, it pulls every :math:`\log Z_i` towards 0 without changing the
    softmax's minimiser in the limit of a small :math:`\alpha` (PaLM uses :math:`\alpha = 10^{-4}`).
    Its gradient, :math:`2 \alpha \log Z_i \, \operatorname{softmax}(z_i) / N`, moves all the
    logits of a position together, which the cross-entropy's own gradient (summing to 0) never does.

    Parameters
    ----------
    logits : array_like, shape (..., V)
        Finite logits, the vocabulary on the last axis; every other axis is a position.
    coefficient : float, default 1e-4
        :math:`\alpha \ge 0`.

    Returns
    -------
    float
        The penalty, in nats squared times :math:`\alpha`.

    Raises
    ------
    TypeError
        ``logits`` not an array of real numbers, or ``coefficient`` not a real number.
    ValueError
        ``logits`` empty, 0-d or not finite; ``coefficient`` negative or not finite; a penalty
        beyond float64's range (logits of about 1e154 or more).

    See Also
    --------
    xent_book.activations.logsumexp : The stable :math:`\log Z`.

    Notes
    -----
    Chapter 15 (tricks of large-model training).
    """
    z = as_float_array(logits, "logits")
    if z.ndim == 0 or z.size == 0:
        raise ValueError(f"logits: expected a non-empty array of shape (..., V), got shape {z.shape}")
    check_finite(z, "logits")
    alpha = check_positive(coefficient, "coefficient", allow_zero=True)
    log_z = logsumexp(z, axis=-1)
    with np.errstate(over="ignore"):
        penalty = float(alpha * np.mean(log_z**2))
    if not np.isfinite(penalty):  # finite input whose penalty exceeds float64: no silent inf
        raise ValueError(
            f"logits, coefficient: the z-loss overflows float64 (|log Z| up to {float(np.abs(log_z).max()):.3g}, "
            f"coefficient {alpha:.3g}); expected smaller logits or a smaller coefficient"
        )
    return penalty


def soft_cap(logits: np.ndarray, cap: float) -> np.ndarray:
    r"""Logit soft-capping: :math:`c \tanh(z / c)`, elementwise.

    Near 0 it is the identity (:math:`c \tanh(z/c) = z - z^3 / (3c^2) + \dots`); every output lies
    in :math:`(-c, c)`. Its derivative :math:`1 - \tanh^2(z / c) \le 4 e^{-2|z|/c}` vanishes for
    :math:`|z| \gg c`, so a capped logit far beyond the cap receives almost no gradient. Gemma 2
    caps its final logits at :math:`c = 30`.

    Parameters
    ----------
    logits : array_like
        Finite logits, any shape.
    cap : float
        :math:`c > 0`.

    Returns
    -------
    numpy.ndarray
        The shape and dtype of ``logits`` (float16, float32 or float64; float64 for integer
        input), computed in float64.

    Raises
    ------
    TypeError
        ``logits`` not an array of real numbers, or ``cap`` not a real number.
    ValueError
        ``logits`` not finite, or ``cap`` not a finite number > 0.

    Notes
    -----
    Chapter 15 (tricks of large-model training).
    """
    z = as_float_array(logits, "logits")
    check_finite(z, "logits")
    c = check_positive(cap, "cap")
    with np.errstate(over="ignore"):  # z / c beyond float64 (a tiny cap): tanh(+-inf) = +-1, exact
        return (c * np.tanh(z.astype(np.float64) / c)).astype(z.dtype)  # float64 inside
