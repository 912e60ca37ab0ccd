"""People: who they are, who is running a command, who may do what, and hand-overs.

The identity rule (docs/team.md): `--as USER`, else `CRM_USER`, else the PostgreSQL role or the
OS login that is a user's login. A CRM without an admin has no team yet: nobody is asked who
they are and anyone may do anything (a one-person shop never registers). Once it has an admin,
a write by someone it does not know is refused, and only admins forget contacts, hand over,
manage users, or act `--as` someone else (docs/decisions.md, "People").
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from tinycrm import validation
from tinycrm.errors import Ambiguous, Conflict, Forbidden, NotFound, UsageError
from tinycrm.models.history import Change
from tinycrm.models.users import Holdings, Identity, MergedOwner, User
from tinycrm.services import history
from tinycrm.store import Store

NOBODY = ("", "none", "nobody")  # what clears an owner


def find_user(store: Store, ref: str) -> User:
    """The user `ref` names: an id (`#3` or `3`), a login, an e-mail, a name (case and spaces
    aside), or the start of exactly one name."""
    text = ref.strip()
    if not text:
        raise UsageError("a user's name, login, e-mail or id is needed")
    number = validation.row_id(text.removeprefix("#"))
    found = store.users.get(number) if number is not None else None
    found = found or store.users.find_by_name(text)
    found = found or store.users.find_by_login(text, any_case=True)
    if found is not None:
        return found
    matches = store.users.find_by_email(text) if "@" in text else store.users.starting_with(text)
    if len(matches) == 1:
        return matches[0]
    if not matches:
        raise NotFound(f"no user {text!r}: `crm users list` shows who there is")
    names = [describe(u) for u in matches]
    raise Ambiguous(
        f"{text!r} matches {len(matches)} users ({', '.join(names)}): give the whole name,"
        " the login or the e-mail",
        names,
    )


def describe(user: User) -> str:
    """A user as a message names them: 'Ann Smith (ann)'."""
    return f"{user.name} ({user.login})" if user.login else user.name


def active_user(store: Store, ref: str, role: str) -> User:
    """The user `ref` names, refused when deactivated: `role` says what they would become."""
    user = find_user(store, ref)
    if not user.active:
        raise Conflict(f"{user.name} is deactivated and cannot be {role}")
    return user


def owner_for(store: Store, ref: str) -> User | None:
    """The new owner `ref` names ('', 'none', 'nobody': no owner)."""
    if ref.strip().lower() in NOBODY:
        return None
    return active_user(store, ref, "an owner")


# -- who is running this --------------------------------------------------------------------


def has_users(store: Store) -> bool:
    """Whether anyone is registered: then an unowned customer is shown as such."""
    return store.users.count() > 0


def has_team(store: Store) -> bool:
    """Whether the CRM has a team: an admin. Before that nobody is asked who they are."""
    return store.users.has_admin()


def identify(
    store: Store, *, as_ref: str | None, env_user: str | None, os_login: str | None
) -> Identity:
    """Who runs this command (the rule in this module's docstring). A wrong `--as` or
    CRM_USER is an error at once; an unknown person may still read, but not write."""
    role = store.users.session_role()
    logins = [name for name in (role, os_login) if name]
    real = find_user(store, env_user) if env_user else None
    if real is None:
        real = store.users.find_by_first_login(logins)
    login = real.login if real else next(iter(logins), None)
    user = real
    if as_ref:
        user = find_user(store, as_ref)
        if has_team(store) and user.id != (real.id if real else None):
            _may_act_as(real, user, login)
    if not has_team(store):
        return Identity(user, login)
    return Identity(user, login, _refusal(user, login))


def _may_act_as(real: User | None, other: User, login: str | None) -> None:
    if real is None:
        raise Forbidden(f"--as {other.name} needs an admin, and {_unknown(login)}")
    if not (real.admin and real.active):
        raise Forbidden(f"--as {other.name} needs an admin; {real.name} is not one")


def who_is_unknown(store: Store) -> str:
    """Why there is no 'me': no users yet, or a login no user has."""
    if not store.users.count():
        return "this CRM has no users yet (`crm users add NAME --email E`)"
    return _unknown(store.identity.login) + " (name yourself with --as USER or CRM_USER)"


def _unknown(login: str | None) -> str:
    return f"no user has the login {login!r}" if login else "who you are is not known"


def _refusal(user: User | None, login: str | None) -> str | None:
    if user is None:
        return (
            f"{_unknown(login)}: an admin adds you with `crm users add NAME --email E"
            f" --login {login or 'LOGIN'}`, or name yourself with --as USER or CRM_USER;"
            " nothing was changed"
        )
    if not user.active:
        return f"{user.name} is deactivated and may not change anything; nothing was changed"
    return None


def require_admin(store: Store, what: str) -> None:
    """Refuse `what` (e.g. 'forgetting a contact') unless the acting user is an admin, in a
    CRM with a team."""
    if not has_team(store):
        return
    actor = store.actor
    if actor is None:
        raise Forbidden(f"{what} needs an admin, and {_unknown(store.identity.login)}")
    if not (actor.admin and actor.active):
        raise Forbidden(f"{what} needs an admin; {actor.name} is not one; nothing was changed")


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


# -- the upgrade's report -------------------------------------------------------------------


@dataclass(frozen=True)
class OwnerReport:
    """What the upgrade to users did with free-text owners: read back from the migrated data."""

    spellings: tuple[MergedOwner, ...]

    @property
    def users(self) -> int:
        return len({s.user_id for s in self.spellings})

    @property
    def merged(self) -> dict[str, list[MergedOwner]]:
        """The users made from more than one spelling, by name."""
        by_user: dict[str, list[MergedOwner]] = {}
        for spelling in self.spellings:
            by_user.setdefault(spelling.user_name, []).append(spelling)
        return {name: rows for name, rows in by_user.items() if len(rows) > 1}

    def summary(self) -> str:
        n, users = len(self.spellings), self.users
        return (
            f"{n} owner name{'s' * (n != 1)} became {users} user{'s' * (users != 1)}"
            f" ({n - users} spelling{'s' * (n - users != 1)} merged by case and spaces)"
        )


def owner_report(store: Store) -> OwnerReport:
    return OwnerReport(tuple(store.users.merged_owners()))
