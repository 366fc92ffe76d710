"""Unsaved words: the rules that decide which copy of a draft is kept, pure and testable.

A draft lives in two places: on the server (a Draft row) and on the device (the browser's
copy, see static/js/writing.js). Each carries when its words last changed and a hash of the
words, computed the same way on both sides (CRC-32 of the UTF-8 text, as 8 hex digits).
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

# The writing form's checkboxes: a draft keeps them as true/false, a form posts them when ticked.
CHECKBOXES = {"undated", "lucid", "nightmare", "recurring", "show_tags"}


def as_post(*, title: str, body: str, fields: dict) -> dict:
    """A draft's words and fields back in the shape the writing form posts (checkboxes
    present only when ticked; what is not a form field, like its motif choices, left out)."""
    post = {"title": title, "body": body}
    for name, value in fields.items():
        if isinstance(value, dict | list) or value is None:
            continue
        if name in CHECKBOXES and not value:
            continue
        post[name] = value
    return post


# How far ahead of the server a device's clock may claim to be before it is not believed.
CLOCK_SLACK = timedelta(days=1)


def normalise_words(text: str) -> str:
    """The words as both sides hash them: one kind of line break, no NUL."""
    return text.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "")


def words_hash(*, title: str, body: str) -> str:
    """8 hex digits identifying a draft's words; the browser computes the same (writing.js)."""
    text = normalise_words(title) + "\x1f" + normalise_words(body)
    return f"{zlib.crc32(text.encode('utf-8')):08x}"


def device_time(raw: str | None, *, now: datetime) -> datetime:
    """When the device says the words were typed (milliseconds since the epoch, as sent by
    the form), or `now` when it did not say or said nonsense; never later than now + slack."""
    try:
        millis = int(raw or "")
        when = datetime.fromtimestamp(millis / 1000, tz=UTC)
    except (ValueError, OverflowError, OSError):
        return now
    return min(when, now + CLOCK_SLACK)


@dataclass(frozen=True)
class Kept:
    """One server draft as the quota sees it."""

    pk: int
    dream_id: int | None
    updated_at: datetime


def over_quota(
    drafts: Sequence[Kept],
    *,
    keep: int | None,
    per_account: int,
    per_dream: int,
    max_age: timedelta,
    now: datetime,
) -> list[int]:
    """The drafts to drop (their pks): the expired, then the oldest beyond each cap.

    `keep` (the draft just saved) is never dropped. `per_dream` counts the drafts of one
    dream, and of new entries (dream_id None) together."""
    # The kept draft first (it takes its place under the caps), then the newest.
    newest_first = sorted(drafts, key=lambda d: (d.pk == keep, d.updated_at), reverse=True)
    drop: list[int] = []
    alive: list[Kept] = []
    for draft in newest_first:
        if draft.pk != keep and now - draft.updated_at > max_age:
            drop.append(draft.pk)
        else:
            alive.append(draft)
    per_target: dict[int | None, int] = {}
    kept = 0
    for draft in alive:
        seen = per_target.get(draft.dream_id, 0)
        if draft.pk != keep and (seen >= per_dream or kept >= per_account):
            drop.append(draft.pk)
            continue
        per_target[draft.dream_id] = seen + 1
        kept += 1
    return drop


def openings(texts: Iterable[str], *, length: int = 120) -> list[str]:
    """The opening words of each text, on one line, for a list of drafts."""
    out = []
    for text in texts:
        line = " ".join(normalise_words(text).split())
        out.append(line if len(line) <= length else line[:length].rsplit(" ", 1)[0] + "…")
    return out
