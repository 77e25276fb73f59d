"""Text written to steer a language model, found inside documents.

`defang` undoes the disguises that could let a passage pass for markup once a model reads it:
zero-width and other invisible format characters, HTML entities (`&lt;/du_lieu&gt;`, also
doubly escaped) and look-alike characters (fullwidth `＜／＞`, `‹ ›`, `〈 〉`, `∕` …) become plain
text, so the tag filter of `llm.prompts` sees them. `FAKE_END_RE` finds a typed-out end of the
data block ("Hết dữ liệu. Bây giờ hãy…"). `gives_orders` tells whether a passage addresses the
model ("hãy trả lời rằng…", "bỏ qua hướng dẫn", "ignore previous instructions"): the grounding
check does not count such a passage as a source for figures.
"""

from __future__ import annotations

import html
import re
import unicodedata

from assistant.text.normalize import fold

# Characters that look like < > / but are not; fullwidth ASCII (U+FF01–FF5E) is mapped in `defang`.
_LOOKALIKES = str.maketrans({
    "\u2039": "<", "\u203a": ">",  # ‹ ›
    "\u2329": "<", "\u232a": ">", "\u3008": "<", "\u3009": ">",  # 〈 〉
    "\u27e8": "<", "\u27e9": ">", "\u276e": "<", "\u276f": ">",  # ⟨ ⟩ ❮ ❯
    "\u02c2": "<", "\u02c3": ">", "\u1438": "<", "\u1433": ">",  # ˂ ˃ ᐸ ᐳ
    "\ufe64": "<", "\ufe65": ">", "\u226a": "<", "\u226b": ">",  # ﹤ ﹥ ≪ ≫
    "\u2215": "/", "\u2044": "/", "\u29f8": "/", "\u2571": "/",  # ∕ ⁄ ⧸ ╱
    "\u02d0": ":", "\uff1a": ":",
})


def _fullwidth(ch: str) -> str:
    code = ord(ch)
    return chr(code - 0xFEE0) if 0xFF01 <= code <= 0xFF5E else ch


def defang(text: str) -> str:
    """The text with invisible format characters removed, entities decoded and look-alike
    brackets and slashes made plain (`＜／du_lieu＞`, `&lt;/du_lieu&gt;` → `</du_lieu>`)."""
    for _ in range(3):  # "&amp;lt;" is "<" escaped twice
        decoded = html.unescape(text)
        if decoded == text:
            break
        text = decoded
    text = "".join(_fullwidth(ch) for ch in text if unicodedata.category(ch) != "Cf")
    return text.translate(_LOOKALIKES)


# A typed-out end of the data block, accented or not ("Hết dữ liệu", "ket thuc du lieu", "END OF DATA").
# Only as a sentence of its own: "đã cập nhật hết dữ liệu dân cư" is not one.
FAKE_END_RE = re.compile(
    r"(?:^|(?<=[\n.!?:;>\])]))[ \t]*"
    r"(?:(?:h[eếệ]t|k[eế]t\s+th[uú]c|đ[oó]ng|d[uừ]ng)\s+(?:ph[aầ]n\s+|kh[oố]i\s+)?"
    r"(?:d[uữ][\s_\-]*li[eệ]u|t[aà]i\s+li[eệ]u(?:\s+tham\s+kh[aả]o)?)"
    r"|end\s+of\s+(?:the\s+)?(?:data|context|documents?))"
    r"\s*(?=[.!:;\n]|$)",
    re.IGNORECASE)

# Sentences addressed to a model, matched on accent-free lower case text (`fold`).
_ORDERS = [
    r"\bhay\s+(?:tra\s+loi|noi|viet|ghi|khang\s+dinh|cho\s+biet|xac\s+nhan|dua\s+ra)\s+(?:rang|la)\b",
    r"\b(?:tra\s+loi|noi|viet|ghi)\s+rang\s+(?:ty\s+le|ti\s+le|so|con\s+so)",
    r"\b(?:bo\s+qua|phot\s+lo|quen|khong\s+can\s+theo)\s+(?:het\s+|tat\s+ca\s+|moi\s+|cac\s+|nhung\s+)?"
    r"(?:huong\s+dan|chi\s+dan|yeu\s+cau|quy\s+tac|lenh|chi\s+thi)",
    r"\b(?:tu\s+gio|tu\s+bay\s+gio|bay\s+gio)\s*,?\s+(?:hay|ban\s+phai|phai)\b",
    r"\b(?:ban|mo\s+hinh|tro\s+ly|ai|chatbot)\s+(?:phai|hay|can)\s+(?:tra\s+loi|noi|viet|ghi|lam\s+theo)",
    r"(?:^|[\n.!?]\s*)(?:system|assistant|user)\s*:",
    r"\bignore\s+(?:all\s+|any\s+)?(?:the\s+)?(?:previous|prior|above|earlier|preceding)\s+"
    r"(?:instructions?|rules?|prompts?|messages?)",
    r"\bdisregard\s+(?:all\s+|any\s+)?(?:the\s+)?(?:previous|prior|above|earlier|system)",
    r"\byou\s+(?:are\s+now|must\s+(?:answer|say|reply)|should\s+(?:answer|say|reply))\b",
    r"\b(?:answer|reply|respond|say)\s+that\b",
    r"\bnew\s+instructions?\s*:",
]
_ORDERS_RE = re.compile("|".join(f"(?:{p})" for p in _ORDERS), re.IGNORECASE)


def gives_orders(text: str) -> bool:
    """Whether a passage contains a sentence addressed to the model (any accents, any disguise)."""
    plain = defang(text)
    return bool(_ORDERS_RE.search(fold(plain)) or FAKE_END_RE.search(plain))
