"""Figure and yes/no answers: the sentence or table row that states what was asked, quoted exactly,
with the figure that answers the question's subject and unit as the headline."""

from __future__ import annotations

import re

from assistant.qa.answers.common import CitationBook, Context, not_found, ocr_warnings, quote, where
from assistant.qa.answers.figure_fit import (
    GOAL_RE,
    MIN_COVERAGE,
    answers_question,
    focus_present,
    not_yet_status,
    results_in,
    unit_equivalents,
)
from assistant.qa.answers.indicator import answer_indicator, asked_indicator, states_indicator
from assistant.qa.answers.period import period_problem
from assistant.qa.evidence import Unit, is_heading_like, question_terms
from assistant.qa.intent import (
    Figure,
    Intent,
    best_by_context,
    candidates,
    figure_phrase,
    focus_figure,
    split_exception,
)
from assistant.qa.question import Question
from assistant.records import Answer, SearchResult
from assistant.text.normalize import content_terms, fold, replace_abbreviations

_NEGATION = re.compile(r"\b(?:chua|khong co|khong|chua co|chua duoc|khong duoc)\b")


def key_figure(text: str, intent: Intent, question: str = "", cands: list | None = None,
               unit_words: tuple[str, ...] = ()) -> str | None:
    """The figure a question asks for, exactly as written in `text` (with its unit), if clear;
    `cands` narrows the figures it may be (default: every candidate of the asked kind)."""
    if intent.kind is None:
        return None
    cands = candidates(text, intent) if cands is None else cands
    if intent.wants_target:  # "35% | > | 50%": a goal is the figure after its comparator
        goals = [f for f in cands if _GOAL_BEFORE.search(fold(text[max(0, f.start - 25):f.start]))]
        if len(goals) == 1:
            return figure_phrase(text, goals[0], intent)
    fig = focus_figure(text, intent, cands)
    if fig is None and unit_words:  # "bao nhiêu người" answered by "116 thành viên"
        folded = fold(text)
        fig = next((f for f in cands if any(re.match(rf"\s*(?:\w+\s+)?{re.escape(w)}\b", folded[f.end:f.end + 30])
                                            for w in unit_words)), None)
    if fig is None and len(cands) == 1:
        fig = cands[0]
    if fig is None:
        fig = best_by_context(text, question, cands)
    return figure_phrase(text, fig, intent) if fig is not None else None


_GOAL_BEFORE = re.compile(r"(?:[≥>]=?|\\geq|toi thieu|it nhat|tren|muc tieu|phan dau|chi tieu)\s*[|:]?\s*\$?\s*$")


def _terms(q: Question) -> frozenset[str]:
    main, aside = split_exception(q.query)
    if not aside:
        return q.terms
    return q.terms - (content_terms(aside) - content_terms(main))  # "Ngoài máy tính, …": set aside


_LABELLED_RE = re.compile(r"\b(giai doan|quy|qui|dot|phan|muc|dieu|khoan|chuong|phu luc|ke hoach so|lan)\s+"
                         r"(\d{1,3}|[ivx]{1,4})\b")


def _labels(text: str) -> list[tuple[str, str]]:
    """Numbered parts a question names ("giai đoạn 2", "quý III"): a unit about another number is not it."""
    return [(m.group(1).replace("qui", "quy"), m.group(2)) for m in _LABELLED_RE.finditer(fold(text))]


def _label_score(labels: list[tuple[str, str]], text: str) -> float:
    found = _labels(text)
    score = 0.0
    for label, num in labels:
        same = [n for lab, n in found if lab == label]
        if num in same:
            score += 0.2
        elif same:
            score -= 0.4
    return score


def prefer_labelled(q: Question, units: list[Unit]) -> None:
    """Raise the units about the numbered part the question names ("giai đoạn 1"), lower those
    about another number of it ("giai đoạn 2")."""
    if labels := _labels(q.text):
        for u in units:
            u.score += _label_score(labels, f"{u.leaf} {u.text}")


def _rank(q: Question, ctx: Context, results: list[SearchResult]) -> tuple[list[Unit], frozenset[str]]:
    units = [u for u in ctx.evidence.units(results) if not is_heading_like(u.text)]
    terms = _terms(q)
    ctx.evidence.score(terms, units, q.phrases)
    prefer_labelled(q, units)
    asked = _syllables(q.query)
    for u in units:  # "dịch vụ công trực tuyến" written as asked beats "dịch vụ tư vấn … trực tuyến"
        u.score += RUN_BONUS * min(max(0, _longest_run(asked, _syllables(u.text)) - 2), 4)
    verb = asked_verb(q)
    for u in units:
        if not q.intent.wants_target and GOAL_RE.search(fold(u.text)):
            u.score -= 0.2  # "phấn đấu đạt trên 50%" is a goal, not what was achieved
        elif q.intent.wants_target and any(str(y) in f"{u.chunk.section} {u.text}" for y in q.years):
            u.score += 0.1  # the goal of the year asked ("Chỉ tiêu chuyển đổi số năm 2026")
        if q.intent.kind is not None:
            cands = candidates(u.text, q.intent)
            if not cands:
                u.score *= 0.3
            elif focus_figure(u.text, q.intent, cands) is not None:
                u.score += 0.3
            elif q.intent.kind == "count" and not focus_present(q, u):
                u.score -= 0.2  # never names what is counted ("bao nhiêu nhân khẩu")
            if any(_follows(verb, u.text, f) for f in cands):
                u.score += 0.25  # "kích hoạt được bao nhiêu": "đã kích hoạt 16.850 tài khoản"
    if q.intent.kind == "docno":  # of plans that all state the question, the one named in its words
        asked = _words(q.text)
        for u in units:
            u.score += 0.3 * _precision(asked, u.text)
    units.sort(key=lambda u: -u.score)
    return units, terms


RUN_BONUS = 0.04  # per syllable, beyond two, of the longest run of the question a unit writes as asked


def _syllables(text: str) -> list[str]:
    return re.findall(r"\w+", fold(replace_abbreviations(text)).lower())


def _longest_run(asked: list[str], said: list[str]) -> int:
    """The most syllables in a row the question and the unit share, in order."""
    best = 0
    prev = [0] * (len(said) + 1)
    for a in asked:
        cur = [0] * (len(said) + 1)
        for j, b in enumerate(said, 1):
            if a == b:
                cur[j] = prev[j - 1] + 1
                best = max(best, cur[j])
        prev = cur
    return best


def _words(text: str) -> set[str]:
    return {fold(w) for w in re.findall(r"[^\W\d_]+", text.lower())}


def _precision(asked: set[str], text: str) -> float:
    """The share of a unit's own words (syllables, not pairs) that the question (`asked`) also says:
    "Kế hoạch số 537 … về chuyển đổi số xã Tân An trong năm 2025" says little else."""
    own = _words(text)
    return len(own & asked) / len(own) if own else 0.0


_VERB_BEFORE_ASK = re.compile(r"\b([a-z]+ [a-z]+) (?:duoc |dat |len |xong )?(?:bao nhieu|may)\b")


def asked_verb(q: Question) -> str:
    """The action a count question ends on ("đã kích hoạt được bao nhiêu?" -> "kich hoat"), which
    the figure that answers it follows; "" when the question ends otherwise."""
    if q.intent.kind != "count" or q.intent.focus:
        return ""
    m = _VERB_BEFORE_ASK.search(q.folded)
    if not m or set(m.group(1).split()) & _NOT_ACTIONS:
        return ""
    return m.group(1)


def _after_verb(q: Question, text: str) -> list:
    """The figures of a unit that could answer; only those after the question's verb when some are
    ("đã kích hoạt 16.850 tài khoản, còn 569 …" -> 16.850)."""
    found = results_in(text, q)
    verb = asked_verb(q)
    return [f for f in found if _follows(verb, text, f)] or found


def _follows(verb: str, text: str, fig: Figure) -> bool:
    """Whether a figure comes right after the question's verb ("đã kích hoạt 16.850")."""
    return bool(verb) and verb in fold(text[max(0, fig.start - 30):fig.start])


_DONE_END = re.compile(r"\b(?:bao nhieu|may)\b.*\bda duoc\s+((?:[a-z]+\s*){1,3})\??\s*$")


def done_terms(q: Question) -> frozenset[str]:
    """For a count question that ends on what was done to what it counts ("bao nhiêu thành viên …
    đã được tập huấn?"), the terms of that action; empty otherwise."""
    if q.intent.kind != "count" or not (m := _DONE_END.search(q.folded)):
        return frozenset()
    words = [w for w in m.group(1).split() if w not in _NOT_ACTIONS]
    if not words:
        return frozenset()
    start = m.start(1)
    said = q.text[start:start + len(m.group(1))] if len(q.text) == len(q.folded) else " ".join(words)
    return question_terms(said)


_NOT_ACTIONS = frozenset("la co da dat duoc cua xa nam thi vay tong cong so luong hien nay".split())


def answer_figure(q: Question, ctx: Context) -> Answer:
    rule = asked_indicator(q)
    routed = answer_indicator(q, ctx, rule) if rule is not None else None
    if routed is not None:
        return routed
    results = ctx.evidence.search(q.query, k=max(ctx.k, 12), communes=q.communes)
    if not results:
        return not_found(q, ctx, results)
    units, _ = _rank(q, ctx, results)
    good = [u for u in units if answers_question(q, u, ctx)]
    if done := done_terms(q):  # "bao nhiêu thành viên … đã được tập huấn": not the number of members
        good = [u for u in good if ctx.evidence.coverage(done, u.text, q.phrases)]
    if rule is not None:  # the question means an indicator the table has no figure for: only its own words
        good = [u for u in good if states_indicator(rule, u.text)]  # "80% … kỹ năng số" is no rate of chữ ký số
    if not good:
        return not_found(q, ctx, results)
    # the best unit of the period asked ("năm 2026": the 2026 goals, not a 2025 result that ranks higher)
    best = next((u for u in good[:6] if not period_problem(q, ctx, u.chunk)), None)
    if best is None:
        return not_found(q, ctx, results, period_problem(q, ctx, good[0].chunk))
    chosen = [best]
    second = next((u for u in good[1:4] if u.result is not best.result), None)
    units_as = unit_equivalents(q)
    clear = key_figure(best.text, q.intent, q.query, _after_verb(q, best.text), units_as) is not None
    if second is not None and not clear and second.score >= 0.9 * best.score \
            and not period_problem(q, ctx, second.chunk):
        chosen.append(second)  # no clear figure in the best passage: show the next one that states it too
    book = CitationBook()
    parts = []
    for u in chosen:
        n = book.cite(u.chunk)
        lead = key_figure(u.text, q.intent, q.query, _after_verb(q, u.text), units_as) if u is best else None
        prefix = f"{lead} — theo" if lead else "Theo"
        parts.append(f"{prefix} báo cáo của {where(u.chunk)}: «{quote(u.text, q.text, lead or '')}» [{n}]")
    book.pad(results, ctx.k)
    return Answer("\n".join(parts), book.citations, "extractive", ocr_warnings(book.citations),
                  kind=q.kind)


def answer_yes_no(q: Question, ctx: Context) -> Answer:
    results = ctx.evidence.search(q.query, k=max(ctx.k, 8), communes=q.communes)
    units = [u for u in ctx.evidence.units(results) if not is_heading_like(u.text)]
    ctx.evidence.score(q.terms, units, q.phrases)
    prefer_labelled(q, units)  # "giai đoạn 1": not the sentence about giai đoạn 2
    units.sort(key=lambda u: -u.score)
    if not units or units[0].coverage < MIN_COVERAGE:
        return not_found(q, ctx, results)
    best = units[0]
    problem = period_problem(q, ctx, best.chunk)
    if problem:
        return not_found(q, ctx, results, problem)
    book = CitationBook()
    n = book.cite(best.chunk)
    status = not_yet_status(best)  # a table row of goals: "… đạt trên 50%" then "Đang triển khai"
    negated = bool(_NEGATION.search(fold(best.text))) or bool(status)
    verdict = "Chưa / không" if negated else "Có"
    said = f"{quote(best.text, q.text)}» — tình trạng: «{status}" if status else quote(best.text, q.text)
    text = f"{verdict} — theo báo cáo của {where(best.chunk)}: «{said}» [{n}]"
    book.pad(results, ctx.k)
    return Answer(text, book.citations, "extractive", ocr_warnings(book.citations), kind=q.kind)
