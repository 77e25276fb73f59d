"""Tab "So sánh": a commune's section (or a pasted draft) next to other communes' passages,
and the indicator table across communes with a bar chart per indicator."""

from __future__ import annotations

import logging
from collections import Counter
from typing import Any

import gradio as gr
import pandas as pd

from assistant.compare.peers import COMPARE_KINDS, Comparison, PeerComparer, UnknownCommune
from assistant.domain.catalog import catalog_at, indicator_by_id
from assistant.domain.figures import FiguresError, load_figures
from assistant.domain.sections import section_label
from assistant.index.access import Viewer
from assistant.indicators.table import IndicatorTable, build_table
from assistant.text.vn_numbers import format_vn
from assistant.web.charts import bar_chart_svg
from assistant.web.common import esc
from assistant.web.context import Loaded, WebContext

log = logging.getLogger(__name__)

SECTION_CHOICES = [("Tất cả các phần", "all"), *((section_label(k), k) for k in COMPARE_KINDS)]
PASTE = "(Dán dự thảo bên dưới)"
_NO_SPACE_BEFORE = set(".,;:!?)”%…")


# ------------------------------------------------------------------ peer comparison
def _comparer(loaded: Loaded) -> PeerComparer:
    return loaded.engine("comparer", lambda L: PeerComparer(L.retriever))


def diff_html(diff: list[dict[str, str]], side: str) -> str:
    """One side of a word diff as HTML: words only this side has are highlighted."""
    out = ""
    for d in diff:
        text = d["a"] if d["op"] == "equal" or side == "a" else d["b"]
        if not text:
            continue
        if d["op"] != "equal":
            cls = "own-only" if side == "a" else "peer-only"
            piece = f"<span class='{cls}'>{esc(text)}</span>"
        else:
            piece = esc(text)
        glue = "" if not out or text[0] in _NO_SPACE_BEFORE or out.endswith(("(", "“")) else " "
        out += glue + piece
    return out


def comparison_html(cmp: Comparison) -> str:
    """Every paragraph next to its closest peer passages, then the pillars peers cover."""
    if not cmp.items and not cmp.missing_pillars:
        return "<div class='muted'>Không có đoạn nào để so sánh.</div>" + "".join(
            f"<div class='warn'>⚠️ {esc(w)}</div>" for w in cmp.warnings)
    who = f"xã {esc(cmp.commune)}" if cmp.commune else "dự thảo"
    parts = [f"<div class='muted'>So sánh {who} · {len(cmp.items)} đoạn · độ giống: {esc(cmp.similarity)}. "
             "<span class='own-only'>Vàng</span>: chỉ đoạn của bạn có; "
             "<span class='peer-only'>xanh</span>: chỉ xã khác có.</div>"]
    parts += [f"<div class='warn'>⚠️ {esc(w)}</div>" for w in cmp.warnings]
    for i, item in enumerate(cmp.items, start=1):
        best = item.peers[0] if item.peers else None
        own = diff_html(best.diff, "a") if best else esc(item.text)
        pillar = f" · {esc(item.to_json()['pillar_label'])}" if item.pillar else ""
        leaf = esc(item.section.split(" > ")[-1]) if item.section else ""
        peers = "".join(
            f"<div class='peer'><div class='peer-head'>Xã {esc(p.commune)} · giống {p.similarity:.2f}"
            f"<span class='muted'> · {esc(p.section.split(' > ')[-1])}</span></div>"
            f"<div>{diff_html(p.diff, 'b')}</div></div>" for p in item.peers) or \
            "<div class='muted'>Không tìm thấy đoạn tương tự ở xã khác.</div>"
        parts.append(f"<div class='cmp-row'><div class='own'><div class='peer-head'>Đoạn {i}{pillar}"
                     f"<span class='muted'> · {leaf}</span></div><div>{own}</div></div>"
                     f"<div class='peers'>{peers}</div></div>")
    if cmp.missing_pillars:
        parts.append("<h4>Nội dung các xã khác có viết mà phần này chưa nhắc tới</h4>")
        for m in cmp.missing_pillars:
            ex = "".join(f"<li><b>Xã {esc(p.commune)}</b>: {esc(p.text)}</li>" for p in m.examples)
            parts.append(f"<details class='cite'><summary>{esc(m.to_json()['label'])} "
                         f"({esc(section_label(m.section_kind))})</summary><ul>{ex}</ul></details>")
    return "".join(parts)


def run_compare(ctx: WebContext, commune: str | None, section: str, draft: str, k: int,
                viewer: Viewer | None = None) -> Comparison:
    with ctx.reading(viewer) as loaded:
        comparer = _comparer(loaded)
        if draft and draft.strip():
            name = commune if commune and commune != PASTE else None
            return comparer.compare_text(draft, section, k=k, commune=name)
        if not commune or commune == PASTE:
            raise gr.Error("Hãy chọn một xã, hoặc dán dự thảo cần so sánh.", title="Lỗi", print_exception=False)
        return comparer.compare_commune(commune, section, k=k)


# ------------------------------------------------------------------ indicator table
def indicator_table(ctx: WebContext, figures_path: str | None = None,
                    viewer: Viewer | None = None) -> tuple[IndicatorTable, list[str]]:
    """The table over the reports `viewer` may read (cached), plus a column for an uploaded figures file."""
    notes: list[str] = []
    with ctx.reading(viewer) as loaded:
        if not figures_path:
            return loaded.engine("indicator_table", lambda L: build_table(L.retriever.chunks, catalog=catalog_at(ctx.settings.catalog_path))), notes
        try:
            figs = [load_figures(figures_path)]
        except FiguresError as exc:
            notes = list(exc.problems)
            figs = []
        return build_table(loaded.retriever.chunks, figures=figs, catalog=catalog_at(ctx.settings.catalog_path)), notes


def _report_year(ctx: WebContext) -> int:
    with ctx.reading(ctx.viewer(None)) as loaded:
        years = Counter(c.year for c in loaded.retriever.chunks if c.kind == "report" and c.year)
    return years.most_common(1)[0][0] if years else 2025


def target_of(catalog: list, indicator_id: str, year: int, percent: bool) -> tuple[float | None, str]:
    """The national catalog target of an indicator for `year` (value, label) if it has one."""
    from assistant.drafting import catalog_target

    ind = indicator_by_id(catalog, indicator_id)
    if ind is None:
        return None, ""
    applied = catalog_target(ind, year, "", percent=percent)
    if applied is None:
        return None, ""
    src = f" ({applied.source})" if applied.source else ""
    return applied.target.value, f"Mục tiêu {applied.target.raw}{src}"


def table_frame(table: IndicatorTable) -> pd.DataFrame:
    """Indicators × communes with numeric values (sortable), only indicators someone reports."""
    rows = []
    for r in table.rows:
        if not r.cells:
            continue
        row: dict[str, Any] = {"Chỉ tiêu": r.name, "Đơn vị": r.unit}
        for c in table.communes:
            cell = r.cells.get(c)
            row[c] = cell.first.value if cell else None
        rows.append(row)
    return pd.DataFrame(rows, columns=["Chỉ tiêu", "Đơn vị", *table.communes])


def indicator_choices(table: IndicatorTable) -> list[tuple[str, str]]:
    return [(f"{r.name} ({len(r.cells)} xã)", r.id) for r in table.rows if r.cells]


def indicator_detail(table: IndicatorTable, indicator_id: str, year: int,
                     catalog: list) -> tuple[str, pd.DataFrame]:
    """Bar chart with the target line, and per commune the figure with the sentence it came from."""
    row = next((r for r in table.rows if r.id == indicator_id), None)
    cols = ["Xã", "Số liệu", "Câu nguồn", "Tài liệu"]
    if row is None or not row.cells:
        return bar_chart_svg("", []), pd.DataFrame([], columns=cols)
    percent = row.unit == "%"
    target, label = target_of(catalog, row.id, year, percent)
    bars, details = [], []
    for c in table.communes:
        cell = row.cells.get(c)
        if cell is None:
            continue
        m = cell.first
        shown = m.raw if not percent or "%" in m.raw else f"{m.raw}%"
        bars.append((c, m.value, shown))
        others = "".join(f" · khác: {o.raw}" for o in cell.others)
        details.append([c, m.raw + others, m.sentence, f"{m.source} — {m.section.split(' > ')[-1]}"])
    if target is not None and not label:
        label = f"Mục tiêu {format_vn(target, percent)}"
    return bar_chart_svg(row.name, bars, target=target, target_label=label, percent=percent), \
        pd.DataFrame(details, columns=cols)


# ------------------------------------------------------------------ UI
def _report_communes(ctx: WebContext, viewer: Viewer | None) -> list[str]:
    with ctx.reading(viewer) as loaded:
        return _comparer(loaded).report_communes


def build(ctx: WebContext) -> dict[str, Any]:
    public = ctx.viewer(None)  # what the page shows before it knows who is logged in
    communes = _report_communes(ctx, public)
    gr.Markdown("### So sánh với các xã khác")
    with gr.Row():
        commune = gr.Dropdown([*communes, PASTE], value=communes[0] if communes else PASTE, label="Xã",
                              scale=2)
        section = gr.Dropdown(SECTION_CHOICES, value="ton_tai", label="Phần báo cáo", scale=2)
        k = gr.Slider(1, 5, value=2, step=1, label="Số đoạn của xã khác cho mỗi đoạn", scale=2)
        go = gr.Button("So sánh", variant="primary", scale=1)
    with gr.Accordion("Hoặc dán dự thảo của bạn (để trống nếu so sánh báo cáo đã có của xã)", open=False):
        draft = gr.Textbox(lines=6, show_label=False,
                           placeholder="Dán phần «Tồn tại, hạn chế» hoặc «Phương hướng» của dự thảo vào đây…")
    result = gr.HTML(elem_id="compare-result")

    def do_compare(commune_name: str, section_key: str, draft_text: str, n: float, request: gr.Request,
                   progress=gr.Progress()) -> str:  # noqa: B008
        progress(0.1, desc="Đang tìm các đoạn tương tự ở xã khác")
        try:
            cmp = run_compare(ctx, commune_name, section_key or "all", draft_text or "", int(n),
                              ctx.viewer(request))
        except UnknownCommune as exc:
            raise gr.Error(str(exc), title="Lỗi", print_exception=False) from exc
        return comparison_html(cmp)

    go.click(do_compare, [commune, section, draft, k], result, api_name="so_sanh")

    gr.Markdown("### Bảng chỉ tiêu giữa các xã", elem_id="indicators-head")
    gr.Markdown("<span class='muted'>Số liệu đọc từ phần kết quả trong báo cáo của từng xã; ô trống là "
                "báo cáo không nêu rõ. Bấm tiêu đề cột để sắp xếp.</span>")
    table, _ = indicator_table(ctx, viewer=public)
    year = _report_year(ctx)
    with gr.Row():
        figures_file = gr.File(label="Thêm cột từ tệp số liệu của xã (YAML/CSV/XLSX, tuỳ chọn)",
                               height=130, scale=2)
        notes = gr.Markdown()
    frame = gr.Dataframe(table_frame(table), interactive=False, wrap=True, max_height=300,
                         label="Chỉ tiêu × xã", elem_id="indicator-table")
    choices = indicator_choices(table)
    first_chart, first_detail = indicator_detail(table, choices[0][1], year, catalog_at(ctx.settings.catalog_path)) if choices else ("", None)
    with gr.Row(equal_height=False):
        with gr.Column(scale=5):
            indicator = gr.Dropdown(choices, value=choices[0][1] if choices else None, label="Chỉ tiêu",
                                    elem_id="indicator-pick")
            chart = gr.HTML(first_chart, elem_id="indicator-chart")
        with gr.Column(scale=6):
            detail = gr.Dataframe(first_detail, interactive=False, wrap=True, label="Nguồn của từng số liệu",
                                  max_height=420, column_widths=["16%", "18%", "46%", "20%"])

    def on_figures(path: str | None, chosen: str | None, request: gr.Request) -> tuple:
        return _table_outputs(path, chosen, ctx.viewer(request))

    def _table_outputs(path: str | None, chosen: str | None, viewer: Viewer) -> tuple:
        tab, problems = indicator_table(ctx, path, viewer)
        msg = "\n\n".join(f"❌ {esc(p)}" for p in problems)
        opts = indicator_choices(tab)
        ids = [v for _, v in opts]
        chosen = chosen if chosen in ids else (ids[0] if ids else None)
        svg, det = indicator_detail(tab, chosen, year, catalog_at(ctx.settings.catalog_path)) if chosen else ("", None)
        return msg, table_frame(tab), gr.Dropdown(choices=opts, value=chosen), svg, det

    def on_indicator(path: str | None, chosen: str | None, request: gr.Request) -> tuple:
        tab, _ = indicator_table(ctx, path, ctx.viewer(request))
        return indicator_detail(tab, chosen, year, catalog_at(ctx.settings.catalog_path)) if chosen else ("", None)

    figures_file.change(on_figures, [figures_file, indicator], [notes, frame, indicator, chart, detail],
                        api_name="bang_chi_tieu")
    indicator.change(on_indicator, [figures_file, indicator], [chart, detail], api_name="bieu_do_chi_tieu")

    def refresh(current: str | None, path: str | None, chosen: str | None, viewer: Viewer) -> Any:
        names = [*_report_communes(ctx, viewer), PASTE]
        dropdown = gr.Dropdown(choices=names, value=current if current in names else names[0])
        if viewer == public:
            return dropdown, gr.skip(), gr.skip(), gr.skip(), gr.skip(), gr.skip()
        return dropdown, *_table_outputs(path, chosen, viewer)  # the viewer's own drafts join the table

    return {"refresh": refresh, "inputs": [commune, figures_file, indicator],
            "outputs": [commune, notes, frame, indicator, chart, detail]}
