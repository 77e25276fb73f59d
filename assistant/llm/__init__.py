"""LLM backends behind one small interface; LangChain stays inside `langchain_adapter`."""

from assistant.llm.base import ChatModel, LLMConfigError, LLMError, Message
from assistant.llm.factory import LLMChoice, build_llm, make_llm

__all__ = ["ChatModel", "LLMChoice", "LLMConfigError", "LLMError", "Message", "build_llm", "make_llm"]
