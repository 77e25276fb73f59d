"""Peer passages as models: the closest sentence other communes wrote about the same problem.

One search per item (an unmet indicator or an observation) over the report chunks of kind
ton_tai / phuong_huong / de_xuat; the passages are split into sentences and list items, and a
sentence may serve as a model only when it carries no figure, names no other place, is a whole
sentence (not a heading) and can be adapted to this commune (`adapt.Locale`): the draft writes
the adapted sentence, the citation quotes the source as written. A chunk whose text holds its
own "b. Tồn tại, hạn chế:" / "c. Đề xuất giải pháp:" labels (a heading style the chunker keeps
inside a results chunk) is read part by part, each part with its own kind. Chosen sentences are
cited through one `CitationBook` for the whole draft.
"""

from __future__ import annotations

import copy
import logging
import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from assistant.domain import pillars
from assistant.drafting.adapt import Locale
from assistant.qa.retriever import Filters, Retriever
from assistant.records import Chunk, Citation, SearchResult
from assistant.text.citations import cited
from assistant.text.normalize import expand_abbreviations, fold, keyword_tokens
from assistant.text.segment import answer_units as split_units
from assistant.text.vn_numbers import find_numbers

log = logging.getLogger(__name__)

PEER_KINDS = ("ton_tai", "phuong_huong", "de_xuat")
# a label line inside a chunk that starts a part of another kind ("b. Tồn tại, hạn chế:")
_PART_LABEL_RE = re.compile(
    r"^\s*(?:[a-zđ][.)]|\d{1,2}(?:\.\d{1,2})*\.?|[-*+•])?\s*"
    r"(?P<label>(?:một số )?(?:khó khăn,? )?(?:tồn tại|hạn chế)(?:,? (?:tồn tại|hạn chế|khó khăn|vướng mắc))*"
    r"|khó khăn,? vướng mắc|đề xuất giải pháp|đề xuất,? kiến nghị|kiến nghị,? đề xuất|giải pháp"
    r"|kết quả đạt được|kết quả thực hiện|phương hướng[^:]{0,60})\s*[:.]?\s*$",
    re.IGNORECASE,
)
_LABEL_KIND = (("tồn tại", "ton_tai"), ("hạn chế", "ton_tai"), ("khó khăn", "ton_tai"),
               ("đề xuất", "de_xuat"), ("kiến nghị", "de_xuat"), ("giải pháp", "de_xuat"),
               ("phương hướng", "phuong_huong"), ("kết quả", "ket_qua"))  # fmt: skip


def parts(chunk: Chunk) -> list[tuple[str, str]]:
    """(kind, text) parts of a chunk: the chunk's own kind, changed by label lines inside it."""
    kind, out, cur = chunk.section_kind, [], []
    for line in chunk.text.split("\n"):
        m = _PART_LABEL_RE.match(line)
        if m and len(line) < 80:
            if cur:
                out.append((kind, "\n".join(cur)))
            label = m.group("label").lower()
            kind = next((k for word, k in _LABEL_KIND if word in label), kind)
            cur = []
            continue
        cur.append(line)
    if cur:
        out.append((kind, "\n".join(cur)))
    return out
_LABEL_RE = re.compile(
    r"^(?:[-+*•–]\s*)*(?:(?:\d{1,2}(?:\.\d{1,2})*|[a-zđ]|[IVX]+)[.)]\s+)?"
    r"(?:(?:nhiệm vụ|giải pháp|tồn tại, hạn chế|hạn chế|kết quả đạt được|khó khăn, vướng mắc)\s*:\s*)?",
    re.IGNORECASE,
)
_PLACE_RE = re.compile(
    r"\b(?:xã|phường|thị trấn|huyện|tỉnh|thành phố|TP\.?)\s+([A-ZĐ]\w*(?:\s+[A-ZĐ]\w*)*)"
)
_MIN_LEN, _MAX_LEN, _MIN_WORDS = 25, 320, 10
_MIN_WORDS_OPEN = 12  # a line without a final stop must be this long to count as a sentence
_NUMBERED_RE = re.compile(r"^(?:\d{1,2}(?:\.\d{1,2})*\.?|[IVX]+\.|[a-zđ]\))\s")


@dataclass(frozen=True)
class PeerSentence:
    """A sentence of a peer passage, with the chunk it comes from and its similarity score.

    `text` is what the draft may write (adapted to this commune); `quote` is the sentence as
    the source writes it, which the citation shows.
    """

    text: str
    chunk: Chunk
    score: float
    quote: str = ""

    @property
    def source_text(self) -> str:
        return self.quote or self.text


@dataclass
class CitationBook:
    """Numbers the peer sentences a section cites, one number per distinct sentence."""

    citations: list[Citation] = field(default_factory=list)
    _index: dict[tuple[str, str], int] = field(default_factory=dict)

    def cite(self, peer: PeerSentence) -> int:
        key = (peer.chunk.chunk_id, peer.source_text)
        if key not in self._index:
            c = peer.chunk
            n = len(self.citations) + 1
            self.citations.append(Citation.of(n, c, peer.source_text))
            self._index[key] = n
        return self._index[key]

    def of(self, text: str) -> list[Citation]:
        """The citations `text` cites, in number order."""
        wanted = set(cited(text))
        return [c for c in self.citations if c.n in wanted]


@lru_cache(maxsize=8192)
def _terms(text: str) -> frozenset[str]:
    return frozenset(t for t in keyword_tokens(text, query=True) if not t.startswith("~"))


def clean_unit(unit: str) -> str:
    """A passage unit without its list marker, numbering or label ("Nhiệm vụ: …")."""
    s = " ".join(unit.split())
    s = _LABEL_RE.sub("", s, count=1).strip(" ;")
    return s


class PeerFinder:
    """Finds model sentences for one commune's draft, leaving out the excluded communes."""

    def __init__(
        self,
        retriever: Retriever,
        commune: str,
        *,
        province: str = "",
        exclude_communes: Iterable[str] = (),
        k: int = 16,
        locale: Locale | None = None,
    ) -> None:
        self.r = retriever
        self.commune = commune
        self.k = k
        self.locale = locale or Locale()
        self.exclude = [c for c in exclude_communes if c]
        self.filters = Filters(
            section_kinds=list(PEER_KINDS), exclude_communes=self.exclude, kinds=["report"]
        )
        # suggestions come from other communes only, whatever the officer chose to exclude
        self.peer_only = [*self.exclude, commune] if commune else list(self.exclude)
        self._adapted: dict[str, str | None] = {}
        own = {fold(commune).strip(), fold(province).strip()} - {""}
        places = {fold(c.commune) for c in retriever.chunks if c.commune}
        places |= {fold(c.province) for c in retriever.chunks if c.province}
        self._foreign = sorted(p for p in places - own if p)
        self._own = own
        self._idf = _idf_table(retriever)
        self._idf_max = max(self._idf.values(), default=1.0)
        self._cache: dict[str, list[SearchResult]] = {}
        # one vector per query text for every search of this draft (batched by `embed`)
        self._searcher, self._vectors = retriever, None
        embedder = getattr(retriever, "embedder", None)
        if embedder is not None and getattr(retriever, "mode", "") != "bm25":
            self._vectors = _Prefetched(embedder, {})
            self._searcher = copy.copy(retriever)  # the shared retriever itself is left untouched
            self._searcher.embedder = self._vectors
        self._units: dict[str, list[tuple[str, str, Chunk, int, str]]] = {}
        self._usable: dict[str, bool] = {}

    # --- retrieval -------------------------------------------------------------------
    def _filters(self, scope: str) -> Filters:
        if scope == "models":
            return self.filters
        kinds = ["ton_tai", "ket_qua"] if scope == "shortcomings" else [*PEER_KINDS, "ket_qua"]
        return Filters(section_kinds=kinds, exclude_communes=self.peer_only, kinds=["report"])

    def _search(self, searcher: Retriever, query: str, scope: str = "models") -> list[SearchResult]:
        # the keyword bags of suggestions and kiến nghị search by keywords only (BM25 is the
        # strongest retriever on these reports, and it needs no query embedding)
        mode = None if scope == "models" else "bm25"
        try:
            return searcher.search(
                query, k=self.k, filters=self._filters(scope), auto_commune=False, mode=mode
            )
        except Exception as exc:  # noqa: BLE001 - a model passage is optional
            log.warning("peer search failed for %r: %s", query[:60], exc)
            return []

    def results(self, query: str, scope: str = "models") -> list[SearchResult]:
        """Passages for `query`: "models" (Tồn tại / Phương hướng / Đề xuất of the communes not
        excluded), "shortcomings" or "requests" (other communes only, results chunks included
        for the parts they hold)."""
        key = query if scope == "models" else f"{scope}\x00{query}"
        if key not in self._cache:
            self._cache[key] = self._search(self._searcher, query, scope)
        return self._cache[key]

    def embed(self, queries: Iterable[str]) -> None:
        """Embed the queries not embedded yet in one batch (the same text serves every scope)."""
        if self._vectors is None:
            return
        texts = [t for t in dict.fromkeys(expand_abbreviations(q) for q in queries)
                 if t not in self._vectors.vectors]  # fmt: skip
        if len(texts) < 2:
            return
        try:
            vectors = self._vectors.base.embed_batch(texts, query=True)
        except Exception as exc:  # noqa: BLE001 - fall back to one query at a time
            log.info("batch embedding failed (%s); embedding queries one by one", exc)
            return
        self._vectors.vectors.update(zip(texts, vectors, strict=True))

    def prefetch(self, queries: Iterable[str], scope: str = "models") -> None:
        """Run all searches now, embedding the queries in one batch when vectors are used."""
        keyed = {(q if scope == "models" else f"{scope}\x00{q}"): q for q in dict.fromkeys(queries)}
        todo = [q for key, q in keyed.items() if key not in self._cache]
        if scope == "models":  # the other scopes search by keywords only
            self.embed(todo)
        for q in todo:
            key = q if scope == "models" else f"{scope}\x00{q}"
            self._cache[key] = self._search(self._searcher, q, scope)

    def units(
        self, query: str, kinds: Sequence[str], scope: str = "models"
    ) -> list[tuple[str, str, Chunk, int]]:
        """(sentence as written, cleaned sentence, chunk, rank) of the passages found.

        Headings ("7. Chính quyền số (…)", "Đảm bảo về an toàn, an ninh thông tin mạng") are left
        out: a numbered line, or a short one, that does not end a sentence. A sentence's kind is
        its part's (see `parts`).
        """
        key = query if scope == "models" else f"{scope}\x00{query}"
        if key not in self._units:
            out = []
            for rank, res in enumerate(self.results(query, scope)):
                for kind, text in parts(res.chunk):
                    for unit in split_units(text):
                        raw = " ".join(unit.split())
                        ended = raw.rstrip().endswith((".", ";", "!", "?"))
                        if not ended and (
                            _NUMBERED_RE.match(raw) or len(raw.split()) < _MIN_WORDS_OPEN
                        ):
                            continue
                        out.append((raw, clean_unit(unit), res.chunk, rank, kind))
            self._units[key] = out
        return [u[:4] for u in self._units[key] if u[4] in kinds]

    # --- filters and scores ------------------------------------------------------------
    def usable(self, sentence: str) -> bool:
        """A whole sentence with no figure and no other place's name."""
        if sentence not in self._usable:
            self._usable[sentence] = self._check_usable(sentence)
        return self._usable[sentence]

    def _check_usable(self, sentence: str) -> bool:
        if not (_MIN_LEN <= len(sentence) <= _MAX_LEN) or sentence.endswith(":"):
            return False
        if (
            not sentence[:1].isupper()
            or len(sentence.split()) < _MIN_WORDS
            or find_numbers(sentence)
        ):
            return False
        letters = [c for c in sentence if c.isalpha()]
        if letters and all(c.isupper() for c in letters):
            return False
        return self.names_ok(sentence)

    def adapted(self, sentence: str) -> str | None:
        """The sentence in this commune's words, or None when it cannot be (former communes)."""
        if sentence not in self._adapted:
            self._adapted[sentence] = self.locale.adapt(sentence)
        return self._adapted[sentence]

    def names_ok(self, text: str) -> bool:
        padded = " " + " ".join(re.findall(r"[a-z0-9]+", fold(text))) + " "
        if any(f" {p} " in padded for p in self._foreign):
            return False
        for m in _PLACE_RE.finditer(text):
            if fold(m.group(1)).strip() not in self._own:
                return False
        return True

    def similarity(self, query: str, sentence: str) -> float:
        """Mean of the IDF-weighted containments of the two term sets."""
        q, s = _terms(query), _terms(sentence)
        shared = q & s
        if not shared:
            return 0.0

        idf, unseen = self._idf, self._idf_max

        def w(terms: frozenset[str]) -> float:
            return sum(idf.get(t, unseen) for t in terms)

        return 0.7 * w(shared) / w(q) + 0.3 * w(shared) / w(s)

    def best(
        self,
        query: str,
        kinds: Sequence[str],
        *,
        pillar: str | None = None,
        min_score: float = 0.2,
        used: set[str] | None = None,
        accept=None,
        score_text: str = "",
        scope: str = "models",
    ) -> PeerSentence | None:  # noqa: ANN001
        """The best usable sentence for `query` among passages of `kinds`, or None.

        Passages are those found for `query`; sentences are scored against `score_text` when
        given (e.g. the task written from a shortcoming), else against `query`.
        """
        target = score_text or query
        best: PeerSentence | None = None
        for _, sentence, chunk, rank in self.units(query, kinds, scope):
            if used is not None and fold(sentence) in used:
                continue
            if not self.usable(sentence) or (accept is not None and not accept(sentence)):
                continue
            adapted = self.adapted(sentence)
            if adapted is None:
                continue
            score = self.similarity(target, sentence) + 0.03 / (1 + rank)
            if pillar and pillars.primary(sentence, default="") == pillar:
                score += 0.08
            if score >= min_score and (best is None or score > best.score):
                best = PeerSentence(adapted, chunk, round(score, 4), sentence)
        return best

    def raw_sentences(
        self, query: str, kinds: Sequence[str], scope: str = "models"
    ) -> list[PeerSentence]:
        """Every sentence (figures allowed) with its similarity to `query`, best first.

        `text` is the sentence as written (callers adapt the part they use), `quote` the same.
        """
        seen: set[str] = set()
        out = []
        for _, sentence, chunk, rank in self.units(query, kinds, scope):
            if sentence in seen or len(sentence) < _MIN_LEN or not self.names_ok(sentence):
                continue
            seen.add(sentence)
            score = self.similarity(query, sentence) + 0.03 / (1 + rank)
            out.append(PeerSentence(sentence, chunk, round(score, 4), sentence))
        return sorted(out, key=lambda p: -p.score)


class _Prefetched:
    """An embedder that answers from vectors computed in one batch (or earlier), else asks the
    real one and keeps its answer."""

    def __init__(self, base: Any, vectors: dict[str, Any]) -> None:
        self.base = base
        self.vectors = vectors
        self.name = getattr(base, "name", "")

    def embed_query(self, text: str) -> Any:
        vec = self.vectors.get(text)
        if vec is None:
            vec = self.vectors[text] = self.base.embed_query(text)
        return vec

    def __getattr__(self, attr: str) -> Any:
        return getattr(self.base, attr)


_IDF_CACHE: dict[int, tuple[int, dict[str, float]]] = {}


def _idf_table(retriever: Retriever) -> dict[str, float]:
    """IDF of query terms over the indexed chunks (cached per retriever)."""
    key = id(retriever)
    cached = _IDF_CACHE.get(key)
    if cached is not None and cached[0] == len(retriever.chunks):
        return cached[1]
    df: Counter[str] = Counter()
    for c in retriever.chunks:
        df.update(_terms(c.text))
    n = max(1, len(retriever.chunks))
    idf = {t: math.log(1 + (n - d + 0.5) / (d + 0.5)) for t, d in df.items()}
    if len(_IDF_CACHE) > 4:
        _IDF_CACHE.clear()
    _IDF_CACHE[key] = (len(retriever.chunks), idf)
    return idf
