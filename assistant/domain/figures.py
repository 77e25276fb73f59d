"""The commune figures file (input of drafting): read YAML, CSV or XLSX into `CommuneFigures`.

YAML layout: see ../shared/figures/FORMAT.md (beside the checkout) and the README ("Drafting").
All scalars are read as written (so `value: 1.430` stays "1.430" = 1430, never the YAML float
1.43). Two optional fields extend FORMAT.md: `period` is read as a reporting period (năm, 6 tháng
đầu/cuối năm, 9 tháng, quý I–IV; see `assistant.domain.periods`), and `settlement` names the
commune's residential units (thôn, ấp, xóm, bản, tổ dân phố …) so borrowed wording can use them.

CSV/XLSX layout: one sheet (XLSX: the sheet "Số liệu" if present, else the first), one header
row, then one row per item. Columns (Vietnamese or English header; other columns such as "STT"
are ignored):

    Loại (section) | Tên chỉ tiêu / Nội dung (name) | Giá trị (value) | Mục tiêu (target) | Ghi chú (note)

"Loại" is one of: xã (commune), tỉnh (province), năm (year), kỳ báo cáo (period), đơn vị dân
cư (settlement), chỉ tiêu (indicator), số liệu (fact), nhận xét (observation) -- or the English
word. For xã/tỉnh/năm/kỳ báo cáo/đơn vị dân cư the text goes in "Giá trị" (or "Tên"); for nhận xét, the sentence
goes in "Tên" (or "Giá trị"). Blank rows, rows whose "Loại" starts with "#", and rows with a
"Loại" but nothing else (unused template rows) are skipped. CSV may be comma, semicolon or tab
separated, UTF-8 (with or without BOM) or Windows-1258.

Every problem is reported in Vietnamese, naming the line (YAML) or the row and column (sheet).
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

from assistant.domain.periods import Period, PeriodError, parse_period
from assistant.text.vn_numbers import ParsedNumber, Target, format_vn, parse_number, parse_target

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
        return f"dòng {self.row}, cột {_COLUMN_LABELS.get(name, name)}"


# ---------------------------------------------------------------- YAML

_TOP_KEYS = (
    "commune", "province", "year", "period", "settlement", "indicators", "facts", "observations"
)  # fmt: skip
_ITEM_KEYS = {"indicators": ("name", "value", "target", "note"), "facts": ("name", "value", "note")}
_ITEM_LABEL = {"indicators": "chỉ tiêu", "facts": "số liệu"}
_KEY_HELP = {"name": "tên", "value": "giá trị", "target": "mục tiêu", "note": "ghi chú"}
_YAML_HELP = "kiểm tra dấu hai chấm, thụt đầu dòng và dấu ngoặc kép"


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
        where = f"dòng {mark.line + 1}" if mark else "YAML"
        log.info("%s: YAML error: %s", b.source, exc)
        b.problem(where, f"không đúng cú pháp YAML ({_YAML_HELP})")
        b.fatal = True
        return
    if not isinstance(root, yaml.MappingNode):
        b.problem("đầu tệp", "cần các mục như «commune:», «year:», «indicators:»")
        b.fatal = True
        return
    top, key_lines = _mapping(root), _key_lines(root)
    for key, node in top.items():
        line = key_lines[key]
        if key not in _TOP_KEYS:
            b.problem(
                f"dòng {line}, mục {key}",
                f"mục «{key}» không có trong mẫu; các mục hợp lệ: {', '.join(_TOP_KEYS)}",
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
                        f"dòng {item.start_mark.line + 1}, nhận xét thứ {i + 1}",
                        "cần một câu nhận xét",
                    )
        elif isinstance(node, yaml.ScalarNode):
            b.head[key] = _scalar(node)
            b.head_where[key] = f"dòng {line}, mục {key}"
        else:
            b.problem(f"dòng {line}, mục {key}", "cần một giá trị đơn, không phải danh sách")
            b.reported.add(key)


def _yaml_items(key: str, node: yaml.Node, b: _Builder) -> None:
    if isinstance(node, yaml.ScalarNode) and not _scalar(node):
        return
    if not isinstance(node, yaml.SequenceNode):
        b.problem(
            f"dòng {node.start_mark.line + 1}, mục {key}",
            "cần một danh sách, mỗi phần tử bắt đầu bằng «- name: …»",
        )
        return
    for i, item in enumerate(node.value):
        line = item.start_mark.line + 1
        label = f"{_ITEM_LABEL[key]} thứ {i + 1}"
        if not isinstance(item, yaml.MappingNode):
            b.problem(f"dòng {line}, {label}", "cần «name:» và «value:»")
            continue
        fields, lines = _mapping(item), _key_lines(item)
        where = Where(line, label, lines)
        for extra in sorted(set(fields) - set(_ITEM_KEYS[key])):
            allowed = ", ".join(f"{k} ({_KEY_HELP[k]})" for k in _ITEM_KEYS[key])
            b.problem(where.at(extra), f"mục «{extra}» không có trong mẫu; chỉ dùng: {allowed}")
        for fname, fnode in fields.items():
            if not isinstance(fnode, yaml.ScalarNode):
                b.problem(where.at(fname), "cần một giá trị đơn, không phải danh sách")
        get = {k: _scalar(fields.get(k)) for k in _ITEM_KEYS[key]}
        if key == "indicators":
            b.indicator(where, get["name"], get["value"], get["target"], get["note"])
        else:
            b.fact(where, get["name"], get["value"])


# ---------------------------------------------------------------- rows (CSV, XLSX, web table)

_COLUMNS = {
    "section": ("section", "loai", "loai so lieu", "phan", "muc"),
    "name": ("name", "ten", "ten chi tieu", "chi tieu", "noi dung", "ten chi tieu noi dung"),
    "value": ("value", "gia tri", "ket qua", "ket qua dat duoc", "so lieu"),
    "target": ("target", "muc tieu", "chi tieu muc tieu", "muc tieu chi tieu", "ke hoach"),
    "note": ("note", "ghi chu"),
}
_COLUMN_LABELS = {
    "section": "Loại", "name": "Tên chỉ tiêu", "value": "Giá trị", "target": "Mục tiêu",
    "note": "Ghi chú",
}  # fmt: skip
_SECTIONS = {
    "commune": ("commune", "xa", "ten xa", "phuong", "don vi"),
    "province": ("province", "tinh", "thanh pho", "tinh thanh pho", "tinh tp"),
    "year": ("year", "nam", "nam bao cao"),
    "period": ("period", "ky bao cao", "giai doan", "thoi gian", "thoi gian bao cao"),
    "settlement": ("settlement", "don vi dan cu", "thon ap", "thon", "ap"),
    "indicator": ("indicator", "indicators", "chi tieu"),
    "fact": ("fact", "facts", "so lieu", "thong tin"),
    "observation": ("observation", "observations", "nhan xet", "ghi nhan", "y kien"),
}
_KINDS_HELP = "xã, tỉnh, năm, kỳ báo cáo, đơn vị dân cư, chỉ tiêu, số liệu, nhận xét"
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
        names = ", ".join(_COLUMN_LABELS.values())
        b.problem("tiêu đề", f"không có dòng tiêu đề có ít nhất cột «Loại» và «Giá trị» (cần: {names})")
        b.fatal = True
        return
    for rownum, cells in numbered[header_at + 1 :]:
        get = {c: (_text(cells[j]) if j < len(cells) else "") for c, j in cols.items()}
        get = {c: get.get(c, "") for c in _COLUMNS}
        section_raw = get["section"]
        if section_raw.startswith("#") or not any(get.values()):
            continue
        where = Where(rownum)
        section = _SECTION_OF.get(_key(section_raw))
        if section is None:
            what = (
                f"«{section_raw}» không phải là loại dòng hợp lệ"
                if section_raw
                else "cột «Loại» để trống"
            )
            b.problem(where.at("section"), f"{what}; dùng một trong: {_KINDS_HELP}")
            continue
        if not (get["name"] or get["value"] or get["target"] or get["note"]):
            continue  # an unused template row
        if section == "indicator":
            b.indicator(where, get["name"], get["value"], get["target"], get["note"])
        elif section == "fact":
            b.fact(where, get["name"], get["value"])
        elif section == "observation":
            if text := get["name"] or get["value"] or get["note"]:
                b.observations.append(text)
        else:
            b.head[section] = get["value"] or get["name"]
            b.head_where[section] = where.at("value" if get["value"] else "name")


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
        b.problem("tệp Excel", exc.reason)
        b.fatal = True
        return
    try:
        wb = openpyxl.load_workbook(path, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged file
        log.info("%s: cannot open as .xlsx: %s", path.name, exc)
        b.problem("tệp Excel", "không mở được như tệp Excel .xlsx (tệp hỏng hoặc không phải .xlsx)")
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
        raise FiguresError([f"{path.name}: không tìm thấy tệp ({path})"])
    if suffix in (".yaml", ".yml"):
        _from_yaml(path.read_text(encoding="utf-8-sig"), b)
    elif suffix == ".csv":
        _read_csv(path, b)
    elif suffix == ".xlsx":
        _read_xlsx(path, b)
    else:
        raise FiguresError(
            [f"{path.name}: không đọc được loại tệp «{suffix}» (dùng .yaml, .csv hoặc .xlsx)"]
        )
    figures = b.build()
    log.debug("%s: %d indicators, %d facts", path.name, len(figures.indicators), len(figures.facts))
    return figures
