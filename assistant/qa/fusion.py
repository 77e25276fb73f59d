"""Fusing rankings: weighted reciprocal-rank fusion."""

from __future__ import annotations

from collections.abc import Hashable, Sequence


def rrf(
    rankings: Sequence[Sequence[Hashable]], *, k: int = 60, weights: Sequence[float] | None = None
) -> list[tuple[Hashable, float]]:
    """Reciprocal-rank fusion of best-first rankings; returns (item, score), best first.

    Ties keep the order of first appearance, so results are deterministic.
    """
    weights = list(weights) if weights is not None else [1.0] * len(rankings)
    if len(weights) != len(rankings):
        raise ValueError("one weight per ranking")
    scores: dict[Hashable, float] = {}
    order: dict[Hashable, int] = {}
    for ranking, w in zip(rankings, weights, strict=True):
        for rank, item in enumerate(ranking):
            scores[item] = scores.get(item, 0.0) + w / (k + rank + 1)
            order.setdefault(item, len(order))
    return sorted(scores.items(), key=lambda kv: (-kv[1], order[kv[0]]))
