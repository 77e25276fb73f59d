"""Reading files: encodings, Unicode forms, limits — each problem named with a plain reason."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest

from assistant.ingest.loaders import UnreadableFile, read_file

from .conftest import FIXTURES


def _cp1258(text: str) -> bytes:
    """Encode as Windows-1258 does: tone marks as combining characters after the base letter."""
    out = b""
    for ch in text:
        try:
            out += ch.encode("cp1258")
        except UnicodeEncodeError:
            d = unicodedata.normalize("NFD", ch)
            out += unicodedata.normalize("NFC", d[:-1]).encode("cp1258") + d[-1].encode("cp1258")
    return out


def test_windows_1258_text_is_read_and_composed(tmp_path: Path):
    f = tmp_path / "cu.txt"
    f.write_bytes(_cp1258("Báo cáo chuyển đổi số của xã Hòa Bình năm 2025."))
    assert "chuyển đổi số của xã Hòa Bình" in read_file(f).text


def test_nfd_text_becomes_nfc(tmp_path: Path):
    f = tmp_path / "nfd.txt"
    f.write_text("Ho\u0302\u0300 so\u031b tru\u031b\u0323c tuye\u0302\u0301n của xã đạt 80%.", encoding="utf-8")
    assert "Hồ sơ trực tuyến" in read_file(f).text


def test_size_limit(tmp_path: Path):
    f = tmp_path / "big.txt"
    f.write_text("x" * 2_000_000, encoding="utf-8")
    with pytest.raises(UnreadableFile, match="vượt giới hạn 1 MB"):
        read_file(f, max_mb=1)


def test_binary_junk_named_txt(tmp_path: Path):
    f = tmp_path / "junk.txt"
    f.write_bytes(b"\x00\x01\x02" * 100)
    with pytest.raises(UnreadableFile, match="không phải tệp văn bản"):
        read_file(f)


def test_docx_tables_become_rows():
    raw = read_file(FIXTURES / "ingest" / "xuan_phong_2025.docx")
    assert raw.hard_breaks and "1 | Số máy tính của UBND xã | 42" in raw.text


def test_pdf_text_layer_is_read():
    raw = read_file(FIXTURES / "ingest" / "xuan_phong_2025.pdf")
    assert "64,3%" in raw.text and "1.284" in raw.text and not raw.hard_breaks
