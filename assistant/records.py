"""Plain project types shared by the core, the CLI and the web app."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from assistant.domain.sections import SECTION_KINDS  # noqa: F401 - re-exported


@dataclass
class Chunk:
    """One indexable passage with its provenance."""

    chunk_id: str
    doc_id: str
    text: str
    source: str  # file name
    commune: str = ""
    province: str = ""
    year: int | None = None
    kind: str = ""  # kind of document: report, guidance, ...
    title: str = ""  # document title
    section: str = ""  # heading path, "PHẦN A > II > 3. Hạ tầng số > b) Tồn tại, hạn chế"
    section_kind: str = "other"
    position: int = 0  # order inside the document
    # provenance of an uploaded document ("" and published for the bundled corpus)
    owner: str = ""  # the group (commune, or "*" for province staff) that uploaded it
    uploaded_by: str = ""  # the account that uploaded it
    published: bool = True  # False: an unpublished draft, read only by its owner's group
    ocr: bool = False  # the text was read by OCR from a scan or a photo (may hold reading errors)

    def metadata(self) -> dict[str, Any]:
        meta = asdict(self)
        meta.pop("text")
        meta.pop("chunk_id")
        meta["year"] = self.year if self.year is not None else 0
        return meta

    @classmethod
    def from_metadata(cls, chunk_id: str, text: str, meta: dict[str, Any]) -> Chunk:
        known = {k: meta[k] for k in cls.__dataclass_fields__ if k in meta}
        known.pop("text", None)
        known.pop("chunk_id", None)
        if known.get("year") == 0:
            known["year"] = None
        return cls(chunk_id=chunk_id, text=text, **known)


@dataclass
class SearchResult:
    chunk: Chunk
    score: float

    def to_json(self) -> dict[str, Any]:
        c = self.chunk
        data = {
            "doc_id": c.doc_id,
            "source": c.source,
            "commune": c.commune,
            "title": c.title,
            "section": c.section,
            "section_kind": c.section_kind,
            "text": c.text,
            "score": round(float(self.score), 6),
        }
        if c.ocr:
            data["ocr"] = True
        return data


@dataclass
class Citation:
    """A numbered reference to a passage; `text` is the quoted passage (or the part used).

    The provenance fields say who uploaded a document that is not from the bundled corpus and
    whether it is published, so every interface can show it next to the source."""

    n: int
    doc_id: str
    source: str
    commune: str
    section: str
    text: str
    owner: str = ""  # the uploading group ("" for the bundled corpus)
    uploaded_by: str = ""  # the uploading account
    published: bool = True
    ocr: bool = False  # the passage was read by OCR; `to_json` has "ocr": true only then

    @classmethod
    def of(cls, n: int, chunk: Chunk, text: str | None = None) -> Citation:
        """A citation of `chunk` (quoting `text`, by default the whole passage), with its provenance."""
        return cls(n, chunk.doc_id, chunk.source, chunk.commune, chunk.section,
                   chunk.text if text is None else text, owner=chunk.owner,
                   uploaded_by=chunk.uploaded_by, published=chunk.published, ocr=chunk.ocr)

    @property
    def uploaded(self) -> bool:
        """Whether the passage comes from a document an account uploaded (not the bundled corpus)."""
        return bool(self.owner or self.uploaded_by)

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        if not self.ocr:
            data.pop("ocr")
        return data


@dataclass
class Answer:
    """An answer as every interface shows it.

    `found` is False when the library does not state what was asked: `answer` then says so
    ("Không tìm thấy …") and presents no figure as the answer; `citations` are the nearest
    passages. `kind` is the kind of question it was understood as (see `qa.question.KINDS`);
    `understood_as` restates a follow-up as a whole question ("" for a question asked in full).
    """

    answer: str
    citations: list[Citation] = field(default_factory=list)
    mode: str = "extractive"  # extractive | catalog | llm | none
    warnings: list[str] = field(default_factory=list)
    unsupported_numbers: list[str] = field(default_factory=list)
    found: bool = True
    kind: str = "figure"
    understood_as: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "answer": self.answer,
            "citations": [c.to_json() for c in self.citations],
            "mode": self.mode,
            "warnings": list(self.warnings),
            "unsupported_numbers": list(self.unsupported_numbers),
            "found": self.found,
            "kind": self.kind,
        }
