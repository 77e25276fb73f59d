"""The document library: list, delete, publish (the CLI and the web app both call these)."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from assistant.index.access import Viewer
from assistant.index.keyword import refresh_keyword_index
from assistant.index.store import IndexStore, write_lock
from assistant.index.uploads import is_upload, remove_upload
from assistant.index.vectors import make_vector_store
from assistant.ingest.metadata import MetadataError, write_sidecar
from assistant.settings import Settings

log = logging.getLogger(__name__)


@contextlib.contextmanager
def _locked_index(settings: Settings) -> Iterator[tuple[IndexStore, dict[str, dict]]]:
    """The index under its write lock (other writers wait), with its documents by id."""
    with write_lock(settings.index_dir):
        store = IndexStore.open(settings.index_dir)
        try:
            yield store, {d["doc_id"]: d for d in store.documents()}
        finally:
            store.close()


def list_documents(settings: Settings, viewer: Viewer | None = None) -> tuple[list[dict], dict]:
    """The indexed documents `viewer` may read (all without one) and the index's statistics."""
    store = IndexStore.open(settings.index_dir)
    try:
        rows = [d for d in store.documents() if viewer is None or viewer.can_read(d)]
        return rows, store.stats()
    finally:
        store.close()


@dataclass
class DeleteReport:
    deleted: list[str] = field(default_factory=list)  # doc ids removed from the index
    missing: list[str] = field(default_factory=list)  # doc ids that were not in the index
    files_removed: list[str] = field(default_factory=list)  # uploaded files deleted from disk
    refused: list[str] = field(default_factory=list)  # doc ids the viewer may not delete
    chunks: int = 0  # chunks left in the index


def delete_documents(settings: Settings, doc_ids: list[str], viewer: Viewer | None = None, *,
                     before_removing: Callable[[Path], object] | None = None) -> DeleteReport:
    """Remove documents from the index: rows in one SQLite transaction, then their vectors,
    then a fresh BM25 index; an uploaded document's file is deleted too (bundled corpus
    files are kept on disk, so a later ingest adds them back). With a `viewer`, only the
    documents it may change are removed (see `Viewer.can_change`). `before_removing(path)` is
    called with each uploaded file before it is deleted (the web app removes the copies its
    server could still serve)."""
    report = DeleteReport()
    with _locked_index(settings) as (store, docs):
        readable = {d for d, doc in docs.items() if viewer is None or viewer.can_read(doc)}
        report.missing = [d for d in doc_ids if d not in readable]
        report.refused = [d for d in dict.fromkeys(doc_ids)
                          if d in readable and viewer is not None and not viewer.can_change(docs[d])]
        wanted = [d for d in dict.fromkeys(doc_ids) if d in readable and d not in report.refused]
        if not wanted:
            report.chunks = store.stats()["chunks"]
            return report
        chunk_ids = store.chunk_ids(wanted)
        with store.transaction() as db:
            for doc_id in wanted:
                store.delete_document(db, doc_id)
        report.deleted = wanted
        if (store.get_meta("embedder") or "none") != "none" and chunk_ids:
            vstore = make_vector_store(path=store.dir / "chroma", url=settings.chroma_url,
                                       collection=store.collection)
            try:
                vstore.delete(chunk_ids)
            finally:
                vstore.close()
        refresh_keyword_index(store)
        report.chunks = store.stats()["chunks"]
    for doc_id in report.deleted:
        path = Path(docs[doc_id]["path"])
        if is_upload(settings, path) and path.is_file():
            if before_removing is not None:
                before_removing(path)
            remove_upload(path)
            report.files_removed.append(path.name)
    log.info("deleted %d documents (%d chunks left)", len(report.deleted), report.chunks)
    return report


@dataclass
class PublishReport:
    changed: list[str] = field(default_factory=list)  # doc ids whose sharing changed
    refused: list[tuple[str, str]] = field(default_factory=list)  # (doc id, reason)


def set_published(settings: Settings, doc_ids: list[str], published: bool, viewer: Viewer) -> PublishReport:
    """Share uploaded drafts with every commune (or take them back): the choice is written to the
    upload's `.meta.yaml`, so a rebuild keeps it, then to the index in one transaction."""
    report = PublishReport()
    with _locked_index(settings) as (store, docs):
        wanted: list[str] = []
        for doc_id in dict.fromkeys(doc_ids):
            doc = docs.get(doc_id)
            if doc is None or not viewer.can_read(doc):
                report.refused.append((doc_id, "không có trong kho"))
            elif not is_upload(settings, doc["path"]):
                report.refused.append((doc_id, "tài liệu của kho gốc luôn dùng chung"))
            elif not viewer.can_change(doc):
                report.refused.append((doc_id, "chỉ xã đã tải lên mới được thay đổi"))
            elif bool(doc["published"]) == published:
                report.refused.append((doc_id, "đã công bố" if published else "đang là bản nháp"))
            else:
                wanted.append(doc_id)
        for doc_id in list(wanted):
            try:
                write_sidecar(Path(docs[doc_id]["path"]), {"published": published})
            except (OSError, MetadataError) as exc:
                wanted.remove(doc_id)
                report.refused.append((doc_id, f"không ghi được tệp thông tin ({exc})"))
        if wanted:
            with store.transaction() as db:
                for doc_id in wanted:
                    store.set_published(db, doc_id, published)
        report.changed = wanted
    log.info("%s %d documents", "published" if published else "unpublished", len(report.changed))
    return report
