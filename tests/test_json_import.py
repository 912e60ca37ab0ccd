"""`crm contacts import FILE.json` (issue 18): tinycrm's own JSON export read back. Into an
empty database the round trip export → import → export gives the same file; into one with
contacts, duplicates are skipped and created ones keep their rows and references."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from conftest import Invoke
from tinycrm.store import Store

CARD = """BEGIN:VCARD\r
VERSION:4.0\r
UID:urn:uuid:7c1e9a58-1b2f-4c53-9a57-5e4c3a2b1d0f\r
FN:Heiko Mustermann\r
N:Mustermann;Heiko;;;\r
TITLE:Einkaufsleiter\r
EMAIL;TYPE=work:heiko@firma.example\r
TEL;TYPE=cell:+49 170 1111111\r
ADR;TYPE=work:;;Firmenweg 1;Berlin;;10115;Germany\r
URL:https://firma.example\r
RELATED;TYPE=spouse;VALUE=text:Erika\r
END:VCARD\r
"""


def ok(cli: Invoke, *args: str) -> str:
    result = cli(*args)
    assert result.exit_code == 0, result.stderr
    return result.stdout


def export(cli: Invoke, path: Path, *db: str) -> dict[str, Any]:
    ok(cli, *db, "contacts", "export", "--format", "json", "-o", str(path))
    data = json.loads(path.read_text())
    data.pop("exported_at")
    return data  # type: ignore[no-any-return]


def upcoming_handle(cli: Invoke, prefix: str) -> str:
    rows = json.loads(ok(cli, "follow-ups", "upcoming", "--days", "366", "--json"))["upcoming"]
    return str(next(row["handle"] for row in rows if row["handle"].startswith(prefix)))


@pytest.fixture
def rich(cli: Invoke, tmp_path: Path) -> Path:
    """A database with everything: the demo's sales, scores, cases, notes and follow-ups, an
    address-book card, a skipped anniversary, an archived contact; and its JSON export."""
    ok(cli, "demo")
    card = tmp_path / "card.vcf"
    card.write_text(CARD)
    ok(cli, "contacts", "import", str(card))
    ok(cli, "follow-ups", "skip", upcoming_handle(cli, "a"))
    ok(cli, "contacts", "archive", "Heiko Mustermann")
    return tmp_path / "first.json"


def test_round_trip_into_an_empty_database_is_lossless(
    cli: Invoke, rich: Path, tmp_path: Path
) -> None:
    first = export(cli, rich)
    assert any(p["occurrence_marks"] for p in first["contacts"])
    empty = ("--db", str(tmp_path / "restored.db"))
    report = json.loads(ok(cli, *empty, "contacts", "import", str(rich), "--json"))
    assert report["created_count"] == len(first["contacts"]) and report["rejected"] == []
    assert export(cli, tmp_path / "second.json", *empty) == first
    vcards = ok(cli, "contacts", "export")
    assert ok(cli, *empty, "contacts", "export") == vcards  # the same UIDs too


def test_into_a_database_with_contacts(cli: Invoke, rich: Path, tmp_path: Path) -> None:
    first = export(cli, rich)
    again = json.loads(ok(cli, "contacts", "import", str(rich), "--json"))
    assert again["created_count"] == 0 and len(again["skipped"]) == len(first["contacts"])
    assert "same UID as Heiko Mustermann" in {r["reason"].split(" (")[0] for r in again["skipped"]}
    created = json.loads(
        ok(cli, "contacts", "import", str(rich), "--on-duplicate", "create", "--json")
    )
    assert created["created_count"] == len(first["contacts"]) and created["rejected"] == []
    assert ok(cli, "db", "check")
    both = json.loads(ok(cli, "contacts", "export", "--format", "json"))["contacts"]
    assert len({p["uid"] for p in both}) == 2 * len(first["contacts"])
    for person in both:
        sales = {sale["id"] for sale in person["sales"]}
        sources = [f["source"] for f in person["follow_ups"] if (f["source"] or "")[:5] == "sale:"]
        assert all(int(source[5:]) in sales for source in sources)
        subjects = {str(a["id"]) for a in person["anniversaries_detail"]}
        marks = [m for m in person["occurrence_marks"] if m["kind"] == "anniversary"]
        assert all(m["subject"] in subjects for m in marks)
    heikos = [p for p in both if p["name"] == "Heiko Mustermann"]
    assert [p["job_title"] for p in heikos] == ["Einkaufsleiter", "Einkaufsleiter"]


def test_a_contact_that_does_not_fit_is_rejected_alone(
    cli: Invoke, rich: Path, tmp_path: Path
) -> None:
    data = export(cli, rich)
    data["contacts"][0]["record"]["stage"] = "imaginary"
    data["contacts"][1]["notes"][:0] = [{"body": "x", "no_such_column": 1}]
    data["contacts"][2]["record"]["name"] = None
    broken = tmp_path / "broken.json"
    broken.write_text(json.dumps(data))
    empty = ("--db", str(tmp_path / "restored.db"))
    report = json.loads(ok(cli, *empty, "contacts", "import", str(broken), "--json"))
    reasons = [r["reason"] for r in report["rejected"]]
    assert len(reasons) == 3 and "notes: no column no_such_column" in reasons
    assert report["created_count"] == len(data["contacts"]) - 3
    assert ok(cli, *empty, "db", "check")
    names = {c["name"] for c in json.loads(ok(cli, *empty, "contacts", "list", "--json"))}
    assert data["contacts"][0]["name"] not in names and data["contacts"][3]["name"] in names


def test_files_that_are_not_an_export_are_refused(cli: Invoke, tmp_path: Path) -> None:
    cases = {
        "other.json": '{"people": [{"name": "Ann"}]}',
        "empty.json": '{"format": "tinycrm-export", "version": 1, "contacts": []}',
        "future.json": '{"format": "tinycrm-export", "version": 9, "contacts": []}',
        "broken.json": '{"format": "tinycrm-export", ',
    }
    messages = []
    ok(cli, "contacts", "add", "Ann")
    for name, text in cases.items():
        path = tmp_path / name
        path.write_text(text)
        result = cli("contacts", "import", str(path))
        assert result.exit_code == 2 and result.stderr.count("\n") == 1, result.stderr
        messages.append(result.stderr)
    assert "not a tinycrm JSON export" in messages[0] and "nothing imported" in messages[1]
    assert "version 9" in messages[2] and "not readable JSON" in messages[3]
    assert [c["name"] for c in json.loads(ok(cli, "contacts", "list", "--json"))] == ["Ann"]


def test_dry_run_changes_nothing(cli: Invoke, rich: Path) -> None:
    first = export(cli, rich)
    options = ("--on-duplicate", "create", "--dry-run", "--json")
    report = json.loads(ok(cli, "contacts", "import", str(rich), *options))
    assert report["created_count"] == len(first["contacts"]) and report["dry_run"]
    assert export(cli, rich.with_name("after.json")) == first


def test_company_role_and_referrer_come_back(cli: Invoke, store: Store, tmp_path: Path) -> None:
    ok(cli, "contacts", "add", "Ann Buyer", "--company", "Acme GmbH", "--role", "buyer")
    ok(cli, "contacts", "add", "Bo Friend")
    bo = store.contacts.get(2)
    assert bo is not None
    bo.referred_by = 1  # no command sets a referrer yet
    store.contacts.update(bo)
    first = export(cli, tmp_path / "first.json")
    assert [c["name"] for c in first["companies"]] == ["Acme GmbH"]
    people = {p["name"]: p for p in first["contacts"]}
    assert people["Bo Friend"]["referred_by_uid"] == people["Ann Buyer"]["uid"]
    empty = ("--db", str(tmp_path / "restored.db"))
    ok(cli, *empty, "contacts", "import", str(tmp_path / "first.json"))
    assert export(cli, tmp_path / "second.json", *empty) == first
    other = ("--db", str(tmp_path / "other.db"))
    # Zed comes with a UID of his own: a UID made from id and creation time could be Ann's.
    zed = tmp_path / "zed.vcf"
    zed.write_text("BEGIN:VCARD\r\nVERSION:4.0\r\nUID:zed-1\r\nFN:Zed\r\nORG:ACME  gmbh\r\n"
                   "END:VCARD\r\n")  # fmt: skip
    ok(cli, *other, "contacts", "import", str(zed))
    ok(cli, *other, "contacts", "import", str(tmp_path / "first.json"))
    ann = json.loads(ok(cli, *other, "contacts", "show", "Ann Buyer", "--json"))
    assert (ann["company"], ann["role"]) == ("ACME  gmbh", "buyer")  # the company already there
    moved = {p["name"]: p for p in export(cli, tmp_path / "other.json", *other)["contacts"]}
    assert moved["Bo Friend"]["record"]["referred_by"] == ann["id"]
    assert moved["Bo Friend"]["referred_by_uid"] == moved["Ann Buyer"]["uid"]
