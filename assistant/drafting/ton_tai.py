"""Section "Tồn tại, hạn chế": unmet indicators, shortcomings by pillar, causes when supported.

1. every unmet indicator with its value, its target (and the target's source when it comes
   from the catalog) and the gap, and every indicator that meets its own target but misses a
   stricter one binding the commune (named with its source); 2. the officer's observations as
   shortcomings grouped by pillar, with a consequence clause borrowed (and cited) from a close
   peer shortcoming, and for each pillar the input leaves out up to two suggestions from peers
   (marked "(gợi ý – cần xác nhận)"); 3. causes (khách quan / chủ quan) stated in the input, or
   by a close peer passage (cited).
"""

from __future__ import annotations

import logging

from assistant.domain import pillars
from assistant.drafting.document import SUGGESTION_MARK
from assistant.drafting.gaps import IndicatorGap
from assistant.drafting.peers import CitationBook, PeerSentence
from assistant.drafting.rewrite import cause_kind, consequence, split_cause, strip_end, upper_first
from assistant.drafting.writer import Observation, SectionSkeleton, Writer
from assistant.text.normalize import content_terms, fold
from assistant.text.vn_numbers import find_numbers

log = logging.getLogger(__name__)

MIN_CONSEQUENCE_SCORE = 0.45  # similarity a peer shortcoming needs to lend its consequence
MAX_CONSEQUENCE_OVERLAP = 0.34  # a consequence that restates the shortcoming adds nothing
MIN_CAUSE_SCORE = 0.3  # similarity a peer shortcoming needs to lend its cause
MAX_PEER_CAUSES = 3


def unmet_line(w: Writer, g: IndicatorGap) -> str:
    """ "Tỷ lệ … mới đạt 49,68%, chưa đạt mục tiêu tối thiểu 60%, còn thấp hơn … ."""
    assert g.target is not None
    fields = w.indicator_fields(g, g.target)
    if g.target.target.comparator in ("<", "<="):
        line = w.render("ton_tai.vuot_tran", g.name, chenh_lech=w.gap_words(g), **fields)
    elif g.at_boundary:
        line = w.render("ton_tai.bang_nguong", g.name, **fields)
    else:
        line = w.render("ton_tai.chua_dat", g.name, chenh_lech=w.gap_words(g), **fields)
    if g.binding_missed:
        line += " " + w.render("ton_tai.cung_chua_dat_rang_buoc", g.name, **w.binding_words(g))
    return line


def binding_line(w: Writer, g: IndicatorGap) -> str:
    """ "Tỷ lệ … đạt 71,2%, đạt mục tiêu của xã (tối thiểu 70%) nhưng chưa đạt … 80% (theo …)."""
    return w.render(
        "ton_tai.chua_dat_rang_buoc",
        g.name,
        muc_tieu_xa=w.own_target_words(g),
        **w.indicator_fields(g, g.target),
        **w.binding_words(g),
    )


def shortcoming_line(w: Writer, o: Observation, book: CitationBook, used: set[str]) -> str:
    """The officer's observation, with a cited consequence clause when a peer has a close one."""
    peer = None
    if w.finder is not None and consequence(o.shortcoming, w.ph) is None:
        peer = w.finder.best(
            o.text,
            ["ton_tai"],
            pillar=o.pillar,
            min_score=MIN_CONSEQUENCE_SCORE,
            used=used,
            accept=lambda s: consequence(s, w.ph) is not None,
        )
    clause = consequence(peer.text, w.ph) if peer is not None else None
    if peer is None or clause is None or _overlap(clause, o.shortcoming) > MAX_CONSEQUENCE_OVERLAP:
        return w.render("ton_tai.han_che", o.text, nhan_xet=upper_first(o.shortcoming))
    used.add(fold(peer.source_text))
    return w.render(
        "ton_tai.han_che_he_qua",
        o.text,
        nhan_xet=upper_first(o.shortcoming),
        he_qua=f"{clause} [{book.cite(peer)}]",
    )


def suggestion_line(w: Writer, s, book: CitationBook) -> str:  # noqa: ANN001 - a Suggestion
    """A peer's shortcoming, cited and marked for the officer to confirm."""
    n = book.cite(s.shortcoming)
    body = f"{upper_first(strip_end(s.shortcoming.text))} [{n}]"
    return w.render("ton_tai.goi_y", s.shortcoming.text, nhan_xet=body, danh_dau=SUGGESTION_MARK)


def causes(w: Writer, book: CitationBook) -> dict[str, list[str]]:
    """Causes stated by the input (observations, indicator notes) or by peers, by kind."""
    found: list[tuple[str, int | None]] = [(o.cause, None) for o in w.obs if o.cause]
    for g in w.unmet:
        if g.figure.note:
            _, cause = split_cause(g.figure.note, w.ph)
            if cause:
                found.append((cause, None))
    if w.finder is not None:
        found.extend(peer_causes(w, book))
    out: dict[str, list[str]] = {"khach_quan": [], "chu_quan": []}
    seen: set[str] = set()
    for cause, n in found:
        key = fold(cause)
        if key in seen:
            continue
        seen.add(key)
        out[cause_kind(cause, w.ph)].append(f"{cause} [{n}]" if n else cause)
    return out


def peer_causes(w: Writer, book: CitationBook) -> list[tuple[str, int]]:
    """At most one cause per pillar with shortcomings, from the closest peer sentences."""
    assert w.finder is not None
    queries: dict[str, list[str]] = {}
    for g in w.unmet:
        queries.setdefault(g.pillar, []).append(g.name)
    for o in w.obs:
        queries.setdefault(o.pillar, []).append(o.text)
    out = []
    for pillar, qs in queries.items():
        best: tuple[PeerSentence, str] | None = None
        for q in qs:
            for peer in w.finder.raw_sentences(q, ["ton_tai"]):
                if peer.score < MIN_CAUSE_SCORE:
                    break
                _, cause = split_cause(peer.text, w.ph)
                adapted = w.finder.adapted(cause) if cause else None
                if (
                    adapted
                    and 8 <= len(adapted) <= 160
                    and not find_numbers(adapted)
                    and w.finder.names_ok(cause)
                    and (best is None or peer.score > best[0].score)
                ):
                    best = (peer, adapted)
        if best is not None:
            peer, cause = best
            out.append((cause, book.cite(peer)))
            log.debug("cause for %s from %s: %s", pillar, peer.chunk.commune, cause)
        if len(out) >= MAX_PEER_CAUSES:
            break
    if out:
        marks = ", ".join(f"[{n}]" for n in dict.fromkeys(n for _, n in out))
        w.warnings.append(
            f"Nguyên nhân {marks} mượn cách diễn đạt của xã khác; cần xác nhận "
            "đúng với thực tế của xã trước khi dùng."
        )
    return out


def build(w: Writer) -> SectionSkeleton:
    """The "Tồn tại, hạn chế" section."""
    book, used, lines = w.book, set(), []
    num = 0
    if w.gaps.items:
        num += 1
        lines.append(f"{num}. {w.ph.get('ton_tai.headings.chi_tieu')}")
        if w.unmet or w.short_of_binding:
            lines.extend("- " + upper_first(unmet_line(w, g)) for g in w.unmet)
            lines.extend("- " + upper_first(binding_line(w, g)) for g in w.short_of_binding)
        elif w.gaps.met:
            lines.append(w.render("ton_tai.tat_ca_dat", w.f.commune))
        else:
            lines.append(w.render("ton_tai.khong_co_muc_tieu", w.f.commune))
    num += 1
    lines.append(f"{num}. {w.ph.get('ton_tai.headings.linh_vuc')}")
    suggested: dict[str, list] = {}
    for s in w.suggestions:
        suggested.setdefault(s.pillar, []).append(s)
    if not w.obs and not suggested:
        lines.append(w.render("ton_tai.khong_co_nhan_xet"))
    groups = dict(w.by_pillar(w.obs))
    order = [p for p in pillars.ALL_PILLARS if p in groups or p in suggested]
    for i, pillar in enumerate(order):
        lines.append(w.pillar_heading(i, pillar, "ton_tai"))
        lines.extend(
            "- " + upper_first(shortcoming_line(w, o, book, used)) for o in groups.get(pillar, [])
        )
        lines.extend("- " + suggestion_line(w, s, book) for s in suggested.get(pillar, []))
    found = causes(w, book)
    if any(found.values()):
        num += 1
        lines.append(f"{num}. {w.ph.get('ton_tai.headings.nguyen_nhan')}")
        for kind in ("khach_quan", "chu_quan"):
            if found[kind]:
                text = w.render(f"ton_tai.nguyen_nhan.{kind}", danh_sach="; ".join(found[kind]))
                lines.append("- " + text)
    return w.section("ton_tai", w.ph.get("ton_tai.title"), lines)


def _overlap(clause: str, text: str) -> float:
    """Share of the clause's content syllables that `text` already has."""
    a, b = content_terms(clause), content_terms(text)
    return len(a & b) / len(a) if a else 1.0
