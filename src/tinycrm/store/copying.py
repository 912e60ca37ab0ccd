"""SQL for copying a whole CRM from one database to another (`crm db copy`), either backend.

Every table is copied row for row with its ids, in TABLES order (a row after the rows it
points to). What is derived from those rows is made by the destination's own rules: DERIVED
(a customer's purchase and score statistics) and the notes' entries in the search index; the
contacts' own search documents are copied as they are. The per-row triggers that derive them
are off during the copy and their work is done once afterwards, once per customer rather than
once per row: on PostgreSQL by the triggers' own functions (when this role owns the tables), on
SQLite by the triggers themselves, dropped and made again from their own text, then fired by
touching one sale and one score of each customer.
Both databases are at the same schema version, so they have the same tables and columns.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator
from typing import Any

from tinycrm.errors import StorageError
from tinycrm.store.backend import Backend, batches
from tinycrm.store.postgres import PgDatabase
from tinycrm.store.reports import RECENT_DAYS
from tinycrm.store.schema_pg import VERSION_TABLE

# Every table a person's data lives in, parents first.
TABLES = (
    "users",
    "owner_spellings",
    "companies",
    "company_spellings",
    "contacts",
    "company_departures",
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
    "sale_items",
    "costs",
    "satisfaction",
    "cases",
    "digest_runs",
    "survey_requests",
    "survey_opt_outs",
    "pass_on_opt_outs",
    "mail_messages",
    "portal_keys",
    "portal_links",
    "portal_attempts",
    "portal_sessions",
    "history",
)
# Made by the destination's rules from the rows copied (see derive_in_bulk; survey_counts by
# its triggers on survey_requests, which stay on).
DERIVED = (
    "sale_stats", "score_stats", "score_counts", "survey_counts", "referral_stats",
    "referral_revenue", "sale_totals", "company_sale_totals",
)  # fmt: skip
# The tables whose per-row triggers make DERIVED rows and the notes' search entries.
TRIGGERING = ("notes", "sales", "satisfaction")
# The scores counted per day as the score_counts triggers count them (schema 20).
COUNT_SCORES = """INSERT INTO score_counts (scored_on, scale, score, by_survey, scores)
    SELECT scored_on, scale, score, CASE WHEN source = 'survey' THEN 1 ELSE 0 END, count(*)
    FROM satisfaction GROUP BY 1, 2, 3, 4"""
# Each referrer's counts and sums as the referral_stats triggers recount them (schema 21),
# afresh: the triggers on contacts stay on during a copy and counted before the sales came.
COUNT_REFERRALS = (
    "DELETE FROM referral_revenue",
    "DELETE FROM referral_stats",
    """INSERT INTO referral_stats (referrer_id, referred, customers)
        SELECT c.referred_by, count(*), sum(CASE WHEN EXISTS (
            SELECT 1 FROM sales s WHERE s.contact_id = c.id) THEN 1 ELSE 0 END)
        FROM contacts c WHERE c.referred_by IS NOT NULL GROUP BY c.referred_by""",
    """INSERT INTO referral_revenue (referrer_id, currency, revenue_minor, customers, referred)
        SELECT t.referrer_id, s.currency, sum(s.amount_minor), t.customers, t.referred
        FROM referral_stats t JOIN contacts c ON c.referred_by = t.referrer_id
        JOIN sales s ON s.contact_id = c.id
        GROUP BY t.referrer_id, s.currency, t.customers, t.referred""",
)
# Sales and their sums per customer and per company, per currency, with the last purchase and
# what was bought in the RECENT_DAYS up to it (schemas 22 and 24).
_SUM_SALES = """INSERT INTO {table} ({key}, currency, sales, total_minor, last_on, recent_minor)
        SELECT {key}, currency, count(*), sum(amount_minor), last_on,
          sum(CASE WHEN sold_on >= date(last_on, '-{recent} days') THEN amount_minor ELSE 0 END)
        FROM (SELECT {key}, currency, amount_minor, sold_on,
                max(sold_on) OVER (PARTITION BY {key}, currency) AS last_on
              FROM sales WHERE {key} IS NOT NULL) AS s
        GROUP BY {key}, currency, last_on"""
SUM_SALES = (
    _SUM_SALES.format(table="sale_totals", key="contact_id", recent=RECENT_DAYS),
    _SUM_SALES.format(table="company_sale_totals", key="company_id", recent=RECENT_DAYS),
)
# The triggers' work, once for every row copied: each statement is the trigger's own. On
# SQLite the notes' entries and the score counts are made before the triggers are back, the
# statistics after (the counts' update trigger then takes one off and adds it back).
_BULK_DERIVATIONS = {
    "postgresql": (
        "INSERT INTO search_index (id, contact_id, body) SELECT id, contact_id, body FROM notes",
        """SELECT count(tinycrm_sale_stats(contact_id))
           FROM (SELECT DISTINCT contact_id FROM sales) c""",
        """SELECT count(tinycrm_score_stats(contact_id))
           FROM (SELECT DISTINCT contact_id FROM satisfaction) c""",
        COUNT_SCORES,
        *COUNT_REFERRALS,
        *SUM_SALES,
    ),
    "sqlite": (
        "INSERT INTO search_index (rowid, body, contact_id) SELECT id, body, contact_id FROM notes",
        COUNT_SCORES,
        *COUNT_REFERRALS,
        *SUM_SALES,
    ),
}
# SQLite: the statistics triggers fired once per customer, by an update of one row each.
_FIRE_ONCE_PER_CUSTOMER = (
    """UPDATE sales SET sold_on = sold_on
       WHERE id IN (SELECT max(id) FROM sales GROUP BY contact_id)""",
    """UPDATE satisfaction SET score = score
       WHERE id IN (SELECT max(id) FROM satisfaction GROUP BY contact_id)""",
)
SEARCH_INDEX = "search_index"
COUNTED = (*TABLES, *DERIVED, SEARCH_INDEX)
# The contacts' own documents in the search index (a note's entry has the note's id).
_CONTACT_DOCUMENTS = {
    "sqlite": "SELECT rowid, contact_id, body FROM search_index WHERE rowid < 0 ORDER BY rowid",
    "postgresql": "SELECT id, contact_id, body FROM search_index WHERE id < 0 ORDER BY id",
}


def schema_tables(db: Backend) -> set[str]:
    """Every table of tinycrm's schema in `db` (SQLite's internal and FTS5 tables aside, and
    PostgreSQL's partitions of the search index)."""
    if db.dialect == "sqlite":
        rows = db.conn.execute(
            """SELECT name FROM sqlite_master WHERE type = 'table'
               AND name NOT LIKE 'sqlite_%' AND name NOT LIKE 'search_index_%'"""
        ).fetchall()
    else:
        rows = db.conn.execute(
            """SELECT tablename FROM pg_tables WHERE schemaname = current_schema()
               AND tablename NOT LIKE 'search_index_%'"""
        ).fetchall()
    return {row[0] for row in rows} - {VERSION_TABLE}


def counts(db: Backend) -> dict[str, int]:
    """The rows in each table that is copied or rebuilt."""
    return {
        name: int(db.conn.execute(f"SELECT count(*) FROM {name}").fetchone()[0]) for name in COUNTED
    }


def stored_columns(db: Backend, table: str) -> list[str]:
    """`table`'s columns that hold values (generated ones are computed by each database)."""
    if db.dialect == "sqlite":
        rows = db.conn.execute(f"PRAGMA table_xinfo({table})").fetchall()
        return [row["name"] for row in rows if row["hidden"] == 0]
    rows = db.conn.execute(
        """SELECT column_name FROM information_schema.columns
           WHERE table_schema = current_schema() AND table_name = ? AND is_generated = 'NEVER'
           ORDER BY ordinal_position""",
        (table,),
    ).fetchall()
    return [row[0] for row in rows]


def empty(db: Backend) -> None:
    """Delete every row of every table (inside the caller's write transaction)."""
    if db.dialect == "postgresql":
        db.conn.execute(f"TRUNCATE {', '.join(COUNTED)}")
        return
    for name in (*reversed(TABLES), *DERIVED, SEARCH_INDEX):
        db.conn.execute(f"DELETE FROM {name}")


def copy_table(source: Backend, destination: Backend, table: str) -> None:
    """Every row of `table`, ids included, into the destination's write transaction."""
    columns = stored_columns(destination, table)
    missing = set(columns) - set(stored_columns(source, table))
    if missing:
        raise StorageError(
            f"{source.location} has no column {', '.join(sorted(missing))} in {table}:"
            " its schema differs from its version's (`crm db check` says how); nothing copied"
        )
    names = ", ".join(columns)
    # SQLite scans a table in its key's order; PostgreSQL is asked to (ids first).
    order = "" if source.dialect == "sqlite" else " ORDER BY 1"
    rows = _tuples(batches(source, f"SELECT {names} FROM {table}{order}"))
    _write(destination, table, columns, rows)


def copy_contact_documents(source: Backend, destination: Backend) -> None:
    """The contacts' search documents, as the source has them (note entries are made by the
    destination's trigger on notes)."""
    rows = _tuples(batches(source, _CONTACT_DOCUMENTS[source.dialect]))
    key = "rowid" if destination.dialect == "sqlite" else "id"
    _write(destination, SEARCH_INDEX, [key, "contact_id", "body"], rows)


def defer_foreign_keys(db: Backend) -> None:
    """Check SQLite's foreign keys at commit, so a contact may name a referrer with a higher
    id (PostgreSQL checks them at the end of each table's COPY, which allows that too)."""
    if db.dialect == "sqlite":
        db.conn.execute("PRAGMA defer_foreign_keys = ON")


def suspend_triggers(db: Backend) -> list[str]:
    """Turn the deriving triggers off until derive_in_bulk, inside the caller's transaction
    (no one else sees them off); what turns them on again. Nothing (they stay on) for a
    PostgreSQL role that does not own the tables: ALTER TABLE is the owner's."""
    if db.dialect == "sqlite":
        triggers = db.conn.execute(
            f"""SELECT name, sql FROM sqlite_master WHERE type = 'trigger'
                AND tbl_name IN ({", ".join("?" * len(TRIGGERING))}) ORDER BY name""",
            TRIGGERING,
        ).fetchall()
        for name, _ in triggers:
            db.conn.execute(f'DROP TRIGGER "{name}"')
        return [sql for _, sql in triggers]
    owned = db.conn.execute(
        """SELECT bool_and(pg_has_role(tableowner, 'USAGE')) FROM pg_tables
           WHERE schemaname = current_schema() AND tablename IN (?, ?, ?)""",
        TRIGGERING,
    ).fetchone()[0]
    if not owned:
        return []
    for table in TRIGGERING:
        db.conn.execute(f"ALTER TABLE {table} DISABLE TRIGGER USER")
    return [f"ALTER TABLE {table} ENABLE TRIGGER USER" for table in TRIGGERING]


def derive_in_bulk(db: Backend, restore: list[str]) -> None:
    """Do the suspended triggers' work for every row copied and turn them back on
    (`restore`, from suspend_triggers)."""
    for statement in _BULK_DERIVATIONS[db.dialect]:
        db.conn.execute(statement)
    for statement in restore:
        db.conn.execute(statement)
    if db.dialect == "sqlite":
        for statement in _FIRE_ONCE_PER_CUSTOMER:
            db.conn.execute(statement)


def advance_identities(db: Backend) -> None:
    """Set PostgreSQL's identity counters past the copied ids (SQLite uses max(id) + 1)."""
    if db.dialect != "postgresql":
        return
    identities = db.conn.execute(
        """SELECT table_name, column_name FROM information_schema.columns
           WHERE table_schema = current_schema() AND is_identity = 'YES'"""
    ).fetchall()
    for table, column in identities:
        db.conn.execute(
            f"""SELECT setval(pg_get_serial_sequence(?, ?), coalesce(max({column}), 0) + 1,
                              false) FROM {table}""",
            (table, column),
        )


def gather_statistics(db: Backend) -> None:
    """PostgreSQL's planner statistics of the copied rows, so that the first commands after
    the copy are planned for them (autovacuum gathers them a minute or more later: the bench's
    queue took 4.6x `task next` until then, 2.6x after). SQLite plans without them, as ever."""
    if db.dialect == "postgresql":
        db.conn.execute("ANALYZE")


def identity(db: Backend) -> tuple[object, ...]:
    """What tells two connections to the same PostgreSQL database (and schema) apart from
    two to different ones: the server's start time, the database's oid and the schema."""
    row = db.conn.execute(
        """SELECT pg_postmaster_start_time(), (SELECT oid FROM pg_database
               WHERE datname = current_database()), current_schema()"""
    ).fetchone()
    return tuple(row)


def _tuples(rows: Iterable[Any]) -> Iterator[tuple[Any, ...]]:
    return (tuple(row) for row in rows)


def _write(db: Backend, table: str, columns: list[str], rows: Iterable[tuple[Any, ...]]) -> None:
    names = ", ".join(columns)
    if not isinstance(db, PgDatabase):
        marks = ", ".join("?" * len(columns))
        try:
            db.conn.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", rows)
        except sqlite3.Error as exc:
            raise StorageError(f"cannot copy {table} into {db.location}: {exc}") from exc
        return
    try:
        with db.conn.raw.cursor().copy(f"COPY {table} ({names}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
    except StorageError:
        raise
    except Exception as exc:
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise StorageError(f"cannot copy {table} into {db.location}: {reason}") from exc
