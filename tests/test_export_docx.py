"""The .docx exporter: layout facts a reviewer checks against Nghị định 30/2020/NĐ-CP."""

from __future__ import annotations

import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import docx
import pytest
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Cm, Mm, Pt

from assistant.drafting.document import (
    DraftDocument,
    DraftSection,
    classify_line,
    renumber,
    strip_markers,
)
from assistant.export.docx import ANNEX_TITLE, QUOC_HIEU, TIEU_NGU, export_docx
from assistant.records import Citation

TNR = "Times New Roman"
MARKER = re.compile(r"\[\d+(?:,\s*\d+)*\]")


def sample_draft() -> DraftDocument:
    c1 = Citation(1, "d1", "bao-cao-cds-2025-tan-phu.docx", "xã Tân Phú",
                  "II > 3. Hạ tầng số > b) Tồn tại, hạn chế",
                  "Hạ tầng mạng tại các thôn vùng sâu còn yếu, 3/12 thôn chưa có cáp quang.")  # fmt: skip
    c2 = Citation(2, "d2", "bc-cds-2025-gia-phuc.pdf", "xã Gia Phúc",
                  "PHẦN A > II > Dịch vụ công trực tuyến",
                  "Tỷ lệ hồ sơ được xử lý trực tuyến toàn trình đạt 45%, thấp hơn chỉ tiêu 80%.")  # fmt: skip
    # numbered 1 again inside its own section: the exporter must renumber it to 3
    c3 = Citation(1, "d3", "ke-hoach-cds-2026.docx", "xã Tân Phú", "III. Nhiệm vụ, giải pháp",
                  "Phấn đấu 100% thủ tục hành chính đủ điều kiện được cung cấp trực tuyến.")  # fmt: skip
    ton_tai = "\n".join([
        "1. Về hạ tầng số",
        "Hạ tầng mạng tại một số thôn vùng sâu còn yếu; 3/12 thôn chưa có cáp quang [1].",
        "2. Về dịch vụ công trực tuyến",
        "Tỷ lệ hồ sơ xử lý trực tuyến toàn trình mới đạt 45%, thấp hơn chỉ tiêu của tỉnh giao [2]. "
        "Nguyên nhân chủ yếu:",
        "- Người dân, nhất là người cao tuổi, chưa quen sử dụng ứng dụng VNeID;",
        "- Cán bộ phụ trách chuyển đổi số còn kiêm nhiệm [1, 2];",
        "+ Trang thiết bị tại bộ phận một cửa đã xuống cấp.",
    ])  # fmt: skip
    phuong_huong = "\n".join([
        "Tiếp tục triển khai Nghị quyết số 57-NQ/TW; phấn đấu 100% thủ tục hành chính đủ điều "
        "kiện được cung cấp dịch vụ công trực tuyến toàn trình [1].",
        "a) Nhiệm vụ trọng tâm",
        "- Phối hợp với doanh nghiệp viễn thông phủ cáp quang đến 100% thôn;",
        "- Đẩy mạnh hoạt động của Tổ công nghệ số cộng đồng.",
    ])  # fmt: skip
    return DraftDocument(
        commune="xã Tân Phú",
        province="Đồng Nai",
        year=2025,
        sections=[
            DraftSection("ton_tai", "Tồn tại, hạn chế", ton_tai, [c1, c2], ["45%"]),
            DraftSection("phuong_huong", "Phương hướng, nhiệm vụ năm 2026", phuong_huong, [c3]),
        ],
        unmatched=[],
        warnings=[],
    )


@pytest.fixture
def exported(tmp_path: Path):
    def make(mode: str = "annex") -> tuple[Path, docx.document.Document]:
        path = export_docx(sample_draft(), tmp_path / f"bao-cao-{mode}.docx", citations=mode)
        return path, docx.Document(str(path))

    return make


def all_paragraphs(d):
    yield from d.paragraphs
    for table in d.tables:
        for row in table.rows:
            for cell in row.cells:
                yield from cell.paragraphs


def para(d, text: str):
    hits = [p for p in all_paragraphs(d) if p.text.strip() == text]
    assert hits, f"no paragraph {text!r}"
    return hits[0]


def runs_with_text(p):
    return [r for r in p.runs if r.text.strip()]


def body_text(d) -> str:
    return "\n".join(p.text for p in all_paragraphs(d))


# ----------------------------------------------------------------------------- types
def test_to_json_has_exactly_the_agreed_keys():
    data = sample_draft().to_json()
    assert set(data) == {"commune", "province", "year", "period", "next_period", "sections",
                         "unmatched", "warnings"}
    assert (data["period"], data["next_period"]) == ("năm 2025", "năm 2026")
    section = data["sections"][0]
    assert set(section) == {"id", "title", "text", "citations", "unsupported_numbers"}
    assert {"n", "doc_id", "source", "commune", "section", "text", "owner", "uploaded_by", "published"} == set(section["citations"][0])
    again = DraftDocument.from_json(data)
    assert again.to_json() == data and again.sections == sample_draft().sections


@pytest.mark.parametrize(
    ("line", "kind"),
    [
        ("- Người dân chưa quen;", "bullet"),
        ("+ Thiết bị xuống cấp.", "bullet"),
        ("• Mục chấm tròn", "bullet"),
        ("1. Về hạ tầng số", "heading"),
        ("2.1. Hạ tầng mạng", "heading"),
        ("KẾT QUẢ ĐẠT ĐƯỢC", "heading"),
        ("a) Nhiệm vụ trọng tâm", "subheading"),
        ("1. Tỷ lệ hồ sơ trực tuyến đạt 45%.", "para"),
        ("1. Hạ tầng số còn yếu [1]", "para"),
        ("Tiếp tục triển khai các nhiệm vụ.", "para"),
    ],
)
def test_classify_line(line, kind):
    assert classify_line(line)[0] == kind


def test_markers_use_the_one_citation_grammar():
    assert strip_markers("đạt 45% [2], thấp hơn [1, 3]. Hết [4-5]") == "đạt 45%, thấp hơn. Hết"
    import assistant.drafting.document as document

    assert not hasattr(document, "MARKER_RE") and not hasattr(document, "marker_numbers")


def test_renumber_resolves_clashes_and_shares_repeats():
    draft = sample_draft()
    texts, cites = renumber(draft)
    assert [c.n for c in cites] == [1, 2, 3]
    assert cites[2].doc_id == "d3"
    assert texts[1].endswith("toàn trình [3].\na) Nhiệm vụ trọng tâm\n- Phối hợp với doanh "
                             "nghiệp viễn thông phủ cáp quang đến 100% thôn;\n- Đẩy mạnh hoạt "
                             "động của Tổ công nghệ số cộng đồng.")  # fmt: skip
    repeat = draft.sections[0].citations[0]
    draft.sections[1].citations = [repeat]  # same passage cited as [1] in both sections
    draft.sections[1].text = "Tiếp tục khắc phục [1]."
    texts, cites = renumber(draft)
    assert len(cites) == 2 and texts[1] == "Tiếp tục khắc phục [1]."


# ----------------------------------------------------------------------------- package
def test_file_is_a_valid_docx_zip(exported):
    path, _ = exported()
    with zipfile.ZipFile(path) as z:
        assert z.testzip() is None
        assert "word/document.xml" in z.namelist()
        assert "[Content_Types].xml" in z.namelist()


def test_write_is_atomic_and_replaces(tmp_path: Path):
    target = tmp_path / "out" / "bao-cao.docx"
    export_docx(sample_draft(), target)
    first = target.stat().st_size
    export_docx(sample_draft(), target, citations="none")
    assert target.stat().st_size != first
    assert sorted(p.name for p in target.parent.iterdir()) == ["bao-cao.docx"]
    with pytest.raises(ValueError):
        export_docx(sample_draft(), tmp_path / "x.docx", citations="endnotes")  # type: ignore[arg-type]
    assert not (tmp_path / "x.docx").exists()


# ----------------------------------------------------------------------------- page
def test_page_is_a4_portrait_with_nd30_margins(exported):
    _, d = exported()
    sec = d.sections[0]
    assert abs(sec.page_width - Mm(210)) <= Mm(1)
    assert abs(sec.page_height - Mm(297)) <= Mm(1)
    for actual, mm in ((sec.top_margin, 20), (sec.bottom_margin, 20),
                       (sec.left_margin, 30), (sec.right_margin, 15)):  # fmt: skip
        assert abs(actual - Mm(mm)) <= Mm(0.5)


def test_every_run_is_black_times_new_roman(exported):
    _, d = exported()
    normal = d.styles["Normal"]
    assert normal.font.name == TNR and normal.font.size == Pt(14)
    defaults = d.styles.element.find(qn("w:docDefaults")).find(".//" + qn("w:rFonts"))
    assert all(not a.lower().endswith("theme") for a in defaults.attrib)
    header_paras = list(d.sections[0].header.paragraphs)
    runs = [r for p in [*all_paragraphs(d), *header_paras] for r in p.runs]
    assert len(runs) > 40
    for run in runs:
        rfonts = run._r.rPr.rFonts
        assert run.font.name == TNR
        assert rfonts.get(qn("w:eastAsia")) == TNR and rfonts.get(qn("w:cs")) == TNR
        assert str(run.font.color.rgb) == "000000"


def test_body_paragraphs_are_14pt_justified_with_first_line_indent(exported):
    _, d = exported()
    body = [p for p in d.paragraphs if p.text.startswith(("Hạ tầng mạng", "- Người dân", "+ "))]
    assert len(body) == 3
    for p in body:
        pf = p.paragraph_format
        assert pf.alignment == WD_ALIGN_PARAGRAPH.JUSTIFY
        assert abs(pf.first_line_indent - Cm(1.27)) <= Mm(0.2)
        assert pf.space_after >= Pt(6)
        assert 1.0 <= pf.line_spacing <= 1.5
        assert all(r.font.size == Pt(14) for r in runs_with_text(p))
    # bullets are plain "- " paragraphs, never Word list numbering
    assert "w:numPr" not in d.element.xml


def test_header_block_has_agency_quoc_hieu_tieu_ngu_and_date(exported):
    _, d = exported()
    header = d.tables[0]
    assert "w:tblBorders" in header._tbl.xml and 'w:val="single"' not in header._tbl.tblPr.xml
    agency = para(d, "XÃ TÂN PHÚ")
    assert all(r.font.bold for r in runs_with_text(agency))
    qh = para(d, QUOC_HIEU)
    assert all(r.font.bold and Pt(12) <= r.font.size <= Pt(13) for r in runs_with_text(qh))
    tn = para(d, TIEU_NGU)
    assert all(r.font.bold and Pt(13) <= r.font.size <= Pt(14) for r in runs_with_text(tn))
    assert tn.alignment == WD_ALIGN_PARAGRAPH.CENTER
    assert para(d, "Số: ……/BC-UBND")
    date = para(d, "Tân Phú, ngày …… tháng …… năm 2025")
    assert all(r.font.italic for r in runs_with_text(date))
    # rules under the agency name and the tiêu ngữ
    assert header._tbl.xml.count("<w:pBdr>") == 2


def test_title_and_section_headings(exported):
    _, d = exported()
    title = para(d, "BÁO CÁO")
    assert title.alignment == WD_ALIGN_PARAGRAPH.CENTER
    assert all(r.font.bold and r.font.size == Pt(14) for r in runs_with_text(title))
    texts = [p.text for p in d.paragraphs]
    assert any("chuyển đổi số năm 2025" in t and "năm 2026" in t for t in texts)
    for heading in (
        "I. TỒN TẠI, HẠN CHẾ",
        "II. PHƯƠNG HƯỚNG, NHIỆM VỤ NĂM 2026",
        "1. Về hạ tầng số",
    ):
        assert all(r.font.bold for r in runs_with_text(para(d, heading)))
    assert all(r.font.italic for r in runs_with_text(para(d, "a) Nhiệm vụ trọng tâm")))


def test_signature_block(exported):
    _, d = exported()
    sig = d.tables[1]
    left, right = sig.cell(0, 0), sig.cell(0, 1)
    noi_nhan = left.paragraphs[0]
    assert noi_nhan.text == "Nơi nhận:"
    assert all(r.font.bold and r.font.italic and r.font.size == Pt(12) for r in noi_nhan.runs)
    lines = [p.text for p in left.paragraphs[1:]]
    assert lines[-1] == "- Lưu: VT." and all(t.startswith("- ") for t in lines)
    assert all(r.font.size == Pt(11) for p in left.paragraphs[1:] for r in p.runs)
    signer = [p for p in right.paragraphs if p.text.strip()]
    assert [p.text for p in signer[:3]] == ["TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH"]
    assert all(r.font.bold for p in signer for r in runs_with_text(p))
    assert len(right.paragraphs) - len(signer) >= 3  # room for the signature


def test_page_numbers_in_header_hidden_on_first_page(exported):
    _, d = exported()
    sec = d.sections[0]
    assert sec.different_first_page_header_footer
    header_xml = sec.header._element.xml
    assert "PAGE" in header_xml and 'w:fldCharType="begin"' in header_xml
    assert sec.header.paragraphs[0].alignment == WD_ALIGN_PARAGRAPH.CENTER
    assert "PAGE" not in sec.first_page_header._element.xml


# ----------------------------------------------------------------------------- citations
def test_annex_lists_sources_on_a_new_page_and_is_removable(exported, tmp_path: Path):
    path, d = exported("annex")
    head = para(d, ANNEX_TITLE)
    assert head.paragraph_format.page_break_before
    body = d.element.body
    children = list(body)
    start = children.index(head._p)
    assert children.index(d.tables[1]._tbl) < start  # after the signature block
    annex = "\n".join(p.text for p in d.paragraphs if p._p in children[start:])
    for n, src in ((1, "bao-cao-cds-2025-tan-phu.docx"), (2, "bc-cds-2025-gia-phuc.pdf"),
                   (3, "ke-hoach-cds-2026.docx")):  # fmt: skip
        assert f"[{n}] " in annex and src in annex
    assert "45%" in annex  # the number the verifier could not support
    assert "[3]" in body_text(d)  # the renumbered marker in section II

    # an officer deletes from the annex heading to the end in one go
    for el in children[start:]:
        if el.tag != qn("w:sectPr"):
            body.remove(el)
    d.save(str(tmp_path / "trimmed.docx"))
    trimmed = docx.Document(str(tmp_path / "trimmed.docx"))
    text = body_text(trimmed)
    assert ANNEX_TITLE not in text and ".docx" not in text and ".pdf" not in text
    assert "PHÓ CHỦ TỊCH" in text
    assert trimmed.sections[0].page_width == d.sections[0].page_width


def test_none_strips_markers_and_has_no_annex(exported):
    _, d = exported("none")
    text = body_text(d)
    assert not MARKER.search(text)
    assert ANNEX_TITLE not in text
    assert "thấp hơn chỉ tiêu của tỉnh giao. Nguyên nhân" in text
    assert "còn kiêm nhiệm;" in text
    assert "footnoteReference" not in d.element.xml


def test_footnotes_are_real_word_footnotes(exported):
    path, d = exported("footnotes")
    assert not MARKER.search(body_text(d)) and ANNEX_TITLE not in body_text(d)
    refs = d.element.body.findall(".//" + qn("w:footnoteReference"))
    assert len(refs) == 5  # [1], [2], [1, 2], [3]
    with zipfile.ZipFile(path) as z:
        notes = z.read("word/footnotes.xml").decode()
        types = z.read("[Content_Types].xml").decode()
        rels = z.read("word/_rels/document.xml.rels").decode()
        settings = z.read("word/settings.xml").decode()
    assert "footnotes+xml" in types and "relationships/footnotes" in rels
    assert "<w:footnotePr>" in settings
    assert 'w:type="separator"' in notes and notes.count("<w:footnoteRef/>") == 5
    assert "ke-hoach-cds-2026.docx" in notes and "Times New Roman" in notes
    ids = {r.get(qn("w:id")) for r in refs}
    assert ids == {"1", "2", "3", "4", "5"}


# ----------------------------------------------------------------------------- rendering
def test_libreoffice_renders_a_pdf(tmp_path: Path):
    office = shutil.which("libreoffice") or shutil.which("soffice")
    if not office:
        pytest.skip("LibreOffice is not installed")
    pypdf = pytest.importorskip("pypdf")
    src = export_docx(sample_draft(), tmp_path / "bao-cao.docx")
    profile = (tmp_path / "lo-profile").as_uri()
    subprocess.run(
        [office, f"-env:UserInstallation={profile}", "--headless", "--convert-to", "pdf",
         "--outdir", str(tmp_path), str(src)],
        check=True, capture_output=True, timeout=180,
    )  # fmt: skip
    reader = pypdf.PdfReader(str(tmp_path / "bao-cao.pdf"))
    assert len(reader.pages) >= 1
    first = reader.pages[0].extract_text()
    assert "BÁO CÁO" in first and "Hạnh phúc" in first
