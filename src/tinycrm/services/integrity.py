"""The integrity check a digest waits for: nothing is printed or sent from a damaged file.

Apart from `services.digest` so that `crm digest` can start the check before it imports the
rest: the page walk (SQLite's own work, done without the GIL) then overlaps those imports
and the building of the digest.
"""

from __future__ import annotations

from collections.abc import Callable

from tinycrm.errors import Corrupt
from tinycrm.store import Store


def check_integrity(store: Store, *, full: bool = True) -> None:
    """An integrity check before a digest is built: a damaged file prints and sends nothing.

    `full` (every `--send`): `PRAGMA quick_check` over the whole file, ~1-2 s at 1M notes, once
    a day from cron, so the mail doubles as a daily health check of the database. Otherwise (a
    printed digest): a structural walk of every page of the tables and indexes the digest
    reads, ~30 ms. Trade-off in docs/decisions.md and docs/cron.md."""
    from tinycrm.store.digests import DIGEST_BTREES

    if full:
        problems = store.db.integrity_problems(quick=True)
    else:
        problems = store.db.page_problems(DIGEST_BTREES)
    lines = [
        line.strip()
        for problem in problems
        for line in problem.splitlines()
        if line.strip() and not line.startswith("***")
    ]
    if lines:
        more = f" (and {len(lines) - 1} more)" if len(lines) > 1 else ""
        raise Corrupt(
            f"database {store.db.path} failed its integrity check: {lines[0]}{more};"
            " nothing was sent (see `crm db check`, restore a backup)"
        )


def check_integrity_later(store: Store, *, full: bool = True) -> Callable[[], None]:
    """`check_integrity` started in the background on a second connection, so the page walk
    (SQLite's own work, done without the GIL) overlaps building the digest. Call the result
    before anything is printed or sent: it waits for the check and raises Corrupt."""
    return store.in_background(lambda other: check_integrity(other, full=full))
