"""Companies: the business customers that contacts work at (accounts)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True, slots=True)
class Company:
    name: str
    id: int | None = None
    owner: str | None = None  # the key account manager's name, read with the company
    owner_id: int | None = None  # the key account manager; None: the owner of its people
    cadence_days: int | None = None  # keep-in-touch interval; None: its people's own
    archived: bool = False
    version: int = 1


@dataclass(frozen=True, slots=True)
class Departure:
    """A person who left a company: their history (sales, notes) stays where it was."""

    contact_id: int
    contact_name: str
    company_id: int
    role: str | None
    left_on: date


@dataclass(frozen=True, slots=True)
class MergedSpelling:
    """A free-text company name that the schema upgrade turned into (part of) a company."""

    spelling: str
    contacts: int
    company_id: int
    company_name: str
