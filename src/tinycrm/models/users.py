"""The people who work in the CRM: owners of customers, assignees of follow-ups."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class User:
    name: str
    id: int | None = None
    email: str | None = None
    login: str | None = None  # the OS login or PostgreSQL role that is this user
    admin: bool = False
    active: bool = True  # a user is deactivated, never deleted
    time_zone: str | None = None  # IANA name; None: the CRM's configured zone
    version: int = 1


@dataclass(frozen=True, slots=True)
class MergedOwner:
    """A free-text owner that the schema upgrade turned into (part of) a user."""

    spelling: str
    uses: int  # contacts and companies that had this spelling
    user_id: int
    user_name: str


@dataclass(frozen=True, slots=True)
class Holdings:
    """What a user is responsible for: the work a hand-over moves."""

    customers: int  # contacts they own, archived ones included
    companies: int  # companies they are the key account manager of
    follow_ups: int  # open follow-ups assigned to them by name
    cases: int  # open cases assigned to them by name

    @property
    def total(self) -> int:
        return self.customers + self.companies + self.follow_ups + self.cases


@dataclass(frozen=True, slots=True)
class Identity:
    """Who runs a command (services/identity.py `identify`): the user, the login tried, and, in a
    CRM with a team, why their writes are refused when they are unknown or deactivated."""

    user: User | None = None
    login: str | None = None  # the OS login or PostgreSQL role looked up
    refusal: str | None = None  # set: every write is refused with this line
