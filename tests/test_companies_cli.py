"""Companies from the CLI: contacts joining one (existing or new), one company at a time,
people leaving with their history kept."""

from __future__ import annotations

import json

from conftest import Invoke


def contact(cli: Invoke, ref: str) -> dict[str, object]:
    result = cli("contacts", "show", ref, "--json")
    assert result.exit_code == 0, result.stderr
    shown: dict[str, object] = json.loads(result.stdout)
    return shown


def test_add_with_company_says_whether_it_was_found_or_made(cli: Invoke) -> None:
    first = cli("contacts", "add", "Ann Lee", "--company", "Acme Ltd", "--role", "buyer")
    assert first.stdout.startswith("added Ann Lee (id 1) at Acme Ltd as buyer (new company 1):")
    second = cli("contacts", "add", "Bob Stone", "--company", "  ACME  ltd ")
    assert second.stdout.startswith("added Bob Stone (id 2) at Acme Ltd (existing company 1):")
    assert contact(cli, "Bob")["company"] == "Acme Ltd"
    assert contact(cli, "Ann")["role"] == "buyer"


def test_a_contact_is_at_one_company_at_a_time(cli: Invoke) -> None:
    cli("contacts", "add", "Ann Lee", "--company", "Acme Ltd", "--role", "buyer")
    result = cli("contacts", "edit", "Ann", "--company", "Bolt", "--email", "ann@bolt.example")
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "crm: Ann Lee is at Acme Ltd; a contact is at one company at a time: `crm contacts edit"
        " 1 --left-company --company NAME` records a move (their sales stay with Acme Ltd),"
        " `--company ''` first undoes a mistaken link"
    ]
    assert contact(cli, "Ann")["emails"] == []
    assert json.loads(cli("companies", "list", "--json").stdout)[0]["name"] == "Acme Ltd"
    assert len(json.loads(cli("companies", "list", "--json").stdout)) == 1
    same = cli("contacts", "edit", "Ann", "--company", "acme ltd", "--role", "decision maker")
    assert same.exit_code == 0, same.stderr
    assert contact(cli, "Ann")["role"] == "decision maker"


def test_a_role_needs_a_company(cli: Invoke) -> None:
    result = cli("contacts", "add", "Ann Lee", "--role", "buyer")
    assert result.exit_code == 2
    assert result.stderr.splitlines()[-1] == "crm: a role is at a company: give --company too"
    assert json.loads(cli("contacts", "list", "--json").stdout) == []


def test_leaving_keeps_the_sales_with_the_company_and_asks_for_the_new_contact(
    cli: Invoke,
) -> None:
    cli("contacts", "add", "Ann Lee", "--company", "Acme Ltd", "--role", "buyer")
    cli("sales", "add", "Ann", "1200", "--no-follow-up")
    cli("sales", "add", "Ann", "800", "--no-follow-up")
    moved = cli("contacts", "edit", "Ann", "--left-company", "--company", "Bolt")
    assert moved.exit_code == 0, moved.stderr
    assert moved.stdout.splitlines() == [
        "Ann Lee left Acme Ltd (2 sales stay with it); follow-up 1: Find the new contact at"
        " Acme Ltd (Ann Lee left)",
        "updated Ann Lee (id 1) at Bolt (new company 2)",
    ]
    ann = contact(cli, "Ann")
    assert (ann["company"], ann["role"]) == ("Bolt", None)
    queue = cli("follow-ups", "list", "--json")
    assert "Find the new contact at Acme Ltd (Ann Lee left)" in queue.stdout


def test_leaving_without_a_company_is_refused(cli: Invoke) -> None:
    cli("contacts", "add", "Ann Lee")
    result = cli("contacts", "edit", "Ann", "--left-company", "--email", "a@b.example")
    assert result.exit_code == 2
    assert result.stderr == "crm: Ann Lee is not at a company\n"
    assert contact(cli, "Ann")["emails"] == []
