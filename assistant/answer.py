"""Answers without an LLM: the sentence that holds the figure asked for, quoted exactly, cited."""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass

from .retrieve import Filters, Retriever
from .textnorm import QUERY_STOPWORDS, fold, fold_keep_length, keyword_tokens, syllables
from .types import Answer, Citation, SearchResult

_UNIT_SPLIT_RE = re.compile(r"\n|(?<=[.;!?])\s+(?=[-+A-ZĐÀ-Ỹ0-9(])|\s+\|\s+(?=\d{1,2}\s)")
_NUMBER_RE = re.compile(r"\d+(?:[.,/]\d+)*\s?%?")
_QUANTITY_RE = re.compile(r"\b(bao nhieu|may|ty le|so luong|tong so|dat|muc|so \w+|bao lau|khi nao|ngay nao|nam nao)\b")
_DOCNO_Q_RE = re.compile(r"\b(so may|so bao nhieu|so hieu|quyet dinh so|ke hoach so|van ban so)\b")
_DOCNO_RE = re.compile(r"\b\d{1,5}/(?:QĐ|KH|BC|CV|TB|NQ|CTr|QC|UBND|BCĐ|TTr)[\w\-/Đđ]*")
_TARGET_Q_RE = re.compile(
    r"\b(chi tieu|muc tieu|yeu cau|phai dat|can dat|theo (nghi quyet|ke hoach|quyet dinh|de an|chien luoc)|"
    r"nq ?57|kh ?02|qd ?411|de an ?06|qd ?126|qd ?1565)\b"
)
_MAX_QUOTE = 420


@dataclass
class _Unit:
    text: str
    result_rank: int
    result: SearchResult
    score: float = 0.0


def split_units(text: str) -> list[str]:
    """Sentences, list items and table rows of a passage."""
    units = [u.strip(" |") for u in _UNIT_SPLIT_RE.split(text)]
    return [u for u in units if len(u) >= 3]


def _focus_terms(question: str) -> list[str]:
    """Folded syllables right after "bao nhiêu"/"mấy": the unit of the figure asked for ("ấp")."""
    f = fold(question)
    m = re.search(r"\b(?:bao nhieu|may)\s+((?:\w+\s*){1,3})", f)
    if not m:
        return []
    words = [w for w in m.group(1).split() if w not in QUERY_STOPWORDS]
    return words[:2]


class Answerer:
    """Extractive question answering over a loaded Retriever."""

    def __init__(self, retriever: Retriever) -> None:
        self.r = retriever
        df: Counter[str] = Counter()
        for c in retriever.chunks:
            df.update(set(keyword_tokens(c.text)))
        self._df = df
        self._n = max(1, len(retriever.chunks))

    def _idf(self, tok: str) -> float:
        return math.log(1 + (self._n - self._df.get(tok, 0) + 0.5) / (self._df.get(tok, 0) + 0.5))

    def is_target_question(self, question: str) -> bool:
        return bool(_TARGET_Q_RE.search(fold(question))) and self.r.commune_named_in(question) is None

    def ask(self, question: str, k: int = 5, filters: Filters | None = None) -> Answer:
        if self.is_target_question(question):
            ans = self._catalog_answer(question, k)
            if ans is not None:
                return ans
        results = self.r.search(question, k=max(k, 8), filters=filters)
        if not results:
            return Answer("Không tìm thấy đoạn văn bản nào liên quan trong kho tài liệu.", [], "extractive")
        return self._extract(question, results, k)

    # --- catalog -----------------------------------------------------------------------
    def _catalog_answer(self, question: str, k: int) -> Answer | None:
        hits = self.r.search(question, k=k, filters=Filters(kinds=["guidance"]), auto_commune=False)
        if not hits:
            return None
        best = hits[0].chunk
        cit = [Citation(1, best.doc_id, best.source, best.commune, best.section, best.text)]
        for i, h in enumerate(hits[1:3], start=2):
            c = h.chunk
            cit.append(Citation(i, c.doc_id, c.source, c.commune, c.section, c.text))
        return Answer(f"{best.text} [1]", cit, "catalog")

    # --- extractive --------------------------------------------------------------------
    def _score(self, question: str, units: list[_Unit]) -> None:
        q_toks = set(keyword_tokens(question, query=True))
        named = self.r.commune_named_in(question)
        if named:
            q_toks -= set(keyword_tokens(named))
        wants_number = bool(_QUANTITY_RE.search(fold(question)))
        wants_docno = bool(_DOCNO_Q_RE.search(fold(question)))
        focus = _focus_terms(question)
        total = sum(self._idf(t) for t in q_toks) or 1.0
        for u in units:
            toks = set(keyword_tokens(u.text))
            overlap = sum(self._idf(t) for t in q_toks & toks) / total
            score = overlap + 0.15 / (1 + u.result_rank)
            has_num = bool(_NUMBER_RE.search(u.text))
            if wants_number and not has_num:
                score *= 0.3
            if wants_docno:
                score += 0.3 if _DOCNO_RE.search(u.text) else -0.2
            if focus:
                fu = fold(u.text)
                if re.search(r"\d[\d.,/]*\s*%?\s+(?:\w+\s+){0,2}" + re.escape(focus[0]) + r"\b", fu):
                    score += 0.35
            score -= 0.05 * max(0, len(u.text) - 350) / 350
            u.score = score

    def _extract(self, question: str, results: list[SearchResult], k: int) -> Answer:
        units = [_Unit(t, rank, res) for rank, res in enumerate(results) for t in split_units(res.chunk.text)]
        self._score(question, units)
        units.sort(key=lambda u: -u.score)
        best = units[0]
        chosen = [best]
        if len(units) > 1 and units[1].score >= 0.9 * best.score and units[1].result is not best.result:
            chosen.append(units[1])
        citations: list[Citation] = []
        order: dict[str, int] = {}
        parts = []
        for u in chosen:
            c = u.result.chunk
            if c.chunk_id not in order:
                order[c.chunk_id] = len(order) + 1
                citations.append(Citation(order[c.chunk_id], c.doc_id, c.source, c.commune, c.section, c.text))
            where = f"xã {c.commune}" if c.commune else c.title
            quote = _trim(u.text.lstrip("-+*• "), question)
            lead = key_figure(u.text, question) if u is best else None
            prefix = f"{lead} — theo" if lead else "Theo"
            parts.append(f"{prefix} báo cáo của {where}: «{quote}» [{order[c.chunk_id]}]")
        for res in results[: max(0, k)]:
            c = res.chunk
            if c.chunk_id not in order and len(citations) < k:
                order[c.chunk_id] = len(order) + 1
                citations.append(Citation(order[c.chunk_id], c.doc_id, c.source, c.commune, c.section, c.text))
        return Answer("\n".join(parts), citations, "extractive")


def key_figure(text: str, question: str) -> str | None:
    """The figure a question asks for, exactly as written in `text` (with its unit), if clear."""
    fq = fold(question)
    folded = fold_keep_length(text).lower()
    focus = _focus_terms(question)
    if focus:
        m = re.search(r"(\d[\d.,/]*\s?%?)(\s+(?:\w+\s+){0,2}?" + re.escape(focus[0]) + r"\b)", folded)
        if m:
            return text[m.start(1): m.end(2)].strip()
    if _DOCNO_Q_RE.search(fq):
        m = _DOCNO_RE.search(text)
        if m:
            return m.group(0)
    if "ty le" in fq or "phan tram" in fq or "%" in question:
        pcts = list(re.finditer(r"\d+(?:[.,]\d+)?\s?%", text))
        if len(pcts) == 1:
            return pcts[0].group(0)
    return None


def _trim(text: str, question: str) -> str:
    """Shorten a long unit around the words of the question, keeping figures whole."""
    text = " ".join(text.split())
    if len(text) <= _MAX_QUOTE:
        return text
    q = set(fold(" ".join(syllables(question))).split())
    words = text.split(" ")
    hits = [i for i, w in enumerate(words) if fold(w.strip(",.;:()")) in q]
    centre = sorted(hits)[len(hits) // 2] if hits else 0
    lo, hi = max(0, centre - 30), min(len(words), centre + 30)
    out = " ".join(words[lo:hi])
    return ("… " if lo else "") + out + (" …" if hi < len(words) else "")
