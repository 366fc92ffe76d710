"""The writer's own clock: each account's IANA time zone, and choosing it.

Somnia stores every time in UTC; a middleware (dreams.middleware.WriterTimeZoneMiddleware)
activates the viewer's zone, so "today", "Draft saved at" and every time shown are theirs.
"""

from __future__ import annotations

import functools
import zoneinfo

from django.db import transaction

from dreams.models import Profile

DEFAULT_ZONE = "UTC"
SESSION_KEY = "somnia_time_zone"


@functools.cache
def known_zones() -> frozenset[str]:
    """Every IANA zone name this machine's tz database knows ("Asia/Tokyo", ...)."""
    return frozenset(zoneinfo.available_timezones())


def is_known(name: str) -> bool:
    return name in known_zones()


def zone_choices() -> list[tuple[str, str]]:
    """The zones for a menu, sorted, with UTC first."""
    names = sorted(known_zones() - {DEFAULT_ZONE})
    return [(DEFAULT_ZONE, DEFAULT_ZONE), *((n, n.replace("_", " ")) for n in names)]


def zone_of(user) -> str:
    """The account's zone name (UTC for an account that never chose one)."""
    zone = Profile.objects.filter(user=user).values_list("time_zone", flat=True).first()
    return zone or DEFAULT_ZONE


@transaction.atomic
def set_zone(*, user, reported: str) -> str:
    """Give the account the zone a browser (or the account page) reported; a name that is
    not an IANA zone falls back to UTC and is remembered, so the account page can say so.
    Returns the zone now in use."""
    reported = (reported or "").strip()[:64]
    known = is_known(reported)
    zone = reported if known else DEFAULT_ZONE
    Profile.objects.update_or_create(
        user=user, defaults={"time_zone": zone, "unknown_zone": "" if known else reported}
    )
    return zone
