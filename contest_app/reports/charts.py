"""Charts as inline SVG built on the server: no script, no internet, and they print.

Colours and fonts are SVG presentation attributes (not ``style=""``), which the
Content-Security-Policy allows. Values are displayed with the one rounding rule.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from html import escape

from markupsafe import Markup

from contest_app.formatting import vn, vn_short
from contest_app.scoring import to_fraction
from contest_app.services.final.results import EditionResults

PALETTE = ("#0b4f8a", "#d9302c", "#1d7f3a", "#a86400", "#6a3d9a", "#008b8b")
FONT = 'font-family="Liberation Sans, Arial, sans-serif"'
Number = Fraction | Decimal | int


def _t(text: object) -> str:
    return escape(str(text), quote=True)


def _f(value: float) -> str:
    return f"{value:.1f}"


def _short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _svg(width: int, height: int, title: str, body: list[str]) -> Markup:
    return Markup(
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" aria-label="{_t(title)}" {FONT} font-size="12">'
        f"<title>{_t(title)}</title>" + "".join(body) + "</svg>"
    )


def _legend(names: Sequence[str], x: float, y: float) -> list[str]:
    out, cx = [], x
    for i, name in enumerate(names):
        colour = PALETTE[i % len(PALETTE)]
        out.append(f'<rect x="{_f(cx)}" y="{_f(y - 10)}" width="12" height="12" fill="{colour}"/>')
        out.append(f'<text x="{_f(cx + 16)}" y="{_f(y)}">{_t(name)}</text>')
        cx += 28 + 7 * len(name)
    return out


def segment_scores_chart(results: EditionResults) -> Markup:
    """Each finalist's three segment scores stacked into its total (order of appearance)."""
    rows = results.rows_in_order()
    keys = [s.key for s in results.segments]
    maximum = float(sum((s.max_score for s in results.segments), Decimal(0))) or 1.0
    label_w, bar_w, bar_h, gap, top = 270, 520, 18, 8, 40
    width = label_w + bar_w + 70
    height = top + len(rows) * (bar_h + gap) + 30
    body = _legend([s.short_name for s in results.segments], label_w, 18)
    for tick in range(0, 101, 20):
        x = label_w + bar_w * tick / 100
        body.append(f'<line x1="{_f(x)}" y1="{top - 6}" x2="{_f(x)}" y2="{height - 24}" stroke="#d6dde6"/>')
        body.append(f'<text x="{_f(x)}" y="{height - 8}" text-anchor="middle" fill="#5b6b7d">'
                    f"{_t(vn_short(Decimal(tick) * Decimal(str(maximum)) / 100))}</text>")
    for i, r in enumerate(rows):
        y = top + i * (bar_h + gap)
        body.append(f'<text x="{label_w - 8}" y="{_f(y + bar_h - 5)}" text-anchor="end">'
                    f"{i + 1}. {_t(_short(r.team, 38))}</text>")
        x = float(label_w)
        for j, key in enumerate(keys):
            score = r.scores.get(key)
            if score is None:
                continue
            w = bar_w * float(score) / maximum
            body.append(
                f'<rect x="{_f(x)}" y="{y}" width="{_f(w)}" height="{bar_h}" fill="{PALETTE[j % len(PALETTE)]}">'
                f"<title>{_t(r.team)} · {_t(results.segments[j].short_name)}: {_t(vn(score))}</title></rect>"
            )
            x += w
        body.append(f'<text x="{_f(x + 6)}" y="{_f(y + bar_h - 5)}" font-weight="bold">{_t(vn(r.total))}</text>')
    return _svg(width, height, "Điểm các phần thi của từng đội thi", body)


@dataclass(frozen=True)
class Series:
    name: str
    values: tuple[int, ...]


def grouped_bars_chart(title: str, categories: Sequence[str], series: Sequence[Series]) -> Markup:
    """Vertical bars grouped by category (e.g. rounds per edition), with value labels."""
    left, top, plot_h, group_w = 40, 40, 220, 150
    width = left + group_w * max(1, len(categories)) + 20
    height = top + plot_h + 50
    peak = max([v for s in series for v in s.values] + [1])
    body = _legend([s.name for s in series], left, 18)
    base = top + plot_h
    body.append(f'<line x1="{left}" y1="{base}" x2="{width - 10}" y2="{base}" stroke="#1b2430"/>')
    bar_w = (group_w - 30) / max(1, len(series))
    for c, category in enumerate(categories):
        gx = left + c * group_w + 15
        for k, s in enumerate(series):
            value = s.values[c]
            h = plot_h * value / peak
            x = gx + k * bar_w
            body.append(f'<rect x="{_f(x)}" y="{_f(base - h)}" width="{_f(bar_w - 4)}" height="{_f(h)}" '
                        f'fill="{PALETTE[k % len(PALETTE)]}"><title>{_t(category)} · {_t(s.name)}: {value}</title></rect>')
            body.append(f'<text x="{_f(x + (bar_w - 4) / 2)}" y="{_f(base - h - 4)}" text-anchor="middle">{value}</text>')
        body.append(f'<text x="{_f(gx + (group_w - 30) / 2)}" y="{base + 18}" text-anchor="middle">{_t(category)}</text>')
    return _svg(width, height, title, body)


def deviation_chart(title: str, labels: Sequence[str], values: Sequence[Number | None],
                    threshold: Number | None = None) -> Markup:
    """Horizontal bars diverging from zero: each judge's mean deviation from the panel."""
    label_w, half, bar_h, gap, top = 160, 220, 18, 8, 20
    present = [abs(float(v)) for v in values if v is not None]
    limit = max(present + [float(threshold) if threshold is not None else 0.0, 0.5])
    width = label_w + 2 * half + 60
    height = top + len(labels) * (bar_h + gap) + 30
    zero = label_w + half
    body = [f'<line x1="{zero}" y1="{top - 6}" x2="{zero}" y2="{height - 24}" stroke="#1b2430"/>']
    if threshold is not None:
        for sign in (-1, 1):
            x = zero + sign * half * float(threshold) / limit
            body.append(f'<line x1="{_f(x)}" y1="{top - 6}" x2="{_f(x)}" y2="{height - 24}" stroke="#b3261e" '
                        f'stroke-dasharray="4 3"/>')
        body.append(f'<text x="{zero}" y="{height - 8}" text-anchor="middle" fill="#b3261e">'
                    f"Ngưỡng ±{_t(vn(to_fraction(threshold)))}</text>")
    for i, (label, value) in enumerate(zip(labels, values, strict=True)):
        y = top + i * (bar_h + gap)
        body.append(f'<text x="{label_w - 8}" y="{_f(y + bar_h - 5)}" text-anchor="end">{_t(_short(label, 24))}</text>')
        if value is None:
            continue
        w = half * abs(float(value)) / limit
        x = zero if value >= 0 else zero - w
        colour = PALETTE[0] if value >= 0 else PALETTE[1]
        body.append(f'<rect x="{_f(x)}" y="{y}" width="{_f(w)}" height="{bar_h}" fill="{colour}"/>')
        tx = zero + w + 6 if value >= 0 else zero - w - 6
        anchor = "start" if value >= 0 else "end"
        sign = "+" if value > 0 else ""
        body.append(f'<text x="{_f(tx)}" y="{_f(y + bar_h - 5)}" text-anchor="{anchor}">{sign}{_t(vn(value))}</text>')
    return _svg(width, height, title, body)
