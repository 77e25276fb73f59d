"""Write the small real files the ingestion tests read (run once; outputs are committed).

A short made-up commune report as .docx (with a table) and as .pdf (converted by LibreOffice),
plus broken files: empty, truncated PDF, password-protected PDF, image-only PDF, junk .docx.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "ingest"

PARAS = [
    ("h", "BÁO CÁO"),
    ("p", "Kết quả chuyển đổi số năm 2025 của xã Xuân Phong"),
    ("h", "I. KẾT QUẢ THỰC HIỆN"),
    ("h", "1. Hạ tầng số"),
    ("h", "a) Kết quả đạt được"),
    ("p", "Xã Xuân Phong có 14 thôn; 100% thôn đã có Tổ công nghệ số cộng đồng với 98 thành viên. "
          "Tỷ lệ hộ gia đình có cáp quang đạt 87,5%."),
    ("h", "b) Tồn tại, hạn chế"),
    ("p", "Máy chủ của xã đã cũ, đường truyền tại thôn Đồng Cao còn chập chờn."),
    ("h", "2. Chính quyền số"),
    ("p", "Tỷ lệ hồ sơ thủ tục hành chính xử lý trực tuyến đạt 64,3% với 1.284 hồ sơ."),
    ("h", "II. PHƯƠNG HƯỚNG, NHIỆM VỤ NĂM 2026"),
    ("p", "Phấn đấu tỷ lệ hồ sơ trực tuyến toàn trình đạt trên 80%."),
]
TABLE = [("STT", "Chỉ tiêu", "Kết quả"), ("1", "Số máy tính của UBND xã", "42"),
         ("2", "Số camera giám sát", "16")]


def make_docx(path: Path) -> None:
    import docx

    d = docx.Document()
    for kind, text in PARAS[:6]:
        d.add_paragraph(text, style="Heading 2" if kind == "h" and text[0].isupper() and len(text) < 40 else None)
    t = d.add_table(rows=0, cols=3)
    for row in TABLE:
        cells = t.add_row().cells
        for c, v in zip(cells, row, strict=True):
            c.text = v
    for _kind, text in PARAS[6:]:
        d.add_paragraph(text)
    d.save(path)


def main() -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    docx_path = OUT / "xuan_phong_2025.docx"
    make_docx(docx_path)
    office = shutil.which("libreoffice") or shutil.which("soffice")
    if not office:
        print("LibreOffice is needed to make the PDF", file=sys.stderr)
        return 1
    subprocess.run([office, "--headless", "--convert-to", "pdf", "--outdir", str(OUT), str(docx_path)],
                   check=True, capture_output=True)
    pdf = OUT / "xuan_phong_2025.pdf"
    from pypdf import PdfReader, PdfWriter

    w = PdfWriter(clone_from=PdfReader(pdf))
    w.encrypt(user_password="mat-khau", owner_password="mat-khau")
    with open(OUT / "bad_encrypted.pdf", "wb") as fh:
        w.write(fh)
    blank = PdfWriter()
    blank.add_blank_page(width=595, height=842)
    with open(OUT / "bad_scanned.pdf", "wb") as fh:
        blank.write(fh)
    data = pdf.read_bytes()
    (OUT / "bad_truncated.pdf").write_bytes(data[: len(data) // 3])
    (OUT / "bad_empty.txt").write_bytes(b"")
    with zipfile.ZipFile(OUT / "bad_junk.docx", "w") as z:
        z.writestr("junk.bin", b"\x00\x01 not a word document")
    (OUT / "bad_unknown.xyz").write_text("không phải định dạng được hỗ trợ", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
