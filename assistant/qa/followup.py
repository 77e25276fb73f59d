"""Reading a follow-up against the earlier question: whether a question continues the conversation,
what it changed (the commune, the year, the aspect), what "ở đó" and "chỉ tiêu này" stand for, and
the earlier question restated with the change ("Còn Đại Sơn thì sao?" -> "Tỷ lệ … của xã Đại Sơn …")."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

from assistant.qa.evidence import question_terms, without
from assistant.qa.kinds import GUIDANCE_DOCS, SECTION_WORDS, guidance_named, rx
from assistant.qa.places import communes_in, spans_of
from assistant.text.normalize import fold, fold_keep_length, nfc

if TYPE_CHECKING:
    from assistant.qa.question import Question

# How a narrative section is asked about, for restating follow-ups.
SECTION_PHRASES = {"ton_tai": "Những tồn tại, hạn chế", "phuong_huong": "Phương hướng, nhiệm vụ",
                   "de_xuat": "Đề xuất, kiến nghị", "ket_qua": "Kết quả đạt được"}

_FOLLOW_START = rx(r"^(?:con|the con|vay con|con ve|vay thi|the thi|con o|the|vay)\b")
_FOLLOW_END = rx(r"\b(?:thi sao|the nao|ra sao|thi the nao|nhu the nao|thi)\s*\??\s*$")
_TOPIC_THEN = rx(r"\bthi (?:duoc|dat|co|la|bao nhieu|may|lam)\b")
_WHY_ONLY = rx(r"^(?:vi sao|tai sao|sao vay|tai sao vay|vi sao vay|nguyen nhan (?:la )?gi|do dau|"
                r"nguyen nhan|ly do)\s*(?:vay|a|the)?\s*\??$")
_WHY_START = rx(r"^(?:vi sao|tai sao|sao|do dau|vi dau|ly do gi)\b")
MORE = rx(r"\b(?:cu the hon|chi tiet hon|noi ro hon|ro hon|them chi tiet|noi them|ke them)\b")
MORE_ASK = rx(r"\b(?:cu the hon|chi tiet hon|noi ro hon|ro hon|them chi tiet|noi them|ke them)\b|"
               r"\b(?:duoc khong|khong)\s*\??\s*$")


def cut(text: str, pattern: re.Pattern[str]) -> str:
    """`text` without the spans `pattern` finds in its folded form (accents and case ignored)."""
    folded = fold_keep_length(nfc(text)).lower()
    out = nfc(text)
    for m in reversed(list(pattern.finditer(folded))):
        out = out[:m.start()] + " " + out[m.end():]
    return " ".join(out.split())


_FOLLOW_NOISE = rx(r"^(?:con|the con|vay con|vay thi|the thi|con o|con ve|the|vay)\s+|\s*(?:thi sao|the nao|ra sao|"
                    r"thi the nao|nhu the nao)\s*\??\s*$|\?")


# "ở đó", "xã này": the place of the earlier question, not a new one
_THERE = rx(r"\b(?:o do|o day|xa do|xa nay|xa ay|noi do|dia phuong do|dia phuong nay|dia ban do)\b")
_BARE_XA = re.compile(r"\b[Xx]ã(?=\s+[a-zđà-ỹ])")  # "năm 2026 xã phấn đấu …": a commune, not named


def there_resolved(text: str, prev: Question) -> str | None:
    """`text` with "ở đó"/"xã này" replaced by the commune the earlier question named (None: no such
    reference, or the earlier question named no single commune)."""
    m = _THERE.search(fold_keep_length(text).lower())
    if not m or len(prev.communes) != 1:
        return None
    lead = "ở " if m.group(0).startswith("o ") else ""
    out = " ".join((text[: m.start()] + f"{lead}xã {prev.communes[0]}" + text[m.end():]).split())
    return out[:1].upper() + out[1:]


_GOAL_ASK = rx(r"\b(?:muc tieu|chi tieu|ke hoach dat|phan dau)\b")
_GOAL_WORDS = frozenset("muc tieu chi tieu ke hoach dat ra phan dau de la bao nhieu the vay cho do nay ay tren "
                        "sang toi xa".split())


def asks_goal_only(text: str) -> bool:
    """"Mục tiêu đặt ra là bao nhiêu?": the goal of what was just asked, nothing new."""
    folded = fold(text)
    return bool(_GOAL_ASK.search(folded)) and len(folded.split()) <= 12 \
        and not without(question_terms(text), _GOAL_WORDS)


def asks_why(folded: str, n_named: int) -> bool:
    """"Vì sao?", "Vì sao thấp vậy?", "Sao chưa được 100%?": the cause of what was just asked."""
    return bool(_WHY_ONLY.match(folded.strip())) or (
        n_named == 0 and bool(_WHY_START.match(folded.strip())) and len(folded.split()) <= 7)


def is_follow_up(folded: str, n_named: int, years: list[int]) -> bool:
    words = folded.replace("?", " ").split()
    if asks_why(folded, n_named) or (MORE.search(folded) and len(words) <= 8):
        return True
    if _FOLLOW_START.match(folded) or _FOLLOW_END.search(folded):
        return len(words) <= 14
    if _TOPIC_THEN.search(folded) and not n_named:  # "Giai đoạn 2 thì được bao nhiêu?": another part
        return len(words) <= 8
    return len(words) <= 4 and (n_named > 0 or bool(years))


def replace_span(text: str, old: str, new: str) -> str | None:
    """`text` with the first occurrence of `old` (accents and case ignored) replaced by `new`."""
    folded = fold_keep_length(nfc(text)).lower()
    spans = spans_of(folded, fold(old))
    if not spans:
        return None
    a, b = spans[0]
    return text[:a] + new + text[b:]


def remainder(text: str, communes: Sequence[str], unknown: Sequence[str], years: Sequence[int]) -> str:
    """What a follow-up says beyond the commune and the year ("Còn về nhân lực thì sao?" -> "về nhân lực")."""
    rest = nfc(text)
    for name in [*communes, *unknown]:
        rest = replace_span(rest, f"xã {name}", "") or replace_span(rest, name, "") or rest
    for y in years:
        rest = re.sub(rf"(?:\bnăm\s+|\bnam\s+)?{y}", "", rest, flags=re.IGNORECASE)
    folded = fold_keep_length(rest).lower()
    m = _FOLLOW_NOISE.search(folded)
    while m:
        rest = (rest[: m.start()] + " " + rest[m.end():]).strip()
        folded = fold_keep_length(rest).lower()
        m = _FOLLOW_NOISE.search(folded)
    return " ".join(rest.split()).strip(" ,.?")


_OWN_ASK = rx(r"\b(?:bao nhieu|may|so may|la gi|nao)\b")


_ASIDE_WORDS = frozenset({"xa", "cap", "tren", "cap_tren", "nhung", "vay", "the", "con", "~cấp", "~trên", "~những",
                          "~vậy", "~thế", "~còn"})  # "Vậy xã kiến nghị cấp trên những gì?" names no topic


def restate(prev: Question, cur_text: str, named: list[str], unknown: list[str],
             years: list[int]) -> tuple[str, list[str]]:
    """The earlier question with what the follow-up changed; and which parts were inherited."""
    inherited: list[str] = []
    new_places = [*named, *unknown]
    rest = remainder(cur_text, named, unknown, years)
    base = prev.text
    said_before = (bool(question_terms(rest)) and question_terms(rest) <= question_terms(prev.text)
                   and set(re.findall(r"\d+", rest)) <= set(re.findall(r"\d+", prev.text)))  # "Giai đoạn 2" is new
    if rest and question_terms(rest) and not said_before and not re.fullmatch(r"(?:xa|o|ve|tai|cua)?", fold(rest)):
        places = new_places or [*prev.communes, *prev.unknown_communes]
        where = f" của xã {', '.join(places)}" if places else ""
        when = f" năm {years[0]}" if years else (f" năm {prev.years[0]}" if prev.years else "")
        topic = rest[0].lower() + rest[1:] if rest[:1].isupper() and not rest[:2].isupper() else rest
        topic = re.sub(r"^(?:về|ve)\s+", "", topic)
        own = [k for k, rx_ in SECTION_WORDS if rx_.search(fold(cur_text))]  # "Vậy xã kiến nghị gì?"
        if prev.kind == "narrative" and prev.section_kinds and own and own[0] not in prev.section_kinds:
            # another section of the report: about the follow-up's own topic, if it names one
            said = question_terms(cut(rest, dict(SECTION_WORDS)[own[0]])) - _ASIDE_WORDS
            about = f" về {topic}" if said else ""
            base = f"{SECTION_PHRASES.get(own[0], 'Nội dung')}{about}{where}{when}?"
        elif prev.kind == "narrative" and prev.section_kinds:
            base = f"{SECTION_PHRASES.get(prev.section_kinds[0], 'Nội dung')} về {topic}{where}{when}?"
        elif prev.kind in ("figure", "which_commune") and _OWN_ASK.search(fold(topic)):
            # "Còn máy scan thì mấy cái?": the follow-up asks in its own words
            topic = re.sub(r"\s+(?:thì|thi)\s+", " ", topic)
            base = f"{topic[0].upper() + topic[1:]}{where.replace(' của xã', ' ở xã')}{when}?"
        elif prev.kind in ("figure", "which_commune"):
            ask = "số mấy" if prev.intent.kind == "docno" else "là bao nhiêu"
            base = f"{topic[0].upper() + topic[1:]}{where}{when} {ask}?"
        elif prev.kind == "target" and not new_places and (doc := _document_named(prev.text)) \
                and not guidance_named(fold(topic)):
            # "Thế còn tỷ lệ người trưởng thành dùng DVC?" after what a decision requires: the same decision
            base = f"Theo {doc}, {topic.rstrip(' ?')}{when} là bao nhiêu?"
            inherited.append("văn bản")
        else:
            base = f"{topic[0].upper() + topic[1:]}{where}{when}?"
        if not new_places and places:
            inherited.append("xã")
        if not years and prev.years:
            inherited.append("năm")
        return base, inherited
    inherited.append("nội dung")
    if new_places:
        olds = [*prev.communes, *prev.unknown_communes]
        places = ", ".join(new_places)
        if olds:
            for old in olds[1:]:
                base = replace_span(base, f", {old}", "") or replace_span(base, f" và {old}", "") or base
            base = (replace_span(base, f"xã {olds[0]}", f"xã {places}")
                    or replace_span(base, olds[0], f"xã {places}" if unknown else places) or base)
        else:
            base = base.rstrip(" ?") + f" của xã {places}?"
    else:
        inherited.append("xã")
    if years:
        if prev.years:
            base = base.replace(str(prev.years[0]), str(years[0]), 1)
        else:
            base = base.rstrip(" ?") + f" năm {years[0]}?"
    return base, inherited


def _document_named(text: str) -> str:
    """The guiding document a question names, as it writes it ("Quyết định 126"); "" for none."""
    folded = fold_keep_length(nfc(text)).lower()
    m = next((m for rx_, _ in GUIDANCE_DOCS if (m := rx_.search(folded))), None)
    return nfc(text)[m.start():m.end()] if m else ""


_TARGET_FRAME = rx(r"\b(?:theo|yeu cau|dat muc tieu|muc tieu|chi tieu|phai dat|can dat|toi thieu|it nhat|"
                    r"den (?:ngay )?\d{1,2}/\d{1,2}/\d{4}|den (?:cuoi )?(?:nam )?20\d\d|nam 20\d\d|vao nam 20\d\d)\b")


def target_subject(text: str) -> str:
    """What a target question is about, without the document, the deadline and the asking words:
    "Kế hoạch 02 yêu cầu đến 31/12/2025 bao nhiêu % hồ sơ được xử lý trực tuyến?" -> "tỷ lệ hồ sơ …"."""
    out = nfc(text)
    folded = fold_keep_length(out).lower()
    spans = [m.span() for rx, _ in GUIDANCE_DOCS for m in rx.finditer(folded)]
    spans += [m.span() for m in _TARGET_FRAME.finditer(folded)]
    spans += [m.span() for m in re.finditer(r"\b(?:bao nhieu phan tram|bao nhieu|la bao nhieu|ty le|ti le)\b", folded)]
    for a, b in sorted(spans, reverse=True):
        out = out[:a] + " " + out[b:]
    out = re.sub(r"^[\s,;:]*(?:(?:kh|ke hoach|nghi quyet|quyet dinh)[^\s]*\s+)?", "", out, flags=re.IGNORECASE)
    out = re.sub(r"(?:^|\s)/\S*", " ", out)  # what is left of "02-KH/BCĐTW"
    return "tỷ lệ " + " ".join(out.replace("?", " ").split()).strip(" ,;:")


_EDGE_WORDS = frozenset(fold(w) for w in "của ở tại xã đạt được là có hiện nay đã rồi thì vậy cho đề xuất đặt ra "
                                          "phải cần về năm chưa không thực trên dưới khoảng cuối đầu nào "
                                          "gì".split())
_TAIL_WORDS = frozenset({"muc"})  # "… phải đạt mức nào": asking, at the end only ("mức độ hài lòng" is a subject)


def _subject_words(text: str) -> list[str]:
    """The words of a subject without the asking and linking words at its ends."""
    words = [w for w in text.split() if w.strip(",;:") and w != "%"]
    while words and (fold(words[0]) in _EDGE_WORDS or re.search(r"\d", words[0])):
        words.pop(0)  # "… thì cuối 2025 phải đạt mức nào": a deadline and asking words, no subject
    while words and (fold(words[-1]) in _EDGE_WORDS | _TAIL_WORDS or re.search(r"[\d%]", words[-1])):
        words.pop()  # "… trên 50% đã thực hiện được chưa": the figure and the asking words
    return words


def goal_without_subject(text: str) -> bool:
    """A goal question that names a document and a deadline but not what the goal is about."""
    return not _subject_words(" ".join(target_subject(text).split()[2:]))


def with_subject(text: str, prev: Question) -> str:
    """`text` led by what the earlier question asked about ("Tỷ lệ … — Theo QĐ 411 thì …")."""
    subject = subject_of(prev)
    return f"{subject[:1].upper()}{subject[1:]} — {text}" if subject else text


def subject_of(prev: Question) -> str:
    """What an earlier figure or target question was about, without its commune, year, document,
    goal words and asking words: "Năm 2025 tỷ lệ hồ sơ nộp trực tuyến của Giao Minh đạt bao nhiêu?"
    -> "tỷ lệ hồ sơ nộp trực tuyến"."""
    rest = " ".join(target_subject(prev.text).split()[2:])  # without the "tỷ lệ" it puts first
    subject = " ".join(_subject_words(remainder(rest, prev.communes, prev.unknown_communes, prev.years)))
    rate = prev.intent.kind == "percent" or prev.kind == "target"  # guiding documents set rates
    return f"tỷ lệ {subject}" if subject and rate else subject


# "chỉ tiêu đó", "tỷ lệ này": the indicator of the earlier question
_REF = rx(r"\b(chi tieu|ty le|con so|so lieu) (?:do|nay|tren|ay|vua roi)\b")


def indicator_resolved(text: str, prev: Question, communes: Sequence[str]) -> str | None:
    """`text` with "chỉ tiêu đó"/"tỷ lệ này" replaced by what the earlier question asked (None: no
    such reference, or nothing to put in its place)."""
    m = _REF.search(fold_keep_length(text).lower())
    if not m:
        return None
    subject = subject_of(prev)
    if not subject:
        return None
    head = text[m.start(1):m.end(1)]
    said = subject if fold(head) == "ty le" or not subject.startswith("tỷ lệ") else f"{head} {subject}"
    if fold(head) != "ty le" and not said.startswith(head):
        said = f"{head} {subject}"
    out = " ".join((text[: m.start()] + said + text[m.end():]).split())
    bare = _BARE_XA.search(out)
    if bare and len(prev.communes) == 1:  # "năm 2026 xã phấn đấu chỉ tiêu này …": that commune
        out = f"{out[:bare.end()]} {prev.communes[0]}{out[bare.end():]}"
    elif len(prev.communes) == 1 and not communes_in(out, communes)[0] and not guidance_named(fold(out)) \
            and not _THERE.search(fold(out)) and not _NATIONAL.search(fold(out)):
        # "Cơ quan nào chủ trì chỉ tiêu này?": of the same commune; "mục tiêu quốc gia" is no commune's
        out = f"{out.rstrip(' ?')} của xã {prev.communes[0]}?"
    return out[:1].upper() + out[1:]


# "so với mục tiêu đó": measured against the goal just asked, which says nothing new to look up
_AGAINST_GOAL = rx(r"\b(?:so voi|theo|dua tren) (?:muc tieu|chi tieu|yeu cau) (?:do|nay|tren|ay|vua roi|vua neu)\b")


def without_goal_reference(text: str) -> str:
    """"Gia Phúc đạt được bao nhiêu so với mục tiêu đó?" -> "Gia Phúc đạt được bao nhiêu?"."""
    if not _AGAINST_GOAL.search(fold(text)):
        return text
    return cut(text, _AGAINST_GOAL).rstrip(" ?") + "?"


_NATIONAL = rx(r"\b(?:quoc gia|toan quoc|ca nuoc|trung uong|chinh phu)\b")
_ACHIEVED = rx(r"\b(?:lam duoc|dat duoc|thuc te|thuc hien duoc|da dat|dat|duoc|roi|hien nay|hien)\b")


def asks_result_only(text: str, named: Sequence[str], unknown: Sequence[str], years: Sequence[int]) -> bool:
    """"Vậy Gia Phúc làm được bao nhiêu?", "Năm 2025 thực tế đạt bao nhiêu?": a result, nothing new."""
    rest = _ACHIEVED.sub(" ", fold(remainder(text, named, unknown, years)))
    return not question_terms(rest)
