"""Evidence: the units (sentences, list items, table rows) of retrieved passages, scored against
a question, and the tests that decide whether a unit states what was asked.

A question's *terms* are its keyword tokens (folded syllables, accented syllables and syllable
pairs, see `text.normalize.keyword_tokens`) without the words that only ask ("bao nhiêu", "ở",
"đạt") and without the commune's name. *Coverage* is the share of those terms, weighted by how
rare each is in the library (IDF from the BM25 index), that a unit — with its heading, or with
the sentence before it — also contains, directly or through an equivalent everyday phrase
(`text.synonyms`). A unit that covers too little of the question does not answer it, however
high its passage ranked.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass

from assistant.qa.retriever import Filters, Retriever
from assistant.records import Chunk, SearchResult
from assistant.text.normalize import (
    DEVICES,
    fold,
    is_number,
    keyword_tokens,
    nfc,
    replace_abbreviations,
    spelling,
    syllables,
    typed_without_accents,
)
from assistant.text.segment import answer_units
from assistant.text.synonyms import Groups, covered_by_equivalents, phrase_groups

# Words that ask, link or measure rather than say what a question is about. Accented forms decide
# when the question has accents ("thì" is a function word, "thị" is not); folded forms otherwise.
FUNCTION_WORDS = frozenset(
    "ai bao nhiêu mấy gì nào không chưa đã đang sẽ có thể ra sao hay cho biết được là của ở tại về như "
    "những các một hiện nay tổng cộng khoảng gồm hỏi xin vui lòng giúp tôi mình em anh chị bạn kể liệt "
    "nêu trên dưới trong ngoài với và hoặc đến từ sau trước khi đó thì mà vậy nữa rồi lúc năm tháng quý "
    "ngày đạt mức phần trăm giờ lâu còn mới xã hiện chủ yếu bị cũng đều rất để đâu vẫn hả ạ nhé phải tất cả".split())
_FUNCTION_FOLDED = frozenset(fold(w) for w in FUNCTION_WORDS) - {"so", "cong", "chi", "ban", "thi", "ho"}
_GENERIC_PAIRS = frozenset({"so_luong", "tong_so", "phan_tram", "bao_nhieu", "hien_nay"})
_LEAD_IN = re.compile(r"^(?:mac du|ben canh (?:nhung|cac) ket qua|tuy nhien,? (?:van con|con)|ngoai ra|"
                      r"nhin chung|qua \d+ nam|cu the nhu sau|nhu sau)\b")
_HEADING_ONLY = re.compile(r"^(?:[IVX]+|\d+(?:\.\d+)*|[a-zđ])[.)]?\s*[^.;!?]{0,90}$")


def _function(syllable: str, accented: bool) -> bool:
    """A word that asks or links; in a question typed with accents, judged with them ("minh" in
    "thông minh" is not "mình")."""
    if not accented:
        return fold(syllable) in _FUNCTION_FOLDED
    return syllable in FUNCTION_WORDS


def question_terms(query: str, drop: Iterable[str] = ()) -> frozenset[str]:
    """The keyword tokens a passage must share with a question (see the module docstring);
    `drop` holds words not to count, such as the commune's name."""
    asked = nfc(query)
    accented = not typed_without_accents(asked)  # as typed: "bao nhieu CBCC" stays so once CBCC is spelled out
    text = replace_abbreviations(asked)
    # with accents, a name is dropped as written ("Đại Sơn" does not take "Đài" away)
    dropped = {p for w in drop for p in (nfc(w).lower() if accented and w != fold(w) else fold(w)).split()}
    out: set[str] = set()
    for phrase in re.split(r"[,;:!?()\[\]\"“”«»\n–—]+|(?<!\d)[./](?!\d)", text):
        sylls = syllables(phrase)
        kept: list[str | None] = []
        for i, s in enumerate(sylls):
            f = spelling(fold(s))
            machine = f == "may" and not accented and i + 1 < len(sylls) and fold(sylls[i + 1]) in DEVICES
            if is_number(f) or f in dropped or s in dropped or (_function(s, accented) and not machine):
                kept.append(None)
                continue
            kept.append(f)
            out.add(f)
            if s != fold(s):
                out.add("~" + s)
        for a, b in zip(kept, kept[1:], strict=False):
            if a and b and f"{a}_{b}" not in _GENERIC_PAIRS:
                out.add(f"{a}_{b}")
    return frozenset(out)


UNSEEN_WEIGHT = 6.3  # about the rarity of a word written once in a library of a few hundred passages
EQUIVALENT_WEIGHT = 0.6  # a word stated through an equivalent phrase counts for less than the word itself
_LETTERS = "abcdefghijklmnopqrstuvwxyz"


def _edits(word: str) -> set[str]:
    """The word with one letter added anywhere (the usual slip when typing fast without accents)."""
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    return {a + c + b for a, b in splits for c in _LETTERS} - {word}


def without(terms: frozenset[str], words: frozenset[str]) -> frozenset[str]:
    """`terms` without the tokens made only of `words` (folded syllables)."""
    return frozenset(t for t in terms if not set(fold(t.lstrip("~")).split("_")) <= words)


@dataclass
class Unit:
    """One sentence, list item or table row of a retrieved passage."""

    text: str
    result: SearchResult
    rank: int  # the passage's rank in the search
    order: int  # position inside the passage
    coverage: float = 0.0
    score: float = 0.0
    caption: str = ""  # for a table row, the text its table opens on ("b. Số liệu thống kê … STT Nội dung …")

    @property
    def chunk(self) -> Chunk:
        return self.result.chunk

    @property
    def leaf(self) -> str:
        """The last two headings of the unit's passage ("3. Hạ tầng số > b) Tồn tại, hạn chế")."""
        return " > ".join(self.chunk.section.split(" > ")[-2:]) if self.chunk.section else ""


_ROW_RE = re.compile(r"^\d{1,3}\s*(?:\|\s*)?[A-ZĐÀ-Ỹ]")
_TABLE_HEAD_RE = re.compile(r"\b(?:STT|TT)\s+(?:Nội dung|Chỉ tiêu|Tên)\b")


def table_caption(u: Unit, texts: list[str]) -> str:
    """For a table row ("5 Số người dân được hướng dẫn Người >2683"), the nearest earlier unit of
    its passage (`texts`: the passage's units, in order) that opens the table (its header "STT Nội
    dung …", or a line that is no row): what the row's figures are about and over which period.
    "" for a unit that is no table row."""
    if not _ROW_RE.match(u.text):
        return ""
    for text in reversed(texts[max(0, u.order - 30):u.order]):
        if _TABLE_HEAD_RE.search(text) or not _ROW_RE.match(text):
            return text
    return ""


class Evidence:
    """Scores units against questions, with term rarity taken from the loaded index."""

    def __init__(self, retriever: Retriever) -> None:
        self.r = retriever
        self._n = max(1, len(retriever.chunks))
        self._idf: dict[str, float] = {}
        self._token_cache: dict[str, tuple[frozenset[str], str]] = {}

    def idf(self, term: str) -> float:
        """How much a term weighs in coverage: its rarity in the library. A pair of syllables no
        passage writes cannot tell passages apart and weighs nothing; a word no passage writes
        (an everyday word for a report's term) weighs as a rare word, not as the rarest."""
        if term not in self._idf:
            df = self.r.keyword.doc_freq(term)
            if df == 0:
                self._idf[term] = 0.0 if "_" in term else UNSEEN_WEIGHT
            else:
                self._idf[term] = math.log(1 + (self._n - df + 0.5) / (df + 0.5))
        return self._idf[term]

    def respell(self, terms: frozenset[str]) -> frozenset[str]:
        """For a question typed without accents, syllables the library never writes, replaced by
        the closest one it does with one letter added ("hoat dog" -> "hoat dong"); the most
        frequent wins. Words typed with accents are left as they are ("clip" stays "clip")."""
        if any(t.startswith("~") for t in terms):
            return terms
        out = set(terms)
        for t in terms:
            if t.startswith("~") or "_" in t or len(t) < 3 or self.r.keyword.doc_freq(t):
                continue
            best, best_df = None, 0
            for cand in _edits(t):
                df = self.r.keyword.doc_freq(cand)
                if df > best_df:
                    best, best_df = cand, df
            if best:
                out.discard(t)
                out.add(best)
                for pair in [p for p in out if "_" in p and t in p.split("_")]:
                    out.discard(pair)
                    out.add("_".join(best if x == t else x for x in pair.split("_")))
        return frozenset(out)

    def _tokens(self, text: str) -> tuple[frozenset[str], str, str]:
        """A text's keyword tokens, its abbreviations spelled out, and that folded; once per text."""
        hit = self._token_cache.get(text)
        if hit is None:
            if len(self._token_cache) > 20000:
                self._token_cache.clear()
            spelled = replace_abbreviations(text)  # "TTHC" is "thủ tục hành chính" for an equivalent too
            hit = self._token_cache[text] = (frozenset(keyword_tokens(text)), spelled, fold(spelled.lower()))
        return hit

    def coverage(self, terms: frozenset[str], text: str | tuple[str, ...], phrases: Groups = ()) -> float:
        """IDF-weighted share of `terms` that `text` (or the texts together) contains, directly or
        through an equivalent phrase; 0 when there are no terms."""
        total = sum(self.idf(t) for t in terms)
        if not total:
            return 0.0
        have: set[str] = set()
        similar: set[str] = set()
        for part in (text,) if isinstance(text, str) else text:
            if not part:
                continue
            tokens, spelled, folded = self._tokens(part)
            have |= tokens
            similar |= covered_by_equivalents(phrases, spelled, folded)
        similar -= have
        return (sum(self.idf(t) for t in terms if t in have)
                + EQUIVALENT_WEIGHT * sum(self.idf(t) for t in terms if t in similar)) / total

    def units(self, results: list[SearchResult]) -> list[Unit]:
        out = []
        for rank, res in enumerate(results):
            for i, text in enumerate(answer_units(res.chunk.text)):
                out.append(Unit(text, res, rank, i))
        return out

    def score(self, terms: frozenset[str], units: list[Unit], phrases: Groups = ()) -> None:
        """Set each unit's coverage of the question — by the unit, with its heading, or with the
        sentence before it in the same passage (a list item often needs its lead) — and base score."""
        before: dict[tuple[str, int], str] = {(u.chunk.chunk_id, u.order): u.text for u in units}
        passages: dict[str, list[str]] = {}  # a table row's whole passage, for its caption
        for u in units:
            own = self.coverage(terms, u.text, phrases)
            with_heading = self.coverage(terms, (u.leaf, u.text), phrases)
            prev = before.get((u.chunk.chunk_id, u.order - 1), "")
            needs_lead = len(u.text) < 60 or prev.rstrip().endswith(":")  # a fragment or a list item
            with_prev = self.coverage(terms, (prev, u.text), phrases) if prev and needs_lead else 0.0
            if _ROW_RE.match(u.text) and u.chunk.chunk_id not in passages:  # split each passage once
                passages[u.chunk.chunk_id] = answer_units(u.chunk.text)
            u.caption = table_caption(u, passages.get(u.chunk.chunk_id, []))
            with_caption = self.coverage(terms, (u.leaf, u.caption, u.text), phrases) if u.caption else 0.0
            u.coverage = max(own, 0.85 * with_heading, 0.8 * with_prev, 0.8 * with_caption)
            u.score = own + 0.25 * u.coverage + 0.12 / (1 + u.rank) \
                - 0.04 * max(0, len(u.text) - 350) / 350

    def _writes(self, phrase: str) -> bool:
        """Whether some passage of the library writes the phrase (its syllable pairs, or its word)."""
        tokens = [t for t in keyword_tokens(phrase) if not t.startswith("~")]
        pairs = [t for t in tokens if "_" in t]
        return bool(tokens) and all(self.r.keyword.doc_freq(t) for t in (pairs or tokens))

    def in_report_words(self, query: str) -> str:
        """The query, plus the report's words for each everyday phrase of it that no passage writes
        ("kịp hẹn" -> also "đúng hạn"), so that a paraphrase still finds its passage."""
        extra = [o for g in phrase_groups(query) if not self._writes(g.phrase)
                 for o in g.others if self._writes(o)]
        return f"{query} {' '.join(dict.fromkeys(extra))}" if extra else query

    def search(self, query: str, *, k: int, communes: tuple[str, ...] = (), section_kinds=(),
               kinds=(), exclude_kinds: bool = False) -> list[SearchResult]:
        f = Filters(communes=list(communes), section_kinds=list(section_kinds), kinds=list(kinds))
        results = self.r.search(self.in_report_words(query), k=k, filters=f, auto_commune=False,
                                 equivalents=False)  # its own: only for words no passage writes
        if exclude_kinds:
            results = [r for r in results if r.chunk.kind != "guidance"]
        return results


def is_lead_in(text: str) -> bool:
    """A sentence that introduces a list or sums up instead of stating a point."""
    f = fold(text).strip(" -+•*")
    return bool(_LEAD_IN.match(f)) or text.rstrip().endswith(":")


def is_heading_like(text: str) -> bool:
    """A bare heading ("5.2.", "b) Tồn tại, hạn chế") rather than a sentence."""
    t = text.strip()
    return len(t) < 12 or (bool(_HEADING_ONLY.match(t)) and not re.search(r"[.;!?]\s*$", t)
                           and len(t.split()) <= 12 and not re.search(r"\d", t[3:]))
