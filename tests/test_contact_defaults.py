"""A new contact gets the config's default relationship type (and says which cadence applies),
a warning when it shares an email or phone with another, and generated follow-ups skip the
days the business is closed."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from conftest import Invoke


def ok(cli: Invoke, *args: str) -> Any:
    result = cli(*args, "--json")
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def test_a_contact_without_type_gets_the_default_and_a_check_in(cli: Invoke) -> None:
    added = cli("contacts", "add", "Ann")
    assert added.exit_code == 0, added.stderr
    assert "check-in every 90 days (long-term, the default type" in added.stdout
    assert ok(cli, "contacts", "show", "Ann")["relationship_type"] == "long-term"
    later = (date.today() + timedelta(days=91)).isoformat()
    overdue = ok(cli, "follow-ups", "overdue", "--as-of", later)["overdue"]
    assert [(row["contact"], row["kind"]) for row in overdue] == [("Ann", "check-in")]


def test_the_default_type_comes_from_the_config(cli: Invoke, isolated_env: Path) -> None:
    config = isolated_env / "config.toml"
    config.write_text('[contacts]\ndefault_type = "dedicated"\n')
    assert "check-in every 30 days" in cli("contacts", "add", "Ann").stdout
    config.write_text('[contacts]\ndefault_type = "none"\n')
    added = cli("contacts", "add", "Bo")
    assert "no check-ins (no --type and no [contacts] default_type)" in added.stdout
    assert (
        "no check-ins (transactional)"
        in cli("contacts", "add", "Cy", "--type", "transactional").stdout
    )
    config.write_text('[contacts]\ndefault_type = "friendly"\n')
    broken = cli("contacts", "add", "Di")
    assert broken.exit_code == 2 and "contacts.default_type" in broken.stderr


def test_a_duplicate_email_or_phone_warns_naming_the_match(cli: Invoke) -> None:
    ok(cli, "contacts", "add", "Ann Lee", "--email", "ann@x.example", "--phone", "+44 20 7946 0000")
    twin = cli("contacts", "add", "A. Lee", "--email", "ANN@x.example")
    assert twin.exit_code == 0
    assert "warning: Ann Lee (id 1) has the same email ANN@x.example" in twin.stderr
    assert "crm contacts merge 1 2" in twin.stderr
    phone = cli("contacts", "add", "Annie", "--phone", "+44 (20) 7946-0000")
    assert "Ann Lee (id 1) has the same phone" in phone.stderr
    assert "A. Lee" not in phone.stderr
    assert len(ok(cli, "contacts", "list")) == 3  # still added
    assert cli("contacts", "add", "Bo", "--email", "bo@x.example").stderr == ""


def test_generated_follow_ups_skip_closed_days(cli: Invoke, isolated_env: Path) -> None:
    (isolated_env / "config.toml").write_text('[playbook]\nbusiness_days = "mon-fri"\n')
    ok(cli, "contacts", "add", "Ann")
    friday = "2026-01-09"
    sale = ok(cli, "sales", "add", "Ann", "100", "--date", friday, "--as-of", friday)
    # The thank-you call (+2 days) falls on Sunday: it moves to Monday.
    assert [f["due"] for f in sale["follow_ups"]] == ["2026-01-12", "2026-01-23"]
    low = ok(cli, "satisfaction", "add", "Ann", "1", "--date", friday, "--as-of", friday)
    assert low["recovery"]["due"] == "2026-01-12"


@pytest.mark.parametrize("value", ['"someday"', "[1, 2]", '"mon-funday"'])
def test_a_bad_business_days_setting_is_one_clear_error(
    cli: Invoke, isolated_env: Path, value: str
) -> None:
    (isolated_env / "config.toml").write_text(f"[playbook]\nbusiness_days = {value}\n")
    result = cli("contacts", "list")
    assert result.exit_code == 2 and "playbook.business_days" in result.stderr
