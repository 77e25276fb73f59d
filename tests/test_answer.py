"""Extractive answers: the figure quoted as written, from the right commune, cited."""

from __future__ import annotations

import pytest

from assistant.qa.extractive import Answerer, key_figure
from assistant.qa.intent import intent_of
from assistant.qa.retriever import Retriever


@pytest.fixture(scope="module")
def answerer(seed_index):
    r = Retriever(seed_index)
    yield Answerer(r)
    r.close()


@pytest.mark.parametrize(("question", "figure", "commune"), [
    ("Tân An có bao nhiêu ấp?", "17 ấp", "Tân An"),
    ("xa an khanh co bao nhieu thon", "19", "An Khánh"),
    ("Tỷ lệ dân số trưởng thành có điện thoại thông minh ở Gia Phúc?", "85%", "Gia Phúc"),
    ("Quyết định thành lập Ban chỉ đạo chuyển đổi số xã Đại Sơn là số bao nhiêu?", "460/QĐ-UBND", "Đại Sơn"),
])
def test_answer_quotes_the_figure_and_cites_the_commune(answerer, question, figure, commune):
    ans = answerer.ask(question)
    assert figure in ans.answer
    assert ans.citations[0].n == 1 and ans.citations[0].commune == commune
    assert "[1]" in ans.answer
    assert ans.mode == "extractive"


def test_figure_is_kept_exactly_as_written(answerer):
    ans = answerer.ask("Tỷ lệ đúng hạn giải quyết hồ sơ của Tân An?")
    assert "99,73" in ans.answer  # decimal comma kept, not rewritten as 99.73


def test_target_question_uses_the_catalog_with_source_and_confidence(answerer):
    ans = answerer.ask("Mục tiêu tỷ lệ người dân và doanh nghiệp sử dụng dịch vụ công trực tuyến theo Nghị quyết 57?")
    assert ans.mode == "catalog"
    assert "NQ 57" in ans.answer or "Nghị quyết 57" in ans.answer
    assert "độ tin cậy" in ans.answer
    assert "đối chiếu với văn bản gốc" in ans.answer  # low confidence: check the original


def test_key_figure_prefers_a_count_over_a_percentage():
    text = "Tỷ lệ 100% thôn có Tổ công nghệ số; toàn xã có 19 thôn."
    assert key_figure(text, intent_of("Xã có bao nhiêu thôn?")) == "19 thôn"


def test_key_figure_ignores_figures_already_in_the_question():
    text = "Tính từ 01/01/2025 đến nay đã tổ chức 32 buổi hướng dẫn."
    assert key_figure(text, intent_of("Từ 01/01/2025 đã tổ chức bao nhiêu buổi?")) == "32 buổi"


def test_unclear_figure_is_not_guessed():
    text = "Năm 2025 đạt 71,2% và 76,5%."
    assert key_figure(text, intent_of("Tỷ lệ đạt bao nhiêu?")) is None


def test_a_table_rows_ordinal_is_not_its_figure_and_a_lone_comparator_value_is():
    q = "Bao nhiêu người dân đã được hướng dẫn kỹ năng số?"
    assert key_figure("5 Số người dân được hướng dẫn Người >2683", intent_of(q), q) == "2683"
    assert key_figure("3 | Số điểm wifi công cộng | Điểm | 12", intent_of("Có bao nhiêu điểm wifi?"),
                      "Có bao nhiêu điểm wifi?") == "12"
    # outside a table, a figure after "≥" is still a goal, not a result
    assert key_figure("Phấn đấu tỷ lệ hồ sơ trực tuyến ≥ 80%.", intent_of("Tỷ lệ hồ sơ trực tuyến?"),
                      "Tỷ lệ hồ sơ trực tuyến?") is None


def test_a_table_unit_column_decides_which_row_counts_what():
    from assistant.qa.intent import candidates, focus_figure

    q = intent_of("Bao nhiêu người dân được hướng dẫn?")
    row = "3 | Số buổi hướng dẫn và người dân sử dụng kỹ năng số | Buổi 32"
    assert focus_figure(row, q, candidates(row, q)) is None
    row = "5 Số người dân được hướng dẫn Người 2683"
    assert focus_figure(row, q, candidates(row, q)).raw == "2683"


def test_words_set_aside_by_ngoai_do_not_pull_the_answer(answerer):
    from assistant.qa.intent import split_exception

    main, aside = split_exception("Ngoài máy tính, máy in và máy scan, xã X có bao nhiêu thiết bị khác?")
    assert main == "xã X có bao nhiêu thiết bị khác?" and aside == "Ngoài máy tính, máy in và máy scan"
    assert split_exception("Ngoài ra, xã X đã làm gì?")[1] == "Ngoài ra"
    assert split_exception("Xã X có bao nhiêu máy tính, máy in?") == ("Xã X có bao nhiêu máy tính, máy in?", "")
    ans = answerer.ask("Ngoài máy tính, máy in, máy photocopy và máy scan, xã Giao Minh còn bao nhiêu "
                       "thiết bị công nghệ thông tin khác?")
    assert ans.answer.startswith("15"), ans.answer
