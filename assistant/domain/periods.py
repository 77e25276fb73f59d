"""Reporting periods: a year, a half-year, nine months or a quarter, and the period after it.

A figures file may say what it reports on (`period:`): "năm 2025", "6 tháng đầu năm 2025",
"6 tháng cuối năm", "9 tháng đầu năm 2025", "quý III/2025", "Quý 3 năm 2025", "Q3/2025", or a
date range ("01/01/2025 - 20/11/2025", read from its months). Headings and the "next period" of
Phương hướng follow it: after năm N comes năm N+1, after 6 tháng đầu năm the 6 tháng cuối năm,
after quý III the quý IV, after quý IV (or 6 tháng cuối năm) the first period of N+1.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Literal

from assistant.text.normalize import fold

Kind = Literal["nam", "6_thang_dau", "6_thang_cuoi", "9_thang", "quy"]
ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV"}
_ROMAN_VALUE = {"i": 1, "ii": 2, "iii": 3, "iv": 4}
_QUARTER_RE = re.compile(r"\b(?:quy|q)\s*\.?\s*(iv|iii|ii|i|\d)\b")
_YEAR_RE = re.compile(r"\b((?:19|20)\d\d)\b")
_DATE_RE = re.compile(r"\b(\d{1,2})\s*/\s*(\d{1,2})\s*/\s*((?:19|20)\d\d)\b")


class PeriodError(ValueError):
    """A period that names something impossible ("quý 5"); the message is Vietnamese."""


@dataclass(frozen=True)
class Period:
    """What a report covers: `kind` of period in `year` (`quarter` 1–4 for "quy")."""

    kind: Kind
    year: int
    quarter: int = 0

    @property
    def name(self) -> str:
        """The period without its year: "năm", "6 tháng đầu năm", "quý III"."""
        return {
            "nam": "năm",
            "6_thang_dau": "6 tháng đầu năm",
            "6_thang_cuoi": "6 tháng cuối năm",
            "9_thang": "9 tháng đầu năm",
            "quy": f"quý {ROMAN.get(self.quarter, '')}",
        }[self.kind]

    @property
    def label(self) -> str:
        """ "năm 2025", "6 tháng đầu năm 2025", "quý III năm 2025"."""
        return f"{self.name} {self.year}" if self.kind != "quy" else f"{self.name} năm {self.year}"

    @property
    def closes_year(self) -> bool:
        """Whether the period ends the year (so the next one lies in year + 1)."""
        return self.kind in ("nam", "6_thang_cuoi") or (self.kind == "quy" and self.quarter == 4)

    def next(self) -> Period:
        """The period a "Phương hướng" of this report is for."""
        if self.kind == "nam":
            return Period("nam", self.year + 1)
        if self.kind == "6_thang_dau":
            return Period("6_thang_cuoi", self.year)
        if self.kind == "6_thang_cuoi":
            return Period("6_thang_dau", self.year + 1)
        if self.kind == "9_thang":
            return Period("quy", self.year, 4)
        if self.quarter >= 4:
            return Period("quy", self.year + 1, 1)
        return replace(self, quarter=self.quarter + 1)


def parse_period(text: str, year: int) -> Period:
    """The period `text` names, in `year` unless it names its own; a year when it names none.

    Raises `PeriodError` for an impossible quarter, or for a period of another year than `year`.
    """
    raw = " ".join((text or "").split())
    f = fold(raw)
    named = [int(y) for y in _YEAR_RE.findall(f)]
    dates = _DATE_RE.findall(f)
    if named and all(y != year for y in named):
        raise PeriodError(f"kỳ báo cáo «{raw}» thuộc năm {named[0]}, khác năm báo cáo {year}")
    if m := _QUARTER_RE.search(f):
        q = _ROMAN_VALUE.get(m.group(1)) or (int(m.group(1)) if m.group(1).isdigit() else 0)
        if not 1 <= q <= 4:
            raise PeriodError(f"«{raw}» không phải là một quý (quý I, II, III hoặc IV)")
        return Period("quy", year, q)
    if re.search(r"\b(?:6|sau) thang\b|\bnua (?:dau|cuoi)? ?nam\b", f):
        late = re.search(r"\bcuoi\b|\bnua cuoi\b", f)
        return Period("6_thang_cuoi" if late else "6_thang_dau", year)
    if re.search(r"\b(?:9|chin) thang\b", f):
        return Period("9_thang", year)
    if len(dates) >= 2:
        return _from_dates(dates[0], dates[-1], year)
    return Period("nam", year)


def _from_dates(start: tuple[str, str, str], end: tuple[str, str, str], year: int) -> Period:
    """A period from its first and last day: 01/01–30/06 is the first half, 01/07–30/09 Q3…"""
    m1, m2 = int(start[1]), int(end[1])
    if m1 == 1 and m2 >= 10:
        return Period("nam", year)
    if m1 == 1 and m2 in (6, 7):
        return Period("6_thang_dau", year)
    if m1 == 7 and m2 >= 12:
        return Period("6_thang_cuoi", year)
    if m1 == 1 and m2 in (8, 9):
        return Period("9_thang", year)
    if m1 in (1, 4, 7, 10) and m2 - m1 in (2, 3):
        return Period("quy", year, (m1 - 1) // 3 + 1)
    return Period("nam", year)
