"""Ingest and retrieval against a real Chroma + BM25 index in a temporary folder."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from assistant.index.store import IndexMismatch, IndexStore
from assistant.ingest.pipeline import ingest
from assistant.qa.retriever import Filters, Retriever

from .conftest import FIXTURES, copy_fixture, make_settings


def _docs(settings) -> dict[str, dict]:
    store = IndexStore.open(settings.index_dir)
    try:
        return {d["source"]: d for d in store.documents()}
    finally:
        store.close()


def test_pdf_and_docx_are_indexed_with_structure(tmp_path: Path):
    s = make_settings(tmp_path / "index", corpus_dir=tmp_path / "no-corpus")
    files = [copy_fixture(n, tmp_path / "in") for n in ("xuan_phong_2025.pdf", "xuan_phong_2025.docx")]
    report = ingest(s, files[:1])
    assert report.ok and report.added == ["xuan_phong_2025.pdf"]
    docs = _docs(s)
    assert docs["xuan_phong_2025.pdf"]["commune"] == "Xuân Phong"
    r = Retriever(s)
    try:
        hits = r.search("may chu cu, duong truyen chap chon", k=3)
        assert hits[0].chunk.section_kind == "ton_tai"
        assert hits[0].chunk.section.endswith("b) Tồn tại, hạn chế")
    finally:
        r.close()
    s2 = make_settings(tmp_path / "index2", corpus_dir=tmp_path / "no-corpus")
    assert ingest(s2, files[1:]).added == ["xuan_phong_2025.docx"]
    r = Retriever(s2)
    try:
        rows = r.search("số camera giám sát", k=5, filters=Filters(doc_ids=["xuan_phong_2025.docx"]))
        assert any("Số camera giám sát | 16" in h.chunk.text for h in rows)  # Word table row kept whole
    finally:
        r.close()


def test_reingesting_the_same_content_is_a_no_op(settings):
    first = ingest(settings)
    assert first.ok and len(first.added) == 6  # five reports and the indicator catalog
    gen = first.generation
    again = ingest(settings)
    assert again.added == [] and again.updated == []
    assert len(again.unchanged) == 6
    assert again.generation == gen


def test_bad_files_are_reported_and_the_rest_indexed(settings, tmp_path: Path):
    ingest(settings)
    before = set(_docs(settings))
    bad = [copy_fixture(p.name, tmp_path / "batch") for p in sorted((FIXTURES / "ingest").glob("bad_*"))]
    good = copy_fixture("xuan_phong_2025.docx", tmp_path / "batch")
    report = ingest(settings, [*bad, good])
    reasons = dict(report.failed)
    assert set(reasons) == {p.name for p in bad}
    assert "mật khẩu" in reasons["bad_encrypted.pdf"]
    assert "không có lớp chữ" in reasons["bad_scanned.pdf"]
    assert "tệp rỗng" in reasons["bad_empty.txt"]
    assert "không nhận loại tệp" in reasons["bad_unknown.xyz"]
    assert "bị hỏng" in reasons["bad_truncated.pdf"]
    assert ".docx" in reasons["bad_junk.docx"]
    assert report.added == ["xuan_phong_2025.docx"]
    assert before | {"xuan_phong_2025.docx"} == set(_docs(settings))


def test_a_crash_during_commit_keeps_the_previous_index(settings, tmp_path: Path, monkeypatch):
    ingest(settings)
    r = Retriever(settings)
    expected = [h.chunk.chunk_id for h in r.search("Tân An có bao nhiêu ấp", k=5)]
    r.close()
    f = copy_fixture("xuan_phong_2025.docx", tmp_path / "in")

    def boom(*a, **k):
        raise RuntimeError("disk full")

    monkeypatch.setattr(IndexStore, "write_document", boom)
    with pytest.raises(RuntimeError):
        ingest(settings, [f])
    monkeypatch.undo()
    assert "xuan_phong_2025.docx" not in _docs(settings)
    r = Retriever(settings)
    assert [h.chunk.chunk_id for h in r.search("Tân An có bao nhiêu ấp", k=5)] == expected
    r.close()
    assert ingest(settings, [f]).added == ["xuan_phong_2025.docx"]  # a re-run completes the job


def test_rebuild_swaps_in_a_new_generation(settings):
    g1 = ingest(settings).generation
    g2 = ingest(settings, rebuild=True).generation
    assert g1 != g2
    assert IndexStore.current_gen(settings.index_dir) == g2
    assert not (settings.index_dir / g1).exists()


def test_changed_file_replaces_its_old_chunks(settings, tmp_path: Path):
    corpus = tmp_path / "corpus" / "reports"
    corpus.mkdir(parents=True)
    doc = corpus / "bao_cao.txt"
    doc.write_text("BÁO CÁO\nI. KẾT QUẢ\nUBND xã Hòa Lạc đã lắp 12 camera giám sát.\n", encoding="utf-8")
    s = make_settings(tmp_path / "index", corpus_dir=tmp_path / "corpus")
    assert ingest(s).added == ["bao_cao.txt"]
    doc.write_text("BÁO CÁO\nI. KẾT QUẢ\nUBND xã Hòa Lạc đã lắp 30 camera giám sát.\n", encoding="utf-8")
    assert ingest(s).updated == ["bao_cao.txt"]
    r = Retriever(s)
    texts = " ".join(c.text for c in r.chunks)
    r.close()
    assert "30 camera" in texts and "12 camera" not in texts


def test_mixing_embedders_is_refused_with_a_way_out(settings):
    ingest(settings)
    other = make_settings(settings.index_dir, embeddings="e5-small-q4")
    with pytest.raises(IndexMismatch, match="ingest --rebuild"):
        Retriever(other)
    assert Retriever(make_settings(settings.index_dir, embeddings="none")).mode == "bm25"


def test_bm25_only_index(tmp_path: Path):
    s = make_settings(tmp_path / "index", embeddings="none")
    assert ingest(s).ok
    r = Retriever(s)
    assert r.mode == "bm25" and r.vectors is None
    assert r.search("Tân An có bao nhiêu ấp", k=5)
    r.close()


@pytest.fixture(scope="module")
def seed_retriever(seed_index):
    r = Retriever(seed_index)
    yield r
    r.close()


class TestFilters:
    @pytest.fixture
    def r(self, seed_retriever):
        return seed_retriever

    def test_commune_named_in_the_question_restricts_results(self, r):
        hits = r.search("Tân An có bao nhiêu ấp?", k=10)
        assert {h.chunk.commune for h in hits} == {"Tân An"}
        assert any("17 ấp" in h.chunk.text for h in hits[:5])

    def test_accentless_question(self, r):
        hits = r.search("tan an co bao nhieu ap", k=5)
        assert any("17 ấp" in h.chunk.text for h in hits)

    def test_exclude_commune_and_section_kind(self, r):
        hits = r.search("trụ sở chật hẹp, thiếu thiết bị", k=10,
                        filters=Filters(exclude_communes=["dai son"], section_kinds=["ton_tai"]))
        assert hits and all(h.chunk.commune != "Đại Sơn" and h.chunk.section_kind == "ton_tai" for h in hits)

    def test_catalog_is_searchable(self, r):
        hits = r.search("chỉ tiêu hồ sơ xử lý trực tuyến toàn trình Kế hoạch 02", k=5,
                        filters=Filters(kinds=["guidance"]))
        assert hits and hits[0].chunk.doc_id == "chi_tieu_catalog"


def test_corpus_dir_without_reports_still_indexes_given_files(tmp_path: Path):
    s = make_settings(tmp_path / "index", corpus_dir=tmp_path / "empty")
    (tmp_path / "empty").mkdir()
    src = tmp_path / "note.md"
    shutil.copy(FIXTURES / "ingest" / "xuan_phong_2025.docx", tmp_path / "x.docx")
    src.write_text("# Ghi chú\nXã Xuân Phong có 14 thôn và 98 thành viên Tổ công nghệ số.\n", encoding="utf-8")
    assert ingest(s, [src]).added == ["note.md"]


def test_old_keyword_tokens_are_recomputed(settings):
    ingest(settings)
    store = IndexStore.open(settings.index_dir)
    with store.transaction() as db:
        db.execute("UPDATE chunks SET tokens='stale'")
        store.set_meta("tokens_version", "0")
    store.close()
    r = Retriever(settings)
    try:
        assert any("17 ấp" in h.chunk.text for h in r.search("tan an co bao nhieu ap", k=5, mode="bm25"))
    finally:
        r.close()


def test_the_commune_is_found_even_when_first_named_late_in_a_long_report():
    from assistant.ingest.metadata import guess_commune

    text = "BÁO CÁO kết quả chuyển đổi số năm 2025\n" + "Nội dung chung của báo cáo. " * 1000
    assert len(text) > 20000 and guess_commune(text + "Ủy ban nhân dân xã Giao Minh báo cáo.") == "Giao Minh"
    assert guess_commune(text) == ""
