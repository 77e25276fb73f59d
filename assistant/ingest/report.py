"""What an ingest run did: files added, updated, unchanged, failed, duplicates and orphans."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Duplicate:
    """A file not indexed because a document the viewer may read already says the same."""

    file: str
    doc_id: str  # the document already in the index
    title: str
    commune: str
    exact: bool  # the same words (or bytes); otherwise nearly the same, for the same commune

    def reason(self) -> str:
        where = f"xã {self.commune}" if self.commune else "không rõ xã"
        how = "trùng nội dung với" if self.exact else "gần như trùng nội dung với"
        return f"{how} «{self.title or self.doc_id}» ({where}); không thêm lại"

    def to_json(self) -> dict:
        return {"file": self.file, "doc_id": self.doc_id, "title": self.title, "commune": self.commune,
                "exact": self.exact}


@dataclass
class IngestReport:
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)  # (file, reason)
    chunks: int = 0
    generation: str = ""
    duplicates: list[Duplicate] = field(default_factory=list)
    orphans: list[str] = field(default_factory=list)  # uploads the index does not know: not read
    restored_vectors: int = 0  # committed chunks whose missing vectors were embedded again
    keyword_rebuilt: bool = False  # the saved keyword index was stale or missing and was rebuilt

    @property
    def ok(self) -> bool:
        return not self.failed

    def to_json(self) -> dict:
        return {"added": self.added, "updated": self.updated, "unchanged": self.unchanged,
                "failed": [{"file": f, "reason": r} for f, r in self.failed],
                "chunks": self.chunks, "generation": self.generation,
                "duplicates": [d.to_json() for d in self.duplicates], "orphans": self.orphans,
                "restored_vectors": self.restored_vectors, "keyword_rebuilt": self.keyword_rebuilt}
