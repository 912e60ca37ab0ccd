"""Recurrence rules and calendar edge cases, with explicit dates."""

from __future__ import annotations

import itertools
import os
import time
from collections.abc import Iterator
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tinycrm import recurrence
from tinycrm.dates import PartialDate, month_day_ranges, occurrences_between
from tinycrm.errors import UsageError


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        ("weekly", "FREQ=WEEKLY"),
        ("monthly", "FREQ=MONTHLY"),
        ("every 3 months", "FREQ=MONTHLY;INTERVAL=3"),
        ("yearly", "FREQ=YEARLY"),
        ("every 2 weeks on friday", "FREQ=WEEKLY;INTERVAL=2;BYDAY=FR"),
        ("Every Other Week", "FREQ=WEEKLY;INTERVAL=2"),
        ("RRULE:FREQ=MONTHLY;BYMONTHDAY=15", "FREQ=MONTHLY;BYMONTHDAY=15"),
    ],
)
def test_friendly_forms_become_rrules(text: str, rule: str) -> None:
    assert recurrence.parse_rule(text) == rule


@pytest.mark.parametrize(
    "text", ["fortnight-ish", "every 0 weeks", "monthly on friday", "FREQ=HOURLY", ""]
)
def test_unreadable_rule_echoes_the_text_and_an_example(text: str) -> None:
    with pytest.raises(UsageError) as caught:
        recurrence.parse_rule(text)
    assert repr(text) in str(caught.value)
    assert "every 3 months" in str(caught.value)


def test_jan_31_monthly_clamps_from_the_anchor_and_never_drifts() -> None:
    rule = recurrence.parse_rule("monthly")
    found = recurrence.occurrences(rule, date(2027, 1, 31), date(2027, 1, 1), date(2027, 6, 30))
    assert found == [
        date(2027, 1, 31),
        date(2027, 2, 28),
        date(2027, 3, 31),
        date(2027, 4, 30),
        date(2027, 5, 31),
        date(2027, 6, 30),
    ]
    # In a leap year February gets its 29th.
    leap = recurrence.next_after(rule, date(2028, 1, 31), date(2028, 1, 31))
    assert leap == date(2028, 2, 29)


def test_next_after_skips_to_the_first_occurrence_after_a_late_day() -> None:
    rule = recurrence.parse_rule("every 3 months")
    assert recurrence.next_after(rule, date(2026, 1, 31), date(2026, 11, 26)) == date(2027, 1, 31)
    weekly = recurrence.parse_rule("weekly")
    assert recurrence.next_after(weekly, date(2026, 11, 2), date(2026, 11, 26)) == date(
        2026, 11, 30
    )


def test_count_and_until_end_a_rule() -> None:
    assert recurrence.next_after("FREQ=WEEKLY;COUNT=2", date(2026, 1, 1), date(2026, 1, 8)) is None
    until = "FREQ=MONTHLY;UNTIL=20260301"
    assert recurrence.next_after(until, date(2026, 1, 1), date(2026, 2, 1)) == date(2026, 3, 1)
    assert recurrence.next_after(until, date(2026, 1, 1), date(2026, 3, 1)) is None


@pytest.fixture
def berlin() -> Iterator[None]:
    old = os.environ.get("TZ")
    os.environ["TZ"] = "Europe/Berlin"
    time.tzset()
    yield
    if old is None:
        del os.environ["TZ"]
    else:
        os.environ["TZ"] = old
    time.tzset()


@pytest.mark.usefixtures("berlin")
@pytest.mark.parametrize("text", ["weekly", "every 2 weeks on friday"])
def test_weekly_keeps_its_weekday_across_both_dst_changes(text: str) -> None:
    # Berlin: clocks go forward on 2027-03-28 and back on 2027-10-31.
    assert time.localtime(time.mktime((2027, 7, 1, 12, 0, 0, 0, 0, -1))).tm_isdst == 1
    rule = recurrence.parse_rule(text)
    anchor = date(2027, 1, 1)  # a Friday
    found = recurrence.occurrences(rule, anchor, anchor, date(2027, 12, 31))
    step = 7 if text == "weekly" else 14
    assert found[0] == anchor
    assert all(d.weekday() == 4 for d in found)
    assert all((b - a).days == step for a, b in itertools.pairwise(found))
    spring, autumn = date(2027, 3, 28), date(2027, 10, 31)
    assert any(d < spring for d in found) and any(d > autumn for d in found)
    assert any(spring - timedelta(days=step) <= d < spring for d in found)
    assert any(autumn < d <= autumn + timedelta(days=step) for d in found)


def test_window_wrapping_the_year_end_covers_both_years() -> None:
    start, end = date(2026, 12, 28), date(2027, 1, 3)
    assert month_day_ranges(start, end) == [("12-28", "12-31"), ("01-01", "01-03")]
    assert occurrences_between(PartialDate(1, 2, 1990), start, end) == [date(2027, 1, 2)]
    assert occurrences_between(PartialDate(12, 30), start, end) == [date(2026, 12, 30)]


@pytest.mark.parametrize(
    ("setting", "year", "expected"),
    [
        ("feb28", 2027, date(2027, 2, 28)),
        ("mar1", 2027, date(2027, 3, 1)),
        ("feb28", 2028, date(2028, 2, 29)),
        ("mar1", 2028, date(2028, 2, 29)),
    ],
)
def test_feb_29_in_common_and_leap_years(setting: str, year: int, expected: date) -> None:
    leapling = PartialDate(2, 29)  # year-less, the case Monica got wrong
    assert leapling.next_occurrence(date(year, 1, 1), setting) == expected
    window = occurrences_between(leapling, date(year, 2, 20), date(year, 3, 5), setting)
    assert window == [expected]
    ranges = month_day_ranges(expected, expected)
    assert any(low <= "02-29" <= high for low, high in ranges)


@given(
    birthday=st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 12, 31)),
    today=st.dates(min_value=date(1901, 1, 1), max_value=date(2099, 12, 31)),
    known_year=st.booleans(),
    setting=st.sampled_from(["feb28", "mar1"]),
)
def test_next_birthday_is_on_or_after_today_and_within_a_year(
    birthday: date, today: date, known_year: bool, setting: str
) -> None:
    partial = PartialDate(birthday.month, birthday.day, birthday.year if known_year else None)
    found = partial.next_occurrence(today, setting)
    assert today <= found
    assert (found - today).days <= 366
    # and the indexed look-up window of one day finds it on that very day
    assert occurrences_between(partial, found, found, setting) == [found]
    assert any(low <= partial.month_day <= high for low, high in month_day_ranges(found, found))
