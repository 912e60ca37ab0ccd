"""Who changed what: one row of the append-only history, and who is acting now."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, slots=True)
class Actor:
    """Who is writing (a user's id; None in a CRM without users) and through which front end
    (cli, tui, digest, mail, import, portal)."""

    user_id: int | None
    source: str


@dataclass(frozen=True, slots=True)
class Change:
    """One thing a write did to one record: added, changed (a field, old → new), done, …"""

    entity: str  # contact, note, follow-up, sale, cost, score, case, company
    entity_id: int | None
    contact_id: int | None  # the customer it concerns
    action: str
    field: str | None = None
    old: str | None = None
    new: str | None = None


@dataclass(frozen=True, slots=True)
class HistoryEntry:
    """A recorded change with when, by whom (the user's name; None: nobody known) and through
    which front end (None: an interaction logged before the history was kept)."""

    at: datetime
    user: str | None
    source: str | None
    change: Change
