"""Regression tests for the two bugs of issue #11, both caused by one job being written in several
places: the chat model was built in three places (the web app raised `MissingExtra` instead of
answering offline), and the indicator catalog was read from the checkout by drafting, the indicator
table and the web tabs while the index read the one under `ASSISTANT_CORPUS_DIR`.
"""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

import pytest

from assistant.ingest.pipeline import CATALOG_DOC_ID
from assistant.settings import Settings

from .conftest import CATALOG, CORPUS, FIXTURES, make_settings, run_cli

ONE_INDICATOR = FIXTURES / "one_indicator" / "guidance" / "indicators.yaml"
ONLY_ID = "ho_so_tthc_truc_tuyen"
ONLY_NAME = "Tỷ lệ hồ sơ thủ tục hành chính giải quyết trực tuyến (danh mục thử)"
ONLY_SOURCE = "Văn bản thử nghiệm 01/TN"
DAI_SON = FIXTURES / "drafting" / "dai_son_2025.yaml"
NO_LLM_EXTRA = {"ASSISTANT_LLM": "openai", "ASSISTANT_LLM_BASE_URL": "http://127.0.0.1:9/v1",
                "TESTS_BLOCK_IMPORTS": "langchain_openai"}


# ----------------------------------------------------------------------------- (a) no `llm` extra


def test_web_without_the_llm_extra_answers_offline_with_a_notice(
        seed_index: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    """ASSISTANT_LLM=openai without langchain-openai: the app starts, says why, answers offline."""
    monkeypatch.setitem(sys.modules, "langchain_openai", None)  # `import langchain_openai` fails
    from assistant.web.context import WebContext

    settings = seed_index.model_copy(update={"llm": "openai", "llm_base_url": "http://127.0.0.1:9/v1"})
    ctx = WebContext.from_settings(settings)  # raised MissingExtra before the fix
    try:
        assert ctx.llm is None
        assert ctx.llm_error and '.[llm]' in ctx.llm_error and "cần gói cài thêm" in ctx.llm_error
        with ctx.reading() as loaded:
            answer = loaded.assistant.ask("Tân An có bao nhiêu ấp?")
        assert answer.mode != "llm" and "17 ấp" in answer.answer
    finally:
        ctx.close()


def test_ask_without_the_llm_extra_refuses_with_a_plain_message(tmp_path: Path) -> None:
    proc = run_cli(["ask", "Tân An có bao nhiêu ấp?"], index_dir=tmp_path / "index",
                   env={**NO_LLM_EXTRA, "ASSISTANT_EMBEDDINGS": "none"})
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.startswith("Lỗi: ") and "Traceback" not in proc.stderr
    assert 'pip install -e ".[llm]"' in proc.stderr and "cần gói cài thêm" in proc.stderr
    assert proc.stdout == ""
    assert not (tmp_path / "index").exists()  # refused before building anything


# ----------------------------------------------------------------------------- (b) one catalog


@pytest.fixture(scope="module")
def one_indicator(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """The bundled reports with a catalog of one indicator, indexed (hash embedder)."""
    from assistant.ingest.pipeline import ingest

    root = tmp_path_factory.mktemp("one_indicator")
    shutil.copytree(CORPUS / "reports", root / "corpus" / "reports")
    (root / "corpus" / "guidance").mkdir()
    shutil.copy(ONE_INDICATOR, root / "corpus" / "guidance" / "indicators.yaml")
    settings = make_settings(root / "index", corpus_dir=root / "corpus")
    report = ingest(settings)
    assert report.ok, report.failed
    return settings


def _cli(settings: Settings, *args: str) -> dict:
    proc = run_cli(list(args), index_dir=settings.index_dir,
                   env={"ASSISTANT_CORPUS_DIR": str(settings.corpus_dir), "ASSISTANT_EMBEDDINGS": "hash-test"})
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def test_the_fixture_catalog_differs_from_the_bundled_one() -> None:
    bundled = {i.id: i for i in CATALOG}
    assert len(bundled) > 1 and ONLY_ID in bundled and bundled[ONLY_ID].name != ONLY_NAME


def test_the_index_holds_the_one_indicator(one_indicator: Settings) -> None:
    data = _cli(one_indicator, "search", "chỉ tiêu mục tiêu tỷ lệ", "--section", "chi_tieu", "--k", "50",
                "--json")
    sections = {r["section"] for r in data["results"] if r["doc_id"] == CATALOG_DOC_ID}
    assert sections == {f"Chỉ tiêu > Chính quyền số > {ONLY_NAME}", f"Chỉ tiêu > Nguồn > {ONLY_SOURCE}"}


def test_drafting_matches_figures_against_the_one_indicator(one_indicator: Settings) -> None:
    data = _cli(one_indicator, "draft", str(DAI_SON), "--section", "ton_tai", "--json")
    matched = {g["indicator_id"] for g in data["gaps"]} - {None}
    assert matched == {ONLY_ID}
    row = next(g for g in data["gaps"] if g["indicator_id"] == ONLY_ID)
    # the figures file sets ≥70%; the stricter binding target comes from this catalog, not the bundled one
    assert (row["binding_target"], row["binding_target_source"]) == ("≥75%", ONLY_SOURCE)


def test_the_indicator_table_names_the_one_indicator(one_indicator: Settings) -> None:
    data = _cli(one_indicator, "indicators", "--json")
    rows = {r["id"]: r for r in data["indicators"]}
    assert rows[ONLY_ID]["name"] == ONLY_NAME and rows[ONLY_ID]["cells"]
    bundled_only = {i.id for i in CATALOG} - {ONLY_ID}
    assert not bundled_only & set(rows), "rows of indicators that are not in this catalog"
    assert not {i.name for i in CATALOG} & {r["name"] for r in rows.values()}


def test_the_web_tabs_read_the_one_indicator(one_indicator: Settings) -> None:
    """The drafting form lists the catalog's indicators; the compare tab charts its targets."""
    pytest.importorskip("gradio")
    from assistant.web.app import build_app
    from assistant.web.tab_draft import IND_HEADERS

    demo = build_app(one_indicator)
    try:
        comps = list(demo.blocks.values())
        form = next(c for c in comps if getattr(c, "value", None) and isinstance(c.value, dict)
                    and c.value.get("headers") == IND_HEADERS)
        assert [row[0] for row in form.value["data"]] == [ONLY_NAME]
        assert ONLY_SOURCE in form.value["data"][0][4]
        pick = next(c for c in comps if getattr(c, "elem_id", None) == "indicator-pick")
        names = {str(label) for label, _ in pick.choices}
        assert any(ONLY_NAME in n for n in names)
        assert not {i.name for i in CATALOG} & names
        chart = next(c for c in comps if getattr(c, "elem_id", None) == "indicator-chart")
        if pick.value == ONLY_ID:
            assert "75" in chart.value
    finally:
        demo.assistant_context.close()
