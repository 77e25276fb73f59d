"""Reporting periods: what a figures file's `period` means and which period comes next."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.domain.figures import figures_from_rows, load_figures
from assistant.domain.periods import Period, PeriodError, parse_period

FIXTURES = Path(__file__).parent / "fixtures" / "drafting"


@pytest.mark.parametrize(
    ("text", "label", "next_label"),
    [
        ("", "năm 2025", "năm 2026"),
        ("Năm 2025", "năm 2025", "năm 2026"),
        ("01/01/2025 - 20/11/2025", "năm 2025", "năm 2026"),
        ("6 tháng đầu năm 2025", "6 tháng đầu năm 2025", "6 tháng cuối năm 2025"),
        ("6 tháng", "6 tháng đầu năm 2025", "6 tháng cuối năm 2025"),
        ("6 tháng cuối năm", "6 tháng cuối năm 2025", "6 tháng đầu năm 2026"),
        ("01/01/2025 - 30/6/2025", "6 tháng đầu năm 2025", "6 tháng cuối năm 2025"),
        ("9 tháng đầu năm 2025", "9 tháng đầu năm 2025", "quý IV năm 2025"),
        ("Quý III/2025", "quý III năm 2025", "quý IV năm 2025"),
        ("quý 3 năm 2025", "quý III năm 2025", "quý IV năm 2025"),
        ("Q1/2025", "quý I năm 2025", "quý II năm 2025"),
        ("quý IV", "quý IV năm 2025", "quý I năm 2026"),
        ("01/7/2025 - 30/9/2025", "quý III năm 2025", "quý IV năm 2025"),
    ],
)
def test_period_label_and_next(text, label, next_label):
    p = parse_period(text, 2025)
    assert (p.label, p.next().label) == (label, next_label)


def test_only_a_year_end_period_closes_the_year():
    assert parse_period("quý IV/2025", 2025).closes_year
    assert parse_period("6 tháng cuối năm", 2025).closes_year
    assert not parse_period("quý III/2025", 2025).closes_year
    assert not parse_period("6 tháng đầu năm", 2025).closes_year


@pytest.mark.parametrize(("text", "words"), [("quý 5", "không phải là một quý"),
                                             ("quý II/2024", "khác năm báo cáo 2025")])
def test_impossible_periods_are_refused_in_vietnamese(text, words):
    with pytest.raises(PeriodError, match=words):
        parse_period(text, 2025)


def test_the_q3_seed_reads_as_a_quarter():
    figs = load_figures(FIXTURES / "gia_phuc_2025.yaml")
    assert figs.reporting == Period("quy", 2025, 3)
    assert load_figures(FIXTURES / "dai_son_2025.yaml").reporting == Period("nam", 2025)


def test_sheet_rows_carry_period_and_settlement():
    f = figures_from_rows([["Loại", "Tên", "Giá trị"], ["xã", "", "Tân An"], ["năm", "", "2025"],
                           ["kỳ báo cáo", "", "6 tháng đầu năm 2025"], ["đơn vị dân cư", "", "Ấp"]])
    assert (f.reporting.label, f.settlement) == ("6 tháng đầu năm 2025", "ấp")
