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

import re
import threading
from weakref import WeakKeyDictionary

from assistant.domain.catalog import CatalogError, catalog_at, indicator_by_id
from assistant.indicators.asked import asked_rule
from assistant.indicators.extract import IndicatorExtractor, Mention, folded
from assistant.indicators.rules import Rule
from assistant.indicators.table import group_mentions
from assistant.qa.answers.common import CitationBook, Context, ocr_warnings, quote, where
from assistant.qa.answers.period import period_problem, sub_period
from assistant.qa.intent import how_many_of, intent_of
from assistant.qa.question import Question
from assistant.qa.retriever import Retriever
from assistant.records import Answer
from assistant.text.vn_numbers import format_vn

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


_NUMBER_RE = re.compile(r"\d[\d.,]*(?:\s?\\?%)?")


def shown(m: Mention) -> str:
    """A figure as the answer writes it: the report's qualifier kept ("trên", "~", "khoảng"), the
    number written the Vietnamese way, as the indicator table shows it ("71.2%" -> "71,2%")."""
    numbers = list(_NUMBER_RE.finditer(m.raw))
    if not numbers:
        return m.raw
    last = numbers[-1]
    return m.raw[:last.start()] + format_vn(m.value, "%" in last.group(0)) + m.raw[last.end():]


def indicator_name(rule: Rule, ctx: Context) -> str:
    """The indicator's name as the catalog writes it (the rule's own name when the catalog has none)."""
    try:
        ind = indicator_by_id(catalog_at(ctx.retriever.settings.catalog_path), rule.id)
    except CatalogError:  # no readable catalog: the rule's name or id will do
        ind = None
    return ind.name if ind is not None else (rule.name or rule.id)


def _ranked(q: Question, ctx: Context, rule: Rule, commune: str) -> list[Mention]:
    """The commune's figures for the indicator, the sentence closest to the question first: a report
    that states it more than once with different figures ("hồ sơ nộp trực tuyến 80,8%", "tiếp nhận
    và giải quyết trực tuyến 100%") leads with the one the question words."""
    cell = group_mentions(m for m in commune_mentions(ctx.retriever, commune)
                          if m.indicator == rule.id).get((rule.id, commune))
    if cell is None:
        return []
    return sorted(cell.mentions(), key=lambda m: -ctx.evidence.coverage(q.terms, (m.section, m.sentence), q.phrases))


def asked_indicator(q: Question) -> Rule | None:
    """The indicator a figure question about one commune's result asks for, if it means one."""
    if q.kind != "figure" or q.intent.wants_target or len(q.communes) != 1 or sub_period(q.text):
        return None
    return asked_rule(q.text, q.intent.kind, q.intent.focus)


def states_indicator(rule: Rule, text: str) -> bool:
    """Whether a passage's words are those of the indicator (its key words, none of another's)."""
    return rule.matches(folded(text))


def answer_indicator(q: Question, ctx: Context, rule: Rule) -> Answer | None:
    """The named commune's figure for the indicator the question asks, or None when the indicator
    table has none (the caller then answers only with a passage that states the indicator)."""
    ranked = _ranked(q, ctx, rule, q.communes[0])
    if not ranked:
        return None
    chunks = [ctx.retriever.chunk(m.chunk_id) for m in ranked]
    if chunks[0] is None or period_problem(q, ctx, chunks[0]):
        return None
    book = CitationBook()
    first = ranked[0]
    n = book.cite(chunks[0])
    lines = [f"{shown(first)} — theo báo cáo của {where(chunks[0])} (chỉ tiêu «{indicator_name(rule, ctx)}»): "
             f"«{quote(first.sentence, q.text, first.raw)}» [{n}]"]
    for m, c in zip(ranked[1:], chunks[1:], strict=True):
        if c is not None:
            lines.append(f"Báo cáo cũng ghi {shown(m)}: «{quote(m.sentence, q.text, m.raw)}» [{book.cite(c)}]")
    book.pad(ctx.evidence.search(q.query, k=ctx.k, communes=q.communes), ctx.k)
    return Answer("\n".join(lines), book.citations, "extractive", ocr_warnings(book.citations), kind=q.kind)


_RANKING = re.compile(r"\b(?:cao|thap|nhieu|it|lon|nho|kem|tot)\b(?: \w+){0,8} (?:nhat|hon)\b|\bdan dau\b")
_LOWEST = re.compile(r"\b(?:thap|it|nho|kem)\b(?: \w+){0,8} (?:nhat|hon)\b")


def answer_which_indicator(q: Question, ctx: Context) -> Answer | None:
    """"Xã nào có tỷ lệ … cao nhất?", "A hay B có nhiều Tổ … hơn?" for a catalog indicator: each
    commune's figure from the indicator table (or "không nêu"), cited, then the highest or lowest —
    figures of one indicator, so they measure the same thing. None to answer otherwise."""
    if not _RANKING.search(q.folded) or q.intent.wants_target:
        return None
    intent = intent_of(how_many_of(q.text))
    rule = asked_rule(q.text, intent.kind, intent.focus)
    if rule is None:
        return None
    communes = list(q.communes) if len(q.communes) >= 2 else \
        sorted({c.commune for c in ctx.retriever.chunks if c.kind == "report" and c.commune})
    found = {c: ranked[0] for c in communes if (ranked := _ranked(q, ctx, rule, c))}
    chunks = {c: ctx.retriever.chunk(m.chunk_id) for c, m in found.items()}
    found = {c: m for c, m in found.items() if chunks[c] is not None}
    if not found:
        return None
    book = CitationBook()
    name = indicator_name(rule, ctx)
    lowest = bool(_LOWEST.search(q.folded))
    pick = (min if lowest else max)(found.values(), key=lambda m: m.value)
    best = [c for c, m in found.items() if m.value == pick.value]
    cite = {c: book.cite(chunks[c]) for c in [*best, *communes] if c in found}  # type: ignore[arg-type]
    if len(found) == 1:
        head = (f"Chỉ xã {best[0]} nêu số liệu «{name}» ({shown(pick)}) [{cite[best[0]]}]; các xã còn lại không "
                f"nêu, nên không so sánh được.")
    else:
        word = "thấp nhất" if lowest else "cao nhất"
        if len(found) == 2 and len(communes) == 2:
            word = "thấp hơn" if lowest else "cao hơn"
        names = ", ".join(f"{c} [{cite[c]}]" for c in best)
        head = f"Xã {names} có «{name}» {word}: {shown(pick)}."
    lines = [head]
    for c in communes:
        m = found.get(c)
        lines.append(f"- Xã {c}: không nêu." if m is None else
                     f"- Xã {c}: {shown(m)} — «{quote(m.sentence, q.text, m.raw)}» [{cite[c]}]")
    for unknown in q.unknown_communes:
        lines.append(f"- Xã {unknown}: chưa có báo cáo trong kho tài liệu.")
    return Answer("\n".join(lines), book.citations, "extractive", ocr_warnings(book.citations), kind=q.kind)
