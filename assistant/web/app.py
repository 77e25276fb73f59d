"""The Gradio app: four tabs over one `WebContext` (Hỏi đáp, Soạn thảo, So sánh, Kho tài liệu).

    from assistant.web.app import build_app, launch
    demo = build_app(settings)
    launch(demo, settings, host="127.0.0.1", port=7860)

`?tab=qa|draft|compare|library` in the URL opens that tab.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Callable
from typing import Any

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")  # offline: no usage reports

import gradio as gr  # noqa: E402 - after the analytics switch

from assistant.settings import Settings  # noqa: E402
from assistant.web.common import ALL_COMMUNES, Downloads, esc  # noqa: E402
from assistant.web.context import WebContext  # noqa: E402

log = logging.getLogger(__name__)

TITLE = "Trợ lý báo cáo chuyển đổi số"
TABS = {"qa": "Hỏi đáp", "draft": "Soạn thảo", "compare": "So sánh", "library": "Kho tài liệu"}
CONCURRENCY = 4  # requests served at once per event; library changes run one at a time

CSS = """
.gradio-container {max-width: 1320px !important}
#app-title h1 {margin-bottom: 0}
.muted {color: var(--body-text-color-subdued); font-size: 0.92em}
.warn {background: #fff4e5; color: #7a4a00; border-left: 3px solid #f0a030; padding: 4px 8px; margin: 6px 0}
.ok {background: #eaf6ec; color: #1d5e2a; border-left: 3px solid #3c9a50; padding: 4px 8px; margin: 6px 0}
mark {background: #ffe066; color: inherit; padding: 0 2px; border-radius: 2px}
mark.unsupported {background: #ffd0d0; color: #9b1111; font-weight: 600}
details.cite {border: 1px solid var(--border-color-primary); border-radius: 6px; padding: 4px 8px; margin: 4px 0}
details.cite summary {cursor: pointer; font-weight: 600; font-size: 0.95em}
.cite-meta {font-size: 0.9em; margin: 4px 0}
.passage {font-size: 0.93em; border-left: 3px solid #9bb7d4; padding-left: 8px; margin: 4px 0}
.passage u {text-decoration-color: #2f6fb0; text-decoration-thickness: 2px}
.cmp-row {display: grid; grid-template-columns: 1fr 1.4fr; gap: 12px; border-bottom: 1px solid var(--border-color-primary); padding: 8px 0}
.peers {display: flex; flex-direction: column; gap: 6px}
.peer {background: var(--background-fill-secondary); border-radius: 6px; padding: 6px 8px}
.own {background: var(--background-fill-secondary); border-radius: 6px; padding: 6px 8px}
.peer-head {font-weight: 600; font-size: 0.9em; margin-bottom: 2px}
.own-only {background: #fff1b8; border-radius: 2px}
.peer-only {background: #d3f0da; border-radius: 2px}
.table-wrap td, .table-wrap th, .table-wrap .cell-wrap, .table-wrap textarea, .table-wrap input {font-family: var(--font) !important}
details.cite summary .sec {font-weight: 400; color: var(--body-text-color-subdued)}
.check {margin: 2px 0 6px 0}
.draft-preview {font-size: 0.93em; border: 1px dashed var(--border-color-primary); padding: 6px 10px; max-height: 260px; overflow: auto}
"""


# Gradio ships no Vietnamese translation of its own widgets; these are the strings our tabs show.
VI_STRINGS = {
    "Drop File Here": "Thả tệp vào đây", "- or -": "- hoặc -", "Click to Upload": "Bấm để chọn tệp",
    "Drop CSV Here": "Thả tệp CSV vào đây", "Paste from Clipboard": "Dán từ bộ nhớ tạm",
    "Loading...": "Đang tải…", "Error": "Lỗi", "Warning": "Chú ý", "Examples": "Ví dụ",
    "Connection errored out.": "Mất kết nối tới máy chủ.", "Clear": "Xoá", "Download": "Tải về",
}
JS = """() => {
  const vi = %s;
  const fix = (root) => {
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const t = n.nodeValue.trim();
      if (t && vi[t] !== undefined) n.nodeValue = n.nodeValue.replace(t, vi[t]);
    }
  };
  fix(document.body);
  new MutationObserver((ms) => ms.forEach((m) => m.addedNodes.forEach((n) =>
      n.nodeType === 3 ? fix(n.parentNode || document.body) : n.nodeType === 1 && fix(n)))
  ).observe(document.body, {childList: true, subtree: true, characterData: false});
}"""


def _tab_or_notice(name: str, build: Callable[[], Any]) -> Any:
    """Build a tab; if its engine is missing or broken, show a plain notice instead of failing."""
    try:
        return build()
    except ImportError as exc:
        log.warning("tab %s unavailable: %s", name, exc)
        gr.Markdown(f"⚠️ Chức năng «{esc(TABS[name])}» chưa sẵn sàng trong bản cài đặt này "
                    f"(thiếu mô-đun: {esc(exc.name or exc)}).")
    return None


def build_app(settings: Settings, *, ctx: WebContext | None = None,
              accounts: dict[str, str] | None = None) -> gr.Blocks:
    """The whole web app over `settings` (the index is built first if there is none).

    `accounts` (user -> commune, from the auth file) turns on per-commune drafts: each request
    then reads the index as its logged-in user may (see `assistant.access`).
    """
    ctx = ctx or WebContext.from_settings(settings, accounts=accounts)
    downloads = Downloads()
    refreshers: list[tuple[Callable[..., Any], list, list]] = []
    with gr.Blocks(title=TITLE, analytics_enabled=False, fill_width=False) as demo:
        gr.Markdown(f"# {TITLE}\nTra cứu, hỏi đáp, soạn thảo và so sánh báo cáo chuyển đổi số cấp xã — "
                    "chạy hoàn toàn trên máy này, không cần Internet.", elem_id="app-title")
        health = _health(settings)  # the index's self-check at start-up: a notice when it needs mending
        if not health.ok:
            gr.Markdown(f"⚠️ {esc(health.notice())}", elem_classes=["warn"], elem_id="health-notice")
        with gr.Tabs(selected="qa") as tabs:
            with gr.Tab(TABS["qa"], id="qa"):
                from assistant.web import tab_qa

                qa = tab_qa.build(ctx, downloads)
                refreshers.append((lambda cur, viewer: tab_qa.refresh_communes(ctx, cur, viewer),
                                   [qa["commune"]], [qa["commune"]]))
            with gr.Tab(TABS["draft"], id="draft"):
                _tab_or_notice("draft", lambda: _import_tab("tab_draft").build(ctx, downloads))
            with gr.Tab(TABS["compare"], id="compare"):
                cmp = _tab_or_notice("compare", lambda: _import_tab("tab_compare").build(ctx))
                if cmp:
                    refreshers.append((cmp["refresh"], cmp["inputs"], cmp["outputs"]))
            with gr.Tab(TABS["library"], id="library"):
                from assistant.web import tab_library

                lib = tab_library.build(ctx)
                refreshers.append((lib["refresh"], [], lib["outputs"]))

        def pick_tab(request: gr.Request) -> Any:
            wanted = (request.query_params.get("tab") if request else None) or "qa"
            return gr.Tabs(selected=wanted if wanted in TABS else "qa")

        demo.load(pick_tab, None, tabs, api_visibility="private", queue=False)
        for fn, inputs, outputs in refreshers:  # communes and documents may have changed since start
            run = _as_viewer(ctx, fn, len(inputs))
            demo.load(run, inputs, outputs, api_visibility="private", show_progress="hidden")
            tabs.change(run, inputs, outputs, api_visibility="private", show_progress="hidden")
    demo.queue(default_concurrency_limit=CONCURRENCY)
    demo.assistant_context = ctx  # type: ignore[attr-defined] - closed by `launch`'s caller
    demo.index_health = health  # type: ignore[attr-defined] - logged by `assistant serve`
    return demo


def _as_viewer(ctx: WebContext, fn: Callable[..., Any], n_inputs: int) -> Callable[..., Any]:
    """An event handler calling `fn(*inputs, viewer)` with the logged-in user of the request."""
    if n_inputs == 0:
        def run0(request: gr.Request) -> Any:
            return fn(ctx.viewer(request))

        return run0
    if n_inputs == 1:
        def run1(value: Any, request: gr.Request) -> Any:
            return fn(value, ctx.viewer(request))

        return run1
    if n_inputs == 3:
        def run3(a: Any, b: Any, c: Any, request: gr.Request) -> Any:
            return fn(a, b, c, ctx.viewer(request))

        return run3
    raise ValueError(f"refreshers take 0, 1 or 3 inputs, not {n_inputs}")


def _theme() -> gr.themes.Base:
    """A calm theme with system fonts only (the default ones are fetched from the Internet)."""
    system = ["system-ui", "Segoe UI", "Roboto", "Noto Sans", "Arial", "sans-serif"]
    mono = ["Noto Sans Mono", "DejaVu Sans Mono", "Consolas", "monospace"]
    return gr.themes.Soft(font=system, font_mono=mono)


def _import_tab(name: str) -> Any:
    import importlib

    return importlib.import_module(f"{__package__}.{name}")


def launch(demo: gr.Blocks, settings: Settings, *, host: str = "127.0.0.1", port: int = 7860,
           auth: Callable[[str, str], bool] | None = None, block: bool = True, quiet: bool = False) -> str:
    """Serve the app; returns its local URL (with `block=False` the server runs in a thread)."""
    _, url, _ = demo.launch(
        server_name=host, server_port=port, auth=auth, auth_message="Đăng nhập để dùng trợ lý" if auth else None,
        max_file_size=int(settings.max_file_mb * 1024 * 1024), css=CSS, theme=_theme(),
        js=JS % json.dumps(VI_STRINGS, ensure_ascii=False),
        footer_links=[], share=False, inbrowser=False, prevent_thread_lock=not block, quiet=quiet,
        show_error=True, ssr_mode=False, enable_monitoring=False, mcp_server=False, pwa=False,
        allowed_paths=[], app_kwargs=_login_options() if auth else None,
    )
    return url


def _health(settings: Settings) -> Any:
    """`index.health.check`, logged when something needs mending (never fails the start)."""
    from assistant.index.health import Health, check

    try:
        health = check(settings)
    except Exception:  # noqa: BLE001 - a self-check must not stop the app
        log.exception("the index self-check failed")
        return Health()
    if not health.ok:
        log.warning("%s", health.notice())
    return health


def _login_options() -> dict:
    """Server options the login check needs (it sees each login's connecting address)."""
    from assistant.web.auth import server_options

    return server_options()


__all__ = ["ALL_COMMUNES", "CSS", "TABS", "TITLE", "build_app", "launch"]
