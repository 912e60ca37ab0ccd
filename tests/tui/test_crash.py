"""A bug in the TUI: exit 1, one line naming a log file, the traceback in that file only."""

from __future__ import annotations

import re
import stat
import sys
from datetime import timedelta
from pathlib import Path

import pytest

from tinycrm.services.contacts import ContactFields, add_contact
from tinycrm.services.followups.stored import add_follow_up
from tinycrm.store import Store

from .conftest import TODAY
from .terminal import run_in_terminal

# `crm` with a bug planted in reading the queue a second time (F5); its message holds data
BROKEN_CRM = """
from tinycrm.services import followups
first = followups.build_queue
calls = []
def build_queue(*args, **kwargs):
    calls.append(1)
    if len(calls) > 1:
        raise RuntimeError("secret customer data in the message")
    return first(*args, **kwargs)
followups.build_queue = build_queue
from tinycrm.cli.app import main
main()
"""


def test_a_crash_exits_1_with_one_line_and_a_log(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    db = tmp_path / "crm.db"
    store = Store.open(db, create=True)
    ref = str(add_contact(store, ContactFields(name="Ana Souza"), TODAY).id)
    add_follow_up(store, ref, "Call Ana", TODAY, TODAY - timedelta(3))
    store.close()

    session = run_in_terminal(
        ["--db", str(db), "tui", "--as-of", TODAY.isoformat()],
        [("\x1b[15~", b"crm: ")],  # F5
        ready=b"Call Ana",
        argv0=[sys.executable, "-c", BROKEN_CRM],
    )

    assert session.returncode == 1
    after = session.output.rsplit(b"\x1b[?1049l", 1)[-1].decode()  # after the screen is restored
    lines = [line for line in re.sub(r"\x1b\[[0-9;?]*[a-zA-Z]", "", after).splitlines() if line]
    assert len(lines) == 1, lines
    assert lines[0].startswith("crm: the TUI stopped on an internal error (RuntimeError)")
    assert b"secret" not in session.output and b"Traceback" not in session.output
    logs = list((tmp_path / "state").rglob("*.log"))
    assert len(logs) == 1 and str(logs[0]) in lines[0]
    assert "RuntimeError: secret customer data" in logs[0].read_text()
    assert stat.S_IMODE(logs[0].stat().st_mode) == 0o600
