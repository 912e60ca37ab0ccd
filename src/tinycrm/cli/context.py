"""What every command shares: the chosen database, the settings, and "today"."""

from __future__ import annotations

import getpass
import os
import sys
from datetime import date
from typing import TYPE_CHECKING

import typer

from tinycrm import config
from tinycrm.dates import parse_date, read_as_of
from tinycrm.errors import UsageError
from tinycrm.services import identity
from tinycrm.services.upgrades import upgrade_notice
from tinycrm.store import Store
from tinycrm.textsafe import visible

if TYPE_CHECKING:
    from pathlib import Path

    from tinycrm.dates import Prefer


class State:
    """The root command's options, and what they open on first use."""

    def __init__(self, db_option: str | None = None, as_user: str | None = None) -> None:
        self.db_option = db_option
        self.as_user = as_user
        self._settings: config.Settings | None = None
        self._store: Store | None = None

    @property
    def settings(self) -> config.Settings:
        if self._settings is None:
            self._settings = config.load_settings()
        return self._settings

    @property
    def db_path(self) -> Path | str:
        """The SQLite file's path, or the PostgreSQL URL (a str)."""
        return config.database_path(self.db_option, self.settings)

    @property
    def store(self) -> Store:
        """The existing database, opened (and migrated) on first use: a missing one is an
        error, so a mistyped --db or CRM_DB, or an unmounted disk, is never a new empty file."""
        return self._open(create=False)

    @property
    def store_to_add_to(self) -> Store:
        """The database for a command that adds data: created, with a line on stderr saying
        where, if it does not exist yet."""
        return self._open(create=True)

    def _open(self, *, create: bool) -> Store:
        if self._store is None:
            self._store = Store.open(self.db_path, create=create)
            if self._store.db.created:
                _say(f"created new database at {self._store.db.location}")
            warn_network_filesystem(self._store)
            notice = upgrade_notice(self._store)
            if notice:
                _say(notice)
            self._store.act_as(
                identity.identify(
                    self._store,
                    as_ref=self.as_user,
                    env_user=os.environ.get("CRM_USER") or None,
                    os_login=os_login(),
                )
            )
        return self._store

    def close(self) -> None:
        if self._store is not None:
            self._store.close()
            self._store = None


def os_login() -> str | None:
    """Who is logged in to the machine (None when the system cannot say)."""
    try:
        return getpass.getuser()
    except (OSError, KeyError):
        return None


def warn_network_filesystem(store: Store) -> None:
    """One line on stderr when the database lives on NFS, SMB, sshfs and the like."""
    if store.db.on_network_filesystem:
        _say(
            f"warning: {store.db.path} is on a network filesystem ({store.db.filesystem});"
            " SQLite's WAL mode does not work over one and the file can be corrupted: keep the"
            " database on a local disk (--db, CRM_DB)"
        )


def _say(message: str) -> None:
    """One line on stderr, with control characters (from a path) made visible."""
    sys.stderr.write(f"crm: {visible(message, one_line=True)}\n")


def state(ctx: typer.Context) -> State:
    root = ctx.find_root()
    if not isinstance(root.obj, State):
        root.obj = State()
    return root.obj


def today() -> date:
    """The local calendar date."""
    return date.today()


def read_date(ctx: typer.Context, text: str, *, prefer: Prefer = "future") -> date:
    return parse_date(text, today(), day_first=state(ctx).settings.day_first, prefer=prefer)


def as_of_date(ctx: typer.Context, text: str | None) -> date:
    """`--as-of` for queue and report commands: the day to answer for (default today)."""
    if not text:
        return today()

    return read_as_of(text, today(), day_first=state(ctx).settings.day_first)


def happened_on(ctx: typer.Context, text: str | None, day: date) -> date:
    """When something already happened (`--date`/`--at`): relative forms and dates without a
    year count back from `day` (--as-of, or today); the services refuse a day after it."""
    if not text:
        return day
    from tinycrm.dates import parse_date

    return parse_date(text, day, day_first=state(ctx).settings.day_first, prefer="past")


def due_date(ctx: typer.Context, text: str | None, day: date) -> date:
    """When something is to be done (`--due`): relative forms count from `day` (--as-of)."""
    if not text:
        return day
    from tinycrm.dates import parse_date

    return parse_date(text, day, day_first=state(ctx).settings.day_first)


def check_days(days: int, *, maximum: int = 3660) -> int:
    if not 0 <= days <= maximum:
        raise UsageError(f"--days must be between 0 and {maximum}, not {days}")
    return days


JSON_OPTION = typer.Option(False, "--json", help="Print JSON (stable keys) instead of a table.")
AS_OF_OPTION = typer.Option(
    None, "--as-of", metavar="DATE", help="Answer for this day instead of today."
)
WRITE_AS_OF_OPTION = typer.Option(
    None,
    "--as-of",
    metavar="DATE",
    help="Record as of this day instead of today (dates may not be later than it).",
)
IF_VERSION_OPTION = typer.Option(
    None,
    "--if-version",
    metavar="N",
    min=1,
    help="Only if it is still at version N (the `version` its --json showed): else nothing is"
    " saved and the command fails.",
)
DATE_OPTION = typer.Option(
    None, "--date", "-d", metavar="DATE", help="When it happened (default: today, or --as-of)."
)
