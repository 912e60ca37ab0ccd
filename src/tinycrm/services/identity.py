"""Who people are and who is running a command: finding a user, the identity rule, who may
do what. Every command opens with `identify`, so this module stays light; managing users and
hand-overs are services.users.

The identity rule (docs/team.md): `--as USER`, else `CRM_USER`, else the PostgreSQL role or the
OS login that is a user's login. A CRM without an admin has no team yet: nobody is asked who
they are and anyone may do anything (a one-person shop never registers). Once it has an admin,
a write by someone it does not know is refused, and only admins forget contacts, hand over,
manage users, or act `--as` someone else (docs/decisions.md, "People").
"""

from __future__ import annotations

from tinycrm import validation
from tinycrm.errors import Ambiguous, Conflict, Forbidden, NotFound, UsageError
from tinycrm.models.users import Identity, User
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
    by_login, team = store.users.signing_in(logins)
    real = find_user(store, env_user) if env_user else by_login
    login = real.login if real else next(iter(logins), None)
    user = real
    if as_ref:
        user = find_user(store, as_ref)
        if team and user.id != (real.id if real else None):
            _may_act_as(real, user, login)
    if not team:
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
