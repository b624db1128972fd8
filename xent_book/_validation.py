"""Input checks shared by the public functions.

Every public function validates its arguments once, here, and raises a
``ValueError`` (or ``TypeError`` for a wrong type) whose message names the
argument and says what was expected. Internal helpers trust their inputs.

Conventions
-----------
* Floating inputs keep their dtype (float16, float32, float64); integers and
  booleans become float64. Computation happens in float64 and results are cast
  back to the input's dtype, which is what "an accumulator of adequate
  precision" means in this package.
* A distribution must have entries in [0, 1] and sum to 1 along its axis
  within ``SUM_TOLERANCE[dtype]``.
"""

from __future__ import annotations

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


def as_float_array(x, name: str) -> np.ndarray:
    """Return ``x`` as a floating array; float16/32/64 keep their dtype."""
    try:
        arr = np.asarray(x)
    except Exception as exc:  # ragged lists and the like
        raise TypeError(f"{name}: expected an array of numbers, got {type(x).__name__}") from exc
    if arr.dtype.kind == "f":
        if arr.dtype not in [np.dtype(d) for d in FLOAT_DTYPES]:
            return arr.astype(np.float64)
        return arr
    if arr.dtype.kind in "biu":
        return arr.astype(np.float64)
    raise TypeError(f"{name}: expected an array of real numbers, got dtype {arr.dtype}")


def as_index_array(x, name: str) -> np.ndarray:
    """Return ``x`` as an int64 array of class indices."""
    arr = np.asarray(x)
    if arr.dtype.kind not in "iu":
        if arr.dtype.kind == "f":
            raise TypeError(
                f"{name}: class indices must have an integer dtype, got {arr.dtype} "
                "(for class probabilities pass an array with the same shape as input)"
            )
        raise TypeError(f"{name}: expected integer class indices, got dtype {arr.dtype}")
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


def check_temperature(temperature) -> float:
    if isinstance(temperature, (bool, np.bool_)) or not isinstance(temperature, numbers.Real):
        raise TypeError(f"temperature: expected a positive real number, got {type(temperature).__name__}")
    t = float(temperature)
    if not np.isfinite(t) or t <= 0:
        raise ValueError(f"temperature: expected a finite value > 0, got {t!r}")
    return t


def check_reduction(reduction, allowed=("none", "mean", "sum")) -> str:
    if reduction not in allowed:
        raise ValueError(f"reduction: expected one of {', '.join(map(repr, allowed))}, got {reduction!r}")
    return reduction


def check_probability_scalar(value, name: str, low_open=False, high_open=False) -> float:
    """A real scalar in [0, 1] (ends optionally open)."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name}: expected a real number, got {type(value).__name__}")
    v = float(value)
    lo_ok = v > 0 if low_open else v >= 0
    hi_ok = v < 1 if high_open else v <= 1
    if not (np.isfinite(v) and lo_ok and hi_ok):
        interval = ("(" if low_open else "[") + "0, 1" + (")" if high_open else "]")
        raise ValueError(f"{name}: expected a value in {interval}, got {v!r}")
    return v


def check_axis(axis, ndim: int, name: str = "axis") -> int:
    if isinstance(axis, (bool, np.bool_)) or not isinstance(axis, numbers.Integral):
        raise TypeError(f"{name}: expected an int, got {type(axis).__name__}")
    if not -ndim <= axis < max(ndim, 1):
        raise ValueError(f"{name}: {axis} is out of range for an array with {ndim} dimension(s)")
    return int(axis) % max(ndim, 1)


def result_dtype(*arrays: np.ndarray) -> np.dtype:
    """The floating dtype PyTorch would return for these inputs (type promotion)."""
    return np.result_type(*[a.dtype for a in arrays])


def check_real(value, name: str) -> float:
    """A finite real scalar (not a bool), returned as a Python float."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name}: expected a real number, got {type(value).__name__}")
    v = float(value)
    if not np.isfinite(v):
        raise ValueError(f"{name}: expected a finite value, got {v!r}")
    return v


def check_positive(value, name: str, allow_zero: bool = False) -> float:
    """A finite real scalar > 0 (>= 0 with ``allow_zero``)."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name}: expected a real number, got {type(value).__name__}")
    v = float(value)
    if not np.isfinite(v) or v < 0 or (v == 0 and not allow_zero):
        raise ValueError(f"{name}: expected a finite value {'>= 0' if allow_zero else '> 0'}, got {v!r}")
    return v


def check_int(value, name: str, minimum: int) -> int:
    """An integer (not a bool) >= ``minimum``."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name}: expected an int, got {type(value).__name__}")
    if value < minimum:
        raise ValueError(f"{name}: expected an int >= {minimum}, got {value}")
    return int(value)
