"""Tab "Kho tài liệu": the indexed documents; upload, delete, rebuild — with progress."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

import gradio as gr

from assistant.indexer import IngestReport, ingest
from assistant.indexstore import IndexStore
from assistant.loaders import SUPPORTED_SUFFIXES

from .common import esc
from .context import WebContext
from .library_ops import delete_documents
from .uploads import is_upload, save_uploads

log = logging.getLogger(__name__)

HEADERS = ["Mã tài liệu", "Xã", "Loại", "Năm", "Số đoạn", "Tiêu đề", "Nguồn"]
KIND_LABELS = {"report": "Báo cáo", "guidance": "Văn bản chỉ đạo", "other": "Khác"}


def document_rows(ctx: WebContext) -> tuple[list[list[Any]], dict[str, Any]]:
    """Rows for the table and the index statistics, read from the chunk store."""
    with ctx.reading():
        store = IndexStore.open(ctx.settings.index_dir)
        try:
            docs, stats = store.documents(), store.stats()
        finally:
            store.close()
    rows = []
    for d in docs:
        origin = "Tải lên" if is_upload(ctx.settings, d["path"]) else "Kho gốc"
        rows.append([d["doc_id"], d["commune"] or "—", KIND_LABELS.get(d["kind"] or "", d["kind"] or "—"),
                     d["year"] or "", d["n_chunks"], (d["title"] or "")[:120], origin])
    return rows, stats


def _summary(stats: dict[str, Any]) -> str:
    emb = stats.get("embedder") or "none"
    mode = "chỉ tìm theo từ khoá" if emb == "none" else f"tìm kết hợp từ khoá + vector ({emb})"
    return f"**{stats['documents']} tài liệu, {stats['chunks']} đoạn** trong chỉ mục — {mode}."


def _progress_cb(progress: Any, start: float, span: float) -> Callable[[str, int, int], None]:
    def cb(stage: str, done: int, total: int) -> None:
        progress(start + span * done / max(1, total), desc=f"Đang tạo vector ({done}/{total} đoạn)")

    return cb


def upload_message(names: dict[str, str], refused: list[tuple[str, str]], report: IngestReport | None) -> str:
    """What happened to each uploaded file, in plain Vietnamese (names = stored → uploaded)."""
    lines: list[str] = []
    if report is not None:
        for stored in report.added + report.updated:
            if stored in names:
                lines.append(f"✅ **{esc(names[stored])}**: đã thêm vào kho"
                             + (f" (lưu là `{esc(stored)}`)" if stored != names[stored] else "") + ".")
        for stored in report.unchanged:
            if stored in names:
                lines.append(f"ℹ️ **{esc(names[stored])}**: trùng nội dung với một tài liệu đã có; không thêm lại.")
        for stored, reason in report.failed:
            shown = names.get(stored, stored)
            lines.append(f"❌ **{esc(shown)}**: không đọc được — {esc(reason)}.")
    for shown, reason in refused:
        lines.append(f"❌ **{esc(shown)}**: không nhận — {esc(reason)}.")
    return "\n\n".join(lines) or "Chưa chọn tệp nào."


def build(ctx: WebContext) -> dict[str, Any]:
    rows, stats = document_rows(ctx)
    summary = gr.Markdown(_summary(stats))
    table = gr.Dataframe(value=rows, headers=HEADERS, interactive=False, wrap=True, max_height=360,
                         label="Tài liệu trong kho", column_widths=["16%", "10%", "11%", "6%", "7%", "40%", "10%"])
    with gr.Row(equal_height=False):
        with gr.Column(scale=3):
            gr.Markdown("### Thêm tài liệu")
            files = gr.File(label=f"Tệp {' '.join(SUPPORTED_SUFFIXES)} (tối đa {ctx.settings.max_file_mb:g} MB mỗi tệp)",
                            file_count="multiple", height=120)  # types are checked per file, in plain words
            commune = gr.Textbox(label="Tên xã (chỉ cần khi văn bản không ghi rõ)", placeholder="Ví dụ: Hòa Bình")
            add = gr.Button("Thêm vào kho", variant="primary")
        with gr.Column(scale=2):
            gr.Markdown("### Xoá hoặc xây dựng lại")
            chosen = gr.Dropdown([r[0] for r in rows], multiselect=True, label="Chọn tài liệu cần xoá")
            remove = gr.Button("Xoá tài liệu đã chọn", variant="stop")
            rebuild = gr.Button("Xây dựng lại toàn bộ chỉ mục")
            gr.Markdown("<span class='muted'>Xoá một tài liệu của kho gốc chỉ xoá khỏi chỉ mục; "
                        "lần xây dựng lại sau nó sẽ được thêm lại. Tài liệu tải lên bị xoá hẳn.</span>")
    result = gr.Markdown(elem_id="library-result")

    def refreshed(message: str) -> tuple:
        rows, stats = document_rows(ctx)
        return message, rows, _summary(stats), gr.Dropdown(choices=[r[0] for r in rows], value=[])

    def do_upload(paths: list[str] | None, commune_name: str, progress=gr.Progress()) -> tuple:  # noqa: B008
        if not paths:
            gr.Warning("Hãy chọn ít nhất một tệp.", title="Chú ý")
            return refreshed("Chưa chọn tệp nào.")
        progress(0.02, desc="Đang lưu tệp tải lên")
        current = {r[0] for r in document_rows(ctx)[0]}
        saved = save_uploads(ctx.settings, [Path(p) for p in paths], taken_names=current)
        names = {dest.name: shown for shown, dest in saved.saved}
        report = None
        if saved.saved:
            progress(0.1, desc="Đang đọc và chia đoạn văn bản")
            overrides = {"commune": " ".join(commune_name.split())} if commune_name and commune_name.strip() else None
            try:
                with ctx.maintenance():
                    report = ingest(ctx.settings, [dest for _, dest in saved.saved], overrides=overrides,
                                    include_corpus=False, progress=_progress_cb(progress, 0.15, 0.75))
                    progress(0.92, desc="Đang nạp lại chỉ mục")
            except Exception as exc:
                for _, dest in saved.saved:
                    dest.unlink(missing_ok=True)
                log.exception("upload failed")
                raise gr.Error(f"Không thêm được tài liệu: {exc}", title="Lỗi", print_exception=False) from exc
            keep = set(report.added + report.updated)
            for _, dest in saved.saved:  # a refused or duplicate file is not kept on disk
                if dest.name not in keep and dest.exists():
                    dest.unlink()
        log.info("upload: %s", report.to_json() if report else saved.refused)
        return refreshed(upload_message(names, saved.refused, report))

    def do_delete(doc_ids: list[str] | None, progress=gr.Progress()) -> tuple:  # noqa: B008
        if not doc_ids:
            gr.Warning("Hãy chọn tài liệu cần xoá.", title="Chú ý")
            return refreshed("Chưa chọn tài liệu nào để xoá.")
        progress(0.1, desc="Đang xoá khỏi chỉ mục")
        with ctx.maintenance():
            rep = delete_documents(ctx.settings, list(doc_ids))
            progress(0.8, desc="Đang nạp lại chỉ mục")
        lines = [f"🗑️ Đã xoá **{esc(d)}** khỏi chỉ mục." for d in rep.deleted]
        lines += [f"Tệp tải lên `{esc(f)}` đã bị xoá khỏi máy." for f in rep.files_removed]
        lines += [f"❌ Không có tài liệu **{esc(d)}** trong chỉ mục." for d in rep.missing]
        return refreshed("\n\n".join(lines))

    def do_rebuild(progress=gr.Progress()) -> tuple:  # noqa: B008
        progress(0.02, desc="Đang đọc lại toàn bộ tài liệu")
        with ctx.maintenance():
            report = ingest(ctx.settings, rebuild=True, progress=_progress_cb(progress, 0.1, 0.8))
            progress(0.92, desc="Đang nạp lại chỉ mục")
        msg = f"✅ Đã xây dựng lại chỉ mục: {report.chunks} đoạn từ {len(report.added)} tài liệu."
        msg += "".join(f"\n\n❌ **{esc(n)}**: không đọc được — {esc(r)}." for n, r in report.failed)
        return refreshed(msg)

    outputs = [result, table, summary, chosen]
    add.click(do_upload, [files, commune], outputs, api_name="tai_len", concurrency_id="library",
              concurrency_limit=1).then(lambda: None, None, files, api_visibility="private")
    remove.click(do_delete, chosen, outputs, api_name="xoa_tai_lieu", concurrency_id="library",
                 concurrency_limit=1,
                 js="(ids) => (ids && ids.length && confirm('Xoá ' + ids.length + ' tài liệu khỏi kho?')) ? ids : []")
    rebuild.click(do_rebuild, None, outputs, api_name="xay_dung_lai", concurrency_id="library",
                  concurrency_limit=1)
    return {"refresh": lambda: refreshed("")[1:], "outputs": [table, summary, chosen]}
