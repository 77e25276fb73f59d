"""`assistant draft` as an officer runs it: JSON contract, bad files, Markdown, the .docx."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import docx
import pytest

from .conftest import run_cli

FIXTURES = Path(__file__).parent / "fixtures"
DAI_SON = FIXTURES / "drafting" / "dai_son_2025.yaml"
GIA_PHUC = FIXTURES / "drafting" / "gia_phuc_2025.yaml"
HASH = {"ASSISTANT_EMBEDDINGS": "hash-test"}  # the seed_index fixture is built with it


def draft(args: list[str], seed_index) -> subprocess.CompletedProcess:
    return run_cli(["draft", *args], index_dir=seed_index.index_dir, env=HASH)


def test_json_contract(seed_index):
    proc = draft([str(GIA_PHUC), "--json", "--exclude-commune", "Gia Phúc"], seed_index)
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert {"commune", "year", "sections", "unmatched", "warnings", "period", "next_period",
            "gaps", "suggestions"} <= set(data)
    assert data["commune"] == "Gia Phúc" and data["year"] == 2025
    assert (data["period"], data["next_period"]) == ("quý III năm 2025", "quý IV năm 2025")
    assert [s["id"] for s in data["sections"]] == ["ket_qua", "ton_tai", "phuong_huong", "kien_nghi"]
    for s in data["sections"]:
        assert set(s) == {"id", "title", "text", "citations", "unsupported_numbers"}
        assert s["unsupported_numbers"] == []
        for c in s["citations"]:
            assert {"n", "doc_id", "source", "commune", "section", "text", "owner", "uploaded_by", "published"} == set(c)
            assert c["commune"] != "Gia Phúc"
    by_id = {s["id"]: s for s in data["sections"]}
    assert by_id["phuong_huong"]["title"] == "Phương hướng, nhiệm vụ quý IV năm 2025"  # a Q3 review
    assert "mới đạt 35%" in by_id["ton_tai"]["text"]
    assert "Traceback" not in proc.stderr


def test_one_section_and_markdown(seed_index):
    proc = draft([str(DAI_SON), "--section", "ton_tai", "--md"], seed_index)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("# Bản thảo báo cáo chuyển đổi số – xã Đại Sơn – năm 2025")
    assert "## I. Tồn tại, hạn chế" in proc.stdout
    assert "### 2. Tồn tại, hạn chế trên từng lĩnh vực" in proc.stdout
    assert "**a) Về hạ tầng số**" in proc.stdout
    assert "Phương hướng" not in proc.stdout


def test_default_output_is_readable_text_from_a_csv(seed_index):
    proc = draft([str(FIXTURES / "figures" / "good.csv")], seed_index)
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    assert out.startswith("BẢN THẢO BÁO CÁO CHUYỂN ĐỔI SỐ – XÃ GIAO MINH – NĂM 2025")
    assert "\nII. TỒN TẠI, HẠN CHẾ\n" in out and "\nIII. PHƯƠNG HƯỚNG, NHIỆM VỤ NĂM 2026\n" in out
    # "~15 %" against ">50%": unmet, written the Vietnamese way
    assert "khoảng 15%" in out and "trên 50%" in out


def test_bad_figures_file_exits_2_with_a_plain_message_and_drafts_nothing(tmp_path):
    index_dir = tmp_path / "no-index-needed"
    proc = run_cli(
        ["draft", str(FIXTURES / "figures" / "bad.yaml"), "--docx", str(tmp_path / "out.docx")],
        index_dir=index_dir,
        env=HASH,
    )
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert proc.stderr.startswith("Lỗi: tệp số liệu không hợp lệ")
    assert "dòng 5, chỉ tiêu thứ 1, mục value" in proc.stderr
    assert "không phải là một con số" in proc.stderr and "is not" not in proc.stderr
    assert "Traceback" not in proc.stderr
    assert not (tmp_path / "out.docx").exists() and not index_dir.exists()


def test_missing_file_and_unknown_type(tmp_path):
    other = tmp_path / "so_lieu.txt"
    other.write_text("xã: Thử", encoding="utf-8")
    for path, words in (
        (tmp_path / "nope.yaml", "không tìm thấy tệp"),
        (other, "không đọc được loại tệp «.txt»"),
    ):
        proc = run_cli(["draft", str(path)], index_dir=tmp_path / "idx", env=HASH)
        assert proc.returncode == 2 and words in proc.stderr and "Traceback" not in proc.stderr


WHOLE_REPORT = ["I. KẾT QUẢ ĐẠT ĐƯỢC", "II. TỒN TẠI, HẠN CHẾ", "III. PHƯƠNG HƯỚNG, NHIỆM VỤ NĂM 2026",
                "IV. ĐỀ XUẤT, KIẾN NGHỊ"]


def test_docx_is_the_whole_report(seed_index, tmp_path):
    out = tmp_path / "bao_cao.docx"
    proc = draft([str(DAI_SON), "--docx", str(out)], seed_index)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == "" and f"Đã ghi bản thảo vào {out}" in proc.stderr
    texts = [p.text for p in docx.Document(str(out)).paragraphs]
    assert [t for t in texts if t in WHOLE_REPORT] == WHOLE_REPORT
    assert "1. Về thực hiện các chỉ tiêu" in texts
    assert any(t.startswith("Ủy ban nhân dân xã Đại Sơn báo cáo kết quả") for t in texts)
    assert any(t.startswith("Trên đây là báo cáo") and t.endswith("./.") for t in texts)


@pytest.mark.parametrize("section", ["ket_qua", "kien_nghi"])
def test_each_new_section_can_be_drafted_alone(seed_index, section):
    proc = draft([str(DAI_SON), "--section", section, "--json"], seed_index)
    assert proc.returncode == 0, proc.stderr
    assert [s["id"] for s in json.loads(proc.stdout)["sections"]] == [section]


def test_no_suggestions_leaves_them_out(seed_index):
    on = json.loads(draft([str(DAI_SON), "--json", "--exclude-commune", "Đại Sơn"], seed_index).stdout)
    proc = draft([str(DAI_SON), "--json", "--exclude-commune", "Đại Sơn", "--no-suggestions"], seed_index)
    assert proc.returncode == 0, proc.stderr
    off = json.loads(proc.stdout)
    mark = "(gợi ý – cần xác nhận)"
    assert on["suggestions"] and any(mark in s["text"] for s in on["sections"])
    assert off["suggestions"] == [] and not any(mark in s["text"] for s in off["sections"])


def test_dai_son_done_criterion_with_the_real_embedder(e5_index, tmp_path):
    """`assistant draft dai_son_2025.yaml --docx out.docx`: both sections, opens in LibreOffice."""
    out = tmp_path / "out.docx"
    proc = run_cli(["draft", str(DAI_SON), "--docx", str(out), "--json"], index_dir=e5_index)
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert [s["id"] for s in data["sections"]] == ["ket_qua", "ton_tai", "phuong_huong", "kien_nghi"]
    assert all(s["unsupported_numbers"] == [] for s in data["sections"])
    texts = [p.text for p in docx.Document(str(out)).paragraphs]
    assert [t for t in texts if t in WHOLE_REPORT] == WHOLE_REPORT
    soffice = shutil.which("libreoffice") or shutil.which("soffice")
    if soffice is None:
        pytest.skip("LibreOffice is not installed")
    conv = subprocess.run(
        [soffice, "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path), str(out)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    pdf = tmp_path / "out.pdf"
    assert conv.returncode == 0 and pdf.exists() and pdf.read_bytes().startswith(b"%PDF")
