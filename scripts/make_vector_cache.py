"""Write (or check) the vectors shipped for the bundled corpus: assistant/_vector_cache/<embedder>.npz.

Run it again whenever chunking, `embed_text`, the corpus or the catalog changes; a passage the
cache does not have is simply embedded at first start (slower, still correct).

Usage:
    python scripts/make_vector_cache.py            # embed every bundled passage, write the file
    python scripts/make_vector_cache.py --check    # exit 1 when the file misses passages
"""

from __future__ import annotations

import argparse
import logging
import sys
import time
from pathlib import Path

from assistant.index.embedders import make_embedder
from assistant.index.vector_cache import VECTOR_CACHE_DIR, VectorCache, cache_path
from assistant.ingest.pipeline import (
    IngestReport,
    catalog_document,
    collect_files,
    embed_text,
    parse_file,
)
from assistant.settings import Settings, bundled


def bundled_passages(settings: Settings) -> list[str]:
    """The texts the embedder sees for the bundled corpus (uploads excluded), in ingest order."""
    report = IngestReport()
    uploads = settings.corpus_dir / "uploads"
    files = [f for f in collect_files([settings.corpus_dir], report)
             if not f.resolve().is_relative_to(uploads.resolve())]
    texts = [embed_text(c) for f in files for c in parse_file(f, settings)[1]]
    catalog = catalog_document(settings)
    if catalog is not None:
        texts += [embed_text(c) for c in catalog[1]]
    if report.failed:
        raise SystemExit(f"cannot read {report.failed}")
    return texts


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--embeddings", default="e5-small-q4", help="embedder id (ASSISTANT_EMBEDDINGS)")
    ap.add_argument("--out-dir", type=Path, default=VECTOR_CACHE_DIR)
    ap.add_argument("--check", action="store_true", help="only check that the file covers the corpus")
    args = ap.parse_args()
    logging.basicConfig(level=logging.WARNING)
    settings = Settings(corpus_dir=bundled("corpus"), embeddings=args.embeddings)
    texts = bundled_passages(settings)
    embedder = make_embedder(settings.embeddings)
    if embedder is None:
        raise SystemExit(f"no embedder for {args.embeddings!r}")
    path = cache_path(embedder.name, args.out_dir)
    if args.check:
        cache = VectorCache.load(path)
        missing = len(texts) if cache is None else sum(r < 0 for r in cache.lookup(texts))
        print(f"{path.name}: {len(texts) - missing} of {len(texts)} bundled passages cached")
        if missing:
            print("run `python scripts/make_vector_cache.py` to bring the cache up to date", file=sys.stderr)
        return 1 if missing else 0
    t0 = time.perf_counter()
    cache = VectorCache.build(embedder, texts)
    cache.save(path)
    print(f"{path}: {len(cache.keys)} vectors of {cache.vectors.shape[1]} dims, "
          f"{path.stat().st_size / 1024:.0f} KiB, embedded in {time.perf_counter() - t0:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
