"""Tests for the indicator catalog: YAML content, loading errors, matching, targets, passages."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import pytest
import yaml

from assistant.domain.catalog import (
    CONFIDENCE_LABELS,
    LEVELS,
    PILLAR_LABELS,
    CatalogError,
    Indicator,
    Target,
    catalog_passages,
    indicator_by_id,
    load_catalog,
    match_indicator,
    pillar_label,
    targets_for,
)
from assistant.text.normalize import fold

from .conftest import CATALOG_PATH, SHARED

DOMAIN_FACTS = SHARED / "domain-facts.md"
DAI_SON = SHARED / "figures" / "dai_son_2025.yaml"


@pytest.fixture(scope="module")
def catalog() -> list[Indicator]:
    return load_catalog(CATALOG_PATH)


def _ind(catalog: list[Indicator], ind_id: str) -> Indicator:
    ind = indicator_by_id(catalog, ind_id)
    assert ind is not None, ind_id
    return ind


# ---------------------------------------------------------------- content of the YAML


def test_catalog_loads_with_valid_fields(catalog):
    assert len(catalog) >= 40
    ids = [ind.id for ind in catalog]
    assert len(ids) == len(set(ids))
    for ind in catalog:
        assert re.fullmatch(r"[a-z][a-z0-9_]*", ind.id)
        assert ind.pillar in PILLAR_LABELS
        assert ind.name and ind.unit
        assert ind.targets, ind.id
        for text in (ind.name, *ind.aliases):
            assert unicodedata.is_normalized("NFC", text)
        for t in ind.targets:
            assert t.confidence in CONFIDENCE_LABELS
            assert t.level in LEVELS
            assert t.source.strip() and t.source_url.strip() and t.value_raw.strip()
            assert t.year is not None or t.deadline in ("hằng năm", "không ghi thời hạn")


def test_every_pillar_is_covered(catalog):
    assert {ind.pillar for ind in catalog} == set(PILLAR_LABELS)


def test_yaml_file_is_nfc():
    path = Path(__file__).resolve().parent.parent / "corpus" / "guidance" / "indicators.yaml"
    text = path.read_text(encoding="utf-8")
    assert unicodedata.is_normalized("NFC", text)
    assert text.lstrip().startswith("#")


# (indicator id, value as written, deadline year or None, words of the source)
DOMAIN_FACT_TARGETS = [
    # Nghị quyết 57-NQ/TW
    ("kinh_te_so_gdp", "≥30%", 2030, "NQ 57"),
    ("kinh_te_so_gdp", "≥50%", 2045, "NQ 57"),
    ("xep_hang_egdi", "Top 3 Đông Nam Á, top 50 thế giới", 2030, "NQ 57"),
    ("chi_ngan_sach_khcn_cds", "≥3% tổng chi ngân sách", None, "NQ 57"),
    ("nguoi_dan_su_dung_dvctt", ">80%", 2030, "NQ 57"),
    ("chi_nghien_cuu_phat_trien", "2% GDP, trong đó >60% từ xã hội", 2030, "NQ 57"),
    ("doanh_nghiep_doi_moi_sang_tao", ">40%", 2030, "NQ 57"),
    # Kế hoạch 02-KH/BCĐTW
    ("ke_hoach_02_giai_doan_1", "Hoàn thành", 2025, "Kế hoạch 02"),
    ("ke_hoach_02_giai_doan_2", "Hoàn thành", 2025, "Kế hoạch 02"),
    ("tthc_cung_cap_truc_tuyen", "100%", 2025, "Kế hoạch 02"),
    ("ho_so_tthc_truc_tuyen", "≥80%", 2025, "Kế hoạch 02"),
    ("tai_su_dung_du_lieu", "Người dân chỉ nhập dữ liệu một lần", 2025, "Kế hoạch 02"),
    ("tthc_khong_phu_thuoc_dia_gioi", "100%", 2025, "Kế hoạch 02"),
    ("nhom_tthc_truc_tuyen_toan_trinh", "82 nhóm", 2025, "Kế hoạch 02"),
    ("tthc_thay_giay_to_bang_du_lieu", "1.139 thủ tục", 2025, "Kế hoạch 02"),
    ("xa_dap_ung_dieu_kien_co_ban", "Đáp ứng đủ các tiêu chí cơ bản", None, "Kế hoạch 02"),
    # QĐ 126/QĐ-BCĐCP, QĐ 1565/QĐ-TTg, 2026 programme, QĐ 749/942
    ("tthc_cung_cap_truc_tuyen", "100%", 2025, "QĐ 126"),
    ("ho_so_tthc_truc_tuyen", "80%", 2025, "QĐ 126"),
    ("nguoi_dan_su_dung_dvctt", "40%", 2025, "QĐ 126"),
    ("muc_do_hai_long", "≥95%", 2026, "QĐ 1565"),
    ("cbcc_thiet_bi_chu_ky_so", "100%", 2026, "năm 2026 của Ban Chỉ đạo"),
    ("ho_so_cong_viec_tren_mang", "100%", 2026, "năm 2026 của Ban Chỉ đạo"),
    ("phu_song_5g", "70%", 2026, "năm 2026 của Ban Chỉ đạo"),
    ("ho_so_cong_viec_tren_mang", "60%", 2025, "QĐ 749"),
    ("ho_so_cong_viec_tren_mang", "70%", 2030, "QĐ 942"),
    # QĐ 411/QĐ-TTg, 2025 and 2030
    ("kinh_te_so_gdp", "20%", 2025, "QĐ 411"),
    ("kinh_te_so_gdp", "30%", 2030, "QĐ 411"),
    ("kinh_te_so_trong_nganh", "≥10%", 2025, "QĐ 411"),
    ("kinh_te_so_trong_nganh", "≥20%", 2030, "QĐ 411"),
    ("tmdt_trong_ban_le", ">10%", 2025, "QĐ 411"),
    ("tmdt_trong_ban_le", ">20%", 2030, "QĐ 411"),
    ("doanh_nghiep_hop_dong_dien_tu", ">80%", 2025, "QĐ 411"),
    ("doanh_nghiep_hop_dong_dien_tu", "100%", 2030, "QĐ 411"),
    ("dnnvv_nen_tang_so", ">50%", 2025, "QĐ 411"),
    ("dnnvv_nen_tang_so", ">70%", 2030, "QĐ 411"),
    ("dien_thoai_thong_minh", "80%", 2025, "QĐ 411"),
    ("dien_thoai_thong_minh", "95%", 2030, "QĐ 411"),
    ("chu_ky_so_nguoi_dan", ">50%", 2025, "QĐ 411"),
    ("chu_ky_so_nguoi_dan", ">70%", 2030, "QĐ 411"),
    ("nguoi_dan_su_dung_dvctt", ">50%", 2025, "QĐ 411"),
    ("nguoi_dan_su_dung_dvctt", ">70%", 2030, "QĐ 411"),
    ("ho_so_suc_khoe_dien_tu", "90%", 2025, "QĐ 411"),
    ("ho_so_suc_khoe_dien_tu", "95%", 2030, "QĐ 411"),
    ("tai_khoan_thanh_toan", "80%", 2025, "QĐ 411"),
    ("lao_dong_ky_nang_so_co_ban", ">70%", 2025, "QĐ 411"),
    ("cap_quang_ho_gia_dinh", "80%", 2025, "QĐ 411"),
    # Đề án 06
    ("tthc_cung_cap_truc_tuyen", "100%", 2025, "Đề án 06"),
    ("xac_thuc_dvctt_vneid", "100%", 2025, "Đề án 06"),
    (
        "tai_su_dung_du_lieu",
        "Không yêu cầu nộp lại giấy tờ đã có trong CSDL dân cư",
        2025,
        "Đề án 06",
    ),
    ("so_hoa_ho_so_ket_qua_tthc", "100%", 2025, "Đề án 06"),
    # Appendix of the province in the Tân An report (values as read there)
    ("tthc_cung_cap_truc_tuyen", "95%", 2025, "Tân An"),
    ("ho_so_tthc_truc_tuyen", "≥60%", 2025, "Tân An"),
    ("xac_thuc_dvctt_vneid", "100%", 2025, "Tân An"),
    ("cap_ket_qua_dien_tu", "100%", 2025, "Tân An"),
    ("muc_do_hai_long", "≥90%", 2025, "Tân An"),
    ("he_thong_thong_tin_bao_cao", "Có kết nối", 2025, "Tân An"),
    ("nhiem_vu_theo_doi_bang_du_lieu_so", "100%", 2025, "Tân An"),
    ("du_lieu_dia_phuong_tich_hop", "100%", 2025, "Tân An"),
    ("ho_so_cong_viec_tren_mang", "80%", 2025, "Tân An"),
    ("doanh_nghiep_hop_dong_dien_tu", "≥80%", 2025, "Tân An"),
    ("dnnvv_nen_tang_so", ">50%", 2025, "Tân An"),
    (
        "hoa_don_dien_tu_may_tinh_tien",
        "100% cửa hàng xăng dầu; 100% trung tâm thương mại; 50% cơ sở ăn uống, bán lẻ",
        2025,
        "Tân An",
    ),
    ("chu_ky_so_nguoi_dan", ">50%", 2025, "Tân An"),
    ("di_san_van_hoa_so_hoa", "100%", 2025, "Tân An"),
    ("truong_hoc_hoc_phi_khong_tien_mat", "50%", 2025, "Tân An"),
    ("co_so_y_te_so_suc_khoe_vneid", "100%", 2025, "Tân An"),
    ("cap_do_an_toan_he_thong", "100%", 2025, "Tân An"),
    ("phuc_hoi_su_co_24h", "100%", 2025, "Tân An"),
    # Đại Sơn's own table
    ("cbcc_boi_duong_ky_nang_so", "≥80%", 2025, "Đại Sơn"),
    ("cbcc_lam_chu_ky_nang_so", "≥80%", 2025, "Đại Sơn"),
    ("phan_mem_quan_tri_dieu_hanh", "≥60%", 2025, "Đại Sơn"),
    ("ho_so_tthc_truc_tuyen", "≥70%", 2025, "Đại Sơn"),
    ("so_hoa_ho_so_ket_qua_tthc", "≥80%", 2025, "Đại Sơn"),
    ("muc_do_hai_long", "≥90%", 2025, "Đại Sơn"),
]


@pytest.mark.parametrize(("ind_id", "value", "year", "source"), DOMAIN_FACT_TARGETS)
def test_domain_fact_target_present(catalog, ind_id, value, year, source):
    ind = _ind(catalog, ind_id)
    hits = [
        t for t in ind.targets if t.value_raw == value and t.year == year and source in t.source
    ]
    assert hits, f"{ind_id}: no target {value!r} {year} from {source!r}"


def test_tan_an_appendix_has_all_18_indicators(catalog):
    with_appendix = {
        ind.id for ind in catalog for t in ind.targets if t.source.startswith("Phụ lục chỉ tiêu")
    }
    assert len(with_appendix) == 18
    for ind in catalog:
        for t in ind.targets:
            if t.source.startswith("Phụ lục chỉ tiêu"):
                assert (t.level, t.confidence) == ("tỉnh", "medium")
                assert t.source_url == "corpus: 003_7619b87458e9843f.txt"


def test_commune_only_targets_are_marked_as_such(catalog):
    for ind in catalog:
        for t in ind.targets:
            if t.source.startswith("Bảng chỉ tiêu của xã"):
                assert (t.level, t.confidence) == ("xã", "medium")
                assert t.source_url.startswith("corpus: ")


def test_low_confidence_only_where_domain_facts_say_so(catalog):
    low = {(ind.id, t.value_raw) for ind in catalog for t in ind.targets if t.confidence == "low"}
    assert low == {
        ("nguoi_dan_su_dung_dvctt", ">80%"),
        ("chi_nghien_cuu_phat_trien", "2% GDP, trong đó >60% từ xã hội"),
        ("doanh_nghiep_doi_moi_sang_tao", ">40%"),
    }


def _facts_section() -> str:
    text = DOMAIN_FACTS.read_text(encoding="utf-8")
    start = text.index("## Nghị quyết 57")
    end = text.index("## Official-document layout")
    section = text[start:end]
    return re.sub(r"https?://\S+", " ", section)


@pytest.mark.skipif(not DOMAIN_FACTS.exists(), reason="shared domain facts not available")
def test_every_domain_fact_number_is_in_some_target(catalog):
    haystack = " ".join(f"{t.value_raw} {t.note}" for ind in catalog for t in ind.targets).replace(
        ",", "."
    )
    haystack_digits = re.sub(r"(?<=\d)\.(?=\d{3}\b)", "", haystack)  # "1.139" -> "1139"
    section = _facts_section()
    percents = set(re.findall(r"(\d+(?:[.,]\d+)?)\s?%", section))
    assert {"30", "80", "59.7", "95", "40"} <= percents
    for p in percents:
        assert re.search(rf"(?<![\d.]){re.escape(p.replace(',', '.'))}%", haystack), p
    for count in ("82", "1,139", "3,321"):
        assert count in section
        assert re.search(rf"\b{count.replace(',', '')}\b", haystack_digits), count


# ---------------------------------------------------------------- matching

DAI_SON_EXPECTED = {
    "Tỷ lệ cán bộ, công chức cấp xã được bồi dưỡng kỹ năng số căn bản": "cbcc_boi_duong_ky_nang_so",
    "Tỷ lệ CBCC làm chủ kỹ năng số, ứng dụng CNTT trong quản lý, điều hành": "cbcc_lam_chu_ky_nang_so",
    "Đảng ủy, chính quyền cấp xã sử dụng phần mềm quản trị điều hành thống nhất": "phan_mem_quan_tri_dieu_hanh",
    "Tỷ lệ hồ sơ TTHC xử lý trực tuyến": "ho_so_tthc_truc_tuyen",
    "Số hóa hồ sơ, kết quả giải quyết TTHC": "so_hoa_ho_so_ket_qua_tthc",
    "Tỷ lệ thanh toán trực tuyến trong giải quyết TTHC": "thanh_toan_truc_tuyen_tthc",
    "Tỷ lệ tái sử dụng thông tin, dữ liệu đã số hóa": "tai_su_dung_du_lieu",
    "Mức độ hài lòng của tổ chức, công dân đối với dịch vụ hành chính công": "muc_do_hai_long",
    "Tỷ lệ dân số được cấp căn cước": "dinh_danh_dien_tu",
    "Tỷ lệ tài khoản định danh điện tử đã thu nhận so với dân số": "dinh_danh_dien_tu",
}


@pytest.mark.skipif(not DAI_SON.exists(), reason="shared figures file not available")
def test_expected_mapping_covers_the_dai_son_file():
    data = yaml.safe_load(DAI_SON.read_text(encoding="utf-8"))
    assert {item["name"] for item in data["indicators"]} == set(DAI_SON_EXPECTED)


@pytest.mark.parametrize(("name", "ind_id"), sorted(DAI_SON_EXPECTED.items()))
def test_match_dai_son_names(catalog, name, ind_id):
    for variant in (name, fold(name), name.upper(), fold(name).upper()):
        got = match_indicator(variant, catalog)
        assert got is not None, variant
        assert got[0].id == ind_id, (variant, got)
        assert 0 < got[1] <= 1


@pytest.mark.parametrize(
    ("name", "ind_id"),
    [
        ("Tỷ lệ hồ sơ thủ tục hành chính xử lý trực tuyến", "ho_so_tthc_truc_tuyen"),
        ("ty le ho so tthc xu ly truc tuyen", "ho_so_tthc_truc_tuyen"),
        ("hồ sơ trực tuyến", "ho_so_tthc_truc_tuyen"),
        ("Tỷ lệ cán bộ công chức được bồi dưỡng kỹ năng số căn bản", "cbcc_boi_duong_ky_nang_so"),
        ("ty le cbcc duoc boi duong ky nang so can ban", "cbcc_boi_duong_ky_nang_so"),
        (
            "Tỷ lệ cán bộ, công chức làm chủ kỹ năng số, ứng dụng công nghệ thông tin",
            "cbcc_lam_chu_ky_nang_so",
        ),
        ("So hoa ho so, ket qua giai quyet thu tuc hanh chinh", "so_hoa_ho_so_ket_qua_tthc"),
        ("muc do hai long doi voi dich vu HCC", "muc_do_hai_long"),
        ("Tỷ lệ DVCTT toàn trình", "tthc_cung_cap_truc_tuyen"),
        ("Tỷ lệ dân số trưởng thành có sử dụng DVCTT", "nguoi_dan_su_dung_dvctt"),
        ("Tỷ lệ hồ sơ công việc được xử lý trên môi trường mạng", "ho_so_cong_viec_tren_mang"),
        ("Tỷ lệ dân số trưởng thành có điện thoại thông minh", "dien_thoai_thong_minh"),
        ("Tỷ lệ người dân có hồ sơ sức khỏe điện tử", "ho_so_suc_khoe_dien_tu"),
        ("tỷ lệ phủ sóng 5G", "phu_song_5g"),
    ],
)
def test_match_other_wordings(catalog, name, ind_id):
    got = match_indicator(name, catalog)
    assert got is not None and got[0].id == ind_id, (name, got)


@pytest.mark.parametrize(
    "name",
    [
        "Số sản phẩm OCOP",
        "Số sản phẩm OCOP lên sàn TMĐT",
        "Số thôn",
        "Tổng số hộ gia đình",
        "Số lượng trâu bò",
        "Diện tích gieo trồng lúa",
        "",
        "2025",
    ],
)
def test_match_returns_none_for_unrelated_names(catalog, name):
    assert match_indicator(name, catalog) is None


def test_min_score_controls_the_cut(catalog):
    assert match_indicator("Tổng số hộ gia đình", catalog, min_score=0.0) is not None
    assert match_indicator("Tỷ lệ hồ sơ TTHC xử lý trực tuyến", catalog, min_score=1.01) is None
    assert match_indicator("zzz qqq", catalog, min_score=0.0) is None


# ---------------------------------------------------------------- targets by year


def _values(targets: list[Target]) -> list[str]:
    return [t.value_raw for t in targets]


def test_targets_for_picks_nearest_deadline(catalog):
    ind = _ind(catalog, "ho_so_cong_viec_tren_mang")
    assert sorted(_values(targets_for(ind, 2025))) == ["60%", "75%", "80%"]
    assert sorted(_values(targets_for(ind, 2024))) == ["60%", "75%", "80%"]
    assert _values(targets_for(ind, 2026)) == ["100%"]
    assert _values(targets_for(ind, 2027)) == ["70%"]


def test_targets_for_falls_back_to_latest(catalog):
    ind = _ind(catalog, "ho_so_cong_viec_tren_mang")
    assert _values(targets_for(ind, 2040)) == ["70%"]
    gdp = _ind(catalog, "kinh_te_so_gdp")
    assert _values(targets_for(gdp, 2031)) == ["≥50%"]
    assert _values(targets_for(gdp, 2060)) == ["≥50%"]
    assert sorted(_values(targets_for(gdp, 2026))) == ["30%", "≥30%"]


def test_targets_for_keeps_yearly_targets(catalog):
    budget = _ind(catalog, "chi_ngan_sach_khcn_cds")
    assert _values(targets_for(budget, 2025)) == ["≥3% tổng chi ngân sách"]
    assert _values(targets_for(budget, 2030)) == ["≥3% tổng chi ngân sách"]


def test_targets_for_without_year_returns_all_by_deadline(catalog):
    gdp = _ind(catalog, "kinh_te_so_gdp")
    got = targets_for(gdp)
    assert len(got) == len(gdp.targets)
    assert [t.year for t in got] == sorted(t.year for t in got)


# ---------------------------------------------------------------- passages


def test_passages_one_per_indicator_and_per_source(catalog):
    passages = catalog_passages(catalog)
    ids = [p["id"] for p in passages]
    assert len(ids) == len(set(ids))
    assert ids == [p["id"] for p in catalog_passages(catalog)]  # stable
    sources = {t.source for ind in catalog for t in ind.targets}
    assert len(passages) == len(catalog) + len(sources)
    for p in passages:
        assert set(p) == {"id", "title", "section", "text"}
        assert p["section"].startswith("Chỉ tiêu > ")
        assert unicodedata.is_normalized("NFC", p["text"])


def test_indicator_passage_states_targets_with_provenance(catalog):
    by_id = {p["id"]: p for p in catalog_passages(catalog)}
    for ind in catalog:
        p = by_id[f"chi_tieu:{ind.id}"]
        assert ind.name in p["text"]
        assert p["section"] == f"Chỉ tiêu > {pillar_label(ind.pillar)} > {ind.name}"
        for t in ind.targets:
            assert t.value_raw in p["text"]
            assert t.source in p["text"]
            assert f"độ tin cậy: {CONFIDENCE_LABELS[t.confidence]}" in p["text"]
            assert f"cấp {t.level}" in p["text"]
        has_low = any(t.confidence == "low" for t in ind.targets)
        assert ("đối chiếu với văn bản gốc" in p["text"]) == has_low, ind.id


def test_online_dossier_passage_reads_well(catalog):
    text = next(
        p["text"] for p in catalog_passages(catalog) if p["id"] == "chi_tieu:ho_so_tthc_truc_tuyen"
    )
    assert "≥80%, đến 31/12/2025 (cấp quốc gia, nguồn: Kế hoạch 02-KH/BCĐTW" in text
    assert "độ tin cậy: cao" in text


def test_source_passage_groups_targets_and_warns(catalog):
    by_id = {p["id"]: p for p in catalog_passages(catalog)}
    nq57 = by_id["nguon:nq_57_nq_tw"]
    assert nq57["title"] == "Chỉ tiêu theo NQ 57-NQ/TW"
    assert "Tỷ trọng kinh tế số trong GDP: ≥50%, đến năm 2045" in nq57["text"]
    assert "đối chiếu với văn bản gốc" in nq57["text"]
    assert "độ tin cậy: thấp" in nq57["text"]
    qd411 = by_id["nguon:qd_411_qd_ttg"]
    assert "đối chiếu với văn bản gốc" not in qd411["text"]
    assert "https://m.thanhnien.vn/" in qd411["text"]


# ---------------------------------------------------------------- labels and errors


def test_pillar_labels():
    assert pillar_label("chinh_quyen_so") == "Chính quyền số"
    assert pillar_label("lanh_dao") == "Lãnh đạo, chỉ đạo"
    assert [pillar_label(p) for p in PILLAR_LABELS] == [
        "Nhân lực số",
        "Hạ tầng số",
        "Dữ liệu số",
        "An toàn thông tin",
        "Chính quyền số",
        "Kinh tế số",
        "Xã hội số",
        "Kinh phí",
        "Lãnh đạo, chỉ đạo",
    ]
    with pytest.raises(ValueError):
        pillar_label("khong_co")


GOOD_TARGET = {
    "value": "≥80%",
    "deadline": 2025,
    "level": "xã",
    "source": "Nguồn thử",
    "confidence": "high",
    "source_url": "https://example.org",
}


def _entry(**changes):
    entry = {
        "id": "thu",
        "name": "Chỉ tiêu thử",
        "pillar": "ha_tang",
        "unit": "%",
        "targets": [dict(GOOD_TARGET)],
    }
    entry.update(changes)
    return entry


def _write(tmp_path: Path, data) -> Path:
    path = tmp_path / "indicators.yaml"
    text = data if isinstance(data, str) else yaml.safe_dump(data, allow_unicode=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_small_valid_file_loads(tmp_path):
    got = load_catalog(
        _write(tmp_path, [_entry(targets=[dict(GOOD_TARGET, deadline="31/12/2025")])])
    )
    assert got[0].targets[0].year == 2025
    assert got[0].targets[0].deadline == "31/12/2025"
    assert got[0].aliases == []


@pytest.mark.parametrize(
    ("entry", "field"),
    [
        (
            _entry(targets=[{k: v for k, v in GOOD_TARGET.items() if k != "confidence"}]),
            "targets[0].confidence",
        ),
        (_entry(targets=[dict(GOOD_TARGET, confidence="sure")]), "targets[0].confidence"),
        (_entry(targets=[dict(GOOD_TARGET, level="huyện")]), "targets[0].level"),
        (_entry(targets=[dict(GOOD_TARGET, deadline="cuối năm")]), "targets[0].deadline"),
        (_entry(targets=[dict(GOOD_TARGET, value=80)]), "targets[0].value"),
        (_entry(targets=[dict(GOOD_TARGET, source="")]), "targets[0].source"),
        (_entry(targets=[dict(GOOD_TARGET, typo=1)]), "targets[0].typo"),
        (_entry(targets=[]), "targets"),
        (_entry(pillar="kinh_te"), "pillar"),
        (_entry(id="Chi-Tieu"), "id"),
        (_entry(aliases="một chuỗi"), "aliases"),
        ({k: v for k, v in _entry().items() if k != "name"}, "name"),
    ],
)
def test_malformed_entry_names_file_entry_and_field(tmp_path, entry, field):
    path = _write(tmp_path, [_entry(id="dau_tien"), entry])
    with pytest.raises(CatalogError) as err:
        load_catalog(path)
    msg = str(err.value)
    assert str(path) in msg
    assert "entry #2" in msg
    assert f"'{field}'" in msg


def test_duplicate_ids_are_rejected(tmp_path):
    with pytest.raises(CatalogError, match="duplicate"):
        load_catalog(_write(tmp_path, [_entry(), _entry()]))


@pytest.mark.parametrize("text", ["- id: [unclosed\n", "{}\n", "just text\n", ""])
def test_bad_files_raise_catalog_error(tmp_path, text):
    with pytest.raises(CatalogError, match="indicators.yaml"):
        load_catalog(_write(tmp_path, text))


def test_missing_file_raises_catalog_error(tmp_path):
    with pytest.raises(CatalogError, match="cannot read"):
        load_catalog(tmp_path / "absent.yaml")
