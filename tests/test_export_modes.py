"""Export modes (issue 18): an Apple-compatible vCard 3.0 (`--apple`) beside the default 4.0,
and check-ins and reorders as to-dos in the iCalendar export (`--todos`), each read back by a
second parser."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import icalendar
import pytest
import recurring_ical_events
import vobject

from conftest import Invoke

SHOP = (
    "BEGIN:VCARD\r\nVERSION:4.0\r\nKIND:org\r\nFN:Bike Shop\r\nORG:Bike Shop GmbH\r\nEND:VCARD\r\n"
)


def ok(cli: Invoke, *args: str) -> str:
    result = cli(*args)
    assert result.exit_code == 0, result.stderr
    return result.stdout


@pytest.fixture
def people(cli: Invoke, tmp_path: Path) -> None:
    dates = ("--anniversary", "anniversary=--06-21", "--anniversary", "customer since=2019-03-01")
    ok(cli, "contacts", "add", "Ann Apple", "--birthday=--02-29", "--email", "ann@apple.example",
       *dates)  # fmt: skip
    ok(cli, "contacts", "add", "Ben Born", "--birthday", "1970-05-04")
    shop = tmp_path / "shop.vcf"
    shop.write_text(SHOP)
    ok(cli, "contacts", "import", str(shop))


def test_apple_mode_writes_what_apple_contacts_reads(cli: Invoke, people: None) -> None:
    text = ok(cli, "contacts", "export", "--apple")
    cards = {card.fn.value: card for card in vobject.readComponents(text, validate=True)}
    ann = cards["Ann Apple"]
    assert ann.version.value == "3.0" and ann.bday.value == "1604-02-29"
    assert ann.bday.params["X-APPLE-OMIT-YEAR"] == ["1604"]
    assert "anniversary" not in ann.contents
    dates = {
        label.value: next(d for d in ann.contents["x-abdate"] if d.group == label.group)
        for label in ann.contents["x-ablabel"]
    }
    assert dates["_$!<Anniversary>!$_"].value == "1604-06-21"
    assert dates["customer since"].value == "2019-03-01"
    assert cards["Ben Born"].bday.value == "1970-05-04"
    shop = cards["Bike Shop"]
    assert shop.x_abshowas.value == "COMPANY" and shop.org.value == ["Bike Shop GmbH"]
    assert all("n" in card.contents for card in cards.values())  # Apple shows a card by its N
    default = ok(cli, "contacts", "export")
    assert "VERSION:4.0" in default and "1604" not in default and "X-ABShowAs" not in default


def test_an_apple_export_reads_back_the_same(cli: Invoke, people: None, tmp_path: Path) -> None:
    out = tmp_path / "apple.vcf"
    ok(cli, "contacts", "export", "--apple", "-o", str(out))
    second = ("--db", str(tmp_path / "second.db"))
    report = json.loads(ok(cli, *second, "contacts", "import", str(out), "--json"))
    assert report["created_count"] == 3 and report["adjusted"] == []

    def listed(*db: str) -> list[dict[str, Any]]:
        found = json.loads(ok(cli, *db, "contacts", "list", "--json"))
        # Apple's N holds the full name when none was given (the only thing that differs).
        return [{k: v for k, v in c.items() if k not in ("id", "name_parts")} for c in found]

    assert listed(*second) == listed()


def test_apple_is_for_vcard_only(cli: Invoke, people: None) -> None:
    result = cli("contacts", "export", "--format", "csv", "--apple")
    assert result.exit_code == 2 and "--apple is for --format vcard" in result.stderr


def todos(calendar: Any) -> list[Any]:
    return [c for c in calendar.walk() if c.name == "VTODO"]


def test_check_ins_and_reorders_as_todos(cli: Invoke, tmp_path: Path) -> None:
    ok(cli, "demo")
    plain = icalendar.Calendar.from_ical(ok(cli, "export", "ics").encode())
    assert todos(plain) == []
    out = tmp_path / "todo.ics"
    ok(cli, "export", "ics", "--todos", "-o", str(out))
    calendar = icalendar.Calendar.from_ical(out.read_bytes())
    found = todos(calendar)
    uids = [str(todo["UID"]) for todo in found]
    assert len(uids) == len(set(uids))
    kinds = {uid.split("-")[0] for uid in uids}
    assert {"check", "reorder"} <= kinds  # derived: check-in-7@tinycrm, reorder-3@tinycrm
    assert all(str(todo["STATUS"]) == "NEEDS-ACTION" and "DUE" in todo for todo in found)
    queue = json.loads(ok(cli, "follow-ups", "upcoming", "--days", "366", "--json"))["upcoming"]
    reorders = {row["contact_id"] for row in queue if row["kind"] == "reorder"}
    assert reorders <= {int(uid.split("-")[1].split("@")[0]) for uid in uids
                        if uid.startswith("reorder-")}  # fmt: skip
    # A stored monthly check-in is a recurring to-do: a second parser expands it.
    monthly = [t for t in found if "RRULE" in t]
    assert monthly
    days = recurring_ical_events.of(calendar, components=["VTODO"]).between(
        monthly[0]["DTSTART"].dt, (2100, 1, 1)
    )
    same = [t for t in days if t["UID"] == monthly[0]["UID"]]
    assert len(same) >= 3
    events = {str(e["UID"]) for e in calendar.walk("VEVENT")}
    assert str(monthly[0]["UID"]) not in events


def test_a_long_calendar_is_the_file_icalendar_writes_whole(cli: Invoke, tmp_path: Path) -> None:
    """More entries than the export encodes at a time: the file is still the one calendar
    the library writes (byte for byte once parsed and written again), with every open
    follow-up (soonest first) and every birthday of an active contact once."""
    cards = tmp_path / "people.vcf"
    cards.write_text("".join(
        f"BEGIN:VCARD\r\nVERSION:4.0\r\nFN:Person {n:03}\r\nBDAY:1980{1 + n % 12:02}{1 + n % 28:02}"
        "\r\nEND:VCARD\r\n"
        for n in range(150)
    ))  # fmt: skip
    ok(cli, "contacts", "import", str(cards))
    for n, due in ((7, "2030-03-01"), (3, "2030-01-01"), (149, "2030-02-01")):
        ok(cli, "follow-ups", "add", f"Person {n:03}", f"Call {n}", "--due", due)
    ok(cli, "contacts", "archive", "Person 149")
    out = tmp_path / "all.ics"
    ok(cli, "export", "ics", "-o", str(out))
    data = out.read_bytes()
    calendar = icalendar.Calendar.from_ical(data)
    assert calendar.to_ical() == data
    summaries = [str(event["SUMMARY"]) for event in calendar.walk("VEVENT")]
    assert summaries == ["Call 3 — Person 003", "Call 7 — Person 007"] + [
        f"Birthday: Person {n:03}" for n in range(149)
    ]
