"""Grounding: every figure a generated text writes must be traceable to a source.

Sources are the user's figures and the passages the text cites. A figure is traced when a
figure in some source denotes the same quantity (see `vn_numbers.figure_keys`): "71,2%" matches
"71.2%", "1.429" matches "1429", "460/QĐ-UBND" matches itself. Citation markers ("[2]"),
heading numbers and explicitly allowed values (the report year and the next year) are not figures.
`check_text` is the one check of a generated text: its figures and its citation markers.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from assistant.text.citations import (
    MARK_CLOSE,
    MARK_OPEN,
    cited,
    mark_bad_citations,
    mask_citations,
)
from assistant.text.vn_numbers import NumberSpan, figure_keys, find_numbers


def source_keys(sources: Iterable[str]) -> set[tuple]:
    keys: set[tuple] = set()
    for s in sources:
        for span in find_numbers(s):
            keys |= figure_keys(span)
    return keys


def untraceable(text: str, sources: Iterable[str], *, allowed: Iterable[str] = ()) -> list[NumberSpan]:
    """Figures in `text` that no source states (in order of appearance)."""
    keys = source_keys([*sources, *allowed])
    out = []
    for span in find_numbers(mask_citations(text)):
        if not figure_keys(span) & keys:
            out.append(span)
    return out


def unsupported_numbers(text: str, sources: Iterable[str], *, allowed: Iterable[str] = ()) -> list[str]:
    """The raw strings of the untraceable figures, each once."""
    seen: dict[str, None] = {}
    for span in untraceable(text, sources, allowed=allowed):
        seen.setdefault(span.raw.strip(), None)
    return list(seen)


def mark_unsupported(text: str, spans: list[NumberSpan]) -> str:
    """Wrap untraceable figures as ⟦…⟧ so a reader sees them."""
    out = text
    for span in sorted(spans, key=lambda s: s.start, reverse=True):
        out = out[: span.start] + MARK_OPEN + out[span.start : span.end] + MARK_CLOSE + out[span.end :]
    return out


@dataclass
class Checked:
    """A generated text after the check: untraceable figures and unknown markers wrapped in ⟦…⟧."""

    text: str
    unsupported: list[str] = field(default_factory=list)  # figures no source states
    bad_citations: list[str] = field(default_factory=list)  # markers citing no given passage
    used: list[int] = field(default_factory=list)  # passage numbers the text cites, valid ones only

    def warnings(self, who: str = "Câu trả lời") -> list[str]:
        """Plain Vietnamese warnings for what the check found."""
        out = []
        if self.unsupported:
            out.append(f"{who} có {len(self.unsupported)} số liệu không tìm thấy trong nguồn, đã đánh dấu "
                       f"⟦…⟧: {', '.join(self.unsupported)}.")
        if self.bad_citations:
            out.append(f"{who} ghi trích dẫn không có thật, đã đánh dấu: "
                       f"{', '.join(dict.fromkeys(self.bad_citations))}.")
        return out


def check_text(text: str, sources: Iterable[str], *, allowed: Iterable[str] = (),
               citable: set[int] | None = None) -> Checked:
    """Check a generated text against its sources: figures, and markers when `citable` is given."""
    spans = untraceable(text, sources, allowed=allowed)
    unsupported = list(dict.fromkeys(s.raw.strip() for s in spans))
    shown = mark_unsupported(text, spans)
    bad: list[str] = []
    used = cited(text)
    if citable is not None:
        shown, bad = mark_bad_citations(shown, citable)
        used = [n for n in used if n in citable]
    return Checked(shown, unsupported, bad, used)
