"""Citation markers in generated text: which [n] a reply uses, and which point nowhere."""

from __future__ import annotations

import re

from ..verify import CITATION_RE, MARK_CLOSE, MARK_OPEN

_PART_RE = re.compile(r"(\d+)\s*(?:[–-]\s*(\d+))?")


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
