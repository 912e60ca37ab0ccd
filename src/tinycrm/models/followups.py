"""Stored follow-ups."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from tinycrm.vocabulary import FollowUpKind


@dataclass(frozen=True, slots=True)
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
    version: int = 0  # raised by every saved change; 0: not stored yet
    assignee_id: int | None = None  # the user it is for; None: whoever owns the contact
    done_by: str | None = None  # who last closed it (done or skipped), by name, when known
    done_at: str | None = None  # when: a timestamp with its UTC offset
