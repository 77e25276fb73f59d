"""What every command shares: the user-error type, the settings, the loaded core, JSON output."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import click

from assistant.jsonl import JsonlError, read_jsonl
from assistant.settings import Settings

if TYPE_CHECKING:
    from assistant.app import Assistant
    from assistant.llm import ChatModel


class UserError(click.ClickException):
    """A problem the user can fix; printed without a traceback, exit code 2."""

    exit_code = 2

    def show(self, file=None) -> None:  # noqa: ANN001 - click's signature
        click.echo(f"Lỗi: {self.format_message()}", err=True)


def settings_of(ctx: click.Context) -> Settings:
    return ctx.find_root().obj["settings"]


def assistant_of(ctx: click.Context) -> Assistant:
    """The loaded core for this command (the index is built first when there is none)."""
    from assistant.app import Assistant

    obj = ctx.find_root().obj
    if "assistant" not in obj:
        obj["assistant"] = Assistant(obj["settings"])
        ctx.find_root().call_on_close(obj["assistant"].close)
    return obj["assistant"]


def llm_of(ctx: click.Context) -> ChatModel | None:
    """The configured chat model, None for `ASSISTANT_LLM=none`; an unusable one stops the command."""
    settings = settings_of(ctx)
    if settings.llm == "none":
        return None
    from assistant.llm import build_llm

    choice = build_llm(settings)
    if choice.notice:
        raise UserError(choice.notice)
    return choice.model


def out(data: dict) -> None:
    """One line of JSON on stdout (Vietnamese kept readable)."""
    click.echo(json.dumps(data, ensure_ascii=False))


def batch_lines(path: str) -> Iterator[tuple[object, str]]:
    """(id, question) pairs from a JSON-lines file, or stdin for '-'."""
    fh = sys.stdin if path == "-" else open(path, encoding="utf-8")  # noqa: SIM115
    name = "stdin" if path == "-" else Path(path).name
    try:
        for i, row in read_jsonl(fh, name):
            if not isinstance(row.get("q"), str):
                raise UserError(f'{name}: dòng {i}: cần dạng {{"id": …, "q": "câu hỏi"}}')
            yield row.get("id"), row["q"]
    except JsonlError as exc:
        raise UserError(str(exc)) from exc
    finally:
        if fh is not sys.stdin:
            fh.close()
