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

import logging
from pathlib import Path

from assistant.domain.figures_data import (
    NUMBER_EXAMPLES,
    SETTLEMENTS,
    TARGET_EXAMPLES,
    CommuneFigures,
    Fact,
    FiguresBuilder,
    FiguresError,
    IndicatorFigure,
)
from assistant.domain.figures_sheet import figures_from_rows, read_csv, read_xlsx
from assistant.domain.figures_yaml import read_yaml

log = logging.getLogger(__name__)

__all__ = [
    "NUMBER_EXAMPLES",
    "SETTLEMENTS",
    "TARGET_EXAMPLES",
    "CommuneFigures",
    "Fact",
    "FiguresError",
    "IndicatorFigure",
    "figures_from_rows",
    "load_figures",
]


def load_figures(path: str | Path) -> CommuneFigures:
    """Read a figures file (.yaml/.yml, .csv, .xlsx); raise FiguresError listing every problem."""
    path = Path(path)
    b = FiguresBuilder(path.name)
    suffix = path.suffix.lower()
    if not path.is_file():
        raise FiguresError([f"{path.name}: không tìm thấy tệp ({path})"])
    if suffix in (".yaml", ".yml"):
        read_yaml(path.read_text(encoding="utf-8-sig"), b)
    elif suffix == ".csv":
        read_csv(path, b)
    elif suffix == ".xlsx":
        read_xlsx(path, b)
    else:
        raise FiguresError(
            [f"{path.name}: không đọc được loại tệp «{suffix}» (dùng .yaml, .csv hoặc .xlsx)"]
        )
    figures = b.build()
    log.debug("%s: %d indicators, %d facts", path.name, len(figures.indicators), len(figures.facts))
    return figures
