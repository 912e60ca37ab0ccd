"""SQL for moving data in and out: bulk import, per-person data, merging and erasing contacts."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from typing import Any, Protocol

from tinycrm.company_names import company_key
from tinycrm.dates import PartialDate
from tinycrm.errors import StorageError
from tinycrm.models.contacts import Anniversary
from tinycrm.store.backend import Backend, Connection, Row
from tinycrm.store.companies import CompanyRepo
from tinycrm.store.contacts import (
    CARD_FIELDS,
    INDEX_CONTACTS_SQL,
    ROW_KEY,
    CardFields,
    card_fields,
    write_children,
)
from tinycrm.store.stamps import now_iso
from tinycrm.store.users import UserRepo, name_key
from tinycrm.vocabulary import RelationshipType, Stage

# Every table with a contact_id column: what "everything about one person" is made of.
PERSON_TABLES = (
    "contact_emails",
    "contact_phones",
    "contact_tags",
    "contact_addresses",
    "contact_links",
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
    "pass_on_opt_outs",
    "mail_messages",
    "company_departures",
)
# Rows that move to the kept contact on a merge (emails, phones, tags are rewritten whole).
_ORDER = {
    "contact_emails": "position",
    "contact_phones": "position",
    "contact_tags": "tag",
    "contact_addresses": "position",
    "contact_links": "kind, position",
    "sale_stats": "contact_id",
    "score_stats": "contact_id",
    "survey_opt_outs": "contact_id",
    "pass_on_opt_outs": "contact_id",
}
# A contact's "no more of these": a merge keeps an opt-out of either contact.
OPT_OUT_TABLES = ("survey_opt_outs", "pass_on_opt_outs")
MOVABLE_TABLES = (
    "notes", "follow_ups", "sales", "satisfaction", "cases", "stage_history", "costs",
    "survey_requests", "mail_messages",
    "company_departures",
)  # fmt: skip


class NewContact(CardFields, Protocol):
    """What a bulk insert reads: a `models.Contact`, or an import record with the same fields."""

    @property
    def name(self) -> str: ...
    @property
    def company(self) -> str | None: ...
    @property
    def role(self) -> str | None: ...
    @property
    def address(self) -> str | None: ...
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
    def __init__(self, db: Backend) -> None:
        self.db = db

    @property
    def conn(self) -> Connection:
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

    def contacts_with_keys(
        self, emails: Sequence[str], digits: Sequence[str]
    ) -> tuple[dict[str, int], dict[str, int]]:
        """For these emails (lower case) and phone digits only: {email: oldest contact id} and
        {digits: oldest contact id}, read through the indexes (an import checks a batch at a
        time instead of holding every contact's keys)."""
        found: tuple[dict[str, int], dict[str, int]] = ({}, {})
        queries = (
            (emails, "email", "contact_emails WHERE email COLLATE NOCASE"),
            (digits, "phone_digits", "contact_phones WHERE phone_digits"),
        )
        for (keys, column, where), into in zip(queries, found, strict=True):
            unique = sorted(set(keys))
            for start in range(0, len(unique), 500):
                chunk = unique[start : start + 500]
                rows = self.conn.execute(
                    f"SELECT {column}, contact_id FROM {where} IN ({','.join('?' * len(chunk))})",
                    chunk,
                )
                for value, contact_id in rows:
                    key = value.lower()
                    into[key] = min(into.get(key, contact_id), contact_id)
        return found

    def has_fewer_contacts_than(self, count: int) -> bool:
        """Whether the CRM holds fewer than `count` contacts (counting at most that many)."""
        held = self.conn.execute(
            "SELECT count(*) FROM (SELECT 1 FROM contacts LIMIT ?) AS c", (count,)
        ).fetchone()[0]
        return int(held) < count

    @contextmanager
    def contact_indexes_made_after(self) -> Iterator[None]:
        """Inside the caller's write transaction: the contacts' secondary indexes that a bulk
        insert neither reads nor needs for a constraint (not the unique ones) dropped while the
        rows go in, then made again from their own definitions, one sort each instead of a
        random insert per row. Not made again on an exception: the rollback brings them back.
        Nothing changes for a PostgreSQL role that does not own the table (DROP is the owner's)."""
        if self.db.dialect == "sqlite":
            indexes = self.conn.execute(
                """SELECT name, sql FROM sqlite_master WHERE type = 'index'
                   AND tbl_name = 'contacts' AND sql IS NOT NULL
                   AND sql NOT LIKE 'CREATE UNIQUE %' ORDER BY name"""
            ).fetchall()
        else:
            indexes = self.conn.execute(
                """SELECT indexname, indexdef FROM pg_indexes
                   WHERE schemaname = current_schema() AND tablename = 'contacts'
                     AND indexdef NOT LIKE 'CREATE UNIQUE %'
                     AND pg_has_role((SELECT tableowner FROM pg_tables
                                      WHERE schemaname = current_schema()
                                        AND tablename = 'contacts'), 'USAGE')
                   ORDER BY indexname"""
            ).fetchall()
        for name, _ in indexes:
            self.conn.execute(f'DROP INDEX "{name}"')
        yield
        for _, sql in indexes:
            self.conn.execute(sql)

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
            with self._search_merges_deferred(conn):
                ids = list(range(start + 1, start + 1 + len(contacts)))
                pairs = list(zip(ids, contacts, strict=True))
                stamp = now_iso()
                start_on = today.isoformat()
                self._insert_contacts(conn, pairs, stamp, start_on)
                if uids is not None:
                    _set_uids(conn, ids, uids)
                write_children(conn, pairs)
                _insert_dates(conn, pairs, start_on)
                self._insert_notes(conn, [(ids[n.contact_index], n) for n in notes], stamp)
                if self.db.dialect != "sqlite":
                    # The ids were given explicitly: move the id sequence past them.
                    conn.execute(
                        "SELECT setval(pg_get_serial_sequence('contacts', 'id'), ?)", (ids[-1],)
                    )
                self._index_contacts(conn, ids)
        return ids

    @contextmanager
    def _search_merges_deferred(self, conn: Connection) -> Iterator[None]:
        """SQLite: merging FTS segments on every flush slows a bulk load several-fold; merge
        once at the end instead (the setting is restored before the transaction ends)."""
        sqlite = self.db.dialect == "sqlite"
        if sqlite:
            conn.execute("INSERT INTO search_index(search_index, rank) VALUES ('automerge', 0)")
        yield
        if sqlite:
            conn.execute("INSERT INTO search_index(search_index, rank) VALUES ('automerge', 4)")
            conn.execute("INSERT INTO search_index(search_index, rank) VALUES ('merge', 500)")

    def _index_contacts(self, conn: Connection, ids: list[int]) -> None:
        """The search documents of the new contacts (their notes index themselves)."""
        # FTS5 flushes its pending terms whenever a rowid is lower than the previous one:
        # contacts are indexed under -id, so feed them in descending id order.
        conn.execute(
            INDEX_CONTACTS_SQL[self.db.dialect] + " WHERE c.id BETWEEN ? AND ? ORDER BY c.id DESC",
            (ids[0], ids[-1]),
        )

    def _insert_contacts(
        self, conn: Connection, pairs: list[tuple[int, NewContact]], stamp: str, start_on: str
    ) -> None:
        """The contacts' rows; a company or owner they name is found by its name or made, in
        the order the file names them (so the same file gives the same ids)."""
        repo = CompanyRepo(self.db)
        names = dict.fromkeys(c.company for _, c in pairs if c.company)
        companies = {name: repo.ensure(name)[0] for name in names}
        # Owners are users made with a name only, as the upgrade made them.
        owners = {
            name: UserRepo(self.db).ensure(name)
            for name in dict.fromkeys(c.owner for _, c in pairs if c.owner)
        }
        conn.executemany(
            f"""INSERT INTO contacts (id, name, company_id, role, address, birthday,
                 birthday_md, relationship_type, stage, cadence_days, owner_id, archived,
                 last_touch_on, touch_anchor_on, created_at, updated_at,
                 {", ".join(CARD_FIELDS)})
               VALUES ({", ".join("?" * (16 + len(CARD_FIELDS)))})""",
            [
                (
                    contact_id,
                    c.name,
                    companies[c.company] if c.company else None,
                    c.role if c.company else None,
                    c.address,
                    c.birthday.iso() if c.birthday else None,
                    c.birthday.month_day if c.birthday else None,
                    c.relationship_type.value if c.relationship_type else None,
                    c.stage.value if c.stage else None,
                    c.cadence_override,
                    owners[c.owner] if c.owner else None,
                    int(c.archived),
                    _iso(c.last_touch_on),
                    start_on,
                    stamp,
                    stamp,
                    *card_fields(c),
                )
                for contact_id, c in pairs
            ],
        )

    def _insert_notes(self, conn: Connection, notes: list[tuple[int, NewNote]], stamp: str) -> None:
        """The notes of the new contacts, by contact id."""
        rows = [(i, n.body, n.channel, n.on.isoformat(), stamp) for i, n in notes]
        if self.db.dialect == "sqlite":
            # One statement for all notes: with executemany the FTS trigger's index would
            # be flushed at the end of every row's statement (4x slower).
            conn.execute(
                """INSERT INTO notes (contact_id, body, channel, noted_on, created_at)
                   SELECT json_extract(value, "$[0]"), json_extract(value, "$[1]"),
                          json_extract(value, "$[2]"), json_extract(value, "$[3]"),
                          json_extract(value, "$[4]")
                   FROM json_each(?)""",
                (json.dumps(rows),),
            )
        else:
            conn.executemany(
                """INSERT INTO notes (contact_id, body, channel, noted_on, created_at)
                   VALUES (?, ?, ?, ?, ?)""",
                rows,
            )

    def uid_sources(self, ids: Sequence[int] | None = None) -> list[tuple[int, str | None, str]]:
        """(id, imported UID or None, creation time) of every contact, or of those with `ids`."""
        sql = "SELECT id, uid, created_at FROM contacts"
        if ids is None:
            return self.conn.execute(sql).fetchall()
        return self.conn.execute(f"{sql} WHERE id IN ({_marks(ids)})", list(ids)).fetchall()

    def note_bodies(self, contact_id: int) -> set[str]:
        rows = self.conn.execute("SELECT body FROM notes WHERE contact_id = ?", (contact_id,))
        return {row[0] for row in rows}

    def person_rows(self, contact_id: int) -> dict[str, list[dict[str, Any]]]:
        """Every row of every table that belongs to one contact, by table name (the contact's
        own row under "contacts")."""
        columns = ", ".join(self.columns("contacts"))
        row = self.conn.execute(f"SELECT {columns} FROM contacts WHERE id = ?", (contact_id,))
        data: dict[str, list[dict[str, Any]]] = {"contacts": [dict(r) for r in row]}
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

    def persons_rows(self, ids: Sequence[int]) -> dict[int, dict[str, list[dict[str, Any]]]]:
        """person_rows for each of these contacts (one query per table)."""
        data: dict[int, dict[str, list[dict[str, Any]]]] = {}
        columns = ", ".join(self.columns("contacts"))
        params, marks = list(ids), _marks(ids)
        for row in self.conn.execute(
            f"SELECT {columns} FROM contacts WHERE id IN ({marks}) ORDER BY id", params
        ):
            data[row["id"]] = {table: [] for table in (*PERSON_TABLES, "sale_items")}
            data[row["id"]]["contacts"] = [dict(row)]
        for table in PERSON_TABLES:
            order = _ORDER.get(table, "id")
            for row in self.conn.execute(
                f"SELECT * FROM {table} WHERE contact_id IN ({marks}) ORDER BY contact_id, {order}",
                params,
            ):
                data[row["contact_id"]][table].append(_row(row))
        for row in self.conn.execute(
            f"""SELECT s.contact_id AS owner_id, i.* FROM sale_items i
               JOIN sales s ON s.id = i.sale_id WHERE s.contact_id IN ({marks})
               ORDER BY i.sale_id, i.position""",
            params,
        ):
            item = _row(row)
            owner = item.pop("owner_id")
            data[owner]["sale_items"].append(item)
        return data

    def columns(self, table: str) -> list[str]:
        """The columns of `table` a row can be written with (not the generated ones)."""
        if self.db.dialect == "postgresql":
            rows = self.conn.execute(
                """SELECT column_name FROM information_schema.columns
                   WHERE table_schema = current_schema() AND table_name = ?
                     AND is_generated = 'NEVER' ORDER BY ordinal_position""",
                (table,),
            )
            return [name for (name,) in rows]
        rows = self.conn.execute("SELECT name, hidden FROM pragma_table_xinfo(?)", (table,))
        return [name for name, hidden in rows if hidden == 0]

    def user_rows(self, ids: set[int] | None) -> list[dict[str, Any]]:
        """The users (all, or those with `ids`) as rows, without their edit counter."""
        rows = [dict(r) for r in self.conn.execute("SELECT * FROM users ORDER BY id")]
        return [{k: v for k, v in row.items() if k not in ("version", "name_key")} for row in rows
                if ids is None or row["id"] in ids]  # fmt: skip

    def restore_users(self, rows: list[dict[str, Any]], keep_ids: bool) -> dict[object, int]:
        """The users of a JSON export, by their id in the file: with `keep_ids` inserted as
        they were, else found by name (case and spaces aside) or made with a name only."""
        found: dict[object, int] = {}
        with self.db.write():
            for row in rows:
                if keep_ids:
                    # The key is the database's own rule, set once the row is in.
                    user_id = self._insert("users", {**row, "name_key": ""}, keep_ids=True)
                    self.conn.execute(
                        f"UPDATE users SET name_key = {name_key('name')} WHERE id = ?", (user_id,)
                    )
                    found[row.get("id")] = user_id
                elif isinstance(row.get("name"), str) and row["name"].strip():
                    found[row.get("id")] = UserRepo(self.db).ensure(row["name"])
        return found

    def company_rows(self, ids: set[int] | None) -> list[dict[str, Any]]:
        """The companies (all, or those with `ids`) as rows, without their edit counter."""
        rows = [dict(r) for r in self.conn.execute("SELECT * FROM companies ORDER BY id")]
        return [{k: v for k, v in row.items() if k != "version"} for row in rows
                if ids is None or row["id"] in ids]  # fmt: skip

    def restore_companies(
        self, rows: list[dict[str, Any]], keep_ids: bool, users: dict[object, int]
    ) -> dict[object, int]:
        """The companies of a JSON export, by their id in the file: with `keep_ids` inserted as
        they were, else found by name (case and spaces aside) or created."""
        found: dict[object, int] = {}
        with self.db.write():
            for row in rows:
                if keep_ids:
                    # The key by this version's rule, whatever the file's says.
                    mine = {
                        "owner_id": self._owner(users, row),
                        "name_key": company_key(str(row.get("name") or "")),
                    }
                    found[row.get("id")] = self._insert("companies", {**row, **mine}, True)
                elif isinstance(row.get("name"), str) and row["name"].strip():
                    found[row.get("id")] = CompanyRepo(self.db).ensure(row["name"])[0]
        return found

    def set_referrer(self, contact_id: int, referrer_id: int) -> None:
        with self.db.write() as conn:
            conn.execute(
                "UPDATE contacts SET referred_by = ? WHERE id = ?", (referrer_id, contact_id)
            )

    def restore_person(
        self,
        rows: dict[str, list[dict[str, Any]]],
        keep_ids: bool,
        companies: dict[object, int],
        users: dict[object, int],
    ) -> int:
        """Insert one contact from a JSON export: its own row ("contacts") and its rows in
        every table, as they were; with `keep_ids` under their ids (into an empty database),
        else under new ones, with the references between them (a sale's items, a sale's
        follow-up `sale:12`, an anniversary's occurrence marks) following; `companies` maps
        the file's company ids to this database's. The referrer is set afterwards
        (set_referrer), once every contact of the file is in. ValueError for a row that does
        not fit its table."""
        with self.db.write() as conn:
            record = {**rows["contacts"][0], "referred_by": None}
            record["owner_id"] = self._owner(users, record)
            if record.get("company_id") is not None:
                record["company_id"] = _moved(companies, record["company_id"])
            contact = self._insert("contacts", record, keep_ids)
            moved: dict[str, dict[object, int]] = {}
            for table in RESTORED_TABLES:
                moved[table] = {}
                for row in rows.get(table, []):
                    row = {**row, "contact_id": contact} if table != "sale_items" else row
                    if table == "sale_items":
                        row = {**row, "sale_id": _moved(moved["sales"], row.get("sale_id"))}
                    elif table in ("sales", "company_departures") and row.get("company_id"):
                        row = {**row, "company_id": _moved(companies, row["company_id"])}
                    elif table == "follow_ups":
                        row = {**row, "source": _source(row.get("source"), moved),
                               "assignee_id": _user(users, row.get("assignee_id")),
                               "done_by": _user(users, row.get("done_by"))}  # fmt: skip
                    elif table == "cases":
                        row = {**row, "owner_id": _user(users, row.get("owner_id"))}
                    elif table == "occurrence_marks" and row.get("kind") == "anniversary":
                        row = {**row, "subject": str(_moved(moved["anniversaries"],
                                                            _int(row.get("subject"))))}  # fmt: skip
                    moved[table][row.get("id")] = self._insert(table, row, keep_ids)
            dialect = self.db.dialect
            conn.execute(f"DELETE FROM search_index WHERE {ROW_KEY[dialect]} = ?", (-contact,))
            conn.execute(INDEX_CONTACTS_SQL[dialect] + " WHERE c.id = ?", (contact,))
        return contact

    def _owner(self, users: dict[object, int], row: dict[str, Any]) -> int | None:
        """The owner of an exported contact or company here; an export made before owners
        were users (schema 10) names them (`owner`): found by name, or made."""
        name = row.pop("owner", None)
        if isinstance(name, str) and name.strip():
            return UserRepo(self.db).ensure(name)
        return _user(users, row.get("owner_id"))

    def restore_digest_runs(self, runs: list[dict[str, Any]]) -> None:
        with self.db.write():
            for run in runs:
                self._insert("digest_runs", run, keep_ids=True)

    def _insert(self, table: str, row: dict[str, Any], keep_ids: bool) -> int:
        allowed = self.columns(table)
        values = dict(row)
        unknown = sorted(set(values) - set(allowed))
        if unknown:
            raise ValueError(f"{table}: no column {', '.join(unknown)}")
        if not keep_ids:
            values.pop("id", None)
        for key, value in values.items():
            if not isinstance(value, str | int | float | None):
                raise ValueError(f"{table}.{key}: {type(value).__name__} is not a value")
        names = list(values)
        returning = " RETURNING id" if "id" in allowed else ""
        try:
            cursor = self.conn.execute(
                f"INSERT INTO {table} ({', '.join(names)})"
                f" VALUES ({', '.join('?' * len(names))}){returning}",
                [values[name] for name in names],
            )
            new_id = int(cursor.fetchone()[0]) if returning else 0
            if returning and "id" in values and self.db.dialect == "postgresql":
                # An id given explicitly: move the table's id sequence past it.
                self.conn.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), max(id)) FROM {table}"
                )
        except (sqlite3.IntegrityError, StorageError) as exc:
            raise ValueError(f"{table}: {exc}") from None
        return new_id

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
            # A mark or opt-out the kept contact has already for the same thing stays its own.
            conn.execute(
                """DELETE FROM occurrence_marks WHERE contact_id = ?2 AND EXISTS (
                     SELECT 1 FROM occurrence_marks k WHERE k.contact_id = ?1
                       AND k.kind = occurrence_marks.kind AND k.subject = occurrence_marks.subject
                       AND k.occurrence_on = occurrence_marks.occurrence_on)""",
                (keep_id, drop_id),
            )
            for table in OPT_OUT_TABLES:
                conn.execute(
                    f"""DELETE FROM {table} WHERE contact_id = ?2
                        AND EXISTS (SELECT 1 FROM {table} k WHERE k.contact_id = ?1)""",
                    (keep_id, drop_id),
                )
            for table in ("occurrence_marks", *OPT_OUT_TABLES):
                conn.execute(
                    f"UPDATE {table} SET contact_id = ? WHERE contact_id = ?", (keep_id, drop_id)
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
            conn.execute("DELETE FROM history WHERE contact_id = ?", (contact_id,))
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
            if rebuild_index and self.db.dialect == "sqlite":
                conn.execute("INSERT INTO search_index(search_index) VALUES ('rebuild')")

    def scrub(self) -> str | None:
        """Make erased data unrecoverable from the files, or say what still holds it (None:
        nothing). SQLite: move the WAL into the database, rewrite the database without free
        pages, and truncate the WAL to nothing; another connection may keep the WAL from
        being emptied until it closes. PostgreSQL keeps deleted rows' text in its data files
        until the space is reused and in its WAL until recycled: only its administrator can
        purge them (docs/privacy.md)."""
        if self.db.dialect == "postgresql":
            return (
                "PostgreSQL keeps the erased text in its data files until the space is reused and"
                " in its write-ahead log (and any WAL archive or base backup) until recycled: to"
                " purge it, an administrator runs VACUUM FULL on the tinycrm tables, then"
                " CHECKPOINT and SELECT pg_switch_wal() (docs/privacy.md)"
            )
        conn = self.conn
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        conn.execute("VACUUM")
        busy = conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()[0]
        if busy:
            return (
                "another program has the database open: the erased text leaves the write-ahead"
                " log when it closes (or run this again then)"
            )
        return None


# The tables of a contact's rows in a JSON export, in the order a restore writes them (what a
# row refers to first); sale_stats and score_stats are rebuilt by their triggers.
RESTORED_TABLES = (
    "contact_emails", "contact_phones", "contact_tags", "contact_addresses", "contact_links",
    "anniversaries", "stage_history", "notes", "sales", "sale_items", "satisfaction", "cases",
    "costs", "follow_ups", "occurrence_marks", "company_departures", *OPT_OUT_TABLES,
)  # fmt: skip
_SOURCES = {"sale": "sales", "case": "cases", "score": "satisfaction"}


def _set_uids(conn: Connection, ids: list[int], uids: Sequence[str | None]) -> None:
    """The vCard UIDs the contacts were imported with, where they had one."""
    conn.executemany(
        "UPDATE contacts SET uid = ? WHERE id = ?",
        [(uid, i) for i, uid in zip(ids, uids, strict=True) if uid],
    )


def _insert_dates(conn: Connection, pairs: list[tuple[int, NewContact]], start_on: str) -> None:
    """The new contacts' anniversaries, and their stages as history starting on `start_on`."""
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


def _int(value: object) -> int | None:
    return int(value) if isinstance(value, int | str) and str(value).isdigit() else None


def _user(users: dict[object, int], old: object) -> int | None:
    """A reference to a user of the file, here (None: none)."""
    return None if old is None else _moved(users, old)


def _moved(ids: dict[object, int], old: object) -> int:
    if old not in ids:
        raise ValueError(f"a reference to row {old!r}, which is not in the file")
    return ids[old]


def _source(source: object, moved: dict[str, dict[object, int]]) -> object:
    """A follow-up's source (`sale:12`) pointing at the row's id in this database."""
    if not isinstance(source, str) or ":" not in source:
        return source
    kind, _, number = source.partition(":")
    table = _SOURCES.get(kind)
    if table is None or _int(number) is None:
        return source
    return f"{kind}:{_moved(moved[table], int(number))}"


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None


def _row(row: Row) -> dict[str, Any]:
    data = dict(row)
    data.pop("contact_id", None)
    data.pop("version", None)  # this database's edit counter, not the person's data
    data.pop("open_case", None)  # kept from the cases (schema 25), not the person's data
    return data


def _marks(ids: Sequence[int]) -> str:
    """The placeholders of an IN list of `ids`."""
    return ", ".join("?" * len(ids))
