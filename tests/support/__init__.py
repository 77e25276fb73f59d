"""Test support kept out of the production package: fakes for the embedder and the chat model.

`register_fakes()` makes `ASSISTANT_EMBEDDINGS=hash-test` available in this process; the CLI in a
subprocess gets it through `python -m tests.support.cli`, which registers the fakes first.
Imports are lazy so that the CLI under test loads no more of the package than a user's would.
"""

from __future__ import annotations

from typing import Any


def register_fakes() -> None:
    from tests.support.fake_embedder import register

    register()


def __getattr__(name: str) -> Any:
    if name == "FakeChatModel":
        from tests.support.fake_llm import FakeChatModel

        return FakeChatModel
    if name == "HashEmbedder":
        from tests.support.fake_embedder import HashEmbedder

        return HashEmbedder
    raise AttributeError(name)
