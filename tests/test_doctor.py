"""An index that heals: `assistant doctor` says what is wrong and what to run, a plain
`assistant ingest` restores missing vectors and a stale keyword index, orphan uploads are listed
and removable (never silently read), and a corrupt SQLite file names `ingest --rebuild`."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from assistant.index.health import check
from assistant.index.store import IndexStore
from assistant.settings import Settings

from .conftest import CORPUS, FIXTURES, make_settings, run_cli

ENV = {"ASSISTANT_EMBEDDINGS": "hash-test"}


@pytest.fixture
def library(seed_index: Settings, tmp_path: Path) -> Settings:
    shutil.copytree(seed_index.index_dir, tmp_path / "index")
    shutil.copytree(CORPUS, tmp_path / "corpus")
    return make_settings(tmp_path / "index", corpus_dir=tmp_path / "corpus")


def _cli(settings: Settings, *args: str):  # noqa: ANN202
    return run_cli(list(args), index_dir=settings.index_dir,
                   env={**ENV, "ASSISTANT_CORPUS_DIR": str(settings.corpus_dir)})


def _gen_dir(settings: Settings) -> Path:
    return settings.index_dir / IndexStore.current_gen(settings.index_dir)


def test_a_healthy_index_is_reported_healthy(library: Settings) -> None:
    proc = _cli(library, "doctor", "--json")
    assert proc.returncode == 0, proc.stderr
    got = json.loads(proc.stdout)
    assert got["ok"] and got["chunks"] == got["vectors"] == got["keyword_rows"] > 0 and got["orphans"] == []


def test_deleted_vectors_are_named_by_doctor_and_restored_by_a_plain_ingest(library: Settings) -> None:
    chunks = check(library).chunks
    shutil.rmtree(_gen_dir(library) / "chroma")
    proc = _cli(library, "doctor")
    assert proc.returncode == 1
    assert f"{chunks} trong {chunks} đoạn không có vector" in proc.stdout and "chạy: assistant ingest" in proc.stdout
    proc = _cli(library, "ingest")
    assert proc.returncode == 0, proc.stderr
    assert f"Đã tạo lại {chunks} vector còn thiếu" in proc.stdout
    health = check(library)
    assert health.ok and health.vectors == chunks
    proc = _cli(library, "search", "--mode", "dense", "--json", "Tân An có bao nhiêu ấp")
    assert json.loads(proc.stdout)["results"]  # dense search finds passages again


def test_a_stale_keyword_index_is_rebuilt_by_a_plain_ingest(library: Settings) -> None:
    shutil.rmtree(_gen_dir(library) / "bm25")
    health = check(library)
    assert [p.kind for p in health.problems] == ["keyword"] and health.problems[0].fix == "assistant ingest"
    proc = _cli(library, "ingest", "--json")
    assert json.loads(proc.stdout)["keyword_rebuilt"] is True
    assert check(library).ok


def test_an_interrupted_upload_is_an_orphan_listed_removable_and_never_read(library: Settings) -> None:
    uploads = library.upload_dir
    uploads.mkdir(parents=True, exist_ok=True)
    orphan = Path(shutil.copy(FIXTURES / "ingest" / "xuan_phong_2025.docx", uploads / "xuan_phong_2025.docx"))
    (uploads / "xuan_phong_2025.docx.meta.yaml").write_text("owner: Xuân Phong\npublished: false\n", encoding="utf-8")
    health = check(library)
    assert health.orphans == [orphan] and "--remove-orphans" in health.problems[0].fix
    proc = _cli(library, "ingest", "--json")
    report = json.loads(proc.stdout)
    assert report["added"] == [] and report["orphans"] == ["xuan_phong_2025.docx"]
    assert "assistant doctor --remove-orphans" in proc.stderr
    assert "xuan_phong_2025.docx" not in {d["doc_id"] for d in _docs(library)}
    proc = _cli(library, "doctor", "--remove-orphans")
    assert proc.returncode == 0, proc.stdout
    assert "Đã xoá tệp tải lên dở dang: xuan_phong_2025.docx" in proc.stdout
    assert list(uploads.iterdir()) == []  # the file and its sidecar


def test_an_upload_still_running_is_not_an_orphan(library: Settings) -> None:
    from assistant.index.uploads import _claim

    uploads = library.upload_dir
    uploads.mkdir(parents=True, exist_ok=True)
    busy = Path(shutil.copy(FIXTURES / "ingest" / "xuan_phong_2025.docx", uploads / "dang_tai.docx"))
    claim = _claim(busy)
    try:
        assert check(library).orphans == []
    finally:
        claim.release()
    assert check(library).orphans == [busy]  # its process is gone: now it is one


def test_a_corrupt_sqlite_file_names_the_rebuild(library: Settings) -> None:
    (_gen_dir(library) / "chunks.sqlite").write_bytes(b"this is not a database" * 100)
    for f in _gen_dir(library).glob("chunks.sqlite-*"):
        f.unlink()
    for args in (["ask", "Tân An có bao nhiêu ấp?"], ["ingest"], ["docs"]):
        proc = _cli(library, *args)
        assert proc.returncode == 2, (args, proc.stderr)
        assert "assistant ingest --rebuild" in proc.stderr and "bị hỏng" in proc.stderr, proc.stderr
        assert "Lỗi không mong đợi" not in proc.stderr and "DatabaseError" not in proc.stderr
    proc = _cli(library, "doctor")
    assert proc.returncode == 1 and "bị hỏng" in proc.stdout and "assistant ingest --rebuild" in proc.stdout
    proc = _cli(library, "ingest", "--rebuild")
    assert proc.returncode == 0, proc.stderr
    proc = _cli(library, "ask", "Tân An có bao nhiêu ấp?")
    assert proc.returncode == 0 and "17 ấp" in proc.stdout
    assert check(library).ok


def test_the_app_start_up_runs_the_same_check(library: Settings) -> None:
    pytest.importorskip("gradio", reason="the web extra is not installed")
    from assistant.web.app import build_app

    shutil.rmtree(_gen_dir(library) / "bm25")
    demo = build_app(library)
    try:
        assert not demo.index_health.ok and "assistant ingest" in demo.index_health.notice()
        notes = [b for b in demo.blocks.values() if getattr(b, "elem_id", None) == "health-notice"]
        assert notes and "assistant ingest" in notes[0].value
    finally:
        demo.assistant_context.close()


def _docs(settings: Settings) -> list[dict]:
    store = IndexStore.open(settings.index_dir)
    try:
        return store.documents()
    finally:
        store.close()
