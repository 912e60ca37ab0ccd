"""Each person's own digest (`crm digest --each-owner`): who gets one, on which day, with what.

A person's digest holds their rows by the queue's `OwnerScope` (what `crm follow-ups today
--mine` shows them) and the at-risk customers they own. The rows nobody owns go to the
coordinator (`[team] coordinator`), or to every admin when none is named, as a second part of
their digest. Each person's "today" is the date in their time zone (`crm users edit
--time-zone`, else `[team] time_zone`, else the machine's), and their digest is due from
`[team] digest_at` (default 00:00) in that zone, so that one hourly cron line serves a team
spread over time zones (docs/team.md). Sending once per person per day and catching up are
the single digest's rules (services/digest.py), per recipient; `send_each` is a sending run.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, tzinfo
from enum import Enum
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from tinycrm.config import Settings
from tinycrm.errors import CrmError, SendError, UsageError
from tinycrm.models.users import User
from tinycrm.services import identity
from tinycrm.services.digest import SECTION_LIMIT, Digest, build_digest, plan_send, record_empty
from tinycrm.services.followups import OwnerScope
from tinycrm.services.integrity import check_integrity
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


class Outcome(Enum):
    """What a sending run did with one person's digest."""

    NOT_DUE = "not due"  # their `digest_at` has not come yet today
    ALREADY_SENT = "already sent"  # today's went out before (without --force)
    EMPTY = "empty"  # nothing due and --quiet-if-empty: recorded, not sent
    SENT = "sent"  # handed to `send` (which says so itself, or that another run has it)
    FAILED = "failed"  # `send` raised SendError: the next run tries again


@dataclass(frozen=True)
class PersonSent:
    """One person's part of a sending run."""

    person: Recipient
    outcome: Outcome
    already_sent_at: str | None = None  # ALREADY_SENT: when
    error: SendError | None = None  # FAILED: why

    @property
    def built(self) -> bool:
        """Their digest was built on this run (it was due and not sent before)."""
        return self.outcome in (Outcome.EMPTY, Outcome.SENT, Outcome.FAILED)


# Sends a person their digest (the front end's mail transport); raises SendError if it did not go.
Send = Callable[[Digest, Recipient], None]


def send_each(
    store: Store,
    settings: Settings,
    found: Recipients,
    send: Send,
    *,
    days: int,
    limit: int | None = SECTION_LIMIT,
    quiet_if_empty: bool = False,
    force: bool = False,
) -> Iterator[PersonSent]:
    """Each person's digest, built and sent when their time of day has come and today's has
    not gone out yet (`force`: again), yielded person by person as it happens. A failed send
    does not stop the others."""
    check_integrity(store)
    for person in found.people:
        if not person.due:
            yield PersonSent(person, Outcome.NOT_DUE)
            continue
        plan = plan_send(store, person.day, force=force, user_id=person.user.id)
        if plan.skip:
            yield PersonSent(person, Outcome.ALREADY_SENT, already_sent_at=plan.already_sent_at)
            continue
        built = build(
            store, person, days=days, covered_from=plan.covered_from, settings=settings,
            limit=limit,
        )  # fmt: skip
        if quiet_if_empty and built.is_empty:
            record_empty(store, built, person.user.id)
            yield PersonSent(person, Outcome.EMPTY)
            continue
        try:
            send(built, person)
        except SendError as exc:
            yield PersonSent(person, Outcome.FAILED, error=exc)
            continue
        yield PersonSent(person, Outcome.SENT)


def _coordinator(store: Store, ref: str | None) -> User | None:
    """The user `[team] coordinator` names, who must be active and have an e-mail address."""
    if ref is None:
        return None
    try:
        user = identity.find_user(store, ref)
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
