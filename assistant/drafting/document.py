"""Types for drafted report sections (the drafter's output, the exporter's input)."""

from __future__ import annotations

import dataclasses
import logging
import re
from dataclasses import dataclass, field
from typing import Any

from assistant.domain.sections import DRAFT_SECTION_IDS  # noqa: F401 - re-exported
from assistant.records import Citation
from assistant.text.citations import CITATION_RE, cited
from assistant.text.citations import renumber as renumber_markers

log = logging.getLogger(__name__)


@dataclass
class DraftSection:
    """One drafted section of the report.

    `text` holds paragraphs separated by "\\n". A line starting with "- " or "+ " is a bullet
    item; a line starting with a heading marker ("1. ", "a) ") or written in upper case may be
    a sub-heading. Markers such as "[1]" refer to the citation with that `n` (one numbering
    for the whole document). A line ending in `SUGGESTION_MARK` is a suggestion from peers.
    """

    id: str  # "ket_qua" | "ton_tai" | "phuong_huong" | "kien_nghi"
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
    period: str = ""  # "năm 2025", "quý III năm 2025"; "" means the year
    next_period: str = ""  # the period Phương hướng is for: "năm 2026", "quý IV năm 2025"

    @property
    def period_label(self) -> str:
        return self.period or f"năm {self.year}"

    @property
    def next_period_label(self) -> str:
        return self.next_period or f"năm {self.year + 1}"

    def to_json(self) -> dict[str, Any]:
        return {
            "commune": self.commune,
            "province": self.province,
            "year": self.year,
            "period": self.period_label,
            "next_period": self.next_period_label,
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
            period=str(data.get("period", "")),
            next_period=str(data.get("next_period", "")),
        )


# ----------------------------------------------------- conventions of DraftSection.text
# A suggestion taken from peer reports ends with this mark until the officer keeps or deletes it.
SUGGESTION_MARK = "(gợi ý – cần xác nhận)"
_STRIP_RE = re.compile(r"[ \t]*" + CITATION_RE.pattern)
_NUM_HEADING_RE = re.compile(r"^(?:[IVXLC]+\.|\d+(?:\.\d+)*\.)\s+\S")
_LETTER_HEADING_RE = re.compile(r"^[a-zđ]\)\s+\S")
_BULLET_RE = re.compile(r"^[-+•*–]\s+")


def strip_markers(text: str) -> str:
    """Remove "[n]" citation markers and the space before them."""
    return _STRIP_RE.sub("", text)


def is_suggestion(line: str) -> bool:
    """Whether a text line is a suggestion the officer has not confirmed yet."""
    return SUGGESTION_MARK in line


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
    """One numbering for the whole document: the texts with their markers, and the sources.

    A drafted document is numbered once already (the composer shares one numbering across its
    sections), so its numbers are kept. A document whose sections were numbered apart (an
    older draft, a hand-made one) gets clashing numbers moved on, and a passage cited in two
    sections one number. Every text, list and annex shows these numbers, so "[n]" in the text
    and entry n of the sources are the same passage. Returns the rewritten section texts and
    the cited sources in number order (a source no text cites any more is left out).
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
        missing = [n for n in cited(section.text) if n not in mapping]
        if missing:
            log.warning("section %s cites %s without a source", section.id, missing)
        texts.append(renumber_markers(section.text, mapping))
    in_text = {n for t in texts for n in cited(t)}
    return texts, sorted((c for c in by_key.values() if c.n in in_text), key=lambda c: c.n)


def citation_line(c: Citation, max_chars: int = 0) -> str:
    """ "Xã Tân Phú – bao-cao.docx – II > 3. Hạ tầng số: “quoted text”"."""
    quote = " ".join(c.text.split())
    if max_chars and len(quote) > max_chars:
        quote = quote[: max_chars - 1].rstrip() + "…"
    head = " – ".join(p for p in (c.commune, c.source, c.section) if p)
    return f"{head}: “{quote}”" if head else f"“{quote}”"


def suggestion_lines(text: str) -> list[str]:
    """The suggestion lines of a section text, each without its mark (what the officer reads)."""
    return [unmark(line) for line in text.split("\n") if is_suggestion(line)]


def unmark(line: str) -> str:
    """A suggestion line kept by the officer: the line without its mark."""
    return re.sub(r"\s*" + re.escape(SUGGESTION_MARK), "", line).strip()


_SUB_RE = re.compile(r"^([a-zđ])\)\s+")
_LETTERS = "abcdđeghiklmnopqrstuvxy"


def resolve_suggestions(text: str, keep: set[str] | frozenset[str]) -> str:
    """The text with the suggestions in `keep` confirmed (mark removed) and the others deleted.

    `keep` holds suggestion lines as `suggestion_lines` gives them. A pillar sub-heading left
    with nothing under it goes too, and the remaining sub-headings of each part are lettered
    again (a, b, c…).
    """
    lines: list[str] = []
    for line in text.split("\n"):
        if not is_suggestion(line):
            lines.append(line)
        elif unmark(line) in keep:
            lines.append(unmark(line))
    kept: list[str] = []
    for i, line in enumerate(lines):
        if _SUB_RE.match(line.strip()):
            nxt = next((x for x in lines[i + 1 :] if x.strip()), "")
            if not nxt or classify_line(nxt)[0] in ("heading", "subheading"):
                continue  # an empty pillar heading
        kept.append(line)
    out, k = [], 0
    for line in kept:
        if classify_line(line)[0] == "heading":
            k = 0
        elif m := _SUB_RE.match(line.strip()):
            line = f"{_LETTERS[min(k, len(_LETTERS) - 1)]}) {line.strip()[m.end():]}"
            k += 1
        out.append(line)
    return "\n".join(out)
