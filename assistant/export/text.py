"""Plain-text and Markdown renderings of a drafted document (the CLI and the web app show these).

Both use the document's one citation numbering (`renumber`): "[n]" in any section and entry n
of any sources list are the same passage, as in the .docx annex. Suggestions keep their mark
"(gợi ý – cần xác nhận)"; in Markdown they are also set in italics with a ⚑ so they stand out.
"""

from __future__ import annotations

from assistant.drafting.adapt import split_unit
from assistant.drafting.document import (
    DraftDocument,
    citation_line,
    classify_line,
    is_suggestion,
    renumber,
)
from assistant.export.docx import roman
from assistant.text.citations import cited


def _place(doc: DraftDocument) -> str:
    unit, name = split_unit(doc.commune)
    return f"{unit} {name}"


def _cited_in(text: str, cites: list) -> list:  # noqa: ANN001 - Citation
    wanted = set(cited(text))
    return [c for c in cites if c.n in wanted]


def to_text(doc: DraftDocument) -> str:
    """The sections as an officer would paste them, each followed by its sources."""
    texts, cites = renumber(doc)
    out = [
        f"BẢN THẢO BÁO CÁO CHUYỂN ĐỔI SỐ – {_place(doc).upper()} – {doc.period_label.upper()}",
        "",
    ]
    for i, (s, text) in enumerate(zip(doc.sections, texts, strict=True), 1):
        out.append(f"{roman(i)}. {s.title.upper()}")
        out.extend(line for line in text.split("\n") if line.strip())
        if mine := _cited_in(text, cites):
            out += ["", "Nguồn trích dẫn:"]
            out.extend(f"[{c.n}] {citation_line(c, max_chars=300)}" for c in mine)
        if s.unsupported_numbers:
            out.append("Số liệu chưa đối chiếu được với nguồn: " + ", ".join(s.unsupported_numbers))
        out.append("")
    return "\n".join(out).rstrip() + "\n"


def to_markdown(doc: DraftDocument) -> str:
    """Markdown: sections as ##, numbered parts as ###, pillar sub-headings in bold, lists."""
    texts, cites = renumber(doc)
    out = [f"# Bản thảo báo cáo chuyển đổi số – {_place(doc)} – {doc.period_label}", ""]
    for i, (s, text) in enumerate(zip(doc.sections, texts, strict=True), 1):
        out += [f"## {roman(i)}. {s.title}", ""]
        for line in text.split("\n"):
            if not line.strip():
                continue
            kind, content = classify_line(line)
            if kind == "heading":
                out += ["", f"### {content}", ""]
            elif kind == "subheading":
                out += ["", f"**{content}**", ""]
            elif kind == "bullet":
                marker, body = content[0], content[2:]
                if is_suggestion(body):
                    body = f"⚑ *{body}*"
                out.append(f"    - {body}" if marker == "+" else f"- {body}")
            else:
                out += ["", f"⚑ *{content}*" if is_suggestion(content) else content, ""]
        if mine := _cited_in(text, cites):
            out += ["", "**Nguồn trích dẫn**", ""]
            # "- [n]" rather than "n.": Markdown renumbers an ordered list from its first item
            out.extend(f"- [{c.n}] {citation_line(c, max_chars=300)}" for c in mine)
        if s.unsupported_numbers:
            out += [
                "",
                "> Số liệu chưa đối chiếu được với nguồn: " + ", ".join(s.unsupported_numbers),
            ]
        out.append("")
    if doc.warnings:
        out += ["---", ""] + [f"> Lưu ý: {w}" for w in doc.warnings]
    text = "\n".join(out)
    while "\n\n\n" in text:
        text = text.replace("\n\n\n", "\n\n")
    return text.rstrip() + "\n"
