"""Write assistant/data/figures_template.xlsx: the blank figures sheet a commune officer fills.

Run: python scripts/make_figures_template.py [output.xlsx]
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.worksheet.datavalidation import DataValidation

log = logging.getLogger("make_figures_template")

DEFAULT_OUT = Path(__file__).resolve().parents[1] / "assistant" / "data" / "figures_template.xlsx"
HEADERS = ["Loại", "Tên chỉ tiêu / Nội dung", "Giá trị", "Mục tiêu", "Ghi chú"]
HEADER_HELP = [
    "xã, tỉnh, năm, kỳ báo cáo, đơn vị dân cư, chỉ tiêu, số liệu hoặc nhận xét (chọn trong danh sách).",
    "Tên chỉ tiêu hoặc số liệu; với 'nhận xét' ghi cả câu nhận xét ở đây.",
    "Ghi như trong báo cáo: 71,2%  ·  1.429  ·  ~15%  ·  Trên 3.000. Với 'xã' ghi tên xã.",
    "Chỉ với 'chỉ tiêu', không bắt buộc: ≥80%  ·  >50%  ·  ≤5%  ·  100% (= ít nhất 100%).",
    "Không bắt buộc, ví dụ: 2.937 hồ sơ trực tuyến / 6.234.",
]
KINDS = ["xã", "tỉnh", "năm", "kỳ báo cáo", "đơn vị dân cư", "chỉ tiêu", "số liệu", "nhận xét"]
HEAD_ROWS = [
    ("xã", "Tên xã, ví dụ: Đại Sơn (bắt buộc)"),
    ("tỉnh", "Tỉnh/thành phố, ví dụ: Hải Phòng"),
    ("năm", "Năm báo cáo, ví dụ: 2025 (bắt buộc)"),
    ("kỳ báo cáo", "Năm 2025 · 6 tháng đầu năm 2025 · quý III/2025 (để trống: cả năm)"),
    ("đơn vị dân cư", "thôn, ấp, xóm, bản, tổ dân phố… (để dùng đúng từ của xã)"),
]
BLANK_ROWS = [("chỉ tiêu", 12), ("số liệu", 8), ("nhận xét", 5)]
EXAMPLES = [
    ("xã", "", "Đại Sơn", "", ""),
    ("năm", "", "2025", "", ""),
    ("chỉ tiêu", "Tỷ lệ hồ sơ TTHC xử lý trực tuyến", "71,2%", "≥70%", "2.937 / 6.234 hồ sơ"),
    ("chỉ tiêu", "Tỷ lệ CBCC được bồi dưỡng kỹ năng số", "100%", "≥80%", "39/39 CBCC"),
    ("số liệu", "Tổng số hộ gia đình", "9.461", "", ""),
    ("số liệu", "Số Tổ công nghệ số cộng đồng", "11", "", ""),
    ("nhận xét", "Trụ sở UBND xã còn chật hẹp.", "", "", ""),
]


def build(out: Path) -> Path:
    """Write the template workbook to `out`."""
    wb = Workbook()
    ws = wb.active
    ws.title = "Số liệu"
    ws.append(HEADERS)
    bold, fill = Font(bold=True), PatternFill("solid", fgColor="DDEBF7")
    for cell, help_text in zip(ws[1], HEADER_HELP, strict=True):
        cell.font, cell.fill = bold, fill
        cell.comment = Comment(help_text, "Trợ lý báo cáo CĐS")
    for kind, hint in HEAD_ROWS:
        ws.append([kind, "", "", "", hint])
    for kind, count in BLANK_ROWS:
        for _ in range(count):
            ws.append([kind, "", "", "", ""])
    last = ws.max_row
    for col in ("C", "D"):  # keep "71,2%" and "1.429" as typed, not converted by Excel
        for (cell,) in ws[f"{col}2:{col}{last + 50}"]:
            cell.number_format = "@"
    kinds = DataValidation(type="list", formula1='"' + ",".join(KINDS) + '"', allow_blank=True)
    ws.add_data_validation(kinds)
    kinds.add(f"A2:A{last + 50}")
    for col, width in zip("ABCDE", (14, 60, 16, 12, 40), strict=True):
        ws.column_dimensions[col].width = width
    ws.freeze_panes = "A2"

    guide = wb.create_sheet("Hướng dẫn")
    guide.append(["Cách điền (trang này không được đọc; chỉ trang 'Số liệu' được đọc):"])
    for line in [
        "Mỗi dòng là một mục. Cột 'Loại' cho biết loại mục; dòng chỉ có 'Loại' được bỏ qua.",
        "Bắt buộc: tên xã (dòng 'xã'), năm (dòng 'năm'), tên và giá trị của mỗi chỉ tiêu.",
        "Số ghi kiểu Việt Nam: 71,2% · 1.429 (một nghìn bốn trăm hai mươi chín) · ~15% · Trên 3.000.",
        "Mục tiêu có dấu so sánh: ≥80% · >50% · ≤5%; ghi 100% nghĩa là ít nhất 100%.",
        "Kỳ báo cáo: năm, 6 tháng đầu/cuối năm, 9 tháng, quý I–IV; phương hướng soạn cho kỳ kế tiếp.",
        "Nhận xét có 'chưa', 'còn thiếu', 'hạn chế'… được đưa vào Tồn tại; nhận xét khác vào Kết quả.",
        "Thêm dòng nếu cần; dòng có 'Loại' bắt đầu bằng # được bỏ qua.",
        "",
        "Ví dụ:",
    ]:
        guide.append([line])
    guide.append(HEADERS)
    for row in EXAMPLES:
        guide.append(list(row))
    guide.column_dimensions["A"].width = 14
    guide.column_dimensions["B"].width = 45
    for row in guide.iter_rows():
        for cell in row:
            cell.alignment = Alignment(wrap_text=False)
    out.parent.mkdir(parents=True, exist_ok=True)
    wb.save(out)
    return out


def main(argv: list[str]) -> int:
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    out = build(Path(argv[0]) if argv else DEFAULT_OUT)
    log.info("wrote %s", out)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
