"""An exact arithmetic coder in integer arithmetic (chapter 15).

The coder turns a sequence of symbols and, for each position, the model's
distribution quantised to integer frequencies that sum to ``2**precision``,
into a string of bits, and back. Its length ``L`` obeys (chapter 15)::

    sum_t -log2(f_t(x_t) / 2**precision)  <=  L  <=  that sum + 2 + n * eps,

with ``eps = -log2(1 - 2**(precision + 2 - STATE_BITS))`` (about ``1e-14`` bits
for the default 16-bit frequencies in a 64-bit state): the final interval's
width is at most the product of the quantised probabilities (integer
truncation only shrinks it), the emitted bits name a dyadic interval inside
it, and the flush adds two bits. The gap between the quantised model's code
length and the model's own cross-entropy is the quantisation cost, reported
apart by :func:`ideal_code_length`.

The coder is the classic one of Witten, Neal and Cleary (1987), with Python
integers (no overflow at any state width).
"""

from __future__ import annotations

import math

import numpy as np

from ._validation import as_float_array, as_index_array, check_int

__all__ = ["STATE_BITS", "quantise", "encode", "decode", "ideal_code_length", "overhead_bound"]

#: Bits of the coder's state (low and high are integers in [0, 2**STATE_BITS)).
STATE_BITS = 64
_TOP = (1 << STATE_BITS) - 1
_HALF = 1 << (STATE_BITS - 1)
_QUARTER = 1 << (STATE_BITS - 2)
_MAX_PRECISION = STATE_BITS - 4


def quantise(probs: np.ndarray, precision: int = 16) -> np.ndarray:
    """Integer frequencies ``f`` with ``f >= 1`` and ``sum f = 2**precision`` in each row.

    ``f = 1 + floor(q * (2**precision - V))``, the remainder added to the most
    probable symbol; every symbol keeps a nonzero frequency, so any text can be coded.

    Parameters
    ----------
    probs : array_like, shape (n, V) or (V,)
        Rows of probabilities (each summing to 1 within 1e-6).
    precision : int
        Bits of the frequency total, 1 <= precision <= STATE_BITS - 4; needs ``2**precision >= V``.

    Returns
    -------
    np.ndarray of int64, the shape of ``probs``
        The frequencies; each row sums to ``2**precision``.

    Raises
    ------
    TypeError
        If ``probs`` is not an array of real numbers or ``precision`` not an int.
    ValueError
        If ``probs`` is empty, has NaN/inf or rows that are not distributions, or
        ``precision`` is out of range or too small for ``V`` symbols.

    See Also
    --------
    encode : The coder that uses these frequencies (chapter 15).
    """
    precision = check_int(precision, "precision", 1, _MAX_PRECISION)
    q = as_float_array(probs, "probs").astype(np.float64)
    if q.ndim not in (1, 2) or q.size == 0 or q.shape[-1] == 0:
        raise ValueError(f"probs: expected a non-empty array of shape (n, V) or (V,), got shape {q.shape}")
    if not np.isfinite(q).all() or (q < 0).any():
        raise ValueError("probs: expected finite probabilities >= 0")
    if (np.abs(q.sum(axis=-1) - 1.0) > 1e-6).any():
        raise ValueError("probs: every row must sum to 1 (within 1e-6)")
    total = 1 << precision
    v = q.shape[-1]
    if total < v:
        raise ValueError(f"precision: 2**precision must be >= the number of symbols {v}, got {precision}")
    f = 1 + np.floor(np.minimum(q, 1.0) * (total - v)).astype(np.int64)
    rest = total - f.sum(axis=-1)
    rows = f.reshape(-1, v)
    rows[np.arange(rows.shape[0]), q.reshape(-1, v).argmax(axis=-1)] += np.asarray(rest).reshape(-1)
    return rows.reshape(q.shape)


def _check_freqs(freqs, name: str = "freqs") -> tuple[np.ndarray, int]:
    f = as_index_array(freqs, name)
    if f.ndim != 2 or f.shape[0] == 0 or f.shape[1] == 0:
        raise ValueError(f"{name}: expected a non-empty array of shape (n, V), got shape {f.shape}")
    if (f < 1).any() or (f > (1 << _MAX_PRECISION)).any():
        raise ValueError(f"{name}: every frequency must be in [1, 2**{_MAX_PRECISION}]")
    totals = f.sum(axis=1)
    total = int(totals[0])
    if (totals != total).any() or total & (total - 1) or total > (1 << _MAX_PRECISION):
        raise ValueError(f"{name}: every row must sum to the same power of two <= 2**{_MAX_PRECISION}")
    return f, total


def _check_symbols(symbols, n: int, v: int) -> np.ndarray:
    s = as_index_array(symbols, "symbols")
    if s.shape != (n,):
        raise ValueError(f"symbols: expected shape ({n},) to match freqs, got {s.shape}")
    if s.size and (s.min() < 0 or s.max() >= v):
        raise ValueError(f"symbols: expected values in [0, {v}), got [{int(s.min())}, {int(s.max())}]")
    return s


def encode(symbols: np.ndarray, freqs: np.ndarray) -> np.ndarray:
    """Arithmetic-code ``symbols`` with the per-position frequencies ``freqs``.

    Parameters
    ----------
    symbols : array_like of int, shape (n,)
        The text, symbol ``t`` in ``[0, V)``.
    freqs : array_like of int, shape (n, V)
        Row ``t``: the quantised model at position ``t`` (:func:`quantise`), every
        entry >= 1, every row summing to the same power of two.

    Returns
    -------
    np.ndarray of uint8, shape (L,)
        The code, one bit (0 or 1) per entry.

    Raises
    ------
    TypeError
        If an argument is not an integer array.
    ValueError
        If the shapes disagree, a symbol is out of range or ``freqs`` is not valid.

    See Also
    --------
    decode : The inverse.
    ideal_code_length : The bound's reference (chapter 15).
    """
    f, total = _check_freqs(freqs)
    s = _check_symbols(symbols, f.shape[0], f.shape[1])
    shift = total.bit_length() - 1
    cum = np.concatenate([np.zeros((f.shape[0], 1), np.int64), np.cumsum(f, axis=1)], axis=1)
    lo_c = cum[np.arange(f.shape[0]), s].tolist()
    hi_c = cum[np.arange(f.shape[0]), s + 1].tolist()
    low, high, pending = 0, _TOP, 0
    out: list[int] = []
    for c0, c1 in zip(lo_c, hi_c, strict=True):
        rng = high - low + 1
        high = low + ((rng * c1) >> shift) - 1
        low = low + ((rng * c0) >> shift)
        while True:
            if high < _HALF:
                out.append(0)
                out.extend([1] * pending)
                pending = 0
            elif low >= _HALF:
                out.append(1)
                out.extend([0] * pending)
                pending = 0
                low -= _HALF
                high -= _HALF
            elif low >= _QUARTER and high < _HALF + _QUARTER:
                pending += 1
                low -= _QUARTER
                high -= _QUARTER
            else:
                break
            low <<= 1
            high = (high << 1) | 1
    pending += 1
    if low < _QUARTER:
        out.append(0)
        out.extend([1] * pending)
    else:
        out.append(1)
        out.extend([0] * pending)
    return np.array(out, dtype=np.uint8)


def decode(bits: np.ndarray, freqs: np.ndarray) -> np.ndarray:
    """Decode ``bits`` (from :func:`encode`) into ``n = len(freqs)`` symbols.

    The decoder reads the frequencies of position ``t`` before it knows symbol
    ``t``; with a causal model they depend only on the symbols already decoded,
    so a decoder can recompute each row from its own output (here they are passed in).

    Parameters
    ----------
    bits : array_like of int, shape (L,)
        The code, entries 0 or 1 (bits past the end read as 0).
    freqs : array_like of int, shape (n, V)
        The same frequencies as the encoder's.

    Returns
    -------
    np.ndarray of int64, shape (n,)
        The decoded symbols, each in ``0 .. V - 1``.

    Raises
    ------
    TypeError
        If an argument is not an integer array.
    ValueError
        If ``bits`` has entries other than 0/1 or is not 1-D, or ``freqs`` is not valid.

    See Also
    --------
    encode : The inverse (chapter 15).
    """
    f, total = _check_freqs(freqs)
    b = as_index_array(bits, "bits")
    if b.ndim != 1:
        raise ValueError(f"bits: expected a 1-D array, got shape {b.shape}")
    if b.size and (b.min() < 0 or b.max() > 1):
        raise ValueError("bits: expected entries 0 or 1")
    shift = total.bit_length() - 1
    cum = np.concatenate([np.zeros((f.shape[0], 1), np.int64), np.cumsum(f, axis=1)], axis=1)
    stream = b.tolist()
    pos = 0

    def nxt() -> int:
        nonlocal pos
        bit = stream[pos] if pos < len(stream) else 0
        pos += 1
        return bit

    value = 0
    for _ in range(STATE_BITS):
        value = (value << 1) | nxt()
    low, high = 0, _TOP
    out = np.empty(f.shape[0], dtype=np.int64)
    for t in range(f.shape[0]):
        row = cum[t]
        rng = high - low + 1
        target = (((value - low + 1) << shift) - 1) // rng
        sym = int(np.searchsorted(row, target, side="right")) - 1
        sym = min(max(sym, 0), f.shape[1] - 1)
        c0, c1 = int(row[sym]), int(row[sym + 1])
        high = low + ((rng * c1) >> shift) - 1
        low = low + ((rng * c0) >> shift)
        out[t] = sym
        while True:
            if high < _HALF:
                pass
            elif low >= _HALF:
                low -= _HALF
                high -= _HALF
                value -= _HALF
            elif low >= _QUARTER and high < _HALF + _QUARTER:
                low -= _QUARTER
                high -= _QUARTER
                value -= _QUARTER
            else:
                break
            low <<= 1
            high = (high << 1) | 1
            value = (value << 1) | nxt()
    return out


def ideal_code_length(symbols: np.ndarray, probs: np.ndarray) -> float:
    """The summed cross-entropy ``sum_t -log2 q_t(x_t)`` in bits.

    With ``probs`` the quantised frequencies divided by their total this is the
    coder's lower bound; with the model's own probabilities it is the model's
    cross-entropy on the text (the difference is the quantisation cost).

    Parameters
    ----------
    symbols : array_like of int, shape (n,)
        The text, one symbol index in ``0 .. V - 1`` per position.
    probs : array_like, shape (n, V)
        Probabilities, or integer frequencies (each row divided by its sum).

    Returns
    -------
    float
        Bits (``inf`` where a symbol has probability 0).

    Raises
    ------
    TypeError
        If an argument is not an array of numbers.
    ValueError
        If the shapes disagree, a symbol is out of range, or ``probs`` has NaN,
        inf or negative entries or an all-zero row.

    See Also
    --------
    encode : Whose length this bounds (chapter 15).
    """
    p = as_float_array(probs, "probs").astype(np.float64)
    if p.ndim != 2 or p.shape[0] == 0 or p.shape[1] == 0:
        raise ValueError(f"probs: expected a non-empty array of shape (n, V), got shape {p.shape}")
    if not np.isfinite(p).all() or (p < 0).any():
        raise ValueError("probs: expected finite entries >= 0")
    with np.errstate(over="ignore"):
        totals = p.sum(axis=1)
    if (totals <= 0).any() or not np.isfinite(totals).all():
        raise ValueError("probs: every row must have a positive finite sum")
    s = _check_symbols(symbols, p.shape[0], p.shape[1])
    picked = p[np.arange(p.shape[0]), s]
    if (picked == 0).any():
        return math.inf
    return float(-(np.log2(picked) - np.log2(totals)).sum())


def overhead_bound(n: int, precision: int = 16) -> float:
    """The coder's overhead bound in bits: ``2 + n * eps`` (see the module docstring).

    Parameters
    ----------
    n : int
        Number of symbols coded (0 to 2**62).
    precision : int
        Bits of the frequency total used by :func:`quantise`.

    Returns
    -------
    float
        Bits.

    Raises
    ------
    TypeError
        If an argument is not an int.
    ValueError
        If ``n < 0`` or ``precision`` is out of range.

    See Also
    --------
    encode : The coder whose length is bounded (chapter 15).
    """
    n = check_int(n, "n", 0, 2**62)
    precision = check_int(precision, "precision", 1, _MAX_PRECISION)
    eps = -math.log1p(-(2.0 ** (precision + 2 - STATE_BITS))) / math.log(2)
    return 2.0 + n * eps
