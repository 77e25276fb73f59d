"""Vietnamese numbers: reading values and targets, finding figures, writing numbers."""

from __future__ import annotations

import random
import re
import unicodedata
from pathlib import Path

import pytest

from assistant.text.vn_numbers import (
    NumberSpan,
    ParsedNumber,
    Ratio,
    Target,
    figure_keys,
    find_numbers,
    format_vn,
    gap,
    meets,
    parse_number,
    parse_ratio,
    parse_target,
    same_figure,
)

REPORTS = Path(__file__).resolve().parents[1] / "corpus" / "reports"


# ---------------------------------------------------------------- parse_number


@pytest.mark.parametrize(
    ("text", "value", "percent", "approx"),
    [
        # the FORMAT.md examples
        ("71,2%", 71.2, True, False),
        ("1.429", 1429, False, False),
        ("71.2", 71.2, False, False),
        ("~15%", 15, True, True),
        ("80", 80, False, False),
        # thousands and decimals
        ("1.429.000", 1429000, False, False),
        ("2.937", 2937, False, False),
        ("9.461", 9461, False, False),
        ("0,5", 0.5, False, False),
        ("0.125", 0.125, False, False),  # "0" cannot start a thousands group
        ("58,39%", 58.39, True, False),
        ("99.4%", 99.4, True, False),
        ("1.234,5", 1234.5, False, False),
        ("1,234.5", 1234.5, False, False),
        ("1,234,567", 1234567, False, False),
        ("08", 8, False, False),
        ("100%", 100, True, False),
        ("-5%", -5, True, False),
        # spacing and Unicode
        ("71,2 %", 71.2, True, False),
        ("71,2\u00a0%", 71.2, True, False),
        ("71,2\u202f%", 71.2, True, False),
        ("  96% ", 96, True, False),
        ("80\\%", 80, True, False),
        # approximate values and bounds
        ("khoảng 15%", 15, True, True),
        ("gần 15%", 15, True, True),
        ("Khoảng 15%", 15, True, True),
        ("≈ 15%", 15, True, True),
        ("Trên 3.000", 3000, False, True),
        ("trên 3.000 người", 3000, False, True),
        ("hơn 150", 150, False, True),
        (">2683", 2683, False, True),
        ("Đạt trên 98%", 98, True, True),
        ("dưới 5%", 5, True, True),
        # units after the number
        ("1.429 triệu đồng", 1429, False, False),
        ("110 thành viên", 110, False, False),
        ("100% hồ sơ", 100, True, False),
    ],
)
def test_parse_number(text: str, value: float, percent: bool, approx: bool) -> None:
    p = parse_number(text)
    assert p is not None
    assert p.value == pytest.approx(value, abs=0, rel=1e-15)
    assert (p.percent, p.approx) == (percent, approx)


def test_parse_number_keeps_raw_nfc() -> None:
    nfd = unicodedata.normalize("NFD", "khoảng 15%")
    p = parse_number(nfd)
    assert p == ParsedNumber(15.0, percent=True, approx=True, raw="khoảng 15%")
    assert unicodedata.is_normalized("NFC", p.raw)


@pytest.mark.parametrize(
    "text",
    [
        "39/39",  # ratio: see parse_ratio
        "24.152/29.950",
        "20/11/2025",  # date
        "417/QĐ-UBND",  # document number
        "71,2 %%",
        "1.2.3",
        "12,34,5",
        "Hoàn thành",
        "",
        "%",
        "100% (39/39 CBCC)",
    ],
)
def test_parse_number_rejects(text: str) -> None:
    assert parse_number(text) is None


def test_parse_ratio() -> None:
    assert parse_ratio("39/39") == Ratio(39, 39, "39/39")
    r = parse_ratio("24.152/29.950")
    assert r is not None and (r.numerator, r.denominator) == (24152, 29950)
    assert r.value == pytest.approx(0.80641, abs=1e-5)
    assert parse_ratio("(39/39 CBCC)") == Ratio(39, 39, "(39/39 CBCC)")
    assert parse_ratio("39 / 39") is not None
    assert parse_ratio("0/0") is not None and parse_ratio("0/0").value is None  # type: ignore[union-attr]
    assert parse_ratio("71,2%") is None
    assert parse_ratio("20/11/2025") is None


# ---------------------------------------------------------------- targets


@pytest.mark.parametrize(
    ("text", "comparator", "value", "percent"),
    [
        ("≥80%", ">=", 80, True),
        (">=80", ">=", 80, False),
        (">50%", ">", 50, True),
        ("≤5%", "<=", 5, True),
        ("<= 5 %", "<=", 5, True),
        ("<5%", "<", 5, True),
        ("=100%", "=", 100, True),
        ("100%", ">=", 100, True),  # bare = at least
        ("80", ">=", 80, False),
        ("tối thiểu 80%", ">=", 80, True),
        ("ít nhất 80%", ">=", 80, True),
        ("Tối thiểu 80%", ">=", 80, True),
        ("trên 50%", ">", 50, True),
        ("dưới 5%", "<", 5, True),
        ("không quá 5%", "<=", 5, True),
        ("đạt 100%", ">=", 100, True),
        ("đạt trên 50%", ">", 50, True),
        ("từ 80% trở lên", ">=", 80, True),
        ("≥ 70,5%", ">=", 70.5, True),
        ("$\\geq 80\\%$", ">=", 80, True),  # LaTeX left by PDF extraction
        ("≥ 3.000 người", ">=", 3000, False),
    ],
)
def test_parse_target(text: str, comparator: str, value: float, percent: bool) -> None:
    t = parse_target(text)
    assert t is not None
    assert (t.comparator, t.value, t.percent) == (comparator, value, percent)


def test_parse_target_nfd_and_raw() -> None:
    t = parse_target(unicodedata.normalize("NFD", "không quá 5%"))
    assert t == Target("<=", 5.0, True, "không quá 5%")


@pytest.mark.parametrize("text", ["Hoàn thành", "", "≥", "≥80%%", "≥ 1.2.3", "39/39"])
def test_parse_target_rejects(text: str) -> None:
    assert parse_target(text) is None


@pytest.mark.parametrize(
    ("value", "target", "met", "missing"),
    [
        ("50%", ">50%", False, 0.0),  # FORMAT.md: ">50%" with 50 is unmet
        ("50,1%", ">50%", True, 0.0),
        ("71,2%", "≥70%", True, 0.0),
        ("70%", "≥70%", True, 0.0),
        ("69,5%", "≥70%", False, 0.5),
        ("~15%", "trên 50%", False, 35.0),
        ("58,39%", "100%", False, 41.61),
        ("2%", "≤5%", True, 0.0),
        ("5%", "≤5%", True, 0.0),
        ("6%", "không quá 5%", False, 1.0),
        ("5%", "<5%", False, 0.0),
        ("100%", "=100%", True, 0.0),
        ("98%", "=100%", False, 2.0),
    ],
)
def test_meets_and_gap(value: str, target: str, met: bool, missing: float) -> None:
    v, t = parse_number(value), parse_target(target)
    assert v is not None and t is not None
    assert meets(v, t) is met
    assert gap(v, t) == pytest.approx(missing)


def test_meets_accepts_plain_floats_and_computed_rates() -> None:
    t = parse_target("≥70%")
    assert t is not None
    assert meets(2937 / 6234 * 100 + 23.09, t) is True  # about 70.2
    assert meets(0.7 * 100, t) is True  # 70.00000000000001 or 69.99999999999999
    assert gap(60, t) == 10.0


# ---------------------------------------------------------------- find_numbers


def spans(text: str) -> list[tuple[str, str, float | None]]:
    found = find_numbers(text)
    assert all(text[s.start : s.end] == s.raw for s in found)
    return [(s.raw, s.kind, s.value) for s in found]


def test_find_numbers_report_sentence_with_counts_and_percents() -> None:
    text = (
        "3 Trong đó: Hồ sơ trực tuyến: 2.937 hồ sơ; Hồ sơ tiếp nhận trực tiếp: 3.387 hồ sơ; "
        "Tỷ lệ hồ sơ trực tuyến đạt trên 71,2%; số hồ sơ giải quyết trước hạn đạt 5.971 hồ sơ, "
        "chiếm tỷ lệ 98,2% tổng số hồ sơ."
    )
    assert spans(text) == [
        ("3", "number", 3.0),
        ("2.937", "number", 2937.0),
        ("3.387", "number", 3387.0),
        ("71,2%", "percent", 71.2),
        ("5.971", "number", 5971.0),
        ("98,2%", "percent", 98.2),
    ]
    assert [s.approx for s in find_numbers(text)] == [False, False, False, True, False, False]


def test_find_numbers_ratio_and_percent() -> None:
    text = (
        "căn cước: 24.152/29.950 trường hợp, đạt 80,9% dân số toàn xã. Đã thu nhận \n"
        "17.419 hồ sơ cấp tài khoản ĐDĐT, đạt 58,39%; đã kích hoạt 16.850 tài khoản, "
    )
    assert spans(text) == [
        ("24.152/29.950", "ratio", pytest.approx(24152 / 29950)),
        ("80,9%", "percent", 80.9),
        ("17.419", "number", 17419.0),
        ("58,39%", "percent", 58.39),
        ("16.850", "number", 16850.0),
    ]


def test_find_numbers_documents_dates_years() -> None:
    text = (
        "Thực hiện Công văn số 4157/SKHCN-CNTTT ngày 19/11/2025 của Sở; Nghị quyết số \n"
        "57-NQ/TW ngày 22/12/2024 của Bộ Chính trị; Kế hoạch số 02-KH/BCĐTW; Nghị định "
        "30/2020/NĐ-CP; Quyết định 417/QĐ-UBND; tăng mạnh từ tháng 10/2025; năm 2025 và "
        "phương hướng năm 2026; ISO 9001:2015; ngày 20/11."
    )
    assert [(r, k) for r, k, _ in spans(text)] == [
        ("4157/SKHCN-CNTTT", "docno"),
        ("19/11/2025", "date"),
        ("57-NQ/TW", "docno"),
        ("22/12/2024", "date"),
        ("02-KH/BCĐTW", "docno"),
        ("30/2020/NĐ-CP", "docno"),
        ("417/QĐ-UBND", "docno"),
        ("10/2025", "date"),
        ("2025", "year"),
        ("2026", "year"),
        ("9001:2015", "docno"),
        ("20/11", "date"),
    ]


def test_find_numbers_skips_heading_numbers() -> None:
    text = (
        "I. TÌNH HÌNH THỰC HIỆN\n"
        "1. Mục tiêu chung\n"
        " 2. Mục tiêu cụ thể: đạt 100%\n"
        "2.1. Công tác xây dựng 3 kế hoạch\n"
        "2.1 Hạ tầng số\n"
        "1.4) Tổ công nghệ số\n"
        "a) Kết quả đạt được: 11 Tổ\n"
        "II. Tồn tại\n"
        "9.461 hộ gia đình\n"
    )
    assert spans(text) == [
        ("100%", "percent", 100.0),
        ("3", "number", 3.0),
        ("11", "number", 11.0),
        ("9.461", "number", 9461.0),
    ]


def test_find_numbers_skips_codes_and_footnote_markers() -> None:
    text = "nhiệm vụ(1). Phủ sóng 4G, 5G; NQ57; IPv6; A3; tốc độ 1Gb/s; trực 24h; 3-5 tin/bài"
    assert spans(text) == [
        ("1", "number", 1.0),
        ("24", "number", 24.0),
        ("3", "number", 3.0),
        ("5", "number", 5.0),
    ]


def test_find_numbers_approximate_and_english_style() -> None:
    text = "còn thấp (~15%), do; Người >2683; Đạt 2,991 giao dịch; kết hôn,155 hồ sơ"
    found = find_numbers(text)
    assert [(s.raw, s.approx) for s in found] == [
        ("15%", True),
        ("2683", True),
        ("2,991", False),
        ("155", False),
    ]


def test_find_numbers_offsets_refer_to_nfd_input() -> None:
    text = unicodedata.normalize(
        "NFD", "Khoảng 71,2\u00a0% hồ sơ; Quyết định số 417/QĐ-UBND ngày 19/11/2025"
    )
    found = find_numbers(text)
    assert [s.kind for s in found] == ["percent", "docno", "date"]
    assert all(text[s.start : s.end] == s.raw for s in found)
    assert found[0].value == 71.2 and found[0].approx


@pytest.mark.skipif(not REPORTS.is_dir(), reason="corpus/reports not present")
def test_find_numbers_on_whole_reports() -> None:
    for path in sorted(REPORTS.glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        found = find_numbers(text)
        assert found, path.name
        for s in found:
            assert text[s.start : s.end] == s.raw
            assert s.kind in ("number", "percent", "ratio", "date", "year", "docno")
            if s.kind in ("number", "percent", "ratio", "year"):
                assert s.value is not None
        starts = [s.start for s in found]
        assert starts == sorted(starts)
        for s in found:  # nothing reported looks like "2.1. " at the start of a line
            line = text[text.rfind("\n", 0, s.start) + 1 : s.start]
            if not line.strip():
                heading = re.fullmatch(r"\d{1,2}(\.\d{1,2})*", s.raw)
                assert not (heading and text[s.end : s.end + 2] == ". "), (path.name, s)


# ---------------------------------------------------------------- same_figure


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        ("71,2%", "71.2%", True),
        ("71,2%", "71,2 %", True),
        ("71,2%", "71,20%", True),
        ("1.429", "1429", True),
        ("08", "8", True),
        ("~15%", "15%", True),
        ("Trên 3.000", "3000", True),
        ("2,991", "2.991", True),  # English-style thousands seen in real reports
        ("39/39", "39/39", True),
        ("39/39", "39 / 39", True),
        ("01/07/2025", "1/7/2025", True),
        ("57-NQ/TW", "57- NQ/TW", True),
        ("2025", "2025", True),
        ("71,2%", "71,2", False),  # a percent is not a plain number
        ("71,2%", "71,3%", False),
        ("1.429", "1.430", False),
        ("39/39", "38/39", False),
        ("20/11/2025", "20/11/2024", False),
        ("417/QĐ-UBND", "418/QĐ-UBND", False),
        ("abc", "abc", False),
    ],
)
def test_same_figure(a: str, b: str, same: bool) -> None:
    assert same_figure(a, b) is same
    assert same_figure(b, a) is same


def test_same_figure_with_spans() -> None:
    source = find_numbers("Tỷ lệ hồ sơ TTHC xử lý trực tuyến 71.2% (2.937 hồ sơ)")
    draft = find_numbers("đạt 71,2%, với 2937 hồ sơ")
    assert [same_figure(a, b) for a, b in zip(source, draft, strict=True)] == [True, True]
    keys = set().union(*(figure_keys(s) for s in source))
    assert all(figure_keys(d) & keys for d in draft)
    assert not figure_keys(NumberSpan(0, 3, "abc", "number", None))


# ---------------------------------------------------------------- format_vn


@pytest.mark.parametrize(
    ("value", "kwargs", "text"),
    [
        (71.2, {"percent": True}, "71,2%"),
        (1429, {}, "1.429"),
        (9461, {}, "9.461"),
        (1429000, {}, "1.429.000"),
        (58.39, {"percent": True}, "58,39%"),
        (0.5, {}, "0,5"),
        (100.0, {"percent": True}, "100%"),
        (0.1 + 0.2, {}, "0,3"),
        (-1234.5, {}, "-1.234,5"),
        (71.25, {"decimals": 1}, "71,3"),  # half up, as people round
        (2937 / 6234 * 100, {"percent": True, "decimals": 1}, "47,1%"),
        (9461, {"decimals": 0}, "9.461"),
        (-0.01, {"decimals": 1}, "0,0"),
        (1e-7, {}, "0,0000001"),
    ],
)
def test_format_vn(value: float, kwargs: dict, text: str) -> None:
    assert format_vn(value, **kwargs) == text


def test_format_then_parse_round_trip() -> None:
    rng = random.Random(20251120)
    for _ in range(3000):
        digits = rng.choice([0, 0, 1, 2, 3, 6])
        value = round(rng.uniform(-1e7, 1e7) * rng.choice([1, 1e-3, 1e-6]), digits)
        percent = rng.random() < 0.5
        text = format_vn(value, percent=percent)
        parsed = parse_number(text)
        assert parsed is not None, text
        assert parsed.value == value and parsed.percent is percent, (value, text)
        assert same_figure(text, format_vn(value, percent=percent, decimals=digits))
