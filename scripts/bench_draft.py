"""Benchmark the drafting composer against what the five seed communes really wrote.

For each seed commune, the figures file under tests/fixtures/drafting/ (hand-copied from that
commune's own report) is drafted with the commune left out of retrieval, and the draft is
compared with the chunks of its report whose section_kind is ton_tai / phuong_huong:

- themes: pillars (nhân lực, hạ tầng, …) the real section mentions that the draft also covers;
- unmet: unmet indicators named in Tồn tại with value and target, and given a task in
  Phương hướng (must be 100%);
- unsupported: figures in the draft the verifier cannot trace (must be 0);
- time: median seconds per draft (retriever already loaded).

Run: python scripts/bench_draft.py [--index-dir DIR] [--repeat 3] [--json]
Without --index-dir the bundled corpus is indexed into a temporary folder with the default
embedder (about two minutes).
"""

from __future__ import annotations

import argparse
import json
import logging
import statistics
import sys
import tempfile
import time
from pathlib import Path

from assistant.domain.catalog import catalog_at
from assistant.domain.figures import load_figures
from assistant.drafting import draft_report, pillars
from assistant.drafting.gaps import analyse_gaps
from assistant.drafting.rewrite import lower_first
from assistant.qa.retriever import Retriever
from assistant.settings import REPO_DIR, get_settings
from assistant.text.normalize import fold

log = logging.getLogger("bench_draft")
FIXTURES = REPO_DIR / "tests" / "fixtures" / "drafting"
SEEDS = ("an_khanh_2025", "giao_minh_2025", "dai_son_2025", "tan_an_2025", "gia_phuc_2025")


def _has(text: str, phrase: str) -> bool:
    return " ".join(fold(phrase).split()) in " ".join(fold(text).split())


def _coverage(real: set[str], draft: set[str]) -> float | None:
    return len(real & draft) / len(real) if real else None


def bench_one(retriever: Retriever, path: Path, repeat: int) -> dict:
    figures = load_figures(path)
    times, doc = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        doc = draft_report(None, figures, retriever=retriever, exclude_communes=[figures.commune])
        times.append(time.perf_counter() - t0)
    assert doc is not None
    text = {s.id: s.text for s in doc.sections}
    real = {
        kind: "\n".join(
            c.text
            for c in retriever.chunks
            if fold(c.commune) == fold(figures.commune) and c.section_kind == kind
        )
        for kind in ("ton_tai", "phuong_huong")
    }
    gaps = analyse_gaps(figures, catalog_at(get_settings().catalog_path))
    unmet_ok = 0
    for g in gaps.unmet:
        in_tt = any(
            _has(line, lower_first(g.name)) and _has(line, g.figure.value_raw.strip("~≈ "))
            for line in text["ton_tai"].split("\n")
        )
        in_ph = _has(text["phuong_huong"], lower_first(g.name))
        unmet_ok += in_tt and in_ph
    row = {
        "commune": figures.commune,
        "unmet": len(gaps.unmet),
        "unmet_covered": unmet_ok,
        "unsupported": sum(len(s.unsupported_numbers) for s in doc.sections),
        "citations": sum(len(s.citations) for s in doc.sections),
        "foreign_citations_only": all(
            fold(c.commune) != fold(figures.commune) for s in doc.sections for c in s.citations
        ),
        "time_median_s": round(statistics.median(times), 3),
    }
    for kind in ("ton_tai", "phuong_huong"):
        r, d = pillars.mentioned(real[kind]), pillars.mentioned(text[kind])
        row[f"{kind}_real_themes"] = sorted(r)
        row[f"{kind}_covered"] = sorted(r & d)
        row[f"{kind}_coverage"] = _coverage(r, d)
    return row


def _pct(x: float | None) -> str:
    return "–" if x is None else f"{round(100 * x)}%"


def markdown(rows: list[dict]) -> str:
    head = (
        "| Xã (commune) | Unmet indicators covered | Theme coverage Tồn tại | "
        "Theme coverage Phương hướng | Unsupported numbers | Citations (all other communes) "
        "| Time / draft (median) |"
    )
    lines = [head, "|---|---|---|---|---|---|---|"]
    for r in rows:
        tt = f"{_pct(r['ton_tai_coverage'])} ({len(r['ton_tai_covered'])}/{len(r['ton_tai_real_themes'])})"
        ph = (
            f"{_pct(r['phuong_huong_coverage'])} "
            f"({len(r['phuong_huong_covered'])}/{len(r['phuong_huong_real_themes'])})"
        )
        unmet = f"{r['unmet_covered']}/{r['unmet']}" + (" (none unmet)" if not r["unmet"] else "")
        cites = f"{r['citations']} ({'yes' if r['foreign_citations_only'] else 'NO'})"
        lines.append(
            f"| {r['commune']} | {unmet} | {tt} | {ph} | {r['unsupported']} | {cites} "
            f"| {r['time_median_s']:.2f} s |"
        )
    real = sum(len(r["ton_tai_real_themes"]) + len(r["phuong_huong_real_themes"]) for r in rows)
    got = sum(len(r["ton_tai_covered"]) + len(r["phuong_huong_covered"]) for r in rows)
    unmet = sum(r["unmet"] for r in rows)
    covered = sum(r["unmet_covered"] for r in rows)
    times = [r["time_median_s"] for r in rows]
    lines.append(
        f"| **All** | {covered}/{unmet} | {_pct(got / real if real else None)} (both sections, "
        f"{got}/{real}) | | {sum(r['unsupported'] for r in rows)} | "
        f"{sum(r['citations'] for r in rows)} | {statistics.median(times):.2f} s |"
    )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--index-dir", type=Path, help="An index built with the default embedder.")
    ap.add_argument("--repeat", type=int, default=3, help="Drafts per commune for the timing.")
    ap.add_argument("--json", action="store_true", help="Print the rows as JSON too.")
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    index_dir = args.index_dir
    if index_dir is None:
        from assistant.ingest.pipeline import ingest

        index_dir = Path(tempfile.mkdtemp(prefix="bench_draft_")) / "index"
        t0 = time.perf_counter()
        report = ingest(get_settings(index_dir=index_dir))
        log.warning("indexed %d chunks in %.0f s", report.chunks, time.perf_counter() - t0)
    settings = get_settings(index_dir=index_dir)
    t0 = time.perf_counter()
    retriever = Retriever(settings)
    load_s = time.perf_counter() - t0
    try:
        rows = [bench_one(retriever, FIXTURES / f"{name}.yaml", args.repeat) for name in SEEDS]
    finally:
        retriever.close()
    print(markdown(rows))  # noqa: T201 - the script's output
    print(
        f"\nEmbeddings: {settings.embeddings}; retrieval: {retriever.mode}; "  # noqa: T201
        f"retriever load {load_s:.1f} s (once, not counted per draft)."
    )
    for r in rows:
        missed = sorted(set(r["ton_tai_real_themes"]) - set(r["ton_tai_covered"]))
        missed_ph = sorted(set(r["phuong_huong_real_themes"]) - set(r["phuong_huong_covered"]))
        print(
            f"- {r['commune']}: themes not covered — Tồn tại: {', '.join(missed) or 'none'}; "  # noqa: T201
            f"Phương hướng: {', '.join(missed_ph) or 'none'}"
        )
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=1))  # noqa: T201
    bad = [r for r in rows if r["unsupported"] or r["unmet_covered"] != r["unmet"]]
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
