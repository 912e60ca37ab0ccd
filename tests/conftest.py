"""Shared fixtures: every test gets its own database file; the user's real one is never used."""

from __future__ import annotations

import itertools
import os
import pty
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

import pgcluster
from tinycrm.cli import output
from tinycrm.cli.app import app
from tinycrm.config import database_location
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
    # Who runs a command (services/identity.py): the same OS login everywhere, no CRM_USER.
    monkeypatch.delenv("CRM_USER", raising=False)
    monkeypatch.setenv("LOGNAME", "tester")
    monkeypatch.chdir(tmp_path)  # files a command writes with a relative name land here
    return tmp_path


BACKENDS = ("sqlite", "postgresql")


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Every test that uses `backend` (through `store` or `cli`) runs on both backends, except
    those marked sqlite_only (the SQLite file itself: WAL, file modes, locks, fixtures) or
    postgresql_only (URLs, roles, the server)."""
    if "backend" in metafunc.fixturenames:
        backends: tuple[str, ...] = BACKENDS
        if metafunc.definition.get_closest_marker("sqlite_only"):
            backends = ("sqlite",)
        elif metafunc.definition.get_closest_marker("postgresql_only"):
            backends = ("postgresql",)
        metafunc.parametrize("backend", backends, indirect=True)


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[pgcluster.Cluster]:
    """A throwaway PostgreSQL cluster for this test process (one per xdist worker), with a
    template database that has tinycrm's schema; skipped (failed under CI=true) without
    PostgreSQL's binaries."""
    reason = pgcluster.missing_reason()
    if reason:
        if os.environ.get("CI") == "true":
            pytest.fail(f"PostgreSQL tests cannot run in CI: {reason}")
        pytest.skip(f"PostgreSQL backend not tested: {reason}")
    cluster = pgcluster.start()
    try:
        cluster.psql(f"CREATE DATABASE {TEMPLATE}")
        Store.open(cluster.url(TEMPLATE), create=True).close()
        yield cluster
    finally:
        cluster.stop()


TEMPLATE = "crm_template"
_databases = itertools.count()


@pytest.fixture
def backend(request: pytest.FixtureRequest, isolated_env: Path) -> Iterator[str]:
    """The backend under test; for PostgreSQL, CRM_DB names a new database with tinycrm's
    schema (a clone of the template), dropped afterwards."""
    if request.param == "sqlite":
        yield "sqlite"
        return
    cluster: pgcluster.Cluster = request.getfixturevalue("pg_cluster")
    name = f"crm_test_{next(_databases)}"
    cluster.psql(f"CREATE DATABASE {name} TEMPLATE {TEMPLATE} STRATEGY FILE_COPY")
    os.environ["CRM_DB"] = cluster.url(name)
    try:
        yield "postgresql"
    finally:
        os.environ["CRM_DB"] = str(isolated_env / "crm.db")
        cluster.psql(f"DROP DATABASE {name} WITH (FORCE)")


@pytest.fixture
def db_location(backend: str, isolated_env: Path) -> str:
    """The database under test as `--db` takes it: a file path or a PostgreSQL URL."""
    return os.environ["CRM_DB"]


@pytest.fixture
def cli(backend: str) -> Invoke:
    """`cli("contacts", "add", "Ann")` runs crm through Typer's test runner."""
    runner = CliRunner()

    def invoke(*args: str, input: str | None = None) -> Result:
        output.reset_console()
        return runner.invoke(app, list(args), input=input, catch_exceptions=False)

    return invoke


@pytest.fixture
def store(db_location: str) -> Iterator[Store]:
    opened = Store.open(database_location(db_location), create=True)
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


_STARTED = time.time()


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Say where the portal's browser tests left this run's screenshots (tests/browser.py)."""
    from browser import SCREENSHOTS

    if SCREENSHOTS.is_dir() and any(
        shot.stat().st_mtime >= _STARTED for shot in SCREENSHOTS.iterdir()
    ):
        terminalreporter.write_line(f"portal screenshots: {SCREENSHOTS}")
