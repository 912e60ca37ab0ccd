"""`crm contacts sync DIR`: a vdir for vdirsyncer and phones, in both directions, with a
conflict reported rather than overwritten (issue 18)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from conftest import Invoke


def sync(cli: Invoke, directory: Path) -> dict[str, Any]:
    result = cli("contacts", "sync", str(directory), "--json")
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)  # type: ignore[no-any-return]


def contact(cli: Invoke, ref: str) -> dict[str, Any]:
    result = cli("contacts", "show", ref, "--json")
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)  # type: ignore[no-any-return]


@pytest.fixture
def book(cli: Invoke, tmp_path: Path) -> Path:
    for args in (
        ["Ann Lee", "--email", "ann@example.com"],
        ["Bob Stone", "--phone", "+1 555 0100"],
    ):
        assert cli("contacts", "add", *args).exit_code == 0
    directory = tmp_path / "book"
    first = sync(cli, directory)
    assert sorted(first["written"]) == ["Ann Lee", "Bob Stone"]
    return directory


def card_of(directory: Path, name: str) -> Path:
    (path,) = [p for p in directory.glob("*.vcf") if f"FN:{name}\r\n" in p.read_bytes().decode()]
    return path


def test_one_file_per_contact_named_by_uid(book: Path) -> None:
    files = sorted(book.glob("*.vcf"))
    assert len(files) == 2
    for path in files:
        uid = next(line for line in path.read_text().splitlines() if line.startswith("UID:"))
        assert path.name == uid.removeprefix("UID:") + ".vcf"


def test_a_second_sync_with_no_changes_changes_nothing(cli: Invoke, book: Path) -> None:
    again = sync(cli, book)
    assert again["written"] == [] and again["updated"] == [] and again["conflicts"] == []


def test_an_edit_on_the_phone_updates_tinycrm(cli: Invoke, book: Path) -> None:
    path = card_of(book, "Ann Lee")
    text = path.read_text().replace("FN:Ann Lee", "FN:Ann Lee-Park")
    path.write_text(text.replace("END:VCARD", "TEL;TYPE=cell:+44 20 7946 0000\r\nEND:VCARD"))
    report = sync(cli, book)
    assert report["updated"] == ["Ann Lee-Park"]
    ann = contact(cli, "ann@example.com")
    assert ann["name"] == "Ann Lee-Park" and ann["phones"] == ["+44 20 7946 0000"]


def test_an_edit_in_tinycrm_rewrites_the_file(cli: Invoke, book: Path) -> None:
    assert cli("contacts", "edit", "Bob Stone", "--company", "Stone & Co").exit_code == 0
    report = sync(cli, book)
    assert report["written"] == ["Bob Stone"] and report["updated"] == []
    assert "ORG:Stone & Co" in card_of(book, "Bob Stone").read_text()


def test_a_new_card_on_the_phone_becomes_a_contact_once(cli: Invoke, book: Path) -> None:
    (book / "phone-1.vcf").write_text(
        "BEGIN:VCARD\r\nVERSION:3.0\r\nUID:phone-1\r\nFN:Cara Phone\r\n"
        "TEL;TYPE=CELL:+49 151 1234567\r\nEND:VCARD\r\n"
    )
    assert sync(cli, book)["created"] == ["Cara Phone"]
    assert sync(cli, book)["created"] == []
    assert "UID:phone-1\n" in cli("contacts", "export", "Cara Phone").stdout
    assert sorted(p.name for p in book.glob("*.vcf"))[-1] == "phone-1.vcf"
    listed = json.loads(cli("contacts", "list", "--json").stdout)
    assert [c["name"] for c in listed].count("Cara Phone") == 1


def test_both_sides_changing_a_field_is_a_conflict_not_an_overwrite(
    cli: Invoke, book: Path
) -> None:
    path = card_of(book, "Bob Stone")
    text = path.read_text().replace("ORG", "X")
    path.write_text(text.replace("END:VCARD", "ORG:Phone Corp\r\nEND:VCARD"))
    assert cli("contacts", "edit", "Bob Stone", "--company", "CRM Corp").exit_code == 0
    report = sync(cli, book)
    (conflict,) = report["conflicts"]
    assert "Bob Stone" in conflict and "company" in conflict
    assert contact(cli, "Bob Stone")["company"] == "CRM Corp"
    assert "ORG:Phone Corp" in path.read_text()
    result = cli("contacts", "sync", str(book))
    assert result.exit_code == 0 and "company" in result.stdout + result.stderr
    # A contact is at one company at a time: a mistaken one is unlinked first.
    assert cli("contacts", "edit", "Bob Stone", "--company", "").exit_code == 0
    assert cli("contacts", "edit", "Bob Stone", "--company", "Phone Corp").exit_code == 0
    assert sync(cli, book)["conflicts"] == []


def test_a_card_deleted_on_the_phone_is_kept_and_said(cli: Invoke, book: Path) -> None:
    card_of(book, "Ann Lee").unlink()
    report = sync(cli, book)
    assert report["kept"] == ["Ann Lee"]
    assert contact(cli, "Ann Lee")["name"] == "Ann Lee"
    assert len(list(book.glob("*.vcf"))) == 1
    assert sync(cli, book)["kept"] == []
