"""A small SVG bar chart with a target line (no plotting library needed)."""

from __future__ import annotations

from assistant.web.common import esc, esc_attr

_W, _H = 640, 300
_LEFT, _RIGHT, _TOP, _BOTTOM = 48, 16, 46, 58


def _nice_max(v: float) -> float:
    if v <= 0:
        return 1.0
    for step in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 5000, 10000):
        top = step * 5
        if v <= top:
            return float(top)
    return float(v * 1.1)


def bar_chart_svg(title: str, bars: list[tuple[str, float, str]], *, target: float | None = None,
                  target_label: str = "", percent: bool = True) -> str:
    """Bars (label, value, text shown on the bar) with an optional dashed target line."""
    if not bars:
        return "<div class='muted'>Chưa có số liệu của xã nào cho chỉ tiêu này.</div>"
    top = max([v for _, v, _ in bars] + ([target] if target is not None else []))
    ymax = 100.0 if percent and top <= 100 else _nice_max(top * 1.05)
    plot_w, plot_h = _W - _LEFT - _RIGHT, _H - _TOP - _BOTTOM
    slot = plot_w / len(bars)
    bar_w = min(70.0, slot * 0.6)

    def y(v: float) -> float:
        return _TOP + plot_h * (1 - v / ymax)

    parts = [f"<svg class='bar-chart' viewBox='0 0 {_W} {_H}' role='img' aria-label='{esc_attr(title)}' "
             f"xmlns='http://www.w3.org/2000/svg' style='max-width:{_W}px;width:100%'>",
             f"<text x='{_LEFT}' y='18' font-size='14' font-weight='600' fill='currentColor'>{esc(title)}</text>"]
    for i in range(5 + 1):
        v = ymax * i / 5
        yy = y(v)
        tick = f"{v:g}{'%' if percent else ''}"
        parts.append(f"<line x1='{_LEFT}' x2='{_W - _RIGHT}' y1='{yy:.1f}' y2='{yy:.1f}' stroke='#9994' stroke-width='1'/>"
                     f"<text x='{_LEFT - 6}' y='{yy + 4:.1f}' font-size='11' fill='currentColor' text-anchor='end'>{tick}</text>")
    for i, (label, value, shown) in enumerate(bars):
        x = _LEFT + slot * i + (slot - bar_w) / 2
        met = target is None or value >= target
        fill = "#2f6fb0" if met else "#e08a2e"
        parts.append(f"<rect x='{x:.1f}' y='{y(value):.1f}' width='{bar_w:.1f}' "
                     f"height='{max(0.0, y(0) - y(value)):.1f}' fill='{fill}' rx='3'><title>{esc(label)}: {esc(shown)}</title></rect>"
                     f"<text x='{x + bar_w / 2:.1f}' y='{y(value) - 5:.1f}' font-size='12' font-weight='600' fill='currentColor' text-anchor='middle'>{esc(shown)}</text>"
                     f"<text x='{x + bar_w / 2:.1f}' y='{_H - _BOTTOM + 18:.1f}' font-size='12' fill='currentColor' text-anchor='middle'>{esc(label)}</text>")
    if target is not None:
        yy = y(target)
        parts.append(f"<line x1='{_LEFT}' x2='{_W - _RIGHT}' y1='{yy:.1f}' y2='{yy:.1f}' stroke='#c62828' stroke-width='2' stroke-dasharray='6 4'/>"
                     f"<text x='{_W - _RIGHT}' y='{yy - 6:.1f}' font-size='12' fill='#c62828' text-anchor='end'>"
                     f"{esc(target_label)}</text>")
    parts.append("</svg>")
    return "".join(parts)
