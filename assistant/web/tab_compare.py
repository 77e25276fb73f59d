"""Tab "So sánh": a commune's section (or a pasted draft) next to other communes' passages,
and the indicator table across communes with a bar chart per indicator."""

from __future__ import annotations

import logging
from collections import Counter
from typing import Any

import gradio as gr
import pandas as pd

from assistant.compare.peers import (
    COMPARE_KINDS,
    LEVEL_LABELS,
    Comparison,
    Peer,
    PeerComparer,
    UnknownCommune,
    diff_segments,
)
from assistant.compare.similarity import TextVectors
from assistant.domain.catalog import catalog_at, indicator_by_id
from assistant.domain.figures import FiguresError, load_figures
from assistant.domain.sections import section_label
from assistant.index.access import Viewer
from assistant.indicators.table import IndicatorTable, build_table
from assistant.text.vn_numbers import find_numbers, format_vn
from assistant.web.charts import bar_chart_svg
from assistant.web.common import esc, esc_attr, provenance
from assistant.web.context import IndexUnavailable, Loaded, WebContext

log = logging.getLogger(__name__)

SECTION_CHOICES = [("Tất cả các phần", "all"), *((section_label(k), k) for k in COMPARE_KINDS)]
PASTE = "(Dán dự thảo bên dưới)"
LEVEL_CLASSES = {"rat_gan": "very", "gan": "close", "khac": "far"}


# ------------------------------------------------------------------ peer comparison
def _comparer(ctx: WebContext, loaded: Loaded) -> PeerComparer:
    """The comparer over this index (built once); paragraph vectors are kept across reloads."""
    vectors = ctx.kept.setdefault("text_vectors", TextVectors())
    return loaded.engine("comparer", lambda L: PeerComparer(L.retriever, text_vectors=vectors))


def diff_html(diff: list[dict[str, str]], side: str, text: str) -> str:
    """`text` (one side of a word diff) as HTML, exactly as written: the words only this side
    has are highlighted."""
    cls = "own-only" if side == "a" else "peer-only"
    return "".join(f"<span class='{cls}'>{esc(piece)}</span>" if changed else esc(piece)
                   for piece, changed in diff_segments(diff, text, side))


def level_html(p: Peer) -> str:
    """The calibrated closeness of a peer passage; the cosine and its rank on hover."""
    label = LEVEL_LABELS.get(p.level, p.level)
    hover = (f"Gần về nghĩa {format_vn(round(p.similarity, 3))}, trùng từ ngữ {format_vn(round(p.words, 2))}: "
             f"gần hơn {format_vn(round(p.percentile * 100))}% các cặp đoạn gần nhất giữa các xã (cùng phần)")
    return f"<span class='level level-{LEVEL_CLASSES.get(p.level, 'far')}' title='{esc_attr(hover)}'>{esc(label)}</span>"


def comparison_html(cmp: Comparison) -> str:
    """Every paragraph next to its closest peer passages, then the pillars peers cover."""
    if not cmp.items and not cmp.missing_pillars:
        return "<div class='muted'>Không có đoạn nào để so sánh.</div>" + "".join(
            f"<div class='warn'>⚠️ {esc(w)}</div>" for w in cmp.warnings)
    who = f"xã {esc(cmp.commune)}" if cmp.commune else "dự thảo"
    how = ("theo nghĩa (mô hình nhúng trên máy) và theo từ ngữ" if cmp.similarity.startswith("dense")
           else "theo từ ngữ")
    parts = [f"<div class='muted'>So sánh {who} · {len(cmp.items)} đoạn · độ gần tính {how}: "
             f"<span class='level level-very'>{LEVEL_LABELS['rat_gan']}</span>, "
             f"<span class='level level-close'>{LEVEL_LABELS['gan']}</span> hay "
             f"<span class='level level-far'>{LEVEL_LABELS['khac']}</span> so với đoạn gần nhất thường gặp "
             "giữa các xã (di chuột lên mức để xem điểm). "
             "<span class='own-only'>Vàng</span>: chỉ đoạn của bạn có; "
             "<span class='peer-only'>xanh</span>: chỉ xã khác có.</div>"]
    parts += [f"<div class='warn'>⚠️ {esc(w)}</div>" for w in cmp.warnings]
    for i, item in enumerate(cmp.items, start=1):
        best = item.peers[0] if item.peers else None
        own = diff_html(best.diff, "a", item.text) if best else esc(item.text)
        pillar = f" · {esc(item.to_json()['pillar_label'])}" if item.pillar else ""
        # a pasted draft's paragraph has no heading: its part of the report by name, not its key
        named = section_label(item.section) if item.section == item.section_kind else item.section
        leaf = esc(named.split(" > ")[-1]) if named else ""
        peers = "".join(
            f"<div class='peer'><div class='peer-head'>Xã {esc(p.commune)}{esc(provenance(p))} {level_html(p)}"
            f"<span class='muted'> · {esc(p.section.split(' > ')[-1])}</span></div>"
            f"<div class='peer-text'>{diff_html(p.diff, 'b', p.text)}</div></div>" for p in item.peers) or \
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
        comparer = _comparer(ctx, loaded)
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
    catalog = catalog_at(ctx.settings.catalog_path)
    with ctx.reading(viewer) as loaded:
        if not figures_path:
            return loaded.engine("indicator_table", lambda L: build_table(L.retriever.chunks, catalog=catalog)), notes
        try:
            figs = [load_figures(figures_path)]
        except FiguresError as exc:
            notes = list(exc.problems)
            figs = []
        return build_table(loaded.retriever.chunks, figures=figs, catalog=catalog), notes


def _report_year(ctx: WebContext) -> int:
    def year(loaded: Loaded) -> int:
        years = Counter(c.year for c in loaded.retriever.chunks if c.kind == "report" and c.year)
        return years.most_common(1)[0][0] if years else 2025

    return ctx.if_ready(year, 2025, ctx.viewer(None))


def _doc_titles(ctx: WebContext, viewer: Viewer | None) -> dict[str, str]:
    return ctx.if_ready(lambda L: L.engine("titles", lambda x: {c.doc_id: c.title for c in x.retriever.chunks}),
                        {}, viewer)


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


def vn_figure(m: Any, percent: bool) -> str:
    """A figure as the page writes it, the Vietnamese way ("71,2%", "1.429", "trên 85%"),
    with the words before it in the report ("trên", "khoảng") kept."""
    raw = m.raw.strip()
    spans = find_numbers(raw)
    if not spans or "/" in raw:
        return raw  # a ratio or a date: as written
    last = spans[-1]
    pct = percent or "%" in raw[last.start:]
    return f"{raw[:last.start]}{format_vn(m.value, pct)}"


def table_frame(table: IndicatorTable) -> Any:
    """Indicators × communes with numeric values (sortable) written the Vietnamese way, only
    indicators someone reports (a pandas Styler: the numbers sort, the page shows "71,2%")."""
    rows = []
    for r in table.rows:
        if not r.cells:
            continue
        row: dict[str, Any] = {"Chỉ tiêu": r.name, "Đơn vị": r.unit}
        for c in table.communes:
            cell = r.cells.get(c)
            row[c] = cell.first.value if cell else None
        rows.append(row)
    frame = pd.DataFrame(rows, columns=["Chỉ tiêu", "Đơn vị", *table.communes])
    styler = frame.style
    if not len(frame) or not table.communes:
        return styler
    percent = frame["Đơn vị"] == "%"
    for rows_of, pct in ((percent, True), (~percent, False)):
        if rows_of.any():
            styler = styler.format(lambda v, pct=pct: "" if pd.isna(v) else format_vn(v, pct),
                                   subset=pd.IndexSlice[frame.index[rows_of], list(table.communes)])
    return styler


def indicator_choices(table: IndicatorTable) -> list[tuple[str, str]]:
    return [(f"{r.name} ({len(r.cells)} xã)", r.id) for r in table.rows if r.cells]


def indicator_detail(table: IndicatorTable, indicator_id: str, year: int, catalog: list,
                     titles: dict[str, str] | None = None) -> tuple[str, pd.DataFrame]:
    """Bar chart with the target line, and per commune the figure with the sentence it came from
    (the document named by its title; the file name only when it has none)."""
    titles = titles or {}
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
        shown = vn_figure(m, percent)
        bars.append((c, m.value, shown))
        others = "".join(f" · khác: {vn_figure(o, percent)}" for o in cell.others)
        doc = titles.get(m.doc_id) or m.source
        details.append([c, shown + others, m.sentence, f"{doc} — {m.section.split(' > ')[-1]}"])
    if target is not None and not label:
        label = f"Mục tiêu {format_vn(target, percent)}"
    return bar_chart_svg(row.name, bars, target=target, target_label=label, percent=percent), \
        pd.DataFrame(details, columns=cols)


# ------------------------------------------------------------------ UI
def _report_communes(ctx: WebContext, viewer: Viewer | None) -> list[str]:
    return ctx.if_ready(lambda L: _comparer(ctx, L).report_communes, [], viewer)


def build(ctx: WebContext) -> dict[str, Any]:
    public = ctx.viewer(None)  # what the page shows before it knows who is logged in
    built_ready = ctx.ready  # built before the first index was ready: every page fills in on load
    communes = _report_communes(ctx, public)
    catalog = catalog_at(ctx.settings.catalog_path)
    gr.Markdown("### So sánh với các xã khác")
    with gr.Row():
        commune = gr.Dropdown([*communes, PASTE], value=communes[0] if communes else PASTE, label="Xã",
                              scale=2, elem_id="compare-commune")
        section = gr.Dropdown(SECTION_CHOICES, value="ton_tai", label="Phần báo cáo", scale=2,
                              elem_id="compare-section")
        k = gr.Slider(1, 5, value=2, step=1, label="Số đoạn của xã khác cho mỗi đoạn", scale=2)
        go = gr.Button("So sánh", variant="primary", scale=1, elem_id="compare-go")
    with gr.Accordion("Hoặc dán dự thảo của bạn (để trống nếu so sánh báo cáo đã có của xã)", open=False):
        draft = gr.Textbox(lines=6, show_label=False, elem_id="compare-draft",
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
        except IndexUnavailable as exc:
            raise gr.Error(str(exc), title="Chưa sẵn sàng", print_exception=False) from exc
        return comparison_html(cmp)

    go.click(do_compare, [commune, section, draft, k], result, api_name="so_sanh")

    gr.Markdown("### Bảng chỉ tiêu giữa các xã", elem_id="indicators-head")
    gr.Markdown("<span class='muted'>Số liệu đọc từ phần kết quả trong báo cáo của từng xã; ô trống là "
                "báo cáo không nêu rõ. Bấm tiêu đề cột để sắp xếp.</span>")
    table = ctx.if_ready(lambda L: indicator_table(ctx, viewer=public)[0], None, public)
    year = _report_year(ctx)
    with gr.Row():
        figures_file = gr.File(label="Thêm cột từ tệp số liệu của xã (YAML/CSV/XLSX, tuỳ chọn)",
                               height=130, scale=2)
        notes = gr.Markdown()
    frame = gr.Dataframe(table_frame(table) if table else None, interactive=False, wrap=True, max_height=300,
                         label="Chỉ tiêu × xã", elem_id="indicator-table", elem_classes=["wide-table"])
    choices = indicator_choices(table) if table else []
    first_chart, first_detail = (indicator_detail(table, choices[0][1], year, catalog, _doc_titles(ctx, public))
                                 if choices else ("", None))
    with gr.Row(equal_height=False):
        with gr.Column(scale=5):
            indicator = gr.Dropdown(choices, value=choices[0][1] if choices else None, label="Chỉ tiêu",
                                    elem_id="indicator-pick")
            chart = gr.HTML(first_chart, elem_id="indicator-chart")
        with gr.Column(scale=6):
            detail = gr.Dataframe(first_detail, interactive=False, wrap=True, label="Nguồn của từng số liệu",
                                  max_height=420, column_widths=["16%", "18%", "46%", "20%"],
                                  elem_id="indicator-detail", elem_classes=["wide-table"])

    def on_figures(path: str | None, chosen: str | None, request: gr.Request) -> tuple:
        return _table_outputs(path, chosen, ctx.viewer(request))

    def _table_outputs(path: str | None, chosen: str | None, viewer: Viewer) -> tuple:
        try:
            tab, problems = indicator_table(ctx, path, viewer)
        except IndexUnavailable as exc:
            raise gr.Error(str(exc), title="Chưa sẵn sàng", print_exception=False) from exc
        msg = "\n\n".join(f"❌ {esc(p)}" for p in problems)
        opts = indicator_choices(tab)
        ids = [v for _, v in opts]
        chosen = chosen if chosen in ids else (ids[0] if ids else None)
        svg, det = (indicator_detail(tab, chosen, _report_year(ctx), catalog, _doc_titles(ctx, viewer))
                    if chosen else ("", None))
        return msg, table_frame(tab), gr.Dropdown(choices=opts, value=chosen), svg, det

    def on_indicator(path: str | None, chosen: str | None, request: gr.Request) -> tuple:
        viewer = ctx.viewer(request)
        tab, _ = indicator_table(ctx, path, viewer)
        return (indicator_detail(tab, chosen, _report_year(ctx), catalog, _doc_titles(ctx, viewer))
                if chosen else ("", None))

    figures_file.change(on_figures, [figures_file, indicator], [notes, frame, indicator, chart, detail],
                        api_name="bang_chi_tieu")
    indicator.change(on_indicator, [figures_file, indicator], [chart, detail], api_name="bieu_do_chi_tieu")

    def refresh(current: str | None, path: str | None, chosen: str | None, viewer: Viewer) -> Any:
        names = [*_report_communes(ctx, viewer), PASTE]
        # the choice the officer may have made meanwhile stays; only a choice no longer offered is reset
        dropdown = gr.Dropdown(choices=names) if current in names else gr.Dropdown(choices=names, value=names[0])
        if viewer == public and built_ready:
            return dropdown, gr.skip(), gr.skip(), gr.skip(), gr.skip(), gr.skip()
        return dropdown, *_table_outputs(path, chosen, viewer)  # the viewer's own drafts join the table

    return {"refresh": refresh, "inputs": [commune, figures_file, indicator],
            "outputs": [commune, notes, frame, indicator, chart, detail]}
