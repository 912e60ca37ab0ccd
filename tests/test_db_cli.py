"""`crm db …` and the root command's conventions: version, help, errors, completion, demo."""

from __future__ import annotations

import json
import sqlite3
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import Invoke
from tinycrm import __version__
from tinycrm.cli.app import run


def test_version(cli: Invoke) -> None:
    result = cli("--version")
    assert result.exit_code == 0
    assert result.stdout == f"tinycrm {__version__}\n"


def test_no_arguments_prints_help(capsys: pytest.CaptureFixture[str]) -> None:
    assert run([]) == 0
    out = capsys.readouterr().out
    assert "Usage" in out and "contacts" in out


@pytest.mark.parametrize("group", ["contacts", "follow-ups", "report", "export", "db"])
def test_a_group_alone_prints_its_help(group: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert run([group]) == 0
    captured = capsys.readouterr()
    assert f"Usage: crm {group} [OPTIONS] COMMAND" in captured.out and captured.err == ""


def test_unknown_flag_is_one_line_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    for args in (["--bogus"], ["contacts", "list", "--bogus"], ["contacts", "frobnicate"]):
        assert run(args) == 2, args
        err = capsys.readouterr().err
        assert len(err.strip().splitlines()) == 1, err
        assert err.startswith("crm: ")


def test_installed_command_gives_no_traceback(tmp_path: Path) -> None:
    crm = Path(sys.executable).parent / "crm"
    if not crm.exists():
        pytest.skip("the crm script is not installed in this environment")
    env = {"CRM_DB": str(tmp_path / "adir"), "CRM_CONFIG": str(tmp_path / "c.toml"),
           "HOME": str(tmp_path), "PATH": "/usr/bin:/bin"}  # fmt: skip
    (tmp_path / "adir").mkdir()
    result = subprocess.run([crm, "contacts", "list"], capture_output=True, text=True, env=env)
    assert result.returncode == 1
    assert result.stderr.startswith("crm: ") and "Traceback" not in result.stderr


def test_show_completion(tmp_path: Path) -> None:
    """`--show-completion` prints the script for the shell it is run from: here bash (not the
    direct parent of the tests, which is sh under `make`); a second command keeps bash from
    replacing itself with `crm`."""
    crm = Path(sys.executable).parent / "crm"
    result = subprocess.run(
        ["bash", "-c", f"{crm} --show-completion; exit $?"],
        capture_output=True,
        text=True,
        check=False,
        env={"HOME": str(tmp_path), "PATH": "/usr/bin:/bin"},
    )
    assert result.returncode == 0, result.stderr
    assert "_CRM_COMPLETE" in result.stdout and "complete " in result.stdout


def test_completion_options_belong_to_crm_alone(cli: Invoke) -> None:
    assert "--install-completion" in cli("--help").stdout
    for command in (["follow-ups"], ["digest"], ["contacts", "add"], ["report"]):
        assert "completion" not in cli(*command, "--help").stdout, command


@pytest.mark.sqlite_only(reason="file paths for --db and CRM_DB")
def test_db_path_honours_option_and_env(cli: Invoke, isolated_env: Path) -> None:
    assert cli("db", "path").stdout.strip() == str(isolated_env / "crm.db")
    assert cli("--db", "/tmp/x.db", "db", "path").stdout.strip() == "/tmp/x.db"


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.mark.sqlite_only(reason="SQLite's online backup; PostgreSQL: test_postgres.py")
def test_backup_is_private_complete_and_not_overwritten(cli: Invoke, tmp_path: Path) -> None:
    assert cli("demo").exit_code == 0
    target = tmp_path / "backups" / "copy.db"
    target.parent.mkdir()
    assert cli("db", "backup", str(target)).exit_code == 0
    assert mode(target) == 0o600
    conn = sqlite3.connect(target)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert conn.execute("SELECT count(*) FROM contacts").fetchone()[0] >= 30
    conn.close()
    assert sorted(p.name for p in target.parent.iterdir()) == ["copy.db"]
    before = target.read_bytes()
    cli("contacts", "add", "Late Arrival")
    again = cli("db", "backup", str(target))
    assert again.exit_code == 1
    assert "--force" in again.stderr
    assert target.read_bytes() == before
    assert cli("db", "backup", str(target), "--force").exit_code == 0
    conn = sqlite3.connect(target)
    assert conn.execute("SELECT count(*) FROM contacts WHERE name = 'Late Arrival'").fetchone()
    conn.close()
    into_dir = cli("db", "backup", str(target.parent))
    assert into_dir.exit_code == 0
    assert mode(target.parent / "crm.db") == 0o600


def test_backup_to_a_missing_directory_fails_cleanly(cli: Invoke, tmp_path: Path) -> None:
    cli("contacts", "add", "Ann")
    result = cli("db", "backup", str(tmp_path / "missing" / "copy.db"))
    assert result.exit_code == 1
    assert len(result.stderr.strip().splitlines()) == 1


def test_check_healthy(cli: Invoke) -> None:
    cli("demo")
    result = cli("db", "check", "--json")
    assert result.exit_code == 0
    report = json.loads(result.stdout)
    assert report["ok"] is True
    assert report["counts"]["contacts"] >= 30


@pytest.mark.sqlite_only(reason="drift made with sqlite3; PostgreSQL: test_postgres.py")
def test_check_finds_schema_drift(cli: Invoke, isolated_env: Path) -> None:
    cli("demo")
    with sqlite3.connect(isolated_env / "crm.db") as conn:
        conn.execute("DROP INDEX notes_contact")
        conn.execute("CREATE TABLE scratch (x)")
    result = cli("db", "check", "--json")
    assert result.exit_code == 1
    assert json.loads(result.stdout)["problems"] == [
        "index notes_contact is missing",
        "table scratch is not part of the schema",
    ]


CHANGED_RULES = {
    # The cadence in force with "dedicated" at 31 days instead of 30.
    "table contacts": [
        "ALTER TABLE contacts DROP COLUMN cadence_in_force",
        """ALTER TABLE contacts ADD COLUMN cadence_in_force INTEGER GENERATED ALWAYS AS (
            CASE WHEN cadence_days IS NOT NULL THEN CASE WHEN cadence_days > 0 THEN cadence_days
            END ELSE CASE relationship_type WHEN 'dedicated' THEN 31 WHEN 'personal' THEN 60
            WHEN 'long-term' THEN 90 WHEN 'community' THEN 180 END END) VIRTUAL""",
    ],
    # The check-in index on an expression rather than the generated column.
    "index contacts_check_in_due": [
        "DROP INDEX contacts_check_in_due",
        """CREATE INDEX contacts_check_in_due ON contacts(date(last_touch_on, '+30 days'),
            relationship_type) WHERE check_in_due_on IS NOT NULL""",
    ],
}


@pytest.mark.parametrize("name", list(CHANGED_RULES))
@pytest.mark.sqlite_only(reason="a SQLite schema rewritten in place")
def test_check_sees_a_rule_changed_in_the_schema(
    cli: Invoke, isolated_env: Path, name: str
) -> None:
    """Generated columns and expression indexes are compared too, not only their names."""
    cli("demo")
    with sqlite3.connect(isolated_env / "crm.db") as conn:
        for statement in CHANGED_RULES[name]:
            conn.execute(statement)
    result = cli("db", "check", "--json")
    assert result.exit_code == 1
    assert json.loads(result.stdout)["problems"] == [f"{name} differs from the schema"]


def corrupt(path: Path, first_page: int, page: int = 4096) -> None:
    size = path.stat().st_size
    assert size >= 8 * page
    with path.open("r+b") as handle:  # scribble over every other page from `first_page`
        for number in range(first_page, size // page - 1, 2):
            handle.seek(number * page + 100)
            handle.write(b"\xde\xad\xbe\xef" * 200)


@pytest.mark.parametrize("where", ["data pages", "schema pages"])
@pytest.mark.sqlite_only(reason="damaged SQLite pages")
def test_check_finds_corruption(cli: Invoke, isolated_env: Path, where: str) -> None:
    assert cli("demo").exit_code == 0
    path = isolated_env / "crm.db"
    pages = path.stat().st_size // 4096
    corrupt(path, pages // 2 if where == "data pages" else 1)
    result = cli("db", "check")
    assert result.exit_code == 1
    assert "Traceback" not in result.stderr
    assert (
        "corrupt" in result.stderr
        or "malformed" in result.stderr
        or "problem" in (result.stdout + result.stderr)
    )
    as_json = cli("db", "check", "--json")
    assert as_json.exit_code == 1
    report = json.loads(as_json.stdout)
    assert report["ok"] is False
    assert report["problems"]
    other = cli("contacts", "list")
    assert other.exit_code == 1 or other.exit_code == 0  # may still read intact pages
    assert "Traceback" not in other.stderr


def test_demo_loads_a_shop_and_refuses_a_full_database(cli: Invoke) -> None:
    result = cli("demo")
    assert result.exit_code == 0
    contacts = json.loads(cli("contacts", "list", "--json").stdout)
    assert len(contacts) >= 30
    assert any(c["birthday"] for c in contacts)
    assert any(c["anniversaries"] for c in contacts)
    assert json.loads(cli("notes", "list", "--json").stdout)
    again = cli("demo")
    assert again.exit_code == 1
    assert "already holds" in again.stderr
    assert len(json.loads(cli("contacts", "list", "--json").stdout)) == len(contacts)
