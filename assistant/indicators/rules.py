"""The indicator rules: for each indicator the table reads, the key words that must stand next to
a figure (regexes on folded, abbreviation-expanded text), its kind and, for counts, its unit.

This is data more than code: add or tune an indicator here; `extract` applies the rules.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Rule:
    """How to find one indicator in report text (regexes run on folded, abbreviation-expanded text)."""

    id: str
    kind: str  # "percent" | "count"
    any_of: tuple[str, ...]  # one must match near the figure
    all_of: tuple[str, ...] = ()  # each must match near the figure too
    exclude: tuple[str, ...] = ()  # none may match near the figure
    unit: str = ""  # counts: what must follow the number ("to", "thanh vien|nguoi")
    label: str = ""  # counts: label of a "Số … : N" row
    name: str = ""  # display name when the catalog has none (or a broader one)
    pillar: str = ""

    @property
    def own_indicator(self) -> bool:
        """Whether the rule defines its indicator itself (name and pillar), the catalog having none."""
        return bool(self.name and self.pillar)

    def exclude_hit(self, window: str) -> bool:
        return any(re.search(p, window) for p in self.exclude)

    def matches(self, window: str) -> bool:
        return (any(re.search(p, window) for p in self.any_of)
                and all(re.search(p, window) for p in self.all_of)
                and not any(re.search(p, window) for p in self.exclude))


_CBCC = r"(?:can bo|cong chuc|cbcc)"
_CNSCD = r"(?:cong nghe so cong dong|cnscd)"


def _seq(a: str, b: str, gap: int) -> str:
    return rf"(?:{a}) (?:\w+ ){{0,{gap}}}(?:{b})"


def near(a: str, b: str, gap: int) -> str:
    """Regex: `a`, then at most `gap` words, then `b` (whole words)."""
    return rf"\b{_seq(a, b, gap)}\b"


RULES: tuple[Rule, ...] = (
    Rule("ho_so_tthc_truc_tuyen", "percent", (near("ho so", "truc tuyen", 6), r"\bnop truc tuyen"),
         exclude=(r"thanh toan|hai long|dung han|truoc han|qua han|so hoa|cong viec|phat sinh (?:phi|ho so)|"
                  r"dinh danh|xac thuc|pho cap|su dung dich vu cong",)),
    Rule("dvctt_phat_sinh_ho_so", "percent", (near("dich vu cong|dvc", "phat sinh ho so", 8),),
         name="Tỷ lệ dịch vụ công trực tuyến có phát sinh hồ sơ", pillar="chinh_quyen_so"),
    Rule("tthc_cung_cap_truc_tuyen", "percent", (near("thu tuc|dich vu cong", "toan trinh", 8),),
         exclude=(r"\bho so|phat sinh|truc tiep|tung phan|mot phan",)),
    Rule("thanh_toan_truc_tuyen_tthc", "percent",
         (r"thanh toan truc tuyen", near("phi|le phi", "thanh toan (?:truc tuyen|dien tu)", 4)),
         exclude=(r"hoc phi|vi dien tu|tai khoan",)),
    Rule("so_hoa_ho_so_ket_qua_tthc", "percent",
         (near("so hoa", _seq("ho so|ket qua", "tthc|thu tuc hanh chinh|giai quyet", 8), 6),
          near("ho so|ket qua", _seq("tthc|thu tuc hanh chinh", "so hoa", 6), 8)),
         exclude=(r"tai lieu|van ban|ho so cong viec|ho tich|di san",)),
    Rule("tai_su_dung_du_lieu", "percent", (near("ty le", "tai su dung", 3),)),
    Rule("muc_do_hai_long", "percent", (r"hai long",)),
    Rule("dinh_danh_dien_tu", "percent", (r"dinh danh dien tu|vneid|dddt",),
         exclude=(r"can cuoc|dich vu cong|suc khoe",),
         name="Tỷ lệ người dân có tài khoản định danh điện tử (VNeID)"),
    Rule("can_cuoc", "percent", (r"can cuoc",), name="Tỷ lệ dân số được cấp căn cước", pillar="du_lieu"),
    Rule("cbcc_boi_duong_ky_nang_so", "percent", (near(_CBCC, "boi duong|tap huan", 10),),
         all_of=(r"ky nang so|chuyen doi so",), exclude=(r"lam chu|thanh thao|an toan thong tin|bao mat",)),
    Rule("cbcc_lam_chu_ky_nang_so", "percent", (near(_CBCC, "lam chu|thanh thao", 6),)),
    Rule("phan_mem_quan_tri_dieu_hanh", "percent", (r"phan mem quan tri dieu hanh",)),
    Rule("ho_so_cong_viec_tren_mang", "percent",
         (near("ho so cong viec", _seq("xu ly", "moi truong mang|dien tu", 3), 3),)),
    Rule("dien_thoai_thong_minh", "percent", (r"dien thoai thong minh|smartphone",),
         exclude=(r"hoc sinh|may tinh bang|\bho dan|ho gia dinh",)),
    Rule("cap_quang_ho_gia_dinh", "percent",
         (near("ho gia dinh", "cap quang", 6), near("cap quang", "ho gia dinh", 6))),
    Rule("phu_song_5g", "percent", (r"\b5g\b",)),
    Rule("tai_khoan_thanh_toan", "percent", (r"tai khoan (?:giao dich )?thanh toan|mobile money",),
         all_of=(r"nguoi dan|dan so",)),
    Rule("chu_ky_so_nguoi_dan", "percent", (r"chu ky (?:so|dien tu)",), all_of=(r"nguoi dan|dan so",),
         exclude=(_CBCC, r"van ban")),
    Rule("nguoi_dan_su_dung_dvctt", "percent",
         (near("nguoi dan|dan so|nguoi truong thanh", _seq("su dung|dung", "dich vu cong|dvc", 3), 6),),
         exclude=(r"xac thuc|dinh danh|ho tro|huong dan|pho cap",)),
    Rule("lao_dong_ky_nang_so_co_ban", "percent", (near("pho cap|dao tao", "ky nang so", 3),),
         all_of=(r"nguoi dan|lao dong|dan so",)),
    Rule("nguoi_dan_ket_noi_mang_duoc_bao_ve", "percent", (near("ket noi mang", "bao ve", 3),)),
    Rule("kham_chua_benh_tu_xa", "percent", (r"kham chua benh tu xa|tu van suc khoe truc tuyen",)),
    Rule("ho_so_suc_khoe_dien_tu", "percent", (r"(?:ho so|so) suc khoe dien tu",),
         exclude=(r"co so kham|benh vien|tram y te",)),
    Rule("giao_duc_quan_tri_so", "percent", (near("co so giao duc", "quan tri so", 15),)),
    Rule("truong_hoc_hoc_phi_khong_tien_mat", "percent",
         (near("hoc phi", "khong (?:dung )?tien mat", 10),)),
    Rule("so_to_cnscd", "count", (_CNSCD,), unit=r"to\b",
         label=r"(?:so luong|tong so|so) (?!thanh vien)(?:\w+ ){0,2}to " + _CNSCD,
         name="Số Tổ công nghệ số cộng đồng", pillar="xa_hoi_so"),
    Rule("so_thanh_vien_to_cnscd", "count", (_CNSCD,), unit=r"(?:thanh vien|nguoi)\b",
         label=r"(?:so luong |tong so |so )?thanh vien (?:\w+ ){0,2}to " + _CNSCD,
         exclude=(r"tap huan|huong dan|lop|hoc",),
         name="Số thành viên Tổ công nghệ số cộng đồng", pillar="xa_hoi_so"),
    Rule("so_cbcc_boi_duong_ky_nang_so", "count", (r"ky nang so",),
         label="so " + _seq(_CBCC, _seq("boi duong|tap huan", "ky nang so", 2), 6),
         name="Số cán bộ, công chức được bồi dưỡng kỹ năng số", pillar="nhan_luc"),
    Rule("so_cbcc_lam_chu_ky_nang_so", "count", (r"ky nang so",),
         label="so " + _seq(_CBCC, "lam chu ky nang so", 6),
         name="Số cán bộ, công chức làm chủ kỹ năng số", pillar="nhan_luc"),
)
RULES_BY_ID = {r.id: r for r in RULES}
