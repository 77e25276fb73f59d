"""Retrieval and answer quality on a question file: hit@k, MRR and answer accuracy."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from assistant.jsonl import JsonlError, read_jsonl
from assistant.qa.extractive import Answerer
from assistant.qa.retriever import Retriever
from assistant.text.normalize import fold


class EvalFileError(ValueError):
    """A question file line that cannot be used."""


@dataclass
class EvalResult:
    mode: str
    n: int = 0
    hits: dict[int, int] = field(default_factory=lambda: {1: 0, 3: 0, 5: 0, 10: 0})
    rr_sum: float = 0.0
    answers_ok: int = 0
    failures: list[dict] = field(default_factory=list)

    def to_json(self) -> dict:
        n = max(self.n, 1)
        return {"mode": self.mode, "questions": self.n,
                **{f"hit@{k}": round(v / n, 3) for k, v in self.hits.items()},
                "mrr@10": round(self.rr_sum / n, 3), "answer_accuracy": round(self.answers_ok / n, 3)}


def load_questions(path: Path) -> list[dict]:
    rows = []
    try:
        numbered = list(read_jsonl(path.read_text(encoding="utf-8").splitlines(), path.name))
    except JsonlError as exc:
        raise EvalFileError(str(exc)) from exc
    for i, row in numbered:
        missing = [f for f in ("q", "answer") if f not in row]
        if missing:
            raise EvalFileError(f"{path.name}: line {i}: missing field(s) {', '.join(missing)}")
        try:
            row["_rx"] = re.compile(row["answer"])
        except re.error as exc:
            raise EvalFileError(f"{path.name}: line {i}: answer is not a valid regex ({exc})") from exc
        rows.append(row)
    return rows


def _is_hit(row: dict, chunk) -> bool:  # noqa: ANN001
    if row.get("seed") and chunk.source != row["seed"]:
        return False
    if row.get("commune") and fold(chunk.commune) != fold(row["commune"]):
        return False
    return bool(row["_rx"].search(" ".join(chunk.text.split())))


def evaluate(retriever: Retriever, questions: list[dict], *, mode: str | None = None,
             with_answers: bool = True) -> EvalResult:
    """Score one retrieval mode on the questions (a hit: right report + gold pattern in a top-k passage)."""
    mode = mode or retriever.mode
    res = EvalResult(mode=mode)
    answerer = Answerer(retriever) if with_answers else None
    saved = retriever.mode
    retriever.mode = mode
    try:
        for row in questions:
            res.n += 1
            results = retriever.search(row["q"], k=10, mode=mode)
            rank = next((i for i, r in enumerate(results) if _is_hit(row, r.chunk)), None)
            if rank is not None:
                res.rr_sum += 1 / (rank + 1)
                for k in res.hits:
                    if rank < k:
                        res.hits[k] += 1
            ok = None
            if answerer is not None:
                ans = answerer.ask(row["q"])
                ok = bool(row["_rx"].search(" ".join(ans.answer.split())))
                res.answers_ok += ok
            if rank is None or rank >= 5 or ok is False:
                res.failures.append({"id": row.get("id"), "q": row["q"], "rank": rank, "answer_ok": ok})
    finally:
        retriever.mode = saved
    return res
