"""What the sections share: the figures, the gap analysis, the phrases, the peer finder, the
reporting period, the one citation numbering and the suggestions.

`Writer` turns figures into words (values, targets, their sources), numbers the sub-parts and
collects the source texts of every figure a section may hold (`SectionSkeleton.sources`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from assistant.domain import pillars
from assistant.domain.figures import CommuneFigures, IndicatorFigure
from assistant.drafting.adapt import Locale, split_unit
from assistant.drafting.gaps import AppliedTarget, GapReport, IndicatorGap
from assistant.drafting.peers import CitationBook, PeerFinder, PeerSentence
from assistant.drafting.rewrite import is_shortcoming, lower_first, split_cause, strip_end
from assistant.drafting.templates import Phrases
from assistant.records import Citation
from assistant.text.vn_numbers import Target, format_vn

if TYPE_CHECKING:
    from assistant.drafting.suggestions import Suggestion

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
    negative: bool = True  # a shortcoming (Tồn tại); False: a result (Kết quả)


class Writer:
    """Shared state and wording helpers of the two section builders."""

    def __init__(
        self,
        figures: CommuneFigures,
        gaps: GapReport,
        phrases: Phrases,
        finder: PeerFinder | None,
        *,
        locale: Locale | None = None,
        sections: tuple[str, ...] = ("ton_tai", "phuong_huong"),
        suggest: bool = True,
    ) -> None:
        self.f = figures
        self.gaps = gaps
        self.ph = phrases
        self.finder = finder
        self.locale = locale or (finder.locale if finder is not None else Locale.of(figures))
        self.sections = sections
        self.suggest = suggest and finder is not None
        self.year = figures.year
        self.period = figures.reporting
        self.next_period = self.period.next()
        self.book = CitationBook()  # one numbering for every section of the draft
        self.warnings: list[str] = []
        self.all_obs: list[Observation] = []
        for text in figures.observations:
            head, cause = split_cause(text, phrases)
            negative = is_shortcoming(text, phrases)
            self.all_obs.append(
                Observation(strip_end(text), head, cause, pillars.primary(text), negative)
            )
        self.obs = [o for o in self.all_obs if o.negative]  # shortcomings
        self.results = [o for o in self.all_obs if not o.negative]
        order = {p: i for i, p in enumerate(pillars.ALL_PILLARS)}
        self.unmet = sorted(gaps.unmet, key=lambda g: order.get(g.pillar, 99))
        # met against the target judged, missed against a stricter binding one
        self.short_of_binding = sorted(
            (g for g in gaps.binding_missed if g.status != "unmet"),
            key=lambda g: order.get(g.pillar, 99),
        )
        self._suggestions: list[Suggestion] | None = None

    # ------------------------------------------------------------------ phrases
    def render(self, path: str, seed: str = "", **fields: object) -> str:
        unit, name = split_unit(self.f.commune)
        return self.ph.render(
            path,
            seed,
            adapt=self.adapt_phrase,
            nam=self.year,
            nam_sau=self.next_period.year,
            ky=self.period.label,
            ky_sau=self.next_period.label,
            don_vi=unit,
            ten_xa=name,
            **fields,
        )

    def adapt_phrase(self, phrase: str) -> str:
        """A phrase of our own files in this commune's words ("tại thôn" -> "tại ấp")."""
        return self.locale.adapt(phrase) or phrase

    def pick(self, path: str, seed: str = "") -> str:
        """One phrasing of `path` as is (no placeholders), in this commune's words."""
        return self.adapt_phrase(self.ph.pick(path, seed))

    # ------------------------------------------------------------------ what the draft covers
    def covered_pillars(self) -> set[str]:
        """Pillars Tồn tại speaks of from the commune's own input (shortcomings, missed targets)."""
        out = {o.pillar for o in self.obs}
        for o in self.obs:  # "… hộ kinh doanh chưa quen hóa đơn điện tử" also covers kinh tế số
            out |= pillars.mentioned(o.text)
        out |= {g.pillar for g in self.unmet} | {g.pillar for g in self.short_of_binding}
        return out

    @property
    def suggestions(self) -> list[Suggestion]:
        """Peer shortcomings (and tasks) for the pillars the commune's input does not cover."""
        if self._suggestions is None:
            from assistant.drafting.suggestions import suggest

            self._suggestions = suggest(self) if self.suggest else []
        return self._suggestions

    def routed(self, text: str) -> str | None:
        """The kiến nghị a shortcoming calls for when the task is beyond the commune (else None)."""
        if "kien_nghi" not in self.sections:
            return None
        from assistant.drafting.kien_nghi import request_for

        return request_for(self, text)

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

    def own_target_words(self, g: IndicatorGap) -> str:
        """The judged target with whose it is: "mục tiêu của xã (tối thiểu 70%)"."""
        assert g.target is not None
        if g.target.origin == "figures":
            return self.render("ton_tai.muc_tieu_cua_xa", g.name, muc_tieu=self.target_words(g.target.target))
        return self.render(
            "ton_tai.muc_tieu_danh_muc",
            g.name,
            muc_tieu=self.target_words(g.target.target),
            nguon_muc_tieu=self.target_source(g.target),
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

    def binding_words(self, g: IndicatorGap) -> dict[str, str]:
        """Fields of a missed binding target: "tối thiểu 80%", its source, the gap."""
        assert g.binding is not None
        key = "chenh_lech_phan_tram" if g.percent else "chenh_lech_so"
        gap = g.binding_gap_text()
        return {
            "muc_tieu_rang_buoc": self.target_words(g.binding.target),
            "nguon_rang_buoc": self.target_source(g.binding),
            "chenh_lech_rang_buoc": self.ph.render(f"ton_tai.{key}", g.name, so=gap) if gap else "",
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
        out = [f.commune, f.province, f.period, self.period.label, self.next_period.label]
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
            if g.binding is not None:
                out += g.binding.source_texts()
                if g.binding_gap:
                    out.append(g.binding_gap_text())
        return [s for s in out if s]

    def section(self, sid: str, title: str, lines: list[str]) -> SectionSkeleton:
        text = "\n".join(lines)
        cites = self.book.of(text)  # numbers shared by the whole draft
        return SectionSkeleton(
            id=sid,
            title=title,
            text=text,
            citations=cites,
            sources=self.sources(),
            peer_passages=[c.text for c in cites],
            allowed=[str(self.year), str(self.year + 1)],
        )


def flat(source: str) -> str:
    """A source name without brackets, to sit inside brackets: "Bảng …, báo cáo 002"."""
    return " ".join(re.sub(r"\s*\(\s*", ", ", source).replace(")", "").split())
