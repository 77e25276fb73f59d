"""Write hostile upload files: small on disk, huge (or endless) work once read.

    python scripts/make_hostile_fixtures.py OUT_DIR [--full]

By default the files are sized just over the small limits of `TEST_LIMITS` (kilobytes on disk,
a few megabytes of work), so the tests that refuse them stay fast. With `--full` they are sized
like the files the issue found, against the default limits: a 3 MB .docx that unzips to 3 GB, a
.docx of 200 MB of text, a 100-page PDF whose page contents decode to hundreds of megabytes.
Nothing here is committed: the tests and the benchmarks call `make_all` into a temporary folder.

Each file is written by hand (zip parts, PDF objects), so no generator library caps or repairs it.
"""

from __future__ import annotations

import argparse
import json
import struct
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

MB = 1024 * 1024

# The limits the small files are made to break (tests pass these as settings).
TEST_LIMITS = {"max_unzipped_mb": 8.0, "max_pdf_pages": 40, "max_pdf_stream_mb": 4.0,
               "max_text_chars": 200_000, "max_chunks_per_doc": 120}

XLSX_MB = 120.0  # figures files are read under the default limit (100 MB): always over it
LINE = "UBND xa Hoa Lac trien khai chuyen doi so tai cac thon va khu dan cu "  # ASCII: PDF base font

CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/word/document.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
    '</Types>')
RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    'officeDocument" Target="word/document.xml"/></Relationships>')
DOC_HEAD = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>')
DOC_TAIL = "</w:body></w:document>"


def _para(text: str) -> str:
    return f"<w:p><w:r><w:t>{text}</w:t></w:r></w:p>"


@dataclass
class Hostile:
    """One hostile file and the limit that must stop it (None: processed, within the limits)."""

    path: Path
    limit: str | None
    what: str


# ------------------------------------------------------------------ .docx / .xlsx


def _write_docx(path: Path, body_pieces, *, level: int = 9) -> None:  # noqa: ANN001 - iterable of str
    """A minimal valid .docx whose document.xml is streamed from `body_pieces` (never held whole)."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as z:
        z.writestr("[Content_Types].xml", CONTENT_TYPES)
        z.writestr("_rels/.rels", RELS)
        with z.open("word/document.xml", "w", force_zip64=True) as fh:
            fh.write(DOC_HEAD.encode())
            for piece in body_pieces:
                fh.write(piece.encode())
            fh.write(DOC_TAIL.encode())


def zip_bomb_docx(path: Path, expanded_mb: float) -> Path:
    """A .docx whose document.xml unzips to `expanded_mb` of one repeated paragraph (~1000:1)."""
    block = _para(LINE) * 2000
    n = int(expanded_mb * MB / len(block)) + 1
    _write_docx(path, (block for _ in range(n)))
    return path


def lying_zip_docx(path: Path, expanded_mb: float, declared: int = 4096) -> Path:
    """A zip bomb whose directory claims document.xml is only `declared` bytes: a reader that
    trusted the data instead of the directory would inflate all of it."""
    zip_bomb_docx(path, expanded_mb)
    data = bytearray(path.read_bytes())
    name = b"word/document.xml"
    with zipfile.ZipFile(path) as z:
        info = z.getinfo(name.decode())
    zip64 = info.file_size >= 0xFFFFFFFF
    # local header: size fields at 18 (compressed) and 22 (uncompressed)
    local = info.header_offset
    assert data[local:local + 4] == b"PK\x03\x04"
    if not zip64:
        struct.pack_into("<I", data, local + 22, declared)
    # central directory entry of the same part
    central, pos = -1, data.find(b"PK\x01\x02")
    while pos != -1:
        n_len = struct.unpack_from("<H", data, pos + 28)[0]
        if bytes(data[pos + 46:pos + 46 + n_len]) == name:
            central = pos
            break
        pos = data.find(b"PK\x01\x02", pos + 4)
    assert central != -1
    if zip64:  # sizes live in the zip64 extra field (uncompressed first)
        n_len, e_len = struct.unpack_from("<HH", data, central + 28)
        extra = central + 46 + n_len
        end = extra + e_len
        while extra < end:
            tag, size = struct.unpack_from("<HH", data, extra)
            if tag == 1:
                struct.pack_into("<Q", data, extra + 4, declared)
                break
            extra += 4 + size
    else:
        struct.pack_into("<I", data, central + 24, declared)
    path.write_bytes(bytes(data))
    return path


def text_flood_docx(path: Path, chars: int) -> Path:
    """A .docx of `chars` characters of varied report-like text (it compresses well, but less)."""
    def pieces():  # noqa: ANN202
        made, i = 0, 0
        while made < chars:
            text = f"Muc {i}: thon so {i % 97} co {i % 1000} ho dung cap quang, dat {i % 100} phan tram."
            made += len(text)
            i += 1
            yield _para(text)
    _write_docx(path, pieces())
    return path


def zip_bomb_xlsx(path: Path, expanded_mb: float) -> Path:
    """An .xlsx (figures file) whose one sheet unzips to `expanded_mb`."""
    row = f'<row><c t="inlineStr"><is><t>{LINE}</t></is></c></row>' * 200
    n = int(expanded_mb * MB / len(row)) + 1
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        z.writestr("[Content_Types].xml", CONTENT_TYPES.replace("word/document.xml", "xl/workbook.xml"))
        z.writestr("_rels/.rels", RELS.replace("word/document.xml", "xl/workbook.xml"))
        with z.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as fh:
            fh.write(b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>')
            for _ in range(n):
                fh.write(row.encode())
            fh.write(b"</sheetData></worksheet>")
    return path


# ------------------------------------------------------------------ .pdf


def _pdf(path: Path, objects: list[bytes]) -> Path:
    """Write PDF objects 1..n (object 1 is the catalog) with a correct cross-reference table."""
    out = bytearray(b"%PDF-1.5\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for i, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{i} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    path.write_bytes(bytes(out))
    return path


def _stream(data: bytes, extra: str = "", *, compress: bool = True) -> bytes:
    if compress:
        data = zlib.compress(data, 9)
        extra += " /Filter /FlateDecode"
    return f"<< /Length {len(data)}{extra} >>\nstream\n".encode() + data + b"\nendstream"


def _text_ops(n_lines: int) -> bytes:
    ops = [b"BT /F1 9 Tf 40 800 Td 11 TL"]
    ops += [f"({LINE}{i}) '".encode() for i in range(n_lines)]
    return b"\n".join(ops) + b"\nET"


def _pages_pdf(path: Path, contents: list[int], n_pages: int, streams: list[bytes],
               extra_objects: list[bytes] = (), xobject: int | None = None) -> Path:
    """Catalog, page tree, font, then the content streams, then the pages (each page draws
    `contents[i % len(contents)]`, an object number among the streams)."""
    first_stream = 4
    first_page = first_stream + len(streams) + len(extra_objects)
    kids = " ".join(f"{first_page + i} 0 R" for i in range(n_pages))
    res = "<< /Font << /F1 3 0 R >>" + (f" /XObject << /X1 {xobject} 0 R >>" if xobject else "") + " >>"
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>",
               f"<< /Type /Pages /Kids [{kids}] /Count {n_pages} >>".encode(),
               b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
               *streams, *extra_objects]
    for i in range(n_pages):
        objects.append(f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources {res} "
                       f"/Contents {contents[i % len(contents)]} 0 R >>".encode())
    return _pdf(path, objects)


def many_pages_pdf(path: Path, pages: int) -> Path:
    """`pages` pages sharing one small content stream (a few bytes per page on disk)."""
    return _pages_pdf(path, [4], pages, [_stream(_text_ops(3))])


def stream_bomb_pdf(path: Path, decoded_mb: float, pages: int = 10) -> Path:
    """`pages` pages, each with its own content stream; together they decode to `decoded_mb`
    of text-drawing operators (each compresses about 100:1 or better)."""
    per_page = max(1, int(decoded_mb * MB / pages / (len(LINE) + 8)) + 1)
    streams = [_stream(_text_ops(per_page) + f"\n% page {i}".encode()) for i in range(pages)]
    return _pages_pdf(path, [4 + i for i in range(pages)], pages, streams)


def form_bomb_pdf(path: Path, decoded_mb: float) -> Path:
    """One page whose small content stream draws a form XObject that decodes to `decoded_mb`."""
    lines = max(1, int(decoded_mb * MB / (len(LINE) + 8)) + 1)
    page = _stream(b"q /X1 Do Q")
    form = _stream(_text_ops(lines), " /Type /XObject /Subtype /Form /BBox [0 0 595 842] "
                   "/Resources << /Font << /F1 3 0 R >> >>")
    return _pages_pdf(path, [4], 1, [page], [form], xobject=5)


# ------------------------------------------------------------------ text


def many_passages_md(path: Path, passages: int) -> Path:
    """A short Markdown file whose numbered headings ("3.17. Mục …") cut it into `passages`
    passages (a chunk never crosses a heading)."""
    heads = (f"{i // 90 + 1}.{i % 90 + 1}. Mục {i}" for i in range(passages))
    path.write_text("".join(f"{h}\nXã lắp {i} camera.\n" for i, h in enumerate(heads)), encoding="utf-8")
    return path


def long_lines_txt(path: Path, lines: int) -> Path:
    """`lines` long lines with no sentence punctuation: one paragraph (cleaning used to be quadratic)."""
    text = ("xã tổ chức tuyên truyền chuyển đổi số cho người dân trong các thôn và khu dân cư "
            "với nhiều hình thức khác nhau")
    path.write_text("\n".join([text] * lines), encoding="utf-8")
    return path


# ------------------------------------------------------------------ all of them


def make_all(folder: Path, *, full: bool = False) -> list[Hostile]:
    """Every hostile file, sized over `TEST_LIMITS` (default) or over the default limits (`full`)."""
    folder.mkdir(parents=True, exist_ok=True)
    if full:  # the sizes of the issue, against the default settings
        unzipped, chars, pages, stream, chunks = 3072.0, 200 * MB, 600, 400.0, 3500
    else:
        lim = TEST_LIMITS
        unzipped, chars = lim["max_unzipped_mb"] * 1.5, int(lim["max_text_chars"] * 1.5)
        pages, stream, chunks = lim["max_pdf_pages"] + 10, lim["max_pdf_stream_mb"] * 2.5, lim["max_chunks_per_doc"] + 30
    return [
        Hostile(zip_bomb_docx(folder / "bom_zip.docx", unzipped), "ASSISTANT_MAX_UNZIPPED_MB",
                f".docx unzipping to {unzipped:g} MB"),
        Hostile(lying_zip_docx(folder / "bom_zip_khai_sai.docx", unzipped), None,
                ".docx zip bomb whose directory lies about the size (refused as damaged)"),
        Hostile(zip_bomb_xlsx(folder / "bom_zip.xlsx", max(unzipped, XLSX_MB)), "ASSISTANT_MAX_UNZIPPED_MB",
                f".xlsx figures file unzipping to {max(unzipped, XLSX_MB):g} MB (default limit)"),
        Hostile(text_flood_docx(folder / "lu_chu.docx", chars),
                "ASSISTANT_MAX_UNZIPPED_MB" if full else "ASSISTANT_MAX_TEXT_CHARS",
                f".docx of {chars:,} characters"),
        *([Hostile(text_flood_docx(folder / "lu_chu_vua.docx", 60_000_000), "ASSISTANT_MAX_TEXT_CHARS",
                   ".docx of 60,000,000 characters, under the unzipped-size limit")] if full else []),
        Hostile(many_pages_pdf(folder / "nhieu_trang.pdf", pages), "ASSISTANT_MAX_PDF_PAGES",
                f"PDF of {pages} pages"),
        Hostile(stream_bomb_pdf(folder / "bom_luong.pdf", stream), "ASSISTANT_MAX_PDF_STREAM_MB",
                f"PDF whose page contents decode to {stream:g} MB"),
        Hostile(form_bomb_pdf(folder / "bom_form.pdf", stream), "ASSISTANT_MAX_PDF_STREAM_MB",
                f"PDF whose form XObject decodes to {stream:g} MB"),
        Hostile(many_passages_md(folder / "nhieu_doan.md", chunks), "ASSISTANT_MAX_CHUNKS_PER_DOC",
                f"Markdown cut into {chunks} passages"),
        Hostile(long_lines_txt(folder / "dong_dai.txt", 5000 if full else 900), None,
                "long lines without punctuation (processed, in linear time)"),
    ]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out", type=Path)
    ap.add_argument("--full", action="store_true", help="the sizes of the issue (slow to write: about a minute)")
    args = ap.parse_args()
    rows = [{"file": h.path.name, "bytes": h.path.stat().st_size, "limit": h.limit, "what": h.what}
            for h in make_all(args.out, full=args.full)]
    print(json.dumps(rows, indent=1))


if __name__ == "__main__":
    main()
