"""SQL for the history: appended to in the writer's transaction, read by customer and record.

Rows are only ever added, except by `forget` (privacy first: the person's rows go) and by a
merge (the rows move to the kept contact); docs/decisions.md, "History".
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from tinycrm.models.history import Actor, Change, HistoryEntry
from tinycrm.store.backend import Backend, Row
from tinycrm.store.stamps import now_iso

_COLUMNS = "h.at, h.source, h.entity, h.entity_id, h.contact_id, h.action, h.field, h.old, h.new"
_USER_NAME = "(SELECT name FROM users u WHERE u.id = h.user_id) AS user_name"


class HistoryRepo:
    def __init__(self, db: Backend) -> None:
        self.db = db

    def add(self, actor: Actor, changes: Sequence[Change]) -> None:
        """Append `changes`, all at this moment, by `actor`."""
        at = now_iso()
        with self.db.write() as conn:
            conn.executemany(
                """INSERT INTO history (at, user_id, source, entity, entity_id, contact_id,
                     action, field, old, new) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                [(at, actor.user_id, actor.source, *_values(c)) for c in changes],
            )

    def for_contact(self, contact_id: int) -> list[HistoryEntry]:
        """Everything recorded about one customer, oldest first."""
        rows = self.db.conn.execute(
            f"""SELECT {_COLUMNS}, {_USER_NAME} FROM history h
                WHERE h.contact_id = ? ORDER BY h.id""",
            (contact_id,),
        )
        return [_entry(row) for row in rows]

    def last_change(self, entity: str, entity_id: int) -> HistoryEntry | None:
        """The latest row recorded about one record."""
        row = self.db.conn.execute(
            f"""SELECT {_COLUMNS}, {_USER_NAME} FROM history h
                WHERE h.entity = ? AND h.entity_id = ? ORDER BY h.id DESC LIMIT 1""",
            (entity, entity_id),
        ).fetchone()
        return _entry(row) if row is not None else None

    def held_by(self, user_id: int) -> list[tuple[str, int, int | None]]:
        """(entity, id, customer) of what a user holds, as a hand-over moves it: customers,
        companies, open follow-ups and open cases assigned to them by name."""
        rows = self.db.conn.execute(
            """SELECT 'contact', id, id FROM contacts WHERE owner_id = ?1
               UNION ALL SELECT 'company', id, NULL FROM companies WHERE owner_id = ?1
               UNION ALL SELECT 'follow-up', id, contact_id FROM follow_ups
                 WHERE status = 'open' AND assignee_id = ?1
               UNION ALL SELECT 'case', id, contact_id FROM cases
                 WHERE resolved_on IS NULL AND owner_id = ?1""",
            (user_id,),
        )
        return [(str(r[0]), int(r[1]), r[2]) for r in rows]

    def move(self, keep_id: int, drop_id: int) -> None:
        """A merge: the dropped contact's rows become the kept one's."""
        with self.db.write() as conn:
            conn.execute(
                "UPDATE history SET contact_id = ? WHERE contact_id = ?", (keep_id, drop_id)
            )

    def mentioning(self, terms: list[str]) -> list[tuple[int, str | None, str | None]]:
        """(id, old, new) of the rows whose texts contain one of `terms` (any case)."""
        found: dict[int, tuple[int, str | None, str | None]] = {}
        for term in terms:
            like = f"%{term.lower()}%"
            rows = self.db.conn.execute(
                "SELECT id, old, new FROM history WHERE lower(old) LIKE ? OR lower(new) LIKE ?",
                (like, like),
            )
            found.update({int(r[0]): (int(r[0]), r[1], r[2]) for r in rows})
        return list(found.values())

    def set_texts(self, row_id: int, old: str | None, new: str | None) -> None:
        """Forget with --redact-mentions: a row's texts with the person's name replaced."""
        with self.db.write() as conn:
            conn.execute("UPDATE history SET old = ?, new = ? WHERE id = ?", (old, new, row_id))


def _values(c: Change) -> tuple[object, ...]:
    return (c.entity, c.entity_id, c.contact_id, c.action, c.field, c.old, c.new)


def _entry(row: Row) -> HistoryEntry:
    change = Change(
        row["entity"],
        row["entity_id"],
        row["contact_id"],
        row["action"],
        row["field"],
        row["old"],
        row["new"],
    )
    return HistoryEntry(datetime.fromisoformat(row["at"]), row["user_name"], row["source"], change)
