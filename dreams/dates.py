"""Dates as dream reports write them: "2024-03-01", "(8/11/67)", "March 1, 2024", "(1957)",
"(1985?)". Pure. A date is parsed when it names one day for certain; otherwise it is kept as
written."""

from __future__ import annotations

import datetime
import re

_MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"),
            ("may",), ("jun", "june"), ("jul", "july"), ("aug", "august"),
            ("sep", "sept", "september"), ("oct", "october"), ("nov", "november"),
            ("dec", "december"),
        ],
        start=1,
    )
    for name in names
}  # fmt: skip
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ][\d:.]+Z?)?$")
_SLASHED = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{2}|\d{4})$")
_MONTH_FIRST = re.compile(r"^([a-z]+)\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})$")
_DAY_FIRST = re.compile(r"^(\d{1,2})(?:st|nd|rd|th)?\s+([a-z]+)\.?,?\s+(\d{4})$")


def _year(text: str, *, today: datetime.date) -> int:
    year = int(text)
    if len(text) == 2:
        # Two digits: the most recent such year that is not in the future ("67" is 1967).
        year += 2000 if 2000 + year <= today.year else 1900
    return year


def _day(year: int, month: int, day: int) -> datetime.date | None:
    try:
        return datetime.date(year, month, day)
    except ValueError:
        return None


def parse_dream_date(
    text: str, *, day_first: bool = False, today: datetime.date | None = None
) -> tuple[datetime.date | None, str]:
    """(the day, or None) and the text as written when it was not a plain ISO day.

    Slashed dates are month first ("8/11/67" is 11 August 1967, as in DreamBank) unless
    day_first; a date that cannot be a day either way is kept as written.
    """
    today = today or datetime.date.today()
    written = " ".join((text or "").split())[:64]
    core = written.strip("()[] ").lower()
    if not core:
        return None, ""
    if match := _ISO.match(core):
        found = _day(int(match[1]), int(match[2]), int(match[3]))
        return (found, "") if found and found <= today else (None, written)
    found = None
    if match := _SLASHED.match(core):
        first, second, year = int(match[1]), int(match[2]), _year(match[3], today=today)
        month, day = (second, first) if day_first else (first, second)
        found = _day(year, month, day) or _day(year, day, month)
    elif match := _MONTH_FIRST.match(core):
        month = _MONTHS.get(match[1])
        found = month and _day(int(match[3]), month, int(match[2]))
    elif match := _DAY_FIRST.match(core):
        month = _MONTHS.get(match[2])
        found = month and _day(int(match[3]), month, int(match[1]))
    if found and found <= today:
        return found, written
    return None, written
