"""The writer's own clock: each account's IANA time zone, and choosing it.

Somnia stores every time in UTC; a middleware (dreams.middleware.WriterTimeZoneMiddleware)
activates the viewer's zone, so "today", "Draft saved at" and every time shown are theirs.
"""

from __future__ import annotations

import functools
import zoneinfo
from pathlib import Path

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


# The tz database's regions: its other names are the machine's own ("localtime",
# "posixrules", "Factory") or old country aliases ("US/Pacific", "Etc/GMT+5", "Cuba").
REGIONS = frozenset(
    {"Africa", "America", "Antarctica", "Arctic", "Asia", "Atlantic", "Australia", "Europe",
     "Indian", "Pacific"}
)  # fmt: skip


@functools.cache
def listed_zones() -> frozenset[str]:
    """The zones the tz database's zone.tab lists, one or more per country ("Europe/Kyiv",
    not its old name "Europe/Kiev"), from the first directory of zoneinfo.TZPATH that has it;
    empty where none does."""
    for directory in zoneinfo.TZPATH:
        table = Path(directory) / "zone.tab"
        if table.is_file():
            lines = table.read_text(encoding="utf-8").splitlines()
            return frozenset(line.split("\t")[2] for line in lines if line[:1] not in "#")
    return frozenset()


def zone_choices(current: str = DEFAULT_ZONE) -> list[tuple[str, str]]:
    """The zones for a menu, (name, label) sorted with UTC first: zone.tab's (else those of
    the tz database's regions), and `current` (the account's, perhaps an old name a browser
    reported)."""
    names = listed_zones() & known_zones() or {
        n for n in known_zones() if n.split("/", 1)[0] in REGIONS
    }
    names = sorted((names | ({current} & known_zones())) - {DEFAULT_ZONE})
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
