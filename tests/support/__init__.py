"""Test support kept out of the production package: fakes for the embedder and the chat model.

`register_fakes()` makes `ASSISTANT_EMBEDDINGS=hash-test` available in this process; the CLI in a
subprocess gets it through `python -m tests.support.cli`, which registers the fakes first.
"""

from tests.support.fake_embedder import HashEmbedder
from tests.support.fake_embedder import register as register_fakes
from tests.support.fake_llm import FakeChatModel

__all__ = ["FakeChatModel", "HashEmbedder", "register_fakes"]
