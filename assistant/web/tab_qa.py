"""Tab "Hỏi đáp": a chat over the reports, answers with numbered sources that open to the passage.

The conversation is kept in the browser (`gr.BrowserState`, per login), so a reload keeps it;
how each answer is shown is `qa_messages`. Without an LLM the answer is shown at once; with one
it streams as the model writes it («Dừng» stops it); retry, undo and 👍/👎 are Gradio's own chat
controls. The previous questions of the conversation go with each question (`history`), so a
follow-up ("Còn Đại Sơn thì sao?") is understood.
"""

from __future__ import annotations

import hashlib
import json
import logging
import queue
import threading
from collections.abc import Iterator
from typing import Any

import gradio as gr

from assistant.index.access import Viewer
from assistant.qa.retriever import Filters
from assistant.records import Answer
from assistant.web.common import ALL_COMMUNES, Downloads, commune_choices, esc
from assistant.web.context import BuildStatus, IndexBuilding, IndexUnavailable, Loaded, WebContext
from assistant.web.qa_messages import (  # noqa: F401 - answer_html, sources_html: the tab's rendering, for tests
    answer_html,
    chat_messages,
    history_markdown,
    make_record,
    plain_markdown,
    record_messages,
    sources_html,
)

log = logging.getLogger(__name__)

EXAMPLES = [
    "Tân An có bao nhiêu ấp?",
    "Tỷ lệ hồ sơ TTHC xử lý trực tuyến của xã Đại Sơn là bao nhiêu?",
    "Chỉ tiêu tỷ lệ dịch vụ công trực tuyến toàn trình theo Nghị quyết 57?",
    "Các xã gặp khó khăn gì về hạ tầng số?",
    "Xã Giao Minh có bao nhiêu Tổ công nghệ số cộng đồng?",
]
K = 5
KEPT = 50  # questions kept in the browser per user (the oldest are dropped)
STORAGE_KEY = "tro-ly-cds-hoi-dap"
SEARCHING = "Đang tìm trong kho tài liệu…"
FEEDBACK = {True: "Hữu ích", False: "Chưa đúng", "Like": "Hữu ích", "Dislike": "Chưa đúng"}  # Gradio's 👍 / 👎
# after an answer: the chat shows the answer's first line (not the end of a long message) and is on screen
SCROLL_JS = """() => {
  const log = document.querySelector('#qa-chat [role=log]');
  if (!log) return;
  const bots = log.querySelectorAll('.message-row.bot-row');
  const last = bots[bots.length - 1];
  if (!last) return;
  log.scrollTop += last.getBoundingClientRect().top - log.getBoundingClientRect().top - 8;
  const box = document.querySelector('#qa-chat').getBoundingClientRect();
  if (box.top < 0 || box.top > window.innerHeight * 0.6) document.querySelector('#qa-chat').scrollIntoView({block: 'start'});
}"""


# ------------------------------------------------------------------ answering
def _titles(loaded: Loaded) -> dict[str, str]:
    return loaded.engine("titles", lambda L: {c.doc_id: c.title for c in L.retriever.chunks})


def answer_stream(ctx: WebContext, question: str, commune: str | None, viewer: Viewer | None = None,
                  history: list[str] | None = None) -> Iterator[tuple[str, Answer | None, dict[str, str]]]:
    """(text so far, None, {}) while an LLM writes the answer, then (final text, Answer, doc titles).

    Without an LLM the answer comes at once (one item). `history` holds the conversation's earlier
    questions (a follow-up such as "Còn Đại Sơn thì sao?" is read with them). Only documents
    `viewer` may read are searched (everything when None)."""
    filters = Filters(communes=[commune]) if commune else None
    earlier = list(history or [])
    with ctx.reading(viewer) as loaded:
        titles = _titles(loaded)
        if loaded.llm is None:
            ans = loaded.assistant.ask(question, k=K, filters=filters, history=earlier)
            yield ans.answer, ans, titles
            return
        pieces: queue.Queue[str | None] = queue.Queue()
        result: dict[str, Answer] = {}

        def run() -> None:
            try:
                result["answer"] = loaded.assistant.ask(question, k=K, filters=filters, history=earlier,
                                                        stream=True, on_token=pieces.put)
            finally:
                pieces.put(None)

        worker = threading.Thread(target=run, name="llm-answer", daemon=True)
        worker.start()
        shown = ""
        try:
            while (piece := pieces.get()) is not None:
                shown += piece
                yield shown, None, {}
        finally:
            worker.join()
        ans = result.get("answer") or Answer("Không trả lời được câu hỏi này.", mode="none")
        yield ans.answer, ans, titles


def _wait_until_ready(ctx: WebContext) -> Iterator[str]:
    """While the first index is built: its progress, every time it changes (then nothing)."""
    seen = BuildStatus(phase="")
    while not ctx.ready and ctx.status.phase == "building":
        st = ctx.wait_for_change(seen, timeout=5.0)
        if st != seen:
            seen = st
            yield st.message()


# ------------------------------------------------------------------ UI
def _user(request: gr.Request | None) -> str:
    return getattr(request, "username", None) or ""


def _mine(kept: Any, request: gr.Request | None) -> list[dict]:
    """This user's questions from the browser's storage ({user: [record, …]})."""
    if not isinstance(kept, dict):
        return []
    records = kept.get(_user(request)) or []
    return [r for r in records if isinstance(r, dict) and "question" in r and "answer" in r]


def _keep(kept: Any, records: list[dict], request: gr.Request | None) -> dict:
    out = dict(kept) if isinstance(kept, dict) else {}
    out[_user(request)] = records[-KEPT:]
    return out


def browser_secret(ctx: WebContext) -> str:
    """A stable key for the browser storage of this installation (history survives restarts)."""
    return hashlib.sha256(str(ctx.settings.index_dir.resolve()).encode()).hexdigest()[:24]


def build(ctx: WebContext, downloads: Downloads) -> dict[str, Any]:
    """Lay out the tab inside the current Blocks; returns components the app refreshes."""
    kept = gr.BrowserState({}, storage_key=STORAGE_KEY, secret=browser_secret(ctx))
    with gr.Row(elem_id="qa-top"):
        gr.Markdown("Hỏi về số liệu, kết quả, tồn tại của các xã hoặc chỉ tiêu trong văn bản chỉ đạo. "
                    "Mỗi câu trả lời trích nguyên văn và ghi nguồn; bấm vào nguồn để xem đoạn gốc.",
                    elem_classes=["intro"])
        commune = gr.Dropdown(commune_choices(ctx.if_ready(lambda L: L.retriever.communes, [])),
                              value=ALL_COMMUNES, label="Lọc theo xã", scale=0, min_width=220,
                              interactive=True, allow_custom_value=True, elem_id="qa-commune")
    if ctx.llm_error:
        gr.Markdown(f"⚠️ Không dùng được mô hình ngôn ngữ ({esc(ctx.llm_error)}); "
                    "câu trả lời được trích dẫn trực tiếp từ văn bản (offline).")
    if ctx.embedder_notice:
        gr.Markdown(f"⚠️ {esc(ctx.embedder_notice)}", elem_id="embedder-notice")
    chat = gr.Chatbot(label="Hỏi đáp", show_label=False, height=520, elem_id="qa-chat", buttons=["copy"],
                      placeholder="Đặt câu hỏi ở ô bên dưới, hoặc chọn một câu hỏi mẫu.",
                      feedback_options=("Like", "Dislike"), autoscroll=False, group_consecutive_messages=False)
    with gr.Row(elem_id="qa-input"):
        msg = gr.Textbox(placeholder="Ví dụ: Tân An có bao nhiêu ấp?", show_label=False, scale=5,
                         lines=1, max_lines=4, autofocus=False, submit_btn=False, elem_id="qa-question")
        send = gr.Button("Gửi", variant="primary", scale=1, min_width=80, elem_id="qa-send")
        stop = gr.Button("Dừng", variant="stop", scale=1, min_width=80, visible=False, elem_id="qa-stop")
    gr.Examples(EXAMPLES, inputs=msg, label="Câu hỏi mẫu")
    with gr.Row():
        clear = gr.Button("Xoá cuộc trò chuyện", size="sm")
        export_md = gr.Button("Tải lịch sử (.md)", size="sm")
        export_json = gr.Button("Tải lịch sử (.json)", size="sm")
    export_file = gr.File(label="Tệp lịch sử", visible=False, interactive=False)

    def respond(message: str, history: list, stored: Any, scope: str, request: gr.Request):  # noqa: ANN202
        question = " ".join((message or "").split())
        if not question:
            gr.Warning("Hãy nhập câu hỏi.", title="Chú ý")
            yield history, stored, message
            return
        records = _mine(stored, request)
        chosen = None if scope in (None, "", ALL_COMMUNES) else scope
        pending = {"question": question, "commune": chosen or "", "answer": {"answer": "", "citations": []}}
        shown = chat_messages(records) + record_messages(pending)[:1]
        yield [*shown, {"role": "assistant", "content": SEARCHING}], stored, ""
        for note in _wait_until_ready(ctx):
            yield [*shown, {"role": "assistant", "content": f"⏳ {note}"}], stored, ""
        try:
            for text, ans, titles in answer_stream(ctx, question, chosen, ctx.viewer(request),
                                                   [r["question"] for r in records]):
                if ans is None:
                    yield [*shown, {"role": "assistant", "content": plain_markdown(text) + " ▌"}], stored, ""
                    continue
                records = [*records, make_record(question, chosen, ans, titles)]
                stored = _keep(stored, records, request)
                yield chat_messages(records), stored, ""
        except IndexUnavailable as exc:
            note = str(exc) if isinstance(exc, IndexBuilding) else f"Chưa trả lời được: {exc}"
            yield [*shown, {"role": "assistant", "content": f"⚠️ {note}"}], stored, question

    def retry(stored: Any, scope: str, request: gr.Request):  # noqa: ANN202
        records = _mine(stored, request)
        if not records:
            yield gr.skip(), stored, gr.skip()
            return
        last = records[-1]
        yield from respond(last["question"], [], _keep(stored, records[:-1], request),
                           ALL_COMMUNES if not last.get("commune") else last["commune"], request)

    def undo(stored: Any, request: gr.Request) -> tuple:
        records = _mine(stored, request)[:-1]
        return chat_messages(records), _keep(stored, records, request)

    def feedback(stored: Any, data: gr.LikeData, request: gr.Request) -> Any:
        records = _mine(stored, request)
        index = data.index if isinstance(data.index, int) else data.index[0]
        n = 0  # which question the liked message answers (two or three messages per question)
        for i, r in enumerate(records):
            n += len(record_messages(r))
            if index < n:
                value = FEEDBACK.get(data.liked, str(data.liked))
                records[i] = {**r, "feedback": value}
                log.info("feedback on %r: %s", r["question"], value)
                return _keep(stored, records, request)
        return gr.skip()

    def restore(stored: Any, request: gr.Request) -> list:
        return chat_messages(_mine(stored, request))

    def export(stored: Any, fmt: str, request: gr.Request) -> Any:
        records = _mine(stored, request)
        if not records:
            gr.Warning("Chưa có câu hỏi nào để tải về.", title="Chú ý")
            return gr.File(value=None, visible=False)
        path = downloads.path("lich_su_hoi_dap", fmt)
        if fmt == ".json":
            path.write_text(json.dumps(records, ensure_ascii=False, indent=2), encoding="utf-8")
        else:
            path.write_text(history_markdown(records), encoding="utf-8")
        return gr.File(value=str(path), visible=True)

    def export_md_fn(stored: Any, request: gr.Request) -> Any:
        return export(stored, ".md", request)

    def export_json_fn(stored: Any, request: gr.Request) -> Any:
        return export(stored, ".json", request)

    def busy() -> tuple:
        return gr.Button(visible=False), gr.Button(visible=True)

    def idle() -> tuple:
        return gr.Button(visible=True), gr.Button(visible=False)

    ask_inputs = [msg, chat, kept, commune]
    ask_outputs = [chat, kept, msg]
    asked = []
    for trigger, name in ((send.click, "hoi_dap"), (msg.submit, None)):
        started = trigger(busy, None, [send, stop], queue=False, api_visibility="private")
        event = started.then(respond, ask_inputs, ask_outputs, api_name=name,
                             api_visibility="public" if name else "private")
        event.then(idle, None, [send, stop], queue=False, api_visibility="private").then(
            None, js=SCROLL_JS)
        asked.append(event)
    again = chat.retry(busy, None, [send, stop], queue=False, api_visibility="private").then(
        retry, [kept, commune], ask_outputs, api_visibility="private")
    again.then(idle, None, [send, stop], queue=False, api_visibility="private").then(None, js=SCROLL_JS)
    stop.click(idle, None, [send, stop], queue=False, cancels=[*asked, again], api_visibility="private")
    chat.undo(undo, kept, [chat, kept], api_visibility="private")
    chat.like(feedback, kept, kept, api_visibility="private")
    def forget(stored: Any, request: gr.Request) -> tuple:
        return [], _keep(stored, [], request), gr.File(value=None, visible=False)

    def forget_kept(stored: Any, request: gr.Request) -> dict:
        return _keep(stored, [], request)

    chat.clear(forget_kept, kept, kept, api_visibility="private")
    clear.click(forget, kept, [chat, kept, export_file], api_name="xoa_hoi_dap")
    export_md.click(export_md_fn, kept, export_file, api_name="tai_lich_su_md")
    export_json.click(export_json_fn, kept, export_file, api_name="tai_lich_su_json")
    return {"commune": commune, "chat": chat, "kept": kept, "restore": restore, "scroll_js": SCROLL_JS}


def refresh_communes(ctx: WebContext, current: str | None, viewer: Viewer | None = None) -> Any:
    choices = commune_choices(ctx.if_ready(lambda L: L.retriever.communes, [], viewer))
    if current in choices:  # what the officer may have chosen meanwhile stays chosen
        return gr.Dropdown(choices=choices)
    return gr.Dropdown(choices=choices, value=ALL_COMMUNES)
