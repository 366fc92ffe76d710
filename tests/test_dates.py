import datetime

import pytest

from dreams.dates import (
    infer_day_order,
    names_a_day,
    parse_dream_date,
    read_dream_date,
    slashed_parts,
)

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


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("4/10/2022 7:15", datetime.date(2022, 4, 10)),  # Excel, US
        ("4/11/2022 6:02 AM", datetime.date(2022, 4, 11)),
        ("4/11/2022 6:02:33 pm", datetime.date(2022, 4, 11)),  # Google Sheets
        ("4/11/2022 11:59 p.m.", datetime.date(2022, 4, 11)),
        ("2022-04-11T06:02:00", datetime.date(2022, 4, 11)),
        ("2022-04-11T06:02:00.123456", datetime.date(2022, 4, 11)),
        ("2022-04-11T06:02:00Z", datetime.date(2022, 4, 11)),
        ("2022-04-11T06:02:00+02:00", datetime.date(2022, 4, 11)),
        ("2022-04-11T23:30:00-05:00", datetime.date(2022, 4, 11)),  # the day as written
        ("2022-04-11 06:02", datetime.date(2022, 4, 11)),
        ("2022/04/11 6:02:33 AM GMT+2", datetime.date(2022, 4, 11)),  # Google Forms' CSV
        ("2022/04/11", datetime.date(2022, 4, 11)),
    ],
)
def test_a_date_with_a_time_of_day_reads_as_that_day(text, day):
    assert parse_dream_date(text, today=TODAY)[0] == day
    assert read_dream_date(text, today=TODAY)[::2] == (day, "day")


def test_a_dotted_date_with_a_time_reads_day_first():
    assert parse_dream_date("11.04.2022 06:02", day_first=True, today=TODAY)[0] == (
        datetime.date(2022, 4, 11)
    )
    assert slashed_parts("11.04.2022 06:02") == (11, 4, ".")


@pytest.mark.parametrize("text", ["4/10/2022 7:15 banana", "4/10/2022 25", "2022-04-11T", "7:15"])
def test_a_time_does_not_make_other_words_a_date(text):
    assert parse_dream_date(text, today=TODAY)[0] is None


def test_a_future_date_with_a_time_is_still_future():
    assert read_dream_date("4/10/3022 7:15", today=TODAY).future


def test_the_day_order_of_a_column_with_times():
    assert infer_day_order(["4/10/2022 7:15", "4/13/2022 7:15 PM"]) == (False, True, [])
    assert infer_day_order(["4/10/2022 7:15", "13/04/2022 06:00"]) == (True, True, [])
    assert infer_day_order(["11.04.2022 06:02"]) == (True, True, [])
    assert infer_day_order(["4/10/2022 7:15"]).ambiguous == ["4/10/2022 7:15"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [("2022-05-01", True), ("4/11/2022 6:02 AM", True), ("(1957)", False),
     ("Date", False), ("I was flying over mountains.", False), ("3004-01-29", True)],
)  # fmt: skip
def test_names_a_day_whatever_the_year(text, expected):
    assert names_a_day(text) is expected
