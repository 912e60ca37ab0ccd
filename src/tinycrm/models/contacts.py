"""Contacts: a customer or prospect, their anniversaries and lifecycle stage history."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from tinycrm.dates import PartialDate
from tinycrm.vocabulary import DEFAULT_CADENCE, RelationshipType, Stage


@dataclass(frozen=True, slots=True)
class Anniversary:
    label: str
    when: PartialDate
    id: int | None = None


@dataclass(slots=True)
class Contact:
    """A customer or prospect, person or company (mutable: imports and merges build it up)."""

    name: str
    id: int | None = None
    company: str | None = None  # the company's name (companies.name), read with the contact
    role: str | None = None  # at the company: buyer, decision maker, accounts payable, user, ...
    referred_by: int | None = None  # the contact who brought this one
    referrer: str | None = None  # that contact's name, read with the contact
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
    version: int = 0  # raised by every saved change; 0: not stored yet
    company_id: int | None = None

    @property
    def cadence_days(self) -> int | None:
        """The keep-in-touch interval in force: the override, else the type's default."""
        if self.cadence_override is not None:
            return self.cadence_override or None
        if self.relationship_type is None:
            return None
        return DEFAULT_CADENCE.get(self.relationship_type)


@dataclass(frozen=True, slots=True)
class StageChange:
    stage: Stage
    changed_on: date
