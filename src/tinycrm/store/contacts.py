"""SQL for contacts and what hangs off them: emails, phones, tags, anniversaries, stages."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol

from tinycrm.company_names import company_key
from tinycrm.dates import PartialDate, parse_partial_date
from tinycrm.models.contacts import (
    Anniversary,
    Contact,
    Labelled,
    PersonName,
    PostalAddress,
    StageChange,
)
from tinycrm.store.backend import Backend, Connection, Row, stream
from tinycrm.store.companies import CompanyRepo
from tinycrm.store.stamps import now_iso
from tinycrm.store.versions import update_versioned
from tinycrm.vocabulary import RelationshipType, Stage

# A contact's lists as JSON arrays (the JSON aggregates differ per backend).
_LISTS = {
    "sqlite": """
  (SELECT json_group_array(json_array(email, label)) FROM
     (SELECT email, label FROM contact_emails WHERE contact_id = c.id ORDER BY position))
     AS emails,
  (SELECT json_group_array(json_array(phone, label)) FROM
     (SELECT phone, label FROM contact_phones WHERE contact_id = c.id ORDER BY position))
     AS phones,
  (SELECT json_group_array(json_array(label, po_box, extended, street, locality, region,
                                      postal_code, country)) FROM
     (SELECT * FROM contact_addresses WHERE contact_id = c.id ORDER BY position)) AS addresses,
  (SELECT json_group_array(json_array(kind, value, label)) FROM
     (SELECT kind, value, label FROM contact_links WHERE contact_id = c.id
      ORDER BY kind, position)) AS links,
  (SELECT json_group_array(tag) FROM
     (SELECT tag FROM contact_tags WHERE contact_id = c.id ORDER BY tag)) AS tags,
  (SELECT json_group_array(json_object('id', id, 'label', label, 'date', date)) FROM
     (SELECT id, label, date FROM anniversaries WHERE contact_id = c.id ORDER BY date_md))
     AS anniversaries""",
    "postgresql": """
  (SELECT coalesce(json_agg(json_build_array(email, label) ORDER BY position), '[]')::text
     FROM contact_emails WHERE contact_id = c.id) AS emails,
  (SELECT coalesce(json_agg(json_build_array(phone, label) ORDER BY position), '[]')::text
     FROM contact_phones WHERE contact_id = c.id) AS phones,
  (SELECT coalesce(json_agg(json_build_array(label, po_box, extended, street, locality, region,
                   postal_code, country) ORDER BY position), '[]')::text
     FROM contact_addresses WHERE contact_id = c.id) AS addresses,
  (SELECT coalesce(json_agg(json_build_array(kind, value, label) ORDER BY kind, position),
                   '[]')::text FROM contact_links WHERE contact_id = c.id) AS links,
  (SELECT coalesce(json_agg(tag ORDER BY tag), '[]')::text FROM contact_tags
     WHERE contact_id = c.id) AS tags,
  (SELECT coalesce(json_agg(json_build_object('id', id, 'label', label, 'date', date)
     ORDER BY date_md), '[]')::text FROM anniversaries WHERE contact_id = c.id) AS anniversaries""",
}
_SELECT = {
    dialect: f"""
SELECT c.*,
  (SELECT name FROM companies WHERE id = c.company_id) AS company,
  (SELECT name FROM contacts r WHERE r.id = c.referred_by) AS referrer,
  (SELECT name FROM users WHERE id = c.owner_id) AS owner,{lists}
FROM contacts c
"""
    for dialect, lists in _LISTS.items()
}


# The full-text document of a contact; callers add a WHERE clause on `c`. The index's row
# key is SQLite's rowid (FTS5) or the `id` column (PostgreSQL): -contact id, or a note's id.
ROW_KEY = {"sqlite": "rowid", "postgresql": "id"}
_INDEX_CONTACTS_SQL = """INSERT INTO search_index ({key}, body, contact_id)
    SELECT -c.id, c.name || ' '
        || coalesce((SELECT name FROM companies WHERE id = c.company_id), '') || ' '
        || coalesce(c.nickname, '') || ' ' || coalesce(c.job_title, '') || ' '
        || coalesce(c.address, '') || ' '
        || coalesce((SELECT name FROM users WHERE id = c.owner_id), '') || ' '
        || coalesce((SELECT {concat}(email, ' ') FROM contact_emails
                     WHERE contact_id = c.id), '') || ' '
        || coalesce((SELECT {concat}(phone, ' ') FROM contact_phones
                     WHERE contact_id = c.id), '') || ' '
        || coalesce((SELECT {concat}(tag, ' ') FROM contact_tags
                     WHERE contact_id = c.id), ''),
        c.id
    FROM contacts c"""
INDEX_CONTACTS_SQL = {
    "sqlite": _INDEX_CONTACTS_SQL.format(key="rowid", concat="group_concat"),
    "postgresql": _INDEX_CONTACTS_SQL.format(key="id", concat="string_agg"),
}

# An active contact whose name or an email contains ?1 (a LIKE pattern).
_CONTAINING = """c.id IN (
    SELECT id FROM contacts WHERE name LIKE ?1 ESCAPE '\\'
    UNION SELECT contact_id FROM contact_emails WHERE email LIKE ?1 ESCAPE '\\')"""


@dataclass(frozen=True)
class ContactFilter:
    tag: str | None = None
    company: str | None = None
    company_id: int | None = None
    relationship_type: str | None = None
    stage: str | None = None
    archived: bool | None = False  # None: both
    ids: tuple[int, ...] | None = None
    owner_id: int | None = None
    unowned: bool = False  # only contacts nobody owns
    limit: int | None = None
    offset: int = 0


@dataclass(frozen=True)
class RefCandidate:
    id: int
    name: str
    email: str | None


def digits_of(phone: str) -> str:
    """A phone number reduced to its digits (a leading + kept), for duplicate matching."""
    digits = re.sub(r"\D", "", phone)
    return ("+" + digits) if phone.strip().startswith("+") else digits


class ContactRepo:
    def __init__(self, db: Backend) -> None:
        self.db = db

    @property
    def conn(self) -> Connection:
        return self.db.conn

    def get(self, contact_id: int) -> Contact | None:
        row = self.conn.execute(
            _SELECT[self.db.dialect] + " WHERE c.id = ?", (contact_id,)
        ).fetchone()
        return _contact(row) if row else None

    def query(self, where: ContactFilter) -> list[Contact]:
        sql, params = self._query_sql(where)
        return [_contact(row) for row in self.conn.execute(sql, params)]

    def each(self, where: ContactFilter) -> Iterator[Contact]:
        """query's contacts one at a time, read a batch at a time in one read transaction (a
        whole CRM's list is never held in memory)."""
        sql, params = self._query_sql(where)
        return (_contact(row) for row in stream(self.db, sql, params))

    def _query_sql(self, where: ContactFilter) -> tuple[str, list[object]]:
        sql, params = _filter_sql(where)
        sql += " ORDER BY c.name COLLATE NOCASE, c.id"
        if where.limit:
            sql += " LIMIT ? OFFSET ?"
            params += [where.limit, where.offset]
        return _SELECT[self.db.dialect] + sql, params

    def any_owned(self, where: ContactFilter) -> bool:
        """Whether any contact matching `where` has an owner."""
        sql, params = _filter_sql(where)
        owned = self.conn.execute(
            f"SELECT EXISTS (SELECT 1 FROM contacts c{sql} AND c.owner_id IS NOT NULL)", params
        ).fetchone()[0]
        return bool(owned)

    def count(self, where: ContactFilter) -> int:
        sql, params = _filter_sql(where)
        return int(
            self.conn.execute("SELECT count(*) FROM contacts c " + sql, params).fetchone()[0]
        )

    def find_ref(self, text: str) -> list[RefCandidate]:
        """Contacts whose name or one of whose emails equals `text` (case-insensitive)."""
        rows = self.conn.execute(
            """SELECT c.id, c.name, (SELECT email FROM contact_emails
                   WHERE contact_id = c.id ORDER BY position LIMIT 1) AS email
               FROM contacts c WHERE c.id IN (
                   SELECT id FROM contacts WHERE name = ?1 COLLATE NOCASE
                   UNION SELECT contact_id FROM contact_emails WHERE email = ?1 COLLATE NOCASE)
               ORDER BY c.archived, c.id""",
            (text.strip(),),
        )
        return [RefCandidate(row["id"], row["name"], row["email"]) for row in rows]

    def sharing_address(self, contact_id: int) -> list[RefCandidate]:
        """Other contacts with one of this contact's emails (ignoring case) or phone numbers
        (the same digits); `email` holds the shared address or number."""
        rows = self.conn.execute(
            """SELECT c.id, c.name, mine.email AS shared FROM contact_emails mine
                 JOIN contact_emails other ON other.email = mine.email COLLATE NOCASE
                 JOIN contacts c ON c.id = other.contact_id
               WHERE mine.contact_id = ?1 AND other.contact_id != ?1
               UNION
               SELECT c.id, c.name, mine.phone FROM contact_phones mine
                 JOIN contact_phones other ON other.phone_digits = mine.phone_digits
                 JOIN contacts c ON c.id = other.contact_id
               WHERE mine.contact_id = ?1 AND other.contact_id != ?1 AND mine.phone_digits != ''
               ORDER BY 1""",
            (contact_id,),
        )
        return [RefCandidate(row["id"], row["name"], row["shared"]) for row in rows]

    def find_containing(
        self, text: str, limit: int = 11, *, archived: bool = False
    ) -> list[RefCandidate]:
        """Active (or else archived) contacts whose name or an email contains `text`
        (case-insensitive)."""
        rows = self.conn.execute(
            """SELECT c.id, c.name, (SELECT email FROM contact_emails
                   WHERE contact_id = c.id ORDER BY position LIMIT 1) AS email
               FROM contacts c WHERE c.archived = ?3 AND """
            + _CONTAINING
            + " ORDER BY c.name COLLATE NOCASE, c.id LIMIT ?2",
            ("%" + _like_escape(text.strip()) + "%", limit, int(archived)),
        )
        return [RefCandidate(row["id"], row["name"], row["email"]) for row in rows]

    def find_starting(
        self, text: str, limit: int = 2, *, archived: bool = False
    ) -> list[RefCandidate]:
        """Active (or else archived) contacts a word of whose name, or an email, starts with
        `text` (case-insensitive): `ana` is Ana Souza, not Aiko Tanaka."""
        start = _like_escape(text.strip()) + "%"
        rows = self.conn.execute(
            """SELECT c.id, c.name, (SELECT email FROM contact_emails
                   WHERE contact_id = c.id ORDER BY position LIMIT 1) AS email
               FROM contacts c WHERE c.archived = ?4 AND c.id IN (
                   SELECT id FROM contacts WHERE name LIKE ?1 ESCAPE '\\'
                     OR name LIKE ?2 ESCAPE '\\'
                   UNION SELECT contact_id FROM contact_emails WHERE email LIKE ?1 ESCAPE '\\')
               ORDER BY c.name COLLATE NOCASE, c.id LIMIT ?3""",
            (start, "% " + start, limit, int(archived)),
        )
        return [RefCandidate(row["id"], row["name"], row["email"]) for row in rows]

    def count_containing(self, text: str) -> int:
        """How many contacts `find_containing` would find without its limit."""
        row = self.conn.execute(
            f"SELECT count(*) FROM contacts c WHERE c.archived = 0 AND {_CONTAINING}",
            ("%" + _like_escape(text.strip()) + "%",),
        ).fetchone()
        return int(row[0])

    def set_owner(self, contact_ids: list[int], owner_id: int | None) -> int:
        """Give these contacts an owner (None: nobody), raising their versions; how many
        changed (those that had another owner)."""
        changed = 0
        with self.db.write() as conn:
            stamp = now_iso()
            for chunk in (contact_ids[i : i + 500] for i in range(0, len(contact_ids), 500)):
                changed += conn.execute(
                    f"""UPDATE contacts SET owner_id = ?, version = version + 1, updated_at = ?
                        WHERE id IN ({",".join("?" * len(chunk))})
                          AND coalesce(owner_id, 0) != coalesce(CAST(? AS INTEGER), 0)""",
                    (owner_id, stamp, *chunk, owner_id),
                ).rowcount
        return changed

    def insert(self, contact: Contact, today: date) -> int:
        with self.db.write() as conn:
            stamp = now_iso()
            cursor = conn.execute(
                f"""INSERT INTO contacts (name, address, birthday, birthday_md,
                     relationship_type, stage, cadence_days, owner_id, archived, company_id, role,
                     referred_by, {CARD_COLUMNS}, last_touch_on, touch_anchor_on, created_at,
                     updated_at)
                   VALUES ({", ".join("?" * (12 + len(CARD_FIELDS)))}, ?, ?, ?, ?) RETURNING id""",
                (*_scalar_fields(contact), *self._links(contact), *card_fields(contact),
                 _iso(contact.last_touch_on),
                 _iso(contact.touch_anchor_on or today), stamp, stamp),
            )  # fmt: skip
            contact_id = int(cursor.fetchone()[0])
            self._write_children(contact_id, contact)
            if contact.stage:
                self.add_stage_change(contact_id, contact.stage, today)
            self.reindex(contact_id)
        return contact_id

    def update(self, contact: Contact) -> None:
        """Write `contact` over the stored row, if that is still at `contact.version` (else
        Stale); the version goes up by one."""
        assert contact.id is not None
        with self.db.write() as conn:
            update_versioned(
                conn, "contacts", "contact", contact.id, contact.version,
                """name = ?, address = ?, birthday = ?, birthday_md = ?, relationship_type = ?,
                   stage = ?, cadence_days = ?, owner_id = ?, archived = ?, company_id = ?,
                   role = ?, referred_by = ?, last_touch_on = ?, updated_at = ?, """
                + " = ?, ".join(CARD_FIELDS) + " = ?",
                (*_scalar_fields(contact), *self._links(contact), _iso(contact.last_touch_on),
                 now_iso(), *card_fields(contact)),
            )  # fmt: skip
            for table in CHILD_TABLES:
                conn.execute(f"DELETE FROM {table} WHERE contact_id = ?", (contact.id,))
            self._write_children(contact.id, contact, anniversaries=False)
            self._sync_anniversaries(contact.id, contact.anniversaries)
            self.reindex(contact.id)

    def _links(self, contact: Contact) -> tuple[int | None, str | None, int | None]:
        """The contact's company (by name: found, or created), role and referrer."""
        company_id = CompanyRepo(self.db).ensure(contact.company)[0] if contact.company else None
        role = contact.role if company_id is not None else None
        return company_id, role, contact.referred_by

    def _write_children(
        self, contact_id: int, contact: Contact, anniversaries: bool = True
    ) -> None:
        write_children(self.conn, [(contact_id, contact)])
        if anniversaries:
            self._sync_anniversaries(contact_id, contact.anniversaries)

    def _sync_anniversaries(self, contact_id: int, wanted: Iterable[Anniversary]) -> None:
        """Keep the ids of unchanged anniversaries, so marks on their occurrences survive."""
        existing = {a.id: a for a in self.anniversaries(contact_id)}
        keep = {a.id for a in wanted if a.id in existing}
        for stale in set(existing) - keep:
            self.conn.execute("DELETE FROM anniversaries WHERE id = ?", (stale,))
        for item in wanted:
            values = (item.label, item.when.iso(), item.when.month_day)
            if item.id in existing:
                self.conn.execute(
                    "UPDATE anniversaries SET label = ?, date = ?, date_md = ? WHERE id = ?",
                    (*values, item.id),
                )
            else:
                self.conn.execute(
                    """INSERT INTO anniversaries (contact_id, label, date, date_md)
                       VALUES (?, ?, ?, ?)""",
                    (contact_id, *values),
                )

    def anniversaries(self, contact_id: int) -> list[Anniversary]:
        rows = self.conn.execute(
            "SELECT id, label, date FROM anniversaries WHERE contact_id = ? ORDER BY date_md",
            (contact_id,),
        )
        return [Anniversary(r["label"], parse_partial_date(r["date"]), r["id"]) for r in rows]

    def reindex(self, contact_id: int) -> None:
        """Refresh the contact's full-text document (name, company, emails, phones, tags...)."""
        dialect = self.db.dialect
        self.conn.execute(f"DELETE FROM search_index WHERE {ROW_KEY[dialect]} = ?", (-contact_id,))
        self.conn.execute(INDEX_CONTACTS_SQL[dialect] + " WHERE c.id = ?", (contact_id,))

    def add_stage_change(self, contact_id: int, stage: Stage, on: date) -> None:
        with self.db.write() as conn:
            conn.execute(
                "INSERT INTO stage_history (contact_id, stage, changed_on) VALUES (?, ?, ?)",
                (contact_id, stage.value, on.isoformat()),
            )

    def stage_history(self, contact_id: int) -> list[StageChange]:
        rows = self.conn.execute(
            """SELECT stage, changed_on FROM stage_history WHERE contact_id = ?
               ORDER BY changed_on, id""",
            (contact_id,),
        )
        return [StageChange(Stage(r["stage"]), date.fromisoformat(r["changed_on"])) for r in rows]

    def touch(self, contact_id: int, on: date) -> None:
        """Record an interaction on `on` (docs/follow-ups.md, "When a check-in falls due")."""
        with self.db.write() as conn:
            record_interaction(conn, contact_id, on)

    def delete(self, contact_id: int) -> None:
        with self.db.write() as conn:
            conn.execute("DELETE FROM contacts WHERE id = ?", (contact_id,))


def _filter_sql(where: ContactFilter) -> tuple[str, list[object]]:
    clauses = ["1 = 1"]
    params: list[object] = []
    if where.archived is not None:
        clauses.append("c.archived = ?")
        params.append(int(where.archived))
    if where.tag:
        clauses.append("c.id IN (SELECT contact_id FROM contact_tags WHERE tag = ? COLLATE NOCASE)")
        params.append(where.tag)
    if where.company:
        clauses.append("c.company_id IN (SELECT id FROM companies WHERE name_key = ?)")
        params.append(company_key(where.company))
    if where.company_id is not None:
        clauses.append("c.company_id = ?")
        params.append(where.company_id)
    if where.owner_id is not None:
        clauses.append("c.owner_id = ?")
        params.append(where.owner_id)
    if where.unowned:
        clauses.append("c.owner_id IS NULL")
    if where.relationship_type:
        clauses.append("c.relationship_type = ?")
        params.append(where.relationship_type)
    if where.stage:
        clauses.append("c.stage = ?")
        params.append(where.stage)
    if where.ids is not None:
        clauses.append(f"c.id IN ({','.join('?' * len(where.ids)) or 'NULL'})")
        params.extend(where.ids)
    return " WHERE " + " AND ".join(clauses), params


def _scalar_fields(contact: Contact) -> tuple[object, ...]:
    birthday = contact.birthday
    return (
        contact.name,
        contact.address,
        birthday.iso() if birthday else None,
        birthday.month_day if birthday else None,
        contact.relationship_type.value if contact.relationship_type else None,
        contact.stage.value if contact.stage else None,
        contact.cadence_override,
        contact.owner_id,
        int(contact.archived),
    )


class CardFields(Protocol):
    """What a contact and an import record share beyond the CRM's own fields."""

    @property
    def kind(self) -> str | None: ...
    @property
    def name_parts(self) -> PersonName | None: ...
    @property
    def nickname(self) -> str | None: ...
    @property
    def job_title(self) -> str | None: ...
    @property
    def gender(self) -> str | None: ...
    @property
    def emails(self) -> list[str]: ...
    @property
    def email_labels(self) -> dict[str, str]: ...
    @property
    def phones(self) -> list[str]: ...
    @property
    def phone_labels(self) -> dict[str, str]: ...
    @property
    def tags(self) -> list[str]: ...
    @property
    def addresses(self) -> list[PostalAddress]: ...
    @property
    def urls(self) -> list[Labelled]: ...
    @property
    def ims(self) -> list[Labelled]: ...
    @property
    def related(self) -> list[Labelled]: ...


# The contacts columns of CardFields, in the order card_fields gives their values.
CARD_FIELDS = ("kind", "name_family", "name_given", "name_additional", "name_prefix",
               "name_suffix", "nickname", "job_title", "gender")  # fmt: skip
CARD_COLUMNS = ", ".join(CARD_FIELDS)
# The tables update() rewrites whole from the contact.
CHILD_TABLES = ("contact_emails", "contact_phones", "contact_tags", "contact_addresses",
                "contact_links")  # fmt: skip


def card_fields(item: CardFields) -> tuple[str | None, ...]:
    parts = item.name_parts.parts() if item.name_parts else [None] * 5
    return (item.kind, *parts, item.nickname, item.job_title, item.gender)


def write_children(conn: Connection, items: Iterable[tuple[int, CardFields]]) -> None:
    """Insert the emails, phones, tags, postal addresses and links of contacts by id."""
    pairs = list(items)
    conn.executemany(
        "INSERT INTO contact_emails (contact_id, position, email, label) VALUES (?, ?, ?, ?)",
        [(i, n, e, c.email_labels.get(e)) for i, c in pairs for n, e in enumerate(c.emails)],
    )
    conn.executemany(
        """INSERT INTO contact_phones (contact_id, position, phone, phone_digits, label)
           VALUES (?, ?, ?, ?, ?)""",
        [(i, n, p, digits_of(p), c.phone_labels.get(p)) for i, c in pairs
         for n, p in enumerate(c.phones)],
    )  # fmt: skip
    conn.executemany(
        "INSERT INTO contact_tags (contact_id, tag) VALUES (?, ?) ON CONFLICT DO NOTHING",
        [(i, t) for i, c in pairs for t in c.tags],
    )
    conn.executemany(
        """INSERT INTO contact_addresses (contact_id, position, label, po_box, extended,
             street, locality, region, postal_code, country)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
        [(i, n, a.label, *a.parts()) for i, c in pairs for n, a in enumerate(c.addresses)],
    )
    conn.executemany(
        """INSERT INTO contact_links (contact_id, kind, position, value, label)
           VALUES (?, ?, ?, ?, ?)""",
        [(i, kind, n, link.value, link.label) for i, c in pairs
         for kind, links in (("url", c.urls), ("im", c.ims), ("related", c.related))
         for n, link in enumerate(links)],
    )  # fmt: skip


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None


def _date(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def _contact(row: Row) -> Contact:
    emails = json.loads(row["emails"])
    phones = json.loads(row["phones"])
    links: dict[str, list[Labelled]] = {"url": [], "im": [], "related": []}
    for kind, value, label in json.loads(row["links"]):
        links[kind].append(Labelled(value, label))
    parts = [row[name] for name in CARD_FIELDS[1:6]]
    return Contact(
        id=row["id"],
        name=row["name"],
        company=row["company"],
        company_id=row["company_id"],
        role=row["role"],
        referred_by=row["referred_by"],
        referrer=row["referrer"],
        address=row["address"],
        emails=[email for email, _ in emails],
        email_labels={email: label for email, label in emails if label},
        phones=[phone for phone, _ in phones],
        phone_labels={phone: label for phone, label in phones if label},
        addresses=[PostalAddress(*fields) for fields in json.loads(row["addresses"])],
        urls=links["url"],
        ims=links["im"],
        related=links["related"],
        kind=row["kind"],
        name_parts=PersonName(*parts) if any(p is not None for p in parts) else None,
        nickname=row["nickname"],
        job_title=row["job_title"],
        gender=row["gender"],
        tags=json.loads(row["tags"]),
        birthday=parse_partial_date(row["birthday"]) if row["birthday"] else None,
        anniversaries=[
            Anniversary(a["label"], parse_partial_date(a["date"]), a["id"])
            for a in json.loads(row["anniversaries"])
        ],
        relationship_type=RelationshipType(row["relationship_type"])
        if row["relationship_type"]
        else None,
        stage=Stage(row["stage"]) if row["stage"] else None,
        cadence_override=row["cadence_days"],
        owner=row["owner"],
        owner_id=row["owner_id"],
        archived=bool(row["archived"]),
        last_touch_on=_date(row["last_touch_on"]),
        touch_anchor_on=_date(row["touch_anchor_on"])
        or datetime.fromisoformat(row["created_at"]).date(),
        version=row["version"],
    )


def _like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


__all__ = ["ContactFilter", "ContactRepo", "PartialDate", "RefCandidate"]


def record_interaction(conn: Connection, contact_id: int, on: date) -> None:
    """An interaction on `on`: when it is the contact's latest (even backdated), the
    keep-in-touch clock restarts from it and an earlier restart without one (the day the
    contact was added or imported, a skipped check-in) no longer counts."""
    conn.execute(
        """UPDATE contacts SET last_touch_on = ?1, touch_anchor_on = NULL
           WHERE id = ?2 AND (last_touch_on IS NULL OR last_touch_on < ?1)""",
        (on.isoformat(), contact_id),
    )
