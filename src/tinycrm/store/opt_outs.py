"""SQL for who asked to be left out of a kind of mailing: surveys, or pass-on (news, offers)."""

from __future__ import annotations

from datetime import date
from typing import Literal

from tinycrm.store.backend import Backend

OptOutTable = Literal["survey_opt_outs", "pass_on_opt_outs"]


class OptOutRepo:
    """The contacts who asked for none of one kind of mailing, each with the day and how."""

    def __init__(self, db: Backend, table: OptOutTable) -> None:
        self.db = db
        self.table = table

    def opted_out(self, contact_id: int) -> date | None:
        """The day the contact asked for none, or None."""
        row = self.db.conn.execute(
            f"SELECT opted_out_on FROM {self.table} WHERE contact_id = ?", (contact_id,)
        ).fetchone()
        return date.fromisoformat(row[0]) if row else None

    def opted_out_ids(self) -> set[int]:
        """Every contact who asked for none."""
        return {row[0] for row in self.db.conn.execute(f"SELECT contact_id FROM {self.table}")}

    def opt_out(self, contact_id: int, on: date, how: str) -> None:
        with self.db.write() as conn:
            conn.execute(
                f"""INSERT INTO {self.table} (contact_id, opted_out_on, how) VALUES (?, ?, ?)
                    ON CONFLICT (contact_id) DO NOTHING""",
                (contact_id, on.isoformat(), how),
            )

    def opt_in(self, contact_id: int) -> None:
        with self.db.write() as conn:
            conn.execute(f"DELETE FROM {self.table} WHERE contact_id = ?", (contact_id,))
