"""Self-checking exercises of chapter 15 (cross-entropy in language models)."""

import numpy as np

from xent_book import lm, losses
from xent_book.exercises._core import function, number


def _trigram_k1_bits() -> float:
    # the chapter's slices: 60 000 training bytes at 100 000, 8 000 held-out bytes at 300 000,
    # ids over the byte values that occur in the corpus
    alphabet = np.unique(np.frombuffer(lm.load_corpus(), dtype=np.uint8))
    to_id = np.full(256, -1)
    to_id[alphabet] = np.arange(alphabet.size)
    tr = to_id[np.frombuffer(lm.load_corpus(60_000, start=100_000), dtype=np.uint8)]
    te = to_id[np.frombuffer(lm.load_corpus(8_000, start=300_000), dtype=np.uint8)]
    lq = lm.ngram_log_probs(tr, te, order=3, k=1.0, vocab_size=int(alphabet.size))
    return float(-lq[np.arange(te.size), te].mean() / np.log(2))


number(
    "ex-lm-1",
    solution=_trigram_k1_bits,
    atol=1e-3,
    hint="Count with order=3 and k=1, score the held-out bytes, average -log q and convert nats to bits.",
)


def _perplexity_per_byte(logits, targets, n_bytes):
    return float(np.exp(float(losses.cross_entropy(logits, targets, reduction="sum")) / n_bytes))


function(
    "ex-lm-2",
    reference=_perplexity_per_byte,
    cases=lambda: [
        ((np.array([[2.0, 1.0, 0.1], [0.5, 2.5, -1.0]]), np.array([0, 2]), 5), {}),
        ((np.zeros((4, 8)), np.arange(4), 4), {}),  # one byte per token, uniform: perplexity 8
        ((np.zeros((2, 16)), np.array([3, 5]), 8), {}),  # 4 bits per 4 bytes: perplexity 2
        ((np.array([[1e4, 0.0, -1e4]]), np.array([0]), 3), {}),  # a confident right guess: 1
    ],
    rtol=1e-9,
    page_case=0,
    page_prompt="perplexity_per_byte(np.array([[2.0, 1.0, 0.1], [0.5, 2.5, -1.0]]), np.array([0, 2]), 5)",
    hint="Sum the token losses (nats) over the text, divide by the bytes, not the tokens, then exponentiate.",
)
