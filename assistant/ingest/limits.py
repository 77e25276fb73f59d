"""What one uploaded or ingested file may cost: checked before the expensive step, refused plainly.

A small file can still mean huge work: a .docx whose parts unzip to gigabytes, a PDF whose
compressed page contents decode to hundreds of megabytes, a text of millions of characters that
becomes a hundred thousand passages to embed. Each limit is a setting (`ASSISTANT_MAX_*`) and is
checked before the step it protects: the zip directory before a part is read, each page's decoded
contents before its text is extracted, the characters before chunking, the passages before
embedding. A refusal is an `UnreadableFile` whose reason names the limit and its setting.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
from pathlib import Path

from assistant.ingest.errors import UnreadableFile
from assistant.settings import Settings

MB = 1024 * 1024
MAX_ZIP_ENTRIES = 5000  # parts in one .docx/.xlsx (real documents have tens to a few hundred)


def mb(n: float) -> str:
    """A size in MB the Vietnamese way: "3.072,5 MB", "0,5 MB", "100 MB"."""
    text = f"{n:,.1f}" if n != int(n) else f"{int(n):,}"
    return text.replace(",", " ").replace(".", ",").replace(" ", ".") + " MB"


def count(n: int) -> str:
    """A whole number with Vietnamese thousands separators: 176.221."""
    return f"{n:,}".replace(",", ".")


class LimitExceeded(UnreadableFile):
    """A file refused by one of the resource limits; `setting` names the environment variable."""

    def __init__(self, path: Path | str, reason: str, setting: str) -> None:
        super().__init__(path, f"{reason} (giới hạn đặt bằng {setting})")
        self.setting = setting


def _default(name: str):  # noqa: ANN202 - the field's type
    return Settings.model_fields[name].default


@dataclass(frozen=True)
class Limits:
    """The per-file limits; the defaults are the settings' defaults (one source of truth)."""

    file_mb: float = _default("max_file_mb")
    unzipped_mb: float = _default("max_unzipped_mb")
    pdf_pages: int = _default("max_pdf_pages")
    pdf_stream_mb: float = _default("max_pdf_stream_mb")
    text_chars: int = _default("max_text_chars")
    chunks: int = _default("max_chunks_per_doc")

    @classmethod
    def from_settings(cls, settings: Settings) -> Limits:
        return cls(file_mb=settings.max_file_mb, unzipped_mb=settings.max_unzipped_mb,
                   pdf_pages=settings.max_pdf_pages, pdf_stream_mb=settings.max_pdf_stream_mb,
                   text_chars=settings.max_text_chars, chunks=settings.max_chunks_per_doc)

    # --- checks ----------------------------------------------------------------------
    def check_file_size(self, path: Path, size: int) -> None:
        if size > self.file_mb * MB:
            raise LimitExceeded(path, f"tệp nặng {mb(round(size / MB, 1))}, vượt giới hạn "
                                      f"{mb(self.file_mb)}", "ASSISTANT_MAX_FILE_MB")

    def check_zip(self, path: Path, kind: str) -> None:
        """Refuse a .docx/.xlsx whose parts would unzip to more than `unzipped_mb`: first from the
        zip directory alone (nothing is decompressed), then by unzipping each part in small pieces
        to check that none holds more than it declares (a lying directory)."""
        try:
            with zipfile.ZipFile(path) as zf:
                infos = zf.infolist()
        except (zipfile.BadZipFile, OSError, ValueError) as exc:
            raise UnreadableFile(path, f"đây không phải tệp {kind} hợp lệ (không phải gói zip)",
                                 detail=f"{exc.__class__.__name__}: {exc}") from exc
        if len(infos) > MAX_ZIP_ENTRIES:
            raise LimitExceeded(path, f"tệp {kind} có {count(len(infos))} phần bên trong, quá nhiều "
                                      f"(tối đa {count(MAX_ZIP_ENTRIES)})", "ASSISTANT_MAX_UNZIPPED_MB")
        total = sum(max(0, i.file_size) for i in infos)
        if total > self.unzipped_mb * MB:
            raise LimitExceeded(path, f"tệp {kind} khi giải nén ra {mb(round(total / MB, 1))}, vượt "
                                      f"giới hạn {mb(self.unzipped_mb)}", "ASSISTANT_MAX_UNZIPPED_MB")
        _verify_parts(path, kind)


    def check_pages(self, path: Path, pages: int) -> None:
        if pages > self.pdf_pages:
            raise LimitExceeded(path, f"tệp PDF có {count(pages)} trang, vượt giới hạn "
                                      f"{count(self.pdf_pages)} trang", "ASSISTANT_MAX_PDF_PAGES")

    def pdf_stream_exceeded(self, path: Path, decoded: int | None, page: int) -> LimitExceeded:
        """The refusal of a PDF whose page contents decode to more than `pdf_stream_mb`
        (`decoded`: bytes decoded up to `page`; None when one stream alone was too large)."""
        so_far = (f"đến trang {page} đã là {mb(round(decoded / MB, 1))}" if decoded
                  else "một luồng nội dung đã vượt mức này")
        return LimitExceeded(path, f"nội dung các trang PDF khi giải nén vượt giới hạn "
                                   f"{mb(self.pdf_stream_mb)} ({so_far})", "ASSISTANT_MAX_PDF_STREAM_MB")

    def check_bytes_of_text(self, path: Path, size: int) -> None:
        """A text file of more than 4 bytes per allowed character is refused before decoding it
        (UTF-8 needs at most 4 bytes for a character, so such a file has too many characters)."""
        if size > 4 * self.text_chars:
            self.check_text(path, size, counted_all=False)  # at least size/4 characters

    def check_text(self, path: Path, chars: int, *, counted_all: bool = True) -> None:
        """Refuse a text of more than `text_chars` characters (`counted_all=False`: counting
        stopped as soon as the limit was passed)."""
        if chars > self.text_chars:
            size = f"dài {count(chars)} ký tự" if counted_all else "dài hơn"
            raise LimitExceeded(path, f"văn bản trong tệp {size}, vượt giới hạn "
                                      f"{count(self.text_chars)} ký tự", "ASSISTANT_MAX_TEXT_CHARS")

    def check_chunks(self, path: Path, chunks: int) -> None:
        if chunks > self.chunks:
            raise LimitExceeded(path, f"tài liệu cắt ra {count(chunks)} đoạn, vượt giới hạn "
                                      f"{count(self.chunks)} đoạn mỗi tài liệu", "ASSISTANT_MAX_CHUNKS_PER_DOC")


def _verify_parts(path: Path, kind: str) -> None:
    """Unzip every part in 1 MB pieces, keeping nothing: a part whose data is longer than its
    declared size fails zipfile's checksum here, with bounded memory. (A reader that asks for a
    whole part at once, as python-docx and openpyxl do, would get up to 2 GB from one call.)"""
    try:
        with zipfile.ZipFile(path) as zf:
            for info in zf.infolist():
                with zf.open(info) as fh:
                    while fh.read(MB):
                        pass
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError, NotImplementedError) as exc:
        raise UnreadableFile(path, f"tệp {kind} bị hỏng (dữ liệu trong gói zip không khớp với "
                                   "kích thước khai báo)", detail=f"{exc.__class__.__name__}: {exc}") from exc
