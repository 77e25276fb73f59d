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
from assistant.qa.intent import Intent, intent_of
from assistant.qa.kinds import (
    CAUSE,
    ENTITY,
    GUIDANCE_DOCS,
    asks_how_many,
    classify,
    guidance_named,
    rx,
)
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
# How a narrative section is asked about, for restating follow-ups.
SECTION_PHRASES = {"ton_tai": "Những tồn tại, hạn chế", "phuong_huong": "Phương hướng, nhiệm vụ",
                   "de_xuat": "Đề xuất, kiến nghị", "ket_qua": "Kết quả đạt được"}


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
    entity: str = ""  # entity questions: signer | person | org | software | name
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


# ------------------------------------------------------------------ communes and periods
_NAME = r"((?:[A-ZĐÂĂÊÔƠƯÁÀẢÃẠÉÈẺẼẸÍÌỈĨỊÓÒỎÕỌÚÙỦŨỤÝỲỶỸỴ][\wÀ-ỹ]*)(?:[ \t]+[A-ZĐÂĂÊÔƠƯÁÀẢÃẠÉÈẺẼẸÍÌỈĨỊÓÒỎÕỌÚÙỦŨỤÝỲỶỸỴ][\wÀ-ỹ]*){0,2})"
_PLACE_RE = re.compile(r"(?:\b[Xx]ã|\b[Pp]hường|\b[Tt]hị trấn)\s+" + _NAME)
_PLACE_FOLDED_RE = re.compile(r"\b(?:xa|phuong)\s+([a-z]+(?:\s+[a-z]+)?)")
_NOT_NAMES = frozenset(
    "nao gi co da dang hoi minh nha ta nay do duoc la va voi cua ve trong tren khong chua thi se cung "
    "van con can phai nen deu tu tai o anh chi em ban toi nhieu it hon".split())
_YEAR_RE = re.compile(r"(?<![\d/.,-])((?:19|20)\d\d)(?![\d,.]\d)")


def _spans(folded_text: str, folded_name: str) -> list[tuple[int, int]]:
    return [(m.start(), m.end()) for m in re.finditer(r"(?<![a-z0-9])" + re.escape(folded_name) + r"(?![a-z0-9])",
                                                       folded_text)]


def communes_in(text: str, known: Sequence[str]) -> tuple[list[str], list[str]]:
    """(library communes named in `text`, other commune names written after "xã"/"phường")."""
    folded = fold_keep_length(nfc(text)).lower()
    found: list[tuple[int, str]] = []
    taken: list[tuple[int, int]] = []
    for name in sorted(known, key=lambda n: -len(n)):
        for a, b in _spans(folded, fold(name)):
            if not any(a < y and x < b for x, y in taken):
                taken.append((a, b))
                found.append((a, name))
    named = list(dict.fromkeys(n for _, n in sorted(found)))
    unknown: list[str] = []
    known_folded = {fold(n) for n in known}
    for m in _PLACE_RE.finditer(nfc(text)):
        name = m.group(1).strip()
        if fold(name) not in known_folded and not any(fold(name).startswith(k + " ") for k in known_folded):
            unknown.append(name)
    if not unknown and text == fold(text):  # typed without accents: "xa vinh thanh"
        for m in _PLACE_FOLDED_RE.finditer(folded):
            words = m.group(1).split()
            while words and words[-1] in _NOT_NAMES:
                words.pop()
            name = " ".join(words)
            if len(words) == 2 and not set(words) & _NOT_NAMES and name not in known_folded \
                    and not any(overlap(m.start(1), m.end(1), t) for t in taken):
                unknown.append(name.title())
    return named, list(dict.fromkeys(unknown))


def overlap(a: int, b: int, span: tuple[int, int]) -> bool:
    return a < span[1] and span[0] < b


_RANGE_RE = re.compile(r"\b((?:19|20)\d\d)\s*[-–]\s*((?:19|20)\d\d)\b")


def years_in(text: str) -> list[int]:
    """Years a question names; a range "2023-2025" gives both ends."""
    years = [int(y) for y in _YEAR_RE.findall(text)]
    for a, b in _RANGE_RE.findall(text):
        years += [int(a), int(b)]
    return list(dict.fromkeys(years))


# ------------------------------------------------------------------ follow-ups
_FOLLOW_START = rx(r"^(?:con|the con|vay con|con ve|vay thi|the thi|con o|the|vay)\b")
_FOLLOW_END = rx(r"\b(?:thi sao|the nao|ra sao|thi the nao|nhu the nao|thi)\s*\??\s*$")
_WHY_ONLY = rx(r"^(?:vi sao|tai sao|sao vay|tai sao vay|vi sao vay|nguyen nhan (?:la )?gi|do dau|"
                r"nguyen nhan|ly do)\s*(?:vay|a|the)?\s*\??$")
_WHY_START = rx(r"^(?:vi sao|tai sao|sao|do dau|vi dau|ly do gi)\b")
_MORE = rx(r"\b(?:cu the hon|chi tiet hon|noi ro hon|ro hon|them chi tiet|noi them|ke them)\b")
_MORE_ASK = rx(r"\b(?:cu the hon|chi tiet hon|noi ro hon|ro hon|them chi tiet|noi them|ke them)\b|"
               r"\b(?:duoc khong|khong)\s*\??\s*$")


def _cut(text: str, pattern: re.Pattern[str]) -> str:
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


def _there_resolved(text: str, history: Sequence[str], communes: Sequence[str]) -> str | None:
    """`text` with "ở đó"/"xã này" replaced by the commune the earlier question named (None: no such
    reference, or the earlier question named no single commune)."""
    m = _THERE.search(fold_keep_length(text).lower())
    if not m:
        return None
    prev = understand(history[-1], history[:-1], communes)
    if len(prev.communes) != 1:
        return None
    lead = "ở " if m.group(0).startswith("o ") else ""
    out = " ".join((text[: m.start()] + f"{lead}xã {prev.communes[0]}" + text[m.end():]).split())
    return out[:1].upper() + out[1:]


_GOAL_ASK = rx(r"\b(?:muc tieu|chi tieu|ke hoach dat|phan dau)\b")
_GOAL_WORDS = frozenset("muc tieu chi tieu ke hoach dat ra phan dau de la bao nhieu the vay cho do nay ay tren".split())


def _asks_goal_only(text: str) -> bool:
    """"Mục tiêu đặt ra là bao nhiêu?": the goal of what was just asked, nothing new."""
    folded = fold(text)
    return bool(_GOAL_ASK.search(folded)) and len(folded.split()) <= 12 \
        and not without(question_terms(text), _GOAL_WORDS)


def _asks_why(folded: str, n_named: int) -> bool:
    """"Vì sao?", "Vì sao thấp vậy?", "Sao chưa được 100%?": the cause of what was just asked."""
    return bool(_WHY_ONLY.match(folded.strip())) or (
        n_named == 0 and bool(_WHY_START.match(folded.strip())) and len(folded.split()) <= 7)


def _is_follow_up(folded: str, n_named: int, years: list[int]) -> bool:
    words = folded.replace("?", " ").split()
    if _asks_why(folded, n_named) or (_MORE.search(folded) and len(words) <= 8):
        return True
    if _FOLLOW_START.match(folded) or _FOLLOW_END.search(folded):
        return len(words) <= 14
    return len(words) <= 4 and (n_named > 0 or bool(years))


def _replace_span(text: str, old: str, new: str) -> str | None:
    """`text` with the first occurrence of `old` (accents and case ignored) replaced by `new`."""
    folded = fold_keep_length(nfc(text)).lower()
    spans = _spans(folded, fold(old))
    if not spans:
        return None
    a, b = spans[0]
    return text[:a] + new + text[b:]


def _remainder(text: str, communes: Sequence[str], unknown: Sequence[str], years: Sequence[int]) -> str:
    """What a follow-up says beyond the commune and the year ("Còn về nhân lực thì sao?" -> "về nhân lực")."""
    rest = nfc(text)
    for name in [*communes, *unknown]:
        rest = _replace_span(rest, f"xã {name}", "") or _replace_span(rest, name, "") or rest
    for y in years:
        rest = re.sub(rf"(?:\bnăm\s+|\bnam\s+)?{y}", "", rest, flags=re.IGNORECASE)
    folded = fold_keep_length(rest).lower()
    m = _FOLLOW_NOISE.search(folded)
    while m:
        rest = (rest[: m.start()] + " " + rest[m.end():]).strip()
        folded = fold_keep_length(rest).lower()
        m = _FOLLOW_NOISE.search(folded)
    return " ".join(rest.split()).strip(" ,.?")


def _restate(prev: Question, cur_text: str, named: list[str], unknown: list[str],
             years: list[int]) -> tuple[str, list[str]]:
    """The earlier question with what the follow-up changed; and which parts were inherited."""
    inherited: list[str] = []
    new_places = [*named, *unknown]
    rest = _remainder(cur_text, named, unknown, years)
    base = prev.text
    said_before = (bool(question_terms(rest)) and question_terms(rest) <= question_terms(prev.text)
                   and set(re.findall(r"\d+", rest)) <= set(re.findall(r"\d+", prev.text)))  # "Giai đoạn 2" is new
    if rest and question_terms(rest) and not said_before and not re.fullmatch(r"(?:xa|o|ve|tai|cua)?", fold(rest)):
        places = new_places or [*prev.communes, *prev.unknown_communes]
        where = f" của xã {', '.join(places)}" if places else ""
        when = f" năm {years[0]}" if years else (f" năm {prev.years[0]}" if prev.years else "")
        topic = rest[0].lower() + rest[1:] if rest[:1].isupper() and not rest[:2].isupper() else rest
        topic = re.sub(r"^(?:về|ve)\s+", "", topic)
        if prev.kind == "narrative" and prev.section_kinds:
            base = f"{SECTION_PHRASES.get(prev.section_kinds[0], 'Nội dung')} về {topic}{where}{when}?"
        elif prev.kind in ("figure", "which_commune"):
            ask = "số mấy" if prev.intent.kind == "docno" else "là bao nhiêu"
            base = f"{topic[0].upper() + topic[1:]}{where}{when} {ask}?"
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
                base = _replace_span(base, f", {old}", "") or _replace_span(base, f" và {old}", "") or base
            base = (_replace_span(base, f"xã {olds[0]}", f"xã {places}")
                    or _replace_span(base, olds[0], f"xã {places}" if unknown else places) or base)
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


_TARGET_FRAME = rx(r"\b(?:theo|yeu cau|dat muc tieu|muc tieu|chi tieu|phai dat|can dat|toi thieu|it nhat|"
                    r"den (?:ngay )?\d{1,2}/\d{1,2}/\d{4}|den (?:cuoi )?(?:nam )?20\d\d|nam 20\d\d|vao nam 20\d\d)\b")


def _target_subject(text: str) -> str:
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
                                          "phải cần về năm chưa không thực trên dưới khoảng".split())


def _subject_words(text: str) -> list[str]:
    """The words of a subject without the asking and linking words at its ends."""
    words = [w for w in text.split() if w.strip(",;:") and w != "%"]
    while words and fold(words[0]) in _EDGE_WORDS:
        words.pop(0)
    while words and (fold(words[-1]) in _EDGE_WORDS or re.search(r"[\d%]", words[-1])):
        words.pop()  # "… trên 50% đã thực hiện được chưa": the figure and the asking words
    return words


def _goal_without_subject(text: str) -> bool:
    """A goal question that names a document and a deadline but not what the goal is about."""
    return not _subject_words(" ".join(_target_subject(text).split()[2:]))


def _with_subject(text: str, prev: Question) -> str:
    """`text` led by what the earlier question asked about ("Tỷ lệ … — Theo QĐ 411 thì …")."""
    subject = subject_of(prev)
    return f"{subject[:1].upper()}{subject[1:]} — {text}" if subject else text


def subject_of(prev: Question) -> str:
    """What an earlier figure or target question was about, without its commune, year, document,
    goal words and asking words: "Năm 2025 tỷ lệ hồ sơ nộp trực tuyến của Giao Minh đạt bao nhiêu?"
    -> "tỷ lệ hồ sơ nộp trực tuyến"."""
    rest = " ".join(_target_subject(prev.text).split()[2:])  # without the "tỷ lệ" it puts first
    subject = " ".join(_subject_words(_remainder(rest, prev.communes, prev.unknown_communes, prev.years)))
    rate = prev.intent.kind == "percent" or prev.kind == "target"  # guiding documents set rates
    return f"tỷ lệ {subject}" if subject and rate else subject


# "chỉ tiêu đó", "tỷ lệ này": the indicator of the earlier question
_REF = rx(r"\b(chi tieu|ty le|con so|so lieu) (?:do|nay|tren|ay|vua roi)\b")


def _indicator_resolved(text: str, history: Sequence[str], communes: Sequence[str]) -> str | None:
    """`text` with "chỉ tiêu đó"/"tỷ lệ này" replaced by what the earlier question asked (None: no
    such reference, or nothing to put in its place)."""
    m = _REF.search(fold_keep_length(text).lower())
    if not m:
        return None
    prev = understand(history[-1], history[:-1], communes)
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
            and not _THERE.search(fold(out)):  # "Cơ quan nào chủ trì chỉ tiêu này?": of the same commune
        out = f"{out.rstrip(' ?')} của xã {prev.communes[0]}?"
    return out[:1].upper() + out[1:]


_ACHIEVED = rx(r"\b(?:lam duoc|dat duoc|thuc te|thuc hien duoc|da dat|dat|duoc|roi|hien nay|hien)\b")


def _asks_result_only(text: str, named: Sequence[str], unknown: Sequence[str], years: Sequence[int]) -> bool:
    """"Vậy Gia Phúc làm được bao nhiêu?", "Năm 2025 thực tế đạt bao nhiêu?": a result, nothing new."""
    rest = _ACHIEVED.sub(" ", fold(_remainder(text, named, unknown, years)))
    return not question_terms(rest)


_DOMAIN = rx(r"\bchuyen doi so\b")
_DOMAIN_WORDS = frozenset({"chuyen", "doi", "so"})

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
    folded = fold(re.sub(r"\bAI\b", "trí tuệ nhân tạo", text))  # "dùng AI" does not ask "ai" (who)
    named, unknown = communes_in(text, communes)
    years = years_in(text)
    referred = _indicator_resolved(text, history, communes) if history and not _asks_goal_only(text) else None
    if referred is not None:  # "Năm 2026 xã phấn đấu chỉ tiêu này bao nhiêu?" after a question about it
        q = understand(referred, history, communes)
        return replace(q, inherited=tuple(dict.fromkeys(("nội dung", *q.inherited))),
                       understood_as=q.understood_as or referred)
    there = _there_resolved(text, history, communes) if history and not (named or unknown) else None
    if there is not None:  # "Vậy Tổ CNSCĐ ở đó có bao nhiêu thành viên?" after a question about Đại Sơn
        return replace(understand(there, (), communes), inherited=("xã",), understood_as=there)
    # nothing left to ask once the commune and the year are set aside: it can only continue the conversation
    says_nothing = not question_terms(_remainder(text, named, unknown, years))
    goal_only = _asks_goal_only(text)
    if history and (_is_follow_up(folded, len(named) + len(unknown), years) or goal_only or says_nothing):
        prev = understand(history[-1], history[:-1], communes)
        if _asks_why(folded, len(named) + len(unknown)) or (CAUSE.search(folded) and len(folded.split()) <= 4):
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
                and _asks_result_only(text, named, unknown, years) and (subject := subject_of(prev)):
            # "Thế xã Tân An hiện đạt bao nhiêu?" after a goal (of a guiding document, or the commune's own):
            # the commune's result
            when = f" năm {years[0]}" if years else ""
            restated = f"{subject[:1].upper()}{subject[1:]} của xã {', '.join(places)}{when} đạt bao nhiêu?"
            inherited = ("nội dung",) if named or unknown else ("nội dung", "xã")
            return replace(understand(restated, (), communes), inherited=inherited, understood_as=restated)
        if _MORE.search(folded) and not (named or unknown or years):
            aspect = _remainder(_cut(text, _MORE_ASK), named, unknown, years)
            if not question_terms(aspect):
                return replace(prev, detail=True, inherited=("xã", "nội dung"),
                               understood_as=f"{prev.text} (chi tiết hơn)")
            restated, inherited = _restate(prev, aspect, named, unknown, years)  # "cụ thể hơn về kinh phí"
            return replace(understand(restated, (), communes), detail=True, inherited=tuple(inherited),
                           understood_as=restated)
        restated, inherited = _restate(prev, text, named, unknown, years)
        fresh = understand(restated, (), communes)
        if fresh.kind == "target" and _goal_without_subject(restated):  # "Còn theo QĐ 411 thì …"
            restated = _with_subject(restated, prev)
            fresh = understand(restated, (), communes)
        return replace(fresh, inherited=tuple(inherited), understood_as=restated)
    guidance = guidance_named(folded)
    kind, extra = classify(folded, len(named), guidance, asks_how_many(text))
    if history and kind == "target" and _goal_without_subject(text):
        # "Theo QĐ 411 thì đến 2030 mục tiêu là bao nhiêu?": the goal for what was just asked
        restated = _with_subject(text, understand(history[-1], history[:-1], communes))
        if restated != text:
            return replace(understand(restated, (), communes), inherited=("nội dung",), understood_as=restated)
    if history and not (named or unknown) and not guidance and kind not in ("which_commune", "target"):
        prev = understand(history[-1], history[:-1], communes)
        if len(prev.communes) == 1:  # in a conversation about one commune, a question naming none stays there
            restated = f"{text.rstrip(' ?.')} của xã {prev.communes[0]}?"
            return replace(understand(restated, (), communes), inherited=("xã",), understood_as=restated)
    query = text
    for name in named:
        query = (_replace_span(query, f"UBND xã {name}", "") or _replace_span(query, f"xã {name}", "")
                 or _replace_span(query, name, "") or query)
    query = " ".join(query.split()) or text
    asked_for = [m.group(0) for _, rx in ENTITY if kind == "entity" and (m := rx.search(folded))]
    terms = question_terms(query, drop=[*named, "xã", "UBND", *asked_for])
    if _DOMAIN.search(fold(replace_abbreviations(query))) and without(terms, _DOMAIN_WORDS):
        terms = without(terms, _DOMAIN_WORDS)  # every report is about "chuyển đổi số": it tells none apart
    return Question(text=text, kind=kind, communes=tuple(named), unknown_communes=tuple(unknown),
                    years=tuple(years), section_kinds=extra.get("section_kinds", ()),
                    cause=extra.get("cause", False), entity=extra.get("entity", ""),
                    guidance=tuple(guidance), intent=intent_of(text), query=query, terms=terms,
                    phrases=phrase_groups(query))
