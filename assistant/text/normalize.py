"""Vietnamese text normalisation: NFC, accent folding, abbreviations, tokens for keyword search."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# Bump when `keyword_tokens` changes: indexes store tokens and are re-tokenised on mismatch.
TOKENS_VERSION = "3"

# Abbreviations used in commune reports, with their full form (lower case, accented).
# Longer keys first matters only for display; matching is by whole token.
ABBREVIATIONS: dict[str, str] = {
    "TTHC": "thủ tục hành chính",
    "DVCTT": "dịch vụ công trực tuyến",
    "DVC": "dịch vụ công",
    "CBCCVC": "cán bộ công chức viên chức",
    "CBCC": "cán bộ công chức",
    "CCVC": "công chức viên chức",
    "CĐS": "chuyển đổi số",
    "CDS": "chuyển đổi số",
    "CNSCĐ": "công nghệ số cộng đồng",
    "CNSCD": "công nghệ số cộng đồng",
    "TMĐT": "thương mại điện tử",
    "TMDT": "thương mại điện tử",
    "ATTT": "an toàn thông tin",
    "CSDL": "cơ sở dữ liệu",
    "CSDLQG": "cơ sở dữ liệu quốc gia",
    "HCC": "hành chính công",
    "KTS": "kinh tế số",
    "XHS": "xã hội số",
    "CNTT": "công nghệ thông tin",
    "UBND": "ủy ban nhân dân",
    "HĐND": "hội đồng nhân dân",
    "BCĐ": "ban chỉ đạo",
    "ĐDĐT": "định danh điện tử",
    "KHCN": "khoa học công nghệ",
    "KH&CN": "khoa học và công nghệ",
    "ĐMST": "đổi mới sáng tạo",
    "NQ": "nghị quyết",
    "QĐ": "quyết định",
    "TTg": "thủ tướng",
    "CQS": "chính quyền số",
    "CQĐT": "chính quyền điện tử",
    "KTXH": "kinh tế xã hội",
    "HTX": "hợp tác xã",
    "THCS": "trung học cơ sở",
    "CCCD": "căn cước công dân",
    "MTTQ": "mặt trận tổ quốc",
    "AI": "trí tuệ nhân tạo",
}

# Question words that carry no content for retrieval (folded forms).
QUERY_STOPWORDS = frozenset(
    "bao nhieu may gi nao khong the ra sao hay cho biet duoc la co cua o tai ve nhu".split()
)

# The same words with their accents: "máy" (machine) folds like "mấy" (how many) but is content.
_QUERY_STOPWORDS_ACCENTED = frozenset(
    "bao nhiêu mấy gì nào không thế ra sao hay cho biết được là có của ở tại về như".split()
)


def _is_stopword(syllable: str, folded: str) -> bool:
    if syllable == _fold_word(syllable):  # written without accents
        return folded in QUERY_STOPWORDS
    return syllable in _QUERY_STOPWORDS_ACCENTED


# "5G", "4G": a mobile network generation is one token, not the number 5 and the letter g
_GENERATION = r"(?<![\w.,])[2-6][Gg](?!\w)"
_TOKEN_RE = re.compile(_GENERATION + r"|\d+(?:[.,/]\d+)*|[^\W\d_]+", re.UNICODE)
# Punctuation that ends a phrase; "." "," "/" inside a number ("71,2", "1.429", "39/39") do not.
_PHRASE_SPLIT_RE = re.compile(r"(?<!\d)[.,/]|[.,/](?!\d)|[;:!?()\[\]\"“”'‘’«»\n–—-]+")
# Typed in lower case too ("so tthc", "dvc"), when three letters or more: none of them is a syllable.
_LOWER_ABBREVIATIONS = {k.lower(): v for k, v in ABBREVIATIONS.items() if len(k) >= 3 and k.lower() != k}
_ALL_ABBREVIATIONS = ABBREVIATIONS | _LOWER_ABBREVIATIONS
_ABBR_RE = re.compile(
    r"(?<!\w)(" + "|".join(sorted(map(re.escape, _ALL_ABBREVIATIONS), key=len, reverse=True)) + r")(?!\w)"
)
# How questions are typed in a hurry: chat shorthand, replaced in questions only.
SHORTHAND: dict[str, str] = {
    "bn": "bao nhiêu", "bnhieu": "bao nhiêu", "ko": "không", "khg": "không", "dc": "được", "đc": "được",
    "sl": "số lượng", "ntn": "như thế nào", "tl": "tỷ lệ",
}
_SHORTHAND_RE = re.compile(r"(?<![\w.,/-])(" + "|".join(sorted(map(re.escape, SHORTHAND), key=len, reverse=True))
                           + r")(?![\w.,/-])", re.IGNORECASE)


def nfc(text: str) -> str:
    """Unicode NFC, with non-breaking and zero-width spaces made plain."""
    text = unicodedata.normalize("NFC", text)
    return text.replace("\u00a0", " ").replace("\u200b", "").replace("\ufeff", "")


@lru_cache(maxsize=65536)
def _fold_word(word: str) -> str:
    decomposed = unicodedata.normalize("NFD", word)
    stripped = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    return stripped.replace("đ", "d").replace("Đ", "D")


_I_Y_RE = re.compile(r"^(?:t|k|l|m|h|s|n|qu|ph|th|kh)y$")


def spelling(folded: str) -> str:
    """One spelling for the i/y variants of a folded syllable: "ty" (tỷ) and "ti" (tỉ) -> "ti"."""
    return folded[:-1] + "i" if _I_Y_RE.match(folded) else folded


def fold(text: str) -> str:
    """Lower case without diacritics: "Tỷ lệ hồ sơ" -> "ty le ho so"."""
    return " ".join(_fold_word(w) for w in nfc(text).lower().split(" "))


# The abbreviation table on folded text: "tthc" -> "thu tuc hanh chinh".
FOLDED_ABBREVIATIONS: dict[str, str] = {fold(k): fold(v) for k, v in ABBREVIATIONS.items()}


def fold_keep_length(text: str) -> str:
    """Fold character by character so offsets in the result match offsets in `text` (NFC)."""
    out = []
    for ch in text:
        f = _fold_word(ch.lower())
        out.append(f[:1] if f else ch)
    return "".join(out)


def expand_abbreviations(text: str) -> str:
    """Append the full form after each known abbreviation: "TTHC" -> "TTHC (thủ tục hành chính)"."""

    def repl(m: re.Match[str]) -> str:
        return f"{m.group(1)} ({_ALL_ABBREVIATIONS[m.group(1)]})"

    return _ABBR_RE.sub(repl, text)


_MACHINE_RE = re.compile(r"máy", re.IGNORECASE)  # "máy" (a machine) folds like "mấy" (how many)


# the words that name a machine after "máy": typed without accents, "may tinh" is a computer, not "mấy"
DEVICES = frozenset("tinh in scan quet photo photocopy chieu lanh dieu fax".split())
_PLAIN_MACHINE_RE = re.compile(r"\bmay(?= (?:" + "|".join(sorted(DEVICES)) + r")\b)")


def typed_without_accents(text: str) -> bool:
    """Whether a text is written without Vietnamese accents ("so may tinh", "xa Thach Ban")."""
    lower = nfc(text).lower()
    return fold(lower) == lower


def asking_text(question: str) -> str:
    """A question folded, with "máy" (a machine) kept apart from "mấy" (how many) as "maymoc":
    "số máy tính" does not ask "số mấy"."""
    folded = fold(_MACHINE_RE.sub("maymoc", question))
    if not typed_without_accents(question):
        return folded
    # typed without accents, "may" before the name of a device is the machine ("so may tinh")
    return _PLAIN_MACHINE_RE.sub("maymoc", folded)


def replace_abbreviations(text: str) -> str:
    """Each known abbreviation replaced by its full form, spaced: "hồ sơ TTHC" -> "hồ sơ  thủ tục hành chính "."""
    return _ABBR_RE.sub(lambda m: f" {_ALL_ABBREVIATIONS[m.group(1)]} ", text)


def expand_shorthand(question: str) -> str:
    """A question's chat shorthand written out: "đạt bn %" -> "đạt bao nhiêu %"; without accents in
    a question typed without them ("co bn ap" -> "co bao nhieu ap"), which stays unaccented."""
    plain = typed_without_accents(_SHORTHAND_RE.sub(" ", question))
    return _SHORTHAND_RE.sub(lambda m: fold(SHORTHAND[m.group(1).lower()]) if plain
                             else SHORTHAND[m.group(1).lower()], question)


def syllables(text: str) -> list[str]:
    """Lower-case syllables and numbers of an NFC text (accents kept)."""
    return [t.lower() for t in _TOKEN_RE.findall(nfc(text))]


def keyword_tokens(text: str, *, query: bool = False) -> list[str]:
    """Tokens for BM25: folded syllables, folded syllable bigrams (word segments), accented forms.

    Abbreviations are expanded so "TTHC" and "thủ tục hành chính" meet. With `query=True`,
    question words are dropped.
    """
    text = replace_abbreviations(nfc(text))
    out: list[str] = []
    for phrase in _PHRASE_SPLIT_RE.split(text):
        sylls = syllables(phrase)
        if not sylls:
            continue
        folded = [spelling(_fold_word(s)) for s in sylls]
        keep = [not (query and _is_stopword(s, f)) for s, f in zip(sylls, folded, strict=True)]
        for s, f, k in zip(sylls, folded, keep, strict=True):
            if not k:
                continue
            out.append(f)
            if s != _fold_word(s):
                out.append("~" + s)
        for i in range(len(folded) - 1):
            if keep[i] and keep[i + 1]:
                out.append(folded[i] + "_" + folded[i + 1])
    return out


def is_number(token: str) -> bool:
    """A token that is a figure ("71,2", "1.429"), not a word nor a network generation ("5g")."""
    return token[:1].isdigit() and not re.fullmatch(r"\dg", token)


def content_terms(text: str) -> set[str]:
    """Folded content syllables of a question (stopwords and numbers removed)."""
    return {
        t
        for t in (spelling(_fold_word(s)) for s in syllables(replace_abbreviations(text)))
        if t not in QUERY_STOPWORDS and not is_number(t)
    }
