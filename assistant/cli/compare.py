"""Commands `assistant compare` (wording next to peer communes) and `assistant indicators` (figure table)."""

from __future__ import annotations

from pathlib import Path

import click

from assistant.cli.common import UserError, assistant_of, out
from assistant.domain.sections import NARRATIVE_KINDS, section_label

_DIFF_COLOURS = {"delete": "red", "insert": "green"}


def _tail(section: str, parts: int = 2) -> str:
    return " > ".join(section.split(" > ")[-parts:]) if section else "(đầu văn bản)"


# ---------------------------------------------------------------- compare


def _read_draft(path: Path, max_mb: float) -> tuple[str, bool]:
    from assistant.ingest.loaders import UnreadableFile, read_file

    if path.suffix.lower() not in (".txt", ".md", ".docx"):
        raise UserError(f"{path.name}: dùng tệp .txt, .md hoặc .docx (use a .txt, .md or .docx file)")
    try:
        raw = read_file(path, max_mb=max_mb)
    except UnreadableFile as exc:
        raise UserError(f"không đọc được tệp {exc.path.name}: {exc.reason}") from exc
    except OSError as exc:
        raise UserError(f"không đọc được tệp {path.name}: {exc.strerror or exc}") from exc
    return raw.text, raw.hard_breaks


def _paint(text: str, kind: str) -> str:
    if kind == "equal":
        return text
    return click.style(text, fg=_DIFF_COLOURS[kind], bold=kind == "insert")


def _print_comparison(res) -> None:  # noqa: ANN001 - compare.Comparison
    from assistant.compare.peers import inline_diff

    who = f"xã {res.commune}" if res.commune else "bản nháp"
    part = section_label(res.section) if res.section != "all" else "tất cả các phần"
    click.secho(f"So sánh {who} với các xã khác — phần: {part} — độ tương đồng: {res.similarity}", bold=True)
    click.echo("Chú giải: [-…-] chỉ có trong đoạn của bạn, {+…+} chỉ có ở xã khác, phần còn lại giống nhau.")
    for n, item in enumerate(res.items, start=1):
        click.echo("")
        pillar = f" ({item.to_json()['pillar_label']})" if item.pillar else ""
        kind = f"[{section_label(item.section_kind)}]" if res.section == "all" else ""
        click.secho(f"[{n}]{kind}{pillar} {item.text}", bold=True)
        if not item.peers:
            click.echo("    (không tìm thấy đoạn tương ứng ở xã khác)")
        for p in item.peers:
            click.secho(f"    → xã {p.commune} — {p.source} — {_tail(p.section)} (tương đồng {p.similarity:.2f})",
                        fg="cyan")
            click.echo("      " + inline_diff(p.diff, style=_paint))
    if res.missing_pillars:
        click.echo("")
        click.secho("Các xã khác còn nêu (phần này của bạn chưa đề cập):", bold=True)
        for m in res.missing_pillars:
            from assistant.domain.catalog import pillar_label

            where = f" [{section_label(m.section_kind)}]" if res.section == "all" else ""
            click.secho(f"  • {pillar_label(m.pillar)}{where}", fg="yellow")
            for ex in m.examples:
                click.echo(f"      xã {ex.commune}: {ex.text}")
    for w in res.warnings:
        click.echo(f"Lưu ý: {w}", err=True)


@click.command()
@click.option("--commune", help="Xã có báo cáo trong chỉ mục.")
@click.option("--text", "text_file", type=click.Path(path_type=Path, dir_okay=False),
              help="Bản nháp .txt/.md/.docx thay cho báo cáo đã nạp (a pasted draft).")
@click.option("--section", default="all", show_default=True,
              type=click.Choice([*NARRATIVE_KINDS, "all"]),
              help="Phần cần so sánh; 'all' đoán phần theo tiêu đề.")
@click.option("--k", default=3, show_default=True, type=click.IntRange(1, 10), help="Số đoạn của xã khác.")
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def compare(ctx: click.Context, commune: str | None, text_file: Path | None, section: str, k: int,
            as_json: bool) -> None:
    """Đặt từng đoạn của một xã (hoặc bản nháp) cạnh các đoạn gần nhất của các xã khác."""
    from assistant.compare.peers import PeerComparer, UnknownCommune

    if not commune and not text_file:
        raise UserError("cần --commune TÊN_XÃ hoặc --text TỆP (give --commune NAME or --text FILE)")
    draft = _read_draft(text_file, ctx.obj["settings"].max_file_mb) if text_file else None
    comparer = PeerComparer(assistant_of(ctx).retriever)
    try:
        if draft is not None:
            res = comparer.compare_text(draft[0], section, k, commune=commune, hard_breaks=draft[1])
        else:
            res = comparer.compare_commune(commune or "", section, k)
    except UnknownCommune as exc:
        raise UserError(str(exc)) from exc
    if as_json:
        out(res.to_json())
    else:
        _print_comparison(res)
    if not res.items and not as_json:
        click.echo("Không có đoạn nào để so sánh.", err=True)


# ---------------------------------------------------------------- indicators


def _fit(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def _print_table(table) -> None:  # noqa: ANN001 - indicator_table.IndicatorTable
    rows = [r for r in table.rows if r.cells]
    if not rows:
        click.echo("Không tìm thấy số liệu chỉ tiêu nào trong các báo cáo.")
        return
    notes: list[tuple[int, str, object]] = []
    grid: list[list[str]] = []
    for r in rows:
        line = [_fit(r.name, 44)]
        for c in table.communes:
            cell = r.cells.get(c)
            if cell is None:
                line.append("—")
                continue
            notes.append((len(notes) + 1, c, cell))
            mark = "*" if cell.others else ""
            line.append(f"{cell.first.raw}{mark} [{len(notes)}]")
        grid.append(line)
    header = ["Chỉ tiêu", *table.communes]
    widths = [max(len(x[i]) for x in [header, *grid]) for i in range(len(header))]
    click.secho("  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)).rstrip(), bold=True)
    click.echo("  ".join("─" * w for w in widths))
    for line in grid:
        click.echo("  ".join(x.ljust(w) for x, w in zip(line, widths, strict=True)).rstrip())
    click.echo("")
    click.echo("* báo cáo còn ghi số khác cho cùng chỉ tiêu (xem dưới). Nguồn của từng ô:")
    for n, commune, cell in notes:
        m = cell.first  # type: ignore[attr-defined]
        click.echo(f"[{n}] {commune} — {m.source} — {_tail(m.section)}: “{m.sentence}”")
        for o in cell.others:  # type: ignore[attr-defined]
            click.echo(f"     cũng ghi {o.raw} — {_tail(o.section)}: “{o.sentence}”")


@click.command()
@click.option("--json", "as_json", is_flag=True)
@click.option("--csv", "csv_out", type=click.Path(path_type=Path, dir_okay=False),
              help="Ghi bảng ra tệp CSV (UTF-8 có BOM, mở được bằng Excel).")
@click.option("--figures", "figures_files", multiple=True, type=click.Path(path_type=Path, dir_okay=False),
              help="Tệp số liệu của xã (.yaml/.csv/.xlsx), thêm một cột (repeatable).")
@click.pass_context
def indicators(ctx: click.Context, as_json: bool, csv_out: Path | None, figures_files: tuple[Path, ...]) -> None:
    """Bảng chỉ tiêu giữa các xã: số liệu mỗi báo cáo nêu, kèm câu trích dẫn."""
    from assistant.domain.catalog import catalog_at
    from assistant.domain.figures import FiguresError, load_figures
    from assistant.indicators.table import build_table, write_csv

    figs = []
    for path in figures_files:
        try:
            figs.append(load_figures(path))
        except FiguresError as exc:
            raise UserError("tệp số liệu không hợp lệ:\n  " + "\n  ".join(exc.problems)) from exc
    a = assistant_of(ctx)
    table = build_table(a.retriever.chunks, figures=figs, catalog=catalog_at(a.settings.catalog_path))
    if csv_out:
        try:
            write_csv(table, csv_out)
        except OSError as exc:
            raise UserError(f"không ghi được {csv_out}: {exc.strerror or exc}") from exc
    if as_json:
        out(table.to_json())
    elif not csv_out:
        _print_table(table)
    else:
        n = sum(1 for r in table.rows if r.cells)
        click.echo(f"Đã ghi {n} chỉ tiêu × {len(table.communes)} xã vào {csv_out}.")


COMMANDS = [compare, indicators]
