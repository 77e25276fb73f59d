"""Peer comparison: each paragraph of a commune's section next to the closest passages of other communes.

For every paragraph of a section (from the commune's ingested report, or from a pasted draft) the
comparer finds the closest paragraphs of the same section kind in *other* communes' reports, scores
them (dense cosine from the index's embedder when there is one, else a TF-IDF token cosine), shows
a word-level diff, tags each paragraph with a pillar, and lists the pillars peers write about that
this section never mentions.
"""

from __future__ import annotations

import difflib
import logging
import math
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from assistant.domain import pillars
from assistant.domain.catalog import pillar_label
from assistant.domain.sections import NARRATIVE_KINDS
from assistant.ingest.chunking import heading_type
from assistant.qa.retriever import Filters, Retriever
from assistant.records import Chunk
from assistant.text.normalize import expand_abbreviations, fold, keyword_tokens, nfc
from assistant.text.segment import SENTENCE_END_RE

log = logging.getLogger(__name__)

COMPARE_KINDS = NARRATIVE_KINDS
PILLARS = ("nhan_luc", "ha_tang", "du_lieu", "an_toan_thong_tin", "chinh_quyen_so",
           "kinh_te_so", "xa_hoi_so", "kinh_phi")

# ---------------------------------------------------------------- pillars


def pillar_scores(text: str) -> dict[str, float]:
    """Keyword score per pillar (only the eight themes with a hit); rules in `assistant.pillars`."""
    return {p: v for p, v in pillars.scores(text).items() if p in PILLARS}


def classify_pillar(text: str) -> str | None:
    """The pillar a paragraph mostly belongs to, or None when it names none of the eight."""
    found = [p for p in pillars.classify(text) if p in PILLARS]
    return found[0] if found else None


# ---------------------------------------------------------------- paragraphs

_LIST_RE = re.compile(r"^\s*(?:[-+•*–]|\d{1,2}[.)]|[a-zđ][.)])\s+")
_BULLET_RE = re.compile(r"^\s*[-+•*–]\s*")
_LABEL_RE = re.compile(
    r"^[-+*\s]*(?:(?:một số\s+)?(?:tồn tại,?\s*hạn chế|hạn chế,?\s*tồn tại|khó khăn,?\s*(?:tồn tại,?\s*)?"
    r"(?:hạn chế|vướng mắc)|kết quả đạt được|đề xuất,?\s*kiến nghị|nguyên nhân))\s*:\s*", re.IGNORECASE)
_TITLE_NOTE_RE = re.compile(r"^\d{1,2}(?:\.\d{1,2})*\.?\s+[^().;]{3,60}\(.*\)$")  # "7. Chính quyền số (Đánh giá …)"
_FOOTNOTE_RE = re.compile(r"^\d{1,2}\s+[A-ZĐÀ-Ỹ]")
_MIN_CHARS = 25


def _is_heading(line: str) -> bool:
    """A heading line ("b) Tồn tại, hạn chế:", "IV. ĐÁNH GIÁ CHUNG"), not a numbered sentence."""
    s = line.strip()
    if s.startswith("#") or _TITLE_NOTE_RE.match(s):
        return True
    kind = heading_type(s)
    if kind is None:
        return False
    if kind in ("part", "roman", "caps", "label", "star"):
        return len(s) < 100
    return len(s) < 80 and not s.rstrip().endswith((".", ";"))


def _merge(lines: list[str]) -> list[str]:
    """Join an intro ending with ':' or an open quote to the next line; drop short scraps."""
    out: list[str] = []
    for line in lines:
        if out and (out[-1].endswith(":") or out[-1].count("“") > out[-1].count("”")):
            out[-1] = f"{out[-1]} {line}"
        else:
            out.append(line)
    return [p for p in out if len(p) >= _MIN_CHARS]


def chunk_paragraphs(text: str) -> list[str]:
    """Paragraphs and list items of an ingested chunk, without headings, list marks and stray footnotes."""
    lines = [" ".join(x.split()) for x in nfc(text).split("\n")]
    lines = [x for x in lines if x and not _is_heading(x)]
    listy = sum(1 for x in lines if _BULLET_RE.match(x)) >= 2
    body = []
    for line in lines:
        if listy and _FOOTNOTE_RE.match(line) and not _BULLET_RE.match(line):
            continue  # a page footnote the extraction dropped inside a list
        body.append(_LABEL_RE.sub("", line).strip())
    return [_BULLET_RE.sub("", p) for p in _merge([b for b in body if b])]




def passage_units(paragraph: str, max_chars: int = 320) -> list[str]:
    """A long peer paragraph cut into sentence groups of at most ~`max_chars`, for closer matches."""
    if len(paragraph) <= max_chars:
        return [paragraph]
    units: list[str] = []
    for sent in SENTENCE_END_RE.split(paragraph):
        if units and len(units[-1]) + len(sent) < max_chars // 2:
            units[-1] = f"{units[-1]} {sent}"
        else:
            units.append(sent)
    return [u for u in units if len(u) >= _MIN_CHARS]


def split_paragraphs(text: str, *, hard_breaks: bool = False) -> list[tuple[str | None, str]]:
    """(heading above it, paragraph) for a pasted draft: blank lines and list items separate
    paragraphs; with `hard_breaks` (Word) every line is a paragraph."""
    heading: str | None = None
    out: list[tuple[str | None, str]] = []
    cur: list[str] = []

    def flush() -> None:
        if cur:
            out.append((heading, " ".join(cur)))
            cur.clear()

    for raw in nfc(text).split("\n"):
        line = " ".join(raw.split())
        if not line:
            flush()
            continue
        if _is_heading(line) or (len(line) < 100 and _LABEL_RE.fullmatch(line + " ")):
            flush()
            heading = line.lstrip("# ").strip()
            continue
        label = _LABEL_RE.match(line)
        if label:
            flush()
            heading = line[: label.end()].strip(" -+*:")
            line = line[label.end():].strip()
        if hard_breaks or _LIST_RE.match(line):
            flush()
        cur.append(line)
        if hard_breaks:
            flush()
    flush()
    merged: list[tuple[str | None, str]] = []
    for h, p in out:
        if merged and merged[-1][0] == h and merged[-1][1].endswith(":"):
            merged[-1] = (h, f"{merged[-1][1]} {p}")
        else:
            merged.append((h, p))
    return [(h, _BULLET_RE.sub("", p)) for h, p in merged if len(p) >= _MIN_CHARS]


def guess_kind(heading: str | None) -> str | None:
    """Section kind named by a draft heading ("Tồn tại, hạn chế" -> ton_tai), else None."""
    if not heading:
        return None
    from assistant.ingest.chunking import section_kind

    kind = section_kind([heading])
    return kind if kind in COMPARE_KINDS else None


# ---------------------------------------------------------------- word diff

_TOKEN_RE = re.compile(r"\w+|[^\w\s]")
_NO_SPACE_BEFORE = set(".,;:!?)”%…")


def _join(tokens: list[str]) -> str:
    out = ""
    for t in tokens:
        if out and t not in _NO_SPACE_BEFORE and not out.endswith(("(", "“")):
            out += " "
        out += t
    return out


def word_diff(a: str, b: str) -> list[dict[str, str]]:
    """Syllable-level diff of `a` (own text) against `b` (peer text) as compact ops."""
    ta, tb = _TOKEN_RE.findall(nfc(a)), _TOKEN_RE.findall(nfc(b))
    sm = difflib.SequenceMatcher(None, [t.lower() for t in ta], [t.lower() for t in tb], autojunk=False)
    ops: list[dict[str, Any]] = []
    for tag, i1, i2, j1, j2 in sm.get_opcodes():
        ops.append({"op": tag, "a": ta[i1:i2], "b": tb[j1:j2]})
    # a lone shared syllable between two changes reads better as part of the change
    compact: list[dict[str, Any]] = []
    for i, op in enumerate(ops):
        lone = (op["op"] == "equal" and len(op["a"]) <= 1 and 0 < i < len(ops) - 1)
        if compact and (lone or op["op"] != "equal") and compact[-1]["op"] != "equal":
            compact[-1]["a"] += op["a"]
            compact[-1]["b"] += op["b"]
            compact[-1]["op"] = "replace" if compact[-1]["a"] and compact[-1]["b"] else compact[-1]["op"]
        elif lone:
            compact.append({"op": "replace", "a": list(op["a"]), "b": list(op["b"])})
        else:
            compact.append({"op": op["op"], "a": list(op["a"]), "b": list(op["b"])})
    result = []
    for op in compact:
        kind = op["op"] if op["op"] == "equal" else (
            "replace" if op["a"] and op["b"] else ("delete" if op["a"] else "insert"))
        result.append({"op": kind, "a": _join(op["a"]), "b": _join(op["b"])})
    return result


def shared_phrases(diff: list[dict[str, str]], min_words: int = 2) -> list[str]:
    """Phrases both texts use (equal runs of at least `min_words` words)."""
    return [d["a"] for d in diff if d["op"] == "equal" and len(re.findall(r"\w+", d["a"])) >= min_words]


def inline_diff(diff: list[dict[str, str]], style: Any = None) -> str:
    """One line with [-own only-] and {+peer only+} markers; `style(text, kind)` may colour them."""
    def paint(text: str, kind: str) -> str:
        return style(text, kind) if style else text

    out = ""
    for d in diff:
        pieces = [(d["a"], "equal")] if d["op"] == "equal" else []
        if d["op"] != "equal" and d["a"]:
            pieces.append((f"[-{d['a']}-]", "delete"))
        if d["op"] != "equal" and d["b"]:
            pieces.append((f"{{+{d['b']}+}}", "insert"))
        for text, kind in pieces:
            if not text:
                continue
            glue = "" if not out or (kind == "equal" and text[0] in _NO_SPACE_BEFORE) else " "
            out += glue + paint(text, kind)
    return out


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
    owner: str = ""  # provenance of an uploaded peer document ("" for the bundled corpus)
    uploaded_by: str = ""
    published: bool = True

    def to_json(self) -> dict[str, Any]:
        return {"commune": self.commune, "source": self.source, "doc_id": self.doc_id,
                "section": self.section, "text": self.text, "similarity": round(self.similarity, 4),
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

    def __init__(self, retriever: Retriever, *, candidates: int = 40) -> None:
        self.r = retriever
        self.candidates = candidates
        self.embedder = retriever.embedder
        self._vec: dict[str, np.ndarray] = {}
        self._qvec: dict[str, np.ndarray] = {}
        self._paras: dict[str, list[str]] = {}
        reports = [c for c in retriever.chunks if c.kind == "report" and c.commune]
        self._by_kind: dict[str, list[Chunk]] = {}
        for c in reports:
            self._by_kind.setdefault(c.section_kind, []).append(c)
        self.report_communes = sorted({c.commune for c in reports})
        self._df: Counter[str] = Counter()
        for c in reports:
            self._df.update(set(keyword_tokens(c.text)))
        self._n = max(1, len(reports))

    @property
    def similarity_name(self) -> str:
        return f"dense:{self.embedder.name}" if self.embedder is not None else "lexical:tfidf-cosine"

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
            paras = [(c.section, p) for c in chunks for p in self._chunk_paras(c)]
            if not paras:
                out.warnings.append(f"Báo cáo của xã {name} không có đoạn nào thuộc phần '{kind}'.")
                continue
            own[kind] = [p for _, p in paras]
            self._prime([p for _, p in paras])
            out.items.extend(self._item(p, kind, sec, name, k) for sec, p in paras)
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
        self._prime([p for _, p in paras])
        for heading, para in paras:
            kind = section if section != "all" else guess_kind(heading)
            if kind is None:
                skipped += 1
                continue
            own.setdefault(kind, []).append(para)
            out.items.append(self._item(para, kind, heading or kind, name, k))
        if skipped:
            out.warnings.append(f"Bỏ qua {skipped} đoạn không rõ thuộc phần nào (no heading such as "
                                "'Tồn tại, hạn chế' above them); dùng --section để chỉ rõ.")
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

    def _vectors(self, texts: list[str], query: bool = False) -> np.ndarray:
        """Embeddings of `texts` (queries or passages), computed in batches and remembered."""
        assert self.embedder is not None
        cache = self._qvec if query else self._vec
        missing = [t for t in dict.fromkeys(texts) if t not in cache]
        size = max(1, self.embedder.batch_size)
        for i in range(0, len(missing), size):
            batch = missing[i: i + size]
            vecs = self.embedder.embed_batch([expand_abbreviations(t) for t in batch], query=query)
            cache.update(zip(batch, vecs, strict=True))
        return np.vstack([cache[t] for t in texts])

    def _prime(self, texts: list[str]) -> None:
        """Embed all paragraphs to compare in a few batches up front (much faster than one by one)."""
        if self.embedder is not None and texts:
            self._vectors(texts, query=True)

    def _tfidf(self, text: str) -> dict[str, float]:
        tf = Counter(keyword_tokens(text))
        return {t: n * math.log((self._n + 1) / (self._df.get(t, 0) + 0.5)) for t, n in tf.items()}

    def similarities(self, text: str, others: list[str]) -> list[float]:
        """Similarity of `text` to each of `others`: dense cosine, or TF-IDF cosine without vectors."""
        if not others:
            return []
        if self.embedder is not None:
            q = self._vectors([text], query=True)[0]
            return [float(x) for x in self._vectors(others) @ q]
        return self.overlaps(text, others)

    def overlaps(self, text: str, others: list[str]) -> list[float]:
        """TF-IDF cosine over folded syllables and syllable pairs (0..1)."""
        qa = self._tfidf(text)
        na = math.sqrt(sum(v * v for v in qa.values())) or 1.0
        out = []
        for o in others:
            qb = self._tfidf(o)
            nb = math.sqrt(sum(v * v for v in qb.values())) or 1.0
            out.append(sum(v * qb.get(t, 0.0) for t, v in qa.items()) / (na * nb))
        return out

    def _item(self, text: str, kind: str, section: str, own: str | None, k: int) -> Item:
        chunks = {c.chunk_id: c for c in self._peer_chunks(text, kind, own)}
        cands = [_Cand(c, u) for c in chunks.values() for p in self._chunk_paras(c) for u in passage_units(p)]
        texts = [c.text for c in cands]
        sims = self.similarities(text, texts)
        # rank by the similarity plus the shared wording, so near-identical phrasing wins ties
        rank = sims if self.embedder is None else [s + o for s, o in zip(sims, self.overlaps(text, texts), strict=True)]
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
        peers = [self._peer(cands[i], sims[i], text) for i in picked]
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
