"""Figure questions asked in everyday words are answered with the commune's figure for the one
indicator they mean, as the indicator table reads it; a question that means no single indicator
is left to the ordinary figure answer."""

from __future__ import annotations

import re

import pytest

from assistant.app import Assistant
from assistant.indicators.asked import asked_rule
from assistant.qa.answers.indicator import commune_mentions
from assistant.qa.intent import intent_of


def _rule_id(question: str) -> str | None:
    intent = intent_of(question)
    rule = asked_rule(question, intent.kind, intent.focus)
    return rule.id if rule else None


@pytest.mark.parametrize(("question", "indicator"), [
    ("Ở xã mình bao nhiêu phần trăm hộ đã lắp internet cáp quang?", "cap_quang_ho_gia_dinh"),
    ("Người dân trả lệ phí online được mấy phần trăm số hồ sơ?", "thanh_toan_truc_tuyen_tthc"),
    ("Bao nhiêu phần trăm dân đã làm thẻ CCCD gắn chip?", "can_cuoc"),
    ("tỷ lệ bà con xài smartphone là bao nhiêu", "dien_thoai_thong_minh"),
    ("Có bao nhiêu tổ hỗ trợ công nghệ ở các thôn?", "so_to_cnscd"),
    ("bn % giấy tờ được nộp qua mạng", "ho_so_tthc_truc_tuyen"),
    ("Cứ 100 người lớn thì mấy người có ví điện tử để trả tiền?", "tai_khoan_thanh_toan"),
    ("Người lớn lên mạng làm thủ tục được bao nhiêu phần trăm rồi?", "nguoi_dan_su_dung_dvctt"),
])
def test_everyday_words_pick_the_indicator(question: str, indicator: str) -> None:
    assert _rule_id(question) == indicator


@pytest.mark.parametrize("question", [
    "Bao nhiêu phần trăm người dân làm thủ tục qua mạng?",  # share of people or of dossiers?
    "Tổ Ứng cứu Công nghệ và Nghiệp vụ có bao nhiêu thành viên?",  # another team of the commune
    "Bao nhiêu anh chị em trong mấy tổ công nghệ được đi tập huấn?",  # two counts asked
    "Các tổ công nghệ số cộng đồng đã hướng dẫn bao nhiêu người dân?",  # people helped, not members
    "Kế hoạch chuyển đổi số của xã số mấy?",  # not a percent nor a count of the table
])
def test_a_question_that_means_no_single_indicator_is_not_routed(question: str) -> None:
    assert _rule_id(question) is None


def test_a_paraphrase_gets_the_communes_figure_for_the_indicator(assistant: Assistant) -> None:
    ans = assistant.ask("Bên An Khánh, hồ sơ nào có lệ phí thì mấy phần trăm được trả online?")
    assert ans.found and ans.kind == "figure"
    assert ans.answer.startswith("98% — theo báo cáo của xã An Khánh (chỉ tiêu «")
    assert "98% hồ sơ phát sinh phí được thanh toán trực tuyến" in ans.answer
    assert ans.citations[0].commune == "An Khánh" and "98%" in ans.citations[0].text


def test_of_two_figures_for_one_indicator_the_sentence_closest_to_the_question_leads(assistant: Assistant) -> None:
    """Giao Minh writes 100% for dossiers received and settled online and 80,8% for dossiers filed
    online: asked about filing, 80,8% leads and 100% is shown as what the report also writes."""
    ans = assistant.ask("Ở Giao Minh bao nhiêu phần trăm hồ sơ được nộp qua mạng?")
    assert re.match(r"(?:trên )?80,8% — ", ans.answer)
    assert "Báo cáo cũng ghi" in ans.answer and "100%" in ans.answer.split("Báo cáo cũng ghi")[1]


def test_a_goal_question_is_not_answered_with_the_result(assistant: Assistant) -> None:
    ans = assistant.ask("Mục tiêu tỷ lệ hồ sơ nộp trực tuyến của Đại Sơn là bao nhiêu?")
    assert "(chỉ tiêu «" not in ans.answer


def test_a_hidden_draft_gives_no_figure(assistant: Assistant) -> None:
    r = assistant.retriever
    doc = next(c.doc_id for c in r.chunks if c.commune == "An Khánh")
    assert commune_mentions(r, "An Khánh")
    assert commune_mentions(r.scoped({doc}), "An Khánh") == []


def test_which_commune_ranks_the_figures_of_one_indicator(assistant: Assistant) -> None:
    ans = assistant.ask("Xã nào có tỷ lệ hồ sơ nộp trực tuyến thấp nhất?")
    assert ans.found and ans.kind == "which_commune"
    head, *rows = ans.answer.splitlines()
    assert head.startswith("Xã Tân An [1] có «") and head.endswith("thấp nhất: 49,68%.")
    assert ans.citations[0].commune == "Tân An"
    assert "- Xã Gia Phúc: không nêu." in rows  # no figure for it in the table: said, not guessed
    assert len(rows) == 5 and all(r.startswith("- Xã ") for r in rows)
    numbers = [int(n) for n in re.findall(r"\[(\d+)\]", ans.answer)]
    assert sorted(set(numbers)) == list(range(1, len(ans.citations) + 1))


def test_two_communes_are_not_compared_when_only_one_states_the_figure(assistant: Assistant) -> None:
    ans = assistant.ask("Giao Minh hay Tân An có nhiều Tổ công nghệ số cộng đồng hơn?")
    assert ans.answer.startswith("Chỉ xã Giao Minh nêu số liệu")
    assert "không so sánh được" in ans.answer and "- Xã Tân An: không nêu." in ans.answer


def test_the_figure_is_written_the_vietnamese_way_and_quoted_as_the_report_writes_it(assistant: Assistant) -> None:
    ans = assistant.ask("Bao nhiêu phần trăm hồ sơ TTHC của Đại Sơn được xử lý qua mạng?")
    assert ans.answer.startswith("71,2% — theo báo cáo của xã Đại Sơn")  # as the indicator table shows it
    assert "71.2%»" in ans.answer  # the table row of the report, verbatim


def test_a_rate_of_another_indicator_is_not_the_answer_when_the_commune_states_none(assistant: Assistant) -> None:
    """Giao Minh states no rate of citizens with a digital signature; its "80%" of citizens trained
    in basic digital skills shares words with the question but is another indicator."""
    ans = assistant.ask("Tỷ lệ người trưởng thành có chữ ký số ở xã Giao Minh là bao nhiêu?")
    assert not ans.found and not re.match(r"\d", ans.answer)
    assert ans.answer.startswith("Không tìm thấy")


def test_a_national_target_is_not_a_places_result(assistant: Assistant) -> None:
    ans = assistant.ask("Tỷ lệ hồ sơ TTHC xử lý trực tuyến toàn tỉnh An Giang năm 2025?")
    assert not ans.found and "80%" not in ans.answer.split("\n")[0]
