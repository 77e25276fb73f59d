"""A question understood once: kinds, communes (known and unknown), years, follow-ups."""

from __future__ import annotations

import pytest

from assistant.qa.question import understand

COMMUNES = ["An Khánh", "Giao Minh", "Đại Sơn", "Tân An", "Gia Phúc"]


@pytest.mark.parametrize(("question", "kind"), [
    ("Tân An có bao nhiêu ấp?", "figure"),
    ("tan an KH so may ve nang cao chat luong DVC truc tuyen", "figure"),
    ("Giao Minh số máy tính", "figure"),
    ("Ai ký báo cáo của xã Gia Phúc?", "entity"),
    ("Các trường ở Tân An dùng phần mềm nào để quản lý học sinh?", "entity"),
    ("Những tồn tại về dữ liệu số của An Khánh là gì?", "narrative"),
    ("Phương hướng năm 2026 của Đại Sơn về hạ tầng số gồm những gì?", "narrative"),
    ("Nguyên nhân nào khiến tỷ lệ dịch vụ công trực tuyến ở Gia Phúc còn thấp?", "narrative"),
    ("Xã nào đã lắp wifi công cộng ở nhà văn hóa thôn?", "which_commune"),
    ("An Khánh hay Đại Sơn tổ chức nhiều buổi tập huấn hơn?", "which_commune"),
    ("Theo QĐ 411, đến năm 2030 kinh tế số chiếm bao nhiêu phần trăm GDP?", "target"),
    ("Xã Tân An có wifi công cộng không?", "yes_no"),
])
def test_kinds(question: str, kind: str) -> None:
    assert understand(question, (), COMMUNES).kind == kind


def test_a_request_formula_is_not_a_recommendation_section() -> None:
    q = understand("Đề nghị cho biết số hiệu Quyết định ban hành Quy chế ATTT của xã An Khánh", (), COMMUNES)
    assert q.kind == "figure" and q.intent.kind == "docno" and not q.section_kinds


def test_communes_named_known_and_unknown() -> None:
    q = understand("So sánh xã An Khánh và xã Vĩnh Thạnh về tỷ lệ hồ sơ trực tuyến", (), COMMUNES)
    assert q.communes == ("An Khánh",) and q.unknown_communes == ("Vĩnh Thạnh",)
    q = understand("xa vinh thanh co bao nhieu to cong nghe so", (), COMMUNES)
    assert q.unknown_communes == ("Vinh Thanh",)
    assert understand("Xã hội số của Tân An phát triển ra sao?", (), COMMUNES).unknown_communes == ()
    assert understand("Xã nào có wifi?", (), COMMUNES).unknown_communes == ()
    # typed without accents, capitals or not
    assert understand("xa Thach Ban Thuong co bao nhieu to CNSCD?", (), COMMUNES).unknown_communes
    assert understand("xa thach ban co bao nhieu to CNSCD?", (), COMMUNES).unknown_communes == ("Thach Ban",)
    assert understand("Xa Nao co nhieu to CNSCD nhat?", (), COMMUNES).unknown_communes == ()
    # "xa" without accents in a question typed with them is "far", not a commune
    assert understand("Người ở xa Trung tâm hành chính công Tân An được hỗ trợ gì?", (), COMMUNES).unknown_communes == ()


def test_years_and_ranges() -> None:
    assert understand("Đề án 06 giai đoạn 2023-2025 yêu cầu gì?", (), COMMUNES).years == (2023, 2025)
    q = understand("Số hồ sơ năm 2024 của Gia Phúc?", (), COMMUNES)
    assert q.years == (2024,) and q.communes == ("Gia Phúc",)
    assert understand("Kế hoạch 02-KH/BCĐTW nói gì?", (), COMMUNES).years == ()


def test_the_commune_name_is_not_a_term_an_answer_must_state() -> None:
    q = understand("Tỷ lệ hồ sơ trực tuyến của xã Tân An là bao nhiêu?", (), COMMUNES)
    assert "tan" not in q.terms and "an" not in q.terms and "truc_tuyen" in q.terms
    assert "tan an" not in q.query.lower() and "tân an" not in q.query.lower()


@pytest.mark.parametrize(("history", "follow_up", "understood", "communes"), [
    (["Tỷ lệ hồ sơ trực tuyến của xã Gia Phúc là bao nhiêu?"], "Còn Đại Sơn thì sao?",
     "Tỷ lệ hồ sơ trực tuyến của xã Đại Sơn là bao nhiêu?", ("Đại Sơn",)),
    (["Tỷ lệ hồ sơ trực tuyến của xã Đại Sơn là bao nhiêu?"], "Năm 2023 thì sao?",
     "Tỷ lệ hồ sơ trực tuyến của xã Đại Sơn là bao nhiêu năm 2023?", ("Đại Sơn",)),
    (["Những tồn tại về dữ liệu số của An Khánh là gì?"], "Còn về nhân lực thì sao?",
     "Những tồn tại, hạn chế về nhân lực của xã An Khánh?", ("An Khánh",)),
    (["Tân An có bao nhiêu ấp?"], "Còn xã Vĩnh Thạnh?", "xã Vĩnh Thạnh có bao nhiêu ấp?", ()),
    # another attribute of the thing just asked about: the thing is put back in its words
    (["Đại Sơn kiện toàn Tổ công nghệ số cộng đồng theo quyết định nào?"], "Tổ này có bao nhiêu thành viên?",
     "Tổ công nghệ số cộng đồng có bao nhiêu thành viên của xã Đại Sơn?", ("Đại Sơn",)),
    (["Quyết định thành lập Ban chỉ đạo chuyển đổi số của xã Tân An số mấy?"], "Ký ngày nào?",
     "Quyết định thành lập Ban chỉ đạo chuyển đổi số ký ngày nào của xã Tân An?", ("Tân An",)),
    (["Xã Giao Minh có mấy công chức chuyên trách chuyển đổi số?"], "Họ học chuyên ngành gì?",
     "Công chức chuyên trách chuyển đổi số học chuyên ngành gì của xã Giao Minh?", ("Giao Minh",)),
    (["Ai ký báo cáo của xã Tân An?"], "Người đó giữ chức vụ gì?", "Ai ký báo cáo của xã Tân An?", ("Tân An",)),
    # a proposal "to fix it" after shortcomings of one pillar: the proposals about that pillar
    (["Dữ liệu số của Gia Phúc còn hạn chế gì?"], "Xã kiến nghị gì để khắc phục?",
     "Xã kiến nghị gì để khắc phục về Dữ liệu số của xã Gia Phúc?", ("Gia Phúc",)),
    # a document asked by what it came with ("… ban hành kèm quyết định số mấy?")
    (["Quy chế an toàn thông tin của Gia Phúc ban hành kèm quyết định số mấy?"], "Ngày nào?",
     "Quy chế an toàn thông tin ban hành kèm quyết định ngày nào của xã Gia Phúc?", ("Gia Phúc",)),
    (["Tân An còn tồn tại gì về nhân lực số?"], "Năm 2026 xã sẽ khắc phục thế nào?",
     "Năm 2026 xã sẽ khắc phục thế nào về nhân lực số của xã Tân An?", ("Tân An",)),
    # another part of the same thing, asked with "thì" in the middle
    (["Xã Tân An hoàn thành bao nhiêu nhiệm vụ giai đoạn 1 của Kế hoạch 02?"], "Giai đoạn 2 thì được bao nhiêu?",
     "Giai đoạn 2 được bao nhiêu ở xã Tân An?", ("Tân An",)),
    # another section of the report, naming no topic of its own
    (["Xã An Khánh còn những tồn tại gì về hạ tầng số?"], "Vậy xã kiến nghị cấp trên những gì?",
     "Đề xuất, kiến nghị của xã An Khánh?", ("An Khánh",)),
    # another indicator after what a guiding document requires: the same document
    (["Quyết định 126 yêu cầu bao nhiêu phần trăm hồ sơ được xử lý trực tuyến?"],
     "Thế còn tỷ lệ người trưởng thành dùng dịch vụ công trực tuyến?",
     "Theo Quyết định 126, tỷ lệ người trưởng thành dùng dịch vụ công trực tuyến là bao nhiêu?", ()),
])
def test_follow_ups_are_restated_from_the_question_before(history, follow_up, understood, communes) -> None:
    q = understand(follow_up, history, COMMUNES)
    assert q.understood_as == understood
    assert q.communes == communes
    assert q.inherited


def test_why_and_more_detail_keep_the_subject() -> None:
    prev = "Tỷ lệ hồ sơ trực tuyến của xã Gia Phúc là bao nhiêu?"
    why = understand("Vì sao?", [prev], COMMUNES)
    assert why.kind == "narrative" and why.cause and why.communes == ("Gia Phúc",)
    assert why.understood_as.startswith("Nguyên nhân")
    more = understand("Cụ thể hơn", ["Những tồn tại về dữ liệu số của An Khánh là gì?"], COMMUNES)
    assert more.detail and more.kind == "narrative" and more.communes == ("An Khánh",)


def test_a_map_is_not_a_pointer_and_every_proposal_is_not_about_the_last_topic() -> None:
    q = understand("Bản đồ số có bao nhiêu lớp dữ liệu?", ["Tân An có bao nhiêu ấp?"], COMMUNES)
    assert "ấp" not in q.understood_as
    q = understand("Xã kiến nghị cấp trên những gì?", ["Dữ liệu số của Gia Phúc còn hạn chế gì?"], COMMUNES)
    assert "Dữ liệu" not in q.understood_as and q.communes == ("Gia Phúc",)


def test_a_question_asked_in_full_is_not_a_follow_up() -> None:
    q = understand("Giao Minh có mấy máy photocopy?", ["Tân An có bao nhiêu ấp?"], COMMUNES)
    assert q.understood_as == "" and q.communes == ("Giao Minh",)


def test_a_follow_up_of_a_follow_up_resolves_the_chain() -> None:
    history = ["Tỷ lệ hồ sơ trực tuyến của xã Gia Phúc là bao nhiêu?", "Còn Đại Sơn thì sao?"]
    q = understand("Còn Tân An?", history, COMMUNES)
    assert q.understood_as == "Tỷ lệ hồ sơ trực tuyến của xã Tân An là bao nhiêu?"


def test_words_of_a_question_typed_with_accents_are_judged_with_accents() -> None:
    """"thông minh" is not "mình", and "Đài" is not the "Đại" of "Đại Sơn"."""
    q = understand("An Khánh hay Đại Sơn có Đài truyền thanh thông minh?", (), COMMUNES)
    assert {"minh", "dai"} <= q.terms
    assert "minh" not in understand("cho minh hoi xa dai son co bao nhieu thon", (), COMMUNES).terms


def test_chat_shorthand_is_written_out() -> None:
    q = understand("Tỷ lệ hồ sơ trực tuyến của xã Đại Sơn là bn", (), COMMUNES)
    assert q.kind == "figure" and "bao nhiêu" in q.text
    # typed without accents, it is written out without them, so the question is still read as unaccented
    q = understand("ty le ho so truc tuyen cua xa dai son la bn", (), COMMUNES)
    assert q.kind == "figure" and "bao nhieu" in q.text and "co" not in q.terms


def test_an_unaccented_question_with_an_abbreviation_still_counts_as_unaccented() -> None:
    # "CBCC" is spelled out with accents; "co" and "nhieu" are still asking words, not what is asked
    q = understand("xa giao minh co bao nhieu CBCC vay", (), COMMUNES)
    assert {"co", "nhieu", "vay"}.isdisjoint(q.terms) and "can_bo" in q.terms


def test_the_last_question_word_says_what_is_counted() -> None:
    from assistant.qa.intent import intent_of

    assert intent_of("Mấy tổ công nghệ số đã chỉ cho bao nhiêu bà con?").focus == ["ba", "con"]



def test_a_long_conversation_reads_only_its_last_questions() -> None:
    """The web keeps every earlier question; understanding reads the last MAX_HISTORY of them, so a
    chat of a thousand questions is answered (it used to end in a RecursionError)."""
    from assistant.qa.question import MAX_HISTORY

    history = ["Xã Đại Sơn có bao nhiêu thôn?"] * 1000 + ["Xã Tân An có bao nhiêu ấp?"]
    assert understand("Còn Gia Phúc thì sao?", history, COMMUNES).communes == ("Gia Phúc",)
    near = ["Xã Tân An có bao nhiêu ấp?"] + ["Tổ công nghệ số cộng đồng có bao nhiêu thành viên?"] * (MAX_HISTORY - 1)
    assert understand("Còn máy tính thì mấy cái?", near, COMMUNES).communes == ("Tân An",)


def test_the_subject_of_an_earlier_question_leaves_out_commune_year_and_asking_words() -> None:
    from assistant.qa.followup import subject_of

    prev = understand("Năm 2025 tỷ lệ hồ sơ nộp trực tuyến của Giao Minh đạt bao nhiêu?", (), COMMUNES)
    assert subject_of(prev) == "tỷ lệ hồ sơ nộp trực tuyến"
    goal = understand("QĐ 1565 yêu cầu mức hài lòng với dịch vụ công năm 2026 là bao nhiêu?", (), COMMUNES)
    assert subject_of(goal) == "tỷ lệ mức hài lòng với dịch vụ công"


def test_this_indicator_is_the_indicator_asked_just_before() -> None:
    history = ["Tỷ lệ người dân có chữ ký số cá nhân ở Gia Phúc là bao nhiêu?"]
    q = understand("Gia Phúc kiến nghị gì để nâng chỉ tiêu này?", history, COMMUNES)
    assert "chỉ tiêu tỷ lệ người dân có chữ ký số cá nhân" in q.understood_as
    assert q.kind == "narrative" and q.communes == ("Gia Phúc",) and "nội dung" in q.inherited


def test_what_a_commune_achieved_after_a_goal_keeps_the_indicator() -> None:
    history = ["Theo Kế hoạch 02, đến cuối năm 2025 tỷ lệ người dân có điện thoại thông minh phải đạt bao nhiêu?"]
    q = understand("Vậy Tân An làm được bao nhiêu?", history, COMMUNES)
    assert q.understood_as.startswith("Tỷ lệ người dân có điện thoại thông minh của xã Tân An")
    assert q.kind == "figure" and q.intent.kind == "percent" and not q.intent.wants_target
    history = ["Giao Minh đề ra chỉ tiêu năm 2026 cho tỷ lệ hồ sơ nộp trực tuyến là bao nhiêu?"]
    q = understand("Còn năm 2025 thực tế đạt bao nhiêu?", history, COMMUNES)
    assert q.communes == ("Giao Minh",) and q.years == (2025,) and "hồ sơ nộp trực tuyến" in q.understood_as


def test_the_goal_of_another_year_for_the_same_indicator() -> None:
    history = ["Năm 2025 tỷ lệ hồ sơ nộp trực tuyến của Giao Minh đạt bao nhiêu?"]
    q = understand("Năm 2026 xã phấn đấu chỉ tiêu này bao nhiêu?", history, COMMUNES)
    assert q.years == (2026,) and q.communes == ("Giao Minh",) and q.intent.wants_target
    assert "hồ sơ nộp trực tuyến" in q.understood_as


@pytest.mark.parametrize(("question", "kind"), [
    ("Xã Đại Sơn đã có giải pháp sao lưu dữ liệu lên đám mây chưa?", "yes_no"),  # "mây" is no "mấy"
    ("Xã Đại Sơn có mấy máy chủ?", "figure"),
    ("xa dai son co may may chu", "figure"),  # typed without accents: "may" may well ask how many
])
def test_a_cloud_or_a_machine_is_not_how_many(question: str, kind: str) -> None:
    assert understand(question, (), COMMUNES).kind == kind


@pytest.mark.parametrize(("question", "kind"), [
    ("ti le nguoi dan co chu ky so ca nhan xa gia phuc dat bao nhieu", "percent"),  # "tỉ lệ" as well as "tỷ lệ"
    ("Sau sáp nhập, xã Tân An có tổng dân số bao nhiêu người?", "count"),  # "dân số bao nhiêu": no document
    ("Kế hoạch chuyển đổi số của xã Tân An là số bao nhiêu?", "docno"),
])
def test_what_kind_of_figure_is_asked(question: str, kind: str) -> None:
    assert understand(question, (), COMMUNES).intent.kind == kind


def test_a_goal_asked_of_a_document_only_is_the_goal_of_what_was_just_asked() -> None:
    history = ["Tân An có bao nhiêu phần trăm người dân dùng điện thoại thông minh?"]
    q = understand("Theo Kế hoạch 02 thì đến cuối 2025 phải đạt bao nhiêu?", history, COMMUNES)
    assert q.kind == "target" and "điện thoại thông minh" in q.understood_as


def test_more_detail_about_one_aspect_narrows_the_earlier_question() -> None:
    history = ["Những khó khăn của Đại Sơn khi làm chuyển đổi số là gì?"]
    q = understand("Nói rõ hơn về nhân lực được không?", history, COMMUNES)
    assert q.detail and q.kind == "narrative" and q.communes == ("Đại Sơn",)
    assert "nhân lực" in q.understood_as and "được không" not in q.understood_as


def test_another_commune_for_the_same_thing_keeps_the_question() -> None:
    history = ["Ai ký báo cáo chuyển đổi số của xã Tân An?"]
    q = understand("Còn báo cáo của Đại Sơn?", history, COMMUNES)
    assert q.kind == "entity" and q.communes == ("Đại Sơn",) and q.understood_as.startswith("Ai ký báo cáo")
    q = understand("Giai đoạn 2 thì sao?", ["Giai đoạn 1 theo KH 02, Tân An hoàn thành bao nhiêu nhiệm vụ?"],
                   COMMUNES)
    assert "Giai đoạn 2" in q.understood_as and "Giai đoạn 1" not in q.understood_as


def test_this_indicator_asked_in_a_conversation_about_one_commune_stays_with_it() -> None:
    history = ["Ở Gia Phúc, chỉ tiêu tỷ lệ hộ gia đình có cáp quang trên 80% đã đạt chưa?"]
    q = understand("Đơn vị nào chủ trì chỉ tiêu này?", history, COMMUNES)
    assert q.communes == ("Gia Phúc",) and q.kind == "entity"
    assert "hộ gia đình có cáp quang" in q.understood_as and "80" not in q.understood_as


def test_how_satisfied_asks_a_percent() -> None:
    q = understand("Người dân Đại Sơn có vừa lòng khi đi làm giấy tờ ở xã không, mức độ là bao nhiêu?", (), COMMUNES)
    assert q.intent.kind == "percent"
