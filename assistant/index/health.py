"""Self-check of the index: SQLite rows, Chroma vectors, the BM25 index and the uploads folder
agree, or a plain Vietnamese sentence says what is wrong and which command mends it.

`check` never writes. `assistant doctor` prints it; `assistant serve` runs it at start-up (log
and a notice in the page). What mends what:
- vectors missing for committed chunks, a stale or missing BM25 index: `assistant ingest`
  (a plain run restores both);
- an unreadable SQLite file, an embedder other than the settings': `assistant ingest --rebuild`;
- uploaded files the index does not know (an upload interrupted by a server stop): they are not
  read by the next ingest; `assistant doctor --remove-orphans` deletes them, or
  `assistant ingest <file>` adds one on purpose.
"""

from __future__ import annotations

import logging
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from assistant.index.store import IndexCorrupt, IndexStore, write_lock
from assistant.settings import Settings

if TYPE_CHECKING:
    from assistant.ingest.report import IngestReport

log = logging.getLogger(__name__)


@dataclass
class Problem:
    kind: str  # no_index | corrupt | embedder | vectors_missing | vectors_extra | vectors_unreadable | keyword | orphans
    message: str  # what is wrong, in Vietnamese
    fix: str  # the command that mends it

    def to_json(self) -> dict:
        return {"kind": self.kind, "message": self.message, "fix": self.fix}


@dataclass
class Health:
    generation: str = ""
    documents: int = 0
    chunks: int = 0
    vectors: int | None = None  # None: the index has no vectors (embeddings "none"), or unreadable
    keyword_rows: int | None = None  # rows of the saved BM25 index (None: none saved)
    orphans: list[Path] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def to_json(self) -> dict:
        return {"ok": self.ok, "generation": self.generation, "documents": self.documents,
                "chunks": self.chunks, "vectors": self.vectors, "keyword_rows": self.keyword_rows,
                "orphans": [p.name for p in self.orphans], "problems": [p.to_json() for p in self.problems]}

    def lines(self) -> list[str]:
        """What `assistant doctor` prints."""
        out = [f"Chỉ mục {self.generation or '(chưa có)'}: {self.documents} tài liệu, {self.chunks} đoạn"
               + (f", {self.vectors} vector" if self.vectors is not None else "")
               + (f", chỉ mục từ khoá {self.keyword_rows} dòng" if self.keyword_rows is not None else "") + "."]
        if self.ok:
            out.append("✅ Mọi phần của chỉ mục khớp nhau.")
        for p in self.problems:
            out.append(f"❌ {p.message} → chạy: {p.fix}")
        return out

    def notice(self) -> str:
        """One paragraph for the page and the log ("" when all is well)."""
        if self.ok:
            return ""
        return "Chỉ mục cần sửa: " + " ".join(f"{p.message} (chạy `{p.fix}`)." for p in self.problems)


def check(settings: Settings) -> Health:
    """Compare the live generation's rows, vectors and keyword index, and list orphan uploads."""
    health = Health()
    root = settings.index_dir
    gen = IndexStore.current_gen(root)
    if gen is None:
        health.problems.append(Problem("no_index", f"chưa có chỉ mục trong {root}", "assistant ingest"))
        return health
    health.generation = gen
    try:
        store = IndexStore.open(root)
    except IndexCorrupt as exc:
        health.problems.append(Problem("corrupt", str(exc).split(";")[0], "assistant ingest --rebuild"))
        return health
    try:
        _check_rows(store, health)
        if health.problems:
            return health
        _check_embedder(store, settings, health)
        _check_vectors(store, settings, health)
        _check_keyword(store, health)
        health.orphans = orphan_uploads(settings, {d["path"] for d in store.documents()})
    finally:
        store.close()
    if health.orphans:
        names = ", ".join(p.name for p in health.orphans[:5]) + (" …" if len(health.orphans) > 5 else "")
        health.problems.append(Problem(
            "orphans", f"{len(health.orphans)} tệp trong thư mục tải lên chưa có trong chỉ mục (tải lên bị "
            f"gián đoạn?): {names}; lần nạp sau sẽ không đọc chúng",
            "assistant doctor --remove-orphans (hoặc assistant ingest <tệp> để thêm)"))
    return health


def _check_rows(store: IndexStore, health: Health) -> None:
    try:
        verdict = store.db.execute("PRAGMA quick_check").fetchone()[0]
        stats = store.stats()
        listed = store.db.execute("SELECT COALESCE(SUM(n_chunks), 0) FROM documents").fetchone()[0]
    except sqlite3.DatabaseError as exc:
        health.problems.append(Problem("corrupt", f"tệp chỉ mục bị hỏng ({exc.__class__.__name__})",
                                       "assistant ingest --rebuild"))
        return
    health.documents, health.chunks = stats["documents"], stats["chunks"]
    if verdict != "ok" or listed != stats["chunks"]:
        health.problems.append(Problem("corrupt", "các bảng trong tệp chỉ mục không khớp nhau",
                                       "assistant ingest --rebuild"))


def _check_embedder(store: IndexStore, settings: Settings, health: Health) -> None:
    built = store.get_meta("embedder") or "none"
    want = settings.embeddings if settings.embeddings_enabled else "none"
    if health.chunks and built != "none" and want != "none" and built != want:
        health.problems.append(Problem(
            "embedder", f"chỉ mục được xây dựng với embeddings '{built}' nhưng ASSISTANT_EMBEDDINGS là '{want}'",
            "assistant ingest --rebuild"))


def _check_vectors(store: IndexStore, settings: Settings, health: Health) -> None:
    if (store.get_meta("embedder") or "none") == "none":
        return
    from assistant.index.vectors import make_vector_store

    try:
        vstore = make_vector_store(path=store.dir / "chroma", url=settings.chroma_url, collection=store.collection)
        try:
            have = vstore.ids()
        finally:
            vstore.close()
    except Exception as exc:  # noqa: BLE001 - a damaged folder or an unreachable server
        log.debug("vector store unreadable", exc_info=True)
        health.problems.append(Problem("vectors_unreadable", f"không đọc được kho vector ({exc.__class__.__name__}); "
                                       "câu hỏi chỉ được tìm theo từ khoá", "assistant ingest --rebuild"))
        return
    health.vectors = len(have)
    committed = set(store.chunk_ids())
    missing, extra = committed - have, have - committed
    if missing:
        health.problems.append(Problem(
            "vectors_missing", f"{len(missing)} trong {len(committed)} đoạn không có vector (các đoạn đó chỉ "
            "được tìm theo từ khoá)", "assistant ingest"))
    if extra:
        health.problems.append(Problem("vectors_extra", f"{len(extra)} vector thừa không thuộc đoạn nào",
                                       "assistant ingest"))


def _check_keyword(store: IndexStore, health: Health) -> None:
    from assistant.index.keyword import keyword_fresh

    size_file = store.dir / "bm25" / "size"
    try:
        health.keyword_rows = int(size_file.read_text())
    except (OSError, ValueError):
        health.keyword_rows = None
    if not keyword_fresh(store) or health.keyword_rows != health.chunks:
        health.problems.append(Problem(
            "keyword", "chỉ mục từ khoá (BM25) đã lưu bị cũ hoặc thiếu; mỗi lần mở phải dựng lại trong bộ nhớ",
            "assistant ingest"))


def skip_orphans(files: list[Path], settings: Settings, report: IngestReport) -> list[Path]:
    """Files found under the corpus, without the uploads the live index does not know (an upload
    interrupted before its commit): those are listed in `report.orphans`, not read. Without a
    readable live index (a first build, a corrupt one) every upload is read."""
    from assistant.index.uploads import is_upload, upload_in_progress

    known = indexed_paths(settings.index_dir)
    if known is None:
        return files
    kept = []
    for f in files:
        if is_upload(settings, f) and str(f.resolve()) not in known:
            if upload_in_progress(f):
                continue  # its upload job will commit it
            report.orphans.append(f.name)
            log.warning("%s: tệp tải lên chưa có trong chỉ mục (tải lên bị gián đoạn?); bỏ qua — "
                        "xem `assistant doctor`", f.name)
            continue
        kept.append(f)
    return kept


def indexed_paths(root: Path) -> set[str] | None:
    """Paths of the documents in the live index; None when there is none or it cannot be read."""
    if IndexStore.current_gen(root) is None:
        return None
    try:
        store = IndexStore.open(root)
    except Exception:  # noqa: BLE001 - a corrupt index: it is being rebuilt
        return None
    try:
        return {d["path"] for d in store.documents()}
    except Exception:  # noqa: BLE001
        return None
    finally:
        store.close()


def orphan_uploads(settings: Settings, indexed: set[str]) -> list[Path]:
    """Files in the uploads folder whose path no indexed document has (sidecars excluded)."""
    from assistant.index.uploads import upload_in_progress
    from assistant.ingest.loaders import SUPPORTED_SUFFIXES
    from assistant.ingest.metadata import is_sidecar

    folder = settings.upload_dir
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.rglob("*") if p.is_file() and p.suffix.lower() in SUPPORTED_SUFFIXES
                  and not is_sidecar(p) and str(p.resolve()) not in indexed and not upload_in_progress(p))


def remove_orphans(settings: Settings) -> list[str]:
    """Delete the orphan uploads (and their sidecars), under the write lock so that an upload
    being committed right now is not taken for one; returns the names removed."""
    from assistant.index.uploads import remove_upload

    with write_lock(settings.index_dir):
        store = IndexStore.open(settings.index_dir)
        try:
            indexed = {d["path"] for d in store.documents()}
        finally:
            store.close()
        gone = orphan_uploads(settings, indexed)
        for p in gone:
            remove_upload(p)
    log.info("removed %d orphan uploads", len(gone))
    return [p.name for p in gone]
