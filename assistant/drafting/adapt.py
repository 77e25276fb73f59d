"""Borrowed wording made to fit this commune, or refused.

A peer sentence is written for another commune: its residential units ("các thôn" where this
commune has "ấp"), its kind of unit ("xã" for a "phường"), its province's level ("Thành phố"
for a "tỉnh"), or the communes merged into it ("xã Bình Hòa (cũ)"). `Locale.adapt` rewrites
the first three to this commune's words and refuses a sentence about former communes. The
settlement word comes from the figures file (`settlement:`, or a fact such as "Số ấp"), else
from the commune's own indexed report, else a neutral "khu dân cư".
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from assistant.domain.figures import SETTLEMENTS, CommuneFigures
from assistant.text.normalize import fold

NEUTRAL = "khu dân cư"
# centrally-run cities (thành phố trực thuộc trung ương) since 01/7/2025
CITIES = {"ha noi", "ho chi minh", "hai phong", "da nang", "can tho", "hue"}
UNIT_PREFIXES = ("thị trấn", "đặc khu", "phường", "xã")
# settlement words a borrowed sentence may use; "bản" and "làng" only where they cannot be
# ordinary words ("văn bản", "làng nghề")
_WORDS = "tổ dân phố|khu phố|thôn|ấp|xóm|buôn|sóc|khóm"
_CONTEXT_WORDS = "bản|làng"
_LIST_RE = re.compile(
    rf"(?<![\w])(?:{_WORDS})(?:\s*(?:,|/|và|hoặc)\s*(?:{_WORDS}|{_CONTEXT_WORDS}))*(?![\w])",
    re.IGNORECASE,
)
_CONTEXT_RE = re.compile(rf"\b(các|mỗi|từng)\s+(?:{_CONTEXT_WORDS})(?![\w])", re.IGNORECASE)
# a former commune or the merger itself: what fits one commune's history, not another's
_FORMER_RE = re.compile(
    r"\(\s*cũ\s*\)|\b(?:xã|phường|thị trấn|huyện)\s+cũ\b|\bcác\s+(?:xã|đơn vị)\s+cũ\b|"
    r"\b(?:trước|sau)\s+(?:khi\s+)?(?:sáp nhập|hợp nhất)\b",
    re.IGNORECASE,
)
_UNIT_RE = re.compile(r"(?<!cấp )(?<!Cấp )\b([Xx]ã)\b(?!\s+hội)")
_LEVEL_RE = re.compile(r"\b(?:[Tt]hành phố|[Tt]ỉnh)\b(?!\s+[A-ZĐ])")
# how a text names its units: "17 ấp", "các thôn", "Số thôn", "tại ấp"
_COUNT_RE = re.compile(
    rf"(?:\d+|\bcác|\bmỗi|\btừng|\btại|\bsố|\bở)\s+({'|'.join(SETTLEMENTS)})(?![\w])",
    re.IGNORECASE,
)


def split_unit(commune: str) -> tuple[str, str]:
    """ "xã Tân Phú" / "Tân Phú" -> ("xã", "Tân Phú"); also phường, thị trấn, đặc khu."""
    name = commune.strip()
    for prefix in UNIT_PREFIXES:
        if name.lower().startswith(prefix + " "):
            return prefix, name[len(prefix) :].strip()
    return "xã", name


def province_level(province: str) -> str:
    """ "thành phố" for the centrally-run cities, "tỉnh" otherwise ("" when unknown)."""
    prov = fold(province).strip()
    if not prov:
        return ""
    return "thành phố" if prov in CITIES or prov.startswith("thanh pho") else "tỉnh"


def count_settlements(texts: Iterable[str]) -> Counter[str]:
    """How often each settlement word is used as a unit ("17 ấp", "các thôn", "Số thôn")."""
    counts: Counter[str] = Counter()
    for text in texts:
        for m in _COUNT_RE.finditer(text or ""):
            counts[m.group(1).lower()] += 1
    return counts


def settlement_of(figures: CommuneFigures, own_texts: Iterable[str] = ()) -> str:
    """The commune's settlement word: the figures file's, else its own report's, else ""."""
    if figures.settlement:
        return figures.settlement
    texts = [f.name for f in figures.facts] + [i.name for i in figures.indicators]
    texts += list(figures.observations)
    for source in (texts, own_texts):
        counts = count_settlements(source)
        if counts:
            return counts.most_common(1)[0][0]
    return ""


def _cased(word: str, like: str) -> str:
    return word[:1].upper() + word[1:] if like[:1].isupper() else word


@dataclass(frozen=True)
class Locale:
    """The words of this commune that borrowed sentences are rewritten to."""

    unit: str = "xã"  # xã | phường | thị trấn | đặc khu
    settlement: str = ""  # "" = unknown: the neutral "khu dân cư"
    level: str = ""  # "tỉnh" | "thành phố" | "" (unknown: left as written)

    @classmethod
    def of(cls, figures: CommuneFigures, own_texts: Iterable[str] = ()) -> Locale:
        unit, _ = split_unit(figures.commune)
        return cls(unit, settlement_of(figures, own_texts), province_level(figures.province))

    @property
    def settlement_word(self) -> str:
        return self.settlement or (NEUTRAL if self.unit == "xã" else "tổ dân phố")

    def adapt(self, sentence: str) -> str | None:
        """`sentence` in this commune's words, or None when it speaks of former communes."""
        if _FORMER_RE.search(sentence):
            return None
        word = self.settlement_word
        out = _LIST_RE.sub(lambda m: _cased(word, m.group(0)), sentence)
        out = _CONTEXT_RE.sub(lambda m: f"{m.group(1)} {word}", out)
        twice = re.compile(rf"\b({re.escape(word)})(?:\s*(?:,|/|và|hoặc)\s*{re.escape(word)}\b)+")
        out = twice.sub(r"\1", out)
        if self.unit != "xã":
            out = _UNIT_RE.sub(lambda m: _cased(self.unit, m.group(1)), out)
        if self.level:
            out = _LEVEL_RE.sub(lambda m: _cased(self.level, m.group(0)), out)
        return out
