"""Suggestions: what other communes wrote about the pillars this commune's input leaves out.

For each of the eight pillars (hạ tầng, nhân lực, dữ liệu, an toàn thông tin, chính quyền số,
kinh tế số, xã hội số, kinh phí) that no observation and no missed target puts into Tồn tại,
up to two shortcomings that other communes wrote in their Tồn tại parts are offered, each with a
task a peer wrote for such a shortcoming (their Phương hướng / Đề xuất parts) or, when none
fits, the task the rules in `nhiem_vu.yaml` derive; a task beyond the commune's power becomes
a kiến nghị instead (`kien_nghi.request_for`). Every suggestion is cited, carries no figure (a
bracket or clause holding one is cut; a sentence that still holds one is not used), is adapted
to the commune (`adapt.Locale`) and is marked `SUGGESTION_MARK` for the officer to keep or
delete. A shortcoming several communes wrote in similar words comes first; one that contradicts
an indicator the commune met, or repeats one of its observations, is not offered.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass

from assistant.domain import pillars
from assistant.drafting.peers import PeerSentence
from assistant.drafting.rewrite import (
    is_request,
    is_shortcoming,
    strip_end,
    task_from_shortcoming,
    upper_first,
)
from assistant.drafting.writer import Writer
from assistant.text.citations import mask_citations
from assistant.text.normalize import content_terms, fold
from assistant.text.vn_numbers import find_numbers

log = logging.getLogger(__name__)

MAX_PER_PILLAR = 2
MIN_PILLAR_SCORE = 4.0  # the sentence is clearly about the pillar (see pillars.scores)
SAME = 0.4  # two sentences sharing this much of their content words say the same thing
MIN_TASK_SCORE = 0.22  # similarity a peer task needs to answer a suggested shortcoming
_BRACKET_FIGURE_RE = re.compile(r"\s*\([^()]*\d[^()]*\)")
_CLAUSE_RE = re.compile(r"(?<=[,;:])\s+")
# a connective that ties the sentence to the one before it in the peer's report
_CONNECTIVE_RE = re.compile(
    r"^(?:bên cạnh đó|ngoài ra|đồng thời|mặt khác|tuy nhiên|trong đó|thêm vào đó|"
    r"về nguyên nhân (?:khách quan|chủ quan))\s*,?\s*",
    re.IGNORECASE,
)
_MIN_WORDS = 8


@dataclass
class Suggestion:
    """One suggested shortcoming for a pillar, with its task or its kiến nghị."""

    pillar: str
    shortcoming: PeerSentence  # `text` adapted and figure-free, `quote` as the peer wrote it
    task: PeerSentence | None = None  # a peer's task (cited), when one fits
    task_text: str = ""  # the task the draft writes (the peer's, or derived by rule)
    request: str | None = None  # the kiến nghị when the task is beyond the commune

    def to_json(self) -> dict:
        return {
            "pillar": self.pillar,
            "shortcoming": self.shortcoming.text,
            "task": self.task_text,
            "request": self.request,
            "commune": self.shortcoming.chunk.commune,
        }


def strip_figures(sentence: str) -> str | None:
    """The sentence without its figures, or None when what is left is no longer a sentence.

    A bracket holding a figure goes ("(80%)"); otherwise the sentence is cut before the first
    clause that holds one, and kept only when the cut leaves a whole thought.
    """
    s = _BRACKET_FIGURE_RE.sub("", strip_end(sentence))
    s = upper_first(_CONNECTIVE_RE.sub("", s))
    if not find_numbers(s):
        return s
    kept: list[str] = []
    for clause in _CLAUSE_RE.split(s):
        if find_numbers(clause):
            break
        kept.append(clause)
    out = strip_end(" ".join(kept))
    if len(out.split()) < _MIN_WORDS or find_numbers(out):
        return None
    return out


def overlap(a: str, b: str) -> float:
    """Share of the content words of the shorter text that the other has too."""
    ta, tb = content_terms(a), content_terms(b)
    if not ta or not tb:
        return 0.0
    return len(ta & tb) / min(len(ta), len(tb))


def _contradicts(w: Writer, sentence: str) -> bool:
    """The sentence speaks of an indicator the commune met, or restates its own observation."""
    met = [g.name for g in w.gaps.items if g.status == "met" and not g.binding_missed]
    own = [o.text for o in w.all_obs]
    return any(overlap(sentence, x) >= 0.5 for x in met + own)


def _candidates(w: Writer, pillar: str, query: str) -> list[PeerSentence]:
    """Usable peer shortcomings about `pillar`, figure-free and adapted, best first."""
    assert w.finder is not None
    finder, out, seen = w.finder, [], set()
    for _, sentence, chunk, rank in finder.units(query, ["ton_tai"], scope="shortcomings"):
        if fold(sentence) in seen or not finder.names_ok(sentence):
            continue
        seen.add(fold(sentence))
        text = strip_figures(sentence)
        if text is None or not finder.usable(text) or not is_shortcoming(text, w.ph):
            continue
        scores = pillars.scores(text)
        if pillars.primary(text, default="") != pillar or scores[pillar] < MIN_PILLAR_SCORE:
            continue
        adapted = finder.adapted(text)
        if adapted is None or _contradicts(w, adapted):
            continue
        share = scores[pillar] / sum(scores.values())
        out.append(PeerSentence(adapted, chunk, round(share + 0.03 / (1 + rank), 4), sentence))
    return _by_commonness(out)


def _by_commonness(cands: list[PeerSentence]) -> list[PeerSentence]:
    """Candidates that other communes wrote in similar words first, then by score."""

    def common(c: PeerSentence) -> int:
        others = {
            fold(o.chunk.commune)
            for o in cands
            if fold(o.chunk.commune) != fold(c.chunk.commune) and overlap(c.text, o.text) >= SAME
        }
        return len(others)

    ranked = {id(c): (common(c), c.score) for c in cands}
    return sorted(cands, key=lambda c: (-ranked[id(c)][0], -ranked[id(c)][1], c.text))


def _pick(cands: list[PeerSentence]) -> list[PeerSentence]:
    chosen: list[PeerSentence] = []
    for c in cands:
        if all(overlap(c.text, x.text) < SAME for x in chosen):
            chosen.append(c)
        if len(chosen) >= MAX_PER_PILLAR:
            break
    return chosen


def _task(w: Writer, pillar: str, shortcoming: str, used: set[str]) -> tuple[PeerSentence | None, str]:
    """A peer's task for the shortcoming (cited), else the pillar's usual task (`nhiem_vu.yaml`)."""
    assert w.finder is not None
    rule = task_from_shortcoming(shortcoming, w.ph)
    peer = w.finder.best(
        shortcoming,
        ["phuong_huong", "de_xuat"],
        pillar=pillar,
        min_score=MIN_TASK_SCORE,
        used=used,
        score_text=f"{rule} {shortcoming}",
        accept=lambda s: not is_request(s, w.ph),
        scope="requests",
    )
    if peer is not None:
        used.add(fold(peer.source_text))
        return peer, strip_end(peer.text)
    path = f"nhiem_vu.theo_tru_cot.{pillar}"
    return None, w.pick(path, shortcoming) if w.ph.has(path) else rule


def suggest(w: Writer) -> list[Suggestion]:
    """The suggestions for the pillars the commune's own input leaves out (see the docstring)."""
    if w.finder is None:
        return []
    missing = [p for p in pillars.PILLARS if p not in w.covered_pillars()]
    queries = {p: str(w.ph.get(f"goi_y.truy_van.{p}")) for p in missing}
    w.finder.prefetch(queries.values(), scope="shortcomings")
    picked = [(p, s) for p in missing for s in _pick(_candidates(w, p, queries[p]))]
    w.finder.prefetch([s.text for _, s in picked], scope="requests")
    out, used, tasks = [], set(), set()
    for pillar, s in picked:
        request = w.routed(s.text)
        task, task_text = (None, "") if request else _task(w, pillar, s.text, used)
        if fold(task_text) in tasks:
            task, task_text = None, ""  # the task already written answers this one too
        tasks.add(fold(task_text))
        out.append(Suggestion(pillar, s, task, upper_first(task_text), request))
        log.debug("suggestion for %s from %s: %s", pillar, s.chunk.commune, s.text)
    return out


def carries_figure(line: str) -> bool:
    """Whether a drafted line holds a figure (citation markers are not figures)."""
    return bool(find_numbers(mask_citations(line)))
