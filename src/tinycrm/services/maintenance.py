"""Database housekeeping: where it is, backups, checks and migrations."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path

from tinycrm.config import is_server_url
from tinycrm.errors import Conflict, Corrupt
from tinycrm.io.files import is_one_of
from tinycrm.services.upgrades import (
    OwnerReport,
    SpellingReport,
    companies_folded,
    companies_made,
    owners_made,
)
from tinycrm.store import Store, open_database
from tinycrm.store.connection import Database, holders_of_a_deleted_log
from tinycrm.store.schema import LATEST_VERSION


def backup(store: Store, destination: Path, overwrite: bool = False) -> Path:
    """A consistent copy, safe while others write, mode 0600: SQLite's online backup, or
    pg_dump's custom format of a PostgreSQL database (`pg_restore` reads it)."""
    name = store.db.path.name if store.db.dialect == "sqlite" else "tinycrm.dump"
    target = destination / name if destination.is_dir() else destination
    if target.exists() and not overwrite:
        raise Conflict(f"{target} exists (use --force to replace it)")
    if is_one_of(target, store.db.files):
        raise Conflict("the backup cannot replace the database itself (or its -wal/-shm)")
    store.db.backup_to(target)
    return target


@dataclass(frozen=True)
class CheckReport:
    path: Path | str
    schema_version: int
    latest_version: int
    problems: list[str]
    counts: dict[str, int]
    notes: list[str] = field(default_factory=list)  # what the check could not verify

    @property
    def ok(self) -> bool:
        return not self.problems


TABLES = ("contacts", "notes", "follow_ups", "sales", "satisfaction", "cases")


def check(store: Store) -> CheckReport:
    """Full integrity check, foreign keys, the schema against its version's, and row counts."""
    db = store.db
    problems = db.integrity_problems(quick=False)
    problems += db.foreign_key_problems()
    unchecked = db.schema_unchecked()
    if not problems and unchecked is None:
        problems += db.schema_differences()
    counts, unreadable = db.table_counts(TABLES)
    problems += unreadable
    notes = [unchecked] if unchecked else []
    if isinstance(db, Database):
        problems += [
            f"process {pid} ({name}) still writes to a deleted write-ahead log of this database:"
            " what it wrote since is not in the file and is lost when it exits"
            for pid, name in holders_of_a_deleted_log(db.path)
        ]
        return CheckReport(db.path, db.schema_version(), LATEST_VERSION, problems, counts)
    if not db.amcheck_available():
        notes.append(
            "indexes not verified: the amcheck extension is not installed in this database"
            " (a superuser runs CREATE EXTENSION amcheck); table pages are not checked either"
            " (PostgreSQL checks them as it reads them; data checksums are set by initdb)"
        )
    return CheckReport(db.location, db.schema_version(), LATEST_VERSION, problems, counts, notes)


def check_file(path: Path | str) -> CheckReport:
    """Check the database at `path` read-only (a backup stays byte for byte as it was); a
    file too damaged to open is reported as a problem rather than raised (a newer or foreign
    file is still an error). A PostgreSQL database is not migrated; the schema comparison
    builds the expected schema in a transaction it rolls back."""
    try:
        db = open_database(path, read_only=not is_server_url(path), migrate=False)
    except Corrupt as exc:
        return CheckReport(path, -1, LATEST_VERSION, [str(exc)], {})
    try:
        return check(Store(db))
    finally:
        db.close()


@dataclass(frozen=True)
class Migration:
    before: int
    applied: list[int]
    companies: SpellingReport | None  # when this run turned free-text companies into companies
    owners: OwnerReport | None = None  # when this run turned free-text owners into users
    dry_run: bool = False
    # Companies merged into another, their names being one but for case: (name, into).
    folded: tuple[tuple[str, str], ...] = ()


def migrate(path: Path | str, *, dry_run: bool = False) -> Migration:
    """Apply the pending migrations; with `dry_run`, apply them inside one transaction, read
    back what they did, and roll it all back. A PostgreSQL database without tinycrm's tables
    gets them (its administrator made the database; a SQLite file must exist already)."""
    db = open_database(path, migrate=False, create=is_server_url(path))
    try:
        before = db.schema_version()
        if not dry_run:
            applied = db.migrate()
            return _migration(Store(db), before, applied)
        with db.rehearsal():
            applied = db.migrate()
            return replace(_migration(Store(db), before, applied), dry_run=True)
    finally:
        db.close()


def _migration(store: Store, before: int, applied: list[int]) -> Migration:
    return Migration(
        before, applied, companies_made(store, applied), owners_made(store, applied),
        folded=tuple(companies_folded(store, applied)),
    )  # fmt: skip
