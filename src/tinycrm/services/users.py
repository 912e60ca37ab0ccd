"""Managing the people who work in the CRM (add, edit, deactivate) and hand-overs; who they
are and who runs a command is services.identity (docs/team.md, docs/decisions.md "People").
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from tinycrm import validation
from tinycrm.errors import Conflict, UsageError
from tinycrm.models.history import Change
from tinycrm.models.users import Holdings, Identity, User
from tinycrm.services import history
from tinycrm.services.identity import active_user, find_user, has_team, require_admin
from tinycrm.store import Store

# -- managing users -------------------------------------------------------------------------


@dataclass(frozen=True)
class UserRow:
    user: User
    holdings: Holdings


def list_users(store: Store) -> list[UserRow]:
    with store.read():
        return [UserRow(u, store.users.holdings(u.id or 0)) for u in store.users.all()]


def add_user(
    store: Store,
    name: str,
    *,
    email: str,
    login: str | None = None,
    admin: bool = False,
    time_zone: str | None = None,
) -> User:
    """Add a user. The first one added to a CRM without an admin becomes its admin and,
    without --login, gets the login of whoever adds them (else nobody could write after)."""
    with store.write():
        require_admin(store, "adding a user")
        first = not has_team(store)
        user = User(
            name=_name(name),
            email=validation.email(email),
            login=_login(login) or (store.identity.login if first else None),
            admin=admin or first,
            time_zone=_time_zone(time_zone),
        )
        _check_unique(store, user)
        user_id = store.users.insert(user)
        added = store.users.get(user_id)
        assert added is not None
        if first and added.login == store.identity.login:
            store.act_as(Identity(added, added.login))  # the rest of this run is theirs
        history.record(store, [history.added("user", user_id, None, added.name)])
    return added


def edit_user(
    store: Store,
    ref: str,
    *,
    name: str | None = None,
    email: str | None = None,
    login: str | None = None,
    admin: bool | None = None,
    time_zone: str | None = None,
) -> User:
    """Change a user's name, e-mail, login ('' clears), admin flag or time zone ('' for the
    CRM's)."""
    with store.write():
        require_admin(store, "changing a user")
        user = find_user(store, ref)
        changed = replace(
            user,
            name=_name(name) if name is not None else user.name,
            email=(validation.email(email) if email.strip() else None)
            if email is not None
            else user.email,
            login=_login(login) if login is not None else user.login,
            admin=user.admin if admin is None else admin,
            time_zone=_time_zone(time_zone) if time_zone is not None else user.time_zone,
        )
        if user.admin and not changed.admin:
            _keep_an_admin(store, user, "stop being an admin")
        _check_unique(store, changed)
        store.users.update(changed)
        history.record(store, _user_changes(user, changed))
    edited = store.users.get(user.id or 0)
    assert edited is not None
    return edited


def deactivate(store: Store, ref: str) -> tuple[User, Holdings]:
    """Deactivate a user (never deleted: what they did keeps their name); what they still
    hold, for a hand-over."""
    with store.write():
        require_admin(store, "deactivating a user")
        user = find_user(store, ref)
        if not user.active:
            raise Conflict(f"{user.name} is deactivated already")
        if user.admin:
            _keep_an_admin(store, user, "be deactivated")
        store.users.update(replace(user, active=False))
        history.record(store, _user_changes(user, replace(user, active=False)))
        return replace(user, active=False, version=user.version + 1), store.users.holdings(
            user.id or 0
        )


def _user_fields(user: User) -> list[tuple[str, object]]:
    return [
        ("name", user.name),
        ("email", user.email),
        ("login", user.login),
        ("admin", "yes" if user.admin else "no"),
        ("active", "yes" if user.active else "no"),
        ("time zone", user.time_zone),
    ]


def _user_changes(before: User, after: User) -> list[Change]:
    """History: one row per field of a user that changed."""
    return history.differences("user", before.id, None, _user_fields(before), _user_fields(after))


def _keep_an_admin(store: Store, user: User, change: str) -> None:
    others = [u for u in store.users.all(active_only=True) if u.admin and u.id != user.id]
    if not others:
        raise Conflict(f"{user.name} is the only admin and cannot {change}; make another first")


def _name(text: str) -> str:
    name = text.strip()
    if not name:
        raise UsageError("a user needs a name")
    if len(name) > 200:
        raise UsageError("a user's name can be at most 200 characters")
    return name


def _login(text: str | None) -> str | None:
    if text is None or not text.strip():
        return None
    login = text.strip()
    if any(ch.isspace() for ch in login):
        raise UsageError(f"a login has no spaces: {login!r}")
    return login


def _time_zone(text: str | None) -> str | None:
    if text is None or not text.strip():
        return None
    try:
        ZoneInfo(text.strip())
    except (ZoneInfoNotFoundError, ValueError):
        raise UsageError(
            f"unknown time zone {text.strip()!r}: use an IANA name such as Europe/Berlin"
        ) from None
    return text.strip()


def _check_unique(store: Store, user: User) -> None:
    same_name = store.users.find_by_name(user.name)
    if same_name is not None and same_name.id != user.id:
        raise Conflict(f"there is a user named {same_name.name} already (id {same_name.id})")
    if user.login:
        same_login = store.users.find_by_login(user.login)
        if same_login is not None and same_login.id != user.id:
            raise Conflict(f"the login {user.login!r} is {same_login.name}'s already")


# -- hand-over ------------------------------------------------------------------------------


@dataclass(frozen=True)
class HandOver:
    giver: User
    taker: User
    moved: Holdings


def hand_over(store: Store, giver_ref: str, taker_ref: str) -> HandOver:
    """Give every customer, company, open follow-up and open case `giver_ref` holds to
    `taker_ref`, in one transaction."""
    with store.write():
        require_admin(store, "a hand-over")
        giver = find_user(store, giver_ref)
        taker = active_user(store, taker_ref, "handed anything")
        if giver.id == taker.id:
            raise UsageError(f"{giver.name} cannot hand over to themselves")
        held = store.history.held_by(giver.id or 0)
        moved = store.users.hand_over(giver.id or 0, taker.id or 0)
        history.record(store, [hand_over_change(row, giver, taker) for row in held])
    return HandOver(giver, taker, moved)


def hand_over_change(held: tuple[str, int, int | None], giver: User, taker: User) -> Change:
    """History: one record's owner (a follow-up's assignee) handed over."""
    entity, entity_id, contact_id = held
    field = "assignee" if entity == "follow-up" else "owner"
    return Change(entity, entity_id, contact_id, history.CHANGED, field, giver.name, taker.name)
