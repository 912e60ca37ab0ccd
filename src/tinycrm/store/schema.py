"""Versioned schema migrations, applied in order; `PRAGMA user_version` records the version.

Each migration is a list of statements run inside one `BEGIN IMMEDIATE` transaction together
with the version bump, so a migration that fails leaves the previous schema and data untouched.
(`executescript` is not used: it commits before running.)

A migration's text is history: it is written out literally, never built from live constants,
so that changing a rule in the code cannot change what an old version meant. A rule that
changes gets a new migration (docs/decisions.md, "Migrations are frozen text"); tests check
that versions 1-3 still build exactly the schema of the files in tests/fixtures.
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
    """CREATE INDEX contacts_birthday_md ON contacts(birthday_md) WHERE birthday_md IS NOT NULL""",
    """CREATE INDEX contacts_check_in_due ON contacts(check_in_due_on, relationship_type)
        WHERE check_in_due_on IS NOT NULL""",
    """CREATE INDEX contacts_queue ON contacts(id, archived, relationship_type)""",
    """CREATE INDEX contacts_name ON contacts(name COLLATE NOCASE)""",
    """CREATE INDEX contacts_company ON contacts(company COLLATE NOCASE)""",
    """CREATE INDEX contacts_archived ON contacts(id) WHERE archived = 1""",
    (
        "CREATE INDEX contacts_touch_due ON contacts(date(coalesce(last_touch_on, "
        "touch_anchor_on, substr(created_at, 1, 10)), '+' || (CASE WHEN cadence_days IS "
        "NOT NULL THEN nullif(cadence_days, 0) ELSE CASE relationship_type WHEN "
        "'dedicated' THEN 30 WHEN 'personal' THEN 60 WHEN 'long-term' THEN 90 WHEN "
        "'community' THEN 180 END END) || ' days')) WHERE archived = 0"
    ),
    """CREATE TABLE contact_emails (
        contact_id INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
        position INTEGER NOT NULL,
        email TEXT NOT NULL,
        label TEXT,
        PRIMARY KEY (contact_id, position)
    ) WITHOUT ROWID""",
    """CREATE INDEX contact_emails_email ON contact_emails(email COLLATE NOCASE)""",
    """CREATE TABLE contact_phones (
        contact_id INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
        position INTEGER NOT NULL,
        phone TEXT NOT NULL,
        phone_digits TEXT NOT NULL,  -- normalised for duplicate matching
        label TEXT,
        PRIMARY KEY (contact_id, position)
    ) WITHOUT ROWID""",
    """CREATE INDEX contact_phones_digits ON contact_phones(phone_digits)""",
    """CREATE TABLE contact_tags (
        contact_id INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
        tag TEXT NOT NULL,
        PRIMARY KEY (contact_id, tag)
    ) WITHOUT ROWID""",
    """CREATE INDEX contact_tags_tag ON contact_tags(tag COLLATE NOCASE, contact_id)""",
    """CREATE TABLE anniversaries (
        id INTEGER PRIMARY KEY,
        contact_id INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
        label TEXT NOT NULL,
        date TEXT NOT NULL,          -- 'YYYY-MM-DD' or '--MM-DD'
        date_md TEXT NOT NULL
    )""",
    """CREATE INDEX anniversaries_md ON anniversaries(date_md)""",
    """CREATE INDEX anniversaries_contact ON anniversaries(contact_id)""",
    """CREATE TABLE stage_history (
        id INTEGER PRIMARY KEY,
        contact_id INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
        stage TEXT NOT NULL,
        changed_on TEXT NOT NULL
    )""",
    """CREATE INDEX stage_history_contact ON stage_history(contact_id, changed_on)""",
    """CREATE TABLE notes (
        id INTEGER PRIMARY KEY,
        contact_id INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
        body TEXT NOT NULL,
        channel TEXT,                -- set when the note records an interaction
        noted_on TEXT NOT NULL,
        duration_minutes INTEGER,
        created_at TEXT NOT NULL
    )""",
    """CREATE INDEX notes_contact ON notes(contact_id, noted_on)""",
    """CREATE INDEX notes_noted_on ON notes(noted_on)""",
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
    """CREATE INDEX follow_ups_open_due ON follow_ups(status, due_on)""",
    """CREATE INDEX follow_ups_contact ON follow_ups(contact_id, status)""",
    """CREATE INDEX follow_ups_queue ON follow_ups(due_on, kind, contact_id, snoozed_until)
        WHERE status = 'open'""",
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
    """CREATE INDEX occurrence_marks_on ON occurrence_marks(occurrence_on)""",
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
    """CREATE INDEX sales_contact ON sales(contact_id, sold_on)""",
    """CREATE INDEX sales_sold_on ON sales(sold_on)""",
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
    """CREATE INDEX sale_stats_last ON sale_stats(last_on)""",
    (
        "CREATE TRIGGER sales_stats_ai AFTER INSERT ON sales BEGIN\n"
        "            DELETE FROM sale_stats WHERE contact_id = new.contact_id;\n"
        "            INSERT INTO sale_stats (contact_id, purchases, first_on, last_on, "
        "median_gap,\n"
        "                next_due_on)\n"
        "            SELECT contact_id, purchases, first_on, last_on, median_gap,\n"
        "                CASE WHEN purchases >= 3 THEN\n"
        "                    date(last_on, '+' || CAST(round(median_gap) AS INTEGER) || "
        "' days') END\n"
        "            FROM (SELECT new.contact_id AS contact_id, count(*) AS purchases, "
        "min(sold_on) AS first_on,\n"
        "                    max(sold_on) AS last_on,\n"
        "                    (SELECT avg(gap) FROM (\n"
        "                        SELECT gap, row_number() OVER (ORDER BY gap) AS rn, "
        "count(*) OVER () AS n\n"
        "                        FROM (SELECT julianday(sold_on)\n"
        "                                     - julianday(lag(sold_on) OVER (ORDER BY "
        "sold_on)) AS gap\n"
        "                              FROM (SELECT DISTINCT sold_on FROM sales WHERE "
        "contact_id = new.contact_id)) WHERE gap IS NOT NULL)\n"
        "                     WHERE rn IN ((n + 1) / 2, (n + 2) / 2)) AS median_gap\n"
        "                  FROM (SELECT DISTINCT sold_on FROM sales WHERE contact_id = "
        "new.contact_id))\n"
        "            WHERE purchases > 0;\n"
        "        END"
    ),
    (
        "CREATE TRIGGER sales_stats_ad AFTER DELETE ON sales BEGIN\n"
        "            DELETE FROM sale_stats WHERE contact_id = old.contact_id;\n"
        "            INSERT INTO sale_stats (contact_id, purchases, first_on, last_on, "
        "median_gap,\n"
        "                next_due_on)\n"
        "            SELECT contact_id, purchases, first_on, last_on, median_gap,\n"
        "                CASE WHEN purchases >= 3 THEN\n"
        "                    date(last_on, '+' || CAST(round(median_gap) AS INTEGER) || "
        "' days') END\n"
        "            FROM (SELECT old.contact_id AS contact_id, count(*) AS purchases, "
        "min(sold_on) AS first_on,\n"
        "                    max(sold_on) AS last_on,\n"
        "                    (SELECT avg(gap) FROM (\n"
        "                        SELECT gap, row_number() OVER (ORDER BY gap) AS rn, "
        "count(*) OVER () AS n\n"
        "                        FROM (SELECT julianday(sold_on)\n"
        "                                     - julianday(lag(sold_on) OVER (ORDER BY "
        "sold_on)) AS gap\n"
        "                              FROM (SELECT DISTINCT sold_on FROM sales WHERE "
        "contact_id = old.contact_id)) WHERE gap IS NOT NULL)\n"
        "                     WHERE rn IN ((n + 1) / 2, (n + 2) / 2)) AS median_gap\n"
        "                  FROM (SELECT DISTINCT sold_on FROM sales WHERE contact_id = "
        "old.contact_id))\n"
        "            WHERE purchases > 0;\n"
        "        END"
    ),
    (
        "CREATE TRIGGER sales_stats_au_old AFTER UPDATE OF contact_id, sold_on ON sales "
        "BEGIN\n"
        "            DELETE FROM sale_stats WHERE contact_id = old.contact_id;\n"
        "            INSERT INTO sale_stats (contact_id, purchases, first_on, last_on, "
        "median_gap,\n"
        "                next_due_on)\n"
        "            SELECT contact_id, purchases, first_on, last_on, median_gap,\n"
        "                CASE WHEN purchases >= 3 THEN\n"
        "                    date(last_on, '+' || CAST(round(median_gap) AS INTEGER) || "
        "' days') END\n"
        "            FROM (SELECT old.contact_id AS contact_id, count(*) AS purchases, "
        "min(sold_on) AS first_on,\n"
        "                    max(sold_on) AS last_on,\n"
        "                    (SELECT avg(gap) FROM (\n"
        "                        SELECT gap, row_number() OVER (ORDER BY gap) AS rn, "
        "count(*) OVER () AS n\n"
        "                        FROM (SELECT julianday(sold_on)\n"
        "                                     - julianday(lag(sold_on) OVER (ORDER BY "
        "sold_on)) AS gap\n"
        "                              FROM (SELECT DISTINCT sold_on FROM sales WHERE "
        "contact_id = old.contact_id)) WHERE gap IS NOT NULL)\n"
        "                     WHERE rn IN ((n + 1) / 2, (n + 2) / 2)) AS median_gap\n"
        "                  FROM (SELECT DISTINCT sold_on FROM sales WHERE contact_id = "
        "old.contact_id))\n"
        "            WHERE purchases > 0;\n"
        "        END"
    ),
    (
        "CREATE TRIGGER sales_stats_au_new AFTER UPDATE OF contact_id, sold_on ON sales "
        "BEGIN\n"
        "            DELETE FROM sale_stats WHERE contact_id = new.contact_id;\n"
        "            INSERT INTO sale_stats (contact_id, purchases, first_on, last_on, "
        "median_gap,\n"
        "                next_due_on)\n"
        "            SELECT contact_id, purchases, first_on, last_on, median_gap,\n"
        "                CASE WHEN purchases >= 3 THEN\n"
        "                    date(last_on, '+' || CAST(round(median_gap) AS INTEGER) || "
        "' days') END\n"
        "            FROM (SELECT new.contact_id AS contact_id, count(*) AS purchases, "
        "min(sold_on) AS first_on,\n"
        "                    max(sold_on) AS last_on,\n"
        "                    (SELECT avg(gap) FROM (\n"
        "                        SELECT gap, row_number() OVER (ORDER BY gap) AS rn, "
        "count(*) OVER () AS n\n"
        "                        FROM (SELECT julianday(sold_on)\n"
        "                                     - julianday(lag(sold_on) OVER (ORDER BY "
        "sold_on)) AS gap\n"
        "                              FROM (SELECT DISTINCT sold_on FROM sales WHERE "
        "contact_id = new.contact_id)) WHERE gap IS NOT NULL)\n"
        "                     WHERE rn IN ((n + 1) / 2, (n + 2) / 2)) AS median_gap\n"
        "                  FROM (SELECT DISTINCT sold_on FROM sales WHERE contact_id = "
        "new.contact_id))\n"
        "            WHERE purchases > 0;\n"
        "        END"
    ),
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
    """CREATE INDEX costs_contact ON costs(contact_id, spent_on)""",
    """CREATE TABLE sale_items (
        sale_id INTEGER NOT NULL REFERENCES sales(id) ON DELETE CASCADE,
        position INTEGER NOT NULL,
        product TEXT NOT NULL,
        PRIMARY KEY (sale_id, position)
    ) WITHOUT ROWID""",
    """CREATE INDEX sale_items_product ON sale_items(product)""",
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
    """CREATE INDEX satisfaction_contact ON satisfaction(contact_id, scored_on)""",
    """CREATE TABLE score_stats (
        contact_id INTEGER PRIMARY KEY REFERENCES contacts(id) ON DELETE CASCADE,
        last_on TEXT NOT NULL,
        scale TEXT NOT NULL,
        score INTEGER NOT NULL,
        prev_scale TEXT,
        prev_score INTEGER,
        risk INTEGER NOT NULL
    )""",
    """CREATE INDEX score_stats_risk ON score_stats(risk, last_on)""",
    """CREATE INDEX score_stats_last ON score_stats(last_on)""",
    (
        "CREATE TRIGGER satisfaction_stats_ai AFTER INSERT ON satisfaction BEGIN\n"
        "            DELETE FROM score_stats WHERE contact_id = new.contact_id;\n"
        "            INSERT INTO score_stats (contact_id, last_on, scale, score, "
        "prev_scale, prev_score,\n"
        "                risk)\n"
        "            SELECT contact_id, scored_on, scale, score, ps, pv,\n"
        "                coalesce(ps = scale AND score < pv, 0)\n"
        "                OR score <= CASE scale WHEN 'csat' THEN 2 ELSE 6 END\n"
        "            FROM (SELECT s.contact_id, s.scored_on, s.scale, s.score,\n"
        "                    (SELECT p.scale FROM satisfaction p WHERE p.contact_id = "
        "s.contact_id\n"
        "                 AND (p.scored_on, p.id) < (s.scored_on, s.id)\n"
        "                 ORDER BY p.scored_on DESC, p.id DESC LIMIT 1) AS ps, (SELECT "
        "p.score FROM satisfaction p WHERE p.contact_id = s.contact_id\n"
        "                 AND (p.scored_on, p.id) < (s.scored_on, s.id)\n"
        "                 ORDER BY p.scored_on DESC, p.id DESC LIMIT 1) AS pv\n"
        "                  FROM satisfaction s WHERE s.contact_id = new.contact_id\n"
        "                  ORDER BY s.scored_on DESC, s.id DESC LIMIT 1);\n"
        "        END"
    ),
    (
        "CREATE TRIGGER satisfaction_stats_ad AFTER DELETE ON satisfaction BEGIN\n"
        "            DELETE FROM score_stats WHERE contact_id = old.contact_id;\n"
        "            INSERT INTO score_stats (contact_id, last_on, scale, score, "
        "prev_scale, prev_score,\n"
        "                risk)\n"
        "            SELECT contact_id, scored_on, scale, score, ps, pv,\n"
        "                coalesce(ps = scale AND score < pv, 0)\n"
        "                OR score <= CASE scale WHEN 'csat' THEN 2 ELSE 6 END\n"
        "            FROM (SELECT s.contact_id, s.scored_on, s.scale, s.score,\n"
        "                    (SELECT p.scale FROM satisfaction p WHERE p.contact_id = "
        "s.contact_id\n"
        "                 AND (p.scored_on, p.id) < (s.scored_on, s.id)\n"
        "                 ORDER BY p.scored_on DESC, p.id DESC LIMIT 1) AS ps, (SELECT "
        "p.score FROM satisfaction p WHERE p.contact_id = s.contact_id\n"
        "                 AND (p.scored_on, p.id) < (s.scored_on, s.id)\n"
        "                 ORDER BY p.scored_on DESC, p.id DESC LIMIT 1) AS pv\n"
        "                  FROM satisfaction s WHERE s.contact_id = old.contact_id\n"
        "                  ORDER BY s.scored_on DESC, s.id DESC LIMIT 1);\n"
        "        END"
    ),
    (
        "CREATE TRIGGER satisfaction_stats_au_old AFTER UPDATE ON satisfaction BEGIN\n"
        "            DELETE FROM score_stats WHERE contact_id = old.contact_id;\n"
        "            INSERT INTO score_stats (contact_id, last_on, scale, score, "
        "prev_scale, prev_score,\n"
        "                risk)\n"
        "            SELECT contact_id, scored_on, scale, score, ps, pv,\n"
        "                coalesce(ps = scale AND score < pv, 0)\n"
        "                OR score <= CASE scale WHEN 'csat' THEN 2 ELSE 6 END\n"
        "            FROM (SELECT s.contact_id, s.scored_on, s.scale, s.score,\n"
        "                    (SELECT p.scale FROM satisfaction p WHERE p.contact_id = "
        "s.contact_id\n"
        "                 AND (p.scored_on, p.id) < (s.scored_on, s.id)\n"
        "                 ORDER BY p.scored_on DESC, p.id DESC LIMIT 1) AS ps, (SELECT "
        "p.score FROM satisfaction p WHERE p.contact_id = s.contact_id\n"
        "                 AND (p.scored_on, p.id) < (s.scored_on, s.id)\n"
        "                 ORDER BY p.scored_on DESC, p.id DESC LIMIT 1) AS pv\n"
        "                  FROM satisfaction s WHERE s.contact_id = old.contact_id\n"
        "                  ORDER BY s.scored_on DESC, s.id DESC LIMIT 1);\n"
        "        END"
    ),
    (
        "CREATE TRIGGER satisfaction_stats_au_new AFTER UPDATE ON satisfaction BEGIN\n"
        "            DELETE FROM score_stats WHERE contact_id = new.contact_id;\n"
        "            INSERT INTO score_stats (contact_id, last_on, scale, score, "
        "prev_scale, prev_score,\n"
        "                risk)\n"
        "            SELECT contact_id, scored_on, scale, score, ps, pv,\n"
        "                coalesce(ps = scale AND score < pv, 0)\n"
        "                OR score <= CASE scale WHEN 'csat' THEN 2 ELSE 6 END\n"
        "            FROM (SELECT s.contact_id, s.scored_on, s.scale, s.score,\n"
        "                    (SELECT p.scale FROM satisfaction p WHERE p.contact_id = "
        "s.contact_id\n"
        "                 AND (p.scored_on, p.id) < (s.scored_on, s.id)\n"
        "                 ORDER BY p.scored_on DESC, p.id DESC LIMIT 1) AS ps, (SELECT "
        "p.score FROM satisfaction p WHERE p.contact_id = s.contact_id\n"
        "                 AND (p.scored_on, p.id) < (s.scored_on, s.id)\n"
        "                 ORDER BY p.scored_on DESC, p.id DESC LIMIT 1) AS pv\n"
        "                  FROM satisfaction s WHERE s.contact_id = new.contact_id\n"
        "                  ORDER BY s.scored_on DESC, s.id DESC LIMIT 1);\n"
        "        END"
    ),
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
    """CREATE INDEX cases_contact ON cases(contact_id)""",
    """CREATE INDEX cases_open ON cases(resolved_on, target_on)""",
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
    """CREATE INDEX digest_runs_day ON digest_runs(digest_on, status)""",
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

V2 = [
    """DROP INDEX contacts_birthday_md""",
    """CREATE INDEX contacts_birthday_md
        ON contacts(birthday_md, archived, birthday, relationship_type, name)
        WHERE birthday_md IS NOT NULL""",
    """CREATE INDEX occurrence_marks_kind
        ON occurrence_marks(kind, occurrence_on, contact_id, subject)""",
    """CREATE INDEX cases_open_contact ON cases(contact_id) WHERE resolved_on IS NULL""",
]

V3 = [
    (
        "ALTER TABLE contacts ADD COLUMN touch_due_on TEXT\n"
        "        GENERATED ALWAYS AS (date(coalesce(last_touch_on, touch_anchor_on, "
        "substr(created_at, 1, 10)), '+' || (CASE WHEN cadence_days IS NOT NULL THEN "
        "nullif(cadence_days, 0) ELSE CASE relationship_type WHEN 'dedicated' THEN 30 "
        "WHEN 'personal' THEN 60 WHEN 'long-term' THEN 90 WHEN 'community' THEN 180 END "
        "END) || ' days')) VIRTUAL"
    ),
    """CREATE INDEX contacts_touch ON contacts(id, archived, touch_due_on)""",
]

# Version 4: one keep-in-touch rule. `check_in_due_on` (version 1) is the only "when is the
# check-in due"; version 3's `touch_due_on` (first of last touch, anchor, creation) and its
# indexes go. `cadence_in_force` is the interval the contact is checked on (NULL: none), the
# same rule as models.Contact.cadence_days (a test compares them for every relationship type).
V4 = [
    "DROP INDEX contacts_touch",
    "ALTER TABLE contacts DROP COLUMN touch_due_on",
    "DROP INDEX contacts_touch_due",
    """ALTER TABLE contacts ADD COLUMN cadence_in_force INTEGER GENERATED ALWAYS AS (
        CASE WHEN cadence_days IS NOT NULL THEN CASE WHEN cadence_days > 0 THEN cadence_days END
        ELSE CASE relationship_type WHEN 'dedicated' THEN 30 WHEN 'personal' THEN 60
            WHEN 'long-term' THEN 90 WHEN 'community' THEN 180 END
        END
    ) VIRTUAL""",
    # At-risk: whether a contact with a satisfaction or case flag is archived and when its
    # check-in falls due, read by id from a narrow index rather than from the table rows.
    "CREATE INDEX contacts_check_in ON contacts(id, archived, check_in_due_on)",
]

# Version 5: the vCard UID a contact was imported with (another program's), exported unchanged
# so that the program recognises its card; NULL for contacts made in tinycrm, whose UID is
# derived from their id and creation time (services.exporting.contact_uids).
V5 = [
    "ALTER TABLE contacts ADD COLUMN uid TEXT",
    "CREATE UNIQUE INDEX contacts_uid ON contacts(uid) WHERE uid IS NOT NULL",
]

# Version 6: every row a person edits carries a version, raised by each change to it; a change
# is written only if the row is still at the version the editor loaded (a stale edit is a
# conflict, never a silent overwrite: docs/decisions.md, "Versions").
V6 = [
    "ALTER TABLE contacts ADD COLUMN version INTEGER NOT NULL DEFAULT 1",
    "ALTER TABLE follow_ups ADD COLUMN version INTEGER NOT NULL DEFAULT 1",
    "ALTER TABLE cases ADD COLUMN version INTEGER NOT NULL DEFAULT 1",
]

# Version 7: the e-mail channel (docs/mail.md). Survey requests sent by `crm surveys send`
# (an unguessable code per request), contacts who asked for no surveys, and every message
# `crm mail collect` read: what became of it (an answer, held for review, an interaction…),
# unique by a fingerprint of its content so a message is handled once.
V7 = [
    """CREATE TABLE survey_requests (
        id INTEGER PRIMARY KEY,
        contact_id INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
        address TEXT NOT NULL,
        scale TEXT NOT NULL,         -- csat or nps
        code TEXT NOT NULL UNIQUE,   -- 160 random bits, base32: the reply code
        message_id TEXT NOT NULL UNIQUE,
        follow_up_id INTEGER REFERENCES follow_ups(id) ON DELETE SET NULL,
        sent_on TEXT NOT NULL,
        expires_on TEXT NOT NULL,
        answered_on TEXT,
        score_id INTEGER REFERENCES satisfaction(id) ON DELETE SET NULL,
        created_at TEXT NOT NULL
    )""",
    """CREATE INDEX survey_requests_contact ON survey_requests(contact_id, sent_on)""",
    """CREATE TABLE survey_opt_outs (
        contact_id INTEGER PRIMARY KEY REFERENCES contacts(id) ON DELETE CASCADE,
        opted_out_on TEXT NOT NULL,
        how TEXT NOT NULL            -- edit (contacts edit --no-surveys) or reply ("stop")
    )""",
    """CREATE TABLE mail_messages (
        id INTEGER PRIMARY KEY,
        fingerprint TEXT NOT NULL UNIQUE,  -- sha256 of the message's own headers and body
        message_id TEXT NOT NULL,
        collected_on TEXT NOT NULL,
        outcome TEXT NOT NULL,       -- answer, stop, held, interaction, case, ignored,
                                     -- unreadable; accepted or dismissed after review
        reason TEXT,                 -- why it is held (or unreadable)
        contact_id INTEGER REFERENCES contacts(id) ON DELETE CASCADE,
        survey_id INTEGER REFERENCES survey_requests(id) ON DELETE SET NULL,
        case_id INTEGER REFERENCES cases(id) ON DELETE SET NULL,
        note_id INTEGER REFERENCES notes(id) ON DELETE SET NULL,
        score_id INTEGER REFERENCES satisfaction(id) ON DELETE SET NULL,
        score INTEGER,               -- the score a held answer gives
        sender TEXT,
        subject TEXT,
        excerpt TEXT,
        sent_on TEXT,                -- the message's Date
        reviewed_on TEXT,
        created_at TEXT NOT NULL
    )""",
    """CREATE INDEX mail_messages_message_id ON mail_messages(message_id)""",
    """CREATE INDEX mail_messages_held ON mail_messages(outcome, collected_on)""",
    """CREATE INDEX mail_messages_contact ON mail_messages(contact_id)""",
]

# Version 8: companies as accounts (issue 22). A company has one row; its name is kept as typed
# and `name_key` (the name lower-cased, ASCII only as SQLite's lower(), without whitespace) makes
# "ACME  ltd" the same company as "Acme Ltd". The free-text `contacts.company` goes (a company's
# name lives in one place): each spelling becomes a company, spellings with the same key are
# merged into the most used one, and `company_spellings` keeps which spelling went where, the
# migration's report (`crm companies merged`). A sale belongs to the company its buyer was at when
# it was made; `company_departures` records who left which company, and when.
V8 = [
    """CREATE TABLE companies (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL,          -- as typed
        name_key TEXT NOT NULL,      -- the name without case or whitespace: one company per key
        owner TEXT,                  -- the key account manager; NULL: the owner of its people
        cadence_days INTEGER,        -- keep-in-touch interval for the company; NULL: its people's
        archived INTEGER NOT NULL DEFAULT 0,
        version INTEGER NOT NULL DEFAULT 1,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
    )""",
    "CREATE UNIQUE INDEX companies_name_key ON companies(name_key)",
    """CREATE TABLE company_spellings (
        spelling TEXT PRIMARY KEY,   -- a free-text company name as contacts had it (trimmed)
        name_key TEXT GENERATED ALWAYS AS (lower(replace(replace(replace(replace(replace(
            spelling, ' ', ''), char(9), ''), char(10), ''), char(13), ''), char(160), '')))
            VIRTUAL,
        company_id INTEGER REFERENCES companies(id) ON DELETE CASCADE,
        contacts INTEGER NOT NULL,   -- how many contacts had this spelling
        first_contact_id INTEGER NOT NULL,
        first_created_at TEXT NOT NULL
    )""",
    """INSERT INTO company_spellings (spelling, contacts, first_contact_id, first_created_at)
        SELECT trim(company, char(32, 9, 10, 13, 160)), count(*), min(id), min(created_at)
        FROM contacts WHERE trim(coalesce(company, ''), char(32, 9, 10, 13, 160)) != ''
        GROUP BY trim(company, char(32, 9, 10, 13, 160))""",
    # One company per key, named by its most used spelling (ties: the earliest contact's).
    """INSERT INTO companies (name, name_key, created_at, updated_at)
        SELECT spelling, name_key, first_at, first_at FROM (
            SELECT spelling, name_key,
                row_number() OVER (PARTITION BY name_key
                                   ORDER BY contacts DESC, first_contact_id) AS preference,
                min(first_created_at) OVER (PARTITION BY name_key) AS first_at,
                min(first_contact_id) OVER (PARTITION BY name_key) AS first_id
            FROM company_spellings)
        WHERE preference = 1 ORDER BY first_id""",
    """UPDATE company_spellings SET company_id = (
        SELECT id FROM companies WHERE companies.name_key = company_spellings.name_key)""",
    "ALTER TABLE contacts ADD COLUMN company_id INTEGER REFERENCES companies(id)",
    "ALTER TABLE contacts ADD COLUMN role TEXT",
    """ALTER TABLE contacts ADD COLUMN referred_by INTEGER
        REFERENCES contacts(id) ON DELETE SET NULL""",
    """UPDATE contacts SET company_id = (
        SELECT company_id FROM company_spellings
        WHERE spelling = trim(contacts.company, char(32, 9, 10, 13, 160)))
        WHERE company IS NOT NULL""",
    "DROP INDEX contacts_company",
    "ALTER TABLE contacts DROP COLUMN company",
    "CREATE INDEX contacts_company ON contacts(company_id) WHERE company_id IS NOT NULL",
    "CREATE INDEX contacts_referred_by ON contacts(referred_by) WHERE referred_by IS NOT NULL",
    "ALTER TABLE sales ADD COLUMN company_id INTEGER REFERENCES companies(id)",
    """UPDATE sales SET company_id = (
        SELECT company_id FROM contacts WHERE contacts.id = sales.contact_id)""",
    "CREATE INDEX sales_company ON sales(company_id, sold_on) WHERE company_id IS NOT NULL",
    """CREATE TABLE company_departures (
        id INTEGER PRIMARY KEY,
        contact_id INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
        company_id INTEGER NOT NULL REFERENCES companies(id) ON DELETE CASCADE,
        role TEXT,                   -- the role they had there
        left_on TEXT NOT NULL
    )""",
    "CREATE INDEX company_departures_company ON company_departures(company_id, left_on)",
    "CREATE INDEX company_departures_contact ON company_departures(contact_id)",
]

# Version 9: what address books hold beyond the CRM's own fields (issue 18): the card's kind
# (an organisation is not a person), the structured name as given, nickname, job title, gender;
# every postal address in its parts with its type; web pages, messaging handles and related
# people (`kind` url, im, related), each with its type label. Email and phone labels use the
# `label` columns version 1 has.
V9 = [
    "ALTER TABLE contacts ADD COLUMN kind TEXT",
    "ALTER TABLE contacts ADD COLUMN name_family TEXT",
    "ALTER TABLE contacts ADD COLUMN name_given TEXT",
    "ALTER TABLE contacts ADD COLUMN name_additional TEXT",
    "ALTER TABLE contacts ADD COLUMN name_prefix TEXT",
    "ALTER TABLE contacts ADD COLUMN name_suffix TEXT",
    "ALTER TABLE contacts ADD COLUMN nickname TEXT",
    "ALTER TABLE contacts ADD COLUMN job_title TEXT",
    "ALTER TABLE contacts ADD COLUMN gender TEXT",
    """CREATE TABLE contact_addresses (
        contact_id INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
        position INTEGER NOT NULL,
        label TEXT NOT NULL DEFAULT '',
        po_box TEXT NOT NULL DEFAULT '',
        extended TEXT NOT NULL DEFAULT '',
        street TEXT NOT NULL DEFAULT '',
        locality TEXT NOT NULL DEFAULT '',
        region TEXT NOT NULL DEFAULT '',
        postal_code TEXT NOT NULL DEFAULT '',
        country TEXT NOT NULL DEFAULT '',
        PRIMARY KEY (contact_id, position)
    )""",
    """CREATE TABLE contact_links (
        contact_id INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
        kind TEXT NOT NULL,
        position INTEGER NOT NULL,
        value TEXT NOT NULL,
        label TEXT NOT NULL DEFAULT '',
        PRIMARY KEY (contact_id, kind, position)
    )""",
]

# Version 10: the customer portal (issue 19). One-time links e-mailed to a customer (to sign in,
# or to confirm a new sign-in address), kept as a hash of their secret; sign-in attempts by
# address and by client, hashed, for rate limits that several server processes share; the
# sessions of signed-in customers (a hash of the cookie's secret); the key that signs cookies
# and forms, one per database so that every server process agrees. Times are UTC ISO 8601.
V10 = [
    """CREATE TABLE portal_links (
        id INTEGER PRIMARY KEY,
        contact_id INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
        purpose TEXT NOT NULL,       -- sign-in, or confirm-email
        address TEXT NOT NULL,       -- where it was sent (confirm-email: the new address)
        token_hash TEXT NOT NULL,    -- SHA-256 of the link's secret (hex); never the secret
        created_at TEXT NOT NULL,
        expires_at TEXT NOT NULL,
        used_at TEXT
    )""",
    "CREATE UNIQUE INDEX portal_links_token ON portal_links(token_hash)",
    "CREATE INDEX portal_links_contact ON portal_links(contact_id)",
    """CREATE TABLE portal_attempts (
        id INTEGER PRIMARY KEY,
        scope TEXT NOT NULL,         -- address or client
        key_hash TEXT NOT NULL,      -- SHA-256 of the address (lower case) or the client's IP
        attempted_at TEXT NOT NULL
    )""",
    "CREATE INDEX portal_attempts_key ON portal_attempts(scope, key_hash, attempted_at)",
    "CREATE INDEX portal_attempts_at ON portal_attempts(attempted_at)",
    """CREATE TABLE portal_sessions (
        id INTEGER PRIMARY KEY,
        contact_id INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
        token_hash TEXT NOT NULL,
        created_at TEXT NOT NULL,
        expires_at TEXT NOT NULL,
        ended_at TEXT
    )""",
    "CREATE UNIQUE INDEX portal_sessions_token ON portal_sessions(token_hash)",
    "CREATE INDEX portal_sessions_contact ON portal_sessions(contact_id)",
    """CREATE TABLE portal_keys (
        id INTEGER PRIMARY KEY,
        secret TEXT NOT NULL,
        created_at TEXT NOT NULL
    )""",
]

# Version 11: people (issue 16). A user is someone who works in the CRM: a name (unique by
# `name_key`, the companies' key), an e-mail for their digest, the login (OS login or
# PostgreSQL role) that identifies them, an admin flag, an active flag (a user is never
# deleted: what they did keeps their name), a time zone (NULL: the CRM's). The free-text
# `owner` of contacts and companies becomes `owner_id`: each spelling becomes a user, spellings
# with the same key merged into the most used one; `owner_spellings` keeps which spelling went
# where (the migration's report). A follow-up can have its own assignee (NULL: the contact's
# owner) and records who completed it and when, as a mark on a derived occurrence (a check-in)
# does; a case can have its own owner (NULL: the contact's owner).
V11 = [
    """CREATE TABLE users (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL,
        name_key TEXT NOT NULL,      -- the name without case or whitespace: one user per key
        email TEXT,
        login TEXT,                  -- the OS login or PostgreSQL role that is this user
        admin INTEGER NOT NULL DEFAULT 0,
        active INTEGER NOT NULL DEFAULT 1,
        time_zone TEXT,              -- IANA name; NULL: the CRM's configured zone
        version INTEGER NOT NULL DEFAULT 1,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
    )""",
    "CREATE UNIQUE INDEX users_name_key ON users(name_key)",
    "CREATE UNIQUE INDEX users_login ON users(login) WHERE login IS NOT NULL",
    """CREATE TABLE owner_spellings (
        spelling TEXT PRIMARY KEY,   -- a free-text owner as contacts and companies had it
        name_key TEXT GENERATED ALWAYS AS (lower(replace(replace(replace(replace(replace(
            spelling, ' ', ''), char(9), ''), char(10), ''), char(13), ''), char(160), '')))
            VIRTUAL,
        user_id INTEGER REFERENCES users(id) ON DELETE CASCADE,
        uses INTEGER NOT NULL,       -- how many contacts and companies had this spelling
        first_created_at TEXT NOT NULL
    )""",
    """INSERT INTO owner_spellings (spelling, uses, first_created_at)
        SELECT spelling, count(*), min(created_at) FROM (
            SELECT trim(owner, char(32, 9, 10, 13, 160)) AS spelling, created_at FROM contacts
            UNION ALL
            SELECT trim(owner, char(32, 9, 10, 13, 160)), created_at FROM companies)
        WHERE coalesce(spelling, '') != '' GROUP BY spelling""",
    # One user per key, named by its most used spelling (ties: the earliest).
    """INSERT INTO users (name, name_key, created_at, updated_at)
        SELECT spelling, name_key, first_at, first_at FROM (
            SELECT spelling, name_key,
                row_number() OVER (PARTITION BY name_key
                                   ORDER BY uses DESC, first_created_at, spelling)
                    AS preference,
                min(first_created_at) OVER (PARTITION BY name_key) AS first_at
            FROM owner_spellings)
        WHERE preference = 1 ORDER BY first_at, spelling""",
    """UPDATE owner_spellings SET user_id = (
        SELECT id FROM users WHERE users.name_key = owner_spellings.name_key)""",
    "ALTER TABLE contacts ADD COLUMN owner_id INTEGER REFERENCES users(id)",
    """UPDATE contacts SET owner_id = (
        SELECT user_id FROM owner_spellings
        WHERE spelling = trim(contacts.owner, char(32, 9, 10, 13, 160)))
        WHERE owner IS NOT NULL""",
    "ALTER TABLE contacts DROP COLUMN owner",
    "CREATE INDEX contacts_owner ON contacts(owner_id, archived)",
    "ALTER TABLE companies ADD COLUMN owner_id INTEGER REFERENCES users(id)",
    """UPDATE companies SET owner_id = (
        SELECT user_id FROM owner_spellings
        WHERE spelling = trim(companies.owner, char(32, 9, 10, 13, 160)))
        WHERE owner IS NOT NULL""",
    "ALTER TABLE companies DROP COLUMN owner",
    "CREATE INDEX companies_owner ON companies(owner_id) WHERE owner_id IS NOT NULL",
    "ALTER TABLE follow_ups ADD COLUMN assignee_id INTEGER REFERENCES users(id)",
    "ALTER TABLE follow_ups ADD COLUMN done_by INTEGER REFERENCES users(id)",
    "ALTER TABLE follow_ups ADD COLUMN done_at TEXT",  # when it was completed: a timestamp
    "CREATE INDEX follow_ups_assignee ON follow_ups(assignee_id) WHERE assignee_id IS NOT NULL",
    "ALTER TABLE occurrence_marks ADD COLUMN marked_by INTEGER REFERENCES users(id)",
    "ALTER TABLE occurrence_marks ADD COLUMN marked_at TEXT",  # a timestamp
    "ALTER TABLE cases ADD COLUMN owner_id INTEGER REFERENCES users(id)",
    "CREATE INDEX cases_owner ON cases(owner_id) WHERE owner_id IS NOT NULL",
]

# Version 12: who changed what (issue 16): an append-only history of every write, by whom
# (NULL: a CRM without users), from which front end, to which record and customer, field by
# field. `contact_id` has no foreign key: a merge moves the rows, forget deletes them.
V12 = [
    """CREATE TABLE history (
        id INTEGER PRIMARY KEY,
        at TEXT NOT NULL,            -- when, ISO 8601 with the UTC offset
        user_id INTEGER REFERENCES users(id),  -- who; NULL: nobody known (no team yet)
        source TEXT NOT NULL,        -- the front end: cli, tui, digest, mail, import, portal
        entity TEXT NOT NULL,        -- contact, note, follow-up, sale, cost, score, case, company
        entity_id INTEGER,
        contact_id INTEGER,          -- the customer it concerns
        action TEXT NOT NULL,        -- added, changed, done, skipped, snoozed, merged, forgotten
        field TEXT,                  -- for a change: the field, as a person names it
        old TEXT,
        new TEXT
    )""",
    "CREATE INDEX history_contact ON history(contact_id, id) WHERE contact_id IS NOT NULL",
    "CREATE INDEX history_entity ON history(entity, entity_id, id)",
    "CREATE INDEX history_user ON history(user_id, at)",
]

# Version 13: each person's own digest (issue 16): a delivery record per recipient per day.
# NULL: the shop's one digest to `[smtp] to`.
V13 = [
    "ALTER TABLE digest_runs ADD COLUMN user_id INTEGER REFERENCES users(id)",
    "CREATE INDEX digest_runs_user ON digest_runs(user_id, digest_on) WHERE user_id IS NOT NULL",
]

# Version 14: contacts who asked to be left out of pass-on (news, offers), as survey_opt_outs
# keeps those who asked for no surveys: since when, and how (edit or portal).
V14 = [
    """CREATE TABLE pass_on_opt_outs (
        contact_id INTEGER PRIMARY KEY REFERENCES contacts(id) ON DELETE CASCADE,
        opted_out_on TEXT NOT NULL,
        how TEXT NOT NULL            -- edit (contacts edit --no-news) or portal
    )""",
]

# Version 15: nothing on SQLite (FTS5 already keeps the contacts' documents apart by rowid);
# PostgreSQL's twin gives the contacts' own search documents a GIN index of their own.
V15: list[str] = []

# Version 16: nothing on SQLite; PostgreSQL's twin gives its planner statistics of the
# follow-ups' effective due day (SQLite's planner is steered by INDEXED BY instead).
V16: list[str] = []

# Version 17: companies' keys fold case in every alphabet, on both backends (SQLite's lower()
# folds ASCII only): no statement, a data step (schema_data.fold_company_keys) recomputes them
# by models.companies.company_key and merges the companies that become one.
V17: list[str] = []

# Version 18: a case's resolution is the reply to the customer (shown on the portal, e-mailed
# with its link) unless staff kept it internal; the e-mail's state: NULL (none to send),
# pending (to send, or a failed attempt to retry: the detail says why), sent (to whom, when).
V18 = [
    "ALTER TABLE cases ADD COLUMN resolution_internal INTEGER NOT NULL DEFAULT 0",
    "ALTER TABLE cases ADD COLUMN reply_mail TEXT",
    "ALTER TABLE cases ADD COLUMN reply_mail_detail TEXT",
    "CREATE INDEX cases_reply_pending ON cases(id) WHERE reply_mail = 'pending'",
]

# Version 19: nothing on SQLite; PostgreSQL's twin spells its `nocase` collation in ICU's own
# locale syntax, which opens ~7 ms faster in each new connection.
V19: list[str] = []

# Version 20: `report satisfaction` reads counts kept per day instead of every score of the
# months (a million contacts' year held 600,000 scores): scores per day, scale, score and
# origin (1: an e-mailed survey's answer), and survey requests per day sent with how many of
# them were answered; kept by triggers, filled from the rows already there.
V20 = [
    """CREATE TABLE score_counts (
        scored_on TEXT NOT NULL,
        scale TEXT NOT NULL,
        score INTEGER NOT NULL,
        by_survey INTEGER NOT NULL,  -- 1: source 'survey'
        scores INTEGER NOT NULL,
        PRIMARY KEY (scored_on, scale, score, by_survey)
    ) WITHOUT ROWID""",
    """INSERT INTO score_counts (scored_on, scale, score, by_survey, scores)
        SELECT scored_on, scale, score, CASE WHEN source = 'survey' THEN 1 ELSE 0 END, count(*)
        FROM satisfaction GROUP BY 1, 2, 3, 4""",
    """CREATE TRIGGER score_counts_ai AFTER INSERT ON satisfaction BEGIN
            INSERT INTO score_counts (scored_on, scale, score, by_survey, scores)
            VALUES (new.scored_on, new.scale, new.score,
                    CASE WHEN new.source = 'survey' THEN 1 ELSE 0 END, 1)
            ON CONFLICT (scored_on, scale, score, by_survey) DO UPDATE SET scores = scores + 1;
        END""",
    """CREATE TRIGGER score_counts_ad AFTER DELETE ON satisfaction BEGIN
            UPDATE score_counts SET scores = scores - 1
            WHERE scored_on = old.scored_on AND scale = old.scale AND score = old.score
              AND by_survey = CASE WHEN old.source = 'survey' THEN 1 ELSE 0 END;
            DELETE FROM score_counts
            WHERE scored_on = old.scored_on AND scale = old.scale AND score = old.score
              AND by_survey = CASE WHEN old.source = 'survey' THEN 1 ELSE 0 END AND scores = 0;
        END""",
    """CREATE TRIGGER score_counts_au AFTER UPDATE OF scored_on, scale, score, source
        ON satisfaction BEGIN
            UPDATE score_counts SET scores = scores - 1
            WHERE scored_on = old.scored_on AND scale = old.scale AND score = old.score
              AND by_survey = CASE WHEN old.source = 'survey' THEN 1 ELSE 0 END;
            DELETE FROM score_counts
            WHERE scored_on = old.scored_on AND scale = old.scale AND score = old.score
              AND by_survey = CASE WHEN old.source = 'survey' THEN 1 ELSE 0 END AND scores = 0;
            INSERT INTO score_counts (scored_on, scale, score, by_survey, scores)
            VALUES (new.scored_on, new.scale, new.score,
                    CASE WHEN new.source = 'survey' THEN 1 ELSE 0 END, 1)
            ON CONFLICT (scored_on, scale, score, by_survey) DO UPDATE SET scores = scores + 1;
        END""",
    """CREATE TABLE survey_counts (
        sent_on TEXT PRIMARY KEY,
        sent INTEGER NOT NULL,
        answered INTEGER NOT NULL
    ) WITHOUT ROWID""",
    """INSERT INTO survey_counts (sent_on, sent, answered)
        SELECT sent_on, count(*), count(answered_on) FROM survey_requests GROUP BY sent_on""",
    """CREATE TRIGGER survey_counts_ai AFTER INSERT ON survey_requests BEGIN
            INSERT INTO survey_counts (sent_on, sent, answered)
            VALUES (new.sent_on, 1, new.answered_on IS NOT NULL)
            ON CONFLICT (sent_on) DO UPDATE
            SET sent = sent + 1, answered = answered + excluded.answered;
        END""",
    """CREATE TRIGGER survey_counts_ad AFTER DELETE ON survey_requests BEGIN
            UPDATE survey_counts
            SET sent = sent - 1, answered = answered - (old.answered_on IS NOT NULL)
            WHERE sent_on = old.sent_on;
            DELETE FROM survey_counts WHERE sent_on = old.sent_on AND sent = 0;
        END""",
    """CREATE TRIGGER survey_counts_au AFTER UPDATE OF sent_on, answered_on
        ON survey_requests BEGIN
            UPDATE survey_counts
            SET sent = sent - 1, answered = answered - (old.answered_on IS NOT NULL)
            WHERE sent_on = old.sent_on;
            DELETE FROM survey_counts WHERE sent_on = old.sent_on AND sent = 0;
            INSERT INTO survey_counts (sent_on, sent, answered)
            VALUES (new.sent_on, 1, new.answered_on IS NOT NULL)
            ON CONFLICT (sent_on) DO UPDATE
            SET sent = sent + 1, answered = answered + excluded.answered;
        END""",
]

# Version 21: `report referrals` reads each referrer's counts and sums kept as rows instead of
# summing every referred contact's sales: referral_stats (referred, became customers: bought
# at all) and referral_revenue (their sales per currency, with the counts beside them so that
# one index orders a currency's referrers as the report ranks them). A referrer's rows are
# recounted from contacts and sales whenever either changes for one of the people they
# referred; no foreign key: a referrer's rows go with their last referral. _RECOUNT is this
# version's own frozen text ({r}: the referrer's id).
_RECOUNT = """
            DELETE FROM referral_stats WHERE referrer_id = {r};
            INSERT INTO referral_stats (referrer_id, referred, customers)
                SELECT c.referred_by, count(*), sum(CASE WHEN EXISTS (
                    SELECT 1 FROM sales s WHERE s.contact_id = c.id) THEN 1 ELSE 0 END)
                FROM contacts c WHERE c.referred_by = {r} GROUP BY c.referred_by;
            DELETE FROM referral_revenue WHERE referrer_id = {r};
            INSERT INTO referral_revenue (referrer_id, currency, revenue_minor, customers,
                    referred)
                SELECT t.referrer_id, s.currency, sum(s.amount_minor), t.customers, t.referred
                FROM referral_stats t JOIN contacts c ON c.referred_by = t.referrer_id
                JOIN sales s ON s.contact_id = c.id
                WHERE t.referrer_id = {r}
                GROUP BY t.referrer_id, s.currency, t.customers, t.referred;"""
_SALE_REFERRER = "(SELECT referred_by FROM contacts WHERE id = {row}.contact_id)"
V21 = [
    """CREATE TABLE referral_stats (
        referrer_id INTEGER PRIMARY KEY,
        referred INTEGER NOT NULL,   -- contacts they referred
        customers INTEGER NOT NULL   -- of those, who bought anything
    )""",
    "CREATE INDEX referral_stats_rank ON referral_stats(customers, referred)",
    """CREATE TABLE referral_revenue (
        referrer_id INTEGER NOT NULL,
        currency TEXT NOT NULL,
        revenue_minor INTEGER NOT NULL,  -- what the people they referred bought in it
        customers INTEGER NOT NULL,      -- referral_stats' counts, for the index
        referred INTEGER NOT NULL,
        PRIMARY KEY (referrer_id, currency)
    ) WITHOUT ROWID""",
    """CREATE INDEX referral_revenue_rank
        ON referral_revenue(currency, customers, revenue_minor, referred)""",
    """INSERT INTO referral_stats (referrer_id, referred, customers)
        SELECT c.referred_by, count(*), sum(CASE WHEN EXISTS (
            SELECT 1 FROM sales s WHERE s.contact_id = c.id) THEN 1 ELSE 0 END)
        FROM contacts c WHERE c.referred_by IS NOT NULL GROUP BY c.referred_by""",
    """INSERT INTO referral_revenue (referrer_id, currency, revenue_minor, customers, referred)
        SELECT t.referrer_id, s.currency, sum(s.amount_minor), t.customers, t.referred
        FROM referral_stats t JOIN contacts c ON c.referred_by = t.referrer_id
        JOIN sales s ON s.contact_id = c.id
        GROUP BY t.referrer_id, s.currency, t.customers, t.referred""",
    f"""CREATE TRIGGER referral_stats_sale_ai AFTER INSERT ON sales
        WHEN {_SALE_REFERRER.format(row="new")} IS NOT NULL BEGIN{
        _RECOUNT.format(r=_SALE_REFERRER.format(row="new"))
    }
        END""",
    f"""CREATE TRIGGER referral_stats_sale_ad AFTER DELETE ON sales
        WHEN {_SALE_REFERRER.format(row="old")} IS NOT NULL BEGIN{
        _RECOUNT.format(r=_SALE_REFERRER.format(row="old"))
    }
        END""",
    f"""CREATE TRIGGER referral_stats_sale_au AFTER UPDATE OF contact_id, amount_minor, currency
        ON sales BEGIN{_RECOUNT.format(r=_SALE_REFERRER.format(row="old"))}{
        _RECOUNT.format(r=_SALE_REFERRER.format(row="new"))
    }
        END""",
    f"""CREATE TRIGGER referral_stats_contact_ai AFTER INSERT ON contacts
        WHEN new.referred_by IS NOT NULL BEGIN{_RECOUNT.format(r="new.referred_by")}
        END""",
    f"""CREATE TRIGGER referral_stats_contact_ad AFTER DELETE ON contacts
        WHEN old.referred_by IS NOT NULL BEGIN{_RECOUNT.format(r="old.referred_by")}
        END""",
    f"""CREATE TRIGGER referral_stats_contact_au AFTER UPDATE OF referred_by ON contacts
        WHEN old.referred_by IS NOT new.referred_by BEGIN{_RECOUNT.format(r="old.referred_by")}{
        _RECOUNT.format(r="new.referred_by")
    }
        END""",
]

# Version 22: `report top` walks the customers (and companies) from the most they ever bought
# in a currency down, and stops when no one further down can reach its page: sales and their
# sum per customer and currency, and per company and currency (a sale's own company), kept by
# triggers, filled from the sales already there.
_TOTAL_ADD = """
            INSERT INTO {table} ({key}, currency, sales, total_minor)
            VALUES ({row}.{key}, {row}.currency, 1, {row}.amount_minor)
            ON CONFLICT ({key}, currency) DO UPDATE
            SET sales = sales + 1, total_minor = total_minor + excluded.total_minor;"""
_TOTAL_TAKE = """
            UPDATE {table} SET sales = sales - 1, total_minor = total_minor - {row}.amount_minor
            WHERE {key} = {row}.{key} AND currency = {row}.currency;
            DELETE FROM {table} WHERE {key} = {row}.{key} AND currency = {row}.currency
              AND sales = 0;"""
V22 = [
    """CREATE TABLE sale_totals (
        contact_id INTEGER NOT NULL,
        currency TEXT NOT NULL,
        sales INTEGER NOT NULL,
        total_minor INTEGER NOT NULL,
        PRIMARY KEY (contact_id, currency)
    ) WITHOUT ROWID""",
    "CREATE INDEX sale_totals_rank ON sale_totals(currency, total_minor)",
    """CREATE TABLE company_sale_totals (
        company_id INTEGER NOT NULL,
        currency TEXT NOT NULL,
        sales INTEGER NOT NULL,
        total_minor INTEGER NOT NULL,
        PRIMARY KEY (company_id, currency)
    ) WITHOUT ROWID""",
    "CREATE INDEX company_sale_totals_rank ON company_sale_totals(currency, total_minor)",
    """INSERT INTO sale_totals (contact_id, currency, sales, total_minor)
        SELECT contact_id, currency, count(*), sum(amount_minor) FROM sales
        GROUP BY contact_id, currency""",
    """INSERT INTO company_sale_totals (company_id, currency, sales, total_minor)
        SELECT company_id, currency, count(*), sum(amount_minor) FROM sales
        WHERE company_id IS NOT NULL GROUP BY company_id, currency""",
    f"""CREATE TRIGGER sale_totals_ai AFTER INSERT ON sales BEGIN{
        _TOTAL_ADD.format(table="sale_totals", key="contact_id", row="new")
    }
        END""",
    f"""CREATE TRIGGER sale_totals_ad AFTER DELETE ON sales BEGIN{
        _TOTAL_TAKE.format(table="sale_totals", key="contact_id", row="old")
    }
        END""",
    f"""CREATE TRIGGER sale_totals_au AFTER UPDATE OF contact_id, currency, amount_minor ON sales
        BEGIN{_TOTAL_TAKE.format(table="sale_totals", key="contact_id", row="old")}{
        _TOTAL_ADD.format(table="sale_totals", key="contact_id", row="new")
    }
        END""",
    f"""CREATE TRIGGER company_sale_totals_ai AFTER INSERT ON sales
        WHEN new.company_id IS NOT NULL BEGIN{
        _TOTAL_ADD.format(table="company_sale_totals", key="company_id", row="new")
    }
        END""",
    f"""CREATE TRIGGER company_sale_totals_ad AFTER DELETE ON sales
        WHEN old.company_id IS NOT NULL BEGIN{
        _TOTAL_TAKE.format(table="company_sale_totals", key="company_id", row="old")
    }
        END""",
    f"""CREATE TRIGGER company_sale_totals_au AFTER UPDATE OF company_id, currency, amount_minor
        ON sales BEGIN{
        _TOTAL_TAKE.format(table="company_sale_totals", key="company_id", row="old")
    }{_TOTAL_ADD.format(table="company_sale_totals", key="company_id", row="new")}
        END""",
]

# Version 23: nothing on SQLite (FTS5 keeps the contacts' documents apart by rowid);
# PostgreSQL's twin splits its search index in two partitions, contacts' documents and notes.
V23: list[str] = []

# Version 24: `report top` walks the customers (and companies) who bought in its period by
# what they bought in the 365 days up to their last purchase, a bound of any period of a year
# that ends on or after that purchase and far tighter than the lifetime (docs/decisions.md,
# "Report top: a year's sales kept"). The sale totals are made again with that last day and sum,
# recounted from the customer's (or company's) own sales by triggers that also follow sold_on.
_RECENT_TABLE = """CREATE TABLE {table} (
        {key} INTEGER NOT NULL,
        currency TEXT NOT NULL,
        sales INTEGER NOT NULL,
        total_minor INTEGER NOT NULL,
        last_on TEXT NOT NULL,
        recent_minor INTEGER NOT NULL,
        PRIMARY KEY ({key}, currency)
    ) WITHOUT ROWID"""
_RECENT_FILL = """INSERT INTO {table} ({key}, currency, sales, total_minor, last_on, recent_minor)
        SELECT {key}, currency, count(*), sum(amount_minor), last_on,
          sum(CASE WHEN sold_on >= date(last_on, '-365 days') THEN amount_minor ELSE 0 END)
        FROM (SELECT {key}, currency, amount_minor, sold_on,
                max(sold_on) OVER (PARTITION BY {key}, currency) AS last_on
              FROM sales WHERE {key} IS NOT NULL) AS s
        GROUP BY {key}, currency, last_on"""
_RECENT_ADD = """
            INSERT INTO {table} ({key}, currency, sales, total_minor, last_on, recent_minor)
            SELECT {row}.{key}, {row}.currency, 1, {row}.amount_minor, {row}.sold_on,
                   {row}.amount_minor
            WHERE {row}.{key} IS NOT NULL
            ON CONFLICT ({key}, currency) DO UPDATE
            SET sales = sales + 1, total_minor = total_minor + excluded.total_minor;"""
_RECENT_COUNT = """
            UPDATE {table} SET
              last_on = (SELECT max(sold_on) FROM sales
                         WHERE {key} = {row}.{key} AND currency = {row}.currency),
              recent_minor = (SELECT sum(amount_minor) FROM sales
                WHERE {key} = {row}.{key} AND currency = {row}.currency
                  AND sold_on >= date((SELECT max(sold_on) FROM sales
                    WHERE {key} = {row}.{key} AND currency = {row}.currency), '-365 days'))
            WHERE {key} = {row}.{key} AND currency = {row}.currency;"""


def _recent_totals(table: str, key: str) -> list[str]:
    """Version 24's statements for one of the two kept tables (frozen with it)."""
    names = {"table": table, "key": key}
    add = (_RECENT_ADD + _RECENT_COUNT).format(row="new", **names)
    take = (_TOTAL_TAKE + _RECENT_COUNT).format(row="old", **names)
    return [
        f"DROP TRIGGER {table}_ai",
        f"DROP TRIGGER {table}_ad",
        f"DROP TRIGGER {table}_au",
        f"DROP TABLE {table}",
        _RECENT_TABLE.format(**names),
        f"CREATE INDEX {table}_rank ON {table}(currency, total_minor)",
        f"CREATE INDEX {table}_recent ON {table}(currency, recent_minor, last_on)",
        _RECENT_FILL.format(**names),
        f"CREATE TRIGGER {table}_ai AFTER INSERT ON sales BEGIN{add}\n        END",
        f"CREATE TRIGGER {table}_ad AFTER DELETE ON sales BEGIN{take}\n        END",
        f"""CREATE TRIGGER {table}_au AFTER UPDATE OF {key}, currency, amount_minor, sold_on
        ON sales BEGIN{take}{add}\n        END""",
    ]


V24 = [
    *_recent_totals("sale_totals", "contact_id"),
    *_recent_totals("company_sale_totals", "company_id"),
]

# Version 25: whether a contact has an open case, kept on the rows the queue ranks (the
# contact, its stored follow-ups, its purchase statistics) by triggers, so that the open-case
# rows are walked a page at a time through their own indexes like every other group of rows.
_OPEN_CASE_OF = """
            UPDATE contacts SET open_case = EXISTS (SELECT 1 FROM cases
                WHERE contact_id = {cid} AND resolved_on IS NULL) WHERE id = {cid};
            UPDATE follow_ups SET open_case = (SELECT open_case FROM contacts WHERE id = {cid})
                WHERE contact_id = {cid};
            UPDATE sale_stats SET open_case = (SELECT open_case FROM contacts WHERE id = {cid})
                WHERE contact_id = {cid};"""
_OPEN_CASE_OF_ROW = """
            UPDATE {table}
                SET open_case = (SELECT open_case FROM contacts WHERE id = new.contact_id)
                WHERE {key} = new.{key}
                AND open_case <> (SELECT open_case FROM contacts WHERE id = new.contact_id);"""
V25 = [
    "ALTER TABLE contacts ADD COLUMN open_case INTEGER NOT NULL DEFAULT 0",
    "ALTER TABLE follow_ups ADD COLUMN open_case INTEGER NOT NULL DEFAULT 0",
    "ALTER TABLE sale_stats ADD COLUMN open_case INTEGER NOT NULL DEFAULT 0",
    """UPDATE contacts SET open_case = 1
        WHERE id IN (SELECT contact_id FROM cases WHERE resolved_on IS NULL)""",
    """UPDATE follow_ups SET open_case = 1
        WHERE contact_id IN (SELECT contact_id FROM cases WHERE resolved_on IS NULL)""",
    """UPDATE sale_stats SET open_case = 1
        WHERE contact_id IN (SELECT contact_id FROM cases WHERE resolved_on IS NULL)""",
    f"""CREATE TRIGGER cases_open_case_ai AFTER INSERT ON cases BEGIN{
        _OPEN_CASE_OF.format(cid="new.contact_id")
    }
        END""",
    f"""CREATE TRIGGER cases_open_case_ad AFTER DELETE ON cases BEGIN{
        _OPEN_CASE_OF.format(cid="old.contact_id")
    }
        END""",
    f"""CREATE TRIGGER cases_open_case_au AFTER UPDATE OF contact_id, resolved_on ON cases
        BEGIN{_OPEN_CASE_OF.format(cid="old.contact_id")}{
        _OPEN_CASE_OF.format(cid="new.contact_id")
    }
        END""",
    f"""CREATE TRIGGER follow_ups_open_case_ai AFTER INSERT ON follow_ups BEGIN{
        _OPEN_CASE_OF_ROW.format(table="follow_ups", key="id")
    }
        END""",
    f"""CREATE TRIGGER follow_ups_open_case_au AFTER UPDATE OF contact_id ON follow_ups BEGIN{
        _OPEN_CASE_OF_ROW.format(table="follow_ups", key="id")
    }
        END""",
    f"""CREATE TRIGGER sale_stats_open_case_ai AFTER INSERT ON sale_stats BEGIN{
        _OPEN_CASE_OF_ROW.format(table="sale_stats", key="contact_id")
    }
        END""",
    """CREATE INDEX follow_ups_open_case_due
        ON follow_ups(coalesce(snoozed_until, due_on), kind, contact_id)
        WHERE status = 'open' AND open_case = 1""",
    """CREATE INDEX contacts_open_case_check_in ON contacts(check_in_due_on, relationship_type)
        WHERE check_in_due_on IS NOT NULL AND open_case = 1""",
    """CREATE INDEX sale_stats_open_case_due ON sale_stats(next_due_on, last_on)
        WHERE next_due_on IS NOT NULL AND open_case = 1""",
    "DROP INDEX contacts_birthday_md",
    """CREATE INDEX contacts_birthday_md
        ON contacts(birthday_md, archived, birthday, relationship_type, open_case, name)
        WHERE birthday_md IS NOT NULL""",
]

# Version 26: nothing on SQLite (contacts_birthday_md has covered the queue's columns since
# version 2); PostgreSQL's twin makes its birthday index cover them too.
V26: list[str] = []

# Version 27: the open-cases index also holds the day each case opened and its contact, so
# at-risk's "cases open on a day" (store/atrisk.py) is read from the index alone.
V27 = [
    "DROP INDEX cases_open",
    "CREATE INDEX cases_open ON cases(resolved_on, target_on, opened_on, contact_id)",
]

# Version 28: the case triggers write the open-case flag only where it changes, as the row
# triggers and PostgreSQL's (version 27) do: a case edited, or opened beside another open one,
# rewrote the contact, each of its follow-ups and its purchase statistics to the same value.
_OPEN_CASE_CHANGED = """
            UPDATE contacts SET open_case = 1 - open_case
                WHERE id = {cid} AND open_case <> EXISTS (SELECT 1 FROM cases
                    WHERE contact_id = {cid} AND resolved_on IS NULL);
            UPDATE follow_ups SET open_case = (SELECT open_case FROM contacts WHERE id = {cid})
                WHERE contact_id = {cid}
                AND open_case <> (SELECT open_case FROM contacts WHERE id = {cid});
            UPDATE sale_stats SET open_case = (SELECT open_case FROM contacts WHERE id = {cid})
                WHERE contact_id = {cid}
                AND open_case <> (SELECT open_case FROM contacts WHERE id = {cid});"""
V28 = [
    "DROP TRIGGER cases_open_case_ai",
    "DROP TRIGGER cases_open_case_ad",
    "DROP TRIGGER cases_open_case_au",
    f"""CREATE TRIGGER cases_open_case_ai AFTER INSERT ON cases BEGIN{
        _OPEN_CASE_CHANGED.format(cid="new.contact_id")
    }
        END""",
    f"""CREATE TRIGGER cases_open_case_ad AFTER DELETE ON cases BEGIN{
        _OPEN_CASE_CHANGED.format(cid="old.contact_id")
    }
        END""",
    f"""CREATE TRIGGER cases_open_case_au AFTER UPDATE OF contact_id, resolved_on ON cases
        BEGIN{_OPEN_CASE_CHANGED.format(cid="old.contact_id")}{
        _OPEN_CASE_CHANGED.format(cid="new.contact_id")
    }
        END""",
]

# Version 29: nothing on SQLite (FTS5 reads its own word list for a prefix); PostgreSQL's
# twin keeps the words its search index holds, to search a prefix as the words it stands for.
V29: list[str] = []

# Version 30: the contacts with an open case in id order, so at-risk walks those not losing
# touch a page at a time (store/atrisk.py) rather than ranking every open case.
V30 = ["CREATE INDEX contacts_open_case ON contacts(id) WHERE open_case = 1"]

MIGRATIONS: list[list[str]] = [
    V1, V2, V3, V4, V5, V6, V7, V8, V9, V10, V11, V12, V13, V14, V15, V16, V17, V18, V19,
    V20, V21, V22, V23, V24, V25, V26, V27, V28, V29, V30,
]  # fmt: skip
LATEST_VERSION = len(MIGRATIONS)
# The version that turned free-text company names into companies (its report: company_spellings).
COMPANIES_VERSION = 8
# The version that turned free-text owners into users (its report: owner_spellings).
USERS_VERSION = 11


def schema_differences(expected: dict[str, object], actual: dict[str, object]) -> list[str]:
    """What `crm db check` reports: objects missing, extra, or shaped differently, by name."""
    problems = [f"{name} is missing" for name in sorted(expected.keys() - actual.keys())]
    problems += [
        f"{name} is not part of the schema" for name in sorted(actual.keys() - expected.keys())
    ]
    problems += [
        f"{name} differs from the schema"
        for name in sorted(expected.keys() & actual.keys())
        if expected[name] != actual[name]
    ]
    return problems
