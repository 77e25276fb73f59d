"""Ingest jobs: a long ingest runs on its own, can be cancelled, reports progress, and holds the
index's write lock only for its short commit.

    job = IngestJob(settings, [path], viewer=viewer, progress=cb)
    report = job.run()          # in this thread; `job.cancel()` from another one stops it

Reading, cleaning, chunking and embedding happen outside the lock (`pipeline.ingest` with an
existing index), so uploads, publishes, deletes and rebuilds by others are never queued behind a
big upload; only writing the rows, the vectors and the keyword index is exclusive. A cancelled
job commits nothing and raises `Cancelled`. `JobBoard` keeps the running jobs by a key (a
browser session), so a "Huỷ" button can cancel the job its own page started.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from assistant.index.access import Viewer
    from assistant.ingest.pipeline import IngestReport
    from assistant.settings import Settings

Progress = Callable[[str, int, int], None]


class Cancelled(Exception):
    """The job was cancelled before it committed anything."""


class CancelToken:
    """Set once by whoever wants the job to stop; the job checks it between steps."""

    def __init__(self) -> None:
        self._event = threading.Event()

    def cancel(self) -> None:
        self._event.set()

    @property
    def cancelled(self) -> bool:
        return self._event.is_set()

    def check(self) -> None:
        """Raise `Cancelled` when the job should stop (called between files and embedding batches)."""
        if self._event.is_set():
            raise Cancelled


@dataclass
class IngestJob:
    """One ingest (an upload, or `assistant ingest FILES`) with its own cancel token."""

    settings: Settings
    paths: list[Path]
    viewer: Viewer | None = None  # duplicates are looked for among what this viewer may read
    overrides: dict | None = None
    progress: Progress | None = None
    include_corpus: bool = False
    token: CancelToken = field(default_factory=CancelToken)
    stage: str = "chờ"  # what the job is doing now, in Vietnamese
    done: int = 0
    total: int = 0

    def cancel(self) -> None:
        self.token.cancel()

    def _progress(self, stage: str, done: int, total: int) -> None:
        self.stage, self.done, self.total = stage, done, total
        self.token.check()
        if self.progress:
            self.progress(stage, done, total)

    def run(self, paths: Iterable[Path] | None = None) -> IngestReport:
        """Read, embed and commit; raises `Cancelled` (nothing committed) when cancelled in time."""
        from assistant.ingest.pipeline import ingest

        self.token.check()
        return ingest(self.settings, list(paths if paths is not None else self.paths),
                      include_corpus=self.include_corpus, progress=self._progress,
                      overrides=self.overrides, viewer=self.viewer, cancel=self.token)


class JobBoard:
    """The running jobs by key (e.g. a browser session), so their owner can cancel them."""

    def __init__(self) -> None:
        self._jobs: dict[str, IngestJob] = {}
        self._lock = threading.Lock()

    def start(self, key: str, job: IngestJob) -> None:
        with self._lock:
            self._jobs[key] = job

    def finish(self, key: str, job: IngestJob) -> None:
        with self._lock:
            if self._jobs.get(key) is job:
                del self._jobs[key]

    def get(self, key: str) -> IngestJob | None:
        with self._lock:
            return self._jobs.get(key)

    def cancel(self, key: str) -> bool:
        """Cancel the job running under `key`; False when there is none."""
        job = self.get(key)
        if job is None:
            return False
        job.cancel()
        return True
