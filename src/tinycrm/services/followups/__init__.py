"""The follow-up queue: stored follow-ups plus rows derived on the fly from the data.

Modules: `items` (rows, handles, urgency), `sources` (derived rows and their marks), `queue`
(building it), `actions` (done, snooze, skip), `stored` (adding, listing), `clock`
(keep-in-touch for imported batches), `demo`. This package re-exports the queue's API (items,
sources, queue); the others are imported by their module's name, so a command that only reads
the queue does not load what acting and adding need (the contacts service, the history's
writers).

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

from tinycrm.services.followups.items import (
    DEFAULT_OVERDUE_LIMIT,
    DERIVED_GRACE_DAYS,
    DUE_WEIGHT,
    KIND_WEIGHTS,
    MAX_DAYS,
    OPEN_CASE_WEIGHT,
    RELATIONSHIP_WEIGHTS,
    DerivedSource,
    OwnerScope,
    Queue,
    QueueItem,
    check_days,
    derived_handle,
    dueness,
    urgency,
)
from tinycrm.services.followups.queue import (
    build_queue,
    each_derived_due,
    follow_ups_for_contact,
    queue_scope,
)
from tinycrm.services.followups.sources import (
    DERIVED_SOURCES,
    HANDLE_PREFIXES,
    anniversary_source,
    anniversary_title,
    birthday_source,
    check_in_source,
    reorder_source,
)

__all__ = [
    "DEFAULT_OVERDUE_LIMIT",
    "DERIVED_GRACE_DAYS",
    "DERIVED_SOURCES",
    "DUE_WEIGHT",
    "HANDLE_PREFIXES",
    "KIND_WEIGHTS",
    "MAX_DAYS",
    "OPEN_CASE_WEIGHT",
    "RELATIONSHIP_WEIGHTS",
    "DerivedSource",
    "OwnerScope",
    "Queue",
    "QueueItem",
    "anniversary_source",
    "anniversary_title",
    "birthday_source",
    "build_queue",
    "check_days",
    "check_in_source",
    "derived_handle",
    "dueness",
    "each_derived_due",
    "follow_ups_for_contact",
    "queue_scope",
    "reorder_source",
    "urgency",
]
