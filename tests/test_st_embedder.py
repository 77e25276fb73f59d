"""sentence-transformers embeddings from a local folder: a tiny random BERT built here, indexed,
searched, and refused when an index built with another embedder would be mixed with it."""

from __future__ import annotations

import importlib.util
import re
import shutil
import sys
from pathlib import Path

import numpy as np
import pytest

from assistant.index.embedders import MissingExtra, make_embedder
from assistant.settings import Settings

from .conftest import SEEDS, make_settings, run_cli

HAS_ST = importlib.util.find_spec("sentence_transformers") is not None
needs_st = pytest.mark.skipif(not HAS_ST, reason='sentence-transformers not installed: pip install -e ".[st]"')
WORDS = ("xa ha tang so cap quang ty le ho dan chuyen doi dich vu cong truc tuyen thanh toan "
         "khong tien mat bao cao ket qua thon ap to cong nghe").split()


def build_tiny_model(root: Path) -> Path:
    """A 1-layer, 32-dimension BERT with random weights and a WordPiece vocabulary of a few
    Vietnamese syllables and letters, saved as a sentence-transformers folder (mean pooling)."""
    import torch
    from transformers import BertConfig, BertModel, BertTokenizerFast

    try:  # sentence-transformers >= 6
        from sentence_transformers.sentence_transformer.modules import Pooling, Transformer
    except ImportError:
        from sentence_transformers.models import Pooling, Transformer
    from sentence_transformers import SentenceTransformer

    torch.manual_seed(1234)
    chars = "abcdefghijklmnopqrstuvwxyz0123456789"
    vocab = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", *dict.fromkeys(WORDS), *chars,
             *(f"##{c}" for c in chars)]
    hf = root / "hf"
    hf.mkdir(parents=True)
    (hf / "vocab.txt").write_text("\n".join(vocab) + "\n", encoding="utf-8")
    BertTokenizerFast(vocab_file=str(hf / "vocab.txt"), do_lower_case=True,
                      strip_accents=True).save_pretrained(hf)
    config = BertConfig(vocab_size=len(vocab), hidden_size=32, num_hidden_layers=1,
                        num_attention_heads=2, intermediate_size=64, max_position_embeddings=128)
    BertModel(config).save_pretrained(hf)
    transformer = Transformer(str(hf), max_seq_length=64)
    dim = (getattr(transformer, "get_embedding_dimension", None)
           or transformer.get_word_embedding_dimension)()
    model = SentenceTransformer(modules=[transformer, Pooling(dim, pooling_mode="mean")], device="cpu")
    out = root / "tiny-st"
    model.save(str(out))
    shutil.rmtree(hf)
    return out


@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_tiny_model(tmp_path_factory.mktemp("st"))


@pytest.fixture(scope="module")
def small_corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two of the seed reports (with their metadata), to keep the index small."""
    root = tmp_path_factory.mktemp("st_corpus") / "corpus"
    (root / "reports").mkdir(parents=True)
    for stem in ("001_c00a27b78cbf0629", "003_7619b87458e9843f"):
        for suffix in (".txt", ".meta.yaml"):
            shutil.copy(SEEDS / f"{stem}{suffix}", root / "reports" / f"{stem}{suffix}")
    return root


def test_missing_extra_names_it(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setitem(sys.modules, "sentence_transformers", None)
    with pytest.raises(MissingExtra, match=re.escape('pip install -e ".[st]"')):
        make_embedder("sentence-transformers:/models/x")


@needs_st
def test_local_model_embeds_normalised_deterministic_vectors(tiny_model: Path):
    e = make_embedder(f"sentence-transformers:{tiny_model}")
    assert e.dim == 32 and e.name == f"sentence-transformers:{tiny_model.resolve()}"
    texts = ["Tỷ lệ hộ dân có cáp quang", "dịch vụ công trực tuyến", "thanh toán không tiền mặt"]
    v = e.embed_passages(texts)
    assert v.shape == (3, 32) and v.dtype == np.float32
    assert np.allclose(np.linalg.norm(v, axis=1), 1.0, atol=1e-5)
    again = make_embedder(f"st:{tiny_model}").embed_passages(texts)
    assert np.allclose(v, again, atol=1e-6)
    assert not np.allclose(v[0], v[1])  # different texts, different vectors


@needs_st
def test_unloadable_model_is_a_plain_error(tmp_path: Path):
    with pytest.raises(ValueError, match=r"sentence-transformers:.*nope.*cannot load the model offline"):
        make_embedder(f"sentence-transformers:{tmp_path / 'nope'}")
    with pytest.raises(ValueError, match="cannot load the model offline"):
        make_embedder("sentence-transformers:some-org/not-downloaded-model")


@needs_st
def test_index_built_with_st_searches_and_refuses_other_embedders(tiny_model: Path, small_corpus: Path,
                                                                 tmp_path: Path):
    from assistant.index.store import IndexMismatch
    from assistant.ingest.pipeline import ingest
    from assistant.qa.retriever import Retriever

    spec = f"sentence-transformers:{tiny_model}"
    s: Settings = make_settings(tmp_path / "index", corpus_dir=small_corpus, embeddings=spec)
    report = ingest(s)
    assert report.ok and report.chunks > 20
    r = Retriever(s)
    try:
        assert r.store.get_meta("embedder") == f"sentence-transformers:{tiny_model.resolve()}"
        dense = r.search("dịch vụ công trực tuyến", k=5, mode="dense")
        assert len(dense) == 5 and len({x.chunk.chunk_id for x in dense}) == 5
    finally:
        r.close()
    other = make_settings(tmp_path / "index", corpus_dir=small_corpus, embeddings="hash-test")
    with pytest.raises(IndexMismatch, match="ingest --rebuild"):
        Retriever(other)
    with pytest.raises(IndexMismatch, match="ingest --rebuild"):
        ingest(other)


@needs_st
def test_cli_refuses_to_mix_then_rebuild_switches(tiny_model: Path, small_corpus: Path, tmp_path: Path):
    from assistant.ingest.pipeline import ingest

    index = tmp_path / "index"
    env = {"ASSISTANT_CORPUS_DIR": str(small_corpus)}
    st_settings = make_settings(index, corpus_dir=small_corpus,
                                embeddings=f"sentence-transformers:{tiny_model}")
    assert ingest(st_settings).ok
    proc = run_cli(["search", "cáp quang"], index_dir=index, env={**env, "ASSISTANT_EMBEDDINGS": "hash-test"})
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert "sentence-transformers:" in proc.stderr and "ingest --rebuild" in proc.stderr
    proc = run_cli(["ingest", "--rebuild"], index_dir=index, env={**env, "ASSISTANT_EMBEDDINGS": "hash-test"})
    assert proc.returncode == 0, proc.stderr
    proc = run_cli(["search", "--json", "cáp quang"], index_dir=index,
                   env={**env, "ASSISTANT_EMBEDDINGS": "hash-test"})
    assert proc.returncode == 0 and '"results"' in proc.stdout
