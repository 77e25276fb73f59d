"""LLM backends behind one small interface; LangChain stays inside `langchain_adapter`."""

from .base import ChatModel, LLMConfigError, LLMError, Message
from .factory import make_llm

__all__ = ["ChatModel", "LLMConfigError", "LLMError", "Message", "make_llm"]
