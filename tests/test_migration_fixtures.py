"""Files written by every released schema version open in this one: data kept, schema the same
as a fresh database's; a migration that fails midway changes nothing.

tests/fixtures/schema-vN.db is a database as version N wrote it, with rows in every table
(built once by tests/fixtures/make_fixtures.py and never regenerated).
"""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

import pytest

from conftest import Invoke
from tinycrm.errors import StorageError
from tinycrm.store.connection import Database
from tinycrm.store.schema import LATEST_VERSION, MIGRATIONS

FIXTURES = Path(__file__).parent / "fixtures"
VERSIONS = list(range(1, LATEST_VERSION + 1))


def schema(conn: sqlite3.Connection) -> list[tuple[str, str, str, str | None]]:
    rows = conn.execute("SELECT type, name, tbl_name, sql FROM sqlite_master").fetchall()
    return sorted((r[0], r[1], r[2], r[3]) for r in rows)


def tables(conn: sqlite3.Connection) -> list[str]:
    return [
        r[0]
        for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        )
    ]


def contents(conn: sqlite3.Connection) -> dict[str, list[tuple[object, ...]]]:
    return {
        name: sorted((tuple(row) for row in conn.execute(f'SELECT * FROM "{name}"')), key=repr)
        for name in tables(conn)
    }


def copy_fixture(version: int, tmp_path: Path) -> Path:
    target = tmp_path / "crm.db"
    shutil.copyfile(FIXTURES / f"schema-v{version}.db", target)
    target.chmod(0o600)
    return target


def test_every_released_version_has_a_fixture_with_data_in_every_table() -> None:
    for version in VERSIONS:
        path = FIXTURES / f"schema-v{version}.db"
        assert path.exists(), f"add {path.name} (tests/fixtures/make_fixtures.py)"
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            assert conn.execute("PRAGMA user_version").fetchone()[0] == version
            empty = [t for t in tables(conn) if not conn.execute(f'SELECT 1 FROM "{t}"').fetchone()]
            assert empty == []
        finally:
            conn.close()


@pytest.mark.parametrize("version", VERSIONS)
def test_migrations_still_build_the_released_schema(version: int, tmp_path: Path) -> None:
    """A released migration's text is history: versions 1..N build exactly the schema of the
    file version N wrote."""
    built = sqlite3.connect(tmp_path / "built.db")
    for statements in MIGRATIONS[:version]:
        for statement in statements:
            built.execute(statement)
    released = sqlite3.connect(f"file:{FIXTURES / f'schema-v{version}.db'}?mode=ro", uri=True)
    try:
        assert schema(built) == schema(released)
    finally:
        built.close()
        released.close()


@pytest.mark.parametrize("version", VERSIONS)
def test_fixture_migrates_to_newest_keeping_data(version: int, tmp_path: Path, cli: Invoke) -> None:
    path = copy_fixture(version, tmp_path)
    raw = sqlite3.connect(path)
    before = contents(raw)
    raw.close()

    migrated = Database(path, create=True)
    assert migrated.schema_version() == LATEST_VERSION
    assert migrated.integrity_problems(quick=False) == []
    assert migrated.foreign_key_problems() == []
    after = contents(migrated.conn)
    # Schema 17 merges companies whose names are one but for case; fixtures 15 and 16 hold
    # such a pair (tests/test_company_keys.py), so they lose one company to it.
    merged = {"companies": 1} if version in (15, 16) else {}
    for name, rows in before.items():
        if name in after and name in ("history", "company_spellings") and merged:
            assert len(after[name]) > len(rows), name  # the merge, recorded
        elif name in after:  # a later migration may reshape a table; its rows stay countable
            assert len(after[name]) == len(rows) - merged.get(name, 0), name
            if version == LATEST_VERSION:
                assert after[name] == rows, name
    fresh = Database(tmp_path / "fresh.db", create=True)
    assert schema(migrated.conn) == schema(fresh.conn)
    fresh.close()
    migrated.close()

    listed = cli("--db", str(path), "contacts", "list", "--json")
    assert listed.exit_code == 0, listed.stderr
    assert len(json.loads(listed.stdout)) == len(before["contacts"])
    assert cli("--db", str(path), "db", "check").exit_code == 0


def test_migration_failing_midway_on_a_real_file_changes_nothing(tmp_path: Path) -> None:
    path = copy_fixture(LATEST_VERSION, tmp_path)
    db = Database(path, create=True)
    dump_before = list(db.conn.iterdump())
    broken = [
        *MIGRATIONS,
        [
            "CREATE TABLE extra (x)",
            "ALTER TABLE contacts ADD COLUMN nickname TEXT",
            "UPDATE contacts SET name = 'rewritten', nickname = 'n'",
            "DELETE FROM notes",
            "INSERT INTO nowhere VALUES (1)",  # fails after all of the above
        ],
    ]
    with pytest.raises(StorageError) as caught:
        db.migrate(broken)
    assert f"unchanged at version {LATEST_VERSION}" in str(caught.value)
    assert db.schema_version() == LATEST_VERSION
    assert list(db.conn.iterdump()) == dump_before
    db.close()
    # and a later, fixed migration still applies on top
    db = Database(path, create=True)
    assert db.migrate([*MIGRATIONS, ["CREATE TABLE extra (x)"]]) == [LATEST_VERSION + 1]
    db.close()


def test_newer_fixture_is_refused_untouched(tmp_path: Path, cli: Invoke) -> None:
    path = copy_fixture(LATEST_VERSION, tmp_path)
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {LATEST_VERSION + 1}")
    conn.commit()
    conn.close()
    before = path.read_bytes()
    for args in (["notes", "add", "1", "hello"], ["db", "migrate"]):
        result = cli("--db", str(path), *args)
        assert result.exit_code == 1
        assert "newer tinycrm" in result.stderr
    assert path.read_bytes() == before
    assert not Path(f"{path}-wal").exists()
