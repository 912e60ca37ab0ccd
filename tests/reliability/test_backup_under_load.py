"""`crm db backup` while another process keeps writing: every copy is whole and private."""

from __future__ import annotations

import sqlite3
import stat
import subprocess
import sys
import textwrap
import time
from datetime import date
from pathlib import Path

from conftest import Invoke
from tinycrm.services.contacts import ContactFields, add_contact
from tinycrm.store import Store
from tinycrm.store.schema import LATEST_VERSION

from .test_crash_safety import state

WRITER = textwrap.dedent(
    """
    import sys
    from datetime import date
    from pathlib import Path
    from tinycrm.services.notes import add_note
    from tinycrm.store import Store
    store = Store.open(sys.argv[1], create=True)
    ready, stop = Path(sys.argv[2]), Path(sys.argv[3])
    i = 0
    while not stop.exists():
        with store.write():  # a few rows per transaction, so a torn copy would show
            for k in range(5):
                add_note(store, "Ann", f"note {i} {k} " + "x" * 200, date(2026, 11, 26), "call")
        i += 1
        if i == 20:
            ready.touch()
    store.close()
    print(i)
    """
)


def test_backups_during_writes_are_consistent_and_private(cli: Invoke, tmp_path: Path) -> None:
    db = tmp_path / "crm.db"
    store = Store.open(db, create=True)
    add_contact(store, ContactFields(name="Ann"), date(2026, 11, 26))
    store.close()
    ready, stop = tmp_path / "ready", tmp_path / "stop"
    writer = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(db), str(ready), str(stop)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        while not ready.exists():
            assert writer.poll() is None, writer.communicate()
            time.sleep(0.01)
        previous = 0
        for n in range(8):
            target = tmp_path / f"backup-{n}.db"
            result = cli("--db", str(db), "db", "backup", str(target))
            assert result.exit_code == 0, result.stderr
            assert stat.S_IMODE(target.stat().st_mode) == 0o600
            assert not Path(f"{target}-wal").exists()
            integrity, contacts = state(target)
            assert (integrity, contacts) == ("ok", 1)
            conn = sqlite3.connect(target)
            notes = conn.execute("SELECT count(*) FROM notes").fetchone()[0]
            indexed = conn.execute("SELECT count(*) FROM search_index WHERE rowid > 0").fetchone()[
                0
            ]
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            conn.close()
            assert notes % 5 == 0 and notes >= previous  # whole transactions only
            assert indexed == notes
            assert version == LATEST_VERSION
            previous = notes
    finally:
        stop.touch()
        out, err = writer.communicate(timeout=60)
    assert err == ""
    assert int(out) >= 20
