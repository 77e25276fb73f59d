"""Word XML building blocks python-docx lacks or hides: Times New Roman runs in every font slot,
borderless tables, short horizontal rules, a PAGE field and a footnotes part.
"""

from __future__ import annotations

import re

from docx.document import Document as DocxDocument
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.opc.constants import CONTENT_TYPE as CT
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.packuri import PackURI
from docx.opc.part import XmlPart
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Mm, Pt, RGBColor
from docx.table import Table, _Cell
from docx.text.paragraph import Paragraph
from docx.text.run import Run

FONT = "Times New Roman"
BODY_PT = 14
CENTER = WD_ALIGN_PARAGRAPH.CENTER
_CODE_HYPHEN_RE = re.compile(r"(?<=\d)-(?=[A-ZĐ]+(?:/|\b))")  # "57-NQ/TW", "02-KH/BCĐTW"
# elements that must follow w:tblBorders in w:tblPr, and w:footnotePr in w:settings
_TBLBORDERS_NEXT = "w:shd w:tblLayout w:tblCellMar w:tblLook w:tblCaption w:tblDescription".split()
_FOOTNOTEPR_NEXT = (
    "w:endnotePr w:compat w:docVars w:rsids m:mathPr w:attachedSchema w:themeFontLang "
    "w:clrSchemeMapping w:doNotIncludeSubdocsInStats w:doNotAutoCompressPictures w:forceUpgrade "
    "w:captions w:readModeInkLockDown w:smartTagType sl:schemaLibrary w:shapeDefaults "
    "w:doNotEmbedSmartTags w:decimalSymbol w:listSeparator"
).split()


def set_fonts(rpr) -> None:
    """Times New Roman in all four font slots of a w:rPr (theme fonts would override it)."""
    rfonts = rpr.get_or_add_rFonts()
    for attr in list(rfonts.attrib):
        if attr.lower().endswith("theme"):
            del rfonts.attrib[attr]
    for slot in ("ascii", "hAnsi", "eastAsia", "cs"):
        rfonts.set(qn(f"w:{slot}"), FONT)


def add_run(p: Paragraph, text: str = "", size: float = BODY_PT, bold=False, italic=False) -> Run:
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
    set_fonts(run._r.get_or_add_rPr())
    return run


def add_para(container, align=WD_ALIGN_PARAGRAPH.CENTER, after: float = 0, line: float = 1.0):
    p = container.add_paragraph()
    pf = p.paragraph_format
    pf.alignment = align
    pf.space_before, pf.space_after, pf.line_spacing = Pt(0), Pt(after), line
    return p


def add_rule(container, width_mm: float, box_mm: float) -> None:
    """A short centred horizontal rule: an empty 3 pt paragraph with a bottom border."""
    p = container.add_paragraph()
    bottom = '<w:bottom w:val="single" w:sz="6" w:space="1" w:color="000000"/>'
    p._p.get_or_add_pPr().append(parse_xml(f"<w:pBdr {nsdecls('w')}>{bottom}</w:pBdr>"))
    pf = p.paragraph_format  # set after w:pBdr so python-docx keeps the schema order
    pf.alignment, pf.space_before, pf.space_after, pf.line_spacing = CENTER, Pt(0), Pt(0), Pt(3)
    side = max(0.0, (box_mm - width_mm) / 2)
    pf.left_indent, pf.right_indent = Mm(side), Mm(side)


def borderless_table(doc: DocxDocument, widths_mm: list[float], rows: int = 1) -> Table:
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


def cell_para(cell: _Cell, first: list[bool], align=WD_ALIGN_PARAGRAPH.CENTER) -> Paragraph:
    """Reuse the empty paragraph a new cell starts with, then add new ones."""
    if first[0]:
        first[0] = False
        p = cell.paragraphs[0]
        pf = p.paragraph_format
        pf.alignment, pf.space_before, pf.space_after, pf.line_spacing = align, Pt(0), Pt(0), 1.0
        return p
    return add_para(cell, align)


def page_field(p: Paragraph, size: float) -> None:
    """Insert a PAGE field as begin / instrText / separate / result / end runs."""
    w = nsdecls("w")
    for xml in (
        f'<w:fldChar {w} w:fldCharType="begin"/>',
        f'<w:instrText {w} xml:space="preserve"> PAGE </w:instrText>',
        f'<w:fldChar {w} w:fldCharType="separate"/>',
        "",  # the cached result, "1"
        f'<w:fldChar {w} w:fldCharType="end"/>',
    ):
        run = add_run(p, "" if xml else "1", size)
        if xml:
            run._r.append(parse_xml(xml))


class Footnotes:
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
            set_fonts(rpr)
            rpr.sz_val = Pt(10)
            rpr.superscript = r.find(qn("w:footnoteRef")) is not None or None
        fn.findall(".//" + qn("w:t"))[0].text = " " + text
        self.root.append(fn)
        run = add_run(p, "", BODY_PT)
        run._r.get_or_add_rPr().style = "FootnoteReference"
        run.font.superscript = True
        ref = OxmlElement("w:footnoteReference")
        ref.set(qn("w:id"), str(fid))
        run._r.append(ref)
