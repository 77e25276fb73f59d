"""Benchmark: hostile uploads — peak memory of reading each one, and question latency while a
served app handles all of them at once.

    python scripts/bench_hostile.py memory [--small] [--json PATH]
    python scripts/bench_hostile.py serve [--small] [--embeddings e5-small-q4] [--rounds 3] [--asks 20]

`memory`: each hostile file of scripts/make_hostile_fixtures.py (the issue's sizes; `--small`:
the test sizes and `TEST_LIMITS`) is read by `ingest.pipeline.parse_file` in a fresh Python
process under the default limits; the table gives the outcome, the seconds and the process's
peak RSS, next to a baseline process that reads a real small report.

`serve`: one app (`build_app` + `launch(block=False)`) over a fresh index of the bundled corpus;
each round fires `--asks` questions and one upload of every hostile file (the figures .xlsx
through the drafting tab's loader) at the same instant, each from its own browser session
(`gradio_client`). The table gives the question p50/p95 (medians over rounds) and each upload's
outcome. The aim: p95 under 2 s while every hostile upload is refused or processed within its limits.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import logging
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

log = logging.getLogger("bench_hostile")


def _script(name: str):  # noqa: ANN202 - a module of scripts/
    key = f"_scripts_{name}"
    if key not in sys.modules:
        spec = importlib.util.spec_from_file_location(key, HERE / f"{name}.py")
        module = importlib.util.module_from_spec(spec)
        sys.modules[key] = module
        spec.loader.exec_module(module)
    return sys.modules[key]


# ------------------------------------------------------------------ memory

CHILD = r"""
import json, resource, sys, time
from pathlib import Path
from assistant.ingest.pipeline import parse_file
from assistant.ingest.loaders import UnreadableFile
from assistant.settings import Settings
path, limits = Path(sys.argv[1]), json.loads(sys.argv[2])
settings = Settings(index_dir=Path(sys.argv[3]), embeddings="none", **limits)
t0 = time.perf_counter()
try:
    if path.suffix == ".xlsx":
        from assistant.domain.figures import FiguresError, load_figures
        try:
            load_figures(path); outcome = "read"
        except FiguresError as exc:
            outcome = "refused: " + " ".join(exc.problems)
    else:
        doc, chunks = parse_file(path, settings)
        outcome = f"read: {len(chunks)} passages"
except UnreadableFile as exc:
    outcome = "refused: " + exc.reason
seconds = time.perf_counter() - t0
try:  # the high-water mark of this process (ru_maxrss would include the parent's, kept across exec)
    hwm = next(int(l.split()[1]) for l in open("/proc/self/status") if l.startswith("VmHWM:")) / 1024
except OSError:
    hwm = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"outcome": outcome, "seconds": seconds, "peak_rss_mb": hwm}))
"""


def measure(path: Path, limits: dict, workdir: Path) -> dict:
    proc = subprocess.run([sys.executable, "-c", CHILD, str(path), json.dumps(limits), str(workdir / "index")],
                          capture_output=True, text=True, cwd=HERE.parent, timeout=1800)
    if proc.returncode:
        return {"outcome": f"crashed: {proc.stderr.strip().splitlines()[-1:]}", "seconds": 0, "peak_rss_mb": 0}
    return json.loads(proc.stdout.strip().splitlines()[-1])


def run_memory(small: bool, out: Path | None) -> list[dict]:
    hostile = _script("make_hostile_fixtures")
    limits = hostile.TEST_LIMITS if small else {}
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        t0 = time.perf_counter()
        files = hostile.make_all(work / "files", full=not small)
        log.info("wrote the hostile files in %.0f s", time.perf_counter() - t0)
        base = HERE.parent / "tests" / "fixtures" / "ingest" / "xuan_phong_2025.docx"
        for name, path, what in [("baseline (a real report)", base, "5-paragraph .docx"),
                                 *((h.path.name, h.path, h.what) for h in files)]:
            got = measure(path, limits, work)
            rows.append({"file": name, "what": what, "bytes": path.stat().st_size, **got})
            log.info("%s: %s", name, rows[-1])
    print("| file | what | size on disk | outcome | seconds | peak RSS |")
    print("|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['file']} | {r['what']} | {r['bytes'] / 1024:,.0f} KB | {r['outcome'][:110]} | "
              f"{r['seconds']:.2f} | {r['peak_rss_mb']:.0f} MB |")
    if out:
        out.write_text(json.dumps(rows, ensure_ascii=False, indent=1), encoding="utf-8")
    return rows


# ------------------------------------------------------------------ served app


@dataclass
class Upload:
    file: str
    limit: str | None
    seconds: float = 0.0
    message: str = ""
    error: str = ""

    @property
    def outcome(self) -> str:
        if self.error:
            return "error"
        if "✅" in self.message:
            return "processed"
        if "❌" in self.message:
            return "refused"
        return "other"


@dataclass
class Round:
    asks: list = field(default_factory=list)  # bench_concurrency.Call
    uploads: list[Upload] = field(default_factory=list)
    alone: list = field(default_factory=list)  # the same questions at once, without uploads


def _upload(client, up: Upload, path: Path) -> None:  # noqa: ANN001 - gradio_client.Client
    from gradio_client import handle_file

    if path.suffix == ".xlsx":  # a figures file, through the drafting tab
        up.message = client.predict(handle_file(str(path)), api_name="/nap_so_lieu")[-1]
    else:
        up.message = client.predict([handle_file(str(path))], "", True, api_name="/tai_len")[0]


def run_round(url: str, questions: list[str], hostile: list) -> Round:  # noqa: ANN001
    """Every question and every hostile upload at the same instant, each from its own session."""
    from gradio_client import Client

    conc = _script("bench_concurrency")
    asks = [conc.Call("ask", q) for q in questions]
    ups = [Upload(h.path.name, h.limit) for h in hostile]
    jobs: list = [(a, None) for a in asks] + list(zip(ups, hostile, strict=True))
    with ThreadPoolExecutor(len(jobs)) as pool:
        clients = list(pool.map(lambda _: Client(url, verbose=False, analytics_enabled=False,
                                                 download_files=False), jobs))
    start = threading.Barrier(len(jobs))

    def one(client, item, h) -> None:  # noqa: ANN001
        start.wait()
        t0 = time.perf_counter()
        try:
            if h is None:
                conc._ask(client, item)  # noqa: SLF001
            else:
                _upload(client, item, h.path)
        except Exception as exc:  # noqa: BLE001 - every failure is counted
            item.error = f"{type(exc).__name__}: {exc}"
        item.seconds = time.perf_counter() - t0

    with ThreadPoolExecutor(len(jobs)) as pool:
        list(pool.map(lambda j: one(j[0], *j[1]), zip(clients, jobs, strict=True)))
    with ThreadPoolExecutor(len(clients)) as pool:
        list(pool.map(conc._close, clients))  # noqa: SLF001
    return Round(asks, ups)


def serve_rounds(workdir: Path, *, embeddings: str, small: bool, rounds: int, n_asks: int,
                 threads: int | None = None, from_index: Path | None = None,
                 baseline: bool = False) -> list[Round]:
    """`rounds` rounds over one served app; with `baseline`, each round first asks the same
    questions at once without uploads (the machine's own latency, for comparison)."""
    conc = _script("bench_concurrency")
    hostile = _script("make_hostile_fixtures")
    settings = conc.prepare(workdir, embeddings=embeddings, threads=threads, from_index=from_index)
    if small:
        settings = settings.model_copy(update=hostile.TEST_LIMITS)
    files = hostile.make_all(workdir / "hostile", full=not small)
    questions = conc.questions_from(conc.DEFAULT_QA)
    out = []
    with conc.serve(settings) as url:
        for i in range(rounds):
            asked = conc.pick(questions, n_asks, offset=i * n_asks)
            alone = conc.run_phase(url, "alone", asked).calls if baseline else []
            rnd = run_round(url, asked, files)
            rnd.alone = alone
            out.append(rnd)
            delete_processed(settings, rnd)  # the next round uploads the same files again
    return out


def delete_processed(settings, rnd: Round) -> None:  # noqa: ANN001 - Settings
    """Remove what a round's uploads added, so the next round repeats the same work (the app
    notices the change on disk and reloads)."""
    from assistant.index.library import delete_documents

    added = [u.file for u in rnd.uploads if u.outcome == "processed"]
    if added:
        delete_documents(settings, added)


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def run_serve(args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        rounds = serve_rounds(Path(tmp), embeddings=args.embeddings, small=args.small, rounds=args.rounds,
                              n_asks=args.asks, threads=args.threads, baseline=True)
    p50 = statistics.median(statistics.median([c.seconds for c in r.asks]) for r in rounds)
    p95 = statistics.median(pct([c.seconds for c in r.asks], 95) for r in rounds)
    b50 = statistics.median(statistics.median([c.seconds for c in r.alone]) for r in rounds)
    b95 = statistics.median(pct([c.seconds for c in r.alone], 95) for r in rounds)
    errors = sum(1 for r in rounds for c in r.asks if c.error)
    print(f"{args.asks} questions at once, {len(rounds)} rounds, embeddings {args.embeddings}: alone p50 "
          f"{b50:.2f} s, p95 {b95:.2f} s; with {len(rounds[0].uploads)} hostile uploads at the same instant "
          f"p50 {p50:.2f} s, p95 {p95:.2f} s, errors {errors}")
    print("| upload | limit | outcome | seconds (median) | message |")
    print("|---|---|---|---|---|")
    for i, u in enumerate(rounds[0].uploads):
        secs = statistics.median(r.uploads[i].seconds for r in rounds)
        msg = (u.error or u.message).replace("\n", " ")[:140]
        print(f"| {u.file} | {u.limit or '–'} | {u.outcome} | {secs:.1f} | {msg} |")
    if args.json:
        args.json.write_text(json.dumps({
            "embeddings": args.embeddings, "asks": args.asks, "rounds": len(rounds), "ask_p50_s": p50,
            "ask_p95_s": p95, "alone_p50_s": b50, "alone_p95_s": b95, "errors": errors,
            "uploads": [{"file": u.file, "outcome": u.outcome, "message": u.message, "error": u.error,
                         "seconds": [r.uploads[i].seconds for r in rounds]}
                        for i, u in enumerate(rounds[0].uploads)],
            "ask_seconds": [[round(c.seconds, 3) for c in r.asks] for r in rounds]},
            ensure_ascii=False, indent=1), encoding="utf-8")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("part", choices=["memory", "serve"])
    ap.add_argument("--small", action="store_true", help="test-sized files against the test limits")
    ap.add_argument("--embeddings", default="e5-small-q4")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--asks", type=int, default=20)
    ap.add_argument("--threads", type=int, default=None)
    ap.add_argument("--json", type=Path)
    args = ap.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    for noisy in ("httpx", "gradio", "chromadb", "bm25s", "pypdf"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    if args.part == "memory":
        run_memory(args.small, args.json)
    else:
        run_serve(args)


if __name__ == "__main__":
    main()
