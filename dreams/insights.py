"""The numbers behind /insights/: a few aggregate queries over one owner's dreams, never one
query per dream.

What counts: the owner's dreams out of the trash, each by its newest version (earlier versions
live in the dream's history, never in a Dream row of their own). A dream counts in a
chart of time by the date it was dreamt: a day in every chart, a partial date in the charts of
the period it names ("March 2024" in that month and year, "(1957)" in that year), whether kept
as text (dreamt_on empty) or as the period's first day with its precision, never on the day it
was written down or imported; an undated dream, or one dated by a decade, in the totals only."""

from __future__ import annotations

import datetime
from collections import Counter
from typing import NamedTuple

from django.db import connection
from django.db.models import Count, Q
from django.db.models.functions import ExtractYear, TruncMonth

from dreams.dates import named_period
from dreams.models import SHOWN, DatePrecision, Dream, DreamQuerySet, Motif, Tag

GRAPH_MOTIFS = 30
GRAPH_EDGES = 120

# A date kept on the first day of what it names (dreamt_on_precision) counts in the charts of
# that period: a day in all of them, a month in months and years, a season or a year in years;
# a decade names no single year and counts in the totals only.
_PRECISION = "dreamt_on_precision"
ON_A_DAY = Q(**{f"{_PRECISION}__isnull": True}) | Q(**{_PRECISION: DatePrecision.DAY})
IN_A_MONTH = ON_A_DAY | Q(**{_PRECISION: DatePrecision.MONTH})
IN_A_YEAR = IN_A_MONTH | Q(**{f"{_PRECISION}__in": [DatePrecision.SEASON, DatePrecision.YEAR]})
# Per group: its dreams, and how many of them are lucid and how many nightmares.
_KINDS = {
    "n": Count("pk"),
    "lucid": Count("pk", filter=Q(lucid=True)),
    "nightmares": Count("pk", filter=Q(nightmare=True)),
}


def journal(owner) -> DreamQuerySet:
    """The dreams insights count: the owner's, out of the trash."""
    return Dream.objects.owned_by(owner)


class Partial(NamedTuple):
    """Dreams whose date names only a month or a year, grouped by the text as written."""

    year: int
    month: int | None
    dreams: int
    lucid: int
    nightmares: int


class Totals(NamedTuple):
    dreams: int  # the journal, every dream counted once
    undated: int  # of them, with no date or one that names no single period


def partials(owner, *, today: datetime.date) -> list[Partial]:
    """The partly dated dreams, by the period their date names: one query, grouped by text."""
    rows = (
        journal(owner)
        .filter(dreamt_on__isnull=True)
        .exclude(dreamt_on_text="")
        .values("dreamt_on_text")
        .annotate(**_KINDS)
        .order_by()
    )
    found = []
    for row in rows:
        period = named_period(row["dreamt_on_text"], today=today)
        if period is not None:
            found.append(Partial(*period, row["n"], row["lucid"], row["nightmares"]))
    return found


def totals(owner, *, partial: list[Partial]) -> Totals:
    """How many dreams, and undated ones: one query."""
    no_period = Q(dreamt_on__isnull=True) | ~IN_A_YEAR
    counted = journal(owner).aggregate(dreams=Count("pk"), no_day=Count("pk", filter=no_period))
    undated = counted["no_day"] - sum(p.dreams for p in partial)
    return Totals(counted["dreams"], undated)


def per_day(owner, *, since: datetime.date) -> dict[datetime.date, int]:
    """{day: dreams dreamt that day} from `since`, dreams with a whole date only."""
    rows = (
        journal(owner)
        .filter(ON_A_DAY, dreamt_on__gte=since)
        .values("dreamt_on")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return {row["dreamt_on"]: row["n"] for row in rows}


def per_month(
    owner, *, months: int, today: datetime.date, partial: list[Partial]
) -> list[tuple[datetime.date, int, int, int]]:
    """(month, dreams, lucid, nightmares) for the last `months` months, empty months
    included: dreams with a day, and partial dates that name a month."""
    first = (today.replace(day=1) - datetime.timedelta(days=31 * (months - 1))).replace(day=1)
    rows = (
        journal(owner)
        .filter(IN_A_MONTH, dreamt_on__gte=first)
        .annotate(month=TruncMonth("dreamt_on"))
        .values("month")
        .annotate(**_KINDS)
        .order_by()
    )
    found: dict[datetime.date, Counter] = {}
    for r in rows:
        found[_as_date(r["month"])] = Counter(n=r["n"], lucid=r["lucid"], nm=r["nightmares"])
    for p in partial:
        if p.month is not None:
            month = datetime.date(p.year, p.month, 1)
            found.setdefault(month, Counter()).update(n=p.dreams, lucid=p.lucid, nm=p.nightmares)
    out, month = [], first
    while month <= today:
        counts = found.get(month, Counter())
        out.append((month, counts["n"], counts["lucid"], counts["nm"]))
        month = (month + datetime.timedelta(days=32)).replace(day=1)
    return out


def per_year(owner, *, partial: list[Partial]) -> list[tuple[int, int]]:
    """(year, dreams) for every year with a dream, oldest first: dreams with a day, and
    partial dates that name a month or a year."""
    counts = Counter(
        {
            row["year"]: row["n"]
            for row in journal(owner)
            .filter(IN_A_YEAR, dreamt_on__isnull=False)
            .annotate(year=ExtractYear("dreamt_on"))
            .values("year")
            .annotate(n=Count("pk"))
            .order_by()
        }
    )
    for p in partial:
        counts[p.year] += p.dreams
    return sorted(counts.items())


def _as_date(value) -> datetime.date:
    return value.date() if isinstance(value, datetime.datetime) else value


def top_motifs(owner, *, limit: int) -> list[Motif]:
    return list(Motif.objects.in_dreams(journal(owner)).order_by("-dream_count", "name")[:limit])


def top_tags(owner, *, limit: int) -> list[Tag]:
    """The owner's tags on the dreams counted, each with `dream_count`, most used first."""
    return list(
        Tag.objects.owned_by(owner)
        .filter(dream_links__dream__in=journal(owner).values("pk"))
        .annotate(dream_count=Count("dream_links"))
        .order_by("-dream_count", "normalised")[:limit]
    )


def cooccurrence(owner, motifs: list[Motif]) -> list[tuple[int, int, int]]:
    """(motif a, motif b, dreams with both) among these motifs, strongest first: one query."""
    if len(motifs) < 2:
        return []
    ids = [m.pk for m in motifs]
    own_sql, own_params = journal(owner).order_by().values("pk").query.sql_with_params()
    marks = ", ".join(["%s"] * len(ids))
    statuses = ", ".join(["%s"] * len(SHOWN))
    sql = f"""
        SELECT a.motif_id, b.motif_id, COUNT(*) AS together
        FROM dreams_dreammotif a
        JOIN dreams_dreammotif b ON a.dream_id = b.dream_id AND a.motif_id < b.motif_id
        WHERE a.motif_id IN ({marks}) AND b.motif_id IN ({marks})
          AND a.status IN ({statuses}) AND b.status IN ({statuses})
          AND a.dream_id IN ({own_sql})
        GROUP BY a.motif_id, b.motif_id
        ORDER BY together DESC, a.motif_id, b.motif_id
        LIMIT %s
    """
    params = [*ids, *ids, *SHOWN, *SHOWN, *own_params, GRAPH_EDGES]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [tuple(row) for row in cursor.fetchall()]
