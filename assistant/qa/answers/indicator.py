"""Figure questions that ask for a catalog indicator, however worded: the commune's figure for the
indicator as the indicator table reads it (`assistant.indicators`), quoted from its sentence and cited.

"Hồ sơ có thu phí thì bao nhiêu phần trăm người dân trả tiền qua mạng?" shares few words with
"98% hồ sơ phát sinh phí được thanh toán trực tuyến", so weighing words finds it hard to trust; the
question means one indicator (`indicators.asked`), and the table has already read that indicator's
figure out of the commune's report, as a result (not a target, not a change). When the question
means no single indicator, or the table has no figure of that commune for it, the ordinary figure
answer runs instead.
"""

from __future__ import annotations

import threading
from weakref import WeakKeyDictionary

from assistant.domain.catalog import CatalogError, catalog_at, indicator_by_id
from assistant.indicators.asked import asked_rule
from assistant.indicators.extract import IndicatorExtractor, Mention
from assistant.indicators.rules import Rule
from assistant.indicators.table import group_mentions
from assistant.qa.answers.common import CitationBook, Context, ocr_warnings, quote, where
from assistant.qa.answers.period import period_problem, sub_period
from assistant.qa.question import Question
from assistant.qa.retriever import Retriever
from assistant.records import Answer

_MENTIONS: WeakKeyDictionary[Retriever, dict[str, list[Mention]]] = WeakKeyDictionary()
_LOCK = threading.Lock()


def commune_mentions(retriever: Retriever, commune: str) -> list[Mention]:
    """The indicator figures read out of a commune's reports (once per loaded index or view)."""
    with _LOCK:
        by_commune = _MENTIONS.setdefault(retriever, {})
        found = by_commune.get(commune)
    if found is None:
        found = IndicatorExtractor().extract(c for c in retriever.chunks if c.commune == commune)
        with _LOCK:
            by_commune[commune] = found
    return found


def indicator_name(rule: Rule, ctx: Context) -> str:
    """The indicator's name as the catalog writes it (the rule's own name when the catalog has none)."""
    try:
        ind = indicator_by_id(catalog_at(ctx.retriever.settings.catalog_path), rule.id)
    except CatalogError:  # no readable catalog: the rule's name or id will do
        ind = None
    return ind.name if ind is not None else (rule.name or rule.id)


def answer_indicator(q: Question, ctx: Context) -> Answer | None:
    """The named commune's figure for the one indicator the question asks, or None to answer otherwise."""
    if q.kind != "figure" or q.intent.wants_target or len(q.communes) != 1 or sub_period(q.text):
        return None
    rule = asked_rule(q.text, q.intent.kind, q.intent.focus)
    if rule is None:
        return None
    mentions = [m for m in commune_mentions(ctx.retriever, q.communes[0]) if m.indicator == rule.id]
    cells = group_mentions(mentions)
    cell = cells.get((rule.id, q.communes[0]))
    if cell is None:
        return None
    # the report states it more than once with different figures: the sentence closest to the
    # question first ("hồ sơ nộp trực tuyến 80,8%" before "tiếp nhận và giải quyết trực tuyến 100%")
    ranked = sorted(cell.mentions(), key=lambda m: -ctx.evidence.coverage(q.terms, (m.section, m.sentence),
                                                                          q.phrases))
    chunks = [ctx.retriever.chunk(m.chunk_id) for m in ranked]
    if chunks[0] is None or period_problem(q, ctx, chunks[0]):
        return None
    book = CitationBook()
    first = ranked[0]
    n = book.cite(chunks[0])
    lines = [f"{first.raw} — theo báo cáo của {where(chunks[0])} (chỉ tiêu «{indicator_name(rule, ctx)}»): "
             f"«{quote(first.sentence, q.text, first.raw)}» [{n}]"]
    for m, c in zip(ranked[1:], chunks[1:], strict=True):
        if c is not None:
            lines.append(f"Báo cáo cũng ghi {m.raw}: «{quote(m.sentence, q.text, m.raw)}» [{book.cite(c)}]")
    book.pad(ctx.evidence.search(q.query, k=ctx.k, communes=q.communes), ctx.k)
    return Answer("\n".join(lines), book.citations, "extractive", ocr_warnings(book.citations), kind=q.kind)
