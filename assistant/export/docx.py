"""Export a drafted report to .docx laid out per Nghị định 30/2020/NĐ-CP.

A4 portrait, margins 20/20/30/15 mm, Times New Roman 14 pt, header block (agency, quốc hiệu,
tiêu ngữ, số, place/date), title (the reporting period and the next one), an opening
sentence, roman-numbered sections (the whole report: Kết quả, Tồn tại, Phương hướng, Kiến
nghị), a closing sentence, signature block, page numbers centred in the header from page 2 on.
Suggestions from peer reports ("(gợi ý – cần xác nhận)") are highlighted in yellow so the
officer can keep (remove the mark and the highlight) or delete them.

Citations share one numbering with the text, the web view and the CLI (`renumber`). "annex"
keeps the "[n]" markers and appends "PHỤ LỤC: NGUỒN TRÍCH DẪN" on a new page after the
signature block, entry n quoting the passage "[n]" cites (delete from that heading to the end
to remove it);
"footnotes" turns every marker into a real Word footnote (python-docx 1.2 has no footnote
API, so the footnotes part is written here directly as OOXML); "none" strips the markers.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import tempfile
from pathlib import Path
from typing import Literal

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_COLOR_INDEX
from docx.opc.constants import CONTENT_TYPE as CT
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.packuri import PackURI
from docx.opc.part import XmlPart
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Cm, Mm, Pt, RGBColor
from docx.table import Table, _Cell
from docx.text.paragraph import Paragraph
from docx.text.run import Run

from assistant.drafting.adapt import province_level, split_unit
from assistant.drafting.document import (
    SUGGESTION_MARK,
    DraftDocument,
    citation_line,
    classify_line,
    is_suggestion,
    renumber,
    strip_markers,
)
from assistant.records import Citation
from assistant.text.citations import CITATION_RE, cited

log = logging.getLogger(__name__)

CitationMode = Literal["annex", "footnotes", "none"]
FONT = "Times New Roman"
BODY_PT = 14
TEXT_WIDTH_MM = 210 - 30 - 15
ANNEX_TITLE = "PHỤ LỤC: NGUỒN TRÍCH DẪN"
QUOC_HIEU = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
TIEU_NGU = "Độc lập - Tự do - Hạnh phúc"
CENTER = WD_ALIGN_PARAGRAPH.CENTER

_CODE_HYPHEN_RE = re.compile(r"(?<=\d)-(?=[A-ZĐ]+(?:/|\b))")  # "57-NQ/TW", "02-KH/BCĐTW"
_ROMAN_PREFIX_RE = re.compile(r"^[IVXLC]+\.\s*")
# elements that must follow w:tblBorders in w:tblPr, and w:footnotePr in w:settings
_TBLBORDERS_NEXT = "w:shd w:tblLayout w:tblCellMar w:tblLook w:tblCaption w:tblDescription".split()
_FOOTNOTEPR_NEXT = (
    "w:endnotePr w:compat w:docVars w:rsids m:mathPr w:attachedSchema w:themeFontLang "
    "w:clrSchemeMapping w:doNotIncludeSubdocsInStats w:doNotAutoCompressPictures w:forceUpgrade "
    "w:captions w:readModeInkLockDown w:smartTagType sl:schemaLibrary w:shapeDefaults "
    "w:doNotEmbedSmartTags w:decimalSymbol w:listSeparator"
).split()
SUGGESTION_HIGHLIGHT = WD_COLOR_INDEX.YELLOW
__all__ = ["ANNEX_TITLE", "export_docx", "roman", "split_unit"]


# --------------------------------------------------------------------------- text helpers
def roman(n: int) -> str:
    """1 -> "I", 4 -> "IV" (enough for section numbers)."""
    vals = [(10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")]
    out = ""
    for v, s in vals:
        while n >= v:
            out, n = out + s, n - v
    return out


# --------------------------------------------------------------------------- OOXML helpers
def _fonts(rpr) -> None:
    """Times New Roman in all four font slots of a w:rPr (theme fonts would override it)."""
    rfonts = rpr.get_or_add_rFonts()
    for attr in list(rfonts.attrib):
        if attr.lower().endswith("theme"):
            del rfonts.attrib[attr]
    for slot in ("ascii", "hAnsi", "eastAsia", "cs"):
        rfonts.set(qn(f"w:{slot}"), FONT)


def _run(p: Paragraph, text: str = "", size: float = BODY_PT, bold=False, italic=False) -> Run:
    """A black Times New Roman run; hyphens inside document codes ("02-KH") never break."""
    run = p.add_run()
    for k, piece in enumerate(_CODE_HYPHEN_RE.split(text) if text else []):
        if k:
            run._r.append(OxmlElement("w:noBreakHyphen"))
        if piece:
            t = OxmlElement("w:t")
            t.text = piece
            t.set(qn("xml:space"), "preserve")
            run._r.append(t)
    run.font.size = Pt(size)
    run.font.bold = bold or None
    run.font.italic = italic or None
    run.font.color.rgb = RGBColor(0, 0, 0)
    _fonts(run._r.get_or_add_rPr())
    return run


def _para(container, align=WD_ALIGN_PARAGRAPH.CENTER, after: float = 0, line: float = 1.0):
    p = container.add_paragraph()
    pf = p.paragraph_format
    pf.alignment = align
    pf.space_before, pf.space_after, pf.line_spacing = Pt(0), Pt(after), line
    return p


def _rule(container, width_mm: float, box_mm: float) -> None:
    """A short centred horizontal rule: an empty 3 pt paragraph with a bottom border."""
    p = container.add_paragraph()
    bottom = '<w:bottom w:val="single" w:sz="6" w:space="1" w:color="000000"/>'
    p._p.get_or_add_pPr().append(parse_xml(f"<w:pBdr {nsdecls('w')}>{bottom}</w:pBdr>"))
    pf = p.paragraph_format  # set after w:pBdr so python-docx keeps the schema order
    pf.alignment, pf.space_before, pf.space_after, pf.line_spacing = CENTER, Pt(0), Pt(0), Pt(3)
    side = max(0.0, (box_mm - width_mm) / 2)
    pf.left_indent, pf.right_indent = Mm(side), Mm(side)


def _borderless_table(doc: DocxDocument, widths_mm: list[float], rows: int = 1) -> Table:
    table = doc.add_table(rows=rows, cols=len(widths_mm))
    table.autofit = False
    nil = "".join(f'<w:{e} w:val="nil"/>' for e in "top left bottom right insideH insideV".split())
    borders = parse_xml(f"<w:tblBorders {nsdecls('w')}>{nil}</w:tblBorders>")
    table._tbl.tblPr.insert_element_before(borders, *_TBLBORDERS_NEXT)
    for row in table.rows:
        row._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))
        for cell, w in zip(row.cells, widths_mm, strict=True):
            cell.width = Mm(w)
    for col, w in zip(table.columns, widths_mm, strict=True):
        col.width = Mm(w)
    return table


def _cell_para(cell: _Cell, first: list[bool], align=WD_ALIGN_PARAGRAPH.CENTER) -> Paragraph:
    """Reuse the empty paragraph a new cell starts with, then add new ones."""
    if first[0]:
        first[0] = False
        p = cell.paragraphs[0]
        pf = p.paragraph_format
        pf.alignment, pf.space_before, pf.space_after, pf.line_spacing = align, Pt(0), Pt(0), 1.0
        return p
    return _para(cell, align)


def _page_field(p: Paragraph, size: float) -> None:
    """Insert a PAGE field as begin / instrText / separate / result / end runs."""
    w = nsdecls("w")
    for xml in (
        f'<w:fldChar {w} w:fldCharType="begin"/>',
        f'<w:instrText {w} xml:space="preserve"> PAGE </w:instrText>',
        f'<w:fldChar {w} w:fldCharType="separate"/>',
        "",  # the cached result, "1"
        f'<w:fldChar {w} w:fldCharType="end"/>',
    ):
        run = _run(p, "" if xml else "1", size)
        if xml:
            run._r.append(parse_xml(xml))


class _Footnotes:
    """A minimal word/footnotes.xml part: separators plus one footnote per reference.

    python-docx 1.2 cannot write footnotes, so the part, its relationship, the two styles
    Word and LibreOffice expect, and the settings entry are added here as plain OOXML.
    """

    def __init__(self, doc: DocxDocument) -> None:
        sep = (
            '<w:footnote w:type="{t}" w:id="{i}"><w:p><w:pPr><w:spacing w:after="0" '
            'w:line="240" w:lineRule="auto"/></w:pPr><w:r><w:{t}/></w:r></w:p></w:footnote>'
        )
        self.root = parse_xml(
            f"<w:footnotes {nsdecls('w', 'r')}>"
            + sep.format(t="separator", i=-1)
            + sep.format(t="continuationSeparator", i=0)
            + "</w:footnotes>"
        )
        part = XmlPart(
            PackURI("/word/footnotes.xml"), CT.WML_FOOTNOTES, self.root, doc.part.package
        )
        doc.part.relate_to(part, RT.FOOTNOTES)
        settings = doc.settings.element
        if settings.find(qn("w:footnotePr")) is None:
            ids = '<w:footnote w:id="-1"/><w:footnote w:id="0"/>'
            pr = parse_xml(f"<w:footnotePr {nsdecls('w')}>{ids}</w:footnotePr>")
            settings.insert_element_before(pr, *_FOOTNOTEPR_NEXT)
        styles = doc.styles.element
        hidden = '<w:basedOn w:val="Normal"/><w:uiPriority w:val="99"/><w:unhideWhenUsed/>'
        styles.append(parse_xml(
            f'<w:style {nsdecls("w")} w:type="paragraph" w:styleId="FootnoteText">'
            f'<w:name w:val="footnote text"/>{hidden}<w:pPr><w:spacing w:after="0" w:line="240" '
            'w:lineRule="auto"/><w:ind w:firstLine="0"/><w:jc w:val="both"/></w:pPr>'
            '<w:rPr><w:sz w:val="20"/></w:rPr></w:style>'
        ))  # fmt: skip
        styles.append(parse_xml(
            f'<w:style {nsdecls("w")} w:type="character" w:styleId="FootnoteReference">'
            '<w:name w:val="footnote reference"/><w:uiPriority w:val="99"/><w:unhideWhenUsed/>'
            '<w:rPr><w:vertAlign w:val="superscript"/></w:rPr></w:style>'
        ))  # fmt: skip
        self.next_id = 1

    def add(self, p: Paragraph, text: str) -> None:
        """Append a footnote with `text` and put its reference mark at the end of `p`."""
        fid, self.next_id = self.next_id, self.next_id + 1
        fn = parse_xml(
            f'<w:footnote {nsdecls("w")} w:id="{fid}"><w:p><w:pPr><w:pStyle w:val="FootnoteText"/>'
            '</w:pPr><w:r><w:rPr><w:rStyle w:val="FootnoteReference"/></w:rPr><w:footnoteRef/>'
            '</w:r><w:r><w:t xml:space="preserve"/></w:r></w:p></w:footnote>'
        )
        for r in fn.iter(qn("w:r")):
            rpr = r.get_or_add_rPr()
            _fonts(rpr)
            rpr.sz_val = Pt(10)
            rpr.superscript = r.find(qn("w:footnoteRef")) is not None or None
        fn.findall(".//" + qn("w:t"))[0].text = " " + text
        self.root.append(fn)
        run = _run(p, "", BODY_PT)
        run._r.get_or_add_rPr().style = "FootnoteReference"
        run.font.superscript = True
        ref = OxmlElement("w:footnoteReference")
        ref.set(qn("w:id"), str(fid))
        run._r.append(ref)


# --------------------------------------------------------------------------- document parts
def _setup(doc: DocxDocument) -> None:
    sec = doc.sections[0]
    sec.orientation = WD_ORIENT.PORTRAIT
    sec.page_width, sec.page_height = Mm(210), Mm(297)
    sec.top_margin, sec.bottom_margin = Mm(20), Mm(20)
    sec.left_margin, sec.right_margin = Mm(30), Mm(15)
    sec.header_distance, sec.footer_distance = Mm(10), Mm(10)
    defaults = doc.styles.element.find(qn("w:docDefaults"))
    rpr = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
    _fonts(rpr)
    lang = rpr.find(qn("w:lang"))
    if lang is not None:
        lang.set(qn("w:val"), "vi-VN")
    normal = doc.styles["Normal"]
    normal.font.name, normal.font.size = FONT, Pt(BODY_PT)
    normal.font.color.rgb = RGBColor(0, 0, 0)
    _fonts(normal.element.get_or_add_rPr())
    pf = normal.paragraph_format
    pf.space_before, pf.space_after, pf.line_spacing = Pt(0), Pt(6), 1.15
    # page number centred in the header, hidden on the first page
    sec.different_first_page_header_footer = True
    sec.first_page_header.is_linked_to_previous = False
    header = sec.header
    header.is_linked_to_previous = False
    hp = header.paragraphs[0] if header.paragraphs else header.add_paragraph()
    hp.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _page_field(hp, BODY_PT)


def _header_block(doc: DocxDocument, unit: str, name: str, year: int) -> None:
    widths = [62.0, TEXT_WIDTH_MM - 62.0]
    table = _borderless_table(doc, widths, rows=2)
    left, right = table.cell(0, 0), table.cell(0, 1)
    fl, fr = [True], [True]
    _run(_cell_para(left, fl), "ỦY BAN NHÂN DÂN", 13, bold=True)
    _run(_cell_para(left, fl), f"{unit} {name}".upper(), 13, bold=True)
    _rule(left, 22, widths[0])
    _run(_cell_para(right, fr), QUOC_HIEU, 12, bold=True)
    _run(_cell_para(right, fr), TIEU_NGU, 13, bold=True)
    _rule(right, 58, widths[1])
    fl, fr = [True], [True]
    so = _cell_para(table.cell(1, 0), fl)
    so.paragraph_format.space_before = Pt(6)
    _run(so, "Số: ……/BC-UBND", 13)
    place = _cell_para(table.cell(1, 1), fr)
    place.paragraph_format.space_before = Pt(6)
    _run(place, f"{name}, ngày …… tháng …… năm {year}", 14, italic=True)


def _title(doc: DocxDocument, subtitle: str) -> None:
    p = _para(doc, after=0)
    p.paragraph_format.space_before = Pt(18)
    _run(p, "BÁO CÁO", 14, bold=True)
    sub = _para(doc)
    for k, part in enumerate(subtitle.split("\n")):
        run = _run(sub, part.strip(), 14, bold=True)
        if k:
            run._r.insert(run._r.index(run._r.rPr) + 1, OxmlElement("w:br"))
    _rule(doc, 45, TEXT_WIDTH_MM)
    _para(doc, after=6)


def _body_para(doc: DocxDocument, kind: str) -> Paragraph:
    p = doc.add_paragraph()
    pf = p.paragraph_format
    pf.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    pf.first_line_indent = Cm(1.27)
    pf.space_after, pf.line_spacing = Pt(6), 1.15
    if kind in ("heading", "subheading", "section"):
        pf.keep_with_next = True
    return p


def _outline(p: Paragraph, level: int) -> None:
    el = OxmlElement("w:outlineLvl")
    el.set(qn("w:val"), str(level))
    p._p.get_or_add_pPr().insert_element_before(
        el, "w:divId", "w:cnfStyle", "w:rPr", "w:sectPr", "w:pPrChange"
    )


def _write_text(p: Paragraph, text: str, kind: str, mode: str, notes: _Footnotes | None,
                by_n: dict[int, Citation]) -> None:  # fmt: skip
    """Write one body line into `p`; in footnote mode each "[n]" becomes a footnote.

    A suggestion line is highlighted (yellow), its text still black.
    """
    bold, italic = kind in ("heading", "subheading"), kind == "subheading"
    mark = SUGGESTION_HIGHLIGHT if is_suggestion(text) else None
    if mode == "none":
        text = strip_markers(text)
    pos = 0

    def put(piece: str) -> None:
        run = _run(p, piece, BODY_PT, bold, italic)
        if mark is not None:
            run.font.highlight_color = mark

    for m in CITATION_RE.finditer(text) if notes is not None else ():
        nums = [n for n in cited(m.group(0)) if n in by_n]  # dangling ones dropped
        if before := text[pos : m.start()].rstrip():
            put(before)
        for k, n in enumerate(nums):
            if k:
                _run(p, ",", BODY_PT).font.superscript = True
            notes.add(p, citation_line(by_n[n], max_chars=300))
        pos = m.end()
    if text[pos:]:
        put(text[pos:])


def _signature(doc: DocxDocument, unit: str, province: str, year: int) -> None:
    if doc.paragraphs:  # never leave the signature alone on the last page
        doc.paragraphs[-1].paragraph_format.keep_with_next = True
    _para(doc, after=6).paragraph_format.keep_with_next = True
    widths = [82.0, TEXT_WIDTH_MM - 82.0]
    table = _borderless_table(doc, widths)
    left, right = table.cell(0, 0), table.cell(0, 1)
    fl, fr = [True], [True]
    _run(_cell_para(left, fl, WD_ALIGN_PARAGRAPH.LEFT), "Nơi nhận:", 12, bold=True, italic=True)
    prov = province.strip() or "……"
    if not prov.lower().startswith(("tỉnh ", "thành phố ", "tp ", "tp. ")):
        prov = f"{province_level(province) or 'tỉnh'} {prov}"
    recipients = [f"UBND {prov} (để b/c)", f"Sở Khoa học và Công nghệ {prov}"]
    if year < 2025:
        recipients = ["UBND huyện …… (để b/c)", "Phòng Văn hóa và Thông tin huyện ……"]
    recipients += [f"Đảng ủy, TT HĐND {unit}", f"Chủ tịch, các PCT UBND {unit}"]
    for r in recipients:
        _run(_cell_para(left, fl, WD_ALIGN_PARAGRAPH.LEFT), f"- {r};", 11)
    _run(_cell_para(left, fl, WD_ALIGN_PARAGRAPH.LEFT), "- Lưu: VT.", 11)
    for line in ("TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH"):
        _run(_cell_para(right, fr), line, 14, bold=True)
    for _ in range(4):
        _run(_cell_para(right, fr), "", 14)
    _run(_cell_para(right, fr), "……………………", 14, bold=True)


def _annex(doc: DocxDocument, cites: list[Citation], draft: DraftDocument) -> None:
    head = _para(doc, after=6)
    head.paragraph_format.page_break_before = True
    _run(head, ANNEX_TITLE, 14, bold=True)
    note = "(Dùng để đối chiếu nguồn; xóa toàn bộ phụ lục này trước khi ban hành)"
    _run(_para(doc, after=12), note, 13, italic=True)
    if any(is_suggestion(s.text) for s in draft.sections):
        p = _para(doc, WD_ALIGN_PARAGRAPH.JUSTIFY, after=12, line=1.15)
        run = _run(p, f"Các đoạn tô vàng có ghi {SUGGESTION_MARK} là gợi ý lấy từ báo cáo của xã "
                   "khác cho các lĩnh vực xã chưa nêu; giữ lại (bỏ dấu và màu tô) nếu đúng với thực "
                   "tế của xã, nếu không thì xóa.", 13, italic=True)  # fmt: skip
        run.font.highlight_color = SUGGESTION_HIGHLIGHT
    for c in cites:
        p = _para(doc, WD_ALIGN_PARAGRAPH.JUSTIFY, after=6, line=1.15)
        _run(p, f"[{c.n}] ", 13, bold=True)
        _run(p, citation_line(c), 13)
    if not cites:
        _run(_para(doc, WD_ALIGN_PARAGRAPH.LEFT), "(Không có trích dẫn)", 13, italic=True)
    flagged = [(i, s) for i, s in enumerate(draft.sections, 1) if s.unsupported_numbers]
    if flagged:
        head = _para(doc, WD_ALIGN_PARAGRAPH.LEFT, after=6)
        _run(head, "Số liệu chưa đối chiếu được với nguồn:", 13, bold=True)
        for i, s in flagged:
            p = _para(doc, WD_ALIGN_PARAGRAPH.JUSTIFY, after=6, line=1.15)
            _run(p, f"- Mục {roman(i)}: {', '.join(s.unsupported_numbers)}", 13)


# --------------------------------------------------------------------------- public API
def export_docx(
    doc: DraftDocument,
    path: str | os.PathLike[str],
    *,
    citations: CitationMode = "annex",
    subtitle: str | None = None,
) -> Path:
    """Write `doc` as a Nghị định 30 style .docx at `path` (atomically) and return the path.

    `citations`: "annex" (markers kept, sources listed in a removable final annex together
    with the numbers the verifier could not support), "footnotes" (real Word footnotes; a
    passage cited twice gets two footnotes, as Word numbers one per reference) or "none"
    (markers removed). `subtitle` replaces the default trích yếu ("\\n" breaks the line).
    `doc.warnings` and `doc.unmatched` are for the UI and are only logged here.
    """
    if citations not in ("annex", "footnotes", "none"):
        raise ValueError(f"citations must be 'annex', 'footnotes' or 'none', not {citations!r}")
    out = Path(path)
    unit, name = split_unit(doc.commune)
    texts, cites = renumber(doc)
    by_n = {c.n: c for c in cites}
    subtitle = subtitle or (
        f"Kết quả thực hiện chuyển đổi số {doc.period_label},\n"
        f"phương hướng, nhiệm vụ {doc.next_period_label}"
    )
    if doc.warnings or doc.unmatched:
        log.info("not exported: %d warnings, %d unmatched", len(doc.warnings), len(doc.unmatched))

    d = Document()
    _setup(d)
    props = d.core_properties
    one_line = " ".join(subtitle.split())
    props.title, props.subject = f"Báo cáo {one_line[:1].lower()}{one_line[1:]}", "Chuyển đổi số"
    props.author = props.last_modified_by = f"UBND {unit} {name}"
    props.comments, props.language = "Dự thảo tạo bởi Trợ lý báo cáo chuyển đổi số", "vi-VN"
    _header_block(d, unit, name, doc.year)
    _title(d, subtitle)
    notes = _Footnotes(d) if citations == "footnotes" else None
    _run(_body_para(d, "para"), f"Ủy ban nhân dân {unit} {name} báo cáo {one_line[:1].lower()}"
         f"{one_line[1:]} như sau:", BODY_PT)  # fmt: skip

    for i, (section, text) in enumerate(zip(doc.sections, texts, strict=True), 1):
        title = _ROMAN_PREFIX_RE.sub("", section.title.strip()) or section.id
        p = _body_para(d, "section")
        _outline(p, 0)
        _run(p, f"{roman(i)}. {title.upper()}", BODY_PT, bold=True)
        lines = [ln for ln in text.split("\n") if ln.strip()]
        if not lines:
            _run(_body_para(d, "para"), "(Chưa có nội dung)", BODY_PT, italic=True)
        for line in lines:
            kind, content = classify_line(line)
            p = _body_para(d, kind)
            if kind == "heading":
                _outline(p, 1)
            _write_text(p, content, kind, citations, notes, by_n)

    _run(_body_para(d, "para"), f"Trên đây là báo cáo {one_line[:1].lower()}{one_line[1:]} của "
         f"Ủy ban nhân dân {unit} {name}./.", BODY_PT)  # fmt: skip
    _signature(d, unit, doc.province, doc.year)
    if citations == "annex":
        _annex(d, cites, doc)
    _save_atomic(d, out)
    log.info("exported %s (%d sections, citations=%s)", out, len(doc.sections), citations)
    return out


def _save_atomic(d: DocxDocument, out: Path) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".tmp", dir=out.parent)
    os.close(fd)
    try:
        d.save(tmp)
        os.chmod(tmp, 0o644)
        os.replace(tmp, out)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
