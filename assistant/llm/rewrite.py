"""LLM polishing for drafts and comparison summaries, with the number verifier as the guard.

`rewrite_section` turns a composer skeleton into fluent prose; the figures it may use are the
skeleton's and the user's (`sources`) — never the peer passages, which describe other communes.
`summarize_comparison` writes a short summary of a comparison table. Both return
`(text, unsupported_numbers, warnings)`, mark untraceable figures as ⟦…⟧, and fall back to the
offline text with a warning when the model fails; they never raise.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from pathlib import Path

from assistant.llm.base import ChatModel, LLMError
from assistant.llm.prompts import data_block, load_prompt, neutralise, passage_block
from assistant.llm.streaming import strip_think
from assistant.qa.grounding import check_text, source_keys
from assistant.text.citations import cited, mask_citations
from assistant.text.vn_numbers import figure_keys, find_numbers

log = logging.getLogger(__name__)
Result = tuple[str, list[str], list[str]]


def _generate(llm: ChatModel, prompt: str, fields: dict[str, str], prompts_dir: Path | None) -> str:
    messages = load_prompt(prompt, prompts_dir).render(fields)
    text = strip_think(llm.complete(messages)).strip()
    if not text:
        raise LLMError("the model returned an empty text", "empty")
    return text


def _check(text: str, sources: Sequence[str], allowed: Iterable[str],
           citable: set[int]) -> tuple[str, list[str], list[str]]:
    checked = check_text(text, sources, allowed=allowed, citable=citable)
    return checked.text, checked.unsupported, checked.warnings("Văn bản LLM viết")


def lost_figures(original: str, rewritten: str) -> list[str]:
    """Figures of `original` that `rewritten` no longer states."""
    keys = source_keys([mask_citations(rewritten)])
    return list(dict.fromkeys(s.raw.strip() for s in find_numbers(mask_citations(original))
                              if not figure_keys(s) & keys))


def rewrite_section(llm: ChatModel | None, skeleton_text: str, peer_passages: Sequence[str], *,
                    sources: Sequence[str] = (), allowed: Iterable[str] = (), title: str = "",
                    commune: str = "", prompts_dir: Path) -> Result:
    """The skeleton rewritten as fluent prose, verified; the skeleton itself when anything fails."""
    if llm is None or not skeleton_text.strip():
        return skeleton_text, [], []
    peers = data_block([passage_block(i, p) for i, p in enumerate(peer_passages, start=1)])
    peers = peers.replace("<du_lieu>", "<tham_khao>").replace("</du_lieu>", "</tham_khao>")
    fields = {"skeleton": neutralise(skeleton_text).strip(), "peers": peers, "title": title or "(không tên)",
              "commune": commune or "(chưa rõ)"}
    try:
        text = _generate(llm, "draft_rewrite", fields, prompts_dir)
    except Exception as exc:  # noqa: BLE001 - LLMError or a broken prompt file
        reason = str(exc) if isinstance(exc, LLMError) else f"{exc.__class__.__name__}: {exc}"
        log.info("rewrite failed (%s); keeping the skeleton", reason)
        return skeleton_text, [], [f"LLM không viết lại được mục «{title}» ({reason}); giữ bản khung."]
    shown, unsupported, warnings = _check(text, [skeleton_text, *sources], allowed,
                                          set(cited(skeleton_text)))
    if lost := lost_figures(skeleton_text, text):
        warnings.append(f"Bản viết lại bỏ sót số liệu của bản khung: {', '.join(lost)}.")
    if missing := sorted(set(cited(skeleton_text)) - set(cited(text))):
        warnings.append("Bản viết lại bỏ sót trích dẫn: " + ", ".join(f"[{n}]" for n in missing) + ".")
    return shown, unsupported, warnings


def summarize_comparison(llm: ChatModel | None, topic: str, facts_text: str,
                         passages: Sequence[str] = (), *, sources: Sequence[str] = (),
                         allowed: Iterable[str] = (), fallback: str = "",
                         prompts_dir: Path) -> Result:
    """A short summary of a comparison table, verified against the table and the passages."""
    if llm is None:
        return fallback, [], []
    fields = {"topic": topic, "facts": neutralise(facts_text).strip(),
              "passages": data_block([passage_block(i, p) for i, p in enumerate(passages, start=1)])}
    try:
        text = _generate(llm, "compare_summary", fields, prompts_dir)
    except Exception as exc:  # noqa: BLE001
        reason = str(exc) if isinstance(exc, LLMError) else f"{exc.__class__.__name__}: {exc}"
        return fallback, [], [f"LLM không tóm tắt được ({reason})."]
    return _check(text, [facts_text, *passages, *sources], [topic, *allowed],
                  set(range(1, len(passages) + 1)))
