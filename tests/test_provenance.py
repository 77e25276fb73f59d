"""Honest provenance: an upload speaks only for its uploader's commune, every answer shows who
uploaded a non-bundled source and whether it is published, and duplicates are found only among
what the uploader may read (so an upload cannot reveal another commune's draft)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from assistant.app import Assistant
from assistant.index.access import Viewer, same_commune, suggest_commune
from assistant.index.store import IndexStore
from assistant.index.uploads import upload_documents
from assistant.ingest.pipeline import ingest
from assistant.settings import Settings

from .conftest import CORPUS, FIXTURES, make_settings, run_cli

INGEST = FIXTURES / "ingest"
FAKE_TAN_AN = """UBND XÃ TÂN AN
BÁO CÁO
Kết quả chuyển đổi số năm 2025 của xã Tân An
I. KẾT QUẢ THỰC HIỆN
Xã Tân An có 99 ấp; Tổ công nghệ số cộng đồng được thành lập ở cả 99 ấp với 990 thành viên.
"""


@pytest.fixture
def library(seed_index: Settings, tmp_path: Path) -> Settings:
    """A private copy of the seed index and of the corpus (uploads go to its uploads/ folder)."""
    shutil.copytree(seed_index.index_dir, tmp_path / "index")
    shutil.copytree(CORPUS, tmp_path / "corpus")
    return make_settings(tmp_path / "index", corpus_dir=tmp_path / "corpus")


def _docs(settings: Settings) -> dict[str, dict]:
    store = IndexStore.open(settings.index_dir)
    try:
        return {d["doc_id"]: d for d in store.documents()}
    finally:
        store.close()


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


# ---------------------------------------------------------------- who speaks for which commune


def test_a_commune_account_cannot_publish_under_another_communes_name(library: Settings, tmp_path: Path) -> None:
    upload = _write(tmp_path / "in" / "bao_cao_tan_an.txt", FAKE_TAN_AN)
    hoa_lac = Viewer.account("hl", "Hòa Lạc")
    result = upload_documents(library, [upload], hoa_lac, commune="Tân An", publish=True)
    assert result.report.added == ["bao_cao_tan_an.txt"]
    assert any("Hòa Lạc" in n and "Tân An" in n for n in result.notes)  # the typed name was not used
    doc = _docs(library)["bao_cao_tan_an.txt"]
    assert (doc["commune"], doc["owner"], doc["uploaded_by"], doc["published"]) == ("Hòa Lạc", "Hòa Lạc", "hl", 1)
    sidecar = (library.upload_dir / "bao_cao_tan_an.txt.meta.yaml").read_text(encoding="utf-8")
    assert "commune: Hòa Lạc" in sidecar and "uploaded_by: hl" in sidecar  # a rebuild keeps it

    a = Assistant(library)
    try:
        for viewer in (Viewer.account("ds", "Đại Sơn"), Viewer.account("tinh", "*")):
            ans = a.for_viewer(viewer).ask("Tân An có bao nhiêu ấp?")
            assert "17 ấp" in ans.answer and "99" not in ans.answer
            assert {c.commune for c in ans.citations} == {"Tân An"}
            assert all(not c.uploaded for c in ans.citations)
    finally:
        a.close()
    # and after a rebuild (from the sidecar) it is still Hòa Lạc's
    assert ingest(library, rebuild=True).ok
    assert _docs(library)["bao_cao_tan_an.txt"]["commune"] == "Hòa Lạc"


def test_province_staff_may_name_the_commune_and_that_is_recorded(library: Settings, tmp_path: Path) -> None:
    upload = _write(tmp_path / "in" / "bao_cao_tinh_nhap.txt", FAKE_TAN_AN.replace("99", "31"))
    result = upload_documents(library, [upload], Viewer.account("tinh", "*"), commune="Tân An", publish=True)
    assert result.report.added and not result.notes
    doc = _docs(library)["bao_cao_tinh_nhap.txt"]
    assert (doc["commune"], doc["owner"], doc["uploaded_by"], doc["commune_set_by"]) == ("Tân An", "*", "tinh", "tinh")


def test_an_account_without_a_commune_uploads_documents_of_no_commune(library: Settings, tmp_path: Path) -> None:
    upload = _write(tmp_path / "in" / "bao_cao_le.txt", FAKE_TAN_AN)
    result = upload_documents(library, [upload], Viewer.account("lan"), commune="Tân An")
    assert result.report.added and any("chưa gắn với xã" in n for n in result.notes)
    assert _docs(library)["bao_cao_le.txt"]["commune"] in ("", None)


def test_citations_show_who_uploaded_and_whether_it_is_published(library: Settings, tmp_path: Path) -> None:
    upload = _write(tmp_path / "in" / "hoa_lac_2025.txt", FAKE_TAN_AN.replace("Tân An", "Hòa Lạc")
                    .replace("TÂN AN", "HÒA LẠC").replace("99", "23"))
    xp = Viewer.account("hl1", "Hòa Lạc")
    upload_documents(library, [upload], xp, publish=False)
    a = Assistant(library)
    try:
        ans = a.for_viewer(xp).ask("Hòa Lạc có bao nhiêu ấp?")
        assert "23" in ans.answer
        cited = next(c for c in ans.citations if c.doc_id == "hoa_lac_2025.txt")
        assert (cited.owner, cited.uploaded_by, cited.published) == ("Hòa Lạc", "hl1", False)
        assert cited.to_json()["uploaded_by"] == "hl1" and "published" in cited.to_json()
        # the figure stands only in an unpublished draft: the answer says so
        assert any("23" in w and "bản nháp chưa công bố" in w for w in ans.warnings), ans.warnings
        bundled = a.ask("Tân An có bao nhiêu ấp?")
        assert not any("chỉ có trong" in w for w in bundled.warnings)
    finally:
        a.close()


def test_a_figure_only_another_communes_upload_states_is_flagged(library: Settings) -> None:
    """An upload from before this release whose owner is not the commune it is about."""
    uploads = library.upload_dir
    _write(uploads / "cu_tan_an.txt", FAKE_TAN_AN.replace("99 ấp", "77 ấp"))
    _write(uploads / "cu_tan_an.txt.meta.yaml", "owner: Hòa Lạc\ncommune: Tân An\n")
    assert ingest(library, [uploads / "cu_tan_an.txt"]).added == ["cu_tan_an.txt"]
    a = Assistant(library)
    try:
        ans = a.ask("Theo tài liệu cu_tan_an, Tân An có 77 ấp phải không?", k=10)
        flagged = [w for w in ans.warnings if "do tài khoản của Hòa Lạc tải lên" in w]
        if "77" in ans.answer:
            assert flagged and "77" in flagged[0]
    finally:
        a.close()
    from assistant.qa.provenance import provenance_warnings
    from assistant.records import Answer, Citation

    c = Citation(1, "cu_tan_an.txt", "cu_tan_an.txt", "Tân An", "", "Xã Tân An có 77 ấp.", owner="Hòa Lạc")
    assert provenance_warnings(Answer("Tân An có 77 ấp [1].", [c])) == [
        "Số liệu 77 chỉ có trong tài liệu về xã Tân An do tài khoản của Hòa Lạc tải lên "
        "([1] cu_tan_an.txt); hãy kiểm tra trước khi dùng."]
    bundled = Citation(2, "ta.txt", "ta.txt", "Tân An", "", "Tân An có 77 ấp.")
    assert provenance_warnings(Answer("Tân An có 77 ấp [1][2].", [c, bundled])) == []  # a vetted source too


# ---------------------------------------------------------------- names with tone marks


def test_commune_identity_keeps_tone_marks() -> None:
    assert same_commune("Phú Mỹ", " phú  MỸ ") and not same_commune("Phú Mỹ", "Phù Mỹ")
    assert not Viewer.account("a", "Phù Mỹ").owns("Phú Mỹ")
    assert not Viewer.account("a", "Phù Mỹ").can_read({"published": 0, "owner": "Phú Mỹ"})
    assert suggest_commune("Phu My", ["Phú Mỹ", "Tân An"]) == "Phú Mỹ"  # accent-free: a suggestion only
    assert suggest_commune("Phú Mỹ", ["Phú Mỹ"]) is None
    assert suggest_commune("Phu My", ["Phú Mỹ", "Phù Mỹ"]) is None  # ambiguous: no guess


# ---------------------------------------------------------------- duplicates


def test_the_same_report_as_pdf_after_its_docx_is_reported_not_indexed(library: Settings, tmp_path: Path) -> None:
    docx = shutil.copy(INGEST / "xuan_phong_2025.docx", tmp_path / "xuan_phong_2025.docx")
    pdf = shutil.copy(INGEST / "xuan_phong_2025.pdf", tmp_path / "bao_cao_khac_ten.pdf")
    own = Viewer.account("xp", "Xuân Phong")
    first = upload_documents(library, [docx], own)
    assert first.report.added == ["xuan_phong_2025.docx"]
    again = upload_documents(library, [pdf], own)
    assert again.report.added == []
    (dup,) = again.report.duplicates
    assert dup.doc_id == "xuan_phong_2025.docx" and dup.exact
    assert dup.reason().startswith("trùng nội dung với «Báo cáo") and "(xã Xuân Phong)" in dup.reason()
    assert not (library.upload_dir / "bao_cao_khac_ten.pdf").exists()  # not kept on disk


def test_nearly_the_same_text_for_the_same_commune_is_a_duplicate(library: Settings, tmp_path: Path) -> None:
    text = (INGEST.parent / "bad" / "cp1258_lam_son.txt").read_bytes().decode("cp1258")
    first = _write(tmp_path / "a" / "lam_son.txt", text)
    changed = _write(tmp_path / "b" / "lam_son_sua.txt", text + "\nTrang 2\n")  # a page number more
    other = _write(tmp_path / "c" / "lam_son_khac.txt", text.replace("Lam Sơn", "Yên Lạc"))
    report = ingest(library, [first, changed, other], include_corpus=False)
    assert sorted(report.added) == ["lam_son.txt", "lam_son_khac.txt"]  # another commune's is not a copy
    (dup,) = report.duplicates
    assert dup.file == "lam_son_sua.txt" and dup.doc_id == "lam_son.txt" and not dup.exact


def test_a_copy_of_another_communes_draft_does_not_reveal_that_it_exists(library: Settings, tmp_path: Path) -> None:
    draft = shutil.copy(INGEST / "xuan_phong_2025.docx", tmp_path / "xuan_phong_2025.docx")
    assert upload_documents(library, [draft], Viewer.account("xp", "Xuân Phong"), publish=False).report.added
    copy = shutil.copy(INGEST / "xuan_phong_2025.docx", tmp_path / "ban_sao.docx")
    other = upload_documents(library, [copy], Viewer.account("hl", "Hòa Lạc"), publish=False)
    assert other.report.added == ["ban_sao.docx"] and other.report.duplicates == []
    assert "trùng" not in json.dumps(other.report.to_json(), ensure_ascii=False)
    # the draft's own commune is told, by title and commune
    mine = upload_documents(library, [shutil.copy(INGEST / "xuan_phong_2025.pdf", tmp_path / "x.pdf")],
                            Viewer.account("xp2", "Xuân Phong"))
    assert [d.doc_id for d in mine.report.duplicates] == ["xuan_phong_2025.docx"]


def test_the_cli_reports_a_near_duplicate_by_title_and_commune(tmp_path: Path) -> None:
    files = [shutil.copy(INGEST / n, tmp_path / n) for n in ("xuan_phong_2025.docx", "xuan_phong_2025.pdf")]
    env = {"ASSISTANT_EMBEDDINGS": "hash-test", "ASSISTANT_CORPUS_DIR": str(tmp_path / "none")}
    proc = run_cli(["ingest", *map(str, files)], index_dir=tmp_path / "index", env=env)
    assert proc.returncode == 0, proc.stderr
    assert "+ xuan_phong_2025.docx" in proc.stdout
    assert "= xuan_phong_2025.pdf: trùng nội dung với «Báo cáo" in proc.stdout and "(xã Xuân Phong)" in proc.stdout
    proc = run_cli(["ingest", "--json", str(files[1])], index_dir=tmp_path / "index", env=env)
    report = json.loads(proc.stdout)
    assert report["added"] == [] and report["duplicates"][0]["doc_id"] == "xuan_phong_2025.docx"


def test_a_commune_typed_without_its_tone_marks_gets_a_suggestion_not_a_merge(library: Settings,
                                                                             tmp_path: Path) -> None:
    upload = _write(tmp_path / "in" / "tan_an_bo_sung.txt", FAKE_TAN_AN.replace("99", "18"))
    result = upload_documents(library, [upload], Viewer.account("tinh", "*"), commune="Tan An")
    assert any("có phải «Tân An»" in n for n in result.notes)
    assert _docs(library)["tan_an_bo_sung.txt"]["commune"] == "Tan An"  # kept as typed
