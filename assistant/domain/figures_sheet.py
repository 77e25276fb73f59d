"""Reading the one-sheet layout of a figures file (CSV, XLSX, the web form's table): a header row
then one row per item, problems by row and column.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from assistant.domain.figures_data import (
    COLUMN_LABELS,
    CommuneFigures,
    FiguresBuilder,
    Where,
    clean_text,
    header_key,
)
from assistant.text.vn_numbers import format_vn

log = logging.getLogger(__name__)

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
    return clean_text(x)


def figures_from_rows(rows: Sequence[Sequence[Any]], source: str = "table") -> CommuneFigures:
    """Read the single-sheet layout: a header row then one row per item (rows numbered from 1)."""
    b = FiguresBuilder(source)
    _rows_into(list(enumerate(rows, start=1)), b)
    return b.build()


def _rows_into(numbered: list[tuple[int, Sequence[Any]]], b: FiguresBuilder) -> None:
    header_at, cols = None, {}
    for idx, (_, cells) in enumerate(numbered[:10]):
        found: dict[str, int] = {}
        for j, c in enumerate(cells):
            if (col := _COLUMN_OF.get(header_key(c))) is not None:
                found.setdefault(col, j)
        if "section" in found and "value" in found:
            header_at, cols = idx, found
            break
    if header_at is None:
        names = ", ".join(COLUMN_LABELS.values())
        b.problem("tiêu đề", f"không có dòng tiêu đề có ít nhất cột «Loại» và «Giá trị» (cần: {names})")
        b.fatal = True
        return
    for rownum, cells in numbered[header_at + 1 :]:
        get = {c: (clean_text(cells[j]) if j < len(cells) else "") for c, j in cols.items()}
        get = {c: get.get(c, "") for c in _COLUMNS}
        section_raw = get["section"]
        if section_raw.startswith("#") or not any(get.values()):
            continue
        where = Where(rownum)
        section = _SECTION_OF.get(header_key(section_raw))
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


def read_csv(path: Path, b: FiguresBuilder) -> None:
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


def read_xlsx(path: Path, b: FiguresBuilder) -> None:
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

