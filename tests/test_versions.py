"""Versions from the command line (issue 15): --json shows each record's version, every change
raises it, `contacts edit --if-version N` saves only over version N, and a follow-up someone
else closed says when."""

from __future__ import annotations

import json
import re
from typing import Any

from conftest import Invoke

# Who changed it and when, from the history: "at 10:02", or "on 2026-12-04 at 23:59".
WHEN = r"(on \d{4}-\d\d-\d\d )?at \d\d:\d\d"


def run_json(cli: Invoke, *args: str) -> Any:
    result = cli(*args, "--json")
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def test_every_edit_raises_the_version_json_shows(cli: Invoke) -> None:
    run_json(cli, "users", "add", "Maria", "--email", "maria@example.com")
    assert run_json(cli, "contacts", "add", "Ann Lee")["version"] == 1
    assert run_json(cli, "contacts", "edit", "Ann Lee", "--owner", "Maria")["version"] == 2
    assert cli("contacts", "archive", "Ann Lee").exit_code == 0
    assert run_json(cli, "contacts", "show", "1")["version"] == 3
    assert [c["version"] for c in run_json(cli, "contacts", "list", "--archived")] == [3]


def test_if_version_saves_over_the_version_read_and_refuses_a_newer_one(cli: Invoke) -> None:
    run_json(cli, "users", "add", "Maria", "--email", "maria@example.com")
    read = run_json(cli, "contacts", "add", "Ann Lee", "--company", "Lee & Co")
    # a colleague changes Ann after the script read her
    run_json(cli, "contacts", "edit", "1", "--owner", "Maria")
    before = cli("contacts", "show", "1", "--json").stdout
    version = str(read["version"])
    stale = cli("contacts", "edit", "1", "--phone", "555 0100", "--if-version", version)
    assert stale.exit_code == 1
    # Maria, the first user, has this login: the change was hers
    assert re.fullmatch(
        rf"crm: Ann Lee \(id 1\) was changed by Maria {WHEN} since version 1 \(it is at"
        r" version 2 now\)\. Nothing was saved\.",
        stale.stderr.strip(),
    )
    assert cli("contacts", "show", "1", "--json").stdout == before
    fresh = run_json(cli, "contacts", "edit", "1", "--phone", "555 0100", "--if-version", "2")
    assert (fresh["phones"], fresh["owner"], fresh["version"]) == (["555 0100"], "Maria", 3)


def test_if_version_ahead_of_the_contact_is_refused_too(cli: Invoke) -> None:
    run_json(cli, "users", "add", "Maria", "--email", "maria@example.com")
    run_json(cli, "contacts", "add", "Ann Lee")
    result = cli("contacts", "edit", "1", "--owner", "Maria", "--if-version", "7")
    assert result.exit_code == 1
    assert "Ann Lee (id 1) is at version 1, not 7. Nothing was saved." in result.stderr
    assert run_json(cli, "contacts", "show", "1")["owner"] is None


def test_if_version_must_be_a_positive_number(cli: Invoke) -> None:
    run_json(cli, "users", "add", "Maria", "--email", "maria@example.com")
    run_json(cli, "contacts", "add", "Ann Lee")
    result = cli("contacts", "edit", "1", "--owner", "Maria", "--if-version", "0")
    assert result.exit_code == 2
    assert "Traceback" not in result.output


def test_follow_up_versions_and_done_twice_says_when(cli: Invoke) -> None:
    run_json(cli, "contacts", "add", "Ann Lee")
    added = cli("follow-ups", "add", "Ann Lee", "Send the quote", "--due", "2026-11-26")
    assert added.exit_code == 0, added.stderr
    [row] = run_json(cli, "follow-ups", "list")
    assert row["version"] == 1
    snoozed = cli("follow-ups", "snooze", "1", "--until", "2026-11-28", "--as-of", "2026-11-26")
    assert snoozed.exit_code == 0, snoozed.stderr
    assert run_json(cli, "follow-ups", "list")[0]["version"] == 2
    assert cli("follow-ups", "done", "1", "--as-of", "2026-11-27").exit_code == 0
    again = cli("follow-ups", "done", "1", "--as-of", "2026-11-28")
    assert again.exit_code == 1
    assert again.stderr.strip() == "crm: follow-up 1 is already done on 2026-11-27"


def test_a_derived_row_done_twice_says_when(cli: Invoke) -> None:
    run_json(cli, "contacts", "add", "Ann Lee", "--birthday", "1986-11-26")
    assert cli("follow-ups", "done", "b1-2026-11-26", "--as-of", "2026-11-26").exit_code == 0
    again = cli("follow-ups", "done", "b1-2026-11-26", "--as-of", "2026-11-27")
    assert again.exit_code == 1
    assert again.stderr.strip() == "crm: follow-up b1-2026-11-26 is already done on 2026-11-26"


def test_case_json_shows_its_version(cli: Invoke) -> None:
    run_json(cli, "contacts", "add", "Ann Lee")
    assert run_json(cli, "cases", "open", "Ann Lee", "Squeaky brakes")["version"] == 1
    assert run_json(cli, "cases", "escalate", "1", "--to", "Workshop")["version"] == 2
    assert run_json(cli, "cases", "resolve", "1", "--note", "New pads")["version"] == 3


def test_follow_up_commands_take_if_version(cli: Invoke) -> None:
    run_json(cli, "contacts", "add", "Ann Lee")
    assert (
        cli("follow-ups", "add", "Ann Lee", "Send the quote", "--due", "2026-11-26").exit_code == 0
    )
    [read] = run_json(cli, "follow-ups", "list")
    # a colleague snoozes it after the script read the list
    moved = cli("follow-ups", "snooze", "1", "--until", "2026-11-30", "--as-of", "2026-11-26")
    assert moved.exit_code == 0, moved.stderr
    version = str(read["version"])
    for command in (["done", "1"], ["skip", "1"], ["snooze", "1", "--until", "2026-12-02"]):
        stale = cli("follow-ups", *command, "--as-of", "2026-11-27", "--if-version", version)
        assert stale.exit_code == 1, command
        assert re.fullmatch(
            rf"crm: follow-up 1 was changed by someone else {WHEN} since version 1 \(it is at"
            r" version 2 now\)\. Nothing was saved\.",
            stale.stderr.strip(),
        )
    [now] = run_json(cli, "follow-ups", "list")
    assert (now["status"], now["due"], now["version"]) == ("open", "2026-11-30", 2)
    done = cli("follow-ups", "done", "1", "--as-of", "2026-11-27", "--if-version", "2")
    assert done.exit_code == 0, done.stderr


def test_a_derived_row_has_no_version_to_check(cli: Invoke) -> None:
    run_json(cli, "contacts", "add", "Ann Lee", "--birthday", "1986-11-26")
    result = cli(
        "follow-ups", "done", "b1-2026-11-26", "--as-of", "2026-11-26", "--if-version", "1"
    )
    assert result.exit_code == 2
    assert "has no version: only stored follow-ups (a number) have one" in result.stderr
    still = run_json(cli, "follow-ups", "today", "--as-of", "2026-11-26")["today"]
    assert [r["handle"] for r in still] == ["b1-2026-11-26"]


def test_case_commands_take_if_version(cli: Invoke) -> None:
    run_json(cli, "contacts", "add", "Ann Lee")
    run_json(cli, "cases", "open", "Ann Lee", "Squeaky brakes")
    run_json(cli, "cases", "escalate", "1", "--to", "Workshop")  # a colleague, version 2
    stale = cli("cases", "resolve", "1", "--note", "New pads", "--if-version", "1")
    assert stale.exit_code == 1
    assert re.search(rf"case 1 was changed by someone else {WHEN} since version 1", stale.stderr)
    assert run_json(cli, "cases", "list")[0]["status"] == "open"
    resolved = run_json(cli, "cases", "resolve", "1", "--note", "New pads", "--if-version", "2")
    assert (resolved["status"], resolved["version"]) == ("resolved", 3)
