"""Long uploads never hold the library for others: an upload is a job that reads and embeds
without the index's write lock, can be cancelled (nothing committed, nothing left on disk), and
commits in one short locked step. Driven by events, never by timing."""

from __future__ import annotations

import shutil
import threading
from pathlib import Path

import pytest

from assistant.index.access import Viewer
from assistant.index.library import delete_documents
from assistant.index.store import IndexStore
from assistant.index.uploads import upload_documents
from assistant.ingest.jobs import Cancelled, IngestJob
from assistant.settings import Settings

from .conftest import CORPUS, FIXTURES, make_settings
from .support.fake_embedder import HashEmbedder

INGEST = FIXTURES / "ingest"


class GatedEmbedder(HashEmbedder):
    """Embeds like the hash embedder, but the first passage batch waits for `release`."""

    def __init__(self) -> None:
        super().__init__()
        self.embedding = threading.Event()
        self.release = threading.Event()

    def embed_passages(self, texts, progress=None):  # noqa: ANN001, ANN201
        self.embedding.set()
        assert self.release.wait(60), "never released"
        return super().embed_passages(texts, progress=progress)


@pytest.fixture
def library(seed_index: Settings, tmp_path: Path) -> Settings:
    shutil.copytree(seed_index.index_dir, tmp_path / "index")
    shutil.copytree(CORPUS, tmp_path / "corpus")
    return make_settings(tmp_path / "index", corpus_dir=tmp_path / "corpus")


def _doc_ids(settings: Settings) -> set[str]:
    store = IndexStore.open(settings.index_dir)
    try:
        return {d["doc_id"] for d in store.documents()}
    finally:
        store.close()


def _job(settings: Settings, embedder: HashEmbedder) -> IngestJob:
    job = IngestJob(settings, [], viewer=Viewer.local())
    real = job.run

    def run(paths=None):  # noqa: ANN001, ANN202 - the same job with the test's embedder
        from assistant.ingest.pipeline import ingest

        job.token.check()
        return ingest(settings, list(paths), include_corpus=False, progress=job._progress,  # noqa: SLF001
                      viewer=job.viewer, cancel=job.token, embedder=embedder)

    job.run = run  # type: ignore[method-assign]
    assert real  # the real `run` does the same with the configured embedder
    return job


def test_a_delete_completes_while_an_upload_is_still_embedding(library: Settings, tmp_path: Path) -> None:
    gate = GatedEmbedder()
    upload = shutil.copy(INGEST / "xuan_phong_2025.docx", tmp_path / "xuan_phong_2025.docx")
    done: dict = {}
    t = threading.Thread(target=lambda: done.setdefault("result", upload_documents(
        library, [upload], Viewer.local(), logins=False, job=_job(library, gate))))
    t.start()
    try:
        assert gate.embedding.wait(60)
        # the upload is embedding: the library is free for others
        rep = delete_documents(library, ["000_bc6a550855c708f7.txt"])
        assert rep.deleted == ["000_bc6a550855c708f7.txt"]
        assert "xuan_phong_2025.docx" not in _doc_ids(library)  # nothing of the upload committed yet
    finally:
        gate.release.set()
        t.join(60)
    assert done["result"].report.added == ["xuan_phong_2025.docx"]
    ids = _doc_ids(library)
    assert "xuan_phong_2025.docx" in ids and "000_bc6a550855c708f7.txt" not in ids  # both changes kept


def test_the_write_lock_is_held_only_for_the_commit(library: Settings, tmp_path: Path, monkeypatch) -> None:  # noqa: ANN001
    from filelock import FileLock, Timeout

    from assistant.ingest import pipeline

    seen: dict[str, bool] = {}

    def lock_is_free() -> bool:
        try:
            with FileLock(str(library.index_dir / ".lock"), thread_local=False, is_singleton=False).acquire(timeout=0):
                return True
        except Timeout:
            return False

    class Watching(HashEmbedder):
        def embed_passages(self, texts, progress=None):  # noqa: ANN001, ANN201
            seen["embedding"] = lock_is_free()
            return super().embed_passages(texts, progress=progress)

    real_commit = pipeline._Run._commit  # noqa: SLF001

    def commit(self, *a, **k):  # noqa: ANN001, ANN002, ANN003, ANN202
        seen["commit"] = lock_is_free()
        return real_commit(self, *a, **k)

    monkeypatch.setattr(pipeline._Run, "_commit", commit)  # noqa: SLF001
    upload = shutil.copy(INGEST / "xuan_phong_2025.docx", tmp_path / "xuan_phong_2025.docx")
    assert pipeline.ingest(library, [upload], include_corpus=False, embedder=Watching()).added
    assert seen == {"embedding": True, "commit": False}


def test_a_cancelled_upload_commits_nothing_and_leaves_no_file(library: Settings, tmp_path: Path) -> None:
    gate = GatedEmbedder()
    job = _job(library, gate)
    upload = shutil.copy(INGEST / "xuan_phong_2025.docx", tmp_path / "xuan_phong_2025.docx")
    done: dict = {}
    t = threading.Thread(target=lambda: done.setdefault("result", upload_documents(
        library, [upload], Viewer.local(), logins=False, job=job)))
    before = _doc_ids(library)
    t.start()
    assert gate.embedding.wait(60)
    job.cancel()  # the «Huỷ» button
    gate.release.set()
    t.join(60)
    result = done["result"]
    assert result.cancelled and result.report is None
    assert _doc_ids(library) == before
    assert list(library.upload_dir.iterdir()) == []  # the stored file and its sidecar are gone
    with pytest.raises(Cancelled):
        job.token.check()


# ---------------------------------------------------------------- in the served app


@pytest.fixture
def served(seed_index: Settings, tmp_path: Path, monkeypatch):  # noqa: ANN001
    pytest.importorskip("gradio", reason="the web extra is not installed")
    client_mod = pytest.importorskip("gradio_client", reason="gradio_client is not installed")
    from assistant.web.app import build_app, launch

    from .test_web import _copy_index, _free_port

    gate = GatedEmbedder()
    gate.release.set()  # open unless a test closes it
    monkeypatch.setattr(HashEmbedder, "embed_passages",
                        lambda self, texts, progress=None: _gated(gate, self, texts, progress))
    settings = _copy_index(seed_index, tmp_path)
    demo = build_app(settings)
    url = launch(demo, settings, host="127.0.0.1", port=_free_port(), block=False, quiet=True)
    try:
        yield (lambda: client_mod.Client(url, verbose=False, analytics_enabled=False)), settings, gate, url
    finally:
        gate.release.set()
        demo.close()
        demo.assistant_context.close()


_REAL_EMBED = HashEmbedder.embed_passages


def _gated(gate: GatedEmbedder, embedder: HashEmbedder, texts, progress):  # noqa: ANN001, ANN202
    gate.embedding.set()
    assert gate.release.wait(60)
    return _REAL_EMBED(embedder, texts, progress=progress)


def test_the_cancel_button_stops_the_running_upload_of_its_page(served) -> None:  # noqa: ANN001
    from .test_web import _file

    client, settings, gate, _ = served
    page = client()
    before = _doc_ids(settings)
    gate.embedding.clear()
    gate.release.clear()
    running = page.submit([_file(INGEST / "xuan_phong_2025.docx")], "", True, api_name="/tai_len")
    assert gate.embedding.wait(60)
    assert "Không có tải lên nào" in client().predict(api_name="/huy_tai_len")  # another page has none
    assert "Đang huỷ" in page.predict(api_name="/huy_tai_len")
    gate.release.set()
    message, *_ = running.result(timeout=120)
    assert "Đã huỷ tải lên" in message and "xuan_phong_2025.docx" in message
    assert _doc_ids(settings) == before
    assert list(settings.upload_dir.glob("*")) == []


def test_a_deleted_upload_is_not_served_from_the_temporary_file_route(served) -> None:  # noqa: ANN001
    import httpx
    from gradio.processing_utils import hash_file

    from assistant.web.served_files import upload_folder

    from .test_web import _file

    client, settings, _, url = served
    page = client()
    src = INGEST / "xuan_phong_2025.docx"
    cached = upload_folder() / hash_file(src) / src.name
    message, *_ = page.predict([_file(src)], "", True, api_name="/tai_len")
    assert "đã thêm vào kho" in message
    assert not cached.exists()  # the server's copy went once the library had the file
    assert httpx.get(f"{url}gradio_api/file={cached}").status_code in (403, 404)
    # a copy cached by the server again (e.g. uploaded once more, refused as a duplicate) goes on delete
    cached.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(src, cached)
    assert httpx.get(f"{url}gradio_api/file={cached}").status_code == 200
    message, *_ = page.predict(["xuan_phong_2025.docx"], api_name="/xoa_tai_lieu")
    assert "Đã xoá" in message
    assert not cached.exists()
    assert httpx.get(f"{url}gradio_api/file={cached}").status_code in (403, 404)
