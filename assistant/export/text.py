"""Plain-text and Markdown renderings of a drafted document (the CLI and the web app show these)."""

from __future__ import annotations

from assistant.drafting.document import DraftDocument, citation_line, classify_line
from assistant.export.docx import roman, split_unit


def _place(doc: DraftDocument) -> str:
    unit, name = split_unit(doc.commune)
    return f"{unit} {name}"


def to_text(doc: DraftDocument) -> str:
    """The sections as an officer would paste them, each followed by its sources."""
    out = [f"BẢN THẢO BÁO CÁO CHUYỂN ĐỔI SỐ – {_place(doc).upper()} – NĂM {doc.year}", ""]
    for i, s in enumerate(doc.sections, 1):
        out.append(f"{roman(i)}. {s.title.upper()}")
        out.extend(line for line in s.text.split("\n") if line.strip())
        if s.citations:
            out += ["", "Nguồn trích dẫn:"]
            out.extend(f"[{c.n}] {citation_line(c, max_chars=300)}" for c in s.citations)
        if s.unsupported_numbers:
            out.append("Số liệu chưa đối chiếu được với nguồn: " + ", ".join(s.unsupported_numbers))
        out.append("")
    return "\n".join(out).rstrip() + "\n"


def to_markdown(doc: DraftDocument) -> str:
    """Markdown: sections as ##, numbered parts as ###, pillar sub-headings in bold, lists."""
    out = [f"# Bản thảo báo cáo chuyển đổi số – {_place(doc)} – năm {doc.year}", ""]
    for i, s in enumerate(doc.sections, 1):
        out += [f"## {roman(i)}. {s.title}", ""]
        for line in s.text.split("\n"):
            if not line.strip():
                continue
            kind, content = classify_line(line)
            if kind == "heading":
                out += ["", f"### {content}", ""]
            elif kind == "subheading":
                out += ["", f"**{content}**", ""]
            elif kind == "bullet":
                marker, body = content[0], content[2:]
                out.append(f"    - {body}" if marker == "+" else f"- {body}")
            else:
                out += ["", content, ""]
        if s.citations:
            out += ["", "**Nguồn trích dẫn**", ""]
            out.extend(f"{c.n}. {citation_line(c, max_chars=300)}" for c in s.citations)
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
