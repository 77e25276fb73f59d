"""Vietnamese numbers: read values and targets, find every figure in a text, write numbers.

Reading rules (FORMAT.md): "71,2%" = 71.2 percent; a dot followed by exactly three digits
groups thousands ("1.429" = 1429, "1.429.000"); otherwise a dot is a decimal point ("71.2");
a comma is the decimal separator ("0,5"). A single comma followed by exactly three digits
("2,991", English style, seen in real reports) is ambiguous: its first reading is the
Vietnamese decimal one (2.991), and `figure_keys`/`same_figure` also accept 2991.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Literal

from assistant.text.normalize import fold_keep_length

Comparator = Literal[">=", ">", "<=", "<", "="]
Kind = Literal["number", "percent", "ratio", "date", "year", "docno"]

_NUM = r"[0-9]+(?:[.,][0-9]+)*"
_LETTER = r"[^\W\d_]"


@dataclass(frozen=True)
class ParsedNumber:
    """A written value: 71.2 percent, about 15, at least 3000 ..."""

    value: float
    percent: bool = False
    approx: bool = False  # "~", "khoảng", "gần", or a bound such as "trên", ">", "dưới"
    raw: str = ""


@dataclass(frozen=True)
class Ratio:
    """A written ratio such as "39/39" or "24.152/29.950"."""

    numerator: float
    denominator: float
    raw: str = ""

    @property
    def value(self) -> float | None:
        return self.numerator / self.denominator if self.denominator else None


@dataclass(frozen=True)
class Target:
    """A target with its comparator: "≥80%" -> Target(">=", 80.0, True, "≥80%")."""

    comparator: Comparator
    value: float
    percent: bool
    raw: str


@dataclass(frozen=True)
class NumberSpan:
    """One figure found in a text; `text[start:end] == raw` (offsets in the given text)."""

    start: int
    end: int
    raw: str
    kind: Kind
    value: float | None
    approx: bool = False


# ---------------------------------------------------------------- normalisation


def _clean(s: str) -> str:
    """NFC, plain spaces, LaTeX/odd signs made plain, trimmed and collapsed."""
    s = unicodedata.normalize("NFC", s)
    s = "".join(" " if unicodedata.category(ch) == "Zs" else ch for ch in s)
    s = s.replace("\u200b", "").replace("\ufeff", "").replace("−", "-").replace("％", "%")
    s = s.replace("\\%", "%").replace("$", "")
    s = re.sub(r"\\geq?(?![a-zA-Z])", "≥", s)
    s = re.sub(r"\\leq?(?![a-zA-Z])", "≤", s)
    return re.sub(r"\s+", " ", s).strip()


def _normalise_with_map(text: str) -> tuple[str, list[int]]:
    """NFC text with plain spaces, and for each of its characters the offset in `text`."""
    out: list[str] = []
    omap: list[int] = []
    i, n = 0, len(text)
    while i < n:
        j = i + 1
        while j < n and unicodedata.combining(text[j]):
            j += 1
        for ch in unicodedata.normalize("NFC", text[i:j]):
            space = unicodedata.category(ch) == "Zs" or ch in "\u200b\ufeff"
            out.append(" " if space else ch)
            omap.append(i)
        i = j
    omap.append(n)
    return "".join(out), omap


# ---------------------------------------------------------------- digits


def _grouped(tok: str, sep: str) -> bool:
    parts = tok.split(sep)
    head = parts[0]
    return (
        len(parts) > 1
        and 1 <= len(head) <= 3
        and not (head.startswith("0"))
        and all(len(p) == 3 for p in parts[1:])
    )


def _readings(tok: str) -> tuple[Decimal, ...] | None:
    """Possible values of a digit group, the Vietnamese reading first; None if malformed."""
    if not re.fullmatch(_NUM, tok):
        return None
    has_dot, has_comma = "." in tok, "," in tok
    if not has_dot and not has_comma:
        return (Decimal(tok),)
    if has_dot and has_comma:
        last = max(tok.rfind("."), tok.rfind(","))
        dec, grp = tok[last], ("," if tok[last] == "." else ".")
        head, frac = tok[:last], tok[last + 1 :]
        if dec in head or (grp in head and not _grouped(head, grp)):
            return None
        return (Decimal(head.replace(grp, "") + "." + frac),)
    sep = "." if has_dot else ","
    parts = tok.split(sep)
    grouped = _grouped(tok, sep)
    if len(parts) > 2:
        return (Decimal("".join(parts)),) if grouped else None
    as_decimal = Decimal(parts[0] + "." + parts[1])
    if sep == ".":
        return (Decimal(parts[0] + parts[1]),) if grouped else (as_decimal,)
    return (as_decimal, Decimal(parts[0] + parts[1])) if grouped else (as_decimal,)


# ---------------------------------------------------------------- values and targets

_QUALIFIER = r"~|≈|>=|<=|≥|≤|>|<|khoang|gan nhu|gan|xap xi|tren|hon|duoi|chung|uoc tinh|uoc dat|uoc"
_UNIT = rf"(?:\s*(?:{_LETTER}|/)+(?:\s+(?:{_LETTER}|/)+)*)"
_VALUE_RE = re.compile(
    rf"(?:dat\s+)?(?P<q>{_QUALIFIER})?\s*(?P<sign>[-+])?\s*(?P<num>{_NUM})\s*(?P<pct>%)?"
    rf"(?P<unit>\s+{_UNIT})?"
)


def _read_whole(pattern: re.Pattern[str], s: str) -> tuple[str, re.Match[str], tuple[Decimal, ...]] | None:
    """The cleaned text, `pattern`'s match of all of it (folded) and the readings of its "num"."""
    raw = _clean(str(s))
    m = pattern.fullmatch(fold_keep_length(raw))
    r = _readings(m["num"]) if m else None
    return None if m is None or r is None else (raw, m, r)


def parse_number(s: str) -> ParsedNumber | None:
    """Read one written value ("71,2%", "1.429", "~15%", "Trên 3.000 người"); None otherwise."""
    read = _read_whole(_VALUE_RE, s)
    if read is None:
        return None
    raw, m, r = read
    value = float(-r[0] if m["sign"] == "-" else r[0])
    return ParsedNumber(value=value, percent=bool(m["pct"]), approx=bool(m["q"]), raw=raw)


def parse_ratio(s: str) -> Ratio | None:
    """Read a ratio "39/39", "2.784/2.784" (optionally in brackets, with a unit); None otherwise."""
    raw = _clean(str(s))
    m = re.fullmatch(rf"\(?\s*({_NUM})\s*/\s*({_NUM})(?:\s+{_UNIT})?\s*\)?", raw)
    if not m:
        return None
    a, b = _readings(m[1]), _readings(m[2])
    if a is None or b is None:
        return None
    return Ratio(float(a[0]), float(b[0]), raw)


_COMPARATOR_WORDS: dict[str, Comparator] = {
    ">=": ">=", "=>": ">=", "≥": ">=", "⩾": ">=", "<=": "<=", "=<": "<=", "≤": "<=",
    "⩽": "<=", ">": ">", "<": "<", "=": "=",
    "toi thieu": ">=", "it nhat": ">=", "khong duoi": ">=", "khong thap hon": ">=",
    "khong it hon": ">=", "tu": ">=", "tren": ">", "hon": ">", "cao hon": ">",
    "lon hon": ">", "vuot": ">", "duoi": "<", "thap hon": "<", "it hon": "<",
    "nho hon": "<", "khong qua": "<=", "khong vuot qua": "<=", "toi da": "<=",
    "khong cao hon": "<=", "khong lon hon": "<=", "bang": "=",
}  # fmt: skip
_CMP_ALT = "|".join(re.escape(k) for k in sorted(_COMPARATOR_WORDS, key=len, reverse=True))
_TARGET_RE = re.compile(
    rf"(?:(?:phan dau|muc tieu)\s*:?\s*)?(?:dat\s+)?(?P<cmp>{_CMP_ALT})?\s*"
    rf"(?P<num>{_NUM})\s*(?P<pct>%)?(?:\s+(?P<suffix>tro len|tro xuong))?(?:\s+{_UNIT})?"
)


def parse_target(s: str) -> Target | None:
    """Read a target: "≥80%", ">50%", "không quá 5%", bare "100%" (= at least); None otherwise."""
    read = _read_whole(_TARGET_RE, s)
    if read is None:
        return None
    raw, m, r = read
    cmp: Comparator = _COMPARATOR_WORDS[m["cmp"]] if m["cmp"] else ">="
    if m["suffix"]:
        cmp = ">=" if m["suffix"] == "tro len" else "<="
    return Target(comparator=cmp, value=float(r[0]), percent=bool(m["pct"]), raw=raw)


def _as_float(value: ParsedNumber | float) -> float:
    return value.value if isinstance(value, ParsedNumber) else float(value)


def meets(value: ParsedNumber | float, target: Target) -> bool:
    """Whether a value satisfies its target (">50%" with 50 is unmet)."""
    v, t = _as_float(value), target.value
    eps = 1e-9 * max(1.0, abs(t))
    match target.comparator:
        case ">=":
            return v >= t - eps
        case ">":
            return v > t + eps
        case "<=":
            return v <= t + eps
        case "<":
            return v < t - eps
        case _:
            return abs(v - t) <= eps


def gap(value: ParsedNumber | float, target: Target) -> float:
    """Distance from the value to the target boundary, in the target's unit; 0 when met.

    For a strict comparator at its boundary (50 against ">50%") the value is unmet but the
    distance is 0: use `meets` for met/unmet.
    """
    if meets(value, target):
        return 0.0
    return float(round(abs(_as_float(value) - target.value), 10))


# ---------------------------------------------------------------- finding figures

_DOCNO_RE = re.compile(
    r"[0-9]+(?:/[0-9]{4})?(?:/|-\s?)[A-ZĐ][\wĐđ]*(?:[-/][A-ZĐ][\wĐđ]*)*-?"
    r"|[0-9]{3,5}:[0-9]{4}(?![0-9])"
)
_DATE_RE = re.compile(r"([0-9]{1,2})([/.-])([0-9]{1,2})\2([0-9]{4})(?![0-9])")
_MONTH_RE = re.compile(r"([0-9]{1,2})/([0-9]{4})(?![0-9/])")
_DAY_MONTH_RE = re.compile(r"([0-9]{1,2})/([0-9]{1,2})(?![0-9/])")
_RATIO_RE = re.compile(rf"({_NUM})/({_NUM})(?![0-9/])")
_NUMBER_RE = re.compile(rf"({_NUM})(\s?\\?%)?")
_HEADING_RE = re.compile(
    r"^[ \t]*([0-9]{1,2}(?:\.[0-9]{1,2})*[.)](?=\s|$|[^\W\d_])"
    r"|[0-9]{1,2}(?:\.[0-9]{1,2})+(?=\s+[A-ZĐ]))",
    re.MULTILINE,
)
_APPROX_BEFORE_RE = re.compile(
    r"(?:[~≈>≥<≤]|(?<![^\W\d_])(?:khoang|gan nhu|gan|xap xi|tren|hon|duoi|uoc))\s*$"
)
_DIGIT_RE = re.compile(r"[0-9]")
_HEADING_TOKEN_RE = re.compile(r"[0-9.)]+")
_WORD_RE = re.compile(r"\w+")
_NUM_RE = re.compile(_NUM)
_GLUED_RE = re.compile(rf"{_LETTER}+")
# Units that may be glued to a number ("24h", "1Gb/s"); other letters make a code ("5G").
_UNITS = frozenset(
    "h km m m2 ha kg tr đ vnđ VNĐ đồng Mbps Gbps Mb Gb MB GB TB kW kWh MW ph p".split()
)


def _valid_year(y: str) -> bool:
    return y[:2] in ("19", "20")


def _match_at(text: str, pos: int) -> tuple[int, Kind, float | None] | None:
    """The figure starting at `pos`: (end, kind, value)."""
    if m := _DOCNO_RE.match(text, pos):
        return m.end(), "docno", None
    m = _DATE_RE.match(text, pos)
    if m and 1 <= int(m[1]) <= 31 and 1 <= int(m[3]) <= 12 and _valid_year(m[4]):
        return m.end(), "date", None
    m = _MONTH_RE.match(text, pos)
    if m and 1 <= int(m[1]) <= 12 and _valid_year(m[2]):
        return m.end(), "date", None
    m = _DAY_MONTH_RE.match(text, pos)
    if m and 1 <= int(m[1]) <= 31 and 1 <= int(m[2]) <= 12:
        if fold_keep_length(text[max(0, pos - 6) : pos]).rstrip().endswith("ngay"):
            return m.end(), "date", None  # "ngày 20/11"
    if m := _RATIO_RE.match(text, pos):
        ratio = parse_ratio(m[0])
        if ratio is not None:
            return m.end(), "ratio", ratio.value
    m = _NUMBER_RE.match(text, pos)
    r = _readings(m[1]) if m else None
    if m is None or r is None:
        return None
    if m[2]:
        return m.end(), "percent", float(r[0])
    tok = m[1]
    kind: Kind = "year" if len(tok) == 4 and tok.isdigit() and _valid_year(tok) else "number"
    return m.end(1), kind, float(r[0])


def find_numbers(text: str) -> list[NumberSpan]:
    """Every figure written in a text, in order; list/heading numbering ("1.", "2.1.") skipped."""
    norm, omap = _normalise_with_map(text)
    headings = {m.start(1) for m in _HEADING_RE.finditer(norm)}
    spans: list[NumberSpan] = []
    pos = 0
    while (m := _DIGIT_RE.search(norm, pos)) is not None:
        start = m.start()
        if start in headings:
            pos = _HEADING_TOKEN_RE.match(norm, start).end()  # type: ignore[union-attr]
            continue
        if start and (norm[start - 1].isalpha() or norm[start - 1] == "_"):
            pos = _WORD_RE.match(norm, start).end()  # type: ignore[union-attr]
            continue  # part of a code: "NQ57", "A3", "IPv6"
        found = _match_at(norm, start)
        if found is None:  # malformed group such as "3.2.1": a section reference
            pos = _NUM_RE.match(norm, start).end()  # type: ignore[union-attr]
            continue
        end, kind, value = found
        glued = _GLUED_RE.match(norm, end)
        if glued and kind not in ("docno", "percent") and glued[0] not in _UNITS:
            pos = glued.end()
            continue  # "5G", "4G"
        if start and norm[start - 1] == "(" and end < len(norm) and norm[end] == ")":
            if start > 1 and norm[start - 2].isalpha():
                pos = end
                continue  # footnote marker "nhiệm vụ(1)"
        before = fold_keep_length(norm[max(0, start - 12) : start])
        approx = bool(_APPROX_BEFORE_RE.search(before))
        o_start, o_end = omap[start], omap[end]
        spans.append(NumberSpan(o_start, o_end, text[o_start:o_end], kind, value, approx))
        pos = end
    return spans


# ---------------------------------------------------------------- identity of figures


def figure_keys(x: NumberSpan | str) -> frozenset[tuple[object, ...]]:
    """Hashable identities of a written figure; two figures are the same when keys intersect."""
    if isinstance(x, str):
        spans = find_numbers(x)
        if len(spans) != 1:
            if (ratio := parse_ratio(x)) is not None:
                return frozenset({("ratio", ratio.numerator, ratio.denominator)})
            p = parse_number(x)
            return frozenset({("num", p.value, p.percent)}) if p else frozenset()
        x = spans[0]
    raw = _clean(x.raw)
    if x.kind == "docno":
        return frozenset({("docno", re.sub(r"\s", "", raw).upper().lstrip("0"))})
    if x.kind == "date":
        parts = [int(p) for p in re.split(r"[/.-]", raw)]
        if len(parts) == 2:  # "11/2025" (month/year) or "20/11" (day/month)
            parts = [0, *parts] if parts[1] > 31 else [*parts, 0]
        return frozenset({("date", *parts)})
    if x.kind == "ratio":
        a, b = (_readings(p) or () for p in raw.split("/"))
        return frozenset(("ratio", float(u), float(v)) for u in a for v in b)
    tok = re.match(_NUM, raw)
    r = _readings(tok[0]) if tok else None
    return frozenset(("num", float(v), x.kind == "percent") for v in (r or ()))


def same_figure(a: NumberSpan | str, b: NumberSpan | str) -> bool:
    """Whether two written figures denote the same quantity ("71,2%" ~ "71.2 %", "08" ~ "8")."""
    return bool(figure_keys(a) & figure_keys(b))


# ---------------------------------------------------------------- writing


def format_vn(value: float, percent: bool = False, decimals: int | None = None) -> str:
    """Write a number the Vietnamese way: 71.2 -> "71,2", 1429 -> "1.429", percent -> "71,2%"."""
    if decimals is None:
        d = Decimal(repr(round(float(value), 10)))
    else:
        d = Decimal(repr(float(value))).quantize(Decimal(1).scaleb(-decimals), ROUND_HALF_UP)
    text = format(d, "f")
    sign = "-" if text.startswith("-") else ""
    int_part, _, frac = text.lstrip("-").partition(".")
    if decimals is None:
        frac = frac.rstrip("0")
    groups = []
    while len(int_part) > 3:
        groups.insert(0, int_part[-3:])
        int_part = int_part[:-3]
    body = ".".join([int_part, *groups]) + ("," + frac if frac else "")
    if sign and set(body) <= set("0.,"):
        sign = ""
    return sign + body + ("%" if percent else "")
