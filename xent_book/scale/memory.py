"""An exact, deterministic count of the tensor memory PyTorch operations allocate.

Notes
-----
Chapter 13, "Cross-entropy at scale", section 13.2.
"""

from __future__ import annotations

import weakref
from typing import Any

import torch
from torch.utils._python_dispatch import TorchDispatchMode
from torch.utils._pytree import tree_flatten

from .._validation import check_int

__all__ = ["TensorMemoryTracker"]


class TensorMemoryTracker:
    """Count the bytes of tensor storage that PyTorch operations allocate, and their peak.

    A context manager built on ``TorchDispatchMode``: every operation run inside
    it (the backward pass included) is seen; each output whose storage is new
    (not a view of, or an in-place result on, one of the operation's inputs)
    adds its storage size to ``current``, and a finaliser subtracts it when the
    storage is freed. ``peak`` is the largest ``current`` seen and ``largest``
    the biggest single storage, all in bytes. Tensors that existed before the
    block are not counted. Unlike the resident-set size, the numbers are exact
    and identical on every run (they count what the program asks for, not what
    the allocator and the operating system do with it), so a notebook can print
    them. Storage still alive when the block ends (for example ``.grad``) stays
    in ``current``. With ``log_min_bytes`` set, every allocation of at least
    that size is appended to ``log`` as ``(operation name, bytes, current bytes
    after it)``, which shows where the memory goes.

    Parameters
    ----------
    log_min_bytes : int >= 0, optional
        Record allocations of at least this many bytes in ``log``.

    Raises
    ------
    TypeError
        ``log_min_bytes`` not an int (or None).
    ValueError
        ``log_min_bytes`` negative.

    Notes
    -----
    Chapter 13, "Cross-entropy at scale".

    Examples
    --------
    >>> import torch
    >>> with TensorMemoryTracker() as mem:
    ...     a = torch.ones(1000, dtype=torch.float64)
    ...     b = a * 2
    ...     del a
    ...     c = b + 1
    >>> mem.peak, mem.current, mem.largest
    (16000, 16000, 8000)
    """

    def __init__(self, log_min_bytes: int | None = None) -> None:
        self.current = 0
        self.peak = 0
        self.largest = 0
        self.log: list[tuple[str, int, int]] = []
        self.log_min_bytes = None if log_min_bytes is None else check_int(log_min_bytes, "log_min_bytes", 0)
        self._live: dict[int, int] = {}
        self._mode: TorchDispatchMode | None = None

    def _free(self, key: int) -> None:
        self.current -= self._live.pop(key, 0)

    def _record(self, func: Any, inputs: Any, out: Any) -> None:
        seen = {
            t.untyped_storage().data_ptr() for t in tree_flatten(inputs)[0] if isinstance(t, torch.Tensor)
        }
        for t in tree_flatten(out)[0]:
            if not isinstance(t, torch.Tensor):
                continue
            storage = t.untyped_storage()
            key = storage.data_ptr()
            size = storage.nbytes()
            if size == 0 or key in seen or key in self._live:
                continue
            self._live[key] = size
            self.current += size
            self.peak = max(self.peak, self.current)
            self.largest = max(self.largest, size)
            if self.log_min_bytes is not None and size >= self.log_min_bytes:
                self.log.append((func.overloadpacket.__name__, size, self.current))
            weakref.finalize(storage, self._free, key)

    def __enter__(self) -> TensorMemoryTracker:
        tracker = self

        class _Mode(TorchDispatchMode):
            def __torch_dispatch__(self, func, types, args=(), kwargs=None):
                kwargs = kwargs or {}
                out = func(*args, **kwargs)
                tracker._record(func, (args, kwargs), out)
                return out

        self._mode = _Mode()
        self._mode.__enter__()
        return self

    def __exit__(self, *exc: Any) -> bool:
        self._mode.__exit__(*exc)
        self._mode = None
        return False
