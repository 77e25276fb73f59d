"""The commune figures file (input of drafting): read YAML, CSV or XLSX into `CommuneFigures`.

YAML layout: see ../shared/figures/FORMAT.md (beside the checkout). All scalars are read as written (so
`value: 1.430` stays "1.430" = 1430, never the YAML float 1.43).

CSV/XLSX layout: one sheet (XLSX: the sheet "Số liệu" if present, else the first), one header
row, then one row per item. Columns (Vietnamese or English header; other columns such as "STT"
are ignored):

    Loại (section) | Tên chỉ tiêu / Nội dung (name) | Giá trị (value) | Mục tiêu (target) | Ghi chú (note)

"Loại" is one of: xã (commune), tỉnh (province), năm (year), kỳ báo cáo (period),
chỉ tiêu (indicator), số liệu (fact), nhận xét (observation) -- or the English word.
For xã/tỉnh/năm/kỳ báo cáo the text goes in "Giá trị" (or "Tên"); for nhận xét, the sentence
goes in "Tên" (or "Giá trị"). Blank rows, rows whose "Loại" starts with "#", and rows with a
"Loại" but nothing else (unused template rows) are skipped. CSV may be comma, semicolon or tab
separated, UTF-8 (with or without BOM) or Windows-1258.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import logging
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from assistant.text.vn_numbers import ParsedNumber, Target, format_vn, parse_number, parse_target

log = logging.getLogger(__name__)


class FiguresError(ValueError):
    """A figures file that cannot be read; `problems` lists every problem found."""

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
    period: str = ""
    indicators: list[IndicatorFigure] = field(default_factory=list)
    facts: list[Fact] = field(default_factory=list)
    observations: list[str] = field(default_factory=list)
    source: str = ""  # file name


def _text(x: Any) -> str:
    """NFC text with plain spaces, trimmed."""
    s = unicodedata.normalize("NFC", "" if x is None else str(x))
    return re.sub(r"\s+", " ", s.replace("\u00a0", " ")).strip()


def _key(x: Any) -> str:
    """Folded header/section word: "Tên chỉ tiêu / Nội dung" -> "ten chi tieu noi dung"."""
    s = unicodedata.normalize("NFD", _text(x).lower().replace("đ", "d"))
    s = "".join(ch for ch in s if not unicodedata.combining(ch))
    return " ".join(re.findall(r"[a-z0-9]+", s))


class _Builder:
    """Collects items and problems from any layout, then builds or raises."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.problems: list[str] = []
        self.head: dict[str, str] = {}
        self.indicators: list[IndicatorFigure] = []
        self.facts: list[Fact] = []
        self.observations: list[str] = []
        self.fatal = False  # the file could not be read at all: skip follow-on problems
        self.reported: set[str] = set()  # head fields already reported as malformed

    def problem(self, where: str, reason: str) -> None:
        self.problems.append(f"{self.source}: {where}: {reason}")

    def indicator(
        self,
        where: str,
        row: int,
        name: str,
        value: str,
        target: str,
        note: str,
        lines: dict[str, int] | None = None,
    ) -> None:
        if not name:
            self.problem(_field(where, "name", row, lines), "indicator name is missing")
        parsed = parse_number(value) if value else None
        if not value:
            self.problem(_field(where, "value", row, lines), "indicator value is missing")
        elif parsed is None:
            self.problem(_field(where, "value", row, lines), f"{value!r} is not a number")
        tgt = parse_target(target) if target else None
        if target and tgt is None:
            reason = f"{target!r} is not a target such as '≥80%' or '>50%'"
            self.problem(_field(where, "target", row, lines), reason)
        if name and parsed is not None:
            self.indicators.append(IndicatorFigure(name, parsed, value, tgt, target, note, row))

    def fact(
        self, where: str, row: int, name: str, value: str, lines: dict[str, int] | None = None
    ) -> None:
        if not name:
            self.problem(_field(where, "name", row, lines), "fact name is missing")
            return
        parsed = parse_number(value) if value else None
        if value and parsed is None:
            log.info("%s: %s: fact value %r kept as text", self.source, where, value)
        self.facts.append(Fact(name, parsed, value, row))

    def build(self) -> CommuneFigures:
        commune, year_raw = self.head.get("commune", ""), self.head.get("year", "")
        if self.fatal:
            raise FiguresError(self.problems)
        if not commune and "commune" not in self.reported:
            self.problem("commune", "the commune name is missing ('commune:' or a 'xã' row)")
        m = re.fullmatch(r"(?:năm\s*)?((?:19|20)\d\d)", year_raw, re.IGNORECASE)
        year = int(m[1]) if m else None
        if year_raw and year is None:
            self.problem("year", f"{year_raw!r} is not a year such as 2025")
        elif not year_raw and "year" not in self.reported:
            self.problem("year", "the year is missing ('year:' or a 'năm' row)")
        if self.problems or year is None:
            raise FiguresError(self.problems)
        return CommuneFigures(
            commune=commune,
            year=year,
            province=self.head.get("province", ""),
            period=self.head.get("period", ""),
            indicators=self.indicators,
            facts=self.facts,
            observations=self.observations,
            source=self.source,
        )


def _field(where: str, name: str, row: int, lines: dict[str, int] | None = None) -> str:
    """Where a field is: indicators[3].value (line 14) in YAML, row 5 (value) in a sheet."""
    if where.endswith("]"):
        return f"{where}.{name} (line {(lines or {}).get(name, row)})"
    return f"{where} ({name})"


# ---------------------------------------------------------------- YAML

_TOP_KEYS = ("commune", "province", "year", "period", "indicators", "facts", "observations")
_ITEM_KEYS = {"indicators": ("name", "value", "target", "note"), "facts": ("name", "value", "note")}


def _scalar(node: yaml.Node | None) -> str:
    """The text of a scalar node exactly as written ("" for null or a missing node)."""
    if node is None or not isinstance(node, yaml.ScalarNode):
        return ""
    if node.tag == "tag:yaml.org,2002:null" and node.style is None:
        return ""
    return _text(node.value)


def _mapping(node: yaml.MappingNode) -> dict[str, yaml.Node]:
    return {_text(getattr(k, "value", "")): v for k, v in node.value}


def _key_lines(node: yaml.MappingNode) -> dict[str, int]:
    return {_text(getattr(k, "value", "")): k.start_mark.line + 1 for k, _ in node.value}


def _from_yaml(text: str, b: _Builder) -> None:
    try:
        root = yaml.compose(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark else "YAML"
        b.problem(where, f"not valid YAML ({getattr(exc, 'problem', exc)})")
        b.fatal = True
        return
    if not isinstance(root, yaml.MappingNode):
        b.problem("top level", "expected fields such as 'commune:', 'year:', 'indicators:'")
        b.fatal = True
        return
    top, key_lines = _mapping(root), _key_lines(root)
    for key, node in top.items():
        line = key_lines[key]
        if key not in _TOP_KEYS:
            b.problem(
                f"{key} (line {line})", f"unknown field; expected one of {', '.join(_TOP_KEYS)}"
            )
        elif key in _ITEM_KEYS:
            _yaml_items(key, node, b)
        elif key == "observations":
            items = node.value if isinstance(node, yaml.SequenceNode) else [node]
            for i, item in enumerate(items):
                if isinstance(item, yaml.ScalarNode):
                    if text := _scalar(item):
                        b.observations.append(text)
                else:
                    b.problem(
                        f"observations[{i}] (line {item.start_mark.line + 1})",
                        "expected a sentence",
                    )
        elif isinstance(node, yaml.ScalarNode):
            b.head[key] = _scalar(node)
        else:
            b.problem(f"{key} (line {line})", "expected a single value")
            b.reported.add(key)


def _yaml_items(key: str, node: yaml.Node, b: _Builder) -> None:
    if isinstance(node, yaml.ScalarNode) and not _scalar(node):
        return
    if not isinstance(node, yaml.SequenceNode):
        b.problem(key, "expected a list of items ('- name: ...')")
        return
    for i, item in enumerate(node.value):
        line = item.start_mark.line + 1
        where = f"{key}[{i}]"
        if not isinstance(item, yaml.MappingNode):
            b.problem(f"{where} (line {line})", "expected 'name:' and 'value:'")
            continue
        fields, lines = _mapping(item), _key_lines(item)
        for extra in sorted(set(fields) - set(_ITEM_KEYS[key])):
            b.problem(
                f"{where}.{extra} (line {lines[extra]})",
                f"unknown field; expected {', '.join(_ITEM_KEYS[key])}",
            )
        for fname, fnode in fields.items():
            if not isinstance(fnode, yaml.ScalarNode):
                b.problem(
                    f"{where}.{fname} (line {fnode.start_mark.line + 1})", "expected a single value"
                )
        get = {k: _scalar(fields.get(k)) for k in _ITEM_KEYS[key]}
        if key == "indicators":
            b.indicator(where, line, get["name"], get["value"], get["target"], get["note"], lines)
        else:
            b.fact(where, line, get["name"], get["value"], lines)


# ---------------------------------------------------------------- rows (CSV, XLSX, web table)

_COLUMNS = {
    "section": ("section", "loai", "loai so lieu", "phan", "muc"),
    "name": ("name", "ten", "ten chi tieu", "chi tieu", "noi dung", "ten chi tieu noi dung"),
    "value": ("value", "gia tri", "ket qua", "ket qua dat duoc", "so lieu"),
    "target": ("target", "muc tieu", "chi tieu muc tieu", "muc tieu chi tieu", "ke hoach"),
    "note": ("note", "ghi chu"),
}
_SECTIONS = {
    "commune": ("commune", "xa", "ten xa", "phuong", "don vi"),
    "province": ("province", "tinh", "thanh pho", "tinh thanh pho", "tinh tp"),
    "year": ("year", "nam", "nam bao cao"),
    "period": ("period", "ky bao cao", "giai doan", "thoi gian", "thoi gian bao cao"),
    "indicator": ("indicator", "indicators", "chi tieu"),
    "fact": ("fact", "facts", "so lieu", "thong tin"),
    "observation": ("observation", "observations", "nhan xet", "ghi nhan", "y kien"),
}
_COLUMN_OF = {alias: col for col, aliases in _COLUMNS.items() for alias in aliases}
_SECTION_OF = {alias: sec for sec, aliases in _SECTIONS.items() for alias in aliases}


def _cell_text(x: Any, percent_format: bool = False) -> str:
    """A spreadsheet cell as the officer would read it ("71,2%", "1.429", "20/11/2025")."""
    if isinstance(x, bool):
        return str(x)
    if isinstance(x, int | float):
        if percent_format:
            return format_vn(x * 100, percent=True)
        return str(int(x)) if float(x).is_integer() else format_vn(x)
    if isinstance(x, dt.datetime | dt.date):
        return x.strftime("%d/%m/%Y")
    return _text(x)


def figures_from_rows(rows: Sequence[Sequence[Any]], source: str = "table") -> CommuneFigures:
    """Read the single-sheet layout: a header row then one row per item (rows numbered from 1)."""
    b = _Builder(source)
    _rows_into(list(enumerate(rows, start=1)), b)
    return b.build()


def _rows_into(numbered: list[tuple[int, Sequence[Any]]], b: _Builder) -> None:
    header_at, cols = None, {}
    for idx, (_, cells) in enumerate(numbered[:10]):
        found: dict[str, int] = {}
        for j, c in enumerate(cells):
            if (col := _COLUMN_OF.get(_key(c))) is not None:
                found.setdefault(col, j)
        if "section" in found and "value" in found:
            header_at, cols = idx, found
            break
    if header_at is None:
        names = ", ".join(["Loại", "Tên chỉ tiêu", "Giá trị", "Mục tiêu", "Ghi chú"])
        b.problem("header", f"no header row with at least 'Loại' and 'Giá trị' (expected: {names})")
        b.fatal = True
        return
    for rownum, cells in numbered[header_at + 1 :]:
        get = {c: (_text(cells[j]) if j < len(cells) else "") for c, j in cols.items()}
        get = {c: get.get(c, "") for c in _COLUMNS}
        section_raw = get["section"]
        if section_raw.startswith("#") or not any(get.values()):
            continue
        where = f"row {rownum}"
        section = _SECTION_OF.get(_key(section_raw))
        if section is None:
            kinds = "xã, tỉnh, năm, kỳ báo cáo, chỉ tiêu, số liệu, nhận xét"
            what = f"{section_raw!r} is not a known kind" if section_raw else "'Loại' is empty"
            b.problem(f"{where} (Loại)", f"{what}; use one of: {kinds}")
            continue
        if not (get["name"] or get["value"] or get["target"] or get["note"]):
            continue  # an unused template row
        if section == "indicator":
            b.indicator(where, rownum, get["name"], get["value"], get["target"], get["note"])
        elif section == "fact":
            b.fact(where, rownum, get["name"], get["value"])
        elif section == "observation":
            if text := get["name"] or get["value"] or get["note"]:
                b.observations.append(text)
        else:
            b.head[section] = get["value"] or get["name"]


def _read_csv(path: Path, b: _Builder) -> None:
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1258", errors="replace")
        log.info("%s is not UTF-8; read as Windows-1258", path.name)
    first = next((line for line in text.splitlines() if line.strip()), "")
    delimiter = max(",;\t", key=first.count)
    rows = list(csv.reader(io.StringIO(text), delimiter=delimiter))
    _rows_into(list(enumerate(rows, start=1)), b)


def _read_xlsx(path: Path, b: _Builder) -> None:
    import openpyxl  # only needed for Excel files

    from assistant.ingest.errors import UnreadableFile
    from assistant.ingest.limits import Limits

    try:  # a workbook whose parts unzip to gigabytes is refused before openpyxl reads any of it
        Limits().check_zip(path, ".xlsx")
    except UnreadableFile as exc:
        b.problem("workbook", exc.reason)
        b.fatal = True
        return
    try:
        wb = openpyxl.load_workbook(path, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged file
        b.problem("workbook", f"cannot open as an Excel .xlsx file ({exc})")
        b.fatal = True
        return
    try:
        ws = wb["Số liệu"] if "Số liệu" in wb.sheetnames else wb.worksheets[0]
        numbered = [
            (cells[0].row, [_cell_text(c.value, "%" in str(c.number_format)) for c in cells])
            for cells in ws.iter_rows()
            if cells
        ]
    finally:
        wb.close()
    _rows_into(numbered, b)


def load_figures(path: str | Path) -> CommuneFigures:
    """Read a figures file (.yaml/.yml, .csv, .xlsx); raise FiguresError listing every problem."""
    path = Path(path)
    b = _Builder(path.name)
    suffix = path.suffix.lower()
    if not path.is_file():
        raise FiguresError([f"{path.name}: file not found ({path})"])
    if suffix in (".yaml", ".yml"):
        _from_yaml(path.read_text(encoding="utf-8-sig"), b)
    elif suffix == ".csv":
        _read_csv(path, b)
    elif suffix == ".xlsx":
        _read_xlsx(path, b)
    else:
        raise FiguresError(
            [f"{path.name}: unsupported file type {suffix!r} (use .yaml, .csv or .xlsx)"]
        )
    figures = b.build()
    log.debug("%s: %d indicators, %d facts", path.name, len(figures.indicators), len(figures.facts))
    return figures
