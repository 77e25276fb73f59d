"""Benchmark: the first `assistant ask` and the first `assistant serve` on a fresh index.

Each run starts the real command in a new process, from an empty temporary folder (so the
bundled corpus is used), with a new index folder and the default embedder (e5-small-q4):
- ask:   wall time of `assistant ask "Tân An có bao nhiêu ấp?"` until it exits (index built first);
- serve: time from starting `assistant serve` until http://127.0.0.1:PORT/ answers 200 with the app.
Both are measured with the shipped vectors (the default) and without them
(`ASSISTANT_VECTOR_CACHE=false`, i.e. embedding the whole corpus as before the cache).

Usage: python scripts/bench_first_start.py [--repeat 3] [--assistant PATH] [--no-baseline]
Prints a Markdown table (median, min, max in seconds) and the load average.
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import statistics
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

QUESTION = "Tân An có bao nhiêu ấp?"
TITLE = "Trợ lý báo cáo chuyển đổi số"


def _env(index: Path, cache: bool) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ASSISTANT_")}
    env.update({"ASSISTANT_INDEX_DIR": str(index), "ASSISTANT_VECTOR_CACHE": "true" if cache else "false"})
    return env


def first_ask(cmd: str, work: Path, cache: bool) -> float:
    t0 = time.perf_counter()
    proc = subprocess.run([cmd, "ask", QUESTION], cwd=work, env=_env(work / "index", cache),
                          capture_output=True, text=True, timeout=1800)
    took = time.perf_counter() - t0
    if proc.returncode != 0 or "17 ấp" not in proc.stdout:
        raise SystemExit(f"ask failed: {proc.stdout}\n{proc.stderr}")
    return took


def first_serve(cmd: str, work: Path, cache: bool) -> float:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    t0 = time.perf_counter()
    proc = subprocess.Popen([cmd, "serve", "--port", str(port)], cwd=work, env=_env(work / "index", cache),
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        while proc.poll() is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=10) as resp:
                    if resp.status == 200 and TITLE in resp.read().decode("utf-8", "replace"):
                        return time.perf_counter() - t0
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(0.2)
        raise SystemExit(f"serve exited with {proc.returncode}")
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--assistant", default=shutil.which("assistant") or "assistant",
                    help="the `assistant` command to time (e.g. one installed from the wheel)")
    ap.add_argument("--no-baseline", action="store_true", help="skip the runs without the shipped vectors")
    args = ap.parse_args()
    rows = []
    for cache in (True,) if args.no_baseline else (True, False):
        for name, measure in (("ask", first_ask), ("serve", first_serve)):
            times = []
            for _ in range(args.repeat):
                with tempfile.TemporaryDirectory() as tmp:
                    times.append(measure(args.assistant, Path(tmp), cache))
            rows.append((name, cache, times))
            print(f"  {name} cache={cache}: {', '.join(f'{t:.1f}' for t in times)} s", flush=True)
    print(f"\nload average before the last run: {' '.join(f'{x:.2f}' for x in os.getloadavg())}, "
          f"{os.cpu_count()} CPUs\n")
    print("| first command on a fresh index | shipped vectors | median s | min s | max s |")
    print("|---|---|---|---|---|")
    for name, cache, times in rows:
        label = "`assistant ask`" if name == "ask" else "`assistant serve` (page answers)"
        print(f"| {label} | {'yes' if cache else 'no (embeds the corpus)'} | "
              f"{statistics.median(times):.1f} | {min(times):.1f} | {max(times):.1f} |")


if __name__ == "__main__":
    main()
