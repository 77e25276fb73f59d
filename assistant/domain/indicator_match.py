"""Matching a free wording of an indicator ("Tỷ lệ hồ sơ TTHC trực tuyến") to the catalog's
indicators: weighted overlap of folded syllables and bigrams, abbreviations expanded."""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from assistant.text.normalize import FOLDED_ABBREVIATIONS, fold

if TYPE_CHECKING:
    from assistant.domain.catalog import Indicator

DEFAULT_MIN_SCORE = 0.55

# Folded function words dropped before matching. "của", "tại", "đối", "trong" stay: without
# accents they would also remove "cửa", "tài", "đổi", "trọng".
_MATCH_STOPWORDS = frozenset("cac nhung va duoc nam den nay da la cho theo hoac tren".split())
_WORD_RE = re.compile(r"[a-z0-9]+")


def _match_terms(text: str) -> frozenset[str]:
    """Folded syllables (abbreviations expanded, numbers and function words dropped) and bigrams."""
    words: list[str] = []
    for w in _WORD_RE.findall(fold(text)):
        if w.isdigit():
            continue
        words.extend(FOLDED_ABBREVIATIONS.get(w, w).split())
    words = [w for w in words if w not in _MATCH_STOPWORDS]
    return frozenset(words) | {f"{a}_{b}" for a, b in zip(words, words[1:], strict=False)}


@dataclass(frozen=True)
class _MatchIndex:
    idf: dict[str, float]
    unseen: float
    entries: tuple[tuple[str, tuple[frozenset[str], ...]], ...]


_INDEX_CACHE: dict[tuple[tuple[str, str, tuple[str, ...]], ...], _MatchIndex] = {}


def _match_index(catalog: Sequence[Indicator]) -> _MatchIndex:
    key = tuple((ind.id, ind.name, tuple(ind.aliases)) for ind in catalog)
    cached = _INDEX_CACHE.get(key)
    if cached is not None:
        return cached
    entries = tuple(
        (ind_id, tuple(_match_terms(s) for s in (name, *aliases))) for ind_id, name, aliases in key
    )
    df: dict[str, int] = {}
    for _, term_sets in entries:
        for term in frozenset().union(*term_sets):
            df[term] = df.get(term, 0) + 1
    n = len(entries)
    idf = {t: math.log((n + 1) / (c + 0.5)) for t, c in df.items()}
    index = _MatchIndex(idf=idf, unseen=math.log((n + 1) / 0.5), entries=entries)
    if len(_INDEX_CACHE) > 8:
        _INDEX_CACHE.clear()
    _INDEX_CACHE[key] = index
    return index


def _similarity(query: frozenset[str], cand: frozenset[str], index: _MatchIndex) -> float:
    """Mean of the two weighted containments (query in candidate, candidate in query)."""

    def weight(terms: Iterable[str]) -> float:
        return sum(index.idf.get(t, index.unseen) for t in terms)

    shared = weight(query & cand)
    if shared == 0:
        return 0.0
    return 0.5 * (shared / weight(query) + shared / weight(cand))


def match_indicator(
    name: str,
    catalog: Sequence[Indicator],
    *,
    min_score: float = DEFAULT_MIN_SCORE,
) -> tuple[Indicator, float] | None:
    """Best catalog indicator for a free wording (accents, case, abbreviations ignored), or None."""
    query = _match_terms(name)
    if not query or not catalog:
        return None
    index = _match_index(catalog)
    best_id, best = "", 0.0
    for ind_id, term_sets in index.entries:
        score = max((_similarity(query, cand, index) for cand in term_sets if cand), default=0.0)
        if score > best:
            best_id, best = ind_id, score
    if not best_id or best < min_score:
        return None
    by_id = {ind.id: ind for ind in catalog}
    return by_id[best_id], round(best, 4)


def indicator_by_id(catalog: Sequence[Indicator], indicator_id: str) -> Indicator | None:
    """The indicator with this id, or None."""
    return next((ind for ind in catalog if ind.id == indicator_id), None)
