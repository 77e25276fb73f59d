"""Target answers: what a guiding document requires, from the indicator catalog and from the
official texts a user ingested (with their Phần/Điều/Khoản path). When an ingested text states a
target that differs from the catalog entry, both are shown with a warning."""

from __future__ import annotations

import re

from assistant.qa.answers.common import CitationBook, Context, not_found, ocr_warnings, quote
from assistant.qa.evidence import is_heading_like, without
from assistant.qa.question import Question
from assistant.records import Answer, Chunk, SearchResult
from assistant.text.normalize import content_terms, fold
from assistant.text.vn_numbers import figure_keys, find_numbers

CATALOG_DOC_ID = "chi_tieu_catalog"
MIN_COVERAGE = 0.5
MIN_OFFICIAL = 0.4  # a sentence of an ingested official text, with its Điều/Khoản heading
# Words that name a guiding document or ask for a target, not what the target is about.
_FRAME = frozenset(content_terms(
    "theo nghị quyết kế hoạch quyết định đề án chiến lược quốc gia thủ tướng chỉ tiêu mục tiêu yêu cầu "
    "phải đạt cần đạt đến năm giai đoạn tỷ lệ đặt ra bao nhiêu phần trăm bộ chính trị ban chỉ đạo trung "
    "ương tw bcđtw nq kh qđ ttg kéo dài kết thúc hoàn thành xong trước ngày nào khi thời hạn hạn chót mốc"))
_DOC_NAMES = [
    (re.compile(r"\b(?:nq|nghi quyet)\s*(?:so\s*)?57\b"), "57-NQ/TW"),
    (re.compile(r"\b(?:kh|ke hoach)\s*(?:so\s*)?0?2\b"), "02-KH/BCĐTW"),
    (re.compile(r"\b(?:qd|quyet dinh)?\s*(?:so\s*)?411\b|chien luoc"), "411/QĐ-TTg"),
    (re.compile(r"\b126\b"), "126/QĐ-BCĐCP"),
    (re.compile(r"\b1565\b"), "1565/QĐ-TTg"),
    (re.compile(r"\bde an\s*(?:so\s*)?0?6\b"), "Đề án 06"),
]


def catalog_summary(passage: str, question: str, years: tuple[int, ...] = ()) -> str | None:
    """The catalog passage cut to what was asked: the indicator, its targets (those of the document
    and years the question names, if any) and the low-confidence note; None when no target fits."""
    fq = fold(question)
    wanted = [name for rx, name in _DOC_NAMES if rx.search(fq)]
    lines = passage.split("\n")
    targets = [x for x in lines if x.startswith("- ")]
    keep = [x for x in targets if any(w in x for w in wanted)] if wanted else targets
    keep = keep or targets
    if years and targets:  # the deadline is written before the "(cấp …, nguồn …)" part
        keep = [x for x in keep if any(str(y) in x.split("(")[0] for y in years)]
        if not keep:
            return None
    out = [x for x in lines if not x.startswith(("- ", "Cách gọi khác", "Nơi xem"))]
    head, rest = out[:2], out[2:]
    body = head + keep + rest
    if any("độ tin cậy: thấp" in x for x in keep):
        return "\n".join(body)
    return "\n".join(x for x in body if not x.startswith("Lưu ý"))


def _value_keys(text: str) -> set:
    """The figures of a text that are values (not years, not dates)."""
    return {k for s in find_numbers(text) if not re.fullmatch(r"(?:19|20)\d\d|\d{1,2}/\d{1,2}(?:/\d{4})?", s.raw.strip())
            for k in figure_keys(s)}


def _topic(q: Question) -> frozenset[str]:
    return without(q.terms, _FRAME) or q.terms


# A guiding document named by its number in a question: "Quyết định 512", "QĐ số 27", "27/KH-UBND".
_NAMED_NUMBER = re.compile(
    r"\b(?:nghi quyet|nq|ke hoach|kh|quyet dinh|qd|chi thi|ct|cong van|cv|thong tu|tt|huong dan|hd|de an)"
    r"\s*(?:so\s*)?(\d{1,5})\b|\b(\d{1,5})\s*[-/]\s*[a-z]")


def _named_numbers(question: str) -> set[str]:
    return {a or b for a, b in _NAMED_NUMBER.findall(fold(question))}


def _numbered(c: Chunk, numbers: set[str]) -> bool:
    """Whether a passage comes from a guiding document with one of these numbers (its path's root,
    "Quyết định 512/QĐ-UBND", names it)."""
    root = c.section.split(" > ")[0] if c.section else ""
    return any(re.search(rf"(?<!\d){n}[-/]", root) for n in numbers)


def _official(q: Question, ctx: Context, topic: frozenset[str]) -> tuple[SearchResult, str] | None:
    """The best unit of an ingested guiding text (not the catalog) that states the target, with
    the lead-in it completes ("… toàn trình phải đạt: b) Năm 2026: tối thiểu 60%")."""
    hits = [r for r in ctx.evidence.search(q.query, k=30, kinds=("guidance",)) if r.chunk.doc_id != CATALOG_DOC_ID]
    numbers = _named_numbers(q.text)
    if numbers:  # the question names the document: its passages only, when it is in the library
        hits = [r for r in hits if _numbered(r.chunk, numbers)] or hits
    units = ctx.evidence.units(hits[:6])
    ctx.evidence.score(topic, units, q.phrases)  # scored with their lead-ins before any is set aside
    before = {(u.chunk.chunk_id, u.order): u.text for u in units}
    units = [u for u in units if not is_heading_like(u.text)]
    if q.years:  # the target of the year asked
        units = [u for u in units if any(str(y) in u.text or str(y) in u.chunk.section for y in q.years)]
    units.sort(key=lambda u: -u.score)
    if not units or units[0].coverage < MIN_OFFICIAL:
        return None
    best = units[0]
    lead = before.get((best.chunk.chunk_id, best.order - 1), "")
    text = f"{lead} {best.text}" if lead.rstrip().endswith(":") else best.text
    return best.result, text


_LEGAL_UNITS = ("Điều ", "Khoản ", "điểm ")


def legal_place(section: str) -> str:
    """Where a passage sits in a guiding text, as a reader cites it: "Điều 3. Chỉ số dịch vụ công
    trực tuyến, khoản 1, điểm b"; a plan without articles by its last headings ("II. MỤC TIÊU >
    3. Mục tiêu đến năm 2030 > a)"). The document itself (the path's first part) is not repeated."""
    parts = section.split(" > ")[1:]
    at = next((i for i, p in enumerate(parts) if p.startswith("Điều ")), None)
    if at is None:
        return " > ".join(parts[-3:])
    tail = [p[0].lower() + p[1:] if p.startswith(_LEGAL_UNITS[1:]) else p for p in parts[at + 1:]]
    return ", ".join([parts[at], *tail])


def _doc_name(c: Chunk) -> str:
    """A guiding document by its type and number ("Quyết định 512/QĐ-UBND"), else its title."""
    root = c.section.split(" > ")[0] if c.section else ""
    return root if root and root in (c.title or "") else (c.title or c.source)


def answer_target(q: Question, ctx: Context) -> Answer:
    topic = _topic(q)
    hits = ctx.evidence.search(q.query, k=max(ctx.k, 5), kinds=("guidance",))
    catalog = [h for h in hits if h.chunk.doc_id == CATALOG_DOC_ID]
    book = CitationBook()
    parts: list[str] = []
    warnings: list[str] = []
    summary_keys: set = set()
    best = None
    for h in catalog[:3]:
        cov = ctx.evidence.coverage(topic, (h.chunk.section, h.chunk.text), q.phrases)
        if cov >= MIN_COVERAGE:
            best = h
            break
    no_year = False  # the catalog has the indicator but no target for the year asked
    if best is not None:
        summary = catalog_summary(best.chunk.text, q.text, q.years)
        if summary is None:
            no_year = True
        else:
            parts.append(f"{summary} [{book.cite(best.chunk)}]")
            summary_keys = _value_keys(summary)
    official = _official(q, ctx, topic)  # an ingested official text may state what the catalog does not
    if official is not None:
        res, text = official
        c = res.chunk
        parts.append(f"Văn bản {_doc_name(c)}, {legal_place(c.section) or 'phần đầu'}: «{quote(text, q.text)}» "
                     f"[{book.cite(c)}]")
        stated = _value_keys(text)
        if summary_keys and stated and not stated & summary_keys:
            warnings.append("Văn bản đã nạp ghi mục tiêu khác với danh mục chỉ tiêu; hãy đối chiếu văn bản gốc "
                            "trước khi dùng.")
    if not parts and no_year:
        want = ", ".join(str(y) for y in q.years)
        return not_found(q, ctx, hits, f"Danh mục chỉ tiêu và các văn bản đã nạp không ghi mục tiêu năm "
                                       f"{want} cho nội dung này.")
    if not parts:
        return not_found(q, ctx, hits, "Không tìm thấy chỉ tiêu này trong danh mục chỉ tiêu và các văn bản chỉ "
                                       "đạo đã nạp.")
    book.pad([h for h in hits if h.chunk.kind == "guidance"], min(ctx.k, 3))
    return Answer("\n".join(parts), book.citations, "catalog", warnings + ocr_warnings(book.citations),
                  kind=q.kind)
