"""Copies of uploaded files that Gradio keeps where its file route can serve them.

Gradio 6 stores every file a browser uploads under its upload folder (`GRADIO_TEMP_DIR`, by
default `<tmp>/gradio`) as `<folder>/<hash>/<name>`, where `<hash>` is `hash_file` of the content,
and serves anything there at `/gradio_api/file=<path>`. Our upload handler copies the file into
the uploads folder, so Gradio's copy is removed at once (`forget_uploaded`); and when an uploaded
document is deleted, the folder its content would have been cached under is removed too
(`forget_content_of`), so a deleted upload is not downloadable from the app any more.
"""

from __future__ import annotations

import logging
import shutil
from collections.abc import Iterable
from pathlib import Path

log = logging.getLogger(__name__)


def upload_folder() -> Path:
    from gradio.utils import get_upload_folder

    return Path(get_upload_folder()).resolve()


def _inside(path: Path, folder: Path) -> bool:
    try:
        path.resolve().relative_to(folder)
    except (ValueError, OSError):
        return False
    return True


def forget_uploaded(paths: Iterable[str | Path]) -> list[Path]:
    """Delete Gradio's copies of files a request uploaded (only files inside its upload folder),
    and their hash folders once empty; returns what was deleted."""
    folder = upload_folder()
    gone: list[Path] = []
    for p in map(Path, paths):
        if not _inside(p, folder) or p.resolve() == folder:
            continue
        try:
            p.unlink(missing_ok=True)
            gone.append(p)
            if p.parent != folder and not any(p.parent.iterdir()):
                p.parent.rmdir()
        except OSError as exc:
            log.warning("could not delete the served copy %s (%s)", p, exc)
    return gone


def forget_content_of(stored: Path) -> bool:
    """Before an uploaded document's file is deleted: remove the folder Gradio keeps copies of
    that content in (named by Gradio's hash of the bytes). Returns whether one was there."""
    from gradio.processing_utils import hash_file

    try:
        target = upload_folder() / hash_file(stored)
    except OSError:
        return False
    if not target.is_dir():
        return False
    shutil.rmtree(target, ignore_errors=True)
    log.info("removed Gradio's served copies of %s", stored.name)
    return True
