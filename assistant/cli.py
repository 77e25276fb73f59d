"""Command line: `assistant ingest | search | ask | eval | docs` over the library core."""

from __future__ import annotations

import json
import logging
import os
import sys
from collections.abc import Iterator
from pathlib import Path

import click

from .jsonl import JsonlError, read_jsonl
from .settings import Settings, get_settings

log = logging.getLogger("assistant")


class UserError(click.ClickException):
    """A problem the user can fix; printed without a traceback, exit code 2."""

    exit_code = 2

    def show(self, file=None) -> None:  # noqa: ANN001
        click.echo(f"Lỗi: {self.format_message()}", err=True)


def _settings(ctx: click.Context) -> Settings:
    return ctx.obj["settings"]


def _out(data: dict) -> None:
    click.echo(json.dumps(data, ensure_ascii=False))


def _batch_lines(path: str) -> Iterator[tuple[object, str]]:
    """(id, question) pairs from a JSON-lines file, or stdin for '-'."""
    fh = sys.stdin if path == "-" else open(path, encoding="utf-8")  # noqa: SIM115
    name = "stdin" if path == "-" else Path(path).name
    try:
        for i, row in read_jsonl(fh, name):
            if not isinstance(row.get("q"), str):
                raise UserError(f'{name}: line {i}: expected {{"id": …, "q": "question"}}')
            yield row.get("id"), row["q"]
    except JsonlError as exc:
        raise UserError(str(exc)) from exc
    finally:
        if fh is not sys.stdin:
            fh.close()


def _assistant(ctx: click.Context):  # noqa: ANN202
    from .services import Assistant

    if "assistant" not in ctx.obj:
        ctx.obj["assistant"] = Assistant(_settings(ctx))
        ctx.call_on_close(ctx.obj["assistant"].close)
    return ctx.obj["assistant"]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--index-dir", type=click.Path(path_type=Path), help="Index folder (ASSISTANT_INDEX_DIR).")
@click.option("-v", "--verbose", count=True, help="More log output (-vv for debug).")
@click.version_option(package_name="tro-ly-cds")
@click.pass_context
def main(ctx: click.Context, index_dir: Path | None, verbose: int) -> None:
    """Trợ lý báo cáo chuyển đổi số — hỏi đáp, tra cứu và soạn thảo báo cáo CĐS cấp xã (offline)."""
    level = logging.WARNING - 10 * verbose
    logging.basicConfig(level=max(level, logging.DEBUG), format="%(levelname)s %(name)s: %(message)s")
    for noisy in ("bm25s", "chromadb", "httpx", "urllib3", "pypdf"):
        logging.getLogger(noisy).setLevel(max(level, logging.WARNING))
    try:
        ctx.obj = {"settings": get_settings(index_dir=index_dir)}
    except Exception as exc:  # noqa: BLE001 - pydantic validation of ASSISTANT_* values
        raise UserError(f"cấu hình không hợp lệ (invalid ASSISTANT_* setting): {exc}") from exc


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--rebuild", is_flag=True, help="Build a fresh index from scratch (swapped in atomically).")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@click.option("--commune", help="Commune of the given files (when the text does not say).")
@click.pass_context
def ingest(ctx: click.Context, paths: tuple[Path, ...], rebuild: bool, as_json: bool, commune: str | None) -> None:
    """Index corpus/ and the given files or folders (.txt .md .pdf .docx)."""
    from .indexer import ingest as run_ingest
    from .services import tqdm_progress

    report = run_ingest(_settings(ctx), list(paths), rebuild=rebuild, progress=tqdm_progress(),
                        overrides={"commune": commune} if commune else None)
    if as_json:
        _out(report.to_json())
    else:
        click.echo(f"Đã thêm {len(report.added)}, cập nhật {len(report.updated)}, không đổi "
                   f"{len(report.unchanged)} tệp; chỉ mục có {report.chunks} đoạn ({report.generation}).")
        for name in report.added + report.updated:
            click.echo(f"  + {name}")
    for name, reason in report.failed:
        click.echo(f"Không đọc được {name}: {reason}", err=True)
    if report.failed:
        ctx.exit(1)


def _filters(commune: tuple[str, ...], exclude: tuple[str, ...], section: tuple[str, ...]):  # noqa: ANN202
    from .retrieve import Filters

    return Filters(communes=list(commune), exclude_communes=list(exclude), section_kinds=list(section))


@main.command()
@click.argument("query", required=False)
@click.option("--k", default=10, show_default=True, type=click.IntRange(1, 200))
@click.option("--commune", multiple=True, help="Only this commune (repeatable).")
@click.option("--exclude-commune", multiple=True, help="Leave this commune out (repeatable).")
@click.option("--section", multiple=True,
              type=click.Choice(["ket_qua", "ton_tai", "de_xuat", "phuong_huong", "chi_tieu", "other"]))
@click.option("--mode", type=click.Choice(["hybrid", "bm25", "dense"]), help="Retrieval mode.")
@click.option("--json", "as_json", is_flag=True)
@click.option("--batch", type=str, help="JSON lines {id, q}; '-' for stdin.")
@click.pass_context
def search(ctx: click.Context, query: str | None, k: int, commune, exclude_commune, section, mode,
           as_json: bool, batch: str | None) -> None:
    """Find passages for QUERY (accents optional, abbreviations understood)."""
    if not query and not batch:
        raise UserError("give a QUERY or --batch FILE")
    a = _assistant(ctx)
    f = _filters(commune, exclude_commune, section)
    items = _batch_lines(batch) if batch else [(None, query)]
    for qid, q in items:
        results = a.retriever.search(q, k=k, filters=f, mode=mode)
        if as_json or batch:
            data = {"query": q, "results": [r.to_json() for r in results]}
            _out({"id": qid, **data} if batch else data)
            continue
        if not results:
            click.echo("Không tìm thấy kết quả.")
        for i, r in enumerate(results, start=1):
            c = r.chunk
            click.secho(f"[{i}] {c.commune or c.title} — {c.source} — {c.section or '(đầu văn bản)'} "
                        f"[{c.section_kind}] ({r.score:.3f})", bold=True)
            click.echo("    " + " ".join(c.text.split())[:400])


@main.command()
@click.argument("question", required=False)
@click.option("--k", default=5, show_default=True, type=click.IntRange(1, 50))
@click.option("--json", "as_json", is_flag=True)
@click.option("--batch", type=str, help="JSON lines {id, q}; '-' for stdin.")
@click.option("--no-stream", is_flag=True, help="With an LLM: print the answer only once complete.")
@click.pass_context
def ask(ctx: click.Context, question: str | None, k: int, as_json: bool, batch: str | None,
        no_stream: bool) -> None:
    """Answer QUESTION from the reports and guiding documents, with citations.

    With ASSISTANT_LLM=openai|llamacpp the answer is written by the model from the retrieved
    passages, streamed as it comes, and every figure is checked against them (⟦…⟧ = not found).
    """
    if not question and not batch:
        raise UserError("give a QUESTION or --batch FILE")
    settings = _settings(ctx)
    llm = None
    if settings.llm != "none":
        from .llm import LLMConfigError, make_llm

        try:
            llm = make_llm(settings)
        except LLMConfigError as exc:
            raise UserError(str(exc)) from exc
    a = _assistant(ctx)
    llm_ask = None
    if llm is not None:
        from .llm_answer import llm_answerer

        llm_ask = llm_answerer(a, llm).ask
    stream = settings.llm_stream and not (no_stream or as_json or batch)
    items = _batch_lines(batch) if batch else [(None, question)]
    shown: list[str] = []

    def on_token(text: str) -> None:
        shown.append(text)
        click.echo(text, nl=False)

    for qid, q in items:
        shown.clear()
        if llm_ask is not None:
            ans = llm_ask(q, k=k, stream=stream, on_token=on_token if stream else None)
        else:
            ans = a.answerer.ask(q, k=k)
        if as_json or batch:
            _out({"id": qid, **ans.to_json()} if batch else ans.to_json())
            continue
        if shown:
            click.echo("")
            if ans.mode != "llm":
                click.echo("\n— Câu trả lời offline (offline answer) —")
                click.echo(ans.answer)
        else:
            click.echo(ans.answer)
        click.echo("")
        for c in ans.citations:
            where = f"xã {c.commune} — " if c.commune else ""
            click.echo(f"[{c.n}] {where}{c.source} — {c.section or '(đầu văn bản)'}")
        for w in ans.warnings:
            click.echo(f"Cảnh báo: {w}", err=True)


@main.command(name="eval")
@click.argument("qa_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--mode", "modes", multiple=True, type=click.Choice(["hybrid", "bm25", "dense"]),
              help="Modes to score (default: all available).")
@click.option("--json", "as_json", is_flag=True)
@click.option("--show-failures", is_flag=True)
@click.pass_context
def eval_cmd(ctx: click.Context, qa_file: Path, modes, as_json: bool, show_failures: bool) -> None:
    """Score retrieval (hit@k, MRR) and answers on a question file like dev-qa.jsonl."""
    from .evaluate import EvalFileError, evaluate, load_questions

    try:
        questions = load_questions(qa_file)
    except EvalFileError as exc:
        raise UserError(str(exc)) from exc
    a = _assistant(ctx)
    modes = modes or (("bm25", "dense", "hybrid") if a.retriever.embedder else ("bm25",))
    for mode in modes:
        res = evaluate(a.retriever, questions, mode=mode)
        data = res.to_json()
        if as_json:
            _out(data | ({"failures": res.failures} if show_failures else {}))
        else:
            click.echo("  ".join(f"{key}={val}" for key, val in data.items()))
            if show_failures:
                for fl in res.failures:
                    click.echo(f"    miss {fl}")


@main.command()
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def docs(ctx: click.Context, as_json: bool) -> None:
    """List the indexed documents (commune, kind, chunks)."""
    from .indexstore import IndexStore
    from .services import ensure_index

    settings = _settings(ctx)
    ensure_index(settings)
    store = IndexStore.open(settings.index_dir)
    try:
        rows = store.documents()
        stats = store.stats()
    finally:
        store.close()
    if as_json:
        _out({"index": stats, "documents": rows})
        return
    click.echo(f"{stats['documents']} tài liệu, {stats['chunks']} đoạn, embeddings={stats['embedder']}")
    for d in rows:
        click.echo(f"  {d['doc_id']:<28} {d['commune'] or '-':<12} {d['kind'] or '-':<9} {d['n_chunks']:>4}  {d['title'][:70]}")


# Commands that live in their own modules (drafting, comparison, web app); each lists COMMANDS.
_COMMAND_MODULES = ("assistant.cli_draft", "assistant.cli_compare", "assistant.cli_serve")


def _register_commands() -> None:
    import importlib

    for name in _COMMAND_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name == name:
                continue
            raise
        for command in module.COMMANDS:
            main.add_command(command)


_register_commands()


def run() -> None:
    """Entry point that turns expected failures into one plain line instead of a traceback."""
    from .backends.embedders import MissingExtra
    from .indexstore import IndexMismatch, IndexMissing

    try:
        rc = main(standalone_mode=False)
        sys.exit(rc if isinstance(rc, int) else 0)
    except click.exceptions.Abort:
        click.echo("Đã dừng.", err=True)
        sys.exit(130)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except (IndexMismatch, IndexMissing, MissingExtra, ValueError) as exc:
        click.echo(f"Lỗi: {exc}", err=True)
        sys.exit(2)
    except KeyboardInterrupt:
        sys.exit(130)
    except Exception as exc:  # noqa: BLE001 - last resort: never a traceback for users
        if os.environ.get("ASSISTANT_DEBUG"):
            raise
        click.echo(f"Lỗi không mong đợi ({exc.__class__.__name__}): {exc}. "
                   "Chạy lại với ASSISTANT_DEBUG=1 để xem chi tiết.", err=True)
        sys.exit(1)
