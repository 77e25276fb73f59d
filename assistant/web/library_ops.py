"""Document-library operations the web app needs beyond `assistant.indexer.ingest`."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path

from assistant.backends.vectorstore import make_vector_store
from assistant.indexer import refresh_keyword_index
from assistant.indexstore import IndexStore, write_lock
from assistant.settings import Settings

from .uploads import is_upload

log = logging.getLogger(__name__)


@dataclass
class DeleteReport:
    deleted: list[str] = field(default_factory=list)  # doc ids removed from the index
    missing: list[str] = field(default_factory=list)  # doc ids that were not in the index
    files_removed: list[str] = field(default_factory=list)  # uploaded files deleted from disk
    chunks: int = 0  # chunks left in the index


def delete_documents(settings: Settings, doc_ids: list[str]) -> DeleteReport:
    """Remove documents from the index: rows in one SQLite transaction, then their vectors,
    then a fresh BM25 index; an uploaded document's file is deleted too (bundled corpus
    files are kept on disk, so a later ingest adds them back)."""
    report = DeleteReport()
    root = settings.index_dir
    with write_lock(root):
        store = IndexStore.open(root)
        try:
            docs = {d["doc_id"]: d for d in store.documents()}
            wanted = [d for d in dict.fromkeys(doc_ids) if d in docs]
            report.missing = [d for d in doc_ids if d not in docs]
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
        finally:
            store.close()
    for doc_id in report.deleted:
        path = Path(docs[doc_id]["path"])
        if is_upload(settings, path) and path.is_file():
            path.unlink()
            report.files_removed.append(path.name)
    log.info("deleted %d documents (%d chunks left)", len(report.deleted), report.chunks)
    return report
