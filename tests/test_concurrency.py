"""Three processes writing at once: nobody sees "database is locked", no row is lost."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

WORKER = textwrap.dedent(
    """
    import sys, time
    from datetime import date
    from pathlib import Path
    from tinycrm.services.contacts import ContactFields, add_contact
    from tinycrm.services.notes import add_note
    from tinycrm.store import Store

    db, go, worker = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3]
    while not go.exists():  # start together, so even creating the file races
        time.sleep(0.001)
    store = Store.open(db, create=True)
    today = date(2026, 11, 26)
    failures = 0
    for i in range(200):
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


def test_three_writers_lose_nothing(tmp_path: Path) -> None:
    db = tmp_path / "new" / "crm.db"  # not created yet: the first open races too
    go = tmp_path / "go"
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", WORKER, str(db), str(go), str(n)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for n in range(3)
    ]
    go.touch()
    results = [proc.communicate(timeout=120) for proc in procs]
    for out, err in results:
        assert "locked" not in err
        assert err == ""
        assert out.strip() == "0"
    import sqlite3

    conn = sqlite3.connect(db)
    assert conn.execute("SELECT count(*) FROM contacts").fetchone()[0] == 600
    assert conn.execute("SELECT count(*) FROM notes").fetchone()[0] == 600
    assert conn.execute("SELECT count(DISTINCT name) FROM contacts").fetchone()[0] == 600
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    conn.close()
