"""Everyday and administrative Vietnamese that mean the same thing in commune reports.

Officers ask in everyday words ("bà con", "giấy tờ", "qua mạng"); reports write the
administrative ones ("người dân", "hồ sơ", "trực tuyến"). Each group lists phrases that may stand
for one another when the evidence for an answer is weighed. Groups are data: add to them freely,
but keep each group to phrases that mean the same thing in a report, not merely related ones.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from assistant.text.normalize import fold, keyword_tokens, nfc

GROUPS: tuple[tuple[str, ...], ...] = (
    ("người dân", "bà con", "nhân dân", "công dân", "cư dân", "người sử dụng", "người dùng"),
    ("giấy tờ", "hồ sơ", "thủ tục hành chính", "thủ tục"),
    ("qua mạng", "trực tuyến", "online", "trên mạng", "môi trường mạng", "môi trường điện tử"),
    ("nộp", "gửi"),
    ("chờ", "đợi"),
    ("chỗ ngồi", "chỗ để ngồi", "ghế ngồi", "ghế"),
    ("tiền", "kinh phí", "ngân sách", "nguồn vốn", "chi phí", "nguồn kinh phí", "nguồn lực tài chính"),
    ("clip", "video", "phóng sự"),
    ("bài đăng", "tin bài", "bài viết", "tin, bài", "bài tuyên truyền"),
    ("phổ biến", "tuyên truyền", "truyền thông", "lan tỏa", "quảng bá"),
    ("xóm", "thôn", "ấp", "tổ dân phố", "khu dân cư"),
    ("điện thoại di động", "điện thoại thông minh", "smartphone", "thiết bị di động", "di động"),
    ("sóng", "phủ sóng", "mạng di động", "sóng di động", "vùng phủ"),
    ("máy vi tính", "máy tính", "máy tính để bàn", "laptop"),
    ("trường học", "nhà trường", "cơ sở giáo dục"),
    ("thầy cô", "giáo viên"),
    ("học sinh", "học trò"),
    ("camera", "camera giám sát", "camera an ninh"),
    ("wifi", "wi-fi", "internet công cộng", "wifi công cộng"),
    ("cán bộ", "công chức", "viên chức", "cán bộ, công chức"),
    ("tập huấn", "đào tạo", "bồi dưỡng", "hướng dẫn", "chỉ dẫn", "kèm cặp"),
    ("kỹ năng số", "kỹ năng công nghệ", "kỹ năng sử dụng công nghệ"),
    ("thanh toán không dùng tiền mặt", "thanh toán điện tử", "thanh toán số", "chuyển khoản"),
    ("mua bán qua mạng", "bán hàng qua mạng", "thương mại điện tử", "bán hàng trực tuyến", "sàn thương mại điện tử"),
    ("ứng dụng", "app", "phần mềm"),
    ("an toàn thông tin", "an ninh mạng", "bảo mật", "an toàn, an ninh thông tin"),
    ("số hóa", "scan", "quét"),
    ("lên xã", "trực tiếp", "tại bộ phận một cửa", "tại trung tâm phục vụ hành chính công"),
    ("nhận kết quả", "lấy kết quả", "cầm kết quả", "trả kết quả"),
    ("bản giấy", "bản cứng", "offline"),
    ("trung tâm hành chính", "trung tâm phục vụ hành chính công", "bộ phận một cửa",
     "bộ phận tiếp nhận và trả kết quả"),
    ("hộ kinh doanh", "tiểu thương", "người bán hàng", "cơ sở kinh doanh"),
    ("nông dân", "hộ sản xuất", "hộ nông dân"),
    ("hộ gia đình", "hộ dân", "nhà dân", "gia đình"),
    ("lần", "buổi", "đợt"),
    ("loa phát thanh", "loa truyền thanh", "đài truyền thanh", "loa"),
    ("văn bản", "công văn"),
    ("chữ ký số", "chữ ký điện tử", "ký số", "ký điện tử"),
    ("người cao tuổi", "người già", "người lớn tuổi"),
    ("khoảng cách số", "bất bình đẳng số", "tụt hậu về số", "tụt hậu công nghệ"),
    ("khám bệnh", "khám chữa bệnh", "khám, chữa bệnh"),
    ("đứng ra", "chủ trì", "phụ trách", "đầu mối"),
    ("gồm những ai", "thành phần", "thành viên", "nòng cốt"),
    ("hỗ trợ công nghệ", "công nghệ số cộng đồng", "hỗ trợ chuyển đổi số"),
    ("làm chuyển đổi số", "thực hiện chuyển đổi số", "triển khai chuyển đổi số"),
    ("chủ yếu", "phần lớn", "trọng tâm"),
    ("thử", "thí điểm"),
    ("họp trực tuyến", "hội nghị trực tuyến", "phòng họp trực tuyến"),
    ("mạng nội bộ", "mạng LAN"),
    ("cáp quang", "internet cáp quang", "băng rộng cố định"),
    ("tài khoản định danh", "định danh điện tử", "VNeID"),
    ("lỗi thời", "đã cũ", "xuống cấp", "hết khấu hao"),
    ("thiếu người", "thiếu nhân lực", "thiếu cán bộ", "thiếu biên chế"),
    ("đầu việc", "nhiệm vụ", "công việc"),
    ("làm xong", "hoàn thành", "đã xong"),
    ("nhân khẩu", "dân số", "số dân"),
    ("chiếm", "tỷ trọng", "chiếm tỷ trọng"),
    ("bao nhiêu người", "thành viên", "hội viên", "nhân sự"),
    ("trả tiền", "thanh toán", "nộp tiền"),
    ("xã tự bỏ ra", "ngân sách xã", "xã bỏ ra", "xã tự chi", "xã tự cân đối"),
    ("nửa cuối năm", "6 tháng cuối năm", "06 tháng cuối năm", "sáu tháng cuối năm"),
    ("nửa đầu năm", "6 tháng đầu năm", "06 tháng đầu năm", "sáu tháng đầu năm"),
    ("mặt hàng", "sản phẩm", "hàng hóa", "món"),
    ("đặc sản", "sản phẩm đặc trưng", "đặc trưng"),
    ("sàn online", "sàn thương mại điện tử", "sàn giao dịch điện tử", "nền tảng thương mại điện tử"),
    ("lên mạng", "trực tuyến", "lên sàn"),
    ("dùng", "sử dụng"),
    ("thẻ căn cước", "căn cước", "căn cước công dân", "CCCD", "căn cước gắn chíp"),
    ("máy quét", "máy scan", "scanner"),
    ("kịp hẹn", "đúng hẹn", "đúng hạn", "trước hạn, đúng hạn"),
    ("bật", "bật lên", "kích hoạt"),
    ("trễ hẹn", "trễ hạn", "quá hạn", "chậm hạn"),
    ("thạo", "thành thạo", "làm chủ", "sử dụng thành thạo", "dùng giỏi", "sử dụng giỏi"),
    ("người lớn", "người trưởng thành", "dân số trưởng thành", "người dân trưởng thành"),
    ("thu phí", "phát sinh phí", "có phí", "mất phí"),
    ("mắt camera", "camera", "mắt"),
    ("hỏi bác sĩ", "tư vấn sức khỏe", "khám chữa bệnh từ xa", "khám bệnh từ xa"),
    ("dành riêng", "riêng"),
    ("tờ rơi", "tờ gấp", "tài liệu tuyên truyền", "tờ hướng dẫn"),
    ("phát", "phát hành", "cấp phát"),
    ("đội", "tổ", "nhóm"),
    ("nộp đơn", "nộp hồ sơ", "thu nhận hồ sơ", "tiếp nhận hồ sơ", "hồ sơ đề nghị"),
    ("xử lý sự cố", "ứng cứu", "ứng cứu sự cố", "khắc phục sự cố"),
    ("giúp", "hỗ trợ", "giúp đỡ"),
    ("làm thủ tục", "giải quyết thủ tục", "thực hiện thủ tục"),
)


@dataclass(frozen=True)
class Equivalents:
    """One phrase of a question and the patterns of its equivalents (accented or folded)."""

    phrase: str  # as the question writes it
    others: tuple[str, ...]  # its equivalents, written as the question's form is (accented or folded)
    tokens: frozenset[str]  # its keyword tokens: what an equivalent in a passage stands for
    pattern: re.Pattern[str]  # any equivalent, whole words
    accented: bool  # match against the accented text (else the folded one)


Groups = tuple[Equivalents, ...]


@lru_cache(maxsize=1)
def _groups() -> tuple[tuple[tuple[str, str], ...], ...]:
    """Each group's phrases as (accented lower case, folded)."""
    return tuple(tuple(dict.fromkeys((p.lower(), fold(p)) for p in g)) for g in GROUPS)


def _words(phrases: list[str]) -> re.Pattern[str]:
    alternation = "|".join(re.escape(p) for p in sorted(set(phrases), key=len, reverse=True))
    return re.compile(rf"(?<!\w)(?:{alternation})(?!\w)")


@lru_cache(maxsize=512)
def phrase_groups(text: str) -> Groups:
    """The group phrases a question contains, each with its equivalents.

    A question typed with accents is matched with accents ("tiền" is not "tiện"); one typed
    without them is matched folded."""
    lower = nfc(text).lower()
    accented = lower != fold(lower)
    hay = lower if accented else fold(lower)
    out = []
    for group in _groups():
        for acc, folded in sorted(group, key=lambda p: -len(p[0])):
            phrase = acc if accented else folded
            if re.search(rf"(?<!\w){re.escape(phrase)}(?!\w)", hay):
                others = [a if accented else f for a, f in group if f != folded]
                out.append(Equivalents(phrase, tuple(others), frozenset(keyword_tokens(phrase)), _words(others),
                                       accented))
                break
    return tuple(out)


def covered_by_equivalents(groups: Groups, text: str, folded: str | None = None) -> set[str]:
    """Keyword tokens of the question's phrases whose equivalent `text` contains (`folded`: the
    text folded, when the caller has it)."""
    out: set[str] = set()
    if not groups:
        return out
    lower = text.lower()
    folded = folded if folded is not None else fold(lower)
    for g in groups:
        if g.pattern.search(lower if g.accented else folded):
            out |= g.tokens
    return out


def canonical(phrase: str) -> str:
    """The first phrase (folded) of the group a phrase belongs to ("ấp" -> "xom"), or the phrase
    folded: two figures counted in words of one group count the same thing."""
    folded = fold(nfc(phrase).lower())
    return next((g[0][1] for g in _groups() if any(f == folded for _, f in g)), folded)
