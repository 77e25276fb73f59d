"""Types for drafted report sections (the drafter's output, the exporter's input)."""

from __future__ import annotations

import dataclasses
import logging
import re
from dataclasses import dataclass, field
from typing import Any

from assistant.domain.sections import DRAFT_SECTION_IDS  # noqa: F401 - re-exported
from assistant.records import Citation

log = logging.getLogger(__name__)


@dataclass
class DraftSection:
    """One drafted section of the report.

    `text` holds paragraphs separated by "\\n". A line starting with "- " or "+ " is a bullet
    item; a line starting with a heading marker ("1. ", "a) ") or written in upper case may be
    a sub-heading. Markers such as "[1]" refer to the citation with that `n`.
    """

    id: str  # "ton_tai" | "phuong_huong"
    title: str
    text: str
    citations: list[Citation] = field(default_factory=list)
    unsupported_numbers: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "text": self.text,
            "citations": [c.to_json() for c in self.citations],
            "unsupported_numbers": list(self.unsupported_numbers),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> DraftSection:
        return cls(
            id=str(data["id"]),
            title=str(data.get("title", "")),
            text=str(data.get("text", "")),
            citations=[Citation(**c) for c in data.get("citations", [])],
            unsupported_numbers=[str(x) for x in data.get("unsupported_numbers", [])],
        )


@dataclass
class DraftDocument:
    """A drafted report: the sections plus what could not be drafted or checked."""

    commune: str
    province: str
    year: int
    sections: list[DraftSection] = field(default_factory=list)
    unmatched: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "commune": self.commune,
            "province": self.province,
            "year": self.year,
            "sections": [s.to_json() for s in self.sections],
            "unmatched": list(self.unmatched),
            "warnings": list(self.warnings),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> DraftDocument:
        return cls(
            commune=str(data.get("commune", "")),
            province=str(data.get("province", "")),
            year=int(data["year"]),
            sections=[DraftSection.from_json(s) for s in data.get("sections", [])],
            unmatched=[str(x) for x in data.get("unmatched", [])],
            warnings=[str(x) for x in data.get("warnings", [])],
        )


# ----------------------------------------------------- conventions of DraftSection.text
MARKER_RE = re.compile(r"\[(\d+(?:\s*[-–]\s*\d+)?(?:\s*[,;]\s*\d+(?:\s*[-–]\s*\d+)?)*)\]")
_STRIP_RE = re.compile(r"[ \t]*" + MARKER_RE.pattern)
_NUM_HEADING_RE = re.compile(r"^(?:[IVXLC]+\.|\d+(?:\.\d+)*\.)\s+\S")
_LETTER_HEADING_RE = re.compile(r"^[a-zđ]\)\s+\S")
_BULLET_RE = re.compile(r"^[-+•*–]\s+")


def marker_numbers(inner: str) -> list[int]:
    """Numbers inside a marker body: "1, 3-4" -> [1, 3, 4]."""
    nums: list[int] = []
    for part in re.split(r"\s*[,;]\s*", inner.strip()):
        a, _, b = re.sub(r"\s+", "", part).replace("–", "-").partition("-")
        lo, hi = int(a), int(b or a)
        nums.extend(range(lo, hi + 1) if 0 < hi - lo < 50 else [lo])
    return nums


def strip_markers(text: str) -> str:
    """Remove "[n]" citation markers and the space before them."""
    return _STRIP_RE.sub("", text)


def classify_line(line: str) -> tuple[str, str]:
    """Kind of one text line: "bullet" | "heading" | "subheading" | "para", with its text."""
    s = line.strip()
    if _BULLET_RE.match(s):
        marker = "+" if s[0] == "+" else "-"
        return "bullet", f"{marker} {_BULLET_RE.sub('', s, count=1)}"
    plain = strip_markers(s).rstrip()
    # a line that cites a source is content, not a heading
    short = len(plain) <= 150 and plain == s and not plain.endswith((".", ";", ","))
    letters = [c for c in plain if c.isalpha()]
    if short and len(letters) >= 4 and all(c.isupper() for c in letters):
        return "heading", s
    if short and _NUM_HEADING_RE.match(plain):
        return "heading", s
    if short and _LETTER_HEADING_RE.match(plain):
        return "subheading", s
    return "para", s


def _cite_key(c: Citation) -> tuple[str, str, str, str]:
    return (c.doc_id, c.source, c.section, c.text)


def renumber(doc: DraftDocument) -> tuple[list[str], list[Citation]]:
    """Give every distinct citation one document-wide number and rewrite the markers.

    Numbers are kept where they do not clash; a citation repeated in two sections gets the
    same number. Returns the rewritten section texts and the citations ordered by number.
    """
    by_key: dict[tuple[str, str, str, str], Citation] = {}
    used: set[int] = set()
    texts: list[str] = []
    for section in doc.sections:
        mapping: dict[int, int] = {}
        for c in section.citations:
            key = _cite_key(c)
            if key not in by_key:
                n = c.n if c.n > 0 and c.n not in used else max(used, default=0) + 1
                used.add(n)
                by_key[key] = dataclasses.replace(c, n=n)
            mapping[c.n] = by_key[key].n

        def rewrite(m: re.Match[str], mapping: dict[int, int] = mapping) -> str:
            nums = marker_numbers(m.group(1))
            missing = [n for n in nums if n not in mapping]
            if missing:
                log.warning("citation marker %s has no matching citation", m.group(0))
            return "[" + ", ".join(str(mapping.get(n, n)) for n in nums) + "]"

        texts.append(MARKER_RE.sub(rewrite, section.text))
    return texts, sorted(by_key.values(), key=lambda c: c.n)


def citation_line(c: Citation, max_chars: int = 0) -> str:
    """ "Xã Tân Phú – bao-cao.docx – II > 3. Hạ tầng số: “quoted text”"."""
    quote = " ".join(c.text.split())
    if max_chars and len(quote) > max_chars:
        quote = quote[: max_chars - 1].rstrip() + "…"
    head = " – ".join(p for p in (c.commune, c.source, c.section) if p)
    return f"{head}: “{quote}”" if head else f"“{quote}”"
