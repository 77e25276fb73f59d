"""Verify figures while a reply streams in: text is released only once its figures are final.

`StreamMarker.feed(piece)` returns the part of the reply that can be shown now, with untraceable
figures already wrapped as ⟦…⟧; `finish()` returns the rest. The concatenated output equals
`grounding.mark_unsupported` applied to the whole reply (tested on random splits). Text inside
`<think>…</think>` (reasoning some models print) is never shown.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from assistant.qa.grounding import source_keys
from assistant.text.citations import MARK_CLOSE, MARK_OPEN, mask_citations
from assistant.text.vn_numbers import NumberSpan, figure_keys, find_numbers

_THINK_RE = re.compile(r"<think>.*?</think>\s*", re.DOTALL | re.IGNORECASE)
_THINK_OPEN_RE = re.compile(r"<think>", re.IGNORECASE)
_WORD_RE = re.compile(r"\S+")
_HOLD_WORDS = 2  # a figure's reading can depend on the next word ("71,2" + " %")


def strip_think(text: str) -> str:
    """The reply without reasoning blocks; an unclosed `<think>` hides everything after it."""
    text = _THINK_RE.sub("", text)
    m = _THINK_OPEN_RE.search(text)
    return text[: m.start()] if m else text


class StreamMarker:
    """Incremental figure marking over a growing reply."""

    def __init__(self, sources: Iterable[str], allowed: Iterable[str] = ()) -> None:
        self._keys = source_keys([*sources, *allowed])
        self._raw = ""
        self._done = 0  # characters of the cleaned reply already released

    @property
    def text(self) -> str:
        """The cleaned reply received so far (reasoning removed, not marked)."""
        return strip_think(self._raw)

    def feed(self, piece: str) -> str:
        self._raw += piece
        text = self.text
        return self._release(text, self._safe_end(text))

    def finish(self) -> str:
        text = self.text
        return self._release(text, len(text))

    def _spans(self, text: str) -> list[NumberSpan]:
        return find_numbers(mask_citations(text))

    def _safe_end(self, text: str) -> int:
        """How far the reply is settled: the last words, an open "[", or a figure touching them wait."""
        words = list(_WORD_RE.finditer(text, self._done))
        if len(words) <= _HOLD_WORDS:
            return self._done
        end = words[-_HOLD_WORDS].start()
        bracket = text.rfind("[", self._done, end)
        if bracket >= 0 and "]" not in text[bracket:end]:
            end = bracket
        for span in self._spans(text):
            if span.start < end <= span.end + 1:
                end = span.start
        return max(end, self._done)

    def _release(self, text: str, end: int) -> str:
        if end <= self._done:
            return ""
        out, pos = [], self._done
        for span in self._spans(text):
            if span.start < self._done or span.end > end:
                continue
            if not figure_keys(span) & self._keys:
                out += [text[pos : span.start], MARK_OPEN, text[span.start : span.end], MARK_CLOSE]
                pos = span.end
        out.append(text[pos:end])
        self._done = end
        return "".join(out)
