"""Five processes writing at once and one reading: nobody sees "database is locked" or a
conflict, no row is lost, and every read sees whole transactions (on both backends)."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

from dbquery import query_db

WRITERS = 5
ROUNDS = 100  # transactions per writer

WORKER = textwrap.dedent(
    """
    import sys, time
    from datetime import date
    from pathlib import Path
    from tinycrm.config import database_location
    from tinycrm.services.contacts import ContactFields, add_contact
    from tinycrm.services.notes import add_note
    from tinycrm.store import Store

    db, go, worker, rounds = sys.argv[1], Path(sys.argv[2]), sys.argv[3], int(sys.argv[4])
    while not go.exists():  # start together, so even creating the file races
        time.sleep(0.001)
    store = Store.open(database_location(db), create=True)
    today = date(2026, 11, 26)
    failures = 0
    for i in range(rounds):
        try:
            with store.write():  # read, then write, in one transaction
                name = f"w{worker}-{i}"
                before = store.db.conn.execute("SELECT count(*) FROM contacts").fetchone()[0]
                contact = add_contact(store, ContactFields(name=name), today)
                add_note(store, str(contact.id), f"note {before}", today, "call")
        except Exception as exc:
            failures += 1
            print(f"FAIL {type(exc).__name__}: {exc}", file=sys.stderr)
    store.close()
    print(failures)
    """
)

# Reads in one transaction until the writers are done: a contact without its note (or the
# reverse) would be a torn transaction.
READER = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from tinycrm.config import database_location
    from tinycrm.store import Store

    db, go, done = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3])
    while not go.exists():
        time.sleep(0.001)
    time.sleep(0.2)  # the first writer creates the database
    store = Store.open(database_location(db), create=True)
    reads = torn = 0
    while not done.exists():
        with store.read() as conn:
            contacts = conn.execute("SELECT count(*) FROM contacts").fetchone()[0]
            notes = conn.execute("SELECT count(*) FROM notes").fetchone()[0]
        reads += 1
        torn += contacts != notes
        time.sleep(0.005)
    store.close()
    print(reads, torn)
    """
)


def test_five_writers_and_a_reader_lose_nothing(
    backend: str, db_location: str, tmp_path: Path
) -> None:
    # SQLite: a file not created yet, so that the first open races too.
    db = str(tmp_path / "new" / "crm.db") if backend == "sqlite" else db_location
    go, done = tmp_path / "go", tmp_path / "done"
    run = [sys.executable, "-c"]
    procs = [
        subprocess.Popen([*run, WORKER, db, str(go), str(n), str(ROUNDS)],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for n in range(WRITERS)
    ]  # fmt: skip
    reader = subprocess.Popen(
        [*run, READER, db, str(go), str(done)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    go.touch()
    results = [proc.communicate(timeout=300) for proc in procs]
    done.touch()
    read_out, read_err = reader.communicate(timeout=60)
    for out, err in results:
        assert "locked" not in err
        assert err == ""
        assert out.strip() == "0"
    assert read_err == ""
    reads, torn = map(int, read_out.split())
    assert reads > 0 and torn == 0
    total = WRITERS * ROUNDS
    assert query_db("SELECT count(*) FROM contacts", location=db) == [(total,)]
    assert query_db("SELECT count(*) FROM notes", location=db) == [(total,)]
    assert query_db("SELECT count(DISTINCT name) FROM contacts", location=db) == [(total,)]
    # Each writer read the count and wrote it in one transaction: no two saw the same count.
    assert query_db("SELECT count(DISTINCT body) FROM notes", location=db) == [(total,)]
    if backend == "sqlite":
        assert query_db("PRAGMA integrity_check", location=db) == [("ok",)]
