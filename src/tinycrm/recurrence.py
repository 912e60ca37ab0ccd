"""Recurrence rules for follow-ups: friendly text → RRULE, and occurrences from an anchor date.

A rule is stored as RRULE text (RFC 5545, without the `RRULE:` prefix) next to its anchor, the
first occurrence. Occurrences are computed from the anchor, never from the previous occurrence,
so a monthly rule anchored on Jan 31 gives Feb 28 (29), Mar 31, Apr 30 … and never drifts to
the 28th for good (taskwarrior #1698).

Simple rules (FREQ with INTERVAL, COUNT, UNTIL only) are computed with calendar arithmetic on
`date` objects: monthly and yearly ones clamp to the month's last day. Anything richer (BYDAY,
BYMONTHDAY, …) goes to python-dateutil's rrule, fed naive midnight datetimes. Neither path ever
touches a time zone, so DST cannot shift an occurrence by a day (taskwarrior #75).
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

from tinycrm.dates import WEEKDAYS, add_months
from tinycrm.errors import UsageError

RULE_HELP = (
    "e.g. daily, weekly, monthly, yearly, every 3 months, every 2 weeks on friday,"
    " or an RRULE like FREQ=MONTHLY;BYMONTHDAY=15"
)

_FREQS = {"day": "DAILY", "week": "WEEKLY", "month": "MONTHLY", "year": "YEARLY"}
_ADVERBS = {
    "daily": ("DAILY", 1),
    "weekly": ("WEEKLY", 1),
    "fortnightly": ("WEEKLY", 2),
    "biweekly": ("WEEKLY", 2),
    "monthly": ("MONTHLY", 1),
    "quarterly": ("MONTHLY", 3),
    "yearly": ("YEARLY", 1),
    "annually": ("YEARLY", 1),
}
_BYDAY_CODES = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
_NUMBERS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "other": 2}
_EVERY = (
    r"^(?:every\s+)?(?:(\d+|one|two|three|four|five|six|other)\s+)?"
    r"(day|week|month|year)s?$"
)
_SIMPLE_KEYS = {"FREQ", "INTERVAL", "COUNT", "UNTIL", "WKST"}
_MAX_INTERVAL = 1000


def parse_rule(text: str) -> str:
    """Read a friendly rule or an RRULE; return canonical RRULE text. UsageError echoes input."""
    value = " ".join(text.strip().lower().split())
    rule = _friendly(value)
    if rule is None and "freq=" in value:
        rule = value.upper().removeprefix("RRULE:")
    if rule is None:
        raise UsageError(f"cannot read recurrence {text!r} ({RULE_HELP})")
    try:
        parts = rule_parts(rule)
        _validate(parts)
        # Build it once so dateutil rejects what it cannot compute.
        if not _is_simple(parts):
            _dateutil_rule(rule, date(2000, 1, 1))
    except (ValueError, TypeError, KeyError) as exc:
        raise UsageError(f"cannot read recurrence {text!r}: {exc} ({RULE_HELP})") from None
    return rule


def _friendly(value: str) -> str | None:
    head, sep, on_text = value.partition(" on ")
    on_day = on_text.strip() if sep else None
    bare = head.removeprefix("every ").strip()
    if bare in _ADVERBS:
        freq, interval = _ADVERBS[bare]
        return _compose(freq, interval, on_day)
    match = re.match(_EVERY, head)
    if not match:
        return None
    count_text, unit = match.groups()
    if count_text is None:
        interval = 1
    elif count_text.isdigit():
        interval = int(count_text)
    else:
        interval = _NUMBERS[count_text]
    return _compose(_FREQS[unit], interval, on_day)


def _compose(freq: str, interval: int, on_text: str | None) -> str | None:
    rule = f"FREQ={freq}"
    if interval != 1:
        rule += f";INTERVAL={interval}"
    if on_text:
        days = [d.strip() for d in re.split(r"\s*(?:,|\band\b)\s*", on_text) if d.strip()]
        codes = []
        for day in days:
            name = day.removesuffix("s") if day.removesuffix("s") in WEEKDAYS else day
            if name not in WEEKDAYS or freq not in ("WEEKLY", "MONTHLY", "YEARLY"):
                return None
            codes.append(_BYDAY_CODES[WEEKDAYS[name]])
        if freq != "WEEKLY":
            return None  # "monthly on friday" is ambiguous: ask for an RRULE instead
        rule += ";BYDAY=" + ",".join(dict.fromkeys(codes))
    return rule


def rule_parts(rule: str) -> dict[str, str]:
    parts: dict[str, str] = {}
    for item in rule.strip().upper().removeprefix("RRULE:").split(";"):
        if not item:
            continue
        key, sep, val = item.partition("=")
        if not sep or not val:
            raise ValueError(f"{item!r} is not KEY=VALUE")
        parts[key.strip()] = val.strip()
    return parts


def _validate(parts: dict[str, str]) -> None:
    if parts.get("FREQ") not in ("DAILY", "WEEKLY", "MONTHLY", "YEARLY"):
        raise ValueError("FREQ must be DAILY, WEEKLY, MONTHLY or YEARLY")
    interval = parts.get("INTERVAL", "1")
    if not _ascii_digits(interval) or not 1 <= int(interval) <= _MAX_INTERVAL:
        raise ValueError(f"the interval must be between 1 and {_MAX_INTERVAL}")
    if "COUNT" in parts and not _ascii_digits(parts["COUNT"]):
        raise ValueError("COUNT must be a number")
    if "UNTIL" in parts:
        _until(parts)


def _ascii_digits(text: str) -> bool:
    """`str.isdigit` alone accepts '²' and other digits that `int` rejects."""
    return text.isascii() and text.isdigit()


def _until(parts: dict[str, str]) -> date | None:
    text = parts.get("UNTIL")
    if text is None:
        return None
    digits = text[:8]
    if not _ascii_digits(digits) or len(digits) != 8:
        raise ValueError("UNTIL must be a date like 20271231")
    return date(int(digits[:4]), int(digits[4:6]), int(digits[6:8]))


def _is_simple(parts: dict[str, str]) -> bool:
    return set(parts) <= _SIMPLE_KEYS


def describe(rule: str) -> str:
    """A short human form of a rule: 'monthly', 'every 3 months', 'every 2 weeks on friday',
    'weekly, 2 times', 'monthly, until 2027-06-30'."""
    parts = rule_parts(rule)
    unit = {v: k for k, v in _FREQS.items()}[parts["FREQ"]]
    interval = int(parts.get("INTERVAL", "1"))
    text = (
        {"day": "daily", "week": "weekly", "month": "monthly", "year": "yearly"}[unit]
        if interval == 1
        else f"every {interval} {unit}s"
    )
    if "BYDAY" in parts:
        names = {code: name for name, code in zip(_WEEKDAY_NAMES, _BYDAY_CODES, strict=True)}
        text += " on " + ", ".join(names.get(c, c) for c in parts["BYDAY"].split(","))
    if "COUNT" in parts:
        count = int(parts["COUNT"])
        text += ", once" if count == 1 else f", {count} times"
    until = _until(parts)
    if until is not None:
        text += f", until {until.isoformat()}"
    extra = {k: v for k, v in parts.items() if k not in ("FREQ", "INTERVAL", "BYDAY", "COUNT",
                                                         "UNTIL", "WKST")}  # fmt: skip
    if extra:
        text += ", " + ";".join(f"{k}={v}" for k, v in extra.items())
    return text


_WEEKDAY_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def first_on_or_after(rule: str, anchor: date, day: date) -> date | None:
    """The first occurrence on or after `day` (None when the rule has ended)."""
    return next_after(rule, anchor, day - timedelta(days=1))


def next_after(rule: str, anchor: date, after: date) -> date | None:
    """The first occurrence strictly after `after`, counted from `anchor`; None if it ended."""
    parts = rule_parts(rule)
    if not _is_simple(parts):
        return _dateutil_next(rule, anchor, after)
    interval = int(parts.get("INTERVAL", "1"))
    count = int(parts["COUNT"]) if "COUNT" in parts else None
    until = _until(parts)
    index = _first_index_after(parts["FREQ"], interval, anchor, after)
    if count is not None and index >= count:
        return None
    found = _nth(parts["FREQ"], interval, anchor, index)
    if until is not None and found > until:
        return None
    return found


def _nth(freq: str, interval: int, anchor: date, index: int) -> date:
    """Occurrence number `index` (0 = the anchor), clamped to month ends from the anchor."""
    if freq == "DAILY":
        return anchor + timedelta(days=index * interval)
    if freq == "WEEKLY":
        return anchor + timedelta(weeks=index * interval)
    months = index * interval * (12 if freq == "YEARLY" else 1)
    return add_months(anchor, months)


def _first_index_after(freq: str, interval: int, anchor: date, after: date) -> int:
    if after < anchor:
        return 0
    if freq in ("DAILY", "WEEKLY"):
        step = interval * (7 if freq == "WEEKLY" else 1)
        return (after - anchor).days // step + 1
    per = interval * (12 if freq == "YEARLY" else 1)
    months = (after.year - anchor.year) * 12 + after.month - anchor.month
    index = max(months // per - 1, 0)
    while _nth(freq, interval, anchor, index) <= after:
        index += 1
    return index


def _dateutil_rule(rule: str, anchor: date) -> object:
    from dateutil.rrule import rrulestr

    start = datetime(anchor.year, anchor.month, anchor.day)
    return rrulestr(rule, dtstart=start, ignoretz=True)


def _dateutil_next(rule: str, anchor: date, after: date) -> date | None:
    parsed = _dateutil_rule(rule, anchor)
    found = parsed.after(datetime(after.year, after.month, after.day), inc=False)  # type: ignore[attr-defined]
    return found.date() if found is not None else None


def occurrences(rule: str, anchor: date, start: date, end: date, limit: int = 1000) -> list[date]:
    """Every occurrence within [start, end], at most `limit`."""
    found: list[date] = []
    current = first_on_or_after(rule, anchor, start)
    while current is not None and current <= end and len(found) < limit:
        found.append(current)
        current = next_after(rule, anchor, current)
    return found
