"""Concurrency: 20 questions and 3 uploads sent at the same instant to one served app.

Only correctness is checked here (no timing): no request fails, every question gets an answer
with its sources, and afterwards the index holds every earlier document plus the 3 uploaded
ones. The timed version is `scripts/bench_concurrency.py` (docs/bench-concurrency.md); this test
drives the app with the same code, over a copy of the hash-embedder seed index.
"""

from __future__ import annotations

import importlib.util
import shutil
import sys
from pathlib import Path

import pytest

from assistant.settings import REPO_DIR, Settings

from .conftest import CORPUS, make_settings

QUESTIONS = REPO_DIR / "tests" / "data" / "heldout-qa.jsonl"


def _bench():  # noqa: ANN202 - the module scripts/bench_concurrency.py
    key = "_scripts_bench_concurrency"
    if key not in sys.modules:
        spec = importlib.util.spec_from_file_location(key, REPO_DIR / "scripts" / "bench_concurrency.py")
        module = importlib.util.module_from_spec(spec)
        sys.modules[key] = module  # dataclasses look their module up here
        spec.loader.exec_module(module)
    return sys.modules[key]


def test_twenty_asks_and_three_uploads_at_once_lose_nothing(seed_index: Settings, tmp_path: Path) -> None:
    pytest.importorskip("gradio", reason="the web extra is not installed (pip install -e '.[web]')")
    pytest.importorskip("gradio_client", reason="gradio_client is not installed")
    bench = _bench()
    shutil.copytree(seed_index.index_dir, tmp_path / "index")
    shutil.copytree(CORPUS, tmp_path / "corpus")
    settings = make_settings(tmp_path / "index", corpus_dir=tmp_path / "corpus")
    questions = bench.pick(bench.questions_from([QUESTIONS]), 20)
    files = bench.make_reports(tmp_path / "to_upload", 3)
    assert len({r.path.suffix for r in files}) == 3  # .docx, .txt and .md
    before = bench.document_ids(settings)

    with bench.serve(settings) as url:
        phase = bench.run_phase(url, "with_uploads", questions, files)
        after = bench.document_ids(settings)
        # the served app answers from an uploaded report (its index was reloaded)
        [late] = bench.run_phase(url, "after", ["Xã Hòa Bình có bao nhiêu thôn?"]).calls

    assert not phase.errors, [(c.kind, c.what, c.error) for c in phase.errors]
    asks, uploads = phase.of("ask"), phase.of("upload")
    assert len(asks) == 20 and len(uploads) == 3
    assert [c.what for c in asks] == questions
    assert all(c.answer.strip() and c.cited for c in asks), [c.what for c in asks if not c.cited]
    assert all("✅" in c.answer and "đã thêm vào kho" in c.answer for c in uploads), [c.answer for c in uploads]
    # nothing lost: every earlier document is still there, and the 3 uploads are in the index
    assert not set(before) - set(after)
    assert set(after) - set(before) == {r.path.name for r in files}
    assert sorted(after[r.path.name] for r in files) == sorted(bench.NEW_COMMUNES[:3])
    assert not late.error and "bao_cao_hoa_binh_2025.docx" in late.answer


def test_the_app_picks_up_what_another_process_ingested(seed_index: Settings, tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """Another worker or a shell `assistant ingest` changed the index: the next request reloads it."""
    pytest.importorskip("gradio", reason="the web extra is not installed (pip install -e '.[web]')")
    from assistant.qa.retriever import Filters
    from assistant.web import context as web_context
    from assistant.web.context import WebContext

    from .conftest import FIXTURES, run_cli

    monkeypatch.setattr(web_context, "CHECK_SECONDS", 0.0)
    shutil.copytree(seed_index.index_dir, tmp_path / "index")
    settings = make_settings(tmp_path / "index", corpus_dir=tmp_path / "none")
    ctx = WebContext(settings)
    try:
        with ctx.reading() as loaded:
            assert "xuan_phong_2025.docx" not in {c.doc_id for c in loaded.retriever.chunks}
        proc = run_cli(["ingest", str(FIXTURES / "ingest" / "xuan_phong_2025.docx")], index_dir=settings.index_dir,
                       env={"ASSISTANT_EMBEDDINGS": "hash-test", "ASSISTANT_CORPUS_DIR": str(tmp_path / "none")})
        assert proc.returncode == 0, proc.stderr
        with ctx.reading() as loaded:
            for mode in ("bm25", "dense"):  # its words and its vectors
                hits = loaded.retriever.search("Xuân Phong thành viên Tổ công nghệ số cộng đồng", k=3, mode=mode,
                                               filters=Filters(doc_ids=["xuan_phong_2025.docx"]))
                assert hits and hits[0].chunk.doc_id == "xuan_phong_2025.docx", mode
            first = loaded
        with ctx.reading() as loaded:
            assert loaded is first  # unchanged since: not loaded again
    finally:
        ctx.close()
