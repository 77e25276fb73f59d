"""Read .txt, .md, .pdf and .docx files into plain NFC text, with plain reasons when they can't be read.

Every refusal is an `UnreadableFile` with a Vietnamese reason; the technical cause (an exception
class) is kept in its `detail`, shown only with ASSISTANT_DEBUG. The resource limits of
`ingest.limits` are checked before each expensive step.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from assistant.ingest.errors import UnreadableFile
from assistant.ingest.limits import Limits
from assistant.text.normalize import nfc

if TYPE_CHECKING:
    from assistant.ingest.ocr import OcrOptions
    from assistant.settings import Settings

log = logging.getLogger(__name__)

SUPPORTED_SUFFIXES = (".txt", ".md", ".pdf", ".docx",
                      ".doc", ".odt", ".xlsx", ".xls", ".ods",  # ingest/office.py (LibreOffice)
                      ".jpg", ".jpeg", ".png", ".tif", ".tiff")  # ingest/ocr.py (Tesseract)


@dataclass
class RawText:
    """Text of one file. `hard_breaks` means each line is a real paragraph (Word), not a wrap."""

    text: str
    hard_breaks: bool
    pages: int = 0


def read_file(path: Path, *, max_mb: float = 50.0, limits: Limits | None = None,
              settings: Settings | None = None, progress: Callable[[int, int], None] | None = None) -> RawText:
    """Read one file; raise UnreadableFile with a plain reason on any problem.

    `limits` (default: those of `settings`, else the default limits with `max_mb` as the file
    size limit) are checked before each expensive step; the text is refused when it is longer
    than `limits.text_chars`. `settings` configures OCR and LibreOffice; `progress(pages done,
    pages)` follows OCR.
    """
    if limits is None:
        limits = Limits.from_settings(settings) if settings is not None else Limits(file_mb=max_mb)
    if not path.exists():
        raise UnreadableFile(path, "không tìm thấy tệp")
    if not path.is_file():
        raise UnreadableFile(path, "đây không phải là một tệp (có thể là thư mục)")
    size = path.stat().st_size
    if size == 0:
        raise UnreadableFile(path, "tệp rỗng (0 byte)")
    limits.check_file_size(path, size)
    suffix = path.suffix.lower()
    if suffix in (".txt", ".md"):
        limits.check_bytes_of_text(path, size)
        raw = RawText(_read_text(path), hard_breaks=False)
    elif suffix == ".pdf":
        from assistant.ingest.ocr import OcrOptions

        raw = _read_pdf(path, limits, OcrOptions.from_settings(settings, progress))
    elif suffix == ".docx":
        limits.check_zip(path, ".docx")
        _check_docx_text(path, limits)
        raw = RawText(_read_docx(path), hard_breaks=True)
    elif suffix in (".doc", ".odt", ".xlsx", ".xls", ".ods"):
        from assistant.ingest.office import read_office

        raw = read_office(path, settings, limits)
    elif suffix in (".jpg", ".jpeg", ".png", ".tif", ".tiff"):
        from assistant.ingest.ocr import OcrOptions, read_image

        raw = read_image(path, OcrOptions.from_settings(settings, progress))
    else:
        raise UnreadableFile(
            path, f"không nhận loại tệp '{suffix or '(không có đuôi)'}'; chỉ nhận "
                  f"{' '.join(SUPPORTED_SUFFIXES)}")
    limits.check_text(path, len(raw.text))
    text = nfc(raw.text)
    if len(text.strip()) < 20:
        raise UnreadableFile(path, "không có chữ đọc được trong tệp")
    raw.text = text
    return raw


def _read_text(path: Path) -> str:
    data = path.read_bytes()
    if b"\x00" in data[:4096] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise UnreadableFile(path, "đây không phải tệp văn bản (nội dung nhị phân)")
    for encoding in ("utf-8-sig", "utf-16"):
        if encoding == "utf-16" and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
            continue
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    log.warning("%s không phải UTF-8; đọc theo bảng mã Windows-1258 (tiếng Việt)", path.name)
    try:
        text = data.decode("cp1258")
    except UnicodeDecodeError as exc:
        raise UnreadableFile(path, "không nhận ra bảng mã của văn bản; hãy lưu lại tệp dạng UTF-8",
                             detail=f"UnicodeDecodeError: {exc}") from exc
    if _looks_tcvn3(text):
        raise UnreadableFile(
            path, "văn bản dùng bảng mã TCVN3 (phông .VnTime, bảng mã ABC); hãy chuyển sang Unicode "
            "(ví dụ bằng công cụ chuyển mã của Unikey) rồi lưu dạng UTF-8")
    return text


# Bytes 0xA8–0xB9 are Vietnamese letters in TCVN3 (¸ = á, µ = à, ¨ = ă …) but rare symbols in real
# Windows-1258 text, so many of them mean the file is TCVN3 read the wrong way.
_TCVN3_MARKS = frozenset("¨©ª«¬®¯°±²³´µ¶·¸¹")


def _looks_tcvn3(text: str) -> bool:
    letters = sum(ch.isalpha() for ch in text) or 1
    return sum(ch in _TCVN3_MARKS for ch in text) / letters > 0.01


def _read_pdf(path: Path, limits: Limits, ocr: OcrOptions | None = None) -> RawText:
    """The text layer of every page; pages that are scans are read by OCR (`ingest.ocr`) once the
    whole file has passed the page and decoded-contents limits."""
    try:
        from pypdf import PdfReader
        from pypdf.errors import PdfReadError
    except ImportError as exc:  # pragma: no cover - core dependency
        raise UnreadableFile(path, "thiếu gói đọc PDF (pypdf); cài lại: pip install -e .") from exc
    from assistant.ingest.ocr import scanned_pages

    pages: list[str] = []
    try:
        with _pdf_stream_limit(limits):
            reader = PdfReader(str(path))
            if reader.is_encrypted:
                try:
                    ok = reader.decrypt("")
                except Exception:  # noqa: BLE001 - pypdf raises several kinds here
                    ok = 0
                if not ok:
                    raise UnreadableFile(path, "tệp PDF có mật khẩu; hãy bỏ mật khẩu rồi nạp lại")
            n_pages = len(reader.pages)
            limits.check_pages(path, n_pages)
            decoded = 0
            for i, page in enumerate(reader.pages, start=1):  # every page is measured before any
                decoded += _decoded_contents(page)  # text is extracted (pypdf keeps what it decoded)
                if decoded > limits.pdf_stream_mb * MB:
                    raise limits.pdf_stream_exceeded(path, decoded, i)
            pages = [page.extract_text() or "" for page in reader.pages]
            scanned = scanned_pages(reader.pages, pages)
            sizes = [(float(p.mediabox.width), float(p.mediabox.height)) for p in reader.pages] if scanned else []
    except UnreadableFile:
        raise
    except Exception as exc:  # noqa: BLE001 - pypdf may raise anything on a broken file
        if _is_limit(exc):
            raise limits.pdf_stream_exceeded(path, None, 0) from exc
        damaged = isinstance(exc, PdfReadError | ValueError | KeyError | TypeError | OSError)
        raise UnreadableFile(
            path, "tệp PDF bị hỏng hoặc không đầy đủ" if damaged else "không đọc được tệp PDF này",
            detail=f"{exc.__class__.__name__}: {exc}") from exc
    if scanned and ocr is not None:
        from assistant.ingest.ocr import read_scanned_pages

        raw = read_scanned_pages(path, pages, scanned, ocr, sizes)
        if raw is not None:
            return raw
    text = "\n".join(pages)
    if len(text.strip()) < 20:
        raise UnreadableFile(
            path, "tệp PDF không có lớp chữ (có thể là bản quét); cần nhận dạng chữ (OCR) trước")
    return RawText(text, hard_breaks=False, pages=len(pages))


MB = 1024 * 1024


def _pdf_stream_limit(limits: Limits):  # noqa: ANN202 - a context manager
    """pypdf's own per-stream decoding limits set to ours for this read (pypdf >= 6.4; with an
    older pypdf its built-in 75 MB limits apply and the page total below still holds)."""
    import contextlib

    try:
        from pypdf import apply_configuration
    except ImportError:  # pragma: no cover - older pypdf
        return contextlib.nullcontext()
    cap = max(1, int(limits.pdf_stream_mb * MB))
    return apply_configuration(
        zlib_maximum_output_length=cap, lzw_maximum_output_length=cap,
        run_length_maximum_output_length=cap, array_based_stream_maximum_output_length=cap,
        stream_decoding_work_maximum_length=2 * cap)


def _decoded_contents(page) -> int:  # noqa: ANN001 - pypdf PageObject
    """Bytes of a page's content streams and of the form XObjects it draws, once decoded."""
    total, seen = 0, set()
    contents = page.get_contents()
    if contents is not None:
        total += len(contents.get_data())
    stack = [page.get("/Resources")]
    while stack:
        res = stack.pop()
        res = res.get_object() if res is not None else None
        xobjects = res.get("/XObject") if hasattr(res, "get") else None
        xobjects = xobjects.get_object() if xobjects is not None else None
        if not hasattr(xobjects, "values"):
            continue
        for ref in xobjects.values():
            key = getattr(ref, "idnum", None) or id(ref)
            if key in seen:
                continue
            seen.add(key)
            obj = ref.get_object()
            if obj.get("/Subtype") == "/Form":
                total += len(obj.get_data())
                stack.append(obj.get("/Resources"))
    return total


def _is_limit(exc: BaseException) -> bool:
    try:
        from pypdf.errors import LimitReachedError
    except ImportError:  # pragma: no cover - older pypdf
        return False
    while exc is not None:
        if isinstance(exc, LimitReachedError):
            return True
        exc = exc.__cause__ or exc.__context__
    return False


_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def _check_docx_text(path: Path, limits: Limits) -> None:
    """Count the characters of the document's text by streaming its XML, one paragraph at a time,
    and refuse it as soon as they pass `limits.text_chars`: python-docx would build the whole tree
    first (86 MB of XML took minutes and 0.8 GB before the text could be counted)."""
    import zipfile

    from lxml import etree

    chars = 0
    try:
        with zipfile.ZipFile(path) as zf, zf.open("word/document.xml") as fh:
            for _, el in etree.iterparse(fh, events=("end",), tag=f"{_W}p", resolve_entities=False,
                                         no_network=True, huge_tree=False):
                chars += sum(len(t.text or "") for t in el.iter(f"{_W}t"))
                if chars > limits.text_chars:
                    limits.check_text(path, chars, counted_all=False)
                el.clear(keep_tail=False)
                parent = el.getparent()
                while parent is not None and el.getprevious() is not None:
                    del parent[0]
    except (KeyError, etree.XMLSyntaxError, zipfile.BadZipFile, OSError):
        return  # not this check's business: the reader says what is wrong with the file


def _read_docx(path: Path) -> str:
    try:
        import docx
        from docx.table import Table
        from docx.text.paragraph import Paragraph

        document = docx.Document(str(path))
    except Exception as exc:  # noqa: BLE001 - python-docx raises several kinds on junk
        raise UnreadableFile(path, "không đọc được nội dung tệp .docx (tệp hỏng hoặc không phải văn bản Word)",
                             detail=f"{exc.__class__.__name__}: {exc}") from exc
    lines: list[str] = []
    for block in document.iter_inner_content():
        if isinstance(block, Paragraph):
            lines.append(block.text)
        elif isinstance(block, Table):
            lines.extend(_table_rows(block))
    return "\n".join(lines)


def _table_rows(table) -> list[str]:  # noqa: ANN001 - python-docx Table
    """One line per table row, cells joined by ' | ' (merged cells counted once)."""
    rows = []
    for row in table.rows:
        cells: list[str] = []
        for cell in row.cells:
            text = " ".join(cell.text.split())
            if text and (not cells or cells[-1] != text):
                cells.append(text)
        if cells:
            rows.append(" | ".join(cells))
    return rows
