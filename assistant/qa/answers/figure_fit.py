"""Whether a passage's unit states what a figure question asks: a figure of the asked kind, enough
of the question, and none of the ways a true figure answers another question — a goal or a guiding
text given as a result, another kind of rate, a count of something else, money without an amount,
a document number for a rank, a question's most specific word left out."""

from __future__ import annotations

import re

from assistant.indicators.extract import is_result_section
from assistant.qa.answers.common import Context
from assistant.qa.evidence import Unit, question_terms
from assistant.qa.intent import (
    MEASURES,
    Figure,
    Intent,
    candidates,
    counts_something_else,
    focus_figure,
    focus_pattern,
    row_label,
    word_after,
)
from assistant.qa.question import Question
from assistant.text.normalize import FOLDED_ABBREVIATIONS, fold, fold_keep_length
from assistant.text.synonyms import covered_by_equivalents

MIN_COVERAGE = 0.42  # share of the question a unit must state to be an answer
MIN_COVERAGE_TIED = 0.25  # ... when its figure carries the very unit asked for ("17 ấp")
FOCUS_MISSING_COVERAGE = 0.7  # ... when the unit never names what the question counts
MIN_COVERAGE_PARAPHRASE = 0.15  # ... when it states what is counted, in the question's own words or equivalents
MIN_COVERAGE_BESIDES = 0.05  # ... of the question besides what it counts
FOCUS_STATED = 0.6
THIN_QUESTION = 1.5  # total weight of a question's words below which only a figure of the counted thing answers


GOAL_RE = re.compile(r"\b(?:phan dau|muc tieu|chi tieu duoc giao|ke hoach de ra|du kien|den nam 20(?:2[6-9]|3\d))\b")


def unit_equivalents(q: Question) -> tuple[str, ...]:
    """Other words for what a count question counts, folded ("thành viên" for "bao nhiêu người")."""
    if not q.intent.focus:
        return ()
    word = q.intent.focus[0]
    return tuple(fold(o) for g in q.phrases if word in fold(g.phrase).split() for o in g.others)


_PEOPLE_COUNTED = re.compile(r"\d\s+(?:cbcc\w*|can bo|cong chuc|vien chuc|thanh vien|nhan su|nhan vien)\b")


def focus_present(q: Question, u: Unit) -> bool:
    """Whether the unit word the question counts ("mấy ngày", "bao nhiêu thôn") appears in the
    unit, directly or through an equivalent phrase of the question."""
    if not q.intent.focus:
        return True
    word = q.intent.focus[0]
    folded = fold(f"{u.leaf} {u.text}")
    for g in q.phrases:  # a counted phrase of several words ("nhân khẩu"): that phrase or its equivalent
        words = fold(g.phrase).split()
        if len(words) > 1 and words == q.intent.focus:  # "tin bài" also written "tin/bài", "tin, bài"
            return bool(re.search(r"\b" + r"[\s,/]+".join(map(re.escape, words)) + r"\b", folded)) \
                or bool(covered_by_equivalents((g,), u.text))
    if re.search(rf"(?<![a-z]){focus_pattern(word)}\b", folded):  # "1Gb/s" too
        return True
    if word == "nguoi" and _PEOPLE_COUNTED.search(folded):  # "mấy người": "bố trí 09 CBCC"
        return True
    spelled = FOLDED_ABBREVIATIONS.get(word, "").split()[:2]  # "bao nhiêu CBCCVC": "cán bộ, công chức …"
    if spelled and re.search(r"\b" + r"\W+".join(map(re.escape, spelled)) + r"\b", folded):
        return True
    return any(word in fold(t) for t in covered_by_equivalents(q.phrases, u.text))


_DOC_TYPES = (("ke hoach", "KH"), ("quyet dinh", "QĐ"), ("nghi quyet", "NQ"), ("cong van", "CV"),
              ("chi thi", "CT"), ("thong bao", "TB"), ("bao cao", "BC"))


def _doc_type(q: Question) -> str | None:
    """The kind of document a number is asked of ("kế hoạch số mấy" -> "KH")."""
    if q.intent.kind != "docno":
        return None
    return next((code for words, code in _DOC_TYPES if re.search(rf"\b{words}\b", q.folded)), None)


def _named_type(folded: str, fig: Figure) -> str | None:
    """The kind of document a bare number is the number of ("Nghị quyết 57" -> "NQ"), if any."""
    before = folded[max(0, fig.start - 30):fig.start]
    return next((code for words, code in _DOC_TYPES if re.search(rf"\b{words}\s*(?:so\s*)?$", before)), None)


def results_in(text: str, q: Question) -> list:
    """The candidate figures of a unit, without goals ("phấn đấu … đạt 50%") unless a goal is asked;
    for a document number, those of the kind of document asked when the unit has any."""
    cands = candidates(text, q.intent)
    code = _doc_type(q)
    folded = fold(text)
    if code:  # "Kế hoạch … số hiệu": not the 57 of "Nghị quyết 57"
        cands = [f for f in cands if f"/{code}" in f.raw.upper() or _named_type(folded, f) == code] \
            or [f for f in cands if _named_type(folded, f) in (None, code)]
    if q.intent.wants_target:
        return cands
    return [f for f in cands if not GOAL_RE.search(folded[max(0, f.start - 60):f.start].split(";")[-1])]


def _tied(u: Unit, intent: Intent) -> bool:
    cands = candidates(u.text, intent)
    return bool(cands) and focus_figure(u.text, intent, cands) is not None


_FOCUS_PHRASE_RE = re.compile(r"\b(?:bao nhieu|may)\s+((?:[a-z]+\s*){1,5})")
_FOCUS_STOP = re.compile(r"\b(?:cua|o|tai|trong|duoc|da|la|co|cho|de|den|tu|ve|nam|thang|quy|khi|ma|vay|roi)\b.*$")


def focus_terms(q: Question) -> frozenset[str]:
    """The terms of what a count question counts ("bao nhiêu chỗ để ngồi đợi" -> chỗ, ngồi, đợi)."""
    text = q.text
    folded = fold(text)
    m = _FOCUS_PHRASE_RE.search(folded.replace("may tinh", "maymoc tinh") if "máy" in text.lower() else folded)
    if not m:
        return frozenset()
    words = m.group(1).split()
    head = " ".join(words[:1] + [w for w in _FOCUS_STOP.sub("", " ".join(words[1:])).split()])
    start = m.start(1)
    original = text[start:start + len(head)] if len(text) == len(folded) else head
    return question_terms(original)


_CODE_RE = re.compile(r"(?=[a-z]*\d)(?=\d*[a-z])[a-z0-9]{2,8}")


def misses_key_word(q: Question, u: Unit, ctx: Context) -> bool:
    """Whether a unit leaves out the question's most specific word — its rarest syllable the library
    writes ("5G" in "sóng 5G phủ bao nhiêu % dân số") — said neither directly nor in other words."""
    ev = ctx.evidence
    where = (u.leaf, u.caption, u.text)
    codes = [t for t in q.terms if _CODE_RE.fullmatch(t) and ev.r.keyword.doc_freq(t)]
    if any(ev.coverage(frozenset({c}), where, q.phrases) == 0 for c in codes):
        return True  # "4G", "IPv6", "1Gb": a code the question names is its most specific word
    # words the question uses as the library does: in a pair of syllables the library also writes
    # ("sóng 5G"), so an everyday word of a paraphrase ("quét mã") is never required
    phrased = {w for t in q.terms if "_" in t and ev.r.keyword.doc_freq(t) for w in t.split("_")}
    words = [t for t in phrased if ev.r.keyword.doc_freq(t)]
    if not words:
        return False
    key = max(words, key=ev.idf)
    return ev.coverage(frozenset({key}), where, q.phrases) == 0


_MONEY_Q = re.compile(r"\b(?:kinh phi|ngan sach|tien|von|chi phi|du toan|bao nhieu dong)\b")
_MONEY_RE = re.compile(r"\d[\d.,]*\s*(?:\(?\s*)?(?:dong|trieu|ty|nghin|ngan|vnd)\b")


def _states_money(text: str) -> bool:
    return bool(_MONEY_RE.search(fold(text)))


def _counted_after(u: Unit, q: Question, cands: list) -> bool:
    """Whether a figure of the unit is followed by what the question counts, or another word for it
    ("42.012 người" for "bao nhiêu dân")."""
    if not q.intent.focus:
        return False
    words = {q.intent.focus[0], *(w.split()[0] for w in unit_equivalents(q) if w)}
    if q.intent.focus[0] in ("dan", "nguoi", "nhan"):
        words |= {"nguoi", "nhan", "dan"}
    folded = fold_keep_length(u.text).lower()
    return any(word_after(folded, f) in words for f in cands)


# Words that make a rate another rate: of dossiers settled on time, late, end to end, in part …
_RATE_KINDS = tuple(re.compile(p) for p in (
    r"\b(?:dung han|dung hen|kip hen|dung thoi han)\b", r"\b(?:tre han|tre hen|qua han)\b",
    r"\b(?:truoc han|som hen|som han)\b", r"\btoan trinh\b", r"\b(?:mot phan|tung phan)\b"))


def _rate_fit(q: Question, u: Unit) -> bool | None:
    """For a percent question naming kinds of rate ("đúng hạn", "toàn trình"): whether the unit
    states every one of them; None when the question names none."""
    asked = [rx for rx in _RATE_KINDS if rx.search(q.folded)] if q.intent.kind == "percent" else []
    if not asked:
        return None
    said = fold(f"{u.leaf} {u.text}")
    return all(rx.search(said) for rx in asked)


_RANK_Q = re.compile(r"\b(?:thu may|hang may|xep hang|xep thu|dung thu|thu hang)\b")
_RANK_BEFORE = re.compile(r"\b(?:thu|hang|vi tri|xep)\s*$")
_NOT_YET_RE = re.compile(r"^(?:dang trien khai|chua dat|khong dat|chua thuc hien|chua hoan thanh)\b")


def _line_of(u: Unit) -> tuple[list[str], int | None]:
    """The lines of a unit's passage and the index of the one the unit starts in (None if not found)."""
    lines = u.chunk.text.split("\n")
    return lines, next((i for i, line in enumerate(lines) if u.text[:40] in line), None)


def not_yet_status(u: Unit) -> str:
    """The status cell after a table row when it says the row is not reached ("Đang triển khai"), else ""."""
    lines, at = _line_of(u)
    if at is None:
        return ""
    status = next((line.strip() for line in lines[at + 1:at + 3] if _NOT_YET_RE.match(fold(line.strip()))), "")
    return re.sub(r"\s+\d{1,3}$", "", status)  # without the next row's number run on ("Đang triển khai 14")


def _in_goal_paragraph(u: Unit) -> bool:
    """Whether the unit's paragraph opens on a goal ("UBND xã phấn đấu đến năm 2030 … Tỷ lệ … đạt
    trên 50%"), or is a row of a table of goals whose status cell follows it ("Đang triển khai"):
    its figures are aimed at, not achieved."""
    lines, at = _line_of(u)
    if at is None:
        return False
    start = lines[at].find(u.text[:40])
    if start > 0 and GOAL_RE.search(fold(lines[at][:start])[:120]):
        return True
    return bool(not_yet_status(u))


def _no_result(q: Question, u: Unit) -> bool:
    """Whether a passage states a requirement or a goal rather than what the commune achieved: a
    guiding text, a rate among the goals or next year's directions (unless a later year is asked),
    or a figure in a paragraph that opens on a goal."""
    if q.intent.wants_target:
        return False
    if u.chunk.kind != "report" or _in_goal_paragraph(u):
        return True
    return q.intent.kind == "percent" and not any(y > (u.chunk.year or y) for y in q.years) \
        and not is_result_section(u.chunk)


_POPULATION = re.compile(r"\b(?:dan so|nhan khau)\b")
_MEASURE_Q = re.compile(r"\b(?:toc do|nhanh|bang thong|dung luong|dien tich|chieu dai|cong suat|mbps|gb)\b")


def _counts_another_thing(q: Question, u: Unit, found: list, ctx: Context | None) -> bool:
    """Whether a count question's candidate figures count something else: no amount for a money
    question, "13 buổi" for a number of people, or, for a question that says almost nothing
    ("bao nhiêu dân?"), no figure followed by what it counts."""
    if _MONEY_Q.search(q.folded) and not _states_money(u.text):
        return True
    if _POPULATION.search(q.folded) and not _POPULATION.search(fold(u.text)):
        return True  # "dân số bao nhiêu người" is not "số người dân được hướng dẫn"
    folded = fold_keep_length(u.text).lower()
    if found and all(word_after(folded, f) in MEASURES for f in found) \
            and not set(q.intent.focus) & MEASURES and not _MEASURE_Q.search(q.folded):
        return True  # "200 Mbps" measures a speed; it counts no "vụ tấn công"
    same = frozenset(w.split()[0] for w in unit_equivalents(q) if w)
    if counts_something_else(u.text, q.intent, found, same):
        return True
    return ctx is not None and sum(ctx.evidence.idf(t) for t in q.terms) < THIN_QUESTION \
        and not _counted_after(u, q, found)


_PER_Q = re.compile(r"\b(?:moi|hang|mot|trung binh (?:moi|mot)?)\s*(ngay|tuan|thang|quy|nam)\b")


def _per_missing(q: Question, u: Unit) -> bool:
    """Whether a question asks a figure per period ("mỗi tuần mấy tin bài") that the unit does not
    state per that period ("gần 100 bài viết" is a total, "3-5 tin/bài/tuần" is per week)."""
    m = _PER_Q.search(q.folded)
    if not m:
        return False
    period = m.group(1)
    return not re.search(rf"(?:/|\b(?:moi|hang|mot|tren)\s+){period}\b", fold(u.text))


def answers_question(q: Question, u: Unit, ctx: Context | None = None) -> bool:
    """Whether a unit states what a figure question asks (a figure of the asked kind, enough of the subject)."""
    found = results_in(u.text, q) if q.intent.kind is not None else []
    if q.intent.kind is not None and not found:
        return False
    if q.intent.kind == "count" and _per_missing(q, u):
        return False
    if _RANK_Q.search(q.folded) and not any(_RANK_BEFORE.search(fold(u.text[max(0, f.start - 25):f.start]))
                                             for f in found):
        return False  # "xếp thứ mấy" is answered by a rank ("xếp thứ 5"), not by "Kế hoạch 01-KH"
    rate = _rate_fit(q, u)
    if _no_result(q, u) or rate is False \
            or (q.intent.kind == "count" and _counts_another_thing(q, u, found, ctx)):
        return False
    if q.intent.kind == "count" and not focus_present(q, u):  # "mấy ngày" answered by "2.780 hồ sơ"
        return u.coverage >= FOCUS_MISSING_COVERAGE
    tied = q.intent.kind == "docno" or (q.intent.kind and _tied(u, q.intent)) \
        or rate is True  # a document number is specific; so is "tỷ lệ đúng hạn" stated as asked
    if u.coverage >= MIN_COVERAGE:
        return True
    if tied and u.coverage >= MIN_COVERAGE_TIED:  # little of the question, but its most specific word
        return ctx is None or not misses_key_word(q, u, ctx)
    if ctx is not None and q.intent.kind == "count" and u.coverage >= MIN_COVERAGE_PARAPHRASE:
        # said in other words: the figure must be followed by what is counted ("90 ghế ngồi chờ"),
        # or, in a table row, be the value of a row that names it ("Số người dân được hướng dẫn | >2683")
        counted = focus_terms(q)
        if not counted or ctx.evidence.coverage(q.terms - counted, (u.leaf, u.caption, u.text),
                                                q.phrases) < MIN_COVERAGE_BESIDES:
            return False  # what is counted, but nothing of what it is counted of ("trung tâm")
        return any(
            ctx.evidence.coverage(counted, u.text[f.end:f.end + 40], q.phrases) >= FOCUS_STATED
            or (u.caption and ctx.evidence.coverage(counted, row_label(u.text, f), q.phrases) >= FOCUS_STATED)
            for f in candidates(u.text, q.intent))
    return False
