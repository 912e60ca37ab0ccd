"""Hostile text on the export paths: CSV formulas are neutralised (and restored on import),
vCard and JSON carry the exact text and round-trip, the calendar escapes follow-up titles and
parses back, and every file written with -o is mode 0600."""

from __future__ import annotations

import csv
import io
import json
import re
import stat
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from conftest import Invoke
from tinycrm.services.contacts import ContactFields, add_contact
from tinycrm.services.followups.stored import add_follow_up
from tinycrm.services.notes import add_note
from tinycrm.store import Store

TODAY = date(2026, 11, 26)
FORMULAS = [
    '=HYPERLINK("http://evil.example","click")',
    "+1",
    "-2",
    "@SUM(A1:A9)",
    "\tcmd",
    "\r=1+1",
    "'=already quoted",
    "''@twice",
]
HOSTILE = [
    "[/]",
    "[red]x[/red]",
    "\x1b[2J\x1b]52;c;aGk=\x07",
    "\x9b31m",
    "a\nb\n\nc",
    "semi;colon,comma\\back",
    "<script>alert(1)</script>",
    "tab\there",
    "nel\x85x",
    "ls\u2028ps\u2029",
    "fs\x1c\x1d\x1e",
    "ff\x0cvt\x0b",
    "del\x7f",
    "x\nEND:VEVENT\nBEGIN:VEVENT\nSUMMARY:forged\nEND:VCARD\nBEGIN:VCARD\nFN:forged",
]
C1 = re.compile("[\x80-\x9f]")


def full_export(cli: Invoke) -> list[dict[str, Any]]:
    """Every contact with its notes, without ids and timestamps (a new database changes them)."""
    result = cli("contacts", "export", "--format", "json")
    assert result.exit_code == 0, result.stderr
    people = []
    for person in json.loads(result.stdout)["contacts"]:
        # A new database gives new ids (its users' too), UIDs and timestamps (the raw
        # `record` and the rows with ids); CSV holds the main address as text, which becomes
        # an address row.
        ignored = ("id", "owner_id", "stage_history", "uid", "record", "anniversaries_detail",
                   "addresses_detail")  # fmt: skip
        kept = {k: v for k, v in person.items() if k not in ignored}
        kept["notes"] = [(n["body"], n["channel"], n["noted_on"]) for n in person["notes"]]
        for key in ("emails_detail", "phones_detail"):
            kept[key] = [
                {k: v for k, v in row.items() if k not in ("contact_id", "label")}
                for row in person[key]
            ]
        people.append(
            {k: v for k, v in kept.items() if k not in ("follow_ups", "created_at", "updated_at")}
        )
    return sorted(people, key=lambda p: p["name"])


def reimport(cli: Invoke, monkeypatch: pytest.MonkeyPatch, path: Path, db: Path) -> None:
    monkeypatch.setenv("CRM_DB", str(db))
    result = cli("contacts", "import", str(path), "--json")
    assert result.exit_code == 0, result.stderr
    report = json.loads(result.stdout)
    assert not report["rejected"] and not report["skipped"], report


def test_csv_cells_cannot_run_as_formulas_and_reimport_restores_them(
    cli: Invoke, store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for i, text in enumerate(FORMULAS):
        contact = add_contact(store, ContactFields(name=f"P{i}"), TODAY)
        assert contact.id is not None
        # Straight to the store: the CSV export must hold up whatever the fields contain.
        contact.company, contact.address = text, text
        contact.owner_id = store.users.ensure(text) if text.strip() else None  # owners are users
        contact.tags = [text.strip() or "t"]
        store.contacts.update(contact)
    out = tmp_path / "out.csv"
    assert cli("contacts", "export", "--format", "csv", "-o", str(out)).exit_code == 0
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"), newline="")))
    assert len(rows) == len(FORMULAS)
    plain_number = re.compile(r"[+\-]?\d+")  # "+1", "-2": no function, no cell reference
    for row in rows:
        for value in row.values():
            if not plain_number.fullmatch(value):
                assert not value.startswith(("=", "+", "-", "@", "\t", "\r")), row
    by_name = {row["name"]: row for row in rows}
    assert by_name["P0"]["company"] == "'" + FORMULAS[0]
    assert by_name["P4"]["address"] == "'\tcmd"
    before = full_export(cli)
    reimport(cli, monkeypatch, out, tmp_path / "second.db")
    assert full_export(cli) == before


@pytest.fixture
def hostile(store: Store) -> None:
    for i, text in enumerate(HOSTILE):
        store.users.ensure(f"Sam {text}")  # an owner is a user: named as hostilely
        contact = add_contact(
            store,
            ContactFields(
                name=f"Zed{i} {text} end",
                company=f"Co {text}",
                address=f"1 {text} Street",
                owner=f"Sam {text}",
                tags=[f"t{i}"],
            ),
            TODAY,
        )
        add_note(store, str(contact.id), f"said {text} ok", TODAY, "call")
        add_follow_up(store, str(contact.id), f"todo {text}", TODAY, TODAY)


def test_vcard_round_trips_hostile_text_exactly(
    cli: Invoke, hostile: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "all.vcf"
    assert cli("contacts", "export", "-o", str(out)).exit_code == 0
    text = out.read_bytes().decode("utf-8")
    assert text.split("\r\n").count("BEGIN:VCARD") == len(HOSTILE)  # no forged card
    assert all(len(line.encode()) <= 75 for line in text.split("\r\n"))
    before = full_export(cli)
    reimport(cli, monkeypatch, out, tmp_path / "second.db")
    assert full_export(cli) == before


def test_json_is_valid_exact_and_has_no_raw_c1(cli: Invoke, hostile: None) -> None:
    result = cli("contacts", "export", "--format", "json")
    assert result.exit_code == 0, result.stderr
    assert not C1.search(result.stdout), "a raw C1 control character reached the output"
    assert "\x1b" not in result.stdout
    people = json.loads(result.stdout)["contacts"]
    names = sorted(p["name"] for p in people)
    assert names == sorted(f"Zed{i} {text} end" for i, text in enumerate(HOSTILE))
    notes = sorted(n["body"] for p in people for n in p["notes"])
    assert notes == sorted(f"said {text} ok" for text in HOSTILE)
    one = cli("contacts", "export", "4", "--format", "json")
    assert not C1.search(one.stdout)
    assert json.loads(one.stdout)["contact"]["name"] == f"Zed3 {HOSTILE[3]} end"


def test_ics_escapes_hostile_titles_and_parses_back(
    cli: Invoke, hostile: None, tmp_path: Path
) -> None:
    from icalendar import Calendar

    out = tmp_path / "crm.ics"
    assert cli("export", "ics", "-o", str(out)).exit_code == 0
    calendar = Calendar.from_ical(out.read_bytes())
    summaries = sorted(str(e["summary"]) for e in calendar.walk("VEVENT"))
    people = json.loads(cli("contacts", "export", "-f", "json").stdout)["contacts"]
    titles = sorted(f"{f['title']} — {p['name']}" for p in people for f in p["follow_ups"])
    assert len(titles) == len(HOSTILE)
    assert summaries == titles
    assert b"semi\\;colon\\,comma\\\\back" in out.read_bytes().replace(b"\r\n ", b"")


@pytest.mark.parametrize(
    "args",
    [
        ("contacts", "export"),
        ("contacts", "export", "--format", "csv"),
        ("contacts", "export", "--format", "json"),
        ("contacts", "export", "1", "-f", "json"),
        ("export", "ics"),
    ],
)
def test_every_export_file_is_private(
    cli: Invoke, hostile: None, tmp_path: Path, args: tuple[str, ...]
) -> None:
    out = tmp_path / "export.out"
    out.write_text("old")
    out.chmod(0o644)  # overwriting a readable file still leaves a private one
    result = cli(*args, "-o", str(out))
    assert result.exit_code == 0, result.stderr
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert out.read_bytes() != b"old"
    assert not [p.name for p in tmp_path.iterdir() if p.name.startswith(".export.out.")]
