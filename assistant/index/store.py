"""The on-disk index: a SQLite chunk store (the commit point), Chroma vectors and a BM25 index.

Layout under `index_dir`: `CURRENT` names the live generation folder `gen-NNNNNN`, which holds
`chunks.sqlite`, `chroma/` and `bm25/`. A rebuild writes a new generation and switches
`CURRENT` atomically, so a crash never leaves a half-built index in use. An incremental
ingest writes vectors first, then commits SQLite in one transaction; vectors without a row
are ignored at query time and removed by the next ingest.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import shutil
import sqlite3
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

from assistant.records import Chunk

log = logging.getLogger(__name__)

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS documents (
    doc_id TEXT PRIMARY KEY, source TEXT NOT NULL, path TEXT NOT NULL, sha256 TEXT NOT NULL,
    commune TEXT, province TEXT, year INTEGER, kind TEXT, title TEXT, report_type TEXT,
    period TEXT, owner TEXT, n_chunks INTEGER NOT NULL, added REAL NOT NULL,
    published INTEGER NOT NULL DEFAULT 1, uploaded_by TEXT, commune_set_by TEXT,
    text_sha TEXT, sketch TEXT, doc_type TEXT, number TEXT, issuer TEXT, issued TEXT
);
CREATE TABLE IF NOT EXISTS chunks (
    chunk_id TEXT PRIMARY KEY, doc_id TEXT NOT NULL, position INTEGER NOT NULL,
    text TEXT NOT NULL, section TEXT, section_kind TEXT, tokens TEXT NOT NULL,
    ocr INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS chunks_doc ON chunks(doc_id);
"""
DOC_FIELDS = ("commune", "province", "year", "kind", "title", "report_type", "period",
              "doc_type", "number", "issuer", "issued")
# Columns added after the first release, and their definitions (an older index gets them on open):
# provenance, content fingerprint (ingest.fingerprint), a guiding document's identity, OCR flag.
_ADDED_COLUMNS = {
    "documents": {"published": "INTEGER NOT NULL DEFAULT 1", "uploaded_by": "TEXT",
                  "commune_set_by": "TEXT", "text_sha": "TEXT", "sketch": "TEXT",
                  "doc_type": "TEXT", "number": "TEXT", "issuer": "TEXT", "issued": "TEXT"},
    "chunks": {"ocr": "INTEGER NOT NULL DEFAULT 0"},
}
OPTIONAL_FIELDS = ("uploaded_by", "commune_set_by", "text_sha", "sketch")


class IndexMissing(RuntimeError):
    """No index has been built yet."""


class IndexMismatch(RuntimeError):
    """The index was built with another embedder than the settings ask for."""


class IndexCorrupt(RuntimeError):
    """The index's SQLite file cannot be read; the message says to rebuild it."""

    def __init__(self, path: Path, exc: BaseException | None = None) -> None:
        super().__init__(f"tệp chỉ mục {path} bị hỏng, không đọc được; hãy chạy "
                         "`assistant ingest --rebuild` để xây dựng lại chỉ mục từ các tệp gốc")
        self.path = path
        self.detail = f"{exc.__class__.__name__}: {exc}" if exc else ""


def _fsync_write(path: Path, text: str) -> None:
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "w", encoding="utf-8") as fh:
        fh.write(text)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


class IndexStore:
    """One generation of the index, opened for reading or writing."""

    def __init__(self, root: Path, gen: str) -> None:
        self.root = root
        self.gen = gen
        self.dir = root / gen
        path = self.dir / "chunks.sqlite"
        self.db = sqlite3.connect(path, timeout=60, isolation_level=None, check_same_thread=False)
        try:
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.executescript(SCHEMA)
            self._migrate()
        except sqlite3.DatabaseError as exc:
            self.db.close()
            if isinstance(exc, sqlite3.OperationalError) and "locked" in str(exc):
                raise
            raise IndexCorrupt(path, exc) from exc

    def _migrate(self) -> None:
        """Bring an index written by an earlier version up to this schema (adds columns only)."""
        for table, added in _ADDED_COLUMNS.items():
            cols = {row[1] for row in self.db.execute(f"PRAGMA table_info({table})")}
            for name, definition in added.items():
                if name not in cols:
                    self.db.execute(f"ALTER TABLE {table} ADD COLUMN {name} {definition}")

    # --- generations -------------------------------------------------------------------
    @staticmethod
    def current_gen(root: Path) -> str | None:
        cur = root / "CURRENT"
        if not cur.exists():
            return None
        gen = cur.read_text(encoding="utf-8").strip()
        return gen if gen and (root / gen / "chunks.sqlite").exists() else None

    @classmethod
    def open(cls, root: Path) -> IndexStore:
        gen = cls.current_gen(root)
        if gen is None:
            raise IndexMissing(f"chưa có chỉ mục trong {root}; hãy chạy `assistant ingest`")
        return cls(root, gen)

    @classmethod
    def new_generation(cls, root: Path) -> IndexStore:
        root.mkdir(parents=True, exist_ok=True)
        nums = [int(p.name[4:]) for p in root.glob("gen-*") if p.name[4:].isdigit()]
        gen = f"gen-{(max(nums) + 1) if nums else 1:06d}"
        (root / gen).mkdir()
        store = cls(root, gen)
        store.set_meta("uid", uuid.uuid4().hex[:16])
        return store

    @property
    def collection(self) -> str:
        """This generation's vector collection; unique, so index folders can share a Chroma server."""
        uid = self.get_meta("uid")
        return f"chunks_{uid}" if uid else f"chunks_{self.gen.replace('-', '_')}"

    def publish(self) -> None:
        """Make this generation the live one and remove older ones."""
        _fsync_write(self.root / "CURRENT", self.gen + "\n")
        for old in self.root.glob("gen-*"):
            if old.name != self.gen and old.is_dir():
                shutil.rmtree(old, ignore_errors=True)

    def close(self) -> None:
        self.db.close()

    # --- meta --------------------------------------------------------------------------
    def get_meta(self, key: str, default: str | None = None) -> str | None:
        row = self.db.execute("SELECT value FROM meta WHERE key=?", (key,)).fetchone()
        return row[0] if row else default

    def set_meta(self, key: str, value: str) -> None:
        self.db.execute("INSERT OR REPLACE INTO meta VALUES (?,?)", (key, value))

    @property
    def revision(self) -> int:
        return int(self.get_meta("revision", "0") or 0)

    # --- documents and chunks ----------------------------------------------------------
    def documents(self, *, sketches: bool = False) -> list[dict]:
        """Every document's row (without the content sketch unless asked: it is 2 KB of hex)."""
        cur = self.db.execute("SELECT * FROM documents ORDER BY doc_id")
        cols = [c[0] for c in cur.description]
        rows = [dict(zip(cols, row, strict=True)) for row in cur.fetchall()]
        if not sketches:
            for r in rows:
                r.pop("sketch", None)
        return rows

    def doc_by_hash(self, sha256: str) -> str | None:
        row = self.db.execute("SELECT doc_id FROM documents WHERE sha256=?", (sha256,)).fetchone()
        return row[0] if row else None

    def doc_path(self, doc_id: str) -> str | None:
        row = self.db.execute("SELECT path FROM documents WHERE doc_id=?", (doc_id,)).fetchone()
        return row[0] if row else None

    def doc_hash(self, doc_id: str) -> str | None:
        row = self.db.execute("SELECT sha256 FROM documents WHERE doc_id=?", (doc_id,)).fetchone()
        return row[0] if row else None

    def chunk_ids(self, doc_ids: list[str] | None = None) -> list[str]:
        if doc_ids is None:
            return [r[0] for r in self.db.execute("SELECT chunk_id FROM chunks")]
        out: list[str] = []
        for d in doc_ids:
            out += [r[0] for r in self.db.execute("SELECT chunk_id FROM chunks WHERE doc_id=?", (d,))]
        return out

    def load_chunks(self, *, tokens: bool = True) -> tuple[list[Chunk], list[list[str]]]:
        """All chunks in a stable order, with their keyword tokens (an empty list without `tokens`).

        Token lists take ~10 times the memory of the chunks, and Python keeps that memory after
        they are dropped: a reader that does not rebuild BM25 should not load them.
        """
        docs = {d["doc_id"]: d for d in self.documents()}
        chunks: list[Chunk] = []
        out_tokens: list[list[str]] = []
        cols = "chunk_id, doc_id, position, text, section, section_kind, ocr, " + ("tokens" if tokens else "''")
        q = f"SELECT {cols} FROM chunks ORDER BY doc_id, position"
        for cid, did, pos, text, section, kind, ocr, toks in self.db.execute(q):
            d = docs.get(did, {})
            chunks.append(Chunk(
                chunk_id=cid, doc_id=did, text=text, source=d.get("source", ""),
                commune=d.get("commune") or "", province=d.get("province") or "",
                year=d.get("year"), kind=d.get("kind") or "", title=d.get("title") or "",
                section=section or "", section_kind=kind or "other", position=pos, ocr=bool(ocr),
                owner=d.get("owner") or "", uploaded_by=d.get("uploaded_by") or "",
                published=bool(d.get("published", 1)),
            ))
            if tokens:
                out_tokens.append(toks.split(" ") if toks else [])
        return chunks, out_tokens

    def iter_tokens(self) -> Iterator[list[str]]:
        """Keyword tokens of every chunk, one list at a time, in the order of `load_chunks`."""
        for (toks,) in self.db.execute("SELECT tokens FROM chunks ORDER BY doc_id, position"):
            yield toks.split(" ") if toks else []

    @contextlib.contextmanager
    def snapshot(self) -> Iterator[None]:
        """Reads that see one committed state: a commit by another process meanwhile (an upload)
        is seen by none of them, so chunks, revision and keyword tokens read here agree."""
        if self.db.in_transaction:
            yield
            return
        self.db.execute("BEGIN")  # deferred: WAL keeps the state of the first read for the rest
        try:
            yield
        finally:
            self.db.execute("COMMIT")

    @contextlib.contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield self.db
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        else:
            self.set_meta("revision", str(self.revision + 1))
            self.db.execute("COMMIT")

    def write_document(self, db: sqlite3.Connection, doc: dict, chunks: list[Chunk], tokens: list[list[str]]) -> None:
        """Replace one document and its chunks (inside `transaction`)."""
        db.execute("DELETE FROM chunks WHERE doc_id=?", (doc["doc_id"],))
        db.execute("DELETE FROM documents WHERE doc_id=?", (doc["doc_id"],))
        cols = ("doc_id", "source", "path", "sha256", *DOC_FIELDS, "owner", "published", "n_chunks", "added",
                *OPTIONAL_FIELDS)
        db.execute(
            f"INSERT INTO documents ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})",
            (doc["doc_id"], doc["source"], doc["path"], doc["sha256"], *(doc.get(f) for f in DOC_FIELDS),
             doc.get("owner") or None, int(bool(doc.get("published", True))), len(chunks), time.time(),
             *(doc.get(f) or None for f in OPTIONAL_FIELDS)),
        )
        db.executemany(
            "INSERT INTO chunks (chunk_id, doc_id, position, text, section, section_kind, tokens, ocr) "
            "VALUES (?,?,?,?,?,?,?,?)",
            [(c.chunk_id, c.doc_id, c.position, c.text, c.section, c.section_kind, " ".join(t), int(c.ocr))
             for c, t in zip(chunks, tokens, strict=True)],
        )

    def set_published(self, db: sqlite3.Connection, doc_id: str, published: bool) -> None:
        """Share a document with every user, or take it back to its owner (inside `transaction`)."""
        db.execute("UPDATE documents SET published=? WHERE doc_id=?", (int(published), doc_id))

    def private_documents(self) -> dict[str, str]:
        """Unpublished documents and their owners: only the owner's group may read them."""
        rows = self.db.execute("SELECT doc_id, COALESCE(owner, '') FROM documents WHERE published=0")
        return dict(rows.fetchall())

    def delete_document(self, db: sqlite3.Connection, doc_id: str) -> None:
        db.execute("DELETE FROM chunks WHERE doc_id=?", (doc_id,))
        db.execute("DELETE FROM documents WHERE doc_id=?", (doc_id,))

    def stats(self) -> dict:
        n_docs = self.db.execute("SELECT COUNT(*) FROM documents").fetchone()[0]
        n_chunks = self.db.execute("SELECT COUNT(*) FROM chunks").fetchone()[0]
        return {"generation": self.gen, "documents": n_docs, "chunks": n_chunks,
                "embedder": self.get_meta("embedder"), "revision": self.revision}

    def embedder_info(self) -> dict:
        return json.loads(self.get_meta("embedder_info", "{}") or "{}")


@contextlib.contextmanager
def write_lock(root: Path) -> Iterator[None]:
    """One writer at a time per index folder (other processes wait)."""
    from filelock import FileLock

    root.mkdir(parents=True, exist_ok=True)
    with FileLock(str(root / ".lock"), thread_local=False, is_singleton=False):
        yield


def index_version(root: Path) -> tuple[str, int] | None:
    """(live generation, revision) of an index folder: it changes whenever an ingest, a delete,
    a publish or a rebuild commits. None when there is no index (or it cannot be read now)."""
    gen = IndexStore.current_gen(root)
    if gen is None:
        return None
    try:
        db = sqlite3.connect(root / gen / "chunks.sqlite", timeout=5)
        try:
            row = db.execute("SELECT value FROM meta WHERE key='revision'").fetchone()
        finally:
            db.close()
    except sqlite3.Error:
        return None
    return gen, int(row[0]) if row else 0
