"""An iCalendar file of follow-ups, birthdays and anniversaries, optionally to-dos (the icalendar
library)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from icalendar import Component


@dataclass(frozen=True)
class CalendarEntry:
    uid: str
    summary: str
    start: date
    yearly: bool = False
    description: str | None = None
    rule: str | None = None  # RRULE text (RFC 5545) of a recurring entry
    todo: bool = False  # a VTODO due on `start` rather than an all-day event


# Components encoded before a piece of the file is handed on.
CHUNK = 100


def calendar_chunks(
    entries: Iterable[CalendarEntry], stamp: datetime | None = None
) -> Iterator[bytes]:
    """The iCalendar file of `entries`, a piece at a time: the bytes the icalendar library
    writes for the whole calendar, without holding it. All-day VEVENTs (or VTODOs due that
    day); yearly ones recur every year, Feb 29 on the last day of February."""
    from icalendar import Calendar

    calendar = Calendar()
    calendar.add("prodid", "-//tinycrm//tinycrm//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", "tinycrm")
    whole = calendar.to_ical()  # its properties, then END:VCALENDAR, where the entries go
    end = b"END:VCALENDAR\r\n"
    yield whole.removesuffix(end)
    now = stamp or datetime.now(UTC)
    pieces: list[bytes] = []
    for entry in entries:
        pieces.append(_component(entry, now).to_ical())
        if len(pieces) == CHUNK:
            yield b"".join(pieces)
            pieces.clear()
    yield b"".join(pieces) + end


def _component(entry: CalendarEntry, now: datetime) -> Component:
    from icalendar import Event, Todo, vRecur

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
    return event
