"""Cross-entropy over large vocabularies, in PyTorch.

A language model's last layer maps ``N`` hidden states of width ``d`` to ``C``
logits (``C`` the vocabulary size) through a weight matrix ``W`` of shape
``(C, d)``. Written naively, ``F.cross_entropy(hidden @ weight.T, target)``
materialises the ``N x C`` logit matrix, its log-softmax and, in the backward
pass, a gradient of the same size: with ``N = 8192`` tokens and ``C = 256000``
that is 8.4 GB per copy in float32. This subpackage holds two ways around it,
both equal to ``torch.nn.functional.cross_entropy`` on the full logits
(``ignore_index``, ``label_smoothing`` and the reductions included), and an
exact memory count to compare them:

* :mod:`~xent_book.scale.chunked`: :func:`chunked_linear_cross_entropy`
  processes the tokens in chunks and forms the gradients with respect to
  ``hidden`` and ``weight`` during the forward pass, so that only one
  ``chunk_size x C`` block of logits exists at a time (Liger Kernel's fused
  linear cross-entropy); :func:`naive_linear_cross_entropy`, the baseline;
  :func:`logits_bytes` and :func:`default_chunk_size`, the arithmetic.
* :mod:`~xent_book.scale.vocab_parallel`: :func:`vocab_parallel_cross_entropy`
  computes the loss when every rank of a ``torch.distributed`` group holds one
  slice of the vocabulary (Megatron-LM's scheme), with two all-reduces of
  ``O(N)`` numbers, and its three steps exposed one by one.
* :mod:`~xent_book.scale.memory`: :class:`TensorMemoryTracker`, the bytes of
  tensor storage PyTorch allocates, counted exactly.
* :func:`run_vocab_parallel` (``_launcher``): starts the vocabulary-parallel
  loss on local gloo processes; test scaffolding.

Notes
-----
Chapter 13, "Cross-entropy at scale" (``notebooks/13_cross_entropy_at_scale.ipynb``).
"""

from __future__ import annotations

from ._launcher import run_vocab_parallel
from .chunked import (
    chunked_linear_cross_entropy,
    default_chunk_size,
    logits_bytes,
    naive_linear_cross_entropy,
)
from .memory import TensorMemoryTracker
from .vocab_parallel import (
    vocab_parallel_combine,
    vocab_parallel_cross_entropy,
    vocab_parallel_local_max,
    vocab_parallel_local_sums,
)

__all__ = [
    "chunked_linear_cross_entropy",
    "naive_linear_cross_entropy",
    "default_chunk_size",
    "logits_bytes",
    "vocab_parallel_cross_entropy",
    "vocab_parallel_local_max",
    "vocab_parallel_local_sums",
    "vocab_parallel_combine",
    "run_vocab_parallel",
    "TensorMemoryTracker",
]
