"""Where the database and the config file live, and the settings read from the config file.

Resolution order for the database: `--db`, then `CRM_DB`, then the config file's `database`
(or `[database] url`), then the platform's user data directory. A `postgresql://` or
`postgres://` URL selects a PostgreSQL server; anything else is a SQLite file's path.
The config file is `CRM_CONFIG` or the platform's user config directory's `config.toml`.
"""

from __future__ import annotations

import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from tinycrm import money
from tinycrm.errors import UsageError
from tinycrm.vocabulary import RelationshipType

if TYPE_CHECKING:
    import platformdirs

APP_NAME = "tinycrm"


def _user_dirs() -> platformdirs.PlatformDirs:
    # Imported when a default place is asked for: never by --version, help or completion.
    import platformdirs

    return platformdirs.PlatformDirs(APP_NAME, appauthor=False)


def config_path() -> Path:
    env = os.environ.get("CRM_CONFIG")
    if env:
        return Path(env).expanduser()
    return Path(_user_dirs().user_config_dir) / "config.toml"


class PlaybookStep(NamedTuple):
    """One follow-up created after a sale: `kind` due `days` after the sale date."""

    kind: str
    days: int
    title: str


DEFAULT_PLAYBOOK = (
    PlaybookStep("thank-you", 2, "Thank-you call"),
    PlaybookStep("satisfaction-check", 14, "Satisfaction check"),
)


@dataclass(frozen=True)
class Settings:
    """User settings from the config file; every field has a sensible default."""

    database: Path | str | None = None  # a str is a PostgreSQL URL
    day_first: bool = True
    feb29_in_common_years: str = "feb28"  # or "mar1"
    upcoming_days: int = 7
    after_sale_playbook: tuple[PlaybookStep, ...] = DEFAULT_PLAYBOOK
    default_currency: str = money.DEFAULT_CURRENCY
    default_type: str | None = "long-term"  # [contacts] default_type: for `contacts add`
    business_days: frozenset[int] | None = None  # [playbook] business_days (0 = Monday)
    after_referral: bool = True  # [playbook] after_referral: thank a referrer on a first purchase
    hourly_cost: str | None = None  # [costs] hourly, in default_currency: cost of an hour
    smtp: dict[str, Any] = field(default_factory=dict)
    digest: dict[str, Any] = field(default_factory=dict)
    mail: dict[str, Any] = field(default_factory=dict)  # [mail]: surveys, collecting (docs/mail.md)
    imap: dict[str, Any] = field(default_factory=dict)
    portal: dict[str, Any] = field(default_factory=dict)  # [portal]: docs/portal.md
    # [team] default_view: whose follow-ups a queue shows unless told ("mine" or "everyone");
    # None: everyone's on the command line, mine in the TUI (docs/team.md)
    team_view: str | None = None
    team: dict[str, Any] = field(default_factory=dict)  # [team]: the per-owner digest's keys
    source: Path | None = None


def load_settings(path: Path | None = None) -> Settings:
    """Read the TOML config file; a missing file gives the defaults, a broken one an error."""
    path = path or config_path()
    try:
        with path.open("rb") as handle:
            _refuse_unsafe_config(path, os.fstat(handle.fileno()))
            text = handle.read().decode("utf-8")
    except FileNotFoundError:
        return Settings()
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"cannot read config file {path}: {exc}") from exc
    import tomllib  # only a config file that exists is parsed (most single users have none)

    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise UsageError(f"cannot read config file {path}: {exc}") from exc
    return _settings_from_mapping(raw, path)


def _refuse_unsafe_config(path: Path, found: os.stat_result) -> None:
    """The config names the command that prints the SMTP password: like OpenSSH's, it must be
    the user's own and writable by nobody else."""
    if found.st_uid != os.geteuid():
        raise UsageError(
            f"config file {path} belongs to another user (uid {found.st_uid}); it names a command"
            " crm runs, so it must be yours"
        )
    if found.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
        raise UsageError(
            f"config file {path} is writable by others; it names a command crm runs:"
            f" chmod go-w {path}"
        )


def _settings_from_mapping(raw: dict[str, Any], source: Path) -> Settings:
    dates = _table(raw, "dates", source)
    order = _text(dates, "numeric_order", "day-first", source, "dates.")
    if order not in ("day-first", "month-first"):
        raise UsageError(f"config {source}: dates.numeric_order must be day-first or month-first")
    feb29 = _text(dates, "feb29", "feb28", source, "dates.")
    if feb29 not in ("feb28", "mar1"):
        raise UsageError(f"config {source}: dates.feb29 must be feb28 or mar1")
    db = _database_setting(raw, source)
    upcoming = _table(raw, "follow_ups", source).get("upcoming_days", 7)
    if not isinstance(upcoming, int) or isinstance(upcoming, bool) or not 0 <= upcoming <= 3660:
        raise UsageError(
            f"config {source}: follow_ups.upcoming_days must be a whole number of days (0-3660)"
        )
    code = _text(_table(raw, "sales", source), "currency", money.DEFAULT_CURRENCY, source, "sales.")
    try:
        currency = money.currency(code)
    except UsageError as exc:
        raise UsageError(f"config {source}: sales.currency: {exc}") from exc
    contacts = _table(raw, "contacts", source)
    default_type = _text(contacts, "default_type", "long-term", source, "contacts.").strip()
    if default_type.lower() in ("", "none"):
        default_type = ""
    elif default_type not in {t.value for t in RelationshipType}:
        allowed = ", ".join(t.value for t in RelationshipType)
        raise UsageError(f"config {source}: contacts.default_type must be one of {allowed} or none")
    after_referral = _table(raw, "playbook", source).get("after_referral", True)
    if not isinstance(after_referral, bool):
        raise UsageError(f"config {source}: playbook.after_referral must be true or false")
    team_view = _table(raw, "team", source).get("default_view")
    if team_view not in (None, "mine", "everyone"):
        raise UsageError(f"config {source}: team.default_view must be mine or everyone")
    return Settings(
        database=database_location(db) if db else None,
        team_view=team_view,
        default_type=default_type or None,
        business_days=_business_days(_table(raw, "playbook", source).get("business_days"), source),
        day_first=order == "day-first",
        feb29_in_common_years=feb29,
        upcoming_days=upcoming,
        after_referral=after_referral,
        after_sale_playbook=_playbook(_table(raw, "playbook", source).get("after_sale"), source),
        default_currency=currency,
        hourly_cost=_text_or_none(_table(raw, "costs", source).get("hourly")),
        smtp=_table(raw, "smtp", source),
        digest=_table(raw, "digest", source),
        mail=_table(raw, "mail", source),
        imap=_table(raw, "imap", source),
        portal=_table(raw, "portal", source),
        team=_table(raw, "team", source),
        source=source,
    )


_DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def _business_days(value: Any, source: Path) -> frozenset[int] | None:
    """'mon-fri', 'mon-fri,sat', or a list of day names: the days follow-ups may fall on."""
    if value is None:
        return None
    parts = value.split(",") if isinstance(value, str) else value
    problem = f'config {source}: playbook.business_days must be like "mon-fri" or ["mon", "tue"]'
    if not isinstance(parts, list | tuple) or not all(isinstance(p, str) for p in parts):
        raise UsageError(problem)
    days: set[int] = set()
    for part in parts:
        first, _, last = part.strip().lower().partition("-")
        if first[:3] not in _DAY_NAMES or (last and last[:3] not in _DAY_NAMES):
            raise UsageError(problem)
        start, end = _DAY_NAMES.index(first[:3]), _DAY_NAMES.index((last or first)[:3])
        days.update(day % 7 for day in range(start, end + (7 if end < start else 0) + 1))
    if not days:
        raise UsageError(problem)
    return frozenset(days)


def _text_or_none(value: Any) -> str | None:
    return None if value is None else str(value)


def _table(raw: dict[str, Any], key: str, source: Path) -> dict[str, Any]:
    value = raw.get(key, {})
    if not isinstance(value, dict):
        raise UsageError(f"config {source}: {key} must be a table ([{key}])")
    return dict(value)


def _text(raw: dict[str, Any], key: str, default: str, source: Path, prefix: str = "") -> str:
    value = raw.get(key, default)
    if not isinstance(value, str):
        raise UsageError(f"config {source}: {prefix}{key} must be a string")
    return value


def _playbook(steps: Any, source: Path) -> tuple[PlaybookStep, ...]:
    if steps is None:
        return DEFAULT_PLAYBOOK
    try:
        return tuple(
            PlaybookStep(str(s["kind"]), int(s["days"]), str(s.get("title", s["kind"])))
            for s in steps
        )
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise UsageError(
            f"config {source}: playbook.after_sale needs entries with kind and days"
        ) from exc


def database_path(explicit: str | Path | None, settings: Settings | None = None) -> Path | str:
    """The database to use, by the documented order of precedence: a SQLite file's path, or
    a PostgreSQL URL (a str)."""
    if explicit is not None:
        return database_location(_not_empty(str(explicit), "--db"))
    env = os.environ.get("CRM_DB")
    if env is not None:
        return database_location(_not_empty(env, "CRM_DB"))
    if settings is not None and settings.database is not None:
        return settings.database
    return Path(_user_dirs().user_data_dir) / "crm.db"


SERVER_SCHEMES = ("postgresql://", "postgres://")


def is_server_url(location: str | Path) -> bool:
    """Whether `location` names a PostgreSQL database (a URL) rather than a SQLite file."""
    return isinstance(location, str) and location.lower().startswith(SERVER_SCHEMES)


def _not_empty(text: str, source: str) -> str:
    # A script's `--db "$DB"` with DB unset must not fall back to the user's own CRM.
    if not text.strip():
        raise UsageError(f"{source} is empty: give a file path or a postgresql:// URL")
    return text


_OTHER_URL = re.compile(r"[A-Za-z][A-Za-z0-9+.-]+://")


def database_location(text: str) -> Path | str:
    """A PostgreSQL URL as it is; anything else a file path (`~` expanded). A URL of another
    scheme (a typo such as `postgresq://`) is refused rather than taken for a file's name."""
    if is_server_url(text):
        return text
    if _OTHER_URL.match(text):
        shown = masked_url(text) if url_has_password(text) else text
        raise UsageError(
            f"{shown} is not a database tinycrm can open: give a postgresql:// URL or a file path"
        )
    return Path(text).expanduser()


def masked_url(url: str) -> str:
    """The URL with any password (in the user part or a `password=` parameter) as `***`."""
    from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

    try:
        parts = urlsplit(url)
        netloc = parts.netloc
        if "@" in netloc:
            userinfo, host = netloc.rsplit("@", 1)
            if ":" in userinfo:
                userinfo = userinfo.split(":", 1)[0] + ":***"
            netloc = f"{userinfo}@{host}"
        query = [
            (key, "***" if key.lower() == "password" else value)
            for key, value in parse_qsl(parts.query, keep_blank_values=True)
        ]
        return urlunsplit(parts._replace(netloc=netloc, query=urlencode(query, safe="/*")))
    except ValueError:
        return url.split("://", 1)[0] + "://***"


def url_has_password(url: str) -> bool:
    return masked_url(url) != url and "***" in masked_url(url)


def _database_setting(raw: dict[str, Any], source: Path) -> str:
    """`database = "…"`, or `[database] url = "…"`; a URL there may not hold a password."""
    value = raw.get("database", "")
    if isinstance(value, dict):
        value = value.get("url", "")
    if not isinstance(value, str):
        raise UsageError(f"config {source}: database must be a path or a postgresql:// URL")
    if is_server_url(value) and url_has_password(value):
        raise UsageError(
            f"config {source}: the database URL holds a password ({masked_url(value)}); keep it"
            " out of the config: use ~/.pgpass, PGPASSFILE or a pg_service.conf entry"
        )
    return value
