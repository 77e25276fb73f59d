"""Old and open Office files through LibreOffice headless, and spreadsheets read as table rows.

The .doc and .xls were saved by LibreOffice from the project's own files
(scripts/make_scanned_fixtures.py); .odt/.ods are made here from them.
"""

from __future__ import annotations

import shutil
import stat
from pathlib import Path

import pytest

from assistant.ingest.loaders import SUPPORTED_SUFFIXES, UnreadableFile, read_file
from assistant.ingest.office import vn_number
from assistant.ingest.pipeline import parse_file

from .conftest import FIXTURES, make_settings

SCANNED = FIXTURES / "scanned"
OFFICE = shutil.which("soffice") or shutil.which("libreoffice")
needs_office = pytest.mark.skipif(OFFICE is None, reason="LibreOffice is not installed")


@needs_office
def test_a_doc_is_read_with_its_table_as_rows(tmp_path: Path) -> None:
    _, chunks = parse_file(SCANNED / "xuan_phong_2025.doc", make_settings(tmp_path / "index"))
    lines = [line for c in chunks for line in c.text.splitlines()]
    assert "1 | Số máy tính của UBND xã | 42" in lines
    assert "Tỷ lệ hồ sơ thủ tục hành chính xử lý trực tuyến đạt 64,3% với 1.284 hồ sơ." in lines
    assert {c.commune for c in chunks} == {"Xuân Phong"}
    assert any(c.section.endswith("b) Tồn tại, hạn chế") and c.section_kind == "ton_tai" for c in chunks)
    assert not any(c.ocr for c in chunks)


@needs_office
def test_an_xls_is_read_as_rows_with_figures_written_the_vietnamese_way(tmp_path: Path) -> None:
    _, chunks = parse_file(SCANNED / "ninh_hai_so_lieu_2025.xls", make_settings(tmp_path / "index"))
    lines = [line for c in chunks for line in c.text.splitlines()]
    assert "STT | Chỉ tiêu | Đơn vị | Kết quả năm 2025 | Chỉ tiêu năm 2026" in lines
    assert "1 | Tỷ lệ hồ sơ thủ tục hành chính nộp trực tuyến | % | 68,3% | 80%" in lines
    assert "4 | Số camera an ninh kết nối về xã | camera | 58 | 75" in lines
    assert {c.commune for c in chunks} == {"Ninh Hải"}


def test_an_xlsx_is_read_directly_every_sheet_under_its_name(tmp_path: Path) -> None:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "Kết quả"
    ws.append(["Chỉ tiêu", "Giá trị"])
    ws.append(["Số hồ sơ trực tuyến", 12840])
    ws.append(["Tỷ lệ thanh toán trực tuyến", 0.455])
    ws["B3"].number_format = "0.0%"
    other = wb.create_sheet("Ghi chú")
    other.append(["Số liệu chốt ngày 20/11/2025 theo báo cáo của xã Phú Lộc."])
    path = tmp_path / "so_lieu.xlsx"
    wb.save(path)
    text = read_file(path).text
    assert text.splitlines() == ["Kết quả", "Chỉ tiêu | Giá trị", "Số hồ sơ trực tuyến | 12.840",
                                 "Tỷ lệ thanh toán trực tuyến | 45,5%", "Ghi chú",
                                 "Số liệu chốt ngày 20/11/2025 theo báo cáo của xã Phú Lộc."]


@needs_office
def test_odt_and_ods_are_converted_too(tmp_path: Path) -> None:
    from tests.test_faults import _script

    convert = _script("make_scanned_fixtures").convert
    odt = convert(FIXTURES / "ingest" / "xuan_phong_2025.docx", "odt", tmp_path)
    ods = convert(SCANNED / "ninh_hai_so_lieu_2025.xls", "ods", tmp_path)
    assert {".odt", ".ods"} <= set(SUPPORTED_SUFFIXES)
    assert "2 | Số camera giám sát | 16" in read_file(odt).text.splitlines()
    assert "3 | Số hộ gia đình có cáp quang | hộ | 4215 | 4600" in read_file(ods).text.splitlines()


def test_without_libreoffice_the_file_is_refused_with_the_install_command(tmp_path: Path) -> None:
    settings = make_settings(tmp_path / "index", office_command="soffice-khong-co")
    for name in ("xuan_phong_2025.doc", "ninh_hai_so_lieu_2025.xls"):
        with pytest.raises(UnreadableFile) as err:
            read_file(SCANNED / name, settings=settings)
        assert "LibreOffice" in err.value.reason
        assert "apt-get install libreoffice-writer libreoffice-calc" in err.value.reason


@needs_office
def test_a_file_libreoffice_cannot_convert_is_refused(tmp_path: Path) -> None:
    junk = tmp_path / "bao_cao_cu.doc"
    junk.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00 hong" * 300)  # an OLE header, then junk
    with pytest.raises(UnreadableFile) as err:
        read_file(junk, settings=make_settings(tmp_path / "index"))
    assert "LibreOffice không chuyển đổi được" in err.value.reason


def test_a_conversion_that_hangs_is_stopped_at_the_timeout(tmp_path: Path) -> None:
    """A stand-in office program that never finishes (as LibreOffice can on a damaged file)."""
    pidfile = tmp_path / "child.pid"
    fake = tmp_path / "fake-soffice"
    fake.write_text(f"#!/bin/sh\nsleep 120 &\necho $! > {pidfile}\nwait\n", encoding="utf-8")
    fake.chmod(fake.stat().st_mode | stat.S_IXUSR)
    settings = make_settings(tmp_path / "index", office_command=str(fake), office_timeout=1.0)
    with pytest.raises(UnreadableFile) as err:
        read_file(SCANNED / "xuan_phong_2025.doc", settings=settings)
    assert "1 giây" in err.value.reason and "ASSISTANT_OFFICE_TIMEOUT" in err.value.reason
    child = Path(f"/proc/{pidfile.read_text().strip()}/status")  # the whole process group was stopped
    assert not child.exists() or "State:\tZ" in child.read_text()


@pytest.mark.parametrize(("value", "written"), [(4215, "4215"), (12840, "12.840"), (68.3, "68,3"),
                                                (2025, "2025"), (1234567.5, "1.234.567,5"), (7.0, "7")])
def test_spreadsheet_figures_are_written_as_vietnamese_reports_write_them(value: float, written: str) -> None:
    assert vn_number(value) == written


@needs_office
def test_a_converted_file_passes_the_same_limits_as_an_uploaded_one(tmp_path: Path) -> None:
    """A small .doc may hold a large document: its .docx from LibreOffice is measured like an
    uploaded .docx, and the refusal names the file the user gave."""
    settings = make_settings(tmp_path / "index", max_unzipped_mb=0.001)
    for name in ("xuan_phong_2025.doc", "ninh_hai_so_lieu_2025.xls"):
        with pytest.raises(UnreadableFile) as err:
            read_file(SCANNED / name, settings=settings)
        assert err.value.path.name == name and "ASSISTANT_MAX_UNZIPPED_MB" in err.value.reason
