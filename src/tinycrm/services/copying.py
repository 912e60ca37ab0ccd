"""Moving a whole CRM from one database to another (`crm db copy`): SQLite to PostgreSQL to
start a team, PostgreSQL to SQLite for a laptop copy or an archive, or file to file.

The copy is one transaction on the destination (its schema included): it is there whole,
with the counts checked, or not at all. The source is read in one snapshot and never written.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from tinycrm.errors import Conflict, StorageError
from tinycrm.store import copying as sql
from tinycrm.store import open_database
from tinycrm.store.backend import Backend
from tinycrm.store.postgres import PgDatabase
from tinycrm.store.schema import LATEST_VERSION


@dataclass(frozen=True)
class CopyReport:
    source: str  # as messages name it (a URL's password masked)
    destination: str
    schema_version: int
    counts: dict[str, int]  # rows per table, the same in both
    replaced: dict[str, int]  # what the destination held before (--replace), non-zero only


def copy(source: Path | str, destination: Path | str, *, replace: bool = False) -> CopyReport:
    """Copy every row of `source` into `destination`, made or migrated to this tinycrm's
    schema. A destination with rows is refused unless `replace` (then its rows are deleted in
    the same transaction). Nothing is written to the destination unless all of it succeeds."""
    src = open_database(source, migrate=False, read_only=True)
    try:
        _refuse_other_version(src)
        _refuse_same_file(src, destination)
        dest = open_database(destination, migrate=False, create=True)
        report = None
        try:
            report = _copy(src, dest, replace=replace)
        finally:
            dest.close()
            if report is None and not isinstance(dest, PgDatabase) and dest.created:
                for path in dest.files:  # the file this copy made, and only that
                    path.unlink(missing_ok=True)
        return report
    finally:
        src.close()


def _copy(src: Backend, dest: Backend, *, replace: bool) -> CopyReport:
    both_servers = isinstance(src, PgDatabase) and isinstance(dest, PgDatabase)
    if both_servers and sql.identity(src) == sql.identity(dest):
        raise Conflict(f"{src.location} and {dest.location} are the same database")
    with dest.write(), src.read():
        dest.migrate()
        _check_tables(dest)
        before = {name: n for name, n in sql.counts(dest).items() if n}
        if before and not replace:
            raise Conflict(
                f"{dest.location} is not empty ({_summary(before)}): nothing was copied"
                " (--replace deletes what it holds, in the same transaction as the copy)"
            )
        if before:
            sql.empty(dest)
        sql.defer_foreign_keys(dest)
        restore = sql.suspend_triggers(dest)
        for table in sql.TABLES:
            sql.copy_table(src, dest, table)
        sql.copy_contact_documents(src, dest)
        if restore:
            sql.derive_in_bulk(dest, restore)
        _refuse_dangling(src, dest)
        sql.advance_identities(dest)
        copied = _checked_counts(src, dest)
        sql.gather_statistics(dest)
    return CopyReport(src.location, dest.location, LATEST_VERSION, copied, before)


def _refuse_dangling(src: Backend, dest: Backend) -> None:
    """A row of the source that points to a missing one (SQLite's foreign keys, deferred to
    here; PostgreSQL checked them table by table)."""
    dangling = dest.foreign_key_problems()
    if dangling:
        raise StorageError(
            f"{src.location} is damaged ({dangling[0]}): nothing was copied to"
            f" {dest.location} (`crm db check` the source)"
        )


def _checked_counts(src: Backend, dest: Backend) -> dict[str, int]:
    """The destination's rows per table, refused unless the same as the source's."""
    expected, copied = sql.counts(src), sql.counts(dest)
    wrong = [
        f"{table} {copied[table]} of {n}" for table, n in expected.items() if copied[table] != n
    ]
    if wrong:
        raise StorageError(
            f"the copy's row counts differ from {src.location}'s ({'; '.join(wrong)}):"
            f" nothing was copied to {dest.location} (`crm db check` the source)"
        )
    return copied


def _refuse_other_version(src: Backend) -> None:
    version = src.schema_version()
    if version < LATEST_VERSION:
        raise StorageError(
            f"{src.location} is at schema {version}, this tinycrm at {LATEST_VERSION}:"
            f" `crm --db {src.location} db migrate` it first (or copy it with the tinycrm"
            " that wrote it)"
        )  # a newer source was refused when it was opened


def _refuse_same_file(src: Backend, destination: Path | str) -> None:
    if isinstance(src, PgDatabase) or not isinstance(destination, Path):
        return
    if destination.exists() and os.path.samefile(src.path, destination):
        raise Conflict(f"{src.location} and {destination} are the same database")


def _check_tables(dest: Backend) -> None:
    """Every table of the schema is one the copy knows (a new table must join TABLES)."""
    unknown = sql.schema_tables(dest) - set(sql.COUNTED)
    if unknown:
        raise StorageError(
            f"this tinycrm cannot copy table {', '.join(sorted(unknown))} of {dest.location}"
            " (a tinycrm bug: please report it); nothing was copied"
        )


def _summary(counts: dict[str, int]) -> str:
    shown = [f"{n} {table}" for table, n in counts.items() if table in ("contacts", "notes")]
    return ", ".join(shown) or ", ".join(f"{n} {table}" for table, n in counts.items())
