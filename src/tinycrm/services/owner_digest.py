"""Each person's own digest (`crm digest --each-owner`): who gets one, on which day, with what.

A person's digest holds their rows by the queue's `OwnerScope` (what `crm follow-ups today
--mine` shows them) and the at-risk customers they own. The rows nobody owns go to the
coordinator (`[team] coordinator`), or to every admin when none is named, as a second part of
their digest. Each person's "today" is the date in their time zone (`crm users edit
--time-zone`, else `[team] time_zone`, else the machine's), and their digest is due from
`[team] digest_at` (default 00:00) in that zone, so that one hourly cron line serves a team
spread over time zones (docs/team.md). Sending once per person per day and catching up are
the single digest's rules (services/digest.py), per recipient.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, tzinfo
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from tinycrm.config import Settings
from tinycrm.errors import CrmError, UsageError
from tinycrm.models.users import User
from tinycrm.services import users
from tinycrm.services.digest import SECTION_LIMIT, Digest, build_digest
from tinycrm.services.followups import OwnerScope
from tinycrm.store import Store


@dataclass(frozen=True)
class TeamSettings:
    """The `[team]` keys the per-owner digest reads."""

    coordinator: str | None = None  # who gets the unassigned rows; None: every admin
    time_zone: str | None = None  # for users without their own; None: the machine's
    digest_at: time = time(0, 0)  # each person's digest is due from this time of their day


@dataclass(frozen=True)
class Recipient:
    user: User
    email: str
    day: date  # their today (or --as-of)
    zone: str  # the IANA name of their time zone, or "local"
    due: bool  # their `digest_at` has come (always with --as-of)
    gets_unassigned: bool  # the coordinator, or an admin when there is none


@dataclass(frozen=True)
class Recipients:
    people: list[Recipient]
    without_email: list[User]  # active users who get nothing: no address
    digest_at: time = time(0, 0)  # `[team] digest_at`: when a person's digest is due

    @property
    def unassigned_to(self) -> list[User]:
        return [person.user for person in self.people if person.gets_unassigned]


def team_settings(raw: dict[str, Any]) -> TeamSettings:
    """The `[team]` table, checked: a wrong value is one line naming the key."""
    coordinator = raw.get("coordinator")
    zone = raw.get("time_zone")
    at = raw.get("digest_at", "00:00")
    if coordinator is not None and (not isinstance(coordinator, str) or not coordinator.strip()):
        raise UsageError("config: team.coordinator must name a user (a login or a name)")
    if zone is not None:
        if not isinstance(zone, str):
            raise UsageError("config: team.time_zone must be an IANA name such as Europe/Berlin")
        _zone(zone, "config: team.time_zone")
    try:
        digest_at = time.fromisoformat(at) if isinstance(at, str) else None
    except ValueError:
        digest_at = None
    if digest_at is None or digest_at.tzinfo is not None:
        raise UsageError(f"config: team.digest_at must be a time of day such as 07:00, not {at!r}")
    return TeamSettings(coordinator.strip() if coordinator else None, zone, digest_at)


def recipients(
    store: Store, settings: Settings, *, as_of: date | None, now: datetime | None = None
) -> Recipients:
    """Every active user with an e-mail address, on their own day (`as_of`: that day for
    everyone, due at once), and who of them gets the unassigned rows. A CRM without users, or
    a coordinator who cannot get them, is an error before anything is sent."""
    team = team_settings(settings.team)
    with store.read():
        people = store.users.all(active_only=True)
        if not people:
            raise UsageError(
                "this CRM has no users: --each-owner sends each user their own digest"
                " (`crm users add NAME --email E`); without it, `crm digest` is the shop's one"
            )
        coordinator = _coordinator(store, team.coordinator)
    moment = now or datetime.now(UTC)
    found = []
    for user in people:
        if not user.email:
            continue
        zone_name = user.time_zone or team.time_zone
        local = moment.astimezone(_zone(zone_name, user.name) if zone_name else None)
        gets_unassigned = user.id == coordinator.id if coordinator else user.admin
        due = as_of is not None or local.time() >= team.digest_at
        day = as_of or local.date()
        found.append(Recipient(user, user.email, day, zone_name or "local", due, gets_unassigned))
    return Recipients(found, [user for user in people if not user.email], team.digest_at)


def build(
    store: Store,
    person: Recipient,
    *,
    days: int,
    covered_from: date | None = None,
    settings: Settings | None = None,
    limit: int | None = SECTION_LIMIT,
) -> Digest:
    """`person`'s digest: their rows, and the unassigned ones when they get those."""
    with store.read():
        mine = build_digest(
            store, person.day, days=days, covered_from=covered_from, settings=settings,
            limit=limit, scope=OwnerScope(person.user.id),
        )  # fmt: skip
        nobodys = None
        if person.gets_unassigned:
            nobodys = build_digest(
                store, person.day, days=days, covered_from=covered_from, settings=settings,
                limit=limit, scope=OwnerScope(None),
            )  # fmt: skip
    return replace(mine, owner=person.user.name, unassigned=nobodys)


def _coordinator(store: Store, ref: str | None) -> User | None:
    """The user `[team] coordinator` names, who must be active and have an e-mail address."""
    if ref is None:
        return None
    try:
        user = users.find_user(store, ref)
    except CrmError as exc:
        raise UsageError(f"config: team.coordinator: {exc}; nothing was sent") from None
    if not user.active:
        raise UsageError(f"config: team.coordinator: {user.name} is deactivated; nothing was sent")
    if not user.email:
        raise UsageError(
            f"config: team.coordinator: {user.name} has no e-mail address"
            f" (`crm users edit {user.login or user.name!r} --email E`); nothing was sent"
        )
    return user


def _zone(name: str, whose: str) -> tzinfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise UsageError(f"{whose}: unknown time zone {name!r}") from None
