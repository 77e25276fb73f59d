"""Small helpers shared by the tabs: HTML escaping, figure highlighting, download files."""

from __future__ import annotations

import atexit
import html
import logging
import re
import shutil
import tempfile
import time
from collections.abc import Iterable
from pathlib import Path

from assistant.text.citations import MARK_CLOSE, MARK_OPEN
from assistant.text.vn_numbers import figure_keys, find_numbers

log = logging.getLogger(__name__)

ALL_COMMUNES = "Tất cả các xã"
_UNSUPPORTED_RE = re.compile(re.escape(MARK_OPEN) + r"(.*?)" + re.escape(MARK_CLOSE))


def esc(text: object) -> str:
    """Text for an HTML element's content (quotes stay readable; use `esc_attr` in attributes)."""
    return html.escape(str(text), quote=False)


def esc_attr(text: object) -> str:
    return html.escape(str(text), quote=True)


def provenance(source: object) -> str:
    """" (tải lên bởi lan (Đại Sơn), bản nháp chưa công bố)" for a cited passage, peer or citation
    dict of an uploaded document; "" for the bundled corpus (see `qa.provenance`)."""
    from assistant.qa.provenance import provenance_note
    from assistant.records import Citation

    get = source.get if isinstance(source, dict) else lambda k, d=None: getattr(source, k, d)
    published = get("published", True)
    return provenance_note(Citation(0, "", "", get("commune", "") or "", "", "", owner=get("owner", "") or "",
                                    uploaded_by=get("uploaded_by", "") or "",
                                    published=True if published is None else bool(published)))


def text_html(text: str) -> str:
    """Plain text as HTML: escaped, line breaks kept, ⟦untraceable⟧ figures marked red."""
    out = esc(text)
    out = _UNSUPPORTED_RE.sub(
        lambda m: f'<mark class="unsupported" title="Số liệu không tìm thấy trong nguồn">'
                  f"⟦{m.group(1)}⟧</mark>", out)
    return out.replace("\n", "<br>")




def highlight_passage(passage: str, keys: set[tuple], quote: str = "") -> str:
    """A passage as HTML with every figure whose identity is in `keys` in <mark>, and the
    quoted sentence (when found verbatim) underlined."""
    marks: list[tuple[int, int, str]] = []
    for span in find_numbers(passage):
        if figure_keys(span) & keys:
            marks.append((span.start, span.end, "fig"))
    words = quote.replace("…", " ").split()
    quote_span = None
    if len(words) >= 3:
        m = re.search(r"\s+".join(map(re.escape, words)), passage)
        quote_span = m.span() if m else None
    out: list[str] = []
    pos = 0
    for start, end, _ in sorted(marks):
        if start < pos:
            continue
        out.append(_with_quote(passage, pos, start, quote_span))
        out.append(f"<mark>{esc(passage[start:end])}</mark>")
        pos = end
    out.append(_with_quote(passage, pos, len(passage), quote_span))
    return "".join(out).replace("\n", "<br>")


def _with_quote(text: str, a: int, b: int, quote: tuple[int, int] | None) -> str:
    """Escaped text[a:b], with the part inside the quoted span wrapped in <u>."""
    if quote is None or quote[1] <= a or quote[0] >= b:
        return esc(text[a:b])
    qa, qb = max(a, quote[0]), min(b, quote[1])
    return f"{esc(text[a:qa])}<u>{esc(text[qa:qb])}</u>{esc(text[qb:b])}"


class Downloads:
    """A private temporary folder for files the user downloads (history, drafts)."""

    def __init__(self) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix="assistant-web-"))
        atexit.register(shutil.rmtree, self.dir, ignore_errors=True)

    def path(self, stem: str, suffix: str) -> Path:
        safe = re.sub(r"[^\w.-]+", "_", stem).strip("_") or "tai_ve"
        folder = self.dir / f"{time.time_ns()}"
        folder.mkdir(parents=True, exist_ok=True)
        return folder / f"{safe}{suffix}"


def commune_choices(communes: Iterable[str]) -> list[str]:
    return [ALL_COMMUNES, *sorted(communes)]
