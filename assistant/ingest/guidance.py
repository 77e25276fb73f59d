"""Guiding documents (nghị quyết, kế hoạch, quyết định, chỉ thị …): recognised, described, chunked.

A document is guidance when its heading names the kind of text (KẾ HOẠCH, NGHỊ QUYẾT, QUYẾT
ĐỊNH, CHỈ THỊ, THÔNG TƯ …, or "V/v" for a công văn) and gives its số/ký hiệu ("Số: 02-KH/BCĐTW").
The issuing body, the number and the date come from the same heading. Its chunks follow the
legal structure: Phần/Chương/Mục/Điều/Khoản/điểm, or I./1./1.1./a) inside a plan, so each
chunk's heading path reads "Kế hoạch 27/KH-UBND > II. MỤC TIÊU > 3. Mục tiêu đến năm 2030 > a)".
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.ingest.chunking import ChunkDraft, _short, _split_long
from assistant.ingest.cleaning import ROMAN_LIKE
from assistant.text.normalize import fold, nfc

DOC_TYPES = ("NGHỊ QUYẾT", "KẾ HOẠCH", "QUYẾT ĐỊNH", "CHỈ THỊ", "CÔNG VĂN", "THÔNG TƯ", "NGHỊ ĐỊNH",
             "CHƯƠNG TRÌNH", "ĐỀ ÁN", "HƯỚNG DẪN", "KẾT LUẬN", "LUẬT", "CHIẾN LƯỢC")
# A document number: digits, then a code with at least one capital ("02-KH/BCĐTW", "411/QĐ-TTg").
_NUMBER_RE = re.compile(r"^Số\s*[:.]?\s*(\d{1,5}[A-Za-zĐđ0-9/.\-]*[A-ZĐ][A-Za-zĐđ0-9/.\-]*)")
_TYPE_RE = re.compile(r"^(" + "|".join(DOC_TYPES) + r")(?=$|[\s:,])")
_VV_RE = re.compile(r"^V/v\s+\S", re.IGNORECASE)
_DATE_RE = re.compile(r"ngày\s+(\d{1,2})\s+tháng\s+(\d{1,2})\s+năm\s+(\d{4})")
_DATE_NUM_RE = re.compile(r",\s*ngày\s+(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})")
_BOILERPLATE = ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "CỘNG HOÀ XÃ HỘI CHỦ NGHĨA VIỆT NAM",
                "ĐẢNG CỘNG SẢN VIỆT NAM")
_CODE_TYPES = {"NQ": "Nghị quyết", "KH": "Kế hoạch", "QĐ": "Quyết định", "CT": "Chỉ thị",
               "TT": "Thông tư", "NĐ": "Nghị định", "CTr": "Chương trình", "HD": "Hướng dẫn",
               "KL": "Kết luận"}
_HEAD_BLOCKS = 25  # the heading of an official text sits in its first blocks


@dataclass
class GuidanceInfo:
    """What a guiding document's heading says about it."""

    doc_type: str  # "Kế hoạch"
    number: str  # "27/KH-UBND"
    issuer: str = ""  # "ỦY BAN NHÂN DÂN TỈNH BẮC LÂM"
    issued: str = ""  # ISO date, "2025-03-14"
    subject: str = ""  # "Chuyển đổi số cấp xã …"

    @property
    def label(self) -> str:
        """The root of every heading path: "Kế hoạch 27/KH-UBND"."""
        return f"{self.doc_type} {self.number}".strip()

    @property
    def title(self) -> str:
        return f"{self.label}: {self.subject}" if self.subject else self.label

    def metadata(self) -> dict[str, str]:
        return {"doc_type": self.doc_type, "number": self.number, "issuer": self.issuer,
                "issued": self.issued, "title": self.title}


def _is_caps(s: str) -> bool:
    letters = [ch for ch in s if ch.isalpha()]
    return len(letters) >= 3 and all(ch.isupper() for ch in letters)


def detect_guidance(blocks: list[str]) -> GuidanceInfo | None:
    """The guiding document's description, or None when the heading is not one (a report, a letter)."""
    head = blocks[:_HEAD_BLOCKS]
    number_at = next((i for i, b in enumerate(head) if _NUMBER_RE.match(b)), None)
    if number_at is None:
        return None
    number = _NUMBER_RE.match(head[number_at]).group(1).rstrip(".-/")
    code = fold(number)
    if re.search(r"(?:^|[/-])bc(?:[/-]|$)", code) or any(b.startswith("BÁO CÁO") for b in head[:12]):
        return None  # a report (BC) is not guidance
    doc_type, type_at = "", None
    for i, b in enumerate(head):
        m = _TYPE_RE.match(b)
        if m and _is_caps(m.group(1)) and (len(b) < 60 or _is_caps(b)):
            doc_type, type_at = m.group(1).capitalize(), i
            break
    if not doc_type:
        if any(_VV_RE.match(b) for b in head):
            doc_type, type_at = "Công văn", next(i for i, b in enumerate(head) if _VV_RE.match(b))
        else:
            return None
    return GuidanceInfo(doc_type=doc_type, number=number, issuer=_issuer(head[:number_at]),
                        issued=_date(head), subject=_subject(head, type_at, doc_type))


def type_from_number(number: str) -> str:
    """The kind of text its ký hiệu names ("57-NQ/TW" → "Nghị quyết"), "" when unknown."""
    for part in re.split(r"[/-]", number):
        if part in _CODE_TYPES:
            return _CODE_TYPES[part]
    return ""


def _issuer(blocks: list[str]) -> str:
    parts = []
    for b in blocks:
        for noise in _BOILERPLATE:
            b = b.replace(noise, " ")
        b = " ".join(b.replace("*", " ").split())
        if b and _is_caps(b):
            parts.append(b)
    return " ".join(parts)[:200]


def _date(blocks: list[str]) -> str:
    for b in blocks:
        m = _DATE_RE.search(b) or _DATE_NUM_RE.search(b)
        if m:
            d, mo, y = (int(x) for x in m.groups())
            if 1 <= d <= 31 and 1 <= mo <= 12:
                return f"{y:04d}-{mo:02d}-{d:02d}"
    return ""


def _subject(blocks: list[str], type_at: int | None, doc_type: str) -> str:
    if type_at is None:
        return ""
    b = blocks[type_at]
    rest = b[len(doc_type):].strip(" :") if doc_type != "Công văn" else b[3:].strip()
    nxt = type_at + 1
    if not rest and nxt < len(blocks):
        rest, nxt = blocks[nxt], nxt + 1
    if rest.startswith(("CỦA ", "Của ")) and nxt < len(blocks) and blocks[nxt][:3] in ("về ", "Về "):
        rest = f"{rest} {blocks[nxt]}"  # "NGHỊ QUYẾT" / "CỦA BỘ CHÍNH TRỊ" / "về …"
    if rest.startswith(("Căn cứ", "Số")):
        return ""
    rest = re.split(r"\s(?=Căn cứ|Thực hiện|Theo đề nghị|Xét đề nghị)", rest)[0]  # a preamble joined on
    caps_run = re.search(r"(?:\s[A-ZĐÀ-Ỹ]{2,}){3,}", rest)  # a capitals line the cleaner joined on
    if caps_run and caps_run.start() > 20:
        rest = rest[: caps_run.start()]
    return " ".join(rest.split())[:200]


# --- structure ---------------------------------------------------------------------------
_LEVELS: list[tuple[str, int, re.Pattern[str]]] = [
    ("part", 0, re.compile(r"^(?:PHẦN|Phần)\s+(?:THỨ\s+\S+|thứ\s+\S+|" + ROMAN_LIKE + r"|\d{1,2}|[A-D])(?=$|[\s.:])")),
    ("annex", 0, re.compile(r"^(?:QUY ĐỊNH|QUY CHẾ|PHỤ LỤC|ĐIỀU LỆ)(?:\s+[IVX\d]{1,4})?\s*$")),
    ("chapter", 1, re.compile(r"^(?:CHƯƠNG|Chương)\s+(?:" + ROMAN_LIKE + r"|\d{1,2})(?=$|[\s.:])")),
    ("section", 2, re.compile(r"^(?:MỤC|Mục)\s+\d{1,2}\b")),
    ("article", 3, re.compile(r"^Điều\s+\d{1,3}[a-z]?\s*[.:]")),
    ("roman", 3, re.compile(r"^[IVX]{1,5}\.\s*\S")),
    ("n1", 4, re.compile(r"^\d{1,2}\.\s+\S")),
    ("n2", 5, re.compile(r"^\d{1,2}\.\d{1,2}\.?\s+\S")),
    ("n3", 6, re.compile(r"^\d{1,2}\.\d{1,2}\.\d{1,2}\.?\s+\S")),
    ("letter", 7, re.compile(r"^[a-zđ]\)\s*\S")),
]
_TITLED = ("part", "annex", "chapter")  # a title line of capitals usually follows these


def _level(block: str) -> tuple[str, int] | None:
    if len(block) > 1200:
        return None
    for name, rank, rx in reversed(_LEVELS[6:]):  # n3 before n2 before n1
        if rx.match(block):
            return name, rank
    for name, rank, rx in _LEVELS[:6]:
        if rx.match(block):
            return name, rank
    return None


_OCR_ROMAN = str.maketrans({"Ï": "I", "Ì": "I", "Í": "I", "l": "I", "|": "I", "]": "I", "[": "I", "!": "I"})
_ROMAN = {"I": 1, "V": 5, "X": 10}


def roman_value(numeral: str) -> int:
    """"XIV" → 14 (0 for anything else)."""
    if not re.fullmatch(r"[IVX]{1,6}", numeral):
        return 0
    values = [_ROMAN[c] for c in numeral]
    return sum(-v if i + 1 < len(values) and v < values[i + 1] else v for i, v in enumerate(values))


def roman(n: int) -> str:
    out = ""
    for value, letters in ((10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")):
        while n >= value:
            out, n = out + letters, n - value
    return out


def _numbered_as_read(block: str, previous: int) -> tuple[str, int]:
    """A Phần/Chương heading with its Roman numeral as meant, and the number.

    OCR reads "Chương I" as "Chương ]" and "Chương II" as "Chương ÏII". A numeral holding such a
    character is taken as the one after `previous` (chapters and parts count up one by one);
    a clean numeral is kept as written.
    """
    head, _, rest = block.partition(" ")
    numeral, sep, tail = rest.partition(" ")
    bare = numeral.rstrip(".:")
    if bare.isdigit():
        return block, int(bare)
    if re.fullmatch(r"[IVX]{1,6}", bare):
        return block, roman_value(bare)
    fixed = roman(previous + 1) if previous >= 0 else bare.translate(_OCR_ROMAN)
    return f"{head} {fixed}{numeral[len(bare):]}{sep}{tail}", roman_value(fixed)


def _is_heading_text(block: str) -> bool:
    """A short heading ("2. Mục tiêu đến năm 2026") rather than a numbered sentence or clause."""
    body = block.rstrip()
    return len(body) <= 110 and not body.endswith((".", ";", ",")) and body.count(" ") <= 16


def _label(kind: str, block: str, in_article: bool) -> str:
    """How an element is named in the heading path."""
    if kind in ("letter",):
        return f"điểm {block[0]}" if in_article else block.split(")", 1)[0] + ")"
    if kind == "n1" and in_article:
        return f"Khoản {block.split('.', 1)[0]}"
    if kind == "article":
        head = re.match(r"^(Điều\s+\d{1,3}[a-z]?)\s*[.:]\s*(.*)$", block)
        title = head.group(2) if head else ""
        return head.group(1) + (f". {title.rstrip('.')}" if title and _is_heading_text(title) else "")
    if _is_heading_text(block):
        return block.rstrip(" :")
    marker = re.match(r"^(\S+)", block).group(1)  # "1." / "2.1." of a long item
    return marker


_TARGET_PATH_RE = re.compile(r"muc tieu|chi tieu|chi so")
_TARGET_TEXT_RE = re.compile(r"(?:phải đạt|tối thiểu|tối đa|ít nhất|\bđạt)[^.;]{0,60}\d")  # accents: đạt ≠ đặt


def _kind_of(path: list[str], text: str) -> str:
    """Section kind of a guidance chunk: a target (`chi_tieu`) when its heading or a figure it
    must reach says so, else `other`."""
    return "chi_tieu" if (_TARGET_PATH_RE.search(fold(" ".join(path[-2:])))
                          or _TARGET_TEXT_RE.search(nfc(text).lower())) else "other"


def _context_line(line: str) -> bool:
    """A parent's line worth repeating above its items: a short heading or a clause ending in ':'."""
    return _is_heading_text(line) or line.rstrip().endswith(":")


def chunk_guidance(blocks: list[str], root: str, *, max_chars: int = 900) -> list[ChunkDraft]:
    """Chunks that each hold one structural element (and its plain paragraphs), never more.

    A heading with nothing of its own before its first item gives no chunk; its items repeat
    its line above theirs ("3. Mục tiêu đến năm 2030" above "a) …"), so each target reads whole.
    """
    stack: list[tuple[str, int, str, str]] = []  # (kind, rank, label in the path, its own line)
    chunks: list[ChunkDraft] = []
    lines: list[str] = []
    own = 0  # lines of the current element itself (after the repeated parent line, if any)
    counted = {"part": 0, "chapter": 0}  # the last Phần and Chương numbers, to read OCR'd numerals
    i = 0

    def path() -> list[str]:
        return [root, *(_short(label) for _, _, label, _ in stack)]

    def flush(next_rank: int | None = None) -> None:
        nonlocal lines, own
        bare_heading = own == 1 and stack and next_rank is not None and next_rank > stack[-1][1]
        if lines and not bare_heading:
            p = path()
            text = "\n".join(lines)
            chunks.append(ChunkDraft(text, " > ".join(p), _kind_of(p, text)))
        lines, own = [], 0

    while i < len(blocks):
        block = blocks[i]
        level = _level(block)
        if level is None:
            for piece in _split_long(block, max_chars):
                if lines and sum(len(x) + 1 for x in lines) + len(piece) > max_chars:
                    flush()
                lines.append(piece)
                own += 1
            i += 1
            continue
        kind, rank = level
        if kind in ("part", "chapter") and not block.startswith(("PHẦN THỨ", "Phần thứ")):
            block, counted[kind] = _numbered_as_read(block, counted[kind])
            if kind == "part":
                counted["chapter"] = 0  # chapters count again inside each part
        elif kind == "annex":
            counted.update(part=0, chapter=0)
        if kind in _TITLED and i + 1 < len(blocks) and _is_caps(blocks[i + 1]) and _level(blocks[i + 1]) is None:
            block = f"{block}. {blocks[i + 1]}" if not block.endswith(".") else f"{block} {blocks[i + 1]}"
            i += 1
        elif kind == "annex" and i + 1 < len(blocks) and _level(blocks[i + 1]) is None \
                and len(blocks[i + 1]) < 160:
            block = f"{block} {blocks[i + 1]}"  # "QUY ĐỊNH" + "Về bộ chỉ số …"
            i += 1
        flush(rank)
        while stack and stack[-1][1] >= rank:
            stack.pop()
        in_article = any(k == "article" for k, _, _, _ in stack)
        parent = stack[-1][3] if stack else ""
        stack.append((kind, rank, _label(kind, block, in_article), block))
        lines = [parent, block] if parent and kind in ("letter", "n1", "n2", "n3") and _context_line(parent) \
            else [block]
        own = 1
        i += 1
    flush()
    return [c for c in chunks if c.text.strip()]
