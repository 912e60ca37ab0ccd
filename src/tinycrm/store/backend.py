"""What the repositories hold: one of the two database backends, and its connection."""

from __future__ import annotations

import sqlite3
from typing import Any

from tinycrm.store.connection import Database
from tinycrm.store.postgres import PgConnection, PgDatabase

# A SQLite file or a PostgreSQL database: the same methods, `dialect` says which.
Backend = Database | PgDatabase
Connection = sqlite3.Connection | PgConnection
# A result row: by position or column name (sqlite3.Row, or postgres.Row).
Row = Any
