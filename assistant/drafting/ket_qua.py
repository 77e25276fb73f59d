"""Section "Kết quả đạt được": the commune's own results, nothing borrowed.

1. general figures (facts that belong to no pillar: số thôn, số hộ…); 2. the indicators that
met their target (with the target and its source) or have none, in pillar order; 3. by
pillar, the facts and the officer's observations that report a result (an observation that
states a shortcoming goes to Tồn tại instead).
"""

from __future__ import annotations

from assistant.domain import pillars
from assistant.drafting.gaps import IndicatorGap
from assistant.drafting.rewrite import upper_first
from assistant.drafting.writer import SectionSkeleton, Writer


def indicator_line(w: Writer, g: IndicatorGap) -> str:
    """ "Tỷ lệ … đạt 96%, vượt mục tiêu của xã (tối thiểu 80%)." or "… đạt 76,5%."."""
    fields = w.indicator_fields(g, g.target)
    if g.target is None or g.status != "met":
        return w.render("ket_qua.khong_muc_tieu", g.name, **fields)
    t = g.target.target
    exceeded = t.comparator in (">=", ">", "=") and g.figure.value.value > t.value
    path = "ket_qua.vuot" if exceeded else "ket_qua.dat"
    return w.render(path, g.name, muc_tieu_xa=w.own_target_words(g), **fields)


def build(w: Writer) -> SectionSkeleton:
    """The "Kết quả đạt được" section."""
    lines = [w.render("ket_qua.mo_dau", w.f.commune)]
    num = 0
    general = [f for f in w.f.facts if not pillars.primary(f.name, default="")]
    if general:
        num += 1
        lines.append(f"{num}. {w.ph.get('ket_qua.headings.so_lieu_chung')}")
        lines += ["- " + _fact(w, f) for f in general]
    order = {p: i for i, p in enumerate(pillars.ALL_PILLARS)}
    shown = sorted(
        (g for g in w.gaps.items if g.status != "unmet"), key=lambda g: order.get(g.pillar, 99)
    )
    if shown:
        num += 1
        lines.append(f"{num}. {w.ph.get('ket_qua.headings.chi_tieu')}")
        lines += ["- " + upper_first(indicator_line(w, g)) for g in shown]
    by_pillar: dict[str, list[str]] = {}
    for f in w.f.facts:
        if p := pillars.primary(f.name, default=""):
            by_pillar.setdefault(p, []).append("- " + _fact(w, f))
    for o in w.results:
        by_pillar.setdefault(o.pillar, []).append(
            "- " + upper_first(w.render("ket_qua.nhan_xet", o.text, nhan_xet=o.text))
        )
    if by_pillar:
        num += 1
        lines.append(f"{num}. {w.ph.get('ket_qua.headings.linh_vuc')}")
        for i, pillar in enumerate(p for p in pillars.ALL_PILLARS if p in by_pillar):
            lines.append(w.pillar_heading(i, pillar, "ket_qua"))
            lines += by_pillar[pillar]
    if num == 0:
        lines.append(w.render("ket_qua.khong_co"))
    return w.section("ket_qua", w.render("ket_qua.title"), lines)


def _fact(w: Writer, fact) -> str:  # noqa: ANN001 - a figures Fact
    return upper_first(
        w.render("ket_qua.so_lieu", fact.name, ten=fact.name, gia_tri_so_lieu=fact.value_raw)
    )
