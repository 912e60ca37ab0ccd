"""What the repositories hold: one of the two database backends, and its connection."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any, TypeAlias

if TYPE_CHECKING:
    import sqlite3

    from tinycrm.store.connection import Database
    from tinycrm.store.postgres import PgConnection, PgDatabase

# A SQLite file or a PostgreSQL database: the same methods, `dialect` says which (quoted:
# a SQLite file's command never loads the PostgreSQL module, nor a PostgreSQL one sqlite3).
Backend: TypeAlias = "Database | PgDatabase"
Connection: TypeAlias = "sqlite3.Connection | PgConnection"
# A result row: by position or column name (sqlite3.Row, or postgres.Row).
Row = Any

STREAM_BATCH = 1000


def stream(db: Backend, sql: str, params: Mapping[str, object] | Sequence[object]) -> Iterator[Row]:
    """The rows of `sql` a batch at a time in one read transaction, so a walk over a whole
    table holds one batch and may stop early."""
    try:
        with db.read():
            yield from batches(db, sql, params)
    except Exception:
        # Closed before the walk was: its reader went away (`crm … | head`) and the CLI
        # closed the database as that unwound; the transaction ended with the connection.
        if not is_closed(db):
            raise


def is_closed(db: Backend) -> bool:
    return db.conn.raw.closed if db.dialect == "postgresql" else db.closed


def batches(
    db: Backend, sql: str, params: Mapping[str, object] | Sequence[object] | None = None
) -> Iterator[Row]:
    """The rows of `sql` a batch at a time, inside the caller's transaction (PostgreSQL: a
    server-side cursor)."""
    if db.dialect == "postgresql":
        cursor = db.conn.stream(sql, params)
    else:
        cursor = db.conn.execute(sql, params or {})
    try:
        while batch := cursor.fetchmany(STREAM_BATCH):
            yield from batch
    finally:
        cursor.close()
