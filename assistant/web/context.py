"""The loaded core shared by every browser session, and safe reloading after index changes.

Many requests read the index at once. An upload reads and embeds its files while requests go on
(the ingest holds the index folder's write lock), then the index is loaded again. A delete, a
publish or a rebuild is exclusive: it waits for requests under way, closes the loaded index,
changes it and loads it again; requests that arrive meanwhile wait for the new index. A change
made by another process (a shell `assistant ingest`, another worker) is noticed by the next
request, which reloads the index (the revision is checked at most every `CHECK_SECONDS`).
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from assistant.app import Assistant
from assistant.index.access import Viewer, hidden_documents
from assistant.index.store import index_version
from assistant.settings import Settings

log = logging.getLogger(__name__)


CHECK_SECONDS = 2.0  # how often a request checks whether another process changed the index
MAX_VIEWS = 32  # distinct reader views (sets of hidden drafts) kept with their engines


class IndexUnavailable(RuntimeError):
    """The index could not be loaded after a change; a rebuild fixes it."""


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
                 accounts: Mapping[str, str] | None = None) -> None:
        self.settings = settings
        self.accounts = dict(accounts) if accounts is not None else None  # user -> commune; None: no login
        self.llm = llm
        self.llm_error = llm_error  # why the configured LLM could not be used, shown in the UI
        self._cond = threading.Condition()
        self._readers = 0
        self._writing = False
        self._waiting_writers = 0
        self._checked = time.monotonic()
        self._loaded: Loaded | None = self._load()

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
        return loaded.assistant.embedder_notice if loaded is not None else None

    @classmethod
    def from_settings(cls, settings: Settings, *, accounts: Mapping[str, str] | None = None) -> WebContext:
        """Load the index and, when `ASSISTANT_LLM` is set, the chat model (errors become a notice)."""
        from assistant.llm import build_llm

        choice = build_llm(settings)
        return cls(settings, llm=choice.model, llm_error=choice.notice, accounts=accounts)

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
