"""The whole-file integrity check before a digest is sent: a damaged file sends nothing."""

from __future__ import annotations

from tinycrm.errors import Corrupt
from tinycrm.store import Store


def check_integrity(store: Store) -> None:
    """`PRAGMA quick_check` over the whole file before `--send`, so the daily mail doubles as a
    health check of the database (docs/decisions.md)."""
    lines = [
        line.strip()
        for problem in store.db.integrity_problems(quick=True)
        for line in problem.splitlines()
        if line.strip() and not line.startswith("***")
    ]
    if lines:
        more = f" (and {len(lines) - 1} more)" if len(lines) > 1 else ""
        raise Corrupt(
            f"database {store.db.path} failed its integrity check: {lines[0]}{more};"
            " nothing was sent (see `crm db check`, restore a backup)"
        )
