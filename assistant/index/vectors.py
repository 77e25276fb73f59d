"""Vector stores: one small interface; Chroma embedded (default) or a Chroma server."""

from __future__ import annotations

import logging
import threading
from abc import ABC, abstractmethod
from pathlib import Path
from typing import Any

import numpy as np

log = logging.getLogger(__name__)
COLLECTION = "chunks"

# Embedded Chroma keeps one shared System (SQLite + in-memory HNSW) per folder per process, and a
# new client on a folder reuses it: a reload would keep what the index held when it was first
# opened here. So this process counts its open handles per folder and stops the folder's System
# when the last one closes; the next open reads the folder again (another process may have
# ingested meanwhile). The lock keeps an open and the last close of one folder from interleaving.
_open_handles: dict[str, int] = {}
_handles_lock = threading.Lock()


class VectorStore(ABC):
    @abstractmethod
    def upsert(self, ids: list[str], vectors: np.ndarray, metadatas: list[dict[str, Any]]) -> None: ...

    @abstractmethod
    def delete(self, ids: list[str]) -> None: ...

    @abstractmethod
    def query(self, vector: np.ndarray, k: int, where: dict | None = None) -> list[tuple[str, float]]:
        """Nearest ids with cosine similarity, best first."""

    @abstractmethod
    def ids(self) -> set[str]: ...

    def get(self, ids: list[str]) -> dict[str, np.ndarray]:
        """The stored vectors of `ids` (ids without a vector are left out)."""
        raise NotImplementedError

    def close(self) -> None:  # noqa: B027 - optional hook
        """Release resources."""


class ChromaStore(VectorStore):
    """Chroma collection with cosine space; embedded (`path`) or remote (`url`)."""

    def __init__(self, *, path: Path | None = None, url: str | None = None, collection: str = COLLECTION):
        import chromadb
        from chromadb.config import Settings as ChromaSettings

        self._folder: str | None = None  # the embedded folder this handle counts on
        if url:
            self._client = _http_client(url)
        else:
            assert path is not None
            path.mkdir(parents=True, exist_ok=True)
            folder = str(path.resolve())
            with _handles_lock:
                self._client = chromadb.PersistentClient(
                    path=folder, settings=ChromaSettings(anonymized_telemetry=False))
                _open_handles[folder] = _open_handles.get(folder, 0) + 1
            self._folder = folder
        try:
            self._col = self._client.get_or_create_collection(
                collection, embedding_function=None, metadata={"hnsw:space": "cosine"}
            )
        except BaseException:
            self.close()
            raise

    def upsert(self, ids: list[str], vectors: np.ndarray, metadatas: list[dict[str, Any]]) -> None:
        step = 1000
        for i in range(0, len(ids), step):
            self._col.upsert(
                ids=ids[i : i + step],
                embeddings=np.asarray(vectors[i : i + step], dtype=np.float32),
                metadatas=metadatas[i : i + step],
            )

    def delete(self, ids: list[str]) -> None:
        for i in range(0, len(ids), 1000):
            self._col.delete(ids=ids[i : i + 1000])

    def query(self, vector: np.ndarray, k: int, where: dict | None = None) -> list[tuple[str, float]]:
        n = self._col.count()
        if n == 0:
            return []
        res = self._col.query(
            query_embeddings=[np.asarray(vector, dtype=np.float32)],
            n_results=min(k, n),
            where=where or None,
            include=["distances"],
        )
        ids = res["ids"][0]
        dists = res["distances"][0]
        return [(i, 1.0 - float(d)) for i, d in zip(ids, dists, strict=True)]

    def get(self, ids: list[str]) -> dict[str, np.ndarray]:
        out: dict[str, np.ndarray] = {}
        for i in range(0, len(ids), 1000):
            got = self._col.get(ids=ids[i : i + 1000], include=["embeddings"])
            for vid, vec in zip(got["ids"], got["embeddings"], strict=True):
                out[vid] = np.asarray(vec, dtype=np.float32)
        return out

    def ids(self) -> set[str]:
        out: set[str] = set()
        offset = 0
        while True:
            got = self._col.get(include=[], limit=5000, offset=offset)["ids"]
            out.update(got)
            if len(got) < 5000:
                return out
            offset += len(got)

    def close(self) -> None:
        """Drop this handle; the folder's System stops only when no other handle here uses it."""
        client, self._client, self._col = self._client, None, None
        if client is None:
            return
        try:
            if self._folder is None:
                _close_client(client)
            else:
                _release_folder(self._folder, client)
        except Exception as exc:  # noqa: BLE001 - closing must not fail a reload or a shutdown
            log.warning("closing the vector store raised %s: %s", exc.__class__.__name__, exc)


def _refcounted_close() -> bool:
    """Whether this chromadb's `Client.close` counts clients per System (1.5.9 does; 1.5.0 has no close)."""
    from chromadb.api.shared_system_client import SharedSystemClient

    return hasattr(SharedSystemClient, "_release_system")


def _close_client(client: Any) -> None:
    close = getattr(client, "close", None)
    if close is not None:
        close()


def _release_folder(folder: str, client: Any) -> None:
    """Give back one handle on an embedded folder; the last one stops the folder's System."""
    from chromadb.api.shared_system_client import SharedSystemClient

    with _handles_lock:
        left = _open_handles.get(folder, 1) - 1
        if left > 0:
            _open_handles[folder] = left
        else:
            _open_handles.pop(folder, None)
        if _refcounted_close():
            client.close()  # chromadb counts its clients too: the last close stops the System
        elif left <= 0:  # an older chromadb: stop this folder's System only (never the whole cache)
            system = SharedSystemClient._identifier_to_system.pop(folder, None)  # noqa: SLF001
            if system is not None:
                system.stop()


def _http_client(url: str):  # noqa: ANN202 - chromadb client
    from urllib.parse import urlparse

    import chromadb
    from chromadb.config import Settings as ChromaSettings

    u = urlparse(url if "://" in url else f"http://{url}")
    return chromadb.HttpClient(host=u.hostname or "127.0.0.1", port=u.port or 8000,
                               ssl=u.scheme == "https", settings=ChromaSettings(anonymized_telemetry=False))


def drop_remote_collection(url: str, name: str) -> None:
    """Delete a replaced generation's collection on a Chroma server (embedded ones go with their folder)."""
    client = None
    try:
        client = _http_client(url)
        client.delete_collection(name)
    except Exception as exc:  # noqa: BLE001 - already gone, or server unreachable: not fatal
        log.warning("could not delete old collection %s on %s (%s)", name, url, exc)
    finally:
        if client is not None:
            _close_client(client)


def make_vector_store(*, path: Path, url: str | None, collection: str = COLLECTION) -> VectorStore:
    """The store for the settings: a Chroma server when a URL is set, else embedded Chroma."""
    return ChromaStore(path=None if url else path, url=url, collection=collection)
