"""Noticing that someone else changed the database, for a screen that stays open (the TUI).

One small interface, one implementation per backend. A front end asks `changed()` on a timer
(the TUI: every second) and, when it says True, reads what it shows again. The question must be
cheap enough to ask forever and must never block the screen.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    import sqlite3

    from tinycrm.store.connection import Database


class ChangeWatcher(Protocol):
    """Whether anything was committed to the database since the last call, by anyone: another
    TUI, a `crm` command, the cron digest, or this process's own writing connection.

    `changed()` returns at once (no waiting, no lock taken) and may say True for a change the
    caller made itself; a False is a promise that a re-read would show nothing new. The first
    call compares with the moment the watcher was made.

    Implementations:
    - SQLite (`SqliteChangeWatcher`): `PRAGMA data_version` on a connection that only reads;
      SQLite changes the number whenever another connection (any process) commits.
    - PostgreSQL (to be added behind this same interface): a dedicated connection runs
      `LISTEN tinycrm_changes`; every write transaction sends `NOTIFY tinycrm_changes` before it
      commits (PostgreSQL delivers it only after the commit, once per transaction, so a screen
      never re-reads for a change that rolled back); `changed()` drains the notifications that
      have arrived without waiting (psycopg: `conn.notifies(timeout=0)`) and returns whether
      there were any. A lost connection should say True once (re-read, then listen again), so
      a screen is never left silently stale.
    """

    def changed(self) -> bool: ...

    def close(self) -> None: ...


class SqliteChangeWatcher:
    """`PRAGMA data_version` on `db`'s connection (which must not write: SQLite does not count
    the connection's own commits). Asked between reads, never inside a transaction: ~µs each."""

    def __init__(self, db: Database) -> None:
        self._conn: sqlite3.Connection = db.conn
        self._seen = self._version()

    def _version(self) -> int:
        return int(self._conn.execute("PRAGMA data_version").fetchone()[0])

    def changed(self) -> bool:
        now = self._version()
        if now == self._seen:
            return False
        self._seen = now
        return True

    def close(self) -> None:
        """Nothing to release: the connection belongs to the Store."""
