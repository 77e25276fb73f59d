"""Answers an officer can trust: each kind of question, follow-ups, and "không tìm thấy" instead
of a figure that answers another question."""

from __future__ import annotations

import json
import re

import pytest

from assistant.app import Assistant
from assistant.qa.retriever import Filters
from assistant.settings import Settings
from assistant.text.vn_numbers import find_numbers

from .conftest import run_cli


def test_figure_answer_keeps_the_unit_whole_and_cites_the_commune(assistant: Assistant) -> None:
    ans = assistant.ask("Xã Tân An có bao nhiêu ấp?")
    assert ans.found and ans.kind == "figure"
    assert ans.answer.startswith("17 ấp")
    assert ans.citations[0].commune == "Tân An"


def test_a_goal_is_not_given_as_what_was_achieved(assistant: Assistant) -> None:
    ans = assistant.ask("Tỷ lệ hồ sơ trực tuyến của xã Gia Phúc là bao nhiêu?")
    assert not ans.answer.startswith("50%")  # "phấn đấu … đạt trên 50%" is the goal


def test_the_figure_given_as_the_answer_is_inside_its_quote(assistant: Assistant) -> None:
    """A long sentence is cut for quoting around the figure answered, never to a part without it."""
    ans = assistant.ask("Tỷ lệ người dân sử dụng dịch vụ công trực tuyến của Gia Phúc")
    lead, _, rest = ans.answer.partition(" — theo báo cáo của xã Gia Phúc: «")
    assert lead == "35%"
    assert "35%" in rest.split("»")[0]


def test_a_long_quote_is_cut_around_the_figure_kept() -> None:
    from assistant.qa.answers.common import MAX_QUOTE, quote

    text = "Tỷ lệ đạt 35%, " + "chữ " * 200 + "tỷ lệ mục tiêu trên 50%."
    assert "35%" in quote(text, "tỷ lệ mục tiêu", keep="35%")
    assert "35%" not in quote(text, "tỷ lệ mục tiêu") and len(quote(text, "x")) < MAX_QUOTE


def test_entity_answer_names_the_signer(assistant: Assistant) -> None:
    ans = assistant.ask("Lãnh đạo nào ký báo cáo của xã Gia Phúc?")
    assert ans.found and ans.kind == "entity"
    assert "Đỗ Thế Ngọc" in ans.answer and "Phó Chủ tịch" in ans.answer
    assert not re.match(r"^\d", ans.answer)  # a name, not a figure


def test_the_chairman_is_not_the_vice_chairman_who_signed(assistant: Assistant) -> None:
    ans = assistant.ask("Chủ tịch UBND xã Đại Sơn tên là gì?")
    assert not ans.found
    assert "ký thay" in ans.answer  # says who signed instead of naming them chairman


def test_narrative_answer_lists_the_points_of_the_section(assistant: Assistant) -> None:
    ans = assistant.ask("Phương hướng năm 2026 của An Khánh về hạ tầng số gồm những gì?")
    assert ans.found and ans.kind == "narrative"
    lines = ans.answer.split("\n")
    assert lines[0].startswith("Theo báo cáo của xã An Khánh")
    assert any("máy scan" in x for x in lines[1:])
    for line in lines[1:]:
        assert line.startswith("- «") and re.search(r"\[\d+\]$", line)
        assert not line.startswith("- «Mặc dù")  # never a lead-in


def test_narrative_answer_reads_sub_headings_written_inside_a_line(assistant: Assistant) -> None:
    ans = assistant.ask("Giao Minh đánh giá hạ tầng, thiết bị CNTT của xã còn yếu ở đâu?")
    assert ans.found and re.search(r"nguồn điện|dự phòng|ngoại vi", ans.answer)


def test_which_commune_answer_gives_each_communes_statement_then_the_conclusion(assistant: Assistant) -> None:
    ans = assistant.ask("Xã nào đã lắp wifi công cộng tại tất cả nhà văn hóa thôn?")
    assert ans.found and ans.kind == "which_commune"
    first, *rest = ans.answer.split("\n")
    assert "Đại Sơn" in first and "Giao Minh" not in first
    assert len(rest) == 5 and sum("không nêu" in x for x in rest) == 4


def test_comparison_of_two_communes_compares_like_with_like(assistant: Assistant) -> None:
    ans = assistant.ask("Theo bảng số liệu thống kê, An Khánh hay Đại Sơn tổ chức nhiều buổi hội nghị, "
                        "tập huấn cho thành viên Tổ CNSCĐ hơn?")
    first = ans.answer.split("\n")[0]
    assert first.startswith("Xã An Khánh") and "nhiều hơn" in first


def test_target_answer_comes_from_the_catalog_with_its_source(assistant: Assistant) -> None:
    ans = assistant.ask("Theo QĐ 411/QĐ-TTg, đến năm 2025 kinh tế số phải chiếm bao nhiêu phần trăm GDP?")
    assert ans.found and ans.kind == "target" and ans.mode == "catalog"
    assert "20%" in ans.answer and "411" in ans.answer


def test_yes_no_answer_quotes_the_evidence(assistant: Assistant) -> None:
    ans = assistant.ask("Xã Đại Sơn có lắp wifi công cộng ở nhà văn hóa thôn không?")
    assert ans.found and ans.kind == "yes_no" and ans.answer.startswith("Có")
    assert "wifi" in ans.answer


# ------------------------------------------------------------------ declining
def _no_figure_as_answer(ans) -> None:
    """Declined, and the answer's text states no figure (years of the period asked aside)."""
    assert not ans.found
    body = ans.answer.split("Các đoạn gần nhất")[0]
    figures = [s.raw.strip() for s in find_numbers(body)]
    assert all(re.fullmatch(r"(?:19|20)\d\d", f) for f in figures), figures


def test_a_commune_not_in_the_library_is_declined_with_the_list(assistant: Assistant) -> None:
    ans = assistant.ask("Xã Hòa Bình đạt bao nhiêu phần trăm hồ sơ trực tuyến?")
    _no_figure_as_answer(ans)
    assert "Hòa Bình" in ans.answer and "An Khánh" in ans.answer and "Tân An" in ans.answer
    assert ans.citations == []


@pytest.mark.parametrize("question, part", [
    ("Tỷ lệ hồ sơ trực tuyến 6 tháng đầu năm 2025 của xã Đại Sơn là bao nhiêu?", "6 tháng đầu năm"),
    ("Trong quý I năm 2025, tỷ lệ hồ sơ trực tuyến của xã Gia Phúc là bao nhiêu?", "quý I"),
])
def test_a_part_of_the_year_the_reports_do_not_cover_is_declined(assistant: Assistant, question: str,
                                                                   part: str) -> None:
    """A whole-year (or another quarter's) figure is not the answer for "quý I" or "6 tháng đầu năm"."""
    ans = assistant.ask(question)
    assert not ans.found and ans.answer.startswith(f"Không tìm thấy số liệu {part}")
    assert not re.match(r"^\d", ans.answer)


def test_the_quarter_a_report_covers_is_answered(assistant: Assistant) -> None:
    ans = assistant.ask("Quý III năm 2025, tỷ lệ hồ sơ trực tuyến của xã Gia Phúc là bao nhiêu?")
    assert ans.found and ans.citations[0].commune == "Gia Phúc"


def test_a_year_the_reports_do_not_cover_is_declined(assistant: Assistant) -> None:
    ans = assistant.ask("Năm 2024 xã Gia Phúc tiếp nhận tổng cộng bao nhiêu hồ sơ thủ tục hành chính?")
    _no_figure_as_answer(ans)
    assert "2024" in ans.answer


@pytest.mark.parametrize("question", [
    "UBND xã An Khánh đang có bao nhiêu bộ máy vi tính?",
    "Thời gian giải quyết trung bình một hồ sơ TTHC ở Giao Minh là mấy ngày?",
    "Tân An có mấy sản phẩm OCOP, kể tên giúp tôi?",
    "Theo QĐ 411/QĐ-TTg, đến năm 2030 tỷ lệ người từ 15 tuổi trở lên có tài khoản thanh toán phải đạt bao nhiêu?",
])
def test_no_passage_states_it_so_nothing_is_presented_as_the_answer(assistant: Assistant, question: str) -> None:
    ans = assistant.ask(question)
    _no_figure_as_answer(ans)
    assert ans.answer.startswith(("Không tìm thấy", "Danh mục chỉ tiêu"))
    if ans.citations:
        assert "Các đoạn gần nhất" in ans.answer


def test_an_off_topic_question_is_out_of_scope(assistant: Assistant) -> None:
    ans = assistant.ask("Thời tiết Hà Nội hôm nay thế nào?")
    assert not ans.found and ans.kind == "out_of_scope"


def test_a_commune_filter_from_the_interface_scopes_the_answer(assistant: Assistant) -> None:
    ans = assistant.ask("Tỷ lệ hồ sơ trực tuyến là bao nhiêu?", filters=Filters(communes=["Đại Sơn"]))
    assert ans.found and all(c.commune == "Đại Sơn" for c in ans.citations)


def test_an_unaccented_question_with_shorthand_and_lower_case_abbreviations(assistant: Assistant) -> None:
    ans = assistant.ask("ty le ho so tthc xu ly truc tuyen cua xa dai son la bn")
    assert ans.found and re.match(r"71[.,]2%", ans.answer) and ans.citations[0].commune == "Đại Sơn"


def test_software_asked_by_name_is_answered_with_its_name(assistant: Assistant) -> None:
    ans = assistant.ask("Xã Đại Sơn xử lý văn bản trên phần mềm tên là gì?")
    assert ans.kind == "entity" and ans.answer.startswith("Hpnet — ")


def test_the_unit_in_charge_is_read_from_the_next_cell_of_a_table_row(assistant: Assistant) -> None:
    ans = assistant.ask("Trong phụ lục của xã Tân An, cơ quan nào chủ trì chỉ tiêu doanh nghiệp nhỏ và vừa dùng "
                        "nền tảng số?")
    assert ans.answer.startswith("Phòng Kinh tế — ")


def test_a_document_number_is_chosen_by_what_follows_it(assistant: Assistant) -> None:
    """In "Kế hoạch số 50/KH … về …; số 53/KH … về hoạt động của Tổ công nghệ số cộng đồng", the
    plan about the Tổ is 53, whatever words come before it."""
    ans = assistant.ask("Đại Sơn ban hành kế hoạch về hoạt động của Tổ công nghệ số cộng đồng năm 2025 số mấy?")
    assert ans.answer.startswith("53/KH-UBND")


def test_a_count_is_not_taken_from_a_figure_that_counts_something_else() -> None:
    from assistant.qa.intent import candidates, focus_figure, intent_of

    text = "Tổ chức 01 lớp cho thành viên Tổ công nghệ số cộng đồng; Tổ có 110 thành viên."
    intent = intent_of("Tổ có bao nhiêu thành viên?")
    assert focus_figure(text, intent, candidates(text, intent)).raw == "110"  # not "01 lớp cho thành viên"


def test_a_proposal_addressed_to_the_city_lists_the_proposals(assistant: Assistant) -> None:
    ans = assistant.ask("Gia Phúc kiến nghị thành phố và Sở KH&CN hỗ trợ những gì?")
    assert ans.found and ans.kind == "narrative"
    assert "Thôn thông minh" in ans.answer or "chữ ký số cá nhân" in ans.answer


def test_a_shortcoming_written_outside_its_section_is_found(assistant: Assistant) -> None:
    ans = assistant.ask("Gia Phúc gặp khó khăn gì về hạ tầng mạng và nguồn lực đầu tư?")
    assert ans.found and ("ven biển" in ans.answer or "nguồn lực" in ans.answer)
    assert all(c.commune == "Gia Phúc" for c in ans.citations)


# ------------------------------------------------------------------ follow-ups
def test_a_follow_up_asking_the_goal_answers_the_goal_of_the_same_indicator(assistant: Assistant) -> None:
    history = ["Xã Gia Phúc đạt bao nhiêu phần trăm người trưởng thành dùng dịch vụ công trực tuyến?"]
    ans = assistant.ask("Mục tiêu đặt ra là bao nhiêu?", history=history)
    assert ans.understood_as.startswith("Xã Gia Phúc đạt")
    assert ans.found and ans.answer.startswith("50%")


def test_a_commune_follow_up_to_a_target_answers_the_communes_result(assistant: Assistant) -> None:
    history = ["QĐ 411 yêu cầu năm 2025 bao nhiêu phần trăm người trưởng thành có điện thoại thông minh?"]
    ans = assistant.ask("Thế xã Gia Phúc đạt bao nhiêu?", history=history)
    assert ans.kind == "figure" and "Gia Phúc" in ans.understood_as and "411" not in ans.understood_as
    assert ans.answer.startswith("85%") and ans.citations[0].commune == "Gia Phúc"


def test_a_follow_up_changing_only_the_year_of_a_target(assistant: Assistant) -> None:
    history = ["QĐ 411 yêu cầu năm 2025 bao nhiêu phần trăm người trưởng thành có điện thoại thông minh?"]
    ans = assistant.ask("Đến năm 2030 thì sao?", history=history)
    assert ans.kind == "target" and "2030" in ans.understood_as and "điện thoại" in ans.understood_as
    assert "95%" in ans.answer
def test_follow_up_changes_only_the_commune(assistant: Assistant) -> None:
    history = ["Tỷ lệ hồ sơ trực tuyến của xã Gia Phúc là bao nhiêu?"]
    ans = assistant.ask("Còn Đại Sơn thì sao?", history=history)
    assert ans.understood_as == "Tỷ lệ hồ sơ trực tuyến của xã Đại Sơn là bao nhiêu?"
    assert ans.found and re.search(r"71[,.]2%", ans.answer) and ans.citations[0].commune == "Đại Sơn"


def test_a_follow_up_saying_there_keeps_the_commune_of_the_question_before(assistant: Assistant) -> None:
    """"ở đó" / "xã này" is the earlier question's commune, never the best match in the library."""
    ans = assistant.ask("Vậy Tổ CNSCĐ ở đó có bao nhiêu thành viên?", history=["Đại Sơn có bao nhiêu thôn?"])
    assert ans.understood_as == "Vậy Tổ CNSCĐ ở xã Đại Sơn có bao nhiêu thành viên?"
    assert {c.commune for c in ans.citations[:1]} <= {"Đại Sơn"}
    ans = assistant.ask("Xã này có bao nhiêu Tổ công nghệ số cộng đồng?", history=["Xã Giao Minh có bao nhiêu xóm?"])
    assert ans.understood_as.startswith("Xã Giao Minh có") and "21" in ans.answer.split("—")[0]


def test_follow_up_to_a_commune_not_in_the_library_is_declined(assistant: Assistant) -> None:
    ans = assistant.ask("Còn xã Vĩnh Thạnh thì sao?", history=["Tân An có bao nhiêu ấp?"])
    assert not ans.found and "Vĩnh Thạnh" in ans.answer and "17" not in ans.answer


def test_why_answers_with_causes_of_the_same_commune(assistant: Assistant) -> None:
    ans = assistant.ask("Vì sao?", history=["Tỷ lệ người dân Gia Phúc dùng dịch vụ công trực tuyến là bao nhiêu?"])
    assert ans.kind == "narrative" and ans.understood_as.startswith("Nguyên nhân")
    assert all(c.commune == "Gia Phúc" for c in ans.citations)


# ------------------------------------------------------------------ interfaces
def test_ask_json_gains_found_and_kind(seed_index: Settings) -> None:
    proc = run_cli(["ask", "--json", "Xã Hòa Bình có bao nhiêu thôn?"], index_dir=seed_index.index_dir,
                   env={"ASSISTANT_EMBEDDINGS": "hash-test"})
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert {"answer", "citations", "mode", "warnings", "unsupported_numbers"} <= set(data)
    assert data["found"] is False and data["kind"] == "figure"


def test_chat_reads_one_question_per_line_and_resolves_follow_ups(seed_index: Settings) -> None:
    lines = "Tỷ lệ hồ sơ trực tuyến của xã Gia Phúc là bao nhiêu?\nCòn Đại Sơn thì sao?\n"
    proc = run_cli(["chat", "--json"], index_dir=seed_index.index_dir, stdin=lines,
                   env={"ASSISTANT_EMBEDDINGS": "hash-test"})
    assert proc.returncode == 0, proc.stderr
    turns = [json.loads(x) for x in proc.stdout.splitlines()]
    assert len(turns) == 2
    assert turns[0]["understood_as"] == ""
    assert turns[1]["understood_as"] == "Tỷ lệ hồ sơ trực tuyến của xã Đại Sơn là bao nhiêu?"
    assert turns[1]["found"] and re.search(r"71[,.]2%", turns[1]["answer"])


def test_chat_text_shows_what_a_follow_up_was_understood_as(seed_index: Settings) -> None:
    proc = run_cli(["chat"], index_dir=seed_index.index_dir, stdin="Tân An có bao nhiêu ấp?\nCòn xã Vĩnh Thạnh?\n",
                   env={"ASSISTANT_EMBEDDINGS": "hash-test"})
    assert proc.returncode == 0, proc.stderr
    assert "Hiểu là: xã Vĩnh Thạnh có bao nhiêu ấp?" in proc.stdout
    assert "chưa có báo cáo của xã Vĩnh Thạnh" in proc.stdout


def test_eval_scores_each_kind_and_declining(seed_index: Settings, tmp_path) -> None:
    qa = tmp_path / "qa.jsonl"
    rows = [{"id": "a", "q": "Xã Tân An có bao nhiêu ấp?", "kind": "fact", "commune": "Tân An",
             "seed": "003_7619b87458e9843f.txt", "answer": r"\b17\b"},
            {"id": "b", "q": "Xã Hòa Bình có bao nhiêu ấp?", "kind": "unanswerable", "answer": None}]
    qa.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8")
    proc = run_cli(["eval", str(qa), "--json", "--mode", "bm25"], index_dir=seed_index.index_dir,
                   env={"ASSISTANT_EMBEDDINGS": "hash-test"})
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert data["answer_accuracy"] == 1.0 and data["declined"] == "1/1" and data["wrong_commune"] == 0
    assert data["by_kind"]["unanswerable"]["answer_accuracy"] == 1.0


# ------------------------------------------------------------------ with an LLM
def test_an_llm_that_declines_sets_found_false(assistant: Assistant) -> None:
    from tests.support import FakeChatModel

    fake = FakeChatModel(["Không tìm thấy thông tin này trong tài liệu. Các đoạn chỉ nói về hạ tầng [1]."])
    ans = assistant.ask("Tân An có bao nhiêu sản phẩm OCOP?", llm=fake)
    assert ans.mode == "llm" and not ans.found and ans.kind == "figure"


def test_an_llm_answers_the_follow_up_as_understood_with_the_conversation(assistant: Assistant) -> None:
    from tests.support import FakeChatModel

    fake = FakeChatModel(["Đại Sơn đạt trên 71,2% [1]."])
    ans = assistant.ask("Còn Đại Sơn thì sao?", history=["Tỷ lệ hồ sơ trực tuyến của xã Gia Phúc là bao nhiêu?"],
                        llm=fake)
    user = fake.calls[-1][-1].content
    assert "Tỷ lệ hồ sơ trực tuyến của xã Đại Sơn là bao nhiêu?" in user
    assert "Các câu hỏi trước trong cuộc trò chuyện" in user and "Gia Phúc" in user
    assert ans.found and ans.understood_as and all(c.commune == "Đại Sơn" for c in ans.citations)


def test_an_llm_is_not_asked_about_a_commune_the_library_lacks(assistant: Assistant) -> None:
    from tests.support import FakeChatModel

    fake = FakeChatModel(["Xã Hòa Bình đạt 99% [1]."])
    ans = assistant.ask("Xã Hòa Bình đạt bao nhiêu phần trăm hồ sơ trực tuyến?", llm=fake)
    assert not ans.found and fake.calls == [] and "99%" not in ans.answer


def test_an_ingested_official_text_that_differs_from_the_catalog_is_shown_with_a_warning(tmp_path) -> None:
    import shutil

    from assistant.ingest.pipeline import ingest

    from .conftest import CORPUS, make_settings

    corpus = tmp_path / "corpus"
    shutil.copytree(CORPUS / "guidance", corpus / "guidance")
    (corpus / "reports").mkdir()
    text = ("KẾ HOẠCH\nPhát triển kinh tế số của tỉnh (văn bản thử nghiệm)\n"
            "Điều 2. Mục tiêu\n"
            "1. Đến năm 2025, tỷ trọng kinh tế số trong GDP của tỉnh đạt 15%.\n"
            "2. Đến năm 2030, tỷ trọng kinh tế số trong GDP của tỉnh đạt 25%.\n")
    (corpus / "reports" / "ke_hoach_tinh.txt").write_text(text, encoding="utf-8")
    (corpus / "reports" / "ke_hoach_tinh.txt.meta.yaml").write_text(
        "kind: guidance\ntitle: Kế hoạch phát triển kinh tế số của tỉnh\n", encoding="utf-8")
    settings = make_settings(tmp_path / "index", corpus_dir=corpus)
    assert ingest(settings).ok
    a = Assistant(settings)
    try:
        ans = a.ask("Theo QĐ 411, đến năm 2025 kinh tế số phải chiếm bao nhiêu phần trăm GDP?")
    finally:
        a.close()
    assert ans.found and ans.kind == "target"
    assert "20%" in ans.answer and "15%" in ans.answer  # the catalog's and the ingested text's
    assert any("khác với danh mục" in w for w in ans.warnings)


def test_why_with_more_words_is_still_the_cause_of_the_same_subject(assistant: Assistant) -> None:
    ans = assistant.ask("Sao thấp vậy?", history=["Gia Phúc có bao nhiêu phần trăm người trưởng thành có chữ ký số?"])
    assert ans.kind == "narrative" and ans.understood_as.startswith("Nguyên nhân")
    assert ans.citations and all(c.commune == "Gia Phúc" for c in ans.citations)


def test_a_question_naming_no_commune_stays_with_the_commune_of_the_conversation(assistant: Assistant) -> None:
    history = ["Xã Đại Sơn có bao nhiêu thôn?"]
    ans = assistant.ask("Tổ công nghệ số cộng đồng có bao nhiêu thành viên?", history=history)
    assert "Đại Sơn" in ans.understood_as
    assert all(c.commune == "Đại Sơn" for c in ans.citations)


def test_a_question_that_only_names_a_commune_continues_the_conversation(assistant: Assistant) -> None:
    history = ["Kế hoạch 02-KH/BCĐTW yêu cầu tỷ lệ hồ sơ xử lý trực tuyến toàn trình đến cuối 2025 là bao nhiêu?"]
    ans = assistant.ask("Xã Tân An đạt được bao nhiêu?", history=history)
    assert ans.kind == "figure" and "Tân An" in ans.understood_as and "toàn trình" in ans.understood_as
    assert ans.citations[0].commune == "Tân An"


def test_a_figure_that_leaves_out_the_most_specific_word_is_not_the_answer(assistant: Assistant) -> None:
    """Đại Sơn only plans 5G coverage for 2026: "100% dữ liệu dân cư" is no answer to a 5G question."""
    ans = assistant.ask("Sóng 5G hiện đã phủ được bao nhiêu phần trăm dân số của Đại Sơn?")
    assert not ans.found and "100%" not in ans.answer


def test_ai_in_capitals_is_artificial_intelligence_not_who(assistant: Assistant) -> None:
    ans = assistant.ask("Đại Sơn có hướng dẫn người dân học dùng AI trong nông nghiệp không?")
    assert ans.kind == "yes_no" and ans.answer.startswith("Có") and "20 hộ" in ans.answer


def test_a_plan_number_is_a_plan_not_the_resolution_it_implements(assistant: Assistant) -> None:
    ans = assistant.ask("Kế hoạch chuyển đổi số năm 2025 của xã Tân An là kế hoạch số mấy?")
    assert "/KH" in ans.answer.split(" — ")[0]  # never "214/NQ-CP" from the same sentence


def test_two_communes_are_compared_when_one_figure_is_bare_in_a_row_naming_the_thing(assistant: Assistant) -> None:
    ans = assistant.ask("An Khánh hay Đại Sơn có nhiều thôn hơn?")
    assert ans.answer.split("\n")[0].startswith("Xã An Khánh (19) nhiều hơn xã Đại Sơn")


def test_about_digital_transformation_is_not_a_topic_every_proposal_must_state(assistant: Assistant) -> None:
    ans = assistant.ask("Xã An Khánh có những đề xuất, kiến nghị gì với thành phố về chuyển đổi số?")
    assert ans.found and "tập huấn chuyên sâu" in ans.answer


def test_per_hundred_people_is_a_percentage(assistant: Assistant) -> None:
    ans = assistant.ask("Ở Gia Phúc cứ 100 người trưởng thành thì bao nhiêu người có điện thoại thông minh?")
    assert ans.answer.startswith("85%")


def test_a_count_of_something_else_is_not_the_number_asked(assistant: Assistant) -> None:
    """Gia Phúc states no population: "13 buổi tuyên truyền … người dân" is no answer to it."""
    ans = assistant.ask("Dân số xã Gia Phúc hiện nay là bao nhiêu người?")
    assert not ans.found and "13" not in ans.answer.split("\n")[0]


def test_an_amount_of_money_is_answered_by_money(assistant: Assistant) -> None:
    """Tân An states no budget: its population is no answer; Đại Sơn's budget is in triệu đồng."""
    assert not assistant.ask("Tổng kinh phí CĐS 6 tháng cuối 2025 của Tân An là bao nhiêu?").found
    ans = assistant.ask("Tổng kinh phí CĐS 6 tháng cuối 2025 của Đại Sơn là bao nhiêu?")
    assert ans.found and ans.answer.startswith("1.429")


def test_a_classifier_is_not_what_is_counted(assistant: Assistant) -> None:
    ans = assistant.ask("Giao Minh có tất cả bao nhiêu cái máy quét giấy tờ?")
    assert ans.answer.startswith("10 — ") and "máy scan" in ans.answer


def test_a_yes_no_question_about_one_phase_does_not_answer_with_another(assistant: Assistant) -> None:
    ans = assistant.ask("Tân An có làm xong hết nhiệm vụ giai đoạn 1 theo Kế hoạch 02 không?")
    assert "Giai đoạn 2" not in ans.answer.split("\n")[0]


def test_a_heading_written_as_a_line_is_not_a_point(assistant: Assistant) -> None:
    ans = assistant.ask("Tân An đặt ra phương hướng, nhiệm vụ trọng tâm năm 2026 như thế nào?")
    points = [line for line in ans.answer.split("\n") if line.startswith("- ")]
    assert ans.found and points
    assert not any("PHƯƠNG HƯỚNG, NHIỆM VỤ TRỌNG TÂM" in p for p in points)
    assert all(len(p.split()) > 8 for p in points)  # sentences, not bare sub-headings



def test_an_everyday_phrase_no_report_writes_is_searched_in_the_reports_words(assistant: Assistant) -> None:
    from assistant.qa.extractive import Answerer

    ev = Answerer(assistant.retriever).evidence
    assert ev.in_report_words("hồ sơ trễ hẹn").endswith("quá hạn")  # no report writes "trễ hẹn"
    assert ev.in_report_words("hồ sơ quá hạn") == "hồ sơ quá hạn"  # the reports' own words: unchanged
    ans = assistant.ask("Tân An có mấy bộ hồ sơ bị trả kết quả trễ hẹn?")  # "bộ" counts nothing of its own
    assert ans.found and ans.answer.startswith("07 hồ sơ")


def test_households_are_counted_in_hộ(assistant: Assistant) -> None:
    """"bao nhiêu gia đình" is answered by "10.706 hộ": a household is a hộ gia đình, not something else."""
    ans = assistant.ask("An Khánh có tổng cộng bao nhiêu gia đình đang sinh sống?")
    assert ans.found and ans.answer.startswith("10.706") and "10.706 hộ" in ans.answer


def test_a_rate_among_next_years_goals_is_not_given_as_a_result(assistant: Assistant) -> None:
    """"100% hồ sơ hành chính cơ bản số hóa" is a goal of the directions part ("2. Mục tiêu cụ thể >
    2.1. Đến 31/12/2025"): the answer is what the results part states, and a percent keeps no word
    of the question after it ("100%", not "100% hồ")."""
    ans = assistant.ask("Bao nhiêu phần trăm hồ sơ hành chính cơ bản của Gia Phúc đã số hóa?")
    assert "hồ sơ hành chính cơ bản số hóa" not in ans.answer.split("\n")[0]
    ans = assistant.ask("Bao nhiêu phần trăm hồ sơ hành chính của Gia Phúc được lưu trữ điện tử?")
    assert ans.answer.startswith("100% — ") and "Mục tiêu cụ thể" not in ans.citations[0].section


def test_a_question_saying_almost_nothing_gets_no_figure_of_something_else(assistant: Assistant) -> None:
    """"bao nhiêu dân?" shares its one word with every "nhân dân": "06 tháng cuối năm" counts months."""
    ans = assistant.ask("Xã Gia Phúc có bao nhiêu dân?")
    assert not ans.found and not re.match(r"\d", ans.answer)
    ans = assistant.ask("Sau sáp nhập, xã Tân An có tổng dân số bao nhiêu người?")
    assert ans.found and "42.012" in ans.answer.split(" — ")[0]


def test_a_follow_up_asking_another_attribute_of_the_same_thing(assistant: Assistant) -> None:
    """"Ban hành ngày nào?" after a decision's number: that decision's date, not "không tìm thấy"."""
    history = ["Quyết định thành lập Tổ ứng cứu công nghệ của An Khánh số mấy?"]
    ans = assistant.ask("Ban hành ngày nào vậy?", history=history)
    assert ans.found and ans.answer.startswith("28/8/2025") and "Tổ ứng cứu" in ans.understood_as
    ans = assistant.ask("Tổ đó có bao nhiêu thành viên?", history=history)
    assert ans.found and ans.answer.startswith("14 thành viên")
    ans = assistant.ask("Người đó giữ chức vụ gì?", history=["Ai ký báo cáo của xã Đại Sơn?"])
    assert ans.found and "Phó Chủ tịch" in ans.answer.split("\n")[0]


def test_an_unaccented_ranking_question_ranks_the_indicator(assistant: Assistant) -> None:
    ans = assistant.ask("xa nao co nhieu to CNSCD nhat?")
    assert ans.answer.startswith("Xã Giao Minh [1]") and "21" in ans.answer.split("\n")[0]
    ans = assistant.ask("xa Thach Ban Thuong co bao nhieu to CNSCD?")
    assert not ans.found and "Thach Ban Thuong" in ans.answer


def test_a_result_asked_against_the_goal_just_given(assistant: Assistant) -> None:
    """"… so với mục tiêu đó?" after a national goal: the commune's result for the same indicator."""
    history = ["Kế hoạch 02 đặt mục tiêu bao nhiêu % hồ sơ được giải quyết trực tuyến toàn trình?"]
    ans = assistant.ask("Tân An làm được bao nhiêu so với mục tiêu đó?", history=history)
    assert ans.found and ans.answer.startswith("49,68%") and ans.citations[0].commune == "Tân An"


def test_a_follow_up_asking_in_its_own_words_and_by_its_verb(assistant: Assistant) -> None:
    ans = assistant.ask("Còn máy in thì mấy cái?", history=["Giao Minh có bao nhiêu máy tính?"])
    assert ans.found and ans.answer.startswith("36 — ")
    # "kích hoạt được bao nhiêu": the accounts activated, not the applications received before them
    ans = assistant.ask("Còn tài khoản định danh điện tử thì kích hoạt được bao nhiêu?",
                        history=["Đại Sơn cấp được bao nhiêu thẻ căn cước?"])
    assert ans.found and ans.answer.startswith("16.850")


def test_the_whole_city_is_not_a_commune_of_the_conversation(assistant: Assistant) -> None:
    ans = assistant.ask("Còn toàn thành phố thì bao nhiêu?", history=["Tỷ lệ hồ sơ trực tuyến của Gia Phúc?"])
    assert not ans.found and "toàn thành phố" in ans.answer


def test_a_rate_of_another_kind_is_not_the_rate_asked(assistant: Assistant) -> None:
    """"đúng hạn" asked, "giải quyết trực tuyến 100%" stated: another rate, so no figure."""
    ans = assistant.ask("Tỷ lệ hồ sơ giải quyết đúng hạn của xã Giao Minh là bao nhiêu?")
    assert not ans.found and not re.match(r"\d", ans.answer)
    ans = assistant.ask("Tỷ lệ hồ sơ giải quyết đúng hạn của xã Tân An là bao nhiêu?")
    assert ans.found and ans.answer.startswith("99,73%")


def test_a_population_is_not_a_number_of_people_guided(assistant: Assistant) -> None:
    ans = assistant.ask("Dân số xã An Khánh hiện nay là bao nhiêu người?")
    assert not ans.found and "2683" not in ans.answer


def test_unaccented_machines_and_table_rows_counted_in_another_unit(assistant: Assistant) -> None:
    """"so may tinh" is the number of computers, not "số mấy"; "Số buổi … Buổi 32" counts sessions,
    not the people a question about "người dân được hướng dẫn" asks."""
    ans = assistant.ask("so may tinh o UBND xa Giao Minh la bn")
    assert ans.found and ans.answer.startswith("37 — ")
    ans = assistant.ask("Ở đó đã hướng dẫn được bao nhiêu người dân dùng kỹ năng số?",
                        history=["An Khánh có mấy thôn?"])
    assert ans.found and "2683" in ans.answer.split(" — ")[0]


def test_a_phase_deadline_of_a_guiding_plan_is_answered_from_the_catalog(assistant: Assistant) -> None:
    ans = assistant.ask("Giai đoạn 2 của Kế hoạch 02 phải hoàn thành khi nào?")
    assert ans.found and "31/12/2025" in ans.answer and "Giai đoạn" in ans.answer


def test_the_instruction_a_report_answers_is_found_by_its_number(assistant: Assistant) -> None:
    """"Sở KH&CN" is the Sở Khoa học và Công nghệ; "Công văn 4157" is "4157/SKHCN-CNTT"."""
    ans = assistant.ask("Báo cáo của Đại Sơn thực hiện theo công văn số mấy của Sở KH&CN?")
    assert ans.found and ans.answer.startswith("4157/SKHCN")
    ans = assistant.ask("Xã nào báo cáo theo Công văn 4157 của Sở Khoa học và Công nghệ?")
    assert ans.found and "Đại Sơn [" in ans.answer.split("\n")[0] and "Tân An [" not in ans.answer.split("\n")[0]


def test_a_list_of_tasks_split_over_passages_is_listed_whole(assistant: Assistant) -> None:
    """Each task of An Khánh's 2026 list is numbered like a heading, so the list spans passages; the
    answer goes on to the tasks of the next passages, and stops at the report's closing."""
    ans = assistant.ask("An Khánh có những nhiệm vụ gì cho năm 2026?")
    assert ans.found and "máy scan" in ans.answer
    ans = assistant.ask("Đại Sơn có những kiến nghị gì?")
    assert ans.found and "Trên đây là" not in ans.answer and "Nơi nhận" not in ans.answer


def test_solutions_asked_are_the_reports_solutions_not_its_goals(assistant: Assistant) -> None:
    ans = assistant.ask("Gia Phúc có giải pháp gì giúp người cao tuổi dùng công nghệ số?")
    assert ans.found and "Đôi bạn kỹ thuật số" in ans.answer


def test_while_implementing_is_a_frame_not_the_topic_of_the_difficulties(assistant: Assistant) -> None:
    ans = assistant.ask("Tân An gặp những khó khăn gì trong quá trình triển khai chuyển đổi số?")
    assert ans.found and "kiêm nhiệm nhiều nhiệm vụ" in ans.answer


def test_the_national_goal_of_that_indicator_is_no_communes_goal(assistant: Assistant) -> None:
    history = ["Gia Phúc có bao nhiêu phần trăm người trưởng thành có chữ ký số?"]
    ans = assistant.ask("Mục tiêu quốc gia của chỉ tiêu này đến năm 2030 là bao nhiêu?", history=history)
    assert ans.found and ans.kind == "target" and ">70%" in ans.answer


def test_a_speed_is_answered_in_bits_per_second(assistant: Assistant) -> None:
    ans = assistant.ask("Đường truyền riêng cho người dân ở Đại Sơn nhanh cỡ nào?")
    assert ans.found and ans.answer.startswith("150 Mbps")
    ans = assistant.ask("Năm 2030 Tân An phấn đấu cáp quang tốc độ bao nhiêu?")
    assert ans.found and "1Gb/s" in ans.answer


def test_the_plan_named_for_digital_transformation_is_not_any_plan(assistant: Assistant) -> None:
    """Tân An lists many 2025 plans; the one "về chuyển đổi số … năm 2025" is the one asked."""
    ans = assistant.ask("Kế hoạch chuyển đổi số năm 2025 của xã Tân An là kế hoạch số mấy?")
    assert ans.found and ans.answer.startswith("537/KH-UBND")


def test_an_abbreviation_counted_is_found_spelled_out(assistant: Assistant) -> None:
    ans = assistant.ask("xa Giao Minh co bao nhieu CBCCVC")
    assert ans.found and ans.answer.startswith("36 — ")


def test_which_commune_did_most_ranks_figures_that_count_the_same_thing(assistant: Assistant) -> None:
    ans = assistant.ask("Xã nào đưa nhiều sản phẩm OCOP lên sàn thương mại điện tử nhất?")
    head = ans.answer.split("\n")[0]
    assert ans.found and head.startswith("Xã Giao Minh [") and "07 sản phẩm" in head


def test_eval_ignores_letter_case_and_reads_a_question_key(seed_index: Settings, tmp_path) -> None:
    """"chủ tịch" matches "Chủ tịch UBND xã": letter case never decides whether an answer is right."""
    qa = tmp_path / "qa.jsonl"
    rows = [{"id": "a", "question": "Ai ký báo cáo của xã Đại Sơn?", "kind": "entity", "answer": "phó chủ tịch"}]
    qa.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8")
    proc = run_cli(["eval", str(qa), "--json", "--mode", "bm25"], index_dir=seed_index.index_dir,
                   env={"ASSISTANT_EMBEDDINGS": "hash-test"})
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["answer_accuracy"] == 1.0


def test_a_goal_row_still_in_progress_is_not_a_result(assistant: Assistant) -> None:
    """Tân An's table of goals writes "đạt trên 50%" with the status "Đang triển khai" after it."""
    ans = assistant.ask("Hiện nay bao nhiêu phần trăm người trưởng thành ở Tân An đã có chữ ký số?")
    assert not ans.found and not re.match(r"\d", ans.answer)


def test_a_rank_is_answered_by_a_rank_not_a_document_number(assistant: Assistant) -> None:
    ans = assistant.ask("Chỉ số chuyển đổi số của xã An Khánh năm 2025 xếp thứ mấy trong thành phố?")
    assert not ans.found and not re.match(r"\d", ans.answer)


def test_a_goal_follow_up_naming_a_plan_and_a_deadline_keeps_the_subject(assistant: Assistant) -> None:
    history = ["Tỷ lệ hồ sơ TTHC xử lý trực tuyến của Đại Sơn là bao nhiêu?"]
    ans = assistant.ask("Theo Kế hoạch 02 thì cuối 2025 phải đạt mức nào?", history=history)
    assert ans.found and ans.kind == "target" and "≥80%" in ans.answer


def test_proposals_to_fix_a_topic_no_proposal_names_are_all_listed_as_such(assistant: Assistant) -> None:
    ans = assistant.ask("Xã kiến nghị gì để giải quyết?",
                        history=["An Khánh còn những hạn chế gì về nhân lực chuyển đổi số?"])
    assert ans.found and ans.kind == "narrative"
    first, *points = ans.answer.split("\n")
    assert first.startswith("Báo cáo của xã An Khánh nêu các đề xuất, kiến nghị sau")
    assert any("Ipv6" in p for p in points) and all(p.startswith("- «") for p in points)
