"""Companies' keys fold case in every alphabet, the same on both backends (issue 15): one
company per name but for case and whitespace, and the upgrade (schema 17) that merges the
companies an older rule kept apart."""

from __future__ import annotations

import itertools
import json
from pathlib import Path
from typing import Any

import pytest

import pgcluster
from conftest import Invoke
from tinycrm.store import open_database
from tinycrm.store.schema import MIGRATIONS
from tinycrm.store.schema_data import FOLD_VERSION
from tinycrm.store.schema_pg import MIGRATIONS as PG_MIGRATIONS
from tinycrm.store.users import name_key

STAMP = "2026-11-01T09:00:00+00:00"
_databases = itertools.count()


def ok(cli: Invoke, *args: str) -> Any:
    result = cli(*args, "--json")
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def test_a_name_equal_but_for_case_in_any_alphabet_is_the_same_company(cli: Invoke) -> None:
    first = ok(cli, "companies", "add", "ÜBER GmbH")
    again = cli("companies", "add", "über  gmbh")
    assert again.exit_code == 1
    assert again.stderr.strip() == (
        f"crm: 'ÜBER GmbH' (id {first['id']}) is already a company, equal but for case or"
        f" spaces: use it (`crm companies show {first['id']}`); nothing was changed"
    )
    assert cli("companies", "add", "STRASSE AG").exit_code == 0
    assert cli("companies", "add", "Straße AG").exit_code == 1  # ß folds to ss
    assert [c["name"] for c in ok(cli, "companies", "list")] == ["STRASSE AG", "ÜBER GmbH"]


def test_contacts_find_their_company_by_any_case_of_its_name(cli: Invoke) -> None:
    ok(cli, "companies", "add", "ÜBER GmbH")
    ok(cli, "contacts", "add", "Ana Souza", "--company", "über gmbh")
    ok(cli, "contacts", "add", "Ben Ito", "--company", "ÜBER GMBH")
    people = ok(cli, "contacts", "list", "--company", "Über Gmbh")
    assert [(c["name"], c["company"]) for c in people] == [
        ("Ana Souza", "ÜBER GmbH"), ("Ben Ito", "ÜBER GmbH"),
    ]  # fmt: skip
    assert len(ok(cli, "companies", "list")) == 1
    found = ok(cli, "contacts", "search", "über")
    assert {c["name"] for c in found} == {"Ana Souza", "Ben Ito"}


# -- the upgrade ---------------------------------------------------------------------------

# Names an older rule kept apart: SQLite's lower() folds ASCII only, PostgreSQL's keeps ß.
PAIRS = {
    "sqlite": [("ÜBER GmbH", "über gmbh"), ("Straße AG", "STRASSE AG")],
    "postgresql": [("Straße AG", "STRASSE AG")],
}


@pytest.fixture
def before_fold(backend: str, isolated_env: Path, request: pytest.FixtureRequest) -> str:
    """A database as schema 16 left it: each pair's two companies (keys by that version's
    rule), a person at each, and a sale and a departure at the second."""
    if backend == "sqlite":
        location = str(isolated_env / "v16.db")
        db: Any = open_database(location, migrate=False, create=True)
        db.migrate(MIGRATIONS[: FOLD_VERSION - 1])
    else:
        cluster: pgcluster.Cluster = request.getfixturevalue("pg_cluster")
        name = f"crm_v16_{next(_databases)}"
        cluster.psql(f"CREATE DATABASE {name}")
        location = cluster.url(name)
        db = open_database(location, migrate=False, create=True)
        db.migrate({v: s for v, s in PG_MIGRATIONS.items() if v < FOLD_VERSION})
    with db.write() as conn:
        for number, pair in enumerate(PAIRS[backend]):
            for side, company in enumerate(pair):
                company_id = conn.execute(
                    f"""INSERT INTO companies (name, name_key, cadence_days, created_at,
                          updated_at) VALUES (?1, {name_key("?1")}, ?2, ?3, ?3) RETURNING id""",
                    (company, 30 if side else None, STAMP),
                ).fetchone()[0]
                contact_id = conn.execute(
                    """INSERT INTO contacts (name, company_id, created_at, updated_at)
                       VALUES (?, ?, ?, ?) RETURNING id""",
                    (f"Person {number}{side}", company_id, STAMP, STAMP),
                ).fetchone()[0]
            conn.execute(
                """INSERT INTO sales (contact_id, company_id, sold_on, amount_minor, currency,
                     created_at) VALUES (?, ?, '2026-10-01', 1000, 'EUR', ?)""",
                (contact_id, company_id, STAMP),
            )
            conn.execute(
                """INSERT INTO company_departures (contact_id, company_id, left_on)
                   VALUES (?, ?, '2026-10-02')""",
                (contact_id, company_id),
            )
    assert db.schema_version() == FOLD_VERSION - 1
    db.close()
    return location


def test_the_upgrade_merges_companies_one_but_for_case_and_says_so(
    cli: Invoke, before_fold: str, backend: str
) -> None:
    pairs = PAIRS[backend]
    done = ok(cli, "--db", before_fold, "db", "migrate")
    assert done["companies_merged"] == [{"name": b, "into": a} for a, b in pairs]
    companies = {c["name"]: c for c in ok(cli, "--db", before_fold, "companies", "list")}
    assert sorted(companies) == sorted(a for a, _ in pairs)
    for number, (kept, merged) in enumerate(pairs):
        people = ok(cli, "--db", before_fold, "contacts", "list", "--company", merged.upper())
        assert [c["name"] for c in people] == [f"Person {number}0", f"Person {number}1"]
        card = ok(cli, "--db", before_fold, "companies", "show", kept)
        assert card["cadence_days"] == 30  # the merged company's setting fills the gap
        assert len(card["sales"]) == 1 and len(card["left"]) == 1
    spellings = {
        s["spelling"]: c["name"]
        for c in ok(cli, "--db", before_fold, "companies", "merged")
        for s in c["spellings"]
    }
    assert spellings == {name: a for a, b in pairs for name in (a, b)}
    again = cli("--db", before_fold, "companies", "add", pairs[0][1].lower())
    assert again.exit_code == 1 and repr(pairs[0][0]) in again.stderr


def test_an_ordinary_command_that_upgrades_names_the_merged_companies(
    cli: Invoke, before_fold: str, backend: str
) -> None:
    listed = cli("--db", before_fold, "contacts", "list")
    assert listed.exit_code == 0, listed.stderr
    kept, merged = PAIRS[backend][0]
    more = " and 1 more" if backend == "sqlite" else ""
    assert f"merged company {merged!r} into {kept!r}{more} (the same name but for case)" in (
        listed.stderr
    )
