"""Every write takes the day it happened; nothing that already happened is dated after today;
one date parser (and one day/month rule) for every option, birthdays included."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from conftest import Invoke

AS_OF = "2026-01-06"  # a Tuesday


def ok(cli: Invoke, *args: str) -> Any:
    result = cli(*args, "--json")
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


@pytest.fixture
def ann(cli: Invoke) -> int:
    return int(ok(cli, "contacts", "add", "Ann Lee", "--type", "dedicated")["id"])


@pytest.mark.parametrize(
    "args",
    [
        ("notes", "add", "Ann", "Called", "--channel", "call", "--at", "2027-01-05"),
        ("satisfaction", "add", "Ann", "2", "--date", "2027-01-05"),
        ("sales", "add", "Ann", "10.00", "--date", "2027-01-05"),
        ("cases", "open", "Ann", "Squeaky brakes", "--date", "2027-01-05"),
    ],
)
def test_a_future_date_for_something_that_happened_is_refused(
    cli: Invoke, ann: int, args: tuple[str, ...]
) -> None:
    before = ok(cli, "contacts", "show", "Ann")
    refused = cli(*args, "--as-of", AS_OF)
    assert refused.exit_code == 2
    assert "2027-01-05 is in the future" in refused.stderr and "--as-of" in refused.stderr
    assert len(refused.stderr.strip().splitlines()) == 1
    assert ok(cli, "contacts", "show", "Ann") == before  # nothing written
    # Recorded as of that day, it is accepted.
    assert cli(*args, "--as-of", "2027-01-05").exit_code == 0


def test_playbook_and_recovery_are_judged_against_the_as_of_day(cli: Invoke, ann: int) -> None:
    sale = ok(cli, "sales", "add", "Ann", "10.00", "--date", "2026-01-05", "--as-of", AS_OF)
    assert [f["due"] for f in sale["follow_ups"]] == ["2026-01-07", "2026-01-19"]
    assert sale["skipped_steps"] == []
    score = ok(cli, "satisfaction", "add", "Ann", "1", "--date", "monday", "--as-of", AS_OF)
    assert score["date"] == "2026-01-05" and score["recovery"]["due"] == AS_OF


def test_case_events_take_their_day(cli: Invoke, ann: int) -> None:
    case = ok(cli, "cases", "open", "Ann", "Squeaky brakes", "--date", "-3d", "--as-of", AS_OF)
    assert case["opened_on"] == "2026-01-03" and case["target_on"] == "2026-01-06"
    up = ok(cli, "cases", "escalate", str(case["id"]), "--to", "Workshop", "--as-of", AS_OF)
    assert up["escalated_on"] == AS_OF
    early = cli("cases", "resolve", str(case["id"]), "--note", "x", "--date", "2026-01-02",
                "--as-of", AS_OF)  # fmt: skip
    assert early.exit_code == 2 and "opened on 2026-01-03" in early.stderr
    done = ok(cli, "cases", "resolve", str(case["id"]), "--note", "Adjusted", "--date",
              "yesterday", "--as-of", AS_OF)  # fmt: skip
    assert done["resolved_on"] == "2026-01-05"


def test_pass_on_counts_its_due_date_from_as_of(cli: Invoke) -> None:
    ok(cli, "contacts", "add", "Bo", "--tag", "club")
    created = ok(cli, "pass-on", "Spring ride", "--tag", "club", "--due", "+2d", "--as-of", AS_OF)
    assert [f["due"] for f in created] == ["2026-01-08"]


@pytest.mark.parametrize(
    ("typed", "due"),
    [
        ("next week", "2026-01-12"),
        ("eom", "2026-01-31"),
        ("this tuesday", AS_OF),
        ("this friday", "2026-01-09"),
        ("tuesday", "2026-01-13"),
        ("3d", "2026-01-09"),
        ("2w", "2026-01-20"),
        ("2026/12/24", "2026-12-24"),
        ("24-12", "2026-12-24"),
    ],
)
def test_dates_people_type(cli: Invoke, ann: int, typed: str, due: str) -> None:
    added = ok(cli, "follow-ups", "add", "Ann", "Call", "--due", typed, "--as-of", AS_OF)
    assert added["due"] == due


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("14 mar 1980", "1980-03-14"),
        ("14/03/1980", "1980-03-14"),
        ("1980-03-14", "1980-03-14"),
        ("14 mar", "--03-14"),
        ("03/04", "--04-03"),
        ("03-04", "--04-03"),
        ("--03-14", "--03-14"),
    ],
)
def test_birthday_reads_like_every_other_date(cli: Invoke, typed: str, stored: str) -> None:
    assert ok(cli, "contacts", "add", "Ann", "--birthday", typed)["birthday"] == stored


def test_month_first_config_reads_every_numeric_date_alike(cli: Invoke, isolated_env: Path) -> None:
    (isolated_env / "config.toml").write_text('[dates]\nnumeric_order = "month-first"\n')
    for typed in ("03/04", "03-04"):
        assert ok(cli, "contacts", "add", "Ann", "--birthday", typed)["birthday"] == "--03-04"
    due = ok(cli, "follow-ups", "add", "1", "Call", "--due", "03-04", "--as-of", AS_OF)["due"]
    assert due == "2026-03-04"


def test_a_note_on_a_weekday_is_the_last_one(cli: Invoke, ann: int) -> None:
    note = ok(cli, "notes", "add", "Ann", "Visited", "--at", "friday", "--as-of", AS_OF)
    assert note["date"] == "2026-01-02"
