"""Section "Đề xuất, kiến nghị": what the commune asks of the province or city.

A shortcoming whose remedy is beyond the commune (a shared provincial system that is not
stable, a missing policy, funding, specialised training, staffing quotas: the rules in
`prompts/draft/kien_nghi.yaml`) becomes a kiến nghị here instead of a task in Phương hướng,
with the closest kiến nghị another commune wrote as a cited model ("+" line). Peer kiến nghị
that answer one of the commune's other shortcomings follow (cited), then the suggested ones.
"""

from __future__ import annotations

from assistant.drafting.document import SUGGESTION_MARK
from assistant.drafting.rewrite import apply_rules, is_request, strip_end, upper_first
from assistant.drafting.writer import SectionSkeleton, Writer
from assistant.text.normalize import fold

MIN_MODEL_SCORE = 0.3  # similarity a peer kiến nghị needs to stand as an item of its own
MIN_ROUTED_MODEL_SCORE = 0.25  # … to serve as the model under a routed kiến nghị
MAX_PEER_REQUESTS = 3


def addressee(w: Writer) -> str:
    """ "UBND tỉnh An Giang, Sở Khoa học và Công nghệ" (the level and name as known)."""
    level = w.locale.level or "tỉnh"
    province = " ".join(w.f.province.split())
    if province and fold(province).startswith(fold(level)):
        body = province
    else:
        body = f"{level} {province}".strip()
    return w.ph.render("kien_nghi.cap_tren", co_quan=f"UBND {body}")


def request_for(w: Writer, shortcoming: str) -> str | None:
    """The kiến nghị a shortcoming calls for when its remedy is beyond the commune, else None."""
    text = strip_end(shortcoming)
    found = apply_rules(
        text, w.ph, "kien_nghi.quy_tac", "kien_nghi",
        cap_tren=addressee(w), don_vi=w.locale.unit,
    )  # fmt: skip
    return upper_first(found) if found else None


def _model(
    w: Writer, query: str, pillar: str, used: set[str], request: str = ""
) -> list[str]:
    """The "+" line quoting the closest kiến nghị of another commune, or nothing.

    For a routed shortcoming the search and the score use the kiến nghị written for it too.
    """
    if w.finder is None:
        return []
    peer = w.finder.best(
        f"{request} {query}".strip(), ["de_xuat", "phuong_huong"], pillar=pillar, used=used,
        min_score=MIN_ROUTED_MODEL_SCORE if request else MIN_MODEL_SCORE,
        score_text=request, accept=lambda s: is_request(s, w.ph), scope="requests",
    )  # fmt: skip
    if peer is None:
        return []
    used.add(fold(peer.source_text))
    n = w.book.cite(peer)
    viec = w.render("kien_nghi.mau_xa_khac", query, viec=f"{strip_end(peer.text)} [{n}]")
    return [f"+ {upper_first(viec)}."]


def build(w: Writer) -> SectionSkeleton:
    """The "Đề xuất, kiến nghị" section."""
    items: list[str] = []
    used: set[str] = set()
    asked: set[str] = set()
    peer_only = 0
    for o in w.obs:
        request = w.routed(o.text)
        if request is not None:
            if fold(request) in asked:
                continue
            asked.add(fold(request))
            items.append(f"- {request}.")
            items += _model(w, o.text, o.pillar, used, request)
        elif peer_only < MAX_PEER_REQUESTS and (line := _model(w, o.text, o.pillar, used)):
            items.append("- " + line[0][2:])  # a peer's kiến nghị that fits, as the item itself
            peer_only += 1
    for s in w.suggestions:
        if s.request and fold(s.request) not in asked:
            asked.add(fold(s.request))
            n = w.book.cite(s.shortcoming)
            body = f"{s.request} [{n}]"
            items.append("- " + w.render("kien_nghi.goi_y", s.request, viec=body,
                                         danh_dau=SUGGESTION_MARK))
    if items:
        lines = [w.render("kien_nghi.mo_dau", w.f.commune, cap_tren=addressee(w)), *items]
    else:
        lines = [w.render("kien_nghi.khong_co")]
    return w.section("kien_nghi", w.render("kien_nghi.title"), lines)
