from assistant.ingest.cleaning import to_blocks

WRAPPED = """Hạ tầng, trang thiết bị CNTT tiếp tục được UBND xã quan tâm đầu tư nâng cấp, thay

thế, bổ sung; 100% cán bộ, công chức được trang bị máy tính phục vụ công việc.

- Trang thiết bị CNTT cho các thôn còn thiếu.
"""


def test_lines_broken_mid_sentence_are_rejoined():
    blocks = to_blocks(WRAPPED)
    assert blocks[0].startswith("Hạ tầng") and "nâng cấp, thay thế, bổ sung; 100%" in blocks[0]
    assert blocks[1] == "- Trang thiết bị CNTT cho các thôn còn thiếu."


def test_page_number_inside_a_sentence_is_dropped():
    text = ("- Tổ chức các hoạt động hỗ trợ người dân giải quyết thủ tục hành chính tại nhà”,\n"
            "5\n"
            "chương trình hưởng ứng Ngày Chuyển đổi số Quốc gia.")
    assert to_blocks(text) == [
        "- Tổ chức các hoạt động hỗ trợ người dân giải quyết thủ tục hành chính tại nhà”, "
        "chương trình hưởng ứng Ngày Chuyển đổi số Quốc gia."
    ]


def test_footnote_markers_are_dropped():
    assert to_blocks("Cơ bản đáp ứng được yêu cầu nhiệm vụ(1).") == ["Cơ bản đáp ứng được yêu cầu nhiệm vụ."]


def test_flattened_table_cells_become_rows():
    text = "\n".join([
        "STT Chỉ tiêu", "1", "Tỷ lệ hồ sơ trực tuyến toàn", "trình đạt tối thiểu 60%", "Trung tâm", "Đạt",
        "2", "Tỷ lệ hài lòng đạt 90%", "Văn phòng", "Không đạt",
    ])
    blocks = to_blocks(text)
    assert blocks[1] == "1 | Tỷ lệ hồ sơ trực tuyến toàn trình đạt tối thiểu 60% | Trung tâm | Đạt"
    assert blocks[2] == "2 | Tỷ lệ hài lòng đạt 90% | Văn phòng | Không đạt"


def test_headings_start_their_own_block():
    text = "3. Hạ tầng số\na) Kết quả đạt được:\nXã đã lắp 12 camera.\nb) Tồn tại, hạn chế:\nThiếu máy chủ."
    assert to_blocks(text) == ["3. Hạ tầng số", "a) Kết quả đạt được:", "Xã đã lắp 12 camera.",
                               "b) Tồn tại, hạn chế:", "Thiếu máy chủ."]


def test_word_paragraphs_are_kept_as_they_are():
    assert to_blocks("Dòng một\ndòng hai", hard_breaks=True) == ["Dòng một", "dòng hai"]
