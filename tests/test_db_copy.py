"""`crm db copy SRC DEST`: a whole CRM moved between backends, in one transaction.

The round trip SQLite → PostgreSQL → SQLite must leave every command's output as it was; a
destination with rows is refused unless --replace; a copy that fails leaves the destination as
it was (a new file is not left behind); bad input is one line and exit 1.
"""

from __future__ import annotations

import itertools
import json
import os
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from typer.testing import CliRunner, Result

from pgcluster import Cluster
from tinycrm.cli import output
from tinycrm.cli.app import app
from tinycrm.config import is_server_url

Run = Callable[..., Result]
_names = itertools.count()

# Everything a user reads that does not name one contact (the loop below covers each contact).
WHOLE_CRM_VIEWS = (
    ("contacts", "list", "--json"),
    ("contacts", "list", "--archived", "--json"),
    ("follow-ups", "today", "--json"),
    ("report", "reorder", "--json"),
    ("report", "at-risk", "--json"),
    ("report", "top", "--json"),
    ("report", "lifecycle", "--json"),
    ("report", "satisfaction", "--json"),
    ("companies", "list", "--json"),
    ("digest", "--json"),
)


@pytest.fixture
def crm() -> Run:
    """`crm(args…)`: crm through Typer's test runner, output and exit code kept."""
    runner = CliRunner()

    def invoke(*args: str) -> Result:
        output.reset_console()
        return runner.invoke(app, list(args), catch_exceptions=False)

    return invoke


@pytest.fixture
def demo(crm: Run, isolated_env: Path) -> Path:
    """A SQLite file with `crm demo` loaded."""
    path = isolated_env / "demo.db"
    assert crm("--db", str(path), "demo").exit_code == 0
    return path


@pytest.fixture
def new_pg_database(pg_cluster: Cluster) -> Iterator[Callable[[], str]]:
    """Make empty PostgreSQL databases (as an administrator would) and drop them afterwards."""
    made: list[str] = []

    def make() -> str:
        name = f"crm_copy_{os.getpid()}_{next(_names)}"
        pg_cluster.psql(f"CREATE DATABASE {name}")
        made.append(name)
        return pg_cluster.url(name)

    yield make
    for name in made:
        pg_cluster.psql(f"DROP DATABASE {name} WITH (FORCE)")


@pytest.fixture(params=["sqlite", "postgresql"])
def destination(request: pytest.FixtureRequest, isolated_env: Path) -> str:
    """An empty destination on each backend: a file not yet made, or a new database."""
    if request.param == "sqlite":
        return str(isolated_env / f"copy-{next(_names)}.db")
    make: Callable[[], str] = request.getfixturevalue("new_pg_database")
    return make()


def view(crm: Run, location: str | Path, *args: str) -> object:
    result = crm("--db", str(location), *args)
    assert result.exit_code == 0, (args, result.stderr)
    return json.loads(result.stdout)


def contact_ids(crm: Run, location: str | Path) -> list[int]:
    active = view(crm, location, "contacts", "list", "--json")
    archived = view(crm, location, "contacts", "list", "--archived", "--json")
    assert isinstance(active, list) and isinstance(archived, list)
    return [contact["id"] for contact in active + archived]


def everything(crm: Run, location: str | Path, same_backend: bool = True) -> dict[str, object]:
    """What every view shows of the CRM at `location`: each contact's card and a search for
    its name included. Between backends a search is compared by what it found, in order: its
    `rank` is each backend's own score (FTS5's bm25, PostgreSQL's ts_rank) and its `match`
    excerpt each one's own cut (FTS5's snippet, PostgreSQL's ts_headline)."""
    shown: dict[str, object] = {" ".join(args): view(crm, location, *args) for args in
                                WHOLE_CRM_VIEWS}  # fmt: skip
    for contact_id in contact_ids(crm, location):
        card = view(crm, location, "contacts", "show", str(contact_id), "--json")
        assert isinstance(card, dict)
        shown[f"show {contact_id}"] = card
        found = view(crm, location, "contacts", "search", card["name"], "--json")
        assert isinstance(found, list)
        shown[f"search {card['name']}"] = found if same_backend else [r["id"] for r in found]
    return shown


def copy(crm: Run, source: str | Path, destination: str | Path, *more: str) -> Result:
    return crm("db", "copy", str(source), str(destination), *more)


def one_line_error(result: Result) -> str:
    assert result.exit_code == 1, (result.exit_code, result.stdout)
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert "Traceback" not in result.stderr
    return result.stderr


def test_sqlite_to_postgresql_to_sqlite_shows_the_same_crm(
    crm: Run, demo: Path, new_pg_database: Callable[[], str], isolated_env: Path
) -> None:
    team = new_pg_database()
    laptop = isolated_env / "laptop.db"
    assert copy(crm, demo, team).exit_code == 0
    assert copy(crm, team, laptop).exit_code == 0
    before = everything(crm, demo)
    assert len([key for key in before if key.startswith("show ")]) == len(contact_ids(crm, demo))
    assert everything(crm, team, same_backend=False) == everything(crm, demo, False)
    assert everything(crm, laptop) == before


def test_a_copy_to_postgresql_takes_new_records_after_the_copied_ids(
    crm: Run, demo: Path, new_pg_database: Callable[[], str]
) -> None:
    team = new_pg_database()
    assert copy(crm, demo, team).exit_code == 0
    highest = max(contact_ids(crm, team))
    added = view(crm, team, "contacts", "add", "Newcomer", "--json")
    assert isinstance(added, dict)
    assert added["id"] > highest
    assert max(contact_ids(crm, team)) == added["id"]


def test_a_copy_to_postgresql_gathers_the_planner_statistics_of_its_rows(
    crm: Run, demo: Path, new_pg_database: Callable[[], str], pg_cluster: Cluster
) -> None:
    """The team's first commands after the copy are planned for its rows, not for empty
    tables (autovacuum would gather the statistics only a minute or more later)."""
    team = new_pg_database()
    assert copy(crm, demo, team).exit_code == 0
    analyzed = pg_cluster.psql(
        "SELECT count(*) FROM pg_stat_user_tables WHERE last_analyze IS NOT NULL"
        " AND relname IN ('contacts', 'notes', 'follow_ups', 'search_index')",
        database=urlsplit(team).path.lstrip("/"),
    )
    assert analyzed == "4"


def test_the_copy_prints_each_tables_count_and_they_match_db_check(
    crm: Run, demo: Path, destination: str
) -> None:
    result = copy(crm, demo, destination, "--json")
    assert result.exit_code == 0, result.stderr
    counts = json.loads(result.stdout)["counts"]
    for location in (demo, destination):
        checked = view(crm, location, "db", "check", "--json")
        assert isinstance(checked, dict)
        assert checked["counts"] == {name: counts[name] for name in checked["counts"]}
    table = copy(crm, demo, destination, "--replace")
    assert table.exit_code == 0, table.stderr
    assert f"contacts\t{counts['contacts']}" in table.stdout


def test_a_destination_with_rows_is_refused_unless_replace(
    crm: Run, demo: Path, destination: str, isolated_env: Path
) -> None:
    other = isolated_env / "other.db"
    assert crm("--db", str(other), "contacts", "add", "Only Me").exit_code == 0
    assert copy(crm, other, destination).exit_code == 0
    held = everything(crm, destination)
    error = one_line_error(copy(crm, demo, destination))
    assert "not empty" in error and "--replace" in error
    assert everything(crm, destination) == held
    replaced = copy(crm, demo, destination, "--replace")
    assert replaced.exit_code == 0, replaced.stderr
    same = not is_server_url(destination)
    assert everything(crm, destination, same) == everything(crm, demo, same)


def dangling_note(path: Path) -> None:
    """A damaged source: a note of a contact that does not exist (written with SQLite's
    foreign keys off), found only when the copy reaches the notes."""
    file = sqlite3.connect(path)
    with file:
        file.execute(
            """INSERT INTO notes (contact_id, body, noted_on, created_at)
               VALUES (999999, 'orphan', '2026-01-01', '2026-01-01T00:00:00+00:00')"""
        )
    file.close()


def test_a_copy_that_fails_midway_leaves_the_destination_as_it_was(
    crm: Run, demo: Path, destination: str, isolated_env: Path
) -> None:
    other = isolated_env / "other.db"
    assert crm("--db", str(other), "contacts", "add", "Only Me").exit_code == 0
    assert copy(crm, other, destination).exit_code == 0
    held = everything(crm, destination)
    dangling_note(demo)
    error = one_line_error(copy(crm, demo, destination, "--replace"))
    assert "notes" in error
    assert everything(crm, destination) == held


def test_a_failed_copy_to_a_new_file_leaves_no_file(
    crm: Run, demo: Path, isolated_env: Path
) -> None:
    dangling_note(demo)
    target = isolated_env / "new.db"
    one_line_error(copy(crm, demo, target))
    assert list(isolated_env.glob("new.db*")) == []


def test_counts_that_differ_roll_the_copy_back(crm: Run, demo: Path, destination: str) -> None:
    file = sqlite3.connect(demo)
    with file:  # a source whose search index lost a note's entry
        file.execute("DELETE FROM search_index WHERE rowid = (SELECT max(id) FROM notes)")
    file.close()
    error = one_line_error(copy(crm, demo, destination))
    assert "search_index" in error and "nothing was copied" in error
    assert crm("--db", destination, "contacts", "list").exit_code == 1  # still no CRM there


def test_bad_input_is_one_line_and_writes_nothing(crm: Run, demo: Path, isolated_env: Path) -> None:
    missing = one_line_error(copy(crm, isolated_env / "missing.db", isolated_env / "to.db"))
    assert "missing.db" in missing
    same = one_line_error(copy(crm, demo, demo))
    assert "same database" in same
    away = one_line_error(copy(crm, demo, "postgresql://ann:s3cret@127.0.0.1:9/crm"))
    assert "s3cret" not in away and "ann:***@127.0.0.1:9" in away
    assert list(isolated_env.glob("to.db*")) == []


def test_a_source_at_another_schema_version_is_refused(crm: Run, isolated_env: Path) -> None:
    old = isolated_env / "old.db"
    old.write_bytes((Path(__file__).parent / "fixtures" / "schema-v7.db").read_bytes())
    error = one_line_error(copy(crm, old, isolated_env / "to.db"))
    assert "schema 7" in error and "db migrate" in error
    assert not (isolated_env / "to.db").exists()


def test_the_same_postgresql_database_is_refused(
    crm: Run, demo: Path, new_pg_database: Callable[[], str]
) -> None:
    team = new_pg_database()
    assert copy(crm, demo, team).exit_code == 0
    assert "same database" in one_line_error(copy(crm, team, team, "--replace"))
    assert len(contact_ids(crm, team)) == len(contact_ids(crm, demo))


def test_a_role_that_does_not_own_the_tables_copies_the_same_crm(
    crm: Run, demo: Path, new_pg_database: Callable[[], str], pg_cluster: Cluster
) -> None:
    """The administrator made the schema; a role with write rights only copies into it (the
    tables' triggers then derive the statistics row by row, as the owner's bulk pass does)."""
    team = new_pg_database()
    assert crm("--db", team, "db", "migrate").exit_code == 0
    name = urlsplit(team).path.lstrip("/")
    writer = pg_cluster.writer(name, "crm_writer")
    copied = copy(crm, demo, writer)
    assert copied.exit_code == 0, copied.stderr
    assert everything(crm, writer, same_backend=False) == everything(crm, demo, False)
