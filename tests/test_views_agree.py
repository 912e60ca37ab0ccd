"""Each rule answers the same whichever command, report, digest or screen asks."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

from conftest import Invoke
from tinycrm.services import satisfaction
from tinycrm.services.contacts import ContactFields, add_contact
from tinycrm.store import Store


def as_json(cli: Invoke, *args: str) -> Any:
    result = cli(*args, "--json")
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def test_a_follow_up_has_one_urgency_in_every_view(cli: Invoke) -> None:
    """The relationship weight and the open-case weight count in the list and the card too."""
    assert cli("contacts", "add", "Ann", "--type", "dedicated").exit_code == 0
    assert cli("follow-ups", "add", "Ann", "Call back", "--due", "today").exit_code == 0
    assert cli("cases", "open", "Ann", "Broken till").exit_code == 0
    today = {i["handle"]: i["urgency"] for i in as_json(cli, "follow-ups", "today")["today"]}
    listed = {i["handle"]: i["urgency"] for i in as_json(cli, "follow-ups", "list")}
    card = as_json(cli, "contacts", "show", "Ann")
    on_card = {i["handle"]: i["urgency"] for i in card["follow_ups"]}
    assert today["1"] == listed["1"] == on_card["1"]
    bare = cli("contacts", "add", "Bob")
    assert bare.exit_code == 0
    assert cli("follow-ups", "add", "Bob", "Call back", "--due", "today").exit_code == 0
    plain = {i["handle"]: i["urgency"] for i in as_json(cli, "follow-ups", "list")}
    assert plain["1"] > plain["3"], "Ann's weights (dedicated, open case) are counted"


def test_config_currency_follows_the_money_rule(cli: Invoke, isolated_env: Path) -> None:
    """A currency the money rules do not know is refused when the config is read, naming the
    config key, not later by every sale with a flag the user never typed."""
    config = isolated_env / "config.toml"
    config.write_text('[sales]\ncurrency = "XYZ"\n', encoding="utf-8")
    for args in (["contacts", "list"], ["sales", "add", "Ann", "10"], ["report", "top"]):
        result = cli(*args)
        assert result.exit_code != 0, args
        (line,) = result.stderr.strip().splitlines()
        assert "sales.currency" in line and "XYZ" in line and "--currency" not in line
    config.write_text('[sales]\ncurrency = "jpy"\n', encoding="utf-8")
    assert cli("contacts", "add", "Ann").exit_code == 0
    sold = cli("sales", "add", "Ann", "1200")
    assert sold.exit_code == 0, sold.stderr
    assert "JPY" in sold.stdout


def test_queue_rows_say_each_thing_once(cli: Invoke, store: Store) -> None:
    """Titles and their detail do not repeat each other; dates without a year read '24 Dec'."""
    added = date(2026, 1, 1)
    add_contact(store, ContactFields(name="Ada", relationship_type="dedicated"), added)
    fields = ContactFields(name="Bea", birthday="--12-24", anniversaries=["wedding=2014-12-20"])
    add_contact(store, fields, added)
    assert cli("follow-ups", "add", "Bea", "Water the plants", "--due", "2026-12-18",
               "--every", "FREQ=WEEKLY;COUNT=2").exit_code == 0  # fmt: skip
    as_of = ("--as-of", "2026-12-18", "--days", "7")
    rows = as_json(cli, "follow-ups", "upcoming", *as_of)["upcoming"]
    rows += as_json(cli, "follow-ups", "today", "--as-of", "2026-12-18")["today"]
    shown = {r["kind"]: (r["title"], r["detail"]) for r in rows}
    assert shown["birthday"] == ("Birthday", "24 Dec")
    assert shown["anniversary"] == ("Anniversary: wedding, 12 years", "20 Dec 2014")
    assert shown["custom"] == ("Water the plants", "weekly, 2 times")
    table = (
        cli("follow-ups", "upcoming", *as_of).stdout
        + cli("follow-ups", "overdue", "--as-of", "2026-12-18").stdout
    )
    for words in ("wedding", "every 30 days", "weekly"):
        for line in table.splitlines():
            assert line.count(words) <= 1, line
    assert "--12-24" not in table
    check_in = as_json(cli, "follow-ups", "overdue", "--as-of", "2026-12-18")["overdue"][0]
    assert (check_in["title"], check_in["detail"]) == (
        "Check-in, no contact logged yet",
        "every 30 days",
    )


def test_one_usual_purchase_interval_for_reorder_and_lifecycle(cli: Invoke, store: Store) -> None:
    """Gaps of 30 and 31 days: a median of 30.5 is 31 whole days in the reorder report, the
    queue and lifecycle alike (halves round up everywhere)."""
    add_contact(store, ContactFields(name="Cy", stage="commitment"), date(2026, 1, 1))
    for day in ("2026-03-01", "2026-03-31", "2026-05-01"):
        sold = cli("sales", "add", "Cy", "10", "--date", day)
        assert sold.exit_code == 0, sold.stderr
    (row,) = as_json(cli, "report", "reorder", "--as-of", "2026-06-01")["rows"]
    assert (row["median_interval_days"], row["due_on"]) == (30.5, "2026-06-01")
    queue = as_json(cli, "follow-ups", "today", "--as-of", "2026-06-01")["today"]
    assert [(r["kind"], r["detail"]) for r in queue] == [("reorder", "usually every 31 days")]
    # Lifecycle: dissolution after twice the interval (62 days) without activity.
    for day, suggested in (("2026-07-02", None), ("2026-07-03", "dissolution")):
        (life,) = as_json(cli, "report", "lifecycle", "--as-of", day)["rows"]
        assert life["suggested_stage"] == suggested, day
    assert "twice the cadence is 62" in life["reason"]


def test_lateness_is_worded_alike_in_the_queue_the_digest_and_at_risk(
    cli: Invoke, store: Store
) -> None:
    add_contact(store, ContactFields(name="Ada", relationship_type="dedicated"), date(2026, 1, 1))
    assert cli("follow-ups", "add", "Ada", "Send the quote", "--due", "2026-02-01").exit_code == 0
    as_of = ("--as-of", "2026-02-03")
    queue = cli("follow-ups", "overdue", *as_of).stdout
    digest = cli("digest", *as_of).stdout
    at_risk = cli("report", "at-risk", *as_of).stdout
    for text in (queue, digest, at_risk):
        assert "3 days late" in text  # the check-in, due 2026-01-31
    for text in (queue, digest):
        assert "2 days late" in text  # the quote


def test_todays_rows_are_the_same_in_the_digest_and_the_queue(cli: Invoke, store: Store) -> None:
    """A birthday today is one of today's rows in both, and listed once in the digest."""
    added = date(2026, 1, 1)
    add_contact(store, ContactFields(name="Bea", birthday="1980-03-10"), added)
    add_contact(store, ContactFields(name="Cy", birthday="--03-12"), added)
    assert cli("follow-ups", "add", "Cy", "Send the quote", "--due", "2026-03-10").exit_code == 0
    as_of = ("--as-of", "2026-03-10")
    queue = as_json(cli, "follow-ups", "today", *as_of)
    digest = as_json(cli, "digest", *as_of)
    assert queue["today_total"] == digest["today_total"] == 2
    in_digest = sorted(r["title"] for rows in digest["today"].values() for r in rows)
    assert in_digest == sorted(r["title"] for r in queue["today"])
    assert [r["contact"] for r in digest["birthdays_and_anniversaries"]] == ["Cy"]


def test_low_satisfaction_means_the_same_to_recovery_and_at_risk(cli: Invoke, store: Store) -> None:
    """Every score on both scales: a recovery follow-up is opened exactly for the scores
    at-risk calls low; a score after one on the other scale is never "falling"."""
    day = date(2026, 3, 1)
    expected: dict[str, bool] = {}
    for scale, scores in (("csat", range(1, 6)), ("nps", range(11))):
        for score in scores:
            name = f"{scale}{score}"
            contact = add_contact(store, ContactFields(name=name), day)
            result = satisfaction.add_score(
                store, str(contact.id), str(score), on=day, today=day, scale_name=scale
            )
            expected[name] = result.recovery is not None
    rows = as_json(cli, "report", "at-risk", "--as-of", "2026-03-02", "--limit", "0")["rows"]
    low = {r["contact"] for r in rows if r["satisfaction"] == "low"}
    assert low == {name for name, recovery in expected.items() if recovery}
    assert low == {"csat1", "csat2", *(f"nps{n}" for n in range(7))}
    # NPS 9, then CSAT 2: low, not "CSAT falling 9→2" (two scales are never compared).
    cy = add_contact(store, ContactFields(name="Cy"), day)
    for given, scale, on in (("9", "nps", day), ("2", "csat", date(2026, 3, 5))):
        satisfaction.add_score(store, str(cy.id), given, on=on, today=on, scale_name=scale)
    rows = as_json(cli, "report", "at-risk", "--as-of", "2026-03-06", "--limit", "0")["rows"]
    assert [r["reasons"] for r in rows if r["contact"] == "Cy"] == [["low CSAT 2"]]


def test_dates_without_a_year_read_as_people_write_them(cli: Invoke) -> None:
    assert cli("contacts", "add", "Bea", "--birthday", "--12-24",
               "--anniversary", "wedding=2014-06-01").exit_code == 0  # fmt: skip
    card = cli("contacts", "show", "Bea").stdout
    assert "24 Dec" in card and "--12-24" not in card
    assert "wedding: 1 Jun 2014" in card
    data = as_json(cli, "contacts", "show", "Bea")
    assert data["birthday"] == "--12-24"  # JSON keeps the ISO form scripts read
