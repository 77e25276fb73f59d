"""Word-level differences between two passages, shown without changing either text."""

from __future__ import annotations

import difflib
import re
from typing import Any

from assistant.text.normalize import nfc

_TOKEN_RE = re.compile(r"\d+(?:[.,]\d+)*|\w+|[^\w\s]")  # a figure such as 1.429 or 71,2 is one token
_NO_SPACE_BEFORE = set(".,;:!?)”%…")


def word_diff(a: str, b: str) -> list[dict[str, str]]:
    """Syllable-level diff of `a` (own text) against `b` (peer text) as compact ops.

    Words are matched ignoring case, but each op's "a" and "b" are exact slices of the two texts
    (their own case, spacing and punctuation), so either side can be shown as written."""
    a, b = nfc(a), nfc(b)
    ma, mb = list(_TOKEN_RE.finditer(a)), list(_TOKEN_RE.finditer(b))
    sm = difflib.SequenceMatcher(None, [m.group(0).lower() for m in ma], [m.group(0).lower() for m in mb],
                                 autojunk=False)
    ops: list[dict[str, Any]] = []
    for tag, i1, i2, j1, j2 in sm.get_opcodes():
        ops.append({"op": tag, "a": (i1, i2), "b": (j1, j2)})
    # a lone shared syllable between two changes reads better as part of the change
    compact: list[dict[str, Any]] = []
    for i, op in enumerate(ops):
        lone = op["op"] == "equal" and op["a"][1] - op["a"][0] <= 1 and 0 < i < len(ops) - 1
        if compact and (lone or op["op"] != "equal") and compact[-1]["op"] != "equal":
            compact[-1]["a"] = (compact[-1]["a"][0], op["a"][1])
            compact[-1]["b"] = (compact[-1]["b"][0], op["b"][1])
        else:
            compact.append({"op": "replace" if lone else op["op"], "a": op["a"], "b": op["b"]})

    def cut(text: str, found: list[re.Match[str]], span: tuple[int, int]) -> str:
        lo, hi = span
        return text[found[lo].start(): found[hi - 1].end()] if hi > lo else ""

    result = []
    for op in compact:
        ta, tb = cut(a, ma, op["a"]), cut(b, mb, op["b"])
        kind = op["op"] if op["op"] == "equal" else ("replace" if ta and tb else ("delete" if ta else "insert"))
        result.append({"op": kind, "a": ta, "b": tb})
    return result


def diff_segments(diff: list[dict[str, str]], text: str, side: str) -> list[tuple[str, bool]]:
    """`text` (side "a" or "b" of `diff`) as (piece, only this side has it) segments whose
    concatenation is exactly `text`, spaces and case included."""
    text = nfc(text)
    out: list[tuple[str, bool]] = []
    pos = 0
    for d in diff:
        piece = d[side]
        if not piece:
            continue
        at = text.find(piece, pos)
        if at < 0:  # not a diff of this text: show it unmarked rather than altered
            return [(text, False)]
        if at > pos:
            out.append((text[pos:at], False))
        out.append((piece, d["op"] != "equal"))
        pos = at + len(piece)
    if pos < len(text):
        out.append((text[pos:], False))
    return out


def shared_phrases(diff: list[dict[str, str]], min_words: int = 2) -> list[str]:
    """Phrases both texts use (equal runs of at least `min_words` words)."""
    return [d["a"] for d in diff if d["op"] == "equal" and len(re.findall(r"\w+", d["a"])) >= min_words]


def inline_diff(diff: list[dict[str, str]], style: Any = None) -> str:
    """One line with [-own only-] and {+peer only+} markers; `style(text, kind)` may colour them."""
    def paint(text: str, kind: str) -> str:
        return style(text, kind) if style else text

    out = ""
    for d in diff:
        pieces = [(d["a"], "equal")] if d["op"] == "equal" else []
        if d["op"] != "equal" and d["a"]:
            pieces.append((f"[-{d['a']}-]", "delete"))
        if d["op"] != "equal" and d["b"]:
            pieces.append((f"{{+{d['b']}+}}", "insert"))
        for text, kind in pieces:
            if not text:
                continue
            glue = "" if not out or (kind == "equal" and text[0] in _NO_SPACE_BEFORE) else " "
            out += glue + paint(text, kind)
    return out
