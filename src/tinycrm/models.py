"""The CRM's records as plain data: no storage, no presentation.

Their vocabularies (relationship types, stages, channels, follow-up kinds, scales, severities)
are in `vocabulary`. Records that only one feature uses live beside their repository in
`store/`: `Sale` and `Cost` (store/sales.py), `Score` (store/satisfaction.py), `Case`
(store/cases.py), `StageChange` (store/contacts.py). Each dataclass costs ~0.6-1 ms of start-up
to create (docs/benchmarks.md).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from tinycrm.dates import PartialDate
from tinycrm.vocabulary import DEFAULT_CADENCE, Channel, FollowUpKind, RelationshipType, Stage


@dataclass(frozen=True)
class Anniversary:
    label: str
    when: PartialDate
    id: int | None = None


@dataclass
class Contact:
    """A customer or prospect, person or company."""

    name: str
    id: int | None = None
    company: str | None = None
    emails: list[str] = field(default_factory=list)
    phones: list[str] = field(default_factory=list)
    address: str | None = None
    birthday: PartialDate | None = None
    anniversaries: list[Anniversary] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    relationship_type: RelationshipType | None = None
    stage: Stage | None = None
    cadence_override: int | None = None  # days; 0 means "never check in"
    owner: str | None = None
    archived: bool = False
    last_touch_on: date | None = None
    touch_anchor_on: date | None = None  # keep-in-touch clock start if never touched

    @property
    def cadence_days(self) -> int | None:
        """The keep-in-touch interval in force: the override, else the type's default."""
        if self.cadence_override is not None:
            return self.cadence_override or None
        if self.relationship_type is None:
            return None
        return DEFAULT_CADENCE.get(self.relationship_type)


@dataclass(frozen=True)
class Note:
    contact_id: int
    body: str
    on: date
    channel: Channel | None = None
    duration_minutes: int | None = None
    id: int | None = None

    @property
    def is_interaction(self) -> bool:
        return self.channel is not None


@dataclass
class FollowUp:
    """A stored follow-up: something to do for a contact on a date, maybe recurring."""

    contact_id: int
    title: str
    kind: FollowUpKind
    due_on: date
    id: int | None = None
    rule: str | None = None  # RRULE text for recurring follow-ups
    anchor_on: date | None = None
    snoozed_until: date | None = None
    status: str = "open"  # open, done, skipped
    completed_on: date | None = None
    source: str | None = None  # what created it, e.g. "sale:12"
