"""Recurring dreams: a dream linked to an earlier one as "this dream again" makes a thread."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from dreams.models import Dream, DreamMotif, DreamQuerySet

MAX_THREAD = 500


class ThreadError(ValueError):
    """A link that would not make a thread, with a message for the user."""


def when(dream: Dream) -> datetime.date:
    return dream.dreamt_on or dream.created_at.date()


def _links(owner) -> dict[int, int | None]:
    """Each of the owner's live dreams and the earlier dream it recurs: one query."""
    return dict(Dream.objects.owned_by(owner).values_list("pk", "recurs_id"))


def members(dream: Dream, *, among: DreamQuerySet) -> list[Dream]:
    """The dreams of the thread this one belongs to that are `among` these (say, what a viewer
    may read: Dream.objects.visible_to(viewer)), earliest first. A thread is one owner's."""
    earlier = _links(dream.owner)
    later: dict[int, list[int]] = {}
    for pk, recurs in earlier.items():
        later.setdefault(recurs, []).append(pk)
    root, seen = dream.pk, {dream.pk}
    while earlier.get(root) in earlier and earlier[root] not in seen:
        root = earlier[root]
        seen.add(root)
    thread, frontier = {root}, [root]
    while frontier and len(thread) < MAX_THREAD:
        frontier = [pk for parent in frontier for pk in later.get(parent, ()) if pk not in thread]
        thread.update(frontier)
    found = among.filter(pk__in=thread)
    return sorted(found, key=lambda d: (when(d), d.created_at, d.pk))


def link(dream: Dream, *, earlier: Dream | None) -> None:
    """Mark a dream as the earlier one dreamt again (or unlink it with None)."""
    if earlier is not None:
        if earlier.owner_id != dream.owner_id or earlier.pk == dream.pk:
            raise ThreadError("Choose another dream of yours.")
        if _descends(earlier.pk, dream.pk, _links(dream.owner)):
            raise ThreadError("That dream already comes after this one in the thread.")
    Dream.objects.filter(pk=dream.pk).update(recurs=earlier, recurring=earlier is not None)


def _descends(candidate: int, ancestor: int, earlier: dict[int, int | None]) -> bool:
    node, steps = candidate, 0
    while earlier.get(node) is not None and steps < MAX_THREAD:
        node = earlier[node]
        if node == ancestor:
            return True
        steps += 1
    return False


@dataclass
class Occurrence:
    dream: Dream
    day: datetime.date
    gap_days: int | None = None
    came: list[str] = field(default_factory=list)
    went: list[str] = field(default_factory=list)


@dataclass
class Story:
    """A thread told in order: its occurrences, earliest first."""

    occurrences: list[Occurrence]

    @property
    def first(self) -> datetime.date | None:
        return self.occurrences[0].day if self.occurrences else None

    @property
    def last(self) -> datetime.date | None:
        return self.occurrences[-1].day if self.occurrences else None

    @property
    def mean_gap(self) -> int | None:
        """The days between one occurrence and the next, on average (rounded); None for one."""
        gaps = [o.gap_days for o in self.occurrences if o.gap_days is not None]
        return round(sum(gaps) / len(gaps)) if gaps else None


def story(thread: list[Dream]) -> Story:
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
    return Story(out)
