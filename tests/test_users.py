"""People (issue 16): users, who runs a command, who may do what, and the upgrade that turns
free-text owners into users. Both backends."""

from __future__ import annotations

import itertools
import json
from pathlib import Path
from typing import Any

import pytest

import pgcluster
from conftest import Invoke
from tinycrm.store import open_database
from tinycrm.store.schema import LATEST_VERSION, MIGRATIONS, USERS_VERSION
from tinycrm.store.schema_pg import MIGRATIONS as PG_MIGRATIONS


def ok(cli: Invoke, *args: str) -> Any:
    result = cli(*args, "--json")
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def refused(cli: Invoke, *args: str, code: int = 1) -> str:
    """The one stderr line of a command that must fail with `code`."""
    result = cli(*args)
    assert result.exit_code == code, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("crm: "), result.stderr
    assert "Traceback" not in result.output
    return lines[0]


@pytest.fixture
def team(cli: Invoke, monkeypatch: pytest.MonkeyPatch) -> None:
    """Ann (admin, login ann) and Bob (staff, login bob); commands run as Ann (CRM_USER)."""
    ok(cli, "users", "add", "Ann Smith", "--email", "ann@shop.example", "--login", "ann")
    monkeypatch.setenv("CRM_USER", "ann")
    ok(cli, "users", "add", "Bob Jones", "--email", "bob@shop.example", "--login", "bob")
    ok(cli, "contacts", "add", "Chloé Martin", "--owner", "Ann Smith")


def test_a_crm_without_users_works_as_before(cli: Invoke) -> None:
    ok(cli, "contacts", "add", "Chloé Martin")
    assert ok(cli, "contacts", "edit", "Chloé", "--stage", "awareness")["version"] == 2
    result = cli("users", "list")
    assert result.exit_code == 0 and "one-person shop" in result.stderr
    me = ok(cli, "users", "whoami")
    assert (me["user"], me["may_write"]) == (None, True)


def test_the_first_user_is_the_admin_with_your_login(cli: Invoke) -> None:
    ok(cli, "contacts", "add", "Chloé Martin")
    me = ok(cli, "users", "whoami")
    added = ok(cli, "users", "add", "Ann Smith", "--email", "ann@shop.example")
    assert (added["admin"], added["login"]) == (True, me["login"])
    now = ok(cli, "users", "whoami")
    assert (now["user"]["name"], now["may_write"]) == ("Ann Smith", True)
    second = ok(cli, "users", "add", "Bob Jones", "--email", "bob@shop.example")
    assert (second["admin"], second["login"]) == (False, None)


def test_once_there_is_a_team_a_stranger_may_read_but_not_write(
    cli: Invoke, team: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("CRM_USER")
    before = ok(cli, "contacts", "list")
    line = refused(cli, "contacts", "add", "Dan Brown")
    assert "crm users add" in line and "--as" in line and "nothing was changed" in line
    assert refused(cli, "contacts", "edit", "Chloé", "--stage", "awareness") == line
    assert ok(cli, "contacts", "list") == before
    assert ok(cli, "users", "whoami")["may_write"] is False


def test_crm_user_and_as_say_who_is_working(
    cli: Invoke, team: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert ok(cli, "users", "whoami")["user"]["name"] == "Ann Smith"
    # an admin may act as someone else
    assert ok(cli, "--as", "Bob", "users", "whoami")["user"]["name"] == "Bob Jones"
    ok(cli, "--as", "bob", "contacts", "edit", "Chloé", "--stage", "awareness")
    monkeypatch.setenv("CRM_USER", "bob")
    before = ok(cli, "contacts", "show", "Chloé")
    line = refused(cli, "--as", "Ann", "contacts", "edit", "Chloé", "--stage", "expansion")
    assert line == "crm: --as Ann Smith needs an admin; Bob Jones is not one"
    assert ok(cli, "contacts", "show", "Chloé") == before
    assert ok(cli, "--as", "Bob Jones", "users", "whoami")["user"]["name"] == "Bob Jones"


def test_only_an_admin_manages_users(
    cli: Invoke, team: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CRM_USER", "bob")
    before = ok(cli, "users", "list")
    for args in (
        ("users", "add", "Cleo", "--email", "cleo@shop.example"),
        ("users", "edit", "Bob", "--admin"),
        ("users", "deactivate", "Ann"),
        ("users", "hand-over", "Ann", "--to", "Bob"),
    ):
        assert "needs an admin; Bob Jones is not one" in refused(cli, *args)
    assert ok(cli, "users", "list") == before


def test_users_are_edited_and_deactivated_never_deleted(cli: Invoke, team: None) -> None:
    edited = ok(cli, "users", "edit", "Bob", "--time-zone", "America/New_York", "--admin")
    assert (edited["time_zone"], edited["admin"], edited["version"]) == (
        "America/New_York",
        True,
        2,
    )
    ok(cli, "contacts", "add", "Dan Brown", "--owner", "bob")
    result = cli("users", "deactivate", "Bob")
    assert result.exit_code == 0
    assert "Bob Jones still holds 1 customer" in result.stderr
    assert "crm users hand-over" in result.stderr
    listed = {u["name"]: u for u in ok(cli, "users", "list")}
    assert listed["Bob Jones"]["active"] is False
    assert listed["Bob Jones"]["holds"]["customers"] == 1
    assert ok(cli, "contacts", "show", "Dan")["owner"] == "Bob Jones"  # still shown by name


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("contacts", "edit", "Chloé", "--owner", "Zed"), "no user 'Zed'"),
        (("contacts", "edit", "Chloé", "--owner", "Cleo"), "Cleo Ray is deactivated"),
        (("contacts", "edit", "Chloé", "--owner", "An"), "'An' matches 2 users"),
        (("users", "hand-over", "Ann", "--to", "ann"), "cannot hand over to themselves"),
        (("users", "hand-over", "Ann", "--to", "Cleo"), "Cleo Ray is deactivated"),
        (("users", "add", "ann  SMITH", "--email", "a@b.example"), "a user named Ann Smith"),
        (("users", "add", "Dee", "--email", "d@b.example", "--login", "bob"), "login 'bob'"),
        (("users", "add", "Dee", "--email", "nope"), "not an email address"),
        (("users", "edit", "Bob", "--time-zone", "Mars/Olympus"), "unknown time zone"),
        (("users", "edit", "Ann", "--no-admin"), "the only admin"),
        (("--as", "Zed", "contacts", "list"), "no user 'Zed'"),
    ],
)
def test_bad_input_is_one_line_and_changes_nothing(
    cli: Invoke, team: None, args: tuple[str, ...], message: str
) -> None:
    ok(cli, "users", "add", "Anna Berg", "--email", "anna@shop.example")
    ok(cli, "users", "add", "Cleo Ray", "--email", "cleo@shop.example")
    ok(cli, "users", "deactivate", "Cleo")
    before = (ok(cli, "users", "list"), ok(cli, "contacts", "list"))
    usage = ("not an email address", "unknown time zone", "cannot hand over to themselves")
    code = 2 if message in usage else 1
    assert message in refused(cli, *args, code=code)
    assert (ok(cli, "users", "list"), ok(cli, "contacts", "list")) == before


def test_a_hand_over_moves_everything_and_says_what(cli: Invoke, team: None) -> None:
    ok(cli, "contacts", "add", "Dan Brown", "--owner", "Ann")
    ok(cli, "contacts", "add", "Eve Moss", "--owner", "Bob")
    ok(cli, "companies", "add", "Acme Ltd", "--owner", "Ann")
    done = ok(cli, "users", "hand-over", "Ann", "--to", "Bob")
    assert done["moved"] == {"customers": 2, "companies": 1, "follow_ups": 0, "cases": 0}
    owners = {c["name"]: c["owner"] for c in ok(cli, "contacts", "list")}
    assert owners == {
        "Chloé Martin": "Bob Jones",
        "Dan Brown": "Bob Jones",
        "Eve Moss": "Bob Jones",
    }
    result = cli("users", "hand-over", "Ann", "--to", "Bob")
    assert result.exit_code == 0 and "handed over nothing" in result.stdout


# -- the upgrade ---------------------------------------------------------------------------

STAMP = "2026-11-01T09:00:00+00:00"
OWNERS = [("Ann Lee", "Ann Smith"), ("Bob Stone", "ann  SMITH "), ("Cy Ward", "Ann Smith"),
          ("Dee Park", "Tom"), ("Eve Moss", None)]  # fmt: skip
_databases = itertools.count()


@pytest.fixture
def version_9(backend: str, isolated_env: Path, request: pytest.FixtureRequest) -> str:
    """A database as schema 9 left it, with free-text owners on contacts and a company."""
    if backend == "sqlite":
        location = str(isolated_env / "v9.db")
        db: Any = open_database(location, migrate=False, create=True)
        db.migrate(MIGRATIONS[: USERS_VERSION - 1])
    else:
        cluster: pgcluster.Cluster = request.getfixturevalue("pg_cluster")
        name = f"crm_v9_{next(_databases)}"
        cluster.psql(f"CREATE DATABASE {name}")
        location = cluster.url(name)
        db = open_database(location, migrate=False, create=True)
        db.migrate({v: s for v, s in PG_MIGRATIONS.items() if v < USERS_VERSION})
    with db.write() as conn:
        conn.executemany(
            "INSERT INTO contacts (name, owner, created_at, updated_at) VALUES (?, ?, ?, ?)",
            [(name, owner, STAMP, STAMP) for name, owner in OWNERS],
        )
        conn.execute(
            """INSERT INTO companies (name, name_key, owner, created_at, updated_at)
               VALUES ('Acme', 'acme', 'tom', ?, ?)""",
            (STAMP, STAMP),
        )
    assert db.schema_version() == USERS_VERSION - 1
    db.close()
    return location


def test_free_text_owners_become_users_merged_and_reported(cli: Invoke, version_9: str) -> None:
    dry = cli("--db", version_9, "db", "migrate", "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert "would make: 4 owner names became 2 users (2 spellings merged" in dry.stdout
    assert "'ann  SMITH' (1)" in dry.stdout and "dry run: nothing was changed" in dry.stderr
    reported = ok(cli, "--db", version_9, "db", "migrate", "--dry-run")
    applied = list(range(USERS_VERSION, LATEST_VERSION + 1))
    assert reported["applied"] == applied and reported["dry_run"] is True
    assert ok(cli, "--db", version_9, "db", "migrate", "--dry-run") == reported  # nothing done
    done = ok(cli, "--db", version_9, "db", "migrate")
    assert {(o["user"], o["spelling"], o["uses"]) for o in done["owners"]} == {
        ("Ann Smith", "Ann Smith", 2), ("Ann Smith", "ann  SMITH", 1),
        ("Tom", "Tom", 1), ("Tom", "tom", 1),
    }  # fmt: skip
    users = {u["name"]: u for u in ok(cli, "--db", version_9, "users", "list")}
    assert set(users) == {"Ann Smith", "Tom"}
    assert users["Ann Smith"]["holds"]["customers"] == 3
    assert users["Tom"]["holds"] == {"customers": 1, "companies": 1, "follow_ups": 0, "cases": 0}
    assert not any(u["admin"] for u in users.values())  # no team yet: nobody is asked
    owners = {c["name"]: c["owner"] for c in ok(cli, "--db", version_9, "contacts", "list")}
    assert owners["Bob Stone"] == "Ann Smith" and owners["Eve Moss"] is None
    ok(cli, "--db", version_9, "contacts", "edit", "Eve", "--owner", "tom")


def test_a_follow_up_done_twice_says_who_did_it_first(
    cli: Invoke, team: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    ok(cli, "follow-ups", "add", "Chloé", "Send the quote", "--due", "today")
    ok(cli, "follow-ups", "done", "1")
    monkeypatch.setenv("CRM_USER", "bob")
    before = ok(cli, "follow-ups", "list", "--status", "all")
    line = refused(cli, "follow-ups", "done", "1")
    assert line.startswith("crm: follow-up 1 is already done by Ann Smith at ")
    assert ok(cli, "follow-ups", "list", "--status", "all") == before
