"""Whether a passage can answer for the period a question asks: the year, or a part of it
("quý I", "6 tháng đầu năm", "9 tháng")."""

from __future__ import annotations

import re

from assistant.qa.answers.common import Context, where
from assistant.qa.question import Question
from assistant.records import Chunk
from assistant.text.normalize import fold

_QUARTER_RE = re.compile(r"\bquy\s+(iv|i{1,3}|[1-4])\b")
_HALF_RE = re.compile(r"\b(?:6 thang|sau thang|nua) (dau|cuoi) nam\b")
_NINE_RE = re.compile(r"\b(?:9|chin) thang\b")
_ROMAN = {"1": "I", "2": "II", "3": "III", "4": "IV"}


def sub_period(text: str) -> str | None:
    """The part of a year a text names ("quý I", "6 tháng đầu năm", "9 tháng"), None for none."""
    f = fold(text)
    if m := _QUARTER_RE.search(f):
        return f"quý {_ROMAN.get(m.group(1), m.group(1).upper())}"
    if m := _HALF_RE.search(f):
        return f"6 tháng {'đầu' if m.group(1) == 'dau' else 'cuối'} năm"
    if _NINE_RE.search(f):
        return "9 tháng"
    return None


def period_problem(q: Question, ctx: Context, c: Chunk) -> str | None:
    """Why a passage cannot answer for the period asked (None when the period fits): another year,
    or a part of the year ("quý I", "6 tháng đầu năm") its report does not cover nor the passage name."""
    asked_part = sub_period(q.text)
    covers = sub_period(c.title) if asked_part is not None else None
    if asked_part is not None and covers != asked_part and sub_period(f"{c.section} {c.text}") != asked_part:
        covers = covers or "cả năm"
        return (f"Không tìm thấy số liệu {asked_part} trong báo cáo của {where(c)} (báo cáo trong kho "
                f"là báo cáo {covers}; không nêu riêng {asked_part}).")
    if not q.years:
        return None
    covered = {x.year for x in ctx.retriever.chunks if x.doc_id == c.doc_id and x.year}
    if any(y in covered or str(y) in c.text or str(y) in c.section for y in q.years):
        return None
    reports = ", ".join(str(x) for x in sorted(covered)) or "không rõ năm"
    asked = ", ".join(str(y) for y in q.years)
    return (f"Không tìm thấy số liệu năm {asked} trong báo cáo của {where(c)} (báo cáo trong kho là năm "
            f"{reports}).")
