"""Tab "Soạn thảo": the commune's figures in → the whole report drafted (Kết quả, Tồn tại,
Phương hướng of the next period, Kiến nghị), checked figure by figure, editable, with the
peers' suggestions highlighted to keep or delete, downloadable as .docx and .md. Citation
numbers are the draft's one numbering: the boxes, "Nguồn trích dẫn" and the .docx agree."""

from __future__ import annotations

import logging
import re
import shutil
from importlib import resources
from typing import Any

import gradio as gr
import pandas as pd

from assistant.domain.catalog import Indicator, catalog_at, match_indicator
from assistant.domain.figures import CommuneFigures, FiguresError, figures_from_rows, load_figures
from assistant.domain.sections import DRAFT_SECTION_IDS, DRAFT_TITLES
from assistant.drafting.document import (
    SUGGESTION_MARK,
    DraftDocument,
    citation_line,
    is_suggestion,
    renumber,
    resolve_suggestions,
    suggestion_lines,
)
from assistant.qa.grounding import mark_unsupported, untraceable
from assistant.text.citations import cited, mask_citations
from assistant.text.vn_numbers import figure_keys, find_numbers
from assistant.web.common import Downloads, esc, figure_key_set, text_html
from assistant.web.context import WebContext

log = logging.getLogger(__name__)

IND_HEADERS = ["Chỉ tiêu", "Giá trị", "Mục tiêu của xã (nếu có)", "Ghi chú", "Mục tiêu theo danh mục (tham khảo)"]
FACT_HEADERS = ["Số liệu khác", "Giá trị"]
FORM_HEADER = ["Loại", "Tên chỉ tiêu", "Giá trị", "Mục tiêu", "Ghi chú"]
SECTIONS = DRAFT_SECTION_IDS
DEFAULT_TITLES = DRAFT_TITLES


# ------------------------------------------------------------------ form <-> figures
def catalog_reference(ind: Indicator, year: int) -> str:
    """The national catalog target for `year`, as shown in the reference column ("" if none)."""
    from assistant.drafting import catalog_target

    applied = catalog_target(ind, year, "", percent=ind.unit == "%")
    if applied is None or applied.catalog is None:
        return ""
    t = applied.catalog
    return f"{t.value_raw} — {t.source}, {t.deadline_text}"


def catalog_rows(catalog: list[Indicator], year: int, skip: set[str] = frozenset()) -> list[list[str]]:
    """One row per catalog indicator: name, empty value and target, the catalog's target."""
    return [[ind.name, "", "", "", catalog_reference(ind, year)] for ind in catalog if ind.id not in skip]


def figures_to_form(figs: CommuneFigures, catalog: list[Indicator]) -> tuple:
    """Form values for a loaded figures file; catalog indicators it lacks follow, empty."""
    rows, used = [], set()
    for i in figs.indicators:
        hit = match_indicator(i.name, catalog)
        ref = ""
        if hit:
            used.add(hit[0].id)
            ref = catalog_reference(hit[0], figs.year)
        rows.append([i.name, i.value_raw, i.target_raw, i.note, ref])
    rows += catalog_rows(catalog, figs.year, used)
    facts = [[f.name, f.value_raw] for f in figs.facts] or [["", ""]]
    return (figs.commune, figs.province, figs.year, figs.period, pd.DataFrame(rows, columns=IND_HEADERS),
            pd.DataFrame(facts, columns=FACT_HEADERS), "\n".join(figs.observations))


def _cells(frame: Any) -> list[list[str]]:
    if frame is None:
        return []
    if isinstance(frame, pd.DataFrame):
        values = frame.fillna("").astype(str).values.tolist()
    else:
        values = [[("" if c is None else str(c)) for c in row] for row in (frame.get("data") or [])]
    return [[" ".join(c.split()) for c in row] for row in values]


def form_to_figures(commune: str, province: str, year: Any, period: str, indicators: Any, facts: Any,
                    observations: str) -> CommuneFigures:
    """The form as `CommuneFigures` via `figures_from_rows`; FiguresError names the form row."""
    rows: list[list[str]] = [FORM_HEADER]
    labels: dict[int, str] = {}
    year_text = "" if year in (None, "") else str(int(float(year)))
    for kind, value in (("xã", commune), ("tỉnh", province), ("năm", year_text), ("kỳ báo cáo", period)):
        if value and str(value).strip():
            rows.append([kind, "", str(value).strip(), "", ""])
            labels[len(rows)] = kind
    for name, value, target, note, *_ in (r + [""] * 5 for r in _cells(indicators)):
        if value:
            rows.append(["chỉ tiêu", name, value, target, note])
            labels[len(rows)] = f"chỉ tiêu «{name or '(không tên)'}»"
    for name, value, *_ in (r + [""] * 2 for r in _cells(facts)):
        if name or value:
            rows.append(["số liệu", name, value, "", ""])
            labels[len(rows)] = f"số liệu «{name or '(không tên)'}»"
    for line in (observations or "").splitlines():
        if line.strip(" -•\t"):
            rows.append(["nhận xét", line.strip(" -•\t"), "", "", ""])
    try:
        return figures_from_rows(rows, source="Biểu mẫu")
    except FiguresError as exc:
        def name_row(m: re.Match[str]) -> str:
            return labels.get(int(m.group(1)), m.group(0))

        raise FiguresError([re.sub(r"\bdòng (\d+)", name_row, p) for p in exc.problems]) from exc


def figure_texts(figs: CommuneFigures) -> list[str]:
    out = [figs.commune, figs.province, figs.period, *figs.observations]
    for i in figs.indicators:
        out += [i.name, i.value_raw, i.target_raw, i.note]
    for f in figs.facts:
        out += [f.name, f.value_raw]
    return [s for s in out if s]


# ------------------------------------------------------------------ checking edits
def check_edit(text: str, original: str, unsupported: list[str], sources: list[str], year: int) -> list:
    """Figures of an edited section that no source states: the verifier runs against the
    user's figures, the cited passages and the drafted text (whose figures the verifier already
    traced), and figures it could not trace stay flagged."""
    allowed = [str(year), str(year + 1)]
    spans = {(s.start, s.end): s for s in untraceable(text, [original, *sources], allowed=allowed)}
    bad = figure_key_set(unsupported)
    masked = mask_citations(text)
    for s in find_numbers(masked):
        if figure_keys(s) & bad:
            spans[(s.start, s.end)] = s
    return [spans[k] for k in sorted(spans)]


SUGGESTION_STYLE = "background:#fff3b0"  # the .docx highlights suggestions in the same yellow


def preview_html(text: str) -> str:
    """The section as HTML: ⟦untraceable⟧ figures red, suggestion lines highlighted yellow."""
    out = []
    for line in text_html(text).split("<br>"):
        if SUGGESTION_MARK in line:
            line = (f"<mark class='suggestion' style='{SUGGESTION_STYLE}' "
                    f"title='Gợi ý từ báo cáo của xã khác: giữ lại hoặc xoá'>{line}</mark>")
        out.append(line)
    return "<br>".join(out)


def checked_html(text: str, spans: list, bad_markers: list[str] = ()) -> str:  # noqa: B006
    if not text.strip():
        return ""
    parts = []
    if not spans:
        parts.append("<div class='ok check'>✓ Mọi số liệu trong phần này đều có nguồn (số liệu của xã "
                     "hoặc đoạn trích dẫn).</div>")
    else:
        raws = ", ".join(dict.fromkeys(s.raw for s in spans))
        parts.append(f"<div class='warn check'>⚠️ {len(spans)} số liệu chưa tìm thấy trong số liệu của xã "
                     f"hay đoạn trích dẫn: <b>{esc(raws)}</b> — hãy kiểm tra lại trước khi dùng.</div>")
    if bad_markers:
        parts.append(f"<div class='warn check'>⚠️ Trích dẫn không có trong danh sách nguồn: "
                     f"<b>{esc(', '.join(dict.fromkeys(bad_markers)))}</b>.</div>")
    n_sugg = sum(is_suggestion(line) for line in text.split("\n"))
    if spans or n_sugg:
        what = "Xem vị trí (số liệu chưa có nguồn tô đỏ" + (", gợi ý tô vàng)" if n_sugg else ")")
        parts.append(f"<details open class='cite'><summary>{what}</summary><div class='draft-preview'>"
                     f"{preview_html(mark_unsupported(text, spans))}</div></details>")
    return "".join(parts)


def citations_html(doc: DraftDocument) -> str:
    """The sources in the draft's one numbering: entry n is the passage "[n]" cites."""
    _, cites = renumber(doc)
    if not cites:
        return "<div class='muted'>Bản thảo không trích dẫn đoạn nào của xã khác.</div>"
    items = "".join(f"<li value='{c.n}' data-n='{c.n}'>[{c.n}] {esc(citation_line(c, 400))}</li>"
                    for c in cites)
    return f"<ol class='cite-list'>{items}</ol>"


def suggestion_choices(doc: DraftDocument) -> list[str]:
    """Every suggestion line still in the draft, in report order (the officer ticks those to keep)."""
    return list(dict.fromkeys(line for s in doc.sections for line in suggestion_lines(s.text)))


# ------------------------------------------------------------------ UI
def build(ctx: WebContext, downloads: Downloads) -> dict[str, Any]:
    state = gr.State({})
    year0 = _default_year()
    gr.Markdown("Nhập số liệu của xã (hoặc tải tệp số liệu), bấm **Soạn thảo** để có cả báo cáo: "
                "«Kết quả đạt được», «Tồn tại, hạn chế», «Phương hướng, nhiệm vụ» kỳ tới và «Đề xuất, "
                "kiến nghị». Mọi con số trong bản thảo được đối chiếu với số liệu của xã và đoạn trích "
                "dẫn; số không có nguồn được tô đỏ. Gợi ý lấy từ báo cáo của xã khác được tô vàng, "
                "ghi «(gợi ý – cần xác nhận)».")
    with gr.Row():
        commune = gr.Textbox(label="Xã", placeholder="Ví dụ: Đại Sơn")
        province = gr.Textbox(label="Tỉnh/Thành phố", placeholder="Ví dụ: Hải Phòng")
        year = gr.Number(value=year0, precision=0, label="Năm báo cáo", minimum=2000, maximum=2100)
        period = gr.Textbox(label="Kỳ báo cáo",
                            placeholder="năm 2025 · 6 tháng đầu năm 2025 · quý III/2025")
    with gr.Row():
        upload = gr.File(label="Tải tệp số liệu (YAML/CSV/XLSX) để điền sẵn biểu mẫu",
                         height=130, scale=3)
        gr.DownloadButton("Tải mẫu Excel", value=_template(downloads), scale=1)
    upload_msg = gr.Markdown()
    indicators = gr.Dataframe(pd.DataFrame(catalog_rows(catalog_at(ctx.settings.catalog_path), year0), columns=IND_HEADERS), interactive=True,
                              wrap=True, max_height=420, static_columns=[4], elem_id="draft-indicators",
                              label="Chỉ tiêu (điền cột «Giá trị»; dòng để trống được bỏ qua)",
                              column_widths=["38%", "10%", "12%", "14%", "26%"])
    with gr.Row():
        facts = gr.Dataframe(pd.DataFrame([["", ""]] * 3, columns=FACT_HEADERS), interactive=True, wrap=True,
                             label="Số liệu khác (không có mục tiêu)", scale=3, max_height=300,
                             column_widths=["72%", "28%"])
        observations = gr.Textbox(lines=7, scale=3, label="Nhận xét của xã (mỗi dòng một ý)",
                                  placeholder="Ví dụ: Trụ sở UBND xã còn chật hẹp, thiếu phòng họp trực tuyến.")
    with gr.Row():
        exclude_own = gr.Checkbox(True, label="Không lấy báo cáo đã có của chính xã này làm đoạn mẫu")
        suggest = gr.Checkbox(True, label="Gợi ý nội dung cho các lĩnh vực xã chưa nêu (từ báo cáo của xã khác)")
    go = gr.Button("Soạn thảo", variant="primary")
    notes = gr.Markdown(elem_id="draft-notes")
    boxes, previews = {}, {}
    for sid in SECTIONS:
        boxes[sid] = gr.Textbox(label=DEFAULT_TITLES[sid], lines=10, max_lines=30, interactive=True,
                                buttons=["copy"], elem_id=f"draft-{sid}")
        previews[sid] = gr.HTML()
    with gr.Accordion("Nguồn trích dẫn", open=False):
        cites = gr.HTML()
    with gr.Group():
        picks = gr.CheckboxGroup([], value=[], label="Gợi ý (tô vàng): đánh dấu những gợi ý giữ lại",
                                 elem_id="draft-suggestions")
        apply_picks = gr.Button("Giữ gợi ý đã chọn, xoá các gợi ý còn lại")
    with gr.Row():
        recheck = gr.Button("Kiểm tra lại số liệu sau khi sửa")
        to_docx = gr.Button("Tải .docx", variant="primary")
        to_md = gr.Button("Tải .md")
    out_file = gr.File(label="Tệp bản thảo", interactive=False, visible=False)

    def on_upload(path: str | None) -> tuple:
        if not path:
            return (gr.skip(),) * 7 + ("",)
        try:
            figs = load_figures(path)
        except FiguresError as exc:
            return (gr.skip(),) * 7 + ("\n\n".join(f"❌ {esc(p)}" for p in exc.problems),)
        return (*figures_to_form(figs, catalog_at(ctx.settings.catalog_path)), f"✅ Đã điền biểu mẫu từ tệp: {len(figs.indicators)} chỉ tiêu, "
                                        f"{len(figs.facts)} số liệu, {len(figs.observations)} nhận xét.")

    def do_draft(c, p, y, per, inds, fcts, obs, excl, sugg, request: gr.Request,  # noqa: ANN001
                 progress=gr.Progress()) -> tuple:  # noqa: B008
        from assistant.drafting import TemplateError, draft_report

        try:
            figs = form_to_figures(c, p, y, per, inds, fcts, obs)
        except FiguresError as exc:
            raise gr.Error("Biểu mẫu chưa dùng được:\n" + "\n".join(exc.problems), title="Lỗi", print_exception=False) from exc
        if not figs.indicators and not figs.observations:
            raise gr.Error("Hãy điền giá trị cho ít nhất một chỉ tiêu, hoặc viết nhận xét.", title="Lỗi", print_exception=False)
        progress(0.2, desc="Đang đối chiếu chỉ tiêu và tìm đoạn mẫu của các xã khác")
        with ctx.reading(ctx.viewer(request)) as loaded:  # peers' text only from what the user may read
            try:
                draft = draft_report(loaded.assistant, figs, retriever=loaded.retriever,
                                     exclude_communes=[figs.commune] if excl else [],
                                     suggestions=bool(sugg))
            except TemplateError as exc:
                raise gr.Error(f"Tệp mẫu câu bị lỗi: {exc}", title="Lỗi", print_exception=False) from exc
        progress(0.9, desc="Đang kiểm tra số liệu")
        st = {"draft": draft.to_json(), "sources": figure_texts(figs),
              "section_sources": {k: list(v) for k, v in getattr(draft, "sources", {}).items()},
              "original": {s.id: s.text for s in draft.sections}}
        choices = suggestion_choices(draft)
        return (st, _notes(draft), *_section_outputs(draft, st), citations_html(draft),
                gr.CheckboxGroup(choices=choices, value=choices))

    def do_recheck(st: dict, *texts: str) -> tuple:
        if not st:
            raise gr.Error("Chưa có bản thảo. Hãy bấm «Soạn thảo» trước.", title="Lỗi", print_exception=False)
        doc = _edited(st, texts)
        return (*(_checked(st, doc, s) for s in _by_id(doc)), citations_html(doc))

    def do_apply(st: dict, keep: list[str], *texts: str) -> tuple:
        if not st:
            raise gr.Error("Chưa có bản thảo. Hãy bấm «Soạn thảo» trước.", title="Lỗi", print_exception=False)
        doc = _edited(st, texts)
        for s in doc.sections:
            s.text = resolve_suggestions(s.text, set(keep or []))
        doc = _edited(st, tuple(_text_of(doc, sid) for sid in SECTIONS))
        left = suggestion_choices(doc)
        return (*(x for s in _all(doc) for x in (gr.Textbox(value=s.text) if s else gr.skip(),
                                                 _checked(st, doc, s) if s else "")),
                citations_html(doc), gr.CheckboxGroup(choices=left, value=left))

    def do_export(st: dict, fmt: str, *texts: str) -> Any:
        if not st:
            raise gr.Error("Chưa có bản thảo. Hãy bấm «Soạn thảo» trước.", title="Lỗi", print_exception=False)
        doc = _edited(st, texts)
        path = downloads.path(f"du_thao_cds_{doc.commune}_{doc.year}", fmt)
        if fmt == ".docx":
            from assistant.export.docx import export_docx

            export_docx(doc, path)
        else:
            from assistant.export.text import to_markdown

            path.write_text(to_markdown(doc), encoding="utf-8")
        return gr.File(value=str(path), visible=True)

    form = [commune, province, year, period, indicators, facts, observations]
    upload.change(on_upload, upload, [*form, upload_msg], api_name="nap_so_lieu")
    section_outs = [x for sid in SECTIONS for x in (boxes[sid], previews[sid])]
    go.click(do_draft, [*form, exclude_own, suggest], [state, notes, *section_outs, cites, picks],
             api_name="soan_thao")
    texts_in = [boxes[sid] for sid in SECTIONS]
    recheck.click(do_recheck, [state, *texts_in], [*(previews[sid] for sid in SECTIONS), cites],
                  api_name="kiem_tra")
    apply_picks.click(do_apply, [state, picks, *texts_in], [*section_outs, cites, picks],
                      api_name="ap_dung_goi_y")
    to_docx.click(lambda st, *t: do_export(st, ".docx", *t), [state, *texts_in], out_file, api_name="tai_docx")
    to_md.click(lambda st, *t: do_export(st, ".md", *t), [state, *texts_in], out_file, api_name="tai_md")
    return {}


def _default_year() -> int:
    from datetime import date

    return date.today().year if date.today().month >= 10 else date.today().year - 1


def _template(downloads: Downloads) -> str | None:
    """A copy of the bundled Excel template in the download folder (Gradio serves only from there)."""
    try:
        src = resources.files("assistant") / "data" / "figures_template.xlsx"
        dest = downloads.path("mau_so_lieu_cds", ".xlsx")
        with resources.as_file(src) as p:
            shutil.copyfile(p, dest)
        return str(dest)
    except (OSError, FileNotFoundError):
        log.warning("figures template not found")
        return None


def _notes(draft: DraftDocument) -> str:
    lines = [f"**Bản thảo cho xã {esc(draft.commune)}, {esc(draft.period_label)}** (phương hướng cho "
             f"{esc(draft.next_period_label)}). Có thể sửa trực tiếp trong các ô dưới đây, rồi bấm "
             "«Kiểm tra lại số liệu» và tải về."]
    lines += [f"⚠️ {esc(w)}" for w in draft.warnings]
    return "\n\n".join(lines)


def _by_id(doc: DraftDocument) -> list:
    sections = {s.id: s for s in doc.sections}
    return [sections[sid] for sid in SECTIONS if sid in sections]


def _all(doc: DraftDocument) -> list:
    """One entry per box (None for a section the draft does not have)."""
    sections = {s.id: s for s in doc.sections}
    return [sections.get(sid) for sid in SECTIONS]


def _text_of(doc: DraftDocument, sid: str) -> str | None:
    s = next((x for x in doc.sections if x.id == sid), None)
    return s.text if s is not None else None


def _checked(st: dict, doc: DraftDocument, s) -> str:  # noqa: ANN001 - a DraftSection
    """The check of an edited section: figures without a source, markers citing nothing."""
    known = {c.n for x in doc.sections for c in x.citations}
    bad = [f"[{n}]" for n in cited(s.text) if n not in known]
    return checked_html(s.text, _spans(st, s.id, s.text), bad)


def _spans(st: dict, sid: str, text: str) -> list:
    sec = next(s for s in st["draft"]["sections"] if s["id"] == sid)
    cited = [c["text"] for c in sec.get("citations", [])]
    sources = [*st["sources"], *st.get("section_sources", {}).get(sid, []), *cited]
    return check_edit(text, st["original"].get(sid, ""), sec.get("unsupported_numbers", []),
                      sources, int(st["draft"]["year"]))


def _section_outputs(draft: DraftDocument, st: dict) -> list:
    out: list = []
    sections = {s.id: s for s in draft.sections}
    for sid in SECTIONS:
        s = sections.get(sid)
        if s is None:
            out += [gr.Textbox(value=""), ""]
            continue
        out += [gr.Textbox(value=s.text, label=s.title), _checked(st, draft, s)]
    return out


def _edited(st: dict, texts: tuple[str, ...]) -> DraftDocument:
    """The drafted document with the user's edits and their figures checked again."""
    doc = DraftDocument.from_json(st["draft"])
    edits = dict(zip(SECTIONS, texts, strict=False))
    for s in doc.sections:
        if s.id in edits and edits[s.id] is not None:
            s.text = edits[s.id]
        s.unsupported_numbers = list(dict.fromkeys(x.raw for x in _spans(st, s.id, s.text)))
    return doc
