"""Vectors shipped with the package for the bundled corpus, so a fresh install starts in seconds.

Every fresh install embeds the same bundled passages to the same vectors, so the vectors are
computed once (`scripts/make_vector_cache.py`) and shipped as `assistant/_vector_cache/<embedder>.npz`.
A passage's vector is looked up by the SHA-256 of the exact text the embedder sees
(`ingest.pipeline.embed_text`). A file is used only for the embedder that wrote it, and only after
that embedder, on this machine, reproduces the vector of a fixed probe sentence stored in the file
(a changed model or build is never mixed with old vectors). Anything not found is embedded as usual.
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from assistant.index.embedders import Embedder
from assistant.settings import PACKAGE_DIR

log = logging.getLogger(__name__)

VECTOR_CACHE_DIR = PACKAGE_DIR / "_vector_cache"
FORMAT = 1
PROBE_TEXT = ("Xã Tân An. Kinh tế số và xã hội số\n"
              "Tổ công nghệ số cộng đồng hướng dẫn người dân dùng dịch vụ công trực tuyến.")
MIN_PROBE_COSINE = 0.9999  # the same model and build give 1.0; another model is far below


def text_key(text: str) -> bytes:
    """The lookup key of one passage: the first 16 bytes of the SHA-256 of its UTF-8 text."""
    return hashlib.sha256(text.encode("utf-8")).digest()[:16]


def cache_path(embedder_name: str, folder: Path = VECTOR_CACHE_DIR) -> Path:
    """The cache file for an embedder (its name made safe as a file name)."""
    return folder / (re.sub(r"[^A-Za-z0-9._-]+", "_", embedder_name).strip("._") + ".npz")


@dataclass
class VectorCache:
    """Passage vectors by text key, written by one embedder."""

    embedder: str
    keys: np.ndarray  # (n, 16) uint8
    vectors: np.ndarray  # (n, dim) float32
    probe: np.ndarray  # (dim,) float32: the embedder's vector of PROBE_TEXT

    @classmethod
    def build(cls, embedder: Embedder, texts: Sequence[str],
              progress: Callable[[int], None] | None = None) -> VectorCache:
        """Embed `texts` (duplicates once) with `embedder` into a new cache."""
        unique = list(dict.fromkeys(texts))
        vectors = embedder.embed_passages(unique, progress=progress)
        keys = np.frombuffer(b"".join(text_key(t) for t in unique), dtype=np.uint8)
        probe = embedder.embed_batch([PROBE_TEXT], query=False)[0]
        return cls(embedder.name, keys.reshape(len(unique), 16), vectors.astype(np.float32),
                   np.asarray(probe, dtype=np.float32))

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "wb") as fh:
            np.savez_compressed(fh, format=np.array(FORMAT), embedder=np.array(self.embedder),
                                keys=self.keys, vectors=self.vectors, probe=self.probe)

    @classmethod
    def load(cls, path: Path) -> VectorCache | None:
        """The cache in `path`; None (and a log line) when it is missing or unreadable."""
        if not path.is_file():
            return None
        try:
            with np.load(path, allow_pickle=False) as data:
                if int(data["format"]) != FORMAT:
                    raise ValueError(f"format {int(data['format'])}, expected {FORMAT}")
                cache = cls(str(data["embedder"]), data["keys"], data["vectors"], data["probe"])
            if cache.keys.shape != (len(cache.vectors), 16) or cache.probe.shape != cache.vectors.shape[1:]:
                raise ValueError("array shapes do not match")
            return cache
        except Exception as exc:  # noqa: BLE001 - a damaged file only means embedding as usual
            log.warning("ignoring the vector cache %s (%s)", path, exc)
            return None

    def lookup(self, texts: Sequence[str]) -> list[int]:
        """For each text, the row of its vector in this cache, or -1."""
        rows = {bytes(k): i for i, k in enumerate(self.keys)}
        return [rows.get(text_key(t), -1) for t in texts]

    def fits(self, embedder: Embedder) -> bool:
        """Whether `embedder` wrote these vectors: same name and size, and it reproduces the probe."""
        if embedder.name != self.embedder or embedder.dim != self.vectors.shape[1]:
            return False
        now = np.asarray(embedder.embed_batch([PROBE_TEXT], query=False)[0], dtype=np.float32)
        cosine = float(now @ self.probe / (np.linalg.norm(now) * np.linalg.norm(self.probe) or 1.0))
        if cosine < MIN_PROBE_COSINE:
            log.info("vector cache of %s not used: the model gives other vectors here (cosine %.6f)",
                     self.embedder, cosine)
            return False
        return True


def embed_passages(embedder: Embedder, texts: Sequence[str], *, cache_dir: Path | None = VECTOR_CACHE_DIR,
                   progress: Callable[[int], None] | None = None) -> np.ndarray:
    """Vectors of `texts`: taken from the shipped cache where it has them, the rest embedded."""
    cache = VectorCache.load(cache_path(embedder.name, cache_dir)) if cache_dir and texts else None
    rows = cache.lookup(texts) if cache is not None else []
    if not any(r >= 0 for r in rows) or not cache.fits(embedder):
        return embedder.embed_passages(texts, progress=progress)
    todo = [i for i, r in enumerate(rows) if r < 0]
    out = np.empty((len(texts), cache.vectors.shape[1]), dtype=np.float32)
    hits = [i for i, r in enumerate(rows) if r >= 0]
    out[hits] = cache.vectors[[rows[i] for i in hits]]
    log.info("vector cache: %d of %d passages found, %d to embed", len(hits), len(texts), len(todo))
    if progress:
        progress(len(hits))
    if todo:
        out[todo] = embedder.embed_passages([texts[i] for i in todo], progress=progress)
    return out
