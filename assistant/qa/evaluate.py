"""Retrieval and answer quality on a question file: hit@k, MRR, answer accuracy per kind, declining.

A question file has one JSON object per line: `q` (or `question`), `answer` (a regex the answer
must match, letter case aside, or null when the right answer is to decline), and optionally `id`, `kind`, `commune`, `seed` (the
source file the answer is in) and `history` (earlier questions of the conversation, for follow-ups).

- A retrieval *hit* is a top-k passage from the right report that matches the gold pattern
  (questions to decline and those without a seed are not scored for retrieval).
- An answer is *right* when it is not a "không tìm thấy" and matches the pattern; for a question
  to decline, when the assistant declines (`Answer.found` is False).
- A which-commune answer is scored on its first line, the conclusion (the lines after it list
  every commune, including those that do not state it).
- A *wrong-commune* answer names a figure or fact of another commune as the answer to a question
  about one commune: the question names commune X, the answer is not declined, and its first
  citation comes from a report of another commune.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from assistant.jsonl import JsonlError, read_jsonl
from assistant.qa.retriever import Retriever
from assistant.records import Answer
from assistant.text.normalize import fold

AskFn = Callable[[str, list[str]], Answer]


class EvalFileError(ValueError):
    """A question file line that cannot be used."""


@dataclass
class KindScore:
    n: int = 0
    ok: int = 0

    def to_json(self) -> dict:
        return {"questions": self.n, "answer_accuracy": round(self.ok / max(self.n, 1), 3)}


@dataclass
class EvalResult:
    mode: str
    n: int = 0
    scored: int = 0  # questions scored for retrieval (with an answer and a seed)
    hits: dict[int, int] = field(default_factory=lambda: {1: 0, 3: 0, 5: 0, 10: 0})
    rr_sum: float = 0.0
    answers_ok: int = 0
    to_decline: int = 0
    declined: int = 0
    wrong_commune: int = 0
    kinds: dict[str, KindScore] = field(default_factory=dict)
    failures: list[dict] = field(default_factory=list)

    def to_json(self) -> dict:
        n, s = max(self.n, 1), max(self.scored, 1)
        out = {"mode": self.mode, "questions": self.n,
               **{f"hit@{k}": round(v / s, 3) for k, v in self.hits.items()},
               "mrr@10": round(self.rr_sum / s, 3), "answer_accuracy": round(self.answers_ok / n, 3)}
        if self.to_decline:
            out["declined"] = f"{self.declined}/{self.to_decline}"
        out["wrong_commune"] = self.wrong_commune
        if len(self.kinds) > 1 or (self.kinds and "" not in self.kinds):
            out["by_kind"] = {k: v.to_json() for k, v in sorted(self.kinds.items())}
        return out


def load_questions(path: Path) -> list[dict]:
    rows = []
    try:
        numbered = list(read_jsonl(path.read_text(encoding="utf-8").splitlines(), path.name))
    except JsonlError as exc:
        raise EvalFileError(str(exc)) from exc
    for i, row in numbered:
        if "q" not in row and isinstance(row.get("question"), str):
            row["q"] = row["question"]  # the longer name other tools write
        missing = [f for f in ("q", "answer") if f not in row]
        if missing:
            raise EvalFileError(f"{path.name}: dòng {i}: thiếu trường {', '.join(missing)}")
        if row["answer"] is not None:
            try:
                # letter case never decides whether an answer is right ("Chủ tịch", "chủ tịch")
                row["_rx"] = re.compile(unicodedata.normalize("NFC", row["answer"]), re.IGNORECASE)
            except (re.error, TypeError) as exc:
                raise EvalFileError(f"{path.name}: dòng {i}: answer không phải biểu thức chính quy "
                                    f"hợp lệ ({exc})") from exc
        history = row.get("history") or []
        if not isinstance(history, list) or not all(isinstance(h, str) for h in history):
            raise EvalFileError(f"{path.name}: dòng {i}: history phải là danh sách câu hỏi")
        rows.append(row)
    return rows


def _is_hit(row: dict, chunk) -> bool:  # noqa: ANN001
    if row.get("seed") and chunk.source != row["seed"]:
        return False
    if row.get("commune") and fold(chunk.commune) != fold(row["commune"]):
        return False
    return bool(row["_rx"].search(" ".join(chunk.text.split())))


def _wrong_commune(row: dict, ans: Answer) -> bool:
    want = row.get("commune")
    if not want or not ans.found or not ans.citations or row.get("kind") == "which_commune":
        return False
    first = ans.citations[0]
    return bool(first.commune) and fold(first.commune) != fold(want)


def evaluate(retriever: Retriever, questions: list[dict], *, mode: str | None = None,
             ask: AskFn | None = None) -> EvalResult:
    """Score one retrieval mode on the questions, and the answers of `ask(question, history)`."""
    mode = mode or retriever.mode
    res = EvalResult(mode=mode)
    saved = retriever.mode
    retriever.mode = mode
    try:
        for row in questions:
            res.n += 1
            history = list(row.get("history") or [])
            rank = None
            if row.get("_rx") is not None and row.get("seed") and not history:
                res.scored += 1
                results = retriever.search(row["q"], k=10, mode=mode)
                rank = next((i for i, r in enumerate(results) if _is_hit(row, r.chunk)), None)
                if rank is not None:
                    res.rr_sum += 1 / (rank + 1)
                    for k in res.hits:
                        if rank < k:
                            res.hits[k] += 1
            ok = None
            if ask is not None:
                ans = ask(row["q"], history)
                if row.get("_rx") is None:
                    res.to_decline += 1
                    ok = not ans.found
                    res.declined += ok
                else:
                    shown = ans.answer
                    if row.get("kind") == "which_commune":  # the conclusion, not the list of every commune
                        shown = ans.answer.split("\n", 1)[0]
                    ok = ans.found and bool(row["_rx"].search(" ".join(shown.split())))
                res.answers_ok += ok
                wrong = _wrong_commune(row, ans)
                res.wrong_commune += wrong
                score = res.kinds.setdefault(row.get("kind") or "", KindScore())
                score.n += 1
                score.ok += ok
            if (rank is None and row.get("seed") and row.get("_rx") is not None and not history) \
                    or (rank is not None and rank >= 5) or ok is False:
                res.failures.append({"id": row.get("id"), "kind": row.get("kind"), "q": row["q"],
                                     "rank": rank, "answer_ok": ok})
    finally:
        retriever.mode = saved
    return res
