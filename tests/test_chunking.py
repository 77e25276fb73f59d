from assistant.ingest.chunking import chunk_blocks, section_kind
from assistant.ingest.cleaning import to_blocks

from .conftest import SEEDS


def _chunks(name: str):
    return chunk_blocks(to_blocks((SEEDS / name).read_text(encoding="utf-8")))


def test_heading_path_and_kind_of_a_shortcoming_section():
    chunks = _chunks("002_fb0e2068ce768d4e.txt")
    hit = next(c for c in chunks if "Trụ sở UBND xã hiện còn chật hẹp" in c.text)
    assert hit.section_kind == "ton_tai"
    assert hit.section.endswith("3. Về hạ tầng số > 3.2. Tồn tại, hạn chế")
    assert hit.section.startswith("PHẦN A")


def test_a_long_heading_with_a_note_on_what_to_report_opens_its_section():
    """"7. Chính quyền số (Đánh giá các nội dung về …)" runs over three lines: its shortcomings are
    those of Chính quyền số, not of the section before it (6. An toàn thông tin mạng)."""
    chunks = _chunks("000_bc6a550855c708f7.txt")
    hit = next(c for c in chunks if "Ứng dụng AI mới ở mức thử nghiệm" in c.text)
    assert hit.section_kind == "ton_tai"
    leaf_parent = hit.section.split(" > ")[-2]
    assert leaf_parent.startswith("7. Chính quyền số (Đánh giá")
    assert not any("7. Chính quyền số" in c.text for c in chunks if "6. An toàn thông tin mạng" in c.section)


def test_directions_part_is_phuong_huong():
    chunks = _chunks("000_bc6a550855c708f7.txt")
    hit = next(c for c in chunks if "Phát huy vai trò của Ban Chỉ đạo" in c.text)
    assert hit.section_kind == "phuong_huong"
    assert "PHẦN B" in hit.section


def test_chunks_respect_the_size_limit_and_keep_all_text():
    blocks = to_blocks((SEEDS / "003_7619b87458e9843f.txt").read_text(encoding="utf-8"))
    chunks = chunk_blocks(blocks, max_chars=600)
    assert max(len(c.text) for c in chunks) <= 600 + 160  # a heading line may ride along
    joined = " ".join(" ".join(c.text.split()) for c in chunks)
    assert "17 ấp với 116 thành viên" in joined


def test_every_seed_has_each_main_kind():
    kinds = {c.section_kind for c in _chunks("000_bc6a550855c708f7.txt")}
    assert {"ket_qua", "ton_tai", "phuong_huong", "de_xuat"} <= kinds


def test_section_kind_rules():
    assert section_kind(["II. KẾT QUẢ", "3. Hạ tầng số", "b) Tồn tại, hạn chế"]) == "ton_tai"
    assert section_kind(["B. PHƯƠNG HƯỚNG, NHIỆM VỤ TRỌNG TÂM NĂM 2026", "1. Nâng cao nhận thức"]) == "phuong_huong"
    assert section_kind(["III. ĐỀ XUẤT, KIẾN NGHỊ"]) == "de_xuat"
    assert section_kind(["IV. ĐỀ XUẤT CÁC CHỈ TIÊU, NHIỆM VỤ TRỌNG TÂM NĂM 2026"]) == "phuong_huong"
    assert section_kind(["Lời mở đầu"]) == "other"
