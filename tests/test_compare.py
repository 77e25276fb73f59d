"""Peer comparison: paragraphs, pillars, diff, peers from other communes, CLI contract and errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from assistant.compare.peers import (
    PeerComparer,
    UnknownCommune,
    chunk_paragraphs,
    classify_pillar,
    guess_kind,
    inline_diff,
    passage_units,
    shared_phrases,
    split_paragraphs,
    word_diff,
)
from assistant.qa.retriever import Retriever
from assistant.text.normalize import fold

from .conftest import run_cli


@pytest.fixture(scope="module")
def comparer(seed_index):  # noqa: ANN001
    r = Retriever(seed_index)
    yield PeerComparer(r)
    r.close()


def _run(args: list[str], settings) -> object:  # noqa: ANN001
    from assistant.cli.main import main

    env = {"ASSISTANT_INDEX_DIR": str(settings.index_dir), "ASSISTANT_EMBEDDINGS": "hash-test"}
    return CliRunner().invoke(main, args, env=env)


DRAFT = """# Báo cáo chuyển đổi số xã Đại Sơn (bản nháp)

## Tồn tại, hạn chế

- Trang thiết bị CNTT cho các thôn còn thiếu, máy tính cấu hình thấp.
- Một bộ phận cán bộ lớn tuổi chưa thành thạo kỹ năng số.

Người dân còn thói quen dùng tiền mặt, ngại nộp hồ sơ trực tuyến
nên tỷ lệ thanh toán trực tuyến chưa cao.

## Đề xuất, kiến nghị

- Đề nghị thành phố hỗ trợ kinh phí mua sắm thiết bị cho Tổ công nghệ số cộng đồng.
"""


# ---------------------------------------------------------------- small pure parts


@pytest.mark.parametrize("text, pillar", [
    ("Nguồn kinh phí dành cho chuyển đổi số còn hạn hẹp, chủ yếu là ngân sách xã.", "kinh_phi"),
    ("Chưa có nhân sự chuyên trách về công nghệ thông tin, cán bộ phải kiêm nhiệm.", "nhan_luc"),
    ("Máy chủ chưa có tường lửa cứng, nguy cơ mất an toàn thông tin.", "an_toan_thong_tin"),
    ("Đường truyền Internet tại trụ sở còn chậm, thiết bị đã cũ.", "ha_tang"),
    ("Nhiều hộ kinh doanh chưa đưa sản phẩm OCOP lên sàn thương mại điện tử.", "kinh_te_so"),
    ("Việc làm sạch dữ liệu dân cư chưa hoàn thành.", "du_lieu"),
    ("Tỷ lệ hồ sơ trực tuyến của thủ tục hành chính còn thấp.", "chinh_quyen_so"),
    ("Người dân lớn tuổi còn e ngại, chưa có thói quen sử dụng VNeID.", "xa_hoi_so"),
    ("Trên đây là báo cáo của Ủy ban nhân dân xã.", None),
])
def test_pillar_classifier(text, pillar):
    assert classify_pillar(text) == pillar


def test_chunk_paragraphs_drop_headings_labels_and_stray_footnotes():
    text = ("4.2. Tồn tại, hạn chế\n- Tỷ lệ cán bộ lớn tuổi thành thạo CNTT còn ít.\n"
            "1 Cụ thể: 12 bàn quầy tiếp nhận, 08 bộ máy tính để bàn, 08 máy in cá nhân.\n"
            "- Một bộ phận cán bộ, công chức cơ sở còn thiếu kỹ năng công nghệ.\n"
            "- Tồn tại, hạn chế: Đề xuất nhân rộng mô hình “Tổ công nghệ số cộng đồng\n"
            "- Hướng dẫn học trực tuyến”, mô hình còn cần phát triển.")
    assert chunk_paragraphs(text) == [
        "Tỷ lệ cán bộ lớn tuổi thành thạo CNTT còn ít.",
        "Một bộ phận cán bộ, công chức cơ sở còn thiếu kỹ năng công nghệ.",
        "Đề xuất nhân rộng mô hình “Tổ công nghệ số cộng đồng - Hướng dẫn học trực tuyến”, mô hình còn cần phát triển.",
    ]


def test_split_paragraphs_of_a_draft_and_guess_their_section():
    paras = split_paragraphs(DRAFT)
    assert [guess_kind(h) for h, _ in paras] == ["ton_tai", "ton_tai", "ton_tai", "de_xuat"]
    assert paras[2][1] == ("Người dân còn thói quen dùng tiền mặt, ngại nộp hồ sơ trực tuyến "
                           "nên tỷ lệ thanh toán trực tuyến chưa cao.")
    assert paras[0][1].startswith("Trang thiết bị")  # list marks dropped
    assert guess_kind("Kết quả đạt được") == "ket_qua" and guess_kind(None) is None


def test_word_diff_keeps_both_texts_and_names_shared_phrases():
    a = "Năng lực của các Tổ công nghệ số cộng đồng chưa đồng đều."
    b = "Kỹ năng của các Tổ công nghệ số cộng đồng còn chưa đồng đều, thiếu thiết bị."
    diff = word_diff(a, b)
    assert {d["op"] for d in diff} <= {"equal", "insert", "delete", "replace"}
    norm = lambda s: " ".join(s.replace(",", " ,").replace(".", " .").split())  # noqa: E731
    assert norm(" ".join(d["a"] for d in diff if d["a"])) == norm(a)
    assert norm(" ".join(d["b"] for d in diff if d["b"])) == norm(b)
    assert "của các Tổ công nghệ số cộng đồng" in shared_phrases(diff)
    line = inline_diff(diff)
    assert "[-Năng lực-]" in line and "{+Kỹ năng+}" in line


# ---------------------------------------------------------------- peers


def test_dai_son_shortcomings_get_three_other_communes_and_never_itself(comparer):
    res = comparer.compare_commune("Đại Sơn", "ton_tai", k=3)
    assert res.commune == "Đại Sơn" and len(res.items) >= 8
    for item in res.items:
        communes = {p.commune for p in item.peers}
        assert "Đại Sơn" not in communes
        assert len(communes) >= 3, item.text
        assert all(p.text and p.source.endswith(".txt") for p in item.peers)
        sims = [p.similarity for p in item.peers]
        assert all(-1.0 <= s <= 1.0 for s in sims)


@pytest.mark.parametrize("commune, section", [
    ("An Khánh", "all"), ("Tân An", "ton_tai"), ("gia phuc", "de_xuat"), ("xã Giao Minh", "phuong_huong"),
])
def test_compare_never_returns_the_commune_itself(comparer, commune, section):
    res = comparer.compare_commune(commune, section, k=4)
    own = fold(res.commune)
    assert res.items
    for item in res.items:
        assert all(fold(p.commune) != own for p in item.peers)
        assert item.section_kind in ("ket_qua", "ton_tai", "de_xuat", "phuong_huong")
    for m in res.missing_pillars:
        assert all(fold(p.commune) != own for p in m.examples)


def test_peers_come_from_the_same_section_kind(comparer, seed_index):
    r = Retriever(seed_index)
    try:
        kind_of = {}
        for c in r.chunks:
            for p in chunk_paragraphs(c.text):
                kind_of.setdefault(p, set()).add(c.section_kind)
    finally:
        r.close()
    res = comparer.compare_commune("Đại Sơn", "de_xuat", k=2)
    for item in res.items:
        for p in item.peers:
            assert any("de_xuat" in kinds for para, kinds in kind_of.items() if p.text in para)


def test_missing_pillars_name_what_peers_report(comparer):
    res = comparer.compare_commune("Đại Sơn", "ton_tai")
    missing = {m.pillar: m for m in res.missing_pillars}
    assert "kinh_phi" in missing  # peers write about money; Đại Sơn's shortcomings never do
    examples = missing["kinh_phi"].examples
    assert len({e.commune for e in examples}) >= 2
    assert all("kinh phí" in e.text.lower() or "ngân sách" in e.text.lower() for e in examples)
    data = missing["kinh_phi"].to_json()
    assert data["label"] == "Kinh phí" and {"commune", "text"} <= set(data["peers"][0])
    # a section that mentions money has nothing missing on that pillar
    draft = comparer.compare_text("Kinh phí cho chuyển đổi số còn hạn hẹp, ngân sách xã chưa bố trí đủ.",
                                  "ton_tai", commune="Đại Sơn")
    assert "kinh_phi" not in {m.pillar for m in draft.missing_pillars}


def test_pasted_draft_is_compared_and_its_commune_left_out(comparer):
    res = comparer.compare_text(DRAFT, "all", k=3)
    assert res.commune == "Đại Sơn"  # named in the draft
    assert [i.section_kind for i in res.items] == ["ton_tai", "ton_tai", "ton_tai", "de_xuat"]
    for item in res.items:
        assert item.peers and all(p.commune != "Đại Sơn" for p in item.peers)
    assert res.items[0].pillar == "ha_tang"


def test_unknown_commune_lists_the_known_ones(comparer):
    with pytest.raises(UnknownCommune) as err:
        comparer.compare_commune("Hà Nội", "ton_tai")
    assert err.value.known == ["An Khánh", "Gia Phúc", "Giao Minh", "Tân An", "Đại Sơn"]


# ---------------------------------------------------------------- CLI


def test_cli_json_contract(seed_index):
    res = _run(["compare", "--commune", "Đại Sơn", "--section", "ton_tai", "--k", "3", "--json"], seed_index)
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert {"commune", "section", "items", "missing_pillars", "similarity"} <= set(data)
    assert data["commune"] == "Đại Sơn" and data["section"] == "ton_tai"
    assert data["similarity"] == "dense:hash-test"
    item = data["items"][0]
    assert {"text", "pillar", "peers"} <= set(item)
    peer = item["peers"][0]
    assert {"commune", "source", "section", "text", "similarity", "diff"} <= set(peer)
    assert {"op", "a", "b"} == set(peer["diff"][0])
    assert {"pillar", "label", "peers"} <= set(data["missing_pillars"][0])


def test_cli_terminal_output_marks_differences(seed_index):
    res = _run(["compare", "--commune", "dai son", "--section", "ton_tai"], seed_index)
    assert res.exit_code == 0, res.output
    out = res.stdout
    assert "xã Đại Sơn" in out and "→ xã An Khánh" in out and "→ xã Đại Sơn" not in out
    assert "[-" in out and "{+" in out
    assert "Kinh phí" in out  # peers also report …


def test_cli_text_draft_txt_and_docx(seed_index, tmp_path):
    md = tmp_path / "nhap.md"
    md.write_text(DRAFT, encoding="utf-8")
    res = _run(["compare", "--text", str(md), "--json"], seed_index)
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert len(data["items"]) == 4 and data["commune"] == "Đại Sơn"

    import docx

    doc = docx.Document()
    doc.add_paragraph("Tồn tại, hạn chế")
    doc.add_paragraph("Hạ tầng mạng tại một số thôn chưa ổn định, thiết bị CNTT còn thiếu.")
    doc.add_paragraph("Một bộ phận người dân chưa quen sử dụng dịch vụ công trực tuyến.")
    path = tmp_path / "nhap.docx"
    doc.save(path)
    res = _run(["compare", "--text", str(path), "--section", "ton_tai", "--k", "2", "--json"], seed_index)
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert data["commune"] is None
    assert [len(i["peers"]) for i in data["items"]] == [2, 2]


@pytest.mark.parametrize("args, needle", [
    (["compare"], "--commune"),
    (["compare", "--commune", "Hà Nội"], "Đại Sơn"),
    (["compare", "--text", "khong_co.txt"], "khong_co.txt"),
])
def test_cli_bad_inputs_exit_2_with_a_plain_message(seed_index, args, needle):
    res = _run(args, seed_index)
    assert res.exit_code == 2
    assert needle in res.stderr and "Traceback" not in res.output


def test_cli_unreadable_text_file(seed_index, tmp_path):
    binary = tmp_path / "nhap.txt"
    binary.write_bytes(b"\x00\x01\x02" * 100)
    res = _run(["compare", "--text", str(binary)], seed_index)
    assert res.exit_code == 2 and "nhap.txt" in res.stderr
    pdf = tmp_path / "nhap.pdf"
    pdf.write_bytes(b"%PDF-1.4")
    res = _run(["compare", "--text", str(pdf)], seed_index)
    assert res.exit_code == 2 and ".docx" in res.stderr


def test_done_when_with_the_real_embedder(e5_index: Path):
    """`assistant compare --commune "Đại Sơn" --section ton_tai`: ≥3 other communes per paragraph, never itself."""
    proc = run_cli(["compare", "--commune", "Đại Sơn", "--section", "ton_tai", "--json"], index_dir=e5_index)
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert data["similarity"].startswith("dense:e5")
    assert len(data["items"]) >= 8
    for item in data["items"]:
        communes = {p["commune"] for p in item["peers"]}
        assert "Đại Sơn" not in communes and len(communes) >= 3


# ---------------------------------------------------------------- exact quotes, levels, stored vectors


def _norm(text: str) -> str:
    return " ".join(text.split())


@pytest.mark.parametrize("section", ["ton_tai", "phuong_huong", "de_xuat"])
def test_peer_text_is_quoted_exactly_as_the_report_writes_it(comparer, section):
    """Both sides of the diff, put back together, are the texts as written: case, spacing and
    punctuation kept ("chưa", not "Chưa"; "TTHC/DVC", not "TTHC / DVC"), and each peer passage is
    found in its source chunk."""
    from assistant.compare.diff import diff_segments

    res = comparer.compare_commune("Đại Sơn", section, k=3)
    sources = {c.chunk_id: _norm(c.text) for c in comparer.r.chunks}
    checked = 0
    for item in res.items:
        for p in item.peers:
            assert "".join(piece for piece, _ in diff_segments(p.diff, p.text, "b")) == p.text
            assert "".join(piece for piece, _ in diff_segments(p.diff, item.text, "a")) == item.text
            assert any(_norm(p.text) in text for text in sources.values()), p.text
            checked += 1
    assert checked >= 5


def test_the_web_page_shows_peer_text_unaltered(comparer):
    import html as html_lib
    import re

    pytest.importorskip("gradio", reason="the web extra is not installed")
    from assistant.web.tab_compare import comparison_html

    res = comparer.compare_commune("Đại Sơn", "ton_tai", k=3)
    page = comparison_html(res)
    shown = [html_lib.unescape(re.sub(r"<[^>]+>", "", t)) for t in re.findall(r"<div class='peer-text'>(.*?)</div>", page)]
    expected = [p.text for item in res.items for p in item.peers]
    assert shown == expected


def test_levels_tell_a_copied_paragraph_from_an_unrelated_one(comparer):
    source = next(c for c in comparer.r.chunks if c.commune == "Tân An" and c.section_kind == "ton_tai")
    para = max(chunk_paragraphs(source.text), key=len)
    copied = comparer.compare_text(para, "ton_tai", k=2, commune="Đại Sơn").items[0]
    best = copied.peers[0]
    assert best.commune == "Tân An" and _norm(para) in _norm(best.text) or _norm(best.text) in _norm(para)
    assert best.level == "rat_gan" and best.percentile >= 0.9
    unrelated = comparer.compare_text("Đội bóng đá thanh niên của xã giành cúp vô địch giải giao hữu mùa hè.",
                                      "ton_tai", k=2, commune="Đại Sơn").items[0]
    assert unrelated.peers and all(p.level == "khac" for p in unrelated.peers)
    data = best.to_json()
    assert data["level"] == "rat_gan" and data["level_label"] == "rất gần" and 0 <= data["percentile"] <= 1


def test_levels_are_spread_over_a_commune_s_section(comparer):
    """Calibrated on the usual best match between communes, not on any pair: not everything is «rất gần»."""
    from collections import Counter

    res = comparer.compare_commune("Đại Sơn", "ton_tai", k=2)
    levels = Counter(p.level for item in res.items for p in item.peers)
    assert len(levels) >= 2 and levels["rat_gan"] < sum(levels.values()) / 2


def test_peer_passages_are_scored_with_the_stored_vectors(seed_index):
    """Comparing a commune's section embeds its own paragraphs (and a fixed sample, once per
    section kind for the levels) — never the peer passages, whose vectors the index holds."""
    r = Retriever(seed_index)
    try:
        embedded: list[str] = []
        real = r.embedder.embed_batch

        def counting(texts, *, query):  # noqa: ANN001, ANN202
            embedded.extend(texts)
            return real(texts, query=query)

        r.embedder.embed_batch = counting
        from assistant.compare.similarity import NULL_PARAGRAPHS

        comparer = PeerComparer(r)
        res = comparer.compare_commune("Đại Sơn", "ton_tai", k=3)
        weighed = {u for item in res.items for c in comparer._peer_chunks(item.text, "ton_tai", "Đại Sơn")
                   for para in comparer._chunk_paras(c) for u in passage_units(para)}
        assert len(weighed) > 2 * (len(res.items) + NULL_PARAGRAPHS)  # many peer passages were weighed …
        assert len(embedded) <= len(res.items) + NULL_PARAGRAPHS  # … only the paragraphs were embedded
        embedded.clear()
        comparer.compare_commune("Đại Sơn", "ton_tai", k=3)  # the same section again: nothing new
        assert embedded == []
    finally:
        r.close()
