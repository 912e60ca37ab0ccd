"""Who changed what (issue 16): every write is recorded with when, who and through which
front end; `crm history REF` shows a customer's changes and interactions; forget takes the
person's history with them; a stale edit names who changed the record and when."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Any

import pytest

from conftest import Invoke
from dbquery import query_db

FIXTURES = Path(__file__).parent / "fixtures"
# "at 10:02" today, "on 2026-12-04 at 23:59" when the clock passed midnight meanwhile.
WHEN = r"(on \d{4}-\d\d-\d\d )?at \d\d:\d\d"


def run_json(cli: Invoke, *args: str) -> Any:
    result = cli(*args, "--json")
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def ok(cli: Invoke, *args: str) -> None:
    result = cli(*args)
    assert result.exit_code == 0, result.stderr


def recorded(cli: Invoke, ref: str) -> list[tuple[str, str, str | None, str | None, str | None]]:
    return [
        (e["entity"], e["action"], e["field"], e["old"], e["new"])
        for e in run_json(cli, "history", ref)
    ]


def test_every_kind_of_write_about_a_customer_is_in_their_history(
    cli: Invoke, monkeypatch: pytest.MonkeyPatch
) -> None:
    ok(cli, "users", "add", "Ann", "--email", "ann@shop.example", "--admin")  # your login
    ok(cli, "users", "add", "Bea", "--email", "bea@shop.example", "--login", "bea")
    ok(cli, "contacts", "add", "Ann Lee", "--email", "ann@example.org")
    ok(cli, "contacts", "edit", "Ann", "--stage", "commitment", "--tag", "vip", "--owner", "Bea")
    ok(cli, "notes", "add", "Ann", "Asked about the winter tyres", "--channel", "call")
    ok(cli, "follow-ups", "add", "Ann", "Send the quote", "--due", "2026-11-26")
    ok(cli, "follow-ups", "snooze", "1", "--until", "2026-11-28", "--as-of", "2026-11-26")
    ok(cli, "follow-ups", "done", "1", "--as-of", "2026-11-28")
    ok(cli, "sales", "add", "Ann", "120", "--as-of", "2026-11-28", "--no-follow-up")
    ok(cli, "sales", "cost", "Ann", "15", "--kind", "gift", "--date", "2026-11-28")
    ok(cli, "satisfaction", "add", "Ann", "5", "--as-of", "2026-11-28")
    ok(cli, "cases", "open", "Ann", "Squeaky brakes", "--as-of", "2026-11-28")
    ok(cli, "cases", "escalate", "1", "--to", "Workshop", "--as-of", "2026-11-28")
    monkeypatch.setenv("CRM_USER", "Bea")
    ok(cli, "cases", "resolve", "1", "--note", "New pads", "--as-of", "2026-11-28")
    ok(cli, "contacts", "archive", "Ann")

    assert recorded(cli, "1") == [
        ("contact", "added", None, None, "Ann Lee"),
        ("contact", "changed", "tags", None, "vip"),
        ("contact", "changed", "stage", None, "commitment"),
        ("contact", "changed", "owner", None, "Bea"),
        ("note", "logged", None, None, "call: Asked about the winter tyres"),
        ("follow-up", "added", None, None, "Send the quote (due 2026-11-26)"),
        ("follow-up", "snoozed", "due", "2026-11-26", "2026-11-28"),
        ("follow-up", "done", None, "2026-11-28", "Send the quote"),
        ("sale", "added", None, None, "120.00 EUR"),
        ("contact", "changed", "anniversaries", None, "customer since 2026-11-28"),
        ("cost", "added", None, None, "gift 15.00 EUR"),
        ("score", "added", None, None, "CSAT 5"),
        ("case", "added", None, None, "Squeaky brakes (normal)"),
        ("follow-up", "added", None, None, "Case #1 (normal): Squeaky brakes (due 2026-12-01)"),
        ("case", "changed", "escalated to", None, "Workshop"),
        ("case", "changed", "escalated on", None, "2026-11-28"),
        ("case", "changed", "resolved on", None, "2026-11-28"),
        ("case", "changed", "resolution", None, "New pads"),
        ("contact", "changed", "archived", "no", "yes"),
    ]
    entries = run_json(cli, "history", "1")
    assert {e["source"] for e in entries} == {"cli"}
    assert [e["user"] for e in entries] == ["Ann"] * 16 + ["Bea"] * 3
    assert entries[6]["text"] == "follow-up snoozed: due 2026-11-26 → 2026-11-28"
    assert entries[7]["text"] == "follow-up done: Send the quote (due 2026-11-28)"


def test_history_reads_as_a_table_by_time_and_person(cli: Invoke) -> None:
    ok(cli, "contacts", "add", "Ann Lee")
    ok(cli, "contacts", "edit", "Ann", "--stage", "commitment")
    result = cli("history", "Ann")
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "when\twho\tvia\twhat"
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d\t\tcli\tcontact added: Ann Lee", lines[1])
    assert lines[2].endswith("\tcli\tcontact stage: (empty) → commitment")


def test_a_refused_write_records_nothing(cli: Invoke) -> None:
    ok(cli, "contacts", "add", "Ann Lee")
    ok(cli, "contacts", "edit", "Ann", "--address", "1 Main St")  # version 2
    before = recorded(cli, "Ann")
    stale = cli("contacts", "edit", "Ann", "--phone", "555 0100", "--if-version", "1")
    assert stale.exit_code == 1
    bad = cli("notes", "add", "Ann", "   ")
    assert bad.exit_code != 0
    assert recorded(cli, "Ann") == before


def test_a_stale_edit_names_when_it_was_changed(cli: Invoke) -> None:
    ok(cli, "contacts", "add", "Ann Lee")
    ok(cli, "contacts", "edit", "Ann", "--address", "1 Main St")
    stale = cli("contacts", "edit", "Ann", "--phone", "555 0100", "--if-version", "1")
    assert stale.exit_code == 1
    assert re.fullmatch(
        rf"crm: Ann Lee \(id 1\) was changed by someone else {WHEN} since version 1 \(it is at"
        r" version 2 now\)\. Nothing was saved\.",
        stale.stderr.strip(),
    )


def test_a_stale_edit_names_who_changed_it(cli: Invoke, monkeypatch: pytest.MonkeyPatch) -> None:
    ok(cli, "users", "add", "Ann", "--email", "ann@shop.example", "--admin")  # your login
    ok(cli, "users", "add", "Bea", "--email", "bea@shop.example", "--login", "bea")
    ok(cli, "contacts", "add", "Dora Lind")
    ok(cli, "follow-ups", "add", "Dora", "Send the quote", "--due", "2026-11-26")
    ok(cli, "cases", "open", "Dora", "Squeaky brakes", "--as-of", "2026-11-26")
    monkeypatch.setenv("CRM_USER", "Bea")
    ok(cli, "contacts", "edit", "Dora", "--phone", "555 0101")
    ok(cli, "follow-ups", "snooze", "1", "--until", "2026-11-30", "--as-of", "2026-11-26")
    ok(cli, "cases", "escalate", "1", "--to", "Workshop", "--as-of", "2026-11-26")
    monkeypatch.delenv("CRM_USER")
    stale = [
        cli("contacts", "edit", "Dora", "--address", "2 Side St", "--if-version", "1"),
        cli("follow-ups", "done", "1", "--as-of", "2026-11-27", "--if-version", "1"),
        cli("cases", "resolve", "1", "--note", "New pads", "--if-version", "1"),
    ]
    for what, result in zip(["Dora Lind (id 1)", "follow-up 1", "case 1"], stale, strict=True):
        assert result.exit_code == 1
        assert re.fullmatch(
            rf"crm: {re.escape(what)} was changed by Bea {WHEN} since version 1 \(it is at"
            r" version 2 now\)\. Nothing was saved\.",
            result.stderr.strip(),
        ), result.stderr


def test_a_merge_brings_the_other_contacts_history(cli: Invoke) -> None:
    ok(cli, "contacts", "add", "Ann Lee", "--email", "ann@example.org")
    ok(cli, "contacts", "add", "Ann L.", "--phone", "555 0101")
    ok(cli, "notes", "add", "Ann L.", "Met at the fair", "--channel", "visit")
    ok(cli, "contacts", "merge", "1", "2", "--keep", "first")
    assert recorded(cli, "1") == [
        ("contact", "added", None, None, "Ann Lee"),
        ("contact", "added", None, None, "Ann L."),
        ("note", "logged", None, None, "visit: Met at the fair"),
        ("contact", "merged", None, None, "Ann L. (id 2)"),
        ("contact", "changed", "phones", None, "555 0101"),
    ]


def test_forget_takes_the_persons_history_and_leaves_one_anonymous_line(cli: Invoke) -> None:
    ok(cli, "contacts", "add", "Zebediah Quackenbush", "--email", "zeb@example.org")
    ok(cli, "notes", "add", "Zeb", "Zebediah wants the blue one", "--channel", "call")
    ok(cli, "contacts", "add", "Ann Lee")
    ok(cli, "contacts", "forget", "Zeb", "--yes")
    rows = query_db("SELECT entity, entity_id, contact_id, action, field, old, new FROM history")
    assert ("contact", None, None, "forgotten", None, None, None) in rows
    assert not [row for row in rows if "Zeb" in repr(row) or row[2] == 1]
    assert len(rows) == 2  # Ann added, a contact forgotten


def test_an_import_is_recorded_as_the_import(cli: Invoke, tmp_path: Path) -> None:
    source = tmp_path / "people.csv"
    source.write_text("name,email\nAnn Lee,ann@example.org\n", encoding="utf-8")
    ok(cli, "contacts", "import", str(source))
    [entry] = run_json(cli, "history", "Ann")
    assert (entry["source"], entry["action"], entry["new"]) == ("import", "added", "Ann Lee")


@pytest.mark.sqlite_only
def test_interactions_from_before_the_history_are_shown_without_a_person(
    cli: Invoke, tmp_path: Path
) -> None:
    target = Path(str(tmp_path / "crm.db"))
    shutil.copyfile(FIXTURES / "schema-v9.db", target)
    target.chmod(0o600)
    notes = query_db(
        "SELECT noted_on, channel, body FROM notes WHERE contact_id = 1 AND channel IS NOT NULL"
        " ORDER BY noted_on, id",
        location=target,
    )
    assert notes
    entries = run_json(cli, "--db", str(target), "history", "1")
    assert [(e["user"], e["source"], e["at"][:10], e["new"]) for e in entries] == [
        (None, None, on, f"{channel}: {body}") for on, channel, body in notes
    ]


def test_history_of_an_unknown_customer_is_one_line(cli: Invoke) -> None:
    ok(cli, "contacts", "add", "Ann Lee")
    result = cli("history", "Nobody")
    assert result.exit_code == 1
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.output


def test_forget_with_redact_mentions_redacts_other_customers_history_too(cli: Invoke) -> None:
    ok(cli, "contacts", "add", "Zeb Quack", "--email", "zeb@quack.example")
    ok(cli, "contacts", "add", "Keep Me")
    ok(cli, "notes", "add", "Keep Me", "met Zeb Quack at the fair", "--channel", "visit")
    ok(cli, "contacts", "edit", "Keep Me", "--referred-by", "Zeb Quack")
    ok(cli, "contacts", "forget", "Zeb", "--yes", "--redact-mentions")
    texts = [e["text"] for e in run_json(cli, "history", "Keep Me")]
    assert texts == [
        "contact added: Keep Me",
        "note logged: visit: met [forgotten] at the fair",
        "contact referred by: (empty) → [forgotten]",
    ]
    assert not query_db("SELECT id FROM history WHERE lower(new) LIKE '%zeb%'")


def test_a_hand_over_is_in_each_customers_history(
    cli: Invoke, monkeypatch: pytest.MonkeyPatch
) -> None:
    ok(cli, "users", "add", "Ann", "--email", "ann@shop.example", "--admin")  # your login
    ok(cli, "users", "add", "Carl", "--email", "carl@shop.example", "--login", "carl")
    ok(cli, "users", "add", "Bea", "--email", "bea@shop.example", "--login", "bea")
    ok(cli, "contacts", "add", "Emil Sand", "--owner", "Carl")
    ok(cli, "cases", "open", "Emil", "Brakes squeal")
    ok(cli, "users", "hand-over", "Carl", "--to", "Bea")
    [moved] = [e for e in run_json(cli, "history", "Emil") if e["new"] == "Bea"]
    who = (moved["user"], moved["entity"], moved["field"], moved["old"])
    assert who == ("Ann", "contact", "owner", "Carl")


def test_pass_on_follow_ups_are_in_each_customers_history(cli: Invoke) -> None:
    ok(cli, "contacts", "add", "Ann Lee", "--tag", "cyclist")
    ok(cli, "contacts", "add", "Ben Okafor", "--tag", "cyclist")
    ok(cli, "pass-on", "Spring ride on Sunday", "--tag", "cyclist", "--due", "2026-11-26")
    for ref in ("Ann", "Ben"):
        what = "Pass on: Spring ride on Sunday (due 2026-11-26)"
        assert recorded(cli, ref)[-1] == ("follow-up", "added", None, None, what)


def test_managing_users_is_recorded_too(cli: Invoke) -> None:
    ok(cli, "users", "add", "Ann", "--email", "ann@shop.example", "--admin")  # your login
    ok(cli, "users", "add", "Carl", "--email", "carl@shop.example", "--login", "carl")
    ok(cli, "users", "edit", "Carl", "--time-zone", "Europe/Berlin")
    ok(cli, "users", "deactivate", "Carl")
    rows = query_db(
        "SELECT u.name, h.entity, h.entity_id, h.action, h.field, h.old, h.new"
        " FROM history h JOIN users u ON u.id = h.user_id ORDER BY h.id"
    )
    assert rows == [
        ("Ann", "user", 1, "added", None, None, "Ann"),
        ("Ann", "user", 2, "added", None, None, "Carl"),
        ("Ann", "user", 2, "changed", "time zone", None, "Europe/Berlin"),
        ("Ann", "user", 2, "changed", "active", "yes", "no"),
    ]
