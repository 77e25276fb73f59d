from assistant.qa.grounding import mark_unsupported, unsupported_numbers, untraceable

SOURCES = ["Tỷ lệ hồ sơ TTHC xử lý trực tuyến đạt 71.2%, tổng 1429 triệu đồng.",
           "Quyết định số 460/QĐ-UBND ngày 31/7/2025; 39/39 CBCC được bồi dưỡng."]


def test_same_figures_in_other_notation_are_traced():
    text = "Tỷ lệ đạt 71,2% [1]; kinh phí 1.429 triệu đồng; 39/39 CBCC; Quyết định 460/QĐ-UBND ngày 31/7/2025."
    assert unsupported_numbers(text, SOURCES) == []


def test_invented_figure_is_listed_and_marked():
    text = "Tỷ lệ đạt 71,2%, phấn đấu đạt 85% vào năm 2026 [2]."
    assert unsupported_numbers(text, SOURCES) == ["85%", "2026"]
    assert unsupported_numbers(text, SOURCES, allowed=["2026"]) == ["85%"]
    marked = mark_unsupported(text, untraceable(text, SOURCES, allowed=["2026"]))
    assert "⟦85%⟧" in marked and "⟦71,2%⟧" not in marked


def test_percent_is_not_the_same_as_a_count():
    assert unsupported_numbers("Có 71,2 hồ sơ", SOURCES) == ["71,2"]


def test_citation_markers_and_headings_are_not_figures():
    text = "1. Hạ tầng số\n2.1. Tồn tại\nNhư đoạn [3] và [1, 2] đã nêu."
    assert unsupported_numbers(text, SOURCES) == []
