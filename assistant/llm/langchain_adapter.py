"""The only module that touches LangChain: builds chat models and turns their output and errors
into plain strings and `LLMError`s.

Two backends: `ChatOpenAI` (langchain-openai) against any OpenAI-compatible server — vLLM,
Ollama, llama.cpp's `llama-server`, LM Studio, a cloud — and `ChatLlamaCpp`
(langchain-community + llama-cpp-python) for a local GGUF file.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator, Sequence
from typing import Any

from assistant.llm.base import ChatModel, LLMError, Message

log = logging.getLogger(__name__)


def _to_langchain(messages: Sequence[Message]) -> list[Any]:
    from langchain_core.messages import AIMessage, HumanMessage, SystemMessage

    kinds = {"system": SystemMessage, "user": HumanMessage, "assistant": AIMessage}
    return [kinds[m.role](content=m.content) for m in messages]


def _text(message: Any) -> str:
    """The text of a LangChain message or chunk (string or content-block list)."""
    text = getattr(message, "text", None)
    if text is None:
        content = getattr(message, "content", None)
        if not isinstance(content, str):
            raise LLMError(f"the model returned no text ({type(message).__name__})", "malformed")
        return content
    return str(text)


def _root_cause(exc: BaseException) -> BaseException:
    """The innermost exception of a chain ("[Errno 111] Connection refused")."""
    seen = {id(exc)}
    while (nxt := exc.__cause__ or exc.__context__) is not None and id(nxt) not in seen:
        seen.add(id(nxt))
        exc = nxt
    return exc


class LangChainChat(ChatModel):
    """A LangChain chat model behind the project's `ChatModel` interface."""

    def __init__(self, model: Any, *, name: str, where: str, timeout: float | None = None) -> None:
        self._model = model
        self.name = name
        self.where = where
        self.timeout = timeout

    def complete(self, messages: Sequence[Message]) -> str:
        try:
            reply = self._model.invoke(_to_langchain(messages))
            return _text(reply)
        except LLMError:
            raise
        except Exception as exc:  # noqa: BLE001 - every client failure becomes one plain LLMError
            raise self._explain(exc) from exc

    def stream(self, messages: Sequence[Message]) -> Iterator[str]:
        try:
            for chunk in self._model.stream(_to_langchain(messages)):
                piece = _text(chunk)
                if piece:
                    yield piece
        except LLMError:
            raise
        except Exception as exc:  # noqa: BLE001
            raise self._explain(exc) from exc

    def _explain(self, exc: Exception) -> LLMError:
        """A plain, one-line reason for a failure of the client or the server."""
        detail = " ".join(str(exc).split())[:300]
        try:
            import openai
        except ImportError:  # llama.cpp backend without the openai package
            openai = None  # type: ignore[assignment]
        if openai is not None:
            if isinstance(exc, openai.APITimeoutError):
                return LLMError(f"no reply from {self.where} within {self.timeout:g} s (timeout)",
                                "timeout")
            if isinstance(exc, openai.APIConnectionError):
                why = " ".join(str(_root_cause(exc)).split())[:200] or "connection error"
                return LLMError(f"cannot connect to {self.where} ({why})", "connection")
            if isinstance(exc, openai.APIStatusError):
                return LLMError(f"{self.where} answered HTTP {exc.status_code}: {detail}", "http")
            if isinstance(exc, openai.APIResponseValidationError | openai.APIError):
                return LLMError(f"{self.where} sent a reply that is not a valid chat completion: "
                                f"{detail}", "malformed")
        if isinstance(exc, ValueError) and "no generation chunks" in detail.lower():
            return LLMError(f"{self.where} streamed no answer text (an empty answer, or a body "
                            "that is not a chat-completion event stream)", "empty")
        if isinstance(exc, ValueError | KeyError | TypeError | AttributeError | IndexError):
            return LLMError(f"{self.where} sent a reply that is not a valid chat completion: "
                            f"{exc.__class__.__name__}: {detail}", "malformed")
        return LLMError(f"{self.where}: {exc.__class__.__name__}: {detail}", "other")


def openai_chat(*, base_url: str | None, model: str, api_key: str | None, timeout: float,
                max_tokens: int | None, temperature: float | None) -> LangChainChat:
    """`ChatOpenAI` against an OpenAI-compatible `/v1/chat/completions` endpoint, no retries."""
    from langchain_openai import ChatOpenAI

    kwargs: dict[str, Any] = {}
    if max_tokens:
        # Sent as `max_tokens`, which Ollama, vLLM, llama-server and LM Studio all read;
        # ChatOpenAI's own field goes out as `max_completion_tokens`, which some ignore.
        kwargs["extra_body"] = {"max_tokens": int(max_tokens)}
    if temperature is not None:
        kwargs["temperature"] = float(temperature)
    key = api_key or os.environ.get("OPENAI_API_KEY") or "not-needed"
    chat = ChatOpenAI(model=model, base_url=base_url, api_key=key, timeout=timeout, max_retries=0,
                      stream_usage=False, use_responses_api=False, **kwargs)
    where = f"LLM server {base_url}" if base_url else "the OpenAI API"
    return LangChainChat(chat, name=f"openai:{model}", where=where, timeout=timeout)


def llamacpp_chat(*, gguf: str, max_tokens: int | None, temperature: float | None,
                  n_ctx: int, threads: int | None) -> LangChainChat:
    """`ChatLlamaCpp` over a local GGUF file (loads the whole model now)."""
    from langchain_community.chat_models import ChatLlamaCpp

    kwargs: dict[str, Any] = {"model_path": gguf, "n_ctx": n_ctx, "verbose": False}
    if max_tokens:
        kwargs["max_tokens"] = int(max_tokens)
    if temperature is not None:
        kwargs["temperature"] = float(temperature)
    if threads:
        kwargs["n_threads"] = int(threads)
    chat = ChatLlamaCpp(**kwargs)
    return LangChainChat(chat, name=f"llamacpp:{os.path.basename(gguf)}", where=f"GGUF model {gguf}")
