"""Done and skip that can be taken back (the TUI's `u`): what they change is kept first.

`close` marks a queue row done or skipped like `actions.complete`/`actions.skip` and returns an
`Undo` holding the state they change: the stored follow-up's row, or the derived occurrence's
mark, and the contact's keep-in-touch clock. `undo` writes that state back, in one transaction.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import NamedTuple

from tinycrm.config import Settings
from tinycrm.models.followups import FollowUp
from tinycrm.models.history import Change
from tinycrm.services import history
from tinycrm.services.followups.actions import complete, get_item, series_source, skip
from tinycrm.services.followups.items import QueueItem
from tinycrm.store import Store
from tinycrm.store.followups import Mark


class Undo(NamedTuple):
    item: QueueItem  # the row as it was
    done: bool  # done (else skipped)
    stored: FollowUp | None  # a stored follow-up's row before (its version: the one after)
    mark: Mark | None  # a derived occurrence's mark before (None: it had none)
    history_id: int | None  # the closed occurrence a recurring follow-up kept as history
    last_touch_on: date | None  # the contact's keep-in-touch clock before
    touch_anchor_on: date | None


def close(
    store: Store,
    handle: str,
    today: date,
    *,
    done: bool,
    settings: Settings | None = None,
    loaded: QueueItem | None = None,
) -> Undo:
    """Mark `handle` done (`done=True`) or skipped; the means to take it back. `loaded`: the
    row as the front end showed it (see `actions.complete`)."""
    with store.write():
        item = get_item(store, handle, today, settings=settings)
        stored = store.follow_ups.get(item.follow_up_id) if item.follow_up_id else None
        occurrence = item.occurrence_on or item.due_on
        mark = None
        if stored is None:
            mark = store.follow_ups.get_mark(item.contact_id, item.kind, item.subject, occurrence)
        last_touch_on, touch_anchor_on = store.follow_ups.get_clock(item.contact_id)
        if done:
            complete(store, handle, today, settings=settings, loaded=loaded)
        else:
            skip(store, handle, today, settings=settings, loaded=loaded)
        history_id = _history_id(store, stored) if stored and stored.rule else None
        if stored is not None:  # undo writes it back only if nobody changed it after this
            stored = replace(stored, version=stored.version + 1)
    return Undo(item, done, stored, mark, history_id, last_touch_on, touch_anchor_on)


def _history_id(store: Store, series: FollowUp) -> int | None:
    """The row `close` kept for the occurrence it closed (its due day, from its series)."""
    kept = store.follow_ups.for_contact(series.contact_id, open_only=False)
    source = series_source(series.id)
    ids = [f.id for f in kept if f.source == source and f.due_on == series.due_on and f.id]
    return max(ids, default=None)


def undo(store: Store, change: Undo, today: date) -> QueueItem:
    """Put back what `close` changed; the row as it was before."""
    item = change.item
    with store.write():
        if change.history_id is not None:
            store.follow_ups.delete(change.history_id)
        if change.stored is not None:
            store.follow_ups.update_state(change.stored)
        else:
            occurrence = item.occurrence_on or item.due_on
            if change.mark is None:
                store.follow_ups.delete_mark(item.contact_id, item.kind, item.subject, occurrence)
            else:
                m = change.mark
                until = date.fromisoformat(m.snoozed_until) if m.snoozed_until else None
                store.follow_ups.put_mark(
                    m.contact_id, m.kind, m.subject, occurrence, m.status, until, today
                )
        store.follow_ups.set_clock(item.contact_id, change.last_touch_on, change.touch_anchor_on)
        entity = "follow-up" if item.follow_up_id is not None else item.kind.value
        undone = Change(entity, item.follow_up_id, item.contact_id, "undone", new=item.title)
        history.record(store, [undone])
    return item
