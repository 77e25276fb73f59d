"""Turn text extracted from Word/PDF back into paragraphs.

Extraction breaks lines mid-sentence, leaves page numbers and footnote markers inside the text
and flattens tables into one cell per line. `to_blocks` re-joins wrapped lines, drops page
numbers and footnote markers and joins flattened table cells back into rows.
"""

from __future__ import annotations

import re

from assistant.text.normalize import nfc

# A Roman numeral as written, or as OCR reads it ("Chương ]", "Chương ÏII", "Phần l").
ROMAN_LIKE = r"[IVXÏÌÍl|\]\[!]{1,6}"
BULLET_RE = re.compile(r"^[-+•*–·▪●]\s*\S")
HEADING_RE = re.compile(
    r"^(?:"
    r"(?:PHẦN|Phần)\s+(?:[A-D]|[IVX]{1,4}|\d{1,2})\b"  # PHẦN A
    r"|[A-D]\.\s+\S"  # B. PHƯƠNG HƯỚNG
    r"|[IVX]{1,5}\.\s*\S"  # II. ...
    r"|\d{1,2}\.(?:\d{1,2}\.){0,3}\d{0,2}\s+\S"  # 1. / 1.1. / 1.1
    r"|[a-zđ]\)\s*\S"  # a) ...
    r"|Điều\s+\d{1,3}[a-z]?\.\s*\S|(?:CHƯƠNG|Chương|MỤC|Mục)\s+(?:" + ROMAN_LIKE + r"|\d{1,2})(?=$|[\s.:])"
    r")"
)
ROW_START_RE = re.compile(r"^\d{1,2}\s+\S")  # "3 Số lượng thành viên ..." (flattened table row)
STANDALONE_NUMBER_RE = re.compile(r"^\d{1,3}$")
# Lines that end a flattened table row: a header ("STT …"), a one-line row, "b. …" sub-headings.
TABLE_BREAK_RE = re.compile(r"^(?:S?TT\b|\d{1,2}\s+[A-ZĐ]|[a-zđ][.)]\s+[A-ZĐ]|\*)")
FOOTNOTE_MARK_RE = re.compile(r"(?<=[^\W\d_])\(\d{1,2}\)|(?<=[^\W\d_][.,;:])\d{1,2}(?=\s|$)")
TERMINAL_RE = re.compile(r"[.:;!?…][”\"')»]*$")
MULTISPACE_RE = re.compile(r"[ \t]+")


def _first_alpha_upper(s: str) -> bool | None:
    for ch in s:
        if ch.isalpha():
            return ch.isupper()
        if ch.isdigit():
            return None
    return None


def is_heading_line(line: str) -> bool:
    return bool(HEADING_RE.match(line))


# Inline math that text written with a formula tool leaves in a report: "$\geq 80\%$" is "≥80%".
_MATH_RE = re.compile(r"\$([^$\n]{0,20}\\[a-z%,;][^$\n]{0,20})\$")  # with a "\\command" inside
_MATH_SYMBOLS = {r"\geq": "≥", r"\ge": "≥", r"\leq": "≤", r"\le": "≤", r"\%": "%", r"\approx": "~",
                 r"\times": "×", r"\sim": "~", r"\,": "", r"\;": ""}
_MATH_SYMBOL_RE = re.compile("|".join(re.escape(k) for k in sorted(_MATH_SYMBOLS, key=len, reverse=True)))


def plain_math(line: str) -> str:
    """Inline formula markup written as the plain symbols it stands for."""
    def plain(m: re.Match[str]) -> str:
        inner = _MATH_SYMBOL_RE.sub(lambda s: _MATH_SYMBOLS[s.group(0)], m.group(1))
        if "\\" in inner or "{" in inner:
            return m.group(0)  # a formula that is more than symbols: left as written
        return re.sub(r"(?<=[≥≤~])\s+", "", inner).strip()
    return _MATH_RE.sub(plain, line) if "$" in line else line


def _clean_line(line: str) -> str:
    line = plain_math(line)
    line = MULTISPACE_RE.sub(" ", line.replace("\t", " ")).strip()
    line = FOOTNOTE_MARK_RE.sub("", line)
    return line


def _typical_width(lines: list[str]) -> int:
    lengths = sorted(len(x) for x in lines if len(x) > 20)
    if not lengths:
        return 80
    return lengths[int(len(lengths) * 0.8)]


class _Paragraph:
    """The block being gathered, kept as parts so each added line costs only its own length.

    Joining strings or re-scanning the whole paragraph for every line made cleaning quadratic in
    the length of a paragraph (a long PDF paragraph without full stops took minutes). Everything
    `to_blocks` asks about the paragraph is kept up to date as lines are added: its length, its
    start (for heading tests), whether its last line ends a sentence, and whether it is all capitals.
    """

    HEAD = 200  # characters of the start kept for heading tests (headings are short)

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.length = 0
        self.head = ""
        self.ended = False  # the text so far ends with sentence punctuation
        self.letters = 0
        self.lower = 0  # letters that are not capitals

    def __bool__(self) -> bool:
        return bool(self.parts)

    def add(self, line: str, sep: str = " ") -> None:
        if self.parts:
            self.parts.append(sep)
            self.length += len(sep)
        self.parts.append(line)
        self.length += len(line)
        if len(self.head) < self.HEAD:
            self.head = (self.head + (sep if self.head else "") + line)[: self.HEAD]
        self.ended = bool(TERMINAL_RE.search(line))
        for ch in line:
            if ch.isalpha():
                self.letters += 1
                self.lower += not ch.isupper()

    @property
    def upper(self) -> bool:
        """Like `_is_upper_line` for the whole paragraph."""
        return self.letters >= 3 and self.lower == 0

    @property
    def heading(self) -> bool:
        return is_heading_line(self.head)

    def text(self) -> str:
        return "".join(self.parts)


def to_blocks(text: str, *, hard_breaks: bool = False) -> list[str]:
    """Paragraph blocks of a document, in order (time linear in the length of the text)."""
    lines = [_clean_line(x) for x in nfc(text).replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    lines = [x for x in lines if x]
    if hard_breaks:
        return lines
    width = _typical_width(lines)
    blocks: list[str] = []
    cur = _Paragraph()
    prev_len = 0
    row = 0  # index of the flattened table row being rebuilt, 0 outside a table
    last_row = 0  # index of the last one-line table row ("1 Tổng số hộ … 9.461")

    def restart(line: str) -> _Paragraph:
        if cur:
            blocks.append(cur.text())
        fresh = _Paragraph()
        fresh.add(line)
        return fresh

    for i, line in enumerate(lines):
        nxt = lines[i + 1] if i + 1 < len(lines) else ""
        if STANDALONE_NUMBER_RE.match(line):
            n = int(line)
            nxt_upper = _first_alpha_upper(nxt)
            if row and n == row + 1 or not row and nxt_upper is True and n in (1, last_row + 1):
                cur = restart(line)  # the index of the next row of a flattened table
                prev_len, row = len(line), n
                continue
            if nxt_upper is False and cur and not cur.ended:
                continue  # a page number in the middle of a sentence
            cur.add(line)  # a cell value
            prev_len = len(line)
            continue
        if row:
            if (is_heading_line(line) or _is_upper_line(line) or cur.length > 500
                    or TABLE_BREAK_RE.match(line)):
                row = 0
            else:
                cur.add(line, " " if _first_alpha_upper(line) is False else " | ")
                prev_len = len(line)
                continue
        m = ROW_START_RE.match(line)
        last_row = int(line.split(" ", 1)[0]) if m and line[:1].isdigit() else last_row
        if not cur:
            cur.add(line)
            prev_len = len(line)
            continue
        if _starts_block(cur, prev_len, line, width):
            cur = restart(line)
        else:
            cur.add(line)
        prev_len = len(line)
    if cur:
        blocks.append(cur.text())
    return blocks


def _is_upper_line(s: str) -> bool:
    letters = [ch for ch in s if ch.isalpha()]
    return len(letters) >= 3 and all(ch.isupper() for ch in letters)


def _starts_block(cur: _Paragraph, prev_len: int, line: str, width: int) -> bool:
    """Whether `line` starts a new block after the paragraph gathered so far."""
    if _is_upper_line(line) and cur.upper and cur.length < 160:
        return False  # a heading in capitals wrapped over two lines
    if BULLET_RE.match(line) or is_heading_line(line) or line.startswith("(") and line[1:2].isdigit():
        return True
    upper = _first_alpha_upper(line)
    if ROW_START_RE.match(line) and not line.startswith("0") and _first_alpha_upper(line.split(" ", 1)[1]):
        return True  # a flattened table row ("3 Số lượng …"); "09 CBCC gồm" is a count wrapped onto the line
    short_prev = prev_len < 0.7 * width
    if upper is True and (cur.ended or short_prev):
        return True
    if (cur.heading or cur.upper) and cur.length < 120 and upper is not False:
        return True
    return False
