"""Paragraphs to compare: those of an ingested chunk, and those of a pasted draft."""

from __future__ import annotations

import re

from assistant.domain.sections import NARRATIVE_KINDS
from assistant.ingest.chunking import heading_type
from assistant.text.normalize import nfc
from assistant.text.segment import SENTENCE_END_RE

_LIST_RE = re.compile(r"^\s*(?:[-+•*–]|\d{1,2}[.)]|[a-zđ][.)])\s+")
_BULLET_RE = re.compile(r"^\s*[-+•*–]\s*")
_LABEL_RE = re.compile(
    r"^[-+*\s]*(?:(?:một số\s+)?(?:tồn tại,?\s*hạn chế|hạn chế,?\s*tồn tại|khó khăn,?\s*(?:tồn tại,?\s*)?"
    r"(?:hạn chế|vướng mắc)|kết quả đạt được|đề xuất,?\s*kiến nghị|nguyên nhân))\s*:\s*", re.IGNORECASE)
_TITLE_NOTE_RE = re.compile(r"^\d{1,2}(?:\.\d{1,2})*\.?\s+[^().;]{3,60}\(.*\)$")  # "7. Chính quyền số (Đánh giá …)"
_FOOTNOTE_RE = re.compile(r"^\d{1,2}\s+[A-ZĐÀ-Ỹ]")
_MIN_CHARS = 25


def _is_heading(line: str) -> bool:
    """A heading line ("b) Tồn tại, hạn chế:", "IV. ĐÁNH GIÁ CHUNG"), not a numbered sentence."""
    s = line.strip()
    if s.startswith("#") or _TITLE_NOTE_RE.match(s):
        return True
    kind = heading_type(s)
    if kind is None:
        return False
    if kind in ("part", "roman", "caps", "label", "star"):
        return len(s) < 100
    return len(s) < 80 and not s.rstrip().endswith((".", ";"))


def _merge(lines: list[str]) -> list[str]:
    """Join an intro ending with ':' or an open quote to the next line; drop short scraps."""
    out: list[str] = []
    for line in lines:
        if out and (out[-1].endswith(":") or out[-1].count("“") > out[-1].count("”")):
            out[-1] = f"{out[-1]} {line}"
        else:
            out.append(line)
    return [p for p in out if len(p) >= _MIN_CHARS]


def chunk_paragraphs(text: str) -> list[str]:
    """Paragraphs and list items of an ingested chunk, without headings, list marks and stray footnotes."""
    lines = [" ".join(x.split()) for x in nfc(text).split("\n")]
    lines = [x for x in lines if x and not _is_heading(x)]
    listy = sum(1 for x in lines if _BULLET_RE.match(x)) >= 2
    body = []
    for line in lines:
        if listy and _FOOTNOTE_RE.match(line) and not _BULLET_RE.match(line):
            continue  # a page footnote the extraction dropped inside a list
        body.append(_LABEL_RE.sub("", line).strip())
    return [_BULLET_RE.sub("", p) for p in _merge([b for b in body if b])]




def passage_units(paragraph: str, max_chars: int = 320) -> list[str]:
    """A long peer paragraph cut into sentence groups of at most ~`max_chars`, for closer matches."""
    if len(paragraph) <= max_chars:
        return [paragraph]
    units: list[str] = []
    for sent in SENTENCE_END_RE.split(paragraph):
        if units and len(units[-1]) + len(sent) < max_chars // 2:
            units[-1] = f"{units[-1]} {sent}"
        else:
            units.append(sent)
    return [u for u in units if len(u) >= _MIN_CHARS]


def split_paragraphs(text: str, *, hard_breaks: bool = False) -> list[tuple[str | None, str]]:
    """(heading above it, paragraph) for a pasted draft: blank lines and list items separate
    paragraphs; with `hard_breaks` (Word) every line is a paragraph."""
    heading: str | None = None
    out: list[tuple[str | None, str]] = []
    cur: list[str] = []

    def flush() -> None:
        if cur:
            out.append((heading, " ".join(cur)))
            cur.clear()

    for raw in nfc(text).split("\n"):
        line = " ".join(raw.split())
        if not line:
            flush()
            continue
        if _is_heading(line) or (len(line) < 100 and _LABEL_RE.fullmatch(line + " ")):
            flush()
            heading = line.lstrip("# ").strip()
            continue
        label = _LABEL_RE.match(line)
        if label:
            flush()
            heading = line[: label.end()].strip(" -+*:")
            line = line[label.end():].strip()
        if hard_breaks or _LIST_RE.match(line):
            flush()
        cur.append(line)
        if hard_breaks:
            flush()
    flush()
    merged: list[tuple[str | None, str]] = []
    for h, p in out:
        if merged and merged[-1][0] == h and merged[-1][1].endswith(":"):
            merged[-1] = (h, f"{merged[-1][1]} {p}")
        else:
            merged.append((h, p))
    return [(h, _BULLET_RE.sub("", p)) for h, p in merged if len(p) >= _MIN_CHARS]


def guess_kind(heading: str | None) -> str | None:
    """Section kind named by a draft heading ("Tồn tại, hạn chế" -> ton_tai), else None."""
    if not heading:
        return None
    from assistant.ingest.chunking import section_kind

    kind = section_kind([heading])
    return kind if kind in NARRATIVE_KINDS else None
