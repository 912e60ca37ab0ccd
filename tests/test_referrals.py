"""Referrals: who referred whom (no self-referral, no circle), the referrer's thank-you on a
referred contact's first purchase, `crm report referrals`, and merge and forget keeping the
links sound."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from conftest import Invoke


def add(cli: Invoke, name: str, *args: str) -> int:
    result = cli("contacts", "add", name, *args, "--json")
    assert result.exit_code == 0, result.stderr
    contact_id: int = json.loads(result.stdout)["id"]
    return contact_id


def shown(cli: Invoke, ref: str) -> dict[str, Any]:
    result = cli("contacts", "show", ref, "--json")
    assert result.exit_code == 0, result.stderr
    contact: dict[str, Any] = json.loads(result.stdout)
    return contact


def referrer_of(cli: Invoke, ref: str) -> str | None:
    link = shown(cli, ref)["referred_by"]
    return None if link is None else str(link["name"])


def thanks(cli: Invoke) -> list[str]:
    """Every stored thank-you follow-up for a referral, open or done."""
    result = cli("follow-ups", "list", "--status", "all", "--json")
    assert result.exit_code == 0, result.stderr
    return [row["title"] for row in json.loads(result.stdout) if " for referring " in row["title"]]


def test_referred_by_is_set_shown_and_cleared(cli: Invoke) -> None:
    ann = add(cli, "Ann Lee")
    added = cli("contacts", "add", "Bob Stone", "--referred-by", "ann")
    assert added.stdout.startswith("added Bob Stone (id 2), referred by Ann Lee (id 1):")
    assert shown(cli, "Bob")["referred_by"] == {"id": ann, "name": "Ann Lee"}
    assert shown(cli, "Ann")["referred"] == [{"id": 2, "name": "Bob Stone"}]
    card = cli("contacts", "show", "Bob").stdout
    assert "Referred by: Ann Lee (id 1)" in card.splitlines()
    assert "Referred: Bob Stone (id 2)" in cli("contacts", "show", "Ann").stdout.splitlines()
    cleared = cli("contacts", "edit", "Bob", "--referred-by", "none")
    assert cleared.stdout == "updated Bob Stone (id 2), no referrer\n"
    assert referrer_of(cli, "Bob") is None
    cli("contacts", "edit", "Bob", "--referred-by", "1")
    assert cli("contacts", "edit", "Bob", "--referred-by", "").exit_code == 0
    assert referrer_of(cli, "Bob") is None


def test_an_edit_without_referred_by_keeps_the_referrer(cli: Invoke) -> None:
    add(cli, "Ann Lee")
    add(cli, "Bob Stone", "--referred-by", "Ann Lee")
    assert cli("contacts", "edit", "Bob", "--tag", "vip").exit_code == 0
    assert referrer_of(cli, "Bob") == "Ann Lee"


@pytest.mark.parametrize(
    ("ref", "message"),
    [
        ("Bob", "crm: Bob Stone (id 2) cannot be referred by themselves"),
        (
            "Cat",
            "crm: Bob Stone cannot be referred by Cat Wu: Cat Wu was referred by Bob Stone;"
            " a referral cannot go in a circle",
        ),
        (
            "Dan",
            "crm: Bob Stone cannot be referred by Dan Ek: Dan Ek was referred by Cat Wu, who"
            " was referred by Bob Stone; a referral cannot go in a circle",
        ),
        ("Zed", "crm: --referred-by: no contact matches 'Zed'"),
        ("n", "crm: --referred-by: 'n' matches 3 contacts:"),
    ],
)
def test_a_bad_referrer_is_refused_and_nothing_changes(cli: Invoke, ref: str, message: str) -> None:
    add(cli, "Ann Lee")
    add(cli, "Bob Stone", "--referred-by", "Ann")
    add(cli, "Cat Wu", "--referred-by", "Bob")
    add(cli, "Dan Ek", "--referred-by", "Cat")
    before = shown(cli, "Bob")
    result = cli("contacts", "edit", "Bob", "--referred-by", ref, "--tag", "vip")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert len(result.stderr.splitlines()) == 1
    assert result.stderr.startswith(message)
    assert shown(cli, "Bob") == before


def test_a_new_contact_with_an_unknown_referrer_is_not_added(cli: Invoke) -> None:
    add(cli, "Ann Lee")
    result = cli("contacts", "add", "Bob Stone", "--referred-by", "Zed")
    assert result.exit_code == 1
    assert result.stderr == "crm: --referred-by: no contact matches 'Zed'\n"
    assert [c["name"] for c in json.loads(cli("contacts", "list", "--json").stdout)] == ["Ann Lee"]


def test_a_first_purchase_thanks_the_referrer_exactly_once(cli: Invoke) -> None:
    add(cli, "Ann Lee")
    add(cli, "Bob Stone", "--referred-by", "Ann")
    first = cli("sales", "add", "Bob", "120", "--date", "2026-11-20", "--as-of", "2026-11-20")
    assert "  follow-up 3: Thank Ann Lee for referring Bob Stone on 2026-11-22" in (
        first.stdout.splitlines()
    )
    rows = json.loads(cli("follow-ups", "list", "Ann", "--json").stdout)
    assert [(r["kind"], r["due"]) for r in rows] == [("thank-you", "2026-11-22")]
    cli("follow-ups", "done", rows[0]["handle"], "--as-of", "2026-11-22")
    cli("sales", "add", "Bob", "80", "--date", "2026-11-25", "--as-of", "2026-11-25")
    cli("contacts", "edit", "Bob", "--referred-by", "none")
    cli("contacts", "edit", "Bob", "--referred-by", "Ann")
    cli("sales", "add", "Bob", "80", "--date", "2026-11-26", "--as-of", "2026-11-26")
    assert thanks(cli) == ["Thank Ann Lee for referring Bob Stone"]


def test_a_late_recorded_first_purchase_still_thanks_from_today(cli: Invoke) -> None:
    add(cli, "Ann Lee")
    add(cli, "Bob Stone", "--referred-by", "Ann")
    result = cli(
        "sales", "add", "Bob", "120", "--date", "2026-10-01", "--as-of", "2026-11-20", "--json"
    )
    assert json.loads(result.stdout)["referral_thanks"]["due"] == "2026-11-20"


def test_no_thanks_without_a_referrer_when_off_or_with_no_follow_up(
    cli: Invoke, isolated_env: Path
) -> None:
    add(cli, "Ann Lee")
    add(cli, "Bob Stone", "--referred-by", "Ann")
    add(cli, "Cat Wu", "--referred-by", "Ann")
    add(cli, "Dan Ek")
    add(cli, "Eve Ray", "--referred-by", "Cat")
    cli("sales", "add", "Dan", "10")
    cli("sales", "add", "Cat", "10", "--no-follow-up")
    cli("contacts", "archive", "Cat")
    cli("sales", "add", "Eve", "10")  # her referrer is archived
    (isolated_env / "config.toml").write_text("[playbook]\nafter_referral = false\n")
    cli("sales", "add", "Bob", "10")
    assert thanks(cli) == []


def test_after_referral_must_be_true_or_false(cli: Invoke, isolated_env: Path) -> None:
    (isolated_env / "config.toml").write_text('[playbook]\nafter_referral = "yes"\n')
    result = cli("contacts", "list")
    assert result.exit_code == 2
    assert result.stderr.strip().endswith("playbook.after_referral must be true or false")


def test_the_referrals_report_on_a_hand_built_shop(cli: Invoke) -> None:
    # Ann brought Bob (customer: 100 + 50 EUR, 30 USD) and Cat (no purchase yet);
    # Eve brought Dan (200 EUR) and Fay (10 EUR): two customers, so Eve comes first;
    # Gus brought Hal (customer, 500 EUR after the report's date: not counted yet).
    for name in ("Ann", "Eve", "Gus"):
        add(cli, name)
    for name, referrer in [("Bob", "Ann"), ("Cat", "Ann"), ("Dan", "Eve"), ("Fay", "Eve"),
                           ("Hal", "Gus")]:  # fmt: skip
        add(cli, name, "--referred-by", referrer)
    for name, amount, currency, day in [
        ("Bob", "100", "EUR", "2026-11-01"), ("Bob", "50", "EUR", "2026-11-10"),
        ("Bob", "30", "USD", "2026-11-12"), ("Dan", "200", "EUR", "2026-11-05"),
        ("Fay", "10", "EUR", "2026-11-06"), ("Hal", "500", "EUR", "2026-11-25"),
        ("Ann", "999", "EUR", "2026-11-02"),  # a referrer's own purchase is not a referral's
    ]:  # fmt: skip
        sale = cli("sales", "add", name, amount, "--currency", currency, "--date", day,
                   "--as-of", day, "--no-follow-up")  # fmt: skip
        assert sale.exit_code == 0, sale.stderr
    result = cli("report", "referrals", "--as-of", "2026-11-20", "--json")
    assert result.exit_code == 0, result.stderr
    report = json.loads(result.stdout)
    assert (report["as_of"], report["total"]) == ("2026-11-20", 3)
    summary = [
        (r["contact"], r["referred_count"], r["customers"],
         [(m["amount"], m["currency"]) for m in r["revenue"]])
        for r in report["rows"]
    ]  # fmt: skip
    assert summary == [
        ("Eve", 2, 2, [("210.00", "EUR")]),
        ("Ann", 2, 1, [("150.00", "EUR"), ("30.00", "USD")]),
        ("Gus", 1, 0, []),
    ]
    ann = report["rows"][1]["referred"]
    assert [(p["contact"], p["customer"], p["first_purchase_on"]) for p in ann] == [
        ("Bob", True, "2026-11-01"),
        ("Cat", False, None),
    ]
    table = cli("report", "referrals", "--as-of", "2026-11-20").stdout.splitlines()
    assert table[1:] == [
        "2\tEve\t2\t2\t210.00 EUR\tDan, Fay",
        "1\tAnn\t2\t1\t150.00 EUR, 30.00 USD\tBob, Cat (not yet)",
        "3\tGus\t1\t0\t\tHal (not yet)",
    ]
    later = json.loads(cli("report", "referrals", "--as-of", "2026-11-30", "--json").stdout)
    # Gus and Ann have brought one customer each by then: Gus's brought more revenue.
    assert [r["contact"] for r in later["rows"]] == ["Eve", "Gus", "Ann"]
    assert later["rows"][1]["revenue"] == [
        {"amount": "500.00", "amount_minor": 50000, "currency": "EUR"}
    ]
    # A page of two is the head of the whole ranking, and the total still counts all three.
    page = json.loads(
        cli("report", "referrals", "--as-of", "2026-11-30", "--json", "--limit", "2").stdout
    )
    assert (page["total"], page["rows"]) == (3, later["rows"][:2])


def test_the_referrals_report_with_nobody_referred(cli: Invoke) -> None:
    add(cli, "Ann")
    result = cli("report", "referrals")
    assert result.exit_code == 0
    assert "nobody has referred anyone yet" in result.stdout + result.stderr


def test_merge_keeps_both_links(cli: Invoke) -> None:
    add(cli, "Ann Lee")
    keep = add(cli, "Bob Stone", "--email", "bob@example.com")
    drop = add(cli, "Bob S.", "--email", "bob@work.example", "--referred-by", "Ann")
    add(cli, "Cat Wu", "--referred-by", str(drop))
    result = cli("contacts", "merge", str(keep), str(drop), "--keep", "first")
    assert result.exit_code == 0, result.stderr
    assert referrer_of(cli, "Bob Stone") == "Ann Lee"
    assert referrer_of(cli, "Cat") == "Bob Stone"


def test_merge_never_leaves_a_self_referral_or_a_circle(cli: Invoke) -> None:
    # Ann referred Bob, Bob referred Cat, Cat referred Dan; Dan is Bob's duplicate. Merged into
    # Dan, Cat is referred by Dan, so Dan cannot keep Cat as his referrer (a circle): he takes
    # Bob's, Ann.
    add(cli, "Ann Lee")
    bob = add(cli, "Bob Stone")
    add(cli, "Cat Wu", "--referred-by", "Bob")
    dan = add(cli, "Dan Ek", "--referred-by", "Cat")
    cli("contacts", "edit", "Bob", "--referred-by", "Ann")
    assert cli("contacts", "merge", str(dan), str(bob), "--keep", "first").exit_code == 0
    assert referrer_of(cli, "Dan") == "Ann Lee"
    assert referrer_of(cli, "Cat") == "Dan Ek"
    # Merging a contact with the one who referred it: no self-referral either.
    eve = add(cli, "Eve Ray")
    fay = add(cli, "Fay Ray", "--referred-by", "Eve")
    assert cli("contacts", "merge", str(fay), str(eve), "--keep", "first").exit_code == 0
    assert referrer_of(cli, "Fay") is None


def test_forgetting_a_referrer_keeps_the_people_they_brought(cli: Invoke) -> None:
    add(cli, "Ann Lee")
    add(cli, "Bob Stone", "--referred-by", "Ann")
    cli("sales", "add", "Bob", "120")
    assert cli("contacts", "forget", "Ann", "--yes").exit_code == 0
    bob = shown(cli, "Bob")
    assert bob["referred_by"] is None
    assert [s["amount"] for s in bob["sales"]] == ["120.00"]
    assert json.loads(cli("report", "referrals", "--json").stdout)["rows"] == []


def test_forgetting_a_referred_contact_leaves_no_name_in_the_thank_you(cli: Invoke) -> None:
    add(cli, "Ann Lee")
    add(cli, "Bob Stone", "--referred-by", "Ann")
    cli("sales", "add", "Bob", "120")
    assert cli("contacts", "forget", "Bob", "--yes").exit_code == 0
    assert thanks(cli) == ["Thank Ann Lee for referring [forgotten]"]


def test_an_export_edited_into_a_circle_is_imported_without_it(cli: Invoke, tmp_path: Path) -> None:
    add(cli, "Ann Lee")
    add(cli, "Bob Stone", "--referred-by", "Ann")
    path = tmp_path / "export.json"
    assert cli("contacts", "export", "--format", "json", "-o", str(path)).exit_code == 0
    data = json.loads(path.read_text())
    people = {p["name"]: p for p in data["contacts"]}
    people["Ann Lee"]["referred_by_uid"] = people["Bob Stone"]["uid"]  # by hand: a circle
    path.write_text(json.dumps(data))
    other = ("--db", str(tmp_path / "other.db"))
    result = cli(*other, "contacts", "import", str(path))
    assert result.exit_code == 0, result.stderr
    assert "would make a circle of referrals: left out" in result.stdout + result.stderr
    links = {
        c["name"]: c["referred_by"]["name"] if c["referred_by"] else None
        for c in json.loads(cli(*other, "contacts", "list", "--json").stdout)
    }
    # The file's first link is kept; the second would close the circle.
    assert links == {"Ann Lee": "Bob Stone", "Bob Stone": None}
