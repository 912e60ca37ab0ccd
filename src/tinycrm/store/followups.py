"""SQL for stored follow-ups."""

from __future__ import annotations

import sqlite3
from datetime import date

from tinycrm.models import FollowUp, FollowUpKind
from tinycrm.store.connection import Database, now_iso


class FollowUpRepo:
    def __init__(self, db: Database) -> None:
        self.db = db

    def insert(self, item: FollowUp) -> int:
        with self.db.write() as conn:
            cursor = conn.execute(
                """INSERT INTO follow_ups (contact_id, title, kind, due_on, snoozed_until, rule,
                     anchor_on, status, completed_on, source, created_at)
                   VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                (
                    item.contact_id,
                    item.title,
                    item.kind.value,
                    item.due_on.isoformat(),
                    _iso(item.snoozed_until),
                    item.rule,
                    _iso(item.anchor_on),
                    item.status,
                    _iso(item.completed_on),
                    item.source,
                    now_iso(),
                ),
            )
        return int(cursor.lastrowid or 0)

    def get(self, follow_up_id: int) -> FollowUp | None:
        row = self.db.conn.execute(
            "SELECT * FROM follow_ups WHERE id = ?", (follow_up_id,)
        ).fetchone()
        return _follow_up(row) if row else None

    def for_contact(self, contact_id: int, open_only: bool = True) -> list[FollowUp]:
        sql = "SELECT * FROM follow_ups WHERE contact_id = ?"
        if open_only:
            sql += " AND status = 'open'"
        rows = self.db.conn.execute(sql + " ORDER BY due_on, id", (contact_id,))
        return [_follow_up(row) for row in rows]

    def open_all(self) -> list[FollowUp]:
        """Every open stored follow-up of an active contact, soonest first (for calendars)."""
        rows = self.db.conn.execute(
            """SELECT f.* FROM follow_ups f JOIN contacts c ON c.id = f.contact_id
               WHERE f.status = 'open' AND c.archived = 0
               ORDER BY coalesce(f.snoozed_until, f.due_on), f.id"""
        )
        return [_follow_up(row) for row in rows]


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None


def _date(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def _follow_up(row: sqlite3.Row) -> FollowUp:
    return FollowUp(
        id=row["id"],
        contact_id=row["contact_id"],
        title=row["title"],
        kind=FollowUpKind(row["kind"]),
        due_on=date.fromisoformat(row["due_on"]),
        rule=row["rule"],
        anchor_on=_date(row["anchor_on"]),
        snoozed_until=_date(row["snoozed_until"]),
        status=row["status"],
        completed_on=_date(row["completed_on"]),
        source=row["source"],
    )
