"""Tab "Kho tài liệu": the indexed documents; upload, delete, rebuild — with progress."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

import gradio as gr

from assistant.app import progress_label
from assistant.index.access import PROVINCE, Viewer
from assistant.index.library import delete_documents, list_documents, set_published
from assistant.index.store import IndexCorrupt, IndexMismatch, IndexMissing
from assistant.index.uploads import UploadResult, is_upload, upload_documents
from assistant.ingest.jobs import IngestJob, JobBoard
from assistant.ingest.loaders import SUPPORTED_SUFFIXES
from assistant.ingest.pipeline import IngestReport
from assistant.text.normalize import fold
from assistant.web import served_files
from assistant.web.common import esc
from assistant.web.context import RebuildRunning, WebContext

log = logging.getLogger(__name__)

HEADERS = ["Tài liệu", "Xã", "Loại", "Năm", "Số đoạn", "Phạm vi", "Tệp"]
UPLOADS_AT_ONCE = 4  # uploads read and embedded at the same time (each within the per-file limits)
KIND_LABELS = {"report": "Báo cáo", "guidance": "Văn bản chỉ đạo", "other": "Khác"}


def _documents(ctx: WebContext, viewer: Viewer) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """The documents `viewer` may read, and the index statistics over those."""
    if not ctx.ready:
        return [], {"documents": 0, "chunks": 0, "embedder": None}
    with ctx.reading():
        shown, stats = list_documents(ctx.settings, viewer)
    if len(shown) != stats["documents"]:
        stats = {**stats, "documents": len(shown), "chunks": sum(d["n_chunks"] for d in shown)}
    return shown, stats


def _scope(d: dict[str, Any]) -> str:
    if d.get("published", 1):
        return "Dùng chung"
    owner = "cán bộ tỉnh" if d.get("owner") == PROVINCE else d.get("owner")
    return f"Bản nháp ({owner})" if owner else "Bản nháp"


def doc_title(d: dict[str, Any]) -> str:
    """What a document is called on the page: its title, else its file name without the extension."""
    title = " ".join((d.get("title") or "").split())
    return title or Path(d.get("source") or d["doc_id"]).stem.replace("_", " ")


def doc_label(d: dict[str, Any], width: int = 80) -> str:
    """"Báo cáo … — xã Tân An (003_7619….txt)": title and commune first, the file as detail."""
    title = doc_title(d)
    if len(title) > width:
        title = title[: width - 1].rstrip() + "…"
    where = f" — xã {d['commune']}" if d.get("commune") else ""
    return f"{title}{where} ({d.get('source') or d['doc_id']})"


def document_rows(ctx: WebContext, viewer: Viewer | None = None) -> tuple[list[list[Any]], dict[str, Any]]:
    """Rows for the table (documents `viewer` may read) and the index statistics.

    Each document is listed once, by title and commune: files that hold the same document
    (a report indexed from both its .docx and its .pdf) share one row, their names as detail.
    Uploads come first, the newest on top; then the bundled corpus."""
    docs, stats = _documents(ctx, viewer or Viewer.local())
    docs = sorted(docs, key=lambda d: (not is_upload(ctx.settings, d["path"]), -(d.get("added") or 0)))
    rows: dict[tuple, list[Any]] = {}
    for d in docs:
        origin = "tải lên" if is_upload(ctx.settings, d["path"]) else "kho gốc"
        key = (fold(doc_title(d)), fold(d["commune"] or ""), d["kind"] or "", d["year"] or 0)
        file = f"{d['source']} ({origin})"
        if key in rows:
            row = rows[key]
            row[4] = max(row[4], d["n_chunks"])
            row[6] += f"; {file}"
            continue
        rows[key] = [doc_title(d), d["commune"] or "—", KIND_LABELS.get(d["kind"] or "", d["kind"] or "—"),
                     d["year"] or "", d["n_chunks"], _scope(d), file]
    return list(rows.values()), stats


def changeable(ctx: WebContext, viewer: Viewer) -> list[tuple[str, str]]:
    """(label, doc id) of the documents `viewer` may delete or (un)publish."""
    return [(doc_label(d), d["doc_id"]) for d in _documents(ctx, viewer)[0] if viewer.can_change(d)]


def _summary(stats: dict[str, Any]) -> str:
    emb = stats.get("embedder") or "none"
    mode = ("chỉ tìm theo từ khoá" if emb == "none"
            else "tìm theo từ khoá và theo nghĩa (mô hình nhúng chạy trên máy)")
    return f"**{stats['documents']} tài liệu, {stats['chunks']} đoạn** trong chỉ mục — {mode}."


def _names(ctx: WebContext, doc_ids: list[str], viewer: Viewer) -> dict[str, str]:
    """Doc id -> how the page names it for `viewer` (title and commune of what it may read)."""
    docs = {d["doc_id"]: d for d in _documents(ctx, viewer)[0]}
    return {i: (doc_label(docs[i]) if i in docs else i) for i in doc_ids}


def as_ids(chosen: Any) -> list[str]:
    """The dropdown's value as a list of doc ids (one id, a list of ids, or nothing)."""
    if not chosen:
        return []
    if isinstance(chosen, str):
        return [chosen]
    return [str(c) for c in chosen if c]


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
    summary = gr.Markdown(_summary(stats), elem_id="library-summary")
    table = gr.Dataframe(value=rows, headers=HEADERS, interactive=False, wrap=True, max_height=360,
                         label="Tài liệu trong kho", elem_id="library-table", elem_classes=["wide-table"],
                         column_widths=["38%", "10%", "10%", "6%", "7%", "12%", "17%"])
    with gr.Row(equal_height=False):
        with gr.Column(scale=3):
            gr.Markdown("### Thêm tài liệu")
            files = gr.File(label=f"Tệp {' '.join(SUPPORTED_SUFFIXES)} (tối đa {ctx.settings.max_file_mb:g} MB mỗi tệp)",
                            file_count="multiple", height=120, elem_id="library-files")  # types are checked per file
            commune = gr.Textbox(label="Tên xã (chỉ cần khi văn bản không ghi rõ)", placeholder="Ví dụ: Hòa Bình",
                                 elem_id="library-commune")
            publish_now = gr.Checkbox(
                value=not ctx.has_logins, visible=ctx.has_logins, label="Công bố ngay cho mọi xã",
                info="Bỏ chọn: tài liệu là bản nháp, chỉ tài khoản của xã bạn xem và dùng được.")
            with gr.Row():
                add = gr.Button("Thêm vào kho", variant="primary", scale=3, elem_id="library-add")
                cancel_upload = gr.Button("Huỷ", variant="secondary", scale=1, min_width=80,
                                          elem_id="library-cancel-upload")
        with gr.Column(scale=2):
            gr.Markdown("### Công bố, xoá hoặc xây dựng lại")
            chosen = gr.Dropdown(changeable(ctx, public), multiselect=True, label="Chọn tài liệu",
                                 elem_id="library-chosen")
            with gr.Row():
                publish = gr.Button("Công bố", visible=ctx.has_logins)
                unpublish = gr.Button("Chuyển về bản nháp", visible=ctx.has_logins)
                remove = gr.Button("Xoá tài liệu đã chọn", variant="stop")
            rebuild = gr.Button("Xây dựng lại toàn bộ chỉ mục")
            pending = gr.State({})  # the change waiting for the officer's confirmation
            with gr.Column(visible=False, elem_classes=["confirm"], elem_id="library-confirm") as confirm_box:
                confirm_text = gr.Markdown()
                with gr.Row():
                    confirm_yes = gr.Button("Đồng ý", variant="stop", elem_id="library-confirm-yes")
                    confirm_no = gr.Button("Huỷ", elem_id="library-confirm-no")
            gr.Markdown("<span class='muted'>Xoá một tài liệu của kho gốc chỉ xoá khỏi chỉ mục; "
                        "lần xây dựng lại sau nó sẽ được thêm lại. Tài liệu tải lên bị xoá hẳn."
                        + (" Mỗi xã chỉ công bố hoặc xoá được tài liệu do xã mình tải lên." if ctx.has_logins else "")
                        + "</span>")
    result = gr.Markdown(elem_id="library-result")

    def refreshed(message: str, viewer: Viewer) -> tuple:
        rows, stats = document_rows(ctx, viewer)
        return message, rows, _summary(stats), gr.Dropdown(choices=changeable(ctx, viewer), value=[])

    def ask_confirm(kind: str, chosen_ids: Any, request: gr.Request) -> tuple:
        """Show what is about to happen and wait for «Đồng ý» (nothing changes yet)."""
        viewer = ctx.viewer(request)
        if kind == "rebuild":
            if not viewer.sees_all:
                raise gr.Error("Chỉ cán bộ tỉnh (tài khoản có xã «*») mới được xây dựng lại toàn bộ chỉ mục.",
                               title="Không có quyền", print_exception=False)
            _, stats = _documents(ctx, viewer)
            text = (f"**Xây dựng lại toàn bộ chỉ mục?** Mọi tài liệu ({stats['documents']} tài liệu, "
                    f"{stats['chunks']} đoạn) sẽ được đọc lại và tạo lại vector; việc này có thể mất vài "
                    "phút. Trong lúc đó câu hỏi vẫn được trả lời từ chỉ mục hiện tại.")
            return gr.Column(visible=True), text, gr.Button("Xây dựng lại"), {"kind": "rebuild"}, ""
        ids = as_ids(chosen_ids)
        if not ids:
            gr.Warning("Hãy chọn tài liệu cần xoá.", title="Chú ý")
            return gr.Column(visible=False), "", gr.skip(), {}, "Chưa chọn tài liệu nào để xoá."
        names = _names(ctx, ids, viewer)
        items = "\n".join(f"- {esc(names[i])}" for i in ids)
        text = (f"**Xoá {len(ids)} tài liệu khỏi kho?**\n\n{items}\n\nTài liệu tải lên sẽ bị xoá hẳn khỏi máy; "
                "tài liệu của kho gốc chỉ bị xoá khỏi chỉ mục.")
        return gr.Column(visible=True), text, gr.Button("Xoá hẳn"), {"kind": "delete", "ids": ids}, ""

    def ask_delete(chosen_ids: Any, request: gr.Request) -> tuple:
        return ask_confirm("delete", chosen_ids, request)

    def ask_rebuild(request: gr.Request) -> tuple:
        return ask_confirm("rebuild", None, request)

    def cancel(job: dict) -> tuple:
        said = "Đã huỷ: chỉ mục giữ nguyên." if job.get("kind") == "rebuild" else "Đã huỷ: không xoá tài liệu nào."
        return gr.Column(visible=False), {}, said

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
        message = _upload_result_message(result)
        if job.token.cancelled and not result.cancelled:  # «Huỷ» came while the files were being written
            message = ("ℹ️ Bấm «Huỷ» khi tệp đã được ghi vào kho nên không huỷ được nữa; "
                       "nếu không cần, hãy chọn tài liệu rồi bấm «Xoá tài liệu đã chọn».\n\n" + message)
        return refreshed(message, viewer)

    def do_cancel_upload(request: gr.Request) -> str:
        """«Huỷ» through the API: what happened, as text."""
        key = getattr(request, "session_hash", None) or "local"
        if uploads.cancel(key):
            return "⏹️ Đang huỷ tải lên… (phần đã đọc sẽ bị bỏ, không có gì được thêm vào kho)"
        return "Không có tải lên nào đang chạy."

    def cancel_from_page(request: gr.Request) -> None:
        """«Huỷ» in the page says so in a notice: the result box is left to the upload itself,
        whose own answer («Đã huỷ tải lên …», or what was added when «Huỷ» came too late) must
        not be overwritten by a notice that arrives after it."""
        gr.Info(do_cancel_upload(request), title="Huỷ tải lên")

    def do_publish(doc_ids: list[str] | None, share: bool, request: gr.Request) -> tuple:
        viewer = ctx.viewer(request)
        if not doc_ids:
            gr.Warning("Hãy chọn tài liệu.", title="Chú ý")
            return refreshed("Chưa chọn tài liệu nào.", viewer)
        ids = as_ids(doc_ids)
        names = _names(ctx, ids, viewer)
        with ctx.maintenance():
            rep = set_published(ctx.settings, ids, share, viewer)
        verb = "Đã công bố" if share else "Đã chuyển về bản nháp"
        lines = [f"✅ {verb} **{esc(names.get(d, d))}**." for d in rep.changed]
        lines += [f"❌ **{esc(names.get(d, d))}**: {esc(why)}." for d, why in rep.refused]
        return refreshed("\n\n".join(lines), viewer)

    def do_delete(doc_ids: list[str], request: gr.Request, progress=gr.Progress()) -> tuple:  # noqa: B008
        viewer = ctx.viewer(request)
        ids = as_ids(doc_ids)
        if not ids:
            gr.Warning("Hãy chọn tài liệu cần xoá.", title="Chú ý")
            return refreshed("Chưa chọn tài liệu nào để xoá.", viewer)
        names = _names(ctx, ids, viewer)
        progress(0.1, desc="Đang xoá khỏi chỉ mục")
        with ctx.maintenance():
            rep = delete_documents(ctx.settings, ids, viewer, before_removing=served_files.forget_content_of)
            progress(0.8, desc="Đang nạp lại chỉ mục")
        lines = [f"🗑️ Đã xoá **{esc(names[d])}** khỏi chỉ mục." for d in rep.deleted]
        lines += [f"Tệp tải lên `{esc(f)}` đã bị xoá khỏi máy." for f in rep.files_removed]
        lines += [f"❌ **{esc(names[d])}**: chỉ xã đã tải lên (hoặc cán bộ tỉnh) mới được xoá." for d in rep.refused]
        lines += [f"❌ Không có tài liệu **{esc(names[d])}** trong chỉ mục." for d in rep.missing]
        return refreshed("\n\n".join(lines), viewer)

    def do_rebuild(request: gr.Request, progress=gr.Progress()) -> tuple:  # noqa: B008
        viewer = ctx.viewer(request)
        if not viewer.sees_all:
            raise gr.Error("Chỉ cán bộ tỉnh (tài khoản có xã «*») mới được xây dựng lại toàn bộ chỉ mục.",
                           title="Không có quyền", print_exception=False)
        progress(0.02, desc="Đang đọc lại toàn bộ tài liệu")
        try:  # questions are answered from the current index meanwhile; the new one is swapped in at the end
            report = ctx.rebuild(progress=_progress_cb(progress, 0.1, 0.85))
        except RebuildRunning as exc:
            raise gr.Error(str(exc), title="Chú ý", print_exception=False) from exc
        except Exception as exc:
            log.exception("rebuild failed")
            detail = f" ({esc(str(exc))})" if ctx.settings.debug else ""
            raise gr.Error(f"Không xây dựng lại được chỉ mục{detail}; chỉ mục hiện tại vẫn được dùng.",
                           title="Lỗi", print_exception=False) from exc
        msg = f"✅ Đã xây dựng lại chỉ mục: {report.chunks} đoạn từ {len(report.added)} tài liệu."
        msg += "".join(f"\n\n❌ **{esc(n)}**: không đọc được — {esc(r)}." for n, r in report.failed)
        return refreshed(msg, viewer)

    def do_confirmed(job: dict, request: gr.Request, progress=gr.Progress()) -> tuple:  # noqa: B008
        if job.get("kind") == "rebuild":
            return (*do_rebuild(request, progress), gr.Column(visible=False), {})
        if job.get("kind") == "delete":
            return (*do_delete(job.get("ids") or [], request, progress), gr.Column(visible=False), {})
        return (gr.skip(),) * 4 + (gr.Column(visible=False), {})

    outputs = [result, table, summary, chosen]
    # Uploads have their own queue, several at once: a long one never holds the library's queue
    # (publish, delete, rebuild) nor other uploads; only each upload's commit takes the write lock.
    add.click(do_upload, [files, commune, publish_now], outputs, api_name="tai_len", concurrency_id="upload",
              concurrency_limit=UPLOADS_AT_ONCE).then(lambda: None, None, files, api_visibility="private")
    cancel_upload.click(cancel_from_page, None, None, api_visibility="private", concurrency_id="upload_cancel",
                        concurrency_limit=None, show_progress="hidden")
    api_cancel = gr.Button(visible=False)
    api_cancel.click(do_cancel_upload, None, result, api_name="huy_tai_len", queue=False)

    def do_share(doc_ids: list[str] | None, request: gr.Request) -> tuple:
        return do_publish(doc_ids, True, request)

    def do_unshare(doc_ids: list[str] | None, request: gr.Request) -> tuple:
        return do_publish(doc_ids, False, request)

    publish.click(do_share, chosen, outputs, api_name="cong_bo", concurrency_id="library", concurrency_limit=1)
    unpublish.click(do_unshare, chosen, outputs, api_name="chuyen_ban_nhap", concurrency_id="library",
                    concurrency_limit=1)
    asking = [confirm_box, confirm_text, confirm_yes, pending, result]
    remove.click(ask_delete, chosen, asking, api_visibility="private")
    rebuild.click(ask_rebuild, None, asking, api_visibility="private")
    confirm_no.click(cancel, pending, [confirm_box, pending, result], api_visibility="private")
    confirm_yes.click(do_confirmed, pending, [*outputs, confirm_box, pending], api_visibility="private",
                      concurrency_id="library", concurrency_limit=1)
    # the API keeps one call per change (the page asks for a confirmation first)
    api_delete = gr.Button(visible=False)
    api_delete.click(do_delete, chosen, outputs, api_name="xoa_tai_lieu", concurrency_id="library",
                     concurrency_limit=1)
    api_rebuild = gr.Button(visible=False)
    api_rebuild.click(do_rebuild, None, outputs, api_name="xay_dung_lai", concurrency_id="library",
                      concurrency_limit=1)
    return {"refresh": lambda viewer: refreshed("", viewer)[1:], "outputs": [table, summary, chosen]}

