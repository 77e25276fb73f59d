"""What both sections share: the figures, the gap analysis, the phrases and the peer finder.

`Writer` turns figures into words (values, targets, their sources), numbers the sub-parts and
collects the source texts of every figure a section may hold (`SectionSkeleton.sources`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from assistant.domain import pillars
from assistant.domain.figures import CommuneFigures, IndicatorFigure
from assistant.drafting.gaps import AppliedTarget, GapReport, IndicatorGap
from assistant.drafting.peers import CitationBook, PeerFinder, PeerSentence
from assistant.drafting.rewrite import lower_first, split_cause, strip_end
from assistant.drafting.templates import Phrases
from assistant.records import Citation
from assistant.text.vn_numbers import Target, format_vn

LETTERS = "abcdđeghiklmnopqrstuvxy"  # point letters of administrative documents (đ, no f)


@dataclass
class SectionSkeleton:
    """One composed section before verification."""

    id: str
    title: str
    text: str
    citations: list[Citation] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)  # the user's figures, catalog, derived
    peer_passages: list[str] = field(default_factory=list)  # the cited sentences, by number
    allowed: list[str] = field(default_factory=list)  # figures that need no source (years)


@dataclass
class Observation:
    """One of the officer's observations, split into the shortcoming and its stated cause."""

    text: str  # the officer's sentence, without the final stop
    shortcoming: str  # the sentence without its cause clause
    cause: str | None
    pillar: str


class Writer:
    """Shared state and wording helpers of the two section builders."""

    def __init__(
        self, figures: CommuneFigures, gaps: GapReport, phrases: Phrases, finder: PeerFinder | None
    ) -> None:
        self.f = figures
        self.gaps = gaps
        self.ph = phrases
        self.finder = finder
        self.year = figures.year
        self.warnings: list[str] = []
        self.obs: list[Observation] = []
        for text in figures.observations:
            head, cause = split_cause(text, phrases)
            self.obs.append(Observation(strip_end(text), head, cause, pillars.primary(text)))
        order = {p: i for i, p in enumerate(pillars.ALL_PILLARS)}
        self.unmet = sorted(gaps.unmet, key=lambda g: order.get(g.pillar, 99))

    # ------------------------------------------------------------------ phrases
    def render(self, path: str, seed: str = "", **fields: object) -> str:
        return self.ph.render(path, seed, nam=self.year, nam_sau=self.year + 1, **fields)

    def value(self, fig: IndicatorFigure) -> str:
        """The value as the officer would write it: "71,2%", "khoảng 15%", "trên 98%"."""
        p = fig.value
        written = format_vn(p.value, p.percent)
        if not p.approx:
            return written
        if fig.value_raw.lstrip()[:1] in "~≈":
            return f"khoảng {written}"
        return lower_first(fig.value_raw.strip())

    def target_words(self, t: Target) -> str:
        """ "tối thiểu 80%", "trên 50%"; a target of at least 100% is just "100%"."""
        number = format_vn(t.value, t.percent)
        if t.percent and t.value >= 100 and t.comparator in (">=", "="):
            return number
        return self.ph.get(f"ton_tai.so_sanh.{t.comparator}").format(so=number)

    def target_source(self, applied: AppliedTarget) -> str:
        if applied.catalog is None:
            return ""
        c = applied.catalog
        return self.ph.render(
            "ton_tai.nguon_muc_tieu", c.source, nguon=flat(c.source), thoi_han=c.deadline_text
        )

    def gap_words(self, g: IndicatorGap) -> str:
        key = "chenh_lech_phan_tram" if g.percent else "chenh_lech_so"
        return self.ph.render(f"ton_tai.{key}", g.name, so=g.gap_text())

    def indicator_fields(self, g: IndicatorGap, applied: AppliedTarget | None) -> dict[str, str]:
        return {
            "ten_chi_tieu": lower_first(g.name),
            "gia_tri": self.value(g.figure),
            "muc_tieu": self.target_words(applied.target) if applied else "",
            "nguon_muc_tieu": self.target_source(applied) if applied else "",
        }

    def cite_line(self, book: CitationBook, peer: PeerSentence, path: str, seed: str) -> str:
        n = book.cite(peer)
        return self.render(path, seed, viec=f"{strip_end(peer.text)} [{n}]")

    def pillar_heading(self, i: int, pillar: str, section: str) -> str:
        return self.render(
            f"{section}.headings.pillar", thu_tu=LETTERS[i], linh_vuc=pillars.heading(pillar)
        )

    def by_pillar(self, obs: Sequence[Observation]) -> list[tuple[str, list[Observation]]]:
        groups: dict[str, list[Observation]] = {}
        for o in obs:
            groups.setdefault(o.pillar, []).append(o)
        return [(p, groups[p]) for p in pillars.ALL_PILLARS if p in groups]

    def sources(self) -> list[str]:
        f = self.f
        out = [f.commune, f.province, f.period]
        for ind in f.indicators:
            out += [ind.name, ind.value_raw, ind.target_raw, ind.note]
        for fact in f.facts:
            out += [fact.name, fact.value_raw]
        out += list(f.observations)
        for g in self.gaps.items:
            for applied in (g.target, g.next_target, g.long_target):
                if applied is not None:
                    out += applied.source_texts()
            if g.gap:
                out.append(g.gap_text())  # derived by code from the value and the target
        return [s for s in out if s]

    def section(
        self, sid: str, title: str, lines: list[str], book: CitationBook
    ) -> SectionSkeleton:
        return SectionSkeleton(
            id=sid,
            title=title,
            text="\n".join(lines),
            citations=list(book.citations),
            sources=self.sources(),
            peer_passages=[c.text for c in book.citations],
            allowed=[str(self.year), str(self.year + 1)],
        )


def flat(source: str) -> str:
    """A source name without brackets, to sit inside brackets: "Bảng …, báo cáo 002"."""
    return " ".join(re.sub(r"\s*\(\s*", ", ", source).replace(")", "").split())
