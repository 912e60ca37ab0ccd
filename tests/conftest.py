"""Shared fixtures: every test gets its own database file; the user's real one is never used."""

from __future__ import annotations

import os
import pty
import subprocess
import sys
from collections.abc import Callable, Iterator, Sequence
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from tinycrm.cli import output
from tinycrm.cli.app import app
from tinycrm.store import Store

TODAY = date(2026, 11, 26)

Invoke = Callable[..., Result]


@pytest.fixture(autouse=True)
def isolated_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point CRM_DB, CRM_CONFIG and the platform dirs at the test's temporary directory."""
    monkeypatch.setenv("CRM_DB", str(tmp_path / "crm.db"))
    monkeypatch.setenv("CRM_CONFIG", str(tmp_path / "config.toml"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg-config"))
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.chdir(tmp_path)  # files a command writes with a relative name land here
    return tmp_path


@pytest.fixture
def cli() -> Invoke:
    """`cli("contacts", "add", "Ann")` runs crm through Typer's test runner."""
    runner = CliRunner()

    def invoke(*args: str, input: str | None = None) -> Result:
        output.reset_console()
        return runner.invoke(app, list(args), input=input, catch_exceptions=False)

    return invoke


@pytest.fixture
def store(isolated_env: Path) -> Iterator[Store]:
    opened = Store.open(isolated_env / "crm.db", create=True)
    yield opened
    opened.close()


def in_a_terminal(
    args: list[str], answers: Sequence[str] = (), env: dict[str, str] | None = None
) -> tuple[int, str]:
    """Run crm in a pseudo-terminal, answering its prompts in turn: (exit code, what it showed)."""
    main, side = pty.openpty()
    env = {**os.environ, "TERM": "xterm", "COLUMNS": "200", **(env or {})}
    run = subprocess.Popen(
        [sys.executable, "-m", "tinycrm", *args], stdin=side, stdout=side, stderr=side, env=env
    )
    os.close(side)
    shown = b""
    pending = list(answers)
    while True:
        try:
            chunk = os.read(main, 4096)
        except OSError:  # the other side closed: the run has ended
            break
        if not chunk:
            break
        shown += chunk
        if pending and shown.rstrip().endswith(b":"):
            os.write(main, pending.pop(0).encode() + b"\n")
    os.close(main)
    return run.wait(timeout=60), shown.decode("utf-8", "replace").replace("\r\n", "\n")
