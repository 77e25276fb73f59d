"""The kind of a question (figure, entity, narrative, which-commune, target, yes/no), read from its
folded text with word patterns; what a follow-up and an answer kind need of it."""

from __future__ import annotations

import re

from assistant.qa.intent import SPEED_Q
from assistant.text.normalize import nfc, typed_without_accents


def rx(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


_WHICH = rx(r"\b(?:xa|nhung xa|cac xa|dia phuong|phuong) nao\b|\bo dau co\b")
_COMPARE = rx(r"\b(?:hay|hoac|so voi|so sanh|nhieu hon|it hon|cao hon|thap hon|hon)\b")
GUIDANCE_DOCS = [
    (rx(r"\b(?:nq|nghi quyet)\s*(?:so\s*)?57\b"), "57-NQ/TW"),
    (rx(r"\b(?:kh|ke hoach)\s*(?:so\s*)?0?2\b(?:\s*-?\s*kh)?"), "02-KH/BCĐTW"),
    (rx(r"\b(?:qd|quyet dinh)\s*(?:so\s*)?411\b|\bchien luoc (?:quoc gia )?(?:phat trien )?kinh te so"), "411/QĐ-TTg"),
    (rx(r"\b(?:qd|quyet dinh)\s*(?:so\s*)?126\b"), "126/QĐ-BCĐCP"),
    (rx(r"\b(?:qd|quyet dinh)\s*(?:so\s*)?1565\b"), "1565/QĐ-TTg"),
    (rx(r"\bde an\s*(?:so\s*)?0?6\b"), "Đề án 06"),
]
_TARGET_WORDS = rx(r"\b(?:chi tieu|muc tieu|yeu cau|phai dat|can dat|dat ra|nguyen tac|giai doan|den nam)\b")
CAUSE = rx(r"\b(?:nguyen nhan|vi sao|tai sao|do dau|ly do|vi dau)\b")
SECTION_WORDS = [
    ("de_xuat", rx(r"\b(?:de xuat|kien nghi|de nghi)\b")),
    ("phuong_huong", rx(r"\b(?:phuong huong|dinh huong|nhiem vu|giai phap|thoi gian toi|nam toi|se lam|"
                         r"du kien lam|sap toi|dinh lam|ke hoach lam|nam 202[6-9] .*\b(?:lam|trien khai) (?:gi|nhung)|"
                         r"nam 202[6-9] .*\b(?:dinh|se|du kien) (?:lam|khac phuc|trien khai|thuc hien|giai quyet)\b)\b")),
    ("ton_tai", rx(r"\b(?:ton tai|han che|kho khan|vuong mac|vuong|bat cap|yeu kem|con yeu|diem yeu|"
                    r"thieu sot|chua lam duoc|chua dat|con thap)\b")),
    ("ket_qua", rx(r"\b(?:ket qua|da lam duoc|dat duoc nhung|thanh tich|noi bat)\b")),
]
_LIST_ASK = rx(r"\b(?:gom nhung gi|nhung gi|nhung (?:diem|noi dung|viec|van de|mat|hoat dong|giai phap|"
                r"nhiem vu|kho khan|han che|ton tai) nao|la gi|nhu the nao|ra sao|o dau|the nao|gom nhung)\b")
_FIGURE = rx(r"\b(?:bao nhieu|may|so luong|muc bao nhieu|bao lau|khi nao|ngay nao|thang nao|thoi han|"
              r"thoi diem nao|so hieu|so may)\b")
_COUNTED = rx(r"\b(?:so|tong so|so luong)\s+(?:van ban|ho so|nguoi|thanh vien|may|thiet bi|diem|buoi|to|thon|"
               r"ap|xom|lop|hoc vien|luot|tai khoan|giao dich|doanh nghiep|ho|camera|trang|san pham|cuoc|"
               r"tin bai|video|tin nhan|phong|tram|cong chuc|can bo|hoi nghi|dich vu|thu tuc|chu ky)\b")
_DOCNO_ASK = rx(r"\b(?:so hieu|ky hieu van ban)\b")
_RATE = rx(r"\b(?:ty le|phan tram|ti le)\b|%")
ENTITY = [
    ("signer", rx(r"\b(?:ai|lanh dao nao|nguoi nao|dong chi nao)\b.*\bky\b|\bnguoi ky\b|\bky\b.*\bboi ai\b")),
    # "phần mềm quản lý văn bản … tên là gì", "nền tảng trí tuệ nhân tạo nào": the thing named, not a person
    ("software", rx(r"\b(?:phan mem|ung dung|nen tang|trang thong tin|cong thong tin|app|website|chuong trinh)"
                     r"(?:\s+[a-z]+){0,14}?\s+(?:ten (?:la )?gi|ten nao|nao|gi)\s*\??\s*$")),
    # "Xã Giao Minh thuộc tỉnh nào?": a place, answered only by a name the report writes
    ("place", rx(r"\b(?:thuoc|o|nam o|nam tai|nam trong|tai|cua) (?:tinh|thanh pho|huyen|quan|dia phuong|vung) "
                  r"nao\b")),
    ("person", rx(r"\b(?:ai|nguoi nao|lanh dao nao|dong chi nao|can bo nao|chuc vu (?:gi|nao)|"
                   r"ho ten|ten (?:la )?gi)\b")),
    ("org", rx(r"\b(?:don vi|co quan|phong|bo phan|to chuc|doanh nghiep|ban|trung tam|cong ty|"
                r"hop tac xa|to|doi|luc luong) nao\b")),
    ("software", rx(r"\b(?:phan mem|ung dung|nen tang|he thong|trang thong tin|cong thong tin|app|"
                     r"website|cong cu|thiet bi) (?:nao|gi)\b")),
    ("name", rx(r"\b(?:goi la gi|ten goi|hinh thuc nao|mo hinh nao|cach (?:lam|thuc) (?:nao|gi)|"
                 r"nguon (?:nao|gi)|bang cach nao|van ban nao|ke hoach nao|quyet dinh nao|cong van nao)\b")),
]
_YES_NO = rx(r"\b(?:co|da|duoc|con)\b.+\b(?:khong|chua)\s*\??\s*$|\bphai khong\b|\bco dung\b.*\bkhong\b")


def guidance_named(folded: str) -> list[str]:
    return [name for rx, name in GUIDANCE_DOCS if rx.search(folded)]


def asks_how_many(text: str) -> bool:
    """Whether a question asks "mấy" or "bao nhiêu"; typed with accents, "máy" (a machine) and
    "mây" (the cloud) are not "mấy"."""
    lower = nfc(text).lower()
    if typed_without_accents(lower):
        return bool(re.search(r"\b(?:bao nhieu|may)\b", lower))
    return bool(re.search(r"\b(?:bao nhiêu|mấy|bao nhieu)\b", lower))


def classify(folded: str, n_communes: int, guidance: list[str], how_many: bool | None = None) -> tuple[str, dict]:
    """The kind of a question (see KINDS) and its details: section kinds, cause, entity type
    (`how_many`: whether it asks "mấy"/"bao nhiêu", see `asks_how_many`)."""
    extra: dict = {}
    cause = bool(CAUSE.search(folded))
    sections = [k for k, rx in SECTION_WORDS if rx.search(folded)]
    if cause:
        sections = sections or ["ton_tai"]
    extra["section_kinds"] = tuple(dict.fromkeys(sections))
    extra["cause"] = cause
    if _WHICH.search(folded) or (n_communes >= 2 and _COMPARE.search(folded)):
        return "which_commune", extra
    if n_communes == 0 and (guidance or (_TARGET_WORDS.search(folded) and not sections)):
        return "target", extra
    if cause:
        return "narrative", extra
    if how_many is None:
        how_many = bool(re.search(r"\b(?:bao nhieu|may)\b", folded))
    if how_many or _COUNTED.search(folded) or _DOCNO_ASK.search(folded):  # "… có số hiệu là gì?"
        return "figure", extra
    for name, rx in ENTITY:
        if rx.search(folded):
            extra["entity"] = name
            return "entity", extra
    if _YES_NO.search(folded):
        return "yes_no", extra
    if sections or _LIST_ASK.search(folded):
        return "narrative", extra
    if _FIGURE.search(folded) or _RATE.search(folded) or SPEED_Q.search(folded):  # "nhanh cỡ nào"
        return "figure", extra
    return "narrative", extra
