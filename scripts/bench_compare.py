"""How long «So sánh» takes for one commune's section, before and after scoring peers with the
index's stored vectors.

    python scripts/bench_compare.py --index-dir /path/to/e5-index [--commune "Đại Sơn"] [--section ton_tai]
    python scripts/bench_compare.py --index-dir … --before ade6e7f     # also time the old comparer

Without --index-dir the bundled corpus is indexed first with the default embedder (a minute or
two on 2 cores). Four timings, each the median of --repeat runs:
- `before` (with --before REV): the comparer of that git revision, which embedded every peer
  passage it weighed;
- `new comparer`: a comparer just built over the loaded index (the first comparison after the
  index is loaded or changed: the levels' sample paragraphs and the section's own paragraphs are
  embedded);
- `first time for this section`: the comparer has compared other sections already;
- `after a reload`: a new comparer given the paragraph vectors an earlier one computed (what the
  web app does when an upload or a delete reloads the index);
- `again`: the same comparison a second time (everything it embedded is remembered).
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))


def _median(fn, repeat: int) -> float:  # noqa: ANN001
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _old_comparer(rev: str):  # noqa: ANN202 - the PeerComparer class of an older revision
    source = subprocess.run(["git", "-C", str(REPO), "show", f"{rev}:assistant/compare/peers.py"],
                            capture_output=True, text=True, check=True).stdout
    path = Path(tempfile.mkdtemp()) / "old_peers.py"
    path.write_text(source, encoding="utf-8")
    spec = importlib.util.spec_from_file_location("old_peers", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules["old_peers"] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module.PeerComparer


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--index-dir", type=Path)
    ap.add_argument("--commune", default="Đại Sơn")
    ap.add_argument("--section", default="ton_tai")
    ap.add_argument("--k", type=int, default=2)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--before", metavar="REV", help="Also time the comparer of this git revision.")
    args = ap.parse_args()

    from assistant.compare.peers import COMPARE_KINDS, PeerComparer
    from assistant.qa.retriever import Retriever
    from assistant.settings import Settings

    index_dir = args.index_dir
    if index_dir is None:
        from assistant.ingest.pipeline import ingest

        index_dir = Path(tempfile.mkdtemp()) / "index"
        print(f"indexing the bundled corpus into {index_dir} …", file=sys.stderr)
        ingest(Settings(index_dir=index_dir, corpus_dir=REPO / "corpus"))
    retriever = Retriever(Settings(index_dir=index_dir, corpus_dir=REPO / "corpus"))
    retriever.search("khởi động", k=3)  # the embedder and Chroma loaded, as in a running app
    run = (args.commune, args.section, args.k)
    rows = []
    paragraphs = len(PeerComparer(retriever).compare_commune(*run).items)
    if args.before:
        old = _old_comparer(args.before)
        rows.append((f"before ({args.before}: every peer passage embedded)",
                     _median(lambda: old(retriever).compare_commune(*run), args.repeat)))
    rows.append(("new comparer (levels' sample + own paragraphs embedded)",
                 _median(lambda: PeerComparer(retriever).compare_commune(*run), args.repeat)))

    def first_for_section() -> None:
        comparer = PeerComparer(retriever)
        for kind in COMPARE_KINDS:  # the levels' samples of every section kind are ready
            comparer.scorer.null(kind)
        start = time.perf_counter()
        comparer.compare_commune(*run)
        first_for_section.seconds = time.perf_counter() - start  # type: ignore[attr-defined]

    times = []
    for _ in range(args.repeat):
        first_for_section()
        times.append(first_for_section.seconds)  # type: ignore[attr-defined]
    rows.append(("first time for this section (samples ready)", statistics.median(times)))
    from assistant.compare.similarity import TextVectors

    kept = TextVectors()
    PeerComparer(retriever, text_vectors=kept).compare_commune(*run)
    rows.append(("after a reload in the app (paragraph vectors kept)",
                 _median(lambda: PeerComparer(retriever, text_vectors=kept).compare_commune(*run), args.repeat)))
    warm = PeerComparer(retriever)
    warm.compare_commune(*run)
    rows.append(("again (same comparer)", _median(lambda: warm.compare_commune(*run), args.repeat)))
    retriever.close()

    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"\n{args.commune} · {args.section} · {paragraphs} paragraphs · k={args.k} · embedder "
          f"{retriever.embedder.name if retriever.embedder else 'none'} · {os.cpu_count()} cores, "
          f"load average {load:.1f} · median of {args.repeat}\n")
    print("| comparison | median s |\n|---|---|")
    for name, seconds in rows:
        print(f"| {name} | {seconds:.2f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
