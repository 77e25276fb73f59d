"""Read .txt, .md, .pdf and .docx files into plain NFC text, with plain reasons when they can't be read."""

from __future__ import annotations

import logging
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from assistant.text.normalize import nfc

if TYPE_CHECKING:
    from assistant.settings import Settings

log = logging.getLogger(__name__)

SUPPORTED_SUFFIXES = (".txt", ".md", ".pdf", ".docx",
                      ".doc", ".odt", ".xlsx", ".xls", ".ods",  # ingest/office.py (LibreOffice)
                      ".jpg", ".jpeg", ".png", ".tif", ".tiff")  # ingest/ocr.py (Tesseract)


class UnreadableFile(Exception):
    """A file that cannot be indexed; `reason` is a plain sentence for the user."""

    def __init__(self, path: Path | str, reason: str) -> None:
        super().__init__(f"{Path(path).name}: {reason}")
        self.path = Path(path)
        self.reason = reason


@dataclass
class RawText:
    """Text of one file. `hard_breaks` means each line is a real paragraph (Word), not a wrap."""

    text: str
    hard_breaks: bool
    pages: int = 0


def read_file(path: Path, *, max_mb: float = 50.0, settings: Settings | None = None,
              progress: Callable[[int, int], None] | None = None) -> RawText:
    """Read one file; raise UnreadableFile with a plain reason on any problem.

    `settings` configures OCR and LibreOffice; `progress(pages done, pages)` follows OCR.
    """
    if not path.exists():
        raise UnreadableFile(path, "file not found")
    if not path.is_file():
        raise UnreadableFile(path, "not a regular file")
    size = path.stat().st_size
    if size == 0:
        raise UnreadableFile(path, "the file is empty")
    if size > max_mb * 1024 * 1024:
        raise UnreadableFile(
            path, f"the file is {size / 1048576:.1f} MB, over the {max_mb:g} MB limit"
        )
    suffix = path.suffix.lower()
    if suffix in (".txt", ".md"):
        raw = RawText(_read_text(path), hard_breaks=False)
    elif suffix == ".pdf":
        from assistant.ingest.ocr import OcrOptions, read_pdf_with_ocr

        raw = read_pdf_with_ocr(path, OcrOptions.from_settings(settings, progress)) or _read_pdf(path)
    elif suffix == ".docx":
        raw = RawText(_read_docx(path), hard_breaks=True)
    elif suffix in (".doc", ".odt", ".xlsx", ".xls", ".ods"):
        from assistant.ingest.office import read_office

        raw = read_office(path, settings)
    elif suffix in (".jpg", ".jpeg", ".png", ".tif", ".tiff"):
        from assistant.ingest.ocr import OcrOptions, read_image

        raw = read_image(path, OcrOptions.from_settings(settings, progress))
    else:
        raise UnreadableFile(
            path, f"unknown file type '{suffix or '(none)'}'; supported: {' '.join(SUPPORTED_SUFFIXES)}"
        )
    text = nfc(raw.text)
    if len(text.strip()) < 20:
        raise UnreadableFile(path, "no readable text in the file")
    raw.text = text
    return raw


def _read_text(path: Path) -> str:
    data = path.read_bytes()
    if b"\x00" in data[:4096] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise UnreadableFile(path, "this is not a text file (binary content)")
    for encoding in ("utf-8-sig", "utf-16"):
        if encoding == "utf-16" and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
            continue
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    log.warning("%s is not UTF-8; reading it as Windows-1258 (Vietnamese)", path.name)
    try:
        text = data.decode("cp1258")
    except UnicodeDecodeError as exc:
        raise UnreadableFile(path, "unknown text encoding (save it as UTF-8)") from exc
    if _looks_tcvn3(text):
        raise UnreadableFile(
            path, "the text looks TCVN3 (ABC, .VnTime fonts) encoded; convert it to Unicode "
            "(e.g. with Unikey's converter) and save it as UTF-8")
    return text


# Bytes 0xA8–0xB9 are Vietnamese letters in TCVN3 (¸ = á, µ = à, ¨ = ă …) but rare symbols in real
# Windows-1258 text, so many of them mean the file is TCVN3 read the wrong way.
_TCVN3_MARKS = frozenset("¨©ª«¬®¯°±²³´µ¶·¸¹")


def _looks_tcvn3(text: str) -> bool:
    letters = sum(ch.isalpha() for ch in text) or 1
    return sum(ch in _TCVN3_MARKS for ch in text) / letters > 0.01


def _read_pdf(path: Path) -> RawText:
    try:
        from pypdf import PdfReader
        from pypdf.errors import PdfReadError
    except ImportError as exc:  # pragma: no cover - core dependency
        raise UnreadableFile(path, "pypdf is not installed") from exc
    try:
        reader = PdfReader(str(path))
        if reader.is_encrypted:
            try:
                ok = reader.decrypt("")
            except Exception:  # noqa: BLE001 - pypdf raises several kinds here
                ok = 0
            if not ok:
                raise UnreadableFile(path, "the PDF is password-protected")
        pages = [page.extract_text() or "" for page in reader.pages]
    except UnreadableFile:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, OSError) as exc:
        raise UnreadableFile(path, f"the PDF is damaged or incomplete ({exc.__class__.__name__})") from exc
    except Exception as exc:  # noqa: BLE001 - pypdf may raise anything on a broken file
        raise UnreadableFile(path, f"the PDF could not be read ({exc.__class__.__name__})") from exc
    text = "\n".join(pages)
    if len(text.strip()) < 20:
        raise UnreadableFile(
            path, "the PDF has no text layer (a scanned image?); run OCR on it first"
        )
    return RawText(text, hard_breaks=False, pages=len(pages))


def _read_docx(path: Path) -> str:
    if not zipfile.is_zipfile(path):
        raise UnreadableFile(path, "this is not a valid .docx file (not a zip package)")
    try:
        import docx
        from docx.table import Table
        from docx.text.paragraph import Paragraph

        document = docx.Document(str(path))
    except Exception as exc:  # noqa: BLE001 - python-docx raises several kinds on junk
        raise UnreadableFile(path, f"this is not a readable .docx file ({exc.__class__.__name__})") from exc
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
