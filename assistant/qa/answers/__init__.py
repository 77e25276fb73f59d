"""Answers by kind of question, without an LLM: `answer(question, context)` picks the kind's answerer.

Before any answerer runs, a question about a commune the library has no report of is declined
with the list of communes it has; after, a question that shares almost nothing with the library
is labelled out of scope. Every answerer returns `found=False` rather than a figure that does
not answer the question.
"""

from __future__ import annotations

from dataclasses import replace

from assistant.qa.answers.common import Context, not_found
from assistant.qa.answers.entity import answer_entity
from assistant.qa.answers.figure import answer_figure, answer_yes_no
from assistant.qa.answers.narrative import answer_narrative
from assistant.qa.answers.target import answer_target, catalog_summary
from assistant.qa.answers.which import answer_which
from assistant.qa.places import whole_area, wider_places
from assistant.qa.question import Question
from assistant.qa.retriever import Filters
from assistant.records import Answer

__all__ = ["Context", "answer", "catalog_summary"]

OUT_OF_SCOPE = 0.35  # below this share of the question in any passage, the question is not about the library
_ANSWERERS = {
    "figure": answer_figure, "yes_no": answer_yes_no, "entity": answer_entity,
    "narrative": answer_narrative, "which_commune": answer_which, "target": answer_target,
}


def _unknown_commune(q: Question, ctx: Context) -> Answer:
    have = sorted({c.commune for c in ctx.retriever.chunks if c.kind == "report" and c.commune})
    names = ", ".join(q.unknown_communes)
    text = (f"Kho tài liệu chưa có báo cáo của xã {names}, nên không trả lời được câu hỏi này. "
            f"Các xã có báo cáo: {', '.join(have) or '(chưa có)'}.")
    return Answer(text, [], "none", found=False, kind=q.kind)


def _uncovered_period(q: Question, ctx: Context) -> Answer | None:
    """Decline when the named communes' reports neither cover nor mention the year asked."""
    if not q.years or not q.communes or q.kind in ("target", "which_commune"):
        return None
    chunks = [c for c in ctx.retriever.chunks if c.commune in q.communes]
    covered = {c.year for c in chunks if c.year}
    if not chunks or covered & set(q.years):
        return None
    if any(str(y) in c.text or str(y) in c.section for y in q.years for c in chunks):
        return None
    asked = ", ".join(str(y) for y in q.years)
    have = ", ".join(str(y) for y in sorted(covered)) or "không rõ năm"
    where = ", ".join(q.communes)
    text = (f"Không tìm thấy số liệu năm {asked} của xã {where}: báo cáo của xã trong kho tài liệu là năm "
            f"{have} và không nhắc tới năm {asked}.")
    return Answer(text, [], "none", found=False, kind=q.kind)


def _scoped(q: Question, ctx: Context, filters: Filters | None) -> Question:
    """The question with the commune chosen in the interface, when the question names none."""
    if filters is None or not filters.communes or q.communes or q.unknown_communes:
        return q
    names = tuple(ctx.retriever.resolve_commune(c) for c in filters.communes)
    return replace(q, communes=names)


def answer(q: Question, ctx: Context, filters: Filters | None = None) -> Answer:
    q = _scoped(q, ctx, filters)
    if q.unknown_communes and (not q.communes or q.kind != "which_commune"):
        return _unknown_commune(q, ctx)
    wider = (wider_places(q.text) if not q.communes else []) + whole_area(q.text) \
        if q.kind in ("figure", "yes_no") else []
    if wider:  # "tỷ lệ … toàn tỉnh An Giang": no report of a province or district in the library
        text = (f"Kho tài liệu chỉ có báo cáo cấp xã và văn bản chỉ đạo; không có số liệu của {', '.join(wider)}, "
                f"nên không trả lời được câu hỏi này.")
        return Answer(text, [], "none", found=False, kind=q.kind)
    period = _uncovered_period(q, ctx)
    if period is not None:
        return period
    ans = _ANSWERERS.get(q.kind, answer_narrative)(q, ctx)
    if not ans.found and not q.communes and not q.guidance and q.kind != "which_commune":
        results = ctx.evidence.search(q.query, k=3)
        best = max((ctx.evidence.coverage(q.terms, (r.chunk.section, r.chunk.text), q.phrases)
                    for r in results),
                   default=0.0)
        if best < OUT_OF_SCOPE:
            out = not_found(q, ctx, [], "Câu hỏi này nằm ngoài nội dung của các báo cáo chuyển đổi số và văn "
                                        "bản chỉ đạo trong kho tài liệu; không tìm thấy đoạn nào trả lời.")
            out.kind = "out_of_scope"
            return out
    return ans
