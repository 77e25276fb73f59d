"""`assistant draft FIGURES`: draft "Tồn tại, hạn chế" and "Phương hướng, nhiệm vụ năm sau"."""

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
    type=click.Choice(["ton_tai", "phuong_huong", "all"]),
    default="all",
    show_default=True,
    help="Which section to draft.",
)
@click.option(
    "--exclude-commune",
    multiple=True,
    help="Leave this commune's reports out of the peer passages (repeatable).",
)
@click.option("--json", "as_json", is_flag=True, help="Print the draft as JSON.")
@click.option("--md", "as_md", is_flag=True, help="Print the draft as Markdown.")
@click.option(
    "--docx",
    "docx_out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also write a .docx laid out per Nghị định 30/2020.",
)
@click.option(
    "--citations",
    type=click.Choice(["annex", "footnotes", "none"]),
    default="annex",
    show_default=True,
    help="How the .docx shows the sources.",
)
@click.pass_context
def draft(
    ctx: click.Context,
    figures: Path,
    section: str,
    exclude_commune: tuple[str, ...],
    as_json: bool,
    as_md: bool,
    docx_out: Path | None,
    citations: str,
) -> None:
    """Draft the two narrative sections from a figures file (.yaml, .csv, .xlsx), offline."""
    from assistant.domain.figures import FiguresError, load_figures
    from assistant.drafting import SECTION_IDS, TemplateError, draft_report
    from assistant.export.text import to_markdown, to_text

    if as_json and as_md:
        raise UserError("choose one of --json and --md")
    try:
        figs = load_figures(figures)
    except FiguresError as exc:
        lines = "\n".join(f"  - {p}" for p in exc.problems)
        raise UserError(
            f"tệp số liệu không hợp lệ, chưa soạn thảo gì (invalid figures file):\n{lines}"
        ) from exc
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
                           llm=llm, prompts_dir=assistant.settings.prompts_dir)
    except TemplateError as exc:
        raise UserError(f"tệp mẫu câu bị lỗi (broken phrase file): {exc}") from exc
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
