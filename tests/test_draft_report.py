"""The whole drafted report as an officer checks it: suggestions for what the input leaves out,
kiến nghị for what the commune cannot do itself, binding targets, reporting periods, borrowed
wording in the commune's words, and one citation numbering everywhere (text, JSON, Markdown,
.docx annex)."""

from __future__ import annotations

import re
from pathlib import Path

import docx
import pytest
from docx.enum.text import WD_COLOR_INDEX

from assistant.domain import pillars
from assistant.domain.figures import load_figures
from assistant.drafting import draft_report
from assistant.drafting.adapt import Locale, settlement_of
from assistant.drafting.document import (
    SUGGESTION_MARK,
    DraftDocument,
    DraftSection,
    citation_line,
    is_suggestion,
    resolve_suggestions,
    suggestion_lines,
)
from assistant.drafting.suggestions import carries_figure, strip_figures
from assistant.export.docx import ANNEX_TITLE, export_docx
from assistant.export.text import to_markdown, to_text
from assistant.qa.retriever import Retriever
from assistant.records import Citation
from assistant.text.citations import cited
from assistant.text.normalize import fold

FIXTURES = Path(__file__).parent / "fixtures" / "drafting"
DAI_SON = FIXTURES / "dai_son_2025.yaml"
GIA_PHUC = FIXTURES / "gia_phuc_2025.yaml"
TAN_AN = FIXTURES / "tan_an_2025.yaml"
SEEDS = sorted(FIXTURES.glob("*_2025.yaml"))


@pytest.fixture(scope="module")
def retriever(seed_index):
    r = Retriever(seed_index)
    yield r
    r.close()


def section(doc, sid: str) -> str:
    return next(s.text for s in doc.sections if s.id == sid)


def drafted(retriever, path, **kw):
    figs = load_figures(path) if isinstance(path, Path) else path
    return draft_report(None, figs, retriever=retriever, exclude_communes=[figs.commune], **kw)


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "so_lieu.yaml"
    path.write_text(text, encoding="utf-8")
    return path


# ----------------------------------------------------------------------------- suggestions


@pytest.mark.parametrize("path", SEEDS, ids=lambda p: p.stem)
def test_suggestions_fill_uncovered_pillars_cited_figure_free_and_marked(retriever, path):
    figs = load_figures(path)
    doc = drafted(retriever, figs)
    tt = section(doc, "ton_tai")
    cites = {c.n: c for s in doc.sections for c in s.citations}
    by_pillar: dict[str, int] = {}
    heading = None
    for line in tt.split("\n"):
        if m := re.match(r"^[a-zđ]\) Về (.+)$", line):
            heading = m.group(1)
        if not is_suggestion(line):
            continue
        assert not carries_figure(line), line  # a suggestion never carries a figure
        (n,) = cited(line)
        assert fold(cites[n].commune) != fold(figs.commune)  # from another commune, cited
        pillar = next(p for p in pillars.PILLARS if pillars.heading(p) == heading)
        by_pillar[pillar] = by_pillar.get(pillar, 0) + 1
    assert by_pillar, "expected suggestions for the pillars the figures leave out"
    assert all(k <= 2 for k in by_pillar.values())
    # only for pillars the commune's own observations and missed targets do not speak of
    own_pillars = {pillars.primary(o) for o in figs.observations}
    assert not set(by_pillar) & own_pillars
    assert {x["pillar"] for x in doc.suggestions} == set(by_pillar)
    # every suggested line anywhere in the report carries the mark and no figure
    for s in doc.sections:
        for line in suggestion_lines(s.text):
            assert not carries_figure(line), line


def test_no_suggestions_means_none(retriever):
    doc = drafted(retriever, DAI_SON, suggestions=False)
    assert doc.suggestions == [] and not any(SUGGESTION_MARK in s.text for s in doc.sections)
    assert all(s.unsupported_numbers == [] for s in doc.sections)


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("Tỷ lệ hồ sơ trực tuyến tuy cao (80%) nhưng vẫn chưa đạt kỳ vọng.",
         "Tỷ lệ hồ sơ trực tuyến tuy cao nhưng vẫn chưa đạt kỳ vọng"),
        ("Hạ tầng mạng ở một số thôn vùng sâu còn yếu, chưa có cáp quang tới 3/12 thôn.",
         "Hạ tầng mạng ở một số thôn vùng sâu còn yếu"),
        ("3/12 thôn chưa có cáp quang.", None),
        ("Bên cạnh đó, các chính sách về tài chính cho chuyển đổi số cấp xã còn thiếu tính đột phá.",
         "Các chính sách về tài chính cho chuyển đổi số cấp xã còn thiếu tính đột phá"),
    ],
)
def test_figures_are_cut_out_of_a_suggestion_or_it_is_not_used(sentence, expected):
    assert strip_figures(sentence) == expected


def test_a_suggestion_never_contradicts_an_indicator_the_commune_met(retriever, tmp_path):
    path = write(tmp_path, "commune: Xã Thử\nyear: 2025\nindicators:\n"
                 '  - name: Tỷ lệ hồ sơ TTHC xử lý trực tuyến\n    value: 95%\n    target: "≥80%"\n')
    doc = drafted(retriever, path)
    for s in doc.suggestions:
        assert not ("hồ sơ trực tuyến" in s["shortcoming"].lower() and "chưa đạt" in s["shortcoming"])


def test_keeping_some_suggestions_and_deleting_the_rest():
    text = "\n".join([
        "2. Tồn tại, hạn chế trên từng lĩnh vực", "a) Về hạ tầng số", "- Trụ sở chật hẹp.",
        "b) Về dữ liệu số", f"- Dữ liệu chưa liên thông [1] {SUGGESTION_MARK}.",
        "c) Về kinh phí thực hiện", f"- Kinh phí hạn hẹp [2] {SUGGESTION_MARK}.",
        "3. Nguyên nhân", "- Nguyên nhân khách quan: địa bàn rộng.",
    ])  # fmt: skip
    assert suggestion_lines(text) == ["- Dữ liệu chưa liên thông [1].", "- Kinh phí hạn hẹp [2]."]
    out = resolve_suggestions(text, {"- Kinh phí hạn hẹp [2]."})
    assert out.split("\n") == [
        "2. Tồn tại, hạn chế trên từng lĩnh vực", "a) Về hạ tầng số", "- Trụ sở chật hẹp.",
        "b) Về kinh phí thực hiện", "- Kinh phí hạn hẹp [2].",
        "3. Nguyên nhân", "- Nguyên nhân khách quan: địa bàn rộng.",
    ]  # fmt: skip


# ----------------------------------------------------------------------------- kiến nghị


def test_what_the_commune_cannot_do_goes_to_the_province_as_a_kien_nghi(retriever):
    doc = drafted(retriever, TAN_AN)
    kn, ph = section(doc, "kien_nghi"), section(doc, "phuong_huong")
    assert "kính đề nghị UBND tỉnh An Giang, Sở Khoa học và Công nghệ" in kn
    assert "bảo đảm ổn định, thông suốt phần mềm dùng chung của tỉnh" in kn
    assert "hỗ trợ kinh phí cho các nhiệm vụ chuyển đổi số của xã" in kn  # funding
    assert "phần mềm dùng chung" not in ph  # not a task of the commune's own
    assert "Nguồn thu ngân sách" not in ph
    # drafted alone, Phương hướng keeps the task rather than lose it
    alone = drafted(retriever, TAN_AN, sections=["phuong_huong"])
    assert "phần mềm dùng chung của tỉnh" in section(alone, "phuong_huong")


def test_a_peer_kien_nghi_is_cited_as_a_model_and_a_city_is_named_as_such(retriever):
    doc = drafted(retriever, DAI_SON)
    kn = section(doc, "kien_nghi")
    assert "UBND thành phố Hải Phòng" in kn and "UBND tỉnh" not in kn
    for line in kn.split("\n"):
        for n in cited(line):
            c = next(c for s in doc.sections for c in s.citations if c.n == n)
            assert fold(c.commune) != fold("Đại Sơn")


def test_nothing_to_ask_says_so(tmp_path):
    path = write(tmp_path, "commune: Xã Thử\nyear: 2025\nobservations:\n  - Trụ sở còn chật hẹp.\n")
    doc = draft_report(None, path)
    assert section(doc, "kien_nghi") == "Không có đề xuất, kiến nghị."


# ----------------------------------------------------------------------------- binding targets


def test_own_target_met_but_the_binding_national_one_missed_is_named(retriever):
    doc = drafted(retriever, DAI_SON)
    gap = next(g for g in doc.gaps if g["name"] == "Tỷ lệ hồ sơ TTHC xử lý trực tuyến")
    assert (gap["status"], gap["target"], gap["binding_target"], gap["binding_met"]) == (
        "met", "≥70%", "≥80%", False)
    assert gap["binding_target_source"] == "Kế hoạch 02-KH/BCĐTW"
    line = next(x for x in section(doc, "ton_tai").split("\n") if "hồ sơ TTHC xử lý trực tuyến" in x)
    assert "71,2%" in line and "mục tiêu của xã (tối thiểu 70%)" in line
    assert "chưa đạt mục tiêu tối thiểu 80% (theo Kế hoạch 02-KH/BCĐTW" in line
    assert "8,8 điểm phần trăm" in line
    kq = section(doc, "ket_qua")
    assert "Tỷ lệ hồ sơ TTHC xử lý trực tuyến đạt 71,2%" in kq  # a result against its own aim
    ph = section(doc, "phuong_huong")
    assert re.search(r"hồ sơ TTHC xử lý trực tuyến[^\n]*tối thiểu 80%", ph)
    assert all(s.unsupported_numbers == [] for s in doc.sections)


def test_an_unmet_indicator_also_names_the_stricter_binding_target(retriever):
    tt = section(drafted(retriever, TAN_AN), "ton_tai")
    line = next(x for x in tt.split("\n") if "49,68%" in x)
    assert "tối thiểu 60%" in line and "cũng chưa đạt mục tiêu tối thiểu 80%" in line


def test_binding_targets_only_when_stricter_and_confidently_matched(tmp_path):
    path = write(tmp_path, "commune: Xã Thử\nyear: 2025\nindicators:\n"
                 '  - name: Tỷ lệ hồ sơ TTHC xử lý trực tuyến\n    value: 85%\n    target: "≥90%"\n'
                 "  - name: Tỷ lệ hồ sơ thực hiện dịch vụ công toàn trình, một phần\n"
                 "    value: 99,92%\n")
    doc = draft_report(None, path)
    own = next(g for g in doc.gaps if g["name"].startswith("Tỷ lệ hồ sơ TTHC"))
    assert own["status"] == "unmet" and own["binding_target"] is None  # its own aim is stricter
    assert "Kế hoạch 02" not in section(doc, "ton_tai")
    loose = doc.gaps[1]
    assert loose["binding_target"] is None  # a loose name match asserts no national target


# ----------------------------------------------------------------------------- periods


def test_a_quarterly_report_plans_the_next_quarter(retriever, tmp_path):
    doc = drafted(retriever, GIA_PHUC)
    assert (doc.period_label, doc.next_period_label) == ("quý III năm 2025", "quý IV năm 2025")
    ph = next(s for s in doc.sections if s.id == "phuong_huong")
    assert ph.title == "Phương hướng, nhiệm vụ quý IV năm 2025"
    assert ph.text.startswith("1. Mục tiêu, chỉ tiêu quý IV năm 2025")
    assert "năm 2026" not in ph.text
    assert section(doc, "ket_qua").startswith("Trong quý III năm 2025,")
    out = tmp_path / "q3.docx"
    export_docx(doc, out)
    texts = [p.text for p in docx.Document(str(out)).paragraphs]
    assert "Kết quả thực hiện chuyển đổi số quý III năm 2025,\nphương hướng, nhiệm vụ quý IV năm 2025" in texts
    assert "III. PHƯƠNG HƯỚNG, NHIỆM VỤ QUÝ IV NĂM 2025" in texts


def test_after_the_first_half_comes_the_second_and_its_figures_are_traced(tmp_path):
    base = DAI_SON.read_text(encoding="utf-8").replace(
        'period: "01/01/2025 - 20/11/2025"', 'period: "6 tháng đầu năm 2025"')
    doc = draft_report(None, write(tmp_path, base))
    ph = next(s for s in doc.sections if s.id == "phuong_huong")
    assert ph.title == "Phương hướng, nhiệm vụ 6 tháng cuối năm 2025"
    assert "2026" not in ph.text  # the next period is in the same year: this year's targets
    assert "đến hết 6 tháng cuối năm 2025" in ph.text or "trong 6 tháng cuối năm 2025" in ph.text
    assert all(s.unsupported_numbers == [] for s in doc.sections)  # "6" comes from the period


# ----------------------------------------------------------------------------- the commune's words


def test_borrowed_wording_uses_the_communes_own_settlement_word():
    a = Locale("xã", "ấp", "tỉnh")
    assert a.adapt("Trang thiết bị CNTT cho các thôn, tổ dân phố còn thiếu.") == (
        "Trang thiết bị CNTT cho các ấp còn thiếu.")
    assert a.adapt("Hỗ trợ mô hình Thôn thông minh ở các bản vùng cao.") == (
        "Hỗ trợ mô hình Ấp thông minh ở các ấp vùng cao.")
    assert a.adapt("Văn bản hướng dẫn cơ bản đã đủ.") == "Văn bản hướng dẫn cơ bản đã đủ."
    ward = Locale("phường", "", "thành phố")
    assert ward.adapt("UBND xã chỉ đạo cán bộ cấp xã phát triển xã hội số ở các thôn.") == (
        "UBND phường chỉ đạo cán bộ cấp xã phát triển xã hội số ở các tổ dân phố.")
    assert Locale().adapt("Đề nghị Thành phố hỗ trợ các xóm.") == "Đề nghị Thành phố hỗ trợ các khu dân cư."
    for former in ("Trang thiết bị của xã Bình Hòa (cũ) đã xuống cấp.",
                   "Dữ liệu của các xã cũ chưa được chuyển đổi.",
                   "Hạ tầng mạng chưa đồng bộ sau sáp nhập."):
        assert a.adapt(former) is None  # about another commune's merger: not used


def test_the_settlement_word_comes_from_the_file_or_the_communes_own_report(retriever, tmp_path):
    assert settlement_of(load_figures(DAI_SON)) == "thôn"  # "Số thôn"
    figs = load_figures(TAN_AN)
    figs.facts = [f for f in figs.facts if "ấp" not in f.name]
    assert settlement_of(figs) == ""
    own = [c.text for c in retriever.chunks if c.commune == "Tân An"]
    assert settlement_of(figs, own) == "ấp"  # "17 ấp" in its own indexed report
    doc = draft_report(None, figs, retriever=retriever)  # own report not excluded
    borrowed = [line for s in doc.sections for line in s.text.split("\n") if cited(line)]
    assert borrowed and not any(re.search(r"\b(?:thôn|xóm|tổ dân phố)\b", x) for x in borrowed)


# ----------------------------------------------------------------------------- Kết quả


def test_ket_qua_holds_results_only(tmp_path):
    path = write(tmp_path, "commune: Xã Thử\nyear: 2025\nindicators:\n"
                 '  - name: Tỷ lệ CBCC được bồi dưỡng kỹ năng số\n    value: 100%\n    target: "≥80%"\n'
                 '  - name: Tỷ lệ người dân có chữ ký số\n    value: 30%\n    target: ">50%"\n'
                 "facts:\n  - name: Số Tổ công nghệ số cộng đồng\n    value: 12\n"
                 "observations:\n  - Đã tổ chức Ngày Chuyển đổi số tại 12 thôn.\n"
                 "  - Trụ sở còn chật hẹp.\n")
    doc = draft_report(None, path)
    kq, tt = section(doc, "ket_qua"), section(doc, "ton_tai")
    assert re.search(r"đạt 100%, (?:hoàn thành )?vượt mục tiêu của xã \(tối thiểu 80%\)", kq)
    assert "Số Tổ công nghệ số cộng đồng: 12." in kq
    assert "Đã tổ chức Ngày Chuyển đổi số tại 12 thôn." in kq and "Ngày Chuyển đổi số" not in tt
    assert "chữ ký số" not in kq and "chữ ký số" in tt  # the unmet one is a shortcoming
    assert "Trụ sở còn chật hẹp" in tt and "Trụ sở" not in kq


# ----------------------------------------------------------------------------- one numbering


def _annex(path: Path) -> tuple[str, dict[int, str]]:
    """(body text before the annex, {n: annex entry text}) of an exported .docx."""
    paras = [p.text for p in docx.Document(str(path)).paragraphs]
    start = paras.index(ANNEX_TITLE)
    entries = {}
    for t in paras[start + 1:]:
        if m := re.match(r"^\[(\d+)\] (.+)$", t, re.S):
            entries[int(m.group(1))] = m.group(2)
    return "\n".join(paras[:start]), entries


@pytest.mark.parametrize("path", [DAI_SON, TAN_AN], ids=lambda p: p.stem)
def test_one_citation_numbering_in_text_json_markdown_and_docx(retriever, path, tmp_path):
    doc = drafted(retriever, path)
    data = doc.to_json()
    by_n = {}
    for s in data["sections"]:
        for c in s["citations"]:
            assert by_n.setdefault(c["n"], c) == c  # one passage per number across sections
        assert set(cited(s["text"])) == {c["n"] for c in s["citations"]}
    assert by_n and sorted(by_n) == list(range(1, len(by_n) + 1))
    # the .docx: each [n] of the body is annex entry n, and entry n quotes passage n
    out = export_docx(doc, tmp_path / "bao_cao.docx")
    body, entries = _annex(out)
    assert set(cited(body)) == set(entries) == set(by_n)
    for n, entry in entries.items():
        assert entry == citation_line(Citation(**by_n[n]))
    # Markdown and plain text list the same passage under the same number
    md, txt = to_markdown(doc), to_text(doc)
    for n, c in by_n.items():
        line = citation_line(Citation(**c), max_chars=300)
        assert f"- [{n}] {line}" in md and f"[{n}] {line}" in txt


def test_sections_numbered_apart_get_one_numbering_in_every_output(tmp_path):
    a = Citation(1, "d1", "a.txt", "xã A", "II", "Câu thứ nhất của xã A về hạ tầng mạng.")
    b = Citation(1, "d2", "b.txt", "xã B", "III", "Câu của xã B về dữ liệu dùng chung.")
    doc = DraftDocument("xã Thử", "", 2025, [
        DraftSection("ton_tai", "Tồn tại, hạn chế", "- Mạng yếu [1].", [a]),
        DraftSection("phuong_huong", "Phương hướng", "- Kết nối dữ liệu [1].", [b]),
    ])  # fmt: skip
    body, entries = _annex(export_docx(doc, tmp_path / "x.docx"))
    assert "Kết nối dữ liệu [2]" in body and entries[2] == citation_line(dataclass_n(b, 2))
    md = to_markdown(doc)
    assert "- Kết nối dữ liệu [2]." in md and f"- [2] {citation_line(b, max_chars=300)}" in md


def dataclass_n(c: Citation, n: int) -> Citation:
    return Citation(n, c.doc_id, c.source, c.commune, c.section, c.text)


def test_suggestions_are_highlighted_in_the_docx_and_nothing_else_is(retriever, tmp_path):
    doc = drafted(retriever, DAI_SON)
    d = docx.Document(str(export_docx(doc, tmp_path / "x.docx")))
    note = "Các đoạn tô vàng"  # the annex's note on suggestions, highlighted like them
    assert any(SUGGESTION_MARK in p.text and not p.text.startswith(note) for p in d.paragraphs)
    for p in d.paragraphs:
        runs = [r for r in p.runs if r.text.strip()]
        lit = {r.font.highlight_color == WD_COLOR_INDEX.YELLOW for r in runs}
        if SUGGESTION_MARK in p.text:
            assert lit == {True}, p.text
        else:
            assert True not in lit, p.text
        assert all(str(r.font.color.rgb) == "000000" for r in runs)  # text stays black
