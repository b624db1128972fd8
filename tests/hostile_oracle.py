"""The hostile-input oracle shared by every ``tests/test_hostile_*.py`` suite.

Contract (issue 9)
------------------
A public function of ``xent_book``, called with any arguments at all, must do
exactly one of two things:

1. **return** a result that is finite (NaN only where the function documents
   it, e.g. an all-ignored ``'mean'``), of the documented dtype and shape; or
2. **refuse** with a ``ValueError`` or ``TypeError`` whose message contains the
   name of the offending argument *as the caller wrote it* (``input``, not
   ``x``), as a whole word.

Anything else is a defect and fails the test with a message saying which kind:

* another exception type (IndexError, AttributeError, OverflowError,
  MemoryError, ZeroDivisionError, ...);
* a warning of any kind (the call runs under ``warnings.simplefilter("error")``,
  so a leaked NumPy ``RuntimeWarning`` is caught even where the result is right);
* a hang (the call runs under a wall-clock limit, ``timeout`` seconds, through
  ``SIGALRM``; a loop in Python code is interrupted, a long C call is caught
  when it returns);
* a mutated input (every argument is deep-copied before the call and compared
  after it, NaN-aware, dtype and shape included);
* a non-finite result (NaN unless ``nan_ok``, inf unless ``inf_ok``), a wrong
  dtype or a wrong shape.

Usage
-----
>>> import numpy as np, xent_book as xb
>>> from hostile_oracle import assert_refuses_or_ok
>>> out = assert_refuses_or_ok(xb.softmax, np.array([1.0, np.nan]), arg="x")
>>> out.refused
True

``arg=None`` says the input is valid: the call must return (a refusal fails).
``must_refuse=True`` says the input is invalid: a return fails.
Give ``arg`` a tuple when several arguments may be the one named
(``arg=("input", "target")`` for a shape mismatch). ``check=`` takes a callable
run on a returned result, for a comparison with a reference.

The strategies below (``hostile_arrays``, ``hostile_indices``,
``hostile_scalars``, ...) generate the inputs listed in issue 9. Keep each
suite fast: the hostile suites of all modules together must add < 60 s, so use
``@settings(max_examples=20)`` or so on top of the project profile, and small
shapes except in the one "very many classes" case.
"""

from __future__ import annotations

import copy
import math
import re
import signal
import threading
import time
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

__all__ = [
    "Outcome",
    "OracleFailure",
    "assert_refuses_or_ok",
    "assert_same",
    "time_limit",
    "SUBNORMAL",
    "hostile_floats",
    "hostile_float_arrays",
    "hostile_arrays",
    "hostile_shapes",
    "hostile_indices",
    "hostile_scalars",
    "hostile_ints",
    "hostile_ignore_index",
    "hostile_reductions",
    "hostile_temperatures",
    "hostile_weights",
    "huge_logits",
    "many_classes_logits",
    "ragged_lists",
    "valid_logits",
    "valid_probs",
    "valid_targets",
]

#: The smallest positive subnormal float64 and a few of its neighbours.
SUBNORMAL = (5e-324, 1e-310, 2.2e-308)


class OracleFailure(AssertionError):
    """The call did something the contract forbids."""


class _Hang(BaseException):
    """Raised by the alarm; a BaseException so that ``except Exception`` cannot swallow it."""


@dataclass
class Outcome:
    """What the call did: ``value`` if it returned, ``error`` if it refused."""

    value: Any = None
    error: BaseException | None = None

    @property
    def refused(self) -> bool:
        return self.error is not None

    @property
    def ok(self) -> bool:
        return self.error is None


class time_limit:
    """Context manager: raise ``_Hang`` after ``seconds`` of wall time (main thread only)."""

    def __init__(self, seconds: float):
        self.seconds = float(seconds)
        self._active = (
            hasattr(signal, "SIGALRM")
            and threading.current_thread() is threading.main_thread()
            and self.seconds > 0
        )

    def _handler(self, signum, frame):
        raise _Hang()

    def __enter__(self):
        if self._active:
            self._old_handler = signal.signal(signal.SIGALRM, self._handler)
            self._old_timer = signal.setitimer(signal.ITIMER_REAL, self.seconds)[0]
            self._start = time.monotonic()
        return self

    def __exit__(self, *exc):
        if self._active:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, self._old_handler)
            if self._old_timer > 0:  # an outer timer (pytest-timeout's signal method) keeps running
                left = self._old_timer - (time.monotonic() - self._start)
                signal.setitimer(signal.ITIMER_REAL, max(left, 1e-3))
        return False


# ---------------------------------------------------------------- comparison


def _to_numpy(x):
    if hasattr(x, "detach") and hasattr(x, "cpu"):  # a torch tensor, without importing torch
        return x.detach().cpu().numpy()
    return x


def assert_same(before, after, where: str = "argument") -> None:
    """Raise OracleFailure if ``after`` differs from ``before`` (NaN == NaN, dtype and shape included)."""
    before, after = _to_numpy(before), _to_numpy(after)
    if isinstance(before, np.ndarray):
        if not isinstance(after, np.ndarray) or before.dtype != after.dtype or before.shape != after.shape:
            raise OracleFailure(f"{where} was mutated (type, dtype or shape changed)")
        try:
            same = np.array_equal(before, after, equal_nan=before.dtype.kind in "fc")
        except TypeError:
            same = bool(np.all(before == after))
        if not same:
            raise OracleFailure(f"{where} was mutated in place")
    elif isinstance(before, (list, tuple)):
        if type(before) is not type(after) or len(before) != len(after):
            raise OracleFailure(f"{where} was mutated (length or type changed)")
        for i, (b, a) in enumerate(zip(before, after)):
            assert_same(b, a, f"{where}[{i}]")
    elif isinstance(before, Mapping):
        if not isinstance(after, Mapping) or set(before) != set(after):
            raise OracleFailure(f"{where} was mutated (keys changed)")
        for k in before:
            assert_same(before[k], after[k], f"{where}[{k!r}]")
    elif isinstance(before, float) and isinstance(after, float):
        if not (before == after or (math.isnan(before) and math.isnan(after))):
            raise OracleFailure(f"{where} was mutated")
    # other objects (models, widgets, generators): not compared


def _snapshot(x):
    try:
        return copy.deepcopy(x)
    except Exception:  # objects that cannot be copied are not compared
        return _NOT_COPIED


_NOT_COPIED = object()


# ---------------------------------------------------------------- the result


def _numeric_leaves(value):
    """Yield the numeric arrays inside a result (arrays, numbers, tuples/lists/dicts of them)."""
    value = _to_numpy(value)
    if isinstance(value, (np.ndarray, np.generic)) and value.dtype.kind in "biufc":
        yield np.asarray(value)
    elif isinstance(value, (bool, int, float, complex)):
        yield np.asarray(value)
    elif isinstance(value, (list, tuple)):
        for v in value:
            yield from _numeric_leaves(v)
    elif isinstance(value, Mapping):
        for v in value.values():
            yield from _numeric_leaves(v)


def _check_result(value, dtype, shape, nan_ok: bool, inf_ok: bool, label: str) -> None:
    top = _to_numpy(value)
    if dtype is not None:
        wanted = tuple(np.dtype(d) for d in (dtype if isinstance(dtype, (tuple, list)) else (dtype,)))
        got = top.dtype if isinstance(top, (np.ndarray, np.generic)) else np.asarray(top).dtype
        if got not in wanted:
            raise OracleFailure(f"{label} returned dtype {got}, documented {' or '.join(map(str, wanted))}")
    if shape is not None:
        got_shape = np.shape(top)
        if tuple(got_shape) != tuple(shape):
            raise OracleFailure(f"{label} returned shape {tuple(got_shape)}, documented {tuple(shape)}")
    for leaf in _numeric_leaves(value):
        if leaf.dtype.kind not in "fc":
            continue
        if not nan_ok and np.isnan(leaf).any():
            raise OracleFailure(f"{label} returned NaN (not documented for this input)")
        if not inf_ok and np.isinf(leaf).any():
            raise OracleFailure(f"{label} returned inf")


# ---------------------------------------------------------------- the oracle


def _names(arg) -> tuple[str, ...]:
    if arg is None:
        return ()
    return (arg,) if isinstance(arg, str) else tuple(arg)


def _label(fn) -> str:
    return getattr(fn, "__qualname__", None) or getattr(fn, "__name__", None) or repr(fn)


def assert_refuses_or_ok(
    fn: Callable,
    *args,
    arg: str | tuple[str, ...] | None = None,
    dtype=None,
    shape: tuple[int, ...] | None = None,
    nan_ok: bool = False,
    inf_ok: bool = False,
    must_refuse: bool = False,
    check: Callable[[Any], None] | None = None,
    timeout: float = 5.0,
    call_kwargs: Mapping[str, Any] | None = None,
    **kwargs,
) -> Outcome:
    """Call ``fn(*args, **kwargs)`` and enforce the contract in the module docstring.

    Parameters
    ----------
    fn : callable
        The public function under test.
    *args, **kwargs
        Passed to ``fn`` unchanged, and checked for mutation. A keyword that
        collides with one of the oracle's own (``dtype``, ``shape``, ``arg``,
        ...) goes in ``call_kwargs`` instead. Do not wrap the call in a
        lambda: the arguments of a closure are not checked for mutation.
    arg : str or tuple of str or None
        The argument name(s) a refusal may name. ``None``: the input is valid
        and the call must return.
    dtype : dtype or tuple of dtypes, optional
        The documented dtype of a returned result (a Python float counts as
        float64).
    shape : tuple of int, optional
        The documented shape of a returned result (``()`` for a scalar).
    nan_ok, inf_ok : bool
        Whether NaN / inf may appear in a returned result.
    must_refuse : bool
        The input is invalid: returning anything is a defect.
    check : callable, optional
        Called with a returned result; raise AssertionError inside it to fail.
    timeout : float
        Seconds of wall time before the call counts as a hang.
    call_kwargs : mapping, optional
        More keyword arguments for ``fn`` (merged with ``**kwargs``).

    Returns
    -------
    Outcome
        ``.value`` (returned) or ``.error`` (the accepted refusal).

    Raises
    ------
    OracleFailure
        On any breach of the contract, with a message naming the kind.
    """
    label = _label(fn)
    names = _names(arg)
    if call_kwargs:
        kwargs = {**kwargs, **call_kwargs}
    before_args = [_snapshot(a) for a in args]
    before_kwargs = {k: _snapshot(v) for k, v in kwargs.items()}
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            with time_limit(timeout):
                value = fn(*args, **kwargs)
    except _Hang:
        raise OracleFailure(f"{label} hung (no return within {timeout:g} s)") from None
    except Warning as w:
        raise OracleFailure(f"{label} leaked a warning: {type(w).__name__}: {w}") from w
    except (ValueError, TypeError) as exc:
        msg = str(exc)
        if not names:
            raise OracleFailure(f"{label} refused valid input: {type(exc).__name__}: {msg}") from exc
        if not any(re.search(rf"(?<![\w.]){re.escape(n)}(?!\w)", msg) for n in names):
            raise OracleFailure(
                f"{label} raised {type(exc).__name__} naming none of {names}: {msg!r}"
            ) from exc
        _check_unmutated(label, args, kwargs, before_args, before_kwargs)
        return Outcome(error=exc)
    except OracleFailure:
        raise
    except Exception as exc:
        raise OracleFailure(
            f"{label} raised {type(exc).__name__} (only ValueError/TypeError allowed): {exc}"
        ) from exc
    _check_unmutated(label, args, kwargs, before_args, before_kwargs)
    if must_refuse:
        raise OracleFailure(
            f"{label} accepted invalid input (expected a refusal naming {names}); returned {value!r}"
        )
    _check_result(value, dtype, shape, nan_ok, inf_ok, label)
    if check is not None:
        check(value)
    return Outcome(value=value)


def _check_unmutated(label, args, kwargs, before_args, before_kwargs) -> None:
    for i, (b, a) in enumerate(zip(before_args, args)):
        if b is not _NOT_COPIED:
            assert_same(b, a, f"{label}: positional argument {i}")
    for k, b in before_kwargs.items():
        if b is not _NOT_COPIED:
            assert_same(b, kwargs[k], f"{label}: argument {k!r}")


# ---------------------------------------------------------------- strategies

FLOAT_DTYPES = (np.float16, np.float32, np.float64)


def hostile_floats(dtype=np.float64) -> st.SearchStrategy[float]:
    """Floats of ``dtype`` with NaN, +-inf, signed zeros, subnormals and the extremes of the type."""
    info = np.finfo(dtype)
    width = {np.dtype(np.float16): 16, np.dtype(np.float32): 32, np.dtype(np.float64): 64}[np.dtype(dtype)]
    specials = [
        np.nan,
        np.inf,
        -np.inf,
        0.0,
        -0.0,
        float(info.max),
        -float(info.max),
        float(info.smallest_subnormal),
    ]
    return st.one_of(
        st.sampled_from(specials),
        st.floats(allow_nan=True, allow_infinity=True, allow_subnormal=True, width=width),
    )


def hostile_shapes(max_dims: int = 3, max_side: int = 4) -> st.SearchStrategy[tuple[int, ...]]:
    """Shapes including 0-d, empty sides and every ndim up to ``max_dims``."""
    return hnp.array_shapes(min_dims=0, max_dims=max_dims, min_side=0, max_side=max_side)


def hostile_float_arrays(shape=None, dtype=None) -> st.SearchStrategy[np.ndarray]:
    """Float arrays (float16/32/64) of ``shape`` (or any hostile shape) holding hostile values."""
    dtypes = st.sampled_from(FLOAT_DTYPES) if dtype is None else st.just(np.dtype(dtype))
    shapes = hostile_shapes() if shape is None else st.just(tuple(shape))
    return st.tuples(dtypes, shapes).flatmap(
        lambda ds: hnp.arrays(ds[0], ds[1], elements=hostile_floats(ds[0]))
    )


def ragged_lists() -> st.SearchStrategy[list]:
    """Nested lists whose rows have different lengths (NumPy's 'inhomogeneous shape')."""
    return st.sampled_from([[[1.0, 2.0], [3.0]], [[0.1, 0.9], [0.5]], [[1, 2, 3], [4, 5]], [1.0, [2.0, 3.0]]])


def hostile_arrays(shape=None) -> st.SearchStrategy[Any]:
    """Anything a caller might pass where an array is wanted.

    Float arrays with NaN/inf/subnormals in any shape (0-d, empty, any ndim),
    bool/complex/unsigned/object/str arrays, Python lists and scalars, ragged
    lists and None.
    """
    shapes = hostile_shapes() if shape is None else st.just(tuple(shape))
    return st.one_of(
        hostile_float_arrays(shape),
        shapes.flatmap(lambda s: hnp.arrays(np.bool_, s)),
        shapes.flatmap(lambda s: hnp.arrays(np.complex128, s, elements=st.complex_numbers(max_magnitude=10))),
        shapes.flatmap(lambda s: hnp.arrays(np.uint8, s)),
        shapes.flatmap(lambda s: hnp.arrays(np.int64, s, elements=st.integers(-5, 5))),
        shapes.flatmap(lambda s: hnp.arrays(object, s, elements=st.sampled_from([1.0, "a", None]))),
        shapes.flatmap(lambda s: hnp.arrays("U1", s, elements=st.sampled_from(["a", "1"]))),
        hostile_float_arrays(shape, np.float64).map(lambda a: a.tolist()),
        st.floats(allow_nan=True, allow_infinity=True),
        ragged_lists(),
        st.none(),
        st.sampled_from(["abc", b"1", {"a": 1}]),
    )


def hostile_indices(num_classes: int = 3, shape=(2,)) -> st.SearchStrategy[Any]:
    """Class-index arrays a caller might pass: every wrong dtype and every out-of-range value.

    Includes unsigned values that wrap around to small negatives (``2**64 - 100``
    as uint64 is ``-100`` as int64), float-typed indices, bool, complex, object
    and str arrays, lists, scalars, negatives and values >= ``num_classes``.
    """
    shape = tuple(shape)
    n = int(np.prod(shape)) if shape else 1
    ints = st.integers(-2 * num_classes - 100, 2 * num_classes + 2)
    wrapping = np.full(shape, 2**64 - 100, dtype=np.uint64)
    return st.one_of(
        hnp.arrays(np.int64, shape, elements=ints),
        hnp.arrays(np.int8, shape, elements=st.integers(-3, num_classes + 2)),
        hnp.arrays(np.uint8, shape, elements=st.integers(0, num_classes + 2)),
        hnp.arrays(np.uint64, shape, elements=st.integers(0, num_classes + 2)),
        st.just(wrapping),
        st.just(np.full(shape, 2**63, dtype=np.uint64)),
        hnp.arrays(np.float64, shape, elements=st.sampled_from([0.0, 1.0, 1.5, np.nan, np.inf])),
        hnp.arrays(np.bool_, shape),
        hnp.arrays(np.complex128, shape, elements=st.sampled_from([0j, 1 + 0j, 1j])),
        hnp.arrays(object, shape, elements=st.sampled_from([0, 1, "a", None])),
        st.just(np.full(shape, "1")),
        st.lists(st.integers(0, num_classes - 1), min_size=n, max_size=n),
        st.integers(-3, num_classes + 2),
        st.none(),
        ragged_lists(),
    )


def hostile_scalars() -> st.SearchStrategy[Any]:
    """Scalars of every type a caller might pass: NaN, +-inf, 0, -0, subnormal, huge,
    negative, bool (Python and NumPy), str, None, complex, lists, NumPy float32/int64."""
    return st.one_of(
        st.sampled_from(
            [
                np.nan,
                np.inf,
                -np.inf,
                0.0,
                -0.0,
                0,
                1e-310,
                5e-324,
                -1.0,
                -1,
                1e308,
                10**400,
                True,
                False,
                np.bool_(True),
                "2",
                "a",
                None,
                1 + 0j,
                [1.0],
                (2,),
                np.array([1.0, 2.0]),
                np.float32(2),
                np.float16(0.5),
                np.int64(3),
                np.uint8(2),
                np.array(2.0),
                1.5,
                2,
            ]
        ),
        st.floats(allow_nan=True, allow_infinity=True, allow_subnormal=True),
        st.integers(-(2**65), 2**65),
    )


def hostile_ints() -> st.SearchStrategy[Any]:
    """Where an int is wanted (seeds, class counts, sizes, iteration counts)."""
    return st.one_of(
        st.sampled_from(
            [
                0,
                -1,
                1,
                2,
                2**31,
                2**64,
                -(2**63) - 1,
                1.0,
                2.5,
                np.nan,
                np.inf,
                True,
                False,
                "3",
                None,
                np.int64(2),
                np.uint64(2),
                np.float64(2.0),
                1 + 0j,
                [2],
            ]
        ),
        st.integers(-(2**70), 2**70),
    )


def hostile_ignore_index(num_classes: int = 3) -> st.SearchStrategy[Any]:
    """ignore_index values: the default, in-range (colliding with a class), out of range, wrong types."""
    return st.sampled_from(
        [
            -100,
            np.int64(-100),
            np.uint8(1),
            -1,
            0,
            num_classes - 1,
            num_classes,
            2**70,
            -(2**70),
            None,
            1.5,
            "a",
            np.nan,
            True,
            False,
            np.bool_(True),
            [1],
            np.array(1),
        ]
    )


def hostile_reductions() -> st.SearchStrategy[Any]:
    """reduction strings, good and bad."""
    return st.sampled_from(
        ["none", "mean", "sum", "MEAN", "avg", "", "batchmean", None, 1, b"mean", ["mean"]]
    )


def hostile_temperatures() -> st.SearchStrategy[Any]:
    """Non-positive, tiny (subnormal), NaN, infinite, huge temperatures and wrong types."""
    return st.one_of(
        st.sampled_from(
            [
                0.0,
                -0.0,
                -1.0,
                1e-310,
                5e-324,
                1e-300,
                np.nan,
                np.inf,
                -np.inf,
                1e308,
                True,
                "1",
                None,
                np.float32(0.5),
                np.float16(2),
                1,
                1 + 0j,
            ]
        ),
        st.floats(min_value=1e-3, max_value=1e3),
    )


def hostile_weights(num_classes: int = 3) -> st.SearchStrategy[Any]:
    """Per-class weights: negative, NaN, inf, zero, wrong length, wrong dtype, 0-d."""
    c = num_classes
    return st.one_of(
        hnp.arrays(np.float64, (c,), elements=hostile_floats(np.float64)),
        hnp.arrays(np.float64, (c,), elements=st.floats(0, 10)),
        # PyTorch's OpInfo samples draw class weights from [-9, 9]: any finite sign is valid input
        hnp.arrays(np.float64, (c,), elements=st.floats(-9, 9)),
        st.sampled_from(
            [
                np.zeros(c),
                np.array([1.0, 5.0, -1.0] + [2.0] * max(c - 3, 0))[:c],  # classes 0 and 2 cancel
                -np.ones(c),
                np.ones(c + 1),
                np.ones(max(c - 1, 0)),
                np.ones((c, 1)),
                np.array(1.0),
                np.ones(c, dtype=np.int64),
                np.ones(c, dtype=bool),
                np.ones(c, dtype=complex),
                [1.0] * c,
                None,
                "w",
            ]
        ),
    )


def huge_logits(n: int = 2, c: int = 3) -> st.SearchStrategy[np.ndarray]:
    """Valid but extreme logits: +-1e4 in float32/float64 and +-6e4 in float16."""
    big = st.one_of(
        st.just(np.float64).flatmap(
            lambda d: hnp.arrays(d, (n, c), elements=st.sampled_from([1e4, -1e4, 0.0, 9999.5, -1e4 + 1]))
        ),
        hnp.arrays(np.float32, (n, c), elements=st.sampled_from([1e4, -1e4, 0.0, 9999.0])),
        hnp.arrays(np.float16, (n, c), elements=st.sampled_from([6e4, -6e4, 0.0, 65504.0, -65504.0, 1.0])),
    )
    return big


def many_classes_logits(n: int = 2, c: int = 100_000, seed: int = 0) -> np.ndarray:
    """A (n, c) float64 logit array with very many classes (not a strategy: one array is enough)."""
    return np.random.default_rng(seed).normal(size=(n, c))


def valid_logits(n: int = 3, c: int = 4, dtype=np.float64) -> st.SearchStrategy[np.ndarray]:
    """Ordinary finite logits."""
    return hnp.arrays(np.dtype(dtype), (n, c), elements=st.floats(-20, 20, width=np.finfo(dtype).bits))


def valid_probs(n: int = 3, c: int = 4) -> st.SearchStrategy[np.ndarray]:
    """Rows of a float64 probability matrix, zeros included."""
    raw = hnp.arrays(np.float64, (n, c), elements=st.sampled_from([0.0, 0.1, 0.5, 1.0, 2.0, 3.0]))
    return raw.filter(lambda a: (a.sum(-1) > 0).all()).map(lambda a: a / a.sum(-1, keepdims=True))


def valid_targets(n: int = 3, c: int = 4) -> st.SearchStrategy[np.ndarray]:
    """int64 class indices in [0, c)."""
    return hnp.arrays(np.int64, (n,), elements=st.integers(0, c - 1))
