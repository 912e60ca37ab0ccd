"""Exports other programs accept (issue 18): khard and vobject read our vCards, every card has
a stable UID, and export → import gives the same contacts."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import vobject

from conftest import Invoke


def add(cli: Invoke, *args: str) -> None:
    result = cli("contacts", "add", *args)
    assert result.exit_code == 0, result.stderr


@pytest.fixture
def people(cli: Invoke) -> None:
    dates = ["--anniversary", "anniversary=--06-21", "--anniversary", "customer since=2019-03-01"]
    add(cli, "Mustermann, Heiko", "--email", "heiko@example.de", "--birthday", "1970-05-04", *dates)
    add(cli, "Bike Shop", "--company", "Bike Shop GmbH", "--phone", "+49 30 1234567")
    add(cli, "山田太郎", "--birthday", "--03-14", "--tag", "vip")


def exported(cli: Invoke, *options: str) -> str:
    result = cli("contacts", "export", *options)
    assert result.exit_code == 0, result.stderr
    return result.stdout


def cards(text: str) -> list[Any]:
    return list(vobject.readComponents(text, validate=True))


def test_every_card_has_a_stable_uid_and_standard_dates(cli: Invoke, people: None) -> None:
    first = cards(exported(cli))
    uids = [card.uid.value for card in first]
    assert len(set(uids)) == 3 and all(uids)
    assert [card.uid.value for card in cards(exported(cli))] == uids
    heiko = next(card for card in first if card.fn.value == "Mustermann, Heiko")
    assert heiko.anniversary.value == "--0621"
    assert heiko.bday.value == "19700504"
    text = exported(cli)
    assert "1604" not in text
    assert "N:Heiko" not in text and "N:Shop" not in text  # no name split at the last space


def test_export_reimports_to_the_same_contacts(cli: Invoke, people: None, tmp_path: Path) -> None:
    out = tmp_path / "all.vcf"
    assert cli("contacts", "export", "-o", str(out)).exit_code == 0
    before = json.loads(cli("contacts", "list", "--json").stdout)
    second = str(tmp_path / "second.db")
    result = cli("--db", second, "contacts", "import", str(out), "--json")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["adjusted"] == []
    after = json.loads(cli("--db", second, "contacts", "list", "--json").stdout)

    def comparable(listed: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return sorted(({k: v for k, v in c.items() if k != "id"} for c in listed),
                      key=lambda c: c["name"])  # fmt: skip

    assert comparable(after) == comparable(before)


def test_reimporting_an_export_updates_by_uid(cli: Invoke, people: None, tmp_path: Path) -> None:
    out = tmp_path / "all.vcf"
    assert cli("contacts", "export", "-o", str(out)).exit_code == 0
    text = out.read_text().replace("FN:Bike Shop", "FN:Bike Shop Berlin")
    out.write_text(text.replace("+49 30 1234567", "+49 30 7654321"))
    result = cli("contacts", "import", str(out), "--on-duplicate", "update", "--json")
    report = json.loads(result.stdout)
    assert report["created_count"] == 0 and len(report["updated"]) == 3
    names = sorted(c["name"] for c in json.loads(cli("contacts", "list", "--json").stdout))
    assert names == ["Bike Shop Berlin", "Mustermann, Heiko", "山田太郎"]


def khard(config: Path, *args: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "khard", "-c", str(config), *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)


def test_khard_lists_shows_and_uses_our_cards(cli: Invoke, people: None, tmp_path: Path) -> None:
    book = tmp_path / "book"
    result = cli("contacts", "sync", str(book))
    assert result.exit_code == 0, result.stderr
    config = tmp_path / "khard.conf"
    config.write_text(
        f"[addressbooks]\n[[tinycrm]]\npath = {book}\n[general]\ndefault_action = list\n"
    )
    listed = khard(config, "list", "--parsable")
    assert listed.returncode == 0 and listed.stderr == "", listed.stderr
    assert len(listed.stdout.strip().splitlines()) == 3
    birthdays = khard(config, "birthdays", "--parsable")
    assert birthdays.returncode == 0 and birthdays.stderr == "", birthdays.stderr
    assert "Mustermann, Heiko" in birthdays.stdout and "山田太郎" in birthdays.stdout
    shown = khard(config, "show", "Heiko")
    assert shown.returncode == 0 and "heiko@example.de" in shown.stdout


def test_a_recurring_follow_up_is_a_recurring_event(cli: Invoke, tmp_path: Path) -> None:
    import icalendar
    import recurring_ical_events

    add(cli, "Ann Lee")
    for title, every in [("Invoice", "monthly"), ("Call", "FREQ=WEEKLY;COUNT=3")]:
        due = "2027-01-31" if title == "Invoice" else "2027-01-04"
        result = cli("follow-ups", "add", "Ann Lee", title, "--due", due, "--every", every)
        assert result.exit_code == 0, result.stderr
    out = tmp_path / "crm.ics"
    assert cli("export", "ics", "-o", str(out)).exit_code == 0
    calendar = icalendar.Calendar.from_ical(out.read_bytes())
    found = recurring_ical_events.of(calendar).between((2027, 1, 1), (2027, 5, 1))
    days: dict[str, list[str]] = {}
    for event in found:
        title = str(event["SUMMARY"]).split(" — ")[0]
        days.setdefault(title, []).append(event["DTSTART"].dt.isoformat())
    assert sorted(days["Invoice"]) == ["2027-01-31", "2027-02-28", "2027-03-31", "2027-04-30"]
    assert sorted(days["Call"]) == ["2027-01-04", "2027-01-11", "2027-01-18"]


def test_an_imported_uid_is_kept_and_exported_unchanged(cli: Invoke, tmp_path: Path) -> None:
    path = tmp_path / "other.vcf"
    uid = "urn:uuid:4fbe8971-0bc3-424c-9c26-36c3e1eff6b1"
    path.write_text(f"BEGIN:VCARD\r\nVERSION:4.0\r\nUID:{uid}\r\nFN:Uma Uid\r\nEND:VCARD\r\n")
    assert cli("contacts", "import", str(path)).exit_code == 0
    assert [card.uid.value for card in cards(exported(cli))] == [uid]
    again = json.loads(cli("contacts", "import", str(path), "--json").stdout)
    assert [r["reason"] for r in again["skipped"]] == ["same UID as Uma Uid (id 1)"]
    created = json.loads(
        cli("contacts", "import", str(path), "--on-duplicate", "create", "--json").stdout
    )
    assert [r["reason"] for r in created["adjusted"]] == [
        f"UID {uid} is another contact's: given a new one"
    ]
    uids = [card.uid.value for card in cards(exported(cli))]
    assert uids[0] == uid and len(set(uids)) == 2
