"""Derived rows, computed from the data every time: birthdays, anniversaries, check-ins,
reorders; and the done/skipped/snoozed marks on their occurrences."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from datetime import date, timedelta

from tinycrm.config import Settings
from tinycrm.dates import (
    month_day_ranges,
    month_days_on,
    stored_display,
    stored_occurrences,
)
from tinycrm.purchases import purchase_interval
from tinycrm.services.followups.items import DerivedSource, QueueItem, derived_handle
from tinycrm.store import Store
from tinycrm.store.followups import CheckInRow, DatedRow, DueRow, Mark, Weights
from tinycrm.vocabulary import FollowUpKind

# ---------------------------------------------------------------------------------------------
# Derived sources: (store, start, end, settings) -> items falling due in [start, end].
# Items are "raw": days_late and urgency are filled in by build_queue. Sources whose items stay
# due until acted upon (check-ins) also return those that fell due before `start`.


def birthday_source(
    store: Store, start: date, end: date, settings: Settings, contact_id: int | None = None
) -> list[QueueItem]:
    """This year's (or next year's) birthday, with the age when the year is known."""
    occurrences = _Occurrences(start, end, settings.feb29_in_common_years)
    return [
        birthday_item(row, when, iso, age)
        for row in store.follow_ups.birthdays_in(month_day_ranges(start, end), contact_id)
        for when, iso, age in occurrences.of(row.date)
        if age is None or age > 0
    ]


def birthday_item(row: DatedRow, when: date, iso: str, age: int | None) -> QueueItem:
    return QueueItem(
        derived_handle("b", row.contact_id, iso),
        row.contact_id,
        row.contact_name,
        FollowUpKind.BIRTHDAY,
        f"Birthday: turns {age}" if age else "Birthday",
        when,
        0,
        0.0,
        recurring=True,
        detail=stored_display(row.date),
        relationship_type=row.relationship_type,
        occurrence_on=when,
        years=age,
    )


class _Occurrences:
    """`stored_occurrences` for the thousands of dates a window holds, computed once per
    month-day (a week of birthdays has a few thousand rows but only seven month-days)."""

    def __init__(self, start: date, end: date, feb29: str) -> None:
        self.start, self.end, self.feb29 = start, end, feb29
        self.by_month_day: dict[str, list[tuple[date, str]]] = {}

    def of(self, stored: str) -> list[tuple[date, str, int | None]]:
        """(occurrence, its ISO text, years since) for a date as stored ('1980-03-14' or
        '--03-14')."""
        month_day = stored[-5:]
        found = self.by_month_day.get(month_day)
        if found is None:
            found = self.by_month_day[month_day] = [
                (when, when.isoformat())
                for when, _ in stored_occurrences(
                    "--" + month_day, self.start, self.end, self.feb29
                )
            ]
        return [(when, iso, years_since(stored, when)) for when, iso in found]


def years_since(stored: str, when: date) -> int | None:
    """The years from a date as stored to its occurrence `when` (None: the year is unknown)."""
    year = None if stored.startswith("-") else int(stored[:4]) or None
    return when.year - year if year else None


_SINCE = re.compile(r"^(customer|client|member|partner|supplier|subscriber)s?\s+since$")


def anniversary_title(label: str, years: int | None) -> str:
    """'Anniversary: 5 years a customer', 'Anniversary: wedding, 10 years'."""
    if years is None:
        return f"Anniversary: {label}"
    unit = "year" if years == 1 else "years"
    match = _SINCE.match(label.strip().lower())
    if match:
        return f"Anniversary: {years} {unit} a {match[1]}"
    return f"Anniversary: {label}, {years} {unit}"


def anniversary_source(
    store: Store, start: date, end: date, settings: Settings, contact_id: int | None = None
) -> list[QueueItem]:
    occurrences = _Occurrences(start, end, settings.feb29_in_common_years)
    return [
        anniversary_item(row, when, iso, years)
        for row in store.follow_ups.anniversaries_in(month_day_ranges(start, end), contact_id)
        for when, iso, years in occurrences.of(row.date)
        if years is None or years > 0
    ]


def anniversary_item(row: DatedRow, when: date, iso: str, years: int | None) -> QueueItem:
    return QueueItem(
        handle=derived_handle("a", row.id, iso),
        contact_id=row.contact_id,
        contact_name=row.contact_name,
        kind=FollowUpKind.ANNIVERSARY,
        title=anniversary_title(row.label, years),
        due_on=when,
        days_late=0,
        urgency=0.0,
        recurring=True,
        detail=stored_display(row.date),
        relationship_type=row.relationship_type,
        occurrence_on=when,
        subject=str(row.id),
        years=years,
    )


_DATED_ITEM = {FollowUpKind.BIRTHDAY: birthday_item, FollowUpKind.ANNIVERSARY: anniversary_item}


def dated_on(
    store: Store, skips: Mapping[FollowUpKind, Sequence[int]], days: Sequence[date],
    settings: Settings, weights: Weights, *, by_name: bool, limit: int | None,
    least: Mapping[date, float] | None = None,
) -> list[tuple[QueueItem, bool]]:  # fmt: skip
    """A page of the birthdays and of the anniversaries (the kinds in `skips`) on each of
    `days` (of a day in `least`, only those whose `weights` reach its figure), each with
    whether its contact has an open case, read in SQL in the order `store.follow_ups.dated_on`
    gives (the contacts in `skips` left out: their marks are applied by `derived_rows`)."""
    feb29 = settings.feb29_in_common_years
    month_days = {day: month_days_on(day, feb29) for day in days}
    items = []
    for kind, iso, row, open_case in store.follow_ups.dated_on(
        skips, month_days, weights, by_name=by_name, limit=limit, least=least
    ):
        when = date.fromisoformat(iso)
        make = _DATED_ITEM[FollowUpKind(kind)]
        items.append((make(row, when, iso, years_since(row.date, when)), open_case))
    return items


def check_in_source(
    store: Store, start: date, end: date, settings: Settings, contact_id: int | None = None
) -> list[QueueItem]:
    """Contacts whose last interaction is older than their cadence (due until one is logged).

    build_queue ranks check-ins in SQL (see SQL_RANKED); this function serves the rest."""
    return [check_in_item(row) for row in store.follow_ups.check_ins_due_by(end, contact_id)]


def check_in_item(row: CheckInRow | DueRow) -> QueueItem:
    due = date.fromisoformat(row.due)
    title = (
        f"Check-in, last contact {row.last_touch_on}"
        if row.last_touch_on
        else "Check-in, no contact logged yet"
    )
    return QueueItem(
        handle=derived_handle("c", row.contact_id, due),
        contact_id=row.contact_id,
        contact_name=row.contact_name,
        kind=FollowUpKind.CHECK_IN,
        title=title,
        due_on=due,
        days_late=0,
        urgency=0.0,
        recurring=True,
        detail=f"every {row.cadence} days" if row.cadence else None,
        relationship_type=row.relationship_type,
        occurrence_on=due,
    )


def reorder_source(
    store: Store, start: date, end: date, settings: Settings, contact_id: int | None = None
) -> list[QueueItem]:
    """Customers with 3+ purchase days whose usual interval (median) since the last purchase
    has elapsed by `end`: due on last purchase + median interval, and due until a new sale
    moves it or the occurrence is marked done or skipped (from sale_stats, see
    store.reports.reorder). build_queue ranks these in SQL; this serves the rest."""
    return [
        reorder_item(r.contact_id, r.contact_name, r.due, r.last_on, r.median_gap,
                      r.relationship_type)
        for r in store.follow_ups.reorders_due_by(end, contact_id)
    ]  # fmt: skip


def reorder_item(
    contact_id: int, name: str, due_text: str, last_on: str, gap: float, rel: str | None
) -> QueueItem:
    due = date.fromisoformat(due_text)
    return QueueItem(
        handle=derived_handle("r", contact_id, due),
        contact_id=contact_id,
        contact_name=name,
        kind=FollowUpKind.REORDER,
        title=f"Reorder due, last purchase {last_on}",
        due_on=due,
        days_late=0,
        urgency=0.0,
        recurring=True,
        detail=f"usually every {purchase_interval(gap)} days",
        relationship_type=rel,
        occurrence_on=due,
    )


# Other features append their sources here (reorder, case) and register a handle prefix.
DERIVED_SOURCES: list[DerivedSource] = [
    birthday_source,
    anniversary_source,
    check_in_source,
    reorder_source,
]
HANDLE_PREFIXES: dict[str, DerivedSource] = {
    "b": birthday_source,
    "a": anniversary_source,
    "c": check_in_source,
    "r": reorder_source,
}
# Sources whose rows of the grace week and today build_queue pages in SQL, a page a day
# (`dated_on`: a million contacts have ~2,000 birthdays a day), and their kinds.
SQL_PAGED: dict[DerivedSource, FollowUpKind] = {
    birthday_source: FollowUpKind.BIRTHDAY,
    anniversary_source: FollowUpKind.ANNIVERSARY,
}
_ONE_DAY = timedelta(days=1)
# The kinds those sources give.
SQL_RANKED_KINDS = frozenset({FollowUpKind.CHECK_IN, FollowUpKind.REORDER})

# Sources that can yield tens of thousands of overdue rows are ranked and paged in SQL by
# build_queue (store.follow_ups.rank_rows) instead of being collected in Python.
SQL_RANKED: frozenset[DerivedSource] = frozenset({check_in_source, reorder_source})


def _mark_key(item: QueueItem) -> tuple[int, str, str, str]:
    on = item.occurrence_on or item.due_on
    return (item.contact_id, str(item.kind), item.subject, on.isoformat())


def derived_rows(
    store: Store,
    start: date,
    end: date,
    settings: Settings,
    snoozed: list[Mark] | None = None,
    sql_contacts: Iterable[int] = (),
    contact_id: int | None = None,
    paged_until: date | None = None,
) -> list[QueueItem]:
    """The Python-side derived rows in [start, end], with done/skipped/snoozed marks applied:
    every source not ranked in SQL, plus the SQL-ranked sources' rows of `sql_contacts` (those
    with a snoozed occurrence). `contact_id` limits every source to one contact. With
    `paged_until`, the birthdays and anniversaries up to that day are only those of contacts
    with a snoozed one (build_queue pages the others in SQL: `dated_on`)."""
    if snoozed is None:
        snoozed = store.follow_ups.snoozed_marks()
    raw: list[QueueItem] = []
    for source in DERIVED_SOURCES:
        if source in SQL_RANKED:
            continue
        kind = SQL_PAGED.get(source)
        if paged_until is None or kind is None:
            raw += source(store, start, end, settings, contact_id)
            continue
        if paged_until < end:
            raw += source(store, max(start, paged_until + _ONE_DAY), end, settings, contact_id)
        if start <= paged_until:
            for cid in sorted({m.contact_id for m in snoozed if m.kind == kind}):
                if contact_id is None or cid == contact_id:
                    raw += source(store, start, min(end, paged_until), settings, cid)
    for cid in dict.fromkeys(sql_contacts):
        if contact_id is None or cid == contact_id:
            for source in SQL_RANKED:
                raw.extend(source(store, start, end, settings, cid))
    marks: dict[tuple[int, str, str, str], Mark] = {}
    if raw:  # no row here when the queue pages every derived row of the window in SQL
        marks = {_key(m): m for m in store.follow_ups.marks_between(start, end, contact_id)}
        marks.update((_key(m), m) for m in snoozed)
    result: list[QueueItem] = []
    seen: set[tuple[int, str, str, str]] = set()
    for item in raw:
        mark = None
        if marks:  # usually none in a queue's window: skip building the keys then
            key = _mark_key(item)
            seen.add(key)
            mark = marks.get(key)
        if mark is None and item.due_on < start:  # due until acted on (check-in, reorder)
            mark = store.follow_ups.get_mark(item.contact_id, item.kind, item.subject, item.due_on)
        shown = item if mark is None else _apply_mark(item, mark, end)
        if shown is not None:
            result.append(shown)
    # A snoozed occurrence that comes back inside the window but whose own day lies outside it.
    for mark in snoozed:
        until = date.fromisoformat(mark.snoozed_until or mark.occurrence_on)
        if _key(mark) in seen or not start <= until <= end or mark.kind in SQL_RANKED_KINDS:
            continue
        if contact_id is not None and mark.contact_id != contact_id:
            continue
        occurrence = date.fromisoformat(mark.occurrence_on)
        for item in items_on(
            store, occurrence, settings, kind=mark.kind, contact_id=mark.contact_id
        ):
            if _mark_key(item) == _key(mark):
                shown = _apply_mark(item, mark, end)
                if shown is not None:
                    result.append(shown)
    return result


def _key(mark: Mark) -> tuple[int, str, str, str]:
    return (mark.contact_id, mark.kind, mark.subject, mark.occurrence_on)


def _apply_mark(item: QueueItem, mark: Mark | None, end: date) -> QueueItem | None:
    if mark is None:
        return item
    if mark.status != "snoozed" or mark.snoozed_until is None:
        return None
    until = date.fromisoformat(mark.snoozed_until)
    if until > end:
        return None
    return replace(item, due_on=until, snoozed=True)


def items_on(
    store: Store,
    day: date,
    settings: Settings,
    *,
    prefix: str | None = None,
    kind: str | None = None,
    contact_id: int | None = None,
) -> list[QueueItem]:
    """Derived items on `day`, from the source that owns the handle prefix when known.
    `contact_id` is the contact's id (the anniversary id for prefix 'a')."""
    sources = [HANDLE_PREFIXES[prefix]] if prefix in HANDLE_PREFIXES else DERIVED_SOURCES
    by_contact = None if prefix == "a" else contact_id
    found: list[QueueItem] = []
    for source in sources:
        if source in SQL_RANKED:
            # Due until acted on: the row due on `day` is found by looking up to `day`.
            if contact_id is None:
                continue
            items = source(store, day, day, settings, contact_id)
            found.extend(i for i in items if i.due_on == day and kind in (None, i.kind))
            continue
        items = source(store, day, day, settings, by_contact)
        found.extend(i for i in items if kind in (None, i.kind))
    return found
