"""The number verifier: every figure a generated text writes must be traceable to a source.

Sources are the user's figures and the passages the text cites. A figure is traced when a
figure in some source denotes the same quantity (see `numbers.figure_keys`): "71,2%" matches
"71.2%", "1.429" matches "1429", "460/QĐ-UBND" matches itself. Citation markers ("[2]"),
heading numbers and explicitly allowed values (the report year and the next year) are not figures.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from .numbers import NumberSpan, figure_keys, find_numbers

CITATION_RE = re.compile(r"\[\d+(?:\s*[,–-]\s*\d+)*\]")
MARK_OPEN, MARK_CLOSE = "⟦", "⟧"


def _mask_citations(text: str) -> str:
    return CITATION_RE.sub(lambda m: " " * len(m.group(0)), text)


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
    for span in find_numbers(_mask_citations(text)):
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
