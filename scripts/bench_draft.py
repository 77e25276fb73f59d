"""Benchmark the drafted report against what the five seed communes really wrote.

For each seed commune, the figures file under tests/fixtures/drafting/ (hand-copied from that
commune's own report) is drafted with the commune's own reports left out of retrieval, once
with suggestions and once without (`--no-suggestions`), and compared with its real report:

- coverage: the pillars (hạ tầng, nhân lực, dữ liệu, an toàn thông tin, chính quyền số, kinh tế
  số, xã hội số, kinh phí) the real "Tồn tại" mentions that the draft's "Tồn tại" also covers.
  The real Tồn tại is the commune's ton_tai chunks plus the "b. Tồn tại, hạn chế" parts that
  sit inside its results chunks. Pillars are found by the keyword rules of
  `assistant.domain.pillars.mentioned` on both sides;
- extra: pillars the suggestions add that the real Tồn tại does not mention (a suggestion the
  officer would probably delete);
- unmet: unmet indicators named in Tồn tại with value and target, and given a line in
  Phương hướng (must be 100%);
- binding: indicators that miss a stricter catalog target binding the commune, named in Tồn tại
  with the target and its source (must be 100%);
- unsupported: figures in the whole draft the verifier cannot trace (must be 0);
- suggestion figures: suggestion lines that carry a figure (must be 0);
- time: median seconds per whole draft with suggestions (retriever already loaded).

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

from assistant.domain import pillars
from assistant.domain.catalog import catalog_at
from assistant.domain.figures import load_figures
from assistant.drafting import draft_report
from assistant.drafting.document import is_suggestion
from assistant.drafting.gaps import analyse_gaps
from assistant.drafting.peers import parts
from assistant.drafting.rewrite import lower_first
from assistant.drafting.suggestions import carries_figure
from assistant.qa.retriever import Retriever
from assistant.settings import REPO_DIR, get_settings
from assistant.text.normalize import fold
from assistant.text.vn_numbers import format_vn

log = logging.getLogger("bench_draft")
FIXTURES = REPO_DIR / "tests" / "fixtures" / "drafting"
SEEDS = ("an_khanh_2025", "giao_minh_2025", "dai_son_2025", "tan_an_2025", "gia_phuc_2025")


def _has(text: str, phrase: str) -> bool:
    return " ".join(fold(phrase).split()) in " ".join(fold(text).split())


def real_ton_tai(retriever: Retriever, commune: str) -> str:
    """The commune's own Tồn tại: its ton_tai chunks and the Tồn tại parts of other chunks."""
    out = []
    for c in retriever.chunks:
        if fold(c.commune) == fold(commune) and c.kind == "report":
            out += [text for kind, text in parts(c) if kind == "ton_tai"]
    return "\n".join(out)


def _section(doc, sid: str) -> str:  # noqa: ANN001 - a Draft
    return next((s.text for s in doc.sections if s.id == sid), "")


def bench_one(retriever: Retriever, path: Path, repeat: int) -> dict:
    figures = load_figures(path)
    exclude = [figures.commune]
    times, doc = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        doc = draft_report(None, figures, retriever=retriever, exclude_communes=exclude)
        times.append(time.perf_counter() - t0)
    bare = draft_report(None, figures, retriever=retriever, exclude_communes=exclude, suggestions=False)
    assert doc is not None
    ton_tai, phuong_huong = _section(doc, "ton_tai"), _section(doc, "phuong_huong")
    gaps = analyse_gaps(figures, catalog_at(get_settings().catalog_path))
    unmet_ok = 0
    for g in gaps.unmet:
        in_tt = any(
            _has(line, lower_first(g.name)) and _has(line, g.figure.value_raw.strip("~≈ "))
            for line in ton_tai.split("\n")
        )
        unmet_ok += in_tt and _has(phuong_huong, lower_first(g.name))
    binding_ok = 0
    for g in gaps.binding_missed:
        target = format_vn(g.binding.target.value, g.binding.target.percent)
        binding_ok += any(
            _has(line, lower_first(g.name)) and target in line and g.binding.source in line
            for line in ton_tai.split("\n")
        )
    real = pillars.mentioned(real_ton_tai(retriever, figures.commune))
    with_s, without = pillars.mentioned(ton_tai), pillars.mentioned(_section(bare, "ton_tai"))
    lines = [line for s in doc.sections for line in s.text.split("\n")]
    suggested = {x["pillar"] for x in doc.suggestions}
    return {
        "commune": figures.commune,
        "period": doc.period_label,
        "real_pillars": sorted(real),
        "covered_with": sorted(real & with_s),
        "covered_without": sorted(real & without),
        "coverage_with": len(real & with_s) / len(real) if real else None,
        "coverage_without": len(real & without) / len(real) if real else None,
        "suggestions": len(doc.suggestions),
        "suggested_pillars": sorted(suggested),
        "extra_pillars": sorted(suggested - real),
        "unmet": len(gaps.unmet),
        "unmet_covered": unmet_ok,
        "binding_missed": len(gaps.binding_missed),
        "binding_named": binding_ok,
        "unsupported": sum(len(s.unsupported_numbers) for s in doc.sections),
        "suggestion_figures": sum(is_suggestion(x) and carries_figure(x) for x in lines),
        "citations": len({c.n for s in doc.sections for c in s.citations}),
        "foreign_citations_only": all(
            fold(c.commune) != fold(figures.commune) for s in doc.sections for c in s.citations
        ),
        "time_median_s": round(statistics.median(times), 3),
    }


def _pct(x: float | None) -> str:
    return "–" if x is None else f"{round(100 * x)}%"


def markdown(rows: list[dict]) -> str:
    head = (
        "| Xã | Kỳ | Coverage of real Tồn tại, with suggestions | without | Suggestions (pillars "
        "not in the real Tồn tại) | Unmet named | Missed binding targets named | Unsupported "
        "numbers | Suggestions with a figure | Time / draft (median) |"
    )
    lines = [head, "|---|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        n = len(r["real_pillars"])
        lines.append(
            f"| {r['commune']} | {r['period']} | {_pct(r['coverage_with'])} "
            f"({len(r['covered_with'])}/{n}) | {_pct(r['coverage_without'])} "
            f"({len(r['covered_without'])}/{n}) | {r['suggestions']} ({len(r['extra_pillars'])}) "
            f"| {r['unmet_covered']}/{r['unmet']} | {r['binding_named']}/{r['binding_missed']} "
            f"| {r['unsupported']} | {r['suggestion_figures']} | {r['time_median_s']:.2f} s |"
        )
    real = sum(len(r["real_pillars"]) for r in rows)
    got = sum(len(r["covered_with"]) for r in rows)
    bare = sum(len(r["covered_without"]) for r in rows)
    lines.append(
        f"| **All** | | **{_pct(got / real)}** ({got}/{real}) | {_pct(bare / real)} ({bare}/{real}) "
        f"| {sum(r['suggestions'] for r in rows)} ({sum(len(r['extra_pillars']) for r in rows)}) "
        f"| {sum(r['unmet_covered'] for r in rows)}/{sum(r['unmet'] for r in rows)} "
        f"| {sum(r['binding_named'] for r in rows)}/{sum(r['binding_missed'] for r in rows)} "
        f"| {sum(r['unsupported'] for r in rows)} | {sum(r['suggestion_figures'] for r in rows)} "
        f"| {statistics.median(r['time_median_s'] for r in rows):.2f} s |"
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
    print(  # noqa: T201
        f"\nEmbeddings: {settings.embeddings}; retrieval: {retriever.mode}; "
        f"retriever load {load_s:.1f} s (once, not counted per draft)."
    )
    for r in rows:
        missed = sorted(set(r["real_pillars"]) - set(r["covered_with"]))
        print(  # noqa: T201
            f"- {r['commune']}: not covered: {', '.join(missed) or 'none'}; suggested for "
            f"{', '.join(r['suggested_pillars']) or 'none'} (not in the real Tồn tại: "
            f"{', '.join(r['extra_pillars']) or 'none'})"
        )
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=1))  # noqa: T201
    bad = [
        r
        for r in rows
        if r["unsupported"]
        or r["suggestion_figures"]
        or r["unmet_covered"] != r["unmet"]
        or r["binding_named"] != r["binding_missed"]
    ]
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
