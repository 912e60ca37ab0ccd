"""`crm report team` (issue 16) on a hand-built shop: the answers are written out below.

Three people: Ann (admin), Bea, Carl (nothing yet). Dora is Ann's customer, Emil and Fay are
Bea's, Gus has no owner. Ann logs two interactions and a plain note and completes a follow-up a
day late; Bea logs one interaction and completes two follow-ups on time; Emil and Gus have an
open case (at risk by the at-risk rule), Fay's latest CSAT is low (at risk); Dora's resolved
case counts for nobody.
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any

import pytest

from conftest import Invoke


def ok(cli: Invoke, *args: str) -> str:
    result = cli(*args)
    assert result.exit_code == 0, result.stderr
    return result.stdout


def build_shop(cli: Invoke, monkeypatch: pytest.MonkeyPatch) -> None:
    today = date.today()
    ok(cli, "users", "add", "Ann", "--email", "ann@shop.example", "--login", "ann", "--admin")
    monkeypatch.setenv("CRM_USER", "Ann")
    ok(cli, "users", "add", "Bea", "--email", "bea@shop.example", "--login", "bea")
    ok(cli, "users", "add", "Carl", "--email", "carl@shop.example", "--login", "carl")
    for name, owner in [("Dora", "Ann"), ("Emil", "Bea"), ("Fay", "Bea")]:
        ok(cli, "contacts", "add", name, "--owner", owner)
    ok(cli, "contacts", "add", "Gus")
    for name, due in [("Dora", -1), ("Emil", 0), ("Fay", 1)]:
        ok(cli, "follow-ups", "add", name, "Call back", "--due", str(today + timedelta(due)))
    ok(cli, "satisfaction", "add", "Dora", "5")
    ok(cli, "satisfaction", "add", "Emil", "4")
    ok(cli, "satisfaction", "add", "Fay", "2")
    ok(cli, "cases", "open", "Emil", "Wrong size")
    ok(cli, "cases", "open", "Gus", "Late delivery")
    ok(cli, "cases", "open", "Dora", "Scratched frame")
    ok(cli, "cases", "resolve", "3", "--note", "Replaced")
    # Ann's work
    ok(cli, "notes", "add", "Dora", "Asked about the spring offer", "--channel", "call")
    ok(cli, "notes", "add", "Emil", "Came to the shop", "--channel", "visit")
    ok(cli, "notes", "add", "Dora", "Prefers e-mail")
    ok(cli, "follow-ups", "done", "1")  # due yesterday: late
    # Bea's work
    monkeypatch.setenv("CRM_USER", "Bea")
    ok(cli, "notes", "add", "Fay", "Called about the low score", "--channel", "call")
    ok(cli, "follow-ups", "done", "2")  # due today: on time
    ok(cli, "follow-ups", "done", "3")  # due tomorrow: on time


def person(
    name: str, user_id: int | None, *counts: int, satisfaction: list[dict[str, Any]]
) -> dict[str, Any]:
    interactions, on_time, late, cases, at_risk = counts
    return {
        "user_id": user_id, "name": name, "active": True, "interactions": interactions,
        "follow_ups_done_on_time": on_time, "follow_ups_done_late": late, "open_cases": cases,
        "at_risk": at_risk, "at_risk_exact": True, "satisfaction": satisfaction,
    }  # fmt: skip


def test_the_team_report_of_a_hand_built_shop(cli: Invoke, monkeypatch: pytest.MonkeyPatch) -> None:
    build_shop(cli, monkeypatch)
    report = json.loads(ok(cli, "report", "team", "--json"))
    today = date.today()
    assert (report["since"], report["as_of"]) == (str(today - timedelta(29)), str(today))
    assert report["people"] == [
        person("Ann", 1, 2, 0, 1, 0, 0,
               satisfaction=[{"scale": "csat", "customers": 1, "average": 5.0}]),
        person("Bea", 2, 1, 2, 0, 1, 2,
               satisfaction=[{"scale": "csat", "customers": 2, "average": 3.0}]),
        person("Carl", 3, 0, 0, 0, 0, 0, satisfaction=[]),
        person("(nobody)", None, 0, 0, 0, 1, 1, satisfaction=[]),
    ]  # fmt: skip


def test_the_team_report_as_a_table(cli: Invoke, monkeypatch: pytest.MonkeyPatch) -> None:
    build_shop(cli, monkeypatch)
    lines = ok(cli, "report", "team").splitlines()
    assert lines == [
        "person\tinteractions\tdone_on_time\tdone_late\topen_cases\tat_risk\tsatisfaction",
        "Ann\t2\t0\t1\t0\t0\tCSAT 5.0 (1)",
        "Bea\t1\t2\t0\t1\t2\tCSAT 3.0 (2)",
        "Carl\t0\t0\t0\t0\t0\t",
        "(nobody)\t0\t0\t0\t1\t1\t",
    ]


def test_a_period_before_the_work_shows_no_activity(
    cli: Invoke, monkeypatch: pytest.MonkeyPatch
) -> None:
    build_shop(cli, monkeypatch)
    before = str(date.today() - timedelta(days=40))
    report = json.loads(ok(cli, "report", "team", "--as-of", before, "--json"))
    ann = report["people"][0]
    assert (ann["interactions"], ann["follow_ups_done_late"]) == (0, 0)
