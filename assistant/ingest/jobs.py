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

import contextvars
import os
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

    def run_yielding(self, paths: Iterable[Path] | None = None) -> IngestReport:
        """`run` in a thread of its own at a lower CPU priority (`settings.job_nice`), waiting for
        it: a server's questions are served first while an upload reads and embeds. The priority
        of a worker thread of the server is never changed; the embedder's threads, made inside
        the job's thread, inherit its priority. Context variables (a web request's progress bar)
        go along."""
        nice = self.settings.job_nice
        if nice <= 0:
            return self.run(paths)
        ctx = contextvars.copy_context()
        out: dict[str, object] = {}

        def work() -> None:
            _lower_priority(nice)
            try:
                out["report"] = ctx.run(self.run, paths)
            except BaseException as exc:  # noqa: BLE001 - handed to the waiting thread
                out["error"] = exc

        worker = threading.Thread(target=work, name="ingest-job", daemon=True)
        worker.start()
        worker.join()
        if "error" in out:
            raise out["error"]  # type: ignore[misc]
        return out["report"]  # type: ignore[return-value]


def _lower_priority(nice: int) -> None:
    """Raise this thread's niceness (Linux: per thread; elsewhere the call is skipped)."""
    try:
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), min(19, os.getpriority(
            os.PRIO_PROCESS, threading.get_native_id()) + nice))
    except (AttributeError, OSError):  # Windows, or not allowed: run at the normal priority
        pass


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
