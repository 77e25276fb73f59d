"""Benchmark: OCR of scanned seed reports — figures recovered, speed, and retrieval/answer accuracy.

Every page of the five seed reports (corpus/reports/*.txt) is typeset on A4 and spoiled like a
real scan (scripts/make_scanned_fixtures.py), in several variants:

- `bw300`   office scanner, black and white, 300 dpi (CCITT G4 PDF), skew ±1.2°, speckles
- `grey200` office scanner, grey JPEG, 200 dpi (PDF)
- `poor200` a copy of a copy: black and white 200 dpi, more blur, skew ±2°, heavy speckles
- `photo`   phone photo of each page (.jpg): perspective, uneven light, soft focus (~190 dpi)

For each variant the library reads the files as `assistant ingest` does (`read_file`, Tesseract
`vie`, `ocr_jobs` processes) and we count, page by page, the share of the printed page's figures
that the OCR text holds exactly, and characters read per second. Then the `bw300` PDFs replace
the text reports in a copy of the corpus, both corpora are indexed with the default embedder,
and the dev questions are scored on each (`assistant eval`, seed file names mapped .txt → .pdf).

    python scripts/bench_ocr.py [--variants bw300 grey200 poor200 photo] [--jobs 2] [--no-eval]

Prints Markdown tables for docs/ocr.md and the README. Machines are noisy: quote medians.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import make_scanned_fixtures as fx  # noqa: E402

from assistant.ingest.loaders import UnreadableFile, read_file  # noqa: E402
from assistant.settings import REPO_DIR, get_settings  # noqa: E402

SEEDS = REPO_DIR / "corpus" / "reports"
DEV_QA = REPO_DIR.parent / "shared" / "dev-qa.jsonl"
VARIANTS = ("bw300", "grey200", "poor200", "photo")


def figures(text: str) -> list[str]:
    import re

    return re.findall(r"\d+(?:[.,/]\d+)*%?", " ".join(text.split()))


def recovered(truth: str, got: str) -> tuple[int, int]:
    """(figures of the printed page found exactly in the OCR text, figures on the page)."""
    want, have = figures(truth), figures(got)
    hits = 0
    for f in want:
        if f in have:
            have.remove(f)
            hits += 1
    return hits, len(want)


def poor_scan(img, seed: int):  # noqa: ANN001, ANN201
    """A copy of a copy: blurrier, more skewed and dirtier than `scan_page`, thresholded at 200 dpi."""
    import numpy as np
    from PIL import Image, ImageFilter

    rng = random.Random(seed)
    page = img.rotate(rng.uniform(-2.0, 2.0), resample=Image.Resampling.BICUBIC, fillcolor=255)
    page = page.filter(ImageFilter.GaussianBlur(1.1))
    arr = np.asarray(page, dtype=np.float32)
    arr = np.clip(arr * 0.88 + 20 + np.random.default_rng(seed).normal(0, 28, arr.shape), 0, 255)
    arr[np.random.default_rng(seed + 1).random(arr.shape) < 0.002] = 20
    return Image.fromarray(arr.astype(np.uint8), "L").point(lambda v: 255 if v > 140 else 0, mode="1")


def make_variant(variant: str, name: str, out: Path) -> tuple[list[Path], list[str]]:
    """The scanned files of one seed report in one variant, and the printed text of each page."""
    paras = fx.source_lines((SEEDS / name).read_text(encoding="utf-8"))
    stem = Path(name).stem
    if variant == "grey200":
        pages = fx.render_text_pages(paras, dpi=200)
        images = [fx.scan_page(p.image, seed=i, bilevel=False) for i, p in enumerate(pages)]
        dpi = 200
    elif variant == "poor200":
        pages = fx.render_text_pages(paras, dpi=200)
        images = [poor_scan(p.image, seed=i) for i, p in enumerate(pages)]
        dpi = 200
    else:
        pages = fx.render_text_pages(paras, dpi=300)
        dpi = 300
        if variant == "photo":
            files = []
            for i, p in enumerate(pages):
                path = out / f"{stem}_p{i + 1:02d}.jpg"
                path.write_bytes(fx.jpeg_bytes(fx.photo_page(p.image, seed=100 + i)))
                files.append(path)
            return files, [p.text for p in pages]
        images = [fx.scan_page(p.image, seed=i) for i, p in enumerate(pages)]
    path = out / f"{stem}.pdf"
    fx.save_pdf(images, path, dpi=dpi)
    return [path], [p.text for p in pages]


def bench_variant(variant: str, settings, work: Path) -> dict:  # noqa: ANN001
    out = work / variant
    out.mkdir(parents=True, exist_ok=True)
    hits = total = chars = pages = 0
    seconds = 0.0
    per_page: list[float] = []
    worst: list[tuple[float, str, int]] = []
    for name in sorted(p.name for p in SEEDS.glob("*.txt")):
        files, truths = make_variant(variant, name, out)
        texts: list[str] = []
        for f in files:
            t0 = time.perf_counter()
            try:
                got = read_file(f, max_mb=settings.max_file_mb, settings=settings).page_texts
            except UnreadableFile:  # a last page with a line or two: "no readable text in the file"
                got = [""]
            dt = time.perf_counter() - t0
            seconds += dt
            texts += got
            per_page.append(dt / max(1, len(got)))
        assert len(texts) == len(truths), (name, len(texts), len(truths))
        for i, (truth, got) in enumerate(zip(truths, texts, strict=True)):
            h, n = recovered(truth, got)
            hits, total = hits + h, total + n
            chars += len("".join(got.split()))
            pages += 1
            if n:
                worst.append((h / n, name, i + 1))
    worst.sort()
    return {"variant": variant, "pages": pages, "figures": total, "recovered": hits,
            "share": round(hits / max(1, total), 4), "chars": chars, "seconds": round(seconds, 1),
            "chars_per_s": round(chars / max(seconds, 1e-9)), "s_per_page_median": round(statistics.median(per_page), 2),
            "worst_pages": [f"{n} p{p}: {s:.2f}" for s, n, p in worst[:3]]}


def evaluate_corpus(corpus: Path, index: Path, questions: list[dict]) -> dict:
    from assistant.app import Assistant
    from assistant.ingest.pipeline import ingest
    from assistant.qa.evaluate import evaluate

    settings = get_settings(corpus_dir=corpus, index_dir=index, ocr_jobs=2)
    t0 = time.perf_counter()
    report = ingest(settings)
    took = time.perf_counter() - t0
    assert report.ok, report.failed
    a = Assistant(settings)
    try:  # answers as `assistant eval` scores them: the question asked of the whole assistant
        scored = {mode: evaluate(a.retriever, questions, mode=mode,
                                 ask=lambda q, history: a.ask(q, history=history))
                  for mode in ("hybrid", "bm25")}
    finally:
        a.close()
    rows = {mode: res.to_json() for mode, res in scored.items()}
    failures = scored["hybrid"].failures
    return {"ingest_s": round(took, 1), "chunks": report.chunks, **rows, "failures": failures}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--variants", nargs="*", default=list(VARIANTS), choices=VARIANTS)
    ap.add_argument("--jobs", type=int, default=2, help="Tesseract processes at once (ASSISTANT_OCR_JOBS)")
    ap.add_argument("--no-eval", action="store_true", help="skip the retrieval/answer comparison")
    ap.add_argument("--keep", type=Path, help="keep the generated scans in this folder")
    ap.add_argument("--json", type=Path, help="also write the results here")
    args = ap.parse_args()
    logging.basicConfig(level=logging.WARNING)
    settings = get_settings(ocr_jobs=args.jobs, embeddings="none")
    load0 = os.getloadavg()[0]
    results: dict = {"cores": os.cpu_count(), "jobs": args.jobs, "variants": [], "eval": {}}
    work = args.keep or Path(tempfile.mkdtemp(prefix="bench-ocr-"))
    try:
        for v in args.variants:
            row = bench_variant(v, settings, work)
            results["variants"].append(row)
            print(json.dumps(row, ensure_ascii=False), file=sys.stderr)
        if not args.no_eval and DEV_QA.exists():
            from assistant.qa.evaluate import load_questions

            text_q = load_questions(DEV_QA)
            scan_q = [{**q, "seed": q["seed"].replace(".txt", ".pdf")} if q.get("seed") else q for q in text_q]
            results["eval"]["text"] = evaluate_corpus(REPO_DIR / "corpus", work / "index-text", text_q)
            corpus = work / "corpus-scanned"
            (corpus / "reports").mkdir(parents=True, exist_ok=True)
            shutil.copytree(REPO_DIR / "corpus" / "guidance", corpus / "guidance")
            scans = work / "bw300"
            for name in sorted(p.name for p in SEEDS.glob("*.txt")):
                stem = Path(name).stem
                if not (scans / f"{stem}.pdf").exists():
                    scans.mkdir(parents=True, exist_ok=True)
                    make_variant("bw300", name, scans)
                shutil.copy(scans / f"{stem}.pdf", corpus / "reports" / f"{stem}.pdf")
                shutil.copy(SEEDS / f"{stem}.meta.yaml", corpus / "reports" / f"{stem}.meta.yaml")
            results["eval"]["scanned_bw300"] = evaluate_corpus(corpus, work / "index-scan", scan_q)
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)
    results["load_average"] = [round(load0, 1), round(os.getloadavg()[0], 1)]
    if args.json:
        args.json.write_text(json.dumps(results, ensure_ascii=False, indent=1), encoding="utf-8")
    print("| variant | pages | figures on the pages | recovered exactly | chars/s | s/page (median) |")
    print("|---|---|---|---|---|---|")
    for r in results["variants"]:
        print(f"| {r['variant']} | {r['pages']} | {r['figures']} | {r['share']:.3f} ({r['recovered']}) | "
              f"{r['chars_per_s']} | {r['s_per_page_median']} |")
    if results["eval"]:
        print("\n| reports indexed from | mode | hit@1 | hit@3 | hit@5 | MRR@10 | answer accuracy | ingest s |")
        print("|---|---|---|---|---|---|---|---|")
        for corpus_name, ev in results["eval"].items():
            for mode in ("hybrid", "bm25"):
                m = ev[mode]
                print(f"| {corpus_name} | {mode} | {m['hit@1']} | {m['hit@3']} | {m['hit@5']} | {m['mrr@10']} | "
                      f"{m['answer_accuracy']} | {ev['ingest_s']} |")
    for corpus_name, ev in results["eval"].items():
        for fl in ev["failures"]:
            print(f"- {corpus_name} (hybrid) missed: {fl}")
    print(f"\nload average {results['load_average'][0]} → {results['load_average'][1]}, "
          f"{results['cores']} cores, {args.jobs} Tesseract processes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
