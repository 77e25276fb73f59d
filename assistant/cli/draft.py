"""`assistant draft FIGURES`: draft the commune's report — Kết quả đạt được, Tồn tại, hạn chế,
Phương hướng, nhiệm vụ of the next period, Đề xuất, kiến nghị — from its figures file."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import click

from assistant.cli.common import UserError, assistant_of, llm_of

log = logging.getLogger(__name__)


@click.command("draft")
@click.argument("figures", type=click.Path(path_type=Path))
@click.option(
    "--section",
    type=click.Choice(["ket_qua", "ton_tai", "phuong_huong", "kien_nghi", "all"]),
    default="all",
    show_default=True,
    help="Mục cần soạn (all: cả báo cáo).",
)
@click.option(
    "--exclude-commune",
    multiple=True,
    help="Không lấy báo cáo của xã này làm đoạn mẫu (dùng nhiều lần được).",
)
@click.option(
    "--no-suggestions",
    is_flag=True,
    help="Không đưa gợi ý từ báo cáo của xã khác cho các lĩnh vực xã chưa nêu.",
)
@click.option("--json", "as_json", is_flag=True, help="In bản thảo dạng JSON.")
@click.option("--md", "as_md", is_flag=True, help="In bản thảo dạng Markdown.")
@click.option(
    "--docx",
    "docx_out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Ghi thêm tệp .docx theo thể thức Nghị định 30/2020.",
)
@click.option(
    "--citations",
    type=click.Choice(["annex", "footnotes", "none"]),
    default="annex",
    show_default=True,
    help="Cách tệp .docx ghi nguồn trích dẫn: phụ lục, chú thích cuối trang hoặc không ghi.",
)
@click.pass_context
def draft(
    ctx: click.Context,
    figures: Path,
    section: str,
    exclude_commune: tuple[str, ...],
    no_suggestions: bool,
    as_json: bool,
    as_md: bool,
    docx_out: Path | None,
    citations: str,
) -> None:
    """Soạn dự thảo báo cáo từ tệp số liệu của xã (.yaml, .csv, .xlsx), không cần Internet."""
    from assistant.domain.figures import FiguresError, load_figures
    from assistant.drafting import SECTION_IDS, TemplateError, draft_report
    from assistant.export.text import to_markdown, to_text

    if as_json and as_md:
        raise UserError("chỉ chọn một trong --json và --md")
    try:
        figs = load_figures(figures)
    except FiguresError as exc:
        lines = "\n".join(f"  - {p}" for p in exc.problems)
        raise UserError(f"tệp số liệu không hợp lệ, chưa soạn thảo gì:\n{lines}") from exc
    llm = llm_of(ctx)
    assistant = assistant_of(ctx)
    known = {c.lower() for c in assistant.retriever.communes}
    warnings = [
        f"Không có xã «{name}» trong chỉ mục; --exclude-commune không có tác dụng với tên này."
        for name in exclude_commune
        if assistant.retriever.resolve_commune(name).lower() not in known
    ]
    sections = SECTION_IDS if section == "all" else (section,)
    try:
        doc = draft_report(assistant, figs, sections=sections, exclude_communes=exclude_commune,
                           llm=llm, prompts_dir=assistant.settings.prompts_dir,
                           suggestions=not no_suggestions)
    except TemplateError as exc:
        raise UserError(f"tệp mẫu câu bị lỗi: {exc}") from exc
    doc.warnings[:0] = warnings
    if docx_out is not None:
        from assistant.export.docx import export_docx

        try:
            path = export_docx(doc, docx_out, citations=citations)  # type: ignore[arg-type]
        except OSError as exc:
            raise UserError(f"không ghi được {docx_out}: {exc}") from exc
        click.echo(f"Đã ghi bản thảo vào {path}", err=True)
    if as_json:
        click.echo(json.dumps(doc.to_json(), ensure_ascii=False))
        return
    if as_md:
        click.echo(to_markdown(doc), nl=False)
    elif docx_out is None:
        click.echo(to_text(doc), nl=False)
    if not as_md:
        for w in doc.warnings:
            click.echo(f"Lưu ý: {w}", err=True)


COMMANDS = [draft]
