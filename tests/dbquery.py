"""Reading the database under test as another process would, whichever backend it is."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from tinycrm.config import database_location
from tinycrm.store import open_database


def query_db(
    sql: str, params: tuple[Any, ...] = (), location: str | Path | None = None
) -> list[tuple[Any, ...]]:
    """The rows of `sql` in the database at `location` (default: CRM_DB, a file or a URL)."""
    db = open_database(
        database_location(str(location or os.environ["CRM_DB"])), migrate=False, read_only=True
    )
    try:
        return [tuple(row) for row in db.conn.execute(sql, params).fetchall()]
    finally:
        db.close()
