"""A deterministic chat model for tests: replays queued replies and records what it was sent."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from assistant.llm.base import ChatModel, LLMError, Message


class FakeChatModel(ChatModel):
    """Replays `responses` in order (the last one repeats); an `LLMError` in the queue is raised.

    `stream` splits a reply into pieces of `chunk_chars` characters; `fail_after` makes a
    stream break (with an LLMError) after that many pieces, like a connection lost midway.
    """

    name = "fake"

    def __init__(self, responses: Sequence[str | LLMError] = ("",), *, chunk_chars: int = 7,
                 fail_after: int | None = None) -> None:
        if not responses:
            raise ValueError("FakeChatModel needs at least one response")
        self.responses = list(responses)
        self.chunk_chars = max(1, chunk_chars)
        self.fail_after = fail_after
        self.calls: list[list[Message]] = []

    def _next(self, messages: Sequence[Message]) -> str:
        self.calls.append(list(messages))
        reply = self.responses.pop(0) if len(self.responses) > 1 else self.responses[0]
        if isinstance(reply, LLMError):
            raise reply
        return reply

    def complete(self, messages: Sequence[Message]) -> str:
        return self._next(messages)

    def stream(self, messages: Sequence[Message]) -> Iterator[str]:
        reply = self._next(messages)
        for i in range(0, len(reply), self.chunk_chars):
            if self.fail_after is not None and i // self.chunk_chars >= self.fail_after:
                raise LLMError("connection lost while streaming", "connection")
            yield reply[i : i + self.chunk_chars]
