"""Roll-ups by company (`report top|at-risk|reorder --by company`) on a hand-built data set whose
answers are written here."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest

from conftest import Invoke
from tinycrm.services import cases, sales, satisfaction
from tinycrm.services.companies import add_company
from tinycrm.services.contacts import ContactFields, add_contact
from tinycrm.services.notes import add_note
from tinycrm.store import Store

D = date.fromisoformat
AS_OF = "2026-06-30"


def report(cli: Invoke, *args: str) -> Any:
    result = cli("report", *args, "--by", "company", "--as-of", AS_OF, "--json")
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def person(store: Store, name: str, company: str | None, kind: str | None = None) -> str:
    fields = ContactFields(name=name, company=company, relationship_type=kind)
    return str(add_contact(store, fields, D("2026-01-01")).id)


def sell(store: Store, ref: str, on: str, amount: str) -> None:
    sales.add_sale(store, ref, amount, sold_on=D(on), today=D(on), currency="EUR")


@pytest.fixture
def agency(store: Store) -> None:
    # Acme keeps in touch every 20 days; its last interaction was Ann's sale on 05-31.
    add_company(store, "Acme", cadence="20")
    ann, bob = person(store, "Ann", "Acme"), person(store, "Bob", "acme")
    sell(store, ann, "2026-04-01", "100")
    sell(store, bob, "2026-05-01", "50")
    sell(store, ann, "2026-05-31", "100")
    # Bolt has no cadence of its own: Cy was called on 06-25, Di (monthly) never was.
    cy, di = person(store, "Cy", "Bolt", "dedicated"), person(store, "Di", "Bolt", "dedicated")
    add_note(store, cy, "Call about the launch", D("2026-06-25"), "call")
    sell(store, cy, "2026-06-01", "500")
    satisfaction.add_score(store, di, "5", on=D("2026-05-01"), today=D("2026-05-01"))
    satisfaction.add_score(store, di, "3", on=D("2026-06-01"), today=D("2026-06-01"))
    cases.open_case(store, cy, "Wrong invoice", today=D("2026-06-28"))
    # Everyone at Zed (Eve, monthly) is losing touch; Quiet Co has no cadence, no worries.
    person(store, "Eve", "Zed", "dedicated")
    person(store, "Fay", "Quiet Co")
    # No company: not in any company row.
    sell(store, person(store, "Gus", None), "2026-06-10", "1000")


def test_top_by_company_sums_the_sales_that_belong_to_each(cli: Invoke, agency: None) -> None:
    rows = [(r["company"], r["sales"], r["revenue"]["amount"]) for r in report(cli, "top")["rows"]]
    assert rows == [("Bolt", 1, "500.00"), ("Acme", 3, "250.00")]


def test_reorder_by_company_uses_everyone_s_purchase_days(cli: Invoke, agency: None) -> None:
    # Acme's purchase days 04-01, 05-01, 05-31: gaps 30 and 30, due 06-30. Bolt bought once.
    rows = [(r["company"], r["purchases"], r["median_interval_days"], r["due_on"])
            for r in report(cli, "reorder")["rows"]]  # fmt: skip
    assert rows == [("Acme", 3, 30, "2026-06-30")]


def test_at_risk_by_company(cli: Invoke, agency: None) -> None:
    rows = [(r["company"], r["reasons"]) for r in report(cli, "at-risk")["rows"]]
    assert rows == [
        ("Bolt", ["Di: CSAT falling 5→3", "Cy: 1 open case (target 2026-07-01)"]),
        ("Acme", ["nobody there contacted within 20 days (last 2026-05-31, 10 days late)"]),
        ("Zed", ["every person there is losing touch"]),
    ]


def test_at_risk_by_company_pages_are_the_head_of_the_whole_list(
    cli: Invoke, agency: None, store: Store
) -> None:
    # A third person at risk at Bolt, before Di (two reasons) and Cy (one) in urgency: losing
    # touch (the company's own reason here), a low score and an open case.
    ida = person(store, "Ida", "Bolt", "dedicated")
    satisfaction.add_score(store, ida, "1", on=D("2026-06-02"), today=D("2026-06-02"))
    cases.open_case(store, ida, "Late parcel", today=D("2026-06-29"))
    whole = report(cli, "at-risk", "-n", "0")
    assert whole["total"] == 3
    bolt = whole["rows"][0]
    assert [p["contact"] for p in bolt["people_at_risk"]] == ["Ida", "Di", "Cy"]
    assert [r.split(":")[0] for r in bolt["reasons"]] == ["Ida", "Ida", "Di", "Cy"]
    for size in (1, 2, 3):
        page = report(cli, "at-risk", "-n", str(size))
        assert (page["total"], page["rows"]) == (3, whole["rows"][:size])


def test_by_takes_contact_or_company(cli: Invoke, agency: None) -> None:
    result = cli("report", "at-risk", "--by", "team")
    assert result.exit_code == 2
    assert result.stderr.splitlines()[-1] == "crm: --by must be contact or company, not 'team'"
    both = cli("report", "top", "--by", "revenue", "--by", "profit")
    assert both.exit_code == 2


def test_the_digest_puts_a_company_s_rows_together(cli: Invoke, store: Store) -> None:
    for name, company in (("Ann", "Acme"), ("Bob", None), ("Cy", "Acme")):
        ref = person(store, name, company)
        cli("follow-ups", "add", ref, f"Call {name}", "--due", AS_OF, "--as-of", "2026-06-01")
    result = cli("digest", "--as-of", AS_OF, "--json")
    assert result.exit_code == 0, result.stderr
    today = json.loads(result.stdout)["today"]["follow_ups"]
    assert [(i["contact"], i["company"]) for i in today] == [
        ("Ann", "Acme"), ("Cy", "Acme"), ("Bob", None)
    ]  # fmt: skip
    text = cli("digest", "--as-of", AS_OF).stdout
    assert (
        text.index("Ann (Acme): Call Ann")
        < text.index("Cy (Acme): Call Cy")
        < text.index("Bob: Call Bob")
    )
