"""The grounded composer (no LLM): the whole report — "Kết quả đạt được", "Tồn tại, hạn chế",
"Phương hướng, nhiệm vụ" of the next period and "Đề xuất, kiến nghị".

Everything it writes comes from the figures file (values, targets, notes, observations), the
gap analysis, the catalog targets it applied, the phrase templates in `prompts/draft/`, and
sentences of peer passages that carry no figure (cited as [n], one numbering for the whole
draft), adapted to the commune. `compose` returns a `Skeleton`: per section the text, the
citations, and the source texts that state every figure the text may hold — what the number
verifier (and a later LLM rewrite) checks against. The sections themselves are built in
`ket_qua.py`, `ton_tai.py`, `phuong_huong.py` and `kien_nghi.py`; suggestions for the pillars
the input leaves out in `suggestions.py`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from assistant.domain.catalog import Indicator, catalog_at
from assistant.domain.figures import CommuneFigures
from assistant.domain.sections import DRAFT_SECTION_IDS
from assistant.drafting import ket_qua, kien_nghi, phuong_huong, ton_tai
from assistant.drafting.adapt import Locale
from assistant.drafting.gaps import GapReport, analyse_gaps
from assistant.drafting.peers import PeerFinder
from assistant.drafting.templates import Phrases, load_phrases, phrases_dir
from assistant.drafting.writer import SectionSkeleton, Writer
from assistant.qa.retriever import Retriever
from assistant.text.normalize import fold

SECTION_IDS = DRAFT_SECTION_IDS
_BUILDERS = {
    "ket_qua": ket_qua.build,
    "ton_tai": ton_tai.build,
    "phuong_huong": phuong_huong.build,
    "kien_nghi": kien_nghi.build,
}


@dataclass
class Skeleton:
    """The composer's output for one figures file."""

    commune: str
    province: str
    year: int
    sections: list[SectionSkeleton]
    gaps: GapReport
    warnings: list[str] = field(default_factory=list)
    period: str = ""  # "năm 2025", "quý III năm 2025"
    next_period: str = ""
    suggestions: list = field(default_factory=list)  # suggestions.Suggestion

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
    suggestions: bool = True,
) -> Skeleton:
    """Compose the skeleton text of the requested sections (no verification; see `draft_report`).

    `suggestions=False` leaves out the suggestions for pillars the input does not cover.
    """
    unknown = [s for s in sections if s not in SECTION_IDS]
    if unknown:
        raise ValueError(
            f"mục không có: {unknown[0]!r}; dùng một trong {', '.join(SECTION_IDS)}"
        )
    if catalog is None or phrases is None:
        if retriever is None:
            raise ValueError("compose needs a catalog and phrases, or a retriever to take them from")
        catalog = catalog if catalog is not None else catalog_at(retriever.settings.catalog_path)
        phrases = phrases or load_phrases(phrases_dir(retriever.settings.prompts_dir))
    gaps = analyse_gaps(figures, catalog)
    locale = Locale.of(figures, _own_texts(retriever, figures.commune, exclude_communes))
    finder = None
    if retriever is not None:
        finder = PeerFinder(
            retriever,
            figures.commune,
            province=figures.province,
            exclude_communes=exclude_communes,
            locale=locale,
        )
    chosen = tuple(s for s in SECTION_IDS if s in sections)
    w = Writer(figures, gaps, phrases, finder, locale=locale, sections=chosen, suggest=suggestions)
    if finder is not None:  # the queries that use vectors, embedded in one batch
        finder.prefetch([g.name for g in [*w.unmet, *w.short_of_binding]] + [o.text for o in w.obs])
    out = [_BUILDERS[s](w) for s in chosen]
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
    uses_suggestions = bool({"ton_tai", "phuong_huong", "kien_nghi"} & set(chosen))
    if uses_suggestions and w.suggestions:
        warnings.append(
            f"Có {len(w.suggestions)} gợi ý lấy từ báo cáo của xã khác cho các lĩnh vực xã chưa "
            "nêu, đánh dấu «(gợi ý – cần xác nhận)»; giữ lại nếu đúng với thực tế của xã, "
            "nếu không thì xóa."
        )
    warnings += w.warnings
    return Skeleton(
        figures.commune,
        figures.province,
        figures.year,
        out,
        gaps,
        warnings,
        period=w.period.label,
        next_period=w.next_period.label,
        suggestions=list(w.suggestions) if uses_suggestions else [],
    )


def _own_texts(
    retriever: Retriever | None, commune: str, excluded: Sequence[str]
) -> list[str]:
    """The commune's own indexed report text (for its settlement word), unless excluded."""
    if retriever is None or fold(commune) in {fold(c) for c in excluded}:
        return []
    return [c.text for c in retriever.chunks if fold(c.commune) == fold(commune)]
