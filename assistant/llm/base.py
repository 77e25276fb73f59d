"""The chat-model interface the core uses: plain messages in, plain strings out."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Literal

Role = Literal["system", "user", "assistant"]
FailureKind = Literal["connection", "timeout", "http", "malformed", "empty", "other"]


@dataclass(frozen=True)
class Message:
    """One chat message in the project's own type (the adapter converts it for LangChain)."""

    role: Role
    content: str


class LLMError(RuntimeError):
    """The model could not give an answer; `kind` says why, the message says it plainly."""

    def __init__(self, message: str, kind: FailureKind = "other") -> None:
        super().__init__(message)
        self.kind: FailureKind = kind


class LLMConfigError(ValueError):
    """The LLM settings are wrong (missing model file, bad URL): a user-fixable error."""


class ChatModel(ABC):
    """A chat model: `complete` returns the whole reply, `stream` yields it piece by piece.

    Implementations raise `LLMError` for every failure of the endpoint or model.
    """

    name: str = "chat-model"

    @abstractmethod
    def complete(self, messages: Sequence[Message]) -> str:
        """The full reply to `messages`."""

    def stream(self, messages: Sequence[Message]) -> Iterator[str]:
        """The reply in pieces as they are generated (default: one piece)."""
        yield self.complete(messages)
