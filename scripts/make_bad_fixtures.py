"""Write the small bad-input files of tests/fixtures/bad/ (run once; the outputs are committed).

Large files (over the size limit, the 10 MB single paragraph) and odd file names are made by the
tests themselves in a temporary folder, to keep the repository light. Empty, truncated and
password-protected PDFs and a zip-of-junk .docx already live in tests/fixtures/ingest/ (made by
make_ingest_fixtures.py) and are reused from there.
"""

from __future__ import annotations

import unicodedata
import zipfile
import zlib
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "bad"

# A short made-up commune report, written for these tests.
REPORT = """BÁO CÁO
Kết quả chuyển đổi số năm 2025 của xã {name}
I. KẾT QUẢ THỰC HIỆN
1. Hạ tầng số
Xã {name} có {thon} thôn; Tổ công nghệ số cộng đồng có {tv} thành viên.
Tỷ lệ hồ sơ thủ tục hành chính xử lý trực tuyến đạt {pct}.
2. Tồn tại, hạn chế
Đường truyền ở vùng đồi còn chập chờn; nhiều người cao tuổi chưa quen dùng điện thoại thông minh.
II. PHƯƠNG HƯỚNG NĂM 2026
Phấn đấu mọi thôn có điểm hỗ trợ dịch vụ công trực tuyến.
"""

# TCVN3 (ABC, "VN3" fonts such as .VnTime): the 8-bit code of each lower-case letter with marks,
# and of the seven capital base letters; capitals with tone marks need the separate "H" fonts.
TCVN3_LETTERS = ("àáảãạăằắẳẵặâầấẩẫậđèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵ"
                 "ĂÂĐÊÔƠƯ")
TCVN3_CODES = bytes([
    0xB5, 0xB8, 0xB6, 0xB7, 0xB9, 0xA8, 0xBB, 0xBE, 0xBC, 0xBD, 0xC6, 0xA9, 0xC7, 0xCA, 0xC8,
    0xC9, 0xCB, 0xAE, 0xCC, 0xD0, 0xCE, 0xCF, 0xD1, 0xAA, 0xD2, 0xD5, 0xD3, 0xD4, 0xD6, 0xD7,
    0xDD, 0xD8, 0xDC, 0xDE, 0xDF, 0xE3, 0xE1, 0xE2, 0xE4, 0xAB, 0xE5, 0xE8, 0xE6, 0xE7, 0xE9,
    0xAC, 0xEA, 0xED, 0xEB, 0xEC, 0xEE, 0xEF, 0xF3, 0xF1, 0xF2, 0xF4, 0xAD, 0xF5, 0xF8, 0xF6,
    0xF7, 0xF9, 0xFA, 0xFD, 0xFB, 0xFC, 0xFE, 0xA1, 0xA2, 0xA7, 0xA3, 0xA4, 0xA5, 0xA6,
])
TONE_MARKS = "\u0300\u0301\u0303\u0309\u0323"  # huyền, sắc, ngã, hỏi, nặng
TCVN3_ENCODE = dict(zip(TCVN3_LETTERS, TCVN3_CODES, strict=True))


def report(name: str, thon: int, tv: int, pct: str) -> str:
    return REPORT.format(name=name, thon=thon, tv=tv, pct=pct)


def cp1258_bytes(text: str) -> bytes:
    """Windows-1258 as Word wrote it: a base letter, then the tone mark as a combining character."""
    out = bytearray()
    for ch in text:
        try:
            out += ch.encode("cp1258")
        except UnicodeEncodeError:
            d = unicodedata.normalize("NFD", ch)
            tone = next(m for m in d if m in TONE_MARKS)
            base = unicodedata.normalize("NFC", d.replace(tone, ""))
            out += base.encode("cp1258") + tone.encode("cp1258")
    return bytes(out)


def tcvn3_bytes(text: str) -> bytes:
    """TCVN3 (ABC) bytes; a capital with a tone mark is written as its lower-case code (VN3 font)."""
    out = bytearray()
    for ch in unicodedata.normalize("NFC", text):
        if ch in TCVN3_ENCODE:
            out.append(TCVN3_ENCODE[ch])
        elif ch.lower() in TCVN3_ENCODE and not ch.isascii():
            out.append(TCVN3_ENCODE[ch.lower()])
        else:
            out += ch.encode("ascii", "replace")  # typographic quotes, dashes …: "?"
    return bytes(out)


def mixed_nfc_nfd(text: str) -> str:
    """Every other line decomposed (NFD), as text pasted from macOS or old web pages can be."""
    lines = text.splitlines()
    return "\n".join(unicodedata.normalize("NFD" if i % 2 else "NFC", x) for i, x in enumerate(lines)) + "\n"


def image_only_pdf() -> bytes:
    """A one-page PDF that draws a small grey image and has no text at all (a 'scan')."""
    w = h = 16
    pixels = bytes((x * 16) % 256 for _ in range(h) for x in range(w))
    img = zlib.compress(pixels)
    content = b"q 400 0 0 400 100 300 cm /Im1 Do Q"
    objs = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /XObject << /Im1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceGray "
        b"/BitsPerComponent 8 /Filter /FlateDecode /Length %d >>\nstream\n" % (w, h, len(img))
        + img + b"\nendstream",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for i, body in enumerate(objs, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, xref)
    return bytes(out)


def corrupt_pdf() -> bytes:
    """A PDF header followed by bytes that are not PDF objects (a broken download)."""
    junk = bytes((i * 37 + 11) % 256 for i in range(1500))
    return b"%PDF-1.7\n" + junk


def junk_parts_docx(path: Path) -> None:
    """A zip that looks like a Word package but whose document part is not XML."""
    when = (2025, 11, 1, 8, 0, 0)  # fixed, so the file is the same on every run
    with zipfile.ZipFile(path, "w") as z:
        z.writestr(zipfile.ZipInfo("[Content_Types].xml", when),
                   '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/'
                   'package/2006/content-types"></Types>')
        z.writestr(zipfile.ZipInfo("word/document.xml", when), b"\x89 this is not xml \x00\x01")


def main() -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "empty.pdf").write_bytes(b"")
    (OUT / "corrupt.pdf").write_bytes(corrupt_pdf())
    (OUT / "image_only.pdf").write_bytes(image_only_pdf())
    (OUT / "renamed_txt.docx").write_text(report("Hòa Bình", 9, 45, "71,5%"), encoding="utf-8")
    junk_parts_docx(OUT / "junk_parts.docx")
    (OUT / "cp1258_lam_son.txt").write_bytes(cp1258_bytes(report("Lam Sơn", 11, 63, "58,2%")))
    (OUT / "tcvn3_phu_my.txt").write_bytes(tcvn3_bytes(report("Phú Mỹ", 13, 77, "66,4%")))
    (OUT / "mixed_nfc_nfd_duc_thinh.txt").write_text(
        mixed_nfc_nfd(report("Đức Thịnh", 7, 38, "49,3%")), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
