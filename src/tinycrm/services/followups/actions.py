"""Acting on a queue row by its handle: done, snooze, skip."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date, datetime

from tinycrm import recurrence, validation
from tinycrm.config import Settings
from tinycrm.errors import Conflict, NotFound, UsageError
from tinycrm.models.followups import FollowUp
from tinycrm.models.history import Change
from tinycrm.models.notes import Note
from tinycrm.services import history
from tinycrm.services.conflicts import check_loaded, now_reads
from tinycrm.services.followups.items import QueueItem, stored_item, urgency
from tinycrm.services.followups.sources import items_on
from tinycrm.store import Store
from tinycrm.store.followups import Mark
from tinycrm.vocabulary import FollowUpKind

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
        relationship = contact.relationship_type if contact else None
        item = stored_item(
            follow_up,
            contact.name if contact else "?",
            today,
            relationship.value if relationship else None,
            store.follow_ups.has_open_case(follow_up.contact_id),
        )
        return _Target(item, follow_up, None)
    match = _DERIVED_HANDLE.match(text)
    day = _handle_date(match[3]) if match else None
    if match is None or day is None:
        raise UsageError(f"not a follow-up handle: {handle!r} ({HANDLE_HELP})")
    subject = validation.row_id(match[2])
    if subject is None:  # beyond any row id SQLite can hold
        raise NotFound(f"no follow-up with handle {handle!r} ({HANDLE_HELP})")
    for item in items_on(store, day, settings, prefix=match[1], contact_id=subject):
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
            raise Conflict(f"follow-up {handle} is already {mark.status} on {mark.marked_on}")
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


def _check_open(
    store: Store,
    target: _Target,
    handle: str,
    today: date,
    loaded: QueueItem | None,
    if_version: int | None,
) -> None:
    """Refuse a row that was closed meanwhile, or (given the row as it was `loaded`, e.g. on
    the TUI's queue, or the version a script read) a stored follow-up someone changed since."""
    stored = target.stored
    if if_version is not None and stored is None:
        raise UsageError(
            f"follow-up {handle} has no version: only stored follow-ups (a number) have one"
        )
    if stored is not None:
        record, what = ("follow-up", stored.id or 0), f"follow-up {handle}"
        if stored.status != "open":
            when = closed_when(stored.done_by, stored.done_at, stored.completed_on, today)
            raise Conflict(f"follow-up {handle} is already {stored.status}{when}")
        if stored.rule and stored.completed_on == today and stored.due_on > today:
            when = closed_when(stored.done_by, stored.done_at, today, today)
            raise Conflict(
                f"follow-up {handle} was already done{when}; its next occurrence is due"
                f" {stored.due_on}"
            )
        if loaded is not None:
            check_loaded(
                store, record, what, loaded.version, stored.version, _changes(loaded, target.item)
            )
        check_loaded(store, record, what, if_version, stored.version)
    elif target.mark is not None and target.mark.status in ("done", "skipped"):
        mark = target.mark
        when = closed_when(mark.marked_by, mark.marked_at, mark.marked_on, today)
        raise Conflict(f"follow-up {handle} is already {mark.status}{when}")


def closed_when(by: str | None, at: str | None, on: date | str | None, today: date) -> str:
    """How a conflict names an earlier close: ' by Ann Smith at 10:02' (' on 2026-12-04 at
    10:02' another day), or ' on 2026-12-04' when who did it is not known."""
    if by is None or at is None:
        return f" on {on}" if on else ""
    moment = datetime.fromisoformat(at)
    day = "" if moment.date() == today else f" on {moment.date()}"
    return f" by {by}{day} at {moment:%H:%M}"


def _changes(before: QueueItem, after: QueueItem) -> list[str]:
    """What a person sees change on a stored follow-up's queue row."""
    changes = []
    if (before.due_on, before.snoozed) != (after.due_on, after.snoozed):
        changes.append(now_reads("snoozed until" if after.snoozed else "due", after.due_on))
    if before.title != after.title:
        changes.append(now_reads("title", after.title))
    return changes


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
    loaded: QueueItem | None = None,
    if_version: int | None = None,
) -> QueueItem:
    """Mark a queue row done; it counts as an interaction (the keep-in-touch clock restarts),
    and `note` (or, given only a `channel`, the row's title) is logged in the same transaction
    as a note on that channel. Returns the row as it was. A front end that showed the row
    passes it as `loaded` (a script the `if_version` it read): a stored follow-up someone
    changed since is a conflict (Stale)."""
    settings = settings or Settings()
    chosen = validation.channel(channel) if channel else None
    body = note.strip() if note is not None else None
    if note is not None and not body:
        raise UsageError("--note needs some text")
    with store.write():
        target = _resolve(store, handle, today, settings)
        _check_open(store, target, handle, today, loaded, if_version)
        item = target.item
        _close(store, target, "done", today)
        store.contacts.touch(item.contact_id, today)
        if body or chosen:  # a channel alone is logged with the follow-up's title
            logged = Note(item.contact_id, body or item.title, today, channel=chosen)
            history.record(store, [history.note_added(store.notes.insert(logged), logged)])
    return item


def next_due(store: Store, item: QueueItem) -> date | None:
    """After done or skip: when a recurring follow-up is next due (None: the series ended)."""
    if item.follow_up_id is None:
        return None
    stored = store.follow_ups.get(item.follow_up_id)
    return stored.due_on if stored is not None and stored.status == "open" else None


def snooze(
    store: Store,
    handle: str,
    until: date,
    today: date,
    *,
    settings: Settings | None = None,
    loaded: QueueItem | None = None,
    if_version: int | None = None,
) -> QueueItem:
    """Postpone this occurrence only (a recurring follow-up keeps its schedule); `loaded` and
    `if_version` as for `complete`."""
    settings = settings or Settings()
    if until < today:
        raise UsageError(f"cannot snooze to {until}: that is in the past (today is {today})")
    with store.write():
        target = _resolve(store, handle, today, settings)
        _check_open(store, target, handle, today, loaded, if_version)
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
        history.record(store, [_acted(item, "snoozed", "due", occurrence, until)])
    return replace(item, due_on=until, days_late=(today - until).days, snoozed=True)


def skip(
    store: Store,
    handle: str,
    today: date,
    *,
    settings: Settings | None = None,
    loaded: QueueItem | None = None,
    if_version: int | None = None,
) -> QueueItem:
    """Drop this occurrence without doing it: a recurring follow-up moves on, a check-in's
    clock restarts today (without counting as an interaction); `loaded` and `if_version` as
    for `complete`."""
    settings = settings or Settings()
    with store.write():
        target = _resolve(store, handle, today, settings)
        _check_open(store, target, handle, today, loaded, if_version)
        item = target.item
        _close(store, target, "skipped", today)
        if target.stored is None and item.kind == FollowUpKind.CHECK_IN:
            store.follow_ups.restart_clock([(item.contact_id, today)])
    return item


def series_source(series_id: int | None) -> str:
    """The `source` of a recurring follow-up's closed occurrence: the series it belongs to."""
    return f"series:{series_id}"


def _acted(
    item: QueueItem, action: str, field: str | None = None, old: object = None, new: object = None
) -> Change:
    """History: a queue row was done or skipped (`old`: the day it was due, which tells on time
    from late), or snoozed (its due day, old → new). A derived row, such as a check-in, has no
    id: its kind names it."""
    entity = "follow-up" if item.follow_up_id is not None else item.kind.value
    if field is None:
        due = item.due_on.isoformat()
        return Change(entity, item.follow_up_id, item.contact_id, action, None, due, item.title)
    old_text, new_text = history.stored_text(old), history.stored_text(new)
    return Change(entity, item.follow_up_id, item.contact_id, action, field, old_text, new_text)


def _close(store: Store, target: _Target, status: str, today: date) -> None:
    """Done or skipped: a stored follow-up moves on (or closes), a derived occurrence is marked.
    A recurring one's occurrence is kept as a closed row of its own (its history)."""
    history.record(store, [_acted(target.item, status)])
    stored = target.stored
    if stored is not None:
        advanced = _advance(stored, today, status)
        if stored.rule and advanced.status == "open":
            occurrence = replace(
                stored, id=None, rule=None, anchor_on=None, snoozed_until=None, status=status,
                completed_on=today, source=series_source(stored.id),
            )  # fmt: skip
            store.follow_ups.record_closer(store.follow_ups.insert(occurrence), _actor(store))
        store.follow_ups.update_state(advanced)
        store.follow_ups.record_closer(stored.id or 0, _actor(store))
    else:
        _mark(store, target.item, status, None, today)


def _actor(store: Store) -> int | None:
    return store.actor.id if store.actor else None


def _mark(store: Store, item: QueueItem, status: str, until: date | None, today: date) -> None:
    occurrence = item.occurrence_on or item.due_on
    store.follow_ups.put_mark(
        item.contact_id, item.kind, item.subject, occurrence, status, until, today, _actor(store)
    )
