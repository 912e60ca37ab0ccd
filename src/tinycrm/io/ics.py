"""An iCalendar file of follow-ups, birthdays and anniversaries, optionally to-dos (the icalendar
library)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta


@dataclass(frozen=True)
class CalendarEntry:
    uid: str
    summary: str
    start: date
    yearly: bool = False
    description: str | None = None
    rule: str | None = None  # RRULE text (RFC 5545) of a recurring entry
    todo: bool = False  # a VTODO due on `start` rather than an all-day event


def build_calendar(entries: list[CalendarEntry], stamp: datetime | None = None) -> bytes:
    """All-day VEVENTs (or VTODOs due that day); yearly ones recur every year, Feb 29 on the
    last day of February."""
    from icalendar import Calendar, Event, Todo, vRecur

    calendar = Calendar()
    calendar.add("prodid", "-//tinycrm//tinycrm//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", "tinycrm")
    now = stamp or datetime.now(UTC)
    for entry in entries:
        event = Todo() if entry.todo else Event()
        event.add("uid", entry.uid)
        event.add("dtstamp", now)
        event.add("summary", entry.summary)
        event.add("dtstart", entry.start)
        if entry.todo:
            event.add("due", entry.start)
            event.add("status", "NEEDS-ACTION")
        else:
            event.add("dtend", entry.start + timedelta(days=1))
            event.add("transp", "TRANSPARENT")
        if entry.rule:
            event.add("rrule", vRecur.from_ical(entry.rule))
        elif entry.yearly:
            if entry.start.month == 2 and entry.start.day == 29:
                event.add("rrule", {"freq": "yearly", "bymonth": 2, "bymonthday": -1})
            else:
                event.add("rrule", {"freq": "yearly"})
        if entry.description:
            event.add("description", entry.description)
        calendar.add_component(event)
    data: bytes = calendar.to_ical()
    return data
