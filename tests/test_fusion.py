import pytest

from assistant.qa.fusion import rrf


def test_item_ranked_well_by_both_wins():
    fused = rrf([["a", "b", "c"], ["b", "a", "d"]], k=60)
    assert [x for x, _ in fused][:2] in (["a", "b"], ["b", "a"])
    assert dict(fused)["a"] == pytest.approx(dict(fused)["b"])
    assert [x for x, _ in fused][2:] == ["c", "d"]


def test_weights_shift_the_order():
    fused = rrf([["x", "y"], ["y", "x"]], k=1, weights=[1.0, 0.5])
    assert fused[0][0] == "x"


def test_weights_must_match_rankings():
    with pytest.raises(ValueError):
        rrf([["a"]], weights=[1.0, 2.0])
