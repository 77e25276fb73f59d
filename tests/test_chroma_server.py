"""Scale-out: ASSISTANT_CHROMA_URL points the index at a Chroma server (`chroma run` on loopback).

The SQLite chunk store and BM25 stay in the index folder; only the vectors move to the server.
Both sides must know the same chunk ids after every ingest.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from assistant.index.store import IndexStore
from assistant.ingest.pipeline import ingest
from assistant.qa.retriever import Filters, Retriever
from assistant.settings import Settings
from tests.support.processes import stop

from .conftest import CORPUS, FIXTURES, make_settings
from .test_faults import assert_consistent, index_state


def _chroma_cli() -> str | None:
    local = Path(sys.executable).parent / "chroma"
    return str(local) if local.exists() else shutil.which("chroma")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def chroma_url(tmp_path_factory: pytest.TempPathFactory):
    cli = _chroma_cli()
    if cli is None:
        pytest.skip("the `chroma` command (from the chromadb package) is not installed")
    port = _free_port()
    data = tmp_path_factory.mktemp("chroma-server")
    log = open(data / "server.log", "w")  # noqa: SIM115 - closed below
    proc = subprocess.Popen([cli, "run", "--path", str(data / "db"), "--host", "127.0.0.1",
                             "--port", str(port)], stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{url}/api/v2/heartbeat", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                log.flush()
                pytest.skip(f"chroma run did not start: {(data / 'server.log').read_text()[-500:]}")
            time.sleep(0.3)
        yield url
    finally:
        stop(proc, timeout=20)
        log.close()


def _client(url: str):  # noqa: ANN202
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    host, port = url.removeprefix("http://").split(":")
    return chromadb.HttpClient(host=host, port=int(port), settings=ChromaSettings(anonymized_telemetry=False))


def _server_collections(url: str) -> set[str]:
    return {c.name for c in _client(url).list_collections()}


@pytest.fixture
def chroma(chroma_url: str) -> str:
    """The server, emptied: every test starts with no collections."""
    client = _client(chroma_url)
    for c in client.list_collections():
        client.delete_collection(c.name)
    return chroma_url


@pytest.fixture
def server_settings(chroma: str, tmp_path: Path) -> Settings:
    return make_settings(tmp_path / "index", chroma_url=chroma)


def test_ingest_and_search_through_a_chroma_server(server_settings: Settings, tmp_path: Path):
    s = server_settings
    assert ingest(s).ok
    state = index_state(s)  # vector ids read from the server
    assert state["vectors"] and not (s.index_dir / state["gen"] / "chroma").exists()
    assert_consistent(state)
    r = Retriever(s)
    try:
        assert r.keyword.size == len(r.chunks) == len(state["ids"])  # BM25 rows = SQLite chunks
        dense = r.search("Tân An có bao nhiêu ấp", k=5, mode="dense")
        hybrid = r.search("Tân An có bao nhiêu ấp", k=5)
        assert dense and {h.chunk.commune for h in dense} == {"Tân An"}
        assert any("17 ấp" in h.chunk.text for h in hybrid)
        assert {h.chunk.chunk_id for h in dense + hybrid} <= set(state["ids"])
    finally:
        r.close()

    # An incremental ingest adds vectors on the server and rows in SQLite, the same ids.
    f = Path(shutil.copy(FIXTURES / "ingest" / "xuan_phong_2025.docx", tmp_path / "xuan_phong_2025.docx"))
    assert ingest(s, [f]).added == ["xuan_phong_2025.docx"]
    state2 = index_state(s)
    assert_consistent(state2)
    assert set(state["ids"]) < set(state2["ids"])
    r = Retriever(s)
    try:
        only_new = Filters(doc_ids=["xuan_phong_2025.docx"])
        hits = r.search("máy chủ cũ, đường truyền chập chờn", k=3, mode="dense", filters=only_new)
        assert hits and all(h.chunk.commune == "Xuân Phong" for h in hits)  # its vectors are served
        assert r.search("Xuân Phong máy chủ cũ, đường truyền chập chờn", k=1)[0].chunk.commune == "Xuân Phong"
    finally:
        r.close()


def test_the_cli_uses_the_server(chroma: str, tmp_path: Path):
    from .conftest import run_cli

    index = tmp_path / "index"
    env = {"ASSISTANT_EMBEDDINGS": "hash-test", "ASSISTANT_CHROMA_URL": chroma}
    proc = run_cli(["ingest"], index_dir=index, env=env)
    assert proc.returncode == 0, proc.stderr
    proc = run_cli(["search", "Tân An có bao nhiêu ấp", "--mode", "dense", "--k", "3"], index_dir=index, env=env)
    assert proc.returncode == 0, proc.stderr
    assert "Tân An" in proc.stdout
    assert index_state(make_settings(index, chroma_url=chroma))["collection"] in _server_collections(chroma)
    assert not (index / IndexStore.current_gen(index) / "chroma").exists()


def test_two_index_folders_on_one_server_do_not_clash(chroma: str, tmp_path: Path):
    a = make_settings(tmp_path / "a", chroma_url=chroma)
    b = make_settings(tmp_path / "b", chroma_url=chroma, corpus_dir=tmp_path / "none")
    assert ingest(a).ok
    f = Path(shutil.copy(FIXTURES / "ingest" / "xuan_phong_2025.docx", tmp_path / "xuan_phong_2025.docx"))
    assert ingest(b, [f]).ok
    assert_consistent(index_state(a))
    assert_consistent(index_state(b))


def test_rebuilds_do_not_pile_up_collections_on_the_server(chroma: str, tmp_path: Path):
    s = make_settings(tmp_path / "index", chroma_url=chroma, corpus_dir=CORPUS)
    collections = []
    for rebuild in (False, True, True):
        ingest(s, rebuild=rebuild)
        collections.append(index_state(s)["collection"])
    names = _server_collections(chroma)
    assert collections[2] in names
    assert collections[0] not in names  # the one before the replaced generation is dropped


def test_a_worker_keeps_answering_while_another_rebuilds(chroma: str, tmp_path: Path):
    s = make_settings(tmp_path / "index", chroma_url=chroma, corpus_dir=CORPUS)
    assert ingest(s).ok
    worker = Retriever(s)  # an app worker that loaded the index
    try:
        before = [h.chunk.chunk_id for h in worker.search("Tân An có bao nhiêu ấp", k=5)]
        assert ingest(s, rebuild=True).ok  # the ingest job rebuilds
        after = [h.chunk.chunk_id for h in worker.search("Tân An có bao nhiêu ấp", k=5)]
        assert after == before
    finally:
        worker.close()
