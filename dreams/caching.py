"""What each process keeps (settings.CACHES["local"]): the one place that builds cache keys
and the stamps that renew them. A key names what is kept, for whom, and the stamps it depends
on, so that a change to a dream makes a new key for everything that could show it; old keys
simply expire. Kept values are rows and numbers, not HTML: templates mark them up."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import TypeVar

from django.core.cache import caches
from django.db import connection

from dreams.models import Dream, JournalClock

T = TypeVar("T")


def journal_stamp() -> str:
    """Changes whenever any dream is added, edited, shared or unshared, trashed, restored,
    re-tagged or deleted (JournalClock, ticked by database triggers): one primary-key read,
    however large the journal."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT changes FROM {JournalClock._meta.db_table} WHERE id = 1")
        row = cursor.fetchone()
    return str(row[0] if row else 0)


def dream_stamp(dream: Dream) -> str:
    """Changes whenever this dream is saved: "pk@updated_at"."""
    return f"{dream.pk}@{dream.updated_at.timestamp()}"


def key(name: str, *parts: object) -> str:
    """The key of `name` for these parts, "name:part:…" (None as an empty part). Also the
    name of a template's {% cache %} fragment that depends on the same things."""
    return ":".join([name, *("" if part is None else str(part) for part in parts)])


def digest(text: str) -> str:
    """A fixed-length stand-in for a long or user-typed key part, such as a query string."""
    return hashlib.sha256(text.encode()).hexdigest()


def kept(key: str, build: Callable[[], T], *, seconds: int) -> T:
    """What build() returns, built at most once per process for this key and kept for
    `seconds` (or until the cache needs the room)."""
    return caches["local"].get_or_set(key, build, seconds)
