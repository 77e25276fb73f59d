"""Indicator table across communes: the figures each report states for the catalog indicators.

Extraction errs on the side of an empty cell. A figure fills a cell only when
- it sits in a result part of the report (not a target list, not next year's directions);
- it is of the right kind (a percent for rates; for counts a number followed by its unit, or the
  value of a "Số … : N" row);
- it is not a target (≥80%, "tối thiểu", "phấn đấu", "chưa đạt 100%"), a change ("tăng 20%") or
  one of two side-by-side figures that the table header cannot tell apart;
- the indicator's key words (distilled from the catalog name and aliases, folded, abbreviations
  expanded) stand next to it in the same sentence or table row, and no other indicator's do.
Every cell keeps the sentence it came from.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from assistant.domain.catalog import Indicator, match_indicator
from assistant.indicators.extract import (
    IndicatorExtractor,
    Mention,
    folded,
    header_roles,
    is_result_section,
)
from assistant.indicators.rules import RULES, RULES_BY_ID, Rule, near
from assistant.records import Chunk
from assistant.text.vn_numbers import figure_keys, format_vn

__all__ = [
    "RULES",
    "RULES_BY_ID",
    "Cell",
    "IndicatorExtractor",
    "IndicatorTable",
    "Mention",
    "Row",
    "Rule",
    "build_table",
    "figures_mentions",
    "folded",
    "group_mentions",
    "header_roles",
    "is_result_section",
    "near",
    "write_csv",
]


@dataclass
class Cell:
    """A commune's figure for an indicator: the first mention, plus mentions that disagree with it."""

    first: Mention
    others: list[Mention] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {**self.first.to_json(), "others": [m.to_json() for m in self.others]}

    def mentions(self) -> list[Mention]:
        return [self.first, *self.others]


@dataclass
class Row:
    id: str
    name: str
    pillar: str
    unit: str
    cells: dict[str, Cell] = field(default_factory=dict)

    def to_json(self, communes: Sequence[str]) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "pillar": self.pillar, "unit": self.unit,
                "cells": {c: self.cells[c].to_json() for c in communes if c in self.cells}}


@dataclass
class IndicatorTable:
    communes: list[str]
    rows: list[Row]

    def to_json(self) -> dict[str, Any]:
        return {"communes": list(self.communes),
                "indicators": [r.to_json(self.communes) for r in self.rows if r.cells]}

    def mentions(self) -> list[Mention]:
        return [m for r in self.rows for c in r.cells.values() for m in c.mentions()]


# ---------------------------------------------------------------- the table


def group_mentions(mentions: Iterable[Mention]) -> dict[tuple[str, str], Cell]:
    cells: dict[tuple[str, str], Cell] = {}
    for m in sorted(mentions, key=lambda m: (m.indicator, m.commune, m.doc_id, m.order)):
        key = (m.indicator, m.commune)
        cell = cells.get(key)
        if cell is None:
            cells[key] = Cell(m)
        elif not any(figure_keys(m.raw.split()[-1]) & figure_keys(x.raw.split()[-1]) for x in cell.mentions()):
            cell.others.append(m)
    return cells


def _rule_for_name(name: str, catalog: Sequence[Indicator], *, count: bool) -> Rule | None:
    """The rule of a figures-file item name: the rules' own key words first, then the catalog match."""
    f = folded(name)
    found = [r for r in RULES if (r.kind == "count") == count and not r.exclude_hit(f)
             and ((r.label and re.match(r.label, f)) or (not count and r.matches(f)))]
    if len(found) == 1:
        return found[0]
    hit = match_indicator(name, catalog)
    if hit and hit[0].id in RULES_BY_ID and (RULES_BY_ID[hit[0].id].kind == "count") == count:
        return RULES_BY_ID[hit[0].id]
    return None


def figures_mentions(figs: Any, catalog: Sequence[Indicator]) -> list[Mention]:
    """Mentions from a commune's own figures file (`figures.CommuneFigures`)."""
    column = f"{figs.commune} (tệp số liệu)"
    out: list[Mention] = []
    items = [(i.name, i.value, i.value_raw, i.row, False) for i in figs.indicators]
    items += [(x.name, x.value, x.value_raw, x.row, True) for x in figs.facts if x.value is not None]
    for name, value, raw, row, is_fact in items:
        rule = _rule_for_name(name, catalog, count=is_fact and not value.percent)
        if rule is None:
            continue
        raw = raw or (format_vn(value.value, value.percent))
        out.append(Mention(indicator=rule.id, commune=column, value=value.value, raw=str(raw),
                           approx=value.approx, sentence=f"{name}: {raw}", doc_id=figs.source,
                           source=figs.source, section=f"tệp số liệu, dòng {row}" if row else "tệp số liệu",
                           order=(0, row, 0)))
    return out


def build_table(chunks: Iterable[Chunk], *, catalog: Sequence[Indicator],
                figures: Sequence[Any] = ()) -> IndicatorTable:
    """The indicator table of every report among `chunks`, plus a column per figures file.

    A row per rule whose indicator is in `catalog` (named as the catalog names it), and per rule
    that defines an indicator of its own (`Rule.own_indicator`).
    """
    catalog = list(catalog)
    by_id = {i.id: i for i in catalog}
    chunks = list(chunks)
    mentions = IndicatorExtractor().extract(chunks)
    communes = list(dict.fromkeys(c.commune for c in sorted(chunks, key=lambda c: c.doc_id)
                                  if c.kind == "report" and c.commune))
    for figs in figures:
        fm = figures_mentions(figs, catalog)
        mentions.extend(fm)
        communes.append(f"{figs.commune} (tệp số liệu)")
    cells = group_mentions(mentions)
    rows = []
    for r in RULES:
        ind = by_id.get(r.id)
        if ind is None and not r.own_indicator:
            continue  # an indicator of another catalog
        unit = "%" if r.kind == "percent" else "số lượng"
        row = Row(id=r.id, name=r.name or (ind.name if ind else r.id), pillar=ind.pillar if ind else r.pillar,
                  unit=unit)
        row.cells = {c: cells[(r.id, c)] for c in communes if (r.id, c) in cells}
        rows.append(row)
    return IndicatorTable(communes=communes, rows=rows)


def write_csv(table: IndicatorTable, path: Path) -> None:
    """The table as CSV (UTF-8 with BOM for Excel): per commune a value column and a source column."""
    header = ["Mã chỉ tiêu", "Chỉ tiêu", "Đơn vị"]
    for c in table.communes:
        header += [c, f"{c} – câu nguồn"]
    with open(path, "w", encoding="utf-8-sig", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        for row in table.rows:
            if not row.cells:
                continue
            line = [row.id, row.name, row.unit]
            for c in table.communes:
                cell = row.cells.get(c)
                if cell is None:
                    line += ["", ""]
                    continue
                source = f"{cell.first.sentence} [{cell.first.source} — {cell.first.section}]"
                source += "".join(f" | Cũng ghi {o.raw}: {o.sentence} [{o.source} — {o.section}]"
                                  for o in cell.others)
                line += [cell.first.raw, source]
            w.writerow(line)
