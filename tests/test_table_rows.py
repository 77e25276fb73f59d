"""Figures in report tables: a row is read with the line its table opens on, the reporting period a
question mentions in passing asks for nothing, and a row answers only a question about its subject."""

from __future__ import annotations

import pytest

from assistant.app import Assistant
from assistant.qa.intent import candidates, intent_of
from assistant.qa.places import without_reporting_period


@pytest.mark.parametrize("question, kept", [
    ("Số người dân được hướng dẫn (tính từ 01/01/2025 đến thời điểm báo cáo) là bao nhiêu?",
     "Số người dân được hướng dẫn là bao nhiêu?"),
    ("Từ đầu năm tới giờ, xã cấp bao nhiêu chữ ký số?", "xã cấp bao nhiêu chữ ký số?"),
    ("Tính đến nay xã có mấy điểm wifi?", "xã có mấy điểm wifi?"),
    ("6 tháng đầu năm xã đạt bao nhiêu?", "6 tháng đầu năm xã đạt bao nhiêu?"),  # a period that is asked
])
def test_the_reporting_period_said_in_passing_is_set_aside(question: str, kept: str) -> None:
    assert without_reporting_period(question) == kept


def test_up_to_the_report_date_is_no_next_year_goal() -> None:
    # "đầu năm tới lúc báo cáo" holds the letters of "năm tới" (next year) without asking for a goal
    assert not intent_of("Từ đầu năm tới lúc báo cáo xã hướng dẫn bao nhiêu người?").wants_target
    assert intent_of("Năm tới xã phấn đấu hướng dẫn bao nhiêu người?").wants_target


def test_a_day_of_the_year_is_not_a_count() -> None:
    intent = intent_of("Tổ công nghệ số đã hướng dẫn bao nhiêu người?")
    text = "Hưởng ứng Ngày Chuyển đổi số Quốc gia 10/10, tổ đã hướng dẫn 19/19 thôn."
    assert [f.raw for f in candidates(text, intent)] == ["19/19"]


def test_a_table_row_answers_a_paraphrase_of_its_label(assistant: Assistant) -> None:
    """"Số người dân được hướng dẫn | Người | >2683" sits in the table of the community technology
    teams; asked in everyday words and with the period said in passing, it is still the answer."""
    ans = assistant.ask("Tính đến thời điểm báo cáo, tổ công nghệ số xã An Khánh đã chỉ dẫn "
                        "được bao nhiêu bà con?")
    assert ans.found and ans.answer.startswith("2683")
    assert ans.citations[0].commune == "An Khánh"


def test_a_row_that_states_only_what_is_counted_does_not_answer(assistant: Assistant) -> None:
    """"Số thành viên của Tổ được tập huấn | Người | 163" counts people, but not those of a centre."""
    ans = assistant.ask("Trung tâm Phục vụ hành chính công xã An Khánh có bao nhiêu người?")
    assert not ans.answer.startswith(("163", "2683"))


def test_people_are_counted_by_their_posts(assistant: Assistant) -> None:
    ans = assistant.ask("Trung tâm Phục vụ hành chính công của xã Tân An được bố trí mấy người?")
    assert ans.found and ans.answer.startswith("09")


def test_keyword_search_weighs_the_reports_words_for_everyday_ones(assistant: Assistant) -> None:
    """"kèm cặp bao nhiêu bà con" is written "Số người dân được hướng dẫn" in the report."""
    found = assistant.retriever.search("An Khánh kèm cặp bao nhiêu bà con?", k=5, mode="bm25")
    assert any("2683" in r.chunk.text for r in found)
    plain = assistant.retriever.search("An Khánh kèm cặp bao nhiêu bà con?", k=5, mode="bm25", equivalents=False)
    assert not any("2683" in r.chunk.text for r in plain)
