"""Answers without an LLM: the sentence that holds the figure asked for, quoted exactly, cited."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from assistant.qa.intent import (
    Intent,
    best_by_context,
    candidates,
    figure_phrase,
    focus_figure,
    intent_of,
    split_exception,
)
from assistant.qa.retriever import Filters, Retriever
from assistant.records import Answer, Citation, SearchResult
from assistant.text.normalize import fold, keyword_tokens, syllables

_UNIT_SPLIT_RE = re.compile(r"\n|(?<=[.;!?])\s+(?=[-+A-ZĐÀ-Ỹ0-9(])|\s+\|\s+(?=\d{1,2}\s)")
_TARGET_Q_RE = re.compile(
    r"\b(chi tieu|muc tieu|yeu cau|phai dat|can dat|theo (nghi quyet|ke hoach|quyet dinh|de an|chien luoc)|"
    r"nq ?57|kh ?02|qd ?411|de an ?06|qd ?126|qd ?1565)\b"
)
_MAX_QUOTE = 420
OCR_NOTE = " (đoạn này được đọc bằng OCR từ bản quét hoặc ảnh chụp, có thể sai chữ hoặc số; nên đối chiếu bản gốc)"


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


class Answerer:
    """Extractive question answering over a loaded Retriever."""

    def __init__(self, retriever: Retriever) -> None:
        self.r = retriever
        self._n = max(1, len(retriever.chunks))

    def _idf(self, tok: str) -> float:
        df = self.r.keyword.doc_freq(tok)  # from the BM25 index: no pass over every chunk
        return math.log(1 + (self._n - df + 0.5) / (df + 0.5))

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
        cit = [Citation(1, best.doc_id, best.source, best.commune, best.section, best.text, best.ocr)]
        for i, h in enumerate(hits[1:3], start=2):
            c = h.chunk
            cit.append(Citation(i, c.doc_id, c.source, c.commune, c.section, c.text, c.ocr))
        return Answer(f"{catalog_summary(best.text, question)} [1]", cit, "catalog")

    # --- extractive --------------------------------------------------------------------
    def _score(self, question: str, units: list[_Unit]) -> Intent:
        q_toks = set(keyword_tokens(question, query=True))
        main, aside = split_exception(question)
        if aside:  # "Ngoài máy tính, máy in, …": those words point away from the answer
            q_toks -= set(keyword_tokens(aside, query=True)) - set(keyword_tokens(main, query=True))
        named = self.r.commune_named_in(question)
        if named:
            q_toks -= set(keyword_tokens(named))
        intent = intent_of(question)
        total = sum(self._idf(t) for t in q_toks) or 1.0
        for u in units:
            toks = set(keyword_tokens(u.text))
            score = sum(self._idf(t) for t in q_toks & toks) / total + 0.15 / (1 + u.result_rank)
            if intent.kind is not None:
                cands = candidates(u.text, intent)
                if not cands:
                    score *= 0.3
                elif focus_figure(u.text, intent, cands) is not None:
                    score += 0.3
            score -= 0.05 * max(0, len(u.text) - 350) / 350
            u.score = score
        return intent

    def _extract(self, question: str, results: list[SearchResult], k: int) -> Answer:
        units = [_Unit(t, rank, res) for rank, res in enumerate(results) for t in split_units(res.chunk.text)]
        intent = self._score(question, units)
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
                citations.append(Citation(order[c.chunk_id], c.doc_id, c.source, c.commune, c.section, c.text, c.ocr))
            where = f"xã {c.commune}" if c.commune else c.title
            quote = _trim(u.text.lstrip("-+*• "), question)
            lead = key_figure(u.text, intent, question) if u is best else None
            prefix = f"{lead} — theo" if lead else "Theo"
            parts.append(f"{prefix} báo cáo của {where}: «{quote}» [{order[c.chunk_id]}]" + (OCR_NOTE if c.ocr else ""))
        for res in results[: max(0, k)]:
            c = res.chunk
            if c.chunk_id not in order and len(citations) < k:
                order[c.chunk_id] = len(order) + 1
                citations.append(Citation(order[c.chunk_id], c.doc_id, c.source, c.commune, c.section, c.text, c.ocr))
        return Answer("\n".join(parts), citations, "extractive")


# Documents a question may name, and how the catalog writes them.
_SOURCE_NAMES = [
    (re.compile(r"\b(?:nq|nghi quyet)\s*(?:so\s*)?57\b"), "57-NQ/TW"),
    (re.compile(r"\b(?:kh|ke hoach)\s*(?:so\s*)?02\b"), "02-KH/BCĐTW"),
    (re.compile(r"\b(?:qd|quyet dinh)?\s*(?:so\s*)?411\b|chien luoc"), "411/QĐ-TTg"),
    (re.compile(r"\b126\b"), "126/QĐ-BCĐCP"),
    (re.compile(r"\b1565\b"), "1565/QĐ-TTg"),
    (re.compile(r"\bde an\s*(?:so\s*)?06\b"), "Đề án 06"),
]


def catalog_summary(passage: str, question: str) -> str:
    """The catalog passage cut to what was asked: the indicator, its targets (only those of the
    document the question names, if any), and the low-confidence note; aliases and links stay in
    the citation."""
    fq = fold(question)
    wanted = [name for rx, name in _SOURCE_NAMES if rx.search(fq)]
    lines = passage.split("\n")
    targets = [x for x in lines if x.startswith("- ")]
    keep = [x for x in targets if any(w in x for w in wanted)] if wanted else targets
    out = [x for x in lines if not x.startswith(("- ", "Cách gọi khác", "Nơi xem"))]
    head, rest = out[:2], out[2:]
    body = head + (keep or targets) + rest
    if any("độ tin cậy: thấp" in x for x in keep or targets):
        return "\n".join(body)
    return "\n".join(x for x in body if not x.startswith("Lưu ý"))


def key_figure(text: str, intent: Intent, question: str = "") -> str | None:
    """The figure a question asks for, exactly as written in `text` (with its unit), if clear."""
    if intent.kind is None:
        return None
    cands = candidates(text, intent)
    fig = focus_figure(text, intent, cands)
    if fig is None and len(cands) == 1:
        fig = cands[0]
    if fig is None:
        fig = best_by_context(text, question, cands)
    return figure_phrase(text, fig, intent) if fig is not None else None


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
