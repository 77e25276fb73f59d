"""Which-commune and comparison answers: each commune's own statement (or "không nêu"), cited,
then the conclusion — never a comparison of figures that measure different things."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from assistant.qa.answers.common import CitationBook, Context, not_found, quote
from assistant.qa.answers.figure import _rank, key_figure
from assistant.qa.answers.figure_fit import answers_question, results_in, unit_equivalents
from assistant.qa.answers.indicator import answer_which_indicator
from assistant.qa.evidence import Unit, is_heading_like
from assistant.qa.intent import how_many_of, intent_of
from assistant.qa.question import Question, understand
from assistant.records import Answer
from assistant.text.normalize import fold, fold_keep_length
from assistant.text.synonyms import canonical
from assistant.text.vn_numbers import figure_keys, find_numbers, parse_number

MIN_STATED = 0.5  # share of the question a commune's best sentence must state to count as "nêu"
CLOSE = 0.12  # communes within this much of the best are all named in the conclusion
_MORE = re.compile(r"\b(?:nhieu hon|cao hon|lon hon|hon)\b")
_LESS = re.compile(r"\b(?:it hon|thap hon|nho hon)\b")
_MOST = re.compile(r"\b(?:nhieu|it|cao|thap|lon|nho) nhat\b|\b(?:nhieu|it)\b.*\bnhat\b")
_LEAST = re.compile(r"\b(?:it|thap|nho)\b.*\bnhat\b")
_ASKS_FIGURE = re.compile(r"\b(?:bao nhieu|ty le|ti le|phan tram)\b")


@dataclass
class Statement:
    commune: str
    unit: Unit | None = None
    figure: str | None = None


def _communes(q: Question, ctx: Context) -> list[str]:
    if len(q.communes) >= 2:
        return list(q.communes)
    return sorted({c.commune for c in ctx.retriever.chunks if c.kind == "report" and c.commune})


_WHICH_ONE = re.compile(r"\b(?:xa|ben|noi|dia phuong) nao\b")
_COMPARATIVE_END = re.compile(r"(?i)\s+(?:hơn|hon|nhất|nhat)\s*\??\s*$")
_CROWDED = re.compile(r"(?i)\b(?:đông dân|dong dan)\s+(?=hơn|hon|nhất|nhat)")


def _asked_of_one(q: Question, ctx: Context, commune: str) -> Question:
    """A comparison asked of one commune in the words of a figure question ("Giữa Tân An và An
    Khánh, xã nào có nhiều thôn, ấp hơn?" -> "Xã Tân An có bao nhiêu thôn, ấp?"); the question
    itself, narrowed to the commune, when it asks no "nhiều/ít … hơn/nhất"."""
    asked = how_many_of(_CROWDED.sub("bao nhiêu dân số ", q.text))
    which = _WHICH_ONE.search(fold_keep_length(asked).lower())
    if which is None or asked == q.text:
        return replace(q, communes=(commune,))
    rest = _COMPARATIVE_END.sub("", asked[which.end():]).strip(" ,?")
    sub = understand(f"Xã {commune} {rest}?", (), ctx.retriever.communes)
    return replace(sub, terms=ctx.evidence.respell(sub.terms))


def _statement(q: Question, ctx: Context, commune: str, numeric: bool) -> Statement:
    sub = _asked_of_one(q, ctx, commune) if numeric else replace(q, communes=(commune,))
    results = ctx.evidence.search(sub.query, k=6, communes=(commune,))
    if numeric:
        units, _ = _rank(sub, ctx, results)
        good = [u for u in units if answers_question(sub, u, ctx)]
        if good:
            return Statement(commune, good[0], key_figure(good[0].text, sub.intent, sub.text,
                                                         results_in(good[0].text, sub), unit_equivalents(sub)))
        return Statement(commune)
    units = [u for u in ctx.evidence.units(results) if not is_heading_like(u.text)]
    if q.intent.question_figures:  # "Xã nào có 21 Tổ …": the statement must carry that figure
        wanted = {k for f in q.intent.question_figures for s in find_numbers(f) for k in figure_keys(s)}
        units = [u for u in units if _keys(u.text) & wanted]
    ctx.evidence.score(q.terms, units, q.phrases)
    units.sort(key=lambda u: -u.score)
    if units and units[0].coverage >= MIN_STATED:
        return Statement(commune, units[0])
    return Statement(commune)


def _keys(text: str) -> set:
    """The figures of a text; a document's number also as its number ("4157/SKHCN-CNTT" is 4157)."""
    keys = set()
    for span in find_numbers(text):
        keys |= figure_keys(span)
        if span.kind == "docno" and (m := re.match(r"\d+", span.raw)):
            keys.add(("num", float(m.group(0)), False))
    return keys


def _measure(q: Question, s: Statement) -> str:
    """What a statement's figure counts: its unit word ("11 thôn"), or for a bare figure in a row
    that names the counted thing ("Số lượng thôn/khu dân cư … 19"), that thing (folded)."""
    unit = fold(re.sub(r"^[\d.,%\s]+", "", s.figure or "").strip())
    if not unit and s.figure and s.unit is not None and (at := s.unit.text.find(s.figure)) >= 0:
        after = re.match(r"\s*(\w+)", fold(s.unit.text[at + len(s.figure):at + len(s.figure) + 20]))
        if after and q.intent.focus and canonical(after.group(1)) == canonical(q.intent.focus[0]):
            return after.group(1)  # "17 ấp" for "bao nhiêu thôn"
    if not unit and q.intent.focus and s.unit is not None \
            and re.search(rf"\b{re.escape(q.intent.focus[0])}\b", fold(s.unit.text)):
        return q.intent.focus[0]
    return unit


def _compare(q: Question, stated: list[Statement]) -> str | None:
    """"A (32 buổi) nhiều hơn B (12 buổi)" when both figures count the same thing; else None."""
    if len(stated) != 2 or not all(s.figure for s in stated):
        return None
    units = [canonical(_measure(q, s)) for s in stated]  # "17 ấp" and "19 thôn" count the same thing
    percent = ["%" in (s.figure or "") for s in stated]
    if units[0] != units[1] or percent[0] != percent[1]:
        return None
    values = [parse_number(re.match(r"[\d.,]+", s.figure or "").group(0)) for s in stated]  # type: ignore[union-attr]
    if any(v is None for v in values):
        return None
    (a, b), (va, vb) = stated, [v.value for v in values]  # type: ignore[union-attr]
    if va == vb:
        return f"Hai xã bằng nhau: {a.commune} ({a.figure}), {b.commune} ({b.figure})."
    hi, lo = (a, b) if va > vb else (b, a)
    if _LESS.search(q.folded):
        return f"Xã {lo.commune} ({lo.figure}) ít hơn xã {hi.commune} ({hi.figure})."
    return f"Xã {hi.commune} ({hi.figure}) nhiều hơn xã {lo.commune} ({lo.figure})."


def _most(q: Question, stated: list[Statement], cites: dict[str, int]) -> str | None:
    """"Xã Giao Minh (07 sản phẩm) nhiều nhất …" when at least two communes give a figure and all
    the figures count the same thing; else None."""
    figured = [s for s in stated if s.figure]
    if len(figured) < 2 or len({canonical(_measure(q, s)) for s in figured}) != 1 \
            or len({"%" in (s.figure or "") for s in figured}) != 1:
        return None
    values = [parse_number(m.group(0)) if (m := re.match(r"[\d.,]+", s.figure or "")) else None for s in figured]
    if any(v is None for v in values):
        return None
    pairs = sorted(zip([v.value for v in values], figured, strict=True), key=lambda p: p[0])  # type: ignore[union-attr]
    least = bool(_LEAST.search(q.folded))
    value, top = pairs[0] if least else pairs[-1]
    if sum(1 for v, _ in pairs if v == value) > 1:
        return None
    word = "ít nhất" if least else "nhiều nhất"
    return f"Xã {top.commune} [{cites[top.commune]}] ({top.figure}) {word} trong {len(figured)} xã nêu số liệu."


def answer_which(q: Question, ctx: Context) -> Answer:
    routed = answer_which_indicator(q, ctx)
    if routed is not None:
        return routed
    comparing = bool(_MORE.search(q.folded) or _LESS.search(q.folded)) and len(q.communes) >= 2
    ranking = bool(_MOST.search(q.folded)) and len(q.communes) != 1  # "Xã nào … nhiều … nhất?"
    numeric = comparing or ranking or bool(_ASKS_FIGURE.search(q.folded)) or "mấy" in q.text.lower()
    if comparing or ranking:  # "A hay B tổ chức nhiều buổi … hơn?" asks "bao nhiêu buổi …" of each
        asked = how_many_of(q.text)
        q = replace(q, intent=intent_of(asked if asked != q.text else f"bao nhiêu {q.text}"))
    statements = [_statement(q, ctx, c, numeric) for c in _communes(q, ctx)]
    stated = [s for s in statements if s.unit is not None]
    if not stated:
        results = ctx.evidence.search(q.query, k=ctx.k)
        return not_found(q, ctx, [r for r in results if r.chunk.kind != "guidance"])
    best = max(s.unit.coverage for s in stated)  # type: ignore[union-attr]
    if not comparing:  # a weaker match than the leaders' is another commune's different statement
        for s in statements:
            if s.unit is not None and s.unit.coverage < best - CLOSE:
                s.unit, s.figure = None, None
        stated = [s for s in statements if s.unit is not None]
    leaders = [s for s in stated if s.unit.coverage >= best - CLOSE]  # type: ignore[union-attr]
    book = CitationBook()
    numbers = {s.commune: book.cite(s.unit.chunk) for s in sorted(stated, key=lambda s: -s.unit.coverage)}  # type: ignore[union-attr]
    conclusion = _compare(q, stated) if len(q.communes) >= 2 else _most(q, stated, numbers) if ranking else None
    if conclusion is None and len(q.communes) >= 2 and numeric and len(stated) == 2:
        conclusion = ("Không so sánh trực tiếp được: số liệu của hai xã không đo cùng một việc; "
                      "xem từng xã dưới đây.")
    if conclusion is None:
        names = ", ".join(f"{s.commune} [{numbers[s.commune]}]" for s in leaders)
        conclusion = f"Xã nêu việc này: {names}." if len(leaders) == 1 else f"Các xã nêu việc này: {names}."
    lines = [conclusion]
    for s in statements:
        if s.unit is None:
            lines.append(f"- Xã {s.commune}: không nêu.")
            continue
        lead = f"{s.figure} — " if s.figure else ""
        lines.append(f"- Xã {s.commune}: {lead}«{quote(s.unit.text, q.text, s.figure or '')}» [{numbers[s.commune]}]")
    for name in q.unknown_communes:
        lines.append(f"- Xã {name}: chưa có báo cáo trong kho tài liệu.")
    return Answer("\n".join(lines), book.citations, "extractive", kind=q.kind)
