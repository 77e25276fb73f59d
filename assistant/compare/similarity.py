"""How close a paragraph is to other communes' passages, in words an officer can use.

Meaning: a paragraph is embedded once (a commune's section is a dozen short paragraphs); every
report chunk it is compared with is scored with the vector the index already holds for it (read
from the vector store, never embedded again — those are the hundreds of passages that made a
comparison slow). Without vectors (an index built with `ASSISTANT_EMBEDDINGS=none`) meaning falls
back to a TF-IDF cosine with the chunk. Wording: a TF-IDF cosine over folded syllables and
syllable pairs between the paragraph and the exact passage shown.

Raw cosines of a multilingual embedder crowd together (0.83–0.94 for nearly any two passages of
these reports), so the page shows a level instead. A peer is ranked by meaning + wording; that
sum is placed among the same sums of the *best* passage of each other commune for a fixed sample
of paragraphs of the same section kind (the "null": what the closest passage of another commune
usually scores). In the top `1 - VERY` of those it is "rất gần", above the median ("gần")
"gần", else "khác" — so a level says how this match compares with the usual closest match, not
with any random pair. The numbers and the percentile stay available (on hover, in JSON).
"""

from __future__ import annotations

import math
import threading
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from assistant.index.embedders import Embedder
from assistant.qa.retriever import Retriever
from assistant.records import Chunk
from assistant.text.normalize import expand_abbreviations, fold, keyword_tokens

LEVEL_LABELS = {"rat_gan": "rất gần", "gan": "gần", "khac": "khác"}
VERY = 0.9  # percentile of the best-match null above which two passages are "rất gần"
CLOSE = 0.5  # ... "gần"
NULL_PARAGRAPHS = 8  # sample paragraphs per section kind (round robin over communes)
_KEPT_TEXTS = 4096  # paragraph vectors remembered


class TextVectors:
    """Paragraph vectors already computed, by embedder and text (the most recent `size` kept).

    One is kept by the web app across index reloads, so a comparison after an upload does not
    embed again the paragraphs (and the levels' sample) it embedded before."""

    def __init__(self, size: int = _KEPT_TEXTS) -> None:
        self.size = size
        self._vec: dict[tuple[str, str], np.ndarray] = {}
        self._lock = threading.Lock()

    def fill(self, embedder: Embedder, texts: Sequence[str]) -> None:
        """Embed the texts not seen yet, in batches (much faster than one by one)."""
        with self._lock:
            missing = [t for t in dict.fromkeys(texts) if (embedder.name, t) not in self._vec]
        size = max(1, embedder.batch_size)
        for i in range(0, len(missing), size):
            batch = missing[i: i + size]
            vecs = embedder.embed_batch([expand_abbreviations(t) for t in batch], query=False)
            with self._lock:
                self._vec.update(((embedder.name, t), v) for t, v in zip(batch, vecs, strict=True))
        with self._lock:
            while len(self._vec) > self.size:
                self._vec.pop(next(iter(self._vec)))

    def get(self, embedder: Embedder, text: str) -> np.ndarray:
        key = (embedder.name, text)
        with self._lock:
            vec = self._vec.get(key)
        if vec is None:
            self.fill(embedder, [text])
            with self._lock:
                vec = self._vec[key]
        return vec


@dataclass(frozen=True)
class Closeness:
    score: float  # meaning: cosine of stored vectors (or TF-IDF without vectors)
    words: float  # wording: TF-IDF cosine with the passage shown
    percentile: float  # share of the best-match null below meaning + wording
    level: str  # rat_gan | gan | khac


def level_of(percentile: float) -> str:
    return "rat_gan" if percentile >= VERY else "gan" if percentile >= CLOSE else "khac"


class Scorer:
    """Similarity of paragraphs to report chunks over one loaded Retriever, with calibrated levels."""

    def __init__(self, retriever: Retriever, by_kind: dict[str, list[Chunk]],
                 paragraphs: Callable[[Chunk], list[str]], units: Callable[[str], list[str]],
                 text_vectors: TextVectors | None = None) -> None:
        self.r = retriever
        self.by_kind = by_kind
        self.paragraphs = paragraphs  # a chunk's paragraphs (cached by the comparer)
        self.units = units  # the passages a paragraph is shown in
        self.embedder = retriever.embedder if retriever.vectors is not None else None
        self._text_vec = text_vectors if text_vectors is not None else TextVectors()
        self._chunk_vec: dict[str, np.ndarray] = {}
        self._null: dict[str, np.ndarray] = {}
        self._weights: dict[str, tuple[dict[str, float], float]] = {}
        reports = [c for cs in by_kind.values() for c in cs]
        self._df: Counter[str] = Counter()
        for c in reports:
            self._df.update(set(keyword_tokens(c.text)))
        self._n = max(1, len(reports))

    @property
    def name(self) -> str:
        """What the scores are: "dense:<embedder>" or "lexical:tfidf-cosine" (the JSON contract)."""
        return f"dense:{self.embedder.name}" if self.embedder is not None else "lexical:tfidf-cosine"

    # --- vectors -----------------------------------------------------------------------
    def prepare(self, texts: Sequence[str]) -> None:
        """Embed paragraphs not seen yet, in batches (much faster than one by one)."""
        if self.embedder is None:
            return
        self._text_vec.fill(self.embedder, texts)

    def _chunk_vectors(self, chunks: Sequence[Chunk]) -> np.ndarray:
        """The index's stored vectors of `chunks` (one read for those not read yet)."""
        missing = [c.chunk_id for c in chunks if c.chunk_id not in self._chunk_vec]
        if missing:
            assert self.r.vectors is not None
            self._chunk_vec.update(self.r.vectors.get(missing))
            lost = [c for c in chunks if c.chunk_id not in self._chunk_vec]
            if lost:  # a chunk without a stored vector (an interrupted ingest): embed it as the index does
                from assistant.ingest.pipeline import embed_text

                assert self.embedder is not None
                vecs = self.embedder.embed_passages([embed_text(c) for c in lost])
                self._chunk_vec.update({c.chunk_id: v for c, v in zip(lost, vecs, strict=True)})
        return np.vstack([self._chunk_vec[c.chunk_id] for c in chunks])

    # --- scores ------------------------------------------------------------------------
    def scores(self, text: str, chunks: Sequence[Chunk]) -> np.ndarray:
        """Meaning similarity of `text` to each chunk: the cosine of its vector with each chunk's
        stored vector, or TF-IDF without vectors."""
        if not chunks:
            return np.zeros(0, dtype=np.float32)
        if self.embedder is None:
            return np.asarray(self.overlaps(text, [c.text for c in chunks]), dtype=np.float32)
        self.prepare([text])
        return self._chunk_vectors(chunks) @ self._text_vec.get(self.embedder, text)

    def _tfidf(self, text: str) -> tuple[dict[str, float], float]:
        """TF-IDF weights of a text and their norm (remembered)."""
        got = self._weights.get(text)
        if got is None:
            tf = Counter(keyword_tokens(text))
            w = {t: n * math.log((self._n + 1) / (self._df.get(t, 0) + 0.5)) for t, n in tf.items()}
            got = self._weights[text] = (w, math.sqrt(sum(v * v for v in w.values())) or 1.0)
            while len(self._weights) > 4 * _KEPT_TEXTS:
                self._weights.pop(next(iter(self._weights)))
        return got

    def overlaps(self, text: str, others: Sequence[str]) -> list[float]:
        """TF-IDF cosine over folded syllables and syllable pairs (0..1): shared wording."""
        qa, na = self._tfidf(text)
        out = []
        for o in others:
            qb, nb = self._tfidf(o)
            small, big = (qa, qb) if len(qa) <= len(qb) else (qb, qa)
            out.append(sum(v * big.get(t, 0.0) for t, v in small.items()) / (na * nb))
        return out

    # --- calibration -------------------------------------------------------------------
    def closeness(self, score: float, words: float, kind: str) -> Closeness:
        """Where a peer's meaning `score` + wording `words` falls among the best matches between
        different communes in this section kind."""
        pct = _percentile(self.null(kind), score + words)
        return Closeness(score, words, pct, level_of(pct))

    def null(self, kind: str) -> np.ndarray:
        """Sorted meaning + wording of the best passage of each other commune, for sample
        paragraphs of section kind `kind` (computed once per kind)."""
        if kind not in self._null:
            self._null[kind] = np.sort(np.asarray(self._best_matches(kind), dtype=np.float32))
        return self._null[kind]

    def _best_matches(self, kind: str) -> list[float]:
        chunks = self.by_kind.get(kind, [])
        sample = self._sample(chunks)
        self.prepare([p for _, p in sample])
        out: list[float] = []
        for commune, para in sample:
            others = [c for c in chunks if fold(c.commune) != commune]
            meaning = self.scores(para, others)
            best: dict[str, float] = {}
            for c, m in zip(others, meaning.tolist(), strict=True):
                units = [u for p in self.paragraphs(c) for u in self.units(p)]
                if not units:
                    continue
                top = m + max(self.overlaps(para, units))
                key = fold(c.commune)
                best[key] = max(best.get(key, top), top)
            out += best.values()
        return out

    def _sample(self, chunks: Sequence[Chunk]) -> list[tuple[str, str]]:
        """Up to `NULL_PARAGRAPHS` (commune, paragraph), taken in turn from each commune (deterministic)."""
        queues: dict[str, list[str]] = {}
        for c in sorted(chunks, key=lambda c: (c.doc_id, c.position)):
            queues.setdefault(fold(c.commune), []).extend(self.paragraphs(c)[:1])
        sample: list[tuple[str, str]] = []
        while len(sample) < NULL_PARAGRAPHS and any(queues.values()):
            for commune, paras in queues.items():
                if paras and len(sample) < NULL_PARAGRAPHS:
                    sample.append((commune, paras.pop(0)))
        return sample


def _percentile(null: np.ndarray, value: float) -> float:
    return float(np.searchsorted(null, value, side="left")) / len(null) if len(null) else 0.0
