"""A question understood once: its kind, communes, period, section, figure intent and keywords.

`understand(text, history, communes)` turns what the officer typed (and, for a follow-up such as
"Còn Đại Sơn thì sao?", the earlier questions of the conversation) into one typed `Question`
that retrieval and every answer kind read; no later stage re-derives any of it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from assistant.qa.evidence import question_terms, without
from assistant.qa.followup import (
    MORE,
    MORE_ASK,
    asks_goal_only,
    asks_result_only,
    asks_why,
    cut,
    goal_without_subject,
    indicator_resolved,
    is_follow_up,
    remainder,
    replace_span,
    restate,
    subject_of,
    there_resolved,
    with_subject,
    without_goal_reference,
)
from assistant.qa.intent import Intent, intent_of
from assistant.qa.kinds import (
    CAUSE,
    ENTITY,
    asks_how_many,
    classify,
    guidance_named,
    rx,
)
from assistant.qa.places import communes_in, without_reporting_period, years_in
from assistant.qa.referents import thing_resolved, topic_kept
from assistant.text.normalize import (
    expand_shorthand,
    fold,
    fold_keep_length,
    nfc,
    replace_abbreviations,
)
from assistant.text.synonyms import Groups, phrase_groups

MAX_HISTORY = 6  # earlier questions a follow-up may lean on
KINDS = ("figure", "entity", "narrative", "which_commune", "target", "yes_no", "out_of_scope")
KIND_LABELS = {
    "figure": "số liệu", "entity": "tên người, đơn vị, văn bản", "narrative": "nội dung, danh sách",
    "which_commune": "xã nào / so sánh", "target": "chỉ tiêu theo văn bản chỉ đạo",
    "yes_no": "có hay không", "out_of_scope": "ngoài phạm vi",
}



@dataclass(frozen=True)
class Question:
    """What was asked, as every stage of answering reads it."""

    text: str  # the question as asked (NFC), or as restated for a follow-up
    kind: str = "figure"  # one of KINDS
    communes: tuple[str, ...] = ()  # communes of the library the question names (as the library spells them)
    unknown_communes: tuple[str, ...] = ()  # communes named that the library has no report of
    years: tuple[int, ...] = ()
    section_kinds: tuple[str, ...] = ()  # narrative: ton_tai | phuong_huong | de_xuat | ket_qua
    cause: bool = False  # asks why ("vì sao", "nguyên nhân")
    entity: str = ""  # entity questions: signer | person | org | place | software | name
    guidance: tuple[str, ...] = ()  # guiding documents named ("57-NQ/TW")
    intent: Intent = field(default_factory=lambda: Intent(None))
    query: str = ""  # what retrieval searches: the text without commune names
    terms: frozenset[str] = frozenset()  # folded content syllables an answering passage should state
    phrases: Groups = ()  # everyday phrases of the question with their report equivalents
    detail: bool = False  # "cụ thể hơn": more of the same
    inherited: tuple[str, ...] = ()  # what a follow-up took from the earlier question
    understood_as: str = ""  # a follow-up restated as a whole question ("" when asked in full)

    @property
    def folded(self) -> str:
        return fold(self.text)


_DOMAIN = rx(r"\bchuyen doi so\b")
_DOMAIN_WORDS = frozenset({"chuyen", "doi", "so"})
_DOCUMENT_NAMED = rx(r"\b(?:ke hoach|quyet dinh|chuong trinh|de an|nghi quyet) (?:ve |thuc hien )?chuyen doi so\b")

# ------------------------------------------------------------------ understanding
_POLITE = rx(r"^(?:de nghi|xin|hay|vui long|lam on|cho toi hoi|toi muon biet)?\s*(?:cho (?:toi )?(?:biet|hoi)|"
              r"cho biet)?\s*[:,]?\s*")


def _without_polite(text: str) -> str:
    """"Đề nghị cho biết số hiệu …" -> "số hiệu …" (a request formula is not a "đề nghị" section)."""
    m = _POLITE.match(fold_keep_length(text).lower())
    if not m or not m.group(0).strip():
        return text
    rest = text[m.end():].strip()
    return rest[:1].upper() + rest[1:] if len(rest) >= 8 else text


def understand(text: str, history: Sequence[str] = (), communes: Sequence[str] = ()) -> Question:
    """The typed question for `text`, resolved against the earlier questions in `history` (the last
    MAX_HISTORY of them: each earlier question is understood in turn, so a long chat stays cheap)."""
    history = list(history)[-MAX_HISTORY:]
    text = _without_polite(" ".join(expand_shorthand(nfc(text or "")).split()))
    prev = understand(history[-1], history[:-1], communes) if history else None
    if prev is not None:
        text = without_goal_reference(text)
    folded = fold(re.sub(r"\bAI\b", "trí tuệ nhân tạo", text))  # "dùng AI" does not ask "ai" (who)
    named, unknown = communes_in(text, communes)
    years = years_in(text)
    referred = indicator_resolved(text, prev, communes) if prev is not None and not asks_goal_only(text) else None
    if referred is not None:  # "Năm 2026 xã phấn đấu chỉ tiêu này bao nhiêu?" after a question about it
        q = understand(referred, history, communes)
        return replace(q, inherited=tuple(dict.fromkeys(("nội dung", *q.inherited))),
                       understood_as=q.understood_as or referred)
    there = there_resolved(text, prev) if prev is not None and not (named or unknown) else None
    if there is not None:  # "Vậy Tổ CNSCĐ ở đó có bao nhiêu thành viên?" after a question about Đại Sơn
        return replace(understand(there, (), communes), inherited=("xã",), understood_as=there)
    thing = thing_resolved(text, prev) if prev is not None and not (named or unknown) else None
    if thing is not None:  # "Tổ đó có bao nhiêu thành viên?", "Ký ngày nào vậy?": the thing asked before
        return replace(understand(thing, (), communes), inherited=("xã", "nội dung"), understood_as=thing)
    # nothing left to ask once the commune and the year are set aside: it can only continue the conversation
    says_nothing = not question_terms(remainder(text, named, unknown, years)) \
        or (prev is not None and asks_result_only(text, named, unknown, years))  # "Tân An làm được bao nhiêu?"
    goal_only = asks_goal_only(text)
    if prev is not None and (is_follow_up(folded, len(named) + len(unknown), years) or goal_only or says_nothing):
        if asks_why(folded, len(named) + len(unknown)) or (CAUSE.search(folded) and len(folded.split()) <= 4):
            q = replace(prev, kind="narrative", cause=True, section_kinds=("ton_tai",),
                        query=f"nguyên nhân {prev.query}", detail=False,
                        terms=prev.terms | {"nguyen", "nhan"})
            return replace(q, text=f"Vì sao: {prev.text}", inherited=("xã", "nội dung"),
                           understood_as=f"Nguyên nhân — {prev.text}")
        if goal_only and not (named or unknown):
            base = prev.text.rstrip(" ?")
            if years:  # "Năm 2026 xã phấn đấu chỉ tiêu này bao nhiêu?": the goal of another year
                base = base.replace(str(prev.years[0]), str(years[0]), 1) if prev.years else f"{base} năm {years[0]}"
            restated = f"{base}; mục tiêu đặt ra là bao nhiêu?"
            return replace(understand(restated, (), communes), inherited=("xã", "nội dung"), understood_as=restated)
        places = [*named, *unknown] or list(prev.communes)
        if (prev.kind == "target" or prev.intent.wants_target) and places \
                and asks_result_only(text, named, unknown, years) and (subject := subject_of(prev)):
            # "Thế xã Tân An hiện đạt bao nhiêu?" after a goal (of a guiding document, or the commune's own):
            # the commune's result
            when = f" năm {years[0]}" if years else ""
            restated = f"{subject[:1].upper()}{subject[1:]} của xã {', '.join(places)}{when} đạt bao nhiêu?"
            inherited = ("nội dung",) if named or unknown else ("nội dung", "xã")
            return replace(understand(restated, (), communes), inherited=inherited, understood_as=restated)
        if MORE.search(folded) and not (named or unknown or years):
            aspect = remainder(cut(text, MORE_ASK), named, unknown, years)
            if not question_terms(aspect):
                return replace(prev, detail=True, inherited=("xã", "nội dung"),
                               understood_as=f"{prev.text} (chi tiết hơn)")
            restated, inherited = restate(prev, aspect, named, unknown, years)  # "cụ thể hơn về kinh phí"
            return replace(understand(restated, (), communes), detail=True, inherited=tuple(inherited),
                           understood_as=restated)
        own_kind, own = classify(folded, 0, guidance_named(folded), asks_how_many(text))
        kept = None if named or unknown else topic_kept(text, own_kind, own["section_kinds"], prev)
        if kept:  # "Năm 2026 xã định khắc phục thế nào?" after the shortcomings of one pillar
            return replace(understand(kept, (), communes), inherited=("xã", "nội dung"), understood_as=kept)
        restated, inherited = restate(prev, text, named, unknown, years)
        fresh = understand(restated, (), communes)
        if fresh.kind == "target" and goal_without_subject(restated):  # "Còn theo QĐ 411 thì …"
            restated = with_subject(restated, prev)
            fresh = understand(restated, (), communes)
        return replace(fresh, inherited=tuple(inherited), understood_as=restated)
    guidance = guidance_named(folded)
    kind, extra = classify(folded, len(named), guidance, asks_how_many(text))
    if history and kind == "target" and goal_without_subject(text):
        # "Theo QĐ 411 thì đến 2030 mục tiêu là bao nhiêu?": the goal for what was just asked
        restated = with_subject(text, understand(history[-1], history[:-1], communes))
        if restated != text:
            return replace(understand(restated, (), communes), inherited=("nội dung",), understood_as=restated)
    if history and not (named or unknown) and not guidance and kind not in ("which_commune", "target"):
        prev = understand(history[-1], history[:-1], communes)
        if len(prev.communes) == 1:  # in a conversation about one commune, a question naming none stays there
            restated = (topic_kept(text, kind, extra["section_kinds"], prev)
                        or f"{text.rstrip(' ?.')} của xã {prev.communes[0]}?")
            return replace(understand(restated, (), communes), inherited=("xã",), understood_as=restated)
    query = text
    for name in named:
        query = (replace_span(query, f"UBND xã {name}", "") or replace_span(query, f"xã {name}", "")
                 or replace_span(query, name, "") or query)
    query = " ".join(query.split()) or text
    asked_for = [m.group(0) for _, rx in ENTITY if kind == "entity" and (m := rx.search(folded))]
    asides = [*named, "xã", "UBND", *asked_for, *(["bên"] if named else [])]  # "Bên Giao Minh có …"
    terms = question_terms(without_reporting_period(query), drop=asides)
    intent = intent_of(text)
    # every report is about "chuyển đổi số": it tells none apart — except the plan named for it
    # ("Kế hoạch chuyển đổi số năm 2025 số mấy?" is not any plan)
    if _DOMAIN.search(fold(replace_abbreviations(query))) and without(terms, _DOMAIN_WORDS) \
            and not (_DOCUMENT_NAMED.search(folded) and (intent.kind == "docno" or kind == "entity")):
        terms = without(terms, _DOMAIN_WORDS)
    return Question(text=text, kind=kind, communes=tuple(named), unknown_communes=tuple(unknown),
                    years=tuple(years), section_kinds=extra.get("section_kinds", ()),
                    cause=extra.get("cause", False), entity=extra.get("entity", ""),
                    guidance=tuple(guidance), intent=intent, query=query, terms=terms,
                    phrases=phrase_groups(query))
