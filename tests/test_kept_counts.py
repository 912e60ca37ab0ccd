"""The reports that read counts and sums kept beside the rows (schema 20 on): every change to
the rows they count shows in the report at once: a score added, a merge, a forget, a restore
from an export, a survey sent and answered."""

from __future__ import annotations

import json
import shutil
from collections import Counter
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from conftest import Invoke
from tinycrm.services import analytics, inbox, surveys
from tinycrm.store import Store

AS_OF = "2026-06-30"
SHOP = "shop@example.com"


def add(cli: Invoke, name: str, *args: str) -> int:
    result = cli("contacts", "add", name, *args, "--json")
    assert result.exit_code == 0, result.stderr
    contact_id: int = json.loads(result.stdout)["id"]
    return contact_id


def score(cli: Invoke, ref: str, value: str, on: str, *args: str) -> None:
    result = cli("satisfaction", "add", ref, value, "--date", on, "--as-of", AS_OF, *args)
    assert result.exit_code == 0, result.stderr


def months(cli: Invoke, *args: str) -> dict[str, dict[str, Any]]:
    result = cli("report", "satisfaction", "--months", "3", "--as-of", AS_OF, "--json", *args)
    assert result.exit_code == 0, result.stderr
    return {m["month"]: m for m in json.loads(result.stdout)["months"]}


def summary(cli: Invoke) -> dict[str, tuple[int, int, int, int, int, int]]:
    """Per month: CSAT scores, their sum, NPS scores, those from surveys, surveys sent and
    answered."""
    return {
        month: (m["csat"]["count"],
                sum(int(k) * n for k, n in m["csat"]["distribution"].items()),
                m["nps"]["count"], m["origin"]["survey"], m["surveys"]["sent"],
                m["surveys"]["answered"])
        for month, m in months(cli).items()
    }  # fmt: skip


def by_history(cli: Invoke) -> Counter[tuple[str, str]]:
    """(month, scale) of every score in the contacts' own histories."""
    listed = json.loads(cli("contacts", "list", "--json", "--limit", "0").stdout)
    counted: Counter[tuple[str, str]] = Counter()
    for contact in listed:
        found = cli("satisfaction", "history", str(contact["id"]), "--json", "--as-of", AS_OF)
        for item in json.loads(found.stdout)["scores"]:
            counted[(item["date"][:7], item["scale"])] += 1
    return counted


def by_report(cli: Invoke) -> Counter[tuple[str, str]]:
    counted: Counter[tuple[str, str]] = Counter()
    for month, m in months(cli).items():
        for scale in ("csat", "nps"):
            if m[scale]["count"]:
                counted[(month, scale)] = m[scale]["count"]
    return counted


def test_the_satisfaction_report_follows_scores_added_merged_forgotten_restored(
    cli: Invoke, tmp_path: Path
) -> None:
    ann, bob = add(cli, "Ann Lee"), add(cli, "Bob Stone")
    score(cli, str(ann), "5", "2026-05-03")
    score(cli, str(ann), "2", "2026-06-10")
    score(cli, str(bob), "4", "2026-06-10")
    score(cli, str(bob), "9", "2026-06-11", "--scale", "nps", "--source", "survey")
    before = summary(cli)
    assert before == {
        "2026-04": (0, 0, 0, 0, 0, 0),
        "2026-05": (1, 5, 0, 0, 0, 0),
        "2026-06": (2, 6, 1, 1, 0, 0),
    }
    # The same score twice on one day counts twice.
    score(cli, str(bob), "4", "2026-06-10")
    assert summary(cli)["2026-06"] == (3, 10, 1, 1, 0, 0)
    # A merge moves Bob's scores to Ann: the months do not change.
    merged = cli("contacts", "merge", str(ann), str(bob), "--keep", "first")
    assert merged.exit_code == 0, merged.stderr
    assert summary(cli)["2026-06"] == (3, 10, 1, 1, 0, 0)
    export = tmp_path / "ann.json"
    assert cli("contacts", "export", "--format", "json", "-o", str(export)).exit_code == 0
    # Forgetting Ann takes every score of hers out of the months.
    assert cli("contacts", "forget", str(ann), "--yes").exit_code == 0
    assert set(summary(cli).values()) == {(0, 0, 0, 0, 0, 0)}
    # Restored from the export, they are all back.
    restored = cli("contacts", "import", str(export))
    assert restored.exit_code == 0, restored.stderr
    assert summary(cli)["2026-06"] == (3, 10, 1, 1, 0, 0)
    assert summary(cli)["2026-05"] == (1, 5, 0, 0, 0, 0)
    assert by_report(cli) == by_history(cli)


def test_surveys_sent_and_answered_show_in_their_month(cli: Invoke, store: Store) -> None:
    add(cli, "Ann Lee", "--email", "ann@example.com")
    add(cli, "Bob Stone", "--email", "bob@example.com")
    contacts = [c for c in (store.contacts.get(i) for i in (1, 2)) if c is not None]
    settings = surveys.SurveySettings()
    codes = []
    for number, (contact, sent) in enumerate(
        zip(contacts, ["2026-05-30", "2026-06-02"], strict=True), 1
    ):
        code = surveys.new_code()
        surveys.record_sent(
            store, surveys.Target(contact, contact.emails[0], None), code=code,
            message_id=f"<{number}@test>", on_scale=settings.scale,
            today=date.fromisoformat(sent), settings=settings,
        )  # fmt: skip
        codes.append(code)
    assert [summary(cli)[m][4:] for m in ("2026-05", "2026-06")] == [(1, 0), (1, 0)]
    # Ann answers in June: the answer counts for May's survey, the score for June.
    answer = (
        f"From: ann@example.com\r\nTo: {SHOP}\r\nMessage-ID: <a@test>\r\n"
        f"Subject: Answer: 4 [survey {codes[0]}]\r\n\r\n4\r\n"
    )
    inbox.handle(store, answer.encode(), inbox.Context(date(2026, 6, 3), frozenset({SHOP}), True))
    after = summary(cli)
    assert after["2026-05"] == (0, 0, 0, 0, 1, 1)
    assert after["2026-06"] == (1, 4, 0, 1, 1, 0)
    # Forgetting Ann takes her survey and her answer out.
    assert cli("contacts", "forget", "Ann", "--yes").exit_code == 0
    assert [summary(cli)[m] for m in ("2026-05", "2026-06")] == [
        (0, 0, 0, 0, 0, 0),
        (0, 0, 0, 0, 1, 0),
    ]


@pytest.mark.sqlite_only
def test_an_upgraded_file_reports_the_scores_it_held(
    cli: Invoke, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A schema-19 file's scores are counted by the upgrade: the report agrees with the
    contacts' histories, and a new score adds one."""
    path = tmp_path / "old.db"
    shutil.copyfile(Path(__file__).parent / "fixtures" / "schema-v19.db", path)
    db = ("--db", str(path))
    assert cli(*db, "db", "migrate").exit_code == 0

    def scores(*args: str) -> Counter[tuple[str, str]]:
        counted: Counter[tuple[str, str]] = Counter()
        listed = json.loads(cli(*db, "contacts", "list", "--json", "--limit", "0").stdout)
        for contact in listed:
            found = cli(*db, "satisfaction", "history", str(contact["id"]), "--json")
            for item in json.loads(found.stdout)["scores"]:
                counted[(item["date"][:7], item["scale"])] += 1
        return counted

    def reported() -> Counter[tuple[str, str]]:
        result = cli(*db, "report", "satisfaction", "--months", "120", "--json")
        counted: Counter[tuple[str, str]] = Counter()
        for m in json.loads(result.stdout)["months"]:
            for scale in ("csat", "nps"):
                if m[scale]["count"]:
                    counted[(m["month"], scale)] = m[scale]["count"]
        return counted

    held = scores()
    assert held and reported() == held
    monkeypatch.setenv("CRM_USER", "cem")  # the file has users: a write names its user
    added = cli(*db, "satisfaction", "add", "1", "3")
    assert added.exit_code == 0, added.stderr
    assert sum(reported().values()) == sum(held.values()) + 1


def referrals(cli: Invoke, *args: str, as_of: str = AS_OF) -> dict[str, Any]:
    result = cli("report", "referrals", "--as-of", as_of, "--json", *args)
    assert result.exit_code == 0, result.stderr
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def ranking(cli: Invoke, as_of: str = AS_OF) -> list[tuple[str, int, int, list[str]]]:
    """Every referrer, as the whole report ranks them; and every page of it is its head."""
    whole = referrals(cli, "--limit", "0", as_of=as_of)
    assert whole["total"] == len(whole["rows"]) and whole["total_exact"]
    for size in range(1, len(whole["rows"]) + 1):
        page = referrals(cli, "--limit", str(size), as_of=as_of)
        assert page["rows"] == whole["rows"][:size]
        assert page["total"] == whole["total"]
    return [
        (r["contact"], r["referred_count"], r["customers"],
         [f"{m['amount']} {m['currency']}" for m in r["revenue"]])
        for r in whole["rows"]
    ]  # fmt: skip


def sell(cli: Invoke, ref: str, amount: str, on: str, currency: str = "EUR") -> None:
    result = cli("sales", "add", ref, amount, "--date", on, "--as-of", max(on, AS_OF), "--currency",
                 currency, "--no-follow-up")  # fmt: skip
    assert result.exit_code == 0, result.stderr


def test_the_referrals_report_follows_sales_links_merges_forget_and_restore(
    cli: Invoke, tmp_path: Path
) -> None:
    for name in ("Ann", "Eve", "Gus", "Ivy"):
        add(cli, name)
    for name, referrer in [("Bob", "Ann"), ("Cat", "Ann"), ("Dan", "Eve"), ("Fay", "Eve"),
                           ("Hal", "Gus"), ("Jon", "Ivy")]:  # fmt: skip
        add(cli, name, "--referred-by", referrer)
    assert ranking(cli) == [("Ann", 2, 0, []), ("Eve", 2, 0, []), ("Gus", 1, 0, []),
                            ("Ivy", 1, 0, [])]  # fmt: skip
    sell(cli, "Bob", "100", "2026-05-01")
    sell(cli, "Dan", "200", "2026-05-02")
    sell(cli, "Fay", "10", "2026-05-03")
    sell(cli, "Jon", "1000", "2026-05-04", currency="USD")  # none in the shop's EUR
    assert ranking(cli) == [
        ("Eve", 2, 2, ["210.00 EUR"]),
        ("Ann", 2, 1, ["100.00 EUR"]),
        ("Ivy", 1, 1, ["1000.00 USD"]),
        ("Gus", 1, 0, []),
    ]
    sell(cli, "Hal", "500", "2026-06-20")
    assert ranking(cli)[1] == ("Gus", 1, 1, ["500.00 EUR"])
    # Looking back to before Hal's purchase: Gus has brought no customer yet.
    assert ranking(cli, as_of="2026-06-01")[1:] == [
        ("Ann", 2, 1, ["100.00 EUR"]),
        ("Ivy", 1, 1, ["1000.00 USD"]),
        ("Gus", 1, 0, []),
    ]
    # Cat was Eve's referral after all; then Fay turns out to be Dan's duplicate.
    assert cli("contacts", "edit", "Cat", "--referred-by", "Eve").exit_code == 0
    merged = cli("contacts", "merge", "Dan", "Fay", "--keep", "first")
    assert merged.exit_code == 0, merged.stderr
    assert ranking(cli)[:2] == [("Gus", 1, 1, ["500.00 EUR"]), ("Eve", 2, 1, ["210.00 EUR"])]
    export = tmp_path / "all.json"
    assert cli("contacts", "export", "--format", "json", "-o", str(export)).exit_code == 0
    before = ranking(cli)
    # Forgetting a referred customer, and a referrer.
    assert cli("contacts", "forget", "Hal", "--yes").exit_code == 0
    assert cli("contacts", "forget", "Ann", "--yes").exit_code == 0
    assert ranking(cli) == [("Eve", 2, 1, ["210.00 EUR"]), ("Ivy", 1, 1, ["1000.00 USD"])]
    # Restored into a new CRM, the export ranks as it did.
    second = ("--db", str(tmp_path / "second.db"))
    restored = cli(*second, "contacts", "import", str(export))
    assert restored.exit_code == 0, restored.stderr
    whole = json.loads(
        cli(*second, "report", "referrals", "--as-of", AS_OF, "--json", "-n", "0").stdout
    )
    assert [(r["contact"], r["customers"]) for r in whole["rows"]] == [
        (name, customers) for name, _, customers, _ in before
    ]


def tops(cli: Invoke, *args: str) -> list[tuple[str, str, str]]:
    """`report top` whole: (who, currency, revenue) of each row; every page is its head."""

    def run(*more: str) -> dict[str, Any]:
        result = cli("report", "top", "--as-of", AS_OF, "--json", *args, *more)
        assert result.exit_code == 0, result.stderr
        data: dict[str, Any] = json.loads(result.stdout)
        return data

    whole = run("--limit", "0")
    for size in range(1, len(whole["rows"]) + 1):
        assert run("--limit", str(size))["rows"] == whole["rows"][:size]
    return [(r.get("contact") or r["company"], r["currency"], r["revenue"]["amount"])
            for r in whole["rows"]]  # fmt: skip


def test_report_top_pages_follow_sales_merges_forget_and_restore(
    cli: Invoke, tmp_path: Path
) -> None:
    (tmp_path / "config.toml").write_text('[costs]\nhourly = "60.00"\n', encoding="utf-8")
    for name, company in [("Ann", "Acme"), ("Bob", "Acme"), ("Cat", "Bolt"), ("Dan", "Bolt"),
                          ("Eve", "Cog"), ("Fay", "Cog")]:  # fmt: skip
        add(cli, name, "--company", company)
    # Ann bought the most of all, but a year before the period; Cat's sums are old and new.
    sell(cli, "Ann", "1000", "2025-01-10")
    sell(cli, "Bob", "300", "2026-03-01")
    sell(cli, "Cat", "500", "2025-02-01")
    sell(cli, "Cat", "200", "2026-04-01")
    sell(cli, "Dan", "250", "2026-05-01")
    sell(cli, "Eve", "100", "2026-05-02", currency="USD")
    sell(cli, "Fay", "900", "2026-05-03")
    assert cli("contacts", "archive", "Fay").exit_code == 0
    # Bob's two hours cost 120.00 (profit 180), Dan's gift 100.00 (profit 150).
    assert cli("notes", "add", "Bob", "visit", "--minutes", "120", "--at", "2026-03-02",
               "--as-of", AS_OF).exit_code == 0  # fmt: skip
    cost = cli("sales", "cost", "Dan", "100", "--date", "2026-05-02")
    assert cost.exit_code == 0, cost.stderr
    assert tops(cli) == [("Bob", "EUR", "300.00"), ("Dan", "EUR", "250.00"),
                         ("Cat", "EUR", "200.00"), ("Eve", "USD", "100.00")]  # fmt: skip
    assert [who for who, _, _ in tops(cli, "--by", "profit")] == ["Cat", "Bob", "Dan", "Eve"]
    # A company's sales count whoever of its people made them (Fay, archived, too).
    assert tops(cli, "--by", "company") == [
        ("Cog", "EUR", "900.00"), ("Bolt", "EUR", "450.00"), ("Acme", "EUR", "300.00"),
        ("Cog", "USD", "100.00"),
    ]  # fmt: skip
    assert [who for who, _, _ in tops(cli, "--by", "profit", "--by", "company")] == [
        "Cog", "Bolt", "Acme", "Cog"
    ]  # fmt: skip
    assert tops(cli, "--since", "2025-01-01") == [
        ("Ann", "EUR", "1000.00"), ("Cat", "EUR", "700.00"), ("Bob", "EUR", "300.00"),
        ("Dan", "EUR", "250.00"), ("Eve", "USD", "100.00"),
    ]  # fmt: skip
    # A sale moves Dan ahead; a merge gives Dan's sales to Cat; Bob is forgotten.
    sell(cli, "Dan", "100", "2026-06-01")
    assert tops(cli)[0] == ("Dan", "EUR", "350.00")
    merged = cli("contacts", "merge", "Cat", "Dan", "--keep", "first")
    assert merged.exit_code == 0, merged.stderr
    assert tops(cli)[0] == ("Cat", "EUR", "550.00")
    export = tmp_path / "all.json"
    assert cli("contacts", "export", "--format", "json", "-o", str(export)).exit_code == 0
    assert cli("contacts", "forget", "Bob", "--yes").exit_code == 0
    assert tops(cli) == [("Cat", "EUR", "550.00"), ("Eve", "USD", "100.00")]
    assert tops(cli, "--by", "company") == [
        ("Cog", "EUR", "900.00"), ("Bolt", "EUR", "550.00"), ("Cog", "USD", "100.00"),
    ]  # fmt: skip
    second = ("--db", str(tmp_path / "second.db"))
    restored = cli(*second, "contacts", "import", str(export))
    assert restored.exit_code == 0, restored.stderr
    again = cli(*second, "report", "top", "--as-of", AS_OF, "--json", "-n", "1")
    assert [r["contact"] for r in json.loads(again.stdout)["rows"]] == ["Cat"]


@pytest.mark.parametrize("batch", [1, 200])
def test_report_top_pages_for_any_period_whoever_bought_before_or_after_it(
    cli: Invoke, monkeypatch: pytest.MonkeyPatch, batch: int
) -> None:
    """The page walks each customer's year up to their last purchase: a big purchase long
    before, a purchase after the period (a look back), a period longer than a year, and a
    sale moved to another customer each keep every page the head of the whole report (read
    a customer at a time too, so that the walk stops as soon as it may)."""
    monkeypatch.setattr(analytics, "TOP_BATCH", batch)
    for name, company in [("Ann", "Acme"), ("Bob", "Acme"), ("Cat", "Bolt"), ("Dan", "Bolt"),
                          ("Eve", "Cog"), ("Fay", "Cog")]:  # fmt: skip
        add(cli, name, "--company", company)
    sell(cli, "Ann", "1000", "2024-07-01")  # the most of all, two years before AS_OF
    sell(cli, "Ann", "10", "2026-06-01")
    sell(cli, "Bob", "300", "2025-12-01")
    sell(cli, "Cat", "200", "2026-02-01")
    sell(cli, "Cat", "500", "2026-09-01")  # after AS_OF
    sell(cli, "Dan", "250", "2025-08-01")
    sell(cli, "Dan", "50", "2026-06-30")
    sell(cli, "Eve", "400", "2025-06-30")  # the day before the 12 months up to AS_OF
    sell(cli, "Fay", "120", "2025-07-01")  # their first day
    assert tops(cli) == [("Bob", "EUR", "300.00"), ("Dan", "EUR", "300.00"),
                         ("Cat", "EUR", "200.00"), ("Fay", "EUR", "120.00"),
                         ("Ann", "EUR", "10.00")]  # fmt: skip
    assert tops(cli, "--as-of", "2026-09-30")[0] == ("Cat", "EUR", "700.00")
    assert tops(cli, "--since", "2024-01-01")[0] == ("Ann", "EUR", "1010.00")
    assert tops(cli, "--since", "2026-01-01") == [
        ("Cat", "EUR", "200.00"), ("Dan", "EUR", "50.00"), ("Ann", "EUR", "10.00")
    ]  # fmt: skip
    assert tops(cli, "--as-of", "2025-12-31", "--by", "company") == [
        ("Cog", "EUR", "520.00"), ("Acme", "EUR", "300.00"), ("Bolt", "EUR", "250.00")
    ]  # fmt: skip
    for as_of in ("2024-07-01", "2025-06-30", "2026-06-01", "2027-06-30"):
        for by in ((), ("--by", "company"), ("--by", "profit")):
            tops(cli, "--as-of", as_of, *by)
    # Ann's old purchase leaves her year when a later one moves her last purchase on.
    sell(cli, "Ann", "5", "2026-06-29")
    assert tops(cli, "--since", "2024-01-01")[0] == ("Ann", "EUR", "1015.00")
    merged = cli("contacts", "merge", "Eve", "Ann", "--keep", "first")
    assert merged.exit_code == 0, merged.stderr
    assert tops(cli)[-1] == ("Eve", "EUR", "15.00")
    assert tops(cli, "--as-of", "2025-06-30")[0] == ("Eve", "EUR", "1400.00")
