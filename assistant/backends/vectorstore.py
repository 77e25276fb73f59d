"""Vector stores: one small interface; Chroma embedded (default) or a Chroma server."""

from __future__ import annotations

import logging
from abc import ABC, abstractmethod
from pathlib import Path
from typing import Any

import numpy as np

log = logging.getLogger(__name__)
COLLECTION = "chunks"


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

    def close(self) -> None:  # noqa: B027 - optional hook
        """Release resources."""


class ChromaStore(VectorStore):
    """Chroma collection with cosine space; embedded (`path`) or remote (`url`)."""

    def __init__(self, *, path: Path | None = None, url: str | None = None, collection: str = COLLECTION):
        import chromadb
        from chromadb.config import Settings as ChromaSettings

        cs = ChromaSettings(anonymized_telemetry=False)
        if url:
            self._client = _http_client(url)
        else:
            assert path is not None
            path.mkdir(parents=True, exist_ok=True)
            self._client = chromadb.PersistentClient(path=str(path), settings=cs)
        self._col = self._client.get_or_create_collection(
            collection, embedding_function=None, metadata={"hnsw:space": "cosine"}
        )

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
        """Drop this handle; Chroma's shared client cache is left alone, so other handles keep working."""
        self._col = None


def _http_client(url: str):  # noqa: ANN202 - chromadb client
    from urllib.parse import urlparse

    import chromadb
    from chromadb.config import Settings as ChromaSettings

    u = urlparse(url if "://" in url else f"http://{url}")
    return chromadb.HttpClient(host=u.hostname or "127.0.0.1", port=u.port or 8000,
                               ssl=u.scheme == "https", settings=ChromaSettings(anonymized_telemetry=False))


def drop_remote_collection(url: str, name: str) -> None:
    """Delete a replaced generation's collection on a Chroma server (embedded ones go with their folder)."""
    try:
        _http_client(url).delete_collection(name)
    except Exception as exc:  # noqa: BLE001 - already gone, or server unreachable: not fatal
        log.warning("could not delete old collection %s on %s (%s)", name, url, exc)


def make_vector_store(*, path: Path, url: str | None, collection: str = COLLECTION) -> VectorStore:
    """The store for the settings: a Chroma server when a URL is set, else embedded Chroma."""
    return ChromaStore(path=None if url else path, url=url, collection=collection)
