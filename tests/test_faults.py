"""Bad input: every broken file gets a plain reason, the rest of the batch is indexed, nothing is lost.

Small bad files live in tests/fixtures/bad/ (scripts/make_bad_fixtures.py) and
tests/fixtures/ingest/; large files and odd file names are made here in a temporary folder.
"""

from __future__ import annotations

import importlib.util
import json
import re
import shutil
import sys
import time
import unicodedata
from pathlib import Path

import numpy as np
import pytest

from assistant.index import vectors as vectorstore
from assistant.index.store import IndexStore
from assistant.index.vectors import make_vector_store
from assistant.ingest.chunking import chunk_blocks
from assistant.ingest.pipeline import ingest, parse_file
from assistant.qa.retriever import Filters, Retriever
from assistant.settings import REPO_DIR, Settings

from .conftest import FIXTURES, make_settings, run_cli

BAD = FIXTURES / "bad"
INGEST = FIXTURES / "ingest"
# Each bad file and a word its plain reason must contain.
REFUSED = {
    BAD / "empty.pdf": "tệp rỗng",
    BAD / "corrupt.pdf": "bị hỏng",
    # an image without letters: OCR finds nothing (without Tesseract: it is named, to install)
    BAD / "image_only.pdf": "không có lớp chữ" if shutil.which("tesseract") else "Tesseract",
    BAD / "renamed_txt.docx": "không phải tệp .docx hợp lệ",
    BAD / "junk_parts.docx": "không đọc được nội dung tệp .docx",
    INGEST / "bad_encrypted.pdf": "mật khẩu",
    INGEST / "bad_truncated.pdf": "bị hỏng",
    INGEST / "bad_junk.docx": ".docx",
    INGEST / "bad_empty.txt": "tệp rỗng",
}
QUERIES = ["Tân An có bao nhiêu ấp", "tỷ lệ hồ sơ trực tuyến toàn trình", "máy tính cũ, đường truyền chập chờn",
           "Đại Sơn camera giám sát", "chỉ tiêu Kế hoạch 02 chữ ký số"]


# ------------------------------------------------------------------ helpers (also used by test_crash)


def _script(name: str):  # noqa: ANN202
    """A module of scripts/ (the fixture generators), loaded by path."""
    key = f"_scripts_{name}"
    if key not in sys.modules:
        spec = importlib.util.spec_from_file_location(key, REPO_DIR / "scripts" / f"{name}.py")
        module = importlib.util.module_from_spec(spec)
        sys.modules[key] = module  # dataclasses look their module up here
        spec.loader.exec_module(module)
    return sys.modules[key]


def report_text(commune: str, thon: int, members: int, pct: str) -> str:
    return _script("make_bad_fixtures").report(commune, thon, members, pct)


def index_state(settings: Settings, *, vectors: bool = True) -> dict:
    """Documents, chunk ids, and (with `vectors`) vector ids and stored vectors of the live generation.

    Reading vectors opens embedded Chroma in this process and closes it again; do it only while no
    other process is writing the index (embedded Chroma has one writer).
    """
    store = IndexStore.open(settings.index_dir)
    try:
        docs = {d["doc_id"]: d for d in store.documents()}
        ids = store.chunk_ids()
        embedder = store.get_meta("embedder")
        gen = store.gen
        collection = getattr(store, "collection", f"chunks_{gen.replace('-', '_')}")
    finally:
        store.close()
    ids_with_vectors: set[str] | None = None
    stored: dict[str, np.ndarray] = {}
    if vectors and embedder and embedder != "none":
        vs = make_vector_store(path=settings.index_dir / gen / "chroma", url=settings.chroma_url,
                               collection=collection)
        try:
            ids_with_vectors = vs.ids()
            for i in range(0, len(ids), 2000):  # the stored vectors of the committed chunks
                got = vs._col.get(ids=ids[i:i + 2000], include=["embeddings"])  # noqa: SLF001
                stored.update(zip(got["ids"], np.asarray(got["embeddings"], dtype=np.float32), strict=True))
        finally:
            vs.close()
    return {"docs": docs, "ids": ids, "vectors": ids_with_vectors, "embeddings": stored, "gen": gen,
            "collection": collection}


def assert_consistent(state: dict) -> None:
    """No duplicate chunks, chunk count == sum of n_chunks, vectors == chunks."""
    ids = state["ids"]
    assert len(ids) == len(set(ids)), "duplicate chunk ids"
    assert len(ids) == sum(d["n_chunks"] for d in state["docs"].values())
    if state["vectors"] is not None:
        assert state["vectors"] == set(ids), (
            f"{len(state['vectors'] - set(ids))} vectors without a chunk, "
            f"{len(set(ids) - state['vectors'])} chunks without a vector")


def top_ids(settings: Settings, queries=QUERIES, k: int = 5,
            modes: tuple[str, ...] = ("bm25", "hybrid")) -> dict[str, dict[str, list[str]]]:
    """Top chunk ids per query and mode (BM25 alone does not open Chroma)."""
    if modes == ("bm25",):
        settings = settings.model_copy(update={"retrieval": "bm25"})
    r = Retriever(settings)
    try:
        return {mode: {q: [h.chunk.chunk_id for h in r.search(q, k=k, mode=mode)] for q in queries}
                for mode in modes}
    finally:
        r.close()


def same_content(got: dict, want: dict) -> bool:
    """The same documents, chunks and stored vectors (vectors without a chunk are ignored)."""
    if {d: x["sha256"] for d, x in got["docs"].items()} != {d: x["sha256"] for d, x in want["docs"].items()}:
        return False
    if sorted(got["ids"]) != sorted(want["ids"]) or set(got["embeddings"]) != set(want["embeddings"]):
        return False
    return all(np.allclose(got["embeddings"][i], v, atol=1e-6) for i, v in want["embeddings"].items())


def same_results(got: dict, want: dict) -> bool:
    """BM25 rankings equal; hybrid ones equal up to Chroma's approximate (HNSW) neighbours.

    Chroma builds its HNSW graph with several threads, so two clean builds of the very same
    vectors return different dense candidates now and then (the hash test embedder makes many
    near ties: 8 clean builds shared only 3 of 5 hybrid hits for one query). Stored vectors are
    compared exactly by `same_content`; here hybrid lists must share their top hit and 2 of 5.
    """
    if got["bm25"] != want["bm25"]:
        return False
    for q, ids in want["hybrid"].items():
        other = got["hybrid"][q]
        if ids[:1] != other[:1] or len(set(ids) & set(other)) < len(ids) - 3:
            return False
    return True


@pytest.fixture
def indexed(seed_index: Settings, tmp_path: Path) -> Settings:
    """A private copy of the seed index (hash embedder) that a test may change."""
    shutil.copytree(seed_index.index_dir, tmp_path / "index")
    return make_settings(tmp_path / "index")


def _odd_names(folder: Path) -> list[Path]:
    """Valid reports under names with spaces, Vietnamese, '..', NFD and a very long name."""
    folder.mkdir(parents=True, exist_ok=True)
    names = {
        "bao cao xã Hòa Lạc (bản cuối).txt": "Hòa Lạc",
        "..bao..cao..Vĩnh Tuy...txt": "Vĩnh Tuy",
        unicodedata.normalize("NFD", "Báo cáo Quỳnh Lưu.txt"): "Quỳnh Lưu",
        ("Báo cáo kết quả chuyển đổi số năm 2025 và phương hướng nhiệm vụ năm 2026 của "
         "Ủy ban nhân dân xã Tiên Phong huyện cũ đã sáp nhập.txt"): "Tiên Phong",
    }
    out = []
    for i, (name, commune) in enumerate(names.items()):
        p = folder / name
        assert len(p.name.encode()) < 256
        p.write_text(report_text(commune, 5 + i, 30 + i, f"6{i},5%"), encoding="utf-8")
        out.append(p)
    return out


# ------------------------------------------------------------------ the batch, through the CLI


def test_bad_batch_through_the_cli(indexed: Settings, tmp_path: Path):
    before = index_state(indexed, vectors=False)  # Chroma is opened here only after the CLI ran
    expected_top = top_ids(indexed, modes=("bm25",))
    batch = tmp_path / "batch"
    batch.mkdir()
    bad = [Path(shutil.copy(p, batch / p.name)) for p in REFUSED]
    big = batch / "qua_lon.txt"
    big.write_text("Xã Hòa Lạc báo cáo chuyển đổi số. " * 70_000, encoding="utf-8")  # ~2.5 MB
    good = [Path(shutil.copy(BAD / n, batch / n))
            for n in ("cp1258_lam_son.txt", "mixed_nfc_nfd_duc_thinh.txt")]
    good += [Path(shutil.copy(INGEST / "xuan_phong_2025.docx", batch / "xuan_phong_2025.docx"))]
    odd = _odd_names(tmp_path / "odd")
    proc = run_cli(["ingest", "--json", *map(str, [*bad, big, *good, *odd])], index_dir=indexed.index_dir,
                   env={"ASSISTANT_EMBEDDINGS": "hash-test", "ASSISTANT_MAX_FILE_MB": "1"})
    assert "Traceback" not in proc.stderr + proc.stdout
    assert proc.returncode == 1, proc.stderr  # some files failed: exit 1, not a crash
    report = json.loads(proc.stdout)
    reasons = {f["file"]: f["reason"] for f in report["failed"]}
    want = {p.name: word for p, word in REFUSED.items()} | {big.name: "vượt giới hạn 1 MB"}
    assert set(reasons) == set(want)
    for name, word in want.items():
        assert word in reasons[name], (name, reasons[name])
        assert f"Không đọc được {name}: {reasons[name]}" in proc.stderr
    assert sorted(report["added"]) == sorted(p.name for p in [*good, *odd])

    after = index_state(indexed)
    assert set(before["docs"]) < set(after["docs"])  # nothing already indexed was lost
    for doc_id, d in before["docs"].items():
        assert after["docs"][doc_id]["sha256"] == d["sha256"]
    assert_consistent(after)
    assert len(after["docs"]) == len(before["docs"]) + len(good) + len(odd)
    ref = reference_index(tmp_path / "ref", [*good, *odd])
    assert same_content(after, index_state(ref))  # the same end state as a clean run, vectors too
    got = top_ids(indexed)
    assert same_results(got, top_ids(ref))
    assert got["bm25"] != expected_top["bm25"]  # the new reports do take part in the answers


def reference_index(folder: Path, files: list[Path]) -> Settings:
    """The seed index plus `files`, ingested in one clean run (the expected end state)."""
    from .conftest import CORPUS

    s = make_settings(folder / "index", corpus_dir=CORPUS)
    assert ingest(s).ok and ingest(s, files).ok
    return s


# ------------------------------------------------------------------ what got indexed is right


def test_legacy_encodings_and_mixed_forms_are_indexed_as_nfc(indexed: Settings, tmp_path: Path):
    files = [Path(shutil.copy(BAD / n, tmp_path / n))
             for n in ("cp1258_lam_son.txt", "mixed_nfc_nfd_duc_thinh.txt")]
    report = ingest(indexed, files)
    assert report.ok and sorted(report.added) == sorted(f.name for f in files)
    r = Retriever(indexed)
    try:
        mine = [c for c in r.chunks if c.source in {f.name for f in files}]
        assert {c.commune for c in mine} == {"Lam Sơn", "Đức Thịnh"}
        assert all(unicodedata.is_normalized("NFC", c.text) for c in mine)
        for query, commune, figure in [("Lam Sơn tổ công nghệ số có bao nhiêu thành viên", "Lam Sơn", "63"),
                                       ("Đức Thịnh tổ công nghệ số có bao nhiêu thành viên", "Đức Thịnh", "38")]:
            for q in (query, unicodedata.normalize("NFD", query)):
                hits = r.search(q, k=3)
                assert hits and hits[0].chunk.commune == commune
                assert any(f"{figure} thành viên" in h.chunk.text for h in hits)
    finally:
        r.close()


def test_odd_file_names_are_indexed_under_safe_ids(settings: Settings, tmp_path: Path):
    s = make_settings(settings.index_dir, corpus_dir=tmp_path / "no-corpus")
    files = _odd_names(tmp_path / "in")
    report = ingest(s, files)
    assert report.ok and len(report.added) == len(files)
    docs = index_state(s)["docs"]
    assert len(docs) == len(files)
    for d in docs.values():
        assert "/" not in d["doc_id"] and len(d["doc_id"]) <= 100
        assert unicodedata.is_normalized("NFC", d["doc_id"])
    assert {d["commune"] for d in docs.values()} == {"Hòa Lạc", "Vĩnh Tuy", "Quỳnh Lưu", "Tiên Phong"}
    r = Retriever(s)
    try:
        hit = r.search("Quỳnh Lưu tổ công nghệ số", k=1)[0]
        assert hit.chunk.commune == "Quỳnh Lưu"
    finally:
        r.close()


def test_oversized_file_is_refused_by_the_setting(tmp_path: Path):
    s = make_settings(tmp_path / "index", corpus_dir=tmp_path / "none", max_file_mb=0.5)
    f = tmp_path / "lon.txt"
    f.write_text("Xã Hòa Lạc có 12 thôn. " * 40_000, encoding="utf-8")  # ~1 MB
    report = ingest(s, [f])
    (name, reason), = report.failed
    assert name == "lon.txt" and re.fullmatch(r"tệp nặng 1,\d MB, vượt giới hạn 0,5 MB \(giới hạn đặt bằng ASSISTANT_MAX_FILE_MB\)", reason)


def test_a_10_mb_single_paragraph_is_chunked_quickly(settings: Settings, tmp_path: Path):
    """One 10 MB line of sentences (a PDF export without line breaks): chunked, in seconds."""
    sentence = "UBND xã Hòa Lạc đã lắp 12 điểm wifi công cộng và tập huấn kỹ năng số cho 350 người dân. "
    f = tmp_path / "mot_doan.txt"
    text = sentence * (10_000_000 // len(sentence.encode()))
    f.write_text(text, encoding="utf-8")
    assert f.stat().st_size > 9_900_000
    settings = settings.model_copy(update={"max_text_chars": 20_000_000, "max_chunks_per_doc": 100_000})
    t0 = time.perf_counter()
    doc, chunks = parse_file(f, settings)
    elapsed = time.perf_counter() - t0
    assert doc["commune"] == "Hòa Lạc"
    assert max(len(c.text) for c in chunks) <= settings.chunk_chars
    assert sum(len(c.text) + 1 for c in chunks) >= len(text)  # nothing dropped
    assert elapsed < 60, f"parsing a 10 MB paragraph took {elapsed:.0f} s"


def test_a_long_paragraph_without_full_stops_is_split_in_linear_time():
    words = "Xã Hòa Lạc lắp 12 điểm wifi công cộng tập huấn kỹ năng số cho 350 người dân "
    text = words * (4_000_000 // len(words))
    t0 = time.perf_counter()
    chunks = chunk_blocks([text], max_chars=900)
    elapsed = time.perf_counter() - t0
    assert len(chunks) > 4000 and max(len(c.text) for c in chunks) <= 900
    assert elapsed < 2.0, f"{elapsed:.1f} s to split 4 MB"


# ------------------------------------------------------------------ known gaps (bugs in the core)


def test_tcvn3_text_is_decoded_or_refused_never_garbled(settings: Settings, tmp_path: Path):
    s = make_settings(settings.index_dir, corpus_dir=tmp_path / "none")
    f = Path(shutil.copy(BAD / "tcvn3_phu_my.txt", tmp_path / "tcvn3_phu_my.txt"))
    report = ingest(s, [f])
    if report.failed:
        (name, reason), = report.failed
        assert "TCVN3" in reason or "encoding" in reason
        return
    r = Retriever(s)
    try:
        text = " ".join(c.text for c in r.chunks)
        assert "Phú Mỹ" in text and "chuyển đổi số" in text and "x·" not in text
        assert r.search("Phú Mỹ tổ công nghệ số", k=1, filters=Filters(communes=["Phú Mỹ"]))
    finally:
        r.close()


def test_files_with_the_same_name_in_two_folders_are_both_kept(settings: Settings, tmp_path: Path):
    s = make_settings(settings.index_dir, corpus_dir=tmp_path / "none")
    files = []
    for folder, commune in (("xa_hoa_lac", "Hòa Lạc"), ("xa_lam_son", "Lam Sơn")):
        (tmp_path / folder).mkdir()
        files.append(tmp_path / folder / "bao_cao_cds_2025.txt")
        files[-1].write_text(report_text(commune, 8, 40, "70%"), encoding="utf-8")
    long_tail = "_" + "bao_cao_chuyen_doi_so_nam_2025_" * 4 + ".txt"
    for prefix, commune in (("hoa_binh", "Hòa Bình"), ("phu_my", "Phú Mỹ")):
        files.append(tmp_path / (prefix + long_tail))
        files[-1].write_text(report_text(commune, 9, 41, "71%"), encoding="utf-8")
    report = ingest(s, files)
    communes = {d["commune"] for d in index_state(s)["docs"].values()}
    assert len(report.added) == 4
    assert communes == {"Hòa Lạc", "Lam Sơn", "Hòa Bình", "Phú Mỹ"}


def test_a_reload_sees_what_another_process_ingested(indexed: Settings, tmp_path: Path):
    """A long-running process (the web app) reloads after `assistant ingest` ran in another one."""
    r = Retriever(indexed)
    assert r.search("Tân An có bao nhiêu ấp", k=3)
    r.close()
    f = Path(shutil.copy(INGEST / "xuan_phong_2025.docx", tmp_path / "xuan_phong_2025.docx"))
    proc = run_cli(["ingest", str(f)], index_dir=indexed.index_dir, env={"ASSISTANT_EMBEDDINGS": "hash-test"})
    assert proc.returncode == 0, proc.stderr
    r = Retriever(indexed)  # the reload
    try:
        hits = r.search("Xuân Phong máy chủ cũ, đường truyền chập chờn", k=3, mode="dense",
                        filters=Filters(doc_ids=["xuan_phong_2025.docx"]))
        assert hits and r.search("Tân An có bao nhiêu ấp", k=3)
        assert r.vectors.ids() == set(r.by_id)  # every vector the other process wrote, and only those
    finally:
        r.close()


def test_the_web_app_sees_what_the_shell_ingested_after_its_next_reload(indexed: Settings, tmp_path: Path):
    """The app is loaded while `assistant ingest` runs in a shell; it reloads when it notices the
    change (or on its own next upload) and then finds the shell's file by its vectors too."""
    from assistant.web.context import WebContext

    shell = ("xuan_phong_2025.docx", "Xuân Phong máy chủ cũ, đường truyền chập chờn")
    app = ("bao_cao_hoa_lac.txt", "Hòa Lạc tổ công nghệ số")

    def dense_finds(ctx: WebContext, *docs: tuple[str, str]) -> bool:
        with ctx.reading() as loaded:
            for doc_id, query in docs:
                hits = loaded.retriever.search(query, k=3, mode="dense", filters=Filters(doc_ids=[doc_id]))
                if not (hits and hits[0].chunk.doc_id == doc_id):
                    return False
        return True

    ctx = WebContext(indexed)
    try:
        with ctx.reading() as loaded:  # the app has answered before (Chroma loads its graph then)
            assert loaded.retriever.search("Tân An có bao nhiêu ấp", k=3, mode="dense")
        f = Path(shutil.copy(INGEST / shell[0], tmp_path / shell[0]))
        proc = run_cli(["ingest", str(f)], index_dir=indexed.index_dir, env={"ASSISTANT_EMBEDDINGS": "hash-test"})
        assert proc.returncode == 0, proc.stderr
        ctx.reload_if_changed()  # what the next request does once the index changed on disk
        assert dense_finds(ctx, shell)
        upload = tmp_path / app[0]
        upload.write_text(report_text("Hòa Lạc", 11, 47, "73%"), encoding="utf-8")
        with ctx.maintenance():
            assert ingest(indexed, [upload], include_corpus=False).ok
        assert dense_finds(ctx, shell, app)
    finally:
        ctx.close()
    assert_consistent(index_state(indexed))  # a vector for every chunk, none lost


def _dense(r: Retriever, query: str) -> list[tuple[float, str]]:
    """Nearest chunks straight from the vector store (raises where `search` would fall back), as
    (distance, id) in order: the hash embedder gives passages equal distances, which the store may
    return in any order."""
    return sorted((round(float(d), 4), i) for i, d in r.vectors.query(r.embedder.embed_query(query), 10))[:3]


@pytest.fixture(params=["counting-close", "older-chromadb"])
def release(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Both ways a folder's Chroma System is released: chromadb's counting `close`, or ours alone."""
    if request.param == "older-chromadb":
        monkeypatch.setattr(vectorstore, "_refcounted_close", lambda: False)
    return request.param


def test_closing_one_handle_keeps_the_others_on_that_index_working(indexed: Settings, release: str):
    """A web reload closes its index while other handles in the process (requests, jobs) still search."""
    query = "Tân An có bao nhiêu ấp"
    first, second = Retriever(indexed), Retriever(indexed)
    folder = str((first.store.dir / "chroma").resolve())
    try:
        want = _dense(first, query)
        assert want
        first.close()
        first.close()  # a second close changes nothing
        assert _dense(second, query) == want
        third = Retriever(indexed)
        second.close()
        assert _dense(third, query) == want
        third.close()
        fourth = Retriever(indexed)  # after the last handle closed: Chroma opened afresh
        try:
            assert _dense(fourth, query) == want
        finally:
            fourth.close()
    finally:
        second.close()
    assert folder not in vectorstore._open_handles  # noqa: SLF001 - every handle given back


def test_handles_on_one_folder_open_and_close_concurrently(tmp_path: Path, release: str):
    """Threads opening and closing the same embedded folder: no handle is stopped under another."""
    from concurrent.futures import ThreadPoolExecutor

    folder = tmp_path / "chroma"
    rng = np.random.default_rng(0)
    vecs = rng.normal(size=(60, 16)).astype(np.float32)
    ids = [f"c{i:03d}" for i in range(len(vecs))]
    vs = make_vector_store(path=folder, url=None)
    vs.upsert(ids, vecs, [{"doc_id": "d"} for _ in ids])
    vs.close()

    def worker(n: int) -> int:
        for j in range(15):
            h = make_vector_store(path=folder, url=None)
            try:
                i = (n * 15 + j) % len(ids)
                assert h.query(vecs[i], 1)[0][0] == ids[i]
            finally:
                h.close()
        return n

    with ThreadPoolExecutor(6) as pool:
        assert sorted(pool.map(worker, range(6))) == list(range(6))
    assert str(folder.resolve()) not in vectorstore._open_handles  # noqa: SLF001


# ------------------------------------------------------------------ heavy: the full 10 MB ingest


@pytest.mark.heavy
@pytest.mark.parametrize("sep", [". ", " "], ids=["sentences", "no-full-stops"])
def test_10_mb_single_paragraph_through_the_cli(tmp_path: Path, sep: str):
    unit = "Xã Hòa Lạc đã lắp 12 điểm wifi công cộng và tập huấn kỹ năng số cho 350 người dân" + sep
    f = tmp_path / "mot_doan.txt"
    f.write_text(unit * (10_000_000 // len(unit.encode())), encoding="utf-8")
    t0 = time.perf_counter()
    proc = run_cli(["ingest", "--json", str(f)], index_dir=tmp_path / "index",
                   env={"ASSISTANT_EMBEDDINGS": "none", "ASSISTANT_CORPUS_DIR": str(tmp_path / "none"),
                        "ASSISTANT_MAX_TEXT_CHARS": "20000000", "ASSISTANT_MAX_CHUNKS_PER_DOC": "100000"})
    elapsed = time.perf_counter() - t0
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    assert report["added"] == ["mot_doan.txt"] and report["chunks"] > 7_000  # ~7.7 M characters
    print(f"10 MB single paragraph ({sep!r}): ingested in {elapsed:.1f} s, {report['chunks']} chunks")
    assert elapsed < 300
