"""Reading one file into a document row and its passages: which files a run reads, the id a file
gets, how a file is parsed and chunked (with OCR marks and its fingerprint), the indicator catalog
as a document, and the text the embedder sees for a passage."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from assistant.ingest.chunking import chunk_blocks
from assistant.ingest.cleaning import to_blocks
from assistant.ingest.duplicates import CATALOG_DOC_ID
from assistant.ingest.fingerprint import Fingerprint
from assistant.ingest.guidance import chunk_guidance
from assistant.ingest.limits import Limits
from assistant.ingest.loaders import SUPPORTED_SUFFIXES, RawText, UnreadableFile, read_file
from assistant.ingest.metadata import (
    SKIPPED_NAMES,
    content_hash,
    file_hash,
    is_sidecar,
    make_doc_id,
    resolve_metadata,
)
from assistant.ingest.ocr import OcrText, is_from_ocr, ocr_lines
from assistant.records import Chunk
from assistant.settings import Settings
from assistant.text.normalize import expand_abbreviations

if TYPE_CHECKING:
    from assistant.index.store import IndexStore
    from assistant.ingest.report import IngestReport

Progress = Callable[[str, int, int], None]  # (stage, done, total): "read", "embed", "ocr:<file name>"


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
            report.failed.append((str(p), "không tìm thấy tệp hoặc thư mục"))
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

    The limits of `ingest.limits` are checked before each expensive step (the passages before
    anything is embedded). The document row carries its provenance and content fingerprint.
    `progress("ocr:<file name>", pages done, pages)` follows the pages of a scan being read.
    """
    limits = Limits.from_settings(settings)
    pages = (lambda done, total: progress(f"ocr:{path.name}", done, total)) if progress else None
    raw = read_file(path, limits=limits, settings=settings, progress=pages)
    sha = file_hash(path)
    blocks = to_blocks(raw.text, hard_breaks=raw.hard_breaks)
    meta = resolve_metadata(path, raw.text, blocks, overrides=overrides)
    doc_id = doc_id or make_doc_id(path)
    if meta.kind == "guidance":
        root = f"{meta.doc_type} {meta.number}".strip() if meta.number else (meta.title or path.stem)
        drafts = chunk_guidance(blocks, root, max_chars=settings.chunk_chars)
    else:
        drafts = chunk_blocks(blocks, max_chars=settings.chunk_chars)
    if not drafts:
        raise UnreadableFile(path, "không tìm thấy đoạn văn bản nào trong tệp")
    limits.check_chunks(path, len(drafts))
    read_by_ocr = ocr_marker(raw)
    chunks = [
        Chunk(chunk_id=f"{doc_id}:{sha[:10]}:{i:04d}", doc_id=doc_id, text=d.text, source=path.name,
              commune=meta.commune, province=meta.province, year=meta.year, kind=meta.kind,
              title=meta.title, section=d.section, section_kind=d.section_kind, position=i,
              owner=meta.owner, uploaded_by=meta.uploaded_by, published=meta.published,
              ocr=read_by_ocr(d.text))
        for i, d in enumerate(drafts)
    ]
    fp = Fingerprint.of(raw.text)
    doc = {"doc_id": doc_id, "source": path.name, "path": str(path.resolve()), "sha256": sha,
           **meta.to_dict(), "text_sha": fp.text_sha, "sketch": fp.sketch}
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
