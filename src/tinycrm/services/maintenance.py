"""Database housekeeping: where it is, backups, checks and migrations."""

from __future__ import annotations

import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from tinycrm.errors import Conflict, StorageError
from tinycrm.store import Store
from tinycrm.store.schema import LATEST_VERSION


def backup(store: Store, destination: Path, overwrite: bool = False) -> Path:
    """A consistent copy (SQLite's online backup), safe while others write; mode 0600."""
    target = destination / store.db.path.name if destination.is_dir() else destination
    if target.exists() and not overwrite:
        raise Conflict(f"{target} exists (use --force to replace it)")
    if target.resolve() == store.db.path.resolve():
        raise Conflict("the backup cannot replace the database itself")
    partial = target.with_name(f".{target.name}.partial")
    try:
        fd = os.open(partial, os.O_CREAT | os.O_TRUNC | os.O_WRONLY, 0o600)
        os.close(fd)
        copy = sqlite3.connect(partial)
        try:
            store.db.conn.backup(copy)
            copy.execute("PRAGMA journal_mode = DELETE")
        finally:
            copy.close()
        os.chmod(partial, 0o600)
        os.replace(partial, target)
    except OSError as exc:
        partial.unlink(missing_ok=True)
        raise StorageError(f"cannot write backup {target}: {exc.strerror}") from exc
    except sqlite3.Error as exc:
        partial.unlink(missing_ok=True)
        raise StorageError(f"backup failed: {exc}") from exc
    return target


@dataclass(frozen=True)
class CheckReport:
    path: Path
    schema_version: int
    latest_version: int
    problems: list[str]
    counts: dict[str, int]

    @property
    def ok(self) -> bool:
        return not self.problems


def check(store: Store) -> CheckReport:
    """Full integrity check, foreign keys, and row counts per table."""
    db = store.db
    problems = db.integrity_problems(quick=False)
    problems += [
        f"row {row[1]} of {row[0]} points to a missing {row[2]}"
        for row in db.conn.execute("PRAGMA foreign_key_check")
    ]
    counts = {
        name: db.utils[name].count
        for name in ("contacts", "notes", "follow_ups", "sales", "satisfaction", "cases")
        if db.utils[name].exists()
    }
    return CheckReport(db.path, db.schema_version(), LATEST_VERSION, problems, counts)
