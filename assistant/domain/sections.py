"""Section kinds of a report and the sections a draft has: one place for their ids and labels."""

from __future__ import annotations

# What a chunk of a report is about (`Chunk.section_kind`), found from its heading path.
SECTION_KINDS = ("ket_qua", "ton_tai", "de_xuat", "phuong_huong", "chi_tieu", "other")
SECTION_LABELS = {
    "ket_qua": "Kết quả đạt được",
    "ton_tai": "Tồn tại, hạn chế",
    "de_xuat": "Đề xuất, kiến nghị",
    "phuong_huong": "Phương hướng, nhiệm vụ",
    "chi_tieu": "Chỉ tiêu, mục tiêu",
    "other": "Phần khác",
}
# The narrative parts a commune writes and compares with its peers.
NARRATIVE_KINDS = ("ket_qua", "ton_tai", "de_xuat", "phuong_huong")

# Sections of a drafted report (ids in `draft --json`), in report order.
DRAFT_SECTION_IDS = ("ket_qua", "ton_tai", "phuong_huong", "kien_nghi")
DRAFT_TITLES = {
    "ket_qua": "Kết quả đạt được",
    "ton_tai": "Tồn tại, hạn chế và nguyên nhân",
    "phuong_huong": "Phương hướng, nhiệm vụ",
    "kien_nghi": "Đề xuất, kiến nghị",
}


def section_label(kind: str) -> str:
    """The Vietnamese label of a section kind ("ton_tai" -> "Tồn tại, hạn chế")."""
    return SECTION_LABELS.get(kind, kind)
