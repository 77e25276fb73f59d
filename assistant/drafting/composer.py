"""The grounded composer (no LLM): "Tồn tại, hạn chế" and "Phương hướng, nhiệm vụ năm sau".

Everything it writes comes from the figures file (values, targets, notes, observations), the
gap analysis, the catalog targets it applied, the phrase templates in `prompts/draft/`, and
sentences of peer passages that carry no figure (cited as [n]). `compose` returns a
`Skeleton`: per section the text, the citations, and the source texts that state every
figure the text may hold — what the number verifier (and a later LLM rewrite) checks against.
The sections themselves are built in `ton_tai.py` and `phuong_huong.py`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from assistant.domain.catalog import Indicator, catalog_at
from assistant.domain.figures import CommuneFigures
from assistant.domain.sections import DRAFT_SECTION_IDS
from assistant.drafting import phuong_huong, ton_tai
from assistant.drafting.gaps import GapReport, analyse_gaps
from assistant.drafting.peers import PeerFinder
from assistant.drafting.templates import Phrases, load_phrases, phrases_dir
from assistant.drafting.writer import SectionSkeleton, Writer
from assistant.qa.retriever import Retriever

SECTION_IDS = DRAFT_SECTION_IDS
_BUILDERS = {"ton_tai": ton_tai.build, "phuong_huong": phuong_huong.build}


@dataclass
class Skeleton:
    """The composer's output for one figures file."""

    commune: str
    province: str
    year: int
    sections: list[SectionSkeleton]
    gaps: GapReport
    warnings: list[str] = field(default_factory=list)

    @property
    def unmatched(self) -> list[str]:
        return list(self.gaps.unmatched)


def compose(
    figures: CommuneFigures,
    *,
    retriever: Retriever | None = None,
    sections: Sequence[str] = SECTION_IDS,
    exclude_communes: Sequence[str] = (),
    catalog: Sequence[Indicator] | None = None,
    phrases: Phrases | None = None,
) -> Skeleton:
    """Compose the skeleton text of the requested sections (no verification; see `draft_report`)."""
    unknown = [s for s in sections if s not in SECTION_IDS]
    if unknown:
        raise ValueError(
            f"unknown section {unknown[0]!r}; expected one of {', '.join(SECTION_IDS)}"
        )
    if catalog is None or phrases is None:
        if retriever is None:
            raise ValueError("compose needs a catalog and phrases, or a retriever to take them from")
        catalog = catalog if catalog is not None else catalog_at(retriever.settings.catalog_path)
        phrases = phrases or load_phrases(phrases_dir(retriever.settings.prompts_dir))
    gaps = analyse_gaps(figures, catalog)
    finder = None
    if retriever is not None:
        finder = PeerFinder(
            retriever, figures.commune, province=figures.province, exclude_communes=exclude_communes
        )
    w = Writer(figures, gaps, phrases, finder)
    if finder is not None:
        finder.prefetch([g.name for g in w.unmet] + [o.text for o in w.obs])
    out = [_BUILDERS[s](w) for s in SECTION_IDS if s in sections]
    warnings = list(gaps.warnings)
    if gaps.unmatched:
        warnings.append(
            "Không khớp được với danh mục chỉ tiêu (vẫn soạn theo cách ghi của xã): "
            + "; ".join(gaps.unmatched)
            + "."
        )
    if gaps.no_target:
        warnings.append(
            "Chưa có mục tiêu để đánh giá đạt/chưa đạt: "
            + "; ".join(g.name for g in gaps.no_target)
            + "."
        )
    if retriever is None:
        warnings.append(
            "Không có chỉ mục để tìm đoạn mẫu của xã khác; bản thảo không có trích dẫn."
        )
    warnings += w.warnings
    return Skeleton(figures.commune, figures.province, figures.year, out, gaps, warnings)
