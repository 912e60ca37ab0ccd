"""Reading dates the way people type them, and year-less dates (birthdays, anniversaries).

Every function takes `today` explicitly: "today" is the caller's local calendar date, and all
arithmetic is on calendar dates, never on UTC timestamps, so DST cannot shift a day.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

from tinycrm.errors import UsageError
from tinycrm.wording import day_month

Prefer = Literal["future", "past"]

WEEKDAYS = {
    name: index
    for index, names in enumerate(
        [
            ("monday", "mon"),
            ("tuesday", "tue", "tues"),
            ("wednesday", "wed"),
            ("thursday", "thu", "thur", "thurs"),
            ("friday", "fri"),
            ("saturday", "sat"),
            ("sunday", "sun"),
        ]
    )
    for name in names
}
MONTHS = {
    name: index
    for index, names in enumerate(
        [
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ],
        start=1,
    )
    for name in names
}
UNITS = {
    "d": "days", "day": "days", "days": "days",
    "w": "weeks", "week": "weeks", "weeks": "weeks",
    "m": "months", "month": "months", "months": "months",
    "y": "years", "year": "years", "years": "years",
}  # fmt: skip

_ISO = r"^(\d{4})-(\d{1,2})-(\d{1,2})$"
_COMPACT = r"^(\d{4})(\d{2})(\d{2})$"
# Amounts are capped at 6 digits: more is never a real date, and int() of a huge digit string
# raises ValueError (Python's 4300-digit limit) instead of a usage error.
_RELATIVE = r"^([+-])\s*(\d{1,6})\s*([a-z]+)$"
_IN_N = r"^in\s+(\d{1,6})\s*([a-z]+)$"
_AGO = r"^(\d{1,6})\s*([a-z]+)\s+ago$"
_BARE = r"^(\d{1,6})\s*([a-z]+)$"  # 3d, 2w: forward, as +3d
# 03/04, 03.04, 03-04 (the same date whatever the separator), optionally with a year.
_NUMERIC = r"^(\d{1,2})([/.-])(\d{1,2})(?:\2(\d{2}|\d{4}))?$"
_YEAR_FIRST = r"^(\d{4})([/.])(\d{1,2})\2(\d{1,2})$"  # 2026/12/24
_WORDS = r"^(?:(\d{1,2})\s+([a-z]+)|([a-z]+)\s+(\d{1,2}))(?:,?\s+(\d{4}))?$"

# Typed dates are kept well inside Python's year 1..9999, so the windows computed from them
# (--days up to ten years, overdue look-backs, recurrences) never overflow.
MIN_YEAR, MAX_YEAR = 1000, 8999

DATE_HELP = "e.g. 2026-12-01, today, tomorrow, friday, next week, eom, +3d, 2w, dec 24"


def parse_date(
    text: str, today: date, *, day_first: bool = True, prefer: Prefer = "future"
) -> date:
    """Read a date typed by a person. Raise UsageError quoting the input when it cannot."""
    value = " ".join(text.strip().lower().split())
    result = _parse(value, today, day_first, prefer)
    if result is None:
        shown = text if len(text) <= 80 else text[:80] + "…"
        raise UsageError(f"cannot read date {shown!r} ({DATE_HELP})")
    if not MIN_YEAR <= result.year <= MAX_YEAR:
        raise UsageError(
            f"date {text.strip()!r} ({result}) is out of range: years {MIN_YEAR} to {MAX_YEAR}"
        )
    return result


def read_as_of(text: str, today: date, *, day_first: bool = True) -> date:
    """The day an `--as-of DATE` option names: a date without a year is its next one."""
    return parse_date(text, today, day_first=day_first, prefer="future")


def _parse(value: str, today: date, day_first: bool, prefer: Prefer) -> date | None:
    named = {"today": 0, "now": 0, "tomorrow": 1, "yesterday": -1}
    if value in named:
        return today + timedelta(days=named[value])
    period = _period(value, today)
    if period is not None:
        return period
    weekday = _weekday(value, today, prefer)
    if weekday is not None:
        return weekday
    bare = re.match(_BARE, value)
    if bare and bare[2] in UNITS:
        return _shift(today, int(bare[1]), bare[2])
    for pattern, sign in ((_RELATIVE, None), (_IN_N, "+"), (_AGO, "-")):
        match = re.match(pattern, value)
        if match:
            groups = match.groups()
            if sign is None:
                sign, groups = groups[0], groups[1:]
            return _shift(today, int(groups[0]) * (1 if sign == "+" else -1), groups[1])
    return _absolute(value, today, day_first, prefer)


def _period(value: str, today: date) -> date | None:
    """`next week` (its Monday), `next month` (its 1st), `eom`/`end of month`, `eoy`."""
    if value == "next week":
        return today + timedelta(days=7 - today.weekday())
    if value == "next month":
        return add_months(today.replace(day=1), 1)
    if value in ("eom", "end of month"):
        return today.replace(day=calendar.monthrange(today.year, today.month)[1])
    if value in ("eoy", "end of year"):
        return date(today.year, 12, 31)
    return None


def _weekday(value: str, today: date, prefer: Prefer) -> date | None:
    """`friday`/`next friday`: the next one, never today (for a past event: the last one);
    `this friday`: today if it is Friday, else the next one; `last friday`: the last one."""
    word, _, name = value.rpartition(" ")
    if name not in WEEKDAYS or word not in ("", "next", "this", "last"):
        return None
    ahead = (WEEKDAYS[name] - today.weekday()) % 7  # 0 when today is that day
    if word == "this":
        return today + timedelta(days=ahead)
    if word == "last" or (word == "" and prefer == "past"):
        return today - timedelta(days=(today.weekday() - WEEKDAYS[name] - 1) % 7 + 1)
    return today + timedelta(days=ahead or 7)


def _shift(today: date, amount: int, unit_text: str) -> date | None:
    unit = UNITS.get(unit_text)
    if unit is None:
        return None
    if unit == "days":
        return _safe(lambda: today + timedelta(days=amount))
    if unit == "weeks":
        return _safe(lambda: today + timedelta(weeks=amount))
    months = amount if unit == "months" else amount * 12
    return _safe(lambda: add_months(today, months))


def _safe(make: Callable[[], date]) -> date | None:
    try:
        return make()
    except (OverflowError, ValueError):
        return None


def next_open_day(day: date, open_days: frozenset[int] | None) -> date:
    """`day`, or the first day after it that is one of `open_days` (weekday numbers, Monday
    0); None or an empty set: every day is open."""
    if not open_days:
        return day
    while day.weekday() not in open_days:
        day += timedelta(days=1)
    return day


def add_months(start: date, months: int) -> date:
    """Calendar month arithmetic that clamps to the month's last day (Jan 31 + 1 → Feb 28)."""
    index = start.year * 12 + start.month - 1 + months
    year, month = divmod(index, 12)
    day = min(start.day, calendar.monthrange(year, month + 1)[1])
    return date(year, month + 1, day)


def _absolute(value: str, today: date, day_first: bool, prefer: Prefer) -> date | None:
    parts = _calendar_parts(value, day_first)
    if parts is None:
        return None
    year, month, day = parts
    if year is None:
        return _year_less(month, day, today, prefer)
    return _make(year, month, day)


def _calendar_parts(value: str, day_first: bool) -> tuple[int | None, int, int] | None:
    """(year or None, month, day) of a calendar date as typed: ISO, 20261224, 2026/12/24,
    03/04 or 03-04 (day-first or month-first), 24 dec, dec 24, 24 dec 2026."""
    for pattern in (_ISO, _COMPACT):
        match = re.match(pattern, value)
        if match:
            return int(match[1]), int(match[2]), int(match[3])
    match = re.match(_YEAR_FIRST, value)
    if match:
        return int(match[1]), int(match[3]), int(match[4])
    match = re.match(_NUMERIC, value)
    if match:
        first, second = int(match[1]), int(match[3])
        day, month = (first, second) if day_first else (second, first)
        year = int(match[4]) if match[4] else None
        return (year + 2000 if year is not None and year < 100 else year), month, day
    match = re.match(_WORDS, value)
    if match:
        day_text, month_text = (match[1], match[2]) if match[1] else (match[4], match[3])
        month_number = _month(month_text)
        if month_number is None:
            return None
        return (int(match[5]) if match[5] else None), month_number, int(day_text)
    return None


def _month(text: str) -> int | None:
    if text in MONTHS:
        return MONTHS[text]
    matches = {number for name, number in MONTHS.items() if name.startswith(text)}
    return matches.pop() if len(text) >= 3 and len(matches) == 1 else None


def _make(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _year_less(month: int, day: int, today: date, prefer: Prefer) -> date | None:
    """The nearest `month`-`day` on or after today (or on or before it, for past events)."""
    if _make(2000, month, day) is None:
        return None
    step = 1 if prefer == "future" else -1
    year: int = today.year
    for _ in range(9):  # Feb 29 may need up to 8 years to recur
        candidate = _make(year, month, day)
        if candidate and (candidate >= today if step == 1 else candidate <= today):
            return candidate
        year += step
    return None


@dataclass(frozen=True)
class PartialDate:
    """A month and day with an optional year: a birthday or an anniversary."""

    month: int
    day: int
    year: int | None = None

    def __post_init__(self) -> None:
        if _make(self.year or 2000, self.month, self.day) is None:
            raise UsageError(f"no such date: {self.iso()}")

    def iso(self) -> str:
        """'1980-03-14', or '--03-14' when the year is unknown (as vCard 4 writes it)."""
        prefix = f"{self.year:04d}" if self.year else "-"
        return f"{prefix}-{self.month:02d}-{self.day:02d}"

    @property
    def month_day(self) -> str:
        return f"{self.month:02d}-{self.day:02d}"

    def occurrence_in(self, year: int, feb29: str = "feb28") -> date:
        return occurrence_in(self.month, self.day, year, feb29)

    def display(self) -> str:
        """'24 Dec', or '24 Dec 1986' when the year is known."""
        return day_month(self.month, self.day, self.year)

    def next_occurrence(self, on_or_after: date, feb29: str = "feb28") -> date:
        this_year = self.occurrence_in(on_or_after.year, feb29)
        if this_year >= on_or_after:
            return this_year
        return self.occurrence_in(on_or_after.year + 1, feb29)


_PARTIAL = r"^(?:(\d{4})-?|--|-)?(\d{2})-?(\d{2})$"


def parse_partial_date(text: str) -> PartialDate:
    """Read '1980-03-14', '19800314', '03-14', '--03-14', '--0314'. Year 0000/1604 → no year."""
    value = text.strip()
    match = re.match(_PARTIAL, value)
    if not match:
        raise UsageError(f"cannot read date {text!r} (e.g. 1980-03-14, or 03-14 without a year)")
    # 0000 and Apple's 1604 are placeholders for "year unknown".
    year = int(match[1]) if match[1] and match[1] not in ("0000", "1604") else None
    if year is not None and year > MAX_YEAR:
        raise UsageError(f"cannot read date {text!r}: the year is after {MAX_YEAR}")
    try:
        return PartialDate(int(match[2]), int(match[3]), year)
    except UsageError:
        raise UsageError(f"cannot read date {text!r}: no such day") from None


def occurrence_in(month: int, day: int, year: int, feb29: str = "feb28") -> date:
    """A month-day in `year`; Feb 29 falls on Feb 28 (or Mar 1) in common years."""
    if month == 2 and day == 29 and not calendar.isleap(year):
        return date(year, 3, 1) if feb29 == "mar1" else date(year, 2, 28)
    return date(year, month, day)


def stored_display(stored: str) -> str:
    """A date as stored ('1986-12-24' or '--12-24') as people read it: '24 Dec 1986', '24 Dec'."""
    year = None if stored.startswith("-") else int(stored[:4]) or None
    return day_month(int(stored[-5:-3]), int(stored[-2:]), year)


def parse_birthday(text: str, *, day_first: bool = True) -> PartialDate:
    """A birthday or anniversary as a person types it: any calendar form `parse_date` reads,
    with or without a year (`14 mar 1980`, `14/03/1980`, `14 mar`, `03/04`, `03-04`, read by
    the same day/month rule), or vCard's `--03-14`."""
    value = " ".join(text.strip().lower().split())
    if value.startswith("--"):
        return parse_partial_date(value)
    parts = _calendar_parts(value, day_first)
    if parts is None:
        raise UsageError(
            f"cannot read date {text!r} (e.g. 1980-03-14, 14 mar 1980, or 14 mar without a year)"
        )
    year, month, day = parts
    if year is not None and not MIN_YEAR <= year <= MAX_YEAR:
        raise UsageError(f"cannot read date {text!r}: years {MIN_YEAR} to {MAX_YEAR}")
    try:
        return PartialDate(month, day, year)
    except UsageError:
        raise UsageError(f"cannot read date {text!r}: no such day") from None


def occurrences_between(
    partial: PartialDate, start: date, end: date, feb29: str = "feb28"
) -> list[date]:
    """Every occurrence of a year-less date within [start, end] (inclusive)."""
    found = []
    for year in range(start.year, end.year + 1):
        when = partial.occurrence_in(year, feb29)
        if start <= when <= end:
            found.append(when)
    return found


def stored_occurrences(
    stored: str, start: date, end: date, feb29: str = "feb28"
) -> list[tuple[date, int | None]]:
    """(occurrence, years since) for each occurrence in [start, end] of a date as stored
    ('1980-03-14' or '--03-14'): `occurrences_between` without building a PartialDate, for
    the thousands of birthdays a queue window can hold."""
    year = None if stored.startswith("-") else int(stored[:4]) or None
    month, day = int(stored[-5:-3]), int(stored[-2:])
    found = []
    for current in range(start.year, end.year + 1):
        when = occurrence_in(month, day, current, feb29)
        if start <= when <= end:
            found.append((when, current - year if year else None))
    return found


def month_days_on(day: date, feb29: str = "feb28") -> list[str]:
    """The 'MM-DD's that occur on `day`: its own, and Feb 29 on the day a common year shows it."""
    found = [day.strftime("%m-%d")]
    if not calendar.isleap(day.year) and occurrence_in(2, 29, day.year, feb29) == day:
        found.append("02-29")
    return found


def month_day_ranges(start: date, end: date) -> list[tuple[str, str]]:
    """'MM-DD' ranges covering [start, end], split at the year end, for an indexed lookup.

    Feb 29 is added whenever the window touches Feb 28 or Mar 1, where a common year shows it;
    callers then compute the real occurrence with `occurrences_between`.
    """
    if (end - start).days >= 365:
        return [("01-01", "12-31")]
    if start.year == end.year:
        ranges = [(start.strftime("%m-%d"), end.strftime("%m-%d"))]
    else:
        ranges = [(start.strftime("%m-%d"), "12-31"), ("01-01", end.strftime("%m-%d"))]
    if any(low <= "03-01" and high >= "02-28" for low, high in ranges):
        ranges.append(("02-29", "02-29"))
    return ranges
