"""Peer comparison: each paragraph of a commune's section next to the closest passages of other communes.

For every paragraph of a section (from the commune's ingested report, or from a pasted draft) the
comparer finds the closest paragraphs of the same section kind in *other* communes' reports, scores
them (`similarity.Scorer`: the index's stored vectors, or TF-IDF without them) with a calibrated
level ("rất gần / gần / khác"), shows a word-level diff that keeps both texts exactly as written,
tags each paragraph with a pillar, and lists the pillars peers write about that this section never
mentions.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from typing import Any

from assistant.compare.diff import diff_segments, inline_diff, shared_phrases, word_diff
from assistant.compare.paragraphs import (
    chunk_paragraphs,
    guess_kind,
    passage_units,
    split_paragraphs,
)
from assistant.compare.similarity import LEVEL_LABELS, Scorer, TextVectors
from assistant.domain import pillars
from assistant.domain.catalog import pillar_label
from assistant.domain.sections import NARRATIVE_KINDS
from assistant.qa.retriever import Filters, Retriever
from assistant.records import Chunk
from assistant.text.normalize import fold

log = logging.getLogger(__name__)

COMPARE_KINDS = NARRATIVE_KINDS
PILLARS = ("nhan_luc", "ha_tang", "du_lieu", "an_toan_thong_tin", "chinh_quyen_so",
           "kinh_te_so", "xa_hoi_so", "kinh_phi")
__all__ = ["COMPARE_KINDS", "LEVEL_LABELS", "Comparison", "Item", "MissingPillar", "Peer", "PeerComparer",
           "UnknownCommune", "chunk_paragraphs", "classify_pillar", "diff_segments", "guess_kind",
           "inline_diff", "passage_units", "pillar_scores", "shared_phrases", "split_paragraphs", "word_diff"]

# ---------------------------------------------------------------- pillars


def pillar_scores(text: str) -> dict[str, float]:
    """Keyword score per pillar (only the eight themes with a hit); rules in `assistant.pillars`."""
    return {p: v for p, v in pillars.scores(text).items() if p in PILLARS}


def classify_pillar(text: str) -> str | None:
    """The pillar a paragraph mostly belongs to, or None when it names none of the eight."""
    found = [p for p in pillars.classify(text) if p in PILLARS]
    return found[0] if found else None


# ---------------------------------------------------------------- results


@dataclass
class Peer:
    commune: str
    source: str
    doc_id: str
    section: str
    text: str
    similarity: float
    diff: list[dict[str, str]]
    level: str = "khac"  # rat_gan | gan | khac: calibrated on the other communes' passages (see `levels`)
    percentile: float = 0.0  # share of usual best matches between communes that score lower (see `similarity`)
    words: float = 0.0  # shared wording (TF-IDF cosine) with the paragraph
    owner: str = ""  # provenance of an uploaded peer document ("" for the bundled corpus)
    uploaded_by: str = ""
    published: bool = True

    def to_json(self) -> dict[str, Any]:
        return {"commune": self.commune, "source": self.source, "doc_id": self.doc_id,
                "section": self.section, "text": self.text, "similarity": round(self.similarity, 4),
                "level": self.level, "level_label": LEVEL_LABELS[self.level],
                "percentile": round(self.percentile, 3), "words": round(self.words, 4),
                "shared": shared_phrases(self.diff), "diff": self.diff,
                "owner": self.owner, "uploaded_by": self.uploaded_by, "published": self.published}


@dataclass
class Item:
    text: str
    section_kind: str
    section: str
    pillar: str | None
    peers: list[Peer] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {"text": self.text, "section_kind": self.section_kind, "section": self.section,
                "pillar": self.pillar, "pillar_label": pillar_label(self.pillar) if self.pillar else None,
                "peers": [p.to_json() for p in self.peers]}


@dataclass
class MissingPillar:
    pillar: str
    section_kind: str
    examples: list[Peer]

    def to_json(self) -> dict[str, Any]:
        return {"pillar": self.pillar, "label": pillar_label(self.pillar), "section_kind": self.section_kind,
                "peers": [{"commune": p.commune, "source": p.source, "section": p.section, "text": p.text}
                          for p in self.examples]}


@dataclass
class Comparison:
    commune: str | None
    section: str
    similarity: str
    items: list[Item] = field(default_factory=list)
    missing_pillars: list[MissingPillar] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {"commune": self.commune, "section": self.section, "similarity": self.similarity,
                "items": [i.to_json() for i in self.items],
                "missing_pillars": [m.to_json() for m in self.missing_pillars],
                "warnings": list(self.warnings)}


class UnknownCommune(ValueError):
    """A commune that has no report in the index; `known` lists those that do."""

    def __init__(self, name: str, known: list[str]) -> None:
        self.name, self.known = name, known
        super().__init__(f"không có báo cáo của xã '{name}' trong chỉ mục (no report for this commune); "
                         f"các xã đã có: {', '.join(known) or '(chưa có)'}")


# ---------------------------------------------------------------- comparer


@dataclass
class _Cand:
    chunk: Chunk
    text: str


class PeerComparer:
    """Compares paragraphs with other communes' reports over one loaded Retriever."""

    def __init__(self, retriever: Retriever, *, candidates: int = 40,
                 text_vectors: TextVectors | None = None) -> None:
        """`text_vectors`: paragraph vectors to reuse (kept by the web app across index reloads)."""
        self.r = retriever
        self.candidates = candidates
        self._paras: dict[str, list[str]] = {}
        reports = [c for c in retriever.chunks if c.kind == "report" and c.commune]
        self._by_kind: dict[str, list[Chunk]] = {}
        for c in reports:
            self._by_kind.setdefault(c.section_kind, []).append(c)
        self.report_communes = sorted({c.commune for c in reports})
        self.scorer = Scorer(retriever, self._by_kind, self._chunk_paras, passage_units, text_vectors)

    @property
    def similarity_name(self) -> str:
        return self.scorer.name

    def resolve(self, commune: str) -> str:
        """The indexed spelling of a commune with a report; UnknownCommune otherwise."""
        by_fold = {fold(c): c for c in self.report_communes}
        name = re.sub(r"^(?:ubnd\s+)?xa\s+", "", " ".join(fold(commune).split()))
        if name in by_fold:
            return by_fold[name]
        raise UnknownCommune(commune, self.report_communes)

    # --- public entry points ------------------------------------------------------------
    def compare_commune(self, commune: str, section: str = "all", k: int = 3) -> Comparison:
        name = self.resolve(commune)
        kinds = COMPARE_KINDS if section == "all" else (section,)
        out = Comparison(commune=name, section=section, similarity=self.similarity_name)
        own: dict[str, list[str]] = {}
        for kind in kinds:
            chunks = sorted((c for c in self.r.chunks if c.kind == "report" and fold(c.commune) == fold(name)
                             and c.section_kind == kind), key=lambda c: (c.doc_id, c.position))
            paras = [(c, p) for c in chunks for p in self._chunk_paras(c)]
            if not paras:
                out.warnings.append(f"Báo cáo của xã {name} không có đoạn nào thuộc phần '{kind}'.")
                continue
            own[kind] = [p for _, p in paras]
            self.scorer.prepare([p for _, p in paras])  # one batch; the peers' vectors are read, not embedded
            out.items.extend(self._item(p, kind, c.section, name, k) for c, p in paras)
        out.missing_pillars = self._missing(own, name)
        return out

    def compare_text(self, text: str, section: str = "all", k: int = 3, *, commune: str | None = None,
                     hard_breaks: bool = False) -> Comparison:
        # the draft's own commune: given, else named in its title lines
        name = self.resolve(commune) if commune else self.r.commune_named_in(text[:300])
        out = Comparison(commune=name, section=section, similarity=self.similarity_name)
        own: dict[str, list[str]] = {}
        skipped = 0
        paras = split_paragraphs(text, hard_breaks=hard_breaks)
        self.scorer.prepare([p for _, p in paras])
        for heading, para in paras:
            kind = section if section != "all" else guess_kind(heading)
            if kind is None:
                skipped += 1
                continue
            own.setdefault(kind, []).append(para)
            out.items.append(self._item(para, kind, heading or kind, name, k))
        if skipped:
            out.warnings.append(f"Bỏ qua {skipped} đoạn không rõ thuộc phần nào (phía trên không có tiêu đề như "
                                "«Tồn tại, hạn chế»); hãy chọn phần báo cáo cần so sánh (dòng lệnh: --section).")
        out.missing_pillars = self._missing(own, name)
        return out

    # --- internals -------------------------------------------------------------------------
    def _chunk_paras(self, c: Chunk) -> list[str]:
        if c.chunk_id not in self._paras:
            self._paras[c.chunk_id] = chunk_paragraphs(c.text)
        return self._paras[c.chunk_id]

    def _peer_chunks(self, text: str, kind: str, own: str | None) -> list[Chunk]:
        """Candidate chunks of other communes: the best overall, plus the best of each other commune."""
        exclude = [own] if own else []
        f = Filters(exclude_communes=exclude, section_kinds=[kind], kinds=["report"])
        # keyword candidates (no embedding per query); the dense model re-scores the paragraphs after
        mode = "bm25"
        found = [r.chunk for r in self.r.search(text, k=self.candidates, filters=f, mode=mode, auto_commune=False)]
        seen = {fold(c.commune) for c in found}
        for other in self.report_communes:
            if fold(other) in seen or (own and fold(other) == fold(own)):
                continue
            fo = Filters(communes=[other], section_kinds=[kind], kinds=["report"])
            found.extend(r.chunk for r in self.r.search(text, k=3, filters=fo, mode=mode, auto_commune=False))
        own_f = fold(own) if own else None
        seen = {fold(c.commune) for c in found}
        for c in self._by_kind.get(kind, []):  # no shared word at all: still show each commune's section
            if fold(c.commune) not in seen and fold(c.commune) != own_f:
                found.extend(x for x in self._by_kind[kind] if x.commune == c.commune)
                seen.add(fold(c.commune))
        # check again: never the commune itself, only reports of this section kind
        return [c for c in found if c.kind == "report" and c.section_kind == kind and c.commune
                and fold(c.commune) != own_f]

    def _item(self, text: str, kind: str, section: str, own: str | None, k: int) -> Item:
        """One paragraph and its closest peers."""
        chunks = list({c.chunk_id: c for c in self._peer_chunks(text, kind, own)}.values())
        meaning = self.scorer.scores(text, chunks).tolist()
        chunk_score = dict(zip((c.chunk_id for c in chunks), meaning, strict=True))
        cands = [_Cand(c, u) for c in chunks for p in self._chunk_paras(c) for u in passage_units(p)]
        # the passage's score plus the shared wording, so near-identical phrasing wins ties
        words = self.scorer.overlaps(text, [c.text for c in cands])
        rank = [chunk_score[c.chunk.chunk_id] + w for c, w in zip(cands, words, strict=True)]
        ranked = sorted(zip(rank, range(len(cands)), strict=True), key=lambda x: (-x[0], x[1]))
        picked: list[int] = []
        communes: set[str] = set()
        for _, i in ranked:  # the best paragraph of each commune first, for variety
            if len(picked) < k and fold(cands[i].chunk.commune) not in communes:
                picked.append(i)
                communes.add(fold(cands[i].chunk.commune))
        for _, i in ranked:  # then fill up from any commune
            if len(picked) < k and i not in picked:
                picked.append(i)
        picked.sort(key=lambda i: -rank[i])
        peers = []
        for i in picked:
            near = self.scorer.closeness(chunk_score[cands[i].chunk.chunk_id], words[i], kind)
            peer = self._peer(cands[i], near.score, text)
            peer.level, peer.percentile, peer.words = near.level, near.percentile, near.words
            peers.append(peer)
        return Item(text=text, section_kind=kind, section=section, pillar=classify_pillar(text), peers=peers)

    @staticmethod
    def _peer(cand: _Cand, sim: float, own_text: str) -> Peer:
        c = cand.chunk
        return Peer(commune=c.commune, source=c.source, doc_id=c.doc_id, section=c.section,
                    text=cand.text, similarity=sim, diff=word_diff(own_text, cand.text),
                    owner=c.owner, uploaded_by=c.uploaded_by, published=c.published)

    def _missing(self, own: dict[str, list[str]], name: str | None, per_pillar: int = 3) -> list[MissingPillar]:
        """Pillars that peers' paragraphs of a section kind are about and this section never mentions."""
        out: list[MissingPillar] = []
        for kind, paras in own.items():
            mentioned = set().union(*(pillar_scores(p) for p in paras)) if paras else set()
            by_pillar: dict[str, list[tuple[float, _Cand]]] = {}
            for c in self.r.chunks:
                if c.kind != "report" or c.section_kind != kind or not c.commune:
                    continue
                if name and fold(c.commune) == fold(name):
                    continue
                for p in (u for para in self._chunk_paras(c) for u in passage_units(para)):
                    pil = classify_pillar(p)
                    if pil and pil not in mentioned:
                        by_pillar.setdefault(pil, []).append((pillar_scores(p)[pil], _Cand(c, p)))
            for pil in PILLARS:
                if pil not in by_pillar:
                    continue
                examples: list[Peer] = []
                seen: set[str] = set()
                for _, cand in sorted(by_pillar[pil], key=lambda x: -x[0]):
                    if fold(cand.chunk.commune) in seen:
                        continue
                    seen.add(fold(cand.chunk.commune))
                    examples.append(self._peer(cand, 0.0, ""))
                    if len(examples) == per_pillar:
                        break
                out.append(MissingPillar(pillar=pil, section_kind=kind, examples=examples))
        return out
