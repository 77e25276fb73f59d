"""What kind of figure a question asks for, and which figures of a sentence could answer it."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from assistant.qa.places import without_reporting_period
from assistant.text.normalize import (
    asking_text,
    fold,
    fold_keep_length,
    spelling,
    typed_without_accents,
)

_PERCENT_Q = re.compile(r"\b(ty le|ti le|phan tram|muc do hai long)\b|%|\b(?:hai long|vua long)\b.{0,60}\bbao nhieu\b")
_DATE_Q = re.compile(r"\b(ngay nao|khi nao|thoi diem nao|ngay thang nao|ngay bao nhieu|ban hanh ngay|vao ngay)\b")
_DOCNO_Q = re.compile(r"\b(so hieu|quyet dinh so|ke hoach so|van ban so|cong van so|nghi quyet so|quyet dinh nao|"
                      r"ke hoach nao)\b")
# "số mấy", but not the "số" of a word ("dân số bao nhiêu", "chữ ký số bao nhiêu", "tổng số bao nhiêu")
_DOCNO_WEAK_Q = re.compile(r"\b(?<!dan )(?<!ky )(?<!tong )(?<!doi )(?<!nang )(?<!hoa )(so may|so bao nhieu)\b")
_COUNT_Q = re.compile(r"\b(bao nhieu|may|so luong|tong so|so \w+)\b")
_TARGET_Q = re.compile(r"\b(phan dau|muc tieu|chi tieu|du kien|ke hoach dat|can dat|phai dat|huong toi|"
                       r"phuong huong|den nam|nam toi|dat ra)\b")
_PER_HUNDRED_Q = re.compile(r"\b(?:cu|trong|tren) 100\b.{0,60}\b(?:bao nhieu|may)\b")  # "cứ 100 người … bao nhiêu"
_FOCUS_RE = re.compile(r"\b(?:bao nhieu|may)\s+((?:\w+\s*){1,3})")
SPEED_Q = re.compile(r"\b(?:toc do|bang thong)\b.*\b(?:bao nhieu|may|co nao|the nao)\b|"
                      r"\bnhanh (?:co|den muc|bao) ?(?:nao|nhieu)\b")
_COUNT_LEAD_RE = re.compile(r"^(?:tong so|so luong|so)\s+((?:\w+\s*){1,3})")
# where, whose and when end what is counted ("mấy cái ở xã Giao Minh")
_FOCUS_END = {"o", "cua", "trong", "xa", "vay", "thi", "nam", "hien", "roi"}  # not "tai": "tài khoản"
# asking words and classifiers ("bao nhiêu cái máy quét", "mấy thẻ căn cước"): not what is counted
_FOCUS_SKIP = {"phan", "tram", "phan tram", "%", "la", "duoc", "da", "co", "cai", "chiec", "tam", "the", "bo"}

FIGURE_RE = re.compile(
    r"(?<![\w/])(?:\d{1,2}/\d{1,2}/\d{4}|\d{1,5}/[A-ZĐ][\w\-/Đđ]*|\d+(?:[.,]\d+)*(?:\s?\\?%)?(?:\s?/\s?\d+(?:[.,]\d+)*)?)"
)
_YEAR_RE = re.compile(r"^(19|20)\d\d$")


@dataclass
class Intent:
    kind: str | None  # percent | date | docno | count | None
    focus: list[str] = field(default_factory=list)  # folded unit words after "bao nhiêu"
    question_figures: set[str] = field(default_factory=set)
    wants_target: bool = False  # the question asks for a goal ("phấn đấu", "mục tiêu"), not a result
    # "Số người dân được hướng dẫn …?" asks no "bao nhiêu": what it opens on is counted; used only to
    # set aside figures that count something else ("32 buổi")
    lead: list[str] = field(default_factory=list)


@dataclass
class Figure:
    start: int
    end: int
    raw: str
    kind: str  # percent | date | docno | ratio | year | number


_MORE_OR_FEWER = re.compile(r"(?i)\b(?:nhiều|ít|nhieu|it)\s+")


def how_many_of(question: str) -> str:
    """"Xã nào có nhiều tổ … nhất?" asked as "… có bao nhiêu tổ …", in the question's own accents;
    unchanged when it says neither "nhiều" nor "ít"."""
    ask = "bao nhieu " if typed_without_accents(question) else "bao nhiêu "
    return _MORE_OR_FEWER.sub(ask, question, count=1)


def _counted(words_after: str) -> list[str]:
    """What is counted: the words after the asking word, up to where/whose/when, without classifiers."""
    words = words_after.split()
    words = words[:next((i for i, w in enumerate(words) if w in _FOCUS_END), len(words))]
    return [w.replace("maymoc", "may") for w in words if w not in _FOCUS_SKIP][:2]


def intent_of(question: str) -> Intent:
    said = without_reporting_period(question)  # "từ đầu năm tới lúc báo cáo" asks for no "năm tới"
    f = fold(said)
    asked = asking_text(said)  # "số máy tính" is no "số mấy"
    if _DOCNO_Q.search(asked):
        kind = "docno"
    elif _PERCENT_Q.search(asked) or _PER_HUNDRED_Q.search(asked):
        kind = "percent"
    elif _DOCNO_WEAK_Q.search(asked):
        kind = "docno"
    elif _DATE_Q.search(asked):
        kind = "date"
    elif _COUNT_Q.search(asked):
        kind = "count"
    else:
        kind = None
    focus: list[str] = []
    found = list(_FOCUS_RE.finditer(asked))
    m = found[-1] if found else None  # "mấy tổ … chỉ cho bao nhiêu bà con": the last one is asked
    lead: list[str] = []
    if m is None and kind == "count" and (opening := _COUNT_LEAD_RE.match(asked)):
        lead = _counted(opening.group(1))  # "Số người dân được hướng dẫn …?": what the question opens on
    if m:
        focus = _counted(m.group(1))
    if kind in ("count", None) and not focus and SPEED_Q.search(asked):
        kind, focus = "count", ["mbps"]  # "tốc độ bao nhiêu", "nhanh cỡ nào": a speed, in Mbps
    qfigs = {_norm(x.group(0)) for x in FIGURE_RE.finditer(question)}
    return Intent(kind, focus, qfigs, bool(_TARGET_Q.search(f)), lead)


_EXCEPT_RE = re.compile(r"^\s*(?:ngoai tru|ngoai|tru|khong ke|khong tinh)\s+")
_ASKING_RE = re.compile(r"\b(bao nhieu|may|nao|gi|the nao|ra sao|khong)\b")


def split_exception(question: str) -> tuple[str, str]:
    """(main clause, excluded part) of "Ngoài máy tính, máy in, xã X có bao nhiêu thiết bị khác?";
    (question, "") when the question does not start by setting things aside."""
    if not _EXCEPT_RE.match(fold(question)) or "," not in question:
        return question, ""
    head, _, main = question.rpartition(",")
    if not _ASKING_RE.search(fold(main)):
        return question, ""
    return main.strip(), head


def _norm(raw: str) -> str:
    return re.sub(r"\s+", "", raw)


def figures_in(text: str) -> list[Figure]:
    out = []
    for m in FIGURE_RE.finditer(text):
        raw = m.group(0).strip()
        if not raw or not raw[0].isdigit():
            continue
        if re.fullmatch(r"\d{1,2}/\d{1,2}/\d{4}", raw):
            kind = "date"
        elif "/" in raw and re.search(r"/[A-ZĐ]", raw):
            kind = "docno"
        elif raw.endswith("%"):
            kind = "percent"
        elif "/" in raw:
            kind = "ratio"
        elif _YEAR_RE.match(raw):
            kind = "year"
        else:
            kind = "number"
        out.append(Figure(m.start(), m.start() + len(raw), raw, kind))
    return out


def _day_month(raw: str) -> bool:
    m = re.fullmatch(r"(\d{1,2})\s?/\s?(\d{1,2})", raw)
    return bool(m) and 1 <= int(m.group(1)) <= 31 and 1 <= int(m.group(2)) <= 12


_COMPARATOR_BEFORE = re.compile(r"(?:[≥≤><]=?|>=|<=|\\geq|\\leq|tối thiểu|ít nhất)\s*\$?\s*$")


_ROW_NUMBER = re.compile(r"\s*\d{1,2}\.?\s+(?:\|\s*)?[A-ZĐÂĂÊÔƠƯÁÀẢÃẠ]")


def _is_row_number(text: str, f: Figure) -> bool:
    """A table row's ordinal ("5 Số người dân …", "3 | Số buổi …"), not a figure of the row."""
    return not text[: f.start].strip() and bool(_ROW_NUMBER.match(text[f.start :]))


_DOC_BEFORE = re.compile(r"(?:kế hoạch|quyết định|nghị quyết|công văn|chỉ thị|thông báo|văn bản)\s*(?:số\s*)?$",
                         re.IGNORECASE)


def candidates(text: str, intent: Intent) -> list[Figure]:
    """Figures of `text` that could answer: of the asked kind, not already in the question, not a
    table row's ordinal, and preferably not a target ("≥70%" beside the result is the goal, not
    what was achieved; a figure after a comparator is kept only when nothing else is left)."""
    found = [f for f in figures_in(text) if _norm(f.raw) not in intent.question_figures]
    allowed = [f for f in found if not _is_row_number(text, f)]
    figs = [f for f in allowed
            if intent.wants_target or not _COMPARATOR_BEFORE.search(text[max(0, f.start - 12) : f.start])]
    table_row = len(allowed) < len(found) or " | " in text
    if table_row and not _of_kind(figs, intent):  # "5 Số người … Người >2683": a table row's only value
        figs = allowed
    if intent.kind == "docno":  # "Kế hoạch 144 của thành phố" names a document by its bare number
        named = [f for f in figs if f.kind == "number" and _DOC_BEFORE.search(text[max(0, f.start - 30):f.start])]
        return _of_kind(figs, intent) + named
    if intent.kind == "count":  # "Ngày Chuyển đổi số Quốc gia 10/10" is a day, not 10 of 10
        figs = [f for f in figs if not (f.kind == "ratio" and _day_month(f.raw)
                                        and _DAY_BEFORE.search(fold(text[max(0, f.start - 45):f.start])))
                and not (f.kind == "number" and _NAMED_BEFORE.search(text[max(0, f.start - 30):f.start]))]
    return _of_kind(figs, intent)


_DAY_BEFORE = re.compile(r"\bngay\b")
# the number in a document's name, a standard's or a level's label counts nothing ("Đề án 06", "ISO 9001",
# "VNeID mức độ 2", "giai đoạn 2", "tháng 8")
_NAMED_BEFORE = re.compile(r"(?:(?:kế hoạch|quyết định|nghị quyết|nghị định|thông tư|chỉ thị|đề án|chương trình)"
                           r"\s*(?:số\s*)?|\b(?:mức độ|mức|cấp độ|giai đoạn|đợt|quý|tháng|phiên bản|lần thứ|"
                           r"thứ|điều|khoản|phụ lục|mục|chương|bước|iso|tcvn|iec)\s*)$", re.IGNORECASE)


def _of_kind(figs: list[Figure], intent: Intent) -> list[Figure]:
    if intent.kind == "percent":
        return [f for f in figs if f.kind == "percent"]
    if intent.kind == "date":
        return [f for f in figs if f.kind == "date" or f.kind == "ratio" and _day_month(f.raw)]
    if intent.kind == "docno":
        return [f for f in figs if f.kind == "docno"]
    if intent.kind == "count":  # "chỉ tiêu … là bao nhiêu": a goal is often a rate
        return [f for f in figs if f.kind in ("number", "ratio") or (intent.wants_target and f.kind == "percent")]
    return [f for f in figs if f.kind != "year"]


# A speed is asked as "tốc độ bao nhiêu" and written in any unit of bits per second ("150 Mbps", "1Gb/s").
_FOCUS_PATTERNS = {"mbps": r"(?:[kmg]b(?:ps)?|[kmg]bit)"}


def focus_pattern(word: str) -> str:
    """The regex of what a count question counts, as written after a figure."""
    return _FOCUS_PATTERNS.get(word, re.escape(word))


def focus_figure(text: str, intent: Intent, cands: list[Figure]) -> Figure | None:
    """The candidate tied to the asked unit: "17 ấp" or "Số lượng thôn … 19" (no figure between)."""
    if not intent.focus or not cands:
        return None
    folded = fold_keep_length(text).lower()
    word = focus_pattern(intent.focus[0])
    for f in cands:
        after = folded[f.end : f.end + 40]
        own = _unit_after(folded, f) or (w if (w := word_after(folded, f)) in MEASURES else None)
        if own is not None and own != intent.focus[0]:
            continue  # "01 lớp cho thành viên" counts classes, not members; "200 Mbps phục vụ" is a speed
        if re.match(r"\s*(?:\w+\s+){0,2}?" + word + r"\b", after):
            return f
    for m in re.finditer(r"\b" + word + r"\b", folded):
        nxt = [f for f in cands if f.start > m.end() and f.start - m.end() < 90]
        if nxt and _unit_before(folded, nxt[0]) not in (None, intent.focus[0]):
            continue  # "… người dân … | Buổi 32": the table's unit column says it counts something else
        if nxt:
            between = [g for g in figures_in(text) if m.end() < g.start < nxt[0].start]
            if not between:
                return nxt[0]
    return None


MEASURES = frozenset("mbps gbps kbps mb gb tb km m m2 ha kw kwh mhz ghz".split())  # what a figure measures
_UNITS = {"buoi", "nguoi", "ho", "cai", "chiec", "bo", "lop", "luot", "diem", "tram", "thon", "ap", "lan",
          "cuoc", "km", "trang", "may", "nhom", "to", "don", "vi", "thu", "tuc", "san", "pham",
          "thang", "ngay", "tuan", "gio"}  # "06 tháng cuối năm" counts months, not people


def counts_something_else(text: str, intent: Intent, cands: list[Figure], same: frozenset[str] = frozenset()) -> bool:
    """Whether every candidate figure carries its own unit word, none of them the one asked for nor
    one of `same` (words for the same thing) — "13 buổi tuyên truyền … người dân" does not say how
    many people."""
    counted = intent.focus or intent.lead
    if intent.kind != "count" or not counted or not cands:
        return False
    folded = fold_keep_length(text).lower()
    units = [_unit_after(folded, f) or _column_unit(folded, f) for f in cands]
    asked = counted[0]
    people = asked in _PEOPLE  # "bao nhiêu dân" is answered by "42.012 người"
    return all(u is not None and not re.fullmatch(focus_pattern(asked), u) and u not in same
               and not (people and u == "nguoi") for u in units)


_PEOPLE = {"nguoi", "dan", "thanh", "can", "cong", "hoc", "hoi", "ba", "nhan", "cu", "ho"}


def word_after(folded: str, fig: Figure) -> str | None:
    """The word written right after a figure (`folded`: the text folded, keeping its length)."""
    m = re.match(r"\s*(\w+)", folded[fig.end : fig.end + 20])
    return m.group(1) if m else None


def _unit_after(folded: str, fig: Figure) -> str | None:
    """The unit word written right after a figure ("01 lớp", "13 buổi"), None for another word."""
    word = word_after(folded, fig)
    return word if word in _UNITS else None


def _column_unit(folded: str, fig: Figure) -> str | None:
    """The unit column of a table row just before its figure ("Buổi 32"); not the end of a label
    ("căn cước: 24.152")."""
    if ":" in folded[max(0, fig.start - 3):fig.start]:
        return None
    return _unit_before(folded, fig)


def row_label(text: str, fig: Figure) -> str:
    """What a table row's figure is the value of: the row's text before it, without the unit column
    ("5 Số người dân được hướng dẫn Người >2683" -> "5 Số người dân được hướng dẫn")."""
    label = text[:fig.start]
    unit = _column_unit(fold_keep_length(text).lower(), fig)
    if unit:
        label = re.sub(r"\w+\s*[|:]?\s*(?:[≥≤><]=?)?\s*$", "", label)
    return label


def _unit_before(folded: str, fig: Figure) -> str | None:
    """The unit word written right before a figure, as in a table's unit column ("Người >2683")."""
    m = re.search(r"(\w+)\s*[|:]?\s*(?:[≥≤><]=?)?\s*$", folded[max(0, fig.start - 20) : fig.start])
    word = m.group(1) if m else None
    return word if word in _UNITS else None


def figure_phrase(text: str, fig: Figure, intent: Intent) -> str:
    """The figure as written, with its unit word when it follows directly ("17 ấp"); a percent is
    its own unit ("100%", not "100% hồ" of "bao nhiêu phần trăm hồ sơ"); the end of a range keeps
    its start ("3-5 tin", not "5 tin")."""
    start = fig.start
    if r := _RANGE_START.search(text[max(0, fig.start - 12):fig.start]):
        start = fig.start - len(r.group(0))
    if intent.focus and intent.kind != "percent":
        folded = fold_keep_length(text).lower()
        m = re.match(r"\s*((?:\w+\s+){0,2}?" + re.escape(intent.focus[0]) + r"(?:\s+" +
                     r"\s+".join(map(re.escape, intent.focus[1:])) + r")?)\b", folded[fig.end:])
        if m:
            return text[start : fig.end + m.end(1)].strip()
    return text[start:fig.end] if start != fig.start else fig.raw


_RANGE_START = re.compile(r"(?<![\d.,/])\d+(?:[.,]\d+)?\s*(?:[-–]|đến|tới)\s*$")


def _words(folded: str) -> list[str]:
    return [spelling(w) for w in re.findall(r"\w+", folded)]


def best_by_context(text: str, question: str, cands: list[Figure], window: int = 70) -> Figure | None:
    """The candidate whose describing words match the question best (shared words, and shared
    word pairs counted double, so "hồ sơ nộp trực tuyến" beats scattered words); None on a tie.
    A figure is described by the words before it; a document number by those after it
    ("số 103/KH-UBND ngày 31/10/2025 thực hiện Nghị quyết 57")."""
    if not cands:
        return None
    q = [w for w in _words(fold(question)) if not w.isdigit()]
    q_words, q_pairs = set(q), set(zip(q, q[1:], strict=False))
    folded = fold_keep_length(text).lower()
    scored = []
    for i, f in enumerate(cands):
        if f.kind == "docno":
            hi = min(cands[i + 1].start if i + 1 < len(cands) else len(folded), f.end + 2 * window)
            w = _words(folded[f.end : hi])
        else:
            lo = max(cands[i - 1].end if i else 0, f.start - window)
            w = _words(folded[lo : f.start])
        score = len(set(w) & q_words) + 2 * len(set(zip(w, w[1:], strict=False)) & q_pairs)
        scored.append((score, f))
    scored.sort(key=lambda x: -x[0])
    if scored[0][0] == 0 or len(scored) > 1 and scored[1][0] == scored[0][0]:
        return None
    return scored[0][1]
