"""Indicator table: extraction rules, precision against the hand check, CLI table / JSON / CSV."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from assistant.indicators.table import (
    IndicatorExtractor,
    build_table,
    header_roles,
    is_result_section,
    write_csv,
)
from assistant.qa.retriever import Retriever
from assistant.records import Chunk

from .conftest import CATALOG

FIXTURE = Path(__file__).parent / "fixtures" / "indicators" / "checked_cells.yaml"
DAI_SON_FIGURES = Path(__file__).parent / "fixtures" / "indicators" / "dai_son_figures.yaml"


@pytest.fixture(scope="module")
def seed_chunks(seed_index) -> list[Chunk]:  # noqa: ANN001
    r = Retriever(seed_index)
    try:
        return list(r.chunks)
    finally:
        r.close()


def _chunk(text: str, section: str = "II. KẾT QUẢ > 6. Chính quyền số > a) Kết quả đạt được",
           commune: str = "Thử Nghiệm", position: int = 0) -> Chunk:
    return Chunk(chunk_id=f"t:{position}", doc_id="t.txt", text=text, source="t.txt", commune=commune,
                 kind="report", section=section, section_kind="ket_qua", position=position)


def _cells(*texts: str, section: str | None = None) -> dict[str, list[str]]:
    """indicator id -> raw figures read from a one-document report made of `texts` (one chunk each)."""
    chunks = [_chunk(t, position=i, **({"section": section} if section else {})) for i, t in enumerate(texts)]
    out: dict[str, list[str]] = {}
    for m in IndicatorExtractor().extract(chunks):
        out.setdefault(m.indicator, []).append(m.raw)
    return out


# ---------------------------------------------------------------- rules on small texts


def test_a_plain_result_sentence_fills_the_cell_with_its_sentence():
    chunks = [_chunk("Tỷ lệ hồ sơ TTHC xử lý trực tuyến đạt 71,2%. Xã có 11 thôn.")]
    (m,) = IndicatorExtractor().extract(chunks)
    assert (m.indicator, m.raw, m.value) == ("ho_so_tthc_truc_tuyen", "71,2%", 71.2)
    assert m.sentence == "Tỷ lệ hồ sơ TTHC xử lý trực tuyến đạt 71,2%."
    assert (m.doc_id, m.source) == ("t.txt", "t.txt")


@pytest.mark.parametrize("text", [
    "Phấn đấu tỷ lệ hồ sơ trực tuyến đạt 80% trong năm 2026.",
    "Tỷ lệ hồ sơ trực tuyến tối thiểu 80%.",
    "Tỷ lệ hồ sơ TTHC xử lý trực tuyến ≥80%",
    "Tỷ lệ hồ sơ trực tuyến chưa đạt 100%.",
    "Tỷ lệ hồ sơ trực tuyến tăng khoảng 20% so với cùng kỳ.",
])
def test_targets_and_changes_are_not_results(text):
    assert _cells(text) == {}


def test_a_target_next_to_the_result_leaves_the_result():
    assert _cells("Tỷ lệ CBCC làm chủ kỹ năng số, ứng dụng CNTT trong quản lý, điều hành ≥80% 96%") == {
        "cbcc_lam_chu_ky_nang_so": ["96%"]}


def test_two_side_by_side_percentages_without_a_header_stay_empty():
    assert _cells("1 | Tỷ lệ dân số trưởng thành có điện thoại thông minh | UBND xã | 85% 80% | Đạt") == {}


def test_two_side_by_side_percentages_follow_the_header_order():
    header = "STT Chỉ tiêu\nĐơn vị đo lường\nKết quả 2025\nMục tiêu 2025\nĐánh giá"
    row = "1 | Tỷ lệ dân số trưởng thành có điện thoại thông minh | UBND xã | 85% 80% | Đạt"
    assert _cells(header, row) == {"dien_thoai_thong_minh": ["85%"]}
    flipped = "STT Chỉ tiêu\nMục tiêu 2025\nKết quả 2025"
    assert _cells(flipped, row) == {"dien_thoai_thong_minh": ["80%"]}


def test_header_roles():
    assert header_roles("STT Chỉ tiêu/Nhiệm vụ\nMục tiêu 2025\nTiến độ đến 20/11/2025") == ["target", "result"]
    assert header_roles("STT Chỉ tiêu\nKết quả 2025\nMục tiêu 2025") == ["result", "target"]
    assert header_roles("TT Chỉ tiêu Cơ quan chủ trì\nKết quả thực hiện") == ["result"]


def test_checklist_row_figure_before_the_status_is_the_target():
    header = "TT Chỉ tiêu Cơ quan chủ trì\nKết quả thực hiện"
    done = "5 | Tỷ lệ người dân hài lòng trong giải quyết thủ tục hành chính đạt 90%. | Các phòng | Đạt"
    short = ("2 | Hồ sơ trực tuyến toàn trình của các dịch vụ công trực tuyến đạt tỷ lệ trung bình tối thiểu 60% "
             "| Trung tâm | Không đạt, hiện mới | 49,68%")
    assert _cells(header, done, short) == {"ho_so_tthc_truc_tuyen": ["49,68%"]}


def test_each_figure_goes_to_the_indicator_named_next_to_it():
    text = ("Tỷ lệ nộp trực tuyến đạt 95%, trong đó 98% hồ sơ phát sinh phí được thanh toán trực tuyến. "
            "Khoảng 98% người dân được định danh điện tử VNeID, 100% người dân được phủ sóng 4G.")
    assert _cells(text) == {"ho_so_tthc_truc_tuyen": ["95%"], "thanh_toan_truc_tuyen_tthc": ["98%"],
                            "dinh_danh_dien_tu": ["Khoảng 98%"]}


def test_counts_need_their_unit_or_a_label_row():
    text = ("Thành lập 02 Tổ giúp việc, 19 Tổ công nghệ số cộng đồng với tổng số 228 thành viên. "
            "Tổ công nghệ số cộng đồng tại 17 ấp.")
    assert _cells(text) == {"so_to_cnscd": ["19"], "so_thanh_vien_to_cnscd": ["228"]}
    # table rows: the next row's number glued at the end is not the value
    rows = "STT Nội dung Số liệu\n2 Số lượng Tổ CNSCĐ cấp thôn/khu dân cư 19 3\nSố lượng thành viên Tổ CNSCĐ cấp thôn 165 4"
    assert _cells(rows) == {"so_to_cnscd": ["19"], "so_thanh_vien_to_cnscd": ["165"]}


def test_target_sections_are_skipped():
    target = _chunk("Tỷ lệ hồ sơ trực tuyến đạt 80%.", section="PHẦN A > I. MỤC TIÊU > 2. Mục tiêu cụ thể")
    assert not is_result_section(target)
    plan = _chunk("Tỷ lệ hồ sơ trực tuyến đạt 80%.", section="PHẦN B. PHƯƠNG HƯỚNG NHIỆM VỤ NĂM 2026")
    plan.section_kind = "phuong_huong"
    assert IndicatorExtractor().extract([target, plan]) == []
    assert is_result_section(_chunk("x", section="DANH MỤC KẾT QUẢ THỰC HIỆN CÁC MỤC TIÊU"))


# ---------------------------------------------------------------- the seed reports, checked by hand


def _shown(table) -> set[tuple[str, str, str]]:  # noqa: ANN001
    return {(c, r.id, m.raw) for r in table.rows for c, cell in r.cells.items() for m in cell.mentions()}


def test_precision_against_the_hand_check(seed_chunks):
    checked = yaml.safe_load(FIXTURE.read_text(encoding="utf-8"))
    verdicts = {(x["commune"], x["indicator"], str(x["raw"])): bool(x["correct"]) for x in checked}
    assert len(verdicts) == len(checked), "duplicate rows in the hand check"
    shown = _shown(build_table(seed_chunks, catalog=CATALOG))
    assert shown - set(verdicts) == set(), "cells not hand-checked yet: add them to checked_cells.yaml"
    assert set(verdicts) - shown == set(), "hand-checked cells no longer extracted: update checked_cells.yaml"
    precision = sum(verdicts.values()) / len(verdicts)
    assert precision >= 0.95
    assert len(verdicts) >= 40  # the table is worth having


def test_every_seed_cell_cites_a_sentence_that_contains_its_figure(seed_chunks):
    table = build_table(seed_chunks, catalog=CATALOG)
    texts = {c.doc_id: c.text for c in seed_chunks}
    for row in table.rows:
        for cell in row.cells.values():
            for m in cell.mentions():
                assert m.raw.split()[-1].lstrip("~") in m.sentence
                assert m.doc_id in texts and m.source.endswith(".txt") and m.section


def test_conflicting_figures_of_one_report_are_all_kept(seed_chunks):
    row = next(r for r in build_table(seed_chunks, catalog=CATALOG).rows if r.id == "thanh_toan_truc_tuyen_tthc")
    cell = row.cells["Đại Sơn"]
    assert cell.first.raw == "76.5%"
    assert [o.raw for o in cell.others] == ["78,4%"]


def test_figures_file_adds_a_column(seed_chunks):
    from assistant.domain.figures import load_figures

    table = build_table(seed_chunks, figures=[load_figures(DAI_SON_FIGURES)], catalog=CATALOG)
    col = "Đại Sơn (tệp số liệu)"
    assert table.communes[-1] == col
    by_id = {r.id: r for r in table.rows}
    assert by_id["ho_so_tthc_truc_tuyen"].cells[col].first.raw == "71,2%"
    assert by_id["can_cuoc"].cells[col].first.raw == "80,9%"
    assert by_id["so_to_cnscd"].cells[col].first.raw == "11"
    assert by_id["so_to_cnscd"].cells[col].first.sentence == "Số Tổ công nghệ số cộng đồng: 11"


# ---------------------------------------------------------------- CLI, JSON, CSV


def _run(args: list[str], settings) -> object:  # noqa: ANN001
    from assistant.cli.main import main

    env = {"ASSISTANT_INDEX_DIR": str(settings.index_dir), "ASSISTANT_EMBEDDINGS": "hash-test"}
    return CliRunner().invoke(main, args, env=env)


def test_cli_prints_a_table_whose_cells_each_cite_a_sentence(seed_index):
    res = _run(["indicators"], seed_index)
    assert res.exit_code == 0, res.output
    out = res.stdout
    header = out.splitlines()[0]
    for commune in ("An Khánh", "Giao Minh", "Đại Sơn", "Tân An", "Gia Phúc"):
        assert commune in header
    marks = {int(n) for n in re.findall(r"\[(\d+)\]", out.split("Nguồn của từng ô")[0])}
    notes = re.findall(r"^\[(\d+)\] (.+?) — (.+?) — .+: “(.+)”$", out, flags=re.M)
    assert marks and {int(n) for n, *_ in notes} == marks  # every cell number has its sentence
    assert any("Tỷ lệ hồ sơ TTHC xử lý trực tuyến ≥70% 71.2%" in n[3] for n in notes)


def test_cli_json_contract(seed_index):
    res = _run(["indicators", "--json"], seed_index)
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert set(data) == {"communes", "indicators"}
    assert "Đại Sơn" in data["communes"]
    row = next(r for r in data["indicators"] if r["id"] == "ho_so_tthc_truc_tuyen")
    cell = row["cells"]["Tân An"]
    assert {"value", "raw", "sentence", "doc_id", "source", "section", "others"} <= set(cell)
    assert cell["value"] == pytest.approx(49.68) and "49,68%" in cell["sentence"]
    assert all(r["cells"] for r in data["indicators"])


def test_cli_csv_is_written_and_readable_by_excel(seed_index, tmp_path):
    out = tmp_path / "bang.csv"
    res = _run(["indicators", "--csv", str(out)], seed_index)
    assert res.exit_code == 0, res.output
    assert out.read_bytes().startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(out.open(encoding="utf-8-sig")))
    assert rows[0][:5] == ["Mã chỉ tiêu", "Chỉ tiêu", "Đơn vị", "An Khánh", "An Khánh – câu nguồn"]
    by_id = {r[0]: r for r in rows[1:]}
    col = rows[0].index("Đại Sơn")
    assert by_id["thanh_toan_truc_tuyen_tthc"][col] == "76.5%"
    assert "78,4%" in by_id["thanh_toan_truc_tuyen_tthc"][col + 1]  # the disagreeing figure is cited too


def test_cli_bad_figures_file_is_a_plain_message(seed_index, tmp_path):
    bad = tmp_path / "so_lieu.yaml"
    bad.write_text("commune: Đại Sơn\nindicators: 5\n", encoding="utf-8")
    res = _run(["indicators", "--figures", str(bad)], seed_index)
    assert res.exit_code == 2
    assert "so_lieu.yaml" in res.stderr and "Traceback" not in res.output


def test_write_csv_skips_empty_rows(seed_chunks, tmp_path):
    table = build_table(seed_chunks, catalog=CATALOG)
    write_csv(table, tmp_path / "t.csv")
    rows = list(csv.reader((tmp_path / "t.csv").open(encoding="utf-8-sig")))
    assert len(rows) - 1 == sum(1 for r in table.rows if r.cells)
