"""Precision of the indicator table on the seed reports, against the hand check.

    python scripts/bench_indicators.py            # index the bundled corpus in a temp folder (fast)
    python scripts/bench_indicators.py --index-dir index   # or read an existing index

Prints the number of cells, of figures shown (first figure + disagreeing ones), the precision
against tests/fixtures/indicators/checked_cells.yaml, and any figure not hand-checked yet.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections import Counter
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parent.parent
FIXTURE = REPO / "tests" / "fixtures" / "indicators" / "checked_cells.yaml"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--index-dir", type=Path, help="existing index (default: a fresh temp index)")
    args = ap.parse_args()

    from assistant.domain.catalog import catalog_at
    from assistant.indicators.table import build_table
    from assistant.ingest.pipeline import ingest
    from assistant.qa.retriever import Retriever
    from assistant.settings import Settings

    with tempfile.TemporaryDirectory() as tmp:
        if args.index_dir:
            settings = Settings(index_dir=args.index_dir)
        else:
            settings = Settings(index_dir=Path(tmp) / "index", corpus_dir=REPO / "corpus", embeddings="none")
            ingest(settings)
        retriever = Retriever(settings)
        try:
            table = build_table(retriever.chunks, catalog=catalog_at(retriever.settings.catalog_path))
        finally:
            retriever.close()

    checked = {(x["commune"], x["indicator"], str(x["raw"])): bool(x["correct"])
               for x in yaml.safe_load(FIXTURE.read_text(encoding="utf-8"))}
    shown = [(c, r.id, m.raw) for r in table.rows for c, cell in r.cells.items() for m in cell.mentions()]
    cells = sum(len(r.cells) for r in table.rows)
    judged = [checked[k] for k in shown if k in checked]
    unchecked = [k for k in shown if k not in checked]
    per_commune = Counter(c for r in table.rows for c in r.cells)

    print(f"communes: {len(table.communes)}  indicators with a figure: {sum(1 for r in table.rows if r.cells)}")
    print(f"cells: {cells}  figures shown (incl. disagreeing ones): {len(shown)}")
    print("cells per commune: " + ", ".join(f"{c} {n}" for c, n in per_commune.items()))
    if judged:
        print(f"precision: {sum(judged) / len(judged):.3f} ({sum(judged)}/{len(judged)} hand-checked correct)")
    for k in unchecked:
        print(f"NOT CHECKED: {k}")
    missing = set(checked) - set(shown)
    for k in sorted(missing):
        print(f"checked but no longer extracted: {k}")
    return 1 if unchecked else 0


if __name__ == "__main__":
    sys.exit(main())
