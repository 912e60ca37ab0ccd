"""Reading the database under test as another process would, whichever backend it is."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path
from typing import Any

from tinycrm.config import is_server_url
from tinycrm.store.postgres import pg_sql


def query_db(
    sql: str, params: tuple[Any, ...] = (), location: str | Path | None = None
) -> list[tuple[Any, ...]]:
    """The rows of `sql` (SQLite's dialect) in the database at `location` (default: CRM_DB,
    a file or a PostgreSQL URL), read without tinycrm's checks on opening."""
    where = location or os.environ["CRM_DB"]
    if is_server_url(str(where)):
        import psycopg

        query, numbered = pg_sql(sql)
        values: Any = {f"p{i}": v for i, v in enumerate(params, start=1)} if numbered else params
        with psycopg.connect(str(where), autocommit=True) as conn:
            return [tuple(row) for row in conn.execute(query, values).fetchall()]
    file = sqlite3.connect(f"file:{where}?mode=ro", uri=True)
    try:
        return [tuple(row) for row in file.execute(sql, params).fetchall()]
    finally:
        file.close()
