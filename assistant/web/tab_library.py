"""Tab "Kho tài liệu": the indexed documents; upload, delete, rebuild — with progress."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

import gradio as gr

from assistant.app import progress_label
from assistant.index.access import Viewer
from assistant.index.library import delete_documents, list_documents, set_published
from assistant.index.store import IndexCorrupt, IndexMismatch, IndexMissing
from assistant.index.uploads import UploadResult, is_upload, upload_documents
from assistant.ingest.jobs import IngestJob, JobBoard
from assistant.ingest.loaders import SUPPORTED_SUFFIXES
from assistant.ingest.pipeline import IngestReport, ingest
from assistant.web import served_files
from assistant.web.common import esc
from assistant.web.context import WebContext

log = logging.getLogger(__name__)

HEADERS = ["Mã tài liệu", "Xã", "Loại", "Năm", "Số đoạn", "Tiêu đề", "Nguồn", "Phạm vi"]
UPLOADS_AT_ONCE = 4  # uploads read and embedded at the same time (each within the per-file limits)
KIND_LABELS = {"report": "Báo cáo", "guidance": "Văn bản chỉ đạo", "other": "Khác"}


def _documents(ctx: WebContext, viewer: Viewer) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """The documents `viewer` may read, and the index statistics over those."""
    with ctx.reading():
        shown, stats = list_documents(ctx.settings, viewer)
    if len(shown) != stats["documents"]:
        stats = {**stats, "documents": len(shown), "chunks": sum(d["n_chunks"] for d in shown)}
    return shown, stats


def _scope(d: dict[str, Any]) -> str:
    if d.get("published", 1):
        return "Dùng chung"
    return f"Bản nháp ({d['owner']})" if d.get("owner") else "Bản nháp"


def document_rows(ctx: WebContext, viewer: Viewer | None = None) -> tuple[list[list[Any]], dict[str, Any]]:
    """Rows for the table (documents `viewer` may read) and the index statistics."""
    docs, stats = _documents(ctx, viewer or Viewer.local())
    rows = []
    for d in docs:
        origin = "Tải lên" if is_upload(ctx.settings, d["path"]) else "Kho gốc"
        rows.append([d["doc_id"], d["commune"] or "—", KIND_LABELS.get(d["kind"] or "", d["kind"] or "—"),
                     d["year"] or "", d["n_chunks"], (d["title"] or "")[:120], origin, _scope(d)])
    return rows, stats


def changeable(ctx: WebContext, viewer: Viewer) -> list[str]:
    """Ids of the documents `viewer` may delete or (un)publish."""
    return [d["doc_id"] for d in _documents(ctx, viewer)[0] if viewer.can_change(d)]


def _summary(stats: dict[str, Any]) -> str:
    emb = stats.get("embedder") or "none"
    mode = "chỉ tìm theo từ khoá" if emb == "none" else f"tìm kết hợp từ khoá + vector ({emb})"
    return f"**{stats['documents']} tài liệu, {stats['chunks']} đoạn** trong chỉ mục — {mode}."


def _progress_cb(progress: Any, start: float, span: float) -> Callable[[str, int, int], None]:
    def cb(stage: str, done: int, total: int) -> None:
        label, unit = progress_label(stage)  # OCR pages of a scan, then the passages' vectors
        progress(start + span * done / max(1, total), desc=f"{label} ({done}/{total} {unit})")

    return cb


def upload_message(names: dict[str, str], refused: list[tuple[str, str]], report: IngestReport | None) -> str:
    """What happened to each uploaded file, in plain Vietnamese (names = stored → uploaded)."""
    lines: list[str] = []
    if report is not None:
        for stored in report.added + report.updated:
            if stored in names:
                lines.append(f"✅ **{esc(names[stored])}**: đã thêm vào kho"
                             + (f" (lưu là `{esc(stored)}`)" if stored != names[stored] else "") + ".")
        dups = {d.file: d for d in report.duplicates}
        for stored in dict.fromkeys([*report.unchanged, *dups]):
            if stored in names:
                why = dups[stored].reason() if stored in dups else "trùng nội dung với một tài liệu đã có; không thêm lại"
                lines.append(f"ℹ️ **{esc(names[stored])}**: {esc(why)}.")
        for stored, reason in report.failed:
            shown = names.get(stored, stored)
            lines.append(f"❌ **{esc(shown)}**: không đọc được — {esc(reason)}.")
    for shown, reason in refused:
        lines.append(f"❌ **{esc(shown)}**: không nhận — {esc(reason)}.")
    return "\n\n".join(lines) or "Chưa chọn tệp nào."


def _upload_progress(progress: Any) -> Callable[[str, int, int], None]:
    """The upload job's progress as the page's progress bar (reading, OCR of a scan's pages, then
    embedding)."""
    def cb(stage: str, done: int, total: int) -> None:
        if stage.startswith("ocr:"):
            label, unit = progress_label(stage)
            progress(0.05 + 0.2 * done / max(1, total), desc=f"{label} ({done}/{total} {unit})")
        elif stage == "read":
            progress(0.05 + 0.2 * done / max(1, total), desc=f"Đang đọc và chia đoạn ({done}/{total} tệp)")
        elif stage == "embed":
            progress(0.25 + 0.65 * done / max(1, total), desc=f"Đang tạo vector ({done}/{total} đoạn)")
        elif stage == "restore":
            progress(0.9, desc=f"Đang khôi phục vector còn thiếu ({done}/{total} đoạn)")

    return cb


def _upload_result_message(result: UploadResult) -> str:
    if result.cancelled:
        names = ", ".join(f"**{esc(n)}**" for n in result.names.values())
        return f"⏹️ Đã huỷ tải lên {names}; không có gì được thêm vào kho."
    message = upload_message(result.names, result.saved.refused, result.report)
    message += "".join(f"\n\nℹ️ {esc(n)}" for n in result.notes)
    report = result.report
    if report is not None and report.added and not result.facts.get("published", True):
        message += "\n\n🔒 Tài liệu mới là **bản nháp** của xã bạn; bấm «Công bố» khi muốn chia sẻ với các xã khác."
    return message


def build(ctx: WebContext) -> dict[str, Any]:
    public = ctx.viewer(None)  # what the page shows before it knows who is logged in
    rows, stats = document_rows(ctx, public)
    summary = gr.Markdown(_summary(stats))
    table = gr.Dataframe(value=rows, headers=HEADERS, interactive=False, wrap=True, max_height=360,
                         label="Tài liệu trong kho",
                         column_widths=["15%", "9%", "10%", "6%", "6%", "34%", "9%", "11%"])
    with gr.Row(equal_height=False):
        with gr.Column(scale=3):
            gr.Markdown("### Thêm tài liệu")
            files = gr.File(label=f"Tệp {' '.join(SUPPORTED_SUFFIXES)} (tối đa {ctx.settings.max_file_mb:g} MB mỗi tệp)",
                            file_count="multiple", height=120)  # types are checked per file, in plain words
            commune = gr.Textbox(label="Tên xã (chỉ cần khi văn bản không ghi rõ)", placeholder="Ví dụ: Hòa Bình")
            publish_now = gr.Checkbox(
                value=not ctx.has_logins, visible=ctx.has_logins, label="Công bố ngay cho mọi xã",
                info="Bỏ chọn: tài liệu là bản nháp, chỉ tài khoản của xã bạn xem và dùng được.")
            with gr.Row():
                add = gr.Button("Thêm vào kho", variant="primary", scale=3)
                cancel_upload = gr.Button("Huỷ", variant="secondary", scale=1, min_width=80)
        with gr.Column(scale=2):
            gr.Markdown("### Công bố, xoá hoặc xây dựng lại")
            chosen = gr.Dropdown(changeable(ctx, public), multiselect=True, label="Chọn tài liệu")
            with gr.Row():
                publish = gr.Button("Công bố", visible=ctx.has_logins)
                unpublish = gr.Button("Chuyển về bản nháp", visible=ctx.has_logins)
                remove = gr.Button("Xoá tài liệu đã chọn", variant="stop")
            rebuild = gr.Button("Xây dựng lại toàn bộ chỉ mục")
            gr.Markdown("<span class='muted'>Xoá một tài liệu của kho gốc chỉ xoá khỏi chỉ mục; "
                        "lần xây dựng lại sau nó sẽ được thêm lại. Tài liệu tải lên bị xoá hẳn."
                        + (" Mỗi xã chỉ công bố hoặc xoá được tài liệu do xã mình tải lên." if ctx.has_logins else "")
                        + "</span>")
    result = gr.Markdown(elem_id="library-result")

    def refreshed(message: str, viewer: Viewer) -> tuple:
        rows, stats = document_rows(ctx, viewer)
        return message, rows, _summary(stats), gr.Dropdown(choices=changeable(ctx, viewer), value=[])

    uploads = JobBoard()  # the upload each browser session is running, for its «Huỷ» button

    def do_upload(paths: list[str] | None, commune_name: str, share: bool, request: gr.Request,
                  progress=gr.Progress()) -> tuple:  # noqa: B008
        """Store and index the files as one job of this session: reading and embedding run while
        others keep using the library; only the commit at the end is exclusive."""
        viewer = ctx.viewer(request)
        if not paths:
            gr.Warning("Hãy chọn ít nhất một tệp.", title="Chú ý")
            return refreshed("Chưa chọn tệp nào.", viewer)
        if ctx.has_logins and not viewer.group:
            served_files.forget_uploaded(paths)
            raise gr.Error("Hãy đăng nhập để tải tài liệu lên.", title="Lỗi", print_exception=False)
        key = getattr(request, "session_hash", None) or "local"
        job = IngestJob(ctx.settings, [], viewer=viewer)
        uploads.start(key, job)
        progress(0.02, desc="Đang lưu tệp tải lên")
        try:
            current = {d["doc_id"] for d in _documents(ctx, Viewer.local())[0]}  # every id, drafts included
            result = upload_documents(ctx.settings, [Path(p) for p in paths], viewer, commune=commune_name,
                                      publish=bool(share), logins=ctx.has_logins, taken_names=current,
                                      job=job, progress=_upload_progress(progress))
        except Exception as exc:
            log.exception("upload failed")
            plain = isinstance(exc, IndexCorrupt | IndexMismatch | IndexMissing) or ctx.settings.debug
            why = str(exc) if plain else "lỗi không mong đợi; chi tiết nằm trong nhật ký máy chủ"
            raise gr.Error(f"Không thêm được tài liệu: {esc(why)}", title="Lỗi", print_exception=False) from exc
        finally:
            uploads.finish(key, job)
            served_files.forget_uploaded(paths)  # the server's own copies: the library keeps the file
        if result.report is not None and (result.report.added or result.report.updated):
            progress(0.95, desc="Đang nạp lại chỉ mục")
            ctx.reload_if_changed()
        return refreshed(_upload_result_message(result), viewer)

    def do_cancel_upload(request: gr.Request) -> str:
        key = getattr(request, "session_hash", None) or "local"
        if uploads.cancel(key):
            return "⏹️ Đang huỷ tải lên… (phần đã đọc sẽ bị bỏ, không có gì được thêm vào kho)"
        return "Không có tải lên nào đang chạy."

    def do_publish(doc_ids: list[str] | None, share: bool, request: gr.Request) -> tuple:
        viewer = ctx.viewer(request)
        if not doc_ids:
            gr.Warning("Hãy chọn tài liệu.", title="Chú ý")
            return refreshed("Chưa chọn tài liệu nào.", viewer)
        with ctx.maintenance():
            rep = set_published(ctx.settings, list(doc_ids), share, viewer)
        verb = "Đã công bố" if share else "Đã chuyển về bản nháp"
        lines = [f"✅ {verb} **{esc(d)}**." for d in rep.changed]
        lines += [f"❌ **{esc(d)}**: {esc(why)}." for d, why in rep.refused]
        return refreshed("\n\n".join(lines), viewer)

    def do_delete(doc_ids: list[str] | None, request: gr.Request, progress=gr.Progress()) -> tuple:  # noqa: B008
        viewer = ctx.viewer(request)
        if not doc_ids:
            gr.Warning("Hãy chọn tài liệu cần xoá.", title="Chú ý")
            return refreshed("Chưa chọn tài liệu nào để xoá.", viewer)
        progress(0.1, desc="Đang xoá khỏi chỉ mục")
        with ctx.maintenance():
            rep = delete_documents(ctx.settings, list(doc_ids), viewer,
                                   before_removing=served_files.forget_content_of)
            progress(0.8, desc="Đang nạp lại chỉ mục")
        lines = [f"🗑️ Đã xoá **{esc(d)}** khỏi chỉ mục." for d in rep.deleted]
        lines += [f"Tệp tải lên `{esc(f)}` đã bị xoá khỏi máy." for f in rep.files_removed]
        lines += [f"❌ **{esc(d)}**: chỉ xã đã tải lên (hoặc cán bộ tỉnh) mới được xoá." for d in rep.refused]
        lines += [f"❌ Không có tài liệu **{esc(d)}** trong chỉ mục." for d in rep.missing]
        return refreshed("\n\n".join(lines), viewer)

    def do_rebuild(request: gr.Request, progress=gr.Progress()) -> tuple:  # noqa: B008
        viewer = ctx.viewer(request)
        if not viewer.sees_all:
            raise gr.Error("Chỉ cán bộ tỉnh (tài khoản có xã «*») mới được xây dựng lại toàn bộ chỉ mục.",
                           title="Không có quyền", print_exception=False)
        progress(0.02, desc="Đang đọc lại toàn bộ tài liệu")
        with ctx.maintenance():
            report = ingest(ctx.settings, rebuild=True, progress=_progress_cb(progress, 0.1, 0.8))
            progress(0.92, desc="Đang nạp lại chỉ mục")
        msg = f"✅ Đã xây dựng lại chỉ mục: {report.chunks} đoạn từ {len(report.added)} tài liệu."
        msg += "".join(f"\n\n❌ **{esc(n)}**: không đọc được — {esc(r)}." for n, r in report.failed)
        return refreshed(msg, viewer)

    outputs = [result, table, summary, chosen]
    # Uploads have their own queue, several at once: a long one never holds the library's queue
    # (publish, delete, rebuild) nor other uploads; only each upload's commit takes the write lock.
    add.click(do_upload, [files, commune, publish_now], outputs, api_name="tai_len", concurrency_id="upload",
              concurrency_limit=UPLOADS_AT_ONCE).then(lambda: None, None, files, api_visibility="private")
    cancel_upload.click(do_cancel_upload, None, result, api_name="huy_tai_len", queue=False)
    def do_share(doc_ids: list[str] | None, request: gr.Request) -> tuple:
        return do_publish(doc_ids, True, request)

    def do_unshare(doc_ids: list[str] | None, request: gr.Request) -> tuple:
        return do_publish(doc_ids, False, request)

    publish.click(do_share, chosen, outputs, api_name="cong_bo", concurrency_id="library", concurrency_limit=1)
    unpublish.click(do_unshare, chosen, outputs, api_name="chuyen_ban_nhap", concurrency_id="library",
                    concurrency_limit=1)
    remove.click(do_delete, chosen, outputs, api_name="xoa_tai_lieu", concurrency_id="library",
                 concurrency_limit=1,
                 js="(ids) => (ids && ids.length && confirm('Xoá ' + ids.length + ' tài liệu khỏi kho?')) ? ids : []")
    rebuild.click(do_rebuild, None, outputs, api_name="xay_dung_lai", concurrency_id="library",
                  concurrency_limit=1)
    return {"refresh": lambda viewer: refreshed("", viewer)[1:], "outputs": [table, summary, chosen]}

