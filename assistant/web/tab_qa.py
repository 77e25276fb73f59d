"""Tab "Hỏi đáp": chat over the reports with streamed answers and expandable citations."""

from __future__ import annotations

import json
import logging
import queue
import re
import threading
import time
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import gradio as gr

from assistant.index.access import Viewer
from assistant.qa.retriever import Filters
from assistant.records import Answer, Citation
from assistant.web.common import (
    ALL_COMMUNES,
    Downloads,
    commune_choices,
    esc,
    figure_key_set,
    highlight_passage,
    text_html,
)
from assistant.web.context import Loaded, WebContext

log = logging.getLogger(__name__)

EXAMPLES = [
    "Tân An có bao nhiêu ấp?",
    "Tỷ lệ hồ sơ TTHC xử lý trực tuyến của xã Đại Sơn là bao nhiêu?",
    "Chỉ tiêu tỷ lệ dịch vụ công trực tuyến toàn trình theo Nghị quyết 57?",
    "Các xã gặp khó khăn gì về hạ tầng số?",
    "Xã Giao Minh có bao nhiêu Tổ công nghệ số cộng đồng?",
]
_LEAD_RE = re.compile(r"^(.*?) — theo ")
_QUOTE_RE = re.compile(r"«(.*?)»")
K = 5


# ------------------------------------------------------------------ rendering
def _cited_lines(answer: str, n: int) -> list[str]:
    return [ln for ln in answer.split("\n") if re.search(rf"\[(?:[\d,\s–-]*\b)?{n}\b[\d,\s–-]*\]", ln)]


def citation_html(c: Citation, answer: str, title: str = "") -> str:
    """One citation as <details>: the source passage, its figures used in the answer marked."""
    lines = _cited_lines(answer, c.n)
    leads = [m.group(1) for ln in lines if (m := _LEAD_RE.match(ln))]
    keys = figure_key_set(leads or lines)
    quote = next((m.group(1) for ln in lines if (m := _QUOTE_RE.search(ln))), "")
    where = f"Xã {c.commune}" if c.commune else (title or c.source)
    leaf = " > ".join(c.section.split(" > ")[-2:]) if c.section else "(đầu văn bản)"
    head = f"{esc(where)} · {esc(c.source)} <span class='sec'>· {esc(leaf)}</span>"
    meta = [f"<b>Xã:</b> {esc(c.commune or '—')}", f"<b>Tài liệu:</b> {esc(title or c.source)}"
            f" <span class='muted'>({esc(c.source)})</span>",
            f"<b>Mục:</b> {esc(c.section or '(đầu văn bản)')}"]
    return (f"<details class='cite'><summary>[{c.n}] {head}</summary>"
            f"<div class='cite-meta'>{'<br>'.join(meta)}</div>"
            f"<div class='passage'>{highlight_passage(c.text, keys, quote)}</div></details>")


def answer_html(ans: Answer, titles: dict[str, str] | None = None) -> str:
    """The final chat message: answer, warnings, then each citation expandable."""
    titles = titles or {}
    parts = [f"<div class='answer'>{text_html(ans.answer)}</div>"]
    if ans.mode == "catalog":
        parts.append("<div class='muted'>Trả lời từ danh mục chỉ tiêu (văn bản chỉ đạo).</div>")
    parts += [f"<div class='warn'>⚠️ {esc(w)}</div>" for w in ans.warnings]
    if ans.citations:
        cites = "".join(citation_html(c, ans.answer, titles.get(c.doc_id, "")) for c in ans.citations)
        parts.append(f"<div class='cites'><div class='muted'>Nguồn (bấm để xem đoạn gốc):</div>{cites}</div>")
    return "\n".join(parts)


def stream_pieces(text: str, n: int = 4) -> list[str]:
    """The text cut at spaces into about `n` growing prefixes (the offline answer's "stream")."""
    if len(text) < 40:
        return [text]
    cuts = []
    for i in range(1, n):
        j = text.find(" ", len(text) * i // n)
        if j > 0:
            cuts.append(j)
    return [text[:j] for j in sorted(set(cuts))] + [text]


def history_markdown(records: list[dict[str, Any]]) -> str:
    out = [f"# Lịch sử hỏi đáp — {datetime.now():%d/%m/%Y %H:%M}", ""]
    for i, r in enumerate(records, start=1):
        a = r["answer"]
        scope = f" (lọc: xã {r['commune']})" if r.get("commune") else ""
        out += [f"## {i}. {r['question']}{scope}", "", a["answer"], ""]
        out += [f"> Cảnh báo: {w}" for w in a.get("warnings", [])]
        if a.get("citations"):
            out += ["", "Nguồn:", ""]
            for c in a["citations"]:
                where = " – ".join(x for x in (f"xã {c['commune']}" if c["commune"] else "", c["source"],
                                                c["section"]) if x)
                quote = " ".join(c["text"].split())
                out.append(f"- [{c['n']}] {where}: “{quote}”")
        out.append("")
    return "\n".join(out)


# ------------------------------------------------------------------ answering
def _titles(loaded: Loaded) -> dict[str, str]:
    return loaded.engine("titles", lambda L: {c.doc_id: c.title for c in L.retriever.chunks})


def answer_stream(ctx: WebContext, question: str, commune: str | None,
                  viewer: Viewer | None = None) -> Iterator[tuple[str, Answer | None, dict[str, str]]]:
    """(text so far, None, {}) while the answer is written, then (final text, Answer, doc titles).

    Only documents `viewer` may read are searched (everything when None)."""
    filters = Filters(communes=[commune]) if commune else None
    with ctx.reading(viewer) as loaded:
        titles = _titles(loaded)
        if loaded.llm is None:
            ans = loaded.assistant.ask(question, k=K, filters=filters)
            for piece in stream_pieces(ans.answer)[:-1]:
                yield piece, None, {}
                time.sleep(0.04)
            yield ans.answer, ans, titles
            return
        pieces: queue.Queue[str | None] = queue.Queue()
        result: dict[str, Answer] = {}

        def run() -> None:
            try:
                result["answer"] = loaded.assistant.ask(question, k=K, filters=filters, stream=True,
                                                        on_token=pieces.put)
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


# ------------------------------------------------------------------ UI
def build(ctx: WebContext, downloads: Downloads) -> dict[str, Any]:
    """Lay out the tab inside the current Blocks; returns components the app refreshes."""
    records = gr.State([])
    with gr.Row():
        gr.Markdown("Hỏi về số liệu, kết quả, tồn tại của các xã hoặc chỉ tiêu trong văn bản chỉ đạo. "
                    "Mỗi câu trả lời trích nguyên văn và ghi nguồn; bấm vào nguồn để xem đoạn gốc.",
                    elem_classes=["intro"])
        commune = gr.Dropdown(commune_choices(_communes(ctx, ctx.viewer(None))), value=ALL_COMMUNES, label="Lọc theo xã",
                              scale=0, min_width=220, interactive=True, allow_custom_value=True)
    if ctx.llm_error:
        gr.Markdown(f"⚠️ Không dùng được mô hình ngôn ngữ ({esc(ctx.llm_error)}); "
                    "câu trả lời được trích dẫn trực tiếp từ văn bản (offline).")
    if ctx.embedder_notice:
        gr.Markdown(f"⚠️ {esc(ctx.embedder_notice)}", elem_id="embedder-notice")
    chat = gr.Chatbot(label="Hỏi đáp", show_label=False, height=540, elem_id="qa-chat", buttons=["copy"],
                      placeholder="Đặt câu hỏi ở ô bên dưới, hoặc chọn một câu hỏi mẫu.",
                      feedback_options=None)
    with gr.Row():
        msg = gr.Textbox(placeholder="Ví dụ: Tân An có bao nhiêu ấp?", show_label=False, scale=5,
                         lines=1, max_lines=4, autofocus=True, submit_btn=False)
        send = gr.Button("Gửi", variant="primary", scale=1, min_width=90)
    gr.Examples(EXAMPLES, inputs=msg, label="Câu hỏi mẫu")
    with gr.Row():
        clear = gr.Button("Xoá cuộc trò chuyện", size="sm")
        export_md = gr.Button("Tải lịch sử (.md)", size="sm")
        export_json = gr.Button("Tải lịch sử (.json)", size="sm")
    export_file = gr.File(label="Tệp lịch sử", visible=False, interactive=False)

    def respond(message: str, history: list, recs: list, scope: str, request: gr.Request):  # noqa: ANN202
        question = " ".join((message or "").split())
        if not question:
            gr.Warning("Hãy nhập câu hỏi.", title="Chú ý")
            yield history, recs, message
            return
        history = [*history, {"role": "user", "content": question},
                   {"role": "assistant", "content": "Đang tìm trong kho tài liệu…"}]
        yield history, recs, ""
        chosen = None if scope in (None, "", ALL_COMMUNES) else scope
        for text, ans, titles in answer_stream(ctx, question, chosen, ctx.viewer(request)):
            if ans is None:
                history[-1] = {"role": "assistant", "content": text_html(text) + " ▌"}
                yield history, recs, ""
                continue
            history[-1] = {"role": "assistant", "content": answer_html(ans, titles)}
            recs = [*recs, {"question": question, "commune": chosen or "",
                            "time": datetime.now().isoformat(timespec="seconds"), "answer": ans.to_json()}]
            yield history, recs, ""

    def export(recs: list, fmt: str) -> Any:
        if not recs:
            gr.Warning("Chưa có câu hỏi nào để tải về.", title="Chú ý")
            return gr.File(value=None, visible=False)
        path = downloads.path("lich_su_hoi_dap", fmt)
        if fmt == ".json":
            path.write_text(json.dumps(recs, ensure_ascii=False, indent=2), encoding="utf-8")
        else:
            path.write_text(history_markdown(recs), encoding="utf-8")
        return gr.File(value=str(path), visible=True)

    ask_inputs = [msg, chat, records, commune]
    send.click(respond, ask_inputs, [chat, records, msg], api_name="hoi_dap")
    msg.submit(respond, ask_inputs, [chat, records, msg], api_visibility="private")
    clear.click(lambda: ([], [], gr.File(value=None, visible=False)), None, [chat, records, export_file], api_name="xoa_hoi_dap")
    export_md.click(lambda r: export(r, ".md"), records, export_file, api_name="tai_lich_su_md")
    export_json.click(lambda r: export(r, ".json"), records, export_file, api_name="tai_lich_su_json")
    return {"commune": commune}


def _communes(ctx: WebContext, viewer: Viewer | None = None) -> list[str]:
    with ctx.reading(viewer) as loaded:
        return loaded.retriever.communes


def refresh_communes(ctx: WebContext, current: str | None, viewer: Viewer | None = None) -> Any:
    choices = commune_choices(_communes(ctx, viewer))
    return gr.Dropdown(choices=choices, value=current if current in choices else ALL_COMMUNES)
