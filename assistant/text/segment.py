"""Named splitters for Vietnamese report text: answer units, sentences, list items.

- `answer_units`: sentences, list items and flattened table rows of a passage (what an answer
  quotes and what a narrative answer lists).
- `sentences`: sentences only (a capital letter after ". ; ! ?" starts the next one).
- `list_items`: the items of a passage written as "- …", "+ …", "a) …" lines.
"""

from __future__ import annotations

import re

# A unit ends at a line break, at ". ; ! ?" before a capital, a digit, a bullet or "(", or before a
# table row's ordinal in a flattened row ("… | 3 Số buổi …").
_UNIT_SPLIT_RE = re.compile(r"\n|(?<=[.;!?])\s+(?=[-+A-ZĐÀ-Ỹ0-9(])|\s+\|\s+(?=\d{1,2}\s)")
SENTENCE_END_RE = re.compile(r"(?<=[.;!?])\s+(?=[A-ZĐÀ-Ỹ])")
_ITEM_RE = re.compile(r"^\s*(?:[-+•*–]|[a-zđ]\)|\d{1,2}[.)])\s+")


def answer_units(text: str, min_chars: int = 3) -> list[str]:
    """Sentences, list items and table rows of a passage, in order."""
    units = [u.strip(" |") for u in _UNIT_SPLIT_RE.split(text)]
    return [u for u in units if len(u) >= min_chars]


def sentences(text: str) -> list[str]:
    """The sentences of a paragraph."""
    return [s.strip() for s in SENTENCE_END_RE.split(text) if s.strip()]


def list_items(text: str) -> list[str]:
    """The "- …" / "+ …" / "a) …" items of a passage, without their markers."""
    return [_ITEM_RE.sub("", line).strip() for line in text.split("\n") if _ITEM_RE.match(line)]


def strip_marker(unit: str) -> str:
    """A unit without its list marker ("- ", "+ ", "a) ")."""
    return _ITEM_RE.sub("", unit).strip()
