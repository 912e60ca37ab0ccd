"""Queue rows, their handles and their urgency."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from functools import cache
from typing import TYPE_CHECKING, NamedTuple

from tinycrm import recurrence
from tinycrm.config import Settings
from tinycrm.errors import UsageError
from tinycrm.store import Store
from tinycrm.store.followups import Weights
from tinycrm.vocabulary import FollowUpKind, RelationshipType

if TYPE_CHECKING:
    from tinycrm.models.followups import FollowUp

# Derived birthdays and anniversaries stay in the queue this many days after the day
# (belated wishes still count); check-ins, cases and stored follow-ups stay until acted on.
DERIVED_GRACE_DAYS = 7
MAX_DAYS = 3660
DEFAULT_OVERDUE_LIMIT = 50

DUE_WEIGHT = 12.0
FULLY_DUE_DAYS = 7  # days late from which dueness is 1.0 (urgency: 12 + the weights)
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
# Rows due the same day share their due weight: these, urgency's other terms, order them.
SAME_DAY = Weights(KIND_WEIGHTS, RELATIONSHIP_WEIGHTS, OPEN_CASE_WEIGHT)
# Kinds whose derived occurrences vanish DERIVED_GRACE_DAYS after their day.
GRACE_KINDS = frozenset({FollowUpKind.BIRTHDAY, FollowUpKind.ANNIVERSARY})


@dataclass(frozen=True, slots=True)
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
    years: int | None = None  # birthdays: the age reached; anniversaries: the years
    version: int | None = None  # stored follow-ups: the row's version when it was read
    owner_id: int | None = None  # who it is for: its assignee, else the contact's owner
    owner: str | None = None  # that user's name (None: unassigned, or a CRM without users)


@dataclass(frozen=True, slots=True)
class OwnerScope:
    """Whose queue rows: one user's (`user_id`), or the unassigned ones (`user_id` None). A
    row is a user's when it is assigned to them, or unassigned and its contact is theirs."""

    user_id: int | None


class Queue(NamedTuple):
    as_of: date
    overdue: list[QueueItem]
    today: list[QueueItem]
    upcoming: list[QueueItem]
    overdue_total: int  # overdue may be limited; the full count for "… and N more"
    today_total: int  # likewise for today (see today_limit)
    upcoming_total: int = 0  # likewise for upcoming (see upcoming_limit)


# (store, start, end, settings, contact id or None for everyone) -> items
DerivedSource = Callable[[Store, date, date, Settings, int | None], list[QueueItem]]


def derived_handle(prefix: str, subject_id: int, on: date | str) -> str:
    """`b7-2026-12-01`: the source's prefix, the subject's id and the day (a date, or its
    ISO text when the caller already has it)."""
    return f"{prefix}{subject_id}-{on if isinstance(on, str) else on.isoformat()}"


def dueness(days_late: int) -> float:
    """Taskwarrior's due factor: 0.2 far ahead, 1.0 a week overdue, linear in between."""
    if days_late >= FULLY_DUE_DAYS:
        return 1.0
    if days_late >= -14:
        return (days_late + 14) * 0.8 / 21 + 0.2
    return 0.2


@cache  # a queue scores thousands of rows from a few hundred distinct inputs
def urgency(kind: str, days_late: int, relationship_type: str | None, open_case: bool) -> float:
    score = DUE_WEIGHT * dueness(days_late) + KIND_WEIGHTS.get(kind, 0.0)
    score += RELATIONSHIP_WEIGHTS.get(relationship_type or "", 0.0)
    if open_case:
        score += OPEN_CASE_WEIGHT
    return round(score, 2)


def check_days(days: int) -> int:
    if not 0 <= days <= MAX_DAYS:
        raise UsageError(f"--days must be between 0 and {MAX_DAYS}, not {days}")
    return days


def stored_item(
    follow_up: FollowUp, name: str, today: date, relationship: str | None, open_case: bool
) -> QueueItem:
    """The queue row of a stored follow-up: the one builder every view uses (queue, list,
    a contact's card, acting on a handle), so its urgency is the same everywhere."""
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
        version=follow_up.version,
    )
