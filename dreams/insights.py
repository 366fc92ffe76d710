"""The numbers behind /insights/: a few aggregate queries over one owner's dreams, never one
query per dream."""

from __future__ import annotations

import datetime

from django.db import connection
from django.db.models import Count, Q
from django.db.models.functions import TruncMonth

from dreams import vocabulary
from dreams.models import SHOWN, Dream, Motif, dream_day

GRAPH_MOTIFS = 30
GRAPH_EDGES = 120


def per_day(owner, *, since: datetime.date) -> dict[datetime.date, int]:
    rows = (
        Dream.objects.owned_by(owner)
        .annotate(day=dream_day())
        .filter(day__gte=since)
        .values("day")
        .annotate(n=Count("pk"))
    )
    return {row["day"]: row["n"] for row in rows}


def per_month(
    owner, *, months: int, today: datetime.date
) -> list[tuple[datetime.date, int, int, int]]:
    """(month, dreams, lucid, nightmares) for the last `months` months, empty months included."""
    first = (today.replace(day=1) - datetime.timedelta(days=31 * (months - 1))).replace(day=1)
    rows = (
        Dream.objects.owned_by(owner)
        .annotate(month=TruncMonth(dream_day()))
        .filter(month__gte=first)
        .values("month")
        .annotate(
            n=Count("pk"),
            lucid=Count("pk", filter=Q(lucid=True)),
            nightmares=Count("pk", filter=Q(nightmare=True)),
        )
    )
    found = {_as_date(r["month"]): (r["n"], r["lucid"], r["nightmares"]) for r in rows}
    out, month = [], first
    while month <= today:
        n, lucid, nightmares = found.get(month, (0, 0, 0))
        out.append((month, n, lucid, nightmares))
        month = (month + datetime.timedelta(days=32)).replace(day=1)
    return out


def _as_date(value) -> datetime.date:
    return value.date() if isinstance(value, datetime.datetime) else value


def top_motifs(owner, *, limit: int) -> list[Motif]:
    return list(Motif.objects.in_dreams(Dream.objects.owned_by(owner)).order_by(
        "-dream_count", "name")[:limit])  # fmt: skip


def top_tags(owner, *, limit: int):
    return list(vocabulary.tag_counts(owner).filter(dream_count__gt=0).order_by(
        "-dream_count", "normalised")[:limit])  # fmt: skip


def cooccurrence(owner, motifs: list[Motif]) -> list[tuple[int, int, int]]:
    """(motif a, motif b, dreams with both) among these motifs, strongest first: one query."""
    if len(motifs) < 2:
        return []
    ids = [m.pk for m in motifs]
    own_sql, own_params = (
        Dream.objects.owned_by(owner).order_by().values("pk").query.sql_with_params()
    )
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
