"""Whether a parsed document says what an indexed one already says (see `ingest.fingerprint`)."""

from __future__ import annotations

from assistant.index.access import same_commune
from assistant.ingest.fingerprint import NEAR, similarity
from assistant.ingest.report import Duplicate

CATALOG_DOC_ID = "chi_tieu_catalog"


def duplicate_of(file: str, doc: dict, exact: bool) -> Duplicate:
    return Duplicate(file=file, doc_id=doc["doc_id"], title=doc.get("title") or "",
                     commune=doc.get("commune") or "", exact=exact)


def same_text(doc: dict, docs: list[dict]) -> tuple[dict, bool] | None:
    """A document (other than `doc` itself) with the same words, or nearly the same words for
    the same commune (two communes' reports may share a template), and whether it is exact."""
    if doc.get("kind") == "guidance" and doc["doc_id"] == CATALOG_DOC_ID:
        return None
    for other in docs:
        if other["doc_id"] == doc["doc_id"]:
            continue
        if other.get("text_sha") and other["text_sha"] == doc["text_sha"]:
            return other, True
    for other in docs:
        if other["doc_id"] == doc["doc_id"] or not other.get("sketch"):
            continue
        communes = (doc.get("commune") or "", other.get("commune") or "")
        if (same_commune(*communes) or not all(communes)) \
                and similarity(doc["sketch"], other["sketch"]) >= NEAR:
            return other, False
    return None
