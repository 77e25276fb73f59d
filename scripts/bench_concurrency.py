"""Benchmark: 20 simultaneous `ask` requests, alone and beside 3 simultaneous uploads, on one served app.

Usage: python scripts/bench_concurrency.py [--embeddings e5-small-q4|hash-test|none] [--rounds 3]
                                           [--asks 20] [--uploads 3] [--threads N] [--json PATH]

One app (`assistant.web.app.build_app` + `launch(block=False)`) serves a fresh index built in a
temporary folder from a copy of `corpus/` (or a copy of `--from-index`); the repository's
`index/` is never touched. Every request goes through `gradio_client` to the public endpoints
`/hoi_dap` (Q&A) and `/tai_len` (upload), one client (browser session) per simulated user.

Each round has three phases:
  0. `asks` questions one after another (the latency of a lone request, for reference);
  1. `asks` questions fired at once (nothing else running);
  2. the same number of questions plus `uploads` new reports (.docx/.txt/.md made from the seed
     reports with another commune's name, «Tên xã» filled in) fired at the same instant.
Latency is client-side, from the request to the final streamed message (queue wait included).
After phase 2 the index must still hold every earlier document plus the uploaded ones. The
table gives the median over rounds of each round's p50 / p95 / max. Uploads differ per round,
so the index grows by `uploads` reports each round.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import os
import platform
import shutil
import socket
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from assistant.index.store import IndexStore
from assistant.qa.evaluate import load_questions
from assistant.settings import REPO_DIR, Settings
from assistant.text.normalize import fold

log = logging.getLogger("bench_concurrency")

SEEDS = REPO_DIR / "corpus" / "reports"
DEFAULT_QA = [REPO_DIR.parent / "shared" / "dev-qa.jsonl", REPO_DIR / "tests" / "data" / "heldout-qa.jsonl"]
# Communes that appear nowhere in the corpus; the uploaded reports are renamed to these.
NEW_COMMUNES = ["Hòa Bình", "Yên Lạc", "Phú Mỹ", "Thạch Long", "Vĩnh Hưng", "Quảng Lợi",
                "Kim Sơn", "Hồng Phong", "Minh Đức", "Lạc Thủy", "Cẩm Hà", "Nam Hải"]
FORMATS = [".docx", ".txt", ".md"]
CITE_MARK = "<details class='cite'>"


# ------------------------------------------------------------------ inputs
def questions_from(paths: list[Path]) -> list[str]:
    """Question texts from files in the format of dev-qa.jsonl (missing files are skipped)."""
    return [q["q"] for p in paths if p.exists() for q in load_questions(p)]


def pick(questions: list[str], n: int, offset: int = 0) -> list[str]:
    """`n` questions starting at `offset`, wrapping around."""
    return [questions[(offset + i) % len(questions)] for i in range(n)]


@dataclass
class Report:
    """A report file to upload and its commune (typed in the form's «Tên xã» field)."""

    path: Path
    commune: str


def make_reports(dest: Path, n: int, *, start: int = 0, seeds_dir: Path = SEEDS) -> list[Report]:
    """`n` report files made from the seed reports, each renamed to a commune the corpus lacks.

    Formats cycle .docx / .txt / .md; report `start + i` gets `NEW_COMMUNES[start + i]` (with a
    number once the list runs out), so every call with a new `start` gives new content.
    """
    seeds = sorted(seeds_dir.glob("*.txt"))
    dest.mkdir(parents=True, exist_ok=True)
    out = []
    for i in range(start, start + n):
        seed = seeds[i % len(seeds)]
        old = yaml.safe_load(seed.with_suffix(".meta.yaml").read_text(encoding="utf-8"))["commune"]
        new = NEW_COMMUNES[i % len(NEW_COMMUNES)] + (f" {i // len(NEW_COMMUNES) + 1}" if i >= len(NEW_COMMUNES) else "")
        text = seed.read_text(encoding="utf-8").replace(old, new).replace(old.upper(), new.upper())
        ext = FORMATS[i % len(FORMATS)]
        path = dest / f"bao_cao_{fold(new).replace(' ', '_')}_2025{ext}"
        if ext == ".docx":
            import docx

            d = docx.Document()
            for line in text.splitlines():
                if line.strip():
                    d.add_paragraph(line.strip())
            d.save(path)
        else:
            path.write_text(text, encoding="utf-8")
        out.append(Report(path, new))
    return out


# ------------------------------------------------------------------ the served app
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def prepare(workdir: Path, *, embeddings: str, threads: int | None = None,
            from_index: Path | None = None) -> Settings:
    """Settings over a private copy of the corpus and an index built there (or copied)."""
    from assistant.ingest.pipeline import ingest

    corpus = workdir / "corpus"
    shutil.copytree(REPO_DIR / "corpus", corpus, ignore=shutil.ignore_patterns("uploads"))
    settings = Settings(index_dir=workdir / "index", corpus_dir=corpus, embeddings=embeddings, threads=threads)
    if from_index:
        shutil.copytree(from_index, settings.index_dir)
        log.info("copied the index from %s", from_index)
    else:
        t0 = time.perf_counter()
        report = ingest(settings)
        if not report.ok:
            raise RuntimeError(f"the corpus did not index: {report.failed}")
        log.info("indexed the corpus with %s: %d chunks in %.1f s", embeddings, report.chunks,
                 time.perf_counter() - t0)
    return settings


@contextlib.contextmanager
def serve(settings: Settings) -> Iterator[str]:
    """One app over `settings` on 127.0.0.1 (a server thread in this process); yields its URL."""
    from assistant.web.app import build_app, launch

    demo = build_app(settings)
    url = launch(demo, settings, host="127.0.0.1", port=free_port(), block=False, quiet=True)
    log.info("app serving %s at %s", settings.index_dir, url)
    try:
        yield url
    finally:
        demo.close()
        demo.assistant_context.close()


def document_ids(settings: Settings) -> dict[str, str]:
    """doc_id -> commune of every document in the live index (read straight from SQLite)."""
    store = IndexStore.open(settings.index_dir)
    try:
        return {d["doc_id"]: d["commune"] or "" for d in store.documents()}
    finally:
        store.close()


# ------------------------------------------------------------------ one phase
@dataclass
class Call:
    kind: str  # "ask" | "upload"
    what: str  # the question or the file name
    seconds: float = 0.0
    error: str = ""
    cited: bool = False  # ask: the answer came with at least one expandable source
    answer: str = ""  # ask: the final message; upload: the result message


@dataclass
class Phase:
    name: str
    calls: list[Call] = field(default_factory=list)
    wall: float = 0.0

    def of(self, kind: str) -> list[Call]:
        return [c for c in self.calls if c.kind == kind]

    @property
    def errors(self) -> list[Call]:
        return [c for c in self.calls if c.error]


def _text(message: dict) -> str:
    content = message["content"]
    if isinstance(content, str):
        return content
    return "".join(part.get("text", "") for part in content if isinstance(part, dict))


def _close(client) -> None:  # noqa: ANN001
    with contextlib.suppress(Exception):
        client.close()


def _ask(client, call: Call) -> None:  # noqa: ANN001 - gradio_client.Client
    chat, _, _ = client.predict(call.what, [], {}, "Tất cả các xã", api_name="/hoi_dap")
    call.answer = "\n".join(_text(m) for m in chat[1:]) if chat else ""  # the sources block and the answer
    call.cited = CITE_MARK in call.answer
    if not call.answer.strip():
        call.error = "empty answer"


def _upload(client, call: Call, report: Report) -> None:  # noqa: ANN001
    from gradio_client import handle_file

    message = client.predict([handle_file(str(report.path))], report.commune, api_name="/tai_len")[0]
    call.answer = message
    if "✅" not in message:
        call.error = f"upload not added: {message}"


def run_phase(url: str, name: str, questions: list[str], uploads: list[Report] = ()) -> Phase:
    """Fire every question and upload at the same instant, each from its own browser session."""
    from gradio_client import Client

    jobs = [(Call("ask", q), None) for q in questions] + [(Call("upload", r.path.name), r) for r in uploads]
    with ThreadPoolExecutor(len(jobs)) as pool:  # one session per user, connected before the clock starts
        clients = list(pool.map(lambda _: Client(url, verbose=False, analytics_enabled=False,
                                                 download_files=False), jobs))
    start = threading.Barrier(len(jobs))

    def one(client, call: Call, report: Report | None) -> Call:  # noqa: ANN001
        start.wait()
        t0 = time.perf_counter()
        try:
            if report is None:
                _ask(client, call)
            else:
                _upload(client, call, report)
        except Exception as exc:  # noqa: BLE001 - every failure is counted and reported
            call.error = f"{type(exc).__name__}: {exc}"
        call.seconds = time.perf_counter() - t0
        return call

    t0 = time.perf_counter()
    with ThreadPoolExecutor(len(jobs)) as pool:
        calls = list(pool.map(lambda j: one(j[0], *j[1]), zip(clients, jobs, strict=True)))
    phase = Phase(name, calls, time.perf_counter() - t0)
    with ThreadPoolExecutor(len(clients)) as pool:  # each close waits up to 1 s for its heartbeat
        list(pool.map(_close, clients))
    for c in phase.errors:
        log.error("%s %s failed after %.1f s: %s", c.kind, c.what[:60], c.seconds, c.error)
    return phase


def run_sequential(url: str, questions: list[str]) -> Phase:
    """The same questions one after another from one session: the latency of a lone request."""
    from gradio_client import Client

    client = Client(url, verbose=False, analytics_enabled=False, download_files=False)
    phase = Phase("one at a time")
    t0 = time.perf_counter()
    for q in questions:
        call = Call("ask", q)
        t1 = time.perf_counter()
        try:
            _ask(client, call)
        except Exception as exc:  # noqa: BLE001
            call.error = f"{type(exc).__name__}: {exc}"
        call.seconds = time.perf_counter() - t1
        phase.calls.append(call)
    phase.wall = time.perf_counter() - t0
    _close(client)
    return phase


# ------------------------------------------------------------------ statistics and the table
def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def summary(phase: Phase) -> dict:
    asks = [c.seconds for c in phase.of("ask") if not c.error]
    ups = [c.seconds for c in phase.of("upload") if not c.error]
    out = {"asks": len(phase.of("ask")), "uploads": len(phase.of("upload")), "errors": len(phase.errors),
           "uncited": sum(1 for c in phase.of("ask") if not c.error and not c.cited), "wall_s": phase.wall}
    if asks:
        out.update(ask_p50_s=statistics.median(asks), ask_p95_s=pct(asks, 95), ask_max_s=max(asks))
    if ups:
        out.update(upload_max_s=max(ups))
    out["ask_seconds"] = [round(x, 3) for x in sorted(asks)]
    out["upload_seconds"] = [round(x, 3) for x in sorted(ups)]
    return out


def table(rounds: list[dict], embeddings: str) -> str:
    rows = ["| phase | requests at once | ask p50 s | ask p95 s | ask max s | last upload done s | errors | docs lost |",
            "|---|---|---|---|---|---|---|---|"]
    for key, label in (("sequential", "asks one at a time"), ("alone", "asks alone"),
                       ("with_uploads", "asks + uploads")):
        sums = [r[key] for r in rounds]

        def med(name: str, sums: list[dict] = sums) -> str:
            vals = [s[name] for s in sums if name in s]
            return f"{statistics.median(vals):.2f}" if vals else "–"

        first = sums[0]
        at_once = "1" if key == "sequential" else (
            f"{first['asks']} ask" + (f" + {first['uploads']} upload" if first["uploads"] else ""))
        lost = sum(r["lost"] for r in rounds) if key == "with_uploads" else "–"
        rows.append(f"| {label} | {at_once} | {med('ask_p50_s')} | {med('ask_p95_s')} | {med('ask_max_s')} | "
                    f"{med('upload_max_s')} | {sum(s['errors'] for s in sums)} | {lost} |")
    return (f"Embeddings `{embeddings}`, {len(rounds)} rounds; latency = median over rounds.\n\n"
            + "\n".join(rows))


# ------------------------------------------------------------------ main
def run_round(url: str, settings: Settings, questions: list[str], n_asks: int, n_uploads: int,
              i: int, upload_dir: Path) -> dict:
    log.info("round %d: %d asks one at a time", i + 1, n_asks)
    sequential = run_sequential(url, pick(questions, n_asks, i * n_asks + 3))
    log.info("round %d: %d asks alone", i + 1, n_asks)
    alone = run_phase(url, "alone", pick(questions, n_asks, i * n_asks))
    before = document_ids(settings)
    files = make_reports(upload_dir / f"round{i + 1}", n_uploads, start=i * n_uploads)
    log.info("round %d: %d asks + %d uploads (%s)", i + 1, n_asks, n_uploads, ", ".join(r.path.name for r in files))
    mixed = run_phase(url, "with_uploads", pick(questions, n_asks, i * n_asks + 7), files)
    after = document_ids(settings)
    lost = sorted(set(before) - set(after))
    missing = sorted(r.path.name for r in files if r.path.name not in after)
    if lost or missing:
        log.error("round %d: lost %s, uploads missing %s", i + 1, lost, missing)
    result = {"sequential": summary(sequential), "alone": summary(alone), "with_uploads": summary(mixed), "docs_before": len(before),
              "docs_after": len(after), "lost": len(lost) + len(missing), "lost_ids": lost + missing}
    log.info("round %d: alone p50/p95 %.2f/%.2f s; with uploads p50/p95 %.2f/%.2f s; docs %d -> %d",
             i + 1, result["alone"].get("ask_p50_s", 0), result["alone"].get("ask_p95_s", 0),
             result["with_uploads"].get("ask_p50_s", 0), result["with_uploads"].get("ask_p95_s", 0),
             len(before), len(after))
    return result


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--embeddings", default="e5-small-q4", help="e5-small-q4 (default), hash-test or none")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--asks", type=int, default=20)
    ap.add_argument("--uploads", type=int, default=3)
    ap.add_argument("--threads", type=int, default=None, help="embedder threads (default: all cores)")
    ap.add_argument("--questions", type=Path, nargs="*", default=DEFAULT_QA)
    ap.add_argument("--from-index", type=Path, help="copy this index instead of building one")
    ap.add_argument("--json", type=Path, help="also write the per-round results here")
    args = ap.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    for noisy in ("httpx", "httpcore", "gradio", "gradio_client", "chromadb", "urllib3", "bm25s"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    if args.embeddings == "hash-test":  # the test fake lives with the tests, not in the package
        sys.path.insert(0, str(REPO_DIR))
        from tests.support import register_fakes

        register_fakes()
    questions = questions_from(args.questions)
    if not questions:
        ap.error("no questions found")

    load_at_start = os.getloadavg()
    work = Path(tempfile.mkdtemp(prefix="bench-concurrency-"))
    try:
        settings = prepare(work, embeddings=args.embeddings, threads=args.threads, from_index=args.from_index)
        with serve(settings) as url:
            warm = run_phase(url, "warm-up", questions[:4])  # load the model pages, compile paths
            log.info("warm-up: %d asks in %.1f s", len(warm.calls), warm.wall)
            rounds = [run_round(url, settings, questions, args.asks, args.uploads, i, work / "uploads")
                      for i in range(args.rounds)]
    finally:
        shutil.rmtree(work, ignore_errors=True)

    print(table(rounds, args.embeddings))
    if args.json:
        machine = {"cpus": os.cpu_count(), "platform": platform.platform(), "python": platform.python_version(),
                   "load_avg_start": load_at_start, "load_avg_end": os.getloadavg()}
        args.json.write_text(json.dumps({"embeddings": args.embeddings, "threads": args.threads,
                                         "asks": args.asks, "uploads": args.uploads, "machine": machine,
                                         "rounds": rounds}, ensure_ascii=False, indent=2), encoding="utf-8")
    failed = any(r["lost"] or any(r[k]["errors"] for k in ("sequential", "alone", "with_uploads"))
                 for r in rounds)
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())

