"""Drafting a commune's report from its figures: "Kết quả đạt được", "Tồn tại, hạn chế",
"Phương hướng, nhiệm vụ" of the next period and "Đề xuất, kiến nghị".

    from assistant.drafting import draft_report
    doc = draft_report(settings, "dai_son_2025.yaml")          # a DraftDocument (plus .gaps)
    export_docx(doc, "out.docx")

`compose` returns the unverified skeleton with, per section, the source texts of every figure
it may hold (for an LLM layer that rewrites the skeleton); `draft_report` composes and runs
the number verifier on every section. Citation numbers are shared by the whole draft, so "[n]"
means the same passage in every section, in the sources list, in the web view and the .docx.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from assistant.domain.catalog import Indicator, catalog_at
from assistant.domain.figures import CommuneFigures, load_figures
from assistant.drafting.composer import SECTION_IDS, SectionSkeleton, Skeleton, compose
from assistant.drafting.document import DraftDocument, DraftSection
from assistant.drafting.gaps import (
    AppliedTarget,
    GapReport,
    IndicatorGap,
    analyse_gaps,
    catalog_target,
)
from assistant.drafting.templates import Phrases, TemplateError, load_phrases, phrases_dir
from assistant.qa.grounding import unsupported_numbers
from assistant.qa.retriever import Retriever
from assistant.settings import Settings, get_settings
from assistant.text.citations import cited
from assistant.text.citations import renumber as renumber_markers

log = logging.getLogger(__name__)

__all__ = [
    "SECTION_IDS",
    "AppliedTarget",
    "Draft",
    "GapReport",
    "IndicatorGap",
    "Phrases",
    "SectionSkeleton",
    "Skeleton",
    "TemplateError",
    "analyse_gaps",
    "catalog_target",
    "compose",
    "draft_report",
    "load_phrases",
    "section_unsupported",
]


@dataclass
class Draft(DraftDocument):
    """A DraftDocument that also carries the gap analysis (`gaps` in its JSON)."""

    gaps: list[dict[str, Any]] = field(default_factory=list)
    # per section id: the texts that state every figure the section may hold (the user's
    # figures, the catalog targets used, figures derived by code such as gaps), plus the cited
    # passages; use these, not the figures file alone, to re-check an edited section
    sources: dict[str, list[str]] = field(default_factory=dict)
    # the suggestions for pillars the input leaves out (each also written, marked, in the text)
    suggestions: list[dict[str, Any]] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        data = super().to_json()
        data["gaps"] = list(self.gaps)
        data["suggestions"] = list(self.suggestions)
        return data


def section_unsupported(text: str, sources: Iterable[str], year: int) -> list[str]:
    """Figures in a section that no source states (the report year and the next are allowed)."""
    return unsupported_numbers(text, sources=list(sources), allowed=[str(year), str(year + 1)])


def _settings_of(settings_or_assistant: Any, retriever: Retriever | None) -> Settings:
    """The settings that name the catalog and the phrase files (the environment's without any)."""
    if retriever is not None:
        return retriever.settings
    if isinstance(settings_or_assistant, Settings):
        return settings_or_assistant
    return getattr(settings_or_assistant, "settings", None) or get_settings()


def _retriever_of(settings_or_assistant: Any) -> tuple[Retriever | None, Any]:
    """(retriever, object to close afterwards) from a Settings, an Assistant or a Retriever."""
    if settings_or_assistant is None:
        return None, None
    if isinstance(settings_or_assistant, Retriever):
        return settings_or_assistant, None
    if hasattr(settings_or_assistant, "retriever"):
        return settings_or_assistant.retriever, None
    from assistant.app import Assistant  # the index is built on first use

    assistant = Assistant(settings_or_assistant)
    return assistant.retriever, assistant


def draft_report(
    settings_or_assistant: Any,
    figures: CommuneFigures | str | os.PathLike[str],
    *,
    sections: Sequence[str] = SECTION_IDS,
    exclude_communes: Sequence[str] = (),
    retriever: Retriever | None = None,
    catalog: Sequence[Indicator] | None = None,
    phrases: Phrases | None = None,
    llm: Any = None,
    prompts_dir: Any = None,
    suggestions: bool = True,
) -> Draft:
    """Draft the requested sections for a figures file (or loaded figures), verified.

    `settings_or_assistant` is a Settings (an Assistant is built, with the index if missing),
    an Assistant, or None (no peer passages, no citations). `retriever` overrides it.
    `exclude_communes` leaves those communes' reports out of the peer passages.
    With `llm` (an `assistant.llm.ChatModel`) each section is rewritten into fluent prose from the
    skeleton and the peer passages; the rewrite is verified against the skeleton's sources and falls
    back to the skeleton, with a warning, when the model fails.
    `suggestions=False` leaves out the peers' suggestions for the pillars the input leaves out.
    Raises `FiguresError` for an unreadable figures file, `TemplateError` for a broken phrase file.
    """
    figs = figures if isinstance(figures, CommuneFigures) else load_figures(figures)
    owner = None
    if retriever is None:
        retriever, owner = _retriever_of(settings_or_assistant)
    settings = _settings_of(settings_or_assistant, retriever)
    catalog = catalog if catalog is not None else catalog_at(settings.catalog_path)
    phrases = phrases or load_phrases(phrases_dir(settings.prompts_dir))
    prompts_dir = prompts_dir or settings.prompts_dir
    try:
        sk = compose(
            figs,
            retriever=retriever,
            sections=sections,
            exclude_communes=exclude_communes,
            catalog=catalog,
            phrases=phrases,
            suggestions=suggestions,
        )
    finally:
        if owner is not None:
            owner.close()
    out, sources = [], {}
    warnings = list(sk.warnings)
    for s in sk.sections:
        sources[s.id] = [*s.sources, *s.peer_passages]
        text = s.text
        unsupported = section_unsupported(s.text, sources[s.id], sk.year)
        if llm is not None:
            text, llm_unsupported, llm_warnings = _rewrite(llm, s, sk.commune, prompts_dir)
            unsupported = list(dict.fromkeys([*unsupported, *llm_unsupported]))
            warnings.extend(llm_warnings)
        if unsupported:
            log.warning("section %s: figures without a source: %s", s.id, ", ".join(unsupported))
        out.append(DraftSection(s.id, s.title, text, list(s.citations), unsupported))
    bad = [f"{s.title}: {', '.join(s.unsupported_numbers)}" for s in out if s.unsupported_numbers]
    if bad:
        warnings.append("Số liệu chưa đối chiếu được với nguồn: " + "; ".join(bad) + ".")
    return Draft(
        commune=sk.commune,
        province=sk.province,
        year=sk.year,
        sections=out,
        unmatched=sk.unmatched,
        warnings=warnings,
        period=sk.period,
        next_period=sk.next_period,
        gaps=[g.to_json() for g in sk.gaps.items],
        sources=sources,
        suggestions=[x.to_json() for x in sk.suggestions],
    )


def _rewrite(llm: Any, s: SectionSkeleton, commune: str, prompts_dir: Any) -> tuple[str, list, list]:
    """An LLM rewrite of one section; the model sees its passages numbered 1…k, the draft keeps
    the document's numbers, and a rewrite that drops a suggestion's mark is not used."""
    from assistant.drafting.document import SUGGESTION_MARK
    from assistant.llm.rewrite import rewrite_section

    local = {c.n: i for i, c in enumerate(s.citations, start=1)}
    back = {i: n for n, i in local.items()}
    text, unsupported, warnings = rewrite_section(
        llm, renumber_markers(s.text, local), s.peer_passages, sources=s.sources,
        allowed=s.allowed, title=s.title, commune=commune, prompts_dir=prompts_dir)  # fmt: skip
    text = renumber_markers(text, back) if cited(text) else text
    if text.count(SUGGESTION_MARK) < s.text.count(SUGGESTION_MARK):
        warnings = [*warnings, f"Bản viết lại mục «{s.title}» làm mất đánh dấu gợi ý; giữ bản khung."]
        return s.text, [], warnings
    return text, unsupported, warnings
