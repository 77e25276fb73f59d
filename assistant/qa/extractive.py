"""Answers without an LLM: understand the question once, then answer it by its kind (see
`qa.answers`), quoting the sources exactly and citing them — or say plainly that nothing states it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from assistant.qa.answers import Context, answer, catalog_summary
from assistant.qa.answers.figure import key_figure
from assistant.qa.evidence import Evidence
from assistant.qa.question import Question, understand
from assistant.qa.retriever import Filters, Retriever
from assistant.records import Answer

__all__ = ["Answerer", "catalog_summary", "key_figure"]


class Answerer:
    """Extractive question answering over a loaded Retriever."""

    def __init__(self, retriever: Retriever) -> None:
        self.r = retriever
        self.evidence = Evidence(retriever)

    def understand(self, question: str, history: Sequence[str] = ()) -> Question:
        """The typed question (a follow-up resolved against `history`, the earlier questions)."""
        q = understand(question, history, self.r.communes)
        return replace(q, terms=self.evidence.respell(q.terms))

    def is_target_question(self, question: str) -> bool:
        return self.understand(question).kind == "target"

    def answer(self, q: Question, k: int = 5, filters: Filters | None = None) -> Answer:
        ans = answer(q, Context(self.r, self.evidence, k), filters)
        ans.understood_as = q.understood_as
        return ans

    def ask(self, question: str, k: int = 5, filters: Filters | None = None,
            history: Sequence[str] = ()) -> Answer:
        return self.answer(self.understand(question, history), k, filters)
