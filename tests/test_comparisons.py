"""Comparisons of two communes: each is asked the question as a figure question of its own, and
figures counted in words of one group ("ấp", "thôn") are compared."""

from __future__ import annotations

from assistant.app import Assistant
from assistant.text.synonyms import canonical


def test_words_of_one_group_count_the_same_thing() -> None:
    assert canonical("ấp") == canonical("thôn") == canonical("xóm")
    assert canonical("buổi") != canonical("thôn")


def test_more_hamlets_compares_hamlets_with_villages(assistant: Assistant) -> None:
    ans = assistant.ask("Giữa Tân An và An Khánh, xã nào có nhiều thôn, ấp hơn?")
    assert ans.found and ans.kind == "which_commune"
    assert ans.answer.split("\n")[0] == "Xã An Khánh (19) nhiều hơn xã Tân An (17)."


def test_figures_of_different_things_are_not_compared(assistant: Assistant) -> None:
    ans = assistant.ask("Giữa Tân An và Đại Sơn, xã nào đông dân hơn?")
    assert ans.answer.startswith("Không so sánh trực tiếp được")  # Đại Sơn states no population
