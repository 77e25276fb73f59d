"""Where an answer's figures come from: a figure whose only source is an unpublished draft, or
an upload made by an account of another commune than the one the document is about, is named in
a warning (the interfaces show who uploaded each cited document from its citation)."""

from __future__ import annotations

from assistant.index.access import PROVINCE, same_commune
from assistant.qa.grounding import source_keys
from assistant.records import Answer, Citation
from assistant.text.citations import mask_citations
from assistant.text.vn_numbers import figure_keys, find_numbers


def doubt(c: Citation) -> str:
    """Why a cited document is not vetted ("" when it is): an unpublished draft, or another
    commune's upload about this commune."""
    if not c.published:
        return f"bản nháp chưa công bố của {c.owner or c.uploaded_by or 'một tài khoản'}"
    if c.uploaded and c.owner and c.owner != PROVINCE and c.commune and not same_commune(c.owner, c.commune):
        return f"tài liệu về xã {c.commune} do tài khoản của {c.owner} tải lên"
    return ""


def provenance_note(c: Citation) -> str:
    """" (tải lên bởi lan của Đại Sơn, bản nháp)" for an uploaded source; "" for the bundled corpus."""
    if not c.uploaded:
        return ""
    who = c.uploaded_by or c.owner
    group = "cán bộ tỉnh" if c.owner == PROVINCE else c.owner
    by = f"{who} ({group})" if group and group != who else who
    return f" (tải lên bởi {by}{'' if c.published else ', bản nháp chưa công bố'})"


def provenance_warnings(answer: Answer) -> list[str]:
    """One warning per doubtful source, naming the figures of the answer that only it states."""
    doubts = {c.n: doubt(c) for c in answer.citations}
    if not any(doubts.values()):
        return []
    keys = {c.n: source_keys([c.text]) for c in answer.citations}
    only: dict[int, list[str]] = {}
    for span in find_numbers(mask_citations(answer.answer)):
        fk = figure_keys(span)
        stating = [n for n, k in keys.items() if fk & k]
        if stating and all(doubts[n] for n in stating):
            only.setdefault(stating[0], [])
            if span.raw.strip() not in only[stating[0]]:
                only[stating[0]].append(span.raw.strip())
    by_n = {c.n: c for c in answer.citations}
    return [f"Số liệu {', '.join(figs)} chỉ có trong {doubts[n]} ([{n}] {by_n[n].source}); "
            "hãy kiểm tra trước khi dùng." for n, figs in only.items()]
