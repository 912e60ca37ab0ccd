"""What both backends' transactions share."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any


@contextmanager
def savepoint(conn: Any) -> Iterator[None]:
    """A part of a write transaction undone alone when it fails (the failure still
    propagates), so one bad record of a file does not cost the others."""
    conn.execute("SAVEPOINT part")
    try:
        yield
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK TO part")
            conn.execute("RELEASE part")
        raise
    conn.execute("RELEASE part")
