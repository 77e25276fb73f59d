from assistant.text.normalize import content_terms, expand_abbreviations, fold, keyword_tokens, nfc


def test_fold_strips_accents_and_d_stroke():
    assert fold("Tỷ lệ hồ sơ Đại Sơn") == "ty le ho so dai son"


def test_nfd_input_is_normalised():
    nfd = "Ho\u0302\u0300 so\u031b"  # "Hồ sơ" written decomposed
    assert nfc(nfd) == "Hồ sơ"
    assert keyword_tokens(nfd) == keyword_tokens("Hồ sơ")


def test_accentless_query_shares_tokens_with_accented_text():
    doc = set(keyword_tokens("Tỷ lệ hồ sơ trực tuyến đạt 71,2%"))
    query = set(keyword_tokens("ty le ho so truc tuyen", query=True))
    assert query <= doc
    assert "ho_so" in query  # syllable bigram ("word segment")


def test_abbreviation_meets_full_form():
    assert {"thu_tuc", "tuc_hanh"} <= set(keyword_tokens("Số hồ sơ TTHC", query=True))
    assert "cong_nghe" in keyword_tokens("Tổ CNSCĐ")
    assert expand_abbreviations("CĐS") == "CĐS (chuyển đổi số)"


def test_numbers_stay_whole():
    toks = keyword_tokens("đạt 71,2%, tổng 1.429 hồ sơ; 39/39 CBCC.")
    assert {"71,2", "1.429", "39/39"} <= set(toks)


def test_question_words_are_not_content():
    assert content_terms("Xã An Khánh có bao nhiêu thôn?") == {"xa", "an", "khanh", "thon"}


def test_lower_case_abbreviations_and_network_generations_are_tokens():
    from assistant.text.normalize import expand_shorthand

    assert {"thu_tuc", "hanh_chinh"} <= set(keyword_tokens("so tthc"))
    assert "5g" in keyword_tokens("phủ sóng 5G") and "5" not in keyword_tokens("phủ sóng 5G")
    assert expand_shorthand("dat bn %, dc ko") == "dat bao nhieu %, duoc khong"  # unaccented stays so
    assert expand_shorthand("đạt bn %, dc ko") == "đạt bao nhiêu %, được không"
    assert expand_shorthand("71,2 kg") == "71,2 kg"  # only whole shorthand words
