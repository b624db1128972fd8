"""Input checks shared by the public functions.

Every public function validates its arguments once, here, and raises a
``ValueError`` (or ``TypeError`` for a wrong type) whose message starts with
the argument's name as the caller wrote it (``"input: ..."``) and says what was
expected. Internal helpers and the private kernels (``_``-prefixed functions
documented as *unchecked*) trust their inputs.

Conventions
-----------
* Floating inputs keep their dtype (float16, float32, float64); integers and
  booleans become float64. Computation happens in float64 and results are cast
  back to the input's dtype (:func:`cast_result`), which is what "an
  accumulator of adequate precision" means in this package.
* A distribution must have entries in [0, 1] and sum to 1 along its axis
  within ``SUM_TOLERANCE[dtype]``.
* Scalars: a bool is never accepted as a number, a str never as anything but a
  choice, and an integer too large for a float is refused (not an OverflowError).
* Class indices: any integer dtype, unsigned included; a value that does not
  fit in int64 is refused instead of wrapping around.

Layout: the core checkers come first; the sections at the end (marked
``# --- <area> ---``) hold checkers used by one area of the package.
"""

from __future__ import annotations

import math
import numbers

import numpy as np

#: Tolerance on ``|sum(p) - 1|`` for a row of a probability distribution.
SUM_TOLERANCE = {
    np.dtype(np.float16): 1e-2,
    np.dtype(np.float32): 1e-4,
    np.dtype(np.float64): 1e-6,
}

#: Tolerance on a probability slightly outside [0, 1] (rounding only).
RANGE_TOLERANCE = {
    np.dtype(np.float16): 1e-3,
    np.dtype(np.float32): 1e-6,
    np.dtype(np.float64): 1e-12,
}

FLOAT_DTYPES = (np.float16, np.float32, np.float64)
_FLOAT_DTYPES = tuple(np.dtype(d) for d in FLOAT_DTYPES)
_INT64_INFO = np.iinfo(np.int64)


def as_array(x, name: str, what: str) -> np.ndarray:
    """``np.asarray(x)``, refusing what is not an array of numbers (None, str, ragged lists)."""
    if x is None or isinstance(x, (str, bytes, dict, set)):
        raise TypeError(f"{name}: expected {what}, got {type(x).__name__}")
    try:
        return np.asarray(x)
    except (ValueError, TypeError, OverflowError) as exc:  # ragged lists, huge Python ints
        raise ValueError(
            f"{name}: expected {what} of a rectangular shape (not a ragged nested list)"
        ) from exc
    except RuntimeError as exc:  # e.g. a torch tensor that requires grad
        raise TypeError(
            f"{name}: expected {what}, got a {type(x).__name__} that NumPy cannot read ({exc})"
        ) from exc


def as_float_array(x, name: str) -> np.ndarray:
    """Return ``x`` as a floating array; float16/32/64 keep their dtype, integers and bools become float64."""
    arr = as_array(x, name, "an array of real numbers")
    if arr.dtype in _FLOAT_DTYPES:
        return arr
    if arr.dtype.kind in "fbiu":
        with np.errstate(over="ignore"):  # float128 beyond float64's range becomes inf, then refused
            return arr.astype(np.float64)
    raise TypeError(f"{name}: expected an array of real numbers, got dtype {arr.dtype}")


def as_index_array(x, name: str) -> np.ndarray:
    """Return ``x`` as an int64 array of class indices (any integer dtype; no wraparound)."""
    arr = as_array(x, name, "integer class indices")
    if arr.dtype.kind not in "iu":
        if arr.dtype.kind == "f":
            raise TypeError(
                f"{name}: class indices must have an integer dtype, got {arr.dtype} "
                "(for class probabilities pass an array with the same shape as input)"
            )
        raise TypeError(f"{name}: expected integer class indices, got dtype {arr.dtype}")
    if arr.dtype == np.uint64 and arr.size and arr.max() > _INT64_INFO.max:
        raise ValueError(f"{name}: class index {int(arr.max())} is out of range (it does not fit in int64)")
    return arr.astype(np.int64)


def check_no_nan(x: np.ndarray, name: str) -> None:
    if np.isnan(x).any():
        raise ValueError(f"{name}: contains NaN")


def check_finite(x: np.ndarray, name: str) -> None:
    check_no_nan(x, name)
    if np.isinf(x).any():
        raise ValueError(f"{name}: expected finite values, found inf")


def check_logits(x: np.ndarray, name: str) -> None:
    """Logits may be -inf (a masked class) but never NaN or +inf."""
    check_no_nan(x, name)
    if np.isposinf(x).any():
        raise ValueError(f"{name}: expected logits < +inf, found +inf")


def check_nonempty(x: np.ndarray, name: str) -> None:
    if x.size == 0:
        raise ValueError(f"{name}: expected a non-empty array, got shape {x.shape}")


def check_in_unit_interval(x: np.ndarray, name: str) -> None:
    check_no_nan(x, name)
    tol = RANGE_TOLERANCE.get(x.dtype, 1e-12)
    if x.size and (x.min() < -tol or x.max() > 1 + tol):
        raise ValueError(
            f"{name}: expected probabilities in [0, 1], got values in [{float(x.min()):.6g}, {float(x.max()):.6g}]"
        )


def check_distribution(x: np.ndarray, name: str, axis: int = -1) -> None:
    """Entries in [0, 1] summing to 1 along ``axis`` (within SUM_TOLERANCE)."""
    check_in_unit_interval(x, name)
    if x.size == 0:
        return
    tol = SUM_TOLERANCE.get(x.dtype, 1e-6)
    sums = x.astype(np.float64).sum(axis=axis)
    worst = float(np.max(np.abs(sums - 1.0)))
    if worst > tol:
        raise ValueError(
            f"{name}: expected each distribution along axis {axis} to sum to 1 "
            f"(tolerance {tol:g}), found a sum off by {worst:.3g}"
        )


#: The value rules of :func:`check_array`: the check each applies to the array's entries.
_VALUE_CHECKS = {
    None: lambda x, name: None,
    "no_nan": check_no_nan,
    "finite": check_finite,
    "logits": check_logits,
}


def check_array(
    x,
    name: str,
    *,
    ndim=None,
    shape: tuple | None = None,
    expected: str | None = None,
    nonempty: bool = False,
    values: str | None = None,
) -> np.ndarray:
    """An array of real numbers (:func:`as_float_array`), checked in the spirit of scikit-learn's ``check_array``.

    Parameters
    ----------
    x : array_like
        The argument.
    name : str
        Its name, which starts every message.
    ndim : int or tuple of int, optional
        The allowed numbers of dimensions.
    shape : tuple, optional
        The exact shape (an entry None matches any length).
    expected : str, optional
        The words for the shape in the message ("a 1-D array of per-class counts");
        default ``"a {ndim}-D array"`` or ``"shape {shape}"``.
    nonempty : bool, default False
        Refuse an array with no entries.
    values : {None, "no_nan", "finite", "logits"}, default None
        No check of the entries, no NaN, no NaN or inf, or logits (no NaN or ``+inf``;
        ``-inf`` masks a class).

    Returns
    -------
    numpy.ndarray
        ``x`` as a float16/32/64 array (integers and bools as float64).
    """
    arr = as_float_array(x, name)
    ndims = (ndim,) if isinstance(ndim, int) else ndim
    bad_ndim = ndims is not None and arr.ndim not in ndims
    bad_shape = shape is not None and (
        arr.ndim != len(shape) or any(s is not None and s != a for s, a in zip(shape, arr.shape))
    )
    if bad_ndim or bad_shape:
        if expected is None:
            expected = f"shape {shape}" if shape is not None else f"a {'- or '.join(map(str, ndims))}-D array"
        raise ValueError(f"{name}: expected {expected}, got shape {arr.shape}")
    if nonempty:
        check_nonempty(arr, name)
    _VALUE_CHECKS[values](arr, name)
    return arr


def _real(value, name: str, what: str = "a real number") -> float:
    """A real scalar (not a bool, not a str) as a Python float; a too-large int is refused."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name}: expected {what}, got {type(value).__name__}")
    try:
        return float(value)
    except OverflowError:
        raise ValueError(f"{name}: expected {what}, got {value!r}, too large for a float") from None


def check_temperature(temperature, name: str = "temperature") -> float:
    """A finite temperature > 0 (a subnormal one is accepted: the softmax then tends to the argmax)."""
    t = _real(temperature, name, "a positive real number")
    if not math.isfinite(t) or t <= 0:
        raise ValueError(f"{name}: expected a finite value > 0, got {t!r}")
    return t


def check_reduction(reduction, allowed=("none", "mean", "sum"), name: str = "reduction") -> str:
    """One of the reduction strings ``allowed`` (:func:`check_choice`)."""
    return check_choice(reduction, name, allowed)


def check_probability_scalar(value, name: str, low_open=False, high_open=False) -> float:
    """A real scalar in [0, 1] (ends optionally open)."""
    v = _real(value, name)
    lo_ok = v > 0 if low_open else v >= 0
    hi_ok = v < 1 if high_open else v <= 1
    if not (math.isfinite(v) and lo_ok and hi_ok):
        interval = ("(" if low_open else "[") + "0, 1" + (")" if high_open else "]")
        raise ValueError(f"{name}: expected a value in {interval}, got {v!r}")
    return v


def check_axis(axis, ndim: int, name: str = "axis") -> int:
    """An int axis of an ``ndim``-dimensional array (a 0-d array counts as one axis); returned >= 0."""
    if isinstance(axis, (bool, np.bool_)) or not isinstance(axis, numbers.Integral):
        raise TypeError(f"{name}: expected an int, got {type(axis).__name__}")
    if not -max(ndim, 1) <= axis < max(ndim, 1):
        raise ValueError(f"{name}: {axis} is out of range for an array with {ndim} dimension(s)")
    return int(axis) % max(ndim, 1)


def cast_result(value, dtype) -> np.ndarray:
    """``value`` as an array of ``dtype``; a float16 result beyond 65504 becomes inf quietly, as in PyTorch."""
    with np.errstate(over="ignore"):
        return np.asarray(value).astype(dtype)


def check_real(value, name: str) -> float:
    """A finite real scalar (not a bool), returned as a Python float."""
    v = _real(value, name)
    if not math.isfinite(v):
        raise ValueError(f"{name}: expected a finite value, got {v!r}")
    return v


def check_positive(value, name: str, allow_zero: bool = False) -> float:
    """A finite real scalar > 0 (>= 0 with ``allow_zero``)."""
    v = _real(value, name)
    if not math.isfinite(v) or v < 0 or (v == 0 and not allow_zero):
        raise ValueError(f"{name}: expected a finite value {'>= 0' if allow_zero else '> 0'}, got {v!r}")
    return v


def check_int(value, name: str, minimum: int, maximum: int | None = None) -> int:
    """An integer (not a bool) in ``[minimum, maximum]``."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name}: expected an int, got {type(value).__name__}")
    if value < minimum:
        raise ValueError(f"{name}: expected an int >= {minimum}, got {value}")
    if maximum is not None and value > maximum:
        raise ValueError(f"{name}: expected an int <= {maximum}, got {value}")
    return int(value)


def check_num_classes(value, name: str = "num_classes", minimum: int = 1) -> int:
    """A class count: an int >= ``minimum`` (not a bool, not a float such as 3.0)."""
    return check_int(value, name, minimum)


def check_ignore_index(value, name: str = "ignore_index") -> int:
    """PyTorch's ``ignore_index``: any int that fits in int64 (not a bool, None, float or str)."""
    return check_int(value, name, int(_INT64_INFO.min), int(_INT64_INFO.max))


def check_log_base(base, name: str = "base") -> float:
    """``log(base)`` for a logarithm base: None (nats, returns 1.0) or a finite real > 0, != 1.

    Computed in float64 whatever the base's type (``np.float32(2)`` gives ``log 2`` to float64 precision).
    """
    if base is None:
        return 1.0
    b = _real(base, name, "None (nats) or a positive number such as 2 (bits)")
    if not math.isfinite(b) or b <= 0 or b == 1:
        raise ValueError(
            f"{name}: expected None (nats) or a positive number != 1 such as 2 (bits), got {base!r}"
        )
    return math.log(b)


def check_class_weight(
    weight, num_classes: int, name: str = "weight", signed: bool = False
) -> np.ndarray | None:
    """None, or ``num_classes`` finite per-class weights as float64.

    Non-negative unless ``signed``: the PyTorch twins accept any finite weight
    (``torch.nn.functional`` does), a negative one turning that class's loss
    into a reward.
    """
    if weight is None:
        return None
    w = as_float_array(weight, name)
    if w.shape != (num_classes,):
        raise ValueError(f"{name}: expected shape ({num_classes},), one weight per class, got {w.shape}")
    check_finite(w, name)
    if not signed and (w < 0).any():
        raise ValueError(f"{name}: expected non-negative weights, got {float(w.min())!r}")
    w = w.astype(np.float64)
    with np.errstate(over="ignore"):
        if not np.isfinite(w.sum()):
            raise ValueError(f"{name}: the weights sum beyond float64's range; scale them down")
    return w


def check_broadcast_weight(
    weight, shape: tuple, name: str = "weight", signed: bool = False
) -> np.ndarray | None:
    """None, or finite weights that broadcast to ``shape``, as float64 (non-negative unless ``signed``)."""
    if weight is None:
        return None
    w = as_float_array(weight, name)
    check_finite(w, name)
    if not signed and (w < 0).any():
        raise ValueError(f"{name}: expected non-negative weights, got {float(w.min())!r}")
    try:
        ok = np.broadcast_shapes(w.shape, shape) == tuple(shape)
    except ValueError:
        ok = False
    if not ok:
        raise ValueError(f"{name}: shape {w.shape} does not broadcast to input's shape {tuple(shape)}")
    return w.astype(np.float64)


def check_row_max(row_max: np.ndarray, name: str) -> None:
    """Logits checked through their maximum along the class axis (the kernels compute it anyway).

    ``np.max``/``np.argmax`` propagate NaN, so a NaN anywhere gives a NaN
    maximum of its row, and a ``+inf`` anywhere a ``+inf`` maximum: one pass
    over the row maxima replaces two passes over the logits.
    """
    if np.isnan(row_max).any():
        raise ValueError(f"{name}: contains NaN")
    if np.isposinf(row_max).any():
        raise ValueError(f"{name}: expected logits < +inf, found +inf")


# --- widgets ---


def check_class_index(value, name: str, num_classes: int) -> int:
    """An integer class index (not a bool) in ``[0, num_classes)``."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name}: expected an integer class index, got {type(value).__name__}")
    if not 0 <= value < num_classes:
        raise ValueError(f"{name}: expected a class index in [0, {num_classes - 1}], got {value}")
    return int(value)


def check_explorer_base(base, name: str = "base") -> float:
    """A logarithm base for an explorer's display: as :func:`check_log_base`, and > 1 (entropies >= 0)."""
    log_b = check_log_base(base, name)
    if log_b <= 0:
        raise ValueError(
            f"{name}: the explorers show entropies in a base > 1 (2 for bits, None for nats), got {base!r}"
        )
    return log_b


def check_temperature_for(logits: np.ndarray, temperature, name: str = "temperature") -> float:
    """:func:`check_temperature`, and small enough a ``T`` never overflows: ``logits / T`` stays finite."""
    t = check_temperature(temperature, name)
    with np.errstate(over="ignore"):
        top = float(np.max(np.abs(logits))) / t if logits.size else 0.0
    if not math.isfinite(top):
        raise ValueError(f"{name}: {t!r} is so small that logits / {name} overflows float64")
    return t


# --- scale ---
# Checks of torch tensors and sizes for xent_book.scale (torch is imported
# lazily, so that the NumPy modules do not load it).
_INT64_MIN, _INT64_MAX = -(2**63), 2**63 - 1


def check_int64(value, name: str, minimum: int = _INT64_MIN) -> int:
    """An integer (not a bool) in ``[minimum, 2**63 - 1]``: one that a torch int64 tensor can hold."""
    return check_int(value, name, minimum, _INT64_MAX)


def check_torch_dtype(dtype, name: str = "dtype"):
    """A ``torch.dtype``."""
    import torch

    if not isinstance(dtype, torch.dtype):
        raise TypeError(f"{name}: expected a torch.dtype such as torch.float32, got {type(dtype).__name__}")
    return dtype


def check_float_tensor(x, name: str, ndim: int | None = None, what: str = "") -> None:
    """A floating torch tensor (float16, bfloat16, float32, float64) without NaN or inf, of ``ndim`` dimensions."""
    import torch

    if not isinstance(x, torch.Tensor):
        raise TypeError(f"{name}: expected a torch.Tensor, got {type(x).__name__}")
    if x.dtype not in (torch.float16, torch.bfloat16, torch.float32, torch.float64):
        raise TypeError(
            f"{name}: expected a floating tensor (float16, bfloat16, float32, float64), got {x.dtype}"
        )
    if ndim is not None and x.dim() != ndim:
        raise ValueError(
            f"{name}: expected a {ndim}-D tensor {what}, got shape {tuple(x.shape)}".replace("  ", " ")
        )
    # One fast reduction; a non-finite sum (NaN/inf present, or a rare overflow
    # of finite values) triggers the exact element-wise check.
    if x.numel() and not torch.isfinite(x.sum()) and not torch.isfinite(x).all():
        raise ValueError(f"{name}: contains NaN or inf")


def check_index_tensor(
    target, name: str, n: int, num_classes: int | None, ignore_index: int, size_name: str = "C"
):
    """A 1-D integer torch tensor of ``n`` class indices in ``[0, num_classes)`` or ``ignore_index``.

    ``num_classes=None`` checks only that no index is negative (a vocabulary
    slice does not know the global size; ``size_name`` says where
    ``num_classes`` came from, for the message). Returns the indices as int64;
    unsigned dtypes wider than uint8, which torch cannot compare, are refused.
    """
    import torch

    if not isinstance(target, torch.Tensor):
        raise TypeError(f"{name}: expected a torch.Tensor of class indices, got {type(target).__name__}")
    if target.dtype not in (torch.uint8, torch.int8, torch.int16, torch.int32, torch.int64):
        raise TypeError(
            f"{name}: expected integer class indices (int8 to int64, or uint8), got dtype {target.dtype}"
        )
    if target.dim() != 1 or target.shape[0] != n:
        raise ValueError(
            f"{name}: expected shape ({n},), one class index per token, got {tuple(target.shape)}"
        )
    t = target.long()
    low_bad = t < 0
    bad = low_bad if num_classes is None else low_bad | (t >= num_classes)
    bad &= t != ignore_index
    if bad.any():
        value = int(t[bad][0])
        expected = (
            "a class index >= 0"
            if num_classes is None
            else f"a class index in [0, {size_name} = {num_classes})"
        )
        raise ValueError(
            f"{name}: class index {value} is out of range (expected {expected} or ignore_index={ignore_index})"
        )
    return t


# --- applied modules ---


#: Seeds are accepted in [0, SEED_MAX]: the range of NumPy's legacy RandomState (scikit-learn's
#: ``random_state``), which ``numpy.random.default_rng`` and ``torch.manual_seed`` also accept.
SEED_MAX = 2**32 - 1


def check_seed(seed, name: str = "seed") -> int:
    """An integer seed (not a bool) in ``[0, SEED_MAX]``."""
    if isinstance(seed, (bool, np.bool_)) or not isinstance(seed, numbers.Integral):
        raise TypeError(f"{name}: expected an int seed, got {type(seed).__name__}")
    if not 0 <= seed <= SEED_MAX:
        raise ValueError(f"{name}: expected a seed in [0, 2**32 - 1], got {seed}")
    return int(seed)


def check_choice(value, name: str, allowed) -> str:
    """One of the strings ``allowed``: TypeError for a value that is not a str, ValueError for another str.

    The one rule of every string option (``reduction``, ``norm``, ``strategy``, ...).
    """
    if not isinstance(value, str):
        raise TypeError(
            f"{name}: expected one of {', '.join(map(repr, allowed))}, got {type(value).__name__}"
        )
    if value not in allowed:
        raise ValueError(f"{name}: expected one of {', '.join(map(repr, allowed))}, got {value!r}")
    return value


def check_labels(
    labels,
    name: str,
    num_classes: int | None = None,
    *,
    ndim: int | None = 1,
    allow_bool: bool = False,
    nonempty: bool = True,
    shape: tuple | None = None,
    per: str = "one label per example",
) -> np.ndarray:
    """Integer class labels in ``[0, num_classes)`` as int64 (``num_classes=None``: only >= 0).

    The range is checked in the labels' own dtype, before the cast to int64, so
    an unsigned label such as ``2**64 - 100`` is refused instead of wrapping to -100.
    ``shape`` asks for an exact shape, ``per`` saying in the message what it is.
    """
    try:
        y = np.asarray(labels)
    except (ValueError, TypeError) as exc:  # ragged lists: ValueError, as as_array says everywhere
        raise ValueError(
            f"{name}: expected integer class labels of a rectangular shape (not a ragged nested list)"
        ) from exc
    if y.dtype.kind == "b" and allow_bool:
        y = y.astype(np.int64)
    if y.dtype.kind not in "iu":
        raise TypeError(f"{name}: expected integer class labels, got dtype {y.dtype}")
    if ndim is not None and y.ndim != ndim:
        raise ValueError(f"{name}: expected a {ndim}-D array of class labels, got shape {y.shape}")
    if shape is not None and y.shape != tuple(shape):
        raise ValueError(f"{name}: expected shape {tuple(shape)}, {per}, got {y.shape}")
    if nonempty and y.size == 0:
        raise ValueError(f"{name}: expected at least one label, got shape {y.shape}")
    if y.size:
        lo, hi = int(y.min()), int(y.max())
        top = np.iinfo(np.int64).max if num_classes is None else num_classes - 1
        if lo < 0 or hi > top:
            expected = "values >= 0" if num_classes is None else f"values in [0, {top}]"
            raise ValueError(f"{name}: expected class labels with {expected}, got values in [{lo}, {hi}]")
    return y.astype(np.int64)


def check_bool(value, name: str) -> bool:
    """A Python or NumPy bool."""
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name}: expected True or False, got {type(value).__name__}")
    return bool(value)


#: Upper limit on a number of classes (arrays of that length, or C x C, are allocated).
MAX_CLASSES = 10**6


def check_logits_target_tensors(logits, target) -> None:
    """(N, C) finite floating logits and (N,) integer class indices in ``[0, C)`` (torch tensors).

    For the PyTorch training losses of ``imbalance`` and ``noise``, which have no ``ignore_index``.
    """
    import torch

    check_float_tensor(logits, "logits", ndim=2, what="of shape (N, C)")
    if not isinstance(target, torch.Tensor):
        raise TypeError(f"target: expected a torch.Tensor of class indices, got {type(target).__name__}")
    if target.dtype not in (torch.uint8, torch.int8, torch.int16, torch.int32, torch.int64):
        raise TypeError(f"target: expected integer class indices, got dtype {target.dtype}")
    n, c = logits.shape
    if tuple(target.shape) != (n,):
        raise ValueError(
            f"target: expected shape ({n},), one class index per row of logits, got {tuple(target.shape)}"
        )
    if n and (int(target.min()) < 0 or int(target.max()) >= c):
        raise ValueError(
            f"target: expected class indices in [0, {c - 1}], got values in "
            f"[{int(target.min())}, {int(target.max())}]"
        )


def check_logits_target(
    logits,
    target,
    *,
    finite: bool = False,
    min_classes: int = 1,
    allow_bool: bool = False,
    target_name: str = "target",
) -> tuple[np.ndarray, np.ndarray]:
    """(N, C) logits with N >= 1 and (N,) integer class indices in ``[0, C)``: the NumPy twin of
    :func:`check_logits_target_tensors`.

    The logits may hold ``-inf`` (a masked class) unless ``finite``; ``min_classes`` is the
    smallest C; ``target_name`` is the indices' argument name. Returns the logits in their
    float dtype and the indices as int64.
    """
    x = check_array(logits, "logits", ndim=2, expected="shape (N, C)")
    if x.shape[1] < min_classes:
        raise ValueError(f"logits: expected shape (N, C) with C >= {min_classes}, got {x.shape}")
    if x.shape[0] == 0:
        raise ValueError(f"logits: expected at least one example, got shape {x.shape}")
    (check_finite if finite else check_logits)(x, "logits")
    y = check_labels(
        target,
        target_name,
        x.shape[1],
        ndim=None,
        nonempty=False,
        allow_bool=allow_bool,
        shape=(x.shape[0],),
        per="one class index per row of logits",
    )
    return x, y


# --- calibration ---


def check_probabilities(probs, name: str = "probs") -> np.ndarray:
    """(N,) probabilities of class 1 or (N, C) distributions with C >= 2, N >= 1, as float64 clipped to [0, 1]."""
    p = check_array(probs, name, ndim=(1, 2), expected="shape (N,) (binary) or (N, C) (multiclass)")
    if p.shape[0] == 0:
        raise ValueError(f"{name}: expected at least one example, got shape {p.shape}")
    if p.ndim == 2:
        if p.shape[1] < 2:
            raise ValueError(
                f"{name}: expected C >= 2 columns, got shape {p.shape} (use shape (N,) for binary)"
            )
        check_distribution(p, name, axis=1)
    else:
        check_in_unit_interval(p, name)
    return np.clip(p.astype(np.float64), 0.0, 1.0)


# --- noise ---

#: Tolerance on ``|sum_j T_ij - 1|`` for a transition matrix.
ROW_SUM_TOLERANCE = 1e-6


def check_transition_matrix(T, name: str = "T", num_classes: int | None = None) -> np.ndarray:
    """A square (C, C) row-stochastic matrix, C >= 2 (``num_classes`` if given), as float64."""
    arr = check_array(T, name, values=None).astype(np.float64)
    if arr.ndim != 2 or arr.shape[0] != arr.shape[1] or arr.shape[0] < 2:
        raise ValueError(f"{name}: expected a square (C, C) matrix with C >= 2, got shape {arr.shape}")
    if num_classes is not None and arr.shape[0] != num_classes:
        raise ValueError(
            f"{name}: expected shape ({num_classes}, {num_classes}) to match {num_classes} classes, got {arr.shape}"
        )
    check_finite(arr, name)
    if (arr < 0).any() or (arr > 1).any():
        raise ValueError(
            f"{name}: expected entries in [0, 1], got values in [{arr.min():.6g}, {arr.max():.6g}]"
        )
    worst = float(np.max(np.abs(arr.sum(axis=1) - 1.0)))
    if worst > ROW_SUM_TOLERANCE:
        raise ValueError(
            f"{name}: expected a row-stochastic matrix (each row T[i] = P(noisy | clean = i) sums to 1), "
            f"found a row sum off by {worst:.3g}"
        )
    return arr
