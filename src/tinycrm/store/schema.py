"""Versioned schema migrations, applied in order; `PRAGMA user_version` records the version.

Each migration is a list of statements run inside one `BEGIN IMMEDIATE` transaction together
with the version bump, so a migration that fails leaves the previous schema and data untouched.
(`executescript` is not used: it commits before running.) Released migrations are never edited.
"""

from __future__ import annotations

# Text separator used by group_concat in list queries; cannot appear in typed text.
SEP = "\x1f"

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
        touch_anchor_on TEXT,       -- start of the keep-in-touch clock when never touched
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
    )""",
    "CREATE INDEX contacts_birthday_md ON contacts(birthday_md) WHERE birthday_md IS NOT NULL",
    "CREATE INDEX contacts_name ON contacts(name COLLATE NOCASE)",
    "CREATE INDEX contacts_company ON contacts(company COLLATE NOCASE)",
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

MIGRATIONS: list[list[str]] = [V1]
LATEST_VERSION = len(MIGRATIONS)
