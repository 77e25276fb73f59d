"""Grounded answers from an LLM: retrieve, prompt with numbered passages, verify every figure.

The model sees the question and the retrieved passages (as delimited data, see
`llm.prompts`). Its reply is checked by the number verifier against those passages: figures no
passage states are listed in `unsupported_numbers` and wrapped as ⟦…⟧ in the text. When the
endpoint fails in any way (refused, timeout, HTTP error, garbage, empty reply) the offline
extractive answer is returned instead, with a warning saying what happened — this never raises.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from pathlib import Path

from assistant.llm.base import ChatModel, LLMError, Message
from assistant.llm.prompts import data_block, load_prompt, passage_block
from assistant.llm.streaming import StreamMarker, strip_think
from assistant.qa.extractive import Answerer
from assistant.qa.grounding import check_text
from assistant.qa.question import KIND_LABELS, Question
from assistant.qa.retriever import Filters, Retriever
from assistant.records import Answer, Citation, SearchResult
from assistant.settings import Settings
from assistant.text.normalize import fold

log = logging.getLogger(__name__)
OnToken = Callable[[str], None]


def passage_attrs(r: SearchResult) -> dict[str, object]:
    """What the model is told about a passage besides its text (also a source for figures)."""
    c = r.chunk
    return {"nguon": c.source, "xa": c.commune, "nam": c.year or "", "muc": c.section}


def build_qa_messages(question: str, results: list[SearchResult], prompts_dir: Path, *,
                      history: Sequence[str] = (), kind: str = "") -> list[Message]:
    """The chat messages for a grounded Q&A: rules, then the conversation and the question (as
    understood), then the passages as data."""
    blocks = [passage_block(i, r.chunk.text, passage_attrs(r)) for i, r in enumerate(results, start=1)]
    earlier = [" ".join(h.split()) for h in history if h.strip()][-4:]
    conversation = ("Các câu hỏi trước trong cuộc trò chuyện: " + " | ".join(earlier) + "\n") if earlier else ""
    prompt = load_prompt("qa", prompts_dir)
    return prompt.render({"question": " ".join(question.split()), "passages": data_block(blocks),
                          "conversation": conversation, "kind": KIND_LABELS.get(kind, kind or "khác")})


def declined(text: str) -> bool:
    """Whether the model said that the passages do not answer the question."""
    head = fold(text.strip().lstrip("*_#> ").split("\n", 1)[0])
    return head.startswith(("khong tim thay", "tai lieu tim duoc khong co", "khong co thong tin"))


def _fallback_warning(reason: str, partial: bool) -> str:
    midway = " giữa chừng" if partial else ""
    return f"Mô hình ngôn ngữ không trả lời được{midway} ({reason}); đây là câu trả lời trích dẫn offline."


class LLMAnswerer:
    """Q&A through a chat model, with the extractive `Answerer` as the safety net."""

    def __init__(self, retriever: Retriever, answerer: Answerer, llm: ChatModel,
                 settings: Settings | None = None) -> None:
        self.r = retriever
        self.answerer = answerer
        self.llm = llm
        self.settings = settings or retriever.settings

    def passages(self, q: Question, k: int, filters: Filters | None = None) -> list[SearchResult]:
        """The passages the model gets: guidance for target questions, else the commune's passages."""
        if q.kind == "target" and (filters is None or filters.is_empty()):
            hits = self.r.search(q.query, k=k, filters=Filters(kinds=["guidance"]), auto_commune=False)
            if hits:
                return hits
        f = Filters(**vars(filters)) if filters else Filters()
        if q.communes and not f.communes:
            f.communes = list(q.communes)
        return self.r.search(q.query, k=k, filters=f, auto_commune=False)

    def ask(self, question: str, k: int = 5, filters: Filters | None = None, *,
            stream: bool = False, on_token: OnToken | None = None, history: Sequence[str] = ()) -> Answer:
        """Answer with the LLM; with `stream`, checked text goes to `on_token` as it arrives.
        `history` holds the earlier questions; a follow-up is answered as understood from them."""
        q = self.answerer.understand(question, history)
        if q.unknown_communes and not q.communes:  # nothing in the library to give the model
            return self.answerer.answer(q, k, filters)
        try:
            results = self.passages(q, k, filters)
        except Exception as exc:  # noqa: BLE001 - retrieval errors are the offline path's to report
            log.debug("retrieval for the LLM failed", exc_info=True)
            return self._offline(q, k, filters, f"{exc.__class__.__name__}: {exc}", False)
        if not results:
            return self.answerer.answer(q, k, filters)
        asked = q.understood_as or q.text
        sources = [r.chunk.text for r in results]
        sources += [" ".join(str(v) for v in passage_attrs(r).values()) for r in results]
        allowed = [asked]
        reply, partial = "", False
        try:
            messages = build_qa_messages(asked, results, self.settings.prompts_dir,
                                         history=history if q.understood_as else (), kind=q.kind)
            if stream:
                marker = StreamMarker(sources, allowed)
                for piece in self.llm.stream(messages):
                    reply += piece
                    shown = marker.feed(piece)
                    partial = partial or bool(shown)
                    if shown and on_token:
                        on_token(shown)
                rest = marker.finish()
                if rest and on_token:
                    on_token(rest)
            else:
                reply = self.llm.complete(messages)
        except LLMError as exc:
            return self._offline(q, k, filters, str(exc), partial)
        except Exception as exc:  # noqa: BLE001 - whatever breaks, the user still gets an answer
            log.debug("LLM answer failed", exc_info=True)
            return self._offline(q, k, filters, f"{exc.__class__.__name__}: {exc}", partial)
        text = strip_think(reply).strip()
        if not text:
            return self._offline(q, k, filters, "mô hình trả về câu trả lời rỗng", partial)
        ans = self._verified(text, results, sources, allowed)
        ans.found, ans.kind, ans.understood_as = not declined(text), q.kind, q.understood_as
        return ans

    def _verified(self, text: str, results: list[SearchResult], sources: list[str],
                  allowed: list[str]) -> Answer:
        checked = check_text(text, sources, allowed=allowed, citable=set(range(1, len(results) + 1)))
        warnings = checked.warnings()
        used = checked.used
        if not used:
            warnings.append("Câu trả lời không ghi nguồn [n]; dưới đây là các đoạn đã gửi cho mô hình.")
            used = list(range(1, len(results) + 1))
        citations = []
        for n in sorted(used):
            c = results[n - 1].chunk
            citations.append(Citation.of(n, c))
        return Answer(checked.text, citations, "llm", warnings, checked.unsupported)

    def _offline(self, q: Question, k: int, filters: Filters | None, reason: str,
                 partial: bool) -> Answer:
        log.info("LLM failed (%s); answering offline", reason)
        ans = self.answerer.answer(q, k, filters)
        ans.warnings.insert(0, _fallback_warning(reason, partial))
        return ans


def llm_answerer(assistant, llm: ChatModel) -> LLMAnswerer:  # noqa: ANN001 - services.Assistant
    """An `LLMAnswerer` over a loaded `services.Assistant`."""
    return LLMAnswerer(assistant.retriever, assistant.answerer, llm, assistant.settings)
