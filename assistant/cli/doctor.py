"""Command `assistant doctor`: check that the index's parts agree and say what to run."""

from __future__ import annotations

import click

from assistant.cli.common import out, settings_of


@click.command()
@click.option("--json", "as_json", is_flag=True, help="In kết quả dạng JSON.")
@click.option("--remove-orphans", is_flag=True,
              help="Xoá các tệp trong thư mục tải lên chưa có trong chỉ mục (tải lên bị gián đoạn).")
@click.pass_context
def doctor(ctx: click.Context, as_json: bool, remove_orphans: bool) -> None:
    """Kiểm tra chỉ mục (SQLite, vector, BM25, thư mục tải lên) và nói cần chạy lệnh gì để sửa."""
    from assistant.index.health import check
    from assistant.index.health import remove_orphans as remove

    settings = settings_of(ctx)
    removed = remove(settings) if remove_orphans and check(settings).orphans else []
    health = check(settings)
    if as_json:
        out({**health.to_json(), "removed": removed})
    else:
        for name in removed:
            click.echo(f"Đã xoá tệp tải lên dở dang: {name}")
        for line in health.lines():
            click.echo(line)
    if not health.ok:
        ctx.exit(1)


COMMANDS = [doctor]
