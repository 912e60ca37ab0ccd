"""What only PostgreSQL has: choosing it, signing in, its bad input, its db commands, forget.

The behavioural suite runs on both backends through the `cli` and `store` fixtures; these tests
cover what differs: a URL instead of a file, a server that may be away, roles and passwords,
pg_dump, amcheck, and what PostgreSQL keeps after a delete.
"""

from __future__ import annotations

import itertools
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from conftest import Invoke
from dbquery import query_db
from pgcluster import PASSWORD_ROLE, Cluster
from tinycrm.store import schema, schema_pg

pytestmark = pytest.mark.postgresql_only
_names = itertools.count()


@pytest.fixture
def empty_db(pg_cluster: Cluster) -> Iterator[str]:
    """The URL of a new database without tinycrm's tables (as an administrator makes one)."""
    name = f"crm_empty_{os.getpid()}_{next(_names)}"
    pg_cluster.psql(f"CREATE DATABASE {name}")
    yield pg_cluster.url(name)
    pg_cluster.psql(f"DROP DATABASE {name} WITH (FORCE)")


def one_line_error(result: object, code: int = 1) -> str:
    assert result.exit_code == code, (result.exit_code, result.stdout)  # type: ignore[attr-defined]
    err: str = result.stderr  # type: ignore[attr-defined]
    assert len(err.strip().splitlines()) == 1, err
    assert "Traceback" not in err
    return err


def tables_in(url: str) -> int:
    return int(
        query_db("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'", location=url)[0][0]
    )


def test_both_backends_know_the_same_schema_versions() -> None:
    pg_versions = {schema_pg.BASELINE_VERSION, *schema_pg.MIGRATIONS}
    assert max(pg_versions) == schema.LATEST_VERSION
    assert pg_versions == set(range(schema_pg.BASELINE_VERSION, schema.LATEST_VERSION + 1))


@pytest.mark.parametrize("scheme", ["postgresql", "postgres"])
def test_a_url_selects_postgresql_and_a_path_stays_sqlite(
    cli: Invoke, empty_db: str, scheme: str, isolated_env: Path
) -> None:
    url = empty_db.replace("postgresql://", f"{scheme}://")
    added = cli("--db", url, "contacts", "add", "Ann Lee")
    assert added.exit_code == 0, added.stderr
    assert "created new database at postgres" in added.stderr
    assert tables_in(empty_db) > 0
    listed = json.loads(cli("--db", url, "contacts", "list", "--json").stdout)
    assert [c["name"] for c in listed] == ["Ann Lee"]
    assert not (isolated_env / url).exists()


def test_config_database_url_selects_postgresql(
    cli: Invoke, empty_db: str, isolated_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("CRM_DB")
    (isolated_env / "config.toml").write_text(f'[database]\nurl = "{empty_db}"\n')
    assert cli("contacts", "add", "Ann Lee").exit_code == 0
    assert cli("db", "path").stdout.strip() == empty_db
    assert query_db("SELECT name FROM contacts", location=empty_db) == [("Ann Lee",)]


def test_a_password_in_the_config_is_refused_and_never_shown(
    cli: Invoke, empty_db: str, isolated_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("CRM_DB")
    url = empty_db.replace("postgres@", "postgres:hunter2@")
    (isolated_env / "config.toml").write_text(f'[database]\nurl = "{url}"\n')
    err = one_line_error(cli("contacts", "list"), code=2)
    assert "password" in err and ".pgpass" in err
    assert "hunter2" not in err
    assert tables_in(empty_db) == 0


def test_db_path_masks_the_password(cli: Invoke) -> None:
    shown = cli("--db", "postgresql://ann:hunter2@db.example/crm", "db", "path").stdout
    assert shown.strip() == "postgresql://ann:***@db.example/crm"


def test_an_unreachable_server_is_one_line_without_the_password(cli: Invoke) -> None:
    url = "postgresql://ann:hunter2@127.0.0.1:1/crm?connect_timeout=2"
    err = one_line_error(cli("--db", url, "contacts", "list"))
    assert "cannot connect to postgresql://ann:***@127.0.0.1:1/crm" in err
    assert "hunter2" not in err


def test_a_wrong_password_is_one_line_and_not_echoed(
    cli: Invoke, pg_cluster: Cluster, empty_db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    pg_cluster.psql(
        f"DO $$ BEGIN CREATE ROLE {PASSWORD_ROLE} LOGIN PASSWORD 'right';"
        " EXCEPTION WHEN duplicate_object THEN NULL; END $$"
    )
    url = empty_db.replace("postgres@", f"{PASSWORD_ROLE}:wrong-one@")
    err = one_line_error(cli("--db", url, "contacts", "list"))
    assert "password authentication failed" in err
    assert "wrong-one" not in err
    # libpq's own conventions carry the right one (here PGPASSWORD; ~/.pgpass alike): signed
    # in, crm finds the database still empty.
    monkeypatch.setenv("PGPASSWORD", "right")
    no_password = empty_db.replace("postgres@", f"{PASSWORD_ROLE}@")
    assert "no tinycrm database in" in one_line_error(cli("--db", no_password, "contacts", "list"))


def test_a_database_without_the_schema_is_only_created_by_a_command_that_adds(
    cli: Invoke, empty_db: str
) -> None:
    err = one_line_error(cli("--db", empty_db, "contacts", "list"))
    assert "no tinycrm database in" in err
    assert tables_in(empty_db) == 0
    assert cli("--db", empty_db, "db", "check").exit_code == 1
    assert tables_in(empty_db) == 0
    migrated = cli("--db", empty_db, "db", "migrate")
    assert migrated.exit_code == 0, migrated.stderr
    assert f"migrated schema 0 → {schema.LATEST_VERSION}" in migrated.stdout
    assert cli("--db", empty_db, "contacts", "list", "--json").stdout.strip() == "[]"


def test_a_database_of_another_program_is_left_untouched(cli: Invoke, empty_db: str) -> None:
    name = empty_db.split("/")[-1].split("?")[0]
    subprocess_psql(empty_db, "CREATE TABLE invoices (id INTEGER)")
    err = one_line_error(cli("--db", empty_db, "contacts", "add", "Ann"))
    assert "not a tinycrm database" in err and name in err
    assert tables_in(empty_db) == 1


def subprocess_psql(url: str, sql: str) -> None:
    """Run `sql` on the database at `url` as its owner (psql, as an administrator would)."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(sql.encode())


def test_a_newer_schema_is_refused_and_left_untouched(cli: Invoke, db_location: str) -> None:
    subprocess_psql(db_location, "UPDATE tinycrm_schema SET version = 99")
    err = one_line_error(cli("contacts", "add", "Ann"))
    assert "newer tinycrm (schema 99" in err
    assert query_db("SELECT count(*) FROM contacts", location=db_location) == [(0,)]


def test_a_role_without_write_rights_writes_nothing(
    cli: Invoke, pg_cluster: Cluster, db_location: str
) -> None:
    assert cli("contacts", "add", "Ann").exit_code == 0
    subprocess_psql(
        db_location,
        "DO $$ BEGIN CREATE ROLE crm_reader LOGIN; EXCEPTION WHEN duplicate_object THEN NULL;"
        " END $$; GRANT SELECT ON ALL TABLES IN SCHEMA public TO crm_reader",
    )
    reader = db_location.replace("postgres@", "crm_reader@")
    assert cli("--db", reader, "contacts", "list", "--json").exit_code == 0
    err = one_line_error(cli("--db", reader, "notes", "add", "Ann", "hello", "--channel", "call"))
    assert "permission denied" in err and "nothing was written" in err
    assert query_db("SELECT count(*) FROM notes", location=db_location) == [(0,)]
    assert query_db("SELECT last_touch_on FROM contacts", location=db_location) == [(None,)]


@pytest.mark.parametrize(
    "typo",
    [
        "postgresql://postgres@/no_such_database?host={socket}",
        "postgresql://postgres@/crm?host={socket}&sslmdoe=disable",
        "postgresql://postgres@:notaport/crm",
    ],
)
def test_a_url_typo_is_one_line(cli: Invoke, pg_cluster: Cluster, typo: str) -> None:
    err = one_line_error(cli("--db", typo.format(socket=pg_cluster.socket_dir), "contacts", "list"))
    assert err.startswith("crm: cannot ")


def test_forget_deletes_every_row_and_says_what_postgresql_keeps(
    cli: Invoke, db_location: str
) -> None:
    assert cli("contacts", "add", "Zeb Quack", "--email", "zeb@quack.example").exit_code == 0
    assert cli("contacts", "add", "Keep Me").exit_code == 0
    assert cli("notes", "add", "Zeb", "walrusplan confidential").exit_code == 0
    result = cli("contacts", "forget", "Zeb", "--yes")
    assert result.exit_code == 0, result.stderr
    assert "VACUUM FULL" in result.stderr and "write-ahead log" in result.stderr
    for sql in (
        "SELECT count(*) FROM search_index WHERE body ILIKE '%quack%' OR body LIKE '%walrus%'",
        "SELECT count(*) FROM notes",
        "SELECT count(*) FROM contact_emails",
        "SELECT count(*) FROM contacts WHERE name = 'Zeb Quack'",
        "SELECT count(*) FROM search_index_words WHERE word IN ('zeb', 'quack', 'walrusplan')",
    ):
        assert query_db(sql, location=db_location) == [(0,)], sql
    assert json.loads(cli("contacts", "search", "walrusplan", "--json").stdout) == []


def listed_words(url: str) -> set[str]:
    return {row[0] for row in query_db("SELECT word FROM search_index_words", location=url)}


def indexed_words(url: str) -> set[str]:
    sql = "SELECT word FROM ts_stat('SELECT document FROM search_index')"
    return {row[0] for row in query_db(sql, location=url)}


def test_the_search_word_list_follows_every_change_and_forget_leaves_none_of_the_words(
    cli: Invoke, db_location: str
) -> None:
    assert cli("contacts", "add", "Zeb Quack", "--email", "zeb@quack.example").exit_code == 0
    assert cli("contacts", "add", "Keep Me", "--company", "Quackworks").exit_code == 0
    assert cli("contacts", "add", "Old Name").exit_code == 0
    assert cli("notes", "add", "Zeb", "walrusplan walrusdeal shared").exit_code == 0
    assert cli("contacts", "edit", "Zeb", "--name", "Zebediah Quack").exit_code == 0
    assert cli("notes", "add", "Keep Me", "met Zebediah Quack: walrusdeal").exit_code == 0
    assert cli("contacts", "merge", "Zebediah", "Old Name", "--keep", "first").exit_code == 0
    assert listed_words(db_location) == indexed_words(db_location)
    assert {"zeb", "zebediah", "walrusplan", "walrusdeal"} <= listed_words(db_location)
    hits = json.loads(cli("contacts", "search", "walrus", "--json").stdout)
    assert sorted(hit["name"] for hit in hits) == ["Keep Me", "Zebediah Quack"]
    forgot = cli("contacts", "forget", "Zebediah", "--yes", "--redact-mentions")
    assert forgot.exit_code == 0, forgot.stderr
    assert listed_words(db_location) == indexed_words(db_location)
    assert not listed_words(db_location) & {"zeb", "zebediah", "quack", "walrusplan"}
    assert "walrusdeal" in listed_words(db_location)  # Keep Me's note still holds it
    assert json.loads(cli("contacts", "search", "zeb", "--json").stdout) == []
    [kept] = json.loads(cli("contacts", "search", "walrus", "--json").stdout)
    assert kept["name"] == "Keep Me"


def test_a_copy_into_postgresql_lists_its_words_and_a_replace_forgets_the_old_ones(
    cli: Invoke, empty_db: str, isolated_env: Path
) -> None:
    demo, other = isolated_env / "demo.db", isolated_env / "other.db"
    assert cli("--db", str(demo), "demo").exit_code == 0
    assert cli("--db", str(other), "contacts", "add", "Quentin Zarkovsky").exit_code == 0
    assert cli("db", "copy", str(other), empty_db).exit_code == 0
    assert "zarkovsky" in listed_words(empty_db)
    replaced = cli("db", "copy", str(demo), empty_db, "--replace")
    assert replaced.exit_code == 0, replaced.stderr
    assert listed_words(empty_db) == indexed_words(empty_db)
    assert "zarkovsky" not in listed_words(empty_db)


def test_db_check_on_postgresql_finds_drift_and_says_what_it_cannot_verify(
    cli: Invoke, db_location: str
) -> None:
    assert cli("contacts", "add", "Ann").exit_code == 0
    healthy = cli("db", "check", "--json")
    assert healthy.exit_code == 0, healthy.stdout
    report = json.loads(healthy.stdout)
    assert report["ok"] and report["counts"]["contacts"] == 1
    assert report["schema_version"] == schema.LATEST_VERSION
    assert any("amcheck" in note for note in report["notes"])
    subprocess_psql(db_location, "CREATE EXTENSION amcheck")
    assert json.loads(cli("db", "check", "--json").stdout)["notes"] == []
    subprocess_psql(db_location, "DROP INDEX contacts_name; ALTER TABLE notes ADD COLUMN x TEXT")
    drifted = cli("db", "check", "--json")
    assert drifted.exit_code == 1
    assert json.loads(drifted.stdout)["problems"] == [
        "index contacts_name is missing",
        "table notes differs from the schema",
    ]


def test_db_check_by_a_role_that_may_not_create_a_schema_says_what_it_skipped(
    cli: Invoke, db_location: str, pg_cluster: Cluster, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert cli("contacts", "add", "Ann").exit_code == 0
    name = urlsplit(db_location).path.lstrip("/")
    monkeypatch.setenv("CRM_DB", pg_cluster.writer(name, "crm_clerk"))
    checked = cli("db", "check", "--json")
    assert checked.exit_code == 0, checked.stderr
    report = json.loads(checked.stdout)
    assert report["ok"] and report["counts"]["contacts"] == 1
    assert any("schema was not compared" in note for note in report["notes"])


@pytest.mark.skipif(shutil.which("pg_dump") is None, reason="pg_dump is not installed")
def test_db_backup_on_postgresql_runs_pg_dump(
    cli: Invoke, db_location: str, tmp_path: Path
) -> None:
    assert cli("contacts", "add", "Ann Lee").exit_code == 0
    target = tmp_path / "backups"
    target.mkdir()
    done = cli("db", "backup", str(target))
    assert done.exit_code == 0, done.stderr
    dump = target / "tinycrm.dump"
    assert dump.stat().st_mode & 0o777 == 0o600
    listing = subprocess.run(
        ["pg_restore", "--list", str(dump)], capture_output=True, text=True, check=True
    ).stdout
    assert "TABLE DATA public contacts" in listing
    assert cli("db", "backup", str(target)).exit_code == 1  # exists: --force to replace


def test_db_backup_without_pg_dump_points_to_it(
    cli: Invoke, db_location: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    err = one_line_error(cli("db", "backup", str(tmp_path / "x.dump")))
    assert "pg_dump is not installed" in err
    assert not (tmp_path / "x.dump").exists()


def _own_env() -> dict[str, str]:
    """The environment without tinycrm's settings and coverage's subprocess hook (which
    stores its data with sqlite3: not what crm imports)."""
    return {k: v for k, v in os.environ.items() if not k.startswith(("CRM_", "COVERAGE_"))}


def test_postgresql_commands_never_import_sqlite3(db_location: str) -> None:
    """The SQLite backend (and sqlite3) loads only for a file, as psycopg only for a URL."""
    env = _own_env()
    code = (
        "import sys; from tinycrm.cli.app import run;"
        f" run(['--db', {db_location!r}, 'contacts', 'add', 'Ann', '--email', 'ann@a.example']);"
        f" run(['--db', {db_location!r}, 'follow-ups', 'today']);"
        f" run(['--db', {db_location!r}, 'contacts', 'show', 'Ann']);"
        " print('sqlite3' in sys.modules, 'tinycrm.store.connection' in sys.modules)"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True
    )
    assert "Ann" in done.stdout
    assert done.stdout.strip().splitlines()[-1] == "False False"


def test_sqlite_commands_never_import_psycopg(tmp_path: Path) -> None:
    env = _own_env()
    code = (
        "import sys; from tinycrm.cli.app import run;"
        f" run(['--db', {str(tmp_path / 'crm.db')!r}, 'contacts', 'add', 'Ann']);"
        f" run(['--db', {str(tmp_path / 'crm.db')!r}, 'contacts', 'list']);"
        " print('psycopg' in sys.modules)"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True
    )
    assert done.stdout.strip().splitlines()[-1] == "False"
