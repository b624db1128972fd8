"""Test scaffolding: run the vocabulary-parallel loss on local gloo processes.

Not part of the loss itself: :func:`vocab_parallel_cross_entropy` runs unchanged
in any ``torch.distributed`` job. This launcher lives in the package (not in
``tests/``) because ``torch.multiprocessing`` with ``spawn`` re-imports the
worker function by its module path in every child process.

Notes
-----
Chapter 13, "Cross-entropy at scale", section 13.4.
"""

from __future__ import annotations

import os
import socket
import time
from datetime import timedelta
from typing import Any

import torch
import torch.distributed as dist

from .._validation import check_float_tensor, check_int, check_positive
from .vocab_parallel import vocab_parallel_cross_entropy

__all__ = ["run_vocab_parallel"]


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _vocab_parallel_worker(
    rank: int,
    world_size: int,
    port: int,
    logits: torch.Tensor,
    target: torch.Tensor,
    grad_output: torch.Tensor | None,
    kwargs: dict,
    queue: Any,
    timeout_s: float,
) -> None:
    os.environ.setdefault("GLOO_SOCKET_IFNAME", "lo")
    torch.set_num_threads(1)
    try:
        dist.init_process_group(
            "gloo",
            init_method=f"tcp://127.0.0.1:{port}",
            rank=rank,
            world_size=world_size,
            timeout=timedelta(seconds=timeout_s),
        )
        bounds = torch.tensor_split(torch.arange(logits.shape[1]), world_size)
        start = int(bounds[rank][0]) if len(bounds[rank]) else 0
        local = logits[:, bounds[rank]].clone().requires_grad_(True)
        loss = vocab_parallel_cross_entropy(local, target, start, **kwargs)
        loss.backward(torch.ones_like(loss) if grad_output is None else grad_output.to(loss.dtype))
        queue.put((rank, loss.detach().numpy().copy(), local.grad.numpy().copy(), None))
    except Exception as exc:  # report instead of hanging the parent
        queue.put((rank, None, None, f"{type(exc).__name__}: {exc}"))
    finally:
        if dist.is_initialized():
            dist.destroy_process_group()


def run_vocab_parallel(
    world_size: int,
    logits: torch.Tensor,
    target: torch.Tensor,
    grad_output: torch.Tensor | None = None,
    timeout_s: float = 60.0,
    **kwargs: Any,
) -> tuple[torch.Tensor, torch.Tensor]:
    """Run :func:`vocab_parallel_cross_entropy` on ``world_size`` local processes (gloo, 127.0.0.1).

    The full ``(N, V)`` logits are split into ``world_size`` contiguous
    vocabulary slices (``torch.tensor_split``, so ``V`` need not divide evenly);
    process ``r`` gets slice ``r``, computes the loss with the two all-reduces,
    and runs the backward pass with ``grad_output`` (default: ones). The processes are
    started with ``torch.multiprocessing`` (spawn) and meet on a free TCP port of
    127.0.0.1. This launcher exists to test and demonstrate the function on one
    machine; the function itself runs unchanged in a multi-node
    ``torch.distributed`` job.

    Parameters
    ----------
    world_size : int
        Number of processes, 1 to 8 (2 to 4 in the tests).
    logits : torch.Tensor, shape (N, C)
        The full logits, floating, split into ``world_size`` vocabulary slices.
    target : torch.Tensor, shape (N,)
        Global class indices in ``[0, C)`` (or the loss's ``ignore_index``), sent to every rank.
    grad_output : torch.Tensor, optional
        Gradient of the loss for the backward pass (shape ``(N,)`` for
        ``reduction='none'``, a scalar otherwise); default ones.
    timeout_s : float, default 60
        Wall-clock limit for the whole run; the processes are terminated after it.
    **kwargs
        ``ignore_index``, ``reduction``, ``label_smoothing`` for the loss.

    Returns
    -------
    loss : torch.Tensor
        Rank 0's loss (every rank's loss is checked to be identical).
    grad : torch.Tensor, shape (N, C)
        The per-rank gradients of their slices, concatenated along the vocabulary.

    Raises
    ------
    TypeError, ValueError
        A bad ``world_size`` (not an int in 1 to 8), ``timeout_s``, ``logits``
        or ``target`` (checked here, before any process starts).
    RuntimeError
        A process failed (its error message is passed on), the ranks disagreed,
        or the run exceeded ``timeout_s``.
    """
    import torch.multiprocessing as mp

    world_size = check_int(world_size, "world_size", 1)
    if world_size > 8:
        raise ValueError(f"world_size: expected 1 to 8 local processes, got {world_size}")
    timeout_s = check_positive(timeout_s, "timeout_s")
    check_float_tensor(logits, "logits")
    if logits.dim() != 2 or logits.shape[1] < world_size:
        raise ValueError(f"logits: expected shape (N, C) with C >= world_size, got {tuple(logits.shape)}")
    if not isinstance(target, torch.Tensor):
        raise TypeError(f"target: expected a torch.Tensor of class indices, got {type(target).__name__}")
    logits = logits.detach().cpu()
    target = target.detach().cpu()
    if grad_output is not None:
        grad_output = torch.as_tensor(grad_output).detach().cpu()
    ctx = mp.get_context("spawn")
    last_error = None
    for _attempt in range(2):  # a second try covers the rare race for the free port
        queue = ctx.SimpleQueue()
        port = _free_port()
        pc = mp.start_processes(
            _vocab_parallel_worker,
            args=(world_size, port, logits, target, grad_output, dict(kwargs), queue, timeout_s),
            nprocs=world_size,
            join=False,
            start_method="spawn",
        )
        deadline = time.monotonic() + timeout_s
        results = {}
        try:
            while len(results) < world_size and time.monotonic() < deadline:
                if not queue.empty():
                    rank, loss, grad, err = queue.get()
                    results[rank] = (loss, grad, err)
                elif all(not p.is_alive() for p in pc.processes) and queue.empty():
                    break
                else:
                    time.sleep(0.02)
        finally:
            for p in pc.processes:
                p.join(timeout=max(0.0, deadline - time.monotonic()) if len(results) == world_size else 0.5)
                if p.is_alive():
                    p.terminate()
                    p.join(timeout=5)
        errors = [r[2] for r in results.values() if r[2]]
        if len(results) == world_size and not errors:
            losses = [torch.from_numpy(results[r][0]) for r in range(world_size)]
            if not all(torch.equal(losses[0], other) for other in losses[1:]):
                raise RuntimeError("run_vocab_parallel: the ranks computed different losses")
            grad = torch.cat([torch.from_numpy(results[r][1]) for r in range(world_size)], dim=1)
            return losses[0], grad
        last_error = errors or [
            f"only {len(results)} of {world_size} processes reported within {timeout_s} s"
        ]
        # retry only what a lost race for the port looks like, not errors of the computation
        if errors and not any(
            k in e.lower() for e in errors for k in ("address", "network", "connect", "store")
        ):
            break
    raise RuntimeError(f"run_vocab_parallel failed: {'; '.join(last_error)}")
