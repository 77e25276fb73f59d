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


def _clean_line(line: str) -> str:
    line = MULTISPACE_RE.sub(" ", line.replace("\t", " ")).strip()
    line = FOOTNOTE_MARK_RE.sub("", line)
    return line


def _typical_width(lines: list[str]) -> int:
    lengths = sorted(len(x) for x in lines if len(x) > 20)
    if not lengths:
        return 80
    return lengths[int(len(lengths) * 0.8)]


def to_blocks(text: str, *, hard_breaks: bool = False) -> list[str]:
    """Paragraph blocks of a document, in order."""
    lines = [_clean_line(x) for x in nfc(text).replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    lines = [x for x in lines if x]
    if hard_breaks:
        return lines
    width = _typical_width(lines)
    blocks: list[str] = []
    cur = ""
    prev_len = 0
    row = 0  # index of the flattened table row being rebuilt, 0 outside a table
    last_row = 0  # index of the last one-line table row ("1 Tổng số hộ … 9.461")

    def flush() -> None:
        nonlocal cur
        if cur:
            blocks.append(cur)
        cur = ""

    for i, line in enumerate(lines):
        nxt = lines[i + 1] if i + 1 < len(lines) else ""
        if STANDALONE_NUMBER_RE.match(line):
            n = int(line)
            nxt_upper = _first_alpha_upper(nxt)
            if row and n == row + 1 or not row and nxt_upper is True and n in (1, last_row + 1):
                flush()  # the index of the next row of a flattened table
                cur, prev_len, row = line, len(line), n
                continue
            if nxt_upper is False and cur and not TERMINAL_RE.search(cur):
                continue  # a page number in the middle of a sentence
            cur = f"{cur} {line}" if cur else line  # a cell value
            prev_len = len(line)
            continue
        if row:
            if (is_heading_line(line) or _is_upper_line(line) or len(cur) > 500
                    or TABLE_BREAK_RE.match(line)):
                row = 0
            else:
                sep = " " if _first_alpha_upper(line) is False else " | "
                cur = f"{cur}{sep}{line}"
                prev_len = len(line)
                continue
        m = ROW_START_RE.match(line)
        last_row = int(line.split(" ", 1)[0]) if m and line[:1].isdigit() else last_row
        if not cur:
            cur, prev_len = line, len(line)
            continue
        if _starts_block(cur, prev_len, line, width):
            flush()
            cur = line
        else:
            cur = f"{cur} {line}"
        prev_len = len(line)
    flush()
    return blocks


def _is_upper_line(s: str) -> bool:
    letters = [ch for ch in s if ch.isalpha()]
    return len(letters) >= 3 and all(ch.isupper() for ch in letters)


def _starts_block(cur: str, prev_len: int, line: str, width: int) -> bool:
    """Whether `line` starts a new block after the text gathered so far."""
    if _is_upper_line(line) and _is_upper_line(cur) and len(cur) < 160:
        return False  # a heading in capitals wrapped over two lines
    if BULLET_RE.match(line) or is_heading_line(line) or line.startswith("(") and line[1:2].isdigit():
        return True
    upper = _first_alpha_upper(line)
    if ROW_START_RE.match(line) and _first_alpha_upper(line.split(" ", 1)[1]):
        return True
    ended = bool(TERMINAL_RE.search(cur))
    short_prev = prev_len < 0.7 * width
    if upper is True and (ended or short_prev):
        return True
    if (is_heading_line(cur) or _is_upper_line(cur)) and len(cur) < 120 and upper is not False:
        return True
    return False
