"""A deterministic embedder for tests: bag-of-syllables vectors, registered as `hash-test`."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

import numpy as np

from assistant.index.embedders import Embedder, register_embedder
from assistant.text.normalize import keyword_tokens


class HashEmbedder(Embedder):
    """Deterministic bag-of-syllables vectors: a fake for tests, never for users."""

    name = "hash-test"

    def __init__(self, dim: int = 256) -> None:
        self.dim = dim

    def embed_batch(self, texts: Sequence[str], *, query: bool) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            for tok in keyword_tokens(text):
                h = int.from_bytes(hashlib.blake2b(tok.encode(), digest_size=4).digest(), "little")
                out[row, h % self.dim] += 1.0
            norm = np.linalg.norm(out[row])
            if norm:
                out[row] /= norm
        return out


def register() -> None:
    """`ASSISTANT_EMBEDDINGS=hash-test` selects the fake (in this process)."""
    register_embedder(HashEmbedder.name, lambda threads=None: HashEmbedder())
