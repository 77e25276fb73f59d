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


# ---------------------------------------------------------------- linear time (work counted, not timed)

LONG_LINE = ("xã tổ chức tuyên truyền chuyển đổi số cho người dân trong các thôn và khu dân cư "
             "với nhiều hình thức khác nhau")


def _scanned_characters(monkeypatch, n_lines: int) -> int:  # noqa: ANN001 - pytest's monkeypatch
    """Characters handed to the line tests of `cleaning` while cleaning `n_lines` long lines that
    never end a sentence (one paragraph): each test scans what it is given, so this is the work."""
    from assistant.ingest import cleaning

    seen = [0]

    class CountingRegex:
        def __init__(self, rx) -> None:  # noqa: ANN001 - re.Pattern
            self.rx = rx

        def search(self, s: str):  # noqa: ANN201
            seen[0] += len(s)
            return self.rx.search(s)

        def match(self, s: str):  # noqa: ANN201
            seen[0] += len(s)
            return self.rx.match(s)

    def counting(fn):  # noqa: ANN001, ANN202
        def wrapped(s: str, *a):  # noqa: ANN001, ANN202
            seen[0] += len(s)
            return fn(s, *a)
        return wrapped

    with monkeypatch.context() as m:
        for name in ("TERMINAL_RE", "HEADING_RE", "TABLE_BREAK_RE", "ROW_START_RE", "BULLET_RE"):
            m.setattr(cleaning, name, CountingRegex(getattr(cleaning, name)))
        m.setattr(cleaning, "_is_upper_line", counting(cleaning._is_upper_line))
        m.setattr(cleaning, "_first_alpha_upper", counting(cleaning._first_alpha_upper))
        blocks = cleaning.to_blocks("\n".join([LONG_LINE] * n_lines))
    assert len(blocks) == 1 and len(blocks[0]) == n_lines * (len(LONG_LINE) + 1) - 1
    return seen[0]


def test_cleaning_work_grows_linearly_with_a_long_paragraph(monkeypatch) -> None:  # noqa: ANN001
    """500 → 2,000 lines: four times the text may take at most about four times the scanning
    (the paragraph used to be re-scanned for every line: sixteen times)."""
    small, large = _scanned_characters(monkeypatch, 500), _scanned_characters(monkeypatch, 2000)
    assert large <= 4.5 * small, (small, large)
    assert small <= 20 * 500 * len(LONG_LINE)  # a bounded number of passes over each line


def test_a_count_with_a_leading_zero_wrapped_onto_a_line_continues_the_sentence() -> None:
    """Reports write counts as "09 CBCC", "01 Giám đốc"; a table's row numbers have no leading zero."""
    text = ("- Hiện nay Trung tâm Phục vụ hành chính công biên chế được bố trí\n"
            "09 CBCC gồm: 01 Giám đốc Trung tâm (do Phó Chủ tịch UBND xã kiêm nhiệm),\n"
            "01 Phó Giám đốc Trung tâm và 07 công chức chuyên môn.\n")
    assert to_blocks(text) == [" ".join(text.split())]


def test_inline_formula_markup_is_written_as_plain_symbols() -> None:
    from assistant.ingest.cleaning import plain_math

    line = r"đạt $\geq 80\%$, hồ sơ nộp trực tuyến đạt $\geq 40\%$"
    assert plain_math(line) == "đạt ≥80%, hồ sơ nộp trực tuyến đạt ≥40%"
    assert plain_math(r"công thức $\frac{a}{b}$") == r"công thức $\frac{a}{b}$"  # more than symbols: as written
    assert plain_math("giá 5$ và 7$") == "giá 5$ và 7$"
