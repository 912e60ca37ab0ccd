"""A CLI, the TUI's service calls and a digest run write at once, while a reader reads.

Three writer processes × CRM_WRITER_ROUNDS read-then-write transactions each (default 100;
.ci/run uses 200), plus a reader process: no error anywhere, and every row each writer
reported is in the database afterwards.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from mailserver import Inbox, serving
from tinycrm.services.contacts import ContactFields, add_contact
from tinycrm.services.followups.stored import add_follow_up
from tinycrm.store import Store

TODAY = date(2026, 11, 26)
# A multiple of 4: every other round of the TUI writer completes, the rest snooze.
ROUNDS = max(4, int(os.environ.get("CRM_WRITER_ROUNDS", "100")) // 4 * 4)

# Every worker waits for the go file, so they really start together.
PRELUDE = textwrap.dedent(
    """
    import io, os, sys, time, contextlib
    from datetime import date
    from pathlib import Path
    db, go = sys.argv[1], Path(sys.argv[2])
    handles = sys.argv[3].split(",") if len(sys.argv) > 3 and sys.argv[3] else []
    today = date(2026, 11, 26)
    rounds = int(os.environ["CRM_WRITER_ROUNDS"])
    while not go.exists():
        time.sleep(0.002)
    failures = 0
    """
)

# The CLI: the full `crm` code path (argument parsing, a fresh Store per command, exit codes),
# run in-process once a round (a `crm` process start per command would cost ~0.3 s each).
CLI_WRITER = PRELUDE + textwrap.dedent(
    """
    from tinycrm.cli.app import run
    for i in range(rounds):
        if i % 2 == 0:
            args = ["--db", db, "notes", "add", "cli-target", f"cli note {i}", "--channel", "call"]
        else:
            args = ["--db", db, "follow-ups", "done", handles[i // 2], "--as-of", "2026-11-26"]
        with contextlib.redirect_stdout(io.StringIO()):
            code = run(args)
        if code != 0:
            failures += 1
            print(f"FAIL {args}: exit {code}", file=sys.stderr)
    print(failures)
    """
)

# The TUI's writes: the same service functions its forms and key bindings call, on a second
# connection beside the one its screens read from (as `crm tui` does).
TUI_WRITER = PRELUDE + textwrap.dedent(
    """
    from tinycrm.services.followups import actions
    from tinycrm.services.notes import add_note
    from tinycrm.store import Store
    screens = Store.open(db)
    screens.db.conn.execute("SELECT count(*) FROM notes").fetchone()
    store = Store.open(db)
    for i in range(rounds):
        try:
            if i % 2 == 0:
                add_note(store, "tui-target", f"tui note {i}", today, "visit")
            elif i % 4 == 1:
                actions.complete(store, handles[i // 2], today, note=f"tui done {i}")
            else:
                actions.snooze(store, handles[i // 2], date(2026, 12, 24), today)
        except Exception as exc:
            failures += 1
            print(f"FAIL {i}: {type(exc).__name__}: {exc}", file=sys.stderr)
    store.close()
    screens.close()
    print(failures)
    """
)

# The digest: `crm digest --send --force` to a local SMTP server; each run records itself.
DIGEST_WRITER = PRELUDE + textwrap.dedent(
    """
    from tinycrm.cli.app import run
    for i in range(rounds):
        args = ["--db", db, "digest", "--send", "--force", "--as-of", "2026-11-26"]
        with contextlib.redirect_stdout(io.StringIO()):
            code = run(args)
        if code != 0:
            failures += 1
            print(f"FAIL digest {i}: exit {code}", file=sys.stderr)
    print(failures)
    """
)

# The reader: queue and notes as JSON through the CLI, and row counts that never go back.
READER = PRELUDE + textwrap.dedent(
    """
    import json, sqlite3
    from tinycrm.cli.app import run
    stop = Path(sys.argv[4])
    last = 0
    reads = 0
    while not stop.exists() or reads < 5:
        for args in (["follow-ups", "today", "--json"], ["notes", "list", "--json"]):
            buffer = io.StringIO()
            with contextlib.redirect_stdout(buffer):
                code = run(["--db", db, *args, "--as-of", "2026-11-26"] if args[0] ==
                           "follow-ups" else ["--db", db, *args])
            if code != 0:
                failures += 1
                print(f"FAIL read {args}: exit {code}", file=sys.stderr)
                continue
            data = json.loads(buffer.getvalue())
            if args[0] == "notes":
                if len(data) < last:
                    failures += 1
                    print(f"FAIL notes went from {last} to {len(data)}", file=sys.stderr)
                last = len(data)
        reads += 1
    print(failures)
    """
)


@pytest.fixture
def smtp_port() -> Iterator[tuple[int, Inbox]]:
    with serving() as inbox:
        yield inbox.port, inbox


def seed(db: Path) -> tuple[list[str], list[str]]:
    store = Store.open(db, create=True)
    cli_target = add_contact(store, ContactFields(name="cli-target"), TODAY)
    tui_target = add_contact(store, ContactFields(name="tui-target"), TODAY)
    with store.write():
        cli_handles = [
            str(add_follow_up(store, str(cli_target.id), f"cli task {i}", TODAY, TODAY).id)
            for i in range(ROUNDS // 2)
        ]
        tui_handles = [
            str(add_follow_up(store, str(tui_target.id), f"tui task {i}", TODAY, TODAY).id)
            for i in range(ROUNDS // 2)
        ]
    store.close()
    return cli_handles, tui_handles


@pytest.mark.slow
def test_cli_tui_and_digest_write_at_once(
    tmp_path: Path, smtp_port: tuple[int, Inbox], monkeypatch: pytest.MonkeyPatch
) -> None:
    port, inbox = smtp_port
    (tmp_path / "config.toml").write_text(
        "[smtp]\n"
        f'host = "127.0.0.1"\nport = {port}\nsecurity = "none"\ntimeout = 10\n'
        'from = "crm@shop.example"\nto = ["owner@shop.example"]\n',
        encoding="utf-8",
    )
    db = tmp_path / "crm.db"
    cli_handles, tui_handles = seed(db)
    go, stop = tmp_path / "go", tmp_path / "stop"

    def spawn(script: str, *extra: str) -> subprocess.Popen[str]:
        return subprocess.Popen(
            [sys.executable, "-c", script, str(db), str(go), *extra],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env={**os.environ, "CRM_WRITER_ROUNDS": str(ROUNDS)},
        )

    writers = [
        spawn(CLI_WRITER, ",".join(cli_handles)),
        spawn(TUI_WRITER, ",".join(tui_handles)),
        spawn(DIGEST_WRITER),
    ]
    reader = spawn(READER, "", str(stop))
    go.touch()
    results = [proc.communicate(timeout=240) for proc in writers]
    stop.touch()
    results.append(reader.communicate(timeout=60))
    for out, err in results:
        assert err == "", err
        assert out.strip() == "0"

    conn = sqlite3.connect(db)

    def count(sql: str) -> Any:
        return conn.execute(sql).fetchone()[0]

    cli_notes = count("SELECT count(*) FROM notes WHERE body LIKE 'cli note %'")
    tui_notes = count("SELECT count(*) FROM notes WHERE body LIKE 'tui note %'")
    tui_done_notes = count("SELECT count(*) FROM notes WHERE body LIKE 'tui done %'")
    assert (cli_notes, tui_notes, tui_done_notes) == (ROUNDS // 2, ROUNDS // 2, ROUNDS // 4)
    done = conn.execute("SELECT id FROM follow_ups WHERE status = 'done' ORDER BY id").fetchall()
    expected_done = {int(h) for h in cli_handles} | {int(h) for h in tui_handles[::2]}
    assert {row[0] for row in done} == expected_done
    snoozed = count("SELECT count(*) FROM follow_ups WHERE snoozed_until = '2026-12-24'")
    assert snoozed == ROUNDS // 4
    assert count("SELECT count(*) FROM digest_runs WHERE status = 'sent'") == ROUNDS
    assert inbox.count == ROUNDS
    assert count("PRAGMA integrity_check") == "ok"
    conn.close()
