"""The `assistant` command group: options every command shares, and the entry point `run`."""

from __future__ import annotations

import contextlib
import logging
import sys
from pathlib import Path

import click

from assistant.cli import ask, chat, compare, doctor, draft, library, serve
from assistant.cli.common import UserError
from assistant.settings import get_settings

NOISY_LOGGERS = ("bm25s", "chromadb", "httpx", "urllib3", "pypdf")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--index-dir", type=click.Path(path_type=Path), help="Thư mục chỉ mục (ASSISTANT_INDEX_DIR).")
@click.option("-v", "--verbose", count=True, help="In thêm nhật ký (-vv để gỡ lỗi).")
@click.version_option(package_name="tro-ly-cds")
@click.pass_context
def main(ctx: click.Context, index_dir: Path | None, verbose: int) -> None:
    """Trợ lý báo cáo chuyển đổi số — hỏi đáp, tra cứu và soạn thảo báo cáo CĐS cấp xã (offline)."""
    level = logging.WARNING - 10 * verbose
    logging.basicConfig(level=max(level, logging.DEBUG), format="%(levelname)s %(name)s: %(message)s")
    for noisy in NOISY_LOGGERS:
        logging.getLogger(noisy).setLevel(max(level, logging.WARNING))
    try:
        ctx.obj = {"settings": get_settings(index_dir=index_dir), "verbose": verbose}
    except Exception as exc:  # noqa: BLE001 - pydantic validation of ASSISTANT_* values
        raise UserError(f"cấu hình không hợp lệ (biến ASSISTANT_* hoặc tệp cấu hình): {exc}") from exc


for _module in (library, ask, chat, draft, compare, serve, doctor):
    for _command in _module.COMMANDS:
        main.add_command(_command)


def _debug() -> bool:
    try:
        return get_settings().debug
    except Exception:  # noqa: BLE001 - the settings themselves may be what failed
        return False


def utf8_streams() -> None:
    """Write UTF-8 where the streams' encoding cannot hold Vietnamese, and read stdin as UTF-8.

    A Windows console redirected to a file or a pipe uses the legacy code page (cp1252, cp1258),
    which cannot encode "ấ"; printing an answer would then fail.
    """
    for stream in (sys.stdout, sys.stderr):
        try:
            "ấỗ".encode(getattr(stream, "encoding", None) or "ascii")
        except (UnicodeEncodeError, LookupError):
            with contextlib.suppress(AttributeError, ValueError, OSError):
                stream.reconfigure(encoding="utf-8")
    if (getattr(sys.stdin, "encoding", None) or "").lower().replace("-", "") != "utf8":
        with contextlib.suppress(AttributeError, ValueError, OSError):
            sys.stdin.reconfigure(encoding="utf-8")


def run() -> None:
    """Entry point that turns expected failures into one plain line instead of a traceback."""
    from assistant.errors import MissingExtra
    from assistant.index.store import IndexCorrupt, IndexMismatch, IndexMissing

    utf8_streams()
    try:
        rc = main(standalone_mode=False)
        sys.exit(rc if isinstance(rc, int) else 0)
    except click.exceptions.Abort:
        click.echo("Đã dừng.", err=True)
        sys.exit(130)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except (IndexMismatch, IndexMissing, IndexCorrupt, MissingExtra, ValueError) as exc:
        if _debug():
            raise
        click.echo(f"Lỗi: {exc}", err=True)
        sys.exit(2)
    except KeyboardInterrupt:
        sys.exit(130)
    except Exception as exc:  # noqa: BLE001 - last resort: never a traceback for users
        if _debug():
            raise
        click.echo(f"Lỗi không mong đợi ({exc.__class__.__name__}): {exc}. "
                   "Chạy lại với ASSISTANT_DEBUG=1 để xem chi tiết.", err=True)
        sys.exit(1)
