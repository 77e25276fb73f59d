"""Keyword index: BM25 (bm25s) over Vietnamese tokens (folded syllables, bigrams, accented forms)."""

from __future__ import annotations

import logging
import shutil
import sqlite3
from collections.abc import Iterable
from pathlib import Path

import numpy as np

from assistant.index.store import IndexStore
from assistant.records import Chunk
from assistant.text.normalize import TOKENS_VERSION, keyword_tokens

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


# ---------------------------------------------------------------- tokens of chunks

def chunk_tokens(c: Chunk) -> list[str]:
    leaf = " ".join(c.section.split(" > ")[-2:]) if c.section else ""
    return keyword_tokens(f"{c.commune}\n{leaf}\n{c.text}")


def retokenise(store: IndexStore) -> None:
    """Recompute every chunk's keyword tokens when the tokenizer changed since the index was built."""
    if store.get_meta("tokens_version") == TOKENS_VERSION:
        return
    chunks, _ = store.load_chunks()
    with store.transaction() as db:
        db.executemany("UPDATE chunks SET tokens=? WHERE chunk_id=?",
                       [(" ".join(chunk_tokens(c)), c.chunk_id) for c in chunks])
        store.set_meta("tokens_version", TOKENS_VERSION)
    log.info("re-tokenised %d chunks for keyword search (tokenizer version %s)", len(chunks), TOKENS_VERSION)


def keyword_fresh(store: IndexStore) -> bool:
    """Whether the saved BM25 index matches the chunk store (same revision, same tokenizer)."""
    directory, rev_file = store.dir / "bm25", store.dir / "bm25.rev"
    try:
        return (store.get_meta("tokens_version") == TOKENS_VERSION and (directory / "size").exists()
                and rev_file.read_text().strip() == str(store.revision))
    except OSError:
        return False


def refresh_keyword_index(store: IndexStore) -> KeywordIndex:
    """Rebuild BM25 when the saved one is older than the chunk store, and save it (write path:
    call it only while holding the index folder's write lock)."""
    try:
        retokenise(store)
    except sqlite3.OperationalError as exc:  # a read-only index: tokens stay as they were
        log.warning("could not update keyword tokens (%s); run `assistant ingest --rebuild`", exc)
    directory = store.dir / "bm25"
    rev_file = store.dir / "bm25.rev"
    rev = str(store.revision)
    if directory.exists() and rev_file.exists() and rev_file.read_text().strip() == rev:
        return KeywordIndex.load(directory)
    kw = KeywordIndex()
    kw.build(store.iter_tokens())
    try:
        kw.save(directory)
        rev_file.write_text(rev)
    except OSError as exc:  # another process saving at the same time, or a read-only folder
        log.info("keyword index kept in memory only (%s)", exc)
    return kw


def load_keyword_index(store: IndexStore) -> KeywordIndex:
    """The BM25 index for reading: the saved one when it matches the chunk store, otherwise one
    built in memory (re-tokenised in memory when the tokenizer changed). Never writes: the next
    `assistant ingest` saves the fresh index."""
    directory = store.dir / "bm25"
    rev_file = store.dir / "bm25.rev"
    fresh_tokens = store.get_meta("tokens_version") == TOKENS_VERSION
    if fresh_tokens and directory.exists() and rev_file.exists() \
            and rev_file.read_text().strip() == str(store.revision):
        return KeywordIndex.load(directory)
    log.info("keyword index out of date; building it in memory (run `assistant ingest` to save it)")
    kw = KeywordIndex()
    if fresh_tokens:
        kw.build(store.iter_tokens())
    else:
        chunks, _ = store.load_chunks(tokens=False)
        kw.build(chunk_tokens(c) for c in chunks)
    return kw
