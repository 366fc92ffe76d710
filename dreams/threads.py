"""Recurring dreams: a dream linked to an earlier one as "this dream again" makes a thread."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from dreams.models import Dream, DreamMotif

MAX_THREAD = 500


class ThreadError(ValueError):
    """A link that would not make a thread, with a message for the user."""


def when(dream: Dream) -> datetime.date:
    return dream.dreamt_on or dream.created_at.date()


def members(dream: Dream) -> list[Dream]:
    """Every dream of the thread this one belongs to, earliest first (one owner's only)."""
    own = Dream.objects.owned_by(dream.owner)
    root, seen = dream, {dream.pk}
    while root.recurs_id and root.recurs_id not in seen and len(seen) < MAX_THREAD:
        parent = own.filter(pk=root.recurs_id).first()
        if parent is None:
            break
        seen.add(parent.pk)
        root = parent
    found, frontier = {root.pk: root}, [root.pk]
    while frontier and len(found) < MAX_THREAD:
        children = list(own.filter(recurs_id__in=frontier).exclude(pk__in=found))
        found.update((child.pk, child) for child in children)
        frontier = [child.pk for child in children]
    return sorted(found.values(), key=lambda d: (when(d), d.created_at, d.pk))


def link(dream: Dream, *, earlier: Dream | None) -> None:
    """Mark a dream as the earlier one dreamt again (or unlink it with None)."""
    if earlier is not None:
        if earlier.owner_id != dream.owner_id or earlier.pk == dream.pk:
            raise ThreadError("Choose another dream of yours.")
        if _descends(earlier, dream):
            raise ThreadError("That dream already comes after this one in the thread.")
    Dream.objects.filter(pk=dream.pk).update(recurs=earlier, recurring=earlier is not None)


def _descends(candidate: Dream, ancestor: Dream) -> bool:
    node, steps = Dream.objects.get(pk=candidate.pk), 0
    while node.recurs_id and steps < MAX_THREAD:
        if node.recurs_id == ancestor.pk:
            return True
        node = Dream.objects.get(pk=node.recurs_id)
        steps += 1
    return False


@dataclass
class Occurrence:
    dream: Dream
    day: datetime.date
    gap_days: int | None = None
    came: list[str] = field(default_factory=list)
    went: list[str] = field(default_factory=list)


def story(thread: list[Dream]) -> list[Occurrence]:
    """Each occurrence with the days since the one before and the motifs that came and went."""
    names: dict[int, set[str]] = {d.pk: set() for d in thread}
    for dream_id, name in (
        DreamMotif.objects.shown()
        .filter(dream__in=[d.pk for d in thread])
        .values_list("dream_id", "motif__name")
    ):
        names[dream_id].add(name)
    out, previous = [], None
    for dream in thread:
        occurrence = Occurrence(dream, when(dream))
        if previous is not None:
            occurrence.gap_days = (occurrence.day - previous.day).days
            occurrence.came = sorted(names[dream.pk] - names[previous.dream.pk])
            occurrence.went = sorted(names[previous.dream.pk] - names[dream.pk])
        out.append(occurrence)
        previous = occurrence
    return out
