"""Gap analysis: which indicators are met, unmet or without a target, and by how much.

Each indicator of the figures file is matched to the catalog (accents, case, abbreviations
ignored). The target it is judged against is the figures file's own target when there is
one, else a numeric catalog target for the report year that applies to this commune:
national targets apply everywhere; a province- or commune-level target applies only when its
source names this commune (the catalog also holds targets other communes set for
themselves). Targets such as "chưa giao chỉ tiêu" are not numbers and are ignored. The target
for next year (phương hướng) is the catalog's target with a deadline of year+1 or later; a report
for part of a year (6 tháng đầu năm, quý I–III) aims at the same year's targets.

Binding targets: an indicator judged against one target (often the commune's own) is also
compared with the *strictest* numeric catalog target that binds the commune in the report year
(national, or a province/commune target whose source names it; deadline in that year or
"hằng năm"; low-confidence figures left out; only for a confident name match). 71,2% meets the commune's own ≥70% but not the
≥80% of Kế hoạch 02-KH/BCĐTW: the gap records that binding target, which Tồn tại then names.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

from assistant.domain import pillars
from assistant.domain.catalog import (
    Indicator,
    match_indicator,
    targets_for,
)
from assistant.domain.catalog import Target as CatalogTarget
from assistant.domain.figures import CommuneFigures, IndicatorFigure
from assistant.text.normalize import fold
from assistant.text.vn_numbers import Target, format_vn, gap, meets, parse_target

log = logging.getLogger(__name__)

Status = Literal["met", "unmet", "no_target"]
_LEVEL_RANK = {"xã": 0, "tỉnh": 1, "quốc gia": 2}
_CONFIDENCE_RANK = {"high": 0, "medium": 1, "low": 2}


def _words(text: str) -> str:
    """Folded words padded with spaces, for whole-word containment tests."""
    return " " + " ".join(re.findall(r"[a-z0-9]+", fold(text))) + " "


@dataclass
class AppliedTarget:
    """A target with where it comes from: the user's file or a catalog entry."""

    target: Target
    origin: Literal["figures", "catalog"]
    catalog: CatalogTarget | None = None

    @property
    def source(self) -> str:
        """Source document of a catalog target ("QĐ 411/QĐ-TTg"); "" for the user's own."""
        return self.catalog.source if self.catalog else ""

    def source_texts(self) -> list[str]:
        """Texts that state this target (for the number verifier)."""
        if self.catalog is None:
            return [self.target.raw]
        c = self.catalog
        return [c.value_raw, c.source, c.deadline, c.deadline_text]


@dataclass
class IndicatorGap:
    """One indicator of the figures file judged against its target."""

    figure: IndicatorFigure
    status: Status
    pillar: str
    indicator: Indicator | None = None  # the catalog entry it matched
    match_score: float = 0.0
    target: AppliedTarget | None = None
    gap: float | None = None  # distance to the target in its unit; 0 when met
    next_target: AppliedTarget | None = None  # the catalog's target for year+1 (or yearly)
    long_target: AppliedTarget | None = None  # the nearest later catalog target (e.g. 2030)
    binding: AppliedTarget | None = None  # a stricter catalog target binding the commune this year

    @property
    def binding_missed(self) -> bool:
        """A stricter binding target exists and the value does not meet it."""
        return self.binding is not None and not meets(self.figure.value, self.binding.target)

    @property
    def binding_gap(self) -> float | None:
        return gap(self.figure.value, self.binding.target) if self.binding is not None else None

    def binding_gap_text(self) -> str:
        """The distance to the binding target written the Vietnamese way ("" when none)."""
        d = self.binding_gap
        return format_vn(round(d, 2)) if d else ""

    @property
    def name(self) -> str:
        return self.figure.name

    @property
    def percent(self) -> bool:
        return self.figure.value.percent or bool(self.target and self.target.target.percent)

    @property
    def at_boundary(self) -> bool:
        """Unmet although the distance is 0 (50% against ">50%")."""
        return self.status == "unmet" and not self.gap

    def gap_text(self) -> str:
        """The distance written the Vietnamese way ("10,32"); "" when there is none."""
        if not self.gap:
            return ""
        return format_vn(round(self.gap, 2))

    def to_json(self) -> dict:
        t, nt, b = self.target, self.next_target, self.binding
        return {
            "name": self.name,
            "value": self.figure.value_raw,
            "status": self.status,
            "pillar": self.pillar,
            "indicator_id": self.indicator.id if self.indicator else None,
            "target": t.target.raw if t else None,
            "target_origin": t.origin if t else None,
            "target_source": t.source if t else None,
            "gap": round(self.gap, 4) if self.gap is not None else None,
            "next_target": nt.target.raw if nt else None,
            "next_target_source": nt.source if nt else None,
            "long_target": self.long_target.target.raw if self.long_target else None,
            "long_target_deadline": (
                self.long_target.catalog.deadline
                if self.long_target and self.long_target.catalog
                else None
            ),
            "binding_target": b.target.raw if b else None,
            "binding_target_source": b.source if b else None,
            "binding_met": (not self.binding_missed) if b else None,
        }


@dataclass
class GapReport:
    """The gap analysis of one figures file."""

    year: int
    items: list[IndicatorGap] = field(default_factory=list)
    unmatched: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def binding_missed(self) -> list[IndicatorGap]:
        """Indicators that miss a stricter target binding the commune (met or not otherwise)."""
        return [g for g in self.items if g.binding_missed]

    def by_status(self, status: Status) -> list[IndicatorGap]:
        return [g for g in self.items if g.status == status]

    @property
    def unmet(self) -> list[IndicatorGap]:
        return self.by_status("unmet")

    @property
    def met(self) -> list[IndicatorGap]:
        return self.by_status("met")

    @property
    def no_target(self) -> list[IndicatorGap]:
        return self.by_status("no_target")


def applies_to(t: CatalogTarget, commune: str) -> bool:
    """Whether a catalog target binds this commune (national, or its source names the commune)."""
    if t.level == "quốc gia":
        return True
    name = _words(commune)
    return bool(name.strip()) and name in _words(t.source)


def _rank(t: CatalogTarget, commune: str) -> tuple[int, int]:
    own = 0 if t.level != "quốc gia" and applies_to(t, commune) else 1
    return (own * 3 + _LEVEL_RANK.get(t.level, 3), _CONFIDENCE_RANK.get(t.confidence, 3))


def catalog_target(
    indicator: Indicator,
    year: int,
    commune: str,
    *,
    percent: bool | None = None,
    min_year: int | None = None,
) -> AppliedTarget | None:
    """The numeric catalog target that applies to `commune` for `year` (None if there is none).

    With `min_year`, only targets whose deadline is that year or later (or yearly ones) count.
    With `percent`, only targets in the same unit (percent or not) count.
    """
    candidates = []
    for t in targets_for(indicator, year):
        if min_year is not None and t.year is not None and t.year < min_year:
            continue
        parsed = parse_target(t.value_raw)
        if parsed is None or not applies_to(t, commune):
            continue
        if percent is not None and parsed.percent != percent:
            continue
        candidates.append((t, parsed))
    if not candidates:
        return None
    order = {id(t): i for i, (t, _) in enumerate(candidates)}
    t, parsed = min(candidates, key=lambda tp: (*_rank(tp[0], commune), order[id(tp[0])]))
    return AppliedTarget(parsed, "catalog", t)


_UP = (">=", ">", "=")
# a binding target is asserted only for a confident name match (a loose one may be another
# quantity: dossiers handled online vs procedures offered online)
BINDING_MIN_MATCH = 0.75


def _stricter(a: Target, b: Target) -> bool:
    """Whether target `a` asks more than `b` (same direction: higher floor or lower ceiling)."""
    if a.comparator in _UP:
        return a.value > b.value or (a.value == b.value and a.comparator == ">" != b.comparator)
    return a.value < b.value or (a.value == b.value and a.comparator == "<" != b.comparator)


def binding_target(
    indicator: Indicator, year: int, commune: str, *, percent: bool, upward: bool = True
) -> AppliedTarget | None:
    """The strictest numeric catalog target binding `commune` in `year` (see the docstring)."""
    best: tuple[CatalogTarget, Target] | None = None
    for t in indicator.targets:
        due = t.year == year or (t.year is None and fold(t.deadline) == fold("hằng năm"))
        if not due or t.confidence == "low" or not applies_to(t, commune):
            continue
        parsed = parse_target(t.value_raw)
        if parsed is None or parsed.percent != percent or (parsed.comparator in _UP) != upward:
            continue
        if best is None or _stricter(parsed, best[1]):
            best = (t, parsed)
    return AppliedTarget(best[1], "catalog", best[0]) if best else None


def _binding_for(ind: Indicator | None, fig: IndicatorFigure, applied: AppliedTarget | None,
                 year: int, commune: str) -> AppliedTarget | None:  # fmt: skip
    """The binding target when it asks more than the target the indicator was judged against."""
    if ind is None or applied is None:
        return None
    upward = applied.target.comparator in _UP
    strict = binding_target(ind, year, commune, percent=fig.value.percent, upward=upward)
    if strict is None or not _stricter(strict.target, applied.target):
        return None
    return strict


def analyse_gaps(
    figures: CommuneFigures, catalog: Sequence[Indicator], *, next_year: int | None = None
) -> GapReport:
    """Judge every indicator of `figures` against its target (see the module docstring).

    `next_year` is the year of the period Phương hướng is for (default: the report's period's);
    when it is the report year itself (a report for part of the year) there is no separate
    next-year target.
    """
    if next_year is None:
        next_year = figures.reporting.next().year
    report = GapReport(year=figures.year)
    for fig in figures.indicators:
        match = match_indicator(fig.name, catalog)
        ind, score = match if match else (None, 0.0)
        if ind is None:
            report.unmatched.append(fig.name)
        pillar = ind.pillar if ind else pillars.primary(fig.name)
        if fig.target is not None:
            applied: AppliedTarget | None = AppliedTarget(fig.target, "figures")
        elif ind is not None:
            applied = catalog_target(ind, figures.year, figures.commune, percent=fig.value.percent)
        else:
            applied = None
        if applied is None:
            status: Status = "no_target"
            distance = None
        else:
            status = "met" if meets(fig.value, applied.target) else "unmet"
            distance = gap(fig.value, applied.target)
            if applied.target.percent != fig.value.percent and applied.origin == "figures":
                report.warnings.append(
                    f"Chỉ tiêu «{fig.name}»: giá trị {fig.value_raw} và mục tiêu "
                    f"{applied.target.raw} khác đơn vị; đã so sánh theo số."
                )
        nxt = later = None
        if ind is not None:
            found = catalog_target(
                ind,
                figures.year + 1,
                figures.commune,
                percent=fig.value.percent,
                min_year=figures.year + 1,
            )
            if found is not None and found.catalog is not None:
                if found.catalog.year in (None, figures.year + 1) and next_year > figures.year:
                    nxt = found
                elif found.catalog.year not in (None, figures.year + 1):
                    later = found
        binding = None
        if score >= BINDING_MIN_MATCH:
            binding = _binding_for(ind, fig, applied, figures.year, figures.commune)
        report.items.append(
            IndicatorGap(fig, status, pillar, ind, score, applied, distance, nxt, later, binding)
        )
        log.debug("%s: %s (%s)", fig.name, status, applied.target.raw if applied else "-")
    low = [
        g.name
        for g in report.items
        if g.target and g.target.catalog and g.target.catalog.confidence == "low"
    ]
    if low:
        report.warnings.append(
            "Mục tiêu lấy từ danh mục có độ tin cậy thấp, cần đối chiếu văn bản gốc: "
            + "; ".join(low)
            + "."
        )
    return report
