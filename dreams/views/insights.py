"""/insights/: the shape of one person's dream life, drawn."""

from __future__ import annotations

import datetime

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_safe

from dreams import caching, insight_charts, insights

MONTHS = 24
CACHE_SECONDS = 300
TOP = 12


@login_required
@require_safe
def insights_page(request: HttpRequest) -> HttpResponse:
    # The charts change only when the journal does: kept per process under that key.
    key = caching.key(
        "insights", request.user.pk, caching.journal_stamp(), timezone.localdate().isoformat()
    )
    context = caching.kept(key, lambda: _insights(request.user), seconds=CACHE_SECONDS)
    return render(request, "dreams/insights.html", context)


def _insights(user) -> dict:
    today = timezone.localdate()
    partial = insights.partials(user, today=today)
    totals = insights.totals(user, partial=partial)
    if not totals.dreams:
        return {"totals": totals}
    days = insights.per_day(user, since=today - datetime.timedelta(days=371))
    months = insights.per_month(user, months=MONTHS, today=today, partial=partial)
    years = insights.per_year(user, partial=partial)
    motifs = insights.top_motifs(user, limit=insights.GRAPH_MOTIFS)
    tags = insights.top_tags(user, limit=TOP)
    pairs = insights.cooccurrence(user, motifs)
    names = {m.pk: m for m in motifs}
    linked = {pk for a, b, _ in pairs for pk in (a, b)}
    return {
        "totals": totals,
        "months_total": sum(n for _, n, _, _ in months),
        "year_total": sum(days.values()),
        "years": years,
        "per_year": insight_charts.bar_chart(
            [(str(year), n) for year, n in years], label="Dreams per year, by the date dreamt"
        ),
        "heatmap": insight_charts.calendar_heatmap(
            days, end=today, label=f"Dreams per day over the last year: {sum(days.values())}"
        ),
        "busiest": sorted(days.items(), key=lambda kv: (-kv[1], kv[0]))[:10],
        "months": months,
        "per_month": insight_charts.bar_chart(
            [(f"{m:%b %Y}", n) for m, n, _, _ in months],
            label=f"Dreams per month over the last {MONTHS} months",
        ),
        "shares": insight_charts.share_chart(
            [(f"{m:%b %Y}", n, lucid, nightmare) for m, n, lucid, nightmare in months],
            label="Share of lucid dreams and nightmares per month",
        ),
        "motifs": motifs[:TOP],
        "motif_bars": insight_charts.horizontal_bars(
            [(m.name, m.dream_count, reverse("dreams:motif", args=[m.slug])) for m in motifs[:TOP]],
            label="Your most frequent motifs",
        ),
        "tags": tags,
        "tag_bars": insight_charts.horizontal_bars(
            [(t.name, t.dream_count, "") for t in tags], label="Your most used tags"
        ),
        "pairs": [(names[a], names[b], n) for a, b, n in pairs[:TOP]],
        "graph": insight_charts.cooccurrence_graph(
            [(m.slug, m.name, m.dream_count) for m in motifs if m.pk in linked],
            [(names[a].slug, names[b].slug, n) for a, b, n in pairs],
            label="Motifs that appear together: bigger circles are more frequent motifs, "
            "thicker lines join motifs that share more dreams",
        ),
    }
