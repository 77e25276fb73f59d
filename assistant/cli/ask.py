"""Commands that read the index: `assistant search`, `assistant ask` and `assistant eval`."""

from __future__ import annotations

from pathlib import Path

import click

from assistant.cli.common import UserError, assistant_of, batch_lines, llm_of, out, settings_of
from assistant.domain.sections import SECTION_KINDS
from assistant.qa.provenance import provenance_note
from assistant.records import Answer


@click.command()
@click.argument("query", required=False)
@click.option("--k", default=10, show_default=True, type=click.IntRange(1, 200))
@click.option("--commune", multiple=True, help="Chỉ tìm trong xã này (lặp lại được).")
@click.option("--exclude-commune", multiple=True, help="Bỏ qua xã này (lặp lại được).")
@click.option("--section", multiple=True, type=click.Choice(list(SECTION_KINDS)))
@click.option("--mode", type=click.Choice(["hybrid", "bm25", "dense"]), help="Cách tìm kiếm.")
@click.option("--json", "as_json", is_flag=True)
@click.option("--batch", type=str, help="Tệp JSON lines {id, q}; '-' để đọc từ stdin.")
@click.pass_context
def search(ctx: click.Context, query: str | None, k: int, commune, exclude_commune, section, mode,
           as_json: bool, batch: str | None) -> None:
    """Tìm các đoạn văn bản cho QUERY (có dấu hay không dấu, viết tắt đều được)."""
    from assistant.qa.retriever import Filters

    if not query and not batch:
        raise UserError("cần QUERY hoặc --batch TỆP")
    a = assistant_of(ctx)
    f = Filters(communes=list(commune), exclude_communes=list(exclude_commune), section_kinds=list(section))
    items = batch_lines(batch) if batch else [(None, query)]
    for qid, q in items:
        results = a.retriever.search(q, k=k, filters=f, mode=mode)
        if as_json or batch:
            data = {"query": q, "results": [r.to_json() for r in results]}
            out({"id": qid, **data} if batch else data)
            continue
        if not results:
            click.echo("Không tìm thấy kết quả.")
        for i, r in enumerate(results, start=1):
            c = r.chunk
            click.secho(f"[{i}] {c.commune or c.title} — {c.source} — {c.section or '(đầu văn bản)'} "
                        f"[{c.section_kind}] ({r.score:.3f})", bold=True)
            click.echo("    " + " ".join(c.text.split())[:400])


@click.command()
@click.argument("question", required=False)
@click.option("--k", default=5, show_default=True, type=click.IntRange(1, 50))
@click.option("--json", "as_json", is_flag=True)
@click.option("--batch", type=str, help="Tệp JSON lines {id, q}; '-' để đọc từ stdin.")
@click.option("--no-stream", is_flag=True, help="Khi dùng LLM: chỉ in câu trả lời khi đã viết xong.")
@click.pass_context
def ask(ctx: click.Context, question: str | None, k: int, as_json: bool, batch: str | None,
        no_stream: bool) -> None:
    """Trả lời QUESTION từ các báo cáo và văn bản chỉ đạo, có trích dẫn nguồn.

    Với ASSISTANT_LLM=openai|llamacpp, mô hình viết câu trả lời từ các đoạn tìm được và mọi con
    số đều được kiểm tra lại với nguồn (⟦…⟧ = không tìm thấy trong nguồn).
    """
    if not question and not batch:
        raise UserError("cần QUESTION hoặc --batch TỆP")
    llm = llm_of(ctx)
    a = assistant_of(ctx)
    stream = settings_of(ctx).llm_stream and not (no_stream or as_json or batch)
    items = batch_lines(batch) if batch else [(None, question)]
    shown: list[str] = []

    def on_token(text: str) -> None:
        shown.append(text)
        click.echo(text, nl=False)

    for qid, q in items:
        shown.clear()
        ans = a.ask(q, k=k, llm=llm, stream=stream, on_token=on_token if stream else None)
        if as_json or batch:
            out({"id": qid, **ans.to_json()} if batch else ans.to_json())
            continue
        print_answer(ans, streamed=bool(shown))


def print_answer(ans: Answer, *, streamed: bool = False) -> None:
    """An answer as a terminal shows it: the text (unless already streamed), the sources, warnings."""
    if streamed:
        click.echo("")
        if ans.mode != "llm":
            click.echo("\n— Câu trả lời offline —")
            click.echo(ans.answer)
    else:
        click.echo(ans.answer)
    click.echo("")
    for c in ans.citations:
        where = f"xã {c.commune} — " if c.commune else ""
        click.echo(f"[{c.n}] {where}{c.source} — {c.section or '(đầu văn bản)'}" + provenance_note(c))
    for w in ans.warnings:
        click.echo(f"Cảnh báo: {w}", err=True)


@click.command(name="eval")
@click.argument("qa_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--mode", "modes", multiple=True, type=click.Choice(["hybrid", "bm25", "dense"]),
              help="Các cách tìm kiếm cần chấm (mặc định: mọi cách có được).")
@click.option("--json", "as_json", is_flag=True)
@click.option("--show-failures", is_flag=True)
@click.pass_context
def eval_cmd(ctx: click.Context, qa_file: Path, modes, as_json: bool, show_failures: bool) -> None:
    """Chấm điểm tìm kiếm (hit@k, MRR) và câu trả lời trên một tệp câu hỏi như dev-qa.jsonl."""
    from assistant.qa.evaluate import EvalFileError, evaluate, load_questions

    try:
        questions = load_questions(qa_file)
    except EvalFileError as exc:
        raise UserError(str(exc)) from exc
    a = assistant_of(ctx)
    modes = modes or (("bm25", "dense", "hybrid") if a.retriever.embedder else ("bm25",))
    for mode in modes:
        res = evaluate(a.retriever, questions, mode=mode,
                       ask=lambda q, history: a.ask(q, history=history))
        data = res.to_json()
        if as_json:
            out(data | ({"failures": res.failures} if show_failures else {}))
        else:
            click.echo("  ".join(f"{key}={val}" for key, val in data.items()))
            if show_failures:
                for fl in res.failures:
                    click.echo(f"    miss {fl}")


COMMANDS = [search, ask, eval_cmd]
