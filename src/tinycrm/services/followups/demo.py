"""Sample follow-ups for `crm demo`."""

from __future__ import annotations

import random
from datetime import date, timedelta

from tinycrm.services.followups.stored import add_follow_up
from tinycrm.store import Store

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


def seed_demo(store: Store, ids: list[int], today: date, rng: random.Random) -> dict[str, int]:
    """A few manual follow-ups (overdue, today, upcoming, recurring) for the demo shop; how
    many."""
    count = 0
    for index, title, kind, offset, every in _DEMO_FOLLOW_UPS:
        if index < len(ids):
            due = today + timedelta(days=offset)
            add_follow_up(store, str(ids[index]), title, due, today, kind=kind, every=every)
            count += 1
    return {"follow-ups": count}
