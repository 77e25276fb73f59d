"""Structure-aware chunks: heading path and section kind for every passage of a report."""

from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.ingest.cleaning import _is_upper_line
from assistant.text.normalize import fold

_MARKERS: list[tuple[str, re.Pattern[str]]] = [
    ("part", re.compile(r"^(?:PHẦN|Phần)\s+(?:[A-D]|[IVX]{1,4}|\d{1,2})\b|^[A-D]\.\s+\S")),
    ("roman", re.compile(r"^[IVX]{1,5}\.\s*\S")),
    ("n3", re.compile(r"^\d{1,2}\.\d{1,2}\.\d{1,2}\.?\s+\S")),
    ("n2", re.compile(r"^\d{1,2}\.\d{1,2}\.?\s+\S")),
    ("n1", re.compile(r"^\d{1,2}\.\s+\S")),
    ("letter", re.compile(r"^[a-zđ]\)\s*\S|^[a-dđ]\.\s+[A-ZĐ]")),
    ("star", re.compile(r"^\*\s*\S")),
]
_RANK = {"part": 0, "caps": 0, "roman": 1, "n1": 2, "n2": 3, "n3": 4, "letter": 5, "star": 6,
         "label": 6, "inline": 7}
_LABEL_RE = re.compile(
    r"^(?:[-+*]\s*)?(kết quả đạt được|kết quả thực hiện|tồn tại,? hạn chế|hạn chế,? tồn tại|"
    r"một số tồn tại,? hạn chế|khó khăn,? vướng mắc|khó khăn,? tồn tại,? hạn chế|nguyên nhân|"
    r"phương hướng[^:]{0,60}|đề xuất,? kiến nghị|kiến nghị,? đề xuất|đề xuất giải pháp|phụ lục)\s*[:.]?",
    re.IGNORECASE,
)

# Section kinds, tested on a heading's folded text; the first kind that matches wins.
_KIND_RULES: list[tuple[str, re.Pattern[str]]] = [
    ("ton_tai", re.compile(r"ton tai|han che|kho khan|vuong mac|bat cap|nguyen nhan|hạn chế")),
    ("phuong_huong", re.compile(
        r"phuong huong|nhiem vu trong tam|thoi gian toi|dinh huong|muc tieu chung nam 20|"
        r"(?:nhiem vu|chi tieu|muc tieu)[^>]{0,40}nam 20(?:2[6-9]|3\d)|nam 20(?:2[6-9]|3\d)"
    )),
    ("de_xuat", re.compile(r"de xuat|kien nghi|giai phap(?! da)")),
    ("chi_tieu", re.compile(r"chi tieu|muc tieu cu the|muc tieu co ban|phu luc|danh muc ket qua")),
    ("ket_qua", re.compile(r"ket qua|tinh hinh thuc hien|da trien khai|danh gia")),
]


@dataclass
class ChunkDraft:
    text: str
    section: str
    section_kind: str


# A heading with a note on what the section should say: "7. Chính quyền số (Đánh giá các nội dung về
# cung cấp DVC trực tuyến; phát triển các nền tảng …)" — long, but a heading all the same.
_NOTED_HEADING_RE = re.compile(r"^(?P<head>[^()]{3,80}?)\s*\([^()]{10,400}\)\s*:?\s*$")


def heading_type(block: str) -> str | None:
    """The heading marker type of a block, or None when it is body text."""
    if len(block) > 160:
        noted = _NOTED_HEADING_RE.match(block)
        if noted is None:
            return None
        block = noted.group("head")  # the marker is read on the heading, without its note
    for name, rx in _MARKERS:
        if rx.match(block):
            if name in ("n1", "letter") and block.rstrip().endswith(";"):
                return None
            return name
    if _LABEL_RE.match(block) and len(block) < 100 and not block.startswith(("-", "+")):
        return "label"
    if _is_upper_line(block) and 12 <= len(block) <= 150:
        return "caps"
    return None


def section_kind(path: list[str]) -> str:
    """Kind of a section from its heading path, innermost heading first."""
    for heading in reversed(path):
        f = fold(heading)
        for kind, rx in _KIND_RULES:
            if rx.search(f):
                return kind
    return "other"


def _short(h: str, n: int = 90) -> str:
    h = h.rstrip(" :")
    return h if len(h) <= n else h[: n - 1].rstrip() + "…"


def _split_long(text: str, limit: int) -> list[str]:
    """Split a long block at sentence ends (or spaces) into pieces under `limit` (linear time)."""
    if len(text) <= limit:
        return [text]
    out: list[str] = []
    cur = ""
    for p in re.split(r"(?<=[.;!?])\s+", text):
        start = 0
        while len(p) - start > limit:
            cut = p.rfind(" ", start, start + limit)
            cut = cut if cut > start + limit // 2 else start + limit
            if cur:
                out.append(cur)
                cur = ""
            out.append(p[start:cut])
            start = cut
            while start < len(p) and p[start] == " ":
                start += 1
        p = p[start:]
        if cur and len(cur) + 1 + len(p) > limit:
            out.append(cur)
            cur = p
        else:
            cur = f"{cur} {p}".strip()
    if cur:
        out.append(cur)
    return out


# A sub-heading written inside a line: "… kỹ năng số. b. Tồn tại, hạn chế: - Một số …",
# "2. Hạ tầng số a. Kết quả đạt được:" (Word exports often lose the line break before it).
_INLINE_LABEL_RE = re.compile(
    r"(?<=[\w.;:)”\"])\s+(?=[a-dđ][.)]\s+(?:Kết quả|Tồn tại|Hạn chế|Đề xuất|Khó khăn|Nguyên nhân|"
    r"Giải pháp|Phương hướng|Nhiệm vụ|Bài học)\b)")


_HEADING_WITH_BODY_RE = re.compile(r":\s*\S.{0,60}$")


def split_inline_headings(blocks: list[str]) -> list[str]:
    """Blocks with sub-headings that were run into the text before them put on their own line."""
    out: list[str] = []
    for block in blocks:
        parts = _INLINE_LABEL_RE.split(block) if len(block) > 12 else [block]
        for part in parts:
            head = re.match(r"^([a-dđ][.)]\s+[^:]{3,80}:)\s*(\S.*)$", part, re.DOTALL)
            if head and part is not parts[0]:
                out += [head.group(1), head.group(2)]
            else:
                out.append(part)
    return [b for b in out if b.strip()]


def chunk_blocks(blocks: list[str], *, max_chars: int = 900) -> list[ChunkDraft]:
    """Group paragraph blocks into chunks that never cross a heading."""
    blocks = split_inline_headings(blocks)
    stack: list[tuple[str, str]] = []
    chunks: list[ChunkDraft] = []
    lines: list[str] = []
    has_body = False

    def path() -> list[str]:
        return [h for _, h in stack]

    def flush() -> None:
        nonlocal lines, has_body
        if lines:
            p = path()
            chunks.append(ChunkDraft("\n".join(lines), " > ".join(_short(h) for h in p), section_kind(p)))
        lines, has_body = [], False

    def push(kind: str, text: str) -> None:
        types = [t for t, _ in stack]
        if kind in ("part", "caps"):
            stack.clear()
        elif kind in types:
            del stack[types.index(kind):]
        else:
            while stack and _RANK[stack[-1][0]] >= _RANK[kind]:
                stack.pop()
        stack.append((kind, text))

    for block in blocks:
        kind = heading_type(block)
        if kind is not None:
            if has_body:
                flush()
            push(kind, block)
            lines.append(block)
            has_body = bool(_HEADING_WITH_BODY_RE.search(block))  # "VI. ĐỀ XUẤT, KIẾN NGHỊ: Không."
            continue
        label = _LABEL_RE.match(block)
        if label and block[label.end():].strip() and len(label.group(1)) < 40:
            if has_body:
                flush()
            push("inline", label.group(1).capitalize())
        for piece in _split_long(block, max_chars):
            if has_body and sum(len(x) + 1 for x in lines) + len(piece) > max_chars:
                flush()
            lines.append(piece)
            has_body = True
    flush()
    return chunks
