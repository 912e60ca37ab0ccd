"""`crm tui` away from a terminal (a pipe, cron, `2> log`) says so in one line instead of
drawing into the pipe and waiting forever for keys."""

from __future__ import annotations

import os
import pty
import subprocess

import pytest

from tinycrm.store import Store

from .terminal import CRM


@pytest.mark.parametrize("keyboard", ["a pipe", "a terminal"])
def test_the_tui_without_a_terminal_is_one_line_and_exit_2(
    store: Store, db_location: str, keyboard: str
) -> None:
    master, slave = pty.openpty()
    try:
        crm = subprocess.run(
            [CRM, "--db", db_location, "tui"],
            stdin=slave if keyboard == "a terminal" else subprocess.DEVNULL,
            capture_output=True,  # the screen would be stderr: `crm tui 2> log`
            timeout=60,
        )
    finally:
        os.close(master)
        os.close(slave)
    assert crm.returncode == 2
    assert crm.stdout == b""
    assert crm.stderr.decode().splitlines() == [
        "crm: crm tui needs a terminal (its keyboard and screen); in a script or cron job use"
        " the commands, e.g. `crm follow-ups today` or `crm digest`"
    ]
