"""Hybrid retrieval: BM25 over Vietnamese tokens + dense vectors, fused, with metadata filters."""

from __future__ import annotations

import copy
import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np

from assistant.index.embedders import Embedder, make_embedder
from assistant.index.keyword import load_keyword_index
from assistant.index.store import IndexMismatch, IndexStore
from assistant.index.vectors import VectorStore, make_vector_store
from assistant.qa.fusion import rrf
from assistant.records import Chunk, SearchResult
from assistant.settings import Settings
from assistant.text.normalize import expand_abbreviations, fold, fold_keep_length, keyword_tokens
from assistant.text.synonyms import phrase_groups

log = logging.getLogger(__name__)


@dataclass
class Filters:
    """Which chunks a search may return; empty lists mean no restriction."""

    communes: list[str] = field(default_factory=list)
    exclude_communes: list[str] = field(default_factory=list)
    section_kinds: list[str] = field(default_factory=list)
    doc_ids: list[str] = field(default_factory=list)
    kinds: list[str] = field(default_factory=list)

    def is_empty(self) -> bool:
        return not (self.communes or self.exclude_communes or self.section_kinds or self.doc_ids or self.kinds)


EQUIV_BM25 = 0.5  # weight of the report's words for a question's everyday words


class Retriever:
    """Loaded index, ready to answer many queries quickly."""

    def __init__(self, settings: Settings, *, embedder: Embedder | None = None) -> None:
        self.settings = settings
        self.store = IndexStore.open(settings.index_dir)
        with self.store.snapshot():  # an upload committed meanwhile must not leave BM25 and rows apart
            self._rows, _ = self.store.load_chunks(tokens=False)  # every chunk; BM25 and by_id index into it
            self.private = self.store.private_documents()  # unpublished drafts: doc id -> owner group
            self.keyword = load_keyword_index(self.store)
        self.chunks = self._rows  # what this retriever may show: all of it, or a `scoped` view's part
        self.by_id = {c.chunk_id: i for i, c in enumerate(self._rows)}
        self._hidden: frozenset[str] = frozenset()
        self._hidden_mask: np.ndarray | None = None
        self._view_of: Retriever | None = None
        self.mode = settings.effective_retrieval
        self._query_vectors: dict[str, np.ndarray] = {}
        built = self.store.get_meta("embedder") or "none"
        self.embedder: Embedder | None = None
        self.vectors: VectorStore | None = None
        if self.mode != "bm25":
            if built == "none":
                log.warning("the index has no vectors (built with ASSISTANT_EMBEDDINGS=none); using BM25 only")
                self.mode = "bm25"
            else:
                self.embedder = embedder or make_embedder(settings.embeddings, threads=settings.threads)
                if self.embedder is not None and self.embedder.name != built:
                    raise IndexMismatch(
                        f"the index was built with embeddings '{built}' but ASSISTANT_EMBEDDINGS is "
                        f"'{self.embedder.name}'; run `assistant ingest --rebuild`")
                self.vectors = make_vector_store(
                    path=self.store.dir / "chroma", url=settings.chroma_url,
                    collection=self.store.collection)
        self._fold_commune = {fold(c.commune): c.commune for c in self.chunks if c.commune}
        self._arrays = {
            "commune": np.array([fold(c.commune) for c in self._rows], dtype=object),
            "section_kind": np.array([c.section_kind for c in self._rows], dtype=object),
            "doc_id": np.array([c.doc_id for c in self._rows], dtype=object),
            "kind": np.array([c.kind for c in self._rows], dtype=object),
        }

    def scoped(self, hidden: Iterable[str]) -> Retriever:
        """This index without the `hidden` documents (another group's unpublished drafts).

        The view shares the loaded index, so it is cheap; its `chunks`, communes, searches and
        `chunk()` never show a hidden document. Closing a view closes nothing.
        """
        hidden = frozenset(hidden) | self._hidden
        if hidden == self._hidden:
            return self
        base = self._view_of or self
        view = copy.copy(base)
        view._view_of = base
        view._hidden = hidden
        view._hidden_mask = ~np.isin(base._arrays["doc_id"], list(hidden))
        view.chunks = [c for c in base._rows if c.doc_id not in hidden]
        view._fold_commune = {fold(c.commune): c.commune for c in view.chunks if c.commune}
        return view

    def close(self) -> None:
        if self._view_of is not None:
            return
        if self.vectors is not None:
            self.vectors.close()
        self.store.close()

    # --- helpers -----------------------------------------------------------------------
    @property
    def communes(self) -> list[str]:
        return sorted(set(self._fold_commune.values()))

    def commune_named_in(self, query: str) -> str | None:
        """The indexed commune a question names ("Tân An", "tan an", "xã Đại Sơn"), longest match."""
        fq = f" {re.sub(r'[^a-z0-9 ]', ' ', fold(query))} "
        best = None
        for fc, name in self._fold_commune.items():
            if f" {fc} " in fq and (best is None or len(fc) > len(fold(best))):
                best = name
        return best

    def strip_commune(self, query: str, commune: str) -> str:
        """The query without the commune's name (and a "xã"/"UBND xã" before it)."""
        folded = fold_keep_length(query).lower()
        rx = re.compile(r"(?:\b(?:ubnd|uy ban nhan dan)\s+)?(?:\bxa\s+)?\b" + re.escape(fold(commune)) + r"\b")
        m = rx.search(folded)
        if not m:
            return query
        rest = (query[: m.start()] + " " + query[m.end():]).strip()
        return rest if len(rest) >= 3 else query

    def resolve_commune(self, name: str) -> str:
        return self._fold_commune.get(fold(name).strip(), name)

    def _mask(self, f: Filters) -> np.ndarray | None:
        if f.is_empty():
            return self._hidden_mask
        m = np.ones(len(self._rows), dtype=bool) if self._hidden_mask is None else self._hidden_mask.copy()
        a = self._arrays
        if f.communes:
            m &= np.isin(a["commune"], [fold(x) for x in f.communes])
        if f.exclude_communes:
            m &= ~np.isin(a["commune"], [fold(x) for x in f.exclude_communes])
        if f.section_kinds:
            m &= np.isin(a["section_kind"], f.section_kinds)
        if f.doc_ids:
            m &= np.isin(a["doc_id"], f.doc_ids)
        if f.kinds:
            m &= np.isin(a["kind"], f.kinds)
        return m

    def _where(self, f: Filters) -> dict | None:
        clauses: list[dict] = []
        if f.communes:
            clauses.append({"commune": {"$in": [self.resolve_commune(x) for x in f.communes]}})
        if f.exclude_communes:
            clauses.append({"commune": {"$nin": [self.resolve_commune(x) for x in f.exclude_communes]}})
        if f.section_kinds:
            clauses.append({"section_kind": {"$in": list(f.section_kinds)}})
        if f.doc_ids:
            clauses.append({"doc_id": {"$in": list(f.doc_ids)}})
        if f.kinds:
            clauses.append({"kind": {"$in": list(f.kinds)}})
        if self._hidden:
            clauses.append({"doc_id": {"$nin": sorted(self._hidden)}})
        if not clauses:
            return None
        return clauses[0] if len(clauses) == 1 else {"$and": clauses}

    # --- search ------------------------------------------------------------------------
    def bm25_ranking(self, query: str, n: int, f: Filters, equivalents: bool = True) -> list[int]:
        tokens = keyword_tokens(query, query=True)
        scores = self.keyword.scores(tokens)
        extra = [t for o in self._more_written(query) for t in keyword_tokens(o, query=True)
                 if t not in tokens] if equivalents else []
        if extra:  # everyday words with the report's words for them ("bà con": "người dân"), weighed less
            scores = scores + EQUIV_BM25 * self.keyword.scores(list(dict.fromkeys(extra)))
        mask = self._mask(f)
        if mask is not None:
            scores = np.where(mask, scores, 0.0)
        n = min(n, len(scores))
        if n == 0:
            return []
        top = np.argpartition(-scores, n - 1)[:n]
        top = top[np.argsort(-scores[top], kind="stable")]
        return [int(i) for i in top if scores[i] > 0]

    def _written(self, phrase: str) -> int:
        """In how many passages the library writes a phrase (its rarest syllable pair; a single
        syllable as accented, so "đội" is not "đổi")."""
        tokens = keyword_tokens(phrase)
        pairs = [t for t in tokens if "_" in t and not t.startswith("~")]
        single = [t for t in tokens if t.startswith("~")] or tokens
        return min((self.keyword.doc_freq(t) for t in (pairs or single)), default=0)

    def _more_written(self, query: str) -> list[str]:
        """The report's words for the query's everyday ones: of each phrase's equivalents, those the
        library writes more often than the phrase itself ("bà con" -> "người dân", "nhân dân")."""
        out = []
        for g in phrase_groups(query):
            have = self._written(g.phrase)
            out += [o for o in g.others if self._written(o) > have]
        return list(dict.fromkeys(out))

    def _query_vector(self, query: str) -> np.ndarray:
        """The query's embedding; an answer searches one question several times (per commune, per
        section), so the last few are kept."""
        vec = self._query_vectors.get(query)
        if vec is None:
            vec = self.embedder.embed_query(expand_abbreviations(query))  # type: ignore[union-attr]
            if len(self._query_vectors) >= 64:
                self._query_vectors.pop(next(iter(self._query_vectors)))
            self._query_vectors[query] = vec
        return vec

    def dense_ranking(self, query: str, n: int, f: Filters) -> list[int]:
        if self.embedder is None or self.vectors is None:
            return []
        vec = self._query_vector(query)
        try:
            hits = self.vectors.query(vec, n, where=self._where(f))
        except Exception as exc:  # noqa: BLE001 - collection gone (rebuilt elsewhere), stale or unreachable
            log.warning("vector search failed (%s: %s); answering from keywords only until the index "
                        "is reloaded", exc.__class__.__name__, exc)
            return []
        return [self.by_id[i] for i, _ in hits if i in self.by_id]

    def search(self, query: str, k: int = 10, filters: Filters | None = None, *,
               mode: str | None = None, auto_commune: bool = True, equivalents: bool = True) -> list[SearchResult]:
        """Best `k` chunks for a query. A commune named in the query restricts the search to it.
        With `equivalents`, the keyword ranking also weighs the report's words for the query's
        everyday ones (`text.synonyms`); a caller that adds its own (qa.evidence) turns it off."""
        f = Filters(**vars(filters)) if filters else Filters()
        if auto_commune and not f.communes:
            named = self.commune_named_in(query)
            if named and fold(named) not in {fold(x) for x in f.exclude_communes}:
                f.communes = [named]
                query = self.strip_commune(query, named)
        mode = mode or self.mode
        n = max(self.settings.candidates, k)
        rankings, weights = [], []
        if mode in ("hybrid", "bm25"):
            rankings.append(self.bm25_ranking(query, n, f, equivalents))
            weights.append(self.settings.bm25_weight)
        if mode in ("hybrid", "dense") and self.embedder is not None:
            rankings.append(self.dense_ranking(query, n, f))
            weights.append(self.settings.dense_weight)
        fused = rrf(rankings, k=self.settings.rrf_k, weights=weights)[:k]
        return [SearchResult(self._rows[i], s) for i, s in fused if self._rows[i].doc_id not in self._hidden]

    def chunk(self, chunk_id: str) -> Chunk | None:
        i = self.by_id.get(chunk_id)
        if i is None or self._rows[i].doc_id in self._hidden:
            return None
        return self._rows[i]
