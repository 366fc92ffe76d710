"""Dates as dream reports write them: "2024-03-01", "(8/11/67)", "March 1, 2024", "(1957)",
"(1985?)", "4/11/2022 6:02 AM". Pure. A date is parsed when it names one day for certain;
otherwise it is kept as written. A time of day after a date is read past: a spreadsheet's
"4/10/2022 7:15" or an ISO "2022-04-11T23:30:00-05:00" names the day it writes."""

from __future__ import annotations

import datetime
import re
from typing import NamedTuple

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
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_YEAR_FIRST = re.compile(r"^(\d{4})[/.](\d{1,2})[/.](\d{1,2})$")  # 2022/04/11 (Google Forms)
_SLASHED = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{2}|\d{4})$")
# A time of day after a date (lower case): " 7:15", " 6:02 am", "t06:02:00.250z",
# "t23:30:00-05:00", " 6:02:33 am gmt+2". Read past: the date names the day as written.
_TIME = re.compile(
    r"(?:t|,? )\d{1,2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?(?: ?[ap]\.?m\.?)?"
    r"(?: ?(?:z|utc|gmt))?(?: ?[+-]\d{1,2}(?::?\d{2})?)?$"
)
_MONTH_FIRST = re.compile(r"^([a-z]+)\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})$")
_DAY_FIRST = re.compile(r"^(\d{1,2})(?:st|nd|rd|th)?\s+([a-z]+)\.?,?\s+(\d{4})$")


def _bare(text: str) -> str:
    """The date of a cell in lower case, without brackets or a time of day."""
    return _TIME.sub("", " ".join((text or "").split()).strip("()[] ").lower())


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
    day_first; a date that cannot be a day either way is kept as written. A time of day
    after the date is left out of the reading ("2022-04-11T06:02:00Z" is plain 11 April).
    """
    today = today or datetime.date.today()
    written = " ".join((text or "").split())[:64]
    core = _bare(written)
    if not core:
        return None, ""
    if match := _ISO.match(core):
        found = _day(int(match[1]), int(match[2]), int(match[3]))
        return (found, "") if found and found <= today else (None, written)
    found = None
    if match := _YEAR_FIRST.match(core):
        found = _day(int(match[1]), int(match[2]), int(match[3]))
    elif match := _SLASHED.match(core):
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


_YEAR = re.compile(r"(?<!\d)(1[89]\d\d|20\d\d)(?!\d)")
_MONTH_WORD = re.compile(r"[a-z]+")
_MONTH_SLASH_YEAR = re.compile(r"^(\d{1,2})[/.-](\d{2}|\d{4})$")
_YEAR_DASH_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")


def named_period(text: str, *, today: datetime.date) -> tuple[int, int | None] | None:
    """The period a partial date names, as (year, month or None): "March 2024", "2024-03" and
    "3/67" name a month; "(1957)", "1985?" and "spring 1957" a year. None when it names no
    single period ("1985-1987", "childhood"), or one after `today`. Pure."""
    core = " ".join((text or "").split()).strip("()[] ").lower()
    month = year = None
    if match := _YEAR_DASH_MONTH.match(core):
        year, month = int(match[1]), int(match[2])
    elif match := _MONTH_SLASH_YEAR.match(core):
        month, year = int(match[1]), _year(match[2], today=today)
    else:
        years = set(_YEAR.findall(core))
        if len(years) != 1:
            return None
        year = int(years.pop())
        months = {_MONTHS[w] for w in _MONTH_WORD.findall(core) if w in _MONTHS}
        month = months.pop() if len(months) == 1 else None
    if month is not None and not 1 <= month <= 12:
        return None
    if (year, month or 1) > (today.year, today.month):
        return None
    return year, month


class DreamDate(NamedTuple):
    """A date as a file wrote it: the day it names (or the first day of the month, season,
    year or decade a partial date names, so it sorts among them), the text as written when
    that is not a plain ISO day, and how much it names: "day", "month", "season", "year",
    "decade", or "" when it names nothing Somnia can place."""

    day: datetime.date | None
    written: str
    precision: str
    future: bool = False  # it names a day or a year after tomorrow


_FOUR = r"(\d{4})"
_SEASONS = {"spring": 3, "summer": 6, "autumn": 9, "fall": 9, "winter": 12}
_PARTIAL = [
    (re.compile(rf"^{_FOUR}-(\d{{1,2}})$"), "month"),  # 2020-03
    (re.compile(rf"^(\d{{1,2}})/{_FOUR}$"), "month-slash"),  # 03/2020
    (re.compile(rf"^([a-z]+)\.?,?\s+{_FOUR}$"), "month-or-season"),  # March 2020, spring 1957
    (re.compile(rf"^{_FOUR}s$"), "decade"),  # 1980s
    (re.compile(rf"^{_FOUR}$"), "year"),  # 2020
]
# Words around a partial date that name no more than it: "sometime in 2020", "(1985?)".
_HEDGES = re.compile(
    r"\b(?:sometime|some time|around|about|circa|ca|c|early|late|mid|in|the|of|during|"
    r"probably|maybe|approx|approximately)\b\.?|[?~]"
)


def _partial(core: str, *, today: datetime.date) -> tuple[datetime.date | None, str]:
    core = " ".join(_HEDGES.sub(" ", core).split())
    for pattern, kind in _PARTIAL:
        match = pattern.match(core)
        if not match:
            continue
        if kind == "month":
            found, precision = _day(int(match[1]), int(match[2]), 1), "month"
        elif kind == "month-slash":
            found, precision = _day(int(match[2]), int(match[1]), 1), "month"
        elif kind == "month-or-season":
            word, year = match[1], int(match[2])
            if word in _SEASONS:
                found, precision = _day(year, _SEASONS[word], 1), "season"
            else:
                month = _MONTHS.get(word)
                found, precision = (month and _day(year, month, 1)), "month"
        elif kind == "decade":
            year = int(match[1])
            found, precision = (_day(year, 1, 1) if year % 10 == 0 else None), "decade"
        else:
            found, precision = _day(int(match[1]), 1, 1), "year"
        if found and found <= today:
            return found, precision
        return None, ""
    return None, ""


def read_dream_date(
    text: str, *, day_first: bool = False, today: datetime.date | None = None
) -> DreamDate:
    """parse_dream_date(), and a date that names a month, season, year or decade placed on
    its first day with its precision ("sometime in 2020" sorts among 2020)."""
    today = today or datetime.date.today()
    day, written = parse_dream_date(text, day_first=day_first, today=today)
    if day:
        return DreamDate(day, written, "day")
    core = _bare(written)
    found, precision = _partial(core, today=today) if core else (None, "")
    if found is None and core:
        # Read again as if every year were past: a day or year found only then is a future one.
        later = (
            parse_dream_date(text, day_first=day_first, today=_FAR)[0]
            if _FOUR_DIGITS.search(core)
            else None
        )
        later = later or (_partial(core, today=_FAR)[0])
        if later and is_future(later, today=today):
            return DreamDate(None, written, "", future=True)
        if later and _ISO.match(core):  # tomorrow: already today somewhere on Earth
            return DreamDate(later, "", "day")
    return DreamDate(found, written, precision)


_FOUR_DIGITS = re.compile(r"\d{4}")
_FAR = datetime.date(9999, 12, 31)


def names_a_day(text: str) -> bool:
    """Whether the text is a whole date, a day of any year (a time of day may follow):
    "2022-05-01", "4/11/2022 6:02 AM"; not "(1957)", "Date" or a dream's words."""
    return parse_dream_date(text, today=_FAR)[0] is not None


def is_future(day: datetime.date | None, *, today: datetime.date) -> bool:
    """The entry form's rule: a day after tomorrow (anywhere on Earth) is not a dream's."""
    return day is not None and day > today + datetime.timedelta(days=1)


def slashed_parts(text: str) -> tuple[int, int, str] | None:
    """The two leading numbers of a slashed or dotted day ("3/4/21", "13.02.1999 06:02") and
    its separator, or None for any other shape."""
    match = _SLASHED.match(_bare(text))
    if not match:
        return None
    separator = "." if "." in match[0] else "/"
    return int(match[1]), int(match[2]), separator


class DayOrder(NamedTuple):
    """What a column of dates says about its order: day_first, whether the column itself
    decided it (a day over 12, or dotted dates), and the dates that read either way."""

    day_first: bool
    decided: bool
    ambiguous: list[str]


def infer_day_order(
    values, *, default_day_first: bool | None = None, lean_day_first: bool = False
) -> DayOrder:
    """The day/month order of a whole column: any first number over 12 means day first, any
    second number over 12 month first; DD.MM.YYYY (dots) is day first; a stated default
    decides; otherwise it leans (month first, or day first for a table whose headers are
    in a day-first language) and the dates that read both ways are listed."""
    day_first_seen = month_first_seen = dotted = False
    ambiguous: list[str] = []
    for value in values:
        parts = slashed_parts(value)
        if parts is None:
            continue
        first, second, separator = parts
        dotted = dotted or separator == "."
        if first > 12 >= second:
            day_first_seen = True
        elif second > 12 >= first:
            month_first_seen = True
        elif first != second and len(ambiguous) < 200:
            ambiguous.append(value.strip())
    if day_first_seen != month_first_seen:
        return DayOrder(day_first_seen, True, [])
    if default_day_first is not None:
        return DayOrder(default_day_first, True, [])
    if dotted and not month_first_seen:
        return DayOrder(True, True, [])
    return DayOrder(lean_day_first, not ambiguous, ambiguous)
