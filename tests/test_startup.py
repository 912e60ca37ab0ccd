"""Start-up stays lean: the everyday commands import no heavy third-party library, and what
every command shares imports none of the services it does not use.

Each command runs as `python -m tinycrm` in a fresh interpreter, which lists what it imports
(`-X importtime`), since the test process itself has imported everything.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

# Tens of milliseconds each to import; only the commands that need them may load them.
HEAVY = {"rich", "textual", "sqlite_utils", "vobject", "icalendar", "pydantic", "psycopg"}


def imported_modules(db: Path, *args: str, config: Path | None = None) -> set[str]:
    """Every module `crm --db DB ARGS…` imports (the command must succeed); `config`: the
    config file named by CRM_CONFIG (else the default place under HOME is looked at)."""
    # Coverage's subprocess hook reads pyproject.toml (tomllib): not what crm imports.
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CRM_", "XDG_", "COVERAGE_"))}
    env["HOME"] = str(db.parent)
    if config is not None:
        env["CRM_CONFIG"] = str(config)
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "tinycrm", "--db", str(db), *args],
        capture_output=True, text=True, env=env, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    return {
        line.rsplit("|", 1)[-1].strip()
        for line in done.stderr.splitlines()
        if line.startswith("import time:")
    }


def heavy_imports(db: Path, *args: str) -> set[str]:
    """The heavy libraries `crm --db DB ARGS…` imports."""
    return {name.split(".")[0] for name in imported_modules(db, *args)} & HEAVY


def service_imports(db: Path, *args: str) -> set[str]:
    """The tinycrm services `crm --db DB ARGS…` imports."""
    return {name for name in imported_modules(db, *args) if name.startswith("tinycrm.services.")}


@pytest.mark.parametrize(
    "command",
    [
        "--version",
        "contacts list",
        "contacts show Ann",
        "contacts search Ann",
        "notes list",
        "follow-ups today",
        "follow-ups upcoming",
        "report at-risk",
        "digest",
    ],
)
def test_everyday_commands_import_no_heavy_library(tmp_path: Path, command: str) -> None:
    db = tmp_path / "crm.db"
    assert heavy_imports(db, "contacts", "add", "Ann") == set()
    assert heavy_imports(db, *command.split()) == set()


def test_the_check_sees_a_heavy_import(tmp_path: Path) -> None:
    """The calendar export needs icalendar: the check notices it, so it can fail."""
    db = tmp_path / "crm.db"
    assert heavy_imports(db, "contacts", "add", "Ann") == set()
    assert heavy_imports(db, "export", "ics", "--output", str(tmp_path / "out.ics")) == {
        "icalendar"
    }


def test_what_every_command_shares_imports_one_service(tmp_path: Path) -> None:
    """Opening the database says what an automatic upgrade did (services.upgrades) and who
    is signed in (services.identity); the companies and the database housekeeping (15-35 ms)
    are for their own commands."""
    db = tmp_path / "crm.db"
    assert heavy_imports(db, "contacts", "add", "Ann") == set()
    shared = {"tinycrm.services.upgrades", "tinycrm.services.identity"}
    assert service_imports(db, "--version") == shared
    for command in ("notes list", "follow-ups today"):
        imported = service_imports(db, *command.split())
        assert "tinycrm.services.upgrades" in imported
        assert not imported & {"tinycrm.services.companies", "tinycrm.services.maintenance"}


def test_finding_a_contact_imports_none_of_the_transfer_services(tmp_path: Path) -> None:
    """`contacts import|export|sync|merge|forget` (cli/transfer.py) load when they are used,
    so search and show do not pay for the file formats; import still works."""
    db = tmp_path / "crm.db"
    assert heavy_imports(db, "contacts", "add", "Ann") == set()
    transfer = {
        "tinycrm.services.importing",
        "tinycrm.services.exporting",
        "tinycrm.services.merging",
        "tinycrm.services.restoring",
    }
    for command in ("contacts search Ann", "contacts show Ann", "contacts list"):
        assert not service_imports(db, *command.split()) & transfer
    card = tmp_path / "bob.vcf"
    card.write_text("BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Bob Stone\r\nEND:VCARD\r\n")
    assert "tinycrm.services.importing" in service_imports(db, "contacts", "import", str(card))


def test_a_command_loads_only_the_repositories_it_uses(tmp_path: Path) -> None:
    """The store imports a repository's module when the repository is first used, and the
    PostgreSQL backend only for a server URL, so a SQLite file's queue loads neither the
    reports' SQL nor the server's; a report still finds its own."""
    db = tmp_path / "crm.db"
    assert heavy_imports(db, "contacts", "add", "Ann") == set()
    unused = {"tinycrm.store.postgres", "tinycrm.store.reports", "tinycrm.store.atrisk"}
    assert not imported_modules(db, "follow-ups", "today") & unused
    assert {"tinycrm.store.reports", "tinycrm.store.atrisk"} <= imported_modules(
        db, "report", "at-risk"
    )


def test_the_queue_imports_none_of_the_services_that_act_on_it(tmp_path: Path) -> None:
    """`follow-ups today|overdue|upcoming` only read: the services that add a follow-up or
    act on a row (and the contacts and satisfaction services they use) load for `add`,
    `list`, `done`, `snooze` and `skip` (cli/followup_actions.py), which still work."""
    db = tmp_path / "crm.db"
    assert heavy_imports(db, "contacts", "add", "Ann") == set()
    acting = {
        "tinycrm.services.followups.actions",
        "tinycrm.services.followups.stored",
        "tinycrm.services.contacts",
        "tinycrm.services.satisfaction",
    }
    for command in ("follow-ups today", "follow-ups overdue", "follow-ups upcoming"):
        assert not service_imports(db, *command.split()) & acting
    added = service_imports(db, "follow-ups", "add", "Ann", "Call back", "--due", "today")
    assert "tinycrm.services.followups.stored" in added
    assert "tinycrm.services.followups.actions" in service_imports(db, "follow-ups", "done", "1")


def test_a_command_loads_only_the_records_it_uses(tmp_path: Path) -> None:
    """Records are imported from their feature's module, and the history's writers only
    name the records they describe in type hints, so the queue does not load the reports',
    sales', cases', notes', scores' or companies' records (the schema's upgrade needs only a
    company's key, company_names); a report still finds its own."""
    db = tmp_path / "crm.db"
    assert heavy_imports(db, "contacts", "add", "Ann") == set()
    unused = {
        "tinycrm.models.companies",
        "tinycrm.models.reports",
        "tinycrm.models.sales",
        "tinycrm.models.cases",
        "tinycrm.models.notes",
        "tinycrm.models.satisfaction",
    }
    assert not imported_modules(db, "follow-ups", "today") & unused
    assert "tinycrm.models.reports" in imported_modules(db, "report", "top")
    assert "tinycrm.models.companies" in imported_modules(db, "companies", "list")


def test_who_is_signed_in_loads_neither_user_management_nor_the_contact_records(
    tmp_path: Path,
) -> None:
    """Every command finds who runs it (services.identity); managing users (their time zones,
    hand-overs, the history of their changes) and the contact's records are for the commands
    that use them, so the queue does not load them; `users add` still does."""
    db = tmp_path / "crm.db"
    assert heavy_imports(db, "contacts", "add", "Ann") == set()
    unused = {
        "tinycrm.services.users",
        "tinycrm.services.history",
        "tinycrm.models.contacts",
        "zoneinfo",
    }
    for command in ("--version", "follow-ups today", "follow-ups upcoming"):
        assert not imported_modules(db, *command.split()) & unused
    added = imported_modules(db, "users", "add", "Bob", "--email", "bob@example.org")
    assert {"tinycrm.services.users", "tinycrm.services.history"} <= added


def test_the_config_file_is_parsed_only_when_there_is_one(tmp_path: Path) -> None:
    """Without a config file (CRM_CONFIG naming none) and with --db, a command needs neither
    the TOML parser nor the platform's directories; a config file is still read."""
    db = tmp_path / "crm.db"
    assert heavy_imports(db, "contacts", "add", "Ann") == set()
    none = tmp_path / "none.toml"
    assert not imported_modules(db, "follow-ups", "today", config=none) & {
        "tomllib",
        "platformdirs",
    }
    config = tmp_path / "config.toml"
    config.write_text('[dates]\nnumeric_order = "month-first"\n')
    assert "tomllib" in imported_modules(db, "follow-ups", "today", config=config)
    assert "platformdirs" in imported_modules(db, "follow-ups", "today")


def test_finding_a_contact_loads_none_of_the_services_that_record_scores(tmp_path: Path) -> None:
    """The card and a company's card read a satisfaction trend (services.trend); recording a
    score, with the follow-up it completes (services.satisfaction, followups.actions), is for
    `satisfaction add`, which still works."""
    db = tmp_path / "crm.db"
    assert heavy_imports(db, "contacts", "add", "Ann") == set()
    recording = {"tinycrm.services.satisfaction", "tinycrm.services.followups.actions"}
    for command in ("contacts show Ann", "contacts search Ann", "contacts list"):
        assert not service_imports(db, *command.split()) & recording
    assert recording <= service_imports(db, "satisfaction", "add", "Ann", "5")


def test_finding_a_contact_loads_neither_the_card_nor_the_queue(tmp_path: Path) -> None:
    """`contacts show` (cli/contact_card.py) loads when used: search and list do not import
    the card's sections (the queue, mail, notes) nor the companies' cards and reports (a
    departure, `edit --left-company`, is services.departures); show and companies have them."""
    db = tmp_path / "crm.db"
    assert heavy_imports(db, "contacts", "add", "Ann") == set()
    card = {"tinycrm.services.card", "tinycrm.services.followups", "tinycrm.store.mail"}
    for command in ("contacts search Ann", "contacts list"):
        assert not imported_modules(db, *command.split()) & {*card, "tinycrm.services.companies"}
    assert card <= imported_modules(db, "contacts", "show", "Ann")
    assert "tinycrm.services.companies" in imported_modules(db, "companies", "list")
