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


def test_a_company_named_like_another_but_for_case_is_offered_not_added(cli: Invoke) -> None:
    assert cli("users", "add", "Maria", "--email", "maria@example.com").exit_code == 0
    assert cli("companies", "add", "Acme Ltd", "--owner", "Maria").exit_code == 0
    again = cli("companies", "add", "  ACME   LTD")
    assert again.exit_code == 1
    assert again.stderr == (
        "crm: 'Acme Ltd' (id 1) is already a company, equal but for case or spaces: use it"
        " (`crm companies show 1`); nothing was changed\n"
    )
    cli("companies", "add", "Bolt")
    clash = cli("companies", "edit", "Bolt", "--name", "acme ltd")
    assert clash.exit_code == 1 and "'Acme Ltd' (id 1) is already a company" in clash.stderr
    names = [c["name"] for c in json.loads(cli("companies", "list", "--json").stdout)]
    assert names == ["Acme Ltd", "Bolt"]


def test_renaming_a_company_renames_it_for_its_people_and_their_search(cli: Invoke) -> None:
    cli("contacts", "add", "Ann Lee", "--company", "Acme Ltd")
    assert cli("companies", "edit", "Acme", "--name", "Acme Group").exit_code == 0
    assert contact(cli, "Ann")["company"] == "Acme Group"
    found = json.loads(cli("contacts", "search", "group", "--json").stdout)
    assert [f["name"] for f in found] == ["Ann Lee"]


def test_archiving_a_company_with_open_cases_needs_force(cli: Invoke) -> None:
    cli("contacts", "add", "Bob Stone", "--company", "Acme Ltd")
    cli("cases", "open", "Bob", "Invoice wrong")
    refused = cli("companies", "archive", "Acme")
    assert refused.exit_code == 1
    assert refused.stderr == (
        "crm: Acme Ltd has 1 open case (1: Invoice wrong): archive anyway with --force;"
        " nothing was changed\n"
    )
    assert [c["name"] for c in json.loads(cli("companies", "list", "--json").stdout)] == [
        "Acme Ltd"
    ]
    assert cli("companies", "archive", "Acme", "--force").exit_code == 0
    assert json.loads(cli("companies", "list", "--json").stdout) == []
    assert cli("companies", "archive", "Acme", "--undo").exit_code == 0


def test_the_company_card_sums_up_its_people(cli: Invoke) -> None:
    cli("companies", "add", "Acme Ltd", "--cadence", "30")
    cli("users", "add", "Tom", "--email", "tom@example.com")
    cli("contacts", "add", "Ann Lee", "--company", "Acme Ltd", "--role", "buyer", "--owner", "Tom")
    cli("contacts", "add", "Bob Stone", "--company", "acme ltd", "--role", "accounts payable")
    cli("contacts", "add", "Cy Ward", "--company", "Acme Ltd", "--owner", "Tom")
    for ref, amount, day in (
        ("Ann", "100", "2026-09-01"),
        ("Bob", "50", "2026-10-01"),
        ("Ann", "150", "2026-10-11"),
        ("Cy", "20", "2026-10-11"),
    ):
        cli("sales", "add", ref, amount, "--date", day, "--no-follow-up", "--as-of", day)
    cli("satisfaction", "add", "Ann", "5", "--as-of", "2026-10-12")
    cli("satisfaction", "add", "Bob", "2", "--as-of", "2026-10-20")
    cli("cases", "open", "Bob", "Invoice wrong", "--as-of", "2026-10-20")
    cli("notes", "add", "Cy", "Called about the renewal", "--channel", "call", "--as-of",
        "2026-10-25")  # fmt: skip
    card = json.loads(cli("companies", "show", "Acme", "--json").stdout)
    assert [(p["name"], p["role"]) for p in card["people"]] == [
        ("Ann Lee", "buyer"), ("Bob Stone", "accounts payable"), ("Cy Ward", None)
    ]  # fmt: skip
    assert card["owner"] is None and card["owner_in_force"] == "Tom"
    assert card["revenue_minor"] == {"EUR": 32000}
    # purchase days 09-01, 10-01, 10-11: gaps 30 and 10, median 20
    assert card["purchase_interval_days"] == 20
    assert card["next_purchase_on"] == "2026-10-31"
    assert [c["title"] for c in card["open_cases"]] == ["Invoice wrong"]
    assert [(s["contact"], s["score"]) for s in card["satisfaction"]] == [
        ("Ann Lee", 5), ("Bob Stone", 2)
    ]  # fmt: skip
    assert card["last_interaction"] == {"contact": "Cy Ward", "on": "2026-10-25"}
    shown = cli("companies", "show", "Acme").stdout
    assert "Owner: Tom (owner of its people)" in shown
    assert "Buys: every 20 days (next around 2026-10-31)" in shown
    assert "Latest scores: Ann Lee 5 CSAT, Bob Stone 2 CSAT (low)" in shown


def test_forgetting_a_person_leaves_the_company_its_other_people_and_sales(cli: Invoke) -> None:
    cli("contacts", "add", "Ann Lee", "--company", "Acme Ltd")
    cli("contacts", "add", "Bob Stone", "--company", "Acme Ltd")
    cli("sales", "add", "Ann", "100", "--no-follow-up")
    cli("sales", "add", "Bob", "250", "--no-follow-up")
    assert cli("contacts", "forget", "Ann", "--yes").exit_code == 0
    card = json.loads(cli("companies", "show", "Acme", "--json").stdout)
    assert [p["name"] for p in card["people"]] == ["Bob Stone"]
    assert card["revenue_minor"] == {"EUR": 25000}
    assert [s["contact"] for s in card["sales"]] == ["Bob Stone"]
