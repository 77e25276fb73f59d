"""Narrative and list answers: the points of the matching section (tồn tại, phương hướng, kiến
nghị, kết quả, nguyên nhân), as a short list of sentences, each cited — never a lead-in sentence
or a bare heading."""

from __future__ import annotations

from assistant.domain.sections import section_label
from assistant.qa.answers.common import CitationBook, Context, not_found, ocr_warnings, quote, where
from assistant.qa.evidence import Unit, is_heading_like, is_lead_in, without
from assistant.qa.question import Question
from assistant.records import Answer, SearchResult
from assistant.text.normalize import content_terms, fold

# Words that name the section asked about rather than its topic (folded syllables).
SECTION_TERMS = frozenset(content_terms(
    "tồn tại hạn chế khó khăn vướng mắc bất cập yếu kém nguyên nhân vì sao tại sao phương hướng nhiệm vụ "
    "giải pháp đề xuất kiến nghị đề nghị kết quả đạt được thời gian tới năm tới gồm những gì điểm nào tự "
    "nhận đánh giá còn nội dung việc vấn đề thế nào"))
MIN_TOPIC = 0.34  # share of the topic a listed point (with its heading) must state
MAX_POINTS, MAX_POINTS_DETAIL = 4, 8


def _search(q: Question, ctx: Context) -> list[SearchResult]:
    k = max(ctx.k, 10 if q.detail else 8)
    kinds = q.section_kinds
    if q.cause:  # causes are written under "Tồn tại" or in a "Nguyên nhân" part of any section
        kinds = ()
    results = ctx.evidence.search(q.query, k=k, communes=q.communes, section_kinds=kinds) if kinds else []
    if not results:
        results = ctx.evidence.search(q.query, k=k, communes=q.communes)
    return [r for r in results if r.chunk.kind != "guidance" or not q.communes]


def _points(q: Question, ctx: Context, results: list[SearchResult]) -> list[Unit]:
    topic = without(q.terms, SECTION_TERMS)
    units = [u for u in ctx.evidence.units(results) if not is_heading_like(u.text) and not is_lead_in(u.text)]
    ctx.evidence.score(topic or q.terms, units, q.phrases)
    if q.cause:
        for u in units:
            f = fold(f"{u.leaf} {u.text}")
            if "nguyen nhan" in f or " do " in f or "boi vi" in f:
                u.score += 0.25
                u.coverage += 0.2
    if q.section_kinds and not q.cause:
        for u in units:
            if u.chunk.section_kind in q.section_kinds:
                u.score += 0.1
    if not topic:  # "Đại Sơn có những kiến nghị gì?": every point of the section counts
        for u in units:
            u.coverage = 1.0 if u.chunk.section_kind in q.section_kinds or not q.section_kinds else 0.0
    units.sort(key=lambda u: -u.score)
    if not units or units[0].coverage < MIN_TOPIC:
        return []
    floor = max(MIN_TOPIC, 0.5 * units[0].coverage)
    picked = [u for u in units if u.coverage >= floor and len(u.text) >= 25]
    limit = MAX_POINTS_DETAIL if q.detail else MAX_POINTS
    picked = picked[:limit]
    return sorted(picked, key=lambda u: (u.rank, u.order))


def answer_narrative(q: Question, ctx: Context) -> Answer:
    results = _search(q, ctx)
    points = _points(q, ctx, results)
    if not points:
        return not_found(q, ctx, results)
    book = CitationBook()
    what = "nguyên nhân" if q.cause else (section_label(q.section_kinds[0]).lower() if q.section_kinds else "nội dung")
    sources = {where(u.chunk) for u in points}
    one = len(sources) == 1
    lines = [f"Theo báo cáo của {where(points[0].chunk)}, {what} gồm:" if one
             else f"Các báo cáo nêu {what} như sau:"]
    for u in points:
        n = book.cite(u.chunk)
        who = "" if one else f"{where(u.chunk)}: "
        lines.append(f"- {who}«{quote(u.text, q.text)}» [{n}]")
    book.pad(results, ctx.k)
    return Answer("\n".join(lines), book.citations, "extractive", ocr_warnings(book.citations), kind=q.kind)
