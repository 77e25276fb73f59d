"""How people ask for an indicator: everyday words that pick one indicator of the table.

Reports write an indicator in administrative words ("tỷ lệ hồ sơ phát sinh phí được thanh toán
trực tuyến"); officers and citizens ask in their own ("hồ sơ có thu phí thì bao nhiêu phần trăm
trả tiền qua mạng"). Each `Asked` lists the ideas a question must contain to mean the indicator —
each idea a regex of alternative words on the folded question, anywhere in it, in any order — and
the ideas that mean another indicator. `asked_rule` picks the one indicator a question means, or
None when no indicator or more than one fits equally.

This is data: add words to an idea freely, but keep each idea to words that mean the same thing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.indicators.extract import folded
from assistant.indicators.rules import RULES_BY_ID, Rule
from assistant.text.normalize import asking_text

# ideas shared by several indicators (folded, abbreviations expanded)
ONLINE = (r"truc tuyen|qua mang|tren mang|len mang|online|qua internet|qua (?:dien thoai|app|ung dung)|"
          r"moi truong mang|khong (?:can|phai) (?:len|den|ra)")
PAY = (r"thanh toan|tra tien|nop tien|dong tien|chuyen khoan|tra phi|dong phi|nop phi|tra le phi|"
       r"dong le phi|nop le phi|\btra (?:online|truc tuyen|qua mang|tren mang|qua app|bang (?:the|app|vi|chuyen khoan))")
DOSSIER = r"\bho so\b|giay to|bo ho so"
ADULT = r"nguoi lon|truong thanh|tu 1[58] tuoi|tren 1[58] tuoi|dan so|(?:cu|tren|trong) 100 nguoi"
PEOPLE = rf"nguoi dan|\bdan\b|ba con|cong dan|nguoi su dung|{ADULT}"
STAFF = r"can bo|cong chuc|vien chuc|cbcc|nhan vien (?:uy ban|xa)|trong co quan|chinh quyen xa"
TRAINED = r"boi duong|tap huan|dao tao|di hoc|duoc hoc|khoa hoc(?!,? (?:va )?(?:cong nghe|ky thuat))|lop hoc"
MASTERS = r"lam chu|thanh thao|ranh|gioi|thao (?:cong nghe|may)|su dung tot"
TEAM = r"\bto\b|\bdoi\b|\bnhom\b"
TECH_TEAM = r"cong nghe so cong dong|cong nghe|ho tro (?:ky thuat|chuyen doi so|so)"
OTHER_TEAM = r"ung cuu|nghiep vu|giup viec|ban chi dao|thuong truc"  # teams of the commune office
ON_TIME = r"dung han|dung hen|kip hen|tre hen|tre han|qua han|truoc han|som hen|cham"


@dataclass(frozen=True)
class Asked:
    """The ideas a question must contain to ask for one indicator, and those that rule it out."""

    rule: str  # id of the indicator's rule (indicators.rules)
    all_of: tuple[str, ...]
    none_of: tuple[str, ...] = ()
    counts: tuple[str, ...] = ()  # count indicators: what "bao nhiêu …" must count (folded words)

    def fits(self, folded_question: str) -> bool:
        return (all(re.search(p, folded_question) for p in self.all_of)
                and not any(re.search(p, folded_question) for p in self.none_of))


ASKED: tuple[Asked, ...] = (
    # dossiers handled online end to end ("hồ sơ … toàn trình") are this indicator; services offered
    # end to end ("thủ tục … toàn trình", no dossier) are tthc_cung_cap_truc_tuyen
    Asked("ho_so_tthc_truc_tuyen", (DOSSIER, rf"{ONLINE}|toan trinh"),
          (PAY, r"\bphi\b", ON_TIME, r"so hoa|scan|quet|chup", ADULT, r"hai long", r"dinh danh|vneid",
           r"phat sinh", r"ho so (?:cong viec|suc khoe|hoc ba)|van ban")),
    Asked("thanh_toan_truc_tuyen_tthc", (PAY, rf"{ONLINE}|dien tu|khong dung tien mat",
                                        rf"\bphi\b|le phi|{DOSSIER}|thu tuc"),
          (r"tai khoan|\bvi\b|hoc phi", ADULT)),
    Asked("tai_khoan_thanh_toan", (r"tai khoan|vi dien tu|vi so|mobile money",
                                   rf"{PAY}|ngan hang|giao dich|\bvi\b"),
          (r"dinh danh|vneid|dich vu cong|thu tuc|\bphi\b",)),
    Asked("nguoi_dan_su_dung_dvctt", (ADULT, rf"dich vu cong|thu tuc|{DOSSIER}|lam giay", ONLINE),
          (PAY, r"dinh danh|vneid|xac thuc", r"hai long", r"ky nang")),
    Asked("dien_thoai_thong_minh", (r"dien thoai thong minh|smartphone|dien thoai (?:cam ung|android)",),
          (r"hoc sinh|hoc tro|may tinh bang|\bho\b|gia dinh|\bnha\b",)),
    Asked("cap_quang_ho_gia_dinh", (r"cap quang|internet (?:bang rong )?co dinh|mang co dinh",
                                    r"\bho\b|gia dinh|\bnha\b|\bnoc\b")),
    Asked("phu_song_5g", (r"\b5g\b",)),
    Asked("dinh_danh_dien_tu", (r"dinh danh|vneid|danh tinh dien tu|(?:app|ung dung) (?:\w+ ){0,3}cong an",),
          (r"can cuoc|cccd", r"dich vu cong|thu tuc|\bho so")),
    Asked("can_cuoc", (r"can cuoc|cccd|the (?:\w+ )?(?:gan )?chip",)),
    Asked("chu_ky_so_nguoi_dan", (r"chu ky (?:so|dien tu)|\bky so\b|ky dien tu", PEOPLE),
          (STAFF, r"van ban|lanh dao|co quan")),
    Asked("kham_chua_benh_tu_xa", (r"kham|chua benh|bac si|tu van (?:suc khoe|y te)",
                                   rf"tu xa|{ONLINE}|qua video"),
          (r"(?:ho so|so) (?:suc khoe|y te)",)),
    Asked("ho_so_suc_khoe_dien_tu", (r"(?:ho so|so) (?:suc khoe|y te)", rf"dien tu|so hoa|{ONLINE}")),
    Asked("muc_do_hai_long", (r"hai long|vua long",)),
    Asked("dvctt_phat_sinh_ho_so", (r"dich vu cong", r"phat sinh|co (?:nguoi nop|ho so)")),
    Asked("tthc_cung_cap_truc_tuyen", (r"toan trinh|hoan toan (?:qua mang|truc tuyen|online)",),
          (DOSSIER, r"phat sinh|mot phan|tung phan")),
    Asked("so_hoa_ho_so_ket_qua_tthc", (r"so hoa|scan|\bquet\b|\bchup\b", rf"{DOSSIER}|ket qua|thu tuc"),
          (r"ho tich|khai sinh|van ban|tai lieu|ho so (?:cong viec|suc khoe)",)),
    Asked("tai_su_dung_du_lieu", (r"tai su dung|dung lai du lieu|khong (?:phai|can) (?:nop|khai|cung cap) lai",)),
    Asked("cbcc_boi_duong_ky_nang_so", (STAFF, TRAINED), (MASTERS,)),
    Asked("cbcc_lam_chu_ky_nang_so", (STAFF, MASTERS)),
    Asked("ho_so_cong_viec_tren_mang", (r"ho so cong viec|van ban|cong van", r"xu ly|luan chuyen",
                                        rf"{ONLINE}|dien tu|phan mem")),
    Asked("lao_dong_ky_nang_so_co_ban", (r"nguoi dan|lao dong|nguoi lon|ba con|dan so",
                                         r"ky nang so|ky nang (?:dung|su dung) (?:cong nghe|dien thoai|may tinh)"),
          (STAFF,)),
    Asked("truong_hoc_hoc_phi_khong_tien_mat", (r"hoc phi", rf"khong (?:dung )?tien mat|{PAY}|{ONLINE}")),
    Asked("so_to_cnscd", (TEAM, TECH_TEAM), (OTHER_TEAM,), counts=("to", "doi", "nhom")),
    Asked("so_thanh_vien_to_cnscd", (TEAM, TECH_TEAM),
          (OTHER_TEAM, r"tap huan|hoc|huong dan|chi cho|chi viec|giup|ho tro duoc|cam tay|kem cap",
           r"(?:bao nhieu|may) (?:nguoi dan|ba con|ho)\b"),
          counts=("thanh vien", "nguoi")),
    Asked("so_cbcc_boi_duong_ky_nang_so", (STAFF, TRAINED), (MASTERS,), counts=("can bo", "cong chuc", "nguoi")),
    Asked("so_cbcc_lam_chu_ky_nang_so", (STAFF, MASTERS), counts=("can bo", "cong chuc", "nguoi")),
)


_ASKING = re.compile(r"\b(?:bao nhieu|may)\b")


def asked_rule(question: str, kind: str | None, focus: tuple[str, ...] | list[str] = ()) -> Rule | None:
    """The one indicator a figure question asks for: a percent question an indicator in percent, a
    count question ("bao nhiêu tổ") a count indicator whose counted word it asks; None when the
    question fits no indicator or several."""
    if kind not in ("percent", "count"):
        return None
    f = folded(question)
    if kind == "count" and len(_ASKING.findall(asking_text(question))) > 1:
        return None  # "bao nhiêu anh chị em trong mấy tổ …": which count is asked is not clear
    counted = " ".join(focus)
    fits = []
    for a in ASKED:
        rule = RULES_BY_ID[a.rule]
        if rule.kind != kind or not a.fits(f):
            continue
        if kind == "count" and not any(counted == w or counted.startswith(w + " ") for w in a.counts):
            continue
        fits.append((len(a.all_of), rule))
    if not fits:
        return None
    best = max(n for n, _ in fits)
    top = [r for n, r in fits if n == best]
    return top[0] if len(top) == 1 else None
