"""The follow-up queue: stored follow-ups plus rows derived on the fly from the data.

Stored follow-ups (manual, after-sale, pass-on, …) live in `follow_ups`; a recurring one keeps
its rule and anchor, and `due_on` is its current occurrence. Derived rows (birthdays,
anniversaries, keep-in-touch check-ins, reorders) are computed by the functions in
`DERIVED_SOURCES` every time the queue is built, so editing a birthday moves its
reminder and nothing is ever duplicated. `done`, `snooze` and `skip` on a derived row write an
`occurrence_marks` row for that one occurrence only.

Handles (what `done`, `snooze` and `skip` accept):
- a stored follow-up: its id, e.g. ``12``;
- a derived occurrence: ``<prefix><id>-<YYYY-MM-DD>``: ``b7-2026-12-01`` (birthday of contact
  7), ``a3-2026-06-21`` (anniversary 3), ``c7-2026-11-20`` (check-in of contact 7 due that day),
  ``r7-2026-11-21`` (contact 7 due to buy again). Cases are stored follow-ups of kind ``case``.

Urgency (taskwarrior's `urgency` is the anchor; weights in docs/follow-ups.md):
``12 × dueness + kind weight + relationship weight + 5 if the contact has an open case``, where
dueness is 1.0 from 7 days overdue, 0.2 from 14 days ahead, linear in between.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Any

from tinycrm import recurrence
from tinycrm.config import Settings
from tinycrm.dates import (
    month_day_ranges,
    stored_occurrences,
)
from tinycrm.errors import Conflict, NotFound, UsageError
from tinycrm.models import DEFAULT_CADENCE, FollowUp, FollowUpKind, Note, RelationshipType
from tinycrm.services import validation
from tinycrm.services.contacts import resolve_ref
from tinycrm.store import Store
from tinycrm.store.followups import CheckInRow, DueRow, Mark, RankRow

# Derived birthdays and anniversaries stay in the queue this many days after the day
# (belated wishes still count); check-ins, cases and stored follow-ups stay until acted on.
DERIVED_GRACE_DAYS = 7
MAX_DAYS = 3660
DEFAULT_OVERDUE_LIMIT = 50

DUE_WEIGHT = 12.0
OPEN_CASE_WEIGHT = 5.0
KIND_WEIGHTS: dict[str, float] = {
    FollowUpKind.CASE: 6.0,
    FollowUpKind.RECOVERY: 5.0,
    FollowUpKind.BIRTHDAY: 4.0,
    FollowUpKind.THANK_YOU: 3.0,
    FollowUpKind.REORDER: 3.0,
    FollowUpKind.ANNIVERSARY: 2.0,
    FollowUpKind.SATISFACTION_CHECK: 2.0,
    FollowUpKind.CHECK_IN: 1.0,
    FollowUpKind.PASS_ON: 1.0,
    FollowUpKind.CUSTOM: 0.0,
}
RELATIONSHIP_WEIGHTS: dict[str, float] = {
    RelationshipType.DEDICATED: 3.0,
    RelationshipType.PERSONAL: 2.0,
    RelationshipType.LONG_TERM: 1.5,
    RelationshipType.COMMUNITY: 0.5,
}
# Kinds whose derived occurrences vanish DERIVED_GRACE_DAYS after their day.
GRACE_KINDS = frozenset({FollowUpKind.BIRTHDAY, FollowUpKind.ANNIVERSARY})


# Not frozen: a queue builds thousands of these, and a frozen dataclass's __init__ costs ~3.5x
# (object.__setattr__ per field). Treat them as values all the same: use replace().
@dataclass(slots=True)
class QueueItem:
    """One row of a queue: a stored follow-up's current occurrence or a derived one."""

    handle: str
    contact_id: int
    contact_name: str
    kind: FollowUpKind
    title: str
    due_on: date  # the snoozed date if snoozed
    days_late: int  # as_of - due_on: >0 overdue, 0 today, <0 upcoming
    urgency: float
    recurring: bool = False
    detail: str | None = None  # e.g. the recurrence ("monthly") or the birthday
    relationship_type: str | None = None
    follow_up_id: int | None = None  # stored follow-ups only
    occurrence_on: date | None = None  # the occurrence before any snooze
    subject: str = ""  # derived rows: what the occurrence mark refers to (anniversary id…)
    snoozed: bool = False
    status: str = "open"


@dataclass(frozen=True)
class Queue:
    as_of: date
    overdue: list[QueueItem]
    today: list[QueueItem]
    upcoming: list[QueueItem]
    overdue_total: int  # overdue may be limited; the full count for "… and N more"
    upcoming_total: int = 0  # likewise for upcoming (see upcoming_limit)


# (store, start, end, settings, contact id or None for everyone) -> items
DerivedSource = Callable[[Store, date, date, Settings, int | None], list[QueueItem]]


def derived_handle(prefix: str, subject_id: int, on: date) -> str:
    return f"{prefix}{subject_id}-{on.isoformat()}"


def dueness(days_late: int) -> float:
    """Taskwarrior's due factor: 0.2 far ahead, 1.0 a week overdue, linear in between."""
    if days_late >= 7:
        return 1.0
    if days_late >= -14:
        return (days_late + 14) * 0.8 / 21 + 0.2
    return 0.2


def urgency(kind: str, days_late: int, relationship_type: str | None, open_case: bool) -> float:
    score = DUE_WEIGHT * dueness(days_late) + KIND_WEIGHTS.get(kind, 0.0)
    score += RELATIONSHIP_WEIGHTS.get(relationship_type or "", 0.0)
    if open_case:
        score += OPEN_CASE_WEIGHT
    return round(score, 2)


# ---------------------------------------------------------------------------------------------
# Derived sources: (store, start, end, settings) -> items falling due in [start, end].
# Items are "raw": days_late and urgency are filled in by build_queue. Sources whose items stay
# due until acted upon (check-ins) also return those that fell due before `start`.


def birthday_source(
    store: Store, start: date, end: date, settings: Settings, contact_id: int | None = None
) -> list[QueueItem]:
    """This year's (or next year's) birthday, with the age when the year is known."""
    feb29 = settings.feb29_in_common_years
    items = []
    for row in store.follow_ups.birthdays_in(month_day_ranges(start, end), contact_id):
        for when, age in stored_occurrences(row.date, start, end, feb29):
            if age is not None and age <= 0:
                continue
            items.append(
                QueueItem(
                    handle=derived_handle("b", row.contact_id, when),
                    contact_id=row.contact_id,
                    contact_name=row.contact_name,
                    kind=FollowUpKind.BIRTHDAY,
                    title=f"Birthday: turns {age}" if age else "Birthday",
                    due_on=when,
                    days_late=0,
                    urgency=0.0,
                    recurring=True,
                    detail=row.date,
                    relationship_type=row.relationship_type,
                    occurrence_on=when,
                )
            )
    return items


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
    feb29 = settings.feb29_in_common_years
    items = []
    for row in store.follow_ups.anniversaries_in(month_day_ranges(start, end), contact_id):
        for when, years in stored_occurrences(row.date, start, end, feb29):
            if years is not None and years <= 0:
                continue
            items.append(
                QueueItem(
                    handle=derived_handle("a", row.id, when),
                    contact_id=row.contact_id,
                    contact_name=row.contact_name,
                    kind=FollowUpKind.ANNIVERSARY,
                    title=anniversary_title(row.label, years),
                    due_on=when,
                    days_late=0,
                    urgency=0.0,
                    recurring=True,
                    detail=f"{row.label}: {row.date}",
                    relationship_type=row.relationship_type,
                    occurrence_on=when,
                    subject=str(row.id),
                )
            )
    return items


def check_in_source(
    store: Store, start: date, end: date, settings: Settings, contact_id: int | None = None
) -> list[QueueItem]:
    """Contacts whose last interaction is older than their cadence (due until one is logged).

    build_queue ranks check-ins in SQL (see SQL_RANKED); this function serves the rest."""
    return [_check_in_item(row) for row in store.follow_ups.check_ins_due_by(end, contact_id)]


def _check_in_item(row: CheckInRow | DueRow) -> QueueItem:
    due = date.fromisoformat(row.due)
    clock = max(row.last_touch_on or "", row.touch_anchor_on or "")
    cadence = (due - date.fromisoformat(clock)).days if clock else None
    title = (
        f"Check-in (last contact {row.last_touch_on})"
        if row.last_touch_on
        else "Check-in (no contact logged yet)"
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
        detail=f"every {cadence} days" if cadence else None,
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
        _reorder_item(r.contact_id, r.contact_name, r.due, r.last_on, r.median_gap,
                      r.relationship_type)
        for r in store.follow_ups.reorders_due_by(end, contact_id)
    ]  # fmt: skip


def _reorder_item(
    contact_id: int, name: str, due_text: str, last_on: str, gap: float, rel: str | None
) -> QueueItem:
    due = date.fromisoformat(due_text)
    return QueueItem(
        handle=derived_handle("r", contact_id, due),
        contact_id=contact_id,
        contact_name=name,
        kind=FollowUpKind.REORDER,
        title=f"Reorder due: usually buys every {gap:g} days, last on {last_on}",
        due_on=due,
        days_late=0,
        urgency=0.0,
        recurring=True,
        detail=f"every {gap:g} days",
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
# Sources that can yield tens of thousands of overdue rows are ranked and paged in SQL by
# build_queue (store.follow_ups.rank_rows) instead of being collected in Python.
SQL_RANKED: frozenset[DerivedSource] = frozenset({check_in_source, reorder_source})


# ---------------------------------------------------------------------------------------------
# Building the queue


def check_days(days: int) -> int:
    if not 0 <= days <= MAX_DAYS:
        raise UsageError(f"--days must be between 0 and {MAX_DAYS}, not {days}")
    return days


def build_queue(
    store: Store,
    as_of: date,
    *,
    days: int = 7,
    settings: Settings | None = None,
    overdue_limit: int | None = DEFAULT_OVERDUE_LIMIT,
    upcoming_limit: int | None = None,
    with_overdue: bool = True,
    with_today: bool = True,
    upcoming_kinds: frozenset[str] | None = None,
) -> Queue:
    """Overdue (most urgent first, at most `overdue_limit`; 0 or None: all), today's (most
    urgent first) and the next `days` days (soonest first, at most `upcoming_limit`) as of
    `as_of`. `with_overdue=False` and `with_today=False` skip those parts (for `upcoming`);
    `upcoming_kinds` keeps only those kinds among the upcoming rows (the digest's birthdays and
    anniversaries) and then leaves `upcoming_total` at the rows kept.

    Stored follow-ups, check-ins and reorders (tens of thousands of rows) are read through
    indexes in small pieces and counted in SQL; the windowed derived sources (birthdays,
    anniversaries) and snoozed derived rows are merged in here. Only the rows shown become
    QueueItems.

    Finding the most urgent overdue rows without scoring them all: within one group of rows
    that share their static weights (source × kind × relationship type, contacts without an
    open case), urgency only falls as the due day gets later, and ties go to the earlier day
    and lower handle, so the group's first `overdue_limit` rows by (due, handle) are its only
    candidates. Groups are walked from the highest possible urgency down and the walk stops
    once the page is full of rows more urgent than anything the next group can reach. Rows of
    contacts with an open case (few) are all read and scored."""
    check_days(days)
    if overdue_limit is not None and overdue_limit < 0:
        raise UsageError(f"--limit must be 0 or more, not {overdue_limit}")
    settings = settings or Settings()
    up_limit = upcoming_limit or None
    end = as_of + timedelta(days=days)
    start = as_of - timedelta(days=DERIVED_GRACE_DAYS if with_overdue else 0 if with_today else -1)
    builder = _QueueBuilder(store, as_of, end)
    # A page of upcoming rows needs the birthdays and anniversaries only up to the day the
    # page fills; the ones after it are counted, not built.
    page_end, dated_beyond = end, 0
    if up_limit is not None and days > 0:
        page_end, dated_beyond = _dated_page_end(store, as_of, end, up_limit, settings)
    overdue_rows, today_rows, upcoming_rows = builder.derived(start, page_end, settings)
    overdue, overdue_total = (
        builder.overdue(overdue_rows, overdue_limit or None) if with_overdue else ([], 0)
    )
    today = builder.finish(builder.today(today_rows) if with_today else [])
    today.sort(key=lambda i: (-i.urgency, i.contact_name.lower(), i.handle))
    upcoming: list[_Ranked] = []
    upcoming_total = 0
    if days > 0:
        upcoming, upcoming_total = builder.upcoming(
            upcoming_rows, up_limit, page_end, upcoming_kinds
        )
        if upcoming_kinds is None:
            upcoming_total += dated_beyond
    return Queue(
        as_of=as_of,
        overdue=builder.finish(overdue),
        today=today,
        upcoming=builder.finish(upcoming[:up_limit]),
        overdue_total=overdue_total,
        upcoming_total=upcoming_total,
    )


class _QueueBuilder:
    """The pieces of one `build_queue` call, sharing what every piece needs: the snoozed
    rows to leave to Python, the contacts with an open case, and the day boundaries."""

    def __init__(self, store: Store, as_of: date, end: date) -> None:
        self.store = store
        self.repo = store.follow_ups
        self.as_of = as_of
        self.snoozed = self.repo.snoozed_marks()
        self.skips = {
            src: sorted({m.contact_id for m in self.snoozed if m.kind == kind})
            for src, kind in _SQL_KINDS.items()
        }
        self.cases = self.repo.contacts_with_open_case()
        self.before = (as_of - timedelta(days=1)).isoformat()
        self.on, self.last = as_of.isoformat(), end.isoformat()

    def scored(self, row: RankRow) -> _Ranked:
        due = date.fromisoformat(row.due)
        late = (self.as_of - due).days
        score = urgency(row.kind, late, row.relationship_type, row.contact_id in self.cases)
        handle = _rank_handle(row)
        return (score, due, _tie(handle), handle, row)

    def rows(self, src: int, lo: str, hi: str, **filters: Any) -> list[_Ranked]:
        return [
            self.scored(r)
            for r in self.repo.rank_rows(
                src, lo, hi, self.as_of, skip=self.skips[src], cap=self.last, **filters
            )
        ]

    def count(self, lo: str, hi: str) -> int:
        return sum(
            self.repo.count_rows(src, lo, hi, self.as_of, self.skips[src], self.last)
            for src in _SQL_KINDS
        )

    def derived(
        self, start: date, end: date, settings: Settings
    ) -> tuple[list[_Ranked], list[_Ranked], list[_Ranked]]:
        """The Python-side derived rows in [start, end], scored: (overdue, today, upcoming)."""
        items = _derived(
            self.store, start, end, settings, self.snoozed,
            [m.contact_id for m in self.snoozed if m.kind in _SQL_SET],
        )  # fmt: skip
        parts: tuple[list[_Ranked], list[_Ranked], list[_Ranked]] = ([], [], [])
        for item in items:
            late = (self.as_of - item.due_on).days
            if item.kind in GRACE_KINDS and late > DERIVED_GRACE_DAYS:
                continue
            score = urgency(item.kind, late, item.relationship_type, item.contact_id in self.cases)
            entry = (score, item.due_on, _tie(item.handle), item.handle, item)
            parts[0 if late > 0 else 1 if late == 0 else 2].append(entry)
        return parts

    def overdue(self, derived: list[_Ranked], limit: int | None) -> tuple[list[_Ranked], int]:
        """The most urgent overdue rows (all when `limit` is None) and how many there are."""
        total = len(derived) + self.count("", self.before)
        if limit is None:
            shown = derived + [r for src in _SQL_KINDS for r in self.rows(src, "", self.before)]
            shown.sort(key=_overdue_key)
            return shown, total
        shown = derived + [
            r for src in _SQL_KINDS for r in self.rows(src, "", self.before, open_case=True)
        ]
        shown.sort(key=_overdue_key)
        del shown[limit:]
        for group in _groups():
            if len(shown) >= limit and shown[limit - 1][0] > group.best:
                break
            found = self.rows(
                group.src, "", self.before, kinds=group.kinds, exclude_kinds=group.exclude_kinds,
                rels=group.rels, exclude_rels=group.exclude_rels, open_case=False, limit=limit,
            )  # fmt: skip
            if found:
                shown.extend(found)
                shown.sort(key=_overdue_key)
                del shown[limit:]
        return shown, total

    def today(self, derived: list[_Ranked]) -> list[_Ranked]:
        return derived + [r for src in _SQL_KINDS for r in self.rows(src, self.before, self.on)]

    def upcoming(
        self,
        derived: list[_Ranked],
        limit: int | None,
        page_end: date,
        kinds: frozenset[str] | None,
    ) -> tuple[list[_Ranked], int]:
        """Upcoming rows soonest first, read only up to the day the page fills in each source,
        and their total (with `kinds`: only those kinds, and the total of those shown)."""
        cutoff = page_end.isoformat()
        if limit is not None:
            for src in _SQL_KINDS:
                nth = self.repo.nth_due(src, self.on, self.last, self.as_of, limit, self.skips[src])
                if nth is not None and nth < cutoff:
                    cutoff = nth
        if kinds is None:
            rows = derived + [r for src in _SQL_KINDS for r in self.rows(src, self.on, cutoff)]
            total = len(derived) + self.count(self.on, self.last)
        else:
            rows = [r for r in derived if r[4].kind in kinds]
            rows += [
                r
                for src, kind in _SQL_KINDS.items()
                if not kind or kind in kinds
                for r in self.rows(src, self.on, cutoff, kinds=None if kind else sorted(kinds))
            ]
            total = len(rows)
        rows.sort(key=lambda r: (r[1], -r[0], r[2]))
        return rows, total

    def finish(self, ranked: list[_Ranked]) -> list[QueueItem]:
        return _finish_all(self.store, ranked, self.as_of)


def _dated_page_end(
    store: Store, as_of: date, end: date, limit: int, settings: Settings
) -> tuple[date, int]:
    """The day by which the birthdays and anniversaries after `as_of` fill a page of `limit`
    rows, and how many fall after it up to `end` (done or skipped ones left out)."""
    first = as_of + timedelta(days=1)
    feb29 = settings.feb29_in_common_years
    per_day: Counter[date] = Counter()
    for stored, _, count in store.follow_ups.dated_counts(month_day_ranges(first, end)):
        for when, _ in stored_occurrences(stored, first, end, feb29):
            per_day[when] += count
    running = 0
    for day in sorted(per_day):
        running += per_day[day]
        if running >= limit:
            break
    else:
        return end, 0
    later = sum(count for when, count in per_day.items() if when > day)
    acted = sum(
        1
        for mark in store.follow_ups.marks_between(day + timedelta(days=1), end)
        if mark.kind in GRACE_KINDS and mark.status in ("done", "skipped")
    )
    return day, max(0, later - acted)


# (urgency, due, tie, handle, row): the ranking key and what becomes the QueueItem.
_Ranked = tuple[float, date, tuple[int, int, str], str, "RankRow | QueueItem"]
_SQL_KINDS: dict[int, str] = {0: "", 1: FollowUpKind.CHECK_IN, 2: FollowUpKind.REORDER}
_SQL_SET = frozenset({FollowUpKind.CHECK_IN, FollowUpKind.REORDER})
_PREFIX = {1: "c", 2: "r"}


def _overdue_key(r: _Ranked) -> tuple[float, date, tuple[int, int, str]]:
    return (-r[0], r[1], r[2])


@dataclass(frozen=True)
class _Group:
    """Overdue rows of one source sharing their static urgency weights (no open case)."""

    best: float  # the highest urgency a row of the group can have (a week or more late)
    src: int
    kinds: list[str] | None = None
    exclude_kinds: list[str] | None = None
    rels: list[str] | None = None
    exclude_rels: list[str] | None = None


def _groups() -> list[_Group]:
    weighted_kinds = [str(k) for k, w in KIND_WEIGHTS.items() if w]
    weighted_rels = [str(r) for r, w in RELATIONSHIP_WEIGHTS.items() if w]
    rel_groups: list[tuple[str | None, list[str] | None, list[str] | None]] = [
        (r, [r], None) for r in weighted_rels
    ]
    rel_groups.append((None, None, weighted_rels))
    groups = []
    kind_groups: list[tuple[int, str, list[str] | None, list[str] | None]] = [
        (0, k, [k], None) for k in weighted_kinds
    ]
    kind_groups.append((0, "", None, weighted_kinds))
    kind_groups += [(src, kind, None, None) for src, kind in _SQL_KINDS.items() if kind]
    for src, kind, kinds, exclude_kinds in kind_groups:
        for rel, rels, exclude_rels in rel_groups:
            best = urgency(kind, DERIVED_GRACE_DAYS, rel, False)
            groups.append(_Group(best, src, kinds, exclude_kinds, rels, exclude_rels))
    groups.sort(key=lambda g: -g.best)
    return groups


def _tie(handle: str) -> tuple[int, int, str]:
    """Ties (same urgency and day) go to stored follow-ups, oldest first, as in SQL."""
    if handle.isascii() and handle.isdigit():
        return (0, int(handle), "")
    return (1, 0, handle)


def _rank_handle(row: RankRow) -> str:
    if row.src == 0:
        return str(row.id)
    return f"{_PREFIX[row.src]}{row.id}-{row.due}"


def _finish_all(store: Store, ranked: list[_Ranked], as_of: date) -> list[QueueItem]:
    """QueueItems for ranked rows, in their order (details fetched in one go)."""
    wanted = [(r[4].src, r[4].id, r[4].due, r[0]) for r in ranked if isinstance(r[4], RankRow)]
    found = {(d.src, d.id): d for d in store.follow_ups.details(wanted)}
    items = []
    for score, due, _, _, entry in ranked:
        late = (as_of - due).days
        if isinstance(entry, QueueItem):
            # Built by a source for this queue alone, so it can be filled in place.
            entry.days_late, entry.urgency = late, score
            items.append(entry)
            continue
        row = found.get((entry.src, entry.id))
        if row is not None:
            items.append(_due_item(row, due, late, score))
    return items


def _due_item(row: DueRow, due: date, late: int, score: float) -> QueueItem:
    if row.src == 1:
        item = _check_in_item(row)
        item.days_late, item.urgency = late, score
        return item
    if row.src == 2:
        item = _reorder_item(
            row.contact_id, row.contact_name, row.due, row.last_touch_on or "",
            row.median_gap or 0.0, row.relationship_type,
        )  # fmt: skip
        item.days_late, item.urgency = late, score
        return item
    return QueueItem(
        handle=str(row.id),
        contact_id=row.contact_id,
        contact_name=row.contact_name,
        kind=FollowUpKind(row.kind),
        title=row.title,
        due_on=due,
        days_late=late,
        urgency=score,
        recurring=row.rule is not None,
        detail=recurrence.describe(row.rule) if row.rule else None,
        relationship_type=row.relationship_type,
        follow_up_id=row.id,
        occurrence_on=date.fromisoformat(row.occurrence),
        snoozed=row.snoozed_until is not None,
    )


def _mark_key(item: QueueItem) -> tuple[int, str, str, str]:
    on = item.occurrence_on or item.due_on
    return (item.contact_id, str(item.kind), item.subject, on.isoformat())


def _derived(
    store: Store,
    start: date,
    end: date,
    settings: Settings,
    snoozed: list[Mark] | None = None,
    sql_contacts: Iterable[int] = (),
    contact_id: int | None = None,
) -> list[QueueItem]:
    """The Python-side derived rows in [start, end], with done/skipped/snoozed marks applied:
    every source not ranked in SQL, plus the SQL-ranked sources' rows of `sql_contacts` (those
    with a snoozed occurrence). `contact_id` limits every source to one contact."""
    if snoozed is None:
        snoozed = store.follow_ups.snoozed_marks()
    raw = [
        item
        for source in DERIVED_SOURCES
        if source not in SQL_RANKED
        for item in source(store, start, end, settings, contact_id)
    ]
    for cid in dict.fromkeys(sql_contacts):
        if contact_id is None or cid == contact_id:
            for source in SQL_RANKED:
                raw.extend(source(store, start, end, settings, cid))
    marks = {_key(m): m for m in store.follow_ups.marks_between(start, end, contact_id)}
    marks.update((_key(m), m) for m in snoozed)
    result: list[QueueItem] = []
    seen: set[tuple[int, str, str, str]] = set()
    for item in raw:
        key = _mark_key(item)
        seen.add(key)
        mark = marks.get(key)
        if mark is None and item.due_on < start:  # due until acted on (check-in, reorder)
            mark = store.follow_ups.get_mark(item.contact_id, item.kind, item.subject, item.due_on)
        shown = _apply_mark(item, mark, end)
        if shown is not None:
            result.append(shown)
    # A snoozed occurrence that comes back inside the window but whose own day lies outside it.
    for mark in snoozed:
        until = date.fromisoformat(mark.snoozed_until or mark.occurrence_on)
        if _key(mark) in seen or not start <= until <= end or mark.kind in _SQL_SET:
            continue
        if contact_id is not None and mark.contact_id != contact_id:
            continue
        occurrence = date.fromisoformat(mark.occurrence_on)
        for item in _items_on(
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


def _items_on(
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


# ---------------------------------------------------------------------------------------------
# Acting on a handle


_DERIVED_HANDLE = re.compile(r"^([a-z]+)(\d+)-(\d{4}-\d{2}-\d{2})$")
HANDLE_HELP = "a number like 12, or like b7-2026-12-01, as shown by 'crm follow-ups today'"


@dataclass(frozen=True)
class _Target:
    item: QueueItem
    stored: FollowUp | None
    mark: Mark | None


def _resolve(store: Store, handle: str, today: date, settings: Settings) -> _Target:
    text = handle.strip().lower()
    if text.isascii() and text.isdigit():
        number = validation.row_id(text)
        follow_up = store.follow_ups.get(number) if number is not None else None
        if follow_up is None:
            raise NotFound(f"no follow-up with handle {handle!r}")
        contact = store.contacts.get(follow_up.contact_id)
        due = follow_up.snoozed_until or follow_up.due_on
        item = QueueItem(
            handle=text,
            contact_id=follow_up.contact_id,
            contact_name=contact.name if contact else "?",
            kind=follow_up.kind,
            title=follow_up.title,
            due_on=due,
            days_late=(today - due).days,
            urgency=urgency(
                follow_up.kind,
                (today - due).days,
                contact.relationship_type if contact else None,
                store.follow_ups.has_open_case(follow_up.contact_id),
            ),
            recurring=follow_up.rule is not None,
            detail=recurrence.describe(follow_up.rule) if follow_up.rule else None,
            relationship_type=contact.relationship_type if contact else None,
            follow_up_id=follow_up.id,
            occurrence_on=follow_up.due_on,
            snoozed=follow_up.snoozed_until is not None,
            status=follow_up.status,
        )
        return _Target(item, follow_up, None)
    match = _DERIVED_HANDLE.match(text)
    day = _handle_date(match[3]) if match else None
    if match is None or day is None:
        raise UsageError(f"not a follow-up handle: {handle!r} ({HANDLE_HELP})")
    subject = int(match[2])
    for item in _items_on(store, day, settings, prefix=match[1], contact_id=subject):
        if item.handle == text:
            mark = store.follow_ups.get_mark(item.contact_id, item.kind, item.subject, day)
            late = (today - item.due_on).days
            open_case = store.follow_ups.has_open_case(item.contact_id)
            score = urgency(item.kind, late, item.relationship_type, open_case)
            return _Target(replace(item, days_late=late, urgency=score), None, mark)
    if match[1] == "c":
        # A check-in that was done or skipped has moved on: say so rather than "not found".
        mark = store.follow_ups.get_mark(subject, FollowUpKind.CHECK_IN, "", day)
        if mark is not None and mark.status in ("done", "skipped"):
            raise Conflict(f"follow-up {handle} is already {mark.status}")
    raise NotFound(f"no follow-up with handle {handle!r} ({HANDLE_HELP})")


def get_item(
    store: Store, handle: str, today: date, *, settings: Settings | None = None
) -> QueueItem:
    """The queue row a handle names (NotFound / UsageError otherwise)."""
    return _resolve(store, handle, today, settings or Settings()).item


def _handle_date(text: str) -> date | None:
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def _check_open(target: _Target, handle: str, today: date) -> None:
    stored = target.stored
    if stored is not None:
        if stored.status != "open":
            when = f" on {stored.completed_on}" if stored.completed_on else ""
            raise Conflict(f"follow-up {handle} is already {stored.status}{when}")
        if stored.rule and stored.completed_on == today and stored.due_on > today:
            raise Conflict(
                f"follow-up {handle} was already done today; its next occurrence is due"
                f" {stored.due_on}"
            )
    elif target.mark is not None and target.mark.status in ("done", "skipped"):
        raise Conflict(f"follow-up {handle} is already {target.mark.status}")


def _advance(stored: FollowUp, today: date, status: str) -> FollowUp:
    """Done or skipped: a recurring follow-up moves to its next occurrence after both this one
    and today (missed occurrences are not piled up); a one-off closes."""
    if stored.rule:
        anchor = stored.anchor_on or stored.due_on
        following = recurrence.next_after(stored.rule, anchor, max(stored.due_on, today))
        if following is not None:
            return replace(stored, due_on=following, snoozed_until=None, completed_on=today)
    return replace(stored, status=status, completed_on=today)


def complete(
    store: Store,
    handle: str,
    today: date,
    *,
    note: str | None = None,
    channel: str | None = None,
    settings: Settings | None = None,
) -> QueueItem:
    """Mark a queue row done; it counts as an interaction (the keep-in-touch clock restarts),
    and `note` is logged in the same transaction. Returns the row as it was."""
    settings = settings or Settings()
    chosen = validation.channel(channel) if channel else None
    body = note.strip() if note is not None else None
    if note is not None and not body:
        raise UsageError("--note needs some text")
    if chosen is not None and body is None:
        raise UsageError("--channel goes with --note (the note records the interaction)")
    with store.write():
        target = _resolve(store, handle, today, settings)
        _check_open(target, handle, today)
        item = target.item
        if target.stored is not None:
            store.follow_ups.update_state(_advance(target.stored, today, "done"))
        else:
            _mark(store, item, "done", None, today)
        store.contacts.touch(item.contact_id, today)
        if body:
            store.notes.insert(Note(item.contact_id, body, today, channel=chosen))
    return item


def snooze(
    store: Store, handle: str, until: date, today: date, *, settings: Settings | None = None
) -> QueueItem:
    """Postpone this occurrence only (a recurring follow-up keeps its schedule)."""
    settings = settings or Settings()
    if until < today:
        raise UsageError(f"cannot snooze to {until}: that is in the past (today is {today})")
    with store.write():
        target = _resolve(store, handle, today, settings)
        _check_open(target, handle, today)
        item = target.item
        occurrence = item.occurrence_on or item.due_on
        if until <= occurrence:
            raise UsageError(
                f"snooze postpones: {until} is not after {handle}'s due date {occurrence}"
            )
        if target.stored is not None:
            store.follow_ups.update_state(replace(target.stored, snoozed_until=until))
        else:
            _mark(store, item, "snoozed", until, today)
    return replace(item, due_on=until, days_late=(today - until).days, snoozed=True)


def skip(store: Store, handle: str, today: date, *, settings: Settings | None = None) -> QueueItem:
    """Drop this occurrence without doing it: a recurring follow-up moves on, a check-in's
    clock restarts today (without counting as an interaction)."""
    settings = settings or Settings()
    with store.write():
        target = _resolve(store, handle, today, settings)
        _check_open(target, handle, today)
        item = target.item
        if target.stored is not None:
            store.follow_ups.update_state(_advance(target.stored, today, "skipped"))
        else:
            _mark(store, item, "skipped", None, today)
            if item.kind == FollowUpKind.CHECK_IN:
                store.follow_ups.restart_clock([(item.contact_id, today)])
    return item


def _mark(store: Store, item: QueueItem, status: str, until: date | None, today: date) -> None:
    occurrence = item.occurrence_on or item.due_on
    store.follow_ups.put_mark(
        item.contact_id, item.kind, item.subject, occurrence, status, until, today
    )


# ---------------------------------------------------------------------------------------------
# Adding and listing stored follow-ups


def add_follow_up(
    store: Store,
    ref: str,
    title: str,
    due: date,
    today: date,
    *,
    kind: str | None = None,
    every: str | None = None,
    source: str | None = None,
) -> FollowUp:
    """Store a follow-up; with `every` it recurs from `due` (its anchor)."""
    text = " ".join(title.split())
    if not text:
        raise UsageError("a follow-up needs a title")
    if len(text) > 500:
        raise UsageError("a follow-up title can be at most 500 characters")
    chosen = validation.choice(FollowUpKind, kind, "follow-up kind") if kind else None
    rule = recurrence.parse_rule(every) if every is not None else None
    first = due
    if rule is not None:
        found = recurrence.first_on_or_after(rule, due, due)
        if found is None:
            raise UsageError(f"the recurrence {every!r} has no occurrence on or after {due}")
        first = found
    with store.write():
        contact = resolve_ref(store, ref)
        follow_up = FollowUp(
            contact_id=contact.id or 0,
            title=text,
            kind=chosen or FollowUpKind.CUSTOM,
            due_on=first,
            rule=rule,
            anchor_on=due if rule else None,
            source=source,
        )
        follow_up_id = store.follow_ups.insert(follow_up)
    return replace(follow_up, id=follow_up_id)


def _stored_item(
    follow_up: FollowUp, name: str, today: date, relationship: str | None, open_case: bool = False
) -> QueueItem:
    due = follow_up.snoozed_until or follow_up.due_on
    late = (today - due).days
    return QueueItem(
        handle=str(follow_up.id),
        contact_id=follow_up.contact_id,
        contact_name=name,
        kind=follow_up.kind,
        title=follow_up.title,
        due_on=due,
        days_late=late,
        urgency=urgency(follow_up.kind, late, relationship, open_case),
        recurring=follow_up.rule is not None,
        detail=recurrence.describe(follow_up.rule) if follow_up.rule else None,
        relationship_type=relationship,
        follow_up_id=follow_up.id,
        occurrence_on=follow_up.due_on,
        snoozed=follow_up.snoozed_until is not None,
        status=follow_up.status,
    )


def list_follow_ups(
    store: Store,
    ref: str | None = None,
    today: date | None = None,
    *,
    status: str | None = "open",
    limit: int | None = None,
) -> list[QueueItem]:
    """Stored follow-ups (manual, recurring, after-sale…), soonest first; `status` None = all."""
    if status is not None and status not in ("open", "done", "skipped"):
        raise UsageError(f"unknown status {status!r} (open, done, skipped or all)")
    on = today or date.today()
    contact_id = resolve_ref(store, ref).id if ref else None
    rows = store.follow_ups.query(contact_id, status, limit)
    return [_stored_item(f, name, on, None) for f, name in rows]


def follow_ups_for_contact(
    store: Store,
    contact_id: int,
    today: date,
    *,
    days: int = 30,
    settings: Settings | None = None,
) -> list[QueueItem]:
    """A contact's open stored follow-ups and derived rows due within `days` (for `show`)."""
    settings = settings or Settings()
    contact = store.contacts.get(contact_id)
    if contact is None:
        raise NotFound(f"no contact with id {contact_id}")
    relationship = contact.relationship_type.value if contact.relationship_type else None
    open_case = store.follow_ups.has_open_case(contact_id)
    items = [
        _stored_item(f, contact.name, today, relationship, open_case)
        for f in store.follow_ups.for_contact(contact_id)
    ]
    if not contact.archived:
        start = today - timedelta(days=DERIVED_GRACE_DAYS)
        derived = _derived(
            store,
            start,
            today + timedelta(days=days),
            settings,
            sql_contacts=[contact_id],
            contact_id=contact_id,
        )
        for item in derived:
            late = (today - item.due_on).days
            if item.kind in GRACE_KINDS and late > DERIVED_GRACE_DAYS:
                continue
            score = urgency(item.kind, late, relationship, open_case)
            items.append(replace(item, days_late=late, urgency=score))
    return sorted(items, key=lambda i: (i.due_on, i.handle))


# ---------------------------------------------------------------------------------------------
# Keep-in-touch for imported batches


def spread_check_ins(store: Store, contact_ids: Iterable[int], today: date) -> int:
    """Spread a freshly imported batch's first check-ins evenly over each contact's cadence,
    so they do not all fall due on the same day. Contacts with a logged interaction later
    than the spread anchor keep their own clock. Returns how many clocks were set."""
    ids = list(dict.fromkeys(contact_ids))
    anchors: list[tuple[int, date]] = []
    with_cadence = []
    for contact_id, override, relationship in store.follow_ups.cadence_fields(ids):
        cadence = _cadence(override, relationship)
        if cadence:
            with_cadence.append((contact_id, cadence))
    total = len(with_cadence)
    for index, (contact_id, cadence) in enumerate(with_cadence):
        # Due on day 1..cadence after today, evenly by position in the batch.
        due_in = 1 + (index * cadence) // total
        anchors.append((contact_id, today + timedelta(days=due_in - cadence)))
    if anchors:
        store.follow_ups.restart_clock(anchors)
    return len(anchors)


def _cadence(override: int | None, relationship: str | None) -> int | None:
    if override is not None:
        return override or None
    if relationship is None:
        return None
    try:
        return DEFAULT_CADENCE.get(RelationshipType(relationship))
    except ValueError:
        return None


# ---------------------------------------------------------------------------------------------
# Sample data for `crm demo`

_DEMO_FOLLOW_UPS = (
    # (contact index in the demo list, title, kind, days from today, rule)
    (3, "Thank-you call after the commuter bike sale", "thank-you", -3, None),
    (9, "Satisfaction check on the e-bike", "satisfaction-check", -1, None),
    (4, "Confirm the spring service booking", "custom", 0, None),
    (16, "Quote for the rental fleet renewal", "custom", 0, None),
    (12, "Ask how the new battery performs", "satisfaction-check", 4, None),
    (2, "Fleet maintenance call", "check-in", 2, "monthly"),
    (10, "Kids' bike safety day: confirm numbers", "custom", 9, "every 3 months"),
)


def seed_demo(store: Store, ids: list[int], today: date, rng: object, report: object) -> None:
    """A few manual follow-ups (overdue, today, upcoming, recurring) for the demo shop."""
    count = 0
    for index, title, kind, offset, every in _DEMO_FOLLOW_UPS:
        if index < len(ids):
            due = today + timedelta(days=offset)
            add_follow_up(store, str(ids[index]), title, due, today, kind=kind, every=every)
            count += 1
    extras = getattr(report, "extras", None)
    if isinstance(extras, dict):
        extras["follow-ups"] = count
