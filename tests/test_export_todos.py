"""`export ics --todos` (issue 20): the check-ins and reorders the queue derives are the
calendar's VTODOs, one per row of the queue's overdue, today and next 366 days, in the queue's
order; written as they are read, so the file stays the one calendar icalendar writes whole."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import icalendar

from conftest import Invoke
from tinycrm.services import sales
from tinycrm.store import Store

TYPES = ["dedicated", "personal", "long-term", "community", ""]


def ok(cli: Invoke, *args: str) -> str:
    result = cli(*args)
    assert result.exit_code == 0, result.stderr
    return result.stdout


def queue_to_dos(cli: Invoke) -> list[tuple[str, str, str]]:
    """(UID, summary, due day) of each derived check-in and reorder the queue shows today:
    every overdue row, today's, then the next 366 days'."""
    rows: list[dict[str, Any]] = []
    for view, extra in (("overdue", ()), ("today", ()), ("upcoming", ("--days", "366"))):
        found = json.loads(ok(cli, "follow-ups", view, "--limit", "0", *extra, "--json"))
        rows += found[view]
    return [
        (f"{r['kind']}-{r['contact_id']}@tinycrm", f"{r['title']} — {r['contact']}", r["due"])
        for r in rows
        if r["follow_up_id"] is None and r["kind"] in ("check-in", "reorder")
    ]


def calendar_to_dos(cli: Invoke, tmp_path: Path) -> tuple[list[tuple[str, str, str]], bytes]:
    """(UID, summary, due day) of each derived VTODO of `export ics --todos`, and the file."""
    out = tmp_path / "todos.ics"
    ok(cli, "export", "ics", "--todos", "-o", str(out))
    data = out.read_bytes()
    found = [
        entry(todo)
        for todo in icalendar.Calendar.from_ical(data).walk("VTODO")
        if not str(todo["UID"]).startswith("follow-up-")
    ]
    return found, data


def entry(todo: Any) -> tuple[str, str, str]:
    return str(todo["UID"]), str(todo["SUMMARY"]), todo["DUE"].dt.isoformat()


def test_the_demos_to_dos_are_its_queues_check_ins_and_reorders(
    cli: Invoke, tmp_path: Path
) -> None:
    ok(cli, "demo")
    found, _ = calendar_to_dos(cli, tmp_path)
    expected = queue_to_dos(cli)
    assert {uid.split("-")[0] for uid, _, _ in expected} == {"check", "reorder"}
    assert found == expected


def test_thousands_of_to_dos_are_the_queues_in_its_order(
    cli: Invoke, store: Store, tmp_path: Path
) -> None:
    """A few thousand contacts of every relationship type, some with an open case, check-ins
    and reorders due over two years (many on one day with the same weights), some snoozed,
    done or skipped: the calendar's to-dos are still the queue's rows, in its order."""
    today = date.today()
    people = tmp_path / "people.csv"
    lines = ["name,relationship_type,cadence,last_interaction_on"]
    for n in range(3000):
        last = today - timedelta(days=n % 700)
        lines.append(f"Person {n:04d},{TYPES[n % 5]},{(7, 30, 90, 365)[n % 4]},{last}")
    people.write_text("\n".join(lines) + "\n", encoding="utf-8")
    ok(cli, "contacts", "import", str(people))
    with store.write():
        for n in range(0, 3000, 20):  # a reorder each, due from 40 days ago to 140 ahead
            gap = 20 + n % 60
            for purchase in range(3):
                sold_on = today - timedelta(days=(n // 20) % 90 + gap * purchase)
                sales.add_sale(store, f"Person {n:04d}", "12", sold_on=sold_on, today=today,
                               currency="EUR", follow_up=False)  # fmt: skip
    for n in (3, 40, 41, 1500):
        ok(cli, "cases", "open", f"Person {n:04d}", "Broken vase")
    overdue = json.loads(ok(cli, "follow-ups", "overdue", "--limit", "0", "--json"))["overdue"]
    handles = [r["handle"] for r in overdue if r["kind"] in ("check-in", "reorder")]
    checks = [h for h in handles if h.startswith("c")]
    reorders = [h for h in handles if h.startswith("r")]
    later = (today + timedelta(days=40)).isoformat()
    ok(cli, "follow-ups", "snooze", checks[0], "--until", later)
    ok(cli, "follow-ups", "snooze", reorders[0], "--until", today.isoformat())
    ok(cli, "follow-ups", "snooze", checks[-1], "--until", (today + timedelta(400)).isoformat())
    ok(cli, "follow-ups", "done", checks[1])
    ok(cli, "follow-ups", "skip", reorders[1])
    found, data = calendar_to_dos(cli, tmp_path)
    expected = queue_to_dos(cli)
    assert len(expected) > 2500
    assert found == expected
    assert icalendar.Calendar.from_ical(data).to_ical() == data
