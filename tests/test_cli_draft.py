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
    assert {"commune", "year", "sections", "unmatched", "warnings"} <= set(data)
    assert data["commune"] == "Gia Phúc" and data["year"] == 2025
    assert [s["id"] for s in data["sections"]] == ["ton_tai", "phuong_huong"]
    for s in data["sections"]:
        assert set(s) == {"id", "title", "text", "citations", "unsupported_numbers"}
        assert s["unsupported_numbers"] == []
        for c in s["citations"]:
            assert set(c) == {"n", "doc_id", "source", "commune", "section", "text"}
            assert c["commune"] != "Gia Phúc"
    assert data["sections"][1]["title"] == "Phương hướng, nhiệm vụ năm 2026"
    assert "mới đạt 35%" in data["sections"][0]["text"]
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
    assert "I. TỒN TẠI, HẠN CHẾ" in out and "II. PHƯƠNG HƯỚNG, NHIỆM VỤ NĂM 2026" in out
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
    assert "indicators[0].value (line 5)" in proc.stderr and "is not a number" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert not (tmp_path / "out.docx").exists() and not index_dir.exists()


def test_missing_file_and_unknown_type(tmp_path):
    other = tmp_path / "so_lieu.txt"
    other.write_text("xã: Thử", encoding="utf-8")
    for path, words in (
        (tmp_path / "nope.yaml", "file not found"),
        (other, "unsupported file type"),
    ):
        proc = run_cli(["draft", str(path)], index_dir=tmp_path / "idx", env=HASH)
        assert proc.returncode == 2 and words in proc.stderr and "Traceback" not in proc.stderr


def test_docx_has_both_section_headings(seed_index, tmp_path):
    out = tmp_path / "bao_cao.docx"
    proc = draft([str(DAI_SON), "--docx", str(out)], seed_index)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == "" and f"Đã ghi bản thảo vào {out}" in proc.stderr
    texts = [p.text for p in docx.Document(str(out)).paragraphs]
    assert "I. TỒN TẠI, HẠN CHẾ" in texts
    assert "II. PHƯƠNG HƯỚNG, NHIỆM VỤ NĂM 2026" in texts
    assert "1. Về thực hiện các chỉ tiêu" in texts


def test_dai_son_done_criterion_with_the_real_embedder(e5_index, tmp_path):
    """`assistant draft dai_son_2025.yaml --docx out.docx`: both sections, opens in LibreOffice."""
    out = tmp_path / "out.docx"
    proc = run_cli(["draft", str(DAI_SON), "--docx", str(out), "--json"], index_dir=e5_index)
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert [s["id"] for s in data["sections"]] == ["ton_tai", "phuong_huong"]
    assert all(s["unsupported_numbers"] == [] for s in data["sections"])
    texts = [p.text for p in docx.Document(str(out)).paragraphs]
    assert "I. TỒN TẠI, HẠN CHẾ" in texts and "II. PHƯƠNG HƯỚNG, NHIỆM VỤ NĂM 2026" in texts
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
