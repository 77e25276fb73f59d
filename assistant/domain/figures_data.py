"""What a commune figures file holds (`CommuneFigures`) and the checks every layout shares:
`FiguresBuilder` collects the items a reader finds, with every problem in Vietnamese, then builds.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from assistant.domain.periods import Period, PeriodError, parse_period
from assistant.text.normalize import fold
from assistant.text.vn_numbers import ParsedNumber, Target, parse_number, parse_target

log = logging.getLogger(__name__)


# Residential units of a commune (the words borrowed peer wording is adapted to).
SETTLEMENTS = ("thôn", "ấp", "xóm", "bản", "tổ dân phố", "khu phố", "buôn", "làng", "sóc", "khóm")
NUMBER_EXAMPLES = "ví dụ đúng: 71,2%, 1.429, ~15%"
TARGET_EXAMPLES = "ví dụ đúng: ≥80%, >50%, ≤5%, 100%"


class FiguresError(ValueError):
    """A figures file that cannot be read; `problems` lists every problem found (in Vietnamese)."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(self.problems))


@dataclass
class IndicatorFigure:
    name: str
    value: ParsedNumber
    value_raw: str
    target: Target | None = None
    target_raw: str = ""
    note: str = ""
    row: int = 0  # spreadsheet row (CSV/XLSX) or line (YAML) where the item starts


@dataclass
class Fact:
    name: str
    value: ParsedNumber | None  # None when the value is not a single number ("39/39", text)
    value_raw: str = ""
    row: int = 0


@dataclass
class CommuneFigures:
    commune: str
    year: int
    province: str = ""
    period: str = ""  # as written: "quý III/2025", "01/01/2025 - 20/11/2025", ""
    indicators: list[IndicatorFigure] = field(default_factory=list)
    facts: list[Fact] = field(default_factory=list)
    observations: list[str] = field(default_factory=list)
    source: str = ""  # file name
    settlement: str = ""  # "thôn", "ấp" … when the file says; see SETTLEMENTS

    @property
    def reporting(self) -> Period:
        """The reporting period (a year when `period` names none); see `assistant.domain.periods`."""
        try:
            return parse_period(self.period, self.year)
        except PeriodError:  # checked when the file was read; a hand-made object may still be off
            return Period("nam", self.year)


COLUMN_LABELS = {
    "section": "Loại", "name": "Tên chỉ tiêu", "value": "Giá trị", "target": "Mục tiêu",
    "note": "Ghi chú",
}  # fmt: skip


def clean_text(x: Any) -> str:
    """NFC text with plain spaces, trimmed."""
    s = unicodedata.normalize("NFC", "" if x is None else str(x))
    return re.sub(r"\s+", " ", s.replace("\u00a0", " ")).strip()


def header_key(x: Any) -> str:
    """Folded header/section word: "Tên chỉ tiêu / Nội dung" -> "ten chi tieu noi dung"."""
    return " ".join(re.findall(r"[a-z0-9]+", fold(clean_text(x))))


class FiguresBuilder:
    """Collects items and problems from any layout, then builds or raises."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.problems: list[str] = []
        self.head: dict[str, str] = {}
        self.head_where: dict[str, str] = {}
        self.indicators: list[IndicatorFigure] = []
        self.facts: list[Fact] = []
        self.observations: list[str] = []
        self.fatal = False  # the file could not be read at all: skip follow-on problems
        self.reported: set[str] = set()  # head fields already reported as malformed

    def problem(self, where: str, reason: str) -> None:
        self.problems.append(f"{self.source}: {where}: {reason}")

    def indicator(self, where: Where, name: str, value: str, target: str, note: str) -> None:
        if not name:
            self.problem(where.at("name"), "thiếu tên chỉ tiêu")
        parsed = parse_number(value) if value else None
        if not value:
            self.problem(where.at("value"), "thiếu giá trị của chỉ tiêu")
        elif parsed is None:
            self.problem(where.at("value"), f"«{value}» không phải là một con số ({NUMBER_EXAMPLES})")
        tgt = parse_target(target) if target else None
        if target and tgt is None:
            reason = f"«{target}» không phải là mục tiêu có dấu so sánh ({TARGET_EXAMPLES})"
            self.problem(where.at("target"), reason)
        if name and parsed is not None:
            self.indicators.append(
                IndicatorFigure(name, parsed, value, tgt, target, note, where.row)
            )

    def fact(self, where: Where, name: str, value: str) -> None:
        if not name:
            self.problem(where.at("name"), "thiếu tên số liệu")
            return
        parsed = parse_number(value) if value else None
        if value and parsed is None:
            log.info("%s: %s: fact value %r kept as text", self.source, where.at("value"), value)
        self.facts.append(Fact(name, parsed, value, where.row))

    def build(self) -> CommuneFigures:
        commune, year_raw = self.head.get("commune", ""), self.head.get("year", "")
        if self.fatal:
            raise FiguresError(self.problems)
        if not commune and "commune" not in self.reported:
            self.problem("tên xã", "thiếu tên xã (mục «commune:» hoặc dòng «xã»)")
        m = re.fullmatch(r"(?:năm\s*)?((?:19|20)\d\d)", year_raw, re.IGNORECASE)
        year = int(m[1]) if m else None
        if year_raw and year is None:
            self.problem(
                self.head_where.get("year", "năm báo cáo"), f"«{year_raw}» không phải là năm (ví dụ: 2025)"
            )
        elif not year_raw and "year" not in self.reported:
            self.problem("năm báo cáo", "thiếu năm báo cáo (mục «year:» hoặc dòng «năm»)")
        period = self.head.get("period", "")
        if year is not None and period:
            try:
                parse_period(period, year)
            except PeriodError as exc:
                self.problem(self.head_where.get("period", "kỳ báo cáo"), str(exc))
        settlement = self.head.get("settlement", "")
        if settlement and settlement.lower() not in SETTLEMENTS:
            self.problem(
                self.head_where.get("settlement", "đơn vị dân cư"),
                f"«{settlement}» không phải là đơn vị dân cư; dùng một trong: "
                + ", ".join(SETTLEMENTS),
            )
        if self.problems or year is None:
            raise FiguresError(self.problems)
        return CommuneFigures(
            commune=commune,
            year=year,
            province=self.head.get("province", ""),
            period=period,
            indicators=self.indicators,
            facts=self.facts,
            observations=self.observations,
            source=self.source,
            settlement=settlement.lower(),
        )


@dataclass
class Where:
    """Where an item is in the file: a YAML list item (with its keys' lines) or a sheet row."""

    row: int  # YAML line where the item starts, or the sheet row
    label: str = ""  # YAML: "chỉ tiêu thứ 2"; sheet: ""
    lines: dict[str, int] = field(default_factory=dict)  # YAML: key -> line

    def at(self, name: str) -> str:
        """ "dòng 5, chỉ tiêu thứ 1, mục value" (YAML) or "dòng 4, cột Giá trị" (sheet)."""
        if self.label:
            return f"dòng {self.lines.get(name, self.row)}, {self.label}, mục {name}"
        return f"dòng {self.row}, cột {COLUMN_LABELS.get(name, name)}"

