"""Pillars (trụ cột) of digital transformation, recognised by keyword rules on folded text.

A pillar is one of the eight themes a commune report is organised by (nhân lực, hạ tầng, dữ
liệu, an toàn thông tin, chính quyền số, kinh tế số, xã hội số, kinh phí), plus "lanh_dao"
(lãnh đạo, chỉ đạo) for what belongs to none of them. Rules are phrases of folded syllables
("ha tang", "may chu"); a phrase of several syllables weighs more than a single word.
"""

from __future__ import annotations

import re
from functools import lru_cache

from assistant.domain.catalog import PILLAR_LABELS
from assistant.text.normalize import FOLDED_ABBREVIATIONS, fold

# The order sections usually follow in commune reports.
PILLARS: tuple[str, ...] = (
    "ha_tang",
    "nhan_luc",
    "du_lieu",
    "an_toan_thong_tin",
    "chinh_quyen_so",
    "kinh_te_so",
    "xa_hoi_so",
    "kinh_phi",
)
ALL_PILLARS: tuple[str, ...] = ("lanh_dao", *PILLARS)

# Phrase heads that name the theme in a heading ("Về hạ tầng số", "a) Về dữ liệu số").
HEADINGS: dict[str, str] = {
    "lanh_dao": "công tác lãnh đạo, chỉ đạo",
    "ha_tang": "hạ tầng số",
    "nhan_luc": "nhân lực số",
    "du_lieu": "dữ liệu số",
    "an_toan_thong_tin": "an toàn thông tin mạng",
    "chinh_quyen_so": "chính quyền số",
    "kinh_te_so": "kinh tế số",
    "xa_hoi_so": "xã hội số",
    "kinh_phi": "kinh phí thực hiện",
}

_RULES: dict[str, tuple[str, ...]] = {
    "lanh_dao": (
        "ban chi dao",
        "lanh dao",
        "chi dao",
        "to giup viec",
        "kiem tra giam sat",
        "giam sat danh gia",
        "the che",
        "ke hoach",
        "quan triet",
        "nguoi dung dau",
        "thi dua",
        "tuyen truyen",
        "truyen thong",
    ),
    "ha_tang": (
        "ha tang",
        "thiet bi",
        "trang thiet bi",
        "may tinh",
        "may chu",
        "may in",
        "may scan",
        "duong truyen",
        "internet",
        "bang rong",
        "cap quang",
        "phu song",
        "wifi",
        "tru so",
        "co so vat chat",
        "mang lan",
        "mang noi bo",
        "toc do mang",
        "nguon dien",
        "camera",
        "dien thoai thong minh",
        "cau hinh",
        "nang cap",
        "ket noi mang",
        "tram thu phat",
        "hop truc tuyen",
        "5g",
        "4g",
    ),
    "nhan_luc": (
        "nhan luc",
        "can bo",
        "cong chuc",
        "vien chuc",
        "chuyen trach",
        "kiem nhiem",
        "tap huan",
        "boi duong",
        "dao tao",
        "nhan su",
        "trinh do",
        "nang luc tham muu",
        "ky nang cong nghe",
        "thanh thao",
        "lam chu ky nang so",
        "lon tuoi",
        "nguoi lam cong tac",
        "nguoi phu trach",
    ),
    "du_lieu": (
        "du lieu",
        "co so du lieu",
        "so hoa",
        "lam sach",
        "dinh danh",
        "can cuoc",
        "lien thong",
        "nhap lieu",
        "chia se du lieu",
        "tai su dung",
        "dung du sach song",
        "luu tru",
        "dan cu",
        "chuan hoa",
    ),
    "an_toan_thong_tin": (
        "an toan thong tin",
        "an ninh mang",
        "an toan an ninh",
        "bao mat",
        "tuong lua",
        "ma doc",
        "virus",
        "sao luu",
        "su co",
        "xam nhap",
        "mat khau",
        "lo lot",
        "ro ri",
        "lua dao",
        "bao ve du lieu",
        "khong gian mang",
        "ung cuu",
        "phan mem bao mat",
        "du lieu ca nhan",
        "mat du lieu",
    ),
    "chinh_quyen_so": (
        "chinh quyen so",
        "chinh quyen dien tu",
        "dich vu cong",
        "thu tuc hanh chinh",
        "ho so truc tuyen",
        "nop truc tuyen",
        "toan trinh",
        "mot cua",
        "hanh chinh cong",
        "quan ly van ban",
        "van ban dien tu",
        "ky so",
        "phan mem dung chung",
        "nen tang dung chung",
        "cong thong tin",
        "trang thong tin dien tu",
        "thanh toan truc tuyen",
        "hai long",
        "ho so cong viec",
        "he thong thong tin",
        "dieu hanh",
        "tri tue nhan tao",
    ),
    "kinh_te_so": (
        "kinh te so",
        "thuong mai dien tu",
        "ocop",
        "doanh nghiep",
        "ho kinh doanh",
        "hop tac xa",
        "khong dung tien mat",
        "tien mat",
        "hoa don dien tu",
        "tai khoan thanh toan",
        "tai khoan giao dich",
        "thanh toan so",
        "thanh toan dien tu",
        "san giao dich",
        "gian hang",
        "mobile money",
        "vi dien tu",
        "tieu thuong",
        "san pham",
    ),
    "xa_hoi_so": (
        "xa hoi so",
        "nguoi dan",
        "cong dong",
        "to cong nghe so",
        "ky nang so",
        "binh dan hoc vu so",
        "nguoi cao tuoi",
        "cong dan so",
        "y te",
        "suc khoe",
        "giao duc",
        "truong hoc",
        "hoc sinh",
        "khoang cach so",
        "bat binh dang so",
        "yeu the",
        "thoi quen",
        "chu ky so ca nhan",
        "dan so truong thanh",
        "pho cap",
    ),
    "kinh_phi": (
        "kinh phi",
        "ngan sach",
        "nguon luc",
        "nguon von",
        "von dau tu",
        "tai chinh",
        "xa hoi hoa",
        "dau tu",
        "chi phi",
        "long ghep",
        "du toan",
    ),
}

_WORD_RE = re.compile(r"[a-z0-9]+")


@lru_cache(maxsize=4096)
def _folded_words(text: str) -> str:
    """Folded words with abbreviations expanded, joined by single spaces and padded."""
    words = [FOLDED_ABBREVIATIONS.get(w, w) for w in _WORD_RE.findall(fold(text))]
    return " " + " ".join(words) + " "


SUBJECT_WORDS = 4  # a phrase starting in the first words (the subject) counts double


def scores(text: str) -> dict[str, float]:
    """Keyword score of each pillar in `text` (0 if absent).

    A phrase of n syllables counts n per occurrence (at most 3 occurrences), twice as much when
    it starts within the first `SUBJECT_WORDS` words: "Trang thiết bị … cho Tổ công nghệ số
    cộng đồng còn thiếu" is about infrastructure, not about the community teams.
    """
    padded = _folded_words(text)
    out: dict[str, float] = {}
    for pillar, phrases in _RULES.items():
        total = 0.0
        for phrase in phrases:
            hits = padded.count(f" {phrase} ")
            if hits:
                first = padded[: padded.find(f" {phrase} ") + 1].count(" ") - 1
                total += (min(hits, 3) + (first < SUBJECT_WORDS)) * len(phrase.split())
        if total:
            out[pillar] = total
    return out


def classify(text: str) -> list[str]:
    """Pillars found in `text`, best first (ties in report order)."""
    s = scores(text)
    order = {p: i for i, p in enumerate(ALL_PILLARS)}
    return sorted(s, key=lambda p: (-s[p], order[p]))


def primary(text: str, default: str = "lanh_dao") -> str:
    """The main pillar of a sentence (an observation, a shortcoming, a task)."""
    found = classify(text)
    return found[0] if found else default


def mentioned(text: str, min_score: float = 4.0) -> set[str]:
    """The eight themes a longer text talks about (score ≥ `min_score`); `lanh_dao` excluded.

    The default asks for more than a passing word: two phrases, a phrase of four syllables,
    or one phrase as the subject of a sentence.
    """
    return {p for p, v in scores(text).items() if p in PILLARS and v >= min_score}


def label(pillar: str) -> str:
    """Vietnamese label: "Hạ tầng số"."""
    return PILLAR_LABELS.get(pillar, pillar)


def heading(pillar: str) -> str:
    """Phrase for a sub-heading: "hạ tầng số"."""
    return HEADINGS.get(pillar, label(pillar).lower())
