"""Hỏi đáp in Chromium, as an officer uses it: ask, follow up, copy the answer, reload the page."""

from __future__ import annotations

import re

from tests.browser.conftest import download_link, open_tab, snap

QUESTION = "#qa-question textarea"


def ask(page, question: str) -> None:
    """Type a question and send it; returns when the answer (with its source list) is shown."""
    before = page.locator("#qa-chat .message-row.bot-row").count()
    page.locator(QUESTION).fill(question)
    page.locator("#qa-send").click()
    page.wait_for_function(
        """(n) => { const rows = document.querySelectorAll('#qa-chat .message-row.bot-row');
                    return rows.length > n && !document.querySelector('#qa-stop:not(.hidden)')
                        && !/Đang tìm/.test(rows[rows.length - 1].innerText); }""", arg=before)
    page.locator("#qa-send").wait_for(state="visible")


def answers(page) -> list[str]:
    """The text of each answer bubble (not the "Nguồn" blocks)."""
    rows = page.locator("#qa-chat .message-row.bot-row:not(:has(.thought-group))")
    return [rows.nth(i).inner_text() for i in range(rows.count())]


def test_ask_follow_up_copy_and_history_after_reload(page, served) -> None:
    open_tab(page, served.url, "qa")
    ask(page, "Tân An có bao nhiêu ấp?")
    first = answers(page)[-1]
    assert "17 ấp" in first
    # sources are named by commune and title, not by the hashed file name
    assert "Nguồn:" in first and "Xã Tân An — Báo cáo" in first
    assert not re.search(r"\d{3}_[0-9a-f]{16}\.txt", first)
    # only the sources the answer cites are listed, numbered as in the text
    cited = sorted(set(re.findall(r"\[(\d+)\]", first.split("Nguồn:")[0])))
    listed = re.findall(r"^\[(\d+)\] ", first.split("Nguồn:")[1], re.M)
    assert listed == cited and len(listed) < 5

    # the copy button copies plain text (what goes into Word or Zalo), not HTML
    page.locator("#qa-chat .message-buttons button[aria-label='Sao chép câu trả lời']").last.click()
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied.startswith("17 ấp") and "Nguồn:" in copied
    assert "<" not in copied and "class=" not in copied

    # the passages open from the "Nguồn" block, the figure marked
    page.locator("#qa-chat .thought-group .title").last.click()
    page.locator("#qa-chat details.cite summary").first.click()
    passage = page.locator("#qa-chat details.cite[open] .passage").first
    assert passage.locator("mark").first.inner_text() == "17"
    snap(page, "qa")

    # a follow-up that names another commune is answered about that commune
    ask(page, "Còn Đại Sơn thì sao?")
    follow = answers(page)[-1]
    assert len(answers(page)) == 2
    assert "Đại Sơn" in follow and "Tân An" not in follow
    understood = page.locator("#qa-chat .thought-group .title").last.inner_text()
    assert understood.startswith("Hiểu là:") and "Đại Sơn" in understood

    # the conversation is kept in this browser: a reload shows it again
    page.reload()
    page.locator("#app-ready").wait_for(state="attached")
    page.wait_for_function("() => document.querySelectorAll('#qa-chat .message-row.user-row').length == 2")
    assert answers(page)[0].startswith("17 ấp")


def test_offline_answer_comes_at_once_not_cut_into_pieces(page, served) -> None:
    """Without an LLM nothing streams: the chat never shows a partial answer with a cursor."""
    open_tab(page, served.url, "qa")
    page.evaluate("""() => { window.__seen = [];
        new MutationObserver(() => { const t = document.querySelector('#qa-chat')?.innerText || '';
            if (t.includes('▌')) window.__seen.push(t); })
          .observe(document.querySelector('#qa-chat'), {subtree: true, childList: true, characterData: true}); }""")
    ask(page, "Xã Giao Minh có bao nhiêu Tổ công nghệ số cộng đồng?")
    assert page.evaluate("window.__seen.length") == 0
    assert answers(page)[-1].strip()


def test_the_page_is_vietnamese(page, served) -> None:
    open_tab(page, served.url, "qa")
    assert page.evaluate("document.documentElement.lang") == "vi"
    ask(page, "Tân An có bao nhiêu ấp?")
    words = page.evaluate("""() => {
        const out = [];
        document.querySelectorAll('[aria-label],[title],[placeholder]').forEach(e => {
            for (const a of ['aria-label', 'title', 'placeholder']) if (e.getAttribute(a)) out.push(e.getAttribute(a)); });
        const w = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
        for (let n = w.nextNode(); n; n = w.nextNode()) if (!n.parentElement.closest('.prose, .message-content, script, style')) out.push(n.nodeValue.trim());
        return out.filter(Boolean); }""")
    english = {"Clear", "Copy message", "Examples", "Retry", "Undo", "Like", "Dislike", "Submit", "Loading...",
               "chatbot conversation", "Drop File Here", "Click to Upload", "More tabs"}
    assert not english & set(words), english & set(words)
    # the other tabs' widgets too
    for name, shown in (("Soạn thảo", "#draft-indicators"), ("So sánh", "#compare-go"),
                        ("Kho tài liệu", "#library-table")):
        page.get_by_role("tab", name=name).click()
        page.locator(shown).wait_for(state="visible")
        texts = set(page.evaluate("() => [...document.querySelectorAll('button, span, p, label')].map(e => e.innerText.trim())"))
        assert not {"Drop File Here", "Click to Upload", "Drop CSV or TSV files here to import data into dataframe"} & texts


def test_widget_labels_and_messages_are_vietnamese_too(page, served, tmp_path) -> None:
    """What a screen reader reads and what Gradio's widgets say on their own: chat messages are
    labelled by their text (not their HTML), sliders and upload boxes in Vietnamese, and a file
    dropped on a table that takes only CSV is refused in Vietnamese."""
    open_tab(page, served.url, "qa")
    ask(page, "Tân An có bao nhiêu ấp?")
    labels = page.evaluate("() => [...document.querySelectorAll('#qa-chat [aria-label]')].map(e => e.getAttribute('aria-label'))")
    said = [x for x in labels if x.startswith("Trả lời:")]
    assert said and not [x for x in said if "<" in x], said
    assert any("Xã Tân An" in x for x in said)

    english = re.compile(r"number input|range slider|Reset to default|Static column|Click to upload|"
                         r"File upload|common\.\w+|Invalid file|allowed")
    page.get_by_role("tab", name="So sánh").click()
    page.locator("#compare-go").wait_for(state="visible")
    page.get_by_role("tab", name="Soạn thảo").click()
    page.locator("#draft-indicators").wait_for(state="visible")
    strings = page.evaluate("""() => { const out = [];
        document.querySelectorAll('[aria-label],[title],[placeholder]').forEach(e => {
            for (const a of ['aria-label', 'title', 'placeholder']) if (e.getAttribute(a)) out.push(e.getAttribute(a)); });
        out.push(document.body.innerText); return out; }""")
    assert not [x for x in strings if english.search(x)], [english.search(x).group(0) for x in strings if english.search(x)]
    assert "Thanh trượt: Số đoạn của xã khác cho mỗi đoạn" in strings

    # a YAML file dropped on the indicators table (it imports CSV only): refused in Vietnamese
    wrong = tmp_path / "so_lieu.yaml"
    wrong.write_text("xa: Đại Sơn\n", encoding="utf-8")
    page.locator("#draft-indicators input[type=file]").first.set_input_files(str(wrong))
    toast = page.get_by_text("Không nhận tệp so_lieu.yaml")
    toast.first.wait_for()
    assert "chỉ nhận tệp .csv, .tsv" in toast.first.inner_text()
    assert page.get_by_text("Invalid file type").count() == 0


def test_retry_and_feedback_are_the_chat_s_own_buttons(page, served, tmp_path) -> None:
    import json

    open_tab(page, served.url, "qa")
    ask(page, "Xã Giao Minh có bao nhiêu Tổ công nghệ số cộng đồng?")
    first = answers(page)[-1]
    # «Hỏi lại» asks the last question again in place: the answer is replaced, not added
    last_answer = "#qa-chat .message-row.bot-row:not(:has(.thought-group))"
    page.locator(last_answer).last.evaluate("row => row.dataset.before = 'yes'")
    page.locator("#qa-chat button[aria-label='Hỏi lại']").last.click()
    page.wait_for_function("""(sel) => { const rows = document.querySelectorAll(sel);
        const row = rows[rows.length - 1];
        return row && !row.dataset.before && row.innerText.includes('Nguồn:')
            && document.querySelectorAll('#qa-chat .message-row.user-row').length == 1; }""", arg=last_answer)
    page.locator("#qa-stop").wait_for(state="hidden")
    assert answers(page)[-1] == first
    buttons = page.locator(last_answer).last.locator("xpath=following-sibling::*[contains(@class, 'message-buttons')][1]")
    kept = "() => localStorage.getItem('tro-ly-cds-hoi-dap')"
    before = page.evaluate(kept)
    buttons.locator("button[aria-label='Hữu ích']").click()
    page.wait_for_function(f"(before) => ({kept})() !== before", arg=before)  # the browser kept it
    # the feedback goes with the history the browser keeps (and into the downloaded file)
    path = download_link(page, "Tải lịch sử (.json)", ".json", tmp_path / "lich_su.json")
    records = json.loads(path.read_text(encoding="utf-8"))
    assert [r["question"] for r in records] == ["Xã Giao Minh có bao nhiêu Tổ công nghệ số cộng đồng?"]
    assert records[0].get("feedback") == "Hữu ích"


def test_with_an_llm_the_answer_streams_and_can_be_stopped(pages, seed_index, tmp_path, request) -> None:
    """A configured LLM's reply shows as it is written (a fake model holds the rest of its reply
    until the test lets it go), and «Dừng» stops the answer."""
    import threading

    from assistant.web.context import WebContext
    from tests.browser.conftest import private_copy, serve
    from tests.support import FakeChatModel

    release = threading.Event()
    request.addfinalizer(release.set)

    class Held(FakeChatModel):
        def stream(self, messages):  # noqa: ANN001, ANN202
            for i, piece in enumerate(super().stream(messages)):
                if i == 2:
                    release.wait(120)
                yield piece

    settings = private_copy(seed_index, tmp_path)
    reply = "Xã Tân An có 17 ấp [1], theo báo cáo tổng kết năm 2025 của xã."
    app = serve(settings, ctx=WebContext(settings, llm=Held([reply], chunk_chars=5)))
    request.addfinalizer(app.close)
    page = pages(app.url)
    open_tab(page, app.url, "qa")
    page.locator(QUESTION).fill("Tân An có bao nhiêu ấp?")
    page.locator("#qa-send").click()
    page.locator("#qa-chat .bot-row").get_by_text(re.compile(r"^Xã.*▌$")).wait_for()  # written so far, with a cursor
    stop = page.locator("#qa-stop")
    stop.wait_for(state="visible")
    stop.click()
    page.locator("#qa-send").wait_for(state="visible")
    assert not stop.is_visible()
