"""What every kind of answer shares: numbered citations, quotes, where a passage comes from, and
the "không tìm thấy" answer with the nearest passages."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from assistant.qa.evidence import Evidence
from assistant.qa.question import Question
from assistant.qa.retriever import Retriever
from assistant.records import Answer, Chunk, Citation, SearchResult
from assistant.text.normalize import fold, syllables
from assistant.text.segment import strip_marker

MAX_QUOTE = 420
OCR_NOTE = ("Đoạn trích được đọc bằng OCR từ bản quét hoặc ảnh chụp, có thể sai chữ hoặc số; "
            "hãy đối chiếu với bản gốc.")


@dataclass
class Context:
    """The loaded library an answer reads: retriever and evidence scorer."""

    retriever: Retriever
    evidence: Evidence
    k: int = 5


@dataclass
class CitationBook:
    """Passages numbered in the order the answer first uses them."""

    citations: list[Citation] = field(default_factory=list)
    _by_chunk: dict[str, int] = field(default_factory=dict)

    def cite(self, chunk: Chunk) -> int:
        n = self._by_chunk.get(chunk.chunk_id)
        if n is None:
            n = self._by_chunk[chunk.chunk_id] = len(self.citations) + 1
            self.citations.append(Citation.of(n, chunk))
        return n

    def pad(self, results: list[SearchResult], k: int) -> None:
        """Add the next best passages as further sources, up to `k` in all."""
        for res in results:
            if len(self.citations) >= k:
                break
            self.cite(res.chunk)


def where(c: Chunk) -> str:
    """Who wrote a passage: "xã Tân An", or the document's title."""
    return f"xã {c.commune}" if c.commune else (c.title or c.source)


def quote(text: str, question: str = "", keep: str = "") -> str:
    """A unit as quoted in an answer: one line, no list marker, long ones cut around the question's
    words — or around `keep` (the figure given as the answer), which the quote must show."""
    text = " ".join(strip_marker(text).split())
    if len(text) <= MAX_QUOTE:
        return text
    words = text.split(" ")
    at = text.find(keep) if keep else -1
    if at < 0 and keep:  # the figure as written in the passage: its digits
        digits = re.search(r"\d[\d.,]*", keep)
        at = text.find(digits.group()) if digits else -1
    if at >= 0:
        centre = text[:at].count(" ")
    else:
        q = set(fold(" ".join(syllables(question))).split())
        hits = [i for i, w in enumerate(words) if fold(w.strip(",.;:()")) in q]
        centre = sorted(hits)[len(hits) // 2] if hits else 0
    lo, hi = max(0, centre - 30), min(len(words), centre + 30)
    out = " ".join(words[lo:hi])
    return ("… " if lo else "") + out + (" …" if hi < len(words) else "")


def short(text: str, limit: int = 160) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0] + " …"


def ocr_warnings(citations: list[Citation]) -> list[str]:
    return [OCR_NOTE] if any(getattr(c, "ocr", False) for c in citations[:2]) else []


def not_found(q: Question, ctx: Context, results: list[SearchResult], reason: str = "") -> Answer:
    """Say plainly that nothing states what was asked; list the nearest passages, no figure as answer."""
    scope = f" trong báo cáo của xã {', '.join(q.communes)}" if q.communes else " trong kho tài liệu"
    head = reason or f"Không tìm thấy thông tin trả lời câu hỏi này{scope}."
    book = CitationBook()
    lines = [head]
    near = [r for r in results if r.chunk.text.strip()][:3]
    if near:
        lines.append("Các đoạn gần nhất (không phải câu trả lời):")
        for res in near:
            n = book.cite(res.chunk)
            leaf = res.chunk.section.split(" > ")[-1] if res.chunk.section else "đầu văn bản"
            lines.append(f"- {where(res.chunk)}, mục «{short(leaf, 90)}» [{n}]")
    return Answer("\n".join(lines), book.citations, "extractive", found=False, kind=q.kind)
