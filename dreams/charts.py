"""Small SVG charts drawn on the server: pure functions from numbers to markup."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from html import escape


def _points(values: Sequence[int], width: float, height: float, pad: float) -> list[tuple]:
    peak = max(values) or 1
    step = (width - 2 * pad) / max(len(values) - 1, 1)
    return [
        (pad + i * step, height - pad - (v / peak) * (height - 2 * pad))
        for i, v in enumerate(values)
    ]


def sparkline(values: Sequence[int], *, label: str, width: int = 120, height: int = 28) -> str:
    """A line of counts over time; the label is the chart's text alternative."""
    if not values:
        values = [0]
    if len(values) == 1:
        values = [values[0], values[0]]
    points = _points(values, width, height, 3)
    line = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
    area = f"3,{height - 3} {line} {width - 3},{height - 3}"
    last_x, last_y = points[-1]
    return (
        f'<svg class="sparkline" viewBox="0 0 {width} {height}" width="{width}" '
        f'height="{height}" role="img" aria-label="{escape(label)}">'
        f'<polygon points="{area}" class="sparkline__area"/>'
        f'<polyline points="{line}" class="sparkline__line"/>'
        f'<circle cx="{last_x:.1f}" cy="{last_y:.1f}" r="2.5" class="sparkline__dot"/></svg>'
    )


def month_range(first: datetime.date, last: datetime.date) -> list[datetime.date]:
    months, year, month = [], first.year, first.month
    while (year, month) <= (last.year, last.month):
        months.append(datetime.date(year, month, 1))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def timeline(
    events: Sequence[tuple[datetime.date, str, str]], *, label: str, width: int = 640
) -> str:
    """Dots on a line of years, one per (date, title, href); the page lists the dreams as links,
    so the picture stays a picture (role="img" may not hold links)."""
    height, pad = 70, 24
    if not events:
        return ""
    dates = [d for d, _, _ in events]
    first, last = min(dates), max(dates)
    span = max((last - first).days, 1)
    parts = [
        f'<svg class="timeline" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{escape(label)}">',
        f'<line x1="{pad}" y1="34" x2="{width - pad}" y2="34" class="timeline__axis"/>',
    ]
    for year in range(first.year, last.year + 1):
        x = pad + ((datetime.date(year, 1, 1) - first).days / span) * (width - 2 * pad)
        if pad <= x <= width - pad:
            parts.append(
                f'<text x="{x:.1f}" y="62" class="timeline__year" text-anchor="middle">'
                f"{year}</text>"
            )
    ends = [(pad, first, "start")] + ([(width - pad, last, "end")] if last != first else [])
    for x, day, anchor in ends:
        parts.append(
            f'<text x="{x:.1f}" y="16" class="timeline__year" text-anchor="{anchor}">'
            f"{day:%-d %b %Y}</text>"
        )
    for day, title, _href in events:
        x = pad + ((day - first).days / span) * (width - 2 * pad) if span > 1 else width / 2
        parts.append(
            f'<circle cx="{x:.1f}" cy="34" r="6" class="timeline__dot">'
            f"<title>{escape(title)} ({day:%-d %b %Y})</title></circle>"
        )
    parts.append("</svg>")
    return "".join(parts)
