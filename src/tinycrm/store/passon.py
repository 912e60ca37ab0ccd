"""SQL for who asked to be left out of pass-on (news, offers): `pass_on_opt_outs`."""

from __future__ import annotations

from datetime import date

from tinycrm.store.backend import Backend


class PassOnRepo:
    def __init__(self, db: Backend) -> None:
        self.db = db

    def opted_out(self, contact_id: int) -> date | None:
        """The day the contact asked for no pass-on, or None."""
        row = self.db.conn.execute(
            "SELECT opted_out_on FROM pass_on_opt_outs WHERE contact_id = ?", (contact_id,)
        ).fetchone()
        return date.fromisoformat(row[0]) if row else None

    def opted_out_ids(self) -> set[int]:
        """Every contact who asked for no pass-on."""
        return {row[0] for row in self.db.conn.execute("SELECT contact_id FROM pass_on_opt_outs")}

    def opt_out(self, contact_id: int, on: date, how: str) -> None:
        with self.db.write() as conn:
            conn.execute(
                """INSERT INTO pass_on_opt_outs (contact_id, opted_out_on, how) VALUES (?, ?, ?)
                   ON CONFLICT (contact_id) DO NOTHING""",
                (contact_id, on.isoformat(), how),
            )

    def opt_in(self, contact_id: int) -> None:
        with self.db.write() as conn:
            conn.execute("DELETE FROM pass_on_opt_outs WHERE contact_id = ?", (contact_id,))
