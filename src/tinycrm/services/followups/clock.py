"""Keep-in-touch clocks for imported batches."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta

from tinycrm.store import Store

# ---------------------------------------------------------------------------------------------
# Keep-in-touch for imported batches


def spread_check_ins(store: Store, contact_ids: Iterable[int], today: date) -> int:
    """Spread a freshly imported batch's first check-ins evenly over each contact's cadence,
    so they do not all fall due on the same day. Contacts with a logged interaction later
    than the spread anchor keep their own clock. Returns how many clocks were set."""
    ids = list(dict.fromkeys(contact_ids))
    with_cadence = store.follow_ups.cadences(ids)
    anchors: list[tuple[int, date]] = []
    total = len(with_cadence)
    for index, (contact_id, cadence) in enumerate(with_cadence):
        # Due on day 1..cadence after today, evenly by position in the batch.
        due_in = 1 + (index * cadence) // total
        anchors.append((contact_id, today + timedelta(days=due_in - cadence)))
    if anchors:
        store.follow_ups.restart_clock(anchors)
    return len(anchors)
