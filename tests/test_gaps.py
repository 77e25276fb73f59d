"""Gap analysis: met / unmet / no target, strict comparators, catalog targets, unmatched names."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.domain.catalog import Target as CatalogTarget
from assistant.domain.figures import load_figures
from assistant.drafting.gaps import analyse_gaps, applies_to

from .conftest import CATALOG

FIXTURES = Path(__file__).parent / "fixtures" / "drafting"


def figures(tmp_path: Path, indicators: str, commune: str = "Xã Thử Nghiệm", year: int = 2025):
    path = tmp_path / "so_lieu.yaml"
    path.write_text(
        f"commune: {commune}\nyear: {year}\nindicators:\n{indicators}", encoding="utf-8"
    )
    return load_figures(path)


def one(tmp_path: Path, name: str, value: str, target: str | None = None, **kw):
    line = f'  - name: {name}\n    value: "{value}"\n'
    if target is not None:
        line += f'    target: "{target}"\n'
    report = analyse_gaps(figures(tmp_path, line, **kw), CATALOG)
    assert len(report.items) == 1
    return report, report.items[0]


@pytest.mark.parametrize(
    ("value", "target", "status", "distance"),
    [
        ("71,2%", "≥70%", "met", 0.0),
        ("70%", "≥70%", "met", 0.0),  # at the boundary of "at least": met
        ("69,9%", "≥70%", "unmet", 0.1),
        ("50%", ">50%", "unmet", 0.0),  # strict: equal is not above
        ("50,5%", ">50%", "met", 0.0),
        ("~15%", "> 50%", "unmet", 35.0),
        ("7%", "≤5%", "unmet", 2.0),
        ("5%", "<5%", "unmet", 0.0),
        ("4%", "<5%", "met", 0.0),
        ("100%", "100%", "met", 0.0),  # a bare target means "at least"
        ("1.429", "≥1.500", "unmet", 71.0),  # "1.429" is one thousand four hundred…
    ],
)
def test_own_target_status_and_distance(tmp_path, value, target, status, distance):
    _, g = one(tmp_path, "Tỷ lệ hồ sơ TTHC xử lý trực tuyến", value, target)
    assert g.status == status
    assert g.gap == pytest.approx(distance)
    assert g.target is not None and g.target.origin == "figures"
    assert g.at_boundary == (status == "unmet" and distance == 0)


def test_gap_text_is_written_the_vietnamese_way(tmp_path):
    _, g = one(tmp_path, "Tỷ lệ hồ sơ trực tuyến toàn trình", "49,68%", "≥60%")
    assert g.gap_text() == "10,32" and g.percent


def test_own_target_wins_over_the_catalog(tmp_path):
    # the catalog has a national ≥80% for this indicator; the commune's own ≥70% is the one judged
    _, g = one(tmp_path, "Tỷ lệ hồ sơ TTHC xử lý trực tuyến", "71,2%", "≥70%")
    assert g.indicator is not None and g.indicator.id == "ho_so_tthc_truc_tuyen"
    assert g.status == "met" and g.target.target.raw == "≥70%"


def test_catalog_target_when_the_file_has_none(tmp_path):
    _, g = one(
        tmp_path, "Tỷ lệ dân số trưởng thành có chữ ký số hoặc chữ ký điện tử cá nhân", "~15%"
    )
    assert g.status == "unmet"
    assert g.target.origin == "catalog" and g.target.catalog.level == "quốc gia"
    assert g.target.target.comparator == ">" and g.target.target.value == 50
    assert g.target.source == "QĐ 411/QĐ-TTg"
    assert "QĐ 411/QĐ-TTg" in g.target.source_texts()


def test_accents_case_and_abbreviations_do_not_matter(tmp_path):
    _, g = one(tmp_path, "ty le ho so tthc xu ly truc tuyen", "85%")
    assert g.indicator is not None and g.indicator.id == "ho_so_tthc_truc_tuyen"
    assert g.status == "met" and g.target.origin == "catalog"


def test_non_numeric_catalog_target_means_no_target(tmp_path):
    # the catalog's only target for this indicator is "chưa giao chỉ tiêu"
    report, g = one(tmp_path, "Tỷ lệ thanh toán trực tuyến trong giải quyết TTHC", "76,5%")
    assert g.indicator is not None and g.indicator.id == "thanh_toan_truc_tuyen_tthc"
    assert g.status == "no_target" and g.target is None and g.gap is None
    assert report.no_target == [g]


def test_another_communes_own_target_does_not_bind(tmp_path):
    name = "Tỷ lệ CBCC làm chủ kỹ năng số, ứng dụng CNTT trong quản lý, điều hành"
    # only Đại Sơn set itself ≥80% (catalog level "xã", source names Đại Sơn)
    _, elsewhere = one(tmp_path, name, "60%")
    assert elsewhere.status == "no_target"
    _, dai_son = one(tmp_path, name, "60%", commune="Đại Sơn")
    assert dai_son.status == "unmet" and dai_son.target.target.raw == "≥80%"
    assert dai_son.target.catalog.level == "xã"


def test_applies_to_matches_whole_words_only():
    t = CatalogTarget(
        "≥80%", 2025, "xã", "Bảng chỉ tiêu của xã Đại Sơn (báo cáo 002)", "medium", "x"
    )
    assert applies_to(t, "Đại Sơn") and applies_to(t, "dai son")
    assert not applies_to(t, "Đại Sơn Tây")
    national = CatalogTarget(">50%", 2025, "quốc gia", "QĐ 411/QĐ-TTg", "high", "x")
    assert applies_to(national, "Bất Kỳ")


def test_next_year_and_long_term_targets(tmp_path):
    _, g = one(
        tmp_path,
        "Mức độ hài lòng của tổ chức, công dân đối với dịch vụ hành chính công",
        "92%",
        "≥90%",
    )
    assert g.status == "met"
    assert g.next_target is not None and g.next_target.catalog.year == 2026
    assert g.next_target.target.raw == "≥95%" and g.long_target is None
    _, s = one(
        tmp_path, "Tỷ lệ dân số trưởng thành có chữ ký số hoặc chữ ký điện tử cá nhân", "40%"
    )
    assert s.next_target is None  # no 2026 target for it …
    assert s.long_target is not None and s.long_target.catalog.year == 2030  # … but one for 2030


def test_unmatched_names_are_reported_and_still_judged(tmp_path):
    report = analyse_gaps(
        figures(
            tmp_path,
            (
                "  - name: Số lượt truy cập trang thông tin điện tử của xã trong tháng\n"
                '    value: "1.200"\n'
                '    target: "≥1.000"\n'
                "  - name: Tỷ lệ hồ sơ TTHC xử lý trực tuyến\n"
                '    value: "60%"\n'
            ),
        )
    , CATALOG)
    assert report.unmatched == ["Số lượt truy cập trang thông tin điện tử của xã trong tháng"]
    odd, known = report.items
    assert odd.indicator is None and odd.status == "met"  # its own target still applies
    assert odd.pillar == "chinh_quyen_so"  # from the wording ("trang thông tin điện tử")
    assert known.status == "unmet" and known.target.origin == "catalog"


def test_every_indicator_of_the_dai_son_file():
    report = analyse_gaps(load_figures(FIXTURES / "dai_son_2025.yaml"), CATALOG)
    by_name = {g.name: g for g in report.items}
    assert not report.unmet and not report.unmatched
    assert by_name["Tỷ lệ hồ sơ TTHC xử lý trực tuyến"].status == "met"  # 71,2% ≥ 70%
    assert by_name["Tỷ lệ thanh toán trực tuyến trong giải quyết TTHC"].status == "no_target"
    assert len(report.met) == 6 and len(report.no_target) == 4


def test_gia_phuc_table_as_written():
    report = analyse_gaps(load_figures(FIXTURES / "gia_phuc_2025.yaml"), CATALOG)
    unmet = {g.name for g in report.unmet}
    # 4 plainly below target, and 4 equal to a "> x" target (the report calls them "Đạt")
    assert len(unmet) == 8
    assert {g.name for g in report.met} == {
        "Tỷ lệ dân số trưởng thành có điện thoại thông minh",
        "Tỷ lệ hộ gia đình được phủ mạng Internet băng rộng cáp quang",
    }
    assert sum(g.at_boundary for g in report.unmet) == 4


# ---------------------------------------------------------------- binding targets


def test_the_strictest_binding_target_of_the_year_is_recorded(tmp_path: Path) -> None:
    _, g = one(tmp_path, "Tỷ lệ hồ sơ TTHC xử lý trực tuyến", "75%", "≥70%")
    assert g.status == "met" and g.binding_missed
    assert (g.binding.target.raw, g.binding.source) == ("≥80%", "Kế hoạch 02-KH/BCĐTW")
    assert g.binding_gap_text() == "5"
    _, g = one(tmp_path, "Tỷ lệ hồ sơ TTHC xử lý trực tuyến", "85%", "≥70%")
    assert g.binding is not None and not g.binding_missed  # recorded, and met
    # another year: the 2025 targets do not bind a 2024 report
    _, g = one(tmp_path, "Tỷ lệ hồ sơ TTHC xử lý trực tuyến", "75%", "≥70%", year=2024)
    assert g.binding is None


def test_a_commune_target_binds_only_the_commune_it_names(tmp_path: Path) -> None:
    # Tân An's province appendix asks ≥60% of it; Đại Sơn's own table ≥70%; KH 02 ≥80% of all
    _, g = one(tmp_path, "Tỷ lệ hồ sơ TTHC xử lý trực tuyến", "50%", "≥40%", commune="Tân An")
    assert g.binding.target.raw == "≥80%"
    strict = [t for t in g.indicator.targets if t.source.startswith("Mục tiêu cụ thể năm 2025 của xã An Khánh")]
    assert strict and not applies_to(strict[0], "Tân An")
