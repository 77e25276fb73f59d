"""`assistant chat`: a conversation in the terminal, where a follow-up ("Còn Đại Sơn thì sao?",
"Vì sao?", "Cụ thể hơn") is understood from the questions before it."""

from __future__ import annotations

import sys

import click

from assistant.cli.ask import print_answer
from assistant.cli.common import assistant_of, llm_of, out, settings_of

_QUIT = {"thoat", "thoát", "exit", "quit", "q"}


def _questions(interactive: bool):  # noqa: ANN202 - Iterator[str]
    """Questions typed at a prompt (on a terminal) or read one per line (from a pipe or a file)."""
    if not interactive:
        for line in sys.stdin:
            if line.strip():
                yield line.strip()
        return
    click.echo("Trò chuyện với trợ lý. Hỏi nối tiếp được, ví dụ «Còn xã Đại Sơn thì sao?», «Vì sao?». "
               "Gõ «thoát» hoặc Ctrl+D để kết thúc.")
    while True:
        try:
            line = click.prompt("Hỏi", default="", show_default=False, prompt_suffix=": ")
        except (click.exceptions.Abort, EOFError):
            click.echo("")
            return
        if line.strip().lower() in _QUIT:
            return
        if line.strip():
            yield line.strip()


@click.command()
@click.option("--k", default=5, show_default=True, type=click.IntRange(1, 50))
@click.option("--json", "as_json", is_flag=True,
              help="Mỗi lượt một dòng JSON như `ask --json`, thêm trường understood_as.")
@click.option("--no-stream", is_flag=True, help="Khi dùng LLM: chỉ in câu trả lời khi đã viết xong.")
@click.pass_context
def chat(ctx: click.Context, k: int, as_json: bool, no_stream: bool) -> None:
    """Hỏi đáp nhiều lượt: câu hỏi nối tiếp được hiểu theo các câu trước («Hiểu là: …»)."""
    llm = llm_of(ctx)
    a = assistant_of(ctx)
    interactive = sys.stdin.isatty() and not as_json
    stream = settings_of(ctx).llm_stream and interactive and not no_stream
    history: list[str] = []
    shown: list[str] = []

    def on_token(text: str) -> None:
        shown.append(text)
        click.echo(text, nl=False)

    for question in _questions(interactive):
        shown.clear()
        ans = a.ask(question, k=k, history=history, llm=llm, stream=stream,
                    on_token=on_token if stream else None)
        history.append(question)
        if as_json:
            out({**ans.to_json(), "understood_as": ans.understood_as})
            continue
        if ans.understood_as:
            click.secho(f"Hiểu là: {ans.understood_as}", fg="cyan")
        print_answer(ans, streamed=bool(shown))
        click.echo("")


COMMANDS = [chat]
