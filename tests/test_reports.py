"""Each report on a small hand-built data set whose right answer is written here."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

from conftest import Invoke
from tinycrm.services import cases, followups, sales, satisfaction
from tinycrm.services.contacts import ContactFields, add_contact, set_archived
from tinycrm.services.notes import add_note
from tinycrm.store import Store

D = date.fromisoformat
AS_OF = "2026-06-30"


def report(cli: Invoke, *args: str) -> Any:
    result = cli("report", *args, "--as-of", AS_OF, "--json")
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def person(store: Store, name: str, created: str = "2026-01-01", **fields: Any) -> int:
    return add_contact(store, ContactFields(name=name, **fields), D(created)).id or 0


def sell(store: Store, ref: int, *dates: str, amount: str = "10", products: tuple[str, ...] = (),
         currency: str = "EUR") -> None:  # fmt: skip
    for on in dates:
        sales.add_sale(
            store, str(ref), amount, sold_on=D(on), today=D(on), currency=currency,
            products=list(products),
        )  # fmt: skip


def test_reorder(cli: Invoke, store: Store) -> None:
    # Intervals 30, 30 → median 30: last 06-01 → due 07-01 (within 7 days of 06-30).
    sell(store, person(store, "Ann"), "2026-04-02", "2026-05-02", "2026-06-01")
    # Intervals 10, 50, 20 → median 20: last 05-31 → due 06-20, overdue 10 days.
    sell(store, person(store, "Bob"), "2026-04-01", "2026-04-11", "2026-05-31", "2026-05-11")
    # Only two purchase days (same-day sales count once): never listed.
    sell(store, person(store, "Cy"), "2026-05-01", "2026-05-01", "2026-06-01")
    # Median 60: due 08-29, too far.
    sell(store, person(store, "Di"), "2026-02-01", "2026-04-02", "2026-06-01")
    # Due, but archived.
    eve = person(store, "Eve")
    sell(store, eve, "2026-03-01", "2026-04-01", "2026-05-01")
    set_archived(store, str(eve))
    # A sale after as-of is ignored: up to 06-30, gaps 10 and 30 → median 20 → due 07-05.
    sell(store, person(store, "Fay"), "2026-05-06", "2026-05-16", "2026-06-15", "2026-07-05")
    data = report(cli, "reorder")
    rows = [(r["contact"], r["due_on"], r["days_overdue"], r["median_interval_days"])
            for r in data["rows"]]  # fmt: skip
    assert rows == [
        ("Bob", "2026-06-20", 10, 20.0),
        ("Ann", "2026-07-01", -1, 30.0),
        ("Fay", "2026-07-05", -5, 20.0),
    ]
    assert data["total"] == 3
    # The queue gives the same customers and days (Fay's summary includes a later sale: the
    # queue, unlike the report, does not look back in time).
    queue = followups.build_queue(store, D(AS_OF), days=7)
    shown = [(i.contact_name, i.due_on.isoformat()) for i in [*queue.overdue, *queue.upcoming]
             if i.kind == "reorder"]  # fmt: skip
    assert shown == [("Bob", "2026-06-20"), ("Ann", "2026-07-01")]
    assert report(cli, "reorder", "--days", "0")["total"] == 1


def test_at_risk(cli: Invoke, store: Store) -> None:
    # Dedicated (30 days), last call 05-01: its check-in (05-31) is 30 days late on 06-30.
    quiet = person(store, "Quiet", relationship_type="dedicated")
    add_note(store, str(quiet), "call", D("2026-05-01"), "call")
    # Dedicated, called 06-20: fine.
    fine = person(store, "Fine", relationship_type="dedicated")
    add_note(store, str(fine), "call", D("2026-06-20"), "call")
    # Dedicated, no note but a purchase on 06-10 counts as contact: fine.
    sell(store, person(store, "Buyer", relationship_type="dedicated"), "2026-06-10")
    # No cadence; scores 5 then 3: falling.
    falling = person(store, "Falling")
    for score, on in (("5", "2026-05-01"), ("3", "2026-06-01")):
        satisfaction.add_score(store, str(falling), score, on=D(on), today=D(on))
    # Scores 3 then 4: rising, not at risk; a later low score (07-02) is after as-of.
    rising = person(store, "Rising")
    for score, on in (("3", "2026-05-01"), ("4", "2026-06-01"), ("1", "2026-07-02")):
        satisfaction.add_score(store, str(rising), score, on=D(on), today=D(on))
    # Open case, plus a low NPS; personal cadence (60) with the clock from 06-01: fine.
    both = person(store, "Both", created="2026-06-01", relationship_type="personal")
    cases.open_case(store, str(both), "Broken", today=D("2026-06-28"))
    satisfaction.add_score(store, str(both), "4", on=D("2026-06-02"), today=D("2026-06-02"),
                           scale_name="nps")  # fmt: skip
    data = report(cli, "at-risk")
    got = {r["contact"]: r["reasons"] for r in data["rows"]}
    assert got == {
        "Both": ["low NPS 4", "1 open case (target 2026-07-01)"],
        "Quiet": ["check-in 30 days late (every 30 days, last contact 2026-05-01)"],
        "Falling": ["CSAT falling 5→3"],
    }
    assert data["rows"][0]["contact"] == "Both"  # most reasons first
    assert data["total"] == 3


def test_top_by_revenue_and_profit(cli: Invoke, store: Store, isolated_env: Path) -> None:
    (isolated_env / "config.toml").write_text('[costs]\nhourly = "60.00"\n')
    big = person(store, "Big")
    sell(store, big, "2026-03-01", "2026-04-01", amount="500.00")  # 1000.00
    add_note(store, str(big), "long visit", D("2026-03-02"), "visit", 600)  # 10 h = 600.00
    small = person(store, "Small")
    sell(store, small, "2026-05-01", amount="800.00")
    sales.add_cost(store, str(small), "50", kind="gift", spent_on=D("2026-05-02"),
                   currency="EUR")  # fmt: skip
    old = person(store, "Old")
    sell(store, old, "2025-05-01", amount="5000.00")  # before the 12 months
    yen = person(store, "Yen")
    sell(store, yen, "2026-06-01", amount="100000", currency="JPY")
    add_note(store, str(yen), "call", D("2026-06-01"), "call", 30)
    data = report(cli, "top")
    assert data["from"] == "2025-07-01" and data["to"] == AS_OF
    rows = [(r["contact"], r["revenue"]["amount"], r["currency"],
             r["profit"]["amount"] if r["profit"] else None) for r in data["rows"]]  # fmt: skip
    assert rows == [
        ("Big", "1000.00", "EUR", "400.00"),
        ("Small", "800.00", "EUR", "750.00"),
        ("Yen", "100000", "JPY", None),  # time cost in EUR is unknown for a JPY row
    ]
    by_profit = report(cli, "top", "--by", "profit")
    assert [r["contact"] for r in by_profit["rows"]] == ["Small", "Big", "Yen"]


def test_lifecycle(cli: Invoke, store: Store) -> None:
    # Expansion, dedicated (30): last call 04-01 → 90 days > 60 → dissolution.
    gone = person(store, "Gone", relationship_type="dedicated", stage="expansion")
    add_note(store, str(gone), "call", D("2026-04-01"), "call")
    # Awareness with a purchase → expansion.
    sell(store, person(store, "New", stage="awareness", relationship_type="personal"), "2026-06-01")
    # Expansion with 3 purchase days → commitment.
    sell(store, person(store, "Loyal", stage="expansion", relationship_type="long-term"),
         "2026-04-01", "2026-05-01", "2026-06-01")  # fmt: skip
    # Dissolution set on 01-01, then a purchase → won back.
    sell(store, person(store, "Back", stage="dissolution"), "2026-06-15")
    person(store, "Steady", stage="commitment", relationship_type="long-term", created="2026-06-01")
    data = report(cli, "lifecycle")
    got = {r["contact"]: r["suggested_stage"] for r in data["rows"]}
    assert got == {
        "Back": "expansion",
        "Gone": "dissolution",
        "Loyal": "commitment",
        "New": "expansion",
        "Steady": None,
    }
    changes = report(cli, "lifecycle", "--changes")
    assert changes["total"] == 4


def test_satisfaction_by_month(cli: Invoke, store: Store) -> None:
    who = person(store, "Ann")
    for score, on, scale in [
        ("5", "2026-05-03", "csat"), ("4", "2026-05-20", "csat"), ("2", "2026-05-21", "csat"),
        ("10", "2026-06-01", "nps"), ("9", "2026-06-02", "nps"), ("7", "2026-06-03", "nps"),
        ("3", "2026-06-04", "nps"), ("5", "2026-03-31", "csat"),
    ]:  # fmt: skip
        satisfaction.add_score(store, str(who), score, on=D(on), today=D(on), scale_name=scale)
    data = report(cli, "satisfaction", "--months", "2")
    may, june = data["months"]
    assert may["month"] == "2026-05"
    assert may["csat"] == {"count": 3, "average": 3.67,
                           "distribution": {"1": 0, "2": 1, "3": 0, "4": 1, "5": 1}}  # fmt: skip
    assert may["nps"]["score"] is None
    # 2 promoters, 1 passive, 1 detractor of 4: 50% - 25% = 25.
    assert june["nps"] == {"count": 4, "score": 25, "promoters": 2, "passives": 1,
                           "detractors": 1}  # fmt: skip
    assert june["csat"]["count"] == 0


def test_suggest(cli: Invoke, store: Store) -> None:
    me = person(store, "Me")
    sell(store, me, "2026-06-01", products=("Helmet",))
    a, b, c = person(store, "A"), person(store, "B"), person(store, "C")
    sell(store, a, "2026-06-01", products=("Helmet", "Lights"))
    sell(store, b, "2026-06-02", products=("Helmet",))
    sell(store, b, "2026-06-03", products=("Lights", "Lock"))
    sell(store, c, "2026-06-01", products=("Tyre",))  # shares nothing with me
    result = cli("report", "suggest", "Me", "--json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["similar_customers"] == 2
    assert data["suggestions"] == [
        {"product": "Lights", "evidence": 2},
        {"product": "Lock", "evidence": 1},
    ]
    # A's two products: both are left out of its own suggestions.
    result = cli("report", "suggest", "A", "--json")
    assert json.loads(result.stdout)["suggestions"] == [{"product": "Lock", "evidence": 1}]
    person(store, "Never bought")
    for lonely in ("C", "Never bought"):  # peers none: nothing to suggest
        result = cli("report", "suggest", lonely, "--json")
        assert result.exit_code == 0, result.stderr
        data = json.loads(result.stdout)
        assert (data["similar_customers"], data["suggestions"]) == (0, [])
    ignored = cli("report", "suggest", "Me", "--as-of", AS_OF)
    assert ignored.exit_code == 2 and "--as-of" in ignored.stderr  # no option it would ignore


def test_a_case_is_due_in_the_queue_on_its_target_until_resolved(store: Store) -> None:
    who = person(store, "Ann")
    high = cases.open_case(store, str(who), "Urgent", severity="high", today=D("2026-06-28"))
    cases.open_case(store, str(who), "Later", severity="low", today=D("2026-06-28"))

    def due(days: int) -> list[str]:
        queue = followups.build_queue(store, D("2026-06-29"), days=days)
        return [item.title for item in [*queue.overdue, *queue.today, *queue.upcoming]]

    assert due(0) == ["Case #1 (high): Urgent"]
    assert due(7) == ["Case #1 (high): Urgent", "Case #2 (low): Later"]
    cases.resolve(store, str(high.id), "done", D("2026-06-29"))
    assert due(0) == []
