"""The commune figures file: YAML, CSV and XLSX read the same way; every problem reported."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import unicodedata
from pathlib import Path

import openpyxl
import pytest

from assistant.domain.figures import CommuneFigures, FiguresError, figures_from_rows, load_figures
from assistant.text.vn_numbers import meets

from .conftest import SHARED

ROOT = Path(__file__).resolve().parents[1]
FIX = ROOT / "tests" / "fixtures" / "figures"
TEMPLATE = ROOT / "assistant" / "data" / "figures_template.xlsx"


def problems(path: Path) -> list[str]:
    with pytest.raises(FiguresError) as info:
        load_figures(path)
    assert isinstance(info.value, ValueError)
    assert str(info.value) == "\n".join(info.value.problems)
    return info.value.problems


# ---------------------------------------------------------------- the Đại Sơn example


def test_dai_son_example_reads_with_exact_values() -> None:
    f = load_figures(FIX / "dai_son_2025.yaml")
    assert (f.commune, f.province, f.year) == ("Đại Sơn", "Hải Phòng", 2025)
    assert f.period == "01/01/2025 - 20/11/2025"
    assert f.source == "dai_son_2025.yaml"
    by_name = {i.name: i for i in f.indicators}
    online = by_name["Tỷ lệ hồ sơ TTHC xử lý trực tuyến"]
    assert (online.value.value, online.value.percent, online.value_raw) == (71.2, True, "71,2%")
    assert online.target is not None and (online.target.comparator, online.target.value) == (
        ">=",
        70.0,
    )
    assert online.target_raw == "≥70%"
    assert [i.value.value for i in f.indicators] == [
        100.0,
        96.0,
        100.0,
        71.2,
        100.0,
        76.5,
        88.6,
        98.0,
        80.9,
        58.39,
    ]
    assert f.indicators[0].note == "39/39 CBCC"
    assert f.indicators[0].row == 8  # the line where the item starts
    facts = {x.name: x.value.value for x in f.facts if x.value}
    assert facts["Tổng số hộ gia đình"] == 9461
    assert facts["Tổng kinh phí CNTT và CĐS 6 tháng cuối năm 2025 (triệu đồng)"] == 1429
    assert facts["Số thành viên Tổ công nghệ số cộng đồng"] == 110
    assert len(f.facts) == 8 and len(f.observations) == 4
    assert f.observations[0] == "Trụ sở UBND xã còn chật hẹp, cơ sở vật chất chưa đồng bộ."
    assert all(meets(i.value, i.target) for i in f.indicators if i.target)


def test_shared_example_is_the_fixture() -> None:
    shared = SHARED / "figures" / "dai_son_2025.yaml"
    if not shared.is_file():
        pytest.skip("shared example not present")
    assert load_figures(shared) == _with_source(load_figures(FIX / "dai_son_2025.yaml"), shared)


def _with_source(f: CommuneFigures, path: Path) -> CommuneFigures:
    f.source = path.name
    return f


# ---------------------------------------------------------------- YAML quirks


def test_yaml_numbers_are_read_as_written_not_as_yaml_floats() -> None:
    f = load_figures(FIX / "good.yaml")
    facts = {x.name: x for x in f.facts}
    assert facts["Kinh phí CĐS (triệu đồng)"].value.value == 1430  # `value: 1.430` unquoted
    assert facts["Kinh phí CĐS (triệu đồng)"].value_raw == "1.430"
    assert facts["Số Tổ CNSCĐ"].value.value == 8  # `value: 08`
    assert facts["Số người dân được hướng dẫn"].value.approx
    ratio = facts["Số CBCC đã được tập huấn"]
    assert ratio.value is None and ratio.value_raw == "39/39"  # kept as text
    signature = f.indicators[1]
    assert signature.value.approx and signature.value.value == 15
    assert signature.target.comparator == ">"
    assert not meets(signature.value, signature.target)
    assert f.indicators[2].target.comparator == "<="
    assert f.observations == ["Mạng Internet ở thôn xa còn yếu."]


def test_nfd_yaml_is_normalised(tmp_path: Path) -> None:
    text = (FIX / "dai_son_2025.yaml").read_text(encoding="utf-8")
    path = tmp_path / "nfd.yaml"
    path.write_text(unicodedata.normalize("NFD", text), encoding="utf-8")
    f = load_figures(path)
    assert f.commune == "Đại Sơn"
    assert all(unicodedata.is_normalized("NFC", i.name) for i in f.indicators)
    assert f.indicators[3].name == "Tỷ lệ hồ sơ TTHC xử lý trực tuyến"


def test_bad_yaml_reports_every_problem_with_field_and_line_in_vietnamese() -> None:
    got = problems(FIX / "bad.yaml")
    assert got == [
        "bad.yaml: dòng 5, chỉ tiêu thứ 1, mục value: «71,2 %%» không phải là một con số "
        "(ví dụ đúng: 71,2%, 1.429, ~15%)",
        "bad.yaml: dòng 9, chỉ tiêu thứ 2, mục target: «Hoàn thành» không phải là mục tiêu có dấu "
        "so sánh (ví dụ đúng: ≥80%, >50%, ≤5%, 100%)",
        "bad.yaml: dòng 10, chỉ tiêu thứ 3, mục name: thiếu tên chỉ tiêu",
        "bad.yaml: dòng 12, chỉ tiêu thứ 4, mục vaule: mục «vaule» không có trong mẫu; chỉ dùng: "
        "name (tên), value (giá trị), target (mục tiêu), note (ghi chú)",
        "bad.yaml: dòng 11, chỉ tiêu thứ 4, mục value: thiếu giá trị của chỉ tiêu",
    ]
    _no_english(got)


ENGLISH = re.compile(r"\b(?:is not|missing|expected|unknown|field|line|row|not found|unsupported|"
                     r"cannot|header|workbook|top level)\b")


def _no_english(lines: list[str]) -> None:
    """The reason and the place are Vietnamese (the YAML keys the officer typed may stay)."""
    for line in lines:
        assert not ENGLISH.search(line.split(": ", 1)[1]), line


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("year: 2025\n", ["x.yaml: tên xã: thiếu tên xã"]),
        ("commune: A\n", ["x.yaml: năm báo cáo: thiếu năm báo cáo"]),
        ("commune: A\nyear: 20x5\n", ["x.yaml: dòng 2, mục year: «20x5» không phải là năm"]),
        ("commune: A\nyear: 2025\nprovnce: B\n", ["x.yaml: dòng 3, mục provnce: mục «provnce» không có"]),
        ("commune: [A]\nyear: 2025\n", ["x.yaml: dòng 1, mục commune: cần một giá trị đơn"]),
        ("commune: A\nyear: 2025\nindicators: 5\n", ["x.yaml: dòng 3, mục indicators: cần một danh sách"]),
        ("a: [1\n", ["x.yaml: dòng 2: không đúng cú pháp YAML"]),
        ("- 1\n- 2\n", ["x.yaml: đầu tệp: cần các mục"]),
        ("", ["x.yaml: đầu tệp: cần các mục"]),
        ("commune: A\nyear: 2025\nperiod: quý 5/2025\n",
         ["x.yaml: dòng 3, mục period: «quý 5/2025» không phải là một quý"]),
        ("commune: A\nyear: 2025\nperiod: 6 tháng đầu năm 2024\n",
         ["x.yaml: dòng 3, mục period: kỳ báo cáo «6 tháng đầu năm 2024» thuộc năm 2024, khác năm báo cáo 2025"]),
        ("commune: A\nyear: 2025\nsettlement: làng xã\n",
         ["x.yaml: dòng 3, mục settlement: «làng xã» không phải là đơn vị dân cư"]),
    ],
)
def test_yaml_structure_problems(tmp_path: Path, text: str, expected: list[str]) -> None:
    path = tmp_path / "x.yaml"
    path.write_text(text, encoding="utf-8")
    got = problems(path)
    assert len(got) == len(expected), got
    for line, start in zip(got, expected, strict=True):
        assert line.startswith(start), got
    _no_english(got)


# ---------------------------------------------------------------- CSV


def test_csv_vietnamese_headers_semicolons_bom() -> None:
    f = load_figures(FIX / "good.csv")
    assert (f.commune, f.year, f.period) == ("Giao Minh", 2025, "01/01/2025 - 31/12/2025")
    assert [(i.name, i.value.value, i.target.comparator, i.row) for i in f.indicators] == [
        ("Tỷ lệ hồ sơ TTHC xử lý trực tuyến", 80.8, ">=", 5),
        ("Tỷ lệ người dân có chữ ký số", 15.0, ">", 6),  # "# ví dụ" row skipped
    ]
    assert f.indicators[0].note == "1.039 hồ sơ"
    assert [(x.name, x.value.value) for x in f.facts] == [
        ("Kinh phí CĐS (triệu đồng)", 1430.0),
        ("Số Tổ CNSCĐ", 8.0),
    ]
    assert f.observations == ["Mạng Internet ở thôn xa còn yếu."]


def test_csv_english_headers_match_yaml() -> None:
    f = load_figures(FIX / "good_en.csv")
    assert (f.commune, f.province, f.year) == ("Giao Minh", "Nam Định", 2025)
    assert f.indicators[0].value.value == 80.8
    assert f.facts[0].value.value == 1430


def test_csv_in_windows_1258_with_combining_tone_marks(tmp_path: Path) -> None:
    text = "Loại,Tên chỉ tiêu,Giá trị\nxã,,Giao Minh\nnăm,,2025\nchỉ tiêu,Tỷ lệ ký số,15%\n"
    legacy = tmp_path / "legacy.csv"
    legacy.write_bytes("".join(_cp1258_char(ch) for ch in text).encode("cp1258"))
    f = load_figures(legacy)
    assert (f.commune, f.indicators[0].name) == ("Giao Minh", "Tỷ lệ ký số")


def _cp1258_char(ch: str) -> str:
    """Windows-1258 spelling: a precomposed letter plus a combining tone mark ("ệ" = "ê" + dot)."""
    if ch.encode("cp1258", errors="ignore"):
        return ch
    base, *marks = unicodedata.normalize("NFD", ch)
    for m in marks:
        letter = unicodedata.normalize("NFC", base + m)
        if letter.encode("cp1258", errors="ignore"):
            return letter + "".join(x for x in marks if x != m)
    return base + "".join(marks)


def test_bad_csv_names_rows_and_columns() -> None:
    got = problems(FIX / "bad.csv")
    assert got == [
        "bad.csv: dòng 4, cột Giá trị: «71,2 %%» không phải là một con số (ví dụ đúng: 71,2%, 1.429, ~15%)",
        "bad.csv: dòng 5, cột Loại: «chỉ tiu» không phải là loại dòng hợp lệ; dùng một trong: xã, "
        "tỉnh, năm, kỳ báo cáo, đơn vị dân cư, chỉ tiêu, số liệu, nhận xét",
        "bad.csv: dòng 6, cột Giá trị: thiếu giá trị của chỉ tiêu",
        "bad.csv: tên xã: thiếu tên xã (mục «commune:» hoặc dòng «xã»)",
        "bad.csv: dòng 3, cột Giá trị: «hai nghìn» không phải là năm (ví dụ: 2025)",
    ]
    _no_english(got)


def test_csv_without_header(tmp_path: Path) -> None:
    path = tmp_path / "noheader.csv"
    path.write_text("xã,,Giao Minh\nnăm,,2025\n", encoding="utf-8")
    (got,) = problems(path)
    assert got.startswith("noheader.csv: tiêu đề: không có dòng tiêu đề có ít nhất cột «Loại» và «Giá trị»")


# ---------------------------------------------------------------- XLSX and the template


def test_xlsx_reads_text_and_excel_numbers() -> None:
    f = load_figures(FIX / "good.xlsx")
    assert (f.commune, f.province, f.year) == ("Đại Sơn", "Hải Phòng", 2025)
    online, payment, satisfaction = f.indicators
    assert (online.value.value, online.target.value, online.row) == (71.2, 70.0, 5)
    assert (payment.value_raw, payment.value.value, payment.value.percent) == ("76,5%", 76.5, True)
    assert satisfaction.target_raw == "90%"  # a 0.9 cell formatted as percent
    assert [(x.value_raw, x.value.value) for x in f.facts] == [("9461", 9461.0), ("1.429", 1429.0)]
    assert f.observations == ["Trụ sở UBND xã còn chật hẹp."]


def test_bad_xlsx_names_rows() -> None:
    got = problems(FIX / "bad.xlsx")
    assert got == [
        "bad.xlsx: dòng 4, cột Giá trị: «71,2 %%» không phải là một con số (ví dụ đúng: 71,2%, 1.429, ~15%)",
        "bad.xlsx: dòng 5, cột Tên chỉ tiêu: thiếu tên chỉ tiêu",
        "bad.xlsx: dòng 6, cột Mục tiêu: «tốt» không phải là mục tiêu có dấu so sánh "
        "(ví dụ đúng: ≥80%, >50%, ≤5%, 100%)",
    ]
    _no_english(got)


def test_blank_template_asks_for_commune_and_year() -> None:
    got = problems(TEMPLATE)
    assert [p.split(": ")[1] for p in got] == ["tên xã", "năm báo cáo"]


def test_filled_template_reads(tmp_path: Path) -> None:
    wb = openpyxl.load_workbook(TEMPLATE)
    ws = wb["Số liệu"]
    rows = {}
    for row in ws.iter_rows(min_row=2):
        rows.setdefault(row[0].value, []).append(row[0].row)
    ws.cell(rows["xã"][0], 3, "Đại Sơn")
    ws.cell(rows["năm"][0], 3, 2025)
    first, second = rows["chỉ tiêu"][:2]
    ws.cell(first, 2, "Tỷ lệ hồ sơ TTHC xử lý trực tuyến")
    ws.cell(first, 3, "71,2%")
    ws.cell(first, 4, "≥70%")
    ws.cell(second, 2, "Tỷ lệ thanh toán trực tuyến")
    ws.cell(second, 3, "76,5%")
    ws.cell(rows["số liệu"][0], 2, "Tổng số hộ gia đình")
    ws.cell(rows["số liệu"][0], 3, "9.461")
    ws.cell(rows["nhận xét"][0], 2, "Trụ sở UBND xã còn chật hẹp.")
    path = tmp_path / "filled.xlsx"
    wb.save(path)
    f = load_figures(path)
    assert (f.commune, f.year, f.province) == ("Đại Sơn", 2025, "")
    assert [(i.name, i.value.value) for i in f.indicators] == [
        ("Tỷ lệ hồ sơ TTHC xử lý trực tuyến", 71.2),
        ("Tỷ lệ thanh toán trực tuyến", 76.5),
    ]
    assert f.indicators[0].target.comparator == ">="
    assert f.facts[0].value.value == 9461
    assert f.observations == ["Trụ sở UBND xã còn chật hẹp."]


def test_template_script_writes_a_readable_template(tmp_path: Path) -> None:
    out = tmp_path / "template.xlsx"
    script = ROOT / "scripts" / "make_figures_template.py"
    subprocess.run([sys.executable, str(script), str(out)], check=True, capture_output=True)
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == ["Số liệu", "Hướng dẫn"]
    header = [c.value for c in wb["Số liệu"][1]]
    assert header == ["Loại", "Tên chỉ tiêu / Nội dung", "Giá trị", "Mục tiêu", "Ghi chú"]
    assert [p.split(": ")[1] for p in problems(out)] == ["tên xã", "năm báo cáo"]


# ---------------------------------------------------------------- other entry points


def test_rows_from_a_web_table() -> None:
    f = figures_from_rows(
        [
            ["section", "name", "value", "target"],
            ["commune", "", "Đại Sơn", ""],
            ["year", "", 2025, ""],
            ["indicator", "Tỷ lệ hồ sơ TTHC xử lý trực tuyến", "71,2%", ">50%"],
        ]
    )
    assert f.source == "table" and f.indicators[0].target.comparator == ">"
    with pytest.raises(FiguresError, match=r"table: dòng 3, cột Giá trị: «x» không phải là một con số"):
        figures_from_rows([["Loại", "Tên", "Giá trị"], ["xã", "", "A"], ["chỉ tiêu", "B", "x"]])


def test_unsupported_or_missing_files(tmp_path: Path) -> None:
    (tmp_path / "figures.txt").write_text("commune: A", encoding="utf-8")
    (got,) = problems(tmp_path / "figures.txt")
    assert "không đọc được loại tệp «.txt»" in got
    (got,) = problems(tmp_path / "nothing.yaml")
    assert got.startswith("nothing.yaml: không tìm thấy tệp")
    broken = tmp_path / "broken.xlsx"
    shutil.copy(FIX / "good.csv", broken)
    (got,) = problems(broken)
    assert got.startswith("broken.xlsx: tệp Excel: ") and "không phải tệp .xlsx hợp lệ" in got
    assert "Error" not in got  # the library's exception stays in the log
