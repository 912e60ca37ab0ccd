"""The upgrade that turns free-text company names into companies: spellings differing only in
case and spaces become one company, reported, with a dry run that changes nothing."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from conftest import Invoke
from tinycrm.store.schema import COMPANIES_VERSION, LATEST_VERSION, MIGRATIONS

STAMP = "2026-11-01T09:00:00+00:00"
# (name, free-text company): Acme written four ways, Bolt two, one company-less person.
PEOPLE = [
    ("Ann Lee", "Acme Ltd"),
    ("Bob Stone", "ACME LTD"),
    ("Cy Ward", "  acme   ltd "),
    ("Dee Park", "Acme Ltd"),
    ("Eve Moss", "AcmeLtd"),
    ("Fay Holt", "Bolt & Co"),
    ("Gus Rand", "bolt & co"),
    ("Hal Nye", "Zed Works"),
    ("Ivy Lund", None),
]

pytestmark = pytest.mark.sqlite_only(
    reason="a SQLite file at schema 7 upgraded; PostgreSQL databases start at schema 8"
)


@pytest.fixture
def old_file(isolated_env: Path) -> Path:
    """A database as the version before companies wrote it, Ann's sale included."""
    path = isolated_env / "crm.db"
    conn = sqlite3.connect(path)
    for statements in MIGRATIONS[: COMPANIES_VERSION - 1]:
        for statement in statements:
            conn.execute(statement)
    conn.executemany(
        "INSERT INTO contacts (name, company, created_at, updated_at) VALUES (?, ?, ?, ?)",
        [(name, company, STAMP, STAMP) for name, company in PEOPLE],
    )
    conn.execute(  # each contact's search document, as that version wrote it
        """INSERT INTO search_index (rowid, body, contact_id)
           SELECT -id, name || ' ' || coalesce(company, ''), id FROM contacts"""
    )
    conn.execute(
        """INSERT INTO sales (contact_id, sold_on, amount_minor, currency, created_at)
           VALUES (1, '2026-11-02', 120000, 'EUR', ?)""",
        (STAMP,),
    )
    conn.execute(f"PRAGMA user_version = {COMPANIES_VERSION - 1}")
    conn.commit()
    conn.close()
    path.chmod(0o600)
    return path


def dump(path: Path) -> list[str]:
    conn = sqlite3.connect(path)
    try:
        return list(conn.iterdump())
    finally:
        conn.close()


def test_dry_run_reports_the_merge_and_changes_nothing(cli: Invoke, old_file: Path) -> None:
    before = dump(old_file)
    result = cli("db", "migrate", "--dry-run")
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == f"would migrate schema {COMPANIES_VERSION - 1} → {LATEST_VERSION}"
    assert lines[1] == (
        "would make: 7 company names became 3 companies (4 spellings merged by case and spaces)"
    )
    assert lines[2] == "company\tspellings_merged\tcontacts"
    assert lines[3:] == [
        "Acme Ltd\t'Acme Ltd' (2), 'ACME LTD' (1), 'AcmeLtd' (1), 'acme   ltd' (1)\t5",
        "Bolt & Co\t'Bolt & Co' (1), 'bolt & co' (1)\t2",
    ]
    assert "dry run: nothing was changed" in result.stderr
    assert dump(old_file) == before


def test_dry_run_as_json_names_every_company_and_its_spellings(cli: Invoke, old_file: Path) -> None:
    result = cli("db", "migrate", "--dry-run", "--json")
    assert result.exit_code == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["dry_run"] is True
    made = {c["name"]: sorted(s["spelling"] for s in c["spellings"]) for c in report["companies"]}
    assert made == {
        "Acme Ltd": ["ACME LTD", "Acme Ltd", "AcmeLtd", "acme   ltd"],
        "Bolt & Co": ["Bolt & Co", "bolt & co"],
        "Zed Works": ["Zed Works"],
    }
    assert sqlite3.connect(old_file).execute("PRAGMA user_version").fetchone()[0] == (
        COMPANIES_VERSION - 1
    )


def test_an_ordinary_command_upgrades_and_says_so_in_one_line(cli: Invoke, old_file: Path) -> None:
    listed = cli("contacts", "list", "--company", "acme ltd", "--json")
    assert listed.exit_code == 0
    assert listed.stderr.splitlines() == [
        f"crm: upgraded the database to schema {LATEST_VERSION}: 7 company names became 3"
        " companies (4 spellings merged by case and spaces); `crm companies merged` lists them"
    ]
    people = json.loads(listed.stdout)
    assert [p["name"] for p in people] == [
        "Ann Lee", "Bob Stone", "Cy Ward", "Dee Park", "Eve Moss"
    ]  # fmt: skip
    assert {p["company"] for p in people} == {"Acme Ltd"}
    assert cli("contacts", "list").stderr == ""  # said once, on the upgrade

    companies = json.loads(cli("companies", "list", "--json").stdout)
    assert [(c["name"], c["people"]) for c in companies] == [
        ("Acme Ltd", 5), ("Bolt & Co", 2), ("Zed Works", 1)
    ]  # fmt: skip
    merged = cli("companies", "merged")
    assert merged.stdout.splitlines()[0] == (
        "7 company names became 3 companies (4 spellings merged by case and spaces)"
    )
    # the company text lives in one place now: a new spelling links to the existing company
    added = cli("contacts", "add", "Jo Kay", "--company", "ACME ltd")
    assert "at Acme Ltd (existing company 1)" in added.stdout
    found = json.loads(cli("contacts", "search", "acme", "--json").stdout)
    assert len(found) == 6


def test_db_migrate_reports_after_upgrading(cli: Invoke, old_file: Path) -> None:
    result = cli("db", "migrate")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines()[:2] == [
        f"migrated schema {COMPANIES_VERSION - 1} → {LATEST_VERSION}",
        "7 company names became 3 companies (4 spellings merged by case and spaces)",
    ]
    again = cli("db", "migrate", "--dry-run")
    assert again.stdout == f"schema is up to date (version {LATEST_VERSION})\n"
    assert cli("db", "check").exit_code == 0
    # Ann's sale, made before companies existed, belongs to her company
    left = cli("contacts", "edit", "Ann Lee", "--left-company")
    assert left.stdout.splitlines()[0] == (
        "Ann Lee left Acme Ltd (1 sale stays with it); follow-up 1: Find the new contact at"
        " Acme Ltd (Ann Lee left)"
    )
