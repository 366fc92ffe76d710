"""The insights page's charts, drawn on the server: pure functions from numbers to SVG markup.

Same house style as charts.py: every chart is a picture (role="img" with an aria-label; the
page carries the links and the table of numbers), colours come from CSS classes themed by the
stylesheet, every text is escaped, and the same input always gives the same string.
"""

from __future__ import annotations

import datetime
import hashlib
import math
import statistics
from bisect import bisect_left
from collections.abc import Sequence
from html import escape

_XMLNS = "http://www.w3.org/2000/svg"


def _open(css_class: str, width: float, height: float, label: str) -> str:
    return (
        f'<svg xmlns="{_XMLNS}" class="{css_class}" viewBox="0 0 {_n(width)} {_n(height)}" '
        f'role="img" aria-label="{escape(label)}">'
    )


def _n(value: float) -> str:
    """A coordinate with at most one decimal and no trailing zero."""
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


def _plural(count: int, unit: str) -> str:
    return f"{count} {unit}" if count == 1 else f"{count} {unit}s"


def _day(day: datetime.date) -> str:
    return f"{day.day} {day:%b %Y}"


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _no_data(css_class: str, label: str) -> str:
    return (
        _open(f"{css_class} chart--empty", 320, 40, label)
        + '<text x="160" y="24" class="chart__label" text-anchor="middle">No data yet</text></svg>'
    )


def _thin(names: Sequence[str], slot: float, most: int = 12) -> int:
    """Show every Nth x label so that at most `most` are drawn and they do not collide (about
    6.2 px a character at 11 px); the last one is always drawn."""
    widest = max(len(_clip(name, 12)) for name in names) * 6.2 + 8
    return max(1, math.ceil(len(names) / most), math.ceil(widest / max(slot, 1)))


# ---------------------------------------------------------------------------------------------
# Calendar heatmap


_CELL, _STEP = 11, 13
_HEAT_LEFT, _HEAT_TOP = 30, 18


def heat_levels(values: Sequence[int]) -> dict[int, int]:
    """Map each non-zero count to a level 1..4 by quartile of the non-zero counts; the largest
    count is always 4. With four distinct counts or fewer each gets its own level (so one dream
    a day vs two is visible even when most days have one)."""
    nonzero = sorted(v for v in values if v > 0)
    distinct = sorted(set(nonzero))
    if not distinct:
        return {}
    if len(distinct) <= 4:
        ladder = {1: [4], 2: [2, 4], 3: [2, 3, 4], 4: [1, 2, 3, 4]}[len(distinct)]
        return dict(zip(distinct, ladder, strict=True))
    cuts = statistics.quantiles(nonzero, n=4, method="inclusive")
    levels = {v: min(4, 1 + bisect_left(cuts, v)) for v in distinct}
    levels[distinct[-1]] = 4
    return levels


def calendar_heatmap(counts: dict[datetime.date, int], *, end: datetime.date, label: str) -> str:
    """GitHub-style year of days: 53 week columns (Monday first) ending with the week of `end`;
    days after `end` are not drawn, so there are 365 to 371 cells."""
    start = end - datetime.timedelta(days=end.weekday(), weeks=52)
    days = [start + datetime.timedelta(days=i) for i in range((end - start).days + 1)]
    values = [max(0, counts.get(day, 0)) for day in days]
    levels = heat_levels(values)
    width = _HEAT_LEFT + 53 * _STEP + 2
    height = _HEAT_TOP + 7 * _STEP + 24
    parts = [_open("heatmap", width, height, label)]

    # Month labels above the column holding each month's first day (the first column is labelled
    # too when the next label leaves room); January is labelled with its year instead.
    marks = [((day - start).days // 7, day) for day in days if day.day == 1]
    if not marks or marks[0][0] >= 3:
        marks.insert(0, (0, start))
    for col, day in marks:
        text = f"{day:%Y}" if day.month == 1 and day.day == 1 else f"{day:%b}"
        parts.append(
            f'<text x="{_HEAT_LEFT + col * _STEP}" y="{_HEAT_TOP - 6}" class="chart__label">'
            f"{text}</text>"
        )
    for row, name in ((0, "Mon"), (2, "Wed"), (4, "Fri")):
        y = _HEAT_TOP + row * _STEP + _CELL - 2
        parts.append(
            f'<text x="{_HEAT_LEFT - 5}" y="{y}" class="chart__label" text-anchor="end">'
            f"{name}</text>"
        )
    for day, value in zip(days, values, strict=True):
        offset = (day - start).days
        x = _HEAT_LEFT + (offset // 7) * _STEP
        y = _HEAT_TOP + day.weekday() * _STEP
        title = (
            f"{_plural(value, 'dream')} on {_day(day)}" if value else f"No dreams on {_day(day)}"
        )
        parts.append(
            f'<rect x="{x}" y="{y}" width="{_CELL}" height="{_CELL}" rx="2" '
            f'class="heat heat--{levels.get(value, 0)}"><title>{title}</title></rect>'
        )
    # Key: Less ▢▢▢▢▢ More, bottom right.
    key_y = _HEAT_TOP + 7 * _STEP + 8
    key_x = width - 2 - 5 * _STEP - 30
    parts.append(
        f'<text x="{key_x - 5}" y="{key_y + _CELL - 2}" class="chart__label" '
        f'text-anchor="end">Less</text>'
    )
    for level in range(5):
        parts.append(
            f'<rect x="{key_x + level * _STEP}" y="{key_y}" width="{_CELL}" height="{_CELL}" '
            f'rx="2" class="heat-key heat--{level}"/>'
        )
    parts.append(
        f'<text x="{key_x + 5 * _STEP + 3}" y="{key_y + _CELL - 2}" class="chart__label">'
        "More</text></svg>"
    )
    return "".join(parts)


# ---------------------------------------------------------------------------------------------
# Vertical bars


def bar_chart(items: list[tuple[str, int]], *, label: str, unit: str = "dream") -> str:
    """One bar per (label, count), e.g. dreams per month; the y scale runs from 0 to the largest
    count with gridlines at 0, about half of it and the top."""
    if not items:
        return _no_data("bar-chart", label)
    width, height = 640, 240
    left, right, top, bottom = 34, 20, 20, 26
    plot_w, plot_h = width - left - right, height - top - bottom
    base = top + plot_h
    peak = max(max(v for _, v in items), 0)
    scale_top = peak or 1
    slot = plot_w / len(items)
    bar_w = min(slot * 0.72, 56)
    parts = [_open("bar-chart", width, height, label)]
    for tick in sorted({0, round(scale_top / 2), scale_top}):
        y = base - tick / scale_top * plot_h
        parts.append(
            f'<line x1="{left}" y1="{_n(y)}" x2="{width - right}" y2="{_n(y)}" '
            f'class="chart__grid"/>'
            f'<text x="{left - 6}" y="{_n(y + 4)}" class="chart__label" text-anchor="end">'
            f"{tick}</text>"
        )
    every = _thin([name for name, _ in items], slot)
    small = " chart__value--small" if slot < 18 else ""
    for i, (name, value) in enumerate(items):
        value = max(value, 0)
        bar_h = value / scale_top * plot_h
        x = left + i * slot + (slot - bar_w) / 2
        mid = left + (i + 0.5) * slot
        parts.append(
            f'<rect x="{_n(x)}" y="{_n(base - bar_h)}" width="{_n(bar_w)}" height="{_n(bar_h)}" '
            f'class="bar"><title>{escape(name)}: {_plural(value, escape(unit))}</title></rect>'
        )
        if value:
            parts.append(
                f'<text x="{_n(mid)}" y="{_n(base - bar_h - 5)}" class="chart__value{small}" '
                f'text-anchor="middle">{value}</text>'
            )
        if (len(items) - 1 - i) % every == 0:
            parts.append(
                f'<text x="{_n(mid)}" y="{base + 17}" class="chart__label" text-anchor="middle">'
                f"{escape(_clip(name, 12))}</text>"
            )
    parts.append("</svg>")
    return "".join(parts)


# ---------------------------------------------------------------------------------------------
# Lucid and nightmare share


def shares(series: Sequence[tuple[str, int, int, int]]) -> list[tuple[str, float, float]]:
    """(label, lucid %, nightmare %) per (label, total, lucid, nightmare); 0 when total is 0."""
    out = []
    for name, total, lucid, nightmare in series:
        if total <= 0:
            out.append((name, 0.0, 0.0))
        else:
            out.append(
                (
                    name,
                    min(100.0, max(0.0, 100 * lucid / total)),
                    min(100.0, max(0.0, 100 * nightmare / total)),
                )
            )
    return out


def share_chart(series: list[tuple[str, int, int, int]], *, label: str) -> str:
    """Two lines over the periods: the percentage of lucid dreams and of nightmares."""
    if not series:
        return _no_data("share-chart", label)
    width, height = 640, 240
    left, right, top, bottom = 40, 20, 30, 26
    plot_w, plot_h = width - left - right, height - top - bottom
    base = top + plot_h
    inset = 12
    count = len(series)
    if count == 1:
        xs = [left + plot_w / 2]
    else:
        step = (plot_w - 2 * inset) / (count - 1)
        xs = [left + inset + i * step for i in range(count)]

    def y_of(percent: float) -> float:
        return base - percent / 100 * plot_h

    parts = [_open("share-chart", width, height, label)]
    for tick in (0, 50, 100):
        y = y_of(tick)
        parts.append(
            f'<line x1="{left}" y1="{_n(y)}" x2="{width - right}" y2="{_n(y)}" '
            f'class="chart__grid"/>'
            f'<text x="{left - 6}" y="{_n(y + 4)}" class="chart__label" text-anchor="end">'
            f"{tick}%</text>"
        )
    every = _thin([name for name, *_ in series], xs[-1] - xs[-2] if count > 1 else plot_w)
    for i, (name, *_rest) in enumerate(series):
        if (count - 1 - i) % every == 0:
            parts.append(
                f'<text x="{_n(xs[i])}" y="{base + 17}" class="chart__label" '
                f'text-anchor="middle">{escape(_clip(name, 12))}</text>'
            )
    percents = shares(series)
    for kind, column, word in (("lucid", 1, "lucid"), ("nightmare", 2, "nightmares")):
        points = " ".join(
            f"{_n(x)},{_n(y_of(p[column]))}" for x, p in zip(xs, percents, strict=True)
        )
        parts.append(f'<polyline points="{points}" class="line line--{kind}"/>')
        for x, p, (_, total, *kinds) in zip(xs, percents, series, strict=True):
            parts.append(
                f'<circle cx="{_n(x)}" cy="{_n(y_of(p[column]))}" r="3.5" class="dot dot--{kind}">'
                f"<title>{escape(p[0])}: {p[column]:.0f}% {word} "
                f"({kinds[column - 1]} of {total})</title></circle>"
            )
    # Legend, top left above the plot.
    x = left
    for kind, word, advance in (("lucid", "Lucid", 64), ("nightmare", "Nightmare", 0)):
        parts.append(
            f'<rect x="{x}" y="8" width="10" height="10" rx="2" class="swatch swatch--{kind}"/>'
            f'<text x="{x + 15}" y="17" class="chart__legend">{word}</text>'
        )
        x += advance
    parts.append("</svg>")
    return "".join(parts)


# ---------------------------------------------------------------------------------------------
# Ranked horizontal bars


def horizontal_bars(items: list[tuple[str, int, str]], *, label: str, unit: str = "dream") -> str:
    """A ranked list of (name, count, href) as bars. The href is not drawn: a role="img"
    picture may not hold links, so the page lists them separately."""
    if not items:
        return _no_data("hbar-chart", label)
    width, row = 640, 26
    name_w, count_w = 176, 44
    height = len(items) * row + 6
    peak = max(max(count for _, count, _ in items), 1)
    span = width - name_w - count_w
    parts = [_open("hbar-chart", width, height, label)]
    for i, (name, count, _href) in enumerate(items):
        count = max(count, 0)
        y = 3 + i * row
        bar_w = count / peak * span
        parts.append(
            f'<text x="{name_w - 8}" y="{y + 17}" class="chart__label chart__label--name" '
            f'text-anchor="end">{escape(_clip(name, 22))}</text>'
            f'<rect x="{name_w}" y="{y + 4}" width="{_n(bar_w)}" height="{row - 8}" rx="3" '
            f'class="bar"><title>{escape(name)}: {_plural(count, escape(unit))}</title></rect>'
            f'<text x="{_n(name_w + bar_w + 6)}" y="{y + 17}" class="chart__value">{count}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


# ---------------------------------------------------------------------------------------------
# Co-occurrence graph


def _seed(slug: str) -> tuple[float, float]:
    digest = hashlib.sha256(slug.encode()).digest()
    return (
        int.from_bytes(digest[:4], "big") / 2**32,
        int.from_bytes(digest[4:8], "big") / 2**32,
    )


# Tuned by eye on 2 to 40 motifs: ideal edge length, pull to the middle, spring strength.
_K_FACTOR, _GRAVITY, _ATTRACT = 0.6, 0.08, 0.3


def _repulsion(zs: list[complex], k2: float) -> list[complex]:
    ws = [z.conjugate() for z in zs]
    count = len(zs)
    forces = [0j] * count
    for i in range(count):
        wi = ws[i]
        total = 0j
        for j in range(i + 1, count):
            push = k2 / (wi - ws[j])
            total += push
            forces[j] -= push
        forces[i] += total
    return forces


def force_layout(
    slugs: Sequence[str],
    links: Sequence[tuple[int, int, float]],
    width: float,
    height: float,
    iterations: int = 200,
) -> list[tuple[float, float]]:
    """Fruchterman-Reingold in the box [0, width] x [0, height], with a little gravity so that
    unconnected nodes stay near the middle instead of sticking to the walls. Start positions
    come from a hash of each slug, so the result depends only on the input. `links` are
    (index, index, strength 0..1)."""
    count = len(slugs)
    if count == 0:
        return []
    if count == 1:
        return [(width / 2, height / 2)]
    if count == 2:
        return [(width * 0.3, height / 2), (width * 0.7, height / 2)]
    seeds = [_seed(slug) for slug in slugs]
    # Positions are complex numbers x + yj: the repulsion k²(zi - zj)/|zi - zj|² between two
    # nodes is then one division, k² / conj(zi - zj), which keeps 40 nodes x 200 rounds fast.
    zs = [complex((0.1 + 0.8 * sx) * width, (0.1 + 0.8 * sy) * height) for sx, sy in seeds]
    k = _K_FACTOR * math.sqrt(width * height / count)
    k2 = k * k
    gravity = _GRAVITY
    middle = complex(width / 2, height / 2)
    heat = width / 8
    cool = heat / (iterations + 1)
    # Each node stops a hair's breadth from the walls at its own distance, so two nodes pushed
    # into the same corner never coincide.
    walls = [
        (0.001 * (i + 1), width - 0.001 * (i + 1), height - 0.001 * (i + 1)) for i in range(count)
    ]
    for _ in range(iterations):
        try:
            forces = _repulsion(zs, k2)
        except ZeroDivisionError:  # two nodes on the very same spot: nudge the later ones
            seen: set[complex] = set()
            for i, z in enumerate(zs):
                while z in seen:
                    z += complex(0.01 * (i + 1), 0.007 * (i + 1))
                seen.add(z)
                zs[i] = z
            forces = _repulsion(zs, k2)
        for a, b, strength in links:
            pull = (zs[a] - zs[b]) * abs(zs[a] - zs[b]) * strength * _ATTRACT / k
            forces[a] -= pull
            forces[b] += pull
        for i in range(count):
            force = forces[i] - gravity * (zs[i] - middle)
            size = abs(force)
            if size > 0:
                z = zs[i] + force * (min(size, heat) / size)
                low, right, bottom = walls[i]
                zs[i] = complex(min(right, max(low, z.real)), min(bottom, max(low, z.imag)))
        heat -= cool
    return [(z.real, z.imag) for z in zs]


def _fit(points: list[tuple[float, float]], width: float, height: float) -> list[tuple]:
    """Stretch the points to fill [0, width] x [0, height], each axis by its own factor but
    neither more than 1.5 times the other, and centre them."""
    lo_x, hi_x = min(p[0] for p in points), max(p[0] for p in points)
    lo_y, hi_y = min(p[1] for p in points), max(p[1] for p in points)
    span_x, span_y = max(hi_x - lo_x, 1e-9), max(hi_y - lo_y, 1e-9)
    scale_x, scale_y = width / span_x, height / span_y
    scale_x, scale_y = min(scale_x, 1.5 * scale_y), min(scale_y, 1.5 * scale_x)
    off_x = (width - span_x * scale_x) / 2
    off_y = (height - span_y * scale_y) / 2
    return [(off_x + (x - lo_x) * scale_x, off_y + (y - lo_y) * scale_y) for x, y in points]


def _separate(
    points: list[tuple[float, float]],
    radii: Sequence[float],
    width: float,
    height: float,
    gap: float = 14,
    rounds: int = 40,
) -> list[tuple[float, float]]:
    """Push overlapping circles apart (keeping `gap` between them for the labels), staying in
    [0, width] x [0, height]."""
    xs = [p[0] for p in points]
    ys = [p[1] for p in points]
    count = len(points)
    for _ in range(rounds):
        moved = False
        for i in range(count):
            for j in range(i + 1, count):
                dx = xs[j] - xs[i]
                dy = ys[j] - ys[i]
                need = radii[i] + radii[j] + gap
                d2 = dx * dx + dy * dy
                if d2 >= need * need:
                    continue
                d = math.sqrt(d2)
                if d < 1e-6:
                    dx, dy, d = 1.0, 0.0, 1.0
                push = (need - d) / d / 2
                xs[i] = min(width, max(0.0, xs[i] - dx * push))
                ys[i] = min(height, max(0.0, ys[i] - dy * push))
                xs[j] = min(width, max(0.0, xs[j] + dx * push))
                ys[j] = min(height, max(0.0, ys[j] + dy * push))
                moved = True
        if not moved:
            break
    return list(zip(xs, ys, strict=True))


def cooccurrence_graph(
    nodes: list[tuple[str, str, int]],
    edges: list[tuple[str, str, int]],
    *,
    label: str,
    width: int = 640,
    height: int = 420,
) -> str:
    """Motifs as circles (area ~ count) and lines between motifs that share dreams (thickness
    ~ weight). Nodes are (slug, name, count), edges (slug_a, slug_b, weight); edges naming an
    unknown slug, and self-loops, are ignored; a repeated pair's weights are added."""
    if not nodes:
        return _no_data("graph", label)
    ordered = sorted({slug: (slug, name, count) for slug, name, count in nodes}.values())
    index = {slug: i for i, (slug, _, _) in enumerate(ordered)}
    weights: dict[tuple[int, int], int] = {}
    for a, b, weight in edges:
        if a in index and b in index and a != b and weight > 0:
            pair = (min(index[a], index[b]), max(index[a], index[b]))
            weights[pair] = weights.get(pair, 0) + weight
    pairs = sorted(weights.items())
    heaviest = max((w for _, w in pairs), default=1)
    lightest = min((w for _, w in pairs), default=1)
    links = [(a, b, 0.3 + 0.7 * w / heaviest) for (a, b), w in pairs]

    peak = max(max(count for _, _, count in ordered), 1)
    radii = [6 + 22 * math.sqrt(max(count, 0) / peak) for _, _, count in ordered]
    # Room for the biggest circle, and for labels under the circles and to either side.
    margin_x, margin_top, margin_bottom = 52, 30, 44
    box_w = max(width - 2 * margin_x, 1)
    box_h = max(height - margin_top - margin_bottom, 1)
    raw = force_layout([slug for slug, _, _ in ordered], links, box_w, box_h)
    if len(raw) > 2:
        raw = _fit(raw, box_w, box_h)
    spread = _separate(raw, radii, box_w, box_h)
    points = [(margin_x + x, margin_top + y) for x, y in spread]

    parts = [_open("graph", width, height, label)]
    names = [name for _, name, _ in ordered]
    for (a, b), weight in pairs:
        if heaviest == lightest:
            stroke = 2.0
        else:
            stroke = 1 + 5 * (weight - lightest) / (heaviest - lightest)
        (xa, ya), (xb, yb) = points[a], points[b]
        parts.append(
            f'<line x1="{_n(xa)}" y1="{_n(ya)}" x2="{_n(xb)}" y2="{_n(yb)}" class="edge" '
            f'stroke-width="{_n(stroke)}"><title>{escape(names[a])} and {escape(names[b])}: '
            f"{_plural(weight, 'dream')} together</title></line>"
        )
    for (_slug, name, count), (x, y), r in zip(ordered, points, radii, strict=True):
        parts.append(
            f'<circle cx="{_n(x)}" cy="{_n(y)}" r="{_n(r)}" class="node">'
            f"<title>{escape(name)}: {_plural(count, 'dream')}</title></circle>"
        )
    for (_slug, name, _count), (x, y), r in zip(ordered, points, radii, strict=True):
        parts.append(
            f'<text x="{_n(x)}" y="{_n(y + r + 12)}" class="node__label" text-anchor="middle">'
            f"{escape(_clip(name, 18))}</text>"
        )
    parts.append("</svg>")
    return "".join(parts)
