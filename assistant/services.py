"""Build the services the CLI and the web app share, from one Settings object."""

from __future__ import annotations

import copy
import logging
import sys
from collections.abc import Callable
from pathlib import Path

from .access import Viewer, hidden_documents
from .answer import Answerer
from .indexer import IngestReport, ingest
from .indexstore import IndexStore
from .retrieve import Retriever
from .settings import Settings

log = logging.getLogger(__name__)
Notify = Callable[[str], None]


def _stderr(msg: str) -> None:
    print(msg, file=sys.stderr)  # noqa: T201 - user-facing CLI message


def tqdm_progress() -> Callable[[str, int, int], None]:
    """A progress callback drawing a tqdm bar on stderr (hidden when stderr is not a terminal)."""
    from tqdm import tqdm

    bars: dict[str, tqdm] = {}

    def cb(stage: str, done: int, total: int) -> None:
        bar = bars.get(stage)
        if bar is None:
            bar = bars[stage] = tqdm(total=total, desc="Đang tạo vector", unit="đoạn",
                                     file=sys.stderr, disable=None, leave=False)
        bar.update(done - bar.n)
        if done >= total:
            bar.close()

    return cb


def ensure_index(settings: Settings, notify: Notify = _stderr) -> IngestReport | None:
    """Build the index from the bundled corpus when none exists yet."""
    if IndexStore.current_gen(settings.index_dir) is not None:
        return None
    notify(f"Chưa có chỉ mục trong {settings.index_dir}; đang xây dựng lần đầu từ {settings.corpus_dir} "
           "(No index yet: building it from the bundled corpus, about a minute)…")
    report = ingest(settings, progress=tqdm_progress())
    for name, reason in report.failed:
        notify(f"  Không đọc được {name}: {reason}")
    return report


class Assistant:
    """The loaded core: retrieval and answering over one index."""

    def __init__(self, settings: Settings, *, notify: Notify = _stderr) -> None:
        self.settings = settings
        ensure_index(settings, notify)
        self.retriever = Retriever(settings)
        self.answerer = Answerer(self.retriever)

    def for_viewer(self, viewer: Viewer) -> Assistant:
        """The same loaded index as `viewer` may read it (without other groups' unpublished drafts)."""
        hidden = hidden_documents(self.retriever.private, viewer)
        if not hidden:
            return self
        view = copy.copy(self)
        view.retriever = self.retriever.scoped(hidden)
        view.answerer = Answerer(view.retriever)
        return view

    def close(self) -> None:
        self.retriever.close()  # a view's retriever closes nothing


def ingest_paths(settings: Settings, paths: list[Path], *, rebuild: bool = False) -> IngestReport:
    return ingest(settings, paths, rebuild=rebuild, progress=tqdm_progress())
