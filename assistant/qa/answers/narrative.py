"""Narrative and list answers: the points of the matching section (tồn tại, phương hướng, kiến
nghị, kết quả, nguyên nhân), as a short list of paragraphs, each cited — never a lead-in sentence
or a bare heading.

A section about the topic (its heading names the topic: "3. Hạ tầng số > b) Tồn tại, hạn chế")
gives all its points; otherwise the paragraphs of the matching sections that state the topic do.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from assistant.domain.sections import section_label
from assistant.qa.answers.common import CitationBook, Context, not_found, ocr_warnings, quote, where
from assistant.qa.evidence import is_heading_like, is_lead_in, question_terms, without
from assistant.qa.question import Question
from assistant.records import Answer, SearchResult
from assistant.text.normalize import content_terms, fold

# Words that name the section asked about rather than its topic (folded syllables).
SECTION_TERMS = frozenset(content_terms(
    "tồn tại hạn chế khó khăn vướng mắc bất cập yếu kém nguyên nhân vì sao tại sao phương hướng nhiệm vụ "
    "giải pháp đề xuất kiến nghị đề nghị kết quả đạt được thời gian tới năm tới gồm những gì điểm nào tự "
    "nhận đánh giá còn nội dung việc vấn đề thế nào ở đâu yếu với có những gì gặp phải nêu "
    "chuyển đổi chính chủ yếu làm tốt định hướng đang cải thiện khắc phục cái liên quan"))  # "về chuyển đổi số": what every report is about, not a topic
# Whom a proposal is addressed to ("kiến nghị Sở KH&CN và UBND thành phố …"): not its topic.
ADDRESSEE_TERMS = frozenset(content_terms(
    "sở khoa học và công nghệ KH&CN KHCN thông tin truyền thông ủy ban nhân dân UBND thành phố tỉnh trung ương "
    "bộ ngành cấp trên huyện các cấp hỗ trợ lên với đối với cho"))
MIN_TOPIC = 0.34  # share of the topic a paragraph (with its heading) must state
ON_TOPIC_HEADING = 0.5  # a section whose heading states this much of the topic is about it
MAX_POINTS, MAX_POINTS_DETAIL = 5, 10
_NOTE_RE = re.compile(r"^\d{1,2}\s+(?:Cụ thể|Theo|Số liệu|Ghi chú)\b")  # a footnote that landed in the text
_SOLUTION_ASK = re.compile(r"\b(?:giai phap|bien phap|cach nao|lam gi de|nhiem vu)\b")
_CLOSING_RE = re.compile(r"^(?:Trên đây là|Nơi nhận)\b", re.IGNORECASE)
_NOTHING_RE = re.compile(r":\s*(?:không|không có|chưa có)\s*\.?\s*$", re.IGNORECASE)
_CAUSE_WORDS = ("nguyen nhan", " do ", "boi vi", " vi ", "chua ", "thieu ")


@dataclass
class Point:
    text: str
    result: SearchResult
    rank: int
    order: int
    coverage: float = 0.0


def _search(q: Question, ctx: Context, *, any_section: bool = False) -> list[SearchResult]:
    """Passages of the asked section kind (or, with `any_section` or none found, of any section);
    guiding texts only when no commune is named."""
    k = max(ctx.k, 12 if q.detail else 10)
    kinds = () if q.cause or any_section else q.section_kinds
    results = ctx.evidence.search(q.query, k=k, communes=q.communes, section_kinds=kinds) if kinds else []
    if not results:
        results = ctx.evidence.search(q.query, k=k, communes=q.communes)
    return [r for r in results if r.chunk.kind != "guidance" or not q.communes]


def _is_heading(para: str, res: SearchResult) -> bool:
    """A heading written as a line of the passage: in capitals, one of the passage's own headings
    or the report's title, or a short line with no sentence end, figure nor verb of a point."""
    letters = [c for c in para if c.isalpha()]
    if letters and sum(c.isupper() for c in letters) > 0.6 * len(letters):
        return True
    flat = fold(" ".join(para.split())).strip(" .:")
    if flat and (flat in fold(res.chunk.section) or flat in fold(res.chunk.title or "")):
        return True
    return len(para.split()) <= 10 and not re.search(r"[.;:!?]\s*$|\d", para)


def _paragraphs(results: list[SearchResult]) -> list[Point]:
    out = []
    seen: set[str] = set()
    for rank, res in enumerate(results):
        for i, para in enumerate(p.strip() for p in res.chunk.text.split("\n")):
            if _CLOSING_RE.match(para):
                break  # "Trên đây là báo cáo …", "Nơi nhận:": the report's closing, no point of it
            if len(para) >= 25 and not is_heading_like(para) and not is_lead_in(para) \
                    and not _NOTE_RE.match(para) and not _is_heading(para, res) and para not in seen:
                seen.add(para)  # passages that overlap repeat a paragraph
                out.append(Point(para, res, rank, i))
    return out


def _section_run(first: SearchResult, ctx: Context) -> list[SearchResult]:
    """The passage and those after it in its report that continue the same section (a list of
    tasks split over passages, each item under a heading of its own): same section kind, same
    parent heading, one after another."""
    c = first.chunk
    parent = c.section.rsplit(" > ", 1)[0]
    same = {x.position: x for x in ctx.retriever.chunks
            if x.doc_id == c.doc_id and x.section_kind == c.section_kind
            and (x.section == c.section or x.section.startswith(parent + " > "))}
    run, pos = [first], c.position + 1
    while pos in same and not _CLOSING_RE.match(run[-1].chunk.text.strip()):
        run.append(SearchResult(same[pos], first.score))
        pos += 1
    return run


_PLACE_NAME_RE = re.compile(r"\b(?:thành phố|tỉnh|TP\.?)\s+((?:[A-ZĐ][\wÀ-ỹ]*\s*){1,3})")


def _addressees(q: Question) -> frozenset[str]:
    """Words naming whom a proposal is addressed to, with the city or province named."""
    if "de_xuat" not in q.section_kinds:
        return frozenset()
    places = {w for m in _PLACE_NAME_RE.finditer(q.text) for w in content_terms(m.group(1))}
    return ADDRESSEE_TERMS | places


# "khi triển khai", "trong công tác": how every shortcoming is framed, not a topic
_FRAME_RE = re.compile(r"\b(?:khi |trong |qua trinh )*(?:trien khai|thuc hien|cong tac)\b")


def _topic(q: Question) -> frozenset[str]:
    """What a narrative question is about: its terms without the section's words, the addressee of a
    proposal, and the framing words ("khi triển khai …")."""
    topic = without(q.terms, SECTION_TERMS | _addressees(q))
    folded = fold(q.query)
    framed = {w for m in _FRAME_RE.finditer(folded) for w in m.group(0).split()}
    if framed:
        kept = question_terms(_FRAME_RE.sub(" , ", folded))
        topic = frozenset(t for t in topic if (base := fold(t.lstrip("~"))) in kept
                          or not set(base.split("_")) & framed)
    return topic


def _points(q: Question, ctx: Context, results: list[SearchResult]) -> list[Point]:
    topic = _topic(q)
    limit = MAX_POINTS_DETAIL if q.detail else MAX_POINTS
    paras = _paragraphs(results)
    if not paras:
        return []
    if not topic:  # "Đại Sơn có những kiến nghị gì?": the points of the best matching section
        first = paras[0].result
        return _paragraphs(_section_run(first, ctx))[:limit]
    ev = ctx.evidence
    on_topic = [r for r in results if ev.coverage(topic, r.chunk.section, q.phrases) >= ON_TOPIC_HEADING]
    if on_topic and not q.cause:
        chosen = {r.chunk.chunk_id for r in on_topic[:2]}
        picked = [p for p in paras if p.result.chunk.chunk_id in chosen]
        if picked:
            return sorted(picked, key=lambda p: (p.rank, p.order))[:limit]
    solutions = bool(_SOLUTION_ASK.search(q.folded))
    for p in paras:
        p.coverage = max(ev.coverage(topic, p.text, q.phrases),
                         0.85 * ev.coverage(topic, (p.result.chunk.section, p.text), q.phrases))
        if q.cause and any(w in f" {fold(p.text)} " for w in _CAUSE_WORDS):
            p.coverage += 0.15
        if solutions and p.coverage >= MIN_TOPIC / 2:
            if fold(p.text).startswith(("giai phap", "nhiem vu")):
                p.coverage += 0.2  # "Giải pháp: …" is a solution, as asked
            elif "muc tieu" in fold(p.result.chunk.section.split(" > ")[-1]):
                p.coverage -= 0.2  # a goal ("Mục tiêu tổng quát") is not a solution
    paras.sort(key=lambda p: (-p.coverage, p.rank))
    if paras[0].coverage < MIN_TOPIC:
        return []
    floor = max(MIN_TOPIC, 0.6 * paras[0].coverage)
    picked = [p for p in paras if p.coverage >= floor][:limit]
    return sorted(picked, key=lambda p: (p.rank, p.order))


# How a point of a section reads when it is written elsewhere in the report (folded).
_SECTION_MARKERS = {
    "ton_tai": re.compile(r"\b(?:han che|chua|kho khan|thieu|vuong mac|bat cap|con thap|yeu|kem|rui ro)\b"),
    "de_xuat": re.compile(r"\b(?:de nghi|kien nghi|de xuat)\b"),
}


def _points_elsewhere(q: Question, ctx: Context) -> list[Point]:
    """A shortcoming or a proposal on the topic stated outside its section ("Nguồn lực đầu tư cho hạ
    tầng số còn hạn chế" in the assessment part): the paragraphs that state the topic and read as one."""
    markers = [_SECTION_MARKERS[k] for k in q.section_kinds if k in _SECTION_MARKERS]
    if not markers or q.cause:
        return []
    points = _points(q, ctx, _search(q, ctx, any_section=True))
    return [p for p in points if any(m.search(fold(p.text)) for m in markers)]


def _stated_none(q: Question, results: list[SearchResult]) -> SearchResult | None:
    """The asked section written as empty ("VI. ĐỀ XUẤT, KIẾN NGHỊ: Không.")."""
    if not q.section_kinds or not q.communes:
        return None
    return next((r for r in results if r.chunk.section_kind in q.section_kinds
                 and _NOTHING_RE.search(r.chunk.text.split("\n")[0])), None)


_ACTION_KINDS = ("de_xuat", "phuong_huong")


def _whole_section(q: Question, ctx: Context) -> list[Point]:
    """For a follow-up asking the commune's proposals or tasks about a topic inherited from the turn
    before, the points of the whole section when none is about that topic."""
    if not (q.understood_as and len(q.communes) == 1 and q.section_kinds[:1] in ((k,) for k in _ACTION_KINDS)
            and not q.cause):
        return []
    words = section_label(q.section_kinds[0])
    bare = replace(q, terms=question_terms(words), query=words, phrases=())
    return _points(bare, ctx, _search(bare, ctx))


def answer_narrative(q: Question, ctx: Context) -> Answer:
    results = _search(q, ctx)
    empty = _stated_none(q, results)
    if empty is not None:
        book = CitationBook()
        head = empty.chunk.text.split("\n")[0].strip()
        n = book.cite(empty.chunk)
        return Answer(f"Báo cáo của {where(empty.chunk)} ghi: «{head}» — không nêu nội dung nào ở mục này. [{n}]",
                      book.citations, "extractive", kind=q.kind)
    points = _points(q, ctx, results) or _points_elsewhere(q, ctx)
    what = "nguyên nhân" if q.cause else (section_label(q.section_kinds[0]).lower() if q.section_kinds else "nội dung")
    note = ""
    if not points and (whole := _whole_section(q, ctx)):
        # "Xã kiến nghị gì để khắc phục?" after one pillar's shortcomings, and no proposal names it:
        # every proposal of the commune, said to be so
        points = whole
        note = f"Báo cáo của xã {q.communes[0]} nêu các {what} sau (xem mục nào liên quan đến nội dung vừa hỏi):"
    if not points:
        return not_found(q, ctx, results)
    book = CitationBook()
    sources = {where(p.result.chunk) for p in points}
    one = len(sources) == 1
    head = f"Theo báo cáo của {where(points[0].result.chunk)}, {what} gồm:" if one \
        else f"Các báo cáo nêu {what} như sau:"
    lines = [note or head]
    for p in points:
        n = book.cite(p.result.chunk)
        who = "" if one else f"{where(p.result.chunk)}: "
        lines.append(f"- {who}«{quote(p.text, q.text)}» [{n}]")
    book.pad(results, ctx.k)
    return Answer("\n".join(lines), book.citations, "extractive", ocr_warnings(book.citations), kind=q.kind)
