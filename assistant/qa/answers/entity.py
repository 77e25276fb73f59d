"""Entity answers: the person, unit, software, document or name asked for, quoted and cited."""

from __future__ import annotations

import re

from assistant.qa.answers.common import CitationBook, Context, not_found, ocr_warnings, quote, where
from assistant.qa.evidence import Unit, is_heading_like
from assistant.qa.question import Question
from assistant.records import Answer, Chunk
from assistant.text.normalize import fold
from assistant.text.segment import answer_units

MIN_COVERAGE = 0.4
MIN_COVERAGE_NAMED = 0.25  # ... when the unit holds a name of the asked type
_UP = "A-ZĐÂĂÊÔƠƯÁÀẢÃẠẤẦẨẪẬẮẰẲẴẶÉÈẺẼẸẾỀỂỄỆÍÌỈĨỊÓÒỎÕỌỐỒỔỖỘỚỜỞỠỢÚÙỦŨỤỨỪỬỮỰÝỲỶỸỴ"
_PERSON_RE = re.compile(rf"\b[{_UP}][a-zà-ỹ]+(?:\s+[{_UP}][a-zà-ỹ]+){{1,3}}\b")
_ROLE_RE = re.compile(r"(?:đồng chí\s+)?(?:Phó\s+)?(?:Bí thư|Chủ tịch|Trưởng ban|Phó Trưởng ban|Giám đốc|"
                      r"Trưởng phòng|Trưởng thôn|Tổ trưởng|Chánh Văn phòng|Công chức|Trưởng Công an)"
                      r"(?:\s+(?:Đảng ủy|UBND|Ủy ban nhân dân|HĐND|Hội đồng nhân dân|Ủy ban MTTQ|xã))*",
                      re.IGNORECASE)
_ORG_RE = re.compile(rf"\b(?:Phòng|Trung tâm|Văn phòng|Ban|Tổ|Đội|Bộ phận|Công an|Đoàn|Hội|Ủy ban|UBND|"
                     rf"Bưu điện|Công ty|Hợp tác xã|Sở|Trường)\s+[{_UP}\w][\w\s,&-]{{2,70}}")
_PRODUCT_RE = re.compile(r"\b(?:[A-Z][A-Za-z]*[A-Z][A-Za-z0-9]*|[A-Z]{2,}[a-z]*\w*|[a-z]+[A-Z]\w*)\b")
_PEOPLE_RE = re.compile(r"\b(?:đoàn viên|thanh niên|hội viên|cán bộ|công chức|viên chức|thành viên|chuyên gia|"
                        r"giáo viên|người có|người dân|trưởng thôn|bí thư|tổ trưởng|nòng cốt|thành phần)\b",
                        re.IGNORECASE)
_COMPOSITION_RE = re.compile(r"\b(?:thành phần|bao gồm|gồm có|gồm|nòng cốt|cơ cấu)\b", re.IGNORECASE)
# A capitalised word no Vietnamese syllable spells ("Hpnet", "Roboki", "Zalo"), with a trailing "AI"/"App"
_BRAND_RE = re.compile(r"(?<![\w.])([A-Z][a-zA-Z0-9]{2,})(?:\s+(?:AI|App|ID|[A-Z]{2,5}))?(?!\w)")
_SYLLABLE_RE = re.compile(r"^(?:ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdghklmnpqrstvx])?[aeiouy]{1,3}"
                          r"(?:ch|ng|nh|[cmnpt])?$")


_COMMON_TECH_WORDS = frozenset("internet website email wifi online offline fanpage camera mobile money code "
                               "smartphone laptop scan".split())


def _foreign(word: str) -> bool:
    """A word no Vietnamese syllable spells: a product or brand name."""
    return not _SYLLABLE_RE.match(word.lower())


_QUOTED_RE = re.compile(r"[“\"]([^”\"]{3,80})[”\"]")
_SIGNATURE_RE = re.compile(r"(?:KT\.?\s+)?(CHỦ TỊCH|PHÓ CHỦ TỊCH|TM\.?\s+ỦY BAN NHÂN DÂN)")


def _signature(ctx: Context, commune: tuple[str, ...]) -> tuple[Chunk, str] | None:
    """The signature block of the named commune's report: (chunk, "Name, role")."""
    chunks = [c for c in ctx.retriever.chunks if c.kind == "report"
              and (not commune or c.commune in commune)]
    for c in sorted(chunks, key=lambda c: -c.position):
        text = c.text.strip()
        m = _SIGNATURE_RE.search(text)
        if not m or len(text) > 400:
            continue
        names = [n for n in _PERSON_RE.findall(text) if n.upper() != n]
        if not names:
            continue
        on_behalf = bool(re.search(r"\bKT\.?\s+CHỦ TỊCH", text))
        role = "Phó Chủ tịch UBND xã (ký thay Chủ tịch)" if on_behalf or "PHÓ CHỦ TỊCH" in text \
            else "Chủ tịch UBND xã"
        return c, f"{names[-1]}, {role}"
    return None


def _extract(q: Question, text: str) -> str | None:
    """The name of the asked type inside a unit, when one stands out."""
    if q.entity == "person":
        role = _ROLE_RE.search(text)
        names = [n for n in _PERSON_RE.findall(text) if len(n.split()) >= 2 and not _ORG_RE.match(n)]
        if role and names:
            return f"{role.group(0).strip()} {names[0]}"
        return role.group(0).strip() if role else (names[0] if names else None)
    if q.entity == "org":
        m = _ORG_RE.search(text)
        # a table cell runs on into the next one ("Phòng Kinh tế Đạt 12 …"): the name stops there
        return re.split(r"\s+(?:Đạt|Không đạt|Chưa đạt|\d)", m.group(0))[0].strip(" ,;.") if m else None
    if q.entity == "software":
        found = [p for p in _PRODUCT_RE.findall(text) if p not in ("UBND", "CNTT", "TTHC", "HĐND")]
        found += [m.group(0) for m in _BRAND_RE.finditer(text)
                  if _foreign(m.group(1)) and m.group(1) != m.group(1).upper()  # "Hpnet", not "UBND"
                  and m.group(1).lower() not in _COMMON_TECH_WORDS]
        found.sort(key=text.find)
        return ", ".join(dict.fromkeys(found[:4])) if found else None
    if q.entity == "place":
        m = _PLACE_RE.search(text)
        return m.group(0) if m else None
    m = _QUOTED_RE.search(text)
    return m.group(1).strip() if m else None


_PLACE_RE = re.compile(rf"\b(?:[Tt]ỉnh|[Tt]hành phố|[Hh]uyện|[Qq]uận)\s+[{_UP}][\wà-ỹ]*(?:\s+[{_UP}][\wà-ỹ]*){{0,2}}")


def _next_cell(q: Question, best: Unit, units: list[Unit]) -> str | None:
    """The short unit right after `best` in its passage that holds a name of the asked type (a
    flattened table row puts "Phòng Kinh tế" on the line after the indicator)."""
    for u in units:
        if u.chunk.chunk_id == best.chunk.chunk_id and best.order < u.order <= best.order + 2 \
                and len(u.text) <= 80 and _extract(q, u.text):
            return u.text
    return None


def _asks_chair_name(q: Question) -> bool:
    f = q.folded
    return bool(re.search(r"\bchu tich\b", f)) and not re.search(r"\bpho chu tich\b", f) \
        and bool(re.search(r"\b(?:ten|ai|ho ten|la ai)\b", f))


def _place(q: Question, ctx: Context) -> Answer:
    """The province or city a commune's report writes (the department it reports to, the strategy
    it follows), quoted from the report's first mention; "không tìm thấy" when it writes none."""
    chunks = sorted((c for c in ctx.retriever.chunks if c.kind == "report" and c.commune in q.communes),
                    key=lambda c: c.position)
    for c in chunks:
        for text in answer_units(c.text):
            if m := _PLACE_RE.search(text):
                book = CitationBook()
                n = book.cite(c)
                return Answer(f"{m.group(0)} — theo báo cáo của {where(c)}: «{quote(text, m.group(0))}» [{n}]",
                              book.citations, "extractive", ocr_warnings(book.citations), kind=q.kind)
    return not_found(q, ctx, ctx.evidence.search(q.query, k=ctx.k, communes=q.communes))


_SENT_TO = re.compile(r"\bbao cao\b.*\b(?:gui|nop)\b.*\b(?:co quan|don vi|noi) nao\b|"
                      r"\bbao cao\b.*\bgui (?:len |toi |den )?(?:ai|dau)\b")


_INSIDE = re.compile(r"\b(?:xã|Lưu|CT|PCT|Đảng [uủ]y|Phòng|Thường trực|TT|Trang)\b")


def _recipients(q: Question, ctx: Context) -> Answer | None:
    """Where a commune's report was sent: the recipients outside the commune in its "Nơi nhận"
    block ("Sở Khoa học và Công nghệ thành phố"), quoted."""
    for c in (c for c in ctx.retriever.chunks if c.kind == "report" and c.commune in q.communes):
        at = c.text.find("Nơi nhận")
        if at < 0:
            continue
        items = [line.strip(" -;") for line in c.text[at:].split("\n")[1:] if line.strip().startswith("-")]
        inside = [i for i, item in enumerate(items) if _INSIDE.search(item)]
        outside = items[:inside[0] if inside else len(items)]  # the list opens on the bodies above the commune
        if outside:
            book = CitationBook()
            n = book.cite(c)
            block = "; ".join(items[:4])
            return Answer(f"{', '.join(outside)} — theo mục «Nơi nhận» của báo cáo {where(c)}: «{block}» [{n}]",
                          book.citations, "extractive", kind=q.kind)
    return None


def answer_entity(q: Question, ctx: Context) -> Answer:
    if q.entity == "place" and q.communes:
        return _place(q, ctx)
    if q.entity == "org" and q.communes and _SENT_TO.search(q.folded) \
            and (sent := _recipients(q, ctx)) is not None:  # "Báo cáo đó gửi lên cơ quan nào?"
        return sent
    if q.entity == "signer" or _asks_chair_name(q):
        sig = _signature(ctx, q.communes)
        if sig is not None:
            chunk, who = sig
            if q.entity == "signer" or "ký thay" not in who:
                book = CitationBook()
                n = book.cite(chunk)
                return Answer(f"{who} — ký báo cáo của {where(chunk)} [{n}]", book.citations, "extractive",
                              kind=q.kind)
            results = ctx.evidence.search(q.query, k=ctx.k, communes=q.communes)
            return not_found(q, ctx, results, f"Báo cáo của {where(chunk)} không ghi tên Chủ tịch UBND xã; "
                                              f"người ký là {who}.")
    results = ctx.evidence.search(q.query, k=max(ctx.k, 8), communes=q.communes)
    units = [u for u in ctx.evidence.units(results) if not is_heading_like(u.text)]
    if not units:
        return not_found(q, ctx, results)
    ctx.evidence.score(q.terms, units, q.phrases)
    composition = bool(re.search(r"\b(?:gom|bao gom|thanh phan)\b", q.folded))
    for u in units:
        if _extract(q, u.text):
            u.score += 0.1
        if q.entity == "person" and not (_PEOPLE_RE.search(u.text) or _ROLE_RE.search(u.text)):
            u.score *= 0.5  # "ai" is answered by people
        if composition and _COMPOSITION_RE.search(u.text):
            u.score += 0.3  # "gồm những ai": the sentence that says what it is made of
    units.sort(key=lambda u: -u.score)
    best: Unit = units[0]
    named = _extract(q, best.text) is not None
    if best.coverage < (MIN_COVERAGE_NAMED if named else MIN_COVERAGE):
        return not_found(q, ctx, results)
    if q.entity == "person" and _asks_chair_name(q) and not _ROLE_RE.search(best.text):
        return not_found(q, ctx, results)
    name = _extract(q, best.text)
    if q.entity == "place" and name is None:  # no province or city written: nothing to quote as the answer
        return not_found(q, ctx, results)
    book = CitationBook()
    n = book.cite(best.chunk)
    said = quote(best.text, q.text)
    if name is None and (cell := _next_cell(q, best, units)) is not None:
        name = _extract(q, cell)  # a table row flattened: the unit in charge is the next cell
        said = f"{said} … {quote(cell)}"
    lead = f"{name} — theo" if name and fold(name) not in fold(q.text) else "Theo"
    text = f"{lead} báo cáo của {where(best.chunk)}: «{said}» [{n}]"
    book.pad(results, ctx.k)
    return Answer(text, book.citations, "extractive", ocr_warnings(book.citations), kind=q.kind)
