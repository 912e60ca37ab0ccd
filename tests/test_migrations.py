"""Versioned migrations: newer databases refused untouched, failed migrations change nothing."""

from __future__ import annotations

import sqlite3
from datetime import date
from pathlib import Path

import pytest

from conftest import Invoke
from tinycrm.errors import StorageError
from tinycrm.services.contacts import ContactFields, add_contact
from tinycrm.store import Store
from tinycrm.store.connection import Database
from tinycrm.store.schema import LATEST_VERSION, MIGRATIONS

TODAY = date(2026, 11, 26)

pytestmark = pytest.mark.sqlite_only(
    reason="SQLite files of older schema versions and foreign SQLite files"
)


def make_newer(path: Path, wal: bool) -> bytes:
    conn = sqlite3.connect(path)
    if wal:
        conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("CREATE TABLE future (x)")
    conn.execute("INSERT INTO future VALUES ('from the future')")
    conn.execute(f"PRAGMA user_version = {LATEST_VERSION + 5}")
    conn.commit()
    conn.close()
    return path.read_bytes()


@pytest.mark.parametrize("wal", [False, True])
def test_newer_database_is_refused_and_left_untouched(
    cli: Invoke, isolated_env: Path, wal: bool
) -> None:
    path = isolated_env / "crm.db"
    before = make_newer(path, wal)
    for args in (["contacts", "list"], ["db", "migrate"], ["db", "check"]):
        result = cli(*args)
        assert result.exit_code == 1, args
        assert "newer tinycrm" in result.stderr
        assert len(result.stderr.strip().splitlines()) == 1
    assert path.read_bytes() == before


def test_failed_migration_leaves_old_version_and_data(isolated_env: Path) -> None:
    path = isolated_env / "crm.db"
    store = Store.open(path, create=True)
    add_contact(store, ContactFields(name="Ann"), TODAY)
    store.close()
    db = Database(path, create=True)
    broken = [*MIGRATIONS, ["CREATE TABLE extra (x)", "ALTER TABLE nowhere ADD COLUMN y"]]
    with pytest.raises(StorageError) as caught:
        db.migrate(broken)
    assert f"version {LATEST_VERSION}" in str(caught.value)
    assert db.schema_version() == LATEST_VERSION
    tables = {r[0] for r in db.conn.execute("SELECT name FROM sqlite_master")}
    assert "extra" not in tables
    assert db.conn.execute("SELECT name FROM contacts").fetchall()[0][0] == "Ann"
    assert not db.conn.in_transaction
    db.close()


def test_successful_later_migration_applies_in_order(isolated_env: Path) -> None:
    db = Database(isolated_env / "crm.db", create=True)
    later = [["CREATE TABLE extra (x)"], ["INSERT INTO extra VALUES (1)"]]
    applied = db.migrate([*MIGRATIONS, *later])
    assert applied == [LATEST_VERSION + 1, LATEST_VERSION + 2]
    assert db.schema_version() == LATEST_VERSION + 2
    db.close()


def test_db_migrate_command(cli: Invoke, isolated_env: Path) -> None:
    sqlite3.connect(isolated_env / "crm.db").close()  # an empty file: schema version 0
    first = cli("db", "migrate")
    assert first.exit_code == 0
    assert f"0 → {LATEST_VERSION}" in first.stdout
    again = cli("db", "migrate")
    assert again.exit_code == 0
    assert f"up to date (version {LATEST_VERSION})" in again.stdout


def test_foreign_sqlite_file_is_not_taken_over(cli: Invoke, isolated_env: Path) -> None:
    path = isolated_env / "crm.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE photos (id, caption)")
    conn.commit()
    conn.close()
    before = path.read_bytes()
    result = cli("contacts", "list")
    assert result.exit_code == 1
    assert "not a tinycrm database" in result.stderr
    assert path.read_bytes() == before
