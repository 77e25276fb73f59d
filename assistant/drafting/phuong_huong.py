"""Section "Phương hướng, nhiệm vụ" of the next period: targets, tasks by pillar.

1. a target line for every unmet indicator and every missed binding target (the catalog's
   next-year target when it has one and the next period starts a new year, and the longer-term
   one it leads to), the met indicators to maintain or raise; 2. a task for every unmet
   indicator, missed binding target and shortcoming, grouped by pillar, each with the closest
   peer task as a cited model ("+" line, no figures), and the tasks of the suggestions (marked);
   a task beyond the commune's power goes to "Đề xuất, kiến nghị" instead when that section is
   drafted; 3. without that section, peer recommendations that fit (cited).
"""

from __future__ import annotations

from assistant.domain import pillars
from assistant.drafting.document import SUGGESTION_MARK
from assistant.drafting.gaps import AppliedTarget, IndicatorGap
from assistant.drafting.peers import CitationBook, PeerSentence
from assistant.drafting.rewrite import (
    is_request,
    lower_first,
    strip_end,
    task_from_shortcoming,
    upper_first,
)
from assistant.drafting.writer import SectionSkeleton, Writer, flat
from assistant.text.normalize import fold
from assistant.text.vn_numbers import meets

MIN_MODEL_SCORE = 0.22  # similarity a peer task needs to be offered as a model ("+" line)
MIN_REQUEST_SCORE = 0.3  # similarity a peer recommendation needs to be proposed
MAX_REQUESTS = 3


def long_term(w: Writer, g: IndicatorGap, aim: AppliedTarget | None) -> str:
    """ " Hướng tới mục tiêu … (đến năm 2030)." when a later catalog target is still ahead."""
    lt = g.long_target
    if lt is None or lt.catalog is None or meets(g.figure.value, lt.target):
        return ""
    if (
        aim is not None
        and aim.target.value == lt.target.value
        and aim.target.comparator == lt.target.comparator
    ):
        return ""
    return " " + w.render(
        "phuong_huong.huong_toi",
        g.name,
        muc_tieu=w.target_words(lt.target),
        nguon=flat(lt.catalog.source),
        thoi_han=lt.catalog.deadline_text,
    )


def aim(g: IndicatorGap) -> AppliedTarget | None:
    """What an indicator should reach next: next year's catalog target, else the binding one."""
    if g.next_target is not None:
        return g.next_target
    return g.binding if g.binding_missed else g.target


def _peer_model(w, book, used, key: str, pillar: str, viec: str) -> list[str]:  # noqa: ANN001
    """The "+ …" line citing the closest peer task for a task, or nothing when none fits."""
    peer = model(w, key, pillar, used, viec)
    if not peer:
        return []
    return ["+ " + upper_first(w.cite_line(book, peer, "phuong_huong.bien_phap_mau", key)) + "."]


def _listed(w, gaps) -> str:  # noqa: ANN001 - writer and gap items
    """"indicator (value); indicator (value)" for a sentence listing indicators to keep up."""
    return "; ".join(
        w.ph.render("phuong_huong.duy_tri_muc", g.name, ten_chi_tieu=lower_first(g.name),
                    gia_tri=w.value(g.figure))
        for g in gaps
    )

def goals(w: Writer) -> list[str]:
    """Part 1: what to reach next year, what to raise, what to maintain."""
    out, raised = [], {id(g) for g in w.short_of_binding}
    for g in [*w.unmet, *w.short_of_binding]:
        applied = aim(g)
        line = w.render("phuong_huong.phan_dau_chua_dat", g.name, **w.indicator_fields(g, applied))
        out.append(line + long_term(w, g, applied))
    for g in w.gaps.items:
        if g.status == "unmet" or id(g) in raised:
            continue
        nt = g.next_target
        if nt is not None and not meets(g.figure.value, nt.target):
            path = "nang_muc" if g.status == "met" else "co_muc_tieu_moi"
            line = w.render(f"phuong_huong.{path}", g.name, **w.indicator_fields(g, nt))
            out.append(line + long_term(w, g, nt))
            raised.add(id(g))
        elif ahead := long_term(w, g, None):
            line = w.render("phuong_huong.duy_tri_nang", g.name, **w.indicator_fields(g, None))
            out.append(line + ahead)
            raised.add(id(g))
    full = [
        g
        for g in w.gaps.no_target
        if id(g) not in raised and g.figure.value.percent and g.figure.value.value >= 100
    ]
    raised |= {id(g) for g in full}
    keep = [g for g in w.gaps.met if id(g) not in raised] + full
    if keep:
        out.append(w.render("phuong_huong.duy_tri", w.f.commune, danh_sach=_listed(w, keep)))
    rest = [g for g in w.gaps.no_target if id(g) not in raised]
    if rest:
        out.append(w.render("phuong_huong.tiep_tuc", w.f.commune, danh_sach=_listed(w, rest)))
    return ["- " + upper_first(x) for x in out]


def action_for(w: Writer, g: IndicatorGap) -> str:
    """The task for an unmet indicator: by catalog id, else by pillar."""
    for path in (
        f"nhiem_vu.theo_chi_tieu.{g.indicator.id}" if g.indicator else "",
        f"nhiem_vu.theo_tru_cot.{g.pillar}",
        "nhiem_vu.theo_tru_cot.lanh_dao",
    ):
        if path and w.ph.has(path):
            return w.pick(path, g.name)
    return ""


def model(w: Writer, query: str, pillar: str, used: set[str], task: str) -> PeerSentence | None:
    """A peer task sentence close to `task` among the passages found for `query`."""
    if w.finder is None:
        return None
    peer = w.finder.best(
        query,
        ["phuong_huong", "de_xuat"],
        pillar=pillar,
        min_score=MIN_MODEL_SCORE,
        used=used,
        score_text=f"{task} {query}",
        accept=lambda s: not is_request(s, w.ph),
    )
    if peer is not None:
        used.add(fold(peer.source_text))
    return peer


def tasks(w: Writer, book: CitationBook, used: set[str]) -> list[str]:
    """Part 2: a task per unmet indicator and per shortcoming, by pillar, with peer models."""
    by_pillar: dict[str, list[str]] = {}
    for g in [*w.unmet, *w.short_of_binding]:
        viec = action_for(w, g)
        block = [
            "- "
            + upper_first(
                w.render(
                    "phuong_huong.nhiem_vu_chi_tieu",
                    g.name,
                    viec=viec,
                    ten_chi_tieu=lower_first(g.name),
                )
            )
        ]
        block += _peer_model(w, book, used, g.name, g.pillar, viec)
        by_pillar.setdefault(g.pillar, []).extend(block)
    for o in w.obs:
        if w.routed(o.text) is not None:
            continue  # beyond the commune: a kiến nghị (see kien_nghi.py)
        viec = task_from_shortcoming(o.shortcoming, w.ph)
        block = ["- " + upper_first(w.render("phuong_huong.nhiem_vu_han_che", o.text, viec=viec))]
        block += _peer_model(w, book, used, o.text, o.pillar, viec)
        by_pillar.setdefault(o.pillar, []).extend(block)
    for s in w.suggestions:
        if s.request is None and s.task_text:
            by_pillar.setdefault(s.pillar, []).append("- " + suggested_task(w, s, book))
    lines = []
    order = [p for p in pillars.ALL_PILLARS if p in by_pillar] + [
        p for p in by_pillar if p not in pillars.ALL_PILLARS
    ]
    for i, pillar in enumerate(order):
        lines.append(w.pillar_heading(i, pillar, "phuong_huong"))
        lines.extend(by_pillar[pillar])
    return lines


def suggested_task(w: Writer, s, book: CitationBook) -> str:  # noqa: ANN001 - a Suggestion
    """The task of a suggestion: a peer's (cited) or the rule's, marked for confirmation."""
    viec = upper_first(strip_end(s.task_text))
    if s.task is not None:
        viec += f" [{book.cite(s.task)}]"
    return w.render("phuong_huong.nhiem_vu_goi_y", s.task_text, viec=viec, danh_dau=SUGGESTION_MARK)


def requests(w: Writer, book: CitationBook, used: set[str]) -> list[str]:
    """Part 3: peer recommendations to higher levels that match a shortcoming (cited)."""
    if w.finder is None:
        return []
    out = []
    queries = [(o.text, o.pillar) for o in w.obs] + [(g.name, g.pillar) for g in w.unmet]
    for q, pillar in queries:
        peer = w.finder.best(
            q,
            ["de_xuat", "phuong_huong"],
            pillar=pillar,
            min_score=MIN_REQUEST_SCORE,
            used=used,
            accept=lambda s: is_request(s, w.ph),
        )
        if peer is None:
            continue
        used.add(fold(peer.source_text))
        n = book.cite(peer)
        out.append(f"- {strip_end(peer.text)} [{n}].")
        if len(out) >= MAX_REQUESTS:
            break
    return out


def build(w: Writer) -> SectionSkeleton:
    """The "Phương hướng, nhiệm vụ" section of the next period."""
    book, used, lines = w.book, set(), []
    num = 0
    targets = goals(w)
    if targets:
        num += 1
        lines.append(f"{num}. " + w.render("phuong_huong.headings.chi_tieu"))
        lines.extend(targets)
    num += 1
    lines.append(f"{num}. " + w.render("phuong_huong.headings.nhiem_vu"))
    todo = tasks(w, book, used)
    lines.extend(todo or [w.render("phuong_huong.khong_co_nhiem_vu")])
    asks = requests(w, book, used) if "kien_nghi" not in w.sections else []
    if asks:
        num += 1
        lines.append(f"{num}. " + w.render("phuong_huong.headings.kien_nghi"))
        lines.extend(asks)
    return w.section("phuong_huong", w.render("phuong_huong.title"), lines)
