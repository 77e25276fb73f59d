"""Benchmark: first ingest of the bundled corpus, then per-query search/ask latency (median, p95),
and `ask` latency per kind of question (the question as understood by the library).

Usage: python scripts/bench_search.py [--repeat 5] [--questions FILE ...]
Prints a Markdown table for the README. Machines are noisy: quote medians and ratios.
"""

from __future__ import annotations

import argparse
import json
import logging
import statistics
import tempfile
import time
from pathlib import Path

from assistant.ingest.pipeline import ingest
from assistant.qa.evaluate import evaluate, load_questions
from assistant.qa.extractive import Answerer
from assistant.qa.retriever import Retriever
from assistant.settings import REPO_DIR, get_settings

DEFAULT_QA = [REPO_DIR.parent / "shared" / "dev-qa.jsonl", REPO_DIR.parent / "shared" / "dev-qa-2.jsonl",
              REPO_DIR / "tests/data/heldout-qa.jsonl"]


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--questions", type=Path, nargs="*", default=[p for p in DEFAULT_QA if p.exists()])
    ap.add_argument("--eval", type=Path, nargs="*", default=[], help="question files to score")
    args = ap.parse_args()
    logging.basicConfig(level=logging.WARNING)
    questions = [q["q"] for f in args.questions for q in load_questions(f)]

    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for emb in ("e5-small-q4", "none"):
            s = get_settings(index_dir=Path(tmp) / emb, embeddings=emb)
            t0 = time.perf_counter()
            rep = ingest(s)
            t_ingest = time.perf_counter() - t0
            t0 = time.perf_counter()
            r = Retriever(s)
            a = Answerer(r)
            t_load = time.perf_counter() - t0
            for q in questions[:3]:  # warm up: the vector index is paged in by the first query
                r.search(q, k=10)
            for mode in (("hybrid", "bm25", "dense") if emb != "none" else ("bm25",)):
                lat = []
                for _ in range(args.repeat):
                    for q in questions:
                        t0 = time.perf_counter()
                        r.search(q, k=10, mode=mode)
                        lat.append((time.perf_counter() - t0) * 1000)
                rows.append((emb, mode, "search", statistics.median(lat), pct(lat, 95), t_ingest, t_load, rep.chunks))
            lat, by_kind = [], {}
            for _ in range(args.repeat):
                for q in questions:
                    t0 = time.perf_counter()
                    kind = a.ask(q).kind
                    ms = (time.perf_counter() - t0) * 1000
                    lat.append(ms)
                    by_kind.setdefault(kind, []).append(ms)
            rows.append((emb, r.mode, "ask", statistics.median(lat), pct(lat, 95), t_ingest, t_load, rep.chunks))
            for kind, ms in sorted(by_kind.items()):
                rows.append((emb, r.mode, f"ask: {kind} ({len(ms) // args.repeat})", statistics.median(ms),
                             pct(ms, 95), t_ingest, t_load, rep.chunks))
            for f in args.eval:
                qs = load_questions(f)
                for mode in (("bm25", "dense", "hybrid") if emb != "none" else ("bm25",)):
                    res = evaluate(r, qs, mode=mode).to_json()
                    print(json.dumps({"file": f.name, "embeddings": emb, **res}, ensure_ascii=False))
            r.close()

    print(f"\n{len(questions)} questions × {args.repeat} repeats\n")
    print("| embeddings | mode | call | median ms | p95 ms | first ingest s | load s | chunks |")
    print("|---|---|---|---|---|---|---|---|")
    for emb, mode, call, med, p95, ti, tl, n in rows:
        print(f"| {emb} | {mode} | {call} | {med:.1f} | {p95:.1f} | {ti:.1f} | {tl:.2f} | {n} |")


if __name__ == "__main__":
    main()
