"""A figure answers a question about its subject: a document's number counts nothing, a science
portfolio is no training course, and everyday words ("đội", "bên Giao Minh") do not hide the subject."""

from __future__ import annotations

import pytest

from assistant.app import Assistant
from assistant.indicators.asked import asked_rule
from assistant.qa.intent import candidates, intent_of
from assistant.text.normalize import fold


def test_the_number_in_a_documents_name_counts_nothing() -> None:
    intent = intent_of("Trung tâm có bao nhiêu người?")
    text = "Trung tâm thực hiện tốt Đề án 06 giai đoạn 2 và bố trí 09 người."
    assert [f.raw for f in candidates(text, intent)] == ["09"]


def test_science_and_technology_is_no_training_course() -> None:
    q = "Xã giao mấy công chức lo riêng mảng khoa học công nghệ và chuyển đổi số?"
    rule = asked_rule(fold(q), "count", ["cong", "chuc"])
    assert rule is None or "boi_duong" not in rule.id
    trained = asked_rule(fold("Có bao nhiêu công chức được đi học khóa học kỹ năng số?"), "count",
                         ["cong", "chuc"])
    assert trained is not None and trained.id == "so_cbcc_boi_duong_ky_nang_so"


@pytest.mark.parametrize(("question", "history", "headline"), [
    # "đội" is the report's "tổ"; "ứng cứu" its "xử lý sự cố"
    ("Đội ứng cứu giúp dân làm thủ tục của xã An Khánh có mấy người?", [], "14"),
    # "bên Giao Minh" says only where; "VNeID mức độ 2" names a level, not how many activated it
    ("Bên Giao Minh bao nhiêu người dân đã kích hoạt tài khoản định danh trên điện thoại?", [], "14.590"),
    # "gần 100 bài viết" is a year's total; asked per week, the weekly range, kept whole
    ("Hằng tuần xã Đại Sơn phát mấy tin bài về chuyển đổi số trên loa truyền thanh?", [], "3-5 tin"),
    # Gia Phúc's table: online public services 35% > 50%, online health advice ~25% > 30%
    ("Mục tiêu đặt ra là bao nhiêu?",
     ["Tỷ lệ người trưởng thành dùng dịch vụ công trực tuyến ở Gia Phúc là bao nhiêu?"], "50%"),
    # the teams' members (165) are not the members who were trained (163)
    ("Xã An Khánh có bao nhiêu thành viên tổ công nghệ số cộng đồng đã được tập huấn?", [], "163"),
    # the goal of the year asked, not a 2025 result that ranks higher
    ("Năm 2026 định làm gì, chỉ tiêu hồ sơ nộp trực tuyến là bao nhiêu?",
     ["Xã Giao Minh đã làm được gì về chuyển đổi số năm 2025?"], "40%"),
    # the plan's own number, not the 57 of "Nghị quyết 57" it names
    ("Kế hoạch chuyển đổi số xã Tân An trong năm 2025 có số hiệu là gì?", [], "537/KH-UBND"),
])
def test_the_headline_is_the_figure_of_the_subject_asked(assistant: Assistant, question: str,
                                                         history: list[str], headline: str) -> None:
    ans = assistant.ask(question, history=history)
    assert ans.found and ans.answer.startswith(headline)


def test_the_province_is_named_only_when_the_report_writes_it(assistant: Assistant) -> None:
    ans = assistant.ask("Xã Tân An thuộc tỉnh nào?")
    assert ans.found and ans.kind == "entity" and ans.answer.startswith("tỉnh An Giang")
    ans = assistant.ask("Xã Giao Minh thuộc tỉnh nào?")  # its report names no province
    assert not ans.found and "tỉnh" not in ans.answer.split("\n")[0].replace("Không tìm thấy", "")


def test_a_code_the_question_names_must_be_stated(assistant: Assistant) -> None:
    """"85%" of households with broadband and smartphones says nothing of 4G coverage."""
    ans = assistant.ask("Ở Tân An, điện thoại di động có bắt được mạng 4G khắp xã không, phủ tới bao nhiêu "
                        "phần trăm dân?")
    assert not ans.answer.startswith("85%")
    assert ans.found and ans.answer.startswith("100%") and "4G" in ans.answer


def test_a_standards_number_and_a_speed_count_nothing() -> None:
    from assistant.qa.intent import focus_figure

    intent = intent_of("Có bao nhiêu người được tập huấn?")
    assert candidates("Tập huấn ISO 9001 cho 25 người.", intent)[0].raw == "25"
    asked = intent_of("Có bao nhiêu vụ tấn công mạng?")
    text = "Đường truyền nội bộ 200 Mbps phục vụ công tác chuyên môn."
    assert focus_figure(text, asked, candidates(text, asked)) is None  # "phục vụ" is no "vụ"


def test_a_goal_row_still_being_carried_out_is_not_reached(assistant: Assistant) -> None:
    ans = assistant.ask("Tân An đã đạt chỉ tiêu trên 50% người trưởng thành có chữ ký số chưa?")
    assert ans.kind == "yes_no" and ans.answer.startswith("Chưa")
    assert "tình trạng: «Đang triển khai»" in ans.answer


def test_an_abbreviation_in_a_passage_stands_for_its_everyday_equivalent(assistant: Assistant) -> None:
    """"hồ sơ" is said "thủ tục hành chính", written "TTHC" in the report."""
    ev = assistant.answerer.evidence
    q = assistant.answerer.understand("Hồ sơ được trả đúng hẹn bao nhiêu phần trăm?")
    hoso = frozenset({"ho", "ho_so"})
    assert ev.coverage(hoso, "Tỷ lệ TTHC đúng hạn đạt 99%.", q.phrases) > 0
    ans = assistant.ask("Hồ sơ ở Tân An được trả đúng hẹn khoảng bao nhiêu phần trăm?")
    assert ans.found and ans.answer.startswith("99,73%")


def test_a_goal_asked_as_bao_nhieu_may_be_a_rate() -> None:
    intent = intent_of("Năm 2026 xã đề xuất chỉ tiêu hồ sơ nộp trực tuyến là bao nhiêu?")
    assert intent.kind == "count" and intent.wants_target
    text = "Phấn đấu tăng tỉ lệ hồ sơ nộp trực tuyến lên 40%."
    assert [f.raw for f in candidates(text, intent)] == ["40%"]
    assert candidates(text, intent_of("Xã có bao nhiêu hồ sơ nộp trực tuyến?")) == []


def test_where_a_report_was_sent_is_read_from_its_recipients(assistant: Assistant) -> None:
    ans = assistant.ask("Báo cáo đó gửi lên cơ quan nào?", history=["Ai ký báo cáo chuyển đổi số của xã An Khánh?"])
    assert ans.found and ans.kind == "entity"
    assert ans.answer.startswith("Sở Khoa học và Công nghệ thành phố — theo mục «Nơi nhận»")
    assert not assistant.ask("Báo cáo của xã Giao Minh gửi lên cơ quan nào?").answer.startswith(("TT", "Phòng"))
