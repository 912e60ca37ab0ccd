"""Sales, satisfaction, cases and pass-on through the CLI: the playbook, recovery, bad input."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from conftest import Invoke
from tinycrm.cli import context
from tinycrm.cli.app import run

TODAY = date(2026, 11, 26)


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(context, "today", lambda: TODAY)
    for module in ("sales", "satisfaction", "cases", "passon", "contacts"):
        monkeypatch.setattr(f"tinycrm.cli.{module}.today", lambda: TODAY, raising=False)


def ok(cli: Invoke, *args: str) -> Any:
    result = cli(*args, "--json")
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def follow_ups(cli: Invoke, ref: str) -> list[tuple[str, str, str]]:
    """(kind, due, source) of the contact's stored follow-ups, read through the store."""
    import os

    from tinycrm.services.contacts import resolve_ref
    from tinycrm.store import Store

    store = Store.open(os.environ["CRM_DB"], create=True)
    try:
        contact = resolve_ref(store, ref)
        return [
            (f.kind.value, f.due_on.isoformat(), f.source or "")
            for f in store.follow_ups.for_contact(contact.id or 0, open_only=True)
        ]
    finally:
        store.close()


def test_sale_runs_playbook_and_sets_customer_since(cli: Invoke) -> None:
    ok(cli, "contacts", "add", "Ann Lee")
    sale = ok(cli, "sales", "add", "Ann", "49.90", "--product", "Helmet", "--product", "Lights")
    assert sale["amount"] == "49.90" and sale["amount_minor"] == 4990
    assert sale["currency"] == "EUR" and sale["products"] == ["Helmet", "Lights"]
    assert follow_ups(cli, "Ann") == [
        ("thank-you", "2026-11-28", f"sale:{sale['id']}"),
        ("satisfaction-check", "2026-12-10", f"sale:{sale['id']}"),
    ]
    shown = ok(cli, "contacts", "show", "Ann")
    assert shown["anniversaries"] == [{"label": "customer since", "date": "2026-11-26"}]
    assert [s["amount"] for s in shown["sales"]] == ["49.90"]
    # A second sale keeps the first "customer since".
    ok(cli, "sales", "add", "Ann", "10", "--no-follow-up", "--date", "2026-11-25")
    shown = ok(cli, "contacts", "show", "Ann")
    assert shown["anniversaries"] == [{"label": "customer since", "date": "2026-11-26"}]
    assert len(follow_ups(cli, "Ann")) == 2


def test_existing_customer_since_is_kept(cli: Invoke) -> None:
    ok(cli, "contacts", "add", "Bo", "--anniversary", "customer since=2019-05-01")
    ok(cli, "sales", "add", "Bo", "5", "--no-follow-up")
    shown = ok(cli, "contacts", "show", "Bo")
    assert shown["anniversaries"] == [{"label": "customer since", "date": "2019-05-01"}]


def test_playbook_from_config_and_past_steps_skipped(cli: Invoke, isolated_env: Path) -> None:
    (isolated_env / "config.toml").write_text(
        '[[playbook.after_sale]]\nkind = "thank-you"\ndays = 1\ntitle = "Call"\n'
        '[[playbook.after_sale]]\nkind = "check-in"\ndays = 30\n'
    )
    ok(cli, "contacts", "add", "Cy")
    sale = ok(cli, "sales", "add", "Cy", "20", "--date", "2026-11-20")
    assert sale["skipped_steps"] == ["Call"]  # due 11-21, already past
    assert follow_ups(cli, "Cy") == [("check-in", "2026-12-20", f"sale:{sale['id']}")]


def test_low_scores_create_recovery_next_day(cli: Invoke) -> None:
    ok(cli, "contacts", "add", "Di")
    assert ok(cli, "satisfaction", "add", "Di", "3")["recovery"] is None
    low = ok(cli, "satisfaction", "add", "Di", "2", "--comment", "late")
    assert low["recovery"]["kind"] == "recovery" and low["recovery"]["due"] == "2026-11-27"
    assert ok(cli, "satisfaction", "add", "Di", "7", "--scale", "nps")["recovery"] is None
    nps = ok(cli, "satisfaction", "add", "Di", "6", "--scale", "nps")
    assert nps["recovery"]["due"] == "2026-11-27"
    # A low score recorded late is due today, not in the past.
    old = ok(cli, "satisfaction", "add", "Di", "1", "--date", "2026-10-01")
    assert old["recovery"]["due"] == "2026-11-26"
    kinds = [k for k, _, _ in follow_ups(cli, "Di")]
    assert kinds.count("recovery") == 3


def test_satisfaction_history_trend(cli: Invoke) -> None:
    ok(cli, "contacts", "add", "Ed")
    for score, on in [("5", "2026-06-01"), ("5", "2026-07-01"), ("4", "2026-09-01"),
                      ("3", "2026-11-01")]:  # fmt: skip
        ok(cli, "satisfaction", "add", "Ed", score, "--date", on)
    data = ok(cli, "satisfaction", "history", "Ed")
    assert [s["score"] for s in data["scores"]] == [5, 5, 4, 3]
    trend = data["trend"]
    assert trend["sparkline"] == "██▆▅"
    # Last 90 days (08-28..11-26): 4 and 3 → 3.5; the 90 before (05-30..08-28): 5 and 5.
    assert trend["current_average"] == 3.5 and trend["previous_average"] == 5.0
    assert trend["change"] == -1.5
    text = cli("satisfaction", "history", "Ed")
    assert "down 1.5" in text.stdout


def test_cases_lifecycle_and_follow_up(cli: Invoke) -> None:
    ok(cli, "contacts", "add", "Fay")
    case = ok(cli, "cases", "open", "Fay", "Broken spoke", "--severity", "high")
    assert case["target_on"] == "2026-11-27" and case["status"] == "open"
    assert follow_ups(cli, "Fay") == [("case", "2026-11-27", f"case:{case['id']}")]
    low = ok(cli, "cases", "open", "Fay", "Scratch", "--severity", "low")
    assert low["target_on"] == "2026-12-03"
    esc = ok(cli, "cases", "escalate", str(case["id"]), "--to", "Boss")
    assert esc["escalated_to"] == "Boss" and esc["escalated_on"] == "2026-11-26"
    done = ok(cli, "cases", "resolve", str(case["id"]), "--note", "replaced the wheel")
    assert done["status"] == "resolved" and done["resolution"] == "replaced the wheel"
    assert [k for k, _, _ in follow_ups(cli, "Fay")] == ["case"]  # only the low one left
    listed = ok(cli, "cases", "list", "--open")
    assert [c["title"] for c in listed] == ["Scratch"]


def test_pass_on_one_follow_up_per_tagged_contact(cli: Invoke) -> None:
    ok(cli, "contacts", "add", "Gil", "--tag", "club")
    ok(cli, "contacts", "add", "Hal", "--tag", "Club")
    ok(cli, "contacts", "add", "Ivy", "--tag", "other")
    created = ok(cli, "pass-on", "Club ride on Sunday", "--tag", "club", "--due", "2026-11-29")
    assert len(created) == 2
    assert {f["due"] for f in created} == {"2026-11-29"}
    assert follow_ups(cli, "Ivy") == []
    result = cli("pass-on", "Hello", "--tag", "nobody")
    assert result.exit_code == 1 and "nothing created" in result.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["sales", "add", "Jo", "-5"], "cannot be negative"),
        (["sales", "add", "Jo", "ten"], "not an amount"),
        (["sales", "add", "Jo", "1.5", "--currency", "JPY"], "JPY amounts have no decimals"),
        (["sales", "add", "Jo", "1.999"], "at most 2 decimals"),
        (["sales", "add", "Jo", "10", "--currency", "ABC"], "unknown currency"),
        (["satisfaction", "add", "Jo", "6"], "from 1 to 5"),
        (["satisfaction", "add", "Jo", "0"], "from 1 to 5"),
        (["satisfaction", "add", "Jo", "11", "--scale", "nps"], "from 0 to 10"),
        (["satisfaction", "add", "Jo", "4.5"], "whole number"),
        (["satisfaction", "add", "Jo", "4", "--scale", "stars"], "unknown scale"),
        (["cases", "open", "Jo", "x", "--severity", "urgent"], "unknown severity"),
    ],
)
def test_bad_input_is_one_line_and_changes_nothing(
    cli: Invoke, args: list[str], message: str
) -> None:
    ok(cli, "contacts", "add", "Jo")
    result = cli(*args)
    assert result.exit_code == 2
    assert message in result.stderr
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    shown = ok(cli, "contacts", "show", "Jo")
    assert shown["sales"] == [] and shown["satisfaction"] == [] and shown["cases"] == []
    assert shown["anniversaries"] == []
    assert follow_ups(cli, "Jo") == []


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["satisfaction", "add", "Jo", "4", "--at", "tomorrow"],
            "No such option: --at (Possible options: --date) (see 'crm satisfaction add --help')",
        ),
        (
            ["sales", "add", "Jo", "10", "--bogus=3"],
            "No such option: --bogus (see 'crm sales add --help')",
        ),
        (
            ["sales", "cost", "Jo", "10", "extra"],
            "Got unexpected extra argument(s) (extra) (see 'crm sales cost --help')",
        ),
    ],
)
def test_an_unknown_option_where_negative_numbers_pass_is_called_one(
    capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    """`sales add`, `sales cost` and `satisfaction add` let `-5` through to refuse it in
    their own words; an unknown option there is still named as one."""
    assert run(args) == 2
    assert capsys.readouterr().err == f"crm: {message}\n"


def test_resolving_a_resolved_case_is_a_conflict(cli: Invoke) -> None:
    ok(cli, "contacts", "add", "Kim")
    case = ok(cli, "cases", "open", "Kim", "Noise")
    ok(cli, "cases", "resolve", str(case["id"]), "--note", "greased")
    result = cli("cases", "resolve", str(case["id"]), "--note", "again")
    assert result.exit_code == 1 and "already resolved" in result.stderr
    assert ok(cli, "cases", "list")[0]["resolution"] == "greased"
    assert cli("cases", "escalate", "99", "--to", "X").exit_code == 1


def test_user_text_is_shown_literally(cli: Invoke) -> None:
    ok(cli, "contacts", "add", "[/]x\x1b[31m")
    ok(cli, "sales", "add", "1", "3", "--product", "[red]bold")
    listed = cli("sales", "list")
    assert "[red]bold" in listed.stdout and "\x1b" not in listed.stdout


def test_done_on_a_satisfaction_check_records_the_score_in_one_step(cli: Invoke) -> None:
    cli("contacts", "add", "Ann Lee")
    cli("sales", "add", "Ann", "100")
    check = next(
        f for f in json.loads(cli("follow-ups", "list", "Ann", "--json").stdout)
        if f["kind"] == "satisfaction-check"
    )  # fmt: skip
    result = cli("follow-ups", "done", check["handle"], "--score", "2", "--as-of", "2026-12-10")
    assert result.exit_code == 0, result.stderr
    assert "CSAT 2 recorded" in result.stdout and "recovery" in result.stdout
    history = cli("satisfaction", "history", "Ann", "--as-of", "2026-12-10", "--json")
    assert [s["score"] for s in json.loads(history.stdout)["scores"]] == [2]
    remaining = json.loads(cli("follow-ups", "list", "Ann", "--json").stdout)
    assert {f["kind"] for f in remaining} == {"recovery", "thank-you"}


def test_a_bad_score_leaves_the_check_open_and_records_nothing(cli: Invoke) -> None:
    cli("contacts", "add", "Ann Lee")
    cli("sales", "add", "Ann", "100")
    listed = json.loads(cli("follow-ups", "list", "Ann", "--json").stdout)
    check = next(f for f in listed if f["kind"] == "satisfaction-check")
    thank_you = next(f for f in listed if f["kind"] == "thank-you")
    for handle, score in ((check["handle"], "9"), (thank_you["handle"], "4")):
        result = cli("follow-ups", "done", handle, "--score", score, "--as-of", "2026-12-10")
        assert result.exit_code == 2, result.stdout
    assert json.loads(cli("follow-ups", "list", "Ann", "--json").stdout) == listed
    assert json.loads(cli("satisfaction", "history", "Ann", "--json").stdout)["scores"] == []
