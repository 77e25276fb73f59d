"""Uploaded files: safe names under `settings.upload_dir`, size limit, no path traversal; and an
upload as one cancellable job that records who uploaded what, for which commune."""

from __future__ import annotations

import logging
import re
import shutil
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from assistant.index.access import Viewer, same_commune, suggest_commune
from assistant.ingest.jobs import Cancelled, IngestJob, Progress
from assistant.ingest.loaders import SUPPORTED_SUFFIXES
from assistant.ingest.metadata import sidecar_path, write_sidecar
from assistant.settings import Settings

if TYPE_CHECKING:
    from assistant.ingest.pipeline import IngestReport

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


CLAIM_SUFFIX = ".dang-tai.lock"  # held by the process uploading the file, until its job ends


def _claim(path: Path):  # noqa: ANN202 - a held filelock.FileLock
    from filelock import FileLock

    lock = FileLock(str(path) + CLAIM_SUFFIX, thread_local=False, is_singleton=False)
    lock.acquire()
    return lock


def upload_in_progress(path: Path) -> bool:
    """Whether a live process is still uploading `path` (it holds the file's claim). A claim left
    by a process that died is free, so its file counts as an orphan."""
    from filelock import FileLock, Timeout

    claim = Path(str(path) + CLAIM_SUFFIX)
    if not claim.exists():
        return False
    try:
        with FileLock(str(claim), thread_local=False, is_singleton=False).acquire(timeout=0):
            return False
    except Timeout:
        return True


def remove_upload(path: Path) -> None:
    """Delete an uploaded file and the `.meta.yaml` kept beside it (owner, published, commune)."""
    side = sidecar_path(path)
    path.unlink(missing_ok=True)
    if side is not None:
        side.unlink(missing_ok=True)
    claim = Path(str(path) + CLAIM_SUFFIX)
    if claim.exists() and not upload_in_progress(path):
        claim.unlink(missing_ok=True)


def is_upload(settings: Settings, path: str | Path) -> bool:
    """Whether a stored document path lies inside the uploads folder."""
    try:
        Path(path).resolve().relative_to(upload_dir(settings).resolve())
    except (ValueError, OSError):
        return False
    return True


# ------------------------------------------------------------------ an upload, from files to index


@dataclass
class UploadResult:
    """What happened to an upload: files refused, the ingest report, the provenance recorded."""

    saved: SavedUploads
    names: dict[str, str] = field(default_factory=dict)  # stored name -> name as uploaded
    report: IngestReport | None = None
    facts: dict = field(default_factory=dict)  # the provenance written beside each file
    notes: list[str] = field(default_factory=list)  # plain Vietnamese notes for the uploader
    cancelled: bool = False


def upload_facts(viewer: Viewer, commune: str = "", publish: bool = True, *,
                 logins: bool = True) -> tuple[dict, list[str]]:
    """The provenance of an upload by `viewer`, and notes for the uploader.

    A commune account's upload is its own commune's: the commune typed in the form and any
    commune named in the text are ignored (a commune cannot publish text under another's name).
    Province staff may name the commune; that is recorded (`commune_set_by`). An account without
    a commune uploads documents of no commune. Without logins (the app on this machine only)
    the one trusted user names the commune, or it is read from the text, as with the CLI.
    """
    typed = " ".join((commune or "").split())
    if not logins:
        return ({"commune": typed} if typed else {}), []
    facts: dict = {"owner": viewer.group, "uploaded_by": viewer.user or viewer.group,
                   "published": bool(publish)}
    notes: list[str] = []
    if viewer.sees_all:
        if typed:
            facts |= {"commune": typed, "commune_set_by": viewer.user or viewer.group}
    elif viewer.commune:
        facts["commune"] = viewer.commune
        if typed and not same_commune(typed, viewer.commune):
            notes.append(f"Tài liệu được ghi là của xã {viewer.commune} (xã của tài khoản); tên xã "
                         f"«{typed}» đã nhập không được dùng. Chỉ cán bộ tỉnh mới tải lên thay xã khác.")
    else:
        notes.append("Tài khoản của bạn chưa gắn với xã nào, nên tài liệu không mang tên xã nào; "
                     "hãy nhờ cán bộ tỉnh ghi xã cho tài khoản trong tệp tài khoản.")
    return facts, notes


def _commune_suggestion(settings: Settings, typed: str) -> list[str]:
    """A note when a typed commune is new but written like a known one without its tone marks
    ("Phu My" → «Phú Mỹ»): only a suggestion, the name is kept as typed (they may be two communes)."""
    from assistant.index.store import IndexStore

    try:
        store = IndexStore.open(settings.index_dir)
    except Exception:  # noqa: BLE001 - no index yet: nothing to suggest
        return []
    try:
        known = [d["commune"] for d in store.documents() if d.get("commune")]
    finally:
        store.close()
    alike = suggest_commune(typed, known)
    if alike is None:
        return []
    return [f"Chưa có xã nào tên «{typed}» trong kho; có phải «{alike}»? Tài liệu vẫn được ghi là "
            f"«{typed}» (hai tên khác dấu là hai xã khác nhau); nếu gõ nhầm, hãy xoá rồi tải lên lại."]


def upload_documents(settings: Settings, files: Iterable[str | Path], viewer: Viewer, *,
                     commune: str = "", publish: bool = True, logins: bool = True,
                     taken_names: Iterable[str] = (), job: IngestJob | None = None,
                     progress: Progress | None = None) -> UploadResult:
    """Store uploaded files, record their provenance beside them, and index them as one job.

    Files refused (type, size, limits, unreadable), duplicates of a document `viewer` may read,
    and everything of a cancelled or failed job are removed from the uploads folder again, so
    nothing half-uploaded stays behind. `job` (made here when None) can be cancelled from
    another thread; then nothing is committed and `cancelled` is set. The write lock is held
    only for the job's short commit.
    """
    facts, notes = upload_facts(viewer, commune, publish, logins=logins)
    if facts.get("commune") and (logins is False or viewer.sees_all):
        notes += _commune_suggestion(settings, facts["commune"])
    saved = save_uploads(settings, files, taken_names=taken_names)
    result = UploadResult(saved, {dest.name: shown for shown, dest in saved.saved}, facts=facts, notes=notes)
    if not saved.saved:
        return result
    job = job or IngestJob(settings, [], viewer=viewer)
    job.viewer = viewer
    if progress is not None:
        job.progress = progress
    stored = [dest for _, dest in saved.saved]
    claims = [_claim(dest) for dest in stored]  # "being uploaded": not an orphan for `doctor`
    try:
        for dest in stored:  # beside the file, so a rebuild keeps who uploaded it and for which commune
            if facts:
                write_sidecar(dest, facts)
        result.report = job.run_yielding(stored)
    except Cancelled:
        for dest in stored:
            remove_upload(dest)
        result.cancelled = True
        log.info("upload by %s cancelled: %s", viewer.user or "local user", [d.name for d in stored])
        return result
    except BaseException:
        for dest in stored:
            remove_upload(dest)
        raise
    finally:
        for claim in claims:
            claim.release()
            Path(claim.lock_file).unlink(missing_ok=True)
    keep = set(result.report.added + result.report.updated)
    for dest in stored:  # a refused or duplicate file is not kept on disk
        if dest.name not in keep:
            remove_upload(dest)
    log.info("upload by %s: %s", viewer.user or "local user", result.report.to_json())
    return result
