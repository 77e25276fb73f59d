"""Indicator table across communes: the figures each report states for the catalog indicators.

Extraction errs on the side of an empty cell. A figure fills a cell only when
- it sits in a result part of the report (not a target list, not next year's directions);
- it is of the right kind (a percent for rates; for counts a number followed by its unit, or the
  value of a "Số … : N" row);
- it is not a target (≥80%, "tối thiểu", "phấn đấu", "chưa đạt 100%"), a change ("tăng 20%") or
  one of two side-by-side figures that the table header cannot tell apart;
- the indicator's key words (distilled from the catalog name and aliases, folded, abbreviations
  expanded) stand next to it in the same sentence or table row, and no other indicator's do.
Every cell keeps the sentence it came from.
"""

from __future__ import annotations

import csv
import logging
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from assistant.domain.catalog import Indicator, match_indicator
from assistant.records import Chunk
from assistant.text.normalize import ABBREVIATIONS, fold, nfc
from assistant.text.vn_numbers import NumberSpan, figure_keys, find_numbers, format_vn

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Rule:
    """How to find one indicator in report text (regexes run on folded, abbreviation-expanded text)."""

    id: str
    kind: str  # "percent" | "count"
    any_of: tuple[str, ...]  # one must match near the figure
    all_of: tuple[str, ...] = ()  # each must match near the figure too
    exclude: tuple[str, ...] = ()  # none may match near the figure
    unit: str = ""  # counts: what must follow the number ("to", "thanh vien|nguoi")
    label: str = ""  # counts: label of a "Số … : N" row
    name: str = ""  # display name when the catalog has none (or a broader one)
    pillar: str = ""

    def exclude_hit(self, window: str) -> bool:
        return any(re.search(p, window) for p in self.exclude)

    def matches(self, window: str) -> bool:
        return (any(re.search(p, window) for p in self.any_of)
                and all(re.search(p, window) for p in self.all_of)
                and not any(re.search(p, window) for p in self.exclude))


_CBCC = r"(?:can bo|cong chuc|cbcc)"
_CNSCD = r"(?:cong nghe so cong dong|cnscd)"


def _seq(a: str, b: str, gap: int) -> str:
    return rf"(?:{a}) (?:\w+ ){{0,{gap}}}(?:{b})"


def near(a: str, b: str, gap: int) -> str:
    """Regex: `a`, then at most `gap` words, then `b` (whole words)."""
    return rf"\b{_seq(a, b, gap)}\b"


RULES: tuple[Rule, ...] = (
    Rule("ho_so_tthc_truc_tuyen", "percent", (near("ho so", "truc tuyen", 6), r"\bnop truc tuyen"),
         exclude=(r"thanh toan|hai long|dung han|truoc han|qua han|so hoa|cong viec|phat sinh (?:phi|ho so)|"
                  r"dinh danh|xac thuc|pho cap|su dung dich vu cong",)),
    Rule("dvctt_phat_sinh_ho_so", "percent", (near("dich vu cong|dvc", "phat sinh ho so", 8),),
         name="Tỷ lệ dịch vụ công trực tuyến có phát sinh hồ sơ", pillar="chinh_quyen_so"),
    Rule("tthc_cung_cap_truc_tuyen", "percent", (near("thu tuc|dich vu cong", "toan trinh", 8),),
         exclude=(r"\bho so|phat sinh|truc tiep|tung phan|mot phan",)),
    Rule("thanh_toan_truc_tuyen_tthc", "percent",
         (r"thanh toan truc tuyen", near("phi|le phi", "thanh toan (?:truc tuyen|dien tu)", 4)),
         exclude=(r"hoc phi|vi dien tu|tai khoan",)),
    Rule("so_hoa_ho_so_ket_qua_tthc", "percent",
         (near("so hoa", _seq("ho so|ket qua", "tthc|thu tuc hanh chinh|giai quyet", 8), 6),
          near("ho so|ket qua", _seq("tthc|thu tuc hanh chinh", "so hoa", 6), 8)),
         exclude=(r"tai lieu|van ban|ho so cong viec|ho tich|di san",)),
    Rule("tai_su_dung_du_lieu", "percent", (near("ty le", "tai su dung", 3),)),
    Rule("muc_do_hai_long", "percent", (r"hai long",)),
    Rule("dinh_danh_dien_tu", "percent", (r"dinh danh dien tu|vneid|dddt",),
         exclude=(r"can cuoc|dich vu cong|suc khoe",),
         name="Tỷ lệ người dân có tài khoản định danh điện tử (VNeID)"),
    Rule("can_cuoc", "percent", (r"can cuoc",), name="Tỷ lệ dân số được cấp căn cước", pillar="du_lieu"),
    Rule("cbcc_boi_duong_ky_nang_so", "percent", (near(_CBCC, "boi duong|tap huan", 10),),
         all_of=(r"ky nang so|chuyen doi so",), exclude=(r"lam chu|thanh thao|an toan thong tin|bao mat",)),
    Rule("cbcc_lam_chu_ky_nang_so", "percent", (near(_CBCC, "lam chu|thanh thao", 6),)),
    Rule("phan_mem_quan_tri_dieu_hanh", "percent", (r"phan mem quan tri dieu hanh",)),
    Rule("ho_so_cong_viec_tren_mang", "percent",
         (near("ho so cong viec", _seq("xu ly", "moi truong mang|dien tu", 3), 3),)),
    Rule("dien_thoai_thong_minh", "percent", (r"dien thoai thong minh|smartphone",),
         exclude=(r"hoc sinh|may tinh bang|\bho dan|ho gia dinh",)),
    Rule("cap_quang_ho_gia_dinh", "percent",
         (near("ho gia dinh", "cap quang", 6), near("cap quang", "ho gia dinh", 6))),
    Rule("phu_song_5g", "percent", (r"\b5g\b",)),
    Rule("tai_khoan_thanh_toan", "percent", (r"tai khoan (?:giao dich )?thanh toan|mobile money",),
         all_of=(r"nguoi dan|dan so",)),
    Rule("chu_ky_so_nguoi_dan", "percent", (r"chu ky (?:so|dien tu)",), all_of=(r"nguoi dan|dan so",),
         exclude=(_CBCC, r"van ban")),
    Rule("nguoi_dan_su_dung_dvctt", "percent",
         (near("nguoi dan|dan so|nguoi truong thanh", _seq("su dung|dung", "dich vu cong|dvc", 3), 6),),
         exclude=(r"xac thuc|dinh danh|ho tro|huong dan|pho cap",)),
    Rule("lao_dong_ky_nang_so_co_ban", "percent", (near("pho cap|dao tao", "ky nang so", 3),),
         all_of=(r"nguoi dan|lao dong|dan so",)),
    Rule("nguoi_dan_ket_noi_mang_duoc_bao_ve", "percent", (near("ket noi mang", "bao ve", 3),)),
    Rule("kham_chua_benh_tu_xa", "percent", (r"kham chua benh tu xa|tu van suc khoe truc tuyen",)),
    Rule("ho_so_suc_khoe_dien_tu", "percent", (r"(?:ho so|so) suc khoe dien tu",),
         exclude=(r"co so kham|benh vien|tram y te",)),
    Rule("giao_duc_quan_tri_so", "percent", (near("co so giao duc", "quan tri so", 15),)),
    Rule("truong_hoc_hoc_phi_khong_tien_mat", "percent",
         (near("hoc phi", "khong (?:dung )?tien mat", 10),)),
    Rule("so_to_cnscd", "count", (_CNSCD,), unit=r"to\b",
         label=r"(?:so luong|tong so|so) (?!thanh vien)(?:\w+ ){0,2}to " + _CNSCD,
         name="Số Tổ công nghệ số cộng đồng", pillar="xa_hoi_so"),
    Rule("so_thanh_vien_to_cnscd", "count", (_CNSCD,), unit=r"(?:thanh vien|nguoi)\b",
         label=r"(?:so luong |tong so |so )?thanh vien (?:\w+ ){0,2}to " + _CNSCD,
         exclude=(r"tap huan|huong dan|lop|hoc",),
         name="Số thành viên Tổ công nghệ số cộng đồng", pillar="xa_hoi_so"),
    Rule("so_cbcc_boi_duong_ky_nang_so", "count", (r"ky nang so",),
         label="so " + _seq(_CBCC, _seq("boi duong|tap huan", "ky nang so", 2), 6),
         name="Số cán bộ, công chức được bồi dưỡng kỹ năng số", pillar="nhan_luc"),
    Rule("so_cbcc_lam_chu_ky_nang_so", "count", (r"ky nang so",),
         label="so " + _seq(_CBCC, "lam chu ky nang so", 6),
         name="Số cán bộ, công chức làm chủ kỹ năng số", pillar="nhan_luc"),
)
RULES_BY_ID = {r.id: r for r in RULES}

# ---------------------------------------------------------------- text helpers


_ABBR_RE = re.compile(r"(?<!\w)(" + "|".join(sorted(map(re.escape, ABBREVIATIONS), key=len, reverse=True))
                      + r")(?!\w)")


def folded(text: str) -> str:
    """Folded words of a text, abbreviations replaced by their full form, punctuation as spaces
    (≥ and > kept): "Tỷ lệ hồ sơ TTHC ≥70%" -> "ty le ho so thu tuc hanh chinh ≥ 70"."""
    f = fold(_ABBR_RE.sub(lambda m: f" {ABBREVIATIONS[m.group(1)]} ", nfc(text))).replace("≥", " ≥ ")
    return " ".join(re.sub(r"[^a-z0-9≥> ]+", " ", f).split())


_STRONG_TARGET = re.compile(r"phan dau|dinh huong|huong toi|(?:den|vao) nam 20(?:2[6-9]|[3-9]\d)|nam 20(?:2[6-9]|[3-9]\d)")
_WEAK_TARGET = re.compile(r"(?:muc tieu|chi tieu|toi thieu|it nhat|khong duoi|len|chua dat|chua|≥|>|ke hoach)"
                          r"(?: \w+){0,2}$")
_CHANGE = re.compile(r"(?:tang|giam|them)(?: \w+){0,2}$")
_QUALIFIER = re.compile(r"(~|≈|khoảng|gần|trên|hơn|dưới|xấp xỉ|hiện mới|mới đạt)\s*$", re.IGNORECASE)
_STATUS = re.compile(r"(?:^|\|\s*|\s)(Không đạt|Chưa đạt|Đang triển khai|Đạt)\b")
_SENTENCE_RE = re.compile(r"(?<=[.!?])\s+(?=[A-ZĐÀ-Ỹ0-9\-+(])")
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


# ---------------------------------------------------------------- cells


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

    def to_json(self) -> dict[str, Any]:
        return {"value": self.value, "raw": self.raw, "approx": self.approx, "sentence": self.sentence,
                "doc_id": self.doc_id, "source": self.source, "section": self.section}


@dataclass
class Cell:
    """A commune's figure for an indicator: the first mention, plus mentions that disagree with it."""

    first: Mention
    others: list[Mention] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {**self.first.to_json(), "others": [m.to_json() for m in self.others]}

    def mentions(self) -> list[Mention]:
        return [self.first, *self.others]


@dataclass
class Row:
    id: str
    name: str
    pillar: str
    unit: str
    cells: dict[str, Cell] = field(default_factory=dict)

    def to_json(self, communes: Sequence[str]) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "pillar": self.pillar, "unit": self.unit,
                "cells": {c: self.cells[c].to_json() for c in communes if c in self.cells}}


@dataclass
class IndicatorTable:
    communes: list[str]
    rows: list[Row]

    def to_json(self) -> dict[str, Any]:
        return {"communes": list(self.communes),
                "indicators": [r.to_json(self.communes) for r in self.rows if r.cells]}

    def mentions(self) -> list[Mention]:
        return [m for r in self.rows for c in r.cells.values() for m in c.mentions()]


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
    cuts = sorted({0, len(line), *(m.start() for m in _SENTENCE_RE.finditer(line)),
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
    starts = [0] + [m.end() for m in _SENTENCE_RE.finditer(line)]
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
                                   section=chunk.section, order=(chunk.position, ln, f.start)))
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


# ---------------------------------------------------------------- the table


def _group(mentions: Iterable[Mention]) -> dict[tuple[str, str], Cell]:
    cells: dict[tuple[str, str], Cell] = {}
    for m in sorted(mentions, key=lambda m: (m.indicator, m.commune, m.doc_id, m.order)):
        key = (m.indicator, m.commune)
        cell = cells.get(key)
        if cell is None:
            cells[key] = Cell(m)
        elif not any(figure_keys(m.raw.split()[-1]) & figure_keys(x.raw.split()[-1]) for x in cell.mentions()):
            cell.others.append(m)
    return cells


def _rule_for_name(name: str, catalog: Sequence[Indicator], *, count: bool) -> Rule | None:
    """The rule of a figures-file item name: the rules' own key words first, then the catalog match."""
    f = folded(name)
    found = [r for r in RULES if (r.kind == "count") == count and not r.exclude_hit(f)
             and ((r.label and re.match(r.label, f)) or (not count and r.matches(f)))]
    if len(found) == 1:
        return found[0]
    hit = match_indicator(name, catalog)
    if hit and hit[0].id in RULES_BY_ID and (RULES_BY_ID[hit[0].id].kind == "count") == count:
        return RULES_BY_ID[hit[0].id]
    return None


def figures_mentions(figs: Any, catalog: Sequence[Indicator]) -> list[Mention]:
    """Mentions from a commune's own figures file (`figures.CommuneFigures`)."""
    column = f"{figs.commune} (tệp số liệu)"
    out: list[Mention] = []
    items = [(i.name, i.value, i.value_raw, i.row, False) for i in figs.indicators]
    items += [(x.name, x.value, x.value_raw, x.row, True) for x in figs.facts if x.value is not None]
    for name, value, raw, row, is_fact in items:
        rule = _rule_for_name(name, catalog, count=is_fact and not value.percent)
        if rule is None:
            continue
        raw = raw or (format_vn(value.value, value.percent))
        out.append(Mention(indicator=rule.id, commune=column, value=value.value, raw=str(raw),
                           approx=value.approx, sentence=f"{name}: {raw}", doc_id=figs.source,
                           source=figs.source, section=f"tệp số liệu, dòng {row}" if row else "tệp số liệu",
                           order=(0, row, 0)))
    return out


def build_table(chunks: Iterable[Chunk], *, catalog: Sequence[Indicator],
                figures: Sequence[Any] = ()) -> IndicatorTable:
    """The indicator table of every report among `chunks`, plus a column per figures file."""
    catalog = list(catalog)
    by_id = {i.id: i for i in catalog}
    chunks = list(chunks)
    mentions = IndicatorExtractor().extract(chunks)
    communes = list(dict.fromkeys(c.commune for c in sorted(chunks, key=lambda c: c.doc_id)
                                  if c.kind == "report" and c.commune))
    for figs in figures:
        fm = figures_mentions(figs, catalog)
        mentions.extend(fm)
        communes.append(f"{figs.commune} (tệp số liệu)")
    cells = _group(mentions)
    rows = []
    for r in RULES:
        ind = by_id.get(r.id)
        unit = "%" if r.kind == "percent" else "số lượng"
        row = Row(id=r.id, name=r.name or (ind.name if ind else r.id), pillar=ind.pillar if ind else r.pillar,
                  unit=unit)
        row.cells = {c: cells[(r.id, c)] for c in communes if (r.id, c) in cells}
        rows.append(row)
    return IndicatorTable(communes=communes, rows=rows)


def write_csv(table: IndicatorTable, path: Path) -> None:
    """The table as CSV (UTF-8 with BOM for Excel): per commune a value column and a source column."""
    header = ["Mã chỉ tiêu", "Chỉ tiêu", "Đơn vị"]
    for c in table.communes:
        header += [c, f"{c} – câu nguồn"]
    with open(path, "w", encoding="utf-8-sig", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        for row in table.rows:
            if not row.cells:
                continue
            line = [row.id, row.name, row.unit]
            for c in table.communes:
                cell = row.cells.get(c)
                if cell is None:
                    line += ["", ""]
                    continue
                source = f"{cell.first.sentence} [{cell.first.source} — {cell.first.section}]"
                source += "".join(f" | Cũng ghi {o.raw}: {o.sentence} [{o.source} — {o.section}]"
                                  for o in cell.others)
                line += [cell.first.raw, source]
            w.writerow(line)
