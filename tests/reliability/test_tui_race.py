"""`crm tui` stays open and writes while other `crm` processes read, write, send the digest
and exit, round after round: no write is lost, the TUI never shows an error, and the WAL is
never deleted under the TUI's live connections (the 0.1 bug: issue 13 §1).

The TUI is the real `crm tui` command (built by the CLI as a user starts it) driven by
Textual's Pilot in a subprocess. Rounds: CRM_RACE_ROUNDS (default 8; .ci/run uses 25; e.g.
200 for a soak).
"""

from __future__ import annotations

import os
import select
import sqlite3
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from mailserver import Inbox, serving

ROUNDS = int(os.environ.get("CRM_RACE_ROUNDS", "8"))
ANSWER_SECONDS = 60

# Reads one note text per line on stdin; for each, adds it in the TUI as a user would (the
# queue's `n` on the selected row, type, Enter) and answers "ok" or "error: <what it showed>".
TUI_DRIVER = textwrap.dedent(
    """
    import asyncio, sys
    from textual.widgets import Static
    import tinycrm.cli.tui
    from tinycrm.cli.app import run
    from tinycrm.tui.app import CrmApp
    from tinycrm.tui.forms.note import NoteForm

    async def settle(pilot):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()

    async def drive(app):
        async with app.run_test(size=(100, 30)) as pilot:
            await settle(pilot)
            print("ready", flush=True)
            for line in sys.stdin:
                await pilot.press("n")
                await settle(pilot)
                if not isinstance(app.screen, NoteForm):
                    print(f"error: no note form ({type(app.screen).__name__})", flush=True)
                    continue
                await pilot.press(*line.rstrip("\\n"))
                await pilot.press("enter")
                await settle(pilot)
                if isinstance(app.screen, NoteForm):
                    shown = app.screen.query_one("#form-error", Static).render()
                    print(f"error: {shown}", flush=True)
                    await pilot.press("escape")
                else:
                    print("ok", flush=True)
            await pilot.press("q")

    CrmApp.run = lambda self, *args, **kwargs: asyncio.run(drive(self))
    tinycrm.cli.tui.on_a_terminal = lambda: True  # Pilot is its terminal; stdin is the script
    sys.exit(run(["--db", sys.argv[1], "tui"]))
    """
)


@pytest.fixture
def smtp(isolated_env: Path) -> Iterator[Inbox]:
    with serving() as inbox:
        (isolated_env / "config.toml").write_text(
            f'[smtp]\nhost = "127.0.0.1"\nport = {inbox.port}\nsecurity = "none"\ntimeout = 10\n'
            'from = "crm@shop.example"\nto = ["owner@shop.example"]\n',
            encoding="utf-8",
        )
        yield inbox


def crm(db: Path, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "tinycrm", "--db", str(db), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


class Tui:
    """The driven `crm tui` process."""

    def __init__(self, db: Path) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-c", TUI_DRIVER, str(db)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            bufsize=1,
        )
        assert self.answer() == "ready"

    def add_note(self, text: str) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(text + "\n")
        self.process.stdin.flush()

    def answer(self) -> str:
        assert self.process.stdout is not None
        ready, _, _ = select.select([self.process.stdout], [], [], ANSWER_SECONDS)
        line = self.process.stdout.readline() if ready else ""
        if not line:
            self.process.kill()
            _, err = self.process.communicate()
            pytest.fail(f"the TUI stopped answering: {err[-2000:]}")
        return line.strip()

    def quit(self) -> tuple[int, str]:
        _, err = self.process.communicate(timeout=ANSWER_SECONDS)  # closes stdin: the TUI quits
        return self.process.returncode, err


def wal_identity(db: Path) -> tuple[int, int]:
    """The -wal file's device and inode, by stat (which opens nothing)."""
    found = os.stat(f"{db}-wal")
    return found.st_dev, found.st_ino


@pytest.mark.slow
def test_tui_and_cli_processes_write_together_without_losing_anything(
    tmp_path: Path, smtp: Inbox
) -> None:
    db = tmp_path / "crm.db"
    assert crm(db, "demo").wait() == 0
    tui = Tui(db)
    tui.add_note("tui warm-up")
    assert tui.answer() == "ok"
    wal = wal_identity(db)  # the TUI's connections keep this WAL from now on
    problems: list[str] = []
    for round_ in range(ROUNDS):
        commands = [
            ["notes", "list", "-n", "1"],
            ["notes", "add", "1", f"cli note {round_}", "--channel", "call"],
            ["digest", "--send", "--force"],
        ]
        others = [(command, crm(db, *command)) for command in commands]
        tui.add_note(f"tui note {round_} during")
        answer = tui.answer()
        if answer != "ok":
            problems.append(f"round {round_}: TUI {answer}")
        for command, other in others:
            _, err = other.communicate(timeout=ANSWER_SECONDS)
            if other.returncode or err:
                problems.append(f"round {round_}: {command} exit {other.returncode} {err}")
        # Every other process has exited: the last one out must not have taken the WAL away.
        tui.add_note(f"tui note {round_} after")
        answer = tui.answer()
        if answer != "ok":
            problems.append(f"round {round_}: TUI {answer}")
        if not os.path.exists(f"{db}-wal") or wal_identity(db) != wal:
            problems.append(f"round {round_}: the WAL was deleted under the TUI")
        if problems:
            break
    code, err = tui.quit()
    assert problems == []
    assert (code, err) == (0, "")

    conn = sqlite3.connect(db)
    bodies = {row[0] for row in conn.execute("SELECT body FROM notes")}
    conn.close()
    expected = {"tui warm-up"}
    for round_ in range(ROUNDS):
        expected |= {f"cli note {round_}", f"tui note {round_} during", f"tui note {round_} after"}
    assert expected - bodies == set()
    assert smtp.count == ROUNDS
