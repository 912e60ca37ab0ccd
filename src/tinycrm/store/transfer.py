"""SQL for moving data in and out: bulk import, per-person data, merging and erasing contacts."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Protocol

from tinycrm.dates import PartialDate
from tinycrm.models import Anniversary
from tinycrm.store.companies import CompanyRepo
from tinycrm.store.connection import Database, now_iso
from tinycrm.store.contacts import INDEX_CONTACTS_SQL, digits_of
from tinycrm.vocabulary import RelationshipType, Stage

# Every table with a contact_id column: what "everything about one person" is made of.
PERSON_TABLES = (
    "contact_emails",
    "contact_phones",
    "contact_tags",
    "anniversaries",
    "stage_history",
    "notes",
    "follow_ups",
    "occurrence_marks",
    "sales",
    "satisfaction",
    "cases",
    "costs",
    "sale_stats",
    "score_stats",
    "survey_requests",
    "survey_opt_outs",
    "mail_messages",
    "company_departures",
)
# Rows that move to the kept contact on a merge (emails, phones, tags are rewritten whole).
_ORDER = {
    "contact_emails": "position",
    "contact_phones": "position",
    "contact_tags": "tag",
    "sale_stats": "contact_id",
    "score_stats": "contact_id",
    "survey_opt_outs": "contact_id",
}
MOVABLE_TABLES = (
    "notes", "follow_ups", "sales", "satisfaction", "cases", "stage_history", "costs",
    "survey_requests", "mail_messages",
    "company_departures",
)  # fmt: skip


class NewContact(Protocol):
    """What a bulk insert reads: a `models.Contact`, or an import record with the same fields."""

    @property
    def name(self) -> str: ...
    @property
    def company(self) -> str | None: ...
    @property
    def address(self) -> str | None: ...
    @property
    def emails(self) -> list[str]: ...
    @property
    def phones(self) -> list[str]: ...
    @property
    def tags(self) -> list[str]: ...
    @property
    def birthday(self) -> PartialDate | None: ...
    @property
    def anniversaries(self) -> list[Anniversary]: ...
    @property
    def relationship_type(self) -> RelationshipType | None: ...
    @property
    def stage(self) -> Stage | None: ...
    @property
    def cadence_override(self) -> int | None: ...
    @property
    def owner(self) -> str | None: ...
    @property
    def archived(self) -> bool: ...
    @property
    def last_touch_on(self) -> date | None: ...


@dataclass(frozen=True)
class NewNote:
    contact_index: int  # position in the list of contacts being inserted
    body: str
    on: date
    channel: str | None


class TransferRepo:
    def __init__(self, db: Database) -> None:
        self.db = db

    @property
    def conn(self) -> sqlite3.Connection:
        return self.db.conn

    def duplicate_keys(self) -> tuple[dict[str, int], dict[str, int]]:
        """{lower-case email: contact id} and {phone digits: contact id}, oldest contact first."""
        emails: dict[str, int] = {}
        for email, contact_id in self.conn.execute(
            "SELECT lower(email), contact_id FROM contact_emails ORDER BY contact_id DESC"
        ):
            emails[email] = contact_id
        phones: dict[str, int] = {}
        for digits, contact_id in self.conn.execute(
            "SELECT phone_digits, contact_id FROM contact_phones ORDER BY contact_id DESC"
        ):
            phones[digits] = contact_id
        return emails, phones

    def insert_many(
        self,
        contacts: Sequence[NewContact],
        notes: Sequence[NewNote],
        today: date,
        uids: Sequence[str | None] | None = None,
    ) -> list[int]:
        """Insert contacts and their notes with a few executemany calls; returns their ids.
        Their keep-in-touch clocks and stage histories start on `today`; `uids` are the vCard
        UIDs they were imported with, if any."""
        if not contacts:
            return []
        with self.db.write() as conn:
            start = int(conn.execute("SELECT coalesce(max(id), 0) FROM contacts").fetchone()[0])
            # Merging FTS segments on every flush slows a bulk load several-fold; merge once
            # at the end instead (the setting is restored before the transaction ends).
            conn.execute("INSERT INTO search_index(search_index, rank) VALUES ('automerge', 0)")
            ids = list(range(start + 1, start + 1 + len(contacts)))
            # A company named in the file is found by its name (case and spaces aside) or made.
            repo = CompanyRepo(self.db)
            companies = {c.company: repo.ensure(c.company)[0] for c in contacts if c.company}
            stamp = now_iso()
            start_on = today.isoformat()
            conn.executemany(
                """INSERT INTO contacts (id, name, company_id, address, birthday, birthday_md,
                     relationship_type, stage, cadence_days, owner, archived, last_touch_on,
                     touch_anchor_on, created_at, updated_at)
                   VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                [
                    (
                        contact_id,
                        c.name,
                        companies[c.company] if c.company else None,
                        c.address,
                        c.birthday.iso() if c.birthday else None,
                        c.birthday.month_day if c.birthday else None,
                        c.relationship_type.value if c.relationship_type else None,
                        c.stage.value if c.stage else None,
                        c.cadence_override,
                        c.owner,
                        int(c.archived),
                        _iso(c.last_touch_on),
                        start_on,
                        stamp,
                        stamp,
                    )
                    for contact_id, c in zip(ids, contacts, strict=True)
                ],
            )
            if uids is not None:
                conn.executemany(
                    "UPDATE contacts SET uid = ? WHERE id = ?",
                    [(uid, i) for i, uid in zip(ids, uids, strict=True) if uid],
                )
            pairs = list(zip(ids, contacts, strict=True))
            conn.executemany(
                "INSERT INTO contact_emails (contact_id, position, email) VALUES (?, ?, ?)",
                [(i, n, e) for i, c in pairs for n, e in enumerate(c.emails)],
            )
            conn.executemany(
                """INSERT INTO contact_phones (contact_id, position, phone, phone_digits)
                   VALUES (?, ?, ?, ?)""",
                [(i, n, p, digits_of(p)) for i, c in pairs for n, p in enumerate(c.phones)],
            )
            conn.executemany(
                "INSERT OR IGNORE INTO contact_tags (contact_id, tag) VALUES (?, ?)",
                [(i, t) for i, c in pairs for t in c.tags],
            )
            conn.executemany(
                """INSERT INTO anniversaries (contact_id, label, date, date_md)
                   VALUES (?, ?, ?, ?)""",
                [(i, a.label, a.when.iso(), a.when.month_day) for i, c in pairs
                 for a in c.anniversaries],
            )  # fmt: skip
            conn.executemany(
                "INSERT INTO stage_history (contact_id, stage, changed_on) VALUES (?, ?, ?)",
                [(i, c.stage.value, start_on) for i, c in pairs if c.stage],
            )
            # One statement for all notes: with executemany the FTS trigger's index would be
            # flushed at the end of every row's statement (4x slower).
            conn.execute(
                """INSERT INTO notes (contact_id, body, channel, noted_on, created_at)
                   SELECT json_extract(value, "$[0]"), json_extract(value, "$[1]"),
                          json_extract(value, "$[2]"), json_extract(value, "$[3]"), ?
                   FROM json_each(?)""",
                (stamp, json.dumps([(ids[n.contact_index], n.body, n.channel, n.on.isoformat())
                                    for n in notes])),
            )  # fmt: skip
            # FTS5 flushes its pending terms whenever a rowid is lower than the previous one:
            # contacts are indexed under -id, so feed them in descending id order.
            conn.execute(
                INDEX_CONTACTS_SQL + " WHERE c.id BETWEEN ? AND ? ORDER BY c.id DESC",
                (ids[0], ids[-1]),
            )
            conn.execute("INSERT INTO search_index(search_index, rank) VALUES ('automerge', 4)")
            conn.execute("INSERT INTO search_index(search_index, rank) VALUES ('merge', 500)")
        return ids

    def uid_sources(self) -> list[tuple[int, str | None, str]]:
        """(id, imported UID or None, creation time) of every contact."""
        return self.conn.execute("SELECT id, uid, created_at FROM contacts").fetchall()

    def note_bodies(self, contact_id: int) -> set[str]:
        rows = self.conn.execute("SELECT body FROM notes WHERE contact_id = ?", (contact_id,))
        return {row[0] for row in rows}

    def person_rows(self, contact_id: int) -> dict[str, list[dict[str, Any]]]:
        """Every row of every table that belongs to one contact, by table name."""
        data: dict[str, list[dict[str, Any]]] = {}
        for table in PERSON_TABLES:
            rows = self.conn.execute(
                f"SELECT * FROM {table} WHERE contact_id = ? ORDER BY {_ORDER.get(table, 'id')}",
                (contact_id,),
            )
            data[table] = [_row(r) for r in rows]
        items = self.conn.execute(
            """SELECT i.* FROM sale_items i JOIN sales s ON s.id = i.sale_id
               WHERE s.contact_id = ? ORDER BY i.sale_id, i.position""",
            (contact_id,),
        )
        data["sale_items"] = [_row(r) for r in items]
        return data

    def all_person_rows(self) -> dict[int, dict[str, list[dict[str, Any]]]]:
        """person_rows for every contact at once (one query per table)."""
        data: dict[int, dict[str, list[dict[str, Any]]]] = {}
        ids = [row[0] for row in self.conn.execute("SELECT id FROM contacts ORDER BY id")]
        for contact_id in ids:
            data[contact_id] = {table: [] for table in (*PERSON_TABLES, "sale_items")}
        for table in PERSON_TABLES:
            order = _ORDER.get(table, "id")
            for row in self.conn.execute(
                f"SELECT * FROM {table} WHERE contact_id IS NOT NULL ORDER BY contact_id, {order}"
            ):
                data[row["contact_id"]][table].append(_row(row))
        for row in self.conn.execute(
            """SELECT s.contact_id AS owner_id, i.* FROM sale_items i
               JOIN sales s ON s.id = i.sale_id ORDER BY i.sale_id, i.position"""
        ):
            item = _row(row)
            owner = item.pop("owner_id")
            data[owner]["sale_items"].append(item)
        return data

    def digest_runs(self) -> list[dict[str, Any]]:
        return [_row(r) for r in self.conn.execute("SELECT * FROM digest_runs ORDER BY id")]

    def move_rows(self, keep_id: int, drop_id: int) -> None:
        """Give the kept contact the other's notes, follow-ups, sales, scores, cases, stage
        history, anniversaries (except exact duplicates) and occurrence marks."""
        with self.db.write() as conn:
            for table in MOVABLE_TABLES:
                conn.execute(
                    f"UPDATE {table} SET contact_id = ? WHERE contact_id = ?", (keep_id, drop_id)
                )
            conn.execute(
                """UPDATE anniversaries SET contact_id = ?1 WHERE contact_id = ?2
                   AND NOT EXISTS (SELECT 1 FROM anniversaries k WHERE k.contact_id = ?1
                     AND lower(k.label) = lower(anniversaries.label)
                     AND k.date = anniversaries.date)""",
                (keep_id, drop_id),
            )
            for table in ("occurrence_marks", "survey_opt_outs"):
                conn.execute(
                    f"UPDATE OR IGNORE {table} SET contact_id = ? WHERE contact_id = ?",
                    (keep_id, drop_id),
                )

    def erase(self, contact_id: int, *, rebuild_index: bool = True) -> None:
        """Delete a contact and every row about it (cascades and triggers do the children)."""
        with self.db.write() as conn:
            companies = [
                row[0]
                for row in conn.execute(
                    """SELECT company_id FROM contacts WHERE id = ?1 AND company_id IS NOT NULL
                       UNION SELECT company_id FROM company_departures WHERE contact_id = ?1""",
                    (contact_id,),
                )
            ]
            for table in PERSON_TABLES:
                if table != "notes":
                    conn.execute(f"DELETE FROM {table} WHERE contact_id = ?", (contact_id,))
            # Deleting notes one statement at a time keeps the FTS trigger in step.
            conn.execute("DELETE FROM notes WHERE contact_id = ?", (contact_id,))
            conn.execute("DELETE FROM search_index WHERE contact_id = ?", (contact_id,))
            conn.execute("DELETE FROM contacts WHERE id = ?", (contact_id,))
            # A company that only this contact linked to goes too: its name may be theirs.
            conn.executemany(
                """DELETE FROM companies WHERE id = ?1
                     AND NOT EXISTS (SELECT 1 FROM contacts WHERE company_id = ?1)
                     AND NOT EXISTS (SELECT 1 FROM sales WHERE company_id = ?1)
                     AND NOT EXISTS (SELECT 1 FROM company_departures WHERE company_id = ?1)""",
                [(company_id,) for company_id in companies],
            )
            # FTS5 keeps deleted terms in its b-tree segments until they are merged; a rebuild
            # writes the index afresh from the remaining rows (secure_delete zeroes the pages).
            if rebuild_index:
                conn.execute("INSERT INTO search_index(search_index) VALUES ('rebuild')")

    def scrub(self) -> bool:
        """Make erased data unrecoverable from the files: move the WAL into the database,
        rewrite the database without free pages, and truncate the WAL to nothing. False when
        another connection kept the WAL from being emptied (it is, once that one closes)."""
        conn = self.conn
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        conn.execute("VACUUM")
        busy = conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()[0]
        return not busy


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None


def _row(row: sqlite3.Row) -> dict[str, Any]:
    data = dict(row)
    data.pop("contact_id", None)
    data.pop("version", None)  # this database's edit counter, not the person's data
    return data
