"""A large import killed with SIGKILL at random points, CRM_IMPORT_KILLS times (default 10;
.ci/run uses 30): the file stays intact and holds either none or all of the batch."""

from __future__ import annotations

import csv
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import pytest

from tinycrm.services.contacts import ContactFields, add_contact
from tinycrm.store import Store

BATCH = 1500
KILLS = int(os.environ.get("CRM_IMPORT_KILLS", "10"))
BASELINE = 3


def writer_command(db: Path, source: Path) -> list[str]:
    # The real thing: `crm contacts import`, one transaction for the whole file. `create`
    # makes every run add the whole batch again, so each kill can be told apart.
    return [sys.executable, "-m", "tinycrm", "--db", str(db), "contacts", "import",
            str(source), "--on-duplicate", "create"]  # fmt: skip


def make_csv(path: Path) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(["name", "email", "company", "tags", "notes"])
        for i in range(BATCH):
            out.writerow([f"Imported {i}", f"imp{i}@shop.example", f"Firm {i % 40}",
                          "imported", f"met at fair {i}"])  # fmt: skip


def state(db: Path) -> tuple[str, int]:
    """The integrity check and the number of contacts (also used by the backup test)."""
    conn = sqlite3.connect(db)
    try:
        integrity = conn.execute("PRAGMA integrity_check").fetchone()[0]
        count = conn.execute("SELECT count(*) FROM contacts").fetchone()[0]
    finally:
        conn.close()
    return integrity, count


def assert_batches_whole(db: Path) -> None:
    """Every imported contact has its note and tag, and the full-text index is in step."""
    conn = sqlite3.connect(db)
    try:
        count = conn.execute("SELECT count(*) FROM contacts").fetchone()[0]
        notes = conn.execute("SELECT count(*) FROM notes").fetchone()[0]
        tagged = conn.execute("SELECT count(*) FROM contact_tags").fetchone()[0]
        indexed = conn.execute("SELECT count(*) FROM search_index").fetchone()[0]
    finally:
        conn.close()
    assert notes == tagged == count - BASELINE, (count, notes, tagged)
    assert indexed == count + notes, (indexed, count, notes)


@pytest.mark.slow
def test_killed_import_leaves_none_or_all(tmp_path: Path) -> None:
    source = tmp_path / "contacts.csv"
    make_csv(source)
    db = tmp_path / "crm.db"
    store = Store.open(db, create=True)
    for i in range(BASELINE):
        add_contact(store, ContactFields(name=f"Existing {i}"), date(2026, 11, 26))
    store.close()

    # One uninterrupted run (on a copy) shows the batch goes in whole and how long it takes.
    full = tmp_path / "full.db"
    full.write_bytes(db.read_bytes())
    started = time.monotonic()
    subprocess.run(writer_command(full, source), check=True, timeout=120, capture_output=True)
    span = time.monotonic() - started
    assert state(full) == ("ok", BASELINE + BATCH)
    assert_batches_whole(full)

    rng = random.Random(8)
    outcomes = {BASELINE: 0, BASELINE + BATCH: 0}
    expected = BASELINE
    for _ in range(KILLS):
        proc = subprocess.Popen(
            writer_command(db, source), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        # Random points across the whole run: start-up, mid-transaction, commit, after.
        time.sleep(rng.uniform(0.1, 1.05) * span)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        integrity, count = state(db)
        assert integrity == "ok"
        assert count in (expected, expected + BATCH), (count, expected)
        assert_batches_whole(db)
        outcomes[count - expected + BASELINE] += 1
        expected = count
    print(f"kills: {outcomes[BASELINE]} left none, {outcomes[BASELINE + BATCH]} left all")
    # The same file survives every kill and is still usable by tinycrm.
    store = Store.open(db)
    assert store.db.integrity_problems(quick=False) == []
    store.close()
