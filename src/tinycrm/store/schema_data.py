"""The data steps of schema versions: what a version does to the rows where SQL cannot say the
rule. Both backends run a version's step in the version's transaction, after its statements
(schema.MIGRATIONS and schema_pg.MIGRATIONS stay frozen text; a step only reads and writes
rows, so the schema a version builds does not depend on it)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, Protocol

from tinycrm.company_names import company_key

# Schema 17: companies' keys by company_names.company_key on both backends (before, each
# backend's lower(): ASCII only on SQLite, all of Unicode on PostgreSQL).
FOLD_VERSION = 17
# What the upgrade writes in the history for a company it merged into another.
UPGRADE_SOURCE = "upgrade"


class Executes(Protocol):
    def execute(self, sql: str, params: Any = ..., /) -> Any: ...


def fold_company_keys(conn: Executes) -> None:
    """Every company's key by company_key. Companies that become one are merged into the oldest
    (its name and id stay): their people, sales and departures move to it, their names become
    its spellings (`crm companies merged`) and each merge is in the history."""
    companies = [(int(r[0]), str(r[1])) for r in conn.execute(
        "SELECT id, name FROM companies ORDER BY id"
    ).fetchall()]  # fmt: skip
    kept: dict[str, int] = {}
    for company_id, name in companies:
        into = kept.setdefault(company_key(name), company_id)
        if into != company_id:
            _merge(conn, company_id, into)
    conn.execute("UPDATE companies SET name_key = '#' || id")  # no new key meets an old one
    for key, company_id in kept.items():
        conn.execute("UPDATE companies SET name_key = ? WHERE id = ?", (key, company_id))


def _merge(conn: Executes, company_id: int, into: int) -> None:
    """Company `company_id` merged into `into`, inside the migration's transaction."""
    kept_name = conn.execute("SELECT name FROM companies WHERE id = ?", (into,)).fetchone()[0]
    name = ""
    for owner in (into, company_id):
        name, created_at, people, first = conn.execute(
            """SELECT name, created_at, (SELECT count(*) FROM contacts WHERE company_id = ?1),
                      (SELECT coalesce(min(id), 0) FROM contacts WHERE company_id = ?1)
               FROM companies WHERE id = ?1""",
            (owner,),
        ).fetchone()
        conn.execute(
            """INSERT INTO company_spellings (spelling, company_id, contacts, first_contact_id,
                   first_created_at) VALUES (?, ?, ?, ?, ?)
               ON CONFLICT (spelling) DO UPDATE SET company_id = excluded.company_id""",
            (name, into, people, first, created_at),
        )
    for table in ("contacts", "sales", "company_departures", "company_spellings"):
        conn.execute(f"UPDATE {table} SET company_id = ? WHERE company_id = ?", (into, company_id))
    conn.execute(
        """UPDATE companies SET
             owner_id = coalesce(owner_id, (SELECT owner_id FROM companies WHERE id = ?1)),
             cadence_days = coalesce(cadence_days,
                                     (SELECT cadence_days FROM companies WHERE id = ?1)),
             archived = CASE WHEN (SELECT archived FROM companies WHERE id = ?1) = 0 THEN 0
                             ELSE archived END,
             version = version + 1
           WHERE id = ?2""",
        (company_id, into),
    )
    conn.execute("DELETE FROM companies WHERE id = ?", (company_id,))
    conn.execute(
        """INSERT INTO history (at, user_id, source, entity, entity_id, action, field, old, new)
           VALUES (?, NULL, ?, 'company', ?, 'merged', 'name', ?, ?)""",
        (datetime.now().astimezone().isoformat(timespec="seconds"), UPGRADE_SOURCE, into, name,
         kept_name),
    )  # fmt: skip


DATA_STEPS: dict[int, Callable[[Executes], None]] = {FOLD_VERSION: fold_company_keys}
