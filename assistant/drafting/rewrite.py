"""Small rule-based rewrites: a shortcoming into a task, and the cause or consequence of a sentence.

The rules and word lists live in `prompts/draft/nhiem_vu.yaml` and `nguyen_nhan.yaml`; they
run on folded text (`fold_keep_length`, so offsets map back to the accented original) and
return pieces of the original wording, never new figures.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Literal

from assistant.drafting.templates import Phrases, TemplateError
from assistant.text.normalize import fold_keep_length

CauseKind = Literal["khach_quan", "chu_quan"]
# single-word cause markers must be written exactly so ("do", not "đó"; "vì", not "vi")
_SINGLE_WORD_MARKERS = {"do": "do", "vi": "vì"}
_NOT_AFTER = {"tự", "lý", "vì", "bởi"}  # "tự do", "lý do": not a cause marker
_LEADING_SOME_RE = re.compile(
    r"^(?:một số|nhiều) (?=\S)"
)  # "bổ sung một số thiết bị" -> "bổ sung thiết bị"
_CLAUSE_END_RE = re.compile(r"[;.!?](?:\s|$)|\s[-–]\s")


def lower_first(s: str) -> str:
    """ "Tỷ lệ hồ sơ" -> "tỷ lệ hồ sơ"; "UBND xã" and "VNeID" stay as written."""
    if len(s) >= 2 and s[0].isupper() and s[1].islower():
        return s[0].lower() + s[1:]
    return s


def upper_first(s: str) -> str:
    return s[:1].upper() + s[1:]


def strip_end(s: str) -> str:
    """Without the closing punctuation and spaces."""
    return s.strip().rstrip(".;:,!…").rstrip()


def _folded(s: str) -> str:
    return fold_keep_length(s).lower()


@lru_cache(maxsize=64)
def _compile(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


def _rules(
    phrases: Phrases, path: str = "nhiem_vu.quy_tac", out_key: str = "viec"
) -> list[tuple[re.Pattern[str], str]]:
    out = []
    file = phrases.folder / f"{path.partition('.')[0]}.yaml"
    for i, rule in enumerate(phrases.get(path)):
        if not isinstance(rule, dict) or not {"mau", out_key} <= set(rule):
            raise TemplateError(f"{file}: quy_tac[{i}] cần có 'mau' và '{out_key}'")
        try:
            out.append((_compile(str(rule["mau"])), str(rule[out_key])))
        except re.error as exc:
            raise TemplateError(
                f"{file}: quy_tac[{i}].mau không phải biểu thức chính quy hợp lệ ({exc})"
            ) from None
    return out


def apply_rules(
    clause: str, phrases: Phrases, path: str, out_key: str, **extra: str
) -> str | None:
    """The first rule of `path` matching `clause`, filled with its groups and `extra`; or None."""
    return _apply_rules(clause, phrases, path, out_key, extra)


def _apply_rules(
    clause: str,
    phrases: Phrases,
    path: str = "nhiem_vu.quy_tac",
    out_key: str = "viec",
    extra: dict[str, str] | None = None,
) -> str | None:
    folded = _folded(clause)
    for rx, template in _rules(phrases, path, out_key):
        m = rx.match(folded)
        if not m:
            continue
        groups = {
            k: _LEADING_SOME_RE.sub("", lower_first(clause[m.start(k) : m.end(k)].strip(" ,")))
            for k, v in m.groupdict().items()
            if v is not None
        }
        try:
            return " ".join(template.format(**groups, **(extra or {})).split())
        except (KeyError, IndexError) as exc:
            file = phrases.folder / f"{path.partition('.')[0]}.yaml"
            raise TemplateError(
                f"{file}: quy tắc {rx.pattern!r} dùng chỗ điền {exc}, không phải một nhóm có tên "
                "của nó"
            ) from None
    return None


def _split_top(text: str, seps: str) -> list[str]:
    """Split on separators that are not inside brackets."""
    parts, depth, cur = [], 0, []
    i = 0
    while i < len(text):
        ch = text[i]
        depth += ch in "(["
        depth -= ch in ")]" and depth > 0
        if depth == 0 and ch in seps and (i + 1 == len(text) or text[i + 1] == " "):
            parts.append("".join(cur))
            cur = []
        else:
            cur.append(ch)
        i += 1
    parts.append("".join(cur))
    return [p.strip() for p in parts if p.strip()]


_QUALIFIER_KEEP = ("nhat la", "dac biet la", "dac biet", "trong do", "ke ca")
_QUALIFIER_DROP = (
    "chu yeu",
    "nhu ",
    "do ",
    "vi ",
    "boi ",
    "gay ",
    "dan den",
    "anh huong",
    "con phai",
    "phai ",
)
_ENUMERATION_WORDS = 5  # after "nhất là …", short clauses without a rule continue the list


def _core_and_tails(clauses: list[str], phrases: Phrases) -> list[tuple[str, str]]:
    """Clauses with the qualifiers that follow them ("…, nhất là người cao tuổi") attached.

    A qualifier naming who is most affected is kept as a tail of the previous clause; one that
    describes the problem further ("chủ yếu …", "do …") is left out of the task.
    """
    out: list[tuple[str, str]] = []
    for c in clauses:
        folded = _folded(c)
        listing = (
            bool(out and out[-1][1])
            and len(c.split()) <= _ENUMERATION_WORDS
            and _apply_rules(c, phrases) is None
        )
        if out and (folded.startswith(_QUALIFIER_KEEP) or listing):
            core, tail = out[-1]
            out[-1] = (core, f"{tail}, {c}" if tail else c)
        elif out and folded.startswith(_QUALIFIER_DROP):
            continue
        else:
            out.append((c, ""))
    return out


def task_from_shortcoming(text: str, phrases: Phrases) -> str:
    """A task answering a shortcoming ("X còn thiếu" -> "Bổ sung X"), capitalised, no final stop."""
    base = strip_end(text)
    fallback = str(phrases.get("nhiem_vu.mac_dinh"))
    pieces: list[str] = []
    for part in _split_top(base, ";"):
        clauses = _core_and_tails(_split_top(part, ","), phrases)
        done = [_apply_rules(c, phrases) for c, _ in clauses]
        if len(clauses) > 1 and not all(d is not None for d in done):
            whole = _apply_rules(part, phrases)
            if whole is not None:
                pieces.append(whole)
                continue
        for (clause, tail), action in zip(clauses, done, strict=True):
            action = action if action is not None else fallback.format(menh_de=lower_first(clause))
            if action:
                pieces.append(f"{action}, {tail}" if tail else action)
    return upper_first("; ".join(dict.fromkeys(pieces)))


# ----------------------------------------------------------------------------- causes


def _word_at(folded: str, phrase: str, start: int = 0) -> int:
    m = re.search(rf"(?<![a-z0-9]){re.escape(phrase)}(?![a-z0-9])", folded[start:])
    return start + m.start() if m else -1


def split_cause(text: str, phrases: Phrases) -> tuple[str, str | None]:
    """(the shortcoming, its cause) when the sentence gives one ("… chưa đạt do thói quen…")."""
    folded = _folded(text)
    signs = [str(s) for s in phrases.get("nguyen_nhan.dau_hieu_han_che")]
    not_cause = [str(s) for s in phrases.get("nguyen_nhan.khong_phai_nguyen_nhan")]
    markers = sorted(
        (str(m) for m in phrases.get("nguyen_nhan.mo_dau_nguyen_nhan")), key=len, reverse=True
    )
    best: tuple[int, int] | None = None
    for marker in markers:
        pos = 0
        while (at := _word_at(folded, marker, pos)) >= 0:
            pos = at + 1
            end = at + len(marker)
            if marker in _SINGLE_WORD_MARKERS:
                if text[at:end].lower() != _SINGLE_WORD_MARKERS[marker]:
                    continue
                previous = text[:at].split()[-1:] or [""]
                if previous[0].lower().strip(",;:") in _NOT_AFTER:
                    continue
                before = folded[:at]
                if not any(_word_at(before, s) >= 0 for s in signs):
                    continue
            rest = folded[end:].lstrip(" :,")
            if any(rest.startswith(n) for n in not_cause):
                continue
            if best is None or at < best[0]:
                best = (at, end)
            break
    if best is None:
        return strip_end(text), None
    at, end = best
    tail = text[end:]
    stop = _CLAUSE_END_RE.search(tail)
    cause = strip_end(tail[: stop.start()] if stop else tail).lstrip(" :,")
    head = strip_end(text[:at]).rstrip(" ,;:–-")
    if len(cause) < 6 or not head:
        return strip_end(text), None
    return head, lower_first(cause)


def consequence(sentence: str, phrases: Phrases) -> str | None:
    """The consequence clause of a sentence ("gây khó khăn trong …"), or None."""
    folded = _folded(sentence)
    found = [
        (p, m)
        for m in phrases.get("nguyen_nhan.mo_dau_he_qua")
        if (p := _word_at(folded, str(m))) >= 0
    ]
    if not found:
        return None
    at = min(p for p, _ in found)
    tail = sentence[at:]
    stop = _CLAUSE_END_RE.search(tail)
    clause = strip_end(tail[: stop.start()] if stop else tail)
    return clause if 12 <= len(clause) <= 160 else None


def cause_kind(cause: str, phrases: Phrases, default: CauseKind = "khach_quan") -> CauseKind:
    """Objective (khách quan) or subjective (chủ quan), by counting the listed phrases."""
    folded = " " + " ".join(re.findall(r"[a-z0-9]+", _folded(cause))) + " "
    counts = {
        kind: sum(folded.count(f" {w} ") for w in phrases.get(f"nguyen_nhan.{kind}"))
        for kind in ("khach_quan", "chu_quan")
    }
    if counts["khach_quan"] == counts["chu_quan"]:
        return default
    return "khach_quan" if counts["khach_quan"] > counts["chu_quan"] else "chu_quan"


def is_shortcoming(sentence: str, phrases: Phrases) -> bool:
    """Whether the sentence states a shortcoming (else it reports a result)."""
    folded = " " + " ".join(re.findall(r"[a-z0-9]+", _folded(sentence))) + " "
    return any(f" {w} " in folded for w in phrases.get("nguyen_nhan.dau_hieu_ton_tai"))


def is_request(sentence: str, phrases: Phrases) -> bool:
    """A recommendation to higher levels ("Đề nghị tỉnh …")."""
    folded = _folded(sentence)
    return any(folded.startswith(str(w)) for w in phrases.get("nguyen_nhan.mo_dau_kien_nghi"))
