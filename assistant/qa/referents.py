"""What a follow-up points back to: "người đó", "tổ này", "họ", "quyết định đó", or nothing at all
("Ký ngày nào vậy?" after a question about a decision). The earlier question named the thing; the
follow-up asks another attribute of it, so the thing is put back in its words:

    "An Khánh thành lập Tổ ứng cứu Công nghệ và Nghiệp vụ theo quyết định số mấy?"
    "Tổ đó có bao nhiêu thành viên?" -> "Tổ ứng cứu Công nghệ và Nghiệp vụ có bao nhiêu thành viên
    của xã An Khánh?"
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from assistant.qa.evidence import question_terms, without
from assistant.qa.followup import replace_span
from assistant.qa.kinds import rx
from assistant.text.normalize import fold, fold_keep_length, nfc

if TYPE_CHECKING:
    from assistant.qa.question import Question

# A noun that names a thing an earlier question asked about, then the word that points back at it.
_THINGS = (r"to|ban|doi|nhom|quyet dinh|ke hoach|van ban|bao cao|cong van|he thong|phan mem|nen tang|"
           r"ung dung|mo hinh|chuong trinh|de an|hoi nghi|cuoc thi|lop|dot|cong trinh|du an|thiet bi|diem")
_POINTER = rx(rf"\b(?:cac |nhung )?({_THINGS}) (do|nay|ay|tren|vua roi|vua neu)\b")
_BARE_HEAD = rx(rf"^({_THINGS})(?=\s+(?:co|gom|duoc|do|ky|ban hanh|thanh lap|hoat dong)\b)")  # "tổ có mấy người"
_PERSON = rx(r"\b(?:nguoi|ong|ba|dong chi|lanh dao|can bo) (do|nay|ay|vua roi|vua neu)\b")
_POINTING = {"đó", "này", "ấy", "trên", "vừa"}  # with accents: "bản đồ" is a map, not "bản đó"
# What ends the name of the thing inside the earlier question.
_NAME_END = rx(r"\s(?:cua (?:ubnd |uy ban nhan dan )?xa|theo|co|duoc|gom|la|so may|so hieu|bao nhieu|may|"
               r"ban hanh|ky|do|vao|tu|nam 20\d\d|thi|hien|da|dat|o|tai|nhu the nao|ra sao|nao|gi|chua|khong)\b|[?,;:]")
_TITLE_ASK = rx(r"\b(?:chuc vu|chuc danh|cuong vi|vai tro|ho ten|ten (?:la )?gi|ten day du|la ai|ai)\b")
# A follow-up that only asks an attribute of a document: "Ký ngày nào vậy?", "Ban hành khi nào?", "Ai ký?"
_ATTRIBUTE_WORDS = frozenset("ky ban hanh ngay nao thang khi luc ai so hieu may vay the a do la duoc "
                             "thanh lap boi nguoi".split())
_DOCUMENT = rx(r"\b(?:quyet dinh|ke hoach|van ban|cong van|bao cao|nghi quyet|chuong trinh|de an|"
               r"thong bao|huong dan|chi thi)\b")


def _is_pointing(text: str, m: re.Match[str], group: int) -> bool:
    """Whether the pointing word of a match is one, judged with accents when the text has them."""
    word = nfc(text)[m.start(group):m.end(group)].lower()
    return fold(word) == word or word.split()[0] in _POINTING


# the linking words left where the earlier question named its commune ("… của  số mấy?")
_LINK_WORDS = r"(?:\s+(?:của|cua|ở|o|tại|tai|xã|xa|UBND))+"
_LINKS = re.compile(_LINK_WORDS + r"(?=\s|$)", re.IGNORECASE)
_LINKS_AT_END = re.compile(_LINK_WORDS + "$", re.IGNORECASE)


def _name_in(prev_text: str, head: str) -> str | None:
    """The name of the thing in the earlier question that starts with `head` ("tổ" -> "Tổ ứng cứu
    Công nghệ và Nghiệp vụ"), up to the words that ask or link."""
    text = nfc(prev_text)
    folded = fold_keep_length(text).lower()
    m = re.search(rf"\b{head}\b", folded)
    if not m:
        return None
    end = _NAME_END.search(folded, m.end())
    name = text[m.start(): end.start() if end else len(text)].strip(" ?,.")
    name = _LINKS_AT_END.sub("", name)
    return name if len(name.split()) > len(head.split()) else None


def _without_communes(prev: Question) -> str:
    """The earlier question without the communes it named ("… của An Khánh số mấy?" -> "… của số mấy?")."""
    text = nfc(prev.text)
    for name in [*prev.communes, *prev.unknown_communes]:
        for form in (f"UBND xã {name}", f"xã {name}", name):
            text = replace_span(text, form, "") or text
    return " ".join(text.split())


def _in_commune(text: str, prev: Question) -> str:
    """`text` as a question about the earlier question's commune, when it named one."""
    text = " ".join(text.split()).rstrip(" ?.")
    where = f" của xã {prev.communes[0]}" if len(prev.communes) == 1 else ""
    return f"{text[:1].upper()}{text[1:]}{where}?"


def thing_resolved(text: str, prev: Question) -> str | None:
    """`text` with the thing it points back at put in its words; None when it points at nothing
    the earlier question named."""
    folded = fold_keep_length(nfc(text)).lower()
    person = _PERSON.search(folded)
    if (person and _is_pointing(text, person, 1)) or re.search(r"\bhọ\b", nfc(text).lower()):
        if prev.kind == "entity" and prev.entity in ("signer", "person") and _TITLE_ASK.search(folded):
            return prev.text  # "Người đó giữ chức vụ gì?": the answer names the person with the title
        counted = _counted_people(prev)
        if counted and (m := re.search(r"\bhọ\b", nfc(text), re.IGNORECASE)):
            return _in_commune(text[: m.start()] + counted + text[m.end():], prev)
        return None
    pointer = _POINTER.search(folded)
    if pointer and _is_pointing(text, pointer, 2):
        name = _name_in(_without_communes(prev), pointer.group(1))
        if name:
            return _in_commune(text[: pointer.start()] + name + text[pointer.end():], prev)
        return None
    bare = _BARE_HEAD.match(folded)  # "tổ có mấy người": the team just asked about
    if bare and (name := _name_in(_without_communes(prev), bare.group(1))):
        return _in_commune(name + text[bare.end(1):], prev)
    words = set(fold(text).replace("?", " ").split())
    if words and words <= _ATTRIBUTE_WORDS and len(words) <= 6 and _DOCUMENT.search(prev.folded):
        head = _DOCUMENT.search(prev.folded).group(0)
        # "Quyết định thành lập …", or what the earlier question said before "… kèm quyết định số mấy?"
        name = _name_in(_without_communes(prev), head) or _asked_before(prev)
        if name:
            return _in_commune(f"{name} {text[:1].lower()}{text[1:]}", prev)
    return None


_ASKING_TAIL = rx(r"\s(?:so may|so hieu|la so|bao nhieu|la gi|nao|ngay nao)\b.*$")


def _asked_before(prev: Question) -> str | None:
    """The earlier question without its commune and its asking words ("Quy chế bảo đảm an toàn
    thông tin mạng ban hành kèm quyết định")."""
    text = _without_communes(prev)
    m = _ASKING_TAIL.search(fold_keep_length(text).lower())
    name = text[: m.start()] if m else ""
    name = _LINKS.sub(" ", name)
    return " ".join(name.split()) or None


_PEOPLE = rx(r"\b(?:cong chuc|can bo|vien chuc|thanh vien|nguoi|doan vien|hoc vien|tinh nguyen vien)\b")


def _counted_people(prev: Question) -> str | None:
    """The people an earlier count question counted ("mấy công chức chuyên trách về CĐS")."""
    if prev.intent.kind != "count":
        return None
    text = nfc(prev.text)
    folded = fold_keep_length(text).lower()
    m = re.search(r"\b(?:bao nhieu|may)\s+", folded)
    if not m or not _PEOPLE.match(folded, m.end()):
        return None
    end = _NAME_END.search(folded, m.end())
    name = text[m.end(): end.start() if end else len(text)].strip(" ?,.")
    return name or None


def topic_kept(text: str, kind: str, sections: tuple[str, ...], prev: Question) -> str | None:
    """A narrative follow-up that asks another section of what the earlier one was about ("Xã đề
    xuất giải pháp gì để khắc phục?" after the shortcomings of digital infrastructure): the same
    topic, in the new section."""
    if kind != "narrative" or prev.kind != "narrative" or not sections \
            or set(sections) & set(prev.section_kinds) or len(prev.communes) != 1:
        return None
    if not _MENDS.search(fold(text)):
        return None  # "Xã kiến nghị cấp trên những gì?" asks every proposal, not those about the topic
    own = without(question_terms(text), _SECTION_VOCABULARY)
    topic = without(question_terms(prev.text, drop=[*prev.communes, "xã"]), _SECTION_VOCABULARY)
    if own or not topic:
        return None
    words = [w for w in nfc(prev.text).replace("?", " ").split()
             if fold(w).strip(",.") not in _SECTION_VOCABULARY and fold(w) not in fold(prev.communes[0]).split()]
    about = " ".join(words).strip(" ,.")
    return f"{text.rstrip(' ?.')} về {about} của xã {prev.communes[0]}?" if about else None


# "để khắc phục", "giải quyết những hạn chế đó": what is proposed answers the shortcomings just asked
_MENDS = rx(r"\b(?:khac phuc|giai quyet|cai thien|thao go|xu ly)\b")
_SECTION_VOCABULARY = frozenset(
    "ton tai han che kho khan vuong mac bat cap yeu kem diem yeu con gi nhung nao la de xuat kien nghi "
    "giai phap khac phuc giai quyet cai thien thao go xu ly phuong huong nhiem vu thoi gian toi nam toi se lam dinh huong xa cua ve trong "
    "linh vuc mat van de gap dang khi trien khai co the thuc hien nhu ra sao de dinh se sang".split())
