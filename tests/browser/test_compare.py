"""So sánh in Chromium: a commune's section beside the other communes', and the indicator table."""

from __future__ import annotations

import re

from tests.browser.conftest import open_tab, snap, table_rows


def _norm(text: str) -> str:
    return " ".join(text.split())


def pick(page, box: str, value: str) -> None:
    page.locator(f"{box} input").click()
    page.get_by_role("option", name=value, exact=True).click()


def test_compare_quotes_peers_exactly_and_shows_levels(page, served) -> None:
    open_tab(page, served.url, "compare")
    pick(page, "#compare-commune", "Đại Sơn")
    page.locator("#compare-go").click()
    page.locator("#compare-result .cmp-row").first.wait_for()
    result = page.locator("#compare-result")
    head = result.locator(".muted").first.inner_text()
    assert head.startswith("So sánh xã Đại Sơn")
    assert "dense:" not in head and "hash-test" not in head and "độ gần" in head

    # every quoted peer passage is the report's own text (case and punctuation kept)
    with served.ctx.reading() as loaded:
        sources = [_norm(c.text) for c in loaded.retriever.chunks if c.commune != "Đại Sơn"]
    quoted = [_norm(t) for t in result.locator(".peer-text").all_inner_texts()]
    assert len(quoted) >= 5
    for text in quoted:
        assert any(text in s for s in sources), text

    # closeness as a level anyone can read, the number on hover
    levels = result.locator(".peer-head .level")
    assert levels.count() == len(quoted)
    assert set(levels.all_inner_texts()) <= {"rất gần", "gần", "khác"}
    hover = levels.first.get_attribute("title")
    assert re.search(r"Gần về nghĩa \d+,\d+", hover) and "%" in hover
    snap(page, "compare")


def test_indicator_table_and_chart_write_numbers_the_vietnamese_way(page, served) -> None:
    open_tab(page, served.url, "compare")
    page.locator("#indicators-head").scroll_into_view_if_needed()
    rows = table_rows(page, "#indicator-table")
    online = next(r for r in rows if r.startswith("Tỷ lệ hồ sơ TTHC xử lý trực tuyến"))
    assert "71,2%" in online and "71.2" not in online
    assert not [r for r in rows if re.search(r"\d\.\d(?!\d\d)", r.split(" | ", 2)[-1])]  # no "71.2" anywhere
    chart = page.locator("#indicator-chart svg")
    assert "71,2%" in chart.inner_html()
    detail = table_rows(page, "#indicator-detail")
    dai_son = next(r for r in detail if r.startswith("Đại Sơn"))
    assert dai_son.split(" | ")[1] == "71,2%"
    assert not re.search(r"\d{3}_[0-9a-f]{16}\.txt", dai_son)  # the document by its title
    snap(page, "indicators")


def test_a_pasted_draft_without_headings_is_explained_in_vietnamese(page, served) -> None:
    open_tab(page, served.url, "compare")
    pick(page, "#compare-commune", "(Dán dự thảo bên dưới)")
    pick(page, "#compare-section", "Tất cả các phần")
    page.get_by_text("Hoặc dán dự thảo của bạn").click()
    page.locator("#compare-draft textarea").fill(
        "Hạ tầng mạng ở các thôn vùng sâu còn yếu, nhiều hộ chưa có cáp quang.\n\n"
        "Cán bộ chưa thành thạo dùng chữ ký số trong xử lý văn bản.")
    page.locator("#compare-go").click()
    warn = page.locator("#compare-result .warn").filter(has_text="Bỏ qua")
    warn.first.wait_for()
    said = warn.first.inner_text()
    assert "không rõ thuộc phần nào" in said and "hãy chọn phần báo cáo" in said
    assert not re.search(r"\b(no|heading|such|above|them)\b", said), said


def test_a_pasted_draft_s_paragraphs_are_named_by_their_part_of_the_report(page, served) -> None:
    open_tab(page, served.url, "compare")
    pick(page, "#compare-commune", "(Dán dự thảo bên dưới)")
    page.get_by_text("Hoặc dán dự thảo của bạn").click()
    page.locator("#compare-draft textarea").fill("Hạ tầng mạng ở các thôn vùng sâu còn yếu, nhiều hộ chưa có cáp quang.")
    page.locator("#compare-go").click()
    head = page.locator("#compare-result .own .peer-head").first
    head.wait_for()
    assert "Tồn tại" in head.inner_text() and "ton_tai" not in page.locator("#compare-result").inner_text()
