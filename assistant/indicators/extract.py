"""Finding indicator figures in report chunks: which figures are results (not targets, changes or
ambiguous pairs), the text around each, and which rule's key words stand next to it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from assistant.indicators.rules import RULES, Rule
from assistant.records import Chunk
from assistant.text.normalize import fold, nfc, replace_abbreviations
from assistant.text.segment import FIGURE_SENTENCE_END_RE
from assistant.text.vn_numbers import NumberSpan, find_numbers

# ---------------------------------------------------------------- text helpers




def folded(text: str) -> str:
    """Folded words of a text, abbreviations replaced by their full form, punctuation as spaces
    (≥ and > kept): "Tỷ lệ hồ sơ TTHC ≥70%" -> "ty le ho so thu tuc hanh chinh ≥ 70"."""
    f = fold(replace_abbreviations(nfc(text))).replace("≥", " ≥ ")
    return " ".join(re.sub(r"[^a-z0-9≥> ]+", " ", f).split())


_STRONG_TARGET = re.compile(r"phan dau|dinh huong|huong toi|(?:den|vao) nam 20(?:2[6-9]|[3-9]\d)|nam 20(?:2[6-9]|[3-9]\d)")
_WEAK_TARGET = re.compile(r"(?:muc tieu|chi tieu|toi thieu|it nhat|khong duoi|len|chua dat|chua|≥|>|ke hoach)"
                          r"(?: \w+){0,2}$")
_CHANGE = re.compile(r"(?:tang|giam|them)(?: \w+){0,2}$")
_QUALIFIER = re.compile(r"(~|≈|khoảng|gần|trên|hơn|dưới|xấp xỉ|hiện mới|mới đạt)\s*$", re.IGNORECASE)
_STATUS = re.compile(r"(?:^|\|\s*|\s)(Không đạt|Chưa đạt|Đang triển khai|Đạt)\b")
_HEADER_RE = re.compile(r"\b(?:STT|TT)\s+(?:Chỉ tiêu|Nội dung)")
_ROW_START = re.compile(r"^\s*\d{1,2}\s*(?:\||[A-ZĐÀ-Ỹa-zđ(])")


def is_result_section(chunk: Chunk) -> bool:
    """Whether a chunk reports results (not targets or next year's directions), by its headings."""
    if chunk.kind != "report" or chunk.section_kind in ("phuong_huong", "de_xuat"):
        return False
    for heading in reversed(chunk.section.split(" > ")):
        f = folded(heading)
        if re.search(r"ket qua|tinh hinh|tien do|danh gia|so lieu|thuc hien", f):
            return True
        if re.search(r"muc tieu|chi tieu|phuong huong|dinh huong|ke hoach|nhiem vu", f):
            return False
    return True


def header_roles(text: str) -> list[str]:
    """Order of the figure columns in a flattened table header: 'result' and/or 'target'."""
    body = folded(_HEADER_RE.split(text, maxsplit=1)[-1])
    roles = []
    for m in re.finditer(r"ket qua|tien do|so lieu|thuc hien|uoc dat|muc tieu|ke hoach|chi tieu giao", body):
        role = "target" if m.group(0) in ("muc tieu", "ke hoach", "chi tieu giao") else "result"
        if role not in roles:
            roles.append(role)
    return roles



@dataclass
class Mention:
    """One figure read for an indicator, with the sentence it came from."""

    indicator: str
    commune: str
    value: float
    raw: str
    approx: bool
    sentence: str
    doc_id: str
    source: str
    section: str
    order: tuple[int, int, int] = (0, 0, 0)
    chunk_id: str = ""  # the passage it came from ("" for a figures file)

    def to_json(self) -> dict[str, Any]:
        return {"value": self.value, "raw": self.raw, "approx": self.approx, "sentence": self.sentence,
                "doc_id": self.doc_id, "source": self.source, "section": self.section}


# ---------------------------------------------------------------- extraction


@dataclass
class _Fig:
    span: NumberSpan
    start: int  # offset in the line
    end: int
    role: str = "result"  # result | target | change


def _bounds(line: str) -> list[tuple[int, int]]:
    """Sentence and ';' spans of a line (a table row is one span)."""
    if " | " in line:
        return [(0, len(line))]
    cuts = sorted({0, len(line), *(m.start() for m in FIGURE_SENTENCE_END_RE.finditer(line)),
                   *(m.end() for m in re.finditer(r";", line))})
    return list(zip(cuts, cuts[1:], strict=False))


def _figures(line: str, kind: str, roles: list[str]) -> list[_Fig]:
    """Figures of one kind in a line, each tagged result / target / change / ambiguous."""
    want = ("percent",) if kind == "percent" else ("number",)
    spans = find_numbers(line)
    figs = [_Fig(s, s.start, s.end) for s in spans if s.kind in want]
    piped = " | " in line
    status = _STATUS.search(line) if piped else None
    for f in figs:
        prev_end = max((s.end for s in spans if s.end <= f.start), default=0)
        before = folded(line[max(prev_end, f.start - 60): f.start])
        after = folded(line[f.end: f.end + 20])
        sent_start = max((a for a, _ in _bounds(line) if a <= f.start), default=0)
        if _CHANGE.search(before) or after.startswith("so voi"):
            f.role = "change"
        elif _WEAK_TARGET.search(before):
            f.role = "target"
        elif _STRONG_TARGET.search(folded(line[:f.start])) or "muc tieu" in folded(line[sent_start:f.start]):
            f.role = "target"
        elif status and f.start < status.start() and "target" not in roles:
            f.role = "target"  # checklist row: the figure is part of the target, the status is the result
    results = [f for f in figs if f.role == "result"]
    if piped and len(results) == 2 and "target" in roles and "result" in roles:
        first, second = results
        (second if roles.index("result") < roles.index("target") else first).role = "target"
    results = [f for f in figs if f.role == "result"]
    for a, b in zip(results, results[1:], strict=False):
        if not re.sub(r"[\s|]", "", line[a.end:b.start]):  # "85% 80%": which is the result?
            a.role = b.role = "ambiguous"
    return figs


_RESULT_VERB = re.compile(r"(?:dat|la|chiem|ty le|muc|con|tuy cao|khoang|tren|hon|gan|duoi|hien moi|moi dat)$")


def _windows(line: str, figs: list[_Fig], i: int, bounds: Sequence[_Fig] | None = None) -> list[str]:
    """Folded texts to look for an indicator's key words around figure i, best first.

    The left window runs back to the previous bounding figure or the sentence start, the right one
    forward to the next bounding figure or the sentence end. A figure written before its subject
    ("100% cán bộ …", "khoảng 98% người dân …") is read from the right only.
    """
    f = figs[i]
    lo_s, hi_s = next(((a, b) for a, b in _bounds(line) if a <= f.start < b), (0, len(line)))
    others = [g for g in (bounds if bounds is not None else figs) if g is not f and g.role == "result"]
    lo = max([lo_s] + [g.end for g in others if g.end <= f.start])
    hi = min([hi_s] + [g.start for g in others if g.start >= f.end])
    left, right = folded(line[lo:f.start]), folded(line[f.end:hi])
    subject_after = (bool(re.match(r"\s+[^\W\d_]", line[f.end:])) and not _RESULT_VERB.search(left)
                     and not re.search(r"\d%?[\s|]*$", line[:f.start]))  # not a value next to a value
    if subject_after and bounds is None:  # "số hóa 100% hồ sơ …": at most the verb just before counts
        verb = folded(re.split(r"[,;:(]", line[lo:f.start])[-1]).split()[-4:]
        return [right, " ".join([*verb, "X", right])]
    return [left, right, f"{left} X {right}"]


def _strip_row_numbers(line: str, cur: int | None) -> tuple[str, int | None]:
    """Remove a table row number at the start ("2 Số lượng…") and the next row's number glued at the end."""
    m = re.match(r"^(\d{1,2})\s+(?=[|A-ZĐÀ-Ỹa-zđ(])", line)
    if m:
        cur = int(m.group(1))
        line = line[m.end():].lstrip("| ")
    t = re.search(r"\s(\d{1,2})$", line)
    if t and cur is not None and int(t.group(1)) == cur + 1:
        line, cur = line[: t.start()], cur + 1
    return line, cur


def _qualified_raw(line: str, f: _Fig) -> str:
    q = _QUALIFIER.search(line[max(0, f.start - 12): f.start])
    return f"{q.group(1)} {f.span.raw}".replace("~ ", "~") if q else f.span.raw


def _sentence_of(line: str, f: _Fig) -> str:
    """The sentence (or table row) around a figure."""
    if " | " in line:
        return line.strip()
    starts = [0] + [m.end() for m in FIGURE_SENTENCE_END_RE.finditer(line)]
    s = max(x for x in starts if x <= f.start)
    nxt = [x for x in starts if x > f.start]
    return line[s: nxt[0] if nxt else len(line)].strip()


def _unit_after(line: str, f: _Fig, rule: Rule) -> bool:
    """Whether the figure is directly followed by the rule's unit ("11 Tổ", "110 người")."""
    if not re.match(r"\s+[^\W\d_]", line[f.end:]):
        return False
    return bool(re.match(rule.unit, folded(line[f.end: f.end + 25])))


def _count_match(line: str, figs: list[_Fig], i: int, rule: Rule) -> bool:
    """A count: the value of a "Số … : N" row, or a number followed by its unit near the key words."""
    f = figs[i]
    label = folded(line[: f.start])
    if rule.label and re.match(rule.label, label) and len(folded(line[f.end:]).split()) <= 2:
        return not rule.exclude_hit(label)
    if not rule.unit or not _unit_after(line, f, rule):
        return False
    same_unit = [g for g in figs if g.role == "result" and _unit_after(line, g, rule)]
    return any(rule.matches(w) for w in _windows(line, figs, i, same_unit))


class IndicatorExtractor:
    """Reads indicator figures out of report chunks."""

    def __init__(self, rules: Sequence[Rule] = RULES) -> None:
        self.rules = list(rules)

    def extract_doc(self, chunks: Sequence[Chunk]) -> list[Mention]:
        """Mentions in one report (its chunks, any order)."""
        out: list[Mention] = []
        roles: list[str] = []
        cur: int | None = None
        header_lines: list[str] | None = None
        for chunk in sorted(chunks, key=lambda c: c.position):
            for ln, raw_line in enumerate(nfc(chunk.text).split("\n")):
                line, cur = _strip_row_numbers(" ".join(raw_line.split()), cur)
                if _HEADER_RE.search(raw_line) and not _ROW_START.match(raw_line):
                    header_lines = [raw_line[_HEADER_RE.search(raw_line).start():]]
                    continue
                if header_lines is not None:
                    if not _ROW_START.match(raw_line):
                        header_lines.append(raw_line)
                        continue
                    roles, header_lines = header_roles("\n".join(header_lines)), None
                if not is_result_section(chunk) or not re.search(r"\d", line):
                    continue
                out.extend(self._line(line, roles, chunk, ln))
        return out

    def _line(self, line: str, roles: list[str], chunk: Chunk, ln: int) -> list[Mention]:
        out: list[Mention] = []
        for kind in ("percent", "count"):
            rules = [r for r in self.rules if r.kind == kind]
            figs = _figures(line, kind, roles)
            for i, f in enumerate(figs):
                if f.role != "result":
                    continue
                hits = self._match(line, figs, i, rules)
                if len(hits) != 1:
                    continue
                out.append(Mention(indicator=hits[0].id, commune=chunk.commune, value=float(f.span.value or 0),
                                   raw=_qualified_raw(line, f), approx=f.span.approx,
                                   sentence=_sentence_of(line, f), doc_id=chunk.doc_id, source=chunk.source,
                                   section=chunk.section, order=(chunk.position, ln, f.start),
                                   chunk_id=chunk.chunk_id))
        return out

    @staticmethod
    def _match(line: str, figs: list[_Fig], i: int, rules: list[Rule]) -> list[Rule]:
        if rules and rules[0].kind == "count":
            return [r for r in rules if _count_match(line, figs, i, r)]
        if " | " in line:
            whole = folded(line)
            return [r for r in rules if r.matches(whole)]
        for window in _windows(line, figs, i):
            hits = [r for r in rules if r.matches(window)]
            if hits:
                return hits
        return []

    def extract(self, chunks: Iterable[Chunk]) -> list[Mention]:
        """Mentions in every report among `chunks`."""
        by_doc: dict[str, list[Chunk]] = {}
        for c in chunks:
            if c.kind == "report" and c.commune:
                by_doc.setdefault(c.doc_id, []).append(c)
        out: list[Mention] = []
        for doc in sorted(by_doc):
            out.extend(self.extract_doc(by_doc[doc]))
        return out
