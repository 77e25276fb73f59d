"""Overhead of the LLM answer path, measured against the fake OpenAI-compatible server.

No real model runs here, so this measures what the assistant itself adds around a model:
retrieval, prompt building, the HTTP round trip through langchain-openai, streaming, and the
number verifier — plus the size of the prompts a real server would have to read.

    python scripts/bench_llm.py                 # temporary hash-embedder index, blind questions
    python scripts/bench_llm.py --index-dir index --embeddings e5-small-q4
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from assistant.settings import Settings  # noqa: E402
from tests.test_llm_server import FakeOpenAIServer, Reply, grounded_reply  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from tests.support import register_fakes  # noqa: E402 - the hash-test embedder lives with the tests

register_fakes()


def _ms(xs: list[float]) -> str:
    xs = sorted(xs)
    p90 = xs[min(len(xs) - 1, int(0.9 * len(xs)))]
    return f"{1000 * statistics.median(xs):.0f} / {1000 * p90:.0f}"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--index-dir", type=Path, help="Existing index (default: build a temporary one).")
    ap.add_argument("--embeddings", default="hash-test", help="Embedder of that index.")
    ap.add_argument("--questions", type=Path, default=REPO / "tests" / "data" / "blind-qa.jsonl")
    ap.add_argument("--k", type=int, default=5)
    args = ap.parse_args()

    from assistant.ingest.pipeline import ingest
    from assistant.llm import make_llm
    from assistant.qa.extractive import Answerer
    from assistant.qa.llm_answer import LLMAnswerer, build_qa_messages
    from assistant.qa.retriever import Retriever

    tmp = tempfile.TemporaryDirectory()
    index_dir = args.index_dir or Path(tmp.name) / "index"
    base = Settings(index_dir=index_dir, corpus_dir=REPO / "corpus", embeddings=args.embeddings)
    if args.index_dir is None:
        ingest(base)
    questions = [json.loads(line)["q"] for line in args.questions.read_text(encoding="utf-8").splitlines()
                 if line.strip()]
    server = FakeOpenAIServer()
    s = base.model_copy(update={"llm": "openai", "llm_base_url": server.url, "llm_model": "bench"})
    r = Retriever(s)
    offline = Answerer(r)
    llm = LLMAnswerer(r, offline, make_llm(s), s)
    llm.ask(questions[0])  # warm up (imports, first connection)

    rows: dict[str, list[float]] = {"offline": [], "llm": [], "stream": [], "first": []}
    prompt_chars, prompt_words = [], []
    for q in questions:
        t0 = time.perf_counter()
        offline.ask(q, k=args.k)
        rows["offline"].append(time.perf_counter() - t0)

        server.queue(Reply(grounded_reply))
        t0 = time.perf_counter()
        ans = llm.ask(q, k=args.k)
        rows["llm"].append(time.perf_counter() - t0)
        assert ans.mode == "llm", ans.warnings

        server.queue(Reply(grounded_reply))
        first: list[float] = []
        t0 = time.perf_counter()
        llm.ask(q, k=args.k, stream=True, on_token=lambda _t, f=first: f or f.append(time.perf_counter()))
        rows["stream"].append(time.perf_counter() - t0)
        rows["first"].append((first[0] if first else time.perf_counter()) - t0)

        msgs = build_qa_messages(q, llm.passages(q, args.k), s.prompts_dir)
        text = "".join(m.content for m in msgs)
        prompt_chars.append(len(text))
        prompt_words.append(len(text.split()))
    r.close()
    server.close()

    print(f"{len(questions)} questions, k={args.k}, embeddings={args.embeddings}; median / p90 in ms\n")
    print("| path | latency (ms) |")
    print("|---|---|")
    print(f"| offline extractive answer | {_ms(rows['offline'])} |")
    print(f"| LLM path, fake server, non-streaming (retrieve + prompt + HTTP + verify) | {_ms(rows['llm'])} |")
    print(f"| LLM path, fake server, streaming, whole answer | {_ms(rows['stream'])} |")
    print(f"| LLM path, fake server, streaming, first text shown | {_ms(rows['first'])} |")
    print(f"\nprompt size (system + user): median {statistics.median(prompt_chars):.0f} characters, "
          f"{statistics.median(prompt_words):.0f} whitespace-separated words (max {max(prompt_chars)} chars)")


if __name__ == "__main__":
    main()
