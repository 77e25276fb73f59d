"""What the Hỏi đáp chat shows for a question and its answer, built from a plain record.

A record (`make_record`) is what the browser keeps: the question, the `Answer` as JSON, how the
question was understood and the titles of the cited documents, so the chat can be shown again
after a reload without the index. Each answer becomes two messages: a collapsible "Nguồn" block
(the cited passages with the figure marked, the others under «Các đoạn gần nhất») and the answer
as plain text with its cited sources by title and commune — what the copy button copies.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from assistant.qa.grounding import source_keys
from assistant.records import Answer
from assistant.text.citations import CITATION_RE, MARK_CLOSE, MARK_OPEN, cited
from assistant.web.common import esc, highlight_passage, provenance

_LEAD_RE = re.compile(r"^(.*?) — theo ")
_QUOTE_RE = re.compile(r"«(.*?)»")
_TAG_START_RE = re.compile(r"<(?=[A-Za-z/!?])")
_UNSUPPORTED_RE = re.compile(re.escape(MARK_OPEN) + r"(.*?)" + re.escape(MARK_CLOSE))


def split_citations(ans: Answer | dict) -> tuple[list[dict], list[dict]]:
    """(sources the answer cites, numbered as in its text; the other passages found)."""
    data = ans.to_json() if isinstance(ans, Answer) else ans
    used = set(cited(data.get("answer", "")))
    cites = sorted(data.get("citations", []), key=lambda c: c["n"])
    return [c for c in cites if c["n"] in used], [c for c in cites if c["n"] not in used]


def source_label(c: dict, titles: dict[str, str]) -> str:
    """"Xã Tân An — Báo cáo tổng kết năm 2025 … — mục 2.2. Kinh tế số": title and commune, not the file."""
    title = " ".join((titles.get(c["doc_id"]) or "").split())
    if len(title) > 90:
        title = title[:88].rstrip() + "…"
    where = f"Xã {c['commune']}" if c.get("commune") else ""
    leaf = c["section"].split(" > ")[-1] if c.get("section") else ""
    parts = [p for p in (where, title or c["source"], f"mục {leaf}" if leaf else "") if p]
    return " — ".join(parts) + provenance(c)  # who uploaded it, for a document not of the bundled corpus


def _cited_lines(answer: str, n: int) -> list[str]:
    return [ln for ln in answer.split("\n") if any(n in cited(m.group(0)) for m in CITATION_RE.finditer(ln))]


def citation_html(c: dict, answer: str, titles: dict[str, str]) -> str:
    """One source as <details>: the passage with the figures the answer uses marked, the quoted
    sentence underlined; commune, document title, section and (as detail) the file name."""
    lines = _cited_lines(answer, c["n"])
    leads = [m.group(1) for ln in lines if (m := _LEAD_RE.match(ln))]
    keys = source_keys(leads or lines)
    quote = next((m.group(1) for ln in lines if (m := _QUOTE_RE.search(ln))), "")
    title = titles.get(c["doc_id"]) or c["source"]
    meta = [f"<b>Xã:</b> {esc(c.get('commune') or '—')}", f"<b>Tài liệu:</b> {esc(title)}",
            f"<b>Mục:</b> {esc(c.get('section') or '(đầu văn bản)')}",
            f"<span class='muted'>Tệp: {esc(c['source'])}</span>"]
    return (f"<details class='cite'><summary>[{c['n']}] {esc(source_label(c, titles))}</summary>"
            f"<div class='cite-meta'>{'<br>'.join(meta)}</div>"
            f"<div class='passage'>{highlight_passage(c['text'], keys, quote)}</div></details>")


def sources_html(record: dict) -> str:
    """The cited passages, then the other passages found (closed)."""
    ans, titles = record["answer"], record.get("titles", {})
    used, rest = split_citations(ans)
    parts = [citation_html(c, ans["answer"], titles) for c in used]
    if rest:
        inner = "".join(citation_html(c, "", titles) for c in rest)
        parts.append(f"<details class='nearby'><summary>Các đoạn gần nhất (không được trích, "
                     f"{len(rest)})</summary>{inner}</details>")
    return "".join(parts)


# ------------------------------------------------------------------ messages
def plain_markdown(text: str) -> str:
    """Report text for a Markdown message: a '<' that could open a tag is written as an entity, and
    a figure no source states (⟦…⟧) is in bold."""
    return _UNSUPPORTED_RE.sub(r"**⟦\1⟧**", _TAG_START_RE.sub("&lt;", text))


def answer_markdown(record: dict) -> str:
    """The answer as the officer copies it: text, warnings, then the cited sources, no HTML."""
    ans, titles = record["answer"], record.get("titles", {})
    out = [plain_markdown(ans["answer"])]
    if ans.get("mode") == "catalog":
        out.append("_Trả lời từ danh mục chỉ tiêu (văn bản chỉ đạo)._")
    out += [f"> ⚠️ {plain_markdown(w)}" for w in ans.get("warnings", [])]
    used, _ = split_citations(ans)
    if used:
        out.append("Nguồn:\n" + "\n".join(f"[{c['n']}] {plain_markdown(source_label(c, titles))}" for c in used))
    return "\n\n".join(out)


def sources_title(record: dict) -> str:
    used, rest = split_citations(record["answer"])
    understood = (record.get("understood_as") or "").strip()
    head = f"Hiểu là: {understood} · " if understood else ""
    if not used and not rest:
        return f"{head}Không có đoạn nguồn"
    if not record["answer"].get("found", True):
        return f"{head}Không tìm thấy điều được hỏi; {len(rest)} đoạn gần nhất — bấm để xem"
    what = f"{len(used)} nguồn được trích" if used else "không trích đoạn nào"
    return f"{head}{what} — bấm để xem đoạn gốc"


def record_messages(record: dict) -> list[dict]:
    """The chat messages of one question and its answer."""
    scope = f" _(chỉ xã {record['commune']})_" if record.get("commune") else ""
    out = [{"role": "user", "content": plain_markdown(record["question"]) + scope}]
    if record["answer"].get("citations") or record.get("understood_as"):
        out.append({"role": "assistant", "content": sources_html(record),
                    "metadata": {"title": sources_title(record), "status": "done"}})
    out.append({"role": "assistant", "content": answer_markdown(record)})
    return out


def answer_html(ans: Answer, titles: dict[str, str] | None = None) -> str:
    """What the chat shows for an answer (its "Nguồn" block, then the answer), as one string."""
    return "\n".join(m["content"] for m in record_messages(make_record("", None, ans, titles or {}))[1:])


def chat_messages(records: list[dict]) -> list[dict]:
    return [m for r in records for m in record_messages(r)]


def make_record(question: str, commune: str | None, ans: Answer, titles: dict[str, str]) -> dict:
    data = ans.to_json()
    ids = {c["doc_id"] for c in data["citations"]}
    return {"question": question, "commune": commune or "", "time": datetime.now().isoformat(timespec="seconds"),
            "answer": data, "understood_as": getattr(ans, "understood_as", "") or "",
            "titles": {d: t for d, t in titles.items() if d in ids}}


def history_markdown(records: list[dict[str, Any]]) -> str:
    out = [f"# Lịch sử hỏi đáp — {datetime.now():%d/%m/%Y %H:%M}", ""]
    for i, r in enumerate(records, start=1):
        a = r["answer"]
        scope = f" (lọc: xã {r['commune']})" if r.get("commune") else ""
        out += [f"## {i}. {r['question']}{scope}", ""]
        if r.get("understood_as"):
            out += [f"_Hiểu là: {r['understood_as']}_", ""]
        out += [a["answer"], ""]
        out += [f"> Cảnh báo: {w}" for w in a.get("warnings", [])]
        used, _ = split_citations(a)
        if used:
            out += ["", "Nguồn:", ""]
            for c in used:
                quote = " ".join(c["text"].split())
                out.append(f"- [{c['n']}] {source_label(c, r.get('titles', {}))} ({c['source']}): “{quote}”")
        if r.get("feedback"):
            out += ["", f"Đánh giá: {r['feedback']}"]
        out.append("")
    return "\n".join(out)


