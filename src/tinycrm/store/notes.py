"""SQL for notes: dated entries about a contact, some of them logged interactions."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from tinycrm.models.notes import Note
from tinycrm.store.backend import Backend, Row
from tinycrm.store.contacts import record_interaction
from tinycrm.store.stamps import now_iso
from tinycrm.vocabulary import Channel


@dataclass(frozen=True)
class NoteRow:
    note: Note
    contact_name: str


class NoteRepo:
    def __init__(self, db: Backend) -> None:
        self.db = db

    def insert(self, note: Note) -> int:
        """Store a note; an interaction also restarts the contact's keep-in-touch clock."""
        with self.db.write() as conn:
            cursor = conn.execute(
                """INSERT INTO notes (contact_id, body, channel, noted_on, duration_minutes,
                     created_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING id""",
                (
                    note.contact_id,
                    note.body,
                    note.channel.value if note.channel else None,
                    note.on.isoformat(),
                    note.duration_minutes,
                    now_iso(),
                ),
            )
            new_id = int(cursor.fetchone()[0])
            if note.channel is not None:
                record_interaction(conn, note.contact_id, note.on)
        return new_id

    def query(
        self,
        contact_id: int | None = None,
        since: date | None = None,
        limit: int | None = None,
    ) -> list[NoteRow]:
        clauses: list[str] = []
        params: list[object] = []
        if contact_id is not None:
            clauses.append("n.contact_id = ?")
            params.append(contact_id)
        if since is not None:
            clauses.append("n.noted_on >= ?")
            params.append(since.isoformat())
        sql = """SELECT n.*, c.name AS contact_name FROM notes n
                 JOIN contacts c ON c.id = n.contact_id"""
        if clauses:
            sql += " WHERE " + " AND ".join(clauses)
        sql += " ORDER BY n.noted_on DESC, n.id DESC"
        if limit:
            sql += f" LIMIT {int(limit)}"
        return [
            NoteRow(_note(row), row["contact_name"]) for row in self.db.conn.execute(sql, params)
        ]

    def of_contacts(self, contact_ids: Sequence[int]) -> list[Note]:
        """The notes about these contacts, oldest first."""
        marks = ", ".join("?" * len(contact_ids))
        sql = f"SELECT * FROM notes WHERE contact_id IN ({marks}) ORDER BY noted_on, id"
        return [_note(row) for row in self.db.conn.execute(sql, list(contact_ids))]

    def latest(self, contact_id: int, limit: int | None) -> tuple[list[NoteRow], int]:
        """A contact's newest `limit` notes (None or 0: all) and how many notes they have,
        in one statement (the card shows both)."""
        sql = """SELECT n.*, c.name AS contact_name,
                        (SELECT count(*) FROM notes WHERE contact_id = :contact) AS total
                 FROM notes n JOIN contacts c ON c.id = n.contact_id
                 WHERE n.contact_id = :contact ORDER BY n.noted_on DESC, n.id DESC"""
        if limit:
            sql += f" LIMIT {int(limit)}"
        rows = self.db.conn.execute(sql, {"contact": contact_id}).fetchall()
        total = int(rows[0]["total"]) if rows else 0
        return [NoteRow(_note(row), row["contact_name"]) for row in rows], total

    def bodies_not_about(self, contact_id: int) -> list[tuple[int, str]]:
        """(id, body) of every note about another contact."""
        sql = "SELECT id, body FROM notes WHERE contact_id != ?"
        rows = self.db.conn.execute(sql, (contact_id,))
        return [(int(note_id), str(body)) for note_id, body in rows]

    def set_body(self, note_id: int, body: str) -> None:
        with self.db.write() as conn:
            conn.execute("UPDATE notes SET body = ? WHERE id = ?", (body, note_id))


def _note(row: Row) -> Note:
    return Note(
        id=row["id"],
        contact_id=row["contact_id"],
        body=row["body"],
        on=date.fromisoformat(row["noted_on"]),
        channel=Channel(row["channel"]) if row["channel"] else None,
        duration_minutes=row["duration_minutes"],
    )
