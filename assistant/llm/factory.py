"""Build the chat model named by `settings.llm`; LangChain is imported only here, lazily."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import urlparse

from assistant.errors import MissingExtra
from assistant.llm.base import ChatModel, LLMConfigError

if TYPE_CHECKING:
    from assistant.settings import Settings

log = logging.getLogger(__name__)
DEFAULT_MODEL_NAME = "default"


@dataclass(frozen=True)
class LLMChoice:
    """The chat model to use, or None with `notice` saying why the configured one cannot be used."""

    model: ChatModel | None
    notice: str | None = None


def build_llm(settings: Settings) -> LLMChoice:
    """The one place the configured chat model is built (CLI and web app alike).

    `ASSISTANT_LLM=none` gives no model and no notice (offline answers). A missing pip extra or
    an unusable setting gives no model and a notice; the CLI refuses to run with it, the web app
    shows it and answers offline. Endpoint failures happen later, as `LLMError`.
    """
    if settings.llm == "none":
        return LLMChoice(None)
    try:
        return LLMChoice(make_llm(settings))
    except (MissingExtra, LLMConfigError) as exc:
        log.info("the configured LLM cannot be used: %s", exc)  # the caller shows the notice
        return LLMChoice(None, str(exc))


def make_llm(settings: Settings) -> ChatModel | None:
    """The configured chat model, or None for `ASSISTANT_LLM=none` (offline answers only).

    Raises `MissingExtra` when the backend's pip extra is not installed and `LLMConfigError`
    when a setting is unusable; endpoint failures happen later, as `LLMError`.
    """
    match settings.llm:
        case "none":
            return None
        case "openai":
            return _openai(settings)
        case "llamacpp":
            return _llamacpp(settings)
    raise LLMConfigError(f"ASSISTANT_LLM={settings.llm!r} is not known; use none, openai or llamacpp")


def _openai(settings: Settings) -> ChatModel:
    url = (settings.llm_base_url or "").strip() or None
    if url is not None:
        parts = urlparse(url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise LLMConfigError(
                f"ASSISTANT_LLM_BASE_URL={url!r} is not an http(s) URL; "
                "e.g. http://localhost:11434/v1 (Ollama) or http://localhost:8000/v1 (vLLM)")
    try:
        import langchain_openai  # noqa: F401 - fail here, with the extra's name

        from assistant.llm.langchain_adapter import openai_chat
    except ImportError as exc:
        raise MissingExtra("ASSISTANT_LLM=openai", "llm") from exc
    model = (settings.llm_model or "").strip()
    if not model:
        log.info("ASSISTANT_LLM_MODEL is not set; asking the server for model %r", DEFAULT_MODEL_NAME)
        model = DEFAULT_MODEL_NAME
    return openai_chat(base_url=url, model=model, api_key=settings.llm_api_key,
                       timeout=settings.llm_timeout, max_tokens=settings.llm_max_tokens,
                       temperature=settings.llm_temperature)


def _llamacpp(settings: Settings) -> ChatModel:
    gguf = settings.llm_gguf
    if gguf is None:
        raise LLMConfigError("ASSISTANT_LLM=llamacpp needs ASSISTANT_LLM_GGUF=<path to a .gguf file>")
    if not gguf.is_file():
        raise LLMConfigError(f"ASSISTANT_LLM_GGUF={gguf}: file not found")
    try:
        import llama_cpp  # noqa: F401
        from langchain_community.chat_models import ChatLlamaCpp  # noqa: F401

        from assistant.llm.langchain_adapter import llamacpp_chat
    except ImportError as exc:
        raise MissingExtra("ASSISTANT_LLM=llamacpp", "llamacpp") from exc
    try:
        return llamacpp_chat(gguf=str(gguf), max_tokens=settings.llm_max_tokens,
                             temperature=settings.llm_temperature, n_ctx=settings.llm_context,
                             threads=settings.threads)
    except Exception as exc:  # noqa: BLE001 - a corrupt or unsupported model file
        raise LLMConfigError(f"ASSISTANT_LLM_GGUF={gguf}: cannot load the model ({exc})") from exc
