"""Versioned schema migrations, applied in order; `PRAGMA user_version` records the version.

Each migration is a list of statements run inside one `BEGIN IMMEDIATE` transaction together
with the version bump, so a migration that fails leaves the previous schema and data untouched.
(`executescript` is not used: it commits before running.) Released migrations are never edited.
"""

from __future__ import annotations

from collections.abc import Callable

# Text separator used by group_concat in list queries; cannot appear in typed text.
SEP = "\x1f"


def _refresh_sale_stats(row: str) -> str:
    """Trigger body: recompute one customer's purchase summary from their sales."""
    c = f"{row}.contact_id"
    days = f"(SELECT DISTINCT sold_on FROM sales WHERE contact_id = {c})"
    return f"""DELETE FROM sale_stats WHERE contact_id = {c};
            INSERT INTO sale_stats (contact_id, purchases, first_on, last_on, median_gap,
                next_due_on)
            SELECT contact_id, purchases, first_on, last_on, median_gap,
                CASE WHEN purchases >= 3 THEN
                    date(last_on, '+' || CAST(round(median_gap) AS INTEGER) || ' days') END
            FROM (SELECT {c} AS contact_id, count(*) AS purchases, min(sold_on) AS first_on,
                    max(sold_on) AS last_on,
                    (SELECT avg(gap) FROM (
                        SELECT gap, row_number() OVER (ORDER BY gap) AS rn, count(*) OVER () AS n
                        FROM (SELECT julianday(sold_on)
                                     - julianday(lag(sold_on) OVER (ORDER BY sold_on)) AS gap
                              FROM {days}) WHERE gap IS NOT NULL)
                     WHERE rn IN ((n + 1) / 2, (n + 2) / 2)) AS median_gap
                  FROM {days})
            WHERE purchases > 0;"""


def _refresh_score_stats(row: str) -> str:
    """Trigger body: one contact's latest score and the previous one."""
    c = f"{row}.contact_id"
    prev = """(SELECT p.{col} FROM satisfaction p WHERE p.contact_id = s.contact_id
                 AND (p.scored_on, p.id) < (s.scored_on, s.id)
                 ORDER BY p.scored_on DESC, p.id DESC LIMIT 1)"""
    return f"""DELETE FROM score_stats WHERE contact_id = {c};
            INSERT INTO score_stats (contact_id, last_on, scale, score, prev_scale, prev_score,
                risk)
            SELECT contact_id, scored_on, scale, score, ps, pv,
                coalesce(ps = scale AND score < pv, 0)
                OR score <= CASE scale WHEN 'csat' THEN 2 ELSE 6 END
            FROM (SELECT s.contact_id, s.scored_on, s.scale, s.score,
                    {prev.format(col="scale")} AS ps, {prev.format(col="score")} AS pv
                  FROM satisfaction s WHERE s.contact_id = {c}
                  ORDER BY s.scored_on DESC, s.id DESC LIMIT 1);"""


# The keep-in-touch interval in force for a contacts row (NULL: none): the override (0 = never)
# else the relationship type's default. Mirrors vocabulary.DEFAULT_CADENCE.
CADENCE_SQL = (
    "(CASE WHEN cadence_days IS NOT NULL THEN nullif(cadence_days, 0) ELSE CASE "
    "relationship_type WHEN 'dedicated' THEN 30 WHEN 'personal' THEN 60 WHEN 'long-term' THEN 90"
    " WHEN 'community' THEN 180 END END)"
)
LAST_TOUCH_SQL = "coalesce(last_touch_on, touch_anchor_on, substr(created_at, 1, 10))"
TOUCH_DUE_SQL = f"date({LAST_TOUCH_SQL}, '+' || {CADENCE_SQL} || ' days')"


def _stats_triggers(table: str, update: str, refresh: Callable[[str], str]) -> list[str]:
    """Triggers keeping a per-contact summary table in step with `table`: after an insert or
    delete, and after an update for both the old and the new contact."""
    return [
        f"""CREATE TRIGGER {table}_stats_{name} AFTER {event} ON {table} BEGIN
            {refresh(row)}
        END"""
        for name, event, row in (
            ("ai", "INSERT", "new"),
            ("ad", "DELETE", "old"),
            ("au_old", update, "old"),
            ("au_new", update, "new"),
        )
    ]


V1 = [
    """CREATE TABLE contacts (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL,
        company TEXT,
        address TEXT,
        birthday TEXT,              -- 'YYYY-MM-DD', or '--MM-DD' when the year is unknown
        birthday_md TEXT,           -- 'MM-DD', indexed for upcoming-birthday look-ups
        relationship_type TEXT,
        stage TEXT,
        cadence_days INTEGER,       -- override of the type's default; 0 = never
        owner TEXT,
        archived INTEGER NOT NULL DEFAULT 0,
        last_touch_on TEXT,         -- last interaction: a note with a channel, a done follow-up
        touch_anchor_on TEXT,       -- keep-in-touch clock restart without an interaction
                                    -- (new or imported contact, skipped check-in)
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        -- The day the next keep-in-touch check-in falls due: the later of last_touch_on and
        -- touch_anchor_on plus the cadence (override, else the relationship type's default,
        -- which must match models.DEFAULT_CADENCE; a test checks). Indexed for the queue.
        check_in_due_on TEXT GENERATED ALWAYS AS (
            CASE WHEN archived = 0 AND coalesce(cadence_days, CASE relationship_type
                    WHEN 'dedicated' THEN 30 WHEN 'personal' THEN 60
                    WHEN 'long-term' THEN 90 WHEN 'community' THEN 180 END) > 0
            THEN date(max(coalesce(last_touch_on, ''), coalesce(touch_anchor_on, '')),
                      '+' || coalesce(cadence_days, CASE relationship_type
                          WHEN 'dedicated' THEN 30 WHEN 'personal' THEN 60
                          WHEN 'long-term' THEN 90 WHEN 'community' THEN 180 END) || ' days')
            END
        ) VIRTUAL
    )""",
    "CREATE INDEX contacts_birthday_md ON contacts(birthday_md) WHERE birthday_md IS NOT NULL",
    # Covering indexes for ranking the follow-up queue without reading table rows.
    """CREATE INDEX contacts_check_in_due ON contacts(check_in_due_on, relationship_type)
        WHERE check_in_due_on IS NOT NULL""",
    "CREATE INDEX contacts_queue ON contacts(id, archived, relationship_type)",
    "CREATE INDEX contacts_name ON contacts(name COLLATE NOCASE)",
    "CREATE INDEX contacts_company ON contacts(company COLLATE NOCASE)",
    "CREATE INDEX contacts_archived ON contacts(id) WHERE archived = 1",
    # When the keep-in-touch check-in falls due (last touch + cadence in force), for the
    # at-risk report; the expression must stay identical to TOUCH_DUE_SQL.
    f"CREATE INDEX contacts_touch_due ON contacts({TOUCH_DUE_SQL}) WHERE archived = 0",
    """CREATE TABLE contact_emails (
        contact_id INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
        position INTEGER NOT NULL,
        email TEXT NOT NULL,
        label TEXT,
        PRIMARY KEY (contact_id, position)
    ) WITHOUT ROWID""",
    "CREATE INDEX contact_emails_email ON contact_emails(email COLLATE NOCASE)",
    """CREATE TABLE contact_phones (
        contact_id INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
        position INTEGER NOT NULL,
        phone TEXT NOT NULL,
        phone_digits TEXT NOT NULL,  -- normalised for duplicate matching
        label TEXT,
        PRIMARY KEY (contact_id, position)
    ) WITHOUT ROWID""",
    "CREATE INDEX contact_phones_digits ON contact_phones(phone_digits)",
    """CREATE TABLE contact_tags (
        contact_id INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
        tag TEXT NOT NULL,
        PRIMARY KEY (contact_id, tag)
    ) WITHOUT ROWID""",
    "CREATE INDEX contact_tags_tag ON contact_tags(tag COLLATE NOCASE, contact_id)",
    """CREATE TABLE anniversaries (
        id INTEGER PRIMARY KEY,
        contact_id INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
        label TEXT NOT NULL,
        date TEXT NOT NULL,          -- 'YYYY-MM-DD' or '--MM-DD'
        date_md TEXT NOT NULL
    )""",
    "CREATE INDEX anniversaries_md ON anniversaries(date_md)",
    "CREATE INDEX anniversaries_contact ON anniversaries(contact_id)",
    """CREATE TABLE stage_history (
        id INTEGER PRIMARY KEY,
        contact_id INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
        stage TEXT NOT NULL,
        changed_on TEXT NOT NULL
    )""",
    "CREATE INDEX stage_history_contact ON stage_history(contact_id, changed_on)",
    """CREATE TABLE notes (
        id INTEGER PRIMARY KEY,
        contact_id INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
        body TEXT NOT NULL,
        channel TEXT,                -- set when the note records an interaction
        noted_on TEXT NOT NULL,
        duration_minutes INTEGER,
        created_at TEXT NOT NULL
    )""",
    "CREATE INDEX notes_contact ON notes(contact_id, noted_on)",
    "CREATE INDEX notes_noted_on ON notes(noted_on)",
    """CREATE TABLE follow_ups (
        id INTEGER PRIMARY KEY,
        contact_id INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
        title TEXT NOT NULL,
        kind TEXT NOT NULL,
        due_on TEXT NOT NULL,        -- the current occurrence
        snoozed_until TEXT,          -- moves only the current occurrence
        rule TEXT,                   -- RRULE for recurring follow-ups
        anchor_on TEXT,              -- first occurrence; later ones are computed from it
        status TEXT NOT NULL DEFAULT 'open',  -- open, done, skipped
        completed_on TEXT,
        source TEXT,                 -- e.g. 'sale:12', 'case:3', 'score:7'
        created_at TEXT NOT NULL
    )""",
    "CREATE INDEX follow_ups_open_due ON follow_ups(status, due_on)",
    "CREATE INDEX follow_ups_contact ON follow_ups(contact_id, status)",
    """CREATE INDEX follow_ups_queue ON follow_ups(due_on, kind, contact_id, snoozed_until)
        WHERE status = 'open'""",
    # The day an open follow-up is due, snooze included: the queue's ranges and counts.
    """CREATE INDEX follow_ups_effective_due
        ON follow_ups(coalesce(snoozed_until, due_on), kind, contact_id) WHERE status = 'open'""",
    """CREATE TABLE occurrence_marks (
        id INTEGER PRIMARY KEY,
        contact_id INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
        kind TEXT NOT NULL,          -- birthday, anniversary, check-in, reorder
        subject TEXT NOT NULL DEFAULT '',  -- e.g. the anniversary id
        occurrence_on TEXT NOT NULL,
        status TEXT NOT NULL,        -- done, skipped, snoozed
        snoozed_until TEXT,
        marked_on TEXT NOT NULL,
        UNIQUE (contact_id, kind, subject, occurrence_on)
    )""",
    "CREATE INDEX occurrence_marks_on ON occurrence_marks(occurrence_on)",
    """CREATE INDEX occurrence_marks_snoozed ON occurrence_marks(snoozed_until)
        WHERE status = 'snoozed'""",
    """CREATE TABLE sales (
        id INTEGER PRIMARY KEY,
        contact_id INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
        sold_on TEXT NOT NULL,
        amount_minor INTEGER NOT NULL,
        currency TEXT NOT NULL,
        created_at TEXT NOT NULL
    )""",
    "CREATE INDEX sales_contact ON sales(contact_id, sold_on)",
    "CREATE INDEX sales_sold_on ON sales(sold_on)",
    # One row per customer with purchases, kept current by triggers on `sales` so that the
    # reorder, at-risk and lifecycle reports read 100k customers without scanning every sale.
    # purchases = distinct purchase days; median_gap = median days between them;
    # next_due_on = last_on + median_gap (rounded) once there are at least 3 purchases.
    """CREATE TABLE sale_stats (
        contact_id INTEGER PRIMARY KEY REFERENCES contacts(id) ON DELETE CASCADE,
        purchases INTEGER NOT NULL,
        first_on TEXT NOT NULL,
        last_on TEXT NOT NULL,
        median_gap REAL,
        next_due_on TEXT
    )""",
    """CREATE INDEX sale_stats_due ON sale_stats(next_due_on, last_on)
        WHERE next_due_on IS NOT NULL""",
    "CREATE INDEX sale_stats_last ON sale_stats(last_on)",
    *_stats_triggers("sales", "UPDATE OF contact_id, sold_on", _refresh_sale_stats),
    """CREATE TABLE costs (
        id INTEGER PRIMARY KEY,
        contact_id INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
        spent_on TEXT NOT NULL,
        kind TEXT NOT NULL,          -- gift, discount
        amount_minor INTEGER NOT NULL,
        currency TEXT NOT NULL,
        note TEXT,
        created_at TEXT NOT NULL
    )""",
    "CREATE INDEX costs_contact ON costs(contact_id, spent_on)",
    """CREATE TABLE sale_items (
        sale_id INTEGER NOT NULL REFERENCES sales(id) ON DELETE CASCADE,
        position INTEGER NOT NULL,
        product TEXT NOT NULL,
        PRIMARY KEY (sale_id, position)
    ) WITHOUT ROWID""",
    "CREATE INDEX sale_items_product ON sale_items(product)",
    """CREATE TABLE satisfaction (
        id INTEGER PRIMARY KEY,
        contact_id INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
        scored_on TEXT NOT NULL,
        scale TEXT NOT NULL,         -- csat (1-5) or nps (0-10)
        score INTEGER NOT NULL,
        source TEXT,
        comment TEXT,
        created_at TEXT NOT NULL
    )""",
    "CREATE INDEX satisfaction_contact ON satisfaction(contact_id, scored_on)",
    # Each contact's latest score and the one before, kept by triggers; `risk` = falling on the
    # same scale, or low (CSAT <= 2, NPS <= 6). Read by the at-risk report.
    """CREATE TABLE score_stats (
        contact_id INTEGER PRIMARY KEY REFERENCES contacts(id) ON DELETE CASCADE,
        last_on TEXT NOT NULL,
        scale TEXT NOT NULL,
        score INTEGER NOT NULL,
        prev_scale TEXT,
        prev_score INTEGER,
        risk INTEGER NOT NULL
    )""",
    "CREATE INDEX score_stats_risk ON score_stats(risk, last_on)",
    "CREATE INDEX score_stats_last ON score_stats(last_on)",
    *_stats_triggers("satisfaction", "UPDATE", _refresh_score_stats),
    """CREATE TABLE cases (
        id INTEGER PRIMARY KEY,
        contact_id INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
        title TEXT NOT NULL,
        severity TEXT NOT NULL,      -- low, normal, high
        opened_on TEXT NOT NULL,
        target_on TEXT NOT NULL,     -- response-time target from the severity
        escalated_to TEXT,
        escalated_on TEXT,
        resolved_on TEXT,
        resolution TEXT,
        created_at TEXT NOT NULL
    )""",
    "CREATE INDEX cases_contact ON cases(contact_id)",
    "CREATE INDEX cases_open ON cases(resolved_on, target_on)",
    """CREATE TABLE digest_runs (
        id INTEGER PRIMARY KEY,
        digest_on TEXT NOT NULL,     -- the day the digest covers
        covered_from TEXT NOT NULL,  -- first day included (catch-up after missed days)
        status TEXT NOT NULL,        -- sent, failed, empty (nothing due, nothing sent)
        recipients TEXT,
        item_count INTEGER NOT NULL,
        error TEXT,
        attempted_at TEXT NOT NULL
    )""",
    "CREATE INDEX digest_runs_day ON digest_runs(digest_on, status)",
    # Full-text index over contacts (rowid = -contact id) and notes (rowid = note id).
    """CREATE VIRTUAL TABLE search_index USING fts5(
        body, contact_id UNINDEXED, tokenize = 'unicode61 remove_diacritics 2'
    )""",
    """CREATE TRIGGER notes_ai AFTER INSERT ON notes BEGIN
        INSERT INTO search_index(rowid, body, contact_id) VALUES (new.id, new.body, new.contact_id);
    END""",
    """CREATE TRIGGER notes_ad AFTER DELETE ON notes BEGIN
        DELETE FROM search_index WHERE rowid = old.id;
    END""",
    """CREATE TRIGGER notes_au AFTER UPDATE OF body, contact_id ON notes BEGIN
        UPDATE search_index SET body = new.body, contact_id = new.contact_id WHERE rowid = old.id;
    END""",
    """CREATE TRIGGER contacts_ad AFTER DELETE ON contacts BEGIN
        DELETE FROM search_index WHERE rowid = -old.id;
    END""",
]

# Version 2 (0.2.0): indexes for the follow-up queue and the digest (docs/benchmarks.md).
V2 = [
    # Covering: the queue reads a week of birthdays (~2,000 rows at 100k contacts) from here.
    "DROP INDEX contacts_birthday_md",
    """CREATE INDEX contacts_birthday_md
        ON contacts(birthday_md, archived, birthday, relationship_type, name)
        WHERE birthday_md IS NOT NULL""",
    # Marks of one kind in a range of days (the few marked reorders among thousands due).
    """CREATE INDEX occurrence_marks_kind
        ON occurrence_marks(kind, occurrence_on, contact_id, subject)""",
    "CREATE INDEX cases_open_contact ON cases(contact_id) WHERE resolved_on IS NULL",
]

V3 = [
    # When the keep-in-touch check-in falls due (TOUCH_DUE_SQL, as at-risk reads it), by
    # contact: at-risk looks it up for the few thousand contacts with a satisfaction or case
    # flag. An index of 400 pages instead of their rows in a table of 3,600 (SQLite 3.40 reads
    # an indexed expression's value from the table, an indexed generated column's from the
    # index).
    f"""ALTER TABLE contacts ADD COLUMN touch_due_on TEXT
        GENERATED ALWAYS AS ({TOUCH_DUE_SQL}) VIRTUAL""",
    "CREATE INDEX contacts_touch ON contacts(id, archived, touch_due_on)",
]

MIGRATIONS: list[list[str]] = [V1, V2, V3]
LATEST_VERSION = len(MIGRATIONS)
