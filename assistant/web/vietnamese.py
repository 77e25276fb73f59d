"""The page in Vietnamese: `<html lang="vi">` and Gradio's own widget strings translated.

Gradio 6 has an i18n mechanism (`gr.I18n`), but it picks the language from the browser's locale
among the languages Gradio ships, and Vietnamese is not one of them: a Vietnamese browser gets
the English strings ("Clear", "Copy message", "Drop CSV or TSV files here…"), and custom
translations of Gradio's own keys are overwritten by the bundled English ones. So every HTML
page the server sends (the app and the login page alike) is given `lang="vi"` and a small script
that translates Gradio's strings — text, `aria-label`, `title` and `placeholder` — as they
appear. Text inside rendered content (answers, passages) is never touched.
"""

from __future__ import annotations

import json
from typing import Any

# Gradio's English widget strings (gradio 6 `en` catalogue) -> what the officer reads.
VI_STRINGS: dict[str, str] = {
    # common
    "Loading": "Đang tải", "Loading...": "Đang tải…", "Error": "Lỗi", "Warning": "Chú ý", "Info": "Thông tin",
    "Clear": "Xoá", "Download": "Tải về", "Download All": "Tải tất cả", "Edit": "Sửa", "Empty": "Trống",
    "Remove": "Bỏ", "Submit": "Gửi", "Undo": "Hoàn tác", "Share": "Chia sẻ", "Settings": "Cài đặt",
    "Examples": "Ví dụ", "or": "hoặc", "- or -": "- hoặc -", "Stop": "Dừng", "Run": "Chạy",
    "Progress": "Tiến độ", "Close": "Đóng", "Language": "Ngôn ngữ",
    # chatbot
    "Retry": "Hỏi lại", "Cancel": "Huỷ", "Like": "Hữu ích", "Dislike": "Chưa đúng",
    "Copy message": "Sao chép câu trả lời", "Copied message": "Đã sao chép", "Copy": "Sao chép",
    "Copied": "Đã sao chép", "Copy conversation": "Sao chép cuộc trò chuyện", "Complete": "Xong",
    "chatbot conversation": "cuộc hỏi đáp", "Chatbot": "Hỏi đáp", "Type a message...": "Nhập câu hỏi…",
    "More tabs": "Các tab khác", "undo": "Hoàn tác", "retry": "Hỏi lại", "edit": "Sửa",
    # upload
    "Drop File Here": "Thả tệp vào đây", "Click to Upload": "Bấm để chọn tệp", "Drop CSV Here": "Thả tệp CSV vào đây",
    "Paste from Clipboard": "Dán từ bộ nhớ tạm", "Uploading...": "Đang tải lên…",
    "Drop Media Here": "Thả tệp vào đây", "Drop Image Here": "Thả ảnh vào đây",
    # dataframe
    "Drop CSV or TSV files here to import data into dataframe":
        "Thả tệp CSV hoặc TSV vào đây để nhập dữ liệu vào bảng",
    "Incorrect format, only CSV and TSV files are supported": "Sai định dạng: chỉ nhận tệp CSV hoặc TSV",
    "Add column": "Thêm cột", "New row": "Thêm dòng", "Add row above": "Thêm dòng phía trên",
    "Add row below": "Thêm dòng phía dưới", "Delete row": "Xoá dòng", "Delete column": "Xoá cột",
    "Add column to the left": "Thêm cột bên trái", "Add column to the right": "Thêm cột bên phải",
    "Sort column": "Sắp xếp cột", "Sort ascending": "Sắp xếp tăng dần", "Sort descending": "Sắp xếp giảm dần",
    "Clear sort": "Bỏ sắp xếp", "Filter": "Lọc", "Clear filters": "Bỏ lọc", "Search": "Tìm",
    "Copy table data": "Sao chép bảng", "Open cell menu": "Mở menu của ô", "Table actions": "Thao tác với bảng",
    "Fullscreen": "Toàn màn hình", "Exit fullscreen mode": "Thoát toàn màn hình", "Copy table": "Sao chép bảng",
    # login
    "Login": "Đăng nhập", "username": "Tên đăng nhập", "password": "Mật khẩu",
    "Incorrect Credentials": "Sai tên đăng nhập hoặc mật khẩu",
    # connection and queue
    "Connection errored out.": "Mất kết nối tới máy chủ.",
    "Lost connection due to leaving page. Rejoining queue...": "Mất kết nối khi rời trang; đang kết nối lại…",
    "Waiting for file(s) to finish uploading, please retry.": "Đang chờ tải tệp lên xong, hãy thử lại.",
    "Built with Gradio": "Làm bằng Gradio", "Use via API": "Dùng qua API",
    # accessibility labels and status announcements (read aloud, or shown on hover)
    "Click to upload or drop files": "Bấm để chọn tệp hoặc thả tệp vào đây", "File upload": "Tải tệp lên",
    "Static column": "Cột cố định", "Reset to default value": "Đặt lại giá trị mặc định",
    "common.complete": "Xong", "common.error": "Lỗi", "common.loading": "Đang tải",
    "common.progress": "Tiến độ", "common.clear": "Xoá",
}
# Strings with a number inside: (regular expression, replacement).
VI_PATTERNS: list[tuple[str, str]] = [
    (r"^bot's message: ([\s\S]*)$", "Trả lời: $1"),
    (r"^user's message: ([\s\S]*)$", "Câu hỏi: $1"),
    (r"^In queue: (\d+) of (\d+)$", "Đang chờ: $1/$2"),
    (r"^(\d+) ?/ ?(\d+) ?\| ?([\d.]+)s$", "$1/$2 | $3 giây"),
    (r"^processing \| ([\d.]+)s$", "đang xử lý | $1 giây"),
    (r"^([\d.]+)s$", "$1 giây"),
    (r"^number input for ([\s\S]*)$", "Ô nhập số: $1"),
    (r"^range slider for ([\s\S]*)$", "Thanh trượt: $1"),
    (r"^Invalid file types?: ([\s\S]*)\. Only ([\s\S]*) allowed\.$", "Không nhận tệp $1: ở đây chỉ nhận tệp $2."),
]

SCRIPT = """<script>(() => {
  const vi = %(strings)s;
  const patterns = %(patterns)s.map(([p, r]) => [new RegExp(p), r]);
  const ATTRS = ["aria-label", "title", "placeholder"];
  const SKIP = ".prose, .message-content, .passage, textarea, [contenteditable]";
  const tr = (s) => {
    const t = s.trim();
    if (!t) return null;
    if (vi[t] !== undefined) return s.replace(t, vi[t]);
    for (const [re, rep] of patterns) if (re.test(t)) return s.replace(t, t.replace(re, rep));
    return null;
  };
  const fixText = (n) => {
    const p = n.parentElement;
    if (!p || p.closest(SKIP)) return;
    const v = tr(n.nodeValue);
    if (v !== null && v !== n.nodeValue) n.nodeValue = v;
  };
  // a chat message's label is its content: read aloud as text, never as HTML source
  const plain = (s) => s.includes("<") ? s.replace(/<[^>]*>/g, " ").replace(/\\s+/g, " ").trim() : s;
  const fixEl = (el) => {
    for (const a of ATTRS) {
      const old = el.getAttribute(a);
      if (!old) continue;
      let v = tr(old) ?? old;
      if (a === "aria-label") v = plain(v);
      if (v !== old) el.setAttribute(a, v);
    }
  };
  const walk = (root) => {
    if (root.nodeType === 3) return fixText(root);
    if (root.nodeType !== 1) return;
    fixEl(root);
    root.querySelectorAll("[aria-label],[title],[placeholder]").forEach(fixEl);
    const w = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    for (let n = w.nextNode(); n; n = w.nextNode()) fixText(n);
  };
  const html = document.documentElement;
  const keepLang = () => { if (html.lang !== "vi") html.lang = "vi"; };
  new MutationObserver((ms) => {
    for (const m of ms) {
      if (m.type === "childList") m.addedNodes.forEach(walk);
      else if (m.type === "characterData") fixText(m.target);
      else if (m.target === html) keepLang();
      else fixEl(m.target);
    }
  }).observe(html, {childList: true, subtree: true, characterData: true, attributes: true,
                    attributeFilter: ["lang", ...ATTRS]});
  keepLang();
  document.addEventListener("DOMContentLoaded", () => walk(document.body));
})();</script>"""


def page_script() -> str:
    return SCRIPT % {"strings": json.dumps(VI_STRINGS, ensure_ascii=False),
                     "patterns": json.dumps(VI_PATTERNS, ensure_ascii=False)}


class VietnamesePages:
    """ASGI middleware: every HTML page is sent with `lang="vi"` and the translation script."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.script = page_script().encode("utf-8")

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or scope.get("method") != "GET":
            await self.app(scope, receive, send)
            return
        start: dict | None = None
        body: list[bytes] = []

        async def wrapped(message: dict) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                headers = dict(message.get("headers") or [])
                ctype = headers.get(b"content-type", b"")
                if ctype.startswith(b"text/html") and b"content-encoding" not in headers:
                    start = message  # hold it: the length changes
                    return
                await send(message)
                return
            if start is None or message["type"] != "http.response.body":
                await send(message)
                return
            body.append(message.get("body", b""))
            if message.get("more_body"):
                return
            page = self._rewrite(b"".join(body))
            headers = [(k, v) for k, v in start.get("headers", []) if k != b"content-length"]
            headers.append((b"content-length", str(len(page)).encode()))
            await send({**start, "headers": headers})
            await send({"type": "http.response.body", "body": page})

        await self.app(scope, receive, wrapped)

    def _rewrite(self, page: bytes) -> bytes:
        page = page.replace(b'lang="en"', b'lang="vi"', 1)
        return page.replace(b"</head>", self.script + b"</head>", 1)
