"""Building the queue: overdue (most urgent first, paged), today's, and what is coming."""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from datetime import date, timedelta
from itertools import accumulate, groupby, islice
from typing import TYPE_CHECKING, Any

from tinycrm.config import Settings
from tinycrm.dates import month_days_on
from tinycrm.errors import UsageError
from tinycrm.models.followups import FollowUp
from tinycrm.services import identity
from tinycrm.services.followups.items import (
    DEFAULT_OVERDUE_LIMIT,
    DERIVED_GRACE_DAYS,
    DUE_WEIGHT,
    FULLY_DUE_DAYS,
    GRACE_KINDS,
    KIND_WEIGHTS,
    RELATIONSHIP_WEIGHTS,
    SAME_DAY,
    OwnerScope,
    Queue,
    QueueItem,
    check_days,
    dueness,
    stored_item,
    urgency,
)
from tinycrm.services.followups.sources import (
    SQL_PAGED,
    SQL_RANKED_KINDS,
    check_in_item,
    dated_on,
    derived_rows,
    reorder_item,
)
from tinycrm.store import Store
from tinycrm.store.followups import DueRow, RankGroup, RankRow, Source
from tinycrm.vocabulary import FollowUpKind
from tinycrm.wording import TOTAL_LIMIT

if TYPE_CHECKING:
    from tinycrm.models.contacts import Contact

# ---------------------------------------------------------------------------------------------
# Building the queue


def build_queue(
    store: Store,
    as_of: date,
    *,
    days: int = 7,
    settings: Settings | None = None,
    overdue_limit: int | None = DEFAULT_OVERDUE_LIMIT,
    upcoming_limit: int | None = None,
    today_limit: int | None = None,
    with_overdue: bool = True,
    with_today: bool = True,
    upcoming_kinds: frozenset[str] | None = None,
    scope: OwnerScope | None = None,
) -> Queue:
    """Overdue (most urgent first, at most `overdue_limit`; 0 or None: all), today's (most
    urgent first, at most `today_limit`; 0 or None: all) and the next `days` days (soonest
    first, at most `upcoming_limit`) as of `as_of`; each with its full count.
    `with_overdue=False` and `with_today=False` skip those parts (for `upcoming`);
    `upcoming_kinds` keeps only those kinds among the upcoming rows (the digest's birthdays
    and anniversaries), counted in `upcoming_total`.

    Stored follow-ups, check-ins and reorders (tens of thousands of rows) are read through
    indexes in small pieces and counted in SQL; the windowed derived sources (birthdays,
    anniversaries) and snoozed derived rows are merged in here. Only the rows shown become
    QueueItems.

    Finding the most urgent overdue rows without scoring them all: within one group of rows
    that share their static weights (source × kind × relationship type × whether the contact
    has an open case), urgency only falls as the due day gets later, and ties go to the
    earlier day and lower handle, so the group's first `overdue_limit` rows by (due, handle)
    are its only candidates. Groups are walked from the highest possible urgency down and the
    walk stops once the page is full of rows more urgent than anything the next group can
    reach.

    With `scope`, only the rows of one user (or the unassigned ones): every row is ranked and
    kept where its owner matches before a page is built, so the counts are of those rows."""
    check_days(days)
    if overdue_limit is not None and overdue_limit < 0:
        raise UsageError(f"--limit must be 0 or more, not {overdue_limit}")
    settings = settings or Settings()
    up_limit = upcoming_limit or None
    end = as_of + timedelta(days=days)
    start = as_of - timedelta(days=DERIVED_GRACE_DAYS if with_overdue else 0 if with_today else -1)
    # One snapshot: the totals count the same rows the pages show.
    with store.read():
        builder = _QueueBuilder(store, as_of, end, scope, settings)
        # A page of upcoming rows needs the birthdays and anniversaries only up to the day the
        # page fills; the ones after it are counted, not built.
        page_end, dated_beyond, paged_until = end, 0, as_of
        every_dated_kind = upcoming_kinds is None or upcoming_kinds >= GRACE_KINDS
        if up_limit is not None and days > 0 and every_dated_kind and scope is None:
            page_end, dated_beyond = builder.dated_page_end(as_of + _ONE_DAY, end, up_limit)
            paged_until = page_end
        overdue_rows, today_rows, upcoming_rows = builder.derived(start, page_end, paged_until)
        if paged_until > as_of:  # and a page of each of those days, from SQL
            days_ahead = _days(as_of + timedelta(days=1), paged_until)
            pages = builder.dated(days_ahead, up_limit, by_name=False)
            upcoming_rows += pages
            dated_beyond += builder.dated_count(days_ahead, up_limit or 0) - len(pages)
        today_page = (today_limit or None) if scope is None else None
        today = builder.kept(builder.today(today_rows, today_page)) if with_today else []
        today.sort(key=_today_key)
        if scope is not None:
            overdue = builder.kept(builder.overdue(overdue_rows, None)) if with_overdue else []
            ahead = builder.upcoming(upcoming_rows, None, end, upcoming_kinds)[0] if days else []
            ahead = builder.kept(ahead)
            shown = builder.finish(
                overdue[: overdue_limit or None], today[: today_limit or None], ahead[:up_limit]
            )
            return Queue(
                as_of,
                overdue=shown[0],
                today=shown[1],
                upcoming=shown[2],
                overdue_total=len(overdue),
                upcoming_total=len(ahead),
                today_total=len(today),
            )
        overdue = builder.overdue(overdue_rows, overdue_limit or None) if with_overdue else []
        upcoming: list[Ranked] = []
        upcoming_total = 0
        if days > 0:
            upcoming, upcoming_total = builder.upcoming(
                upcoming_rows, up_limit, page_end, upcoming_kinds
            )
            upcoming_total += dated_beyond
        overdue_total = len(overdue)
        if with_overdue and overdue_limit:
            grace = _days(start, as_of - timedelta(days=1))
            overdue_total = builder.total(overdue_rows, grace, "", builder.before, overdue_limit)
        today_total = len(today)
        if with_today and today_page:
            today_total = builder.total(today_rows, [as_of], builder.before, builder.on, today_page)
        shown = builder.finish(overdue, today[:today_page], upcoming[:up_limit])
        return Queue(
            as_of,
            overdue=shown[0],
            today=shown[1],
            upcoming=shown[2],
            overdue_total=overdue_total,
            upcoming_total=upcoming_total,
            today_total=today_total,
        )


class _QueueBuilder:
    """The pieces of one `build_queue` call, sharing what every piece needs: the snoozed
    rows to leave to Python and the day boundaries."""

    def __init__(
        self, store: Store, as_of: date, end: date, scope: OwnerScope | None, settings: Settings
    ) -> None:
        self.store = store
        self.scope = scope
        self.settings = settings
        self.repo = store.follow_ups
        self.as_of = as_of
        self.snoozed = self.repo.snoozed_marks()
        self.skips = {
            src: sorted({m.contact_id for m in self.snoozed if m.kind == kind})
            for src, kind in _SQL_KINDS.items()
        }
        self.dated_skips = {
            kind: sorted({m.contact_id for m in self.snoozed if m.kind == kind})
            for kind in SQL_PAGED.values()
        }
        self.before = (as_of - timedelta(days=1)).isoformat()
        self.on, self.last = as_of.isoformat(), end.isoformat()

    def scored(self, row: RankRow) -> Ranked:
        due = date.fromisoformat(row.due)
        late = (self.as_of - due).days
        score = urgency(row.kind, late, row.relationship_type, bool(row.open_case))
        handle = _rank_handle(row)
        return Ranked(score, due, _tie(handle), handle, row)

    def rows(self, src: Source, lo: str, hi: str, **filters: Any) -> list[Ranked]:
        return [
            self.scored(r)
            for r in self.repo.rank_rows(
                src, lo, hi, self.as_of, skip=self.skips[src], cap=self.last, **filters
            )
        ]

    def count(self, lo: str, hi: str, page: int) -> int:
        """Rows due in (lo, hi], counted up to TOTAL_LIMIT past a page of `page` rows."""
        return self.repo.count_rows(
            self.skips, lo, hi, self.as_of, self.last, self.count_limit(page)
        )

    def count_limit(self, page: int) -> int:
        return TOTAL_LIMIT + 1 + page

    def total(self, derived: list[Ranked], days: list[date], lo: str, hi: str, page: int) -> int:
        """The `derived` rows, the birthdays and anniversaries `dated` pages on `days` and the
        rows due in (lo, hi], counted together up to TOTAL_LIMIT past a page of `page` rows:
        each source only up to what is left of that, and none once it is reached."""
        limit = self.count_limit(page)
        counted = len(derived)
        counted += self.dated_count(days, page, limit=max(limit - counted, 0))
        if counted < limit:
            counted += self.repo.count_rows(
                self.skips, lo, hi, self.as_of, self.last, limit - counted
            )
        return counted

    def derived(
        self, start: date, end: date, paged_until: date
    ) -> tuple[list[Ranked], list[Ranked], list[Ranked]]:
        """The Python-side derived rows in [start, end], scored: (overdue, today, upcoming);
        up to `paged_until`, birthdays and anniversaries only of contacts with a snoozed one
        (the others are paged in SQL: `dated`)."""
        items = derived_rows(
            self.store, start, end, self.settings, self.snoozed,
            [m.contact_id for m in self.snoozed if m.kind in SQL_RANKED_KINDS],
            paged_until=paged_until,
        )  # fmt: skip
        parts: tuple[list[Ranked], list[Ranked], list[Ranked]] = ([], [], [])
        for ranked in self.ranked(items):
            late = (self.as_of - ranked.due).days
            if ranked.row.kind in GRACE_KINDS and late > DERIVED_GRACE_DAYS:
                continue
            parts[0 if late > 0 else 1 if late == 0 else 2].append(ranked)
        return parts

    def ranked(self, items: list[QueueItem]) -> list[Ranked]:
        """Derived rows scored (whose contacts have an open case read for them at once)."""
        cases = self.repo.with_open_case(item.contact_id for item in items)
        return [self.scored_item(item, item.contact_id in cases) for item in items]

    def scored_item(self, item: QueueItem, open_case: bool) -> Ranked:
        late = (self.as_of - item.due_on).days
        score = urgency(item.kind, late, item.relationship_type, open_case)
        return Ranked(score, item.due_on, _tie(item.handle), item.handle, item)

    def dated(
        self, days: list[date], limit: int | None, *, by_name: bool, least: float | None = None
    ) -> list[Ranked]:
        """A page of `limit` birthdays and of anniversaries on each of `days` (all: None),
        scored (whether their contacts have an open case read with them); with `least`, only
        those whose urgency can reach it (their weights are read against each day's due
        weight, with a hundredth to spare for urgency's rounding)."""
        weights = None
        if least is not None:
            weights = {
                day: least - DUE_WEIGHT * dueness((self.as_of - day).days) - 0.01 for day in days
            }
        return [
            self.scored_item(item, open_case)
            for item, open_case in dated_on(self.store, self.dated_skips, days, self.settings,
                                            SAME_DAY, by_name=by_name, limit=limit,
                                            least=weights)
        ]  # fmt: skip

    def dated_count(self, days: list[date], page: int, *, limit: int | None = None) -> int:
        """The birthdays and anniversaries `dated` pages on `days`, counted up to TOTAL_LIMIT
        past a page of `page` rows (or up to `limit`)."""
        feb29, counted = self.settings.feb29_in_common_years, 0
        limit = self.count_limit(page) if limit is None else limit
        month_days = {day: month_days_on(day, feb29) for day in days}
        for kind, skip in self.dated_skips.items():
            if counted < limit:
                counted += self.repo.count_dated_on(kind, month_days, skip, limit - counted)
        return counted

    def dated_page_end(self, first: date, end: date, page: int) -> tuple[date, int]:
        """The day by which the birthdays and anniversaries from `first` fill a page of `page`
        rows (`end`: they do not), and how many fall after it up to `end`, counted up to
        TOTAL_LIMIT past the page: a day at a time, so a day of thousands costs one count.
        The rows of contacts with a snoozed one (few) are built to be counted."""
        running = 0
        for day in _days(first, end):
            running += self.dated_count([day], page)
            if running < page:
                continue
            if day == end:
                return day, 0
            after = day + _ONE_DAY
            snoozed = derived_rows(
                self.store, after, end, self.settings, self.snoozed, paged_until=end
            )
            return day, self.dated_count(_days(after, end), page) + len(snoozed)
        return end, 0

    def overdue(self, derived: list[Ranked], limit: int | None) -> list[Ranked]:
        """The most urgent overdue rows (all when `limit` is None): the walk of the stored
        rows, check-ins and reorders, then a page of the grace week's birthdays and
        anniversaries of the days whose most urgent one could still make the page."""
        grace = _days(self.as_of - timedelta(days=DERIVED_GRACE_DAYS), self.as_of - _ONE_DAY)
        if limit is None:
            shown = derived + self.dated(grace, None, by_name=False)
            shown += [r for src in _SQL_KINDS for r in self.rows(src, "", self.before)]
            shown.sort(key=_overdue_key)
            return shown
        shown = sorted(derived, key=_overdue_key)[:limit]
        for best, groups in _levels():
            if len(shown) >= limit and shown[limit - 1].urgency > best:
                break
            found = self.repo.rank_groups(
                groups, self.skips, "", self.before, self.as_of, self.last, limit
            )
            shown.extend(self.scored(r) for r in found)
            shown.sort(key=_overdue_key)
            del shown[limit:]
        least = None
        if len(shown) >= limit:  # a row as urgent as the last one shown may still win the tie
            least = shown[limit - 1].urgency
            grace = [day for day in grace if self.dated_best(day) >= least]
        shown += self.dated(grace, limit, by_name=False, least=least)
        shown.sort(key=_overdue_key)
        return shown[:limit]

    def dated_best(self, day: date) -> float:
        """The highest urgency a birthday or anniversary on `day` can have."""
        late = (self.as_of - day).days
        return max(urgency(kind, late, _BEST_RELATIONSHIP, True) for kind in GRACE_KINDS)

    def today(self, derived: list[Ranked], limit: int | None) -> list[Ranked]:
        """Today's rows, or a page of `limit` of each source, the most urgent first by name."""
        dated = self.dated([self.as_of], limit, by_name=True)
        return derived + dated + self.on_day(self.as_of, limit, by_name=True)

    def on_day(self, day: date, limit: int | None, *, by_name: bool) -> list[Ranked]:
        """The check-ins, reorders and stored follow-ups due on `day`: their `limit` most
        urgent (all: None) as `ranked_on` orders them, or a few more. Those of contacts with
        an open case (few) are read first, then the others a level of same-day weight at a
        time, heaviest first (stored rows by kind, check-ins and reorders by relationship
        type), until no lighter level can make the page."""
        if limit is None:
            groups = [RankGroup(src) for src in _SQL_KINDS]
            found = self.repo.ranked_on(
                groups, self.skips, day, self.as_of, SAME_DAY, by_name=by_name
            )
            return [self.scored(r) for r in found]
        key = _today_key if by_name else _overdue_key
        late = (self.as_of - day).days
        rows: list[Ranked] = []
        for n, (kind, relationship, level) in enumerate(_DAY_LEVELS):
            best = urgency(kind, late, relationship, False)
            if n and len(rows) >= limit and rows[limit - 1].urgency > best:
                break
            found = self.repo.ranked_on(
                level, self.skips, day, self.as_of, SAME_DAY, by_name=by_name, limit=limit
            )
            rows.extend(self.scored(row) for row in found)
            rows.sort(key=key)
        return rows

    def upcoming(
        self,
        derived: list[Ranked],
        limit: int | None,
        page_end: date,
        kinds: frozenset[str] | None,
    ) -> tuple[list[Ranked], int]:
        """Upcoming rows soonest first, read only up to the day the page fills in each source
        (of that day, only its page), and their total but for the derived dated rows after
        `page_end` (build_queue adds those). With `kinds`, only rows of those kinds."""
        cutoff = page_end.isoformat()
        if kinds is None and limit is not None:
            for src in _SQL_KINDS:
                nth = self.repo.nth_due(src, self.on, self.last, self.as_of, limit, self.skips[src])
                if nth is not None and nth < cutoff:
                    cutoff = nth
            last_day = date.fromisoformat(cutoff)
            before = (last_day - _ONE_DAY).isoformat()
            rows = derived + [r for src in _SQL_KINDS for r in self.rows(src, self.on, before)]
            rows += self.on_day(last_day, limit, by_name=False)
            total = len(derived) + self.count(self.on, self.last, limit)
        elif kinds is None:
            rows = derived + [r for src in _SQL_KINDS for r in self.rows(src, self.on, cutoff)]
            total = len(rows)
        else:
            # Stored rows of the chosen kinds are few (a birthday is derived, not stored):
            # read them to the page's end and count the rest.
            rows = [r for r in derived if r.row.kind in kinds]
            stored = [self.rows(src, self.on, self.last, **_only(kind, kinds))
                      for src, kind in _SQL_KINDS.items() if not kind or kind in kinds]  # fmt: skip
            rows += [r for found in stored for r in found if r.due.isoformat() <= cutoff]
            total = len(rows) + sum(
                1 for found in stored for r in found if r.due.isoformat() > cutoff
            )
        rows.sort(key=_upcoming_key)
        return rows, total

    def kept(self, ranked: list[Ranked]) -> list[Ranked]:
        """The rows of the builder's scope (all without one): `OwnerScope`'s rule, read for
        the ranked rows before any is built into a QueueItem."""
        if self.scope is None:
            return ranked
        stored = {r.handle: _stored_id(r) for r in ranked}
        assignees, owners = self.repo.owners(
            [i for i in stored.values() if i is not None], [r.row.contact_id for r in ranked]
        )
        return [
            r for r in ranked
            if (assignees.get(stored[r.handle] or 0) or owners.get(r.row.contact_id))
            == self.scope.user_id
        ]  # fmt: skip

    def finish(self, *parts: list[Ranked]) -> list[list[QueueItem]]:
        """Each part's rows as QueueItems with their owners, read for every part at once."""
        built = _finish_all(self.store, parts, self.as_of)
        items = with_owners(self.store, [item for part in built for item in part])
        ends = accumulate(len(part) for part in built)
        return [items[end - len(part) : end] for part, end in zip(built, ends, strict=True)]


def queue_scope(
    store: Store,
    *,
    mine: bool = False,
    owner: str | None = None,
    unassigned: bool = False,
    everyone: bool = False,
    default: str = "everyone",
) -> OwnerScope | None:
    """Whose rows a queue shows (None: everyone's): `--mine`, `--owner USER`, `--unassigned`,
    `--everyone`, else `default` ("mine" counts only when the CRM knows who is asking)."""
    if mine + (owner is not None) + unassigned + everyone > 1:
        raise UsageError("choose one of --mine, --owner, --unassigned and --everyone")
    if owner is not None:
        return OwnerScope(identity.find_user(store, owner).id)
    if unassigned:
        return OwnerScope(None)
    if mine:
        if store.actor is None:
            raise UsageError(f"--mine: {identity.who_is_unknown(store)}")
        return OwnerScope(store.actor.id)
    if everyone or default != "mine" or store.actor is None:
        return None
    return OwnerScope(store.actor.id)


def with_owners(store: Store, items: list[QueueItem]) -> list[QueueItem]:
    """The rows with whom each is for (`OwnerScope`'s rule): its assignee, else its contact's
    owner. Unchanged in a CRM without users."""
    names = store.users.names() if items else {}
    if not names:
        return items
    assignees, owners = store.follow_ups.owners(
        [i.follow_up_id for i in items if i.follow_up_id is not None],
        [i.contact_id for i in items],
    )
    shown = []
    for item in items:
        user_id = assignees.get(item.follow_up_id or 0) or owners.get(item.contact_id)
        shown.append(replace(item, owner_id=user_id, owner=names.get(user_id or 0)))
    return shown


def _stored_id(ranked: Ranked) -> int | None:
    """The stored follow-up a ranked row is (None: a derived row)."""
    row = ranked.row
    if isinstance(row, QueueItem):
        return row.follow_up_id
    return row.id if row.src == Source.STORED else None


def _days(first: date, last: date) -> list[date]:
    """The days from `first` to `last`, both included."""
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


@dataclass(frozen=True, slots=True)
class Ranked:
    """A queue row being ranked: its urgency, due day and tie-break, and the row itself (read
    from SQL, or a derived QueueItem) that becomes the QueueItem shown."""

    urgency: float
    due: date
    tie: tuple[int, int, str]  # rows due the same day, as their handles sort
    handle: str
    row: RankRow | QueueItem


_ONE_DAY = timedelta(days=1)
_BEST_RELATIONSHIP = max(RELATIONSHIP_WEIGHTS, key=RELATIONSHIP_WEIGHTS.__getitem__)
_SQL_KINDS: dict[Source, str] = {
    Source.STORED: "",
    Source.CHECK_IN: FollowUpKind.CHECK_IN,
    Source.REORDER: FollowUpKind.REORDER,
}
_PREFIX = {Source.CHECK_IN: "c", Source.REORDER: "r"}


def _day_levels() -> list[tuple[str, str | None, list[RankGroup]]]:
    """The groups of a day's check-ins, reorders and stored follow-ups by the heaviest
    same-day weight a row of theirs can have, heaviest first, as (a kind and relationship
    type of that weight, the groups): the open-case rows of every source first (a partial
    index each), then stored rows by their kind's weight (any relationship type), check-ins
    and reorders by their relationship type; the groups of one weight read together."""
    weighted_kinds = [str(k) for k, w in KIND_WEIGHTS.items() if w]
    weighted_rels = [str(r) for r, w in RELATIONSHIP_WEIGHTS.items() if w]
    levels: dict[float, tuple[str, str | None, list[RankGroup]]] = {}

    def add(kind: str, relationship: str | None, group: RankGroup) -> None:
        weight = KIND_WEIGHTS.get(kind, 0.0) + RELATIONSHIP_WEIGHTS.get(relationship or "", 0.0)
        levels.setdefault(weight, (kind, relationship, []))[2].append(group)

    for weight in sorted({w for w in KIND_WEIGHTS.values() if w}, reverse=True):
        kinds = [str(k) for k, w in KIND_WEIGHTS.items() if w == weight]
        add(kinds[0], _BEST_RELATIONSHIP, RankGroup(Source.STORED, False, kinds))
    add("", _BEST_RELATIONSHIP, RankGroup(Source.STORED, False, exclude_kinds=weighted_kinds))
    for src, kind in _SQL_KINDS.items():
        if kind:
            for rel in weighted_rels:
                add(kind, rel, RankGroup(src, False, rels=[rel]))
            add(kind, None, RankGroup(src, False, exclude_rels=weighted_rels))
    open_cases = [RankGroup(src, open_case=True) for src in _SQL_KINDS]
    return [("", None, open_cases)] + [levels[w] for w in sorted(levels, reverse=True)]


_DAY_LEVELS = _day_levels()


def _only(kind: str, kinds: frozenset[str]) -> dict[str, Any]:
    """rank_rows filters for a source: stored follow-ups (kind '') of `kinds`, else all."""
    return {} if kind else {"kinds": sorted(kinds)}


def _overdue_key(r: Ranked) -> tuple[float, date, tuple[int, int, str]]:
    return (-r.urgency, r.due, r.tie)


def _upcoming_key(r: Ranked) -> tuple[date, float, tuple[int, int, str]]:
    return (r.due, -r.urgency, r.tie)


def _today_key(r: Ranked) -> tuple[float, str, str]:
    """Most urgent first; equally urgent rows by contact name, then handle."""
    return (-r.urgency, r.row.contact_name.lower(), r.handle)


def _levels() -> list[tuple[float, list[RankGroup]]]:
    """The groups of overdue rows that share their static urgency weights (source × kind ×
    relationship type × open case), by the highest urgency a row of theirs can have (a week
    or more late), highest first: those of one level are read together."""
    weighted_kinds = [str(k) for k, w in KIND_WEIGHTS.items() if w]
    weighted_rels = [str(r) for r, w in RELATIONSHIP_WEIGHTS.items() if w]
    rel_groups: list[tuple[str | None, list[str] | None, list[str] | None]] = [
        (r, [r], None) for r in weighted_rels
    ]
    rel_groups.append((None, None, weighted_rels))
    levels: dict[float, list[RankGroup]] = {}
    kind_groups: list[tuple[Source, str, list[str] | None, list[str] | None]] = [
        (Source.STORED, k, [k], None) for k in weighted_kinds
    ]
    kind_groups.append((Source.STORED, "", None, weighted_kinds))
    kind_groups += [(src, kind, None, None) for src, kind in _SQL_KINDS.items() if kind]
    for src, kind, kinds, exclude_kinds in kind_groups:
        for rel, rels, exclude_rels in rel_groups:
            for open_case in (True, False):
                best = urgency(kind, DERIVED_GRACE_DAYS, rel, open_case)
                group = RankGroup(src, open_case, kinds, exclude_kinds, rels, exclude_rels)
                levels.setdefault(best, []).append(group)
    return sorted(levels.items(), reverse=True)


def _tie(handle: str) -> tuple[int, int, str]:
    """Ties (same urgency and day) go to stored follow-ups, oldest first, as in SQL."""
    if handle.isascii() and handle.isdigit():
        return (0, int(handle), "")
    return (1, 0, handle)


def _rank_handle(row: RankRow) -> str:
    if row.src == Source.STORED:
        return str(row.id)
    return f"{_PREFIX[row.src]}{row.id}-{row.due}"


def _finish_all(
    store: Store, parts: tuple[list[Ranked], ...], as_of: date
) -> list[list[QueueItem]]:
    """QueueItems for each part's ranked rows, in their order (details fetched in one go)."""
    wanted = [
        (r.row.src, r.row.id, r.row.due, r.urgency)
        for part in parts
        for r in part
        if isinstance(r.row, RankRow)
    ]
    found = {(d.src, d.id): d for d in store.follow_ups.details(wanted)}
    built = []
    for ranked in parts:
        items = []
        for r in ranked:
            score, due, entry = r.urgency, r.due, r.row
            late = (as_of - due).days
            if isinstance(entry, QueueItem):
                items.append(replace(entry, days_late=late, urgency=score))
                continue
            row = found.get((entry.src, entry.id))
            if row is not None:
                items.append(_due_item(row, due, late, score, as_of))
        built.append(items)
    return built


def _due_item(row: DueRow, due: date, late: int, score: float, as_of: date) -> QueueItem:
    if row.src == Source.CHECK_IN:
        return replace(check_in_item(row), days_late=late, urgency=score)
    if row.src == Source.REORDER:
        item = reorder_item(
            row.contact_id, row.contact_name, row.due, row.last_touch_on or "",
            row.median_gap or 0.0, row.relationship_type,
        )  # fmt: skip
        return replace(item, days_late=late, urgency=score)
    follow_up = FollowUp(
        id=row.id,
        contact_id=row.contact_id,
        title=row.title,
        kind=FollowUpKind(row.kind),
        due_on=date.fromisoformat(row.occurrence),
        rule=row.rule,
        snoozed_until=date.fromisoformat(row.snoozed_until) if row.snoozed_until else None,
        version=row.version,
    )
    return stored_item(follow_up, row.contact_name, as_of, row.relationship_type, row.open_case)


def follow_ups_for_contact(
    store: Store,
    contact: Contact,
    today: date,
    *,
    open_case: bool,
    days: int = 30,
    settings: Settings | None = None,
) -> list[QueueItem]:
    """A contact's open stored follow-ups and derived rows due within `days` (for `show`,
    which has read the contact and whether they have an open case already)."""
    settings = settings or Settings()
    assert contact.id is not None
    contact_id = contact.id
    relationship = contact.relationship_type.value if contact.relationship_type else None
    items = [
        stored_item(f, contact.name, today, relationship, open_case)
        for f in store.follow_ups.for_contact(contact_id)
    ]
    if not contact.archived:
        start = today - timedelta(days=DERIVED_GRACE_DAYS)
        derived = derived_rows(
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
# The derived check-ins and reorders of a whole window, a batch at a time

_BATCH = 500  # ranked rows built into QueueItems at a time
_DERIVED_GROUPS = [RankGroup(Source.CHECK_IN), RankGroup(Source.REORDER)]


def each_derived_due(
    store: Store, as_of: date, *, days: int, settings: Settings | None = None
) -> Iterator[QueueItem]:
    """The check-ins and reorders the queue derives, each in the part and order that
    `build_queue(store, as_of, days=days, overdue_limit=0)` shows it: overdue (most urgent
    first), today's (most urgent first, by name), then those of the next `days` days
    (soonest first); read in one snapshot a batch at a time, so that a whole CRM's (~900,000
    at a million contacts) are never held: the overdue ones from one statement ordered by
    urgency, the others a day at a time."""
    check_days(days)
    settings = settings or Settings()
    end = as_of + timedelta(days=days)
    with store.read():
        builder = _QueueBuilder(store, as_of, end, None, settings)
        start = as_of - timedelta(days=DERIVED_GRACE_DAYS)
        # Python-side: the rows of contacts with a snoozed one (few).
        overdue, today, upcoming = (
            [r for r in part if r.row.kind in SQL_RANKED_KINDS]
            for part in builder.derived(start, end, end)
        )
        overdue.sort(key=_overdue_key)
        most_urgent = _most_urgent(builder, as_of - _ONE_DAY)
        yield from _built(builder, heapq.merge(most_urgent, overdue, key=_overdue_key))
        yield from _built(builder, sorted(today + _due_on(builder, as_of), key=_today_key))
        for day in _days(as_of + _ONE_DAY, end):
            rows = [r for r in upcoming if r.due == day] + _due_on(builder, day)
            yield from _built(builder, sorted(rows, key=_upcoming_key))


def _due_on(builder: _QueueBuilder, day: date) -> list[Ranked]:
    """The check-ins and reorders due on `day` (but those of contacts with a snoozed one)."""
    found = builder.repo.ranked_on(
        _DERIVED_GROUPS, builder.skips, day, builder.as_of, SAME_DAY, by_name=False
    )
    return [builder.scored(r) for r in found]


def _most_urgent(builder: _QueueBuilder, last: date) -> Iterator[Ranked]:
    """The check-ins and reorders due on or before `last`, by `_overdue_key`: SQL orders them
    by urgency (a row's weights plus its due day's DUE_WEIGHT x dueness, the same for every
    day a week or more late) and day; each day of one urgency is sorted here. (Rows of two
    due days never round to one urgency: dueness steps by 12 x 0.8 / 21 a day, the weights
    by 0.5.)"""
    fully_due = builder.as_of - timedelta(days=FULLY_DUE_DAYS)
    due_scores = {
        day.isoformat(): DUE_WEIGHT * dueness((builder.as_of - day).days)
        for day in _days(fully_due + _ONE_DAY, last)
    }
    rows = builder.repo.each_by_urgency(
        [group.src for group in _DERIVED_GROUPS], builder.skips, last.isoformat(),
        builder.as_of, SAME_DAY, due_scores, DUE_WEIGHT,
    )  # fmt: skip
    for _, same in groupby(map(builder.scored, rows), key=lambda r: (r.urgency, r.due)):
        yield from sorted(same, key=_overdue_key)


def _built(builder: _QueueBuilder, ranked: Iterable[Ranked]) -> Iterator[QueueItem]:
    """The ranked rows as QueueItems, in their order, built _BATCH at a time."""
    rows = iter(ranked)
    while batch := list(islice(rows, _BATCH)):
        yield from builder.finish(batch)[0]
