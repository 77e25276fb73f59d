"""What a document says, reduced so that the same report in another format is recognised.

The same report saved as .docx and as .pdf, or uploaded again under another name, gives the same
words once extracted: `text_sha` (SHA-256 of the words, case folded, punctuation and layout
dropped) is then equal. A report that is nearly the same (a page number or a heading more, a
figure corrected) has a high `similarity`: the Jaccard similarity of its 5-word shingles,
estimated from a bottom-k sketch (the 128 smallest shingle hashes; 2 KB per document).
"""

from __future__ import annotations

import hashlib
import heapq
import re
import unicodedata
from dataclasses import dataclass

SHINGLE = 5  # words per shingle
SKETCH = 128  # hashes kept per document
NEAR = 0.9  # similarity from which two texts are "nearly the same"
_WORD_RE = re.compile(r"\w+")


def words(text: str) -> list[str]:
    """The words of a text, NFC and case folded, without punctuation, table bars or layout."""
    return _WORD_RE.findall(unicodedata.normalize("NFC", text).casefold())


@dataclass(frozen=True)
class Fingerprint:
    text_sha: str  # SHA-256 of the words joined by single spaces
    sketch: str  # the bottom-k shingle hashes, 16 hex digits each, sorted

    @classmethod
    def of(cls, text: str) -> Fingerprint:
        w = words(text)
        sha = hashlib.sha256(" ".join(w).encode("utf-8")).hexdigest()
        shingles = (" ".join(w[i:i + SHINGLE]) for i in range(max(1, len(w) - SHINGLE + 1)))
        hashes = {hashlib.blake2b(s.encode("utf-8"), digest_size=8).digest() for s in shingles}
        return cls(sha, "".join(h.hex() for h in sorted(heapq.nsmallest(SKETCH, hashes))))


def _hashes(sketch: str) -> set[str]:
    return {sketch[i:i + 16] for i in range(0, len(sketch), 16)}


def similarity(a: str, b: str) -> float:
    """Estimated Jaccard similarity of two texts' shingles from their sketches (0 when unknown)."""
    if not a or not b:
        return 0.0
    sa, sb = _hashes(a), _hashes(b)
    union = heapq.nsmallest(SKETCH, sa | sb)
    return sum(1 for h in union if h in sa and h in sb) / len(union)
