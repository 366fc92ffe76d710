import datetime

import pytest

from dreams.dates import parse_dream_date

TODAY = datetime.date(2026, 11, 22)


@pytest.mark.parametrize(
    ("text", "day", "kept"),
    [
        ("2024-03-01", datetime.date(2024, 3, 1), ""),
        ("(8/11/67)", datetime.date(1967, 8, 11), "(8/11/67)"),
        ("8/11/1967", datetime.date(1967, 8, 11), "8/11/1967"),
        ("13/2/99", datetime.date(1999, 2, 13), "13/2/99"),  # cannot be month 13
        ("3/4/05", datetime.date(2005, 3, 4), "3/4/05"),
        ("March 1, 2024", datetime.date(2024, 3, 1), "March 1, 2024"),
        ("1st March 2024", datetime.date(2024, 3, 1), "1st March 2024"),
        ("(1957)", None, "(1957)"),
        ("(1985?)", None, "(1985?)"),
        ("spring 1990", None, "spring 1990"),
        ("2030-01-01", None, "2030-01-01"),  # the future is not a dream's date
        ("2024-02-30", None, "2024-02-30"),
        ("", None, ""),
        ("   ", None, ""),
    ],
)
def test_messy_dates(text, day, kept):
    assert parse_dream_date(text, today=TODAY) == (day, kept)


def test_day_first_when_asked():
    assert parse_dream_date("8/11/67", day_first=True, today=TODAY)[0] == datetime.date(1967, 11, 8)


@pytest.mark.parametrize(
    ("text", "period"),
    [
        ("(1957)", (1957, None)),
        ("1985?", (1985, None)),
        ("sometime in 2020", (2020, None)),
        ("spring 1957", (1957, None)),
        ("March 2024", (2024, 3)),
        ("(Mar. 1967)", (1967, 3)),
        ("2024-03", (2024, 3)),
        ("3/67", (1967, 3)),
        ("1985-1987", None),
        ("childhood", None),
        ("", None),
        ("13/2020", None),
        ("2031", None),
    ],
)
def test_named_period_reads_the_month_or_year_a_partial_date_names(text, period):
    from dreams.dates import named_period

    assert named_period(text, today=datetime.date(2026, 11, 30)) == period
