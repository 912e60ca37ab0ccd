"""The one way a versioned row (a contact, a follow-up, a case) is changed.

Every such row has a `version`, raised by each change. A change names the version it was
computed from and is written only if the row is still at it: a stale edit is a conflict,
never a silent overwrite (docs/decisions.md, "Versions"). The services compare versions first
to say what changed; this conditional UPDATE is the guarantee underneath.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from tinycrm.errors import Stale

if TYPE_CHECKING:
    from tinycrm.store.backend import Connection


def update_versioned(
    conn: Connection,
    table: str,
    what: str,
    row_id: int,
    version: int,
    assignments: str,
    params: Sequence[object] = (),
) -> None:
    """`UPDATE table SET assignments, version = version + 1 WHERE id = ? AND version = ?`;
    when no row matches (changed meanwhile, or gone) raise Stale, the caller's transaction
    rolls back and nothing is written. `what` names the row for a person ("contact")."""
    cursor = conn.execute(
        f"UPDATE {table} SET {assignments}, version = version + 1 WHERE id = ? AND version = ?",
        (*params, row_id, version),
    )
    if cursor.rowcount == 0:
        raise Stale(f"{what} {row_id} was changed by someone else meanwhile; nothing was saved")
