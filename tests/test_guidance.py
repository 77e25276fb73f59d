"""Guiding documents: recognised from their heading, described (type, number, issuer, date), chunked
along their legal structure, and their targets found with the Điều/Khoản path.

tests/fixtures/guidance/*.txt are invented texts written for this project (a provincial plan and a
decision with an attached regulation); the .pdf is the decision printed from Word by LibreOffice.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from assistant.ingest.cleaning import to_blocks
from assistant.ingest.guidance import chunk_guidance, detect_guidance, type_from_number
from assistant.ingest.pipeline import ingest, parse_file
from assistant.qa.retriever import Filters, Retriever
from assistant.settings import Settings

from .conftest import CORPUS, FIXTURES, SEEDS, make_settings

GUIDANCE = FIXTURES / "guidance"
PLAN = GUIDANCE / "ke_hoach_27_bac_lam.txt"
DECISION = GUIDANCE / "quyet_dinh_512_bac_lam.txt"


def _blocks(path: Path) -> list[str]:
    return to_blocks(path.read_text(encoding="utf-8"))


def test_a_plan_and_a_decision_are_recognised_from_their_heading() -> None:
    plan = detect_guidance(_blocks(PLAN))
    assert plan is not None
    assert (plan.doc_type, plan.number, plan.issuer, plan.issued) == (
        "Kế hoạch", "27/KH-UBND", "ỦY BAN NHÂN DÂN TỈNH BẮC LÂM", "2025-03-14")
    assert plan.title == "Kế hoạch 27/KH-UBND: Chuyển đổi số cấp xã trên địa bàn tỉnh Bắc Lâm giai đoạn 2025 - 2030"
    decision = detect_guidance(_blocks(DECISION))
    assert (decision.doc_type, decision.number, decision.issued) == ("Quyết định", "512/QĐ-UBND", "2025-06-02")


def test_commune_reports_are_not_guidance() -> None:
    for report in sorted(SEEDS.glob("*.txt")):
        assert detect_guidance(_blocks(report)) is None, report.name
    letter = ["UBND XÃ AN PHÚ", "Số: 15/BC-UBND", "BÁO CÁO", "Kết quả chuyển đổi số năm 2025"]
    assert detect_guidance(letter) is None


def test_a_party_resolution_heading_is_recognised() -> None:
    """The layout of a Party resolution's heading: no colon after "Số", an asterisk under the body."""
    blocks = ["BAN CHẤP HÀNH TRUNG ƯƠNG", "*", "Số 88-NQ/TW", "ĐẢNG CỘNG SẢN VIỆT NAM",
              "Hà Nội, ngày 05 tháng 01 năm 2026", "NGHỊ QUYẾT", "CỦA BỘ CHÍNH TRỊ",
              "về một chủ đề được đặt ra cho phép thử", "I. TÌNH HÌNH"]
    info = detect_guidance(blocks)
    assert (info.doc_type, info.number, info.issuer, info.issued) == (
        "Nghị quyết", "88-NQ/TW", "BAN CHẤP HÀNH TRUNG ƯƠNG", "2026-01-05")
    assert info.subject == "CỦA BỘ CHÍNH TRỊ về một chủ đề được đặt ra cho phép thử"


def test_a_cong_van_is_recognised_by_its_subject_line() -> None:
    blocks = ["SỞ KHOA HỌC VÀ CÔNG NGHỆ", "Số: 3670/SKHCN-KHTC", "V/v báo cáo tổng kết chuyển đổi số năm 2025",
              "Hà Nội, ngày 02 tháng 12 năm 2025", "Kính gửi: Ủy ban nhân dân các xã."]
    info = detect_guidance(blocks)
    assert (info.doc_type, info.number, info.issued) == ("Công văn", "3670/SKHCN-KHTC", "2025-12-02")
    assert type_from_number("57-NQ/TW") == "Nghị quyết" and type_from_number("411/QĐ-TTg") == "Quyết định"


def test_plan_chunks_keep_the_roman_number_letter_path() -> None:
    chunks = chunk_guidance(_blocks(PLAN), "Kế hoạch 27/KH-UBND")
    by_path = {c.section: c for c in chunks}
    target = by_path["Kế hoạch 27/KH-UBND > II. MỤC TIÊU > 3. Mục tiêu đến năm 2030 > a)"]
    assert "chữ ký số hoặc chữ ký điện tử cá nhân đạt trên 65%" in target.text
    assert target.text.startswith("3. Mục tiêu đến năm 2030\na) ")  # the item reads whole
    assert target.section_kind == "chi_tieu"
    tasks = by_path["Kế hoạch 27/KH-UBND > III. NHIỆM VỤ, GIẢI PHÁP > 1. Hoàn thiện hạ tầng số > a)"]
    assert tasks.section_kind == "other"  # "lắp đặt … năm 2025" is not a target
    # a heading with nothing of its own gives no chunk of its own
    assert "Kế hoạch 27/KH-UBND > II. MỤC TIÊU" not in by_path


def test_decision_chunks_keep_chuong_muc_dieu_khoan_diem() -> None:
    for source in (DECISION, DECISION.with_suffix(".pdf")):  # typed, and printed to PDF
        _, chunks = parse_file(source, make_settings(Path("unused")))
        point = next(c for c in chunks if c.section.endswith("Khoản 1 > điểm b"))
        assert point.section.startswith("Quyết định 512/QĐ-UBND > QUY ĐỊNH Về bộ chỉ số")
        assert "> Chương II. CÁC CHỈ SỐ ĐÁNH GIÁ > Mục 1. CHỈ SỐ VỀ CHÍNH QUYỀN SỐ > " \
               "Điều 3. Chỉ số dịch vụ công trực tuyến > Khoản 1 > điểm b" in point.section
        assert "b) Năm 2026: tối thiểu 60%" in point.text and "toàn trình phải đạt:" in point.text
        assert {c.kind for c in chunks} == {"guidance"} and {c.commune for c in chunks} == {""}


def test_a_sidecar_decides_the_kind(tmp_path: Path) -> None:
    plain = tmp_path / "huong_dan.txt"
    plain.write_text("Hướng dẫn chấm điểm chuyển đổi số cấp xã\nĐiều 1. Cách tính\n"
                     "1. Mỗi chỉ số được chấm theo thang 10 điểm.\n", encoding="utf-8")
    (tmp_path / "huong_dan.meta.yaml").write_text("kind: guidance\nnumber: 08/HD-SKHCN\n"
                                                  "doc_type: Hướng dẫn\n", encoding="utf-8")
    _, chunks = parse_file(plain, make_settings(tmp_path / "index"))
    assert chunks[-1].section == "Hướng dẫn 08/HD-SKHCN > Điều 1. Cách tính > Khoản 1"
    report = tmp_path / "ke_hoach_xa.txt"
    shutil.copy(PLAN, report)
    (tmp_path / "ke_hoach_xa.meta.yaml").write_text("kind: report\ncommune: An Phú\n", encoding="utf-8")
    doc, chunks = parse_file(report, make_settings(tmp_path / "index"))
    assert doc["kind"] == "report" and doc["number"] == "" and chunks[0].commune == "An Phú"


@pytest.fixture(scope="module")
def guidance_index(seed_index: Settings, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """The seed index (reports and catalog) with the two guidance texts ingested."""
    dest = tmp_path_factory.mktemp("guidance")
    shutil.copytree(seed_index.index_dir, dest / "index")
    settings = make_settings(dest / "index", corpus_dir=CORPUS)
    report = ingest(settings, [PLAN, DECISION], include_corpus=False)
    assert report.added == [PLAN.name, DECISION.name], report.failed
    return settings


@pytest.mark.parametrize(("question", "path_end", "figure"), [
    ("Theo Kế hoạch 27/KH-UBND, đến năm 2030 tỷ lệ người dân trưởng thành có chữ ký số phải đạt bao nhiêu?",
     "II. MỤC TIÊU > 3. Mục tiêu đến năm 2030 > a)", "65%"),
    ("Mục tiêu năm 2026 về tỷ lệ hồ sơ thủ tục hành chính cấp xã tiếp nhận trực tuyến của tỉnh Bắc Lâm",
     "II. MỤC TIÊU > 2. Mục tiêu đến năm 2026 > b)", "70%"),
    ("Năm 2026 tỷ lệ hồ sơ giải quyết trực tuyến toàn trình phải đạt bao nhiêu theo Quyết định 512?",
     "Điều 3. Chỉ số dịch vụ công trực tuyến > Khoản 1 > điểm b", "60%"),
    ("Quyết định 512/QĐ-UBND yêu cầu tỷ lệ người dân có tài khoản định danh điện tử mức độ 2 năm 2026 là bao nhiêu?",
     "Điều 5. Chỉ số kỹ năng số của người dân > Khoản 2", "90%"),
])
def test_target_questions_find_their_chunk_with_its_dieu_khoan_path(
        guidance_index: Settings, question: str, path_end: str, figure: str) -> None:
    r = Retriever(guidance_index)
    try:
        hits = r.search(question, k=3, filters=Filters(kinds=["guidance"]))
    finally:
        r.close()
    top = hits[0].chunk
    assert top.section.endswith(path_end), [h.chunk.section for h in hits]
    assert figure in top.text and top.kind == "guidance"


def test_guidance_metadata_is_stored_with_the_document(guidance_index: Settings) -> None:
    from assistant.index.library import list_documents

    rows, _ = list_documents(guidance_index)
    plan = next(d for d in rows if d["doc_id"] == PLAN.name)
    assert (plan["kind"], plan["doc_type"], plan["number"], plan["issuer"], plan["issued"], plan["year"]) == (
        "guidance", "Kế hoạch", "27/KH-UBND", "ỦY BAN NHÂN DÂN TỈNH BẮC LÂM", "2025-03-14", 2025)
    report = next(d for d in rows if d["doc_id"] == "003_7619b87458e9843f.txt")
    assert report["kind"] == "report" and not report["number"]


def test_roman_numerals_misread_by_ocr_are_taken_in_sequence() -> None:
    """As Tesseract read a scanned copy of the decision: "Chương ]" and "Chương ÏII" for I and II."""
    blocks = ["Chương ]", "QUY ĐỊNH CHUNG", "Điều 1. Phạm vi", "Quy định này áp dụng cho cấp xã.",
              "Chương ÏII", "CÁC CHỈ SỐ", "Điều 2. Chỉ số", "1. Tỷ lệ hồ sơ trực tuyến đạt tối thiểu 60%.",
              "Chương III", "TỔ CHỨC THỰC HIỆN", "Điều 3. Thi hành", "Sở hướng dẫn thực hiện."]
    sections = [c.section for c in chunk_guidance(blocks, "Quyết định 9/QĐ-UBND")]
    assert sections == ["Quyết định 9/QĐ-UBND > Chương I. QUY ĐỊNH CHUNG > Điều 1. Phạm vi",
                        "Quyết định 9/QĐ-UBND > Chương II. CÁC CHỈ SỐ > Điều 2. Chỉ số > Khoản 1",
                        "Quyết định 9/QĐ-UBND > Chương III. TỔ CHỨC THỰC HIỆN > Điều 3. Thi hành"]


TARGETS = [
    ("Theo Kế hoạch 27/KH-UBND, đến năm 2030 tỷ lệ người dân trưởng thành có chữ ký số phải đạt bao nhiêu?",
     "Kế hoạch 27/KH-UBND, II. MỤC TIÊU > 3. Mục tiêu đến năm 2030 > a)", "65%"),
    ("Mục tiêu năm 2026 về tỷ lệ hồ sơ thủ tục hành chính cấp xã tiếp nhận trực tuyến của tỉnh Bắc Lâm",
     "Kế hoạch 27/KH-UBND, II. MỤC TIÊU > 2. Mục tiêu đến năm 2026 > b)", "70%"),
    ("Năm 2026 tỷ lệ hồ sơ giải quyết trực tuyến toàn trình phải đạt bao nhiêu theo Quyết định 512?",
     "Quyết định 512/QĐ-UBND, Điều 3. Chỉ số dịch vụ công trực tuyến, khoản 1, điểm b", "60%"),
    ("Quyết định 512/QĐ-UBND yêu cầu tỷ lệ người dân có tài khoản định danh điện tử mức độ 2 năm 2026 là bao nhiêu?",
     "Quyết định 512/QĐ-UBND, Điều 5. Chỉ số kỹ năng số của người dân, khoản 2", "90%"),
]


@pytest.mark.parametrize(("question", "place", "figure"), TARGETS)
def test_target_questions_are_answered_with_the_dieu_khoan_path(
        guidance_index: Settings, question: str, place: str, figure: str) -> None:
    from assistant.app import Assistant

    a = Assistant(guidance_index)
    try:
        ans = a.ask(question)
    finally:
        a.close()
    assert ans.found and ans.kind == "target", ans.answer
    line = next(x for x in ans.answer.splitlines() if x.startswith("Văn bản "))
    assert line.startswith(f"Văn bản {place}: «") and figure in line, ans.answer
    n = int(line.rsplit("[", 1)[1].rstrip("]"))
    assert ans.citations[n - 1].source in (PLAN.name, DECISION.name)


def test_a_point_is_quoted_with_the_lead_in_it_completes_from_the_cli(guidance_index: Settings) -> None:
    import json

    from .conftest import run_cli

    proc = run_cli(["ask", "--json", TARGETS[2][0]], index_dir=guidance_index.index_dir,
                   env={"ASSISTANT_EMBEDDINGS": "hash-test"})
    assert proc.returncode == 0, proc.stderr
    ans = json.loads(proc.stdout)
    assert "Điều 3. Chỉ số dịch vụ công trực tuyến, khoản 1, điểm b: «Tỷ lệ hồ sơ thủ tục hành chính được " \
           "tiếp nhận và giải quyết trực tuyến toàn trình phải đạt: b) Năm 2026: tối thiểu 60%" in ans["answer"]
    assert any(c["section"].endswith("Điều 3. Chỉ số dịch vụ công trực tuyến > Khoản 1 > điểm b")
               for c in ans["citations"])


def test_legal_place_reads_as_a_citation() -> None:
    from assistant.qa.answers.target import legal_place

    assert legal_place("Quyết định 9/QĐ-UBND > Chương II. CÁC CHỈ SỐ > Điều 2. Chỉ số > Khoản 1 > điểm a") == \
        "Điều 2. Chỉ số, khoản 1, điểm a"
    assert legal_place("Kế hoạch 27/KH-UBND > II. MỤC TIÊU > 3. Mục tiêu đến năm 2030 > a)") == \
        "II. MỤC TIÊU > 3. Mục tiêu đến năm 2030 > a)"
    assert legal_place("Quyết định 9/QĐ-UBND") == ""
