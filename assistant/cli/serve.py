"""Commands `assistant serve` (the web app) and `assistant hash-password` (a line for the auth file)."""

from __future__ import annotations

import ipaddress
import logging
import socket
from pathlib import Path

import click

from assistant.cli.common import UserError, settings_of

AUTH_ENV = "ASSISTANT_AUTH_FILE"
log = logging.getLogger(__name__)


def is_loopback(host: str) -> bool:
    """Whether `host` only accepts connections from this machine (127.x, ::1, localhost)."""
    name = host.strip().strip("[]")
    if name.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        try:
            return all(ipaddress.ip_address(info[4][0]).is_loopback
                       for info in socket.getaddrinfo(name, None))
        except (socket.gaierror, ValueError):
            return False


def _auth_checker(host: str, path: Path | None):  # noqa: ANN202 - (checker, {user: commune}) | (None, None)
    """The login check for the server and each user's commune: required off loopback, optional on it.
    Accounts whose hash is of the old kind (scrypt) still log in; the start-up says which."""
    from assistant.web.auth import (
        AuthFileError,
        legacy_notice,
        legacy_users,
        load_accounts,
        make_checker,
    )

    if path is None or not str(path).strip():
        if is_loopback(host):
            return None, None
        raise UserError(
            f"--host {host} mở ứng dụng cho máy khác trong mạng, cần đặt mật khẩu trước: tạo tệp "
            f"dòng `tên:mã-băm` bằng `assistant hash-password TÊN` rồi đặt {AUTH_ENV}=<đường dẫn tệp> "
            f"(serving beyond this machine requires {AUTH_ENV}).")
    try:
        accounts = load_accounts(path)
    except AuthFileError as exc:
        raise UserError(str(exc)) from exc
    notice = legacy_notice(legacy_users(accounts))
    if notice:
        log.warning("%s", notice)
        click.echo(notice, err=True)
    return (make_checker({u: enc for u, (enc, _) in accounts.items()}),
            {u: commune for u, (_, commune) in accounts.items()})


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True,
              help=f"Address to listen on; anything but loopback needs {AUTH_ENV}.")
@click.option("--port", default=7860, show_default=True, type=click.IntRange(1, 65535))
@click.pass_context
def serve(ctx: click.Context, host: str, port: int) -> None:
    """Mở ứng dụng web (Hỏi đáp, Soạn thảo, So sánh, Kho tài liệu) tại http://HOST:PORT."""
    settings = settings_of(ctx)
    auth, communes = _auth_checker(host, settings.auth_file)
    try:
        from assistant.web.app import build_app, launch
    except ImportError as exc:
        if (exc.name or "").split(".")[0] in ("gradio", "gradio_client"):
            raise UserError("thiếu gói giao diện web (gradio); cài lại: pip install -e .") from exc
        raise
    demo = build_app(settings, accounts=communes)  # returns at once; a missing index is built in the background
    health = getattr(demo, "index_health", None)
    if health is not None and not health.ok:  # the start-up self-check (also shown in the page)
        for line in health.lines()[1:]:
            click.echo(line, err=True)
    click.echo(f"Trợ lý đang chạy tại http://{host}:{port} — nhấn Ctrl+C để dừng."
               + (" Đăng nhập bằng tài khoản trong " + str(settings.auth_file) + "." if auth else ""), err=True)
    if demo.assistant_context.status.busy:
        click.echo("Chưa có chỉ mục: đang xây dựng lần đầu trong nền; trang web đã mở được, hiển thị tiến độ "
                   "và trả lời câu hỏi ngay khi xong.", err=True)
    try:
        launch(demo, settings, host=host, port=port, auth=auth, quiet=True)
    except OSError as exc:
        raise UserError(f"không mở được cổng {host}:{port} ({exc.strerror or exc}); thử --port khác") from exc
    finally:
        demo.assistant_context.close()


@click.command(name="hash-password")
@click.argument("user")
@click.option("--password", prompt="Mật khẩu", hide_input=True, confirmation_prompt="Nhập lại mật khẩu",
              help="The password (asked for when not given).")
@click.option("--commune", default="", help="The user's commune: users of one commune share their "
              "unpublished drafts; '*' marks province staff, who see and manage every document.")
def hash_password_cmd(user: str, password: str, commune: str) -> None:
    """In một dòng `USER:hash[:xã]` cho tệp người dùng nêu ở ASSISTANT_AUTH_FILE."""
    from assistant.web.auth import hash_password

    if ":" in user or not user.strip():
        raise UserError("tên đăng nhập không được trống hay chứa dấu ':'")
    if len(password) < 8:
        raise UserError("mật khẩu cần ít nhất 8 ký tự")
    commune = " ".join(commune.split())
    if ":" in commune:
        raise UserError("--commune: tên xã không được chứa dấu ':'")
    click.echo(f"{user.strip()}:{hash_password(password)}" + (f":{commune}" if commune else ""))


COMMANDS = [serve, hash_password_cmd]
