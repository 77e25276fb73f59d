"""Ingest: read files, chunk them, embed, and commit them to the index in one step."""

from __future__ import annotations

import hashlib
import logging
import shutil
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from assistant.index.embedders import Embedder, make_embedder
from assistant.index.keyword import chunk_tokens, refresh_keyword_index
from assistant.index.store import IndexMismatch, IndexStore, write_lock
from assistant.index.vector_cache import VECTOR_CACHE_DIR, embed_passages
from assistant.index.vectors import drop_remote_collection, make_vector_store
from assistant.ingest.chunking import chunk_blocks
from assistant.ingest.cleaning import to_blocks
from assistant.ingest.guidance import chunk_guidance
from assistant.ingest.loaders import SUPPORTED_SUFFIXES, RawText, UnreadableFile, read_file
from assistant.ingest.metadata import (
    SKIPPED_NAMES,
    MetadataError,
    content_hash,
    is_sidecar,
    make_doc_id,
    resolve_metadata,
)
from assistant.ingest.ocr import OcrText, is_from_ocr, ocr_lines
from assistant.records import Chunk
from assistant.settings import Settings
from assistant.text.normalize import TOKENS_VERSION, expand_abbreviations

log = logging.getLogger(__name__)
CATALOG_DOC_ID = "chi_tieu_catalog"
Progress = Callable[[str, int, int], None]  # (stage, done, total): "embed", "ocr:<file name>"


@dataclass
class IngestReport:
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)  # (file, reason)
    chunks: int = 0
    generation: str = ""

    @property
    def ok(self) -> bool:
        return not self.failed

    def to_json(self) -> dict:
        return {"added": self.added, "updated": self.updated, "unchanged": self.unchanged,
                "failed": [{"file": f, "reason": r} for f, r in self.failed],
                "chunks": self.chunks, "generation": self.generation}


@dataclass
class _Parsed:
    doc: dict
    chunks: list[Chunk]
    tokens: list[list[str]]
    replaced: bool


def collect_files(paths: Iterable[Path], report: IngestReport) -> list[Path]:
    """Files to ingest: given files, and supported files under given folders (sorted)."""
    out: list[Path] = []
    for p in paths:
        if p.is_dir():
            for f in sorted(p.rglob("*")):
                if (f.is_file() and f.suffix.lower() in SUPPORTED_SUFFIXES and not is_sidecar(f)
                        and f.name.lower() not in SKIPPED_NAMES and not f.name.startswith(".")):
                    out.append(f)
        elif p.exists():
            out.append(p)
        else:
            report.failed.append((str(p), "file not found"))
    seen: set[Path] = set()
    return [f for f in out if not (f.resolve() in seen or seen.add(f.resolve()))]


def embed_text(c: Chunk) -> str:
    """What the embedder sees for a chunk: where it comes from, then the text."""
    where = f"Xã {c.commune}. " if c.commune else ""
    leaf = c.section.split(" > ")[-1] if c.section else ""
    return expand_abbreviations(f"{where}{leaf}\n{c.text}")


def parse_file(path: Path, settings: Settings, *, overrides: dict | None = None,
               doc_id: str | None = None, progress: Progress | None = None) -> tuple[dict, list[Chunk]]:
    """Read and chunk one file; raises UnreadableFile / MetadataError with a plain reason.

    `progress("ocr:<file name>", pages done, pages)` follows the pages of a scan being read.
    """
    data = path.read_bytes() if path.is_file() else b""
    pages = (lambda done, total: progress(f"ocr:{path.name}", done, total)) if progress else None
    raw = read_file(path, max_mb=settings.max_file_mb, settings=settings, progress=pages)
    blocks = to_blocks(raw.text, hard_breaks=raw.hard_breaks)
    meta = resolve_metadata(path, raw.text, blocks, overrides=overrides)
    doc_id = doc_id or make_doc_id(path)
    if meta.kind == "guidance":
        root = f"{meta.doc_type} {meta.number}".strip() if meta.number else (meta.title or path.stem)
        drafts = chunk_guidance(blocks, root, max_chars=settings.chunk_chars)
    else:
        drafts = chunk_blocks(blocks, max_chars=settings.chunk_chars)
    if not drafts:
        raise UnreadableFile(path, "no text passages found in the file")
    sha = content_hash(data)
    read_by_ocr = ocr_marker(raw)
    chunks = [
        Chunk(chunk_id=f"{doc_id}:{sha[:10]}:{i:04d}", doc_id=doc_id, text=d.text, source=path.name,
              commune=meta.commune, province=meta.province, year=meta.year, kind=meta.kind,
              title=meta.title, section=d.section, section_kind=d.section_kind, position=i,
              ocr=read_by_ocr(d.text))
        for i, d in enumerate(drafts)
    ]
    doc = {"doc_id": doc_id, "source": path.name, "path": str(path.resolve()), "sha256": sha,
           **meta.to_dict()}
    return doc, chunks


def ocr_marker(raw: RawText) -> Callable[[str], bool]:
    """Whether a chunk's text was read by OCR: all of a photo or scan, the scanned pages' part of a
    PDF that is partly scanned."""
    if not isinstance(raw, OcrText):
        return lambda _text: False
    if raw.ocr_pages >= raw.pages:
        return lambda _text: True
    lines = ocr_lines(raw.ocr_text)
    return lambda text: is_from_ocr(text, lines)


def doc_id_for(path: Path, store: IndexStore, taken: dict[str, str]) -> str:
    """The file name as id, made unique when another file (another folder) already has it."""
    doc_id = make_doc_id(path)
    here = str(path.resolve())
    other = taken.get(doc_id) or store.doc_path(doc_id)
    if other is not None and Path(other).resolve() != Path(here):
        doc_id = f"{doc_id[:90]}~{hashlib.sha1(here.encode()).hexdigest()[:8]}"
    taken.setdefault(doc_id, here)
    return doc_id


def catalog_document(settings: Settings) -> tuple[dict, list[Chunk]] | None:
    """The indicator catalog as an indexable document of short passages."""
    path = settings.catalog_path
    if not path.exists():
        return None
    from assistant.domain.catalog import catalog_passages, load_catalog

    passages = catalog_passages(load_catalog(path))
    sha = content_hash(path.read_bytes())
    title = "Danh mục chỉ tiêu chuyển đổi số (NQ 57, KH 02, QĐ 411, Đề án 06 …)"
    chunks = [
        Chunk(chunk_id=f"{CATALOG_DOC_ID}:{sha[:10]}:{i:04d}", doc_id=CATALOG_DOC_ID, text=p["text"],
              source=path.name, kind="guidance", title=p.get("title") or title,
              section=p.get("section", ""), section_kind="chi_tieu", position=i)
        for i, p in enumerate(passages)
    ]
    doc = {"doc_id": CATALOG_DOC_ID, "source": path.name, "path": str(path), "sha256": sha,
           "kind": "guidance", "title": title}
    return doc, chunks


def _check_embedder(store: IndexStore, embedder: Embedder | None) -> None:
    built = store.get_meta("embedder")
    want = embedder.name if embedder else "none"
    if built is None or store.stats()["chunks"] == 0:
        store.set_meta("embedder", want)
        store.set_meta("tokens_version", TOKENS_VERSION)  # tokens are written by this version
        return
    if built != want:
        raise IndexMismatch(
            f"the index was built with embeddings '{built}' but ASSISTANT_EMBEDDINGS is '{want}'; "
            "run `assistant ingest --rebuild` to rebuild it"
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
) -> IngestReport:
    """Index the bundled corpus and the given files; failures are reported, never half-written.

    `overrides` (metadata such as the commune) apply only to the files named in `paths` and
    the files inside folders named there, never to the rest of the corpus.
    """
    report = IngestReport()
    root = settings.index_dir
    if embedder is None and settings.embeddings_enabled:
        embedder = make_embedder(settings.embeddings, threads=settings.threads)
    roots = [settings.corpus_dir] if include_corpus and settings.corpus_dir.exists() else []
    named = collect_files(list(paths), report)  # `overrides` apply to these files only
    files = collect_files([*roots, *named], report)
    explicit = {f.resolve() for f in named}
    with write_lock(root):
        existing = None if rebuild else IndexStore.current_gen(root)
        replaced = _current_collection(root) if not existing and settings.chroma_url else None
        store = IndexStore(root, existing) if existing else IndexStore.new_generation(root)
        try:
            _check_embedder(store, embedder)
            parsed = _parse_all(files, store, settings, report, overrides, explicit, progress)
            if include_corpus:
                cat = _catalog(settings, store, report)
                if cat:
                    parsed.append(cat)
            _commit(store, parsed, embedder, settings, report, progress)
            if not existing:
                if replaced:  # workers still on the replaced generation keep its vectors for now
                    store.set_meta("previous_collection", replaced[0])
                store.publish()
                if replaced and replaced[1] and replaced[1] != store.collection:
                    drop_remote_collection(settings.chroma_url, replaced[1])
            report.generation = store.gen
            report.chunks = store.stats()["chunks"]
        except BaseException:
            if not existing:  # an unpublished generation is never used: drop it
                store.close()
                shutil.rmtree(store.dir, ignore_errors=True)
            raise
        finally:
            store.close()
    return report


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


def _parse_all(files: list[Path], store: IndexStore, settings: Settings, report: IngestReport,
               overrides: dict | None, explicit: set[Path], progress: Progress | None) -> list[_Parsed]:
    parsed: list[_Parsed] = []
    seen_hashes: dict[str, str] = {}
    taken: dict[str, str] = {}
    for f in files:
        try:
            sha = content_hash(f.read_bytes()) if f.is_file() else ""
            doc_id = doc_id_for(f, store, taken)
            if store.doc_hash(doc_id) == sha:
                report.unchanged.append(f.name)
                continue
            dup = store.doc_by_hash(sha) or seen_hashes.get(sha)
            if dup and dup != doc_id:
                report.unchanged.append(f.name)
                log.info("%s has the same content as %s; skipped", f.name, dup)
                continue
            mine = overrides if f.resolve() in explicit else None  # never the corpus's other files
            doc, chunks = parse_file(f, settings, overrides=mine, doc_id=doc_id, progress=progress)
            seen_hashes[sha] = doc_id
            replaced = store.doc_hash(doc_id) is not None
            parsed.append(_Parsed(doc, chunks, [chunk_tokens(c) for c in chunks], replaced))
        except (UnreadableFile, MetadataError) as exc:
            reason = exc.reason if isinstance(exc, UnreadableFile) else str(exc)
            report.failed.append((f.name, reason))
        except OSError as exc:
            report.failed.append((f.name, f"cannot read the file ({exc.strerror or exc})"))
    return parsed


def _commit(store: IndexStore, parsed: list[_Parsed], embedder: Embedder | None, settings: Settings,
            report: IngestReport, progress: Progress | None) -> None:
    vstore = make_vector_store(path=store.dir / "chroma", url=settings.chroma_url,
                               collection=store.collection) if embedder else None
    try:
        if parsed and embedder is not None and vstore is not None:
            all_chunks = [c for p in parsed for c in p.chunks]
            done = 0

            def tick(n: int) -> None:
                nonlocal done
                done += n
                if progress:
                    progress("embed", done, len(all_chunks))

            vecs = embed_passages(embedder, [embed_text(c) for c in all_chunks], progress=tick,
                                  cache_dir=VECTOR_CACHE_DIR if settings.vector_cache else None)
            meta = [{"doc_id": c.doc_id, "commune": c.commune, "section_kind": c.section_kind,
                     "kind": c.kind} for c in all_chunks]
            vstore.upsert([c.chunk_id for c in all_chunks], vecs, meta)
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
            orphans = vstore.ids() - set(store.chunk_ids())
            if orphans:
                log.info("removing %d vectors left by an interrupted ingest", len(orphans))
                vstore.delete(sorted(orphans))
        refresh_keyword_index(store)
        if embedder is not None:
            store.set_meta("embedder", embedder.name)
    finally:
        if vstore is not None:
            vstore.close()
