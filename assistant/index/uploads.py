"""Uploaded files: safe names under `settings.upload_dir`, size limit, no path traversal."""

from __future__ import annotations

import logging
import re
import shutil
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from assistant.ingest.loaders import SUPPORTED_SUFFIXES
from assistant.ingest.metadata import sidecar_path
from assistant.settings import Settings

log = logging.getLogger(__name__)

UPLOAD_DIRNAME = "uploads"
_UNSAFE_RE = re.compile(r"[^\w.-]+", re.UNICODE)
_MAX_STEM = 80
# Device names Windows will not use as file names, with any extension ("con.txt", "LPT1.pdf").
_WINDOWS_RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"{d}{i}" for d in ("COM", "LPT") for i in range(1, 10))}


def upload_dir(settings: Settings) -> Path:
    """Where uploaded documents are kept (inside the corpus, so a rebuild keeps them)."""
    return settings.upload_dir


def safe_name(name: str) -> str:
    """A file name with no directory part, NFC, only [\\w.-] characters, no leading dot.

    "../../etc/passwd" -> "passwd"; "Báo cáo xã A (2025).docx" -> "Báo_cáo_xã_A_2025_.docx".
    """
    base = unicodedata.normalize("NFC", str(name)).replace("\\", "/").split("/")[-1]
    base = _UNSAFE_RE.sub("_", base).strip("._-") or "tai_lieu"
    stem, dot, suffix = base.rpartition(".")
    if not dot:
        stem, suffix = base, ""
    stem = stem.strip("._-")[:_MAX_STEM] or "tai_lieu"
    if stem.split(".")[0].upper() in _WINDOWS_RESERVED:
        stem = f"{stem}_tep"
    suffix = suffix.lower()[:10]
    return f"{stem}.{suffix}" if suffix else stem


def unique_path(folder: Path, name: str, taken: Iterable[str] = ()) -> Path:
    """`folder/name`, or `folder/name-2.ext`, `-3` … when that name exists or is taken."""
    taken_set = {t.lower() for t in taken}
    stem, suffix = Path(name).stem, Path(name).suffix
    candidate, n = name, 1
    while (folder / candidate).exists() or candidate.lower() in taken_set:
        n += 1
        candidate = f"{stem}-{n}{suffix}"
    return folder / candidate


@dataclass
class SavedUploads:
    """What `save_uploads` did: files stored, and files refused with a plain reason."""

    saved: list[tuple[str, Path]] = field(default_factory=list)  # (name as uploaded, stored path)
    refused: list[tuple[str, str]] = field(default_factory=list)  # (name as uploaded, reason)


def save_uploads(settings: Settings, files: Iterable[str | Path], *,
                 taken_names: Iterable[str] = ()) -> SavedUploads:
    """Copy uploaded temp files into the uploads folder under safe, unique names.

    Files of an unsupported type or over `settings.max_file_mb` are refused, not copied.
    `taken_names` are document ids already in the index, so an upload never replaces a
    bundled report that happens to share its name.
    """
    out = SavedUploads()
    folder = upload_dir(settings)
    taken = set(taken_names)
    limit = settings.max_file_mb * 1024 * 1024
    for f in files:
        src = Path(f)
        shown = src.name  # Gradio keeps the user's file name on its temp copy
        name = safe_name(shown)
        suffix = Path(name).suffix.lower()
        if suffix not in SUPPORTED_SUFFIXES:
            kinds = " ".join(SUPPORTED_SUFFIXES)
            out.refused.append((shown, f"loại tệp '{suffix or '(không có đuôi)'}' không được hỗ trợ "
                                       f"(chỉ nhận {kinds})"))
            continue
        try:
            size = src.stat().st_size
        except OSError as exc:
            out.refused.append((shown, f"không đọc được tệp tải lên ({exc.strerror or exc})"))
            continue
        if size > limit:
            out.refused.append((shown, f"tệp nặng {size / 1048576:.1f} MB, vượt giới hạn "
                                       f"{settings.max_file_mb:g} MB"))
            continue
        folder.mkdir(parents=True, exist_ok=True)
        dest = unique_path(folder, name, taken)
        taken.add(dest.name)
        shutil.copyfile(src, dest)
        log.info("stored upload %s as %s", shown, dest)
        out.saved.append((shown, dest))
    return out


def remove_upload(path: Path) -> None:
    """Delete an uploaded file and the `.meta.yaml` kept beside it (owner, published, commune)."""
    side = sidecar_path(path)
    path.unlink(missing_ok=True)
    if side is not None:
        side.unlink(missing_ok=True)


def is_upload(settings: Settings, path: str | Path) -> bool:
    """Whether a stored document path lies inside the uploads folder."""
    try:
        Path(path).resolve().relative_to(upload_dir(settings).resolve())
    except (ValueError, OSError):
        return False
    return True
