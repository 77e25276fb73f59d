"""Which communes and years a question names: the communes of the library (however typed, with or
without accents) and names of communes the library has no report of."""

from __future__ import annotations

import re
from collections.abc import Sequence

from assistant.text.normalize import fold, fold_keep_length, nfc, typed_without_accents

_NAME = r"((?:[A-ZĐÂĂÊÔƠƯÁÀẢÃẠÉÈẺẼẸÍÌỈĨỊÓÒỎÕỌÚÙỦŨỤÝỲỶỸỴ][\wÀ-ỹ]*)(?:[ \t]+[A-ZĐÂĂÊÔƠƯÁÀẢÃẠÉÈẺẼẸÍÌỈĨỊÓÒỎÕỌÚÙỦŨỤÝỲỶỸỴ][\wÀ-ỹ]*){0,2})"
_PLACE_RE = re.compile(r"(?:\b[Xx][ãa]|\b[Pp]h(?:ường|uong)|\b[Tt]h(?:ị|i) tr(?:ấ|a)n)\s+" + _NAME)
_PLACE_FOLDED_RE = re.compile(r"\b(?:xa|phuong)\s+([a-z]+(?:\s+[a-z]+)?)")
_NOT_NAMES = frozenset(
    "nao gi co da dang hoi minh nha ta nay do duoc la va voi cua ve trong tren khong chua thi se cung "
    "van con can phai nen deu tu tai o anh chi em toi nhieu it hon".split())
_YEAR_RE = re.compile(r"(?<![\d/.,-])((?:19|20)\d\d)(?![\d,.]\d)")


def spans_of(folded_text: str, folded_name: str) -> list[tuple[int, int]]:
    return [(m.start(), m.end()) for m in re.finditer(r"(?<![a-z0-9])" + re.escape(folded_name) + r"(?![a-z0-9])",
                                                       folded_text)]


def communes_in(text: str, known: Sequence[str]) -> tuple[list[str], list[str]]:
    """(library communes named in `text`, other commune names written after "xã"/"phường")."""
    folded = fold_keep_length(nfc(text)).lower()
    found: list[tuple[int, str]] = []
    taken: list[tuple[int, int]] = []
    for name in sorted(known, key=lambda n: -len(n)):
        for a, b in spans_of(folded, fold(name)):
            if not any(a < y and x < b for x, y in taken):
                taken.append((a, b))
                found.append((a, name))
    named = list(dict.fromkeys(n for _, n in sorted(found)))
    unknown: list[str] = []
    known_folded = {fold(n) for n in known}
    plain = typed_without_accents(text)
    for m in _PLACE_RE.finditer(nfc(text)):
        name = m.group(1).strip()
        if set(fold(name).split()) <= _NOT_NAMES:  # "Xã Nào có …" typed with a capital
            continue
        prefix = m.group(0).split()[0]
        if not plain and fold(prefix) == prefix.lower():
            continue  # "xa" without accents in a question typed with them: "ở xa Trung tâm" is "far"
        if fold(name) not in known_folded and not any(fold(name).startswith(k + " ") for k in known_folded):
            unknown.append(name)
    if not unknown and plain:  # typed without accents: "xa vinh thanh"
        for m in _PLACE_FOLDED_RE.finditer(folded):
            words = m.group(1).split()
            while words and words[-1] in _NOT_NAMES:
                words.pop()
            name = " ".join(words)
            if len(words) == 2 and not set(words) & _NOT_NAMES and name not in known_folded \
                    and not any(overlap(m.start(1), m.end(1), t) for t in taken):
                unknown.append(name.title())
    return named, list(dict.fromkeys(unknown))


def overlap(a: int, b: int, span: tuple[int, int]) -> bool:
    return a < span[1] and span[0] < b


_RANGE_RE = re.compile(r"\b((?:19|20)\d\d)\s*[-–]\s*((?:19|20)\d\d)\b")


def years_in(text: str) -> list[int]:
    """Years a question names; a range "2023-2025" gives both ends."""
    years = [int(y) for y in _YEAR_RE.findall(text)]
    for a, b in _RANGE_RE.findall(text):
        years += [int(a), int(b)]
    return list(dict.fromkeys(years))


# "(tính từ 01/01/2025 đến thời điểm báo cáo)", "từ đầu năm tới giờ": the period every report covers
# anyway, said in passing; it names nothing a passage must state
_REPORTING_PERIOD = re.compile(
    r"\(?\s*(?:tinh\s+)?(?:tu\s+(?:dau\s+nam(?:\s+(?:nay|20\d\d))?|ngay\s+\S+|\d\S*)\s+)?"
    r"(?:den|toi|cho den|cho toi)\s+(?:nay|gio|bay gio|hien nay|hien tai|"
    r"(?:luc|thoi diem|ngay)\s+(?:lam\s+)?bao cao|thoi diem (?:nay|hien tai))\b\s*\)?"
    r"|\btu\s+dau\s+nam(?:\s+(?:nay|20\d\d))?\b")


def without_reporting_period(text: str) -> str:
    """The question without the reporting period said in passing ("tính đến thời điểm báo cáo")."""
    folded = fold_keep_length(text).lower()
    spans = [m.span() for m in _REPORTING_PERIOD.finditer(folded)]
    for start, end in reversed(spans):
        text = f"{text[:start]} {text[end:]}"
    return " ".join(text.split()).strip(" ,;:") if spans else text


_WIDER_RE = re.compile(r"\b(?:[Tt]ỉnh|[Hh]uyện|[Qq]uận)\s+((?:[A-ZĐ][\wÀ-ỹ]*)(?:\s+[A-ZĐ][\wÀ-ỹ]*){0,2})")


_WHOLE_RE = re.compile(r"\b(?:cả|toàn|ca|toan)\s+(thành phố|tỉnh|huyện|quận|thanh pho|tinh|huyen|quan)\b",
                       re.IGNORECASE)


def wider_places(text: str) -> list[str]:
    """Provinces and districts a question names ("toàn tỉnh An Giang"): the library holds commune
    reports, so a figure of theirs is not in it."""
    return [f"{m.group(0).split()[0].lower()} {m.group(1)}" for m in _WIDER_RE.finditer(nfc(text))]


def whole_area(text: str) -> list[str]:
    """"cả thành phố", "toàn tỉnh" without a name: the figure of the whole area, not of a commune."""
    return [m.group(0).lower() for m in _WHOLE_RE.finditer(nfc(text))]
