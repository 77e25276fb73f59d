"""Time `cleaning.to_blocks` on N long lines without sentence punctuation (one paragraph).

    python scripts/bench_cleaning.py [--lines 500 1000 2000 5000] [--repeat 5]

The issue measured 0.7 / 3.3 / 13.3 / 86.7 s for 500 / 1,000 / 2,000 / 5,000 such lines before
cleaning became linear. Prints one row per line count: median seconds and seconds per 1,000
lines (constant when the time is linear).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from assistant.ingest.cleaning import to_blocks  # noqa: E402

LINE = ("xã tổ chức tuyên truyền chuyển đổi số cho người dân trong các thôn và khu dân cư "
        "với nhiều hình thức khác nhau")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--lines", type=int, nargs="+", default=[500, 1000, 2000, 5000])
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    print("| lines | characters | median s | s per 1,000 lines |")
    print("|---|---|---|---|")
    for n in args.lines:
        text = "\n".join([LINE] * n)
        times = []
        for _ in range(args.repeat):
            t0 = time.perf_counter()
            blocks = to_blocks(text)
            times.append(time.perf_counter() - t0)
        assert len(blocks) == 1
        med = statistics.median(times)
        print(f"| {n:,} | {len(text):,} | {med:.3f} | {med / n * 1000:.3f} |")


if __name__ == "__main__":
    main()
