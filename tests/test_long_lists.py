"""Long lists: a total is exact up to TOTAL_LIMIT rows and "more than" it beyond, the same in
the queue's commands, their JSON and the digest (issue 20: a count must not cost more than
the page it heads)."""

from __future__ import annotations

import json
from datetime import date, timedelta

from conftest import Invoke
from tinycrm.services import sales
from tinycrm.services.contacts import ContactFields, add_contact
from tinycrm.services.followups.stored import add_follow_up
from tinycrm.store import Store
from tinycrm.wording import TOTAL_LIMIT

D = date(2026, 11, 26)


def overdue_calls(store: Store, count: int) -> None:
    """`count` overdue calls to one customer, due over the 30 days before D."""
    ann = add_contact(store, ContactFields(name="Ann"), D).id
    with store.write():
        for n in range(count):
            add_follow_up(store, str(ann), f"Call {n}", D - timedelta(days=1 + n % 30), D)


def overdue_json(cli: Invoke, *args: str) -> dict[str, object]:
    result = cli("follow-ups", "overdue", "--as-of", D.isoformat(), "--json", *args)
    assert result.exit_code == 0, result.stderr
    data: dict[str, object] = json.loads(result.stdout)
    return data


def test_an_overdue_list_past_the_limit_says_more_than_it(cli: Invoke, store: Store) -> None:
    overdue_calls(store, TOTAL_LIMIT + 5)
    shown = cli("follow-ups", "overdue", "--as-of", D.isoformat())
    assert shown.exit_code == 0, shown.stderr
    assert len(shown.stdout.splitlines()) == 51  # the header and a page
    hidden = f"more than {TOTAL_LIMIT - 50:,}"
    assert f"… and {hidden} more overdue (--limit 0 shows all)" in shown.stderr
    data = overdue_json(cli)
    assert data["overdue_total_exact"] is False
    assert len(data["overdue"]) == 50  # type: ignore[arg-type]
    digest = cli("digest", "--as-of", D.isoformat())
    assert digest.exit_code == 0, digest.stderr
    assert f"Overdue (more than {TOTAL_LIMIT:,})" in digest.stdout
    assert f"…and {hidden} more overdue" in digest.stdout


def test_a_list_at_the_limit_keeps_its_exact_total(cli: Invoke, store: Store) -> None:
    overdue_calls(store, TOTAL_LIMIT)
    shown = cli("follow-ups", "overdue", "--as-of", D.isoformat())
    assert f"… and {TOTAL_LIMIT - 50} more overdue (--limit 0 shows all)" in shown.stderr
    digest = cli("digest", "--as-of", D.isoformat())
    assert f"Overdue ({TOTAL_LIMIT})" in digest.stdout
    data = overdue_json(cli)
    assert data["overdue_total"] == TOTAL_LIMIT
    assert data["overdue_total_exact"] is True


def test_the_whole_list_is_counted_when_every_row_is_shown(cli: Invoke, store: Store) -> None:
    overdue_calls(store, TOTAL_LIMIT + 5)
    data = overdue_json(cli, "--limit", "0")
    assert len(data["overdue"]) == TOTAL_LIMIT + 5  # type: ignore[arg-type]
    assert data["overdue_total"] == TOTAL_LIMIT + 5
    assert data["overdue_total_exact"] is True
    shown = cli("follow-ups", "overdue", "--as-of", D.isoformat(), "--limit", "0")
    assert "more overdue" not in shown.stderr


def test_a_page_as_long_as_the_limit_says_there_is_more(cli: Invoke, store: Store) -> None:
    overdue_calls(store, TOTAL_LIMIT + 5)
    shown = cli("follow-ups", "overdue", "--as-of", D.isoformat(), "--limit", str(TOTAL_LIMIT))
    assert shown.exit_code == 0, shown.stderr
    assert len(shown.stdout.splitlines()) == TOTAL_LIMIT + 1
    assert "… and more overdue (--limit 0 shows all)" in shown.stderr


def queue_json(cli: Invoke, view: str, limit: int) -> dict[str, object]:
    result = cli("follow-ups", view, "--as-of", D.isoformat(), "--json", "--limit", str(limit))
    assert result.exit_code == 0, result.stderr
    data: dict[str, object] = json.loads(result.stdout)
    return data


def test_a_page_of_birthdays_is_the_head_of_the_whole_list(cli: Invoke, store: Store) -> None:
    """Birthdays and anniversaries of today and the week before are read a page at a time in
    SQL: the page is the head of the whole list, in its order, with the whole list's totals."""
    types = ["dedicated", "personal", "long-term", "community", "transactional", None]
    ids = []
    for n in range(70):
        day = D - timedelta(days=n % 9)  # today, the grace week and the day before it
        year = f"{1950 + n}" if n % 4 else "-"
        fields = ContactFields(
            name=f"Person {69 - n:02d}",
            relationship_type=types[n % len(types)],
            birthday=f"{year}-{day:%m-%d}",
            anniversaries=[f"wedding={1990 + n % 7}-{day:%m-%d}"] if n % 3 == 0 else None,
        )
        ids.append(add_contact(store, fields, D - timedelta(days=400)).id)
    unborn = add_contact(store, ContactFields(name="Not Yet", birthday=f"{D.year}-{D:%m-%d}"), D)
    opened = cli("cases", "open", str(ids[9]), "Broken vase", "--as-of", D.isoformat())
    assert opened.exit_code == 0, opened.stderr
    done = cli("follow-ups", "done", f"b{ids[18]}-{D.isoformat()}", "--as-of", D.isoformat())
    assert done.exit_code == 0, done.stderr
    whole = queue_json(cli, "today", 0)
    today, overdue = whole["today"], whole["overdue"]
    assert isinstance(today, list) and isinstance(overdue, list)
    handles = {row["handle"] for row in today + overdue}
    assert f"b{ids[18]}-{D.isoformat()}" not in handles  # marked done
    assert not any(row["contact_id"] == unborn.id for row in today)  # an age of 0
    assert {row["kind"] for row in today} >= {"birthday", "anniversary"}
    for limit in (1, 4, 9):
        page = queue_json(cli, "today", limit)
        assert page["today"] == today[:limit]
        assert page["overdue"] == overdue[:limit]
        assert (page["today_total"], page["overdue_total"]) == (len(today), len(overdue))


def test_a_page_of_upcoming_birthdays_is_the_head_of_the_whole_list(
    cli: Invoke, store: Store
) -> None:
    """The upcoming page reads the rows only up to the day it fills, of that day (of each day
    for birthdays and anniversaries) only a page, and counts the later ones: the page is the
    head of the whole list, with its total, whatever the page size; done, snoozed and
    not-yet-born ones, stored rows of every weight and a contact with an open case included."""
    types = ["dedicated", "personal", "long-term", "community", None]
    ids = []
    for n in range(60):
        day = D + timedelta(days=1 + n % 12)
        year = f"{1960 + n}" if n % 5 else "-"
        fields = ContactFields(
            name=f"Person {n:02d}",
            relationship_type=types[n % len(types)],
            birthday=f"{year}-{day:%m-%d}",
            anniversaries=[f"wedding={1990 + n % 9}-{day:%m-%d}"] if n % 4 == 0 else None,
        )
        ids.append(add_contact(store, fields, D - timedelta(days=400)).id)
    next_day = D + timedelta(days=1)
    add_contact(store, ContactFields(name="Not Yet", birthday=f"{D.year + 1}-{next_day:%m-%d}"), D)
    kinds = ["thank-you", "custom", "recovery", "satisfaction-check"]
    with store.write():  # stored rows on the same days, of every weight
        for n in range(40):
            due = D + timedelta(days=1 + n % 3)
            add_follow_up(store, str(ids[n]), f"Call {n}", due, D, kind=kinds[n % len(kinds)])
        for n in range(40):  # equally urgent ones, tied by id (9 before 19)
            add_follow_up(store, str(ids[n]), f"Write {n}", D + timedelta(days=1 + n % 2), D)
    opened = cli("cases", "open", str(ids[7]), "Broken vase", "--as-of", D.isoformat())
    assert opened.exit_code == 0, opened.stderr
    for args in (
        ("done", f"b{ids[0]}-{next_day.isoformat()}"),
        ("skip", f"b{ids[12]}-{next_day.isoformat()}"),
        ("snooze", f"b{ids[1]}-{(D + timedelta(days=2)).isoformat()}", "--until",
         (D + timedelta(days=9)).isoformat()),
    ):  # fmt: skip
        acted = cli("follow-ups", *args, "--as-of", D.isoformat())
        assert acted.exit_code == 0, acted.stderr

    def upcoming(limit: int) -> dict[str, object]:
        result = cli("follow-ups", "upcoming", "--days", "10", "--as-of", D.isoformat(),
                     "--json", "--limit", str(limit))  # fmt: skip
        assert result.exit_code == 0, result.stderr
        data: dict[str, object] = json.loads(result.stdout)
        return data

    whole = upcoming(0)
    rows = whole["upcoming"]
    assert isinstance(rows, list)
    handles = [row["handle"] for row in rows]
    assert f"b{ids[0]}-{next_day.isoformat()}" not in handles  # done
    assert f"b{ids[12]}-{next_day.isoformat()}" not in handles  # skipped
    snoozed = [row for row in rows if row["handle"].startswith(f"b{ids[1]}-")]
    assert [row["due"] for row in snoozed] == [(D + timedelta(days=9)).isoformat()]
    assert whole["upcoming_total"] == len(rows) > 120
    for limit in (1, 4, 9, 30, 60, 100):
        page = upcoming(limit)
        assert page["upcoming"] == rows[:limit]
        assert page["upcoming_total"] == len(rows)


def test_a_report_past_the_limit_says_more_than_it(cli: Invoke, store: Store) -> None:
    """`report reorder` counts its customers up to TOTAL_LIMIT past the page, as the queue."""
    with store.write():
        for n in range(TOTAL_LIMIT + 3):
            buyer = str(add_contact(store, ContactFields(name=f"Buyer {n}"), D).id)
            for weeks in (6, 4, 2):
                day = D - timedelta(weeks=weeks)
                sales.add_sale(store, buyer, "10", sold_on=day, today=day, currency="EUR")
    shown = cli("report", "reorder", "--as-of", D.isoformat(), "--limit", "5")
    assert shown.exit_code == 0, shown.stderr
    assert f"showing 5 of more than {TOTAL_LIMIT:,} (--limit 0 for all)" in shown.stderr
    page = json.loads(cli("report", "reorder", "--as-of", D.isoformat(), "--json").stdout)
    assert page["total_exact"] is False
    whole = json.loads(
        cli("report", "reorder", "--as-of", D.isoformat(), "--json", "--limit", "0").stdout
    )
    assert whole["total"] == TOTAL_LIMIT + 3
    assert whole["total_exact"] is True  # every row was read
    assert page["rows"] == whole["rows"][: len(page["rows"])]


def test_the_lifecycle_report_past_the_limit_says_more_than_it(cli: Invoke, store: Store) -> None:
    """`report lifecycle` walks the customers by name and stops TOTAL_LIMIT past the page: the
    page is the head of the whole list, the total says "more than" it (issue 20)."""
    with store.write():
        for n in range(TOTAL_LIMIT + 3):
            fields = ContactFields(name=f"Buyer {n:04d}", stage="awareness")
            buyer = str(add_contact(store, fields, D).id)
            sales.add_sale(store, buyer, "10", sold_on=D, today=D, currency="EUR")
        for n in range(4):  # no purchase: nothing to suggest
            add_contact(store, ContactFields(name=f"Buyer {n:04d}b", stage="awareness"), D)

    def lifecycle(*args: str) -> dict[str, object]:
        result = cli("report", "lifecycle", "--as-of", D.isoformat(), "--json", *args)
        assert result.exit_code == 0, result.stderr
        data: dict[str, object] = json.loads(result.stdout)
        return data

    shown = cli("report", "lifecycle", "--changes", "--as-of", D.isoformat(), "--limit", "5")
    assert shown.exit_code == 0, shown.stderr
    assert f"showing 5 of more than {TOTAL_LIMIT:,} (--limit 0 for all)" in shown.stderr
    page, whole = lifecycle("--changes"), lifecycle("--changes", "--limit", "0")
    everyone = lifecycle("--limit", "0")
    assert page["total_exact"] is False
    assert whole["total"] == TOTAL_LIMIT + 3
    assert whole["total_exact"] is True  # every row was read
    assert everyone["total"] == TOTAL_LIMIT + 3 + 4
    rows, all_rows = whole["rows"], everyone["rows"]
    assert isinstance(rows, list) and isinstance(all_rows, list)
    assert page["rows"] == rows[:50]
    assert lifecycle()["rows"] == all_rows[:50]
    assert [r["contact"] for r in all_rows[:3]] == ["Buyer 0000", "Buyer 0000b", "Buyer 0001"]
    assert {r["suggested_stage"] for r in rows} == {"expansion"}


def test_an_open_case_moves_every_row_of_its_customer_and_back(cli: Invoke, store: Store) -> None:
    """Whether a customer has an open case is kept on their rows (schema 24): opening one
    moves their stored follow-up, check-in and reorder up the overdue page together,
    resolving it (or merging them into someone without one) moves them back; every page is
    the head of the whole list."""
    names = [f"Person {n:02d}" for n in range(12)]
    for n, name in enumerate(names):
        created = D - timedelta(days=400)
        who = add_contact(store, ContactFields(name=name, relationship_type="long-term"), created)
        with store.write():
            add_follow_up(store, str(who.id), f"Call {n}", D - timedelta(days=10 + n), D)
        for day in ("2026-06-01", "2026-07-01", "2026-07-31"):  # a reorder due late August
            sales.add_sale(store, str(who.id), "12", sold_on=date.fromisoformat(day), today=D,
                           currency="EUR", follow_up=False)  # fmt: skip
    last = names[-1]

    def overdue(limit: int) -> list[dict[str, object]]:
        rows = overdue_json(cli, "--limit", str(limit))["overdue"]
        assert isinstance(rows, list)
        return rows

    def pages_are_heads() -> list[dict[str, object]]:
        whole = overdue(0)
        for limit in (1, 3, 5, 10, 20):
            assert overdue(limit) == whole[:limit], limit
        return whole

    before = pages_are_heads()
    kinds = {row["kind"] for row in before if row["contact"] == last}
    assert kinds == {"custom", "check-in", "reorder"}
    assert before[0]["contact"] != last
    opened = cli("cases", "open", last, "Broken vase", "--as-of", f"{D - timedelta(days=9)}")
    assert opened.exit_code == 0, opened.stderr
    raised = pages_are_heads()
    theirs = [row for row in raised if row["contact"] == last]
    assert raised[: len(theirs)] == theirs  # every row of theirs first
    assert {row["kind"] for row in theirs} == {"case", "custom", "check-in", "reorder"}
    sale = cli("sales", "add", last, "12.00", "--date", "2026-08-30", "--no-follow-up",
               "--as-of", D.isoformat())  # fmt: skip
    assert sale.exit_code == 0, sale.stderr  # the reorder's row made again (the check-in met)
    raised = pages_are_heads()
    theirs = [row for row in raised if row["contact"] == last]
    assert raised[: len(theirs)] == theirs
    assert {row["kind"] for row in theirs} == {"case", "custom", "reorder"}
    merged = cli("contacts", "merge", names[0], last, "--keep", "first")
    assert merged.exit_code == 0, merged.stderr
    moved = pages_are_heads()
    theirs = [row for row in moved if row["contact"] == names[0]]  # every row, both people's
    assert moved[: len(theirs)] == theirs
    assert [row["kind"] for row in theirs].count("custom") == 2
    case_id = json.loads(cli("cases", "list", "--json").stdout)[0]["id"]
    resolved = cli("cases", "resolve", str(case_id), "--note", "Replaced", "--as-of", D.isoformat())
    assert resolved.exit_code == 0, resolved.stderr
    after = [float(str(row["urgency"])) for row in pages_are_heads()]
    assert after == sorted(after, reverse=True)
    assert max(after) < min(float(str(row["urgency"])) for row in theirs)  # back down


def test_a_second_open_case_keeps_the_customer_first_until_the_last_is_resolved(
    cli: Invoke, store: Store
) -> None:
    """A case opened or resolved beside another open one leaves the open-case flag as it is
    (schema 28: the case triggers write only where it changes); the last one resolved moves the
    customer's rows back down."""
    names = [f"Person {n:02d}" for n in range(5)]
    for n, name in enumerate(names):
        who = add_contact(store, ContactFields(name=name), D - timedelta(days=60))
        with store.write():
            add_follow_up(store, str(who.id), f"Call {n}", D - timedelta(days=10 + n), D)
    last = names[-1]

    def first_contacts() -> list[object]:
        rows = overdue_json(cli, "--limit", "0")["overdue"]
        assert isinstance(rows, list)
        assert overdue_json(cli, "--limit", "2")["overdue"] == rows[:2]
        return [row["contact"] for row in rows[:2]]

    def case_ids() -> list[int]:
        listed = json.loads(cli("cases", "list", "--json").stdout)
        return sorted(int(case["id"]) for case in listed)

    assert first_contacts() == [names[-1], names[-2]]  # the longest overdue call first
    for title in ("Broken vase", "Late parcel"):
        opened = cli("cases", "open", names[0], title, "--as-of", f"{D - timedelta(days=9)}")
        assert opened.exit_code == 0, opened.stderr
    assert first_contacts() == [names[0], names[0]]  # their case and their call
    first, second = case_ids()
    resolved = cli("cases", "resolve", str(first), "--note", "Glued", "--as-of", D.isoformat())
    assert resolved.exit_code == 0, resolved.stderr
    assert first_contacts() == [names[0], names[0]]  # one case still open
    resolved = cli("cases", "resolve", str(second), "--note", "Found", "--as-of", D.isoformat())
    assert resolved.exit_code == 0, resolved.stderr
    assert first_contacts() == [last, names[-2]]


def test_a_page_of_today_is_the_head_of_the_whole_list(cli: Invoke, store: Store) -> None:
    """Today's stored follow-ups are read by their kind's weight, heaviest first, those of
    customers with an open case first of all, until no lighter kind can make the page: the
    page is the head of the whole list, whatever its size."""
    types = ["dedicated", "personal", "long-term", "community", None]
    kinds = ["custom", "thank-you", "recovery", "satisfaction-check", "pass-on", "case"]
    ids = []
    for n in range(30):
        fields = ContactFields(name=f"Person {n:02d}", relationship_type=types[n % len(types)])
        ids.append(add_contact(store, fields, D - timedelta(days=3)).id)
    with store.write():
        for n in range(90):
            kind = kinds[n % len(kinds)]
            add_follow_up(store, str(ids[n % 30]), f"{kind} {n}", D, D, kind=kind)
    for who in (ids[4], ids[11]):
        opened = cli("cases", "open", str(who), "Broken vase", "--as-of", f"{D - timedelta(3)}")
        assert opened.exit_code == 0, opened.stderr
    whole = queue_json(cli, "today", 0)["today"]
    assert isinstance(whole, list) and len(whole) == 92  # and the two cases
    for limit in (1, 5, 12, 20, 27, 40, 91):  # 27: a lighter kind ties the 27th row
        page = queue_json(cli, "today", limit)
        assert page["today"] == whole[:limit], limit
        assert page["today_total"] == len(whole)


def test_a_page_of_todays_check_ins_and_reorders_is_the_head_of_the_whole_list(
    cli: Invoke, store: Store
) -> None:
    """A day's check-ins and reorders are read by their relationship type's weight, heaviest
    first, with the stored follow-ups by kind, until no lighter group can make the page: each
    page of today and of the upcoming days is the head of the whole list, after a change of
    relationship type, a merge and a contact forgotten too."""
    types = ["dedicated", "personal", "long-term", "community", "transactional", None]
    ids = []
    for n in range(36):
        fields = ContactFields(
            name=f"Person {35 - n:02d}", relationship_type=types[n % len(types)], cadence="10"
        )
        who = add_contact(store, fields, D - timedelta(days=10)).id  # a check-in due on D
        ids.append(who)
        if n % 5 == 0:  # a reorder due on D too (every 10 days)
            for day in (D - timedelta(days=30), D - timedelta(days=20), D - timedelta(days=10)):
                sales.add_sale(store, str(who), "12", sold_on=day, today=D, currency="EUR",
                               follow_up=False)  # fmt: skip
        if n % 4 == 0:
            with store.write():
                add_follow_up(store, str(who), f"Pass on {n}", D, D, kind="pass-on")
    opened = cli("cases", "open", str(ids[7]), "Broken vase", "--as-of", D.isoformat())
    assert opened.exit_code == 0, opened.stderr
    upcoming_from = (D - timedelta(days=2)).isoformat()

    def upcoming(limit: int) -> dict[str, object]:
        result = cli("follow-ups", "upcoming", "--as-of", upcoming_from, "--json",
                     "--limit", str(limit))  # fmt: skip
        assert result.exit_code == 0, result.stderr
        data: dict[str, object] = json.loads(result.stdout)
        return data

    def pages_are_heads() -> list[dict[str, object]]:
        whole = queue_json(cli, "today", 0)["today"]
        ahead = upcoming(0)["upcoming"]
        assert isinstance(whole, list) and isinstance(ahead, list)
        for limit in (1, 3, 7, 12, 19, 26, 40):
            page = queue_json(cli, "today", limit)
            assert page["today"] == whole[:limit], limit
            assert page["today_total"] == len(whole)
            later = upcoming(limit)
            assert later["upcoming"] == ahead[:limit], limit
            assert later["upcoming_total"] == len(ahead)
        return whole

    def rows_of(rows: list[dict[str, object]], who: int | None) -> list[int]:
        return [n for n, row in enumerate(rows) if row["contact_id"] == who]

    before = pages_are_heads()
    assert {"check-in", "reorder", "pass-on"} <= {row["kind"] for row in before}
    lifted = ids[11]  # no relationship type: a check-in near the end
    assert min(rows_of(before, lifted)) > 40
    edited = cli("contacts", "edit", str(lifted), "--type", "dedicated")
    assert edited.exit_code == 0, edited.stderr
    after = pages_are_heads()
    assert rows_of(after, lifted)[0] < 16
    merged = cli("contacts", "merge", str(ids[1]), str(ids[3]), "--keep", "first")
    assert merged.exit_code == 0, merged.stderr
    merged_rows = pages_are_heads()
    assert not rows_of(merged_rows, ids[3])
    forgotten = cli("contacts", "forget", str(ids[0]), "--yes")
    assert forgotten.exit_code == 0, forgotten.stderr
    gone = pages_are_heads()
    assert not rows_of(gone, ids[0]) and len(gone) < len(merged_rows)


def test_todays_total_counts_every_source_up_to_the_limit(cli: Invoke, store: Store) -> None:
    """Today's stored follow-ups and check-ins are counted together up to the limit: 1,000
    rows of two sources are an exact total, one more is "more than 1,000"."""
    ann = add_contact(store, ContactFields(name="Ann", cadence="none"), D).id
    with store.write():
        for n in range(TOTAL_LIMIT - 6):
            add_follow_up(store, str(ann), f"Call {n}", D, D)
    for n in range(6):  # a check-in each, due on D
        add_contact(store, ContactFields(name=f"Bo {n}", cadence="10"), D - timedelta(days=10))
    exact = queue_json(cli, "today", 50)
    assert (exact["today_total"], exact["today_total_exact"]) == (TOTAL_LIMIT, True)
    add_contact(store, ContactFields(name="Cy", cadence="10"), D - timedelta(days=10))
    shown = cli("follow-ups", "today", "--as-of", D.isoformat())
    assert shown.exit_code == 0, shown.stderr
    assert f"… and more than {TOTAL_LIMIT - 50:,} more today" in shown.stderr
    assert queue_json(cli, "today", 50)["today_total_exact"] is False


def test_birthdays_and_follow_ups_are_counted_together_up_to_the_limit(
    cli: Invoke, store: Store
) -> None:
    """Past 1,000 the derived and the stored rows are counted together only up to 1,000 past
    the page (docs/follow-ups.md), not each source up to it: 600 of each is "more than 1,000"
    counted no further, in today's total as in the overdue one."""
    with store.write():
        for n in range(600):
            grace_day = D - timedelta(days=1 + n % 6)
            fields = ContactFields(
                name=f"Person {n:03d}",
                cadence="none",
                birthday=f"1980-{D:%m-%d}",
                anniversaries=[f"wedding=2000-{grace_day:%m-%d}"],
            )
            add_contact(store, fields, D - timedelta(days=400))
    ann = add_contact(store, ContactFields(name="Ann", cadence="none"), D).id
    with store.write():
        for n in range(600):
            add_follow_up(store, str(ann), f"Call {n}", D, D)
            add_follow_up(store, str(ann), f"Late call {n}", D - timedelta(days=1 + n % 30), D)
    page = queue_json(cli, "today", 50)
    for part in ("today", "overdue"):
        assert page[f"{part}_total_exact"] is False
        total = page[f"{part}_total"]
        assert isinstance(total, int) and TOTAL_LIMIT < total <= TOTAL_LIMIT + 1 + 50
    shown = cli("follow-ups", "today", "--as-of", D.isoformat())
    assert f"… and more than {TOTAL_LIMIT - 50:,} more today" in shown.stderr
    assert f"… and more than {TOTAL_LIMIT - 50:,} more overdue" in shown.stderr


def test_the_grace_weeks_birthdays_that_can_make_the_overdue_page_are_on_it(
    cli: Invoke, store: Store
) -> None:
    """Once the overdue walk fills the page, a birthday or anniversary of the grace week is
    read only if its urgency can reach the page's last row: every page is still the head of
    the whole list, with the rows just above that row and those just below it."""
    ann = add_contact(
        store, ContactFields(name="Ann", relationship_type="dedicated", cadence="none"), D
    ).id
    with store.write():
        for n in range(6):  # a custom follow-up due a fortnight ago: 15.0 each
            add_follow_up(store, str(ann), f"Call {n}", D - timedelta(days=14), D)
    # (days late, relationship type, with an anniversary): birthdays of 15.09 and 14.17 (just
    # above and below 15.0), 16.26; an anniversary of 16.54.
    people = [(5, None, False), (3, None, False), (1, "dedicated", False), (6, "dedicated", True)]
    for n, (late, relationship, wedding) in enumerate(people):
        day = D - timedelta(days=late)
        fields = ContactFields(
            name=f"Person {n}",
            relationship_type=relationship,
            cadence="none",
            birthday=f"1980-{day:%m-%d}" if not wedding else None,
            anniversaries=[f"wedding=2000-{day:%m-%d}"] if wedding else None,
        )
        add_contact(store, fields, D - timedelta(days=400))
    whole = overdue_json(cli, "--limit", "0")["overdue"]
    assert isinstance(whole, list) and len(whole) == 10
    for limit in range(1, len(whole) + 1):
        page = overdue_json(cli, "--limit", str(limit))
        assert page["overdue"] == whole[:limit], limit
