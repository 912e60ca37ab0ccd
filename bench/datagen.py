"""Deterministic, seeded bench data: a tinycrm database, a taskwarrior TASKDATA, import files.

Everything is generated once into `.bench-cache/` (gitignored) and reused. The cache key is
the generator version plus a hash of tinycrm's schema migrations, so editing the schema (V1
may still change in place) or this generator makes the next `make bench` regenerate.

All dates are relative to the fixed `BENCH_TODAY`; rows that depend on "today" pass
`--as-of BENCH_TODAY`, so results do not drift with the calendar.
"""

from __future__ import annotations

import csv
import itertools
import json
import os
import random
import shutil
import sqlite3
import subprocess
import time
import uuid
from array import array
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

GENERATOR_VERSION = 2
FILES_VERSION = 1  # the taskwarrior tasks and the import files
BENCH_TODAY = date(2026, 11, 26)
SEED = 20261126

# The sizes of the default ("100k") data set; SCALES multiplies them (the tasks, the vCards, the
# contact with SHOW_NOTES notes and the RARE_COUNT rare notes stay the same at every scale).
N_CONTACTS = 100_000
N_NOTES = 1_000_000
N_FOLLOW_UPS = 200_000
N_SALES = 500_000
N_SCORES = 60_000
N_CASES = 6_000
N_COMPANIES = 8_000
N_REGULAR_BUYERS = 6_000
N_BUYERS = 50_000
N_TASKS = 10_000
N_VCARDS = 10_000
N_CSV_ROWS = 100_000
SCALES = {"100k": 1, "1m": 10}
REFERRED_SHARE = 0.05  # contacts referred by another contact (schema version 8)

SHOW_NAME = "Ottilie Brennenstuhl"  # unique; gets SHOW_NOTES notes
SHOW_NOTES = 1_000
RARE_WORD = "marzipan"  # planted in exactly RARE_COUNT notes, in no other text
RARE_COUNT = 25
LIST_TAG = "vip"

ROOT = Path(__file__).resolve().parent.parent
CACHE = ROOT / ".bench-cache"


def _words(text: str) -> list[str]:
    return text.split()


FIRST_NAMES = _words("""
Ada Alan Alice Amara Amir Ana Andrea Anna Anton Aria Arjun Astrid Ayla Beatriz Ben Bianca Bo
Boris Carla Carlos Carmen Chen Chidi Chloe Clara Colm Dana Daniel Dario Diego Dina Elena Eli
Elif Ella Emil Emma Erik Esther Eva Fatima Felix Fiona Frank Freya Gabriel Greta Hana Hannah
Hans Hector Helga Hiro Ida Ines Ingrid Isaac Ivan Jakob Jana Jonas Jorge Josef Julia Kai Karin
Kenji Klara Lara Lars Laura Lea Leo Liam Lina Lucas Lucia Luis Maja Malik Marco Maria Marta
Mateo Maya Mia Mika Milan Mira Nadia Nina Noah Nora Olga Oliver Omar Oscar Paula Pedro Petra
Pia Priya Rafael Rosa Ruth Sami Sara Sofia Sven Tariq Tess Theo Tom Uma Vera Victor Wanda Yara
Yusuf Zoe Zora Agnes Bruno Cyril Delia Edgar Flora Gustav Hilde Igor Jette Konrad Lotte Magnus
Nils Otto Pavel Quinn Rita Stig Thea Ulla Vito Wim Xenia Yves
""")
LAST_NAMES = _words("""
Abbott Adler Akhtar Alvarez Andersen Bauer Becker Berg Bianchi Brandt Braun Castro Costa Cruz
Dahl Diaz Dubois Eriksen Fischer Fontaine Fuchs Garcia Gomez Graf Gruber Hahn Hansen Hartmann
Horvat Huber Ibrahim Jansen Jensen Kaiser Keller Klein Koch Kovac Kowalski Kraus Krueger Lang
Larsen Lehmann Lopez Lorenz Maier Martin Meyer Moreau Moreno Muller Nagy Neumann Nielsen Novak
Okafor Olsen Ortiz Otto Park Perez Peters Petrov Pohl Popescu Quint Ramos Reyes Richter Rossi
Ruiz Santos Sato Schmid Schmidt Schneider Schulz Silva Sommer Suzuki Takahashi Tanaka Torres
Vargas Vogel Wagner Walter Weber Werner Wolf Yilmaz Young Zimmermann Ferrer Lindqvist Moretti
Nakamura Oliveira Pereira Quintero Rasmussen Sandoval Tamura Urquhart Valdez Whitfield Xu Yamada
Zielinski Achterberg Bergstrom Cavallo Delacroix Engel Falk Gallo Haas Ilves Jovanovic Kern
""")
COMPANY_SUFFIXES = _words(
    "GmbH Florals Bakery Café Studio Design Ltd Catering Hotel Salon Books Garden Events Kitchen"
)
DOMAINS = ["mail.example", "post.example", "inbox.example", "shop.example", "web.example"]
TAGS = [  # (tag, probability)
    ("customer", 0.55), ("newsletter", 0.30), ("local", 0.20), ("wholesale", 0.08),
    ("florist", 0.04), ("bakery", 0.04), ("cafe", 0.05), ("hotel", 0.02), ("events", 0.03),
    (LIST_TAG, 0.02), ("supplier", 0.01), ("press", 0.005),
]  # fmt: skip
TYPES = [  # (relationship type, weight)
    ("transactional", 30), ("long-term", 20), ("personal", 10), ("dedicated", 5),
    ("self-service", 15), ("automated", 5), ("community", 5), (None, 10),
]  # fmt: skip
STAGES = ["exploration", "awareness", "expansion", "commitment", "dissolution"]
CHANNELS = ["call", "email", "visit", "meeting", "letter", "video", "chat", "other"]
OWNERS = ["Sam", "Alex", "Robin", "Kim", None, None]
PRODUCTS = [
    f"{a} {b}"
    for a in ("red", "white", "seasonal", "large", "small", "organic", "premium", "mixed")
    for b in ("roses", "tulips", "bouquet", "wreath", "bread", "cake", "coffee beans", "tea",
              "gift box", "candles", "vase", "planter", "seeds", "compost", "card")
]  # fmt: skip
STOPWORDS = _words("the a to and of for on in with about her his their we it is was at")
CONTENT_WORDS = _words("""
order call delivery invoice price discount wedding roses bouquet tulips birthday visit shop
payment friday monday weekend bread cake coffee sample catalogue meeting email follow offer
quote season spring summer autumn winter christmas easter gift box wreath candles flowers
garden event hotel lunch dinner party reception table vase colour white red pink yellow blue
green pastel large small extra fresh organic local supplier stock shipment late early tomorrow
week month year daughter son wife husband mother father team manager office staff opening
anniversary thanks happy complaint refund damaged replaced broken missing wrong colour sizes
loyal regular new returning card voucher points newsletter website phone mobile address moved
closed renovation holiday vacation sick busy quiet recommend review rating feedback survey
budget cheaper premium quality taste smell packaging ribbon label printed logo design sketch
approval deposit balance receipt contract renewal terms monthly weekly standing subscription
pickup courier van parking market fair stall booth festival concert church school charity
donation sponsor raffle prize competition photo instagram newsletter brochure leaflet poster
sign window display arrangement centerpiece corsage buttonhole bridal funeral sympathy
condolence hospital baby shower christening graduation retirement promotion farewell welcome
apology delay reminder confirm confirmed cancelled postponed rescheduled booked tasting
allergy gluten vegan dairy nuts sugar recipe order-book catering canapes platter sandwiches
pastries croissants sourdough rye baguette muffins cookies tart pie cheesecake macarons
""")
ZIPF_S = 1.07
GOOGLE_HEADER = (  # fallback when the shared sample is not there
    "First Name,Middle Name,Last Name,Phonetic First Name,Phonetic Middle Name,"
    "Phonetic Last Name,Name Prefix,Name Suffix,Nickname,File As,Organization Name,"
    "Organization Title,Organization Department,Birthday,Notes,Photo,Labels,"
    "E-mail 1 - Label,E-mail 1 - Value,E-mail 2 - Label,E-mail 2 - Value,"
    "Phone 1 - Label,Phone 1 - Value,Phone 2 - Label,Phone 2 - Value,"
    "Event 1 - Label,Event 1 - Value"
)


def cache_key(scale: str = "100k") -> str:
    """Generator version and scale: changing the generator regenerates the data. A newer schema
    does not: migrations are frozen, so the cached file is migrated forward when opened."""
    return f"v{GENERATOR_VERSION}-{scale}"


@dataclass(frozen=True)
class BenchData:
    db: Path
    meta: dict[str, Any]
    taskrc: Path
    taskdata: Path
    vcard: Path
    csv: Path


def _iso(day: date) -> str:
    return day.isoformat()


def _stamp(day: date) -> str:
    return f"{day.isoformat()}T09:00:00+00:00"


WORDS_PER_NOTE = 11.0  # mean of randint(4, 18)


def second_word() -> str:
    """A content word in ~1% of the notes: with the common word, a two-word search."""
    return _Vocabulary().common_word(WORDS_PER_NOTE, share=0.01)


class _Vocabulary:
    """Note words: stop words plus a Zipf-distributed content vocabulary."""

    def __init__(self) -> None:
        words = list(dict.fromkeys(CONTENT_WORDS))
        self.words = STOPWORDS + words
        weights = [0.2] * len(STOPWORDS) + [
            1.0 / (rank**ZIPF_S) for rank in range(1, len(words) + 1)
        ]
        self.cum = list(itertools.accumulate(weights))
        self.total = self.cum[-1]
        self.p = {w: wt / self.total for w, wt in zip(self.words, weights, strict=True)}

    def common_word(self, words_per_note: float, share: float = 0.07) -> str:
        """The content word whose expected share of notes is closest to `share`."""

        def note_share(word: str) -> float:
            return 1 - (1 - self.p[word]) ** words_per_note

        content = self.words[len(STOPWORDS) :]
        return min(content, key=lambda w: abs(note_share(w) - share))


def _contacts(rng: random.Random, factor: int) -> Iterator[dict[str, Any]]:
    companies = [
        f"{rng.choice(LAST_NAMES)} {rng.choice(COMPANY_SUFFIXES)}"
        + (f" {rng.randint(2, factor)}" if factor > 1 else "")
        for _ in range(N_COMPANIES * factor)
    ]
    type_names = [t for t, _ in TYPES]
    type_weights = [w for _, w in TYPES]
    for cid in range(1, N_CONTACTS * factor + 1):
        if cid == 1:
            first, last = SHOW_NAME.split()
        else:
            first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        created = BENCH_TODAY - timedelta(days=rng.randint(30, 3 * 365))
        birthday = None
        if rng.random() < 0.70:
            month, day = rng.randint(1, 12), rng.randint(1, 28)
            if rng.random() < 0.004:
                month, day = 2, 29
            year = None if rng.random() < 0.15 else rng.randint(1940, 2006)
            if year and month == 2 and day == 29:
                year = rng.choice([1964, 1972, 1980, 1988, 1996, 2004])
            birthday = (f"{year:04d}" if year else "-") + f"-{month:02d}-{day:02d}"
        rel = rng.choices(type_names, type_weights)[0]
        touched = rng.random() < 0.85
        yield {
            "id": cid,
            "name": f"{first} {last}",
            "company": rng.choice(companies) if rng.random() < 0.4 else None,
            "address": None if rng.random() < 0.5 else f"{rng.randint(1, 200)} Market Street",
            "birthday": birthday,
            "birthday_md": birthday[-5:] if birthday else None,
            "relationship_type": rel,
            "stage": rng.choice(STAGES) if rng.random() < 0.8 else None,
            "cadence_days": rng.choice([14, 45, 120, 0]) if rng.random() < 0.05 else None,
            "owner": rng.choice(OWNERS),
            "referred_by": rng.randint(1, cid - 1)
            if cid > 1 and rng.random() < REFERRED_SHARE
            else None,
            "archived": int(rng.random() < 0.03 and cid != 1),
            "last_touch_on": _iso(BENCH_TODAY - timedelta(days=rng.randint(0, 400)))
            if touched
            else None,
            "touch_anchor_on": _iso(created),
            "created_at": _stamp(created),
            "updated_at": _stamp(created),
            "first": first,
            "last": last,
        }


# The tables filled in bulk: their triggers and secondary indexes are made after their rows.
BULK_TABLES = (
    "contacts", "contact_emails", "contact_phones", "contact_tags", "anniversaries",
    "stage_history", "notes", "follow_ups", "sales", "sale_items", "satisfaction", "cases",
)  # fmt: skip
# The per-row triggers' work, once per row or customer, by the store's own SQL: a note's search
# entry as notes_ai makes it; an UPDATE of one row per customer fires the statistics triggers.
DERIVATIONS = (
    ("search index: notes",
     "INSERT INTO search_index (rowid, body, contact_id) SELECT id, body, contact_id FROM notes"),
    ("sale_stats", "UPDATE sales SET sold_on = sold_on"
                   " WHERE id IN (SELECT min(id) FROM sales GROUP BY contact_id)"),
    ("score_stats", "UPDATE satisfaction SET contact_id = contact_id"
                    " WHERE id IN (SELECT min(id) FROM satisfaction GROUP BY contact_id)"),
)  # fmt: skip


class _Steps:
    """Logs each step of the generation with its wall and CPU seconds, and (on Linux) the
    seconds it waited for a CPU: on a shared machine most of the rest of the wall time."""

    def __init__(self, log: Any) -> None:
        self.log = log
        self.wall, self.cpu, self.waited = time.perf_counter(), time.process_time(), _waited()

    def done(self, what: str) -> None:
        wall, cpu, waited = time.perf_counter(), time.process_time(), _waited()
        waiting = f", {waited - self.waited:.1f} s waiting for a CPU" if waited else ""
        self.log(f"  {what}: {wall - self.wall:.1f} s ({cpu - self.cpu:.1f} s CPU{waiting})")
        self.wall, self.cpu, self.waited = wall, cpu, waited


def _waited() -> float:
    """Seconds this process has been runnable but not running (0.0 where Linux's
    /proc/self/schedstat is not there)."""
    try:
        return int(Path("/proc/self/schedstat").read_text().split()[1]) / 1e9
    except (OSError, IndexError, ValueError):
        return 0.0


@contextmanager
def _bulk_load(conn: sqlite3.Connection, steps: _Steps) -> Iterator[None]:
    """The BULK_TABLES' triggers and secondary indexes dropped while their rows go in, then
    made again (one sort per index instead of a random insert per row) and the triggers' work
    done once (DERIVATIONS) instead of once per inserted row."""
    names = ", ".join("?" * len(BULK_TABLES))
    saved = conn.execute(
        f"""SELECT type, name, sql FROM sqlite_master WHERE type IN ('index', 'trigger')
            AND sql IS NOT NULL AND tbl_name IN ({names}) ORDER BY type, name""",
        BULK_TABLES,
    ).fetchall()
    for kind, name, _ in saved:
        conn.execute(f"DROP {kind} {name}")
    yield
    for _kind, _, sql in saved:  # the indexes first: the triggers' statements use them
        conn.execute(sql)
    steps.done(f"{sum(kind == 'index' for kind, _, _ in saved)} indexes")
    from tinycrm.store.copying import COUNT_REFERRALS, COUNT_SCORES, SUM_SALES  # the copy's

    counts = [("score_counts", COUNT_SCORES), *(("referral_stats", s) for s in COUNT_REFERRALS),
              *(("sale_totals", s) for s in SUM_SALES)]  # fmt: skip
    for what, sql in (*DERIVATIONS, *counts):
        conn.execute(sql)
        steps.done(what)


# A sale's draw as one int: its day, its customer and its place in the drawing order, so that
# sorting the ints sorts the sales by (day, customer) and keeps the drawing order for ties.
_DRAW_BITS, _CID_BITS = 24, 21
_CID_SHIFT, _DAY_SHIFT = _DRAW_BITS, _DRAW_BITS + _CID_BITS
_DRAW_MASK, _CID_MASK = (1 << _DRAW_BITS) - 1, (1 << _CID_BITS) - 1


def _sale_key(day: date, cid: int, draw: int) -> int:
    assert cid <= _CID_MASK and draw <= _DRAW_MASK
    return (day.toordinal() << _DAY_SHIFT) | (cid << _CID_SHIFT) | draw


def _basket_code(products: list[int]) -> int:
    """Up to three product numbers (< 128) and how many, as one int."""
    return len(products) | sum(p << (2 + 7 * i) for i, p in enumerate(products))


def _basket(code: int) -> list[str]:
    return [PRODUCTS[(code >> (2 + 7 * i)) & 127] for i in range(code & 3)]


def _contact_rows(conn: sqlite3.Connection, rng: random.Random, people: list[Any]) -> None:
    """The e-mails, phones, tags, anniversaries and stage history of these contacts
    (id, name, touch_anchor_on, stage), drawn in their order."""
    from tinycrm.store.contacts import digits_of

    emails, phones, tags, annivs, stages = [], [], [], [], []
    for cid, name, anchor, stage in people:
        first, last = name.split(" ")
        local = f"{first}.{last}".lower()
        emails.append((cid, 0, f"{local}.{cid}@{rng.choice(DOMAINS)}"))
        if rng.random() < 0.2:
            emails.append((cid, 1, f"{first.lower()}{cid}@work.example"))
        for pos in range(rng.choice([0, 1, 1, 1, 2])):
            phone = f"+1 555-{rng.randint(100, 999)}-{rng.randint(1000, 9999)}"
            phones.append((cid, pos, phone, digits_of(phone)))
        for tag, p in TAGS:
            if rng.random() < p:
                tags.append((cid, tag))
        if rng.random() < 0.15:
            since = date.fromisoformat(anchor)
            annivs.append((cid, "customer since", _iso(since), since.strftime("%m-%d")))
        if rng.random() < 0.05:
            wed = date(rng.randint(1980, 2024), rng.randint(1, 12), rng.randint(1, 28))
            annivs.append((cid, "wedding", _iso(wed), wed.strftime("%m-%d")))
        if stage:
            stages.append((cid, stage, anchor))
    conn.executemany("INSERT INTO contact_emails VALUES (?, ?, ?, NULL)", emails)
    conn.executemany("INSERT INTO contact_phones VALUES (?, ?, ?, ?, NULL)", phones)
    conn.executemany("INSERT INTO contact_tags VALUES (?, ?)", tags)
    conn.executemany(
        "INSERT INTO anniversaries (contact_id, label, date, date_md) VALUES (?, ?, ?, ?)",
        annivs,
    )
    conn.executemany(
        "INSERT INTO stage_history (contact_id, stage, changed_on) VALUES (?, ?, ?)", stages
    )


def generate_database(
    path: Path, meta_path: Path, scale: str = "100k", log: Any = print
) -> dict[str, Any]:
    """Write the bench database to `path` (atomically, via a temporary name)."""
    from tinycrm.store.companies import CompanyRepo
    from tinycrm.store.connection import Database
    from tinycrm.store.contacts import INDEX_CONTACTS_SQL
    from tinycrm.store.users import UserRepo

    rng = random.Random(SEED)
    tmp = path.with_suffix(".tmp")
    for leftover in (tmp, Path(f"{tmp}-wal"), Path(f"{tmp}-shm")):
        leftover.unlink(missing_ok=True)
    factor = SCALES[scale]
    n_contacts, n_notes = N_CONTACTS * factor, N_NOTES * factor
    db = Database(tmp, create=True)
    conn = db.conn
    # The indexes are built after the rows (_bulk_load); a cache of up to 1 GB keeps the builds'
    # sorts and the statistics triggers' reads in memory.
    conn.execute(f"PRAGMA cache_size = -{min(300_000 * factor, 1_000_000)}")
    # A throwaway file until it is renamed: no journal, no fsync, no zeroing of freed pages.
    conn.execute("PRAGMA journal_mode = OFF")
    conn.execute("PRAGMA synchronous = OFF")
    conn.execute("PRAGMA secure_delete = OFF")
    steps = _Steps(log)
    vocab = _Vocabulary()
    common = vocab.common_word(WORDS_PER_NOTE)

    contact_cols = [
        "id", "name", "address", "birthday", "birthday_md", "relationship_type",
        "stage", "cadence_days", "owner_id", "referred_by", "archived", "last_touch_on",
        "touch_anchor_on", "created_at", "updated_at",
    ]  # fmt: skip
    with db.write(), _bulk_load(conn, steps):
        # An owner is a user (schema version 11).
        users = UserRepo(db)
        owner_ids = {name: users.ensure(name) for name in OWNERS if name}
        companies: list[str | None] = []  # each contact's company name, by id - 1

        def contact_rows() -> Iterator[list[object]]:
            for c in _contacts(rng, factor):
                c["owner_id"] = owner_ids.get(c["owner"])
                companies.append(c["company"])
                yield [c[k] for k in contact_cols]

        conn.executemany(
            f"INSERT INTO contacts ({', '.join(contact_cols)}) VALUES"
            f" ({', '.join('?' * len(contact_cols))})",
            contact_rows(),
        )
        # A company is a row of its own (schema version 8); contacts point at it.
        repo = CompanyRepo(db)
        company_ids = {name: repo.ensure(name)[0] for name in
                       sorted({name for name in companies if name})}  # fmt: skip
        conn.executemany(
            "UPDATE contacts SET company_id = ? WHERE id = ?",
            ((company_ids[name], cid) for cid, name in enumerate(companies, 1) if name),
        )
        companies.clear()
        # Their e-mails, phones, tags, anniversaries and stages, drawn contact by contact in id
        # order, a chunk of the contacts just written at a time (not every contact in memory).
        people = conn.execute("SELECT id, name, touch_anchor_on, stage FROM contacts ORDER BY id")
        while chunk := people.fetchmany(20_000):
            _contact_rows(conn, rng, chunk)
        steps.done("contacts, e-mails, phones, tags, anniversaries, companies")
        conn.execute(INDEX_CONTACTS_SQL["sqlite"])  # every contact's search document
        steps.done("search index: contacts")

        # Notes: contact 1 gets SHOW_NOTES, the rest are spread with a long tail.
        rare_ids = set(rng.sample(range(SHOW_NOTES + 1, n_notes + 1), RARE_COUNT))
        weights = [rng.paretovariate(1.3) for _ in range(n_contacts)]
        weights[0] = 0.0
        cum = list(itertools.accumulate(weights))
        # Who each other note is about, drawn a million at a time (the same draws) into an array.
        other_contacts = array("i")
        for begin in range(SHOW_NOTES, n_notes, 1_000_000):
            other_contacts.extend(rng.choices(range(1, n_contacts + 1), cum_weights=cum,
                                              k=min(1_000_000, n_notes - begin)))  # fmt: skip
        del weights, cum

        def notes() -> Iterator[tuple[object, ...]]:
            for nid in range(1, n_notes + 1):
                cid = 1 if nid <= SHOW_NOTES else other_contacts[nid - SHOW_NOTES - 1]
                words = rng.choices(vocab.words, cum_weights=vocab.cum, k=rng.randint(4, 18))
                if nid in rare_ids:
                    words.insert(rng.randrange(len(words) + 1), RARE_WORD)
                body = " ".join(words).capitalize() + "."
                channel = rng.choice(CHANNELS) if rng.random() < 0.6 else None
                on = BENCH_TODAY - timedelta(days=rng.randint(0, 5 * 365))
                minutes = rng.choice([5, 10, 15, 30, 60]) if channel in ("call", "visit") else None
                yield (nid, cid, body, channel, _iso(on), minutes, _stamp(on))

        conn.executemany("INSERT INTO notes VALUES (?, ?, ?, ?, ?, ?, ?)", notes())
        steps.done("notes")

        def follow_ups() -> Iterator[tuple[object, ...]]:
            kinds = ["thank-you", "satisfaction-check", "custom", "recovery", "case", "pass-on"]
            kind_w = [35, 25, 25, 5, 5, 5]
            rules = ["FREQ=WEEKLY", "FREQ=MONTHLY", "FREQ=MONTHLY;INTERVAL=3", "FREQ=YEARLY"]
            for fid in range(1, N_FOLLOW_UPS * factor + 1):
                cid = rng.randint(1, n_contacts)
                kind = rng.choices(kinds, kind_w)[0]
                roll = rng.random()
                rule = anchor = snoozed = completed = None
                if roll < 0.90:  # done (or skipped) in the past
                    due = BENCH_TODAY - timedelta(days=rng.randint(1, 3 * 365))
                    status = "done" if rng.random() < 0.95 else "skipped"
                    completed = _iso(due + timedelta(days=rng.randint(0, 5)))
                elif roll < 0.95:  # open and overdue
                    due = BENCH_TODAY - timedelta(days=int(rng.expovariate(1 / 40)) + 1)
                    status = "open"
                elif roll < 0.952:  # open, due today
                    due, status = BENCH_TODAY, "open"
                else:  # open, in the future
                    due = BENCH_TODAY + timedelta(days=rng.randint(1, 180))
                    status = "open"
                if status == "open" and rng.random() < 0.05:
                    rule = rng.choice(rules)
                    anchor = _iso(due - timedelta(days=rng.choice([0, 7, 30, 365])))
                if status == "open" and rng.random() < 0.02:
                    snoozed = _iso(BENCH_TODAY + timedelta(days=rng.randint(1, 14)))
                title = f"{kind.replace('-', ' ')} for {rng.choice(PRODUCTS)}"
                created = due - timedelta(days=rng.randint(0, 30))
                yield (fid, cid, title, kind, _iso(due), snoozed, rule, anchor, status,
                       completed, None, _stamp(created))  # fmt: skip

        conn.executemany(
            """INSERT INTO follow_ups (id, contact_id, title, kind, due_on, snoozed_until, rule,
                 anchor_on, status, completed_on, source, created_at)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
            follow_ups(),
        )
        steps.done("follow-ups")

        # Sales: regular customers buying at an interval, the rest at random, numbered by
        # (day, customer, draw). Each draw is kept as one int (its basket as another) until
        # written: millions of tuples of dates and lists took gigabytes.
        draws: list[int] = []
        baskets = array("q")
        regular = rng.sample(range(2, n_contacts + 1), N_REGULAR_BUYERS * factor)
        start = BENCH_TODAY - timedelta(days=2 * 365)
        for cid in regular:
            every = rng.randint(14, 90)
            day = start + timedelta(days=rng.randint(0, every))
            basket = rng.sample(range(len(PRODUCTS)), 2)  # the same draws as sampling PRODUCTS
            while day <= BENCH_TODAY - timedelta(days=rng.randint(0, every // 2)):
                draws.append(_sale_key(day, cid, len(draws)))
                baskets.append(_basket_code(basket[: rng.randint(1, 2)]))
                day += timedelta(days=every + rng.randint(-3, 3))
        buyers = rng.sample(range(2, n_contacts + 1), N_BUYERS * factor)
        n_sales = N_SALES * factor
        while len(draws) < n_sales:
            day = BENCH_TODAY - timedelta(days=rng.randint(0, 3 * 365))
            cid = rng.choice(buyers)
            draws.append(_sale_key(day, cid, len(draws)))
            baskets.append(_basket_code(rng.sample(range(len(PRODUCTS)), rng.randint(1, 3))))
        draws.sort()
        del draws[n_sales:]

        def sale_rows() -> Iterator[tuple[object, ...]]:
            for sid, key in enumerate(draws, start=1):
                day, cid = date.fromordinal(key >> _DAY_SHIFT), (key >> _CID_SHIFT) & _CID_MASK
                amount = rng.randint(5, 400) * 100 + rng.choice([0, 50, 90, 99])
                yield (sid, cid, _iso(day), amount, "EUR", _stamp(day))

        def item_rows() -> Iterator[tuple[object, ...]]:
            for sid, key in enumerate(draws, start=1):
                for pos, product in enumerate(_basket(baskets[key & _DRAW_MASK])):
                    yield (sid, pos, product)

        conn.executemany(
            """INSERT INTO sales (id, contact_id, sold_on, amount_minor, currency, created_at)
               VALUES (?, ?, ?, ?, ?, ?)""",
            sale_rows(),
        )
        # A sale belongs to the company its buyer is at (schema version 8).
        conn.execute(
            "UPDATE sales SET company_id = (SELECT company_id FROM contacts"
            " WHERE contacts.id = sales.contact_id)"
        )
        conn.executemany("INSERT INTO sale_items VALUES (?, ?, ?)", item_rows())
        n_sales = len(draws)
        n_items = sum(len(_basket(baskets[key & _DRAW_MASK])) for key in draws)
        draws.clear()
        del baskets[:]
        steps.done("sales, items")

        def scores() -> Iterator[tuple[object, ...]]:
            for _ in range(N_SCORES * factor):
                cid = rng.choice(buyers)
                on = BENCH_TODAY - timedelta(days=rng.randint(0, 2 * 365))
                if rng.random() < 0.8:
                    scale, score = "csat", rng.choices(range(1, 6), [3, 5, 12, 40, 40])[0]
                else:
                    scale, score = "nps", rng.choices(range(11), [1] * 6 + [3, 6, 10, 14, 12])[0]
                comment = rng.choice([None, None, "great service", "late delivery", "ok"])
                yield (cid, _iso(on), scale, score, "survey", comment, _stamp(on))

        conn.executemany(
            """INSERT INTO satisfaction (contact_id, scored_on, scale, score, source, comment,
               created_at) VALUES (?, ?, ?, ?, ?, ?, ?)""",
            scores(),
        )

        def cases() -> Iterator[tuple[object, ...]]:
            targets = {"high": 1, "normal": 3, "low": 7}
            for _ in range(N_CASES * factor):
                cid = rng.choice(buyers)
                severity = rng.choices(list(targets), [1, 6, 3])[0]
                opened = BENCH_TODAY - timedelta(days=rng.randint(0, 2 * 365))
                target = opened + timedelta(days=targets[severity])
                is_open = rng.random() < 0.1
                resolved = None if is_open else _iso(opened + timedelta(days=rng.randint(0, 9)))
                escalated = "Sam" if rng.random() < 0.1 else None
                yield (cid, f"{rng.choice(['damaged', 'late', 'wrong'])} {rng.choice(PRODUCTS)}",
                       severity, _iso(opened), _iso(target), escalated,
                       _iso(opened) if escalated else None, resolved,
                       None if is_open else "replaced", _stamp(opened))  # fmt: skip

        conn.executemany(
            """INSERT INTO cases (contact_id, title, severity, opened_on, target_on, escalated_to,
               escalated_on, resolved_on, resolution, created_at)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
            cases(),
        )
        steps.done("scores, cases")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    count = {
        table: conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
        for table in ("contacts", "notes", "follow_ups", "sales", "sale_items", "satisfaction",
                      "cases", "anniversaries", "contact_tags", "companies")
    }  # fmt: skip
    common_notes = conn.execute(
        "SELECT count(*) FROM search_index WHERE search_index MATCH ?", (common,)
    ).fetchone()[0]
    rare_notes = conn.execute(
        "SELECT count(*) FROM search_index WHERE search_index MATCH ?", (RARE_WORD,)
    ).fetchone()[0]
    tag_count = conn.execute(
        "SELECT count(*) FROM contact_tags WHERE tag = ?", (LIST_TAG,)
    ).fetchone()[0]
    open_due = conn.execute(
        "SELECT count(*) FROM follow_ups WHERE status = 'open' AND due_on <= ?",
        (_iso(BENCH_TODAY),),
    ).fetchone()[0]
    db.close()
    assert n_sales == count["sales"] and n_items == count["sale_items"]
    tmp.replace(path)
    meta = {
        "key": cache_key(scale),
        "scale": scale,
        "as_of": _iso(BENCH_TODAY),
        "common_word": common,
        "common_word_docs": common_notes,
        "rare_word": RARE_WORD,
        "rare_word_docs": rare_notes,
        "show_ref": SHOW_NAME,
        "show_notes": SHOW_NOTES,
        "tag": LIST_TAG,
        "tag_contacts": tag_count,
        "open_due_or_overdue": open_due,
        "rows": count,
        "size_mb": round(path.stat().st_size / 2**20),
    }
    meta_path.write_text(json.dumps(meta, indent=2) + "\n")
    return meta


def generate_tasks(taskdata: Path, taskrc: Path) -> float:
    """10,000 pending taskwarrior tasks, imported with one `task import`. Returns seconds."""
    rng = random.Random(SEED + 1)
    shutil.rmtree(taskdata, ignore_errors=True)
    taskdata.mkdir(parents=True)
    taskrc.write_text(
        f"data.location={taskdata}\nconfirmation=off\nverbose=nothing\n"
        "news.version=2.6.0\nhooks=off\n"
    )

    def ts(day: date) -> str:
        return day.strftime("%Y%m%dT090000Z")

    projects = ["shop", "shop.orders", "shop.suppliers", "home", "admin", "marketing", "garden"]
    tasks = []
    for i in range(N_TASKS):
        task: dict[str, Any] = {
            "uuid": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
            "description": " ".join(rng.sample(CONTENT_WORDS, rng.randint(3, 8))).capitalize(),
            "status": "pending",
            "entry": ts(BENCH_TODAY - timedelta(days=rng.randint(0, 400))),
        }
        if rng.random() < 0.7:
            task["project"] = rng.choice(projects)
        if rng.random() < 0.5:
            task["tags"] = rng.sample(["call", "email", "errand", "vip", "waiting", "next"], 2)
        if rng.random() < 0.4:
            task["due"] = ts(BENCH_TODAY + timedelta(days=rng.randint(-30, 90)))
        if rng.random() < 0.3:
            task["priority"] = rng.choice("HML")
        if rng.random() < 0.1:
            task["annotations"] = [
                {"entry": task["entry"], "description": f"note {i}: {rng.choice(CONTENT_WORDS)}"}
            ]
        tasks.append(task)
    source = taskdata.parent / "tasks.json"
    source.write_text(json.dumps(tasks))
    env = {**os.environ, "TASKRC": str(taskrc), "TASKDATA": str(taskdata)}
    started = time.perf_counter()
    subprocess.run(
        ["task", "rc.verbose=nothing", "import", str(source)],
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return time.perf_counter() - started


def _person(rng: random.Random, i: int) -> dict[str, str]:
    first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
    bday = ""
    roll = rng.random()
    month, day = rng.randint(1, 12), rng.randint(1, 28)
    if roll < 0.55:
        bday = f"{rng.randint(1940, 2006)}-{month:02d}-{day:02d}"
    elif roll < 0.7:
        bday = f"--{month:02d}{day:02d}"
    return {
        "first": first,
        "last": last,
        "email": f"{first}.{last}.{i}@import.example".lower(),
        "phone": f"+44 20 {rng.randint(1000, 9999)} {rng.randint(1000, 9999)}",
        "bday": bday,
        "org": f"{rng.choice(LAST_NAMES)} {rng.choice(COMPANY_SUFFIXES)}" if roll < 0.5 else "",
        "tags": ",".join(rng.sample(["customer", "newsletter", "vip", "local", "wholesale"],
                                    rng.randint(0, 2))),
    }  # fmt: skip


def generate_vcard(path: Path) -> None:
    """10,000 vCard 3.0 cards (Google-style: BDAY as YYYY-MM-DD or --MMDD)."""
    rng = random.Random(SEED + 2)
    lines: list[str] = []
    for i in range(1, N_VCARDS + 1):
        p = _person(rng, i)
        lines += ["BEGIN:VCARD", "VERSION:3.0", f"FN:{p['first']} {p['last']}",
                  f"N:{p['last']};{p['first']};;;", f"EMAIL;TYPE=INTERNET:{p['email']}",
                  f"TEL;TYPE=CELL:{p['phone']}"]  # fmt: skip
        if p["bday"]:
            lines.append(f"BDAY:{p['bday']}")
        if p["org"]:
            lines.append(f"ORG:{p['org']}")
        if p["tags"]:
            lines.append(f"CATEGORIES:{p['tags']}")
        lines.append("END:VCARD")
    path.write_text("\r\n".join(lines) + "\r\n", encoding="utf-8")


def google_header() -> list[str]:
    """The header row of Google Contacts' CSV export, as in the shared sample file."""
    sample = Path("/work/shared/data/import/google-contacts.csv")
    if sample.exists():
        with sample.open(newline="", encoding="utf-8-sig") as handle:
            return next(csv.reader(handle))
    return next(csv.reader([GOOGLE_HEADER]))


def generate_csv(path: Path, rows: int = N_CSV_ROWS) -> None:
    """`rows` rows with Google Contacts' export header (Labels as `* myContacts ::: Tag`)."""
    rng = random.Random(SEED + 3)
    header = google_header()
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=header, restval="")
        writer.writeheader()
        for i in range(1, rows + 1):
            p = _person(rng, i)
            labels = " ::: ".join(["* myContacts", *filter(None, p["tags"].split(","))])
            bday = p["bday"]
            if bday.startswith("--"):  # Google writes year-less birthdays as --MM-DD
                bday = f"--{bday[2:4]}-{bday[4:6]}"
            writer.writerow({
                "First Name": p["first"], "Last Name": p["last"],
                "Organization Name": p["org"], "Birthday": bday, "Labels": labels,
                "E-mail 1 - Label": "Home", "E-mail 1 - Value": p["email"],
                "Phone 1 - Label": "Mobile", "Phone 1 - Value": p["phone"],
            })  # fmt: skip


def prepare(
    regenerate: bool = False, want_tasks: bool = True, log: Any = print, scale: str = "100k"
) -> BenchData:
    """Generate whatever is missing from the cache (or everything with `regenerate`) and bring
    the cached database to the current schema."""
    CACHE.mkdir(exist_ok=True)
    factor = SCALES[scale]
    key = cache_key(scale)
    db = CACHE / f"crm-{key}.db"
    meta_path = CACHE / f"crm-{key}.json"
    if regenerate or not (db.exists() and meta_path.exists()) or _newer_than_code(db):
        current = {f"crm-{cache_key(name)}" for name in SCALES}
        for old in [*CACHE.glob("crm-*.db*"), *CACHE.glob("crm-*.json")]:
            if old.name.split(".")[0] not in current or old.name.startswith(f"crm-{key}."):
                old.unlink()  # an older generation, or this one's: ~500 MB per 100k contacts
        log(
            f"generating the bench database ({N_CONTACTS * factor:,} contacts,"
            f" {N_NOTES * factor:,} notes, {N_FOLLOW_UPS * factor:,} follow-ups,"
            f" {N_SALES * factor:,} sales) into {db.relative_to(ROOT)} …"
        )
        started = time.perf_counter()
        generate_database(db, meta_path, scale, log)
        log(f"  generated in {time.perf_counter() - started:.1f} s")
    _migrate(db, log)
    meta = json.loads(meta_path.read_text())

    taskdata, taskrc = CACHE / "taskdata", CACHE / "taskdata" / ".taskrc"
    stamp = CACHE / "taskdata.version"
    task_key = f"v{FILES_VERSION}-{N_TASKS}"
    if want_tasks and (regenerate or not stamp.exists() or stamp.read_text() != task_key):
        log(f"generating {N_TASKS:,} taskwarrior tasks in {taskdata.relative_to(ROOT)} …")
        seconds = generate_tasks(taskdata, taskrc)
        stamp.write_text(task_key)
        log(f"  imported in {seconds:.1f} s")

    files = CACHE / f"import-v{FILES_VERSION}"
    vcard, csv_file = files / "contacts-10k.vcf", files / f"google-{scale}.csv"
    if regenerate or not (vcard.exists() and csv_file.exists()):
        files.mkdir(exist_ok=True)
        started = time.perf_counter()
        generate_vcard(vcard)
        generate_csv(csv_file, N_CSV_ROWS * factor)
        log(f"generated import files in {time.perf_counter() - started:.1f} s")
    return BenchData(db, meta, taskrc, taskdata, vcard, csv_file)


def _newer_than_code(db: Path) -> bool:
    """A cache written by a newer checkout (a schema this code does not know): regenerate."""
    from tinycrm.errors import StorageError
    from tinycrm.store.connection import Database

    if not db.exists():
        return False
    try:
        Database(db, read_only=True).close()
    except StorageError:
        return True
    return False


def _migrate(db: Path, log: Any) -> None:
    """Migrations are frozen, so a cache built at an older schema is upgraded, not rebuilt."""
    from tinycrm.store.connection import Database

    started = time.perf_counter()
    opened = Database(db)
    opened.close()
    if opened.migrated:
        versions = ", ".join(map(str, opened.migrated))
        log(f"migrated {db.name} to schema {versions} in {time.perf_counter() - started:.1f} s")
