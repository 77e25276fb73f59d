"""Keyword index: BM25 (bm25s) over Vietnamese tokens (folded syllables, bigrams, accented forms)."""

from __future__ import annotations

import logging
import shutil
from collections.abc import Iterable
from pathlib import Path

import numpy as np

log = logging.getLogger(__name__)


def _bm25s():  # noqa: ANN202 - the bm25s module
    """Import bm25s, which sets its own logger to DEBUG on import; let it follow ours instead."""
    import bm25s

    logger = logging.getLogger("bm25s")
    if logger.level == logging.DEBUG and not logging.getLogger().isEnabledFor(logging.DEBUG):
        logger.setLevel(logging.WARNING)
    return bm25s


class KeywordIndex:
    """BM25 over pre-tokenised documents; rows align with the chunk order it was built from."""

    def __init__(self, k1: float = 1.2, b: float = 0.75) -> None:
        self.k1, self.b = k1, b
        self._bm25 = None
        self.size = 0

    def build(self, token_lists: Iterable[list[str]]) -> None:
        """Index token lists (any iterable; rows are numbered as they come)."""
        bm25s = _bm25s()
        from bm25s.tokenization import Tokenized

        vocab: dict[str, int] = {}  # token ids instead of strings: a fraction of the memory
        ids = [[vocab.setdefault(t, len(vocab)) for t in (toks or ["_"])] for toks in token_lists]
        self._bm25 = bm25s.BM25(k1=self.k1, b=self.b)
        self.size = len(ids)
        if ids:
            self._bm25.index(Tokenized(ids=ids, vocab=vocab), show_progress=False)

    def doc_freq(self, token: str) -> int:
        """In how many rows `token` occurs."""
        if self._bm25 is None:
            return 0
        i = self._bm25.vocab_dict.get(token)
        if i is None:
            return 0
        ptr = self._bm25.scores["indptr"]
        return int(ptr[i + 1] - ptr[i])

    def scores(self, query_tokens: list[str]) -> np.ndarray:
        """BM25 score of every row for the query (zeros where nothing matches)."""
        if self._bm25 is None or self.size == 0:
            return np.zeros(self.size, dtype=np.float32)
        vocab = self._bm25.vocab_dict
        toks = [t for t in query_tokens if t in vocab]
        if not toks:
            return np.zeros(self.size, dtype=np.float32)
        return np.asarray(self._bm25.get_scores(toks), dtype=np.float32)

    def save(self, directory: Path) -> None:
        tmp = directory.with_name(directory.name + ".tmp")
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir(parents=True)
        if self._bm25 is not None and self.size:
            self._bm25.save(str(tmp), show_progress=False)
        (tmp / "size").write_text(str(self.size))
        old = directory.with_name(directory.name + ".old")
        shutil.rmtree(old, ignore_errors=True)
        if directory.exists():
            directory.rename(old)
        tmp.rename(directory)
        shutil.rmtree(old, ignore_errors=True)

    @classmethod
    def load(cls, directory: Path) -> KeywordIndex:
        bm25s = _bm25s()
        idx = cls()
        idx.size = int((directory / "size").read_text())
        if idx.size:
            idx._bm25 = bm25s.BM25.load(str(directory), show_progress=False)
        return idx
