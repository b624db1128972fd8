"""Self-checking exercises of chapter 13 (cross-entropy at scale)."""

from __future__ import annotations

import numpy as np
import torch

from xent_book import activations
from xent_book._validation import check_int
from xent_book.exercises._core import choice, function, number
from xent_book.scale import logits_bytes

#: Llama 3 (8B): vocabulary and a batch of 16 sequences of 4,096 tokens.
LLAMA3_VOCAB = 128256
LLAMA3_TOKENS = 16 * 4096


def naive_peak_gib(n_tokens: int = LLAMA3_TOKENS, vocab_size: int = LLAMA3_VOCAB) -> float:
    """The naive loss's peak: three float32 N x C matrices, in GiB.

    Raises
    ------
    TypeError, ValueError
        ``n_tokens`` or ``vocab_size`` is not an int >= 0 (as :func:`xent_book.scale.logits_bytes`).
    """
    return 3 * logits_bytes(n_tokens, vocab_size, torch.float32) / 2**30


def chunked_peak_bytes(n_tokens: int, vocab_size: int, d: int, chunk_size: int) -> int:
    """float32 chunked loss: one chunk_size x C block of logits plus the gradients of hidden (N x d) and W (C x d).

    Raises
    ------
    TypeError, ValueError
        An argument that is not an int >= 0 (``chunk_size`` >= 1).
    """
    n_tokens, vocab_size, d = (
        check_int(v, name, 0) for v, name in ((n_tokens, "n_tokens"), (vocab_size, "vocab_size"), (d, "d"))
    )
    chunk_size = check_int(chunk_size, "chunk_size", 1)
    return logits_bytes(chunk_size, vocab_size, torch.float32) + 4 * (n_tokens + vocab_size) * d


def _row_logsumexp(z, chunk_size):
    return activations.logsumexp(np.asarray(z, dtype=np.float64), axis=-1)


def _lse_cases():
    g = np.random.default_rng(13)
    masked = g.normal(size=(3, 7))
    masked[:, :3] = -np.inf  # a whole chunk of masked classes: its own maximum is -inf
    all_masked = np.full((2, 5), -np.inf)
    all_masked[1, 4] = 0.0
    return [
        ((np.array([[1.0, 2.0, 3.0, 4.0, 5.0], [0.5, -1.0, 2.5, 0.0, 1.0]]), 2), {}),
        ((g.normal(size=(4, 10)), 3), {}),
        ((1000.0 + g.normal(size=(2, 9)), 4), {}),  # exp would overflow without a shift
        ((-1000.0 + g.normal(size=(2, 9)), 4), {}),  # ... or underflow to log(0)
        ((masked, 3), {}),
        ((all_masked, 2), {}),  # a row of only -inf: the answer is -inf
        ((g.normal(size=(3, 6)), 1), {}),
        ((g.normal(size=(3, 6)), 100), {}),  # one chunk holds every class
    ]


number(
    "ex-scale-1",
    solution=naive_peak_gib,
    atol=0.1,
    hint="Count the tokens first; one matrix is N x C float32 numbers of 4 bytes, and the naive loss holds three.",
)

function(
    "ex-scale-5",
    reference=_row_logsumexp,
    cases=_lse_cases,
    rtol=1e-12,
    atol=1e-12,
    page_case=0,
    page_prompt="chunked_logsumexp(np.array([[1., 2., 3., 4., 5.], [0.5, -1., 2.5, 0., 1.]]), 2)",
    hint="Keep a running maximum m and a running sum s of exp(z - m) per row; when a chunk raises the maximum, "
    "rescale s before adding. Watch a chunk whose maximum is -inf.",
)

function(
    "ex-scale-6",
    reference=chunked_peak_bytes,
    cases=lambda: [
        ((512, 8192, 64, 64), {}),
        ((512, 8192, 64, 16), {}),
        ((8192, 256000, 2304, 64), {}),
        ((1, 1, 1, 1), {}),
    ],
    rtol=0.0,
    atol=0.0,
    page_case=0,
    page_prompt="chunked_peak_bytes(512, 8192, 64, 64)",
    hint="Which tensors does the chunked pass hold at once? One block of logits, and the two gradients it returns.",
)

choice(
    "ex-scale-7",
    options=(
        "the gradient q - p of each rank's logit slice",
        "the gradient of each rank's weight slice W_r",
        "the gradient of the hidden states h",
        "none: the backward pass is purely local",
    ),
    solution=lambda: 2,
    hint="Write z_r = h W_r^T and apply the chain rule: which gradient sums contributions from every slice?",
)
