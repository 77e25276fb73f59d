"""The Gradio app: four tabs over one `WebContext` (Hỏi đáp, Soạn thảo, So sánh, Kho tài liệu).

    from assistant.web.app import build_app, launch
    demo = build_app(settings)
    launch(demo, settings, host="127.0.0.1", port=7860)

`?tab=qa|draft|compare|library` in the URL opens that tab.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from typing import Any

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")  # offline: no usage reports

import gradio as gr  # noqa: E402 - after the analytics switch
from starlette.middleware import Middleware  # noqa: E402

from assistant.settings import Settings  # noqa: E402
from assistant.web.common import ALL_COMMUNES, Downloads, esc  # noqa: E402
from assistant.web.context import BuildStatus, WebContext  # noqa: E402
from assistant.web.style import CSS  # noqa: E402
from assistant.web.vietnamese import VietnamesePages  # noqa: E402

log = logging.getLogger(__name__)

TITLE = "Trợ lý báo cáo chuyển đổi số"
TABS = {"qa": "Hỏi đáp", "draft": "Soạn thảo", "compare": "So sánh", "library": "Kho tài liệu"}
CONCURRENCY = 4  # requests served at once per event; library changes run one at a time




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
    """The whole web app over `settings`. Without an index the page is served at once and the
    index is built in the background; the page shows how far it got and fills in when done.

    `accounts` (user -> commune, from the auth file) turns on per-commune drafts: each request
    then reads the index as its logged-in user may (see `assistant.access`).
    """
    ctx = ctx or WebContext.from_settings(settings, accounts=accounts)
    downloads = Downloads()
    refreshers: list[tuple[Callable[..., Any], list, list]] = []
    with gr.Blocks(title=TITLE, analytics_enabled=False, fill_width=False) as demo:
        gr.Markdown(f"# {TITLE}\n<span class='subtitle'>Tra cứu, hỏi đáp, soạn thảo và so sánh báo cáo "
                    "chuyển đổi số cấp xã — chạy hoàn toàn trên máy này, không cần Internet.</span>",
                    elem_id="app-title")
        health = _health(settings)  # the index's self-check at start-up: a notice when it needs mending
        if not health.ok:
            gr.Markdown(f"⚠️ {esc(health.notice())}", elem_classes=["warn"], elem_id="health-notice")
        status = gr.HTML(status_html(ctx.status, ctx.ready), elem_id="index-status")
        timer = gr.Timer(1.0, active=ctx.status.busy)
        with gr.Tabs(selected="qa", overflow_behavior="wrap", elem_id="main-tabs") as tabs:
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

        def show_status() -> tuple:
            st = ctx.status
            return status_html(st, ctx.ready), gr.Timer(active=st.busy)

        demo.load(pick_tab, None, tabs, api_visibility="private", queue=False)
        demo.load(qa["restore"], qa["kept"], qa["chat"], api_visibility="private", queue=False).then(
            None, js=qa["scroll_js"])  # the conversation kept in this browser, after a reload too
        demo.load(show_status, None, [status, timer], api_visibility="private", queue=False)
        # while the first index is built the banner follows its progress; the tick that finds it
        # ready also fills in the tabs (communes, documents, the indicator table), then stops
        ticked = timer.tick(show_status, None, [status, timer], api_visibility="private", queue=False,
                            show_progress="hidden")
        for fn, inputs, outputs in refreshers:  # communes and documents may have changed since start
            run = _as_viewer(ctx, fn, len(inputs), len(outputs))
            demo.load(run, inputs, outputs, api_visibility="private", show_progress="hidden")
            tabs.change(run, inputs, outputs, api_visibility="private", show_progress="hidden")
            ticked.then(run, inputs, outputs, api_visibility="private", show_progress="hidden")
    demo.queue(default_concurrency_limit=CONCURRENCY)
    demo.assistant_context = ctx  # type: ignore[attr-defined] - closed by `launch`'s caller
    demo.index_health = health  # type: ignore[attr-defined] - logged by `assistant serve`
    return demo


def status_html(status: BuildStatus, ready: bool) -> str:
    """The banner above the tabs: the index being built (with progress), or a marker when ready."""
    text = status.message()
    marker = "<span id='app-ready' hidden></span>" if ready else ""
    if not text:
        return marker
    cls = "warn" if status.phase == "failed" else "building"
    pct = ""
    if status.total:
        pct = (f"<progress max='{status.total}' value='{status.done}' "
               f"aria-label='Tiến độ xây dựng chỉ mục'></progress>")
    return f"<div class='{cls}' role='status'>⏳ {esc(text)} {pct}</div>{marker}"


def _as_viewer(ctx: WebContext, fn: Callable[..., Any], n_inputs: int, n_outputs: int) -> Callable[..., Any]:
    """An event handler calling `fn(*inputs, viewer)` with the logged-in user of the request;
    it changes nothing until the index is ready."""

    def later() -> Any:
        return gr.skip() if n_outputs == 1 else tuple(gr.skip() for _ in range(n_outputs))

    if n_inputs == 0:
        def run0(request: gr.Request) -> Any:
            return fn(ctx.viewer(request)) if ctx.ready else later()

        return run0
    if n_inputs == 1:
        def run1(value: Any, request: gr.Request) -> Any:
            return fn(value, ctx.viewer(request)) if ctx.ready else later()

        return run1
    if n_inputs == 3:
        def run3(a: Any, b: Any, c: Any, request: gr.Request) -> Any:
            return fn(a, b, c, ctx.viewer(request)) if ctx.ready else later()

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
        footer_links=[], share=False, inbrowser=False, prevent_thread_lock=not block, quiet=quiet,
        show_error=True, ssr_mode=False, enable_monitoring=False, mcp_server=False, pwa=False,
        allowed_paths=[], app_kwargs=_server_options(bool(auth)),
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


def _server_options(auth: bool) -> dict:
    """Middleware of the served app: Vietnamese pages, and with logins what the login check needs
    (it sees each login's connecting address)."""
    middleware = [Middleware(VietnamesePages)]
    if auth:
        from assistant.web.auth import server_options

        middleware += server_options()["middleware"]
    return {"middleware": middleware}


__all__ = ["ALL_COMMUNES", "CSS", "TABS", "TITLE", "build_app", "launch", "status_html"]
