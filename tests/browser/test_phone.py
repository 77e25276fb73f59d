"""The app on a phone (390×844): every tab one tap away, the question box above the fold, the
answer (not its sources) in view after a reply, table headers readable. Checked by element
positions and sizes, not by pixels."""

from __future__ import annotations

from tests.browser.conftest import PHONE, open_tab, snap
from tests.browser.test_qa import ask

TABS = ["Hỏi đáp", "Soạn thảo", "So sánh", "Kho tài liệu"]

# lines each header's text takes, and its words: a header wrapped one letter per line has more lines
HEADER_LINES = """(sel) => [...document.querySelectorAll(sel + ' th')].map(th => {
    const span = th.querySelector('span') || th;
    const range = document.createRange();
    range.selectNodeContents(span);
    const tops = new Set([...range.getClientRects()].map(r => Math.round(r.top)));
    return {text: span.innerText.trim(), lines: tops.size,
            words: span.innerText.trim().split(/\\s+/).filter(Boolean).length}; })"""


def in_view(page, selector: str) -> bool:
    box = page.locator(selector).first.bounding_box()
    return box is not None and box["y"] >= 0 and box["y"] + box["height"] <= PHONE["height"] \
        and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]


def test_every_tab_is_one_tap_away(phone, served) -> None:
    open_tab(phone, served.url, "qa")
    for name in TABS:  # all four tabs on screen, none hidden behind "⋯"
        tab = phone.get_by_role("tab", name=name)
        tab.wait_for(state="visible")
        box = tab.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], name
    assert not phone.locator("[aria-label='Các tab khác'], [aria-label='More tabs']").filter(visible=True).count()
    phone.get_by_role("tab", name="So sánh").tap()
    phone.locator("#compare-go").wait_for(state="visible")
    phone.get_by_role("tab", name="Kho tài liệu").tap()
    phone.locator("#library-table").wait_for(state="visible")


def test_hoi_dap_on_a_phone(phone, served) -> None:
    open_tab(phone, served.url, "qa")
    assert phone.evaluate("window.scrollY") == 0
    phone.locator("#qa-send").wait_for(state="visible")
    assert in_view(phone, "#qa-question textarea") and in_view(phone, "#qa-send")  # no scrolling to ask
    ask(phone, "Các xã gặp khó khăn gì về hạ tầng số?")
    # after the reply the chat shows the answer's first line (not the end of the sources), on screen
    shown = phone.evaluate("""() => {
        const log = document.querySelector('#qa-chat [role=log]').getBoundingClientRect();
        const bots = [...document.querySelectorAll('#qa-chat .message-row.bot-row')];
        const answer = bots[bots.length - 1].getBoundingClientRect();
        return {answerTop: answer.top, logTop: log.top, logBottom: log.bottom}; }""")
    assert shown["logTop"] - 1 <= shown["answerTop"] < shown["logBottom"] - 40, shown
    assert 0 <= shown["logTop"] < PHONE["height"]
    snap(phone, "phone-qa")


def test_soan_thao_on_a_phone(phone, served) -> None:
    open_tab(phone, served.url, "draft")
    table = phone.locator("#draft-indicators")
    table.scroll_into_view_if_needed()
    headers = phone.evaluate(HEADER_LINES, "#draft-indicators")
    assert len(headers) >= 4
    for h in headers:  # each word of a header stays whole on its line
        assert h["lines"] <= h["words"], h
    # the column to fill in is reachable (the table scrolls sideways within the page)
    phone.locator("#draft-indicators [role=columnheader]").filter(has_text="Giá trị").first.scroll_into_view_if_needed()
    assert phone.locator("#draft-indicators [role=columnheader]").filter(has_text="Giá trị").first.is_visible()
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]  # the page itself does not
    phone.get_by_role("button", name="Soạn thảo", exact=True).scroll_into_view_if_needed()
    assert phone.get_by_role("button", name="Soạn thảo", exact=True).is_visible()
    table.scroll_into_view_if_needed()
    snap(phone, "phone-draft")
