"""The one grammar of citation markers ("[2]", "[1, 3]", "[1–3]") and of the ⟦…⟧ warning marks."""

from __future__ import annotations

import re

CITATION_RE = re.compile(r"\[\d+(?:\s*[,–-]\s*\d+)*\]")
MARK_OPEN, MARK_CLOSE = "⟦", "⟧"  # around a figure or a marker the checker could not trace
_PART_RE = re.compile(r"(\d+)\s*(?:[–-]\s*(\d+))?")


def mask_citations(text: str) -> str:
    """The text with every citation marker blanked (same length), so "[2]" is not read as a figure."""
    return CITATION_RE.sub(lambda m: " " * len(m.group(0)), text)


def strip_citations(text: str) -> str:
    """The text without its citation markers."""
    return CITATION_RE.sub("", text)


def cited(text: str) -> list[int]:
    """Passage numbers a text cites, in order of first use ("[1-3]" gives 1, 2, 3)."""
    seen: dict[int, None] = {}
    for m in CITATION_RE.finditer(text):
        for p in _PART_RE.finditer(m.group(0)):
            lo = int(p.group(1))
            hi = int(p.group(2)) if p.group(2) else lo
            for n in range(lo, min(hi, lo + 50) + 1):
                seen.setdefault(n, None)
    return list(seen)


def mark_bad_citations(text: str, valid: set[int]) -> tuple[str, list[str]]:
    """Wrap markers citing a passage that was not given as ⟦[n]⟧; returns (text, bad markers)."""
    bad: list[str] = []

    def sub(m: re.Match[str]) -> str:
        if all(n in valid for n in cited(m.group(0))):
            return m.group(0)
        bad.append(m.group(0))
        return f"{MARK_OPEN}{m.group(0)}{MARK_CLOSE}"

    return CITATION_RE.sub(sub, text), bad


def renumber(text: str, mapping: dict[int, int]) -> str:
    """The text with every marker's numbers replaced through `mapping` (unknown numbers kept)."""

    def sub(m: re.Match[str]) -> str:
        nums = [mapping.get(n, n) for n in cited(m.group(0))]
        return "[" + ", ".join(str(n) for n in dict.fromkeys(nums)) + "]"

    return CITATION_RE.sub(sub, text)
