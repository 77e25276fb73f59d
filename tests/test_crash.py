"""Crash safety: `assistant ingest` killed with SIGKILL at random moments loses nothing.

After each kill the index still opens and answers every query exactly as before the killed run,
or, when the run got as far as its commit, exactly as a clean run with the new reports does.
A re-run then completes the job: the new reports are indexed once, with no duplicate chunks and
with Chroma's vectors matching SQLite's chunks one for one.
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from assistant.index.store import IndexStore
from assistant.ingest.pipeline import ingest

from .conftest import CORPUS, make_settings
from .test_faults import (
    _script,
    assert_consistent,
    index_state,
    same_content,
    same_results,
    top_ids,
)

N_NEW = 4  # synthetic reports in the killed batch (about 170 chunks)


def _env(index_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ASSISTANT_")}
    env.update({"ASSISTANT_INDEX_DIR": str(index_dir), "ASSISTANT_CORPUS_DIR": str(CORPUS),
                "ASSISTANT_EMBEDDINGS": "hash-test", "PYTHONPATH": str(CORPUS.parent)})
    return env


def _ingest_cmd(files: list[Path], rebuild: bool) -> list[str]:
    return [sys.executable, "-m", "tests.support.cli", "ingest", *(["--rebuild"] if rebuild else []),
            *map(str, files)]


class Scenario:
    """The seed index, a batch of new reports, and the results expected before and after."""

    def __init__(self, root: Path, seed_index_dir: Path) -> None:
        self.root = root
        self.base = root / "base"
        shutil.copytree(seed_index_dir, self.base)
        self.files = _script("make_synthetic_corpus").generate(N_NEW, root / "new", seed=3)
        self.before = top_ids(make_settings(self.base))
        self.before_state = index_state(make_settings(self.base))
        self.before_docs = self.before_state["docs"]
        ref = root / "reference"
        shutil.copytree(self.base, ref)
        t0 = time.perf_counter()
        proc = subprocess.run(_ingest_cmd(self.files, False), env=_env(ref), capture_output=True,
                              text=True, timeout=600)
        self.duration = time.perf_counter() - t0  # how long an uninterrupted run takes
        assert proc.returncode == 0, proc.stderr
        self.after = top_ids(make_settings(ref))
        assert self.after["bm25"] != self.before["bm25"]
        self.after_state = index_state(make_settings(ref))
        self.new_docs = set(self.after_state["docs"]) - set(self.before_docs)
        assert len(self.new_docs) == N_NEW

    def kill_and_check(self, i: int, rng: random.Random) -> str:
        """One ingest killed after a random delay; returns what the kill left ('before'/'after')."""
        index = self.root / f"run-{i}"
        shutil.copytree(self.base, index)
        rebuild = rng.random() < 0.25
        delay = rng.uniform(0.2, self.duration * (1.6 if rebuild else 1.05))
        proc = subprocess.Popen(_ingest_cmd(self.files, rebuild), env=_env(index),
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=60)
        s = make_settings(index)

        # The index still opens and answers as before, or (committed) as a clean run does.
        state = index_state(s)
        for doc_id, d in self.before_docs.items():
            assert state["docs"][doc_id]["sha256"] == d["sha256"], f"kill {i}: {doc_id} changed"
        present = set(state["docs"]) & self.new_docs
        assert present in (set(), self.new_docs), f"kill {i} after {delay:.2f}s: half a batch committed"
        outcome = "after" if present else "before"
        assert same_content(state, self.after_state if present else self.before_state), f"kill {i} ({outcome})"
        got = top_ids(s)
        want = self.after if present else self.before
        assert same_results(got, want), f"kill {i} after {delay:.2f}s ({outcome}): {_diff(got, want)}"

        # A re-run completes the job.
        report = ingest(s, self.files)
        assert report.ok and not report.failed
        names = {f.name for f in self.files}
        assert names <= set(report.added) | set(report.unchanged)
        assert (names.isdisjoint(report.added) if present else names <= set(report.added))
        state = index_state(s)
        assert self.new_docs <= set(state["docs"])
        assert_consistent(state)
        assert same_content(state, self.after_state)
        assert same_results(top_ids(s), self.after), f"kill {i}: re-run results differ from a clean run"
        assert IndexStore.current_gen(s.index_dir) == state["gen"]
        shutil.rmtree(index)
        return outcome


def _diff(got: dict, want: dict) -> dict:
    return {(mode, q): (got[mode][q], ids) for mode in want for q, ids in want[mode].items()
            if got[mode][q] != ids}


@pytest.fixture(scope="module")
def scenario(seed_index, tmp_path_factory) -> Scenario:
    return Scenario(tmp_path_factory.mktemp("crash"), seed_index.index_dir)


def test_killed_ingest_keeps_the_index_and_a_rerun_completes(scenario: Scenario):
    rng = random.Random(20251122)
    outcomes = [scenario.kill_and_check(i, rng) for i in range(2)]
    assert len(outcomes) == 2


@pytest.mark.heavy
def test_killed_ingest_at_random_points_loop(scenario: Scenario):
    rng = random.Random(7)
    outcomes = [scenario.kill_and_check(100 + i, rng) for i in range(10)]
    print(f"kills: {outcomes.count('before')} before the commit, {outcomes.count('after')} after it")
